"""Reads of the area: a candidate's records, the evidence of a period, the worklists.

A candidate's records are read after the candidate itself came from ``scoped`` (so they are in
the user's scope); worklists start from ``scoped(Candidate, user)``.
"""

from __future__ import annotations

import datetime as dt

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.assessment.models import LOW_GRADES, Assessment, DynamicNote, Inspection, Outcome
from app.core import clock
from app.core.codes import InspectionMethod, Status
from app.core.paging import count
from app.core.scoping import scoped
from app.core.sections import TimelineEvent, WorkItem, timeline_for
from app.extensions import db
from app.roster.models import Candidate

# The inspections a nomination should have before a secretary approves it into the pool.
REQUIRED_METHODS = (
    InspectionMethod.opinion_poll,
    InspectionMethod.interview,
    InspectionMethod.field_visit,
)
# Statuses for which the missing inspections are pointed out.
BEFORE_APPROVAL = (Status.nominated.value, Status.inspecting.value, Status.returned.value)
# The timeline's kinds in the order the evidence beside an assessment shows them.
EVIDENCE_ORDER = ("试岗", "帮带", "培训", "考察", "考核", "动态")
ASSESSMENT_KIND = "考核"  # the timeline kind of this area's assessments


def inspections_of(candidate: Candidate) -> list[Inspection]:
    stmt = (
        select(Inspection)
        .where(Inspection.candidate_id == candidate.id)
        .options(joinedload(Inspection.author))
        .order_by(Inspection.inspected_on.desc(), Inspection.id.desc())
    )
    return list(db.session.scalars(stmt))


def lacking_methods(done: list[str] | set[str]) -> list[InspectionMethod]:
    """The required inspection methods not among ``done`` (method values)."""
    return [method for method in REQUIRED_METHODS if method.value not in set(done)]


def lacking_for(candidate: Candidate) -> list[InspectionMethod]:
    """What a candidate still lacks before approval; empty once it has left that stage."""
    if candidate.status not in BEFORE_APPROVAL:
        return []
    done = db.session.scalars(
        select(Inspection.method).where(Inspection.candidate_id == candidate.id).distinct()
    )
    return lacking_methods(set(done))


def assessments_of(candidate: Candidate) -> list[Assessment]:
    """Oldest period first (the order of the trend chart)."""
    stmt = (
        select(Assessment)
        .where(Assessment.candidate_id == candidate.id)
        .options(joinedload(Assessment.assessor))
        .order_by(Assessment.period_end, Assessment.period_start.desc(), Assessment.id)
    )
    return list(db.session.scalars(stmt))


def notes_of(candidate: Candidate) -> list[DynamicNote]:
    stmt = (
        select(DynamicNote)
        .where(DynamicNote.candidate_id == candidate.id)
        .options(joinedload(DynamicNote.author))
        .order_by(DynamicNote.noted_on.desc(), DynamicNote.id.desc())
    )
    return list(db.session.scalars(stmt))


def outcomes_of(candidate: Candidate) -> list[Outcome]:
    stmt = (
        select(Outcome)
        .where(Outcome.candidate_id == candidate.id)
        .options(joinedload(Outcome.author), joinedload(Outcome.restored_by))
        .order_by(Outcome.decided_on.desc(), Outcome.id.desc())
    )
    return list(db.session.scalars(stmt))


def open_withdrawal(candidate: Candidate) -> Outcome | None:
    """The withdrawal that keeps the candidate out of the pool now (not yet restored)."""
    stmt = (
        select(Outcome)
        .where(
            Outcome.candidate_id == candidate.id,
            Outcome.kind == "withdrawn",
            Outcome.restored_on.is_(None),
        )
        .order_by(Outcome.decided_on.desc(), Outcome.id.desc())
    )
    return db.session.scalars(stmt).first()


def assessment_of_period(candidate: Candidate, period: str, *, exclude_id: int | None = None):
    stmt = select(Assessment).where(
        Assessment.candidate_id == candidate.id, Assessment.period == period
    )
    if exclude_id is not None:
        stmt = stmt.where(Assessment.id != exclude_id)
    return db.session.scalars(stmt.options(joinedload(Assessment.assessor))).first()


def evidence(candidate: Candidate, user, start: dt.date, end: dt.date, *, exclude_id=None):
    """What the candidate's record holds for a period, grouped by kind: (kind, events).

    Every area registers its dated events on the timeline (placements and their evaluations,
    mentoring activities, training rounds, inspections…), so reading it here gives the evidence
    without importing those areas. Status changes are left out. Assessments are taken by the
    period they cover (a year's 平时考核), not by the day they were written (last year's 年终考核
    is written in January), and never the one being edited.
    """
    groups: dict[str, list[TimelineEvent]] = {}
    for event in timeline_for(candidate, user):
        if event.kind in ("状态", ASSESSMENT_KIND) or not start <= event.on <= end:
            continue
        groups.setdefault(event.kind, []).append(event)
    within = [
        a
        for a in reversed(assessments_of(candidate))
        if start <= a.period_start and a.period_end <= end and a.id != exclude_id
    ]
    if within:
        groups[ASSESSMENT_KIND] = [assessment_event(a) for a in within]

    def rank(kind: str) -> tuple[int, str]:
        return (EVIDENCE_ORDER.index(kind) if kind in EVIDENCE_ORDER else 99, kind)

    return [(kind, groups[kind]) for kind in sorted(groups, key=rank)]


def assessment_event(row: Assessment) -> TimelineEvent:
    return TimelineEvent(
        on=row.assessed_on,
        kind=ASSESSMENT_KIND,
        title=f"{row.period}{row.kind_label}：{row.grade_label}",
        detail=" · ".join(f"{label} {value}" for label, value in row.scores)
        + (f" · 考核人 {row.assessor.label}" if row.assessor else ""),
        sort_key=f"assessment#{row.id:012d}",
    )


# ---- worklists ---------------------------------------------------------------------------


def _years_before(day: dt.date, years: int = 1) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def low_latest_grades(user, limit: int):
    """In-pool candidates whose most recent assessment is 基本称职 or 不称职; worst first."""
    stmt = (
        scoped(Candidate, user)
        .join(Assessment, Assessment.candidate_id == Candidate.id)
        .where(Assessment.low_latest(), Candidate.status == Status.in_pool.value)
    )
    total = count(stmt)
    rows = db.session.execute(
        stmt.with_only_columns(Candidate, Assessment)
        .options(joinedload(Candidate.village))
        .order_by(
            (Assessment.grade == LOW_GRADES[1]).desc(),  # 不称职 before 基本称职
            Assessment.period_end.desc(),
            Candidate.id,
        )
        .limit(limit)
    ).all()
    items = [
        WorkItem(
            title=candidate.name,
            detail=(
                f"{candidate.village.name} · {assessment.period}{assessment.kind_label}："
                f"{assessment.grade_label}（{assessment.assessed_on:%Y-%m-%d}）"
            ),
            url=url_for("roster.detail", candidate_id=candidate.id, _anchor="outcome"),
            due_on=assessment.assessed_on,
        )
        for candidate, assessment in rows
    ]
    return total, items


def without_recent_assessment(user, limit: int, *, today: dt.date | None = None):
    """In-pool candidates, in the pool for 12 months or more, with no assessment in 12 months.

    Longest in the pool first; each item opens the new-assessment form. ``last_assessed_on``
    (kept by the operations) makes this a short range of ``ix_candidates_assessment_due``:
    the never assessed and those assessed before the cutoff.
    """
    today = today or clock.today()
    cutoff = _years_before(today)
    # Two ranges of ix_candidates_assessment_due, never assessed and assessed before the
    # cutoff: as one OR, both planners read every in-pool entry instead.
    never, long_ago = (
        scoped(Candidate, user)
        .with_only_columns(Candidate.id, Candidate.entered_on)
        .where(Candidate.status == Status.in_pool.value, when, Candidate.entered_on <= cutoff)
        for when in (Candidate.last_assessed_on.is_(None), Candidate.last_assessed_on <= cutoff)
    )
    # Every waiting (id, entry date), unordered, sorted here: with an ORDER BY … LIMIT,
    # PostgreSQL walks the entry-date index through the whole county instead (300 ms at
    # 200,000). The waiting are a few thousand at most, and their count is the total.
    waiting = db.session.execute(never.union_all(long_ago)).all()
    first = [row.id for row in sorted(waiting, key=lambda row: (row.entered_on, row.id))[:limit]]
    by_id = {
        c.id: c
        for c in db.session.scalars(
            select(Candidate).where(Candidate.id.in_(first)).options(joinedload(Candidate.village))
        )
    }
    candidates = [by_id[cid] for cid in first]
    total = len(waiting)
    items = [
        WorkItem(
            title=c.name,
            detail=(
                f"{c.village.name} · 入库 {c.entered_on:%Y-%m-%d} · "
                + (
                    f"上次考核 {c.last_assessed_on:%Y-%m-%d}"
                    if c.last_assessed_on
                    else "尚无考核记录"
                )
            ),
            url=url_for("assessment_records.new_assessment", candidate_id=c.id),
            due_on=c.last_assessed_on,
        )
        for c in candidates
    ]
    return total, items
