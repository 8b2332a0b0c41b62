"""Uploaded roster workbooks kept between the preview and the confirmation of an import."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import CreatedMixin
from app.extensions import db


class ExcelUpload(CreatedMixin, db.Model):
    """One uploaded .xlsx, bound to the user who sent it, until it is imported or expires.

    Kept in the database rather than on a disk, so that the preview and the confirmation may
    be served by different workers or machines (the app is stateless). The file name is only
    shown to the user; it is never used as a path.
    """

    __tablename__ = "excel_uploads"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    file_name: Mapped[str] = mapped_column(String(200), default="")
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)
