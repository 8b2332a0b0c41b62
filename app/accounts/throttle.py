"""Login throttling: after 5 failures for a username within 15 minutes, wait.

Attempts live in the database, not in a worker's memory, so the limit holds across every
gunicorn worker and machine behind one database.
"""

from __future__ import annotations

import datetime as dt

from flask import current_app
from sqlalchemy import func, select

from app.accounts.models import LoginAttempt
from app.core.db import utcnow
from app.extensions import db


def _window() -> dt.timedelta:
    return dt.timedelta(minutes=current_app.config["ROSTER_LOGIN_WINDOW_MINUTES"])


def wait_minutes(username: str) -> int:
    """Minutes until this username may try again; 0 when it may try now."""
    since = utcnow() - _window()
    last_success = db.session.scalar(
        select(func.max(LoginAttempt.created_dt)).where(
            LoginAttempt.username == username, LoginAttempt.succeeded.is_(True)
        )
    )
    if last_success is not None:
        if last_success.tzinfo is None:
            last_success = last_success.replace(tzinfo=dt.UTC)
        since = max(since, last_success)
    failures = db.session.execute(
        select(func.count(), func.min(LoginAttempt.created_dt)).where(
            LoginAttempt.username == username,
            LoginAttempt.succeeded.is_(False),
            LoginAttempt.created_dt > since,
        )
    ).one()
    count, oldest = failures
    if count < current_app.config["ROSTER_LOGIN_MAX_FAILURES"]:
        return 0
    if oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=dt.UTC)
    remaining = oldest + _window() - utcnow()
    return max(1, -(-int(remaining.total_seconds()) // 60))


def note(username: str, ip: str, succeeded: bool) -> None:
    db.session.add(LoginAttempt(username=username[:60], ip=ip[:64], succeeded=succeeded))
