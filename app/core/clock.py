"""Today's date where the county is, whatever the server's own time zone.

A server kept on UTC would otherwise date everything between 00:00 and 08:00 Beijing time
(entries into the pool, due lists, ages, the dashboard's year) a day early.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

DEFAULT_TIMEZONE = "Asia/Shanghai"


def zone() -> ZoneInfo:
    name = current_app.config["ROSTER_TIMEZONE"] if has_app_context() else DEFAULT_TIMEZONE
    return ZoneInfo(name)


def today() -> dt.date:
    """The calendar date now in ``ROSTER_TIMEZONE`` (Asia/Shanghai unless configured)."""
    return dt.datetime.now(zone()).date()
