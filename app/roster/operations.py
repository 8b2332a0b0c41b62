"""Every write of the roster: checks the rule, changes models, audits, flushes — never commits."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import abort

from app.core import audit, clock
from app.core.codes import Status
from app.core.errors import RuleError
from app.core.pinyin import name_initials, name_pinyin, name_sort_key
from app.extensions import db
from app.roster import lifecycle
from app.roster.models import Candidate, StatusChange

EDITABLE = (
    "name",
    "gender",
    "ethnicity",
    "birth_date",
    "id_number",
    "political",
    "education",
    "major",
    "phone",
    "village_id",
    "township_id",
    "source",
    "occupation",
    "speciality",
    "direction",
    "entered_on",
    "notes",
)


def snapshot(candidate: Candidate) -> dict[str, Any]:
    return audit.snapshot(candidate, EDITABLE)


def _apply(candidate: Candidate, values: dict[str, Any]) -> dict[str, list]:
    """Set the editable fields and the search keys that follow from them; the changes."""
    changes = audit.apply(candidate, values, EDITABLE)
    candidate.name_pinyin = name_pinyin(candidate.name)
    candidate.name_initials = name_initials(candidate.name)
    candidate.name_sort = name_sort_key(candidate.name)
    candidate.id_reversed = candidate.id_number[::-1]
    return changes


def create_candidate(values: dict[str, Any], *, actor, status: str = Status.nominated) -> Candidate:
    """A new record from checked values; a clerk's nomination starts as ``nominated``."""
    return create_candidates([(values, status)], actor=actor)[0]


def create_candidates(rows: Sequence[tuple[dict[str, Any], str]], *, actor) -> list[Candidate]:
    """New records from (checked values, status) pairs, each with its status history and its
    own 'create' audit entry. The lot is written in two flushes, whatever its size: the ORM
    sends each table's rows as one multi-row INSERT, and the tallies get one delta per key
    (an Excel import of 2,000 rows is a handful of statements, not 20,000)."""
    candidates = []
    for values, status in rows:
        candidate = Candidate(status=status, created_by_id=getattr(actor, "id", None))
        _apply(candidate, values)
        candidates.append(candidate)
    db.session.add_all(candidates)
    db.session.flush()
    for candidate in candidates:
        _log_status(candidate, None, candidate.status, "新增录入", actor)
        audit.record(
            "create",
            "candidate",
            candidate.id,
            actor=actor,
            township_id=candidate.township_id,
            summary=f"新增后备干部 {candidate.name}",
            changes=audit.diff({}, snapshot(candidate) | {"status": candidate.status}),
        )
    return candidates


def update_candidate(candidate: Candidate, values: dict[str, Any], *, actor) -> dict[str, list]:
    """Change a record (the form's version is checked by ``save_checked``)."""
    return audit.changed(
        "candidate",
        candidate,
        _apply(candidate, values),
        actor=actor,
        summary=f"修改后备干部 {candidate.name} 的档案",
    )


def change_status(candidate: Candidate, target: str, *, actor, reason: str = "") -> StatusChange:
    """Move a candidate along its lifecycle; 403 for a role that may not (a clerk asking for a
    secretary's move, even one made through an outcome form), RuleError otherwise."""
    if lifecycle.above_role(candidate.status, target, actor.role):
        abort(403)
    transition = lifecycle.find(candidate.status, target)
    if transition is None:
        raise RuleError(
            f"当前状态为“{candidate.status_label}”，不能改为“{Status.label_of(target)}”。"
        )
    if actor.role not in transition.roles:
        abort(403)
    reason = reason.strip()
    if transition.reason_required and not reason:
        raise RuleError(f"{transition.action}时请填写原因，以便经办人了解如何补正。", "reason")
    source = candidate.status
    candidate.status = target
    if target == Status.in_pool and candidate.entered_on is None:
        candidate.entered_on = clock.today()
    db.session.flush()
    change = _log_status(candidate, source, target, reason, actor)
    audit.record(
        "status",
        "candidate",
        candidate.id,
        actor=actor,
        township_id=candidate.township_id,
        summary=f"{transition.action}：{candidate.name}",
        changes={"status": [source, target], "reason": reason},
    )
    return change


def _log_status(candidate, source, target, reason, actor) -> StatusChange:
    change = StatusChange(
        candidate_id=candidate.id,
        township_id=candidate.township_id,
        from_status=source,
        to_status=target,
        reason=reason,
        actor_id=getattr(actor, "id", None),
        pool_entered_on=candidate.entered_on,
    )
    db.session.add(change)
    return change


def reveal_id_number(candidate: Candidate, *, actor) -> str:
    """Show the whole ID number once; who looked, and when, is itself an audit entry."""
    audit.record(
        "reveal",
        "candidate",
        candidate.id,
        actor=actor,
        township_id=candidate.township_id,
        summary=f"查看 {candidate.name} 的完整身份证号",
    )
    db.session.flush()
    return candidate.id_number
