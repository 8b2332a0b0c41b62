"""Every write of the training area: checks the rule, changes models, audits, flushes.

Who may do what:
- a county programme (``township_id`` None) and its rounds are managed by county-level users
  (admins); a township programme by its township's clerks and by admins;
- clerks and admins enrol candidates of their scope — into a township programme only that
  township's candidates — and record the results of the participants of their scope.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import abort
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.core import audit, clock
from app.core.codes import Status
from app.core.db import begin_write
from app.core.errors import RuleError
from app.core.scoping import abort_404_for, scoped, visible_names
from app.extensions import db
from app.places.models import Township
from app.roster.models import Candidate
from app.training.checks import is_blank
from app.training.models import Enrolment, Programme, Round, RoundResult

WRITERS = ("admin", "clerk")
ELIGIBLE_STATUSES = (Status.in_pool.value, Status.inspecting.value)
PROGRAMME_FIELDS = ("name", "target_group", "start_on", "end_on", "description", "township_id")
ROUND_FIELDS = (
    "starts_on",
    "ends_on",
    "place",
    "topics",
    "assignment_title",
    "assignment_due_on",
)
RESULT_FIELDS = ("attended", "submitted", "score", "comment")


def _d(day: dt.date) -> str:
    return day.strftime("%Y-%m-%d")


def may_manage(user, programme: Programme) -> bool:
    """Create and change the programme and its rounds."""
    if user.role not in WRITERS:
        return False
    if programme.township_id is None:
        return user.township_id is None
    return user.township_id is None or user.township_id == programme.township_id


def may_enrol(user, programme: Programme) -> bool:
    """Enrol candidates and record results (for the user's own candidates)."""
    if user.role not in WRITERS:
        return False
    return user.township_id is None or programme.township_id in (None, user.township_id)


# ---- programmes ------------------------------------------------------------------------------


def _programme_township(values: dict[str, Any], actor) -> int | None:
    if actor.township_id is not None:
        return actor.township_id
    township_id = values.get("township_id")
    if township_id is not None and db.session.get(Township, township_id) is None:
        raise RuleError("请选择计划的范围：全县，或某一个乡镇", "township_id")
    return township_id


def create_programme(values: dict[str, Any], *, actor) -> Programme:
    if actor.role not in WRITERS:
        abort(403)
    programme = Programme(created_by_id=getattr(actor, "id", None))
    township_id = _programme_township(values, actor)
    audit.apply(programme, values | {"township_id": township_id}, PROGRAMME_FIELDS)
    level = "县级" if programme.township_id is None else "乡镇"
    audit.created(
        "training_programme",
        programme,
        PROGRAMME_FIELDS,
        actor=actor,
        summary=f"新增培养计划 {programme.name}（{level}）",
    )
    return programme


def update_programme(programme: Programme, values: dict[str, Any], *, actor) -> dict:
    begin_write((Programme, programme.id))
    db.session.refresh(programme)
    if not may_manage(actor, programme):
        abort(403)
    township_id = (
        _programme_township(values, actor) if actor.township_id is None else programme.township_id
    )
    if township_id != programme.township_id:
        enrolled_elsewhere = db.session.scalar(
            select(func.count())
            .select_from(Enrolment)
            .where(Enrolment.programme_id == programme.id, Enrolment.township_id != township_id)
        )
        if township_id is not None and enrolled_elsewhere:
            raise RuleError(
                f"已有 {enrolled_elsewhere} 名其他乡镇的后备干部参加本计划，不能改为乡镇计划。",
                "township_id",
            )
    start, end = values["start_on"], values["end_on"]
    outside = [r for r in programme.rounds if r.starts_on < start or r.ends_on > end]
    if outside:
        r = outside[0]
        raise RuleError(
            f"{r.title}集中培训（{_d(r.starts_on)} 至 {_d(r.ends_on)}）不在新的计划期限内，"
            "请先调整该轮次的日期。",
            "start_on" if r.starts_on < start else "end_on",
        )
    return audit.changed(
        "training_programme",
        programme,
        audit.apply(programme, values | {"township_id": township_id}, PROGRAMME_FIELDS),
        actor=actor,
        summary=f"修改培养计划 {programme.name}",
    )


# ---- rounds ----------------------------------------------------------------------------------


def _check_round(programme: Programme, values: dict[str, Any], round_: Round | None) -> None:
    start, end = values["starts_on"], values["ends_on"]
    if start < programme.start_on or end > programme.end_on:
        raise RuleError(
            f"集中培训日期应在计划期限内（{_d(programme.start_on)} 至 {_d(programme.end_on)}）",
            "starts_on" if start < programme.start_on else "ends_on",
        )
    for other in programme.rounds:
        if round_ is not None and other.id == round_.id:
            continue
        if other.starts_on <= end and start <= other.ends_on:
            raise RuleError(
                f"与{other.title}集中培训（{_d(other.starts_on)} 至 {_d(other.ends_on)}）"
                "日期重叠，请调整",
                "starts_on",
            )


def create_round(programme: Programme, values: dict[str, Any], *, actor) -> Round:
    begin_write((Programme, programme.id))
    db.session.refresh(programme)
    if not may_manage(actor, programme):
        abort(403)
    _check_round(programme, values, None)
    number = (
        db.session.scalar(select(func.max(Round.number)).where(Round.programme_id == programme.id))
        or 0
    ) + 1
    round_ = Round(programme_id=programme.id, number=number)
    audit.apply(round_, values, ROUND_FIELDS)
    audit.created(
        "training_round",
        round_,
        ROUND_FIELDS,
        actor=actor,
        township_id=programme.township_id,
        summary=f"{programme.name} 新增{round_.title}",
    )
    return round_


def update_round(round_: Round, values: dict[str, Any], *, actor) -> dict:
    begin_write((Programme, round_.programme_id))
    db.session.refresh(round_)
    programme = round_.programme
    if not may_manage(actor, programme):
        abort(403)
    _check_round(programme, values, round_)
    return audit.changed(
        "training_round",
        round_,
        audit.apply(round_, values, ROUND_FIELDS),
        actor=actor,
        township_id=programme.township_id,
        summary=f"修改 {programme.name} {round_.title}",
    )


# ---- enrolments ------------------------------------------------------------------------------


def enrol(programme: Programme, candidate_ids: list[int], *, actor) -> list[Enrolment]:
    """Enrol candidates of the actor's scope; all or none."""
    ids = sorted(set(candidate_ids))
    begin_write((Programme, programme.id), *((Candidate, cid) for cid in ids))
    db.session.refresh(programme)
    if not may_enrol(actor, programme):
        abort(403)
    if not ids:
        raise RuleError("请至少勾选一名后备干部", "candidate_ids")
    # In id order: the audit lists the ids (and the summary the names) in a stable order.
    candidates = db.session.scalars(
        scoped(Candidate, actor).where(Candidate.id.in_(ids)).order_by(Candidate.id)
    ).all()
    if len(candidates) != len(ids):
        abort_404_for(Candidate, set(ids) - {c.id for c in candidates})
    if programme.township_id is not None:
        others = [c for c in candidates if c.township_id != programme.township_id]
        if others:
            raise RuleError(
                f"本计划是{programme.township.name}的计划，只能报名本乡镇的后备干部："
                f"{visible_names(others, actor)}不属于该乡镇。",
                "candidate_ids",
            )
    wrong = [c for c in candidates if c.status not in ELIGIBLE_STATUSES]
    if wrong:
        raise RuleError(
            "只有“考察中”或“在库培养”的后备干部可以报名："
            + visible_names(wrong, actor, label=lambda c: f"{c.name}（{c.status_label}）"),
            "candidate_ids",
        )
    already = set(
        db.session.scalars(
            select(Enrolment.candidate_id).where(
                Enrolment.programme_id == programme.id, Enrolment.candidate_id.in_(ids)
            )
        )
    )
    if already:
        names = visible_names([c for c in candidates if c.id in already], actor)
        raise RuleError(f"{names}已在本计划中，请勿重复报名", "candidate_ids")
    enrolments = [
        Enrolment(
            programme_id=programme.id,
            candidate_id=c.id,
            township_id=c.township_id,
            created_by_id=getattr(actor, "id", None),
        )
        for c in candidates
    ]
    db.session.add_all(enrolments)
    db.session.flush()
    by_township: dict[int, list[Candidate]] = {}
    for c in candidates:
        by_township.setdefault(c.township_id, []).append(c)
    for township_id, people in by_township.items():
        audit.record(
            "enrol",
            "training_programme",
            programme.id,
            actor=actor,
            township_id=township_id,
            summary=f"{programme.name} 报名 {len(people)} 人：{'、'.join(c.name for c in people)}",
            changes={"candidate_ids": [c.id for c in people]},
        )
    return enrolments


def remove_enrolment(enrolment: Enrolment, *, actor) -> None:
    begin_write((Programme, enrolment.programme_id), (Candidate, enrolment.candidate_id))
    db.session.refresh(enrolment)
    if not may_enrol(actor, enrolment.programme):
        abort(403)
    recorded = db.session.scalar(
        select(func.count())
        .select_from(RoundResult)
        .where(RoundResult.enrolment_id == enrolment.id)
    )
    if recorded:
        raise RuleError(f"{enrolment.candidate.name}已有 {recorded} 轮的培训结果，不能移出本计划。")
    name, programme = enrolment.candidate.name, enrolment.programme
    audit.record(
        "unenrol",
        "training_programme",
        programme.id,
        actor=actor,
        township_id=enrolment.township_id,
        summary=f"{programme.name} 移出 {name}",
        changes={"candidate_id": [enrolment.candidate_id, None]},
    )
    db.session.delete(enrolment)
    db.session.flush()


# ---- results ---------------------------------------------------------------------------------


def save_results(round_: Round, rows: dict[int, dict[str, Any]], *, actor) -> int:
    """Record a page of results: enrolment id -> checked values. Returns how many changed."""
    begin_write((Round, round_.id))
    db.session.refresh(round_)
    programme = round_.programme
    if not may_enrol(actor, programme):
        abort(403)
    if round_.starts_on > clock.today():
        raise RuleError(
            f"{round_.title}集中培训尚未开始（{_d(round_.starts_on)} 开始），还不能登记结果。"
        )
    enrolments = {
        e.id: e
        for e in db.session.scalars(
            scoped(Enrolment, actor)
            .where(Enrolment.programme_id == programme.id, Enrolment.id.in_(list(rows)))
            .options(joinedload(Enrolment.candidate))
        )
    }
    if len(enrolments) != len(rows):
        abort_404_for(Enrolment, set(rows) - set(enrolments))
    existing = {
        r.enrolment_id: r
        for r in db.session.scalars(
            select(RoundResult).where(
                RoundResult.round_id == round_.id, RoundResult.enrolment_id.in_(list(rows))
            )
        )
    }
    changed = 0
    for enrolment_id, values in rows.items():
        result = existing.get(enrolment_id)
        if result is None and is_blank(values):
            continue
        enrolment = enrolments[enrolment_id]
        before = audit.snapshot(result, RESULT_FIELDS) if result else {}
        if result is None:
            result = RoundResult(
                round_id=round_.id, enrolment_id=enrolment_id, township_id=enrolment.township_id
            )
            db.session.add(result)
        for key in RESULT_FIELDS:
            setattr(result, key, values[key])
        changes = audit.diff(before, audit.snapshot(result, RESULT_FIELDS))
        if not changes:
            continue
        result.recorded_by_id = getattr(actor, "id", None)
        db.session.flush()
        changed += 1
        audit.record(
            "update" if before else "create",
            "training_result",
            result.id,
            actor=actor,
            township_id=enrolment.township_id,
            summary=f"{programme.name} {round_.title}：登记 {enrolment.candidate.name} 的培训结果",
            changes=changes,
        )
    db.session.flush()
    return changed
