"""Reading what clerks typed into the posts area's forms: normalised values and a Chinese
message per field that is wrong. Nothing is written here; the clash rules (overlap, capacity,
own village) live in ``rules`` and run inside the writing transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.core import clock
from app.core.checks import Checked
from app.core.codes import Direction, PlacementGrade, PostKind
from app.core.reader import Reader
from app.core.scoping import scoped
from app.extensions import db
from app.places.models import Township, Village
from app.posts.models import Batch, Post

MAX_CAPACITY = 50
MAX_PLAN_MONTHS = 36
TEXT_LIMIT = 2000


def township_for(r: Reader, user) -> int | None:
    """The township a new record belongs to: the user's own, or the one a county user chose."""
    if user.township_id is not None:
        return user.township_id
    township = r.record("township_id", "乡镇", lambda ident: db.session.get(Township, ident))
    return township.id if township else None


# ---- posts ---------------------------------------------------------------------------------


def check_post(raw: dict[str, Any], *, user, post: Post | None = None) -> Checked:
    r = Reader(raw)
    township_id = post.township_id if post else township_for(r, user)
    r.values["township_id"] = township_id
    kind = r.choice("kind", PostKind, "岗位类别")
    name = r.text("name", "岗位名称", limit=60)
    r.text("host", "所在单位", limit=100, required=False)
    r.text("supervisor", "带岗人", limit=60, required=False)
    r.text("duties", "岗位职责", limit=TEXT_LIMIT, required=False, multiline=True)
    r.flag("is_active")
    r.integer("capacity", "容量", between=(1, MAX_CAPACITY))

    r.values["host_village_id"] = None
    if kind == PostKind.cross_village:

        def own_village(ident: int) -> Village | None:
            village = db.session.get(Village, ident)
            if village is None or township_id is None or village.township_id == township_id:
                return village
            return None

        village = r.record(
            "host_village_id", "任职的村", own_village, hint="（跨村任职岗位须为本乡镇的村）"
        )
        if village is not None:
            r.values["host"] = r.values["host"] or village.name

    if township_id is not None and name:
        clash = db.session.scalar(
            select(Post.id).where(Post.township_id == township_id, Post.name == name)
        )
        if clash is not None and (post is None or clash != post.id):
            r.fail("name", f"本乡镇已有岗位“{name}”，请换一个名称")
    return r.checked()


# ---- batches -------------------------------------------------------------------------------


def check_batch(raw: dict[str, Any], *, user, batch: Batch | None = None) -> Checked:
    r = Reader(raw)
    township_id = batch.township_id if batch else township_for(r, user)
    r.values["township_id"] = township_id
    name = r.text("name", "批次名称", limit=100)
    r.date("start_on", "开始日期")
    r.date("end_on", "结束日期")
    r.span("start_on", "end_on")
    r.text("notes", "说明", limit=TEXT_LIMIT, required=False, multiline=True)
    if township_id is not None and name:
        clash = db.session.scalar(
            select(Batch.id).where(Batch.township_id == township_id, Batch.name == name)
        )
        if clash is not None and (batch is None or clash != batch.id):
            r.fail("name", f"本乡镇已有批次“{name}”，请换一个名称")
    return r.checked()


# ---- placements ----------------------------------------------------------------------------


def check_placement(raw: dict[str, Any], *, user, candidate=None, placement=None) -> Checked:
    """Read the placement form of ``candidate`` (picked before the form, in scope); a changed
    placement keeps its own."""
    r = Reader(raw)
    r.values["candidate_id"] = placement.candidate_id if placement is not None else candidate.id

    def scoped_one(model):
        return lambda ident: db.session.scalars(
            scoped(model, user).where(model.id == ident)
        ).first()

    r.record("post_id", "试岗岗位", scoped_one(Post))
    r.record("batch_id", "批次", scoped_one(Batch), required=False)
    r.date("start_on", "开始日期")
    r.date("end_on", "结束日期")
    r.text("goal", "学习交流目标（试岗前须明确）", limit=TEXT_LIMIT, multiline=True)
    return r.checked()


def check_report(raw: dict[str, Any]) -> Checked:
    r = Reader(raw)
    r.text("report", "心得体会", limit=5000, multiline=True)
    return r.checked()


def check_evaluation(raw: dict[str, Any]) -> Checked:
    r = Reader(raw)
    grade = r.choice("grade", PlacementGrade, "评价等次")
    evaluation = r.text("evaluation", "评价意见", limit=TEXT_LIMIT, required=False, multiline=True)
    if grade in (PlacementGrade.basic_pass, PlacementGrade.fail) and evaluation == "":
        r.fail("evaluation", f"评为“{grade.label}”时请写明评价意见，说明不足之处")
    r.date("evaluated_on", "评价日期", default=clock.today())
    return r.checked()


def check_cut(raw: dict[str, Any]) -> Checked:
    r = Reader(raw)
    r.date("ended_on", "实际结束日期")
    r.text("cut_reason", "提前结束的原因", limit=1000, multiline=True)
    return r.checked()


# ---- rotation plans ------------------------------------------------------------------------


def check_plan(raw: dict[str, Any]) -> Checked:
    """Months per post kind for one 培养方向; blank or 0 means not required."""
    r = Reader(raw)
    r.choice("direction", Direction, "培养方向")
    months: dict[str, int] = {}
    for kind in PostKind:
        value = r.integer(
            f"months_{kind.value}",
            f"{kind.label}月数",
            required=False,
            between=(0, MAX_PLAN_MONTHS),
        )
        if value:
            months[kind.value] = value
    r.values["months"] = months
    return r.checked()
