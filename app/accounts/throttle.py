"""Login limits: per username (5 failures in 15 minutes) and per client address (20).

A try is counted as a failure *before* its password is checked, and given back when the login
succeeds (``release``). Counted after the check, any number of tries sent at once would all be
checked before the first one was counted: that race let six through a limit of five. Counted
first, one statement per subject adds the try only while it is under its limit, and the
database runs such statements on one row one at a time (SQLite has one writer; on PostgreSQL
the INSERT … ON CONFLICT DO UPDATE locks the row, and a second one waits, then re-checks its
WHERE on the row as the first left it). So of any number of tries at once, at most the limit
get to check a password.

The counts live in the database (``LoginThrottle``), so the limits hold across every worker.
The address limit stops one machine from guessing across many usernames; the username limit
stops many machines from guessing one password. An admin can lift a username's lock early
(``app.accounts.operations.unlock_login``), since anyone can use the username limit to keep a
real user out for a while.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math

from flask import current_app
from sqlalchemy import bindparam, case, delete, or_, select, update

from app.accounts.models import LoginThrottle
from app.core.db import UTCDateTime, utcnow
from app.extensions import db

USERNAME = "username"
ADDRESS = "address"
_table = LoginThrottle.__table__


@dataclasses.dataclass(frozen=True)
class Refusal:
    """Why a try was not let through: which limit, and for how many more minutes."""

    scope: str
    minutes: int


def _window() -> dt.timedelta:
    return dt.timedelta(minutes=current_app.config["ROSTER_LOGIN_WINDOW_MINUTES"])


def _limit(scope: str) -> int:
    key = "ROSTER_LOGIN_MAX_FAILURES" if scope == USERNAME else "ROSTER_LOGIN_MAX_ADDRESS_FAILURES"
    return current_app.config[key]


def _insert():
    """The dialect's INSERT, which knows ON CONFLICT (SQLite and PostgreSQL spell it alike)."""
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def _count(scope: str, subject: str) -> bool:
    """Add one try to the subject's count if it is under the limit; False when it is not.

    A window that has passed starts afresh with this try.
    """
    now = utcnow()
    passed = _table.c.window_start_dt <= bindparam("cutoff", now - _window(), UTCDateTime())
    stmt = (
        _insert()(_table)
        .values(scope=scope, subject=subject, failures=1, window_start_dt=now)
        .on_conflict_do_update(
            index_elements=[_table.c.scope, _table.c.subject],
            set_={
                "failures": case((passed, 1), else_=_table.c.failures + 1),
                "window_start_dt": case(
                    (passed, bindparam("now", now, UTCDateTime())),
                    else_=_table.c.window_start_dt,
                ),
            },
            where=or_(passed, _table.c.failures < _limit(scope)),
        )
        .returning(_table.c.failures)
    )
    return db.session.execute(stmt).first() is not None


def _subjects(username: str, address: str) -> tuple[tuple[str, str], ...]:
    # Always in this order, in every transaction that writes both rows: two logins locking them
    # in opposite orders could deadlock on PostgreSQL.
    return ((ADDRESS, address[:64]), (USERNAME, username[:64]))


def take_try(username: str, address: str) -> Refusal | None:
    """Count this login as a failure until it succeeds; or refuse it, when the address or the
    username is at its limit. The caller commits before checking the password (the write lock
    is not held while argon2 runs) — or, on a refusal, rolls back, so nothing is counted."""
    for scope, subject in _subjects(username, address):
        if not _count(scope, subject):
            return Refusal(scope, _minutes_left(scope, subject))
    return None


def release(username: str, address: str) -> None:
    """A login succeeded: its try was no failure. The username's count starts afresh; the
    address gets back this one try only, so that logging into one's own account does not wipe
    out the failures of the whole address (a shared office address has many users)."""
    (_, address_key), (_, username_key) = _subjects(username, address)
    db.session.execute(
        update(_table)
        .where(_table.c.scope == ADDRESS, _table.c.subject == address_key, _table.c.failures > 0)
        .values(failures=_table.c.failures - 1)
    )
    forget(username_key)


def forget(username: str) -> int:
    """Start the username's count afresh; returns the failures it had."""
    failures = db.session.scalar(
        delete(_table)
        .where(_table.c.scope == USERNAME, _table.c.subject == username[:64])
        .returning(_table.c.failures)
    )
    return failures or 0


def _minutes_left(scope: str, subject: str) -> int:
    start = db.session.scalar(
        select(LoginThrottle.window_start_dt).where(
            LoginThrottle.scope == scope, LoginThrottle.subject == subject
        )
    )
    remaining = start + _window() - utcnow()
    return max(1, math.ceil(remaining.total_seconds() / 60))


def locked_minutes(username: str) -> int:
    """Minutes until this username may try again; 0 when it is not locked (the admin's page)."""
    row = db.session.get(LoginThrottle, (USERNAME, username[:64]))
    if row is None or row.failures < _limit(USERNAME):
        return 0
    if row.window_start_dt + _window() <= utcnow():
        return 0
    return _minutes_left(USERNAME, row.subject)
