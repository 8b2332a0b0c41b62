"""Townships (乡镇) and their villages (村/社区)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.codes import labeled
from app.core.db import CreatedMixin, TownshipMixin, VersionedMixin, sort_key_type
from app.extensions import db


class Township(VersionedMixin, CreatedMixin, db.Model):
    __tablename__ = "townships"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    villages: Mapped[list[Village]] = relationship(
        back_populates="township", order_by="Village.name_sort"
    )

    def __repr__(self) -> str:
        return f"<Township {self.id} {self.name}>"


class Village(VersionedMixin, CreatedMixin, db.Model):
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


SeatKind = labeled(
    "SeatKind",
    [
        ("party_secretary", "党组织书记"),
        ("committee_director", "村（居）委会主任"),
        ("party_member", "党组织委员"),
        ("committee_member", "村（居）委会委员"),
    ],
    {"村党组织书记": "党组织书记", "支书": "党组织书记", "村委会主任": "村（居）委会主任"},
)

# Which 培养方向 (Direction) prepares a reserve for which seat.
SEAT_DIRECTIONS = {
    "party_secretary": ("party_secretary",),
    "committee_director": ("committee_director",),
    "party_member": ("committee_member", "party_secretary"),
    "committee_member": ("committee_member", "committee_director"),
}


class VillageSeat(VersionedMixin, TownshipMixin, CreatedMixin, db.Model):
    """A seat of a village's 两委 with its holder, kept by the clerk for 换届 planning."""

    __tablename__ = "village_seats"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('party_secretary', 'committee_director', 'party_member', 'committee_member')",
            name="kind_known",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    holder_name: Mapped[str] = mapped_column(String(40), default="")
    holder_birth_date: Mapped[dt.date | None] = mapped_column(Date)
    term_end: Mapped[dt.date | None] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(String(200), default="")

    village: Mapped[Village] = relationship()

    @property
    def kind_label(self) -> str:
        return SeatKind.label_of(self.kind)


class Setting(db.Model):
    """County-wide settings an admin changes in the browser (thresholds, the next 换届 date)."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
