"""One-time tokens of create forms: a repeated submit (a double click, a reload of the answer)
creates nothing the second time.

A create form carries a fresh token (``OnceField``). ``app.core.views.save_checked`` adds the
token's row in the same transaction as the record it creates, under the write lock: a second
submit of the same form finds the row (SQLite, whose writers queue) or waits for the first
transaction and then violates the primary key (PostgreSQL), and is refused. Tokens older than a
day are removed as new ones are added: a form kept open longer simply gets a new one.
"""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import ForeignKey, String, delete
from sqlalchemy.orm import Mapped, mapped_column
from wtforms import HiddenField

from app.core.db import UTCDateTime, utcnow
from app.extensions import db

KEPT = dt.timedelta(days=1)
TOKEN = 22  # characters of secrets.token_urlsafe(16)


class FormToken(db.Model):
    __tablename__ = "form_tokens"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_dt: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


def new_token() -> str:
    return secrets.token_urlsafe(16)


class OnceField(HiddenField):
    """The form's one-time token: a fresh one whenever the form is shown anew."""

    def process(self, formdata, data=None, extra_filters=None):
        super().process(formdata, data, extra_filters)
        text = (self.data or "").strip()
        self.data = text if 16 <= len(text) <= 64 and text.isascii() else new_token()


def spend(token: str, *, user_id: int | None) -> None:
    """Record the token in the current transaction; IntegrityError when it was spent."""
    db.session.execute(delete(FormToken).where(FormToken.created_dt < utcnow() - KEPT))
    db.session.add(FormToken(token=token, user_id=user_id))
    db.session.flush()
