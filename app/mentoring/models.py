"""Mentors (帮带人), their pairings with candidates (结对帮带), the activities logged on each
pairing, and pairings of villages (村村结对: 强强联合 / 强弱联合)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.core.codes import (
    MentoringForm,
    MentorPosition,
    PairingState,
    VillagePairingKind,
    VillagePairingState,
)
from app.core.db import (
    CreatedMixin,
    TownshipMixin,
    UTCDateTime,
    VersionedMixin,
    sort_key_type,
    utcnow,
)
from app.extensions import db
from app.places.models import Township, Village
from app.roster.models import Candidate

DEFAULT_CAPACITY = 3
MAX_CAPACITY = 10
STALE_DAYS = 30


def _in_list(column: str, enum_cls) -> str:
    values = ", ".join(f"'{m.value}'" for m in enum_cls)
    return f"{column} IN ({values})"


class Mentor(VersionedMixin, TownshipMixin, CreatedMixin, db.Model):
    """An experienced cadre who mentors candidates; need not be a candidate."""

    __tablename__ = "mentors"
    __table_args__ = (
        CheckConstraint(_in_list("position", MentorPosition), name="position_known"),
        CheckConstraint(f"capacity BETWEEN 1 AND {MAX_CAPACITY}", name="capacity_range"),
        Index("ix_mentors_township_sort", "township_id", "is_deleted", "name_sort", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40))
    name_sort: Mapped[str] = mapped_column(sort_key_type(160), default="")
    position: Mapped[str] = mapped_column(String(30))
    unit: Mapped[str] = mapped_column(String(100), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")
    capacity: Mapped[int] = mapped_column(Integer, default=DEFAULT_CAPACITY)
    notes: Mapped[str] = mapped_column(Text, default="")
    is_deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    township: Mapped[Township] = relationship()
    created_by: Mapped[User | None] = relationship()

    @property
    def position_label(self) -> str:
        return MentorPosition.label_of(self.position)

    @property
    def label(self) -> str:
        return f"{self.name}（{self.position_label}）"

    def __repr__(self) -> str:
        return f"<Mentor {self.id} {self.name}>"


class Pairing(VersionedMixin, TownshipMixin, CreatedMixin, db.Model):
    """A mentor and a candidate paired for a period (结对帮带); belongs to the candidate's
    township. It ends with the mentor's evaluation and the candidate's summary."""

    __tablename__ = "mentor_pairings"
    __table_args__ = (
        CheckConstraint("end_on >= start_on", name="period_order"),
        CheckConstraint(
            "ended_on IS NULL OR (ended_on >= start_on AND ended_on <= end_on)",
            name="ended_within_period",
        ),
        Index("ix_mentor_pairings_mentor_period", "mentor_id", "start_on", "end_on"),
        Index("ix_mentor_pairings_candidate", "candidate_id", "start_on"),
        Index("ix_mentor_pairings_open", "township_id", "ended_on", "last_activity_on"),
        # The dashboard's overdue pairings (open, past their end) in end order: a walk that
        # stops at the first five (PostgreSQL hashed every candidate instead: 36 ms → 2).
        Index(
            "ix_mentor_pairings_open_end",
            "end_on",
            "id",
            sqlite_where=text("ended_on IS NULL"),
            postgresql_where=text("ended_on IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mentor_id: Mapped[int] = mapped_column(ForeignKey("mentors.id"))
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"))
    start_on: Mapped[dt.date] = mapped_column(Date)
    end_on: Mapped[dt.date] = mapped_column(Date)  # the planned end
    goals: Mapped[str] = mapped_column(Text, default="")
    ended_on: Mapped[dt.date | None] = mapped_column(Date)  # set when the pairing is closed
    mentor_evaluation: Mapped[str] = mapped_column(Text, default="")
    candidate_summary: Mapped[str] = mapped_column(Text, default="")
    # Kept by the activity operations: the stale list (帮带不实) reads it from an index.
    last_activity_on: Mapped[dt.date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_dt: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    mentor: Mapped[Mentor] = relationship()
    candidate: Mapped[Candidate] = relationship()
    activities: Mapped[list[MentoringActivity]] = relationship(
        back_populates="pairing",
        order_by="(MentoringActivity.held_on.desc(), MentoringActivity.id.desc())",
    )

    @property
    def until_on(self) -> dt.date:
        """The last day the pairing holds the mentor: its actual end, else the planned one."""
        return self.ended_on or self.end_on

    def state(self, today: dt.date) -> str:
        if self.ended_on is not None:
            return PairingState.ended
        if self.start_on > today:
            return PairingState.upcoming
        if self.end_on < today:
            return PairingState.overdue
        return PairingState.active

    def state_label(self, today: dt.date) -> str:
        return PairingState.label_of(self.state(today))

    def state_colour(self, today: dt.date) -> str:
        return PairingState.colour_of(self.state(today))

    def is_stale(self, today: dt.date) -> bool:
        if self.state(today) != "active":
            return False
        cutoff = today - dt.timedelta(days=STALE_DAYS)
        return (self.last_activity_on or self.start_on) < cutoff

    def __repr__(self) -> str:
        return f"<Pairing {self.id} mentor={self.mentor_id} candidate={self.candidate_id}>"


def until_expr():
    """SQL for ``Pairing.until_on``."""
    return func.coalesce(Pairing.ended_on, Pairing.end_on)


class MentoringActivity(TownshipMixin, CreatedMixin, db.Model):
    """One mentoring activity on a pairing: when, in what form, what, how long."""

    __tablename__ = "mentoring_activities"
    __table_args__ = (
        CheckConstraint(_in_list("form", MentoringForm), name="form_known"),
        CheckConstraint("hours >= 0.5 AND hours <= 24", name="hours_range"),
        Index("ix_mentoring_activities_pairing", "pairing_id", "held_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pairing_id: Mapped[int] = mapped_column(ForeignKey("mentor_pairings.id"))
    held_on: Mapped[dt.date] = mapped_column(Date)
    form: Mapped[str] = mapped_column(String(30))
    content: Mapped[str] = mapped_column(Text)
    hours: Mapped[float] = mapped_column(Float)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    pairing: Mapped[Pairing] = relationship(back_populates="activities")
    created_by: Mapped[User | None] = relationship()

    @property
    def form_label(self) -> str:
        return MentoringForm.label_of(self.form)

    @property
    def hours_text(self) -> str:
        return f"{self.hours:g}"


class VillagePairing(VersionedMixin, TownshipMixin, CreatedMixin, db.Model):
    """Two villages paired for a period with a purpose (强强联合 / 强弱联合).

    ``township_id`` is the first village's township and ``partner_township_id`` the second's;
    both townships see the pair. Pairs across townships are made by county-level users.
    """

    __tablename__ = "village_pairings"
    __table_args__ = (
        CheckConstraint(_in_list("kind", VillagePairingKind), name="kind_known"),
        CheckConstraint("village_a_id <> village_b_id", name="two_villages"),
        CheckConstraint("end_on >= start_on", name="period_order"),
        Index("ix_village_pairings_a", "village_a_id", "start_on"),
        Index("ix_village_pairings_b", "village_b_id", "start_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_township_id: Mapped[int] = mapped_column(ForeignKey("townships.id"), index=True)
    village_a_id: Mapped[int] = mapped_column(ForeignKey("villages.id"))
    village_b_id: Mapped[int] = mapped_column(ForeignKey("villages.id"))
    kind: Mapped[str] = mapped_column(String(20))
    start_on: Mapped[dt.date] = mapped_column(Date)
    end_on: Mapped[dt.date] = mapped_column(Date)
    purpose: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    village_a: Mapped[Village] = relationship(foreign_keys=[village_a_id])
    village_b: Mapped[Village] = relationship(foreign_keys=[village_b_id])

    @property
    def kind_label(self) -> str:
        return VillagePairingKind.label_of(self.kind)

    def partner_of(self, village_id: int) -> Village:
        return self.village_b if village_id == self.village_a_id else self.village_a

    def state(self, today: dt.date) -> str:
        if self.start_on > today:
            return VillagePairingState.upcoming
        if self.end_on < today:
            return VillagePairingState.ended
        return VillagePairingState.active

    def state_label(self, today: dt.date) -> str:
        return VillagePairingState.label_of(self.state(today))
