"""Candidates (后备干部) and the history of their status."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.core.codes import (
    Direction,
    Education,
    Ethnicity,
    Gender,
    Political,
    Source,
    Status,
)
from app.core.db import CreatedMixin, TownshipMixin, UTCDateTime, sort_key_type, utcnow
from app.core.idcard import mask_id_number
from app.extensions import db
from app.places.models import Township, Village

ACTIVE_STATUSES = (Status.nominated, Status.inspecting, Status.in_pool, Status.returned)


def _in_list(column: str, enum_cls) -> str:
    values = ", ".join(f"'{m.value}'" for m in enum_cls)
    return f"{column} IN ({values})"


class Candidate(TownshipMixin, CreatedMixin, db.Model):
    __tablename__ = "candidates"
    __table_args__ = (
        CheckConstraint(_in_list("status", Status), name="status_known"),
        CheckConstraint("gender IN ('M', 'F')", name="gender_known"),
        # One live record per person in the county; a soft-deleted one frees the number.
        Index(
            "uq_candidates_id_number_live",
            "id_number",
            unique=True,
            sqlite_where=text("is_deleted = 0"),
            postgresql_where=text("NOT is_deleted"),
        ),
        # Every read filters ``is_deleted``, so it leads the indexes, and the roster's page
        # (ORDER BY pinyin LIMIT 50) walks a sort index and stops early. Low-cardinality
        # filters get no index of their own: they sit in one covering index that answers the
        # page's COUNT(*) without touching the table (see docs/benchmarks.md).
        Index("ix_candidates_live_sort", "is_deleted", "name_sort", "id"),
        Index("ix_candidates_township_sort", "township_id", "is_deleted", "name_sort", "id"),
        Index("ix_candidates_village_sort", "village_id", "name_sort", "id"),
        # Sorting by entry date, and the dashboard's entries per township and year.
        Index("ix_candidates_live_entered", "is_deleted", "entered_on", "township_id", "id"),
        Index(
            "ix_candidates_filters",
            "is_deleted",
            "status",
            "township_id",
            "village_id",
            "political",
            "education",
            "gender",
            "source",
            "birth_date",
            "direction",
        ),
        # The review queue's "no assessment in 12 months": a short index range, not an
        # anti-join of every in-pool candidate against the assessments.
        Index(
            "ix_candidates_assessment_due",
            "is_deleted",
            "status",
            "last_assessed_on",
            "entered_on",
            "township_id",
        ),
        Index("ix_candidates_name", "name", "is_deleted", "name_sort", "id"),
        Index("ix_candidates_pinyin", "name_pinyin"),
        Index("ix_candidates_initials", "name_initials"),
        Index("ix_candidates_id_reversed", "id_reversed"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id"))
    name: Mapped[str] = mapped_column(String(40))
    name_pinyin: Mapped[str] = mapped_column(sort_key_type(120))
    name_initials: Mapped[str] = mapped_column(sort_key_type(20))
    name_sort: Mapped[str] = mapped_column(sort_key_type(160))
    gender: Mapped[str] = mapped_column(String(1))
    ethnicity: Mapped[str] = mapped_column(String(2), default=Ethnicity.C01.value)
    birth_date: Mapped[dt.date] = mapped_column(Date)
    id_number: Mapped[str] = mapped_column(String(18))
    # The ID number reversed: a search by its last digits becomes an indexed prefix range.
    id_reversed: Mapped[str] = mapped_column(sort_key_type(18))
    political: Mapped[str] = mapped_column(String(2))
    education: Mapped[str] = mapped_column(String(30))
    major: Mapped[str] = mapped_column(String(60), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")
    source: Mapped[str] = mapped_column(String(30))
    occupation: Mapped[str] = mapped_column(String(100), default="")
    speciality: Mapped[str] = mapped_column(String(200), default="")
    direction: Mapped[str] = mapped_column(String(30))
    entered_on: Mapped[dt.date | None] = mapped_column(Date)
    # The latest ``assessed_on`` of the candidate's assessments, kept by the assessment area
    # (``refresh_latest``) with a plain UPDATE: it is not an edit of the record.
    last_assessed_on: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default=Status.nominated.value)
    notes: Mapped[str] = mapped_column(Text, default="")
    is_deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_dt: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    township: Mapped[Township] = relationship()
    village: Mapped[Village] = relationship()
    created_by: Mapped[User | None] = relationship()
    status_changes: Mapped[list[StatusChange]] = relationship(
        back_populates="candidate", order_by="StatusChange.id"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def masked_id(self) -> str:
        return mask_id_number(self.id_number)

    def age_on(self, today: dt.date) -> int:
        born = self.birth_date
        return today.year - born.year - ((today.month, today.day) < (born.month, born.day))

    @property
    def gender_label(self) -> str:
        return Gender.label_of(self.gender)

    @property
    def ethnicity_label(self) -> str:
        return Ethnicity.label_of(self.ethnicity)

    @property
    def political_label(self) -> str:
        return Political.label_of(self.political)

    @property
    def education_label(self) -> str:
        return Education.label_of(self.education)

    @property
    def source_label(self) -> str:
        return Source.label_of(self.source)

    @property
    def direction_label(self) -> str:
        return Direction.label_of(self.direction)

    @property
    def status_label(self) -> str:
        return Status.label_of(self.status)

    @property
    def status_colour(self) -> str:
        return Status.colour_of(self.status)

    def __repr__(self) -> str:
        return f"<Candidate {self.id} {self.name}>"


def display_value(candidate: Candidate, key: str) -> str:
    """A field of the record as a person reads it: labels, dates, the masked ID number."""
    if key == "village_id":
        return candidate.village.name
    if key == "id_number":
        return candidate.masked_id
    label = getattr(candidate, f"{key}_label", None)
    if label is not None:
        return label
    value = getattr(candidate, key)
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value)


class StatusChange(TownshipMixin, CreatedMixin, db.Model):
    """One step of a candidate's lifecycle: who moved it, when, from what to what, and why."""

    __tablename__ = "status_changes"
    # The dashboard's pipeline counts uses and withdrawals by year, and the median time in
    # the pool before use, from this index alone.
    __table_args__ = (
        Index(
            "ix_status_changes_outcome",
            "to_status",
            "created_dt",
            "township_id",
            "candidate_id",
            "pool_entered_on",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text, default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # When the candidate had entered the pool, as of this change: a use's time in the pool.
    pool_entered_on: Mapped[dt.date | None] = mapped_column(Date)

    candidate: Mapped[Candidate] = relationship(back_populates="status_changes")
    actor: Mapped[User | None] = relationship()

    @property
    def from_label(self) -> str:
        return Status.label_of(self.from_status) if self.from_status else "—"

    @property
    def to_label(self) -> str:
        return Status.label_of(self.to_status)


class CandidateTally(TownshipMixin, db.Model):
    """How many live candidates of a village have a status and one attribute value.

    The dashboard's county-wide counts (status, pool structure, coverage, 换届 seats, entries
    per year) add up these few thousand rows instead of grouping 200,000 candidates. Every
    ORM write of a candidate keeps them (``app.roster.tallies``, in the same flush and
    transaction); bulk paths call ``tallies.rebuild``. ``dimension`` is one of
    ``tallies.DIMENSIONS``; ``value`` its value as text ('' for ``all``, the year for
    ``entered``).
    """

    __tablename__ = "candidate_tallies"
    __table_args__ = (Index("ix_candidate_tallies_scope", "status", "dimension", "township_id"),)

    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id"), primary_key=True)
    status: Mapped[str] = mapped_column(String(20), primary_key=True)
    dimension: Mapped[str] = mapped_column(String(12), primary_key=True)
    value: Mapped[str] = mapped_column(String(30), primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)
