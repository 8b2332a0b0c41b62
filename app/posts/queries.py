"""Reads of the posts area: scoped selects, occupancy, the month grid, worklists, and the
roster's placement filters (currently placed, post kind, rotation plan complete)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flask import url_for
from sqlalchemy import (
    Date,
    Float,
    Integer,
    Select,
    and_,
    case,
    cast,
    exists,
    extract,
    func,
    or_,
    select,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased, joinedload
from sqlalchemy.sql.functions import FunctionElement

from app.core import clock
from app.core.codes import PlacementState, PostKind
from app.core.paging import count
from app.core.scoping import restrict, scoped
from app.core.sections import WorkItem
from app.extensions import db
from app.posts.models import Batch, Placement, Post, RotationPlanItem
from app.posts.rules import MONTH_SLACK, effective_end
from app.roster.models import Candidate

DUE_DAYS = 14
# The roster's trial-post filters: placed now, and whether the rotation plan is complete.
PLACED = {"yes": "正在试岗", "no": "当前未试岗"}
PLAN = {"complete": "已完成轮岗计划", "incomplete": "未完成轮岗计划"}


# ---- lists ---------------------------------------------------------------------------------


def posts_of(user, township_id: int | None) -> Select:
    """A township's posts (every township's for a county user): by kind, open ones first."""
    stmt = scoped(Post, user).options(joinedload(Post.host_village), joinedload(Post.township))
    if township_id is not None:
        stmt = stmt.where(Post.township_id == township_id)
    kind_order = case({k.value: i for i, k in enumerate(PostKind)}, value=Post.kind, else_=9)
    return stmt.order_by(Post.township_id, kind_order, Post.is_active.desc(), Post.id)


def occupancy_on(post_ids: list[int], day: dt.date) -> dict[int, int]:
    """How many hold each post on ``day`` (one statement)."""
    if not post_ids:
        return {}
    stmt = (
        select(Placement.post_id, func.count())
        .where(
            Placement.post_id.in_(post_ids),
            Placement.start_on <= day,
            effective_end() >= day,
        )
        .group_by(Placement.post_id)
    )
    return dict(db.session.execute(stmt).all())


def placements_of_post(post: Post) -> list[Placement]:
    stmt = (
        select(Placement)
        .options(joinedload(Placement.candidate).joinedload(Candidate.village))
        .options(joinedload(Placement.batch))
        .where(Placement.post_id == post.id)
        .order_by(Placement.start_on.desc(), Placement.id.desc())
    )
    return list(db.session.scalars(stmt))


def placements_of_candidate(candidate_id: int) -> list[Placement]:
    stmt = (
        select(Placement)
        .options(joinedload(Placement.post), joinedload(Placement.batch))
        .options(joinedload(Placement.evaluated_by))
        .where(Placement.candidate_id == candidate_id)
        .order_by(Placement.start_on.desc(), Placement.id.desc())
    )
    return list(db.session.scalars(stmt))


def placements_of_batch(batch: Batch) -> list[Placement]:
    stmt = (
        select(Placement)
        .options(joinedload(Placement.candidate).joinedload(Candidate.village))
        .options(joinedload(Placement.post))
        .where(Placement.batch_id == batch.id)
        .order_by(Placement.start_on, Placement.id)
    )
    return list(db.session.scalars(stmt))


def batches_of(user, township_id: int | None) -> Select:
    stmt = scoped(Batch, user).options(joinedload(Batch.township))
    if township_id is not None:
        stmt = stmt.where(Batch.township_id == township_id)
    return stmt.order_by(Batch.start_on.desc(), Batch.id.desc())


def batch_counts(batch_ids: list[int], today: dt.date) -> dict[int, dict[str, int]]:
    """Placements per batch and state (one statement)."""
    if not batch_ids:
        return {}
    stmt = select(
        Placement.batch_id,
        Placement.start_on,
        Placement.end_on,
        Placement.ended_on,
        Placement.grade,
    ).where(Placement.batch_id.in_(batch_ids))
    counts: dict[int, dict[str, int]] = {
        bid: dict.fromkeys(tuple(PlacementState), 0) for bid in batch_ids
    }
    for batch_id, start_on, end_on, ended_on, grade in db.session.execute(stmt):
        state = Placement(start_on=start_on, end_on=end_on, ended_on=ended_on, grade=grade).state(
            today
        )
        counts[batch_id][state] += 1
    return counts


def plan_items(user, township_id: int) -> list[RotationPlanItem]:
    stmt = (
        scoped(RotationPlanItem, user)
        .where(RotationPlanItem.township_id == township_id)
        .order_by(RotationPlanItem.direction, RotationPlanItem.id)
    )
    return list(db.session.scalars(stmt))


def requirements_for(township_id: int, direction: str) -> list[tuple[str, int]]:
    """(post kind, minimum months) of a township's plan for one 培养方向, in kind order."""
    stmt = select(RotationPlanItem.kind, RotationPlanItem.min_months).where(
        RotationPlanItem.township_id == township_id, RotationPlanItem.direction == direction
    )
    found = dict(db.session.execute(stmt).all())
    return [(k.value, found[k.value]) for k in PostKind if k.value in found]


# ---- the month grid of a post --------------------------------------------------------------


def month_start(day: dt.date, shift: int = 0) -> dt.date:
    index = day.year * 12 + day.month - 1 + shift
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass
class GridCell:
    css: str = ""
    text: str = ""
    title: str = ""


@dataclass
class GridRow:
    placement: Placement
    cells: list[GridCell] = field(default_factory=list)


@dataclass
class MonthGrid:
    months: list[dt.date]
    rows: list[GridRow]
    peak: list[int]  # the most people on the post on any day of each month
    capacity: int

    @property
    def first(self) -> dt.date:
        return self.months[0]


def month_grid(post: Post, placements: list[Placement], first: dt.date, today: dt.date):
    """Twelve months from ``first``: who held the post in which month, and the peak per month."""
    months = [month_start(first, i) for i in range(12)]
    ends = [month_start(first, i + 1) - dt.timedelta(days=1) for i in range(12)]
    rows = []
    for placement in sorted(placements, key=lambda p: (p.start_on, p.id)):
        last = placement.effective_end
        if placement.start_on > ends[-1] or last < months[0]:
            continue
        row = GridRow(placement)
        css = f"table-{placement.state_colour(today)}"
        for begin, end in zip(months, ends, strict=True):
            if placement.start_on > end or last < begin:
                row.cells.append(GridCell())
                continue
            lo, hi = max(placement.start_on, begin), min(last, end)
            if lo == begin and hi == end:
                text = "全月"
            elif lo == begin:
                text = f"至{hi.day}日"
            elif hi == end:
                text = f"{lo.day}日起"
            else:
                text = f"{lo.day}–{hi.day}日"
            row.cells.append(
                GridCell(
                    css=css,
                    text=text,
                    title=f"{placement.candidate.name} {lo:%Y-%m-%d} 至 {hi:%Y-%m-%d}",
                )
            )
        rows.append(row)
    peak = []
    for begin, end in zip(months, ends, strict=True):
        changes: dict[dt.date, int] = {}
        for p in placements:
            lo, hi = max(p.start_on, begin), min(p.effective_end, end)
            if lo <= hi:
                changes[lo] = changes.get(lo, 0) + 1
                changes[hi + dt.timedelta(days=1)] = changes.get(hi + dt.timedelta(days=1), 0) - 1
        holding = best = 0
        for day in sorted(changes):
            holding += changes[day]
            best = max(best, holding)
        peak.append(best)
    return MonthGrid(months=months, rows=rows, peak=peak, capacity=post.capacity)


# ---- worklists -----------------------------------------------------------------------------


def _worklist(user, limit: int, stmt: Select, detail) -> tuple[int, list[WorkItem]]:
    total = count(stmt)
    rows = db.session.scalars(
        stmt.options(joinedload(Placement.candidate), joinedload(Placement.post))
        .order_by(Placement.end_on, Placement.id)
        .limit(limit)
    )
    items = [
        WorkItem(
            title=p.candidate.name,
            detail=detail(p),
            url=url_for("posts.placement", placement_id=p.id, _anchor="ending"),
            due_on=p.end_on,
        )
        for p in rows
    ]
    return total, items


def due_to_end(user, today: dt.date, days: int = DUE_DAYS) -> Select:
    """Placements running now whose planned end falls within ``days`` days, not yet evaluated."""
    return scoped(Placement, user).where(
        Placement.ended_on.is_(None),
        Placement.grade.is_(None),
        Placement.start_on <= today,
        Placement.end_on >= today,
        Placement.end_on <= today + dt.timedelta(days=days),
    )


def awaiting_evaluation(user, today: dt.date) -> Select:
    """Placements whose planned end has passed with no evaluation (and not cut short)."""
    return scoped(Placement, user).where(
        Placement.ended_on.is_(None),
        Placement.grade.is_(None),
        Placement.end_on < today,
    )


def due_worklist(user, limit: int):
    today = clock.today()
    return _worklist(
        user,
        limit,
        due_to_end(user, today),
        lambda p: (
            f"{p.post.name} · {p.end_on:%m-%d} 结束，{(p.end_on - today).days} 天后"
            "，请准备心得体会和评价"
        ),
    )


def unevaluated_worklist(user, limit: int):
    today = clock.today()
    return _worklist(
        user,
        limit,
        awaiting_evaluation(user, today),
        lambda p: f"{p.post.name} · {p.end_on:%Y-%m-%d} 已结束，待记录评价",
    )


# ---- the roster's filters ------------------------------------------------------------------


class day_after(FunctionElement):  # noqa: N801 — reads as the SQL function it renders
    """The day after a date, in SQL."""

    type = Date()
    inherit_cache = True


@compiles(day_after, "sqlite")
def _day_after_sqlite(element, compiler, **kw):
    return f"date({compiler.process(element.clauses, **kw)}, '+1 day')"


@compiles(day_after)
def _day_after_default(element, compiler, **kw):
    return f"({compiler.process(element.clauses, **kw)} + 1)"


def _months_sql():
    """``rules.months_between(start_on, end_on)`` in SQL."""
    after = day_after(Placement.end_on)

    def part(name, value):
        return cast(extract(name, value), Integer)

    whole = (part("year", after) * 12 + part("month", after)) - (
        part("year", Placement.start_on) * 12 + part("month", Placement.start_on)
    )
    return whole + cast(part("day", after) - part("day", Placement.start_on), Float) / 30


def placed_ids(today: dt.date, kind: str | None = None) -> Select:
    """Ids of candidates holding a placement today (of this post kind, when given)."""
    stmt = select(Placement.candidate_id).where(
        Placement.start_on <= today, effective_end() >= today
    )
    if kind:
        stmt = stmt.join(Post, Post.id == Placement.post_id).where(Post.kind == kind)
    return stmt


def served_kind_ids(kind: str, today: dt.date) -> Select:
    """Ids of candidates who hold or have held a post of this kind (started by today)."""
    return (
        select(Placement.candidate_id)
        .join(Post, Post.id == Placement.post_id)
        .where(Post.kind == kind, Placement.start_on <= today)
    )


def _has_plan(candidate):
    return exists().where(
        RotationPlanItem.township_id == candidate.township_id,
        RotationPlanItem.direction == candidate.direction,
    )


def _plan_unmet(candidate, today: dt.date):
    item = aliased(RotationPlanItem)
    done = (
        select(func.coalesce(func.sum(_months_sql()), 0.0))
        .select_from(Placement)
        .join(Post, Post.id == Placement.post_id)
        .where(
            Placement.candidate_id == candidate.id,
            Post.kind == item.kind,
            Placement.ended_on.is_(None),
            Placement.end_on < today,
            or_(Placement.grade.is_(None), Placement.grade != "fail"),
        )
        .correlate(candidate, item)
        .scalar_subquery()
    )
    return (
        select(item.id)
        .where(
            item.township_id == candidate.township_id,
            item.direction == candidate.direction,
            done + MONTH_SLACK < item.min_months,
        )
        .correlate(candidate)
        .exists()
    )


def plan_complete_ids(today: dt.date) -> Select:
    """Ids of candidates who have completed their township's plan for their 培养方向.

    Only candidates with a counted placement can have: the subquery starts from those, so it
    stays small however large the roster is.
    """
    other = aliased(Candidate)
    counted = select(Placement.candidate_id).where(
        Placement.ended_on.is_(None), Placement.end_on < today
    )
    return select(other.id).where(
        other.id.in_(counted), _has_plan(other), ~_plan_unmet(other, today)
    )


def post_kind_of(raw: str | None) -> str:
    """The post kind a roster filter names by its key, label or short form ('' for none)."""
    found = PostKind.lookup(raw)
    return found.value if found else ""


def roster_clauses(values: dict[str, str], today: dt.date) -> list:
    """WHERE clauses on ``Candidate`` for the roster's three placement filters (``PLACED``,
    ``post_kind``, ``PLAN``; registered in ``app.posts.init_app``)."""
    placed, post_kind, plan = values["placed"], values["post_kind"], values["plan"]
    clauses = []
    if placed == "yes":
        clauses.append(Candidate.id.in_(placed_ids(today, post_kind or None)))
    elif placed == "no":
        clauses.append(Candidate.id.not_in(placed_ids(today)))
    if post_kind and placed != "yes":
        clauses.append(Candidate.id.in_(served_kind_ids(post_kind, today)))
    if plan == "complete":
        clauses.append(Candidate.id.in_(plan_complete_ids(today)))
    elif plan == "incomplete":
        clauses.append(and_(_has_plan(Candidate), Candidate.id.not_in(plan_complete_ids(today))))
    return clauses


def scoped_placement(user):
    return restrict(
        select(Placement).options(
            joinedload(Placement.candidate).joinedload(Candidate.village),
            joinedload(Placement.post),
            joinedload(Placement.batch),
            joinedload(Placement.evaluated_by),
        ),
        Placement,
        user,
    )


def trained_rows(user, since: dt.date):
    """For the dashboard's pipeline: (candidate, township, year) of each trial post begun."""
    from app.core.db import year_of

    return restrict(
        select(
            Placement.candidate_id.label("candidate_id"),
            Placement.township_id.label("township_id"),
            year_of(Placement.start_on).label("year"),
        ).where(Placement.start_on >= since, Placement.start_on <= clock.today()),
        Placement,
        user,
    )
