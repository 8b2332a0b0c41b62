"""Trial-post rotations (试岗锻炼): posts, batches, placements, the due list, rotation plans."""

from __future__ import annotations

import datetime as dt
import re

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.core import clock
from app.core.codes import Direction, PlacementGrade, PlacementState, PostKind
from app.core.forms import EmptyForm
from app.core.normalize import parse_id
from app.core.paging import count
from app.core.scoping import (
    DECIDERS,
    ENTERERS,
    EVERYONE,
    get_or_404,
    require_login,
    role_required,
    scoped,
)
from app.core.sections import TimelineEvent
from app.core.views import committed, form_page, save_checked
from app.extensions import db
from app.places.models import Township
from app.places.queries import township_choices, village_choices
from app.posts import checks, operations, queries, rules
from app.posts.forms import (
    BatchForm,
    CutForm,
    EvaluationForm,
    PlacementForm,
    PlanForm,
    PostForm,
    ReportForm,
)
from app.posts.models import Batch, Placement, Post
from app.roster.models import Candidate
from app.roster.picking import pick_page

bp = Blueprint("posts", __name__)
require_login(bp)


@bp.context_processor
def _roles():
    role = current_user.role if current_user.is_authenticated else None
    return {
        "may_edit": role in ENTERERS,  # posts, batches, placements
        "may_assess": role in EVERYONE,  # reports and evaluations
        "may_plan": role in DECIDERS,  # rotation plans: the township party committee decides
        "PlacementState": PlacementState,
    }


def _township_id() -> int | None:
    """The township a page is about: the user's own, or the one a county user picked."""
    if current_user.township_id is not None:
        return current_user.township_id
    chosen = parse_id(request.args.get("township"))
    if chosen and db.session.get(Township, chosen) is not None:
        return chosen
    return None


def _county_townships() -> list[tuple[int, str]] | None:
    return township_choices(current_user) if current_user.is_county_level else None


def _rendered(template: str, status: int, **context):
    return render_template(template, **context), status


# ---- posts ---------------------------------------------------------------------------------


@bp.get("/")
def index():
    today = clock.today()
    township_id = _township_id()
    if township_id is None:
        return render_template("posts/townships.html", rows=_township_overview(today))
    posts = db.session.scalars(queries.posts_of(current_user, township_id)).unique().all()
    occupancy = queries.occupancy_on([p.id for p in posts], today)
    by_kind = {kind: [p for p in posts if p.kind == kind] for kind in PostKind}
    due_total = count(
        queries.due_to_end(current_user, today).where(Placement.township_id == township_id)
    )
    return render_template(
        "posts/index.html",
        township=db.session.get(Township, township_id),
        by_kind=by_kind,
        occupancy=occupancy,
        due_total=due_total,
        today=today,
    )


def _township_overview(today: dt.date) -> list[dict]:
    """County users first pick a township: each with its posts and who is placed today."""
    posts = dict(
        db.session.execute(select(Post.township_id, func.count()).group_by(Post.township_id)).all()
    )
    placed = dict(
        db.session.execute(
            select(Placement.township_id, func.count())
            .where(Placement.start_on <= today, rules.effective_end() >= today)
            .group_by(Placement.township_id)
        ).all()
    )
    return [
        {"id": tid, "name": name, "posts": posts.get(tid, 0), "placed": placed.get(tid, 0)}
        for tid, name in township_choices(current_user)
    ]


def _post_form(post: Post | None) -> PostForm:
    form = PostForm(obj=post if request.method == "GET" else None)
    form.set_townships(_county_townships() if post is None else None)
    township_id = post.township_id if post else current_user.township_id
    form.set_villages(village_choices(current_user, township_id), township_id is None)
    if post is not None and request.method == "GET":
        form.host_village_id.data = str(post.host_village_id or "")
        form.capacity.data = str(post.capacity)
    if post is None and request.method == "GET":
        chosen = _township_id()
        if chosen and "township_id" in form:
            form.township_id.data = str(chosen)
        if request.args.get("kind") in PostKind.__members__:
            form.kind.data = request.args["kind"]
    return form


@bp.route("/new", methods=["GET", "POST"])
@role_required(*ENTERERS)
def new_post():
    return form_page(
        _post_form(None),
        "posts/post_edit.html",
        check=lambda: checks.check_post(request.form, user=current_user),
        write=lambda values: operations.create_post(values, actor=current_user),
        done=lambda post: f"已新增岗位 {post.name}。",
        then=lambda post: url_for("posts.post", post_id=post.id),
        post=None,
    )


@bp.route("/<int:post_id>/edit", methods=["GET", "POST"])
@role_required(*ENTERERS)
def edit_post(post_id: int):
    post = get_or_404(scoped(Post), post_id)
    return form_page(
        _post_form(post),
        "posts/post_edit.html",
        check=lambda: checks.check_post(request.form, user=current_user, post=post),
        write=lambda values: operations.update_post(post, values, actor=current_user),
        record=post,
        done="已保存岗位信息。",
        then=lambda _: url_for("posts.post", post_id=post_id),
        post=post,
    )


_MONTH = re.compile(r"(\d{4})-(\d{1,2})")


@bp.get("/<int:post_id>")
def post(post_id: int):
    post = get_or_404(scoped(Post).options(joinedload(Post.host_village)), post_id)
    today = clock.today()
    first = queries.month_start(today, -5)
    match = _MONTH.fullmatch(request.args.get("from", ""))
    if match and 2000 <= int(match.group(1)) <= 2100 and 1 <= int(match.group(2)) <= 12:
        first = dt.date(int(match.group(1)), int(match.group(2)), 1)
    placements = queries.placements_of_post(post)
    return render_template(
        "posts/post.html",
        post=post,
        placements=placements,
        grid=queries.month_grid(post, placements, first, today),
        holding=sum(1 for p in placements if p.holds_on(today)),
        earlier=queries.month_start(first, -12),
        later=queries.month_start(first, 12),
        today=today,
    )


# ---- batches -------------------------------------------------------------------------------


@bp.get("/batches")
def batches():
    today = clock.today()
    township_id = _township_id()
    rows = db.session.scalars(queries.batches_of(current_user, township_id)).all()
    return render_template(
        "posts/batches.html",
        batches=rows,
        counts=queries.batch_counts([b.id for b in rows], today),
        township=db.session.get(Township, township_id) if township_id else None,
        townships=_county_townships(),
        states=PlacementState,
        today=today,
    )


def _batch_form(batch: Batch | None) -> BatchForm:
    form = BatchForm(obj=batch if request.method == "GET" else None)
    form.set_townships(_county_townships() if batch is None else None)
    if batch is not None and request.method == "GET":
        form.start_on.data = batch.start_on.isoformat()
        form.end_on.data = batch.end_on.isoformat()
    elif batch is None and request.method == "GET" and "township_id" in form:
        form.township_id.data = str(_township_id() or "")
    return form


@bp.route("/batches/new", methods=["GET", "POST"])
@role_required(*ENTERERS)
def new_batch():
    return form_page(
        _batch_form(None),
        "posts/batch_edit.html",
        check=lambda: checks.check_batch(request.form, user=current_user),
        write=lambda values: operations.create_batch(values, actor=current_user),
        done=lambda batch: f"已新增批次 {batch.name}。",
        then=lambda batch: url_for("posts.batch", batch_id=batch.id),
        batch=None,
    )


@bp.route("/batches/<int:batch_id>/edit", methods=["GET", "POST"])
@role_required(*ENTERERS)
def edit_batch(batch_id: int):
    batch = get_or_404(scoped(Batch), batch_id)
    return form_page(
        _batch_form(batch),
        "posts/batch_edit.html",
        check=lambda: checks.check_batch(request.form, user=current_user, batch=batch),
        write=lambda values: operations.update_batch(batch, values, actor=current_user),
        record=batch,
        done="已保存批次信息。",
        then=lambda _: url_for("posts.batch", batch_id=batch_id),
        batch=batch,
    )


@bp.get("/batches/<int:batch_id>")
def batch(batch_id: int):
    batch = get_or_404(scoped(Batch), batch_id)
    today = clock.today()
    placements = queries.placements_of_batch(batch)
    counts = dict.fromkeys(tuple(PlacementState), 0)
    for placement in placements:
        counts[placement.state(today)] += 1
    return render_template(
        "posts/batch.html", batch=batch, placements=placements, counts=counts, today=today
    )


# ---- placements ----------------------------------------------------------------------------


def _placement_form(township_id: int | None, placement: Placement | None = None):
    form = PlacementForm(obj=placement if request.method == "GET" else None)
    if placement is not None:
        del form.candidate  # a placement keeps its candidate
    posts = db.session.scalars(
        queries.posts_of(current_user, township_id).where(
            Post.is_active.is_(True) | (Post.id == (placement.post_id if placement else -1))
        )
    ).unique()
    form.set_posts(posts, township_id is None)
    form.set_batches(
        db.session.scalars(queries.batches_of(current_user, township_id)), township_id is None
    )
    return form


@bp.route("/placements/new", methods=["GET", "POST"])
@role_required(*ENTERERS)
def new_placement():
    candidate_id, post_id, batch_id = (
        parse_id(request.args.get(key)) for key in ("candidate", "post", "batch")
    )
    candidate = post = batch = None
    if candidate_id:
        candidate = get_or_404(
            scoped(Candidate).options(joinedload(Candidate.village)), candidate_id
        )
    if post_id:
        post = get_or_404(scoped(Post), post_id)
    if batch_id:
        batch = get_or_404(scoped(Batch), batch_id)
    if candidate is None:
        return pick_page(
            "安排试岗",
            rules.PLACEABLE,
            param="candidate",
            choose="安排试岗",
            township_id=next((x.township_id for x in (post, batch) if x), _township_id()),
            keep={
                "post": post_id,
                "batch": batch_id,
                "township": parse_id(request.args.get("township")),
            },
        )
    form = _placement_form(candidate.township_id)
    form.candidate.data = f"{candidate.name}（{candidate.village.name}）"
    if request.method == "GET":
        if post is not None:
            form.post_id.data = str(post.id)
        if batch is not None:
            form.batch_id.data = str(batch.id)
            form.start_on.data, form.end_on.data = (
                batch.start_on.isoformat(),
                batch.end_on.isoformat(),
            )
    return form_page(
        form,
        "posts/placement_edit.html",
        check=lambda: checks.check_placement(request.form, user=current_user, candidate=candidate),
        write=lambda values: operations.create_placement(values, actor=current_user),
        done=lambda p: f"已安排 {p.candidate.name} 到 {p.post.name} 试岗（{p.period}）。",
        then=lambda p: url_for("posts.placement", placement_id=p.id),
        placement=None,
        candidate=candidate,
    )


def _placement(placement_id: int) -> Placement:
    return get_or_404(queries.scoped_placement(current_user), placement_id)


@bp.route("/placements/<int:placement_id>/edit", methods=["GET", "POST"])
@role_required(*ENTERERS)
def edit_placement(placement_id: int):
    placement = _placement(placement_id)
    if placement.ended_on is not None or placement.grade:
        flash("已结束或已评价的试岗不能再修改安排。", "warning")
        return redirect(url_for("posts.placement", placement_id=placement_id))
    form = _placement_form(placement.township_id, placement)
    if request.method == "GET":
        form.post_id.data, form.batch_id.data = (
            str(placement.post_id),
            str(placement.batch_id or ""),
        )
        form.start_on.data = placement.start_on.isoformat()
        form.end_on.data = placement.end_on.isoformat()
    if form.validate_on_submit():
        if save_checked(
            form,
            checks.check_placement(request.form, user=current_user, placement=placement),
            lambda values: operations.update_placement(placement, values, actor=current_user),
            record=placement,
        ):
            flash("已保存试岗安排。", "success")
            return redirect(url_for("posts.placement", placement_id=placement_id))
    status = 422 if form.errors or form.form_errors else 200
    return _rendered(
        "posts/placement_edit.html",
        status,
        form=form,
        placement=placement,
        candidate=placement.candidate,
    )


def _placement_page(placement: Placement, status: int = 200, **forms):
    today = clock.today()
    report = forms.get("report") or ReportForm(report=placement.report)
    evaluation = forms.get("evaluation") or EvaluationForm(
        grade=placement.grade or "",
        evaluation=placement.evaluation,
        evaluated_on=(placement.evaluated_on or today).isoformat(),
    )
    cut = forms.get("cut") or CutForm(
        ended_on=min(today, placement.end_on - dt.timedelta(days=1)).isoformat()
    )
    return _rendered(
        "posts/placement.html",
        status,
        placement=placement,
        state=placement.state(today),
        report_form=report,
        evaluation_form=evaluation,
        cut_form=cut,
        cancel_form=EmptyForm(),
        grades=PlacementGrade,
        today=today,
    )


@bp.get("/placements/<int:placement_id>")
def placement(placement_id: int):
    return _placement_page(_placement(placement_id))


def _placement_action(placement_id: int, form, name: str, check, action, done: str):
    placement = _placement(placement_id)
    if not form.validate_on_submit():
        abort(400)
    if save_checked(form, check(request.form), lambda values: action(placement, values)):
        flash(done, "success")
        return redirect(url_for("posts.placement", placement_id=placement_id, _anchor="ending"))
    return _placement_page(_placement(placement_id), 422, **{name: form})


@bp.post("/placements/<int:placement_id>/report")
@role_required(*EVERYONE)
def report(placement_id: int):
    return _placement_action(
        placement_id,
        ReportForm(),
        "report",
        checks.check_report,
        lambda p, v: operations.record_report(p, v["report"], actor=current_user),
        "已保存心得体会。",
    )


@bp.post("/placements/<int:placement_id>/evaluate")
@role_required(*EVERYONE)
def evaluate(placement_id: int):
    return _placement_action(
        placement_id,
        EvaluationForm(),
        "evaluation",
        checks.check_evaluation,
        lambda p, v: operations.record_evaluation(
            p, v["grade"], v["evaluation"], v["evaluated_on"], actor=current_user
        ),
        "已保存评价。",
    )


@bp.post("/placements/<int:placement_id>/cut")
@role_required(*ENTERERS)
def cut(placement_id: int):
    return _placement_action(
        placement_id,
        CutForm(),
        "cut",
        checks.check_cut,
        lambda p, v: operations.cut_short(p, v["ended_on"], v["cut_reason"], actor=current_user),
        "已登记提前结束。",
    )


@bp.post("/placements/<int:placement_id>/cancel")
@role_required(*ENTERERS)
def cancel(placement_id: int):
    placement = _placement(placement_id)
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    candidate_id, name = placement.candidate_id, placement.candidate.name
    refusal = committed(lambda: operations.cancel_placement(placement, actor=current_user))
    if refusal is not None:
        flash(refusal.message, "danger")
        return _placement_page(_placement(placement_id), 422)
    flash(f"已取消 {name} 的试岗安排。", "success")
    return redirect(url_for("roster.detail", candidate_id=candidate_id, _anchor="placements"))


# ---- due to end ----------------------------------------------------------------------------

DUE_LIMIT = 500


@bp.get("/due")
def due():
    today = clock.today()
    township_id = _township_id()

    def listed(stmt):
        if township_id is not None:
            stmt = stmt.where(Placement.township_id == township_id)
        return (
            db.session.scalars(
                stmt.options(
                    joinedload(Placement.candidate).joinedload(Candidate.village),
                    joinedload(Placement.post),
                )
                .order_by(Placement.end_on, Placement.id)
                .limit(DUE_LIMIT)
            )
            .unique()
            .all()
        )

    return render_template(
        "posts/due.html",
        due=listed(queries.due_to_end(current_user, today)),
        waiting=listed(queries.awaiting_evaluation(current_user, today)),
        days=queries.DUE_DAYS,
        limit=DUE_LIMIT,
        township=db.session.get(Township, township_id) if township_id else None,
        townships=_county_townships(),
        today=today,
    )


# ---- rotation plans ------------------------------------------------------------------------


def _plan_forms(township_id: int, posted: tuple[str, PlanForm] | None = None):
    current: dict[str, dict[str, int]] = {}
    for item in queries.plan_items(current_user, township_id):
        current.setdefault(item.direction, {})[item.kind] = item.min_months
    forms = []
    for direction in Direction:
        if posted and posted[0] == direction.value:
            form = posted[1]
        else:
            form = PlanForm(prefix=direction.value, formdata=None)
            for kind in PostKind:
                form[f"months_{kind.value}"].data = str(
                    current.get(direction.value, {}).get(kind.value, "")
                )
        forms.append((direction, form))
    return forms


@bp.get("/plans")
def plans():
    township_id = _township_id()
    if township_id is None:
        return render_template("posts/plans.html", township=None, townships=_county_townships())
    return render_template(
        "posts/plans.html",
        township=db.session.get(Township, township_id),
        plan_forms=_plan_forms(township_id),
        townships=_county_townships(),
    )


@bp.post("/plans/<direction>")
@role_required(*DECIDERS)
def save_plan(direction: str):
    if Direction.lookup(direction) is None or Direction.lookup(direction).value != direction:
        abort(404)
    township_id = _township_id()
    if township_id is None:
        abort(404)
    form = PlanForm(prefix=direction)
    if not form.validate_on_submit():
        abort(400)
    raw = {"direction": direction} | {
        f"months_{k.value}": form[f"months_{k.value}"].data for k in PostKind
    }
    if save_checked(
        form,
        checks.check_plan(raw),
        lambda values: operations.save_plan(
            township_id, direction, values["months"], actor=current_user
        ),
    ):
        flash(f"已保存“{Direction.label_of(direction)}”的轮岗计划。", "success")
        return redirect(url_for("posts.plans", township=request.args.get("township")))
    return _rendered(
        "posts/plans.html",
        422,
        township=db.session.get(Township, township_id),
        plan_forms=_plan_forms(township_id, (direction, form)),
        townships=_county_townships(),
    )


# ---- the candidate page --------------------------------------------------------------------


def _candidate_placements(candidate: Candidate) -> list[Placement]:
    """One read per request, shared by the candidate page's section and its timeline."""
    cache = g.setdefault("posts_placements", {})
    if candidate.id not in cache:
        cache[candidate.id] = queries.placements_of_candidate(candidate.id)
    return cache[candidate.id]


def candidate_section(candidate: Candidate, user) -> dict:
    today = clock.today()
    placements = _candidate_placements(candidate)
    requirements = queries.requirements_for(candidate.township_id, candidate.direction)
    lines = rules.plan_progress(requirements, placements, today)
    return {
        "placements": placements,
        "plan": lines,
        "plan_complete": bool(lines) and all(line.complete for line in lines),
        "placeable": candidate.status in rules.PLACEABLE,
        "may_place": user.role in ENTERERS,
        "current": next((p for p in placements if p.holds_on(today)), None),
    }


def placement_timeline(candidate: Candidate, user) -> list[TimelineEvent]:
    today = clock.today()
    events = []
    for p in _candidate_placements(candidate):
        url = url_for("posts.placement", placement_id=p.id)
        planned = "（计划）" if today < p.start_on else ""
        events.append(
            TimelineEvent(
                on=p.start_on,
                kind="试岗",
                title=f"{p.post.name}{planned}",
                detail=f"{p.post.kind_label} · {p.start_on:%Y-%m-%d} 至 {p.end_on:%Y-%m-%d}"
                + (f" · {p.batch.name}" if p.batch else "")
                + (f"\n目标：{p.goal}" if p.goal else ""),
                url=url,
                sort_key=f"p{p.id:012d}a",
            )
        )
        if p.ended_on is not None:
            events.append(
                TimelineEvent(
                    on=p.ended_on,
                    kind="试岗",
                    title=f"提前结束：{p.post.name}",
                    detail=p.cut_reason,
                    url=url,
                    sort_key=f"p{p.id:012d}b",
                )
            )
        if p.grade and p.evaluated_on:
            events.append(
                TimelineEvent(
                    on=p.evaluated_on,
                    kind="试岗",
                    title=f"试岗评价：{p.grade_label}（{p.post.name}）",
                    detail=p.evaluation,
                    url=url,
                    sort_key=f"p{p.id:012d}c",
                )
            )
    return events
