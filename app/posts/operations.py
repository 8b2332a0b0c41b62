"""Every write of the posts area: checks the rule, changes models, audits, flushes — never
commits. Placements are written inside ``begin_write`` so that the clash rules of ``rules``
hold when two clerks save at the same moment."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import g, has_request_context, request
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from app.core import audit, clock
from app.core.codes import SERVICE_CENTRE_WINDOWS, Direction, PlacementGrade, PostKind
from app.core.db import begin_write, utcnow
from app.core.errors import RuleError
from app.extensions import db
from app.posts import rules
from app.posts.models import Batch, Placement, Post, RotationPlanItem
from app.roster.models import Candidate

POST_FIELDS = (
    "kind",
    "name",
    "host",
    "host_village_id",
    "supervisor",
    "duties",
    "capacity",
    "is_active",
)
BATCH_FIELDS = ("name", "start_on", "end_on", "notes")
PLACEMENT_FIELDS = ("post_id", "batch_id", "start_on", "end_on", "goal")
EXCLUSION_VIOLATION = "23P01"


# ---- the windows every township starts with -------------------------------------------------

WINDOW_DUTIES = {
    "帮办代办": "为群众代办社保、医保、户籍、证照等事项，熟悉各类事项的办理流程和政策",
    "党政综合": "党员管理、组织关系接转、党务政务咨询",
    "村镇规划": "农村建房审批、村庄规划咨询、违建巡查登记",
    "社会保障": "城乡居民养老保险、医疗保险参保缴费和待遇申领",
    "民政救助": "低保、特困、临时救助的受理和入户核查",
    "财政一卡通": "惠民惠农补贴资金的发放、查询和政策解释",
    "农牧林水": "农业技术推广、动植物防疫、林权和水利事项",
    "卫生计生": "家庭医生签约、生育登记、健康服务咨询",
    "退役军人": "退役军人信息采集、优抚政策落实、困难帮扶",
    "网格服务": "网格巡查、矛盾纠纷排查、群众诉求收集转办",
}


def window_rows(township_id: int, township_name: str) -> list[dict[str, Any]]:
    now = utcnow()
    return [
        {
            "township_id": township_id,
            "kind": PostKind.window.value,
            "name": f"{window}窗口",
            "host": f"{township_name}党群服务中心",
            "host_village_id": None,
            "supervisor": "",
            "duties": WINDOW_DUTIES.get(window, ""),
            "capacity": 2 if window == "帮办代办" else 1,
            "is_active": True,
            "created_dt": now,
        }
        for window in SERVICE_CENTRE_WINDOWS
    ]


def open_windows(mapper, connection, township) -> None:
    """After a township's INSERT (same flush, same transaction): its ten service-centre windows,
    and an audit entry saying so. Written through the connection: a flush takes no new objects."""
    connection.execute(insert(Post.__table__), window_rows(township.id, township.name))
    user = g.get("_login_user") if has_request_context() else None
    connection.execute(
        insert(audit.AuditEntry.__table__),
        {
            "created_dt": utcnow(),
            "actor_id": getattr(user, "id", None),
            "township_id": township.id,
            "action": "create",
            "entity": "post",
            "entity_id": None,
            "summary": f"为 {township.name} 设立党群服务中心窗口岗位 "
            f"{len(SERVICE_CENTRE_WINDOWS)} 个",
            "changes": {"posts": [None, [f"{w}窗口" for w in SERVICE_CENTRE_WINDOWS]]},
            "ip": (request.remote_addr or "") if has_request_context() else "",
        },
    )


# ---- posts ---------------------------------------------------------------------------------


def create_post(values: dict[str, Any], *, actor) -> Post:
    post = Post(township_id=values["township_id"])
    audit.apply(post, values, POST_FIELDS)
    audit.created(
        "post",
        post,
        POST_FIELDS,
        actor=actor,
        summary=f"新增试岗岗位 {post.name}（{post.kind_label}）",
    )
    return post


def update_post(post: Post, values: dict[str, Any], *, actor) -> dict:
    """Change a post; a smaller capacity or a new host village must fit who is placed there."""
    begin_write((Post, post.id))
    post = db.session.get(Post, post.id, populate_existing=True)
    today = clock.today()
    if values["capacity"] < post.capacity:
        busiest = rules.busiest_from(post, today)
        if busiest and busiest[1] > values["capacity"]:
            day, count = busiest
            raise RuleError(
                {
                    "capacity": f"{post.name} 在 {day:%Y-%m-%d} 已安排 {count} 人，"
                    f"容量不能少于 {count}；请先调整这些试岗安排"
                }
            )
    if values["kind"] == PostKind.cross_village and values["host_village_id"]:
        clash = db.session.scalars(
            select(Placement)
            .join(Candidate, Candidate.id == Placement.candidate_id)
            .where(
                Placement.post_id == post.id,
                Candidate.village_id == values["host_village_id"],
                rules.effective_end() >= today,
            )
        ).first()
        if clash is not None:
            raise RuleError(
                {
                    "host_village_id": f"已安排在此岗位的 {clash.candidate.name} 就是该村的，"
                    "跨村任职不能在本村；请另选村，或先调整该试岗安排"
                }
            )
    changes = audit.apply(post, values, POST_FIELDS)
    return audit.changed("post", post, changes, actor=actor, summary=f"修改试岗岗位 {post.name}")


# ---- batches -------------------------------------------------------------------------------


def create_batch(values: dict[str, Any], *, actor) -> Batch:
    batch = Batch(township_id=values["township_id"])
    audit.apply(batch, values, BATCH_FIELDS)
    audit.created("batch", batch, BATCH_FIELDS, actor=actor, summary=f"新增试岗批次 {batch.name}")
    return batch


def update_batch(batch: Batch, values: dict[str, Any], *, actor) -> dict:
    """Change a batch; its placements must stay within its dates."""
    begin_write((Batch, batch.id))
    batch = db.session.get(Batch, batch.id, populate_existing=True)
    outside = db.session.scalars(
        select(Placement)
        .where(
            Placement.batch_id == batch.id,
            (Placement.start_on < values["start_on"]) | (Placement.end_on > values["end_on"]),
        )
        .order_by(Placement.start_on)
    ).first()
    if outside is not None:
        raise RuleError(
            {
                "start_on": f"批次中 {outside.candidate.name} 的试岗（{outside.period}）"
                "不在新的起止日期之内；请先调整该试岗安排"
            }
        )
    changes = audit.apply(batch, values, BATCH_FIELDS)
    return audit.changed("batch", batch, changes, actor=actor, summary=f"修改试岗批次 {batch.name}")


# ---- placements ----------------------------------------------------------------------------


def _locks(values: dict[str, Any]) -> list[tuple]:
    """The rows a placement's rules hang on, always locked in this order (no deadlock)."""
    locks = [(Post, values["post_id"]), (Candidate, values["candidate_id"])]
    if values.get("batch_id"):
        locks.append((Batch, values["batch_id"]))
    return locks


def _draft(values: dict[str, Any], placement_id: int | None = None) -> rules.Draft:
    """Rows as they stand now that the write lock is held (not as an earlier read saw them)."""
    candidate = db.session.get(Candidate, values["candidate_id"], populate_existing=True)
    post = db.session.get(Post, values["post_id"], populate_existing=True)
    batch = db.session.get(Batch, values["batch_id"]) if values.get("batch_id") else None
    return rules.Draft(
        candidate=candidate,
        post=post,
        start_on=values["start_on"],
        end_on=values["end_on"],
        batch=batch,
        placement_id=placement_id,
    )


def _flush_placement(placement: Placement, draft: rules.Draft) -> None:
    """Flush in a savepoint: on PostgreSQL the exclusion constraint is the backstop for the
    candidate's overlap, and its violation becomes the same message as the check's."""
    try:
        with db.session.begin_nested():
            db.session.add(placement)
            db.session.flush()
    except IntegrityError as exc:
        if getattr(exc.orig, "sqlstate", None) != EXCLUSION_VIOLATION:
            raise
        clash = rules.overlap(draft.candidate.id, draft.start_on, draft.end_on, draft.placement_id)
        message = (
            rules.overlap_message(draft.candidate, clash)
            if clash is not None
            else f"{draft.candidate.name} 在这段时间已有试岗安排，同一时间只能安排一个试岗岗位"
        )
        raise RuleError({"candidate": message}) from exc


def create_placement(values: dict[str, Any], *, actor) -> Placement:
    """Place a candidate on a post; refused with the clash named when a rule says no."""
    begin_write(*_locks(values))
    draft = _draft(values)
    errors = rules.problems(draft)
    if errors:
        raise RuleError(errors)
    placement = Placement(
        township_id=draft.candidate.township_id,
        candidate_id=draft.candidate.id,
        created_by_id=getattr(actor, "id", None),
    )
    audit.apply(placement, values, PLACEMENT_FIELDS)
    _flush_placement(placement, draft)
    audit.created(
        "placement",
        placement,
        ("candidate_id", *PLACEMENT_FIELDS),
        actor=actor,
        summary=f"安排 {draft.candidate.name} 到 {draft.post.name} 试岗（{placement.period}）",
    )
    return placement


def _open(placement: Placement, today: dt.date, action: str) -> None:
    if placement.ended_on is not None:
        raise RuleError(f"该试岗已于 {placement.ended_on:%Y-%m-%d} 提前结束，不能再{action}。")
    if placement.grade:
        raise RuleError(f"该试岗已评价，不能再{action}。")


def update_placement(placement: Placement, values: dict[str, Any], *, actor) -> dict:
    values = values | {"candidate_id": placement.candidate_id}
    begin_write(*_locks(values))
    placement = db.session.get(Placement, placement.id, populate_existing=True)
    _open(placement, clock.today(), "修改")
    draft = _draft(values, placement_id=placement.id)
    errors = rules.problems(draft, check_post_open=values["post_id"] != placement.post_id)
    if errors:
        raise RuleError(errors)
    changes = audit.apply(placement, values, PLACEMENT_FIELDS)
    if changes:
        _flush_placement(placement, draft)  # the database's own clash check, named
    return audit.changed(
        "placement",
        placement,
        changes,
        actor=actor,
        summary=f"修改 {draft.candidate.name} 的试岗安排（{draft.post.name}，{placement.period}）",
    )


def _started(placement: Placement, today: dt.date, what: str) -> None:
    if today < placement.start_on:
        raise RuleError(f"该试岗 {placement.start_on:%Y-%m-%d} 才开始，开始后才能{what}。")


def record_report(placement: Placement, report: str, *, actor) -> dict:
    """The candidate's 心得体会, recorded by the clerk (or a secretary)."""
    _started(placement, clock.today(), "记录心得体会")
    return audit.changed(
        "placement",
        placement,
        audit.apply(placement, {"report": report}, ("report",)),
        action="report",
        actor=actor,
        summary=f"记录 {placement.candidate.name} 在 {placement.post.name} 的心得体会",
    )


def record_evaluation(
    placement: Placement, grade: str, comment: str, evaluated_on: dt.date, *, actor
) -> dict:
    """The supervisor's evaluation (优秀/合格/基本合格/不合格 and a comment)."""
    today = clock.today()
    _started(placement, today, "评价")
    if evaluated_on < placement.start_on or evaluated_on > today:
        raise RuleError(
            f"评价日期应在试岗开始（{placement.start_on:%Y-%m-%d}）之后、今天之前", "evaluated_on"
        )
    values = {
        "grade": grade,
        "evaluation": comment,
        "evaluated_on": evaluated_on,
        "evaluated_by_id": getattr(actor, "id", None),
    }
    return audit.changed(
        "placement",
        placement,
        audit.apply(placement, values, tuple(values)),
        action="evaluate",
        actor=actor,
        summary=f"评价 {placement.candidate.name} 在 {placement.post.name} 的试岗："
        f"{PlacementGrade.label_of(grade)}",
    )


def cut_short(placement: Placement, ended_on: dt.date, reason: str, *, actor) -> None:
    """End a placement before its planned end, with the reason; the post frees up after it."""
    today = clock.today()
    _open(placement, today, "提前结束")
    if today < placement.start_on:
        raise RuleError("该试岗尚未开始，如不再安排，请直接“取消安排”。", "ended_on")
    if ended_on < placement.start_on or ended_on >= placement.end_on:
        raise RuleError(
            f"实际结束日期应在 {placement.start_on:%Y-%m-%d} 至 "
            f"{placement.end_on - dt.timedelta(days=1):%Y-%m-%d} 之间"
            f"（计划 {placement.end_on:%Y-%m-%d} 结束）",
            "ended_on",
        )
    if ended_on > today:
        raise RuleError("实际结束日期不能晚于今天，请在结束后再登记。", "ended_on")
    placement.ended_on, placement.cut_reason = ended_on, reason
    db.session.flush()
    audit.record(
        "cut_short",
        "placement",
        placement.id,
        actor=actor,
        township_id=placement.township_id,
        summary=f"{placement.candidate.name} 在 {placement.post.name} 的试岗提前结束",
        changes={"ended_on": [None, ended_on.isoformat()], "cut_reason": [None, reason]},
    )


def cancel_placement(placement: Placement, *, actor) -> None:
    """Withdraw a placement that has not started; it leaves no trace but the audit entry."""
    if clock.today() >= placement.start_on:
        raise RuleError("已经开始的试岗不能取消；如已中止，请登记“提前结束”并写明原因。")
    audit.deleted(
        "placement",
        placement,
        actor=actor,
        summary=f"取消 {placement.candidate.name} 到 {placement.post.name} 的试岗安排"
        f"（{placement.period}）",
        changes=audit.diff(audit.snapshot(placement, ("candidate_id", *PLACEMENT_FIELDS)), {}),
    )
    db.session.delete(placement)
    db.session.flush()


# ---- rotation plans ------------------------------------------------------------------------


def save_plan(township_id: int, direction: str, months: dict[str, int], *, actor) -> dict:
    """Set a township's plan for one 培养方向: post kind -> minimum months (absent: none)."""
    rows = db.session.scalars(
        select(RotationPlanItem).where(
            RotationPlanItem.township_id == township_id, RotationPlanItem.direction == direction
        )
    ).all()
    before = {row.kind: row.min_months for row in rows}
    for row in rows:
        if row.kind not in months:
            db.session.delete(row)
        elif row.min_months != months[row.kind]:
            row.min_months = months[row.kind]
    for kind, value in months.items():
        if kind not in before:
            db.session.add(
                RotationPlanItem(
                    township_id=township_id, direction=direction, kind=kind, min_months=value
                )
            )
    changes = {
        PostKind.label_of(kind): [before.get(kind), months.get(kind)]
        for kind in {*before, *months}
        if before.get(kind) != months.get(kind)
    }
    if changes:
        db.session.flush()
        audit.record(
            "update",
            "rotation_plan",
            None,
            actor=actor,
            township_id=township_id,
            summary=f"设置轮岗计划：{Direction.label_of(direction)}",
            changes=changes,
        )
    return changes
