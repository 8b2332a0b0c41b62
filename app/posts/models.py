"""Trial posts (试岗岗位), batches (批次), placements (试岗安排) and rotation plans (轮岗计划)."""

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
from app.core.codes import Direction, PlacementGrade, PlacementState, PostKind
from app.core.db import CreatedMixin, TownshipMixin, UTCDateTime, VersionedMixin, utcnow
from app.extensions import db
from app.places.models import Township, Village
from app.roster.models import Candidate


def _in_list(column: str, enum_cls) -> str:
    values = ", ".join(f"'{m.value}'" for m in enum_cls)
    return f"{column} IN ({values})"


class Post(VersionedMixin, TownshipMixin, CreatedMixin, db.Model):
    """A post a township places candidates on: a window, another village, a leader, a front."""

    __tablename__ = "posts"
    __table_args__ = (
        CheckConstraint(_in_list("kind", PostKind), name="kind_known"),
        CheckConstraint("capacity >= 1", name="capacity_positive"),
        UniqueConstraint("township_id", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(60))
    host: Mapped[str] = mapped_column(String(100), default="")
    # For 跨村任职: the village whose committee the candidate serves in (same township).
    host_village_id: Mapped[int | None] = mapped_column(ForeignKey("villages.id"), index=True)
    supervisor: Mapped[str] = mapped_column(String(60), default="")  # 带岗人
    duties: Mapped[str] = mapped_column(Text, default="")
    capacity: Mapped[int] = mapped_column(Integer, default=1)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    township: Mapped[Township] = relationship()
    host_village: Mapped[Village | None] = relationship()

    @property
    def kind_label(self) -> str:
        return PostKind.label_of(self.kind)

    def __repr__(self) -> str:
        return f"<Post {self.id} {self.name}>"


class Batch(VersionedMixin, TownshipMixin, CreatedMixin, db.Model):
    """A named group of placements with a date range (e.g. 2024年第二批跨村任职)."""

    __tablename__ = "batches"
    __table_args__ = (
        CheckConstraint("end_on >= start_on", name="dates_ordered"),
        UniqueConstraint("township_id", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    start_on: Mapped[dt.date] = mapped_column(Date)
    end_on: Mapped[dt.date] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="")

    township: Mapped[Township] = relationship()

    def __repr__(self) -> str:
        return f"<Batch {self.id} {self.name}>"


class Placement(VersionedMixin, TownshipMixin, CreatedMixin, db.Model):
    """A candidate on a post for a period: goal before, report and evaluation after."""

    __tablename__ = "placements"
    __table_args__ = (
        CheckConstraint("end_on >= start_on", name="dates_ordered"),
        CheckConstraint(
            "ended_on IS NULL OR (ended_on >= start_on AND ended_on < end_on)", name="cut_within"
        ),
        CheckConstraint(
            "grade IS NULL OR " + _in_list("grade", PlacementGrade), name="grade_known"
        ),
        # The overlap and capacity checks look up a candidate's and a post's placements by date;
        # the worklists walk a township's placements by planned end.
        Index("ix_placements_candidate_dates", "candidate_id", "start_on"),
        Index("ix_placements_post_dates", "post_id", "start_on"),
        Index("ix_placements_township_end", "township_id", "end_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"))
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id"))
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("batches.id"), index=True)
    start_on: Mapped[dt.date] = mapped_column(Date)
    end_on: Mapped[dt.date] = mapped_column(Date)  # the planned end
    goal: Mapped[str] = mapped_column(Text, default="")  # 学习交流目标
    ended_on: Mapped[dt.date | None] = mapped_column(Date)  # the actual end, when cut short
    cut_reason: Mapped[str] = mapped_column(Text, default="")
    report: Mapped[str] = mapped_column(Text, default="")  # 心得体会
    grade: Mapped[str | None] = mapped_column(String(20))
    evaluation: Mapped[str] = mapped_column(Text, default="")
    evaluated_on: Mapped[dt.date | None] = mapped_column(Date)
    evaluated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_dt: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    candidate: Mapped[Candidate] = relationship()
    post: Mapped[Post] = relationship()
    batch: Mapped[Batch | None] = relationship()
    evaluated_by: Mapped[User | None] = relationship(foreign_keys=[evaluated_by_id])

    @property
    def effective_end(self) -> dt.date:
        return self.ended_on or self.end_on

    def state(self, today: dt.date) -> str:
        if self.ended_on is not None:
            return PlacementState.cut_short
        if self.grade:
            return PlacementState.evaluated
        if today < self.start_on:
            return PlacementState.planned
        if today <= self.end_on:
            return PlacementState.active
        return PlacementState.finished

    def state_label(self, today: dt.date) -> str:
        return PlacementState.label_of(self.state(today))

    def state_colour(self, today: dt.date) -> str:
        return PlacementState.colour_of(self.state(today))

    def holds_on(self, day: dt.date) -> bool:
        return self.start_on <= day <= self.effective_end

    @property
    def grade_label(self) -> str:
        return PlacementGrade.label_of(self.grade)

    @property
    def grade_colour(self) -> str:
        return PlacementGrade.colour_of(self.grade)

    @property
    def period(self) -> str:
        return f"{self.start_on:%Y-%m-%d} 至 {self.effective_end:%Y-%m-%d}"

    def __repr__(self) -> str:
        return f"<Placement {self.id} c{self.candidate_id} p{self.post_id}>"


class RotationPlanItem(TownshipMixin, CreatedMixin, db.Model):
    """One line of a township's rotation plan: for this 培养方向, this post kind, so long."""

    __tablename__ = "rotation_plan_items"
    __table_args__ = (
        CheckConstraint(_in_list("direction", Direction), name="direction_known"),
        CheckConstraint(_in_list("kind", PostKind), name="kind_known"),
        CheckConstraint("min_months >= 1", name="months_positive"),
        UniqueConstraint("township_id", "direction", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    direction: Mapped[str] = mapped_column(String(30))
    kind: Mapped[str] = mapped_column(String(20))
    min_months: Mapped[int] = mapped_column(Integer)

    @property
    def kind_label(self) -> str:
        return PostKind.label_of(self.kind)
