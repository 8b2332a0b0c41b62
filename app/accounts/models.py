"""Users and their roles."""

from __future__ import annotations

import datetime as dt

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.codes import Role
from app.core.db import CreatedMixin, UTCDateTime
from app.extensions import db
from app.places.models import Township


class User(UserMixin, CreatedMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('admin', 'secretary', 'clerk')", name="role_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    display_name: Mapped[str] = mapped_column(String(60), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    township_id: Mapped[int | None] = mapped_column(ForeignKey("townships.id"), index=True)
    is_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped at logout, password change and disabling: every session issued before is void.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    last_login_dt: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    township: Mapped[Township | None] = relationship()

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:
        return self.is_enabled

    @property
    def role_label(self) -> str:
        return Role.label_of(self.role)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.admin

    @property
    def is_secretary(self) -> bool:
        return self.role == Role.secretary

    @property
    def is_clerk(self) -> bool:
        return self.role == Role.clerk

    @property
    def is_county_level(self) -> bool:
        return self.township_id is None

    @property
    def label(self) -> str:
        return self.display_name or self.username

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"


class LoginThrottle(db.Model):
    """Failed logins counted per username and per client address, one row for each.

    In the database, not a worker's memory, so the limits hold across every gunicorn worker and
    machine behind one database; one row per subject, so that a single statement can count a
    try and refuse it past the limit (``app.accounts.throttle``). A username is counted whether
    or not such a user exists: a limit only real users reached would tell which ones exist.
    """

    __tablename__ = "login_throttles"
    __table_args__ = (CheckConstraint("scope IN ('username', 'address')", name="scope_known"),)

    scope: Mapped[str] = mapped_column(String(10), primary_key=True)
    subject: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    # The window's start: its failures count until this plus ROSTER_LOGIN_WINDOW_MINUTES.
    window_start_dt: Mapped[dt.datetime] = mapped_column(UTCDateTime())
