"""Reading what clerks typed into the posts area's forms: normalised values and a Chinese
message per field that is wrong. Nothing is written here; the clash rules (overlap, capacity,
own village) live in ``rules`` and run inside the writing transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select

from app.core import clock
from app.core.checks import Checked  # noqa: F401  (re-exported: views use checks.Checked)
from app.core.codes import Direction, PlacementGrade, PostKind
from app.core.normalize import (
    InputError,
    clean_multiline,
    clean_text,
    parse_date,
    parse_id,
    parse_int,
)
from app.core.scoping import scoped
from app.extensions import db
from app.places.models import Township, Village
from app.posts.models import Batch, Post

MAX_CAPACITY = 50
MAX_PLAN_MONTHS = 36


def _text(raw: Any, limit: int, label: str, key: str, out: Checked, *, required=False) -> str:
    value = clean_text(raw)
    if required and not value:
        out.errors[key] = f"请填写{label}"
    elif len(value) > limit:
        out.errors[key] = f"{label}过长，最多 {limit} 个字"
    return value


def _long_text(raw: Any, limit: int, label: str, key: str, out: Checked, *, required=False):
    value = clean_multiline(raw)
    if required and not value:
        out.errors[key] = f"请填写{label}"
    elif len(value) > limit:
        out.errors[key] = f"{label}过长，最多 {limit} 个字（现有 {len(value)} 个字）"
    return value


def _date(raw: Any, label: str, key: str, out: Checked, *, required=True) -> dt.date | None:
    try:
        value = parse_date(raw, label=label)
    except InputError as exc:
        out.errors[key] = str(exc)
        return None
    if value is None and required:
        out.errors[key] = f"请填写{label}，如 2024-03-01"
    return value


def township_for(raw: Any, user, out: Checked) -> int | None:
    """The township a new record belongs to: the user's own, or the one a county user chose."""
    if user.township_id is not None:
        return user.township_id
    township_id = parse_id(raw)
    if township_id is None or db.session.get(Township, township_id) is None:
        out.errors["township_id"] = "请选择乡镇"
        return None
    return township_id


# ---- posts ---------------------------------------------------------------------------------


def check_post(raw: dict[str, Any], *, user, post: Post | None = None) -> Checked:
    out = Checked()
    values = out.values
    township_id = post.township_id if post else township_for(raw.get("township_id"), user, out)
    values["township_id"] = township_id

    kind = PostKind.lookup(raw.get("kind"))
    if kind is None:
        out.errors["kind"] = "请选择岗位类别"
    values["kind"] = kind.value if kind else None
    values["name"] = _text(raw.get("name"), 60, "岗位名称", "name", out, required=True)
    values["host"] = _text(raw.get("host"), 100, "所在单位", "host", out)
    values["supervisor"] = _text(raw.get("supervisor"), 60, "带岗人", "supervisor", out)
    values["duties"] = _long_text(raw.get("duties"), 2000, "岗位职责", "duties", out)
    values["is_active"] = bool(raw.get("is_active"))
    try:
        capacity = parse_int(raw.get("capacity"), label="容量")
        if capacity is None:
            out.errors["capacity"] = "请填写容量（同一时间最多安排几人）"
        elif not 1 <= capacity <= MAX_CAPACITY:
            out.errors["capacity"] = f"容量应在 1 到 {MAX_CAPACITY} 人之间"
        values["capacity"] = capacity
    except InputError as exc:
        out.errors["capacity"] = str(exc)

    values["host_village_id"] = None
    if kind == PostKind.cross_village:
        village_id = parse_id(raw.get("host_village_id"))
        village = db.session.get(Village, village_id) if village_id else None
        if village is None or (township_id is not None and village.township_id != township_id):
            out.errors["host_village_id"] = "跨村任职岗位请选择任职的村（须为本乡镇的村）"
        else:
            values["host_village_id"] = village.id
            values["host"] = values["host"] or village.name

    if township_id is not None and values["name"] and "name" not in out.errors:
        clash = db.session.scalar(
            select(Post.id).where(Post.township_id == township_id, Post.name == values["name"])
        )
        if clash is not None and (post is None or clash != post.id):
            out.errors["name"] = f"本乡镇已有岗位“{values['name']}”，请换一个名称"
    return out


# ---- batches -------------------------------------------------------------------------------


def check_batch(raw: dict[str, Any], *, user, batch: Batch | None = None) -> Checked:
    out = Checked()
    values = out.values
    township_id = batch.township_id if batch else township_for(raw.get("township_id"), user, out)
    values["township_id"] = township_id
    values["name"] = _text(raw.get("name"), 100, "批次名称", "name", out, required=True)
    values["start_on"] = _date(raw.get("start_on"), "开始日期", "start_on", out)
    values["end_on"] = _date(raw.get("end_on"), "结束日期", "end_on", out)
    values["notes"] = _long_text(raw.get("notes"), 2000, "说明", "notes", out)
    start, end = values["start_on"], values["end_on"]
    if start and end and end < start:
        out.errors["end_on"] = f"结束日期（{end:%Y-%m-%d}）不能早于开始日期（{start:%Y-%m-%d}）"
    if township_id is not None and values["name"] and "name" not in out.errors:
        clash = db.session.scalar(
            select(Batch.id).where(Batch.township_id == township_id, Batch.name == values["name"])
        )
        if clash is not None and (batch is None or clash != batch.id):
            out.errors["name"] = f"本乡镇已有批次“{values['name']}”，请换一个名称"
    return out


# ---- placements ----------------------------------------------------------------------------


def check_placement(raw: dict[str, Any], *, user, candidate=None, placement=None) -> Checked:
    """Read the placement form of ``candidate`` (picked before the form, in scope); a changed
    placement keeps its own."""
    out = Checked()
    values = out.values
    values["candidate_id"] = placement.candidate_id if placement is not None else candidate.id

    post_id = parse_id(raw.get("post_id"))
    post = db.session.scalars(scoped(Post, user).where(Post.id == post_id)).first()
    if post is None:
        out.errors["post_id"] = "请选择试岗岗位"
    values["post_id"] = post.id if post else None

    batch_id = parse_id(raw.get("batch_id"))
    batch = None
    if batch_id is not None:
        batch = db.session.scalars(scoped(Batch, user).where(Batch.id == batch_id)).first()
        if batch is None:
            out.errors["batch_id"] = "所选批次不存在，请重新选择"
    values["batch_id"] = batch.id if batch else None

    values["start_on"] = _date(raw.get("start_on"), "开始日期", "start_on", out)
    values["end_on"] = _date(raw.get("end_on"), "结束日期", "end_on", out)
    values["goal"] = _long_text(
        raw.get("goal"), 2000, "学习交流目标（试岗前须明确）", "goal", out, required=True
    )
    return out


def check_report(raw: dict[str, Any]) -> Checked:
    out = Checked()
    out.values["report"] = _long_text(
        raw.get("report"), 5000, "心得体会", "report", out, required=True
    )
    return out


def check_evaluation(raw: dict[str, Any]) -> Checked:
    out = Checked()
    grade = PlacementGrade.lookup(raw.get("grade"))
    if grade is None:
        out.errors["grade"] = "请选择评价等次：优秀、合格、基本合格或不合格"
    out.values["grade"] = grade.value if grade else None
    out.values["evaluation"] = _long_text(
        raw.get("evaluation"), 2000, "评价意见", "evaluation", out
    )
    if grade in (PlacementGrade.basic_pass, PlacementGrade.fail) and not out.values["evaluation"]:
        out.errors["evaluation"] = f"评为“{grade.label}”时请写明评价意见，说明不足之处"
    out.values["evaluated_on"] = _date(
        raw.get("evaluated_on"), "评价日期", "evaluated_on", out, required=False
    ) or (None if "evaluated_on" in out.errors else clock.today())
    return out


def check_cut(raw: dict[str, Any]) -> Checked:
    out = Checked()
    out.values["ended_on"] = _date(raw.get("ended_on"), "实际结束日期", "ended_on", out)
    out.values["cut_reason"] = _long_text(
        raw.get("cut_reason"), 1000, "提前结束的原因", "cut_reason", out, required=True
    )
    return out


# ---- rotation plans ------------------------------------------------------------------------


def check_plan(raw: dict[str, Any]) -> Checked:
    """Months per post kind for one 培养方向; blank or 0 means not required."""
    out = Checked()
    direction = Direction.lookup(raw.get("direction"))
    if direction is None:
        out.errors["direction"] = "请选择培养方向"
    out.values["direction"] = direction.value if direction else None
    months: dict[str, int] = {}
    for kind in PostKind:
        key = f"months_{kind.value}"
        try:
            value = parse_int(raw.get(key), label=f"{kind.label}月数")
        except InputError as exc:
            out.errors[key] = str(exc)
            continue
        if value is None or value == 0:
            continue
        if not 1 <= value <= MAX_PLAN_MONTHS:
            out.errors[key] = f"月数应在 0 到 {MAX_PLAN_MONTHS} 之间（0 或不填表示不要求）"
            continue
        months[kind.value] = value
    out.values["months"] = months
    return out


def count_of(stmt) -> int:
    return db.session.scalar(stmt.with_only_columns(func.count(), maintain_column_froms=True))
