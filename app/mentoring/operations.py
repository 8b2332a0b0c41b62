"""Every write of the mentoring area: checks the rule, changes models, audits, flushes.

Rules that depend on other rows — a mentor's capacity on every day, overlapping pairings, the
townships involved — are checked after ``begin_write`` has locked the rows they hang on, so
two clerks saving at once cannot both slip past the same check.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import abort
from sqlalchemy import func, or_, select

from app.core import audit, clock
from app.core.codes import Status
from app.core.db import begin_write
from app.core.errors import RuleError
from app.core.pinyin import name_sort_key
from app.core.scoping import get_or_404, restrict, scoped, visible_names
from app.extensions import db
from app.mentoring.models import Mentor, MentoringActivity, Pairing, VillagePairing, until_expr
from app.places.models import Township, Village
from app.roster.models import Candidate

ELIGIBLE_STATUSES = (Status.in_pool.value, Status.inspecting.value)
MENTOR_FIELDS = ("name", "position", "unit", "phone", "capacity", "notes", "township_id")
PAIRING_FIELDS = ("mentor_id", "start_on", "end_on", "goals")
END_FIELDS = ("ended_on", "mentor_evaluation", "candidate_summary")
UNKNOWN_MENTOR = (
    "所选帮带人不存在、已移除，或不属于您所在的乡镇，请从列表中重新选择。"
    "跨乡镇结对须由县委组织部（县级账号）办理。"
)
VILLAGE_PAIRING_FIELDS = (
    "village_a_id",
    "village_b_id",
    "township_id",
    "partner_township_id",
    "kind",
    "start_on",
    "end_on",
    "purpose",
)


def _d(day: dt.date) -> str:
    return day.strftime("%Y-%m-%d")


def _names(pairings: list[Pairing], reader) -> str:
    # A county admin may pair a mentor with another township's candidate: counted, not named.
    return visible_names([p.candidate for p in pairings], reader)


# ---- mentors ---------------------------------------------------------------------------------


def _mentor_township(values: dict[str, Any], actor) -> int:
    if actor.township_id is not None:
        return actor.township_id
    township_id = values.get("township_id")
    if township_id is None or db.session.get(Township, township_id) is None:
        raise RuleError("请选择帮带人所属乡镇", "township_id")
    return township_id


def create_mentor(values: dict[str, Any], *, actor) -> Mentor:
    mentor = Mentor(created_by_id=getattr(actor, "id", None), is_deleted=False)
    audit.apply(mentor, values | {"township_id": _mentor_township(values, actor)}, MENTOR_FIELDS)
    mentor.name_sort = name_sort_key(mentor.name)
    audit.created(
        "mentor",
        mentor,
        MENTOR_FIELDS,
        actor=actor,
        summary=f"新增帮带人 {mentor.name}（{mentor.position_label}）",
    )
    return mentor


def _peak_from(pairings: list[Pairing], start: dt.date, end: dt.date | None = None):
    """The first day in [start, end] holding the most of these pairings: (day, holding)."""
    days = {start} | {p.start_on for p in pairings if p.start_on > start}
    if end is not None:
        days = {d for d in days if d <= end}
    best: tuple[dt.date | None, list[Pairing]] = (None, [])
    for day in sorted(days):
        holding = [p for p in pairings if p.start_on <= day <= p.until_on]
        if len(holding) > len(best[1]):
            best = (day, holding)
    return best


def update_mentor(mentor: Mentor, values: dict[str, Any], *, actor) -> dict:
    begin_write((Mentor, mentor.id))
    db.session.refresh(mentor)
    if mentor.is_deleted:
        abort(404)
    township_id = _mentor_township(values, actor) if actor.township_id is None else None
    if values["capacity"] < mentor.capacity:
        # A lower capacity must still hold every pairing from today on.
        today = clock.today()
        ahead = db.session.scalars(
            select(Pairing)
            .where(Pairing.mentor_id == mentor.id, until_expr() >= today)
            .order_by(Pairing.start_on, Pairing.id)  # the message names them in this order
        ).all()
        day, holding = _peak_from(ahead, today)
        if len(holding) > values["capacity"]:
            raise RuleError(
                f"{mentor.name}在 {_d(day)} 同时帮带 {len(holding)} 人"
                f"（{_names(holding, actor)}），最多同时帮带人数不能低于 {len(holding)}",
                "capacity",
            )
    values = {k: v for k, v in values.items() if k != "township_id"}
    if township_id is not None:  # a county user may move the mentor; others may not
        values["township_id"] = township_id
    changes = audit.apply(mentor, values, MENTOR_FIELDS)
    mentor.name_sort = name_sort_key(mentor.name)
    return audit.changed(
        "mentor", mentor, changes, actor=actor, summary=f"修改帮带人 {mentor.name} 的信息"
    )


def delete_mentor(mentor: Mentor, *, actor) -> None:
    """Remove a mentor from the lists (kept for the pairings' history): no open pairings."""
    begin_write((Mentor, mentor.id))
    db.session.refresh(mentor)
    if mentor.is_deleted:
        abort(404)
    open_count = db.session.scalar(
        select(func.count())
        .select_from(Pairing)
        .where(Pairing.mentor_id == mentor.id, Pairing.ended_on.is_(None))
    )
    if open_count:
        raise RuleError(
            f"{mentor.name}还有 {open_count} 个未结束的结对，请先结束这些结对（填写评价和总结）"
            "后再移除。"
        )
    mentor.is_deleted = True
    audit.deleted(
        "mentor",
        mentor,
        actor=actor,
        summary=f"移除帮带人 {mentor.name}",
        changes={"is_deleted": [False, True]},
    )


# ---- pairings --------------------------------------------------------------------------------


def _check_pairing_rules(
    mentor: Mentor,
    candidate: Candidate,
    start: dt.date,
    end: dt.date,
    *,
    actor,
    pairing: Pairing | None = None,
) -> None:
    """The rules that read other rows; call under ``begin_write``. ``pairing`` is the one
    being changed (its candidate's status is then no longer asked: it was when it began)."""
    foreign = mentor is not None and actor.township_id not in (None, mentor.township_id)
    if mentor is None or mentor.is_deleted or foreign:
        # One message for all three: another township's mentor is as unknown as a made-up id.
        raise RuleError(UNKNOWN_MENTOR, "mentor_id")
    if pairing is None and candidate.status not in ELIGIBLE_STATUSES:
        raise RuleError(
            f"{candidate.name}当前状态为“{candidate.status_label}”，"
            "只有“考察中”或“在库培养”的后备干部可以结对帮带。"
        )
    overlapping = select(Pairing).where(
        Pairing.mentor_id == mentor.id, Pairing.start_on <= end, until_expr() >= start
    )
    if pairing is not None:
        overlapping = overlapping.where(Pairing.id != pairing.id)
    others = db.session.scalars(overlapping.order_by(Pairing.start_on, Pairing.id)).all()
    same = next((p for p in others if p.candidate_id == candidate.id), None)
    if same is not None:
        raise RuleError(
            f"{candidate.name}已与帮带人{mentor.name}结对（{_d(same.start_on)} 至 "
            f"{_d(same.until_on)}），与本次时间重叠，不能重复结对。请调整日期。",
            "start_on",
        )
    day, holding = _peak_from(others, start, end)
    if len(holding) + 1 > mentor.capacity:
        raise RuleError(
            f"帮带人{mentor.name}最多同时帮带 {mentor.capacity} 人，{_d(day)} 已与"
            f"{_names(holding, actor)}结对，这段时间不能再增加。请调整起止日期，或选择其他帮带人。",
            "mentor_id",
        )
    if pairing is not None:
        first, last = db.session.execute(
            select(func.min(MentoringActivity.held_on), func.max(MentoringActivity.held_on)).where(
                MentoringActivity.pairing_id == pairing.id
            )
        ).one()
        if first is not None and first < start:
            raise RuleError(f"已有 {_d(first)} 的帮带活动记录，开始日期不能晚于该日。", "start_on")
        if last is not None and last > end:
            raise RuleError(f"已有 {_d(last)} 的帮带活动记录，结束日期不能早于该日。", "end_on")


def _visible_candidate(candidate_id: int, actor) -> Candidate:
    return get_or_404(scoped(Candidate, actor), candidate_id)


def create_pairing(candidate_id: int, values: dict[str, Any], *, actor) -> Pairing:
    begin_write((Mentor, values["mentor_id"]), (Candidate, candidate_id))
    candidate = _visible_candidate(candidate_id, actor)
    mentor = db.session.get(Mentor, values["mentor_id"])
    _check_pairing_rules(mentor, candidate, values["start_on"], values["end_on"], actor=actor)
    pairing = Pairing(
        candidate_id=candidate.id,
        township_id=candidate.township_id,
        mentor_id=mentor.id,
        start_on=values["start_on"],
        end_on=values["end_on"],
        goals=values["goals"],
        created_by_id=getattr(actor, "id", None),
    )
    audit.created(
        "mentor_pairing",
        pairing,
        (*PAIRING_FIELDS, "candidate_id"),
        actor=actor,
        summary=f"结对帮带：{mentor.name} 帮带 {candidate.name}",
    )
    return pairing


def update_pairing(pairing: Pairing, values: dict[str, Any], *, actor) -> dict:
    begin_write((Mentor, values["mentor_id"]), (Candidate, pairing.candidate_id))
    db.session.refresh(pairing)
    if pairing.ended_on is not None:
        raise RuleError(f"该结对已于 {_d(pairing.ended_on)} 结束，不能再修改。")
    mentor = db.session.get(Mentor, values["mentor_id"])
    _check_pairing_rules(
        mentor,
        pairing.candidate,
        values["start_on"],
        values["end_on"],
        actor=actor,
        pairing=pairing,
    )
    return audit.changed(
        "mentor_pairing",
        pairing,
        audit.apply(pairing, values, PAIRING_FIELDS),
        actor=actor,
        summary=f"修改结对：{mentor.name} 帮带 {pairing.candidate.name}",
    )


def end_pairing(pairing: Pairing, values: dict[str, Any], *, actor) -> None:
    begin_write((Pairing, pairing.id))
    db.session.refresh(pairing)
    if pairing.ended_on is not None:
        raise RuleError(f"该结对已于 {_d(pairing.ended_on)} 结束。")
    ended = values["ended_on"]
    if ended < pairing.start_on:
        raise RuleError(f"结束日期不能早于结对开始日期（{_d(pairing.start_on)}）", "ended_on")
    if ended > pairing.end_on:
        raise RuleError(
            f"结束日期不能晚于计划结束日期（{_d(pairing.end_on)}）；如需延长，请先修改结对期限。",
            "ended_on",
        )
    if pairing.last_activity_on is not None and pairing.last_activity_on > ended:
        raise RuleError(
            f"{_d(pairing.last_activity_on)} 还有帮带活动记录，结束日期不能早于该日。",
            "ended_on",
        )
    audit.changed(
        "mentor_pairing",
        pairing,
        audit.apply(pairing, values, END_FIELDS),
        action="end",
        actor=actor,
        summary=f"结束结对：{pairing.mentor.name} 帮带 {pairing.candidate.name}",
    )


# ---- activities ------------------------------------------------------------------------------


def _refresh_last_activity(pairing: Pairing) -> None:
    pairing.last_activity_on = db.session.scalar(
        select(func.max(MentoringActivity.held_on)).where(
            MentoringActivity.pairing_id == pairing.id
        )
    )


def add_activity(pairing: Pairing, values: dict[str, Any], *, actor) -> MentoringActivity:
    begin_write((Pairing, pairing.id))
    db.session.refresh(pairing)
    held = values["held_on"]
    if not pairing.start_on <= held <= pairing.until_on:
        raise RuleError(
            f"活动日期应在结对期限内（{_d(pairing.start_on)} 至 {_d(pairing.until_on)}）",
            "held_on",
        )
    activity = MentoringActivity(
        pairing_id=pairing.id,
        township_id=pairing.township_id,
        held_on=held,
        form=values["form"],
        content=values["content"],
        hours=values["hours"],
        created_by_id=getattr(actor, "id", None),
    )
    db.session.add(activity)
    db.session.flush()
    _refresh_last_activity(pairing)
    db.session.flush()
    audit.record(
        "create",
        "mentoring_activity",
        activity.id,
        actor=actor,
        township_id=pairing.township_id,
        summary=f"登记帮带活动：{pairing.mentor.name} → {pairing.candidate.name}（{_d(held)}）",
        changes=audit.diff(
            {},
            {"pairing_id": pairing.id}
            | {k: values[k] for k in ("held_on", "form", "content", "hours")},
        ),
    )
    return activity


def delete_activity(activity: MentoringActivity, *, actor) -> None:
    pairing = activity.pairing
    begin_write((Pairing, pairing.id))
    snapshot = {
        "pairing_id": activity.pairing_id,
        "held_on": activity.held_on,
        "form": activity.form,
        "content": activity.content,
        "hours": activity.hours,
    }
    activity_id = activity.id
    db.session.delete(activity)
    db.session.flush()
    _refresh_last_activity(pairing)
    db.session.flush()
    audit.record(
        "delete",
        "mentoring_activity",
        activity_id,
        actor=actor,
        township_id=pairing.township_id,
        summary=f"删除帮带活动记录：{pairing.candidate.name}（{_d(snapshot['held_on'])}）",
        changes=audit.diff(snapshot, dict.fromkeys(snapshot)),
    )


# ---- village pairings ------------------------------------------------------------------------


def _village(village_id: int, field: str, actor) -> Village:
    village = db.session.scalars(
        restrict(select(Village), Village, actor).where(
            Village.id == village_id, Village.is_active.is_(True)
        )
    ).first()
    if village is None:
        raise RuleError("请选择您所管理乡镇的村（社区）", field)
    return village


def _check_village_pairing(values: dict[str, Any], *, actor, pairing=None):
    a = _village(values["village_a_id"], "village_a_id", actor)
    b = _village(values["village_b_id"], "village_b_id", actor)
    if a.id == b.id:
        raise RuleError("结对的两个村不能相同，请另选一个村", "village_b_id")
    if a.township_id != b.township_id and actor.township_id is not None:
        raise RuleError("跨乡镇的村村结对须由县级账号办理", "village_b_id")
    start, end = values["start_on"], values["end_on"]
    clash = select(VillagePairing).where(
        or_(
            (VillagePairing.village_a_id == a.id) & (VillagePairing.village_b_id == b.id),
            (VillagePairing.village_a_id == b.id) & (VillagePairing.village_b_id == a.id),
        ),
        VillagePairing.start_on <= end,
        VillagePairing.end_on >= start,
    )
    if pairing is not None:
        clash = clash.where(VillagePairing.id != pairing.id)
    other = db.session.scalars(clash).first()
    if other is not None:
        raise RuleError(
            f"{a.name}与{b.name}已有结对（{other.kind_label}，{_d(other.start_on)} 至 "
            f"{_d(other.end_on)}），与本次时间重叠。请调整日期，或修改原有结对。",
            "start_on",
        )
    return a, b


def create_village_pairing(values: dict[str, Any], *, actor) -> VillagePairing:
    begin_write((Village, values["village_a_id"]), (Village, values["village_b_id"]))
    a, b = _check_village_pairing(values, actor=actor)
    pairing = VillagePairing(
        village_a_id=a.id,
        village_b_id=b.id,
        township_id=a.township_id,
        partner_township_id=b.township_id,
        kind=values["kind"],
        start_on=values["start_on"],
        end_on=values["end_on"],
        purpose=values["purpose"],
        created_by_id=getattr(actor, "id", None),
    )
    audit.created(
        "village_pairing",
        pairing,
        VILLAGE_PAIRING_FIELDS,
        actor=actor,
        summary=f"村村结对（{pairing.kind_label}）：{a.name} — {b.name}",
    )
    return pairing


def update_village_pairing(pairing: VillagePairing, values: dict[str, Any], *, actor) -> dict:
    begin_write((Village, values["village_a_id"]), (Village, values["village_b_id"]))
    db.session.refresh(pairing)
    a, b = _check_village_pairing(values, actor=actor, pairing=pairing)
    places = {"village_a_id": a.id, "village_b_id": b.id}
    places |= {"township_id": a.township_id, "partner_township_id": b.township_id}
    return audit.changed(
        "village_pairing",
        pairing,
        audit.apply(pairing, values | places, VILLAGE_PAIRING_FIELDS),
        actor=actor,
        summary=f"修改村村结对：{a.name} — {b.name}",
    )
