"""Today's date is the county's (ROSTER_TIMEZONE), not the server's."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from app import create_app
from app.config import TestConfig
from app.core import clock


def test_today_is_the_configured_zones_date():
    dates = {}
    # UTC+14 and UTC−11 are 25 hours apart: their dates always differ.
    for zone in ("Pacific/Kiritimati", "Pacific/Pago_Pago"):
        app = create_app(TestConfig, ROSTER_TIMEZONE=zone)
        with app.app_context():
            dates[zone] = clock.today()
            assert dates[zone] == dt.datetime.now(ZoneInfo(zone)).date()
    assert dates["Pacific/Kiritimati"] > dates["Pacific/Pago_Pago"]


def test_outside_the_app_today_is_beijings():
    assert clock.today() == dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()
