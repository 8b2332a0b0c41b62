"""Training cycles (循环培养): a programme runs rounds of 集中培训 followed by 回村实践 with a
practice assignment; candidates are enrolled, and each round's attendance and assignment
result is recorded per participant, then ranked for 评比展示."""

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
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.core.db import CreatedMixin, TownshipMixin, UTCDateTime, VersionedMixin, utcnow
from app.extensions import db
from app.places.models import Township
from app.roster.models import Candidate

MAX_TRAINING_DAYS = 10
TYPICAL_TRAINING_DAYS = (3, 5)


class Programme(VersionedMixin, CreatedMixin, db.Model):
    """培养计划, e.g. 雏雁工程. ``township_id`` None: a county programme (县级), run by county
    users, which every township sees and enrols its own candidates into."""

    __tablename__ = "training_programmes"
    __table_args__ = (CheckConstraint("end_on >= start_on", name="period_order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    township_id: Mapped[int | None] = mapped_column(ForeignKey("townships.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    target_group: Mapped[str] = mapped_column(String(200), default="")
    start_on: Mapped[dt.date] = mapped_column(Date)
    end_on: Mapped[dt.date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    township: Mapped[Township | None] = relationship()
    created_by: Mapped[User | None] = relationship()
    rounds: Mapped[list[Round]] = relationship(back_populates="programme", order_by="Round.number")

    @property
    def level_label(self) -> str:
        return "县级" if self.township_id is None else self.township.name

    def __repr__(self) -> str:
        return f"<Programme {self.id} {self.name}>"


class Round(VersionedMixin, CreatedMixin, db.Model):
    """One round: 集中培训 (a few days, a place, topics), then 回村实践 with an assignment."""

    __tablename__ = "training_rounds"
    __table_args__ = (
        UniqueConstraint("programme_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
        CheckConstraint("ends_on >= starts_on", name="period_order"),
        CheckConstraint("assignment_due_on >= ends_on", name="due_after_training"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("training_programmes.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date)
    place: Mapped[str] = mapped_column(String(200))
    topics: Mapped[str] = mapped_column(Text, default="")
    assignment_title: Mapped[str] = mapped_column(String(200))
    assignment_due_on: Mapped[dt.date] = mapped_column(Date)

    programme: Mapped[Programme] = relationship(back_populates="rounds")

    @property
    def title(self) -> str:
        return f"第{self.number}轮"

    @property
    def days(self) -> int:
        return (self.ends_on - self.starts_on).days + 1


class Enrolment(TownshipMixin, CreatedMixin, db.Model):
    """A candidate enrolled in a programme; belongs to the candidate's township."""

    __tablename__ = "training_enrolments"
    __table_args__ = (
        UniqueConstraint("programme_id", "candidate_id"),
        Index("ix_training_enrolments_programme_township", "programme_id", "township_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("training_programmes.id"))
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    programme: Mapped[Programme] = relationship()
    candidate: Mapped[Candidate] = relationship()


class RoundResult(TownshipMixin, db.Model):
    """A participant's round: attended the 集中培训? submitted the assignment? its score (0–100)
    and the reviewer's comment. None means not recorded yet."""

    __tablename__ = "training_results"
    __table_args__ = (
        UniqueConstraint("round_id", "enrolment_id"),
        CheckConstraint("score IS NULL OR (score >= 0 AND score <= 100)", name="score_range"),
        CheckConstraint("score IS NULL OR submitted IS TRUE", name="score_needs_submission"),
        Index("ix_training_results_round_score", "round_id", "township_id", "score"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("training_rounds.id"))
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("training_enrolments.id"), index=True)
    attended: Mapped[bool | None] = mapped_column(Boolean)
    submitted: Mapped[bool | None] = mapped_column(Boolean)
    score: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_dt: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    round: Mapped[Round] = relationship()
    enrolment: Mapped[Enrolment] = relationship()


def yes_no(value: bool | None, yes: str, no: str) -> str:
    if value is None:
        return "未登记"
    return yes if value else no
