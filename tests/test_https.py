"""The client's address and scheme behind a proxy (``ROSTER_PROXY_COUNT``)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.core.audit import AuditEntry
from app.extensions import db

# ---- the client's address behind a proxy ----------------------------------------------------


def failed_login_address(app, forwarded_for: str) -> str:
    """The address the audit log gives a failed login sent with this X-Forwarded-For."""
    app.test_client().post(
        "/login",
        data={"username": "nobody", "password": "wrong-password-1"},
        headers={"X-Forwarded-For": forwarded_for},
    )
    db.session.expire_all()
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "login_failed").order_by(AuditEntry.id)
    ).all()[-1]
    return entry.ip


@pytest.mark.parametrize(
    ("proxies", "forwarded_for", "address"),
    [
        (0, "203.0.113.7", "127.0.0.1"),  # off: anyone can send the header, so it is ignored
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "198.51.100.1, 203.0.113.7", "203.0.113.7"),  # the client's own claim is not taken
        (2, "198.51.100.1, 203.0.113.7", "198.51.100.1"),
    ],
)
def test_the_address_comes_from_x_forwarded_for_only_behind_trusted_proxies(
    app_settings, proxies, forwarded_for, address
):
    app = app_settings(ROSTER_PROXY_COUNT=proxies)
    assert failed_login_address(app, forwarded_for) == address
