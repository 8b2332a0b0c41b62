"""Every write of the area: checks the rule, changes models, audits, flushes — never commits.

Values come checked from ``checks``; these functions add the rules that need the database
and the actor. Leaving the pool (used, withdrawn) and coming back write the outcome row and
the status change (``app.roster.operations.change_status``) in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import abort
from sqlalchemy import func, select, update

from app.assessment.models import DIAGNOSES, DIMENSIONS, Assessment, DynamicNote, Inspection
from app.assessment.models import Outcome as OutcomeRow
from app.assessment.periods import Period
from app.assessment.queries import assessment_of_period, open_withdrawal
from app.core import audit
from app.core.codes import InspectionMethod, OutcomeKind, Role, Status, WithdrawalReason
from app.core.db import begin_write
from app.core.errors import RuleError
from app.extensions import db
from app.roster import lifecycle
from app.roster.models import Candidate
from app.roster.operations import change_status

DECIDERS = (Role.secretary.value, Role.admin.value)
ASSESSMENT_FIELDS = (
    "kind",
    "period",
    "year",
    "period_start",
    "period_end",
    "assessed_on",
    *(column for column, _ in DIMENSIONS),
    "grade",
    *(column for column, _, _ in DIAGNOSES),
)


def _require_decider(actor) -> None:
    """Assessments and outcomes are a secretary's (or the county's) decision: 403 otherwise."""
    if getattr(actor, "role", None) not in DECIDERS:
        abort(403)


def _lock(candidate: Candidate) -> None:
    """Serialise writers on this candidate, then read its status as it is now."""
    begin_write((Candidate, candidate.id))
    db.session.refresh(candidate)


# ---- inspections and notes (clerks may write them too) -----------------------------------

INSPECTION_FIELDS = ("method", "inspected_on", "inspectors", "findings", "conclusion")
NOTE_FIELDS = ("kind", "noted_on", "text")


def inspection_problem(candidate: Candidate) -> str | None:
    if candidate.status in (Status.used, Status.withdrawn):
        gone = "使用" if candidate.status == Status.used else "退出人才库"
        return f"{candidate.name}已{gone}，不再新增考察记录；如需记录情况，请添加动态记录。"
    return None


def _record_of(model, entity: str, candidate: Candidate, values, fields, *, actor, summary):
    """A record about the candidate, written by ``actor``, and its audit entry."""
    row = model(
        candidate_id=candidate.id,
        township_id=candidate.township_id,
        author_id=getattr(actor, "id", None),
        **{key: values[key] for key in fields},
    )
    audit.created(entity, row, (*fields, "candidate_id"), actor=actor, summary=summary(row))
    return row


def create_inspection(candidate: Candidate, values: dict[str, Any], *, actor) -> Inspection:
    if problem := inspection_problem(candidate):
        raise RuleError(problem, "method")
    return _record_of(
        Inspection,
        "inspection",
        candidate,
        values,
        INSPECTION_FIELDS,
        actor=actor,
        summary=lambda i: f"新增考察记录：{candidate.name} · {InspectionMethod.label_of(i.method)}",
    )


def create_note(candidate: Candidate, values: dict[str, Any], *, actor) -> DynamicNote:
    return _record_of(
        DynamicNote,
        "dynamic_note",
        candidate,
        values,
        NOTE_FIELDS,
        actor=actor,
        summary=lambda n: f"新增动态记录：{candidate.name} · {n.kind_label}",
    )


# ---- assessments (secretaries and admins) ------------------------------------------------


def _assessment_values(values: dict[str, Any]) -> dict[str, Any]:
    period: Period = values["period"]
    out = {key: values[key] for key in ASSESSMENT_FIELDS if key in values}
    out |= {
        "period": period.name,
        "year": period.year,
        "period_start": period.start,
        "period_end": period.end,
    }
    return out


def duplicate_message(candidate: Candidate, existing: Assessment) -> str:
    who = existing.assessor.label if existing.assessor else "他人"
    when = f"{existing.assessed_on:%Y-%m-%d}由{who}录入，等次为“{existing.grade_label}”"
    if existing.kind == "annual":
        return (
            f"{candidate.name} 的 {existing.year} 年度年终考核已经录入（{when}）。"
            "每人每年只能有一次年终考核；如需更正，请修改该条记录。"
        )
    return (
        f"{candidate.name} 的“{existing.period}”已有考核记录（{when}）。"
        "同一期间只能录入一次；如需更正，请修改该条记录。"
    )


def refresh_latest(candidate_id: int) -> None:
    """Mark the candidate's most recent assessment (latest period; a year before its quarter),
    and keep the candidate's ``last_assessed_on`` (a core UPDATE: no new record version)."""
    latest = db.session.scalar(
        select(Assessment.id)
        .where(Assessment.candidate_id == candidate_id)
        .order_by(Assessment.period_end.desc(), Assessment.period_start, Assessment.id.desc())
        .limit(1)
    )
    db.session.execute(
        update(Assessment)
        .where(Assessment.candidate_id == candidate_id)
        .values(is_latest=Assessment.id == latest)
        .execution_options(synchronize_session="fetch")
    )
    db.session.execute(last_assessed_update(candidate_id))


def last_assessed_update(candidate_id: int | None = None):
    """The UPDATE that sets candidates' ``last_assessed_on`` from their assessments (one
    candidate, or all of them after a bulk load)."""
    candidates = Candidate.__table__
    latest = (
        select(func.max(Assessment.assessed_on))
        .where(Assessment.candidate_id == candidates.c.id)
        .scalar_subquery()
    )
    stmt = update(candidates).values(last_assessed_on=latest)
    return stmt if candidate_id is None else stmt.where(candidates.c.id == candidate_id)


def save_assessment(
    candidate: Candidate, values: dict[str, Any], *, actor, assessment: Assessment | None = None
) -> Assessment:
    """Create an assessment (``assessment`` None) or correct one; one per candidate and period."""
    _require_decider(actor)
    _lock(candidate)
    if assessment is None and (problem := in_pool_problem(candidate, "录入考核")):
        raise RuleError(problem, "kind")
    new_values = _assessment_values(values)
    existing = assessment_of_period(
        candidate, new_values["period"], exclude_id=assessment.id if assessment else None
    )
    if existing is not None:
        raise RuleError(duplicate_message(candidate, existing), "period")
    what = "{verb}考核：{c.name} · {a.period}{a.kind_label} · {a.grade_label}"
    if assessment is None:
        assessment = Assessment(
            candidate_id=candidate.id,
            township_id=candidate.township_id,
            assessor_id=getattr(actor, "id", None),
            **new_values,
        )
        audit.created(
            "assessment",
            assessment,
            (*new_values, "candidate_id"),
            actor=actor,
            summary=what.format(verb="录入", c=candidate, a=assessment),
        )
        refresh_latest(candidate.id)
        db.session.flush()
        return assessment
    changes = audit.apply(assessment, new_values, ASSESSMENT_FIELDS)
    db.session.flush()
    refresh_latest(candidate.id)
    # A correction is recorded even when it changes nothing: the secretary confirmed it.
    audit.record(
        "update",
        "assessment",
        assessment.id,
        actor=actor,
        township_id=candidate.township_id,
        summary=what.format(verb="修改", c=candidate, a=assessment),
        changes=changes,
    )
    return assessment


# ---- outcomes: used, withdrawn, restored (secretaries and admins) -------------------------

OUTCOME_FIELDS = ("kind", "outcome", "reason", "place", "decided_on", "detail")


def in_pool_problem(candidate: Candidate, what: str) -> str | None:
    """Why ``what`` (录入考核, 记录使用, 退出人才库) cannot be done for this candidate now."""
    if candidate.status != Status.in_pool:
        return (
            f"{candidate.name}当前状态为“{candidate.status_label}”，"
            f"只有在库培养的后备干部才能{what}。"
        )
    return None


def restore_problem(candidate: Candidate) -> str | None:
    if candidate.status != Status.withdrawn:
        return (
            f"{candidate.name}当前状态为“{candidate.status_label}”，"
            "只有已退出的后备干部才能恢复入库。"
        )
    return None


def _require_in_pool(candidate: Candidate, what: str) -> None:
    if problem := in_pool_problem(candidate, what):
        raise RuleError(problem)


def _write_outcome(candidate: Candidate, row: OutcomeRow, *, actor, reason: str) -> OutcomeRow:
    db.session.add(row)
    db.session.flush()
    with lifecycle.through_form():
        change_status(candidate, row.kind, actor=actor, reason=reason)
    audit.created(
        "outcome",
        row,
        (*OUTCOME_FIELDS, "candidate_id"),
        actor=actor,
        township_id=candidate.township_id,
        summary=f"{candidate.name}：{row.label}",
    )
    return row


def record_use(candidate: Candidate, values: dict[str, Any], *, actor) -> OutcomeRow:
    """The candidate was elected or appointed: an outcome row, and the status ``used``."""
    _require_decider(actor)
    _lock(candidate)
    _require_in_pool(candidate, "记录使用")
    row = OutcomeRow(
        candidate_id=candidate.id,
        township_id=candidate.township_id,
        kind=Status.used.value,
        outcome=values["outcome"],
        place=values["place"],
        decided_on=values["decided_on"],
        detail=values.get("detail", ""),
        author_id=getattr(actor, "id", None),
    )
    reason = f"{OutcomeKind.label_of(row.outcome)}（{row.place}，{row.decided_on:%Y-%m-%d}）"
    if row.detail:
        reason += f"：{row.detail}"
    return _write_outcome(candidate, row, actor=actor, reason=reason)


def record_withdrawal(candidate: Candidate, values: dict[str, Any], *, actor) -> OutcomeRow:
    """The candidate leaves the pool for a reason: an outcome row, and the status ``withdrawn``."""
    _require_decider(actor)
    _lock(candidate)
    _require_in_pool(candidate, "退出人才库")
    row = OutcomeRow(
        candidate_id=candidate.id,
        township_id=candidate.township_id,
        kind=Status.withdrawn.value,
        reason=values["reason"],
        decided_on=values["decided_on"],
        detail=values["detail"],
        author_id=getattr(actor, "id", None),
    )
    reason = (
        f"退出（{WithdrawalReason.label_of(row.reason)}，{row.decided_on:%Y-%m-%d}）：{row.detail}"
    )
    return _write_outcome(candidate, row, actor=actor, reason=reason)


def restore(candidate: Candidate, values: dict[str, Any], *, actor, today: dt.date) -> None:
    """A withdrawn candidate returns to the pool (能上能下); its withdrawal row says why."""
    _require_decider(actor)
    _lock(candidate)
    if problem := restore_problem(candidate):
        raise RuleError(problem, "reason")
    withdrawal = open_withdrawal(candidate)
    if withdrawal is not None:
        withdrawal.restored_on = today
        withdrawal.restore_reason = values["reason"]
        withdrawal.restored_by_id = getattr(actor, "id", None)
        db.session.flush()
    with lifecycle.through_form():
        change_status(
            candidate,
            Status.in_pool,
            actor=actor,
            reason=f"恢复入库（能上能下）：{values['reason']}",
        )
    audit.record(
        "restore",
        "outcome",
        withdrawal.id if withdrawal else None,
        actor=actor,
        township_id=candidate.township_id,
        summary=f"{candidate.name}：恢复入库",
        changes={"reason": values["reason"], "candidate_id": candidate.id},
    )
