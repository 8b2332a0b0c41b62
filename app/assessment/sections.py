"""What the area adds to the candidate page, the dossier, the timeline and the worklists."""

from __future__ import annotations

from app.assessment.chart import trend_chart
from app.assessment.queries import (
    BEFORE_APPROVAL,
    REQUIRED_METHODS,
    assessment_event,
    assessments_of,
    inspections_of,
    lacking_methods,
    notes_of,
    outcomes_of,
)
from app.core.codes import Status
from app.core.scoping import DECIDERS
from app.core.sections import TimelineEvent


def _decides(user) -> bool:
    return getattr(user, "role", None) in DECIDERS


def load_inspections(candidate, user) -> dict:
    rows = inspections_of(candidate)
    before_approval = candidate.status in BEFORE_APPROVAL
    return {
        "rows": rows,
        "before_approval": before_approval,
        "lacking": lacking_methods({r.method for r in rows}) if before_approval else [],
        "required": REQUIRED_METHODS,
        "may_add": candidate.status not in (Status.used, Status.withdrawn),
    }


def load_assessments(candidate, user) -> dict:
    rows = assessments_of(candidate)
    return {
        "rows": list(reversed(rows)),  # newest first in the table
        "chart": trend_chart(rows),
        "may_add": _decides(user) and candidate.status == Status.in_pool,
        "may_edit": _decides(user),
    }


def load_notes(candidate, user) -> dict:
    return {"rows": notes_of(candidate)}


def load_outcome(candidate, user) -> dict:
    decides = _decides(user)
    return {
        "rows": outcomes_of(candidate),
        "may_decide": decides and candidate.status == Status.in_pool,
        "may_restore": decides and candidate.status == Status.withdrawn,
        "in_pool": candidate.status == Status.in_pool,
    }


def timeline(candidate, user) -> list[TimelineEvent]:
    """Inspections, assessments and notes as dated events of the candidate's timeline."""
    events = []
    for row in inspections_of(candidate):
        events.append(
            TimelineEvent(
                on=row.inspected_on,
                kind="考察",
                title=row.method_label,
                detail=" · ".join(p for p in (row.inspectors, row.conclusion) if p),
                sort_key=f"inspection#{row.id:012d}",
            )
        )
    events.extend(assessment_event(row) for row in assessments_of(candidate))
    for row in notes_of(candidate):
        events.append(
            TimelineEvent(
                on=row.noted_on,
                kind="动态",
                title=row.kind_label,
                detail=row.text + (f"（{row.author.label}）" if row.author else ""),
                sort_key=f"note#{row.id:012d}",
            )
        )
    return events
