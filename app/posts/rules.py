"""The rules of trial placements, in one place.

- A candidate holds at most one placement at a time: no two of its placements share a day
  (``[start_on, ended_on or end_on]``, both ends inclusive).
- A post holds at most its capacity on any day.
- A 跨村任职 placement is never in the candidate's own village.
- A placement ends on or after its start; it lies within its batch, on a post of the
  candidate's township; only candidates in the pool (or being inspected) are placed.

The checks read the database; the operations call them inside the writing transaction, after
``app.core.db.begin_write`` has serialised writers on the post and the candidate, so that two
clerks saving at once cannot both pass a check that only one of them may pass.

Months of a plan are counted by calendar: from ``start`` to the day after the end, whole
months by the calendar plus the remaining days over 30 (1 March - 31 May is 3 months). The SQL
behind the roster's plan filter (``app.posts.queries``) counts the same way.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.core.codes import PostKind, Status
from app.extensions import db
from app.posts.models import Batch, Placement, Post
from app.roster.models import Candidate

PLACEABLE = (Status.in_pool.value, Status.inspecting.value)
# Plan months are compared with this slack, so 1/3 + 2/3 of a month is a whole month.
MONTH_SLACK = 1e-6


def effective_end():
    """SQL for the last day a placement holds its post: the actual end when cut short."""
    return func.coalesce(Placement.ended_on, Placement.end_on)


@dataclass
class Draft:
    """A placement as it would be saved: the rows it hangs on and its dates."""

    candidate: Candidate
    post: Post
    start_on: dt.date
    end_on: dt.date
    batch: Batch | None = None
    placement_id: int | None = None  # the placement being changed, which clashes with nothing

    @property
    def is_new(self) -> bool:
        return self.placement_id is None


def _day(value: dt.date) -> str:
    return value.strftime("%Y-%m-%d")


def problems(draft: Draft, *, check_post_open: bool = True) -> dict[str, str]:
    """Field -> a Chinese message naming what clashes; empty when the placement may be saved."""
    errors: dict[str, str] = {}
    candidate, post = draft.candidate, draft.post
    if draft.end_on < draft.start_on:
        errors["end_on"] = (
            f"结束日期（{_day(draft.end_on)}）不能早于开始日期（{_day(draft.start_on)}），请核对"
        )
    if draft.is_new and candidate.status not in PLACEABLE:
        errors["candidate"] = (
            f"{candidate.name} 当前为“{candidate.status_label}”，"
            "只有“在库培养”或“考察中”的后备干部可以安排试岗"
        )
    if post.township_id != candidate.township_id:
        errors["post_id"] = f"只能安排到 {candidate.township.name} 的岗位，请另选岗位"
    elif check_post_open and not post.is_active:
        errors["post_id"] = f"岗位“{post.name}”已停用，不能再安排试岗，请另选岗位"
    elif post.kind == PostKind.cross_village and post.host_village_id == candidate.village_id:
        errors["post_id"] = (
            f"跨村任职应到其他村：“{post.name}”设在{candidate.village.name}，"
            f"正是 {candidate.name} 所在的村，请另选岗位"
        )
    batch = draft.batch
    if batch is not None:
        if batch.township_id != candidate.township_id:
            errors["batch_id"] = "只能选择本乡镇的批次"
        elif draft.start_on < batch.start_on or draft.end_on > batch.end_on:
            errors["batch_id"] = (
                f"试岗日期应在批次“{batch.name}”的起止日期"
                f"（{_day(batch.start_on)} 至 {_day(batch.end_on)}）之内，请调整日期或另选批次"
            )
    if "end_on" in errors:
        return errors  # no period to compare with others
    clash = overlap(draft.candidate.id, draft.start_on, draft.end_on, draft.placement_id)
    if clash is not None:
        errors.setdefault("candidate", overlap_message(candidate, clash))
    if "post_id" not in errors:
        full = capacity_clash(post, draft.start_on, draft.end_on, draft.placement_id)
        if full is not None:
            day, count = full
            errors["post_id"] = (
                f"{post.name} 在 {_day(day)} 已有 {count} 人，容量为 {post.capacity}，"
                "请调整日期或另选岗位"
            )
    return errors


def overlap(
    candidate_id: int, start_on: dt.date, end_on: dt.date, placement_id: int | None = None
) -> Placement | None:
    """The candidate's first placement sharing a day with ``[start_on, end_on]``, if any."""
    stmt = (
        select(Placement)
        .options(joinedload(Placement.post))
        .where(
            Placement.candidate_id == candidate_id,
            Placement.start_on <= end_on,
            effective_end() >= start_on,
        )
        .order_by(Placement.start_on)
    )
    if placement_id is not None:
        stmt = stmt.where(Placement.id != placement_id)
    return db.session.scalars(stmt).first()


def overlap_message(candidate: Candidate, clash: Placement) -> str:
    return (
        f"{candidate.name} 在 {clash.period} 已安排在 {clash.post.name}，"
        "同一时间只能安排一个试岗岗位，请调整日期"
    )


def capacity_clash(
    post: Post, start_on: dt.date, end_on: dt.date, placement_id: int | None = None
) -> tuple[dt.date, int] | None:
    """The first day of ``[start_on, end_on]`` on which the post is already full, and how many
    hold it that day; None when one more fits on every day."""
    stmt = select(Placement.start_on, effective_end()).where(
        Placement.post_id == post.id,
        Placement.start_on <= end_on,
        effective_end() >= start_on,
    )
    if placement_id is not None:
        stmt = stmt.where(Placement.id != placement_id)
    changes: dict[dt.date, int] = {}
    for first, last in db.session.execute(stmt):
        first, last = max(first, start_on), min(last, end_on)
        changes[first] = changes.get(first, 0) + 1
        after = last + dt.timedelta(days=1)
        changes[after] = changes.get(after, 0) - 1
    holding = 0
    for day in sorted(changes):
        holding += changes[day]
        if holding >= post.capacity and day <= end_on:
            return day, holding
    return None


def busiest_from(post: Post, since: dt.date) -> tuple[dt.date, int] | None:
    """The first day from ``since`` on with the most people on the post (for a capacity cut)."""
    stmt = select(Placement.start_on, effective_end()).where(
        Placement.post_id == post.id, effective_end() >= since
    )
    changes: dict[dt.date, int] = {}
    for first, last in db.session.execute(stmt):
        first = max(first, since)
        changes[first] = changes.get(first, 0) + 1
        after = last + dt.timedelta(days=1)
        changes[after] = changes.get(after, 0) - 1
    holding, best = 0, None
    for day in sorted(changes):
        holding += changes[day]
        if best is None or holding > best[1]:
            best = (day, holding)
    return best if best and best[1] > 0 else None


# ---- plan months ---------------------------------------------------------------------------


def months_between(start_on: dt.date, last_day: dt.date) -> float:
    """Calendar months from ``start_on`` to ``last_day`` inclusive (see the module's note)."""
    after = last_day + dt.timedelta(days=1)
    whole = (after.year - start_on.year) * 12 + (after.month - start_on.month)
    return whole + (after.day - start_on.day) / 30


def counts_for_plan(placement: Placement, today: dt.date) -> bool:
    """A placement counts towards a rotation plan once it has run its full course (its planned
    end is past), unless it was cut short or evaluated 不合格."""
    return placement.ended_on is None and placement.end_on < today and placement.grade != "fail"


@dataclass
class PlanLine:
    kind: str
    min_months: int
    done_months: float

    @property
    def kind_label(self) -> str:
        return PostKind.label_of(self.kind)

    @property
    def complete(self) -> bool:
        return self.done_months + MONTH_SLACK >= self.min_months


def plan_progress(
    requirements: list[tuple[str, int]], placements: list[Placement], today: dt.date
) -> list[PlanLine]:
    done: dict[str, float] = {}
    for placement in placements:
        if counts_for_plan(placement, today):
            kind = placement.post.kind
            done[kind] = done.get(kind, 0.0) + months_between(placement.start_on, placement.end_on)
    return [PlanLine(kind, months, round(done.get(kind, 0.0), 4)) for kind, months in requirements]
