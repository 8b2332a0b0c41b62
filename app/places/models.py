"""Townships (乡镇) and their villages (村/社区)."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import CreatedMixin, sort_key_type
from app.extensions import db


class Township(CreatedMixin, db.Model):
    __tablename__ = "townships"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    villages: Mapped[list[Village]] = relationship(
        back_populates="township", order_by="Village.name_sort"
    )

    def __repr__(self) -> str:
        return f"<Township {self.id} {self.name}>"


class Village(CreatedMixin, db.Model):
    __tablename__ = "villages"
    __table_args__ = (UniqueConstraint("township_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("townships.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    name_sort: Mapped[str] = mapped_column(sort_key_type(200), default="")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    township: Mapped[Township] = relationship(back_populates="villages")

    @property
    def full_name(self) -> str:
        return f"{self.township.name} {self.name}"

    def __repr__(self) -> str:
        return f"<Village {self.id} {self.name}>"
