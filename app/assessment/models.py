"""Inspections (考察), assessments (考核), dynamic notes (动态记录) and outcomes (使用/退出)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    and_,
    literal_column,
    text,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.core.codes import (
    AssessmentGrade,
    AssessmentKind,
    InspectionMethod,
    NoteKind,
    OutcomeKind,
    WithdrawalReason,
)
from app.core.db import CreatedMixin, TownshipMixin, UTCDateTime, VersionedMixin, utcnow
from app.extensions import db
from app.roster.models import Candidate


def _in_list(column: str, enum_cls) -> str:
    values = ", ".join(f"'{m.value}'" for m in enum_cls)
    return f"{column} IN ({values})"


# The five dimensions an assessment scores, as (column, label) — 德、能、勤、绩、廉.
DIMENSIONS = (
    ("score_de", "德"),
    ("score_neng", "能"),
    ("score_qin", "勤"),
    ("score_ji", "绩"),
    ("score_lian", "廉"),
)
# The 四诊 notes, as (column, short name, what it looks at).
DIAGNOSES = (
    ("note_village", "望", "村庄发展"),
    ("note_opinion", "闻", "群众口碑"),
    ("note_thinking", "问", "干部思路"),
    ("note_overall", "切", "总体脉络"),
)
# Grades that call for a secretary's attention (能上能下: continued training or withdrawal).
LOW_GRADES = (AssessmentGrade.basically_competent.value, AssessmentGrade.incompetent.value)
_LOW_SQL = "(" + ", ".join(f"'{grade}'" for grade in LOW_GRADES) + ")"


class Inspection(TownshipMixin, CreatedMixin, db.Model):
    """One inspection of a candidate (考察) by one method, with what was found."""

    __tablename__ = "inspections"
    __table_args__ = (
        CheckConstraint(_in_list("method", InspectionMethod), name="method_known"),
        Index("ix_inspections_candidate_on", "candidate_id", "inspected_on", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"))
    method: Mapped[str] = mapped_column(String(20))
    inspected_on: Mapped[dt.date] = mapped_column(Date)
    inspectors: Mapped[str] = mapped_column(String(200))
    findings: Mapped[str] = mapped_column(Text, default="")
    conclusion: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    candidate: Mapped[Candidate] = relationship()
    author: Mapped[User | None] = relationship()

    @property
    def method_label(self) -> str:
        return InspectionMethod.label_of(self.method)


class Assessment(VersionedMixin, TownshipMixin, CreatedMixin, db.Model):
    """平时考核 (a quarter, a month, a half year) or 年终考核 (a year): scores, grade, 四诊.

    ``period`` is the normalised name of the period ("2025年第3季度", "2025年度"); one
    assessment per candidate and period, so one 年终考核 per candidate and year.
    ``is_latest`` marks each candidate's most recent assessment (latest period), kept by the
    operations, so the review queue finds low latest grades with an index, not a window.
    """

    __tablename__ = "assessments"
    __table_args__ = (
        UniqueConstraint("candidate_id", "period"),
        CheckConstraint(_in_list("kind", AssessmentKind), name="kind_known"),
        CheckConstraint(_in_list("grade", AssessmentGrade), name="grade_known"),
        CheckConstraint("period_start <= period_end", name="period_ordered"),
        *(
            CheckConstraint(f"{column} BETWEEN 0 AND 100", name=f"{column}_range")
            for column, _ in DIMENSIONS
        ),
        Index("ix_assessments_candidate_assessed", "candidate_id", "assessed_on"),
        # The review queue's "latest grade is low" in a tiny partial index; its query spells
        # the same condition (``low_latest``) so that both backends can use it.
        Index(
            "ix_assessments_low_latest",
            "candidate_id",
            sqlite_where=text(f"is_latest = 1 AND grade IN {_LOW_SQL}"),
            postgresql_where=text(f"is_latest AND grade IN {_LOW_SQL}"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"))
    kind: Mapped[str] = mapped_column(String(10))
    period: Mapped[str] = mapped_column(String(20))
    year: Mapped[int] = mapped_column(Integer)
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    assessed_on: Mapped[dt.date] = mapped_column(Date)
    score_de: Mapped[int] = mapped_column(SmallInteger)
    score_neng: Mapped[int] = mapped_column(SmallInteger)
    score_qin: Mapped[int] = mapped_column(SmallInteger)
    score_ji: Mapped[int] = mapped_column(SmallInteger)
    score_lian: Mapped[int] = mapped_column(SmallInteger)
    grade: Mapped[str] = mapped_column(String(20))
    note_village: Mapped[str] = mapped_column(Text, default="")
    note_opinion: Mapped[str] = mapped_column(Text, default="")
    note_thinking: Mapped[str] = mapped_column(Text, default="")
    note_overall: Mapped[str] = mapped_column(Text, default="")
    is_latest: Mapped[bool] = mapped_column(Boolean, default=False)
    assessor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_dt: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    candidate: Mapped[Candidate] = relationship()
    assessor: Mapped[User | None] = relationship()

    @classmethod
    def low_latest(cls):
        """Latest and 基本称职/不称职, written as ``ix_assessments_low_latest``'s condition
        (literal values: a partial index is used only when the query says the same)."""
        return and_(cls.is_latest == true(), cls.grade.op("IN")(literal_column(_LOW_SQL)))

    @property
    def kind_label(self) -> str:
        return AssessmentKind.label_of(self.kind)

    @property
    def grade_label(self) -> str:
        return AssessmentGrade.label_of(self.grade)

    @property
    def scores(self) -> list[tuple[str, int]]:
        return [(label, getattr(self, column)) for column, label in DIMENSIONS]

    @property
    def total(self) -> int:
        return sum(getattr(self, column) for column, _ in DIMENSIONS)

    @property
    def average(self) -> float:
        return self.total / len(DIMENSIONS)

    @property
    def is_low(self) -> bool:
        return self.grade in LOW_GRADES

    @property
    def has_diagnoses(self) -> bool:
        return any(getattr(self, column) for column, _, _ in DIAGNOSES)

    @property
    def diagnoses(self) -> list[tuple[str, str, str]]:
        return [(short, what, getattr(self, column)) for column, short, what in DIAGNOSES]


class DynamicNote(TownshipMixin, CreatedMixin, db.Model):
    """A dated, attributed note on a candidate's 思想动态, 去向 or 就业."""

    __tablename__ = "dynamic_notes"
    __table_args__ = (
        CheckConstraint(_in_list("kind", NoteKind), name="kind_known"),
        Index("ix_dynamic_notes_candidate_on", "candidate_id", "noted_on", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"))
    kind: Mapped[str] = mapped_column(String(20))
    noted_on: Mapped[dt.date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    candidate: Mapped[Candidate] = relationship()
    author: Mapped[User | None] = relationship()

    @property
    def kind_label(self) -> str:
        return NoteKind.label_of(self.kind)


class Outcome(TownshipMixin, CreatedMixin, db.Model):
    """How a candidate left the pool (用): used for a seat or unit, or withdrawn with a reason.

    A withdrawn candidate restored to the pool (能上能下) keeps its outcome row, with the
    restoring date, reason and person filled in: the dossier shows both.
    """

    __tablename__ = "outcomes"
    __table_args__ = (
        CheckConstraint("kind IN ('used', 'withdrawn')", name="kind_known"),
        CheckConstraint(
            # IS NOT NULL spelled out: a NULL IN (...) is unknown, and unknown passes a CHECK.
            "(kind = 'used' AND outcome IS NOT NULL AND reason IS NULL"
            f" AND {_in_list('outcome', OutcomeKind)})"
            " OR (kind = 'withdrawn' AND reason IS NOT NULL AND outcome IS NULL"
            f" AND {_in_list('reason', WithdrawalReason)})",
            name="kind_detail",
        ),
        CheckConstraint("kind = 'withdrawn' OR restored_on IS NULL", name="restore_withdrawn"),
        Index("ix_outcomes_candidate", "candidate_id", "decided_on", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"))
    kind: Mapped[str] = mapped_column(String(10))  # the status it led to: used | withdrawn
    outcome: Mapped[str | None] = mapped_column(String(30))  # OutcomeKind, when used
    reason: Mapped[str | None] = mapped_column(String(30))  # WithdrawalReason, when withdrawn
    place: Mapped[str] = mapped_column(String(100), default="")  # the village or unit
    decided_on: Mapped[dt.date] = mapped_column(Date)
    detail: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    restored_on: Mapped[dt.date | None] = mapped_column(Date)
    restore_reason: Mapped[str] = mapped_column(Text, default="")
    restored_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    candidate: Mapped[Candidate] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    restored_by: Mapped[User | None] = relationship(foreign_keys=[restored_by_id])

    @property
    def is_used(self) -> bool:
        return self.kind == "used"

    @property
    def label(self) -> str:
        if self.is_used:
            return OutcomeKind.label_of(self.outcome)
        return f"退出：{WithdrawalReason.label_of(self.reason)}"

    @property
    def outcome_label(self) -> str:
        return OutcomeKind.label_of(self.outcome)

    @property
    def reason_label(self) -> str:
        return WithdrawalReason.label_of(self.reason)
