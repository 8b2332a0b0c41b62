"""Mentor pairings (结对帮带) and village pairings: thin views over checks and operations."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from app.core import clock
from app.core.forms import EmptyForm
from app.core.normalize import clean_text, parse_id
from app.core.scoping import (
    ENTERERS,
    get_or_404,
    may_see_township,
    require_login,
    restrict,
    role_required,
    scoped,
)
from app.core.views import committed, form_page, render_form, save_checked
from app.mentoring import checks, operations, queries
from app.mentoring.forms import (
    ActivityForm,
    EndPairingForm,
    MentorForm,
    PairingForm,
    VillagePairingForm,
)
from app.mentoring.models import Mentor, MentoringActivity, Pairing, VillagePairing
from app.places.models import Village
from app.places.queries import township_choices, village_choices
from app.roster.models import Candidate
from app.roster.picking import pick_page

bp = Blueprint("mentoring", __name__)
require_login(bp)


def _may_write() -> bool:
    return current_user.role in ENTERERS


# ---- pairings --------------------------------------------------------------------------------


@bp.get("/")
def index():
    today = clock.today()
    filters = queries.PairingFilters.from_args(request.args)
    page = queries.pairing_page(current_user, filters, today)
    return render_template(
        "mentoring/index.html",
        page=page,
        filters=filters,
        counts=queries.activity_counts([p.id for p in page.items]),
        state_counts=queries.state_counts(current_user, today),
        states=queries.STATES,
        townships=township_choices(current_user),
        today=today,
        may_write=_may_write(),
    )


@bp.get("/stale")
def stale():
    today = clock.today()
    filters = queries.PairingFilters.from_args(request.args)
    filters.state = "stale"
    page = queries.pairing_page(current_user, filters, today)
    return render_template(
        "mentoring/stale.html",
        page=page,
        filters=filters,
        counts=queries.activity_counts([p.id for p in page.items]),
        townships=township_choices(current_user),
        cutoff=queries.stale_cutoff(today),
        today=today,
    )


def _pairing(pairing_id: int) -> Pairing:
    stmt = scoped(Pairing).options(
        joinedload(Pairing.candidate).joinedload(Candidate.village),
        joinedload(Pairing.mentor),
        selectinload(Pairing.activities).joinedload(MentoringActivity.created_by),
    )
    return get_or_404(stmt, pairing_id)


def _pairing_page(pairing: Pairing, activity_form=None):
    today = clock.today()
    form = activity_form or ActivityForm(formdata=None, held_on=today.isoformat())
    status = 422 if activity_form is not None else 200
    return render_template(
        "mentoring/pairing.html",
        pairing=pairing,
        activity_form=form,
        delete_form=EmptyForm(),
        today=today,
        hours=sum(a.hours for a in pairing.activities),
        # A county user may pair a mentor of another township: its page is not the reader's.
        mentor_link=not pairing.mentor.is_deleted and may_see_township(pairing.mentor.township_id),
        may_write=_may_write(),
    ), status


@bp.get("/pairings/<int:pairing_id>")
def pairing(pairing_id: int):
    return _pairing_page(_pairing(pairing_id))


def _pairing_form(candidate: Candidate) -> PairingForm:
    form = PairingForm()
    form.set_mentors(
        queries.mentor_choices(current_user, clock.today(), candidate.township_id),
        grouped=current_user.is_county_level,
    )
    return form


@bp.route("/pairings/new", methods=["GET", "POST"])
@role_required(*ENTERERS)
def pairing_new():
    today = clock.today()
    candidate_id = parse_id(request.args.get("candidate_id"))
    if candidate_id is None:
        return pick_page(
            "新增结对",
            operations.ELIGIBLE_STATUSES,
            param="candidate_id",
            choose="为其结对",
            keep={"mentor_id": parse_id(request.args.get("mentor_id"))},
        )
    candidate = get_or_404(scoped(Candidate), candidate_id)
    form = _pairing_form(candidate)
    if request.method == "GET":
        form.start_on.data = today.isoformat()
        form.end_on.data = _a_year_on(today).isoformat()
        form.mentor_id.data = clean_text(request.args.get("mentor_id"))
    if form.validate_on_submit():
        pairing = save_checked(
            form,
            checks.check_pairing(form.data),
            lambda values: operations.create_pairing(candidate.id, values, actor=current_user),
        )
        if pairing is not None:
            flash(f"已为 {pairing.candidate.name} 结对帮带人 {pairing.mentor.name}。", "success")
            return redirect(url_for("mentoring.pairing", pairing_id=pairing.id))
        candidate = get_or_404(scoped(Candidate), candidate_id)
    return render_form(
        "mentoring/pairing_form.html",
        form,
        candidate=candidate,
        pairing=None,
        eligible=candidate.status in operations.ELIGIBLE_STATUSES,
    )


def _a_year_on(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year + 1) - dt.timedelta(days=1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


@bp.route("/pairings/<int:pairing_id>/edit", methods=["GET", "POST"])
@role_required(*ENTERERS)
def pairing_edit(pairing_id: int):
    pairing = _pairing(pairing_id)
    if pairing.ended_on is not None:
        flash(f"该结对已于 {pairing.ended_on:%Y-%m-%d} 结束，不能再修改。", "warning")
        return redirect(url_for("mentoring.pairing", pairing_id=pairing.id))
    form = _pairing_form(pairing.candidate)
    if request.method == "GET":
        form.mentor_id.data = str(pairing.mentor_id)
        form.start_on.data = pairing.start_on.isoformat()
        form.end_on.data = pairing.end_on.isoformat()
        form.goals.data = pairing.goals
        form.stamp(pairing)
    if form.validate_on_submit():
        changes = save_checked(
            form,
            checks.check_pairing(form.data),
            lambda values: operations.update_pairing(pairing, values, actor=current_user),
            record=pairing,
        )
        if changes is not None:
            flash("已保存结对的修改。" if changes else "内容没有变化。", "success")
            return redirect(url_for("mentoring.pairing", pairing_id=pairing_id))
        pairing = _pairing(pairing_id)
    return render_form(
        "mentoring/pairing_form.html",
        form,
        candidate=pairing.candidate,
        pairing=pairing,
        eligible=True,
    )


@bp.post("/pairings/<int:pairing_id>/activities")
@role_required(*ENTERERS)
def activity_add(pairing_id: int):
    pairing = _pairing(pairing_id)
    form = ActivityForm()
    if not form.validate_on_submit():
        # Only a missing or stale CSRF token gets here (the fields have no validators).
        abort(400)
    done = save_checked(
        form,
        checks.check_activity(form.data, today=clock.today()),
        lambda values: operations.add_activity(pairing, values, actor=current_user),
    )
    if done is None:
        return _pairing_page(_pairing(pairing_id), activity_form=form)
    flash("已登记帮带活动。", "success")
    return redirect(url_for("mentoring.pairing", pairing_id=pairing_id, _anchor="activities"))


@bp.post("/activities/<int:activity_id>/delete")
@role_required(*ENTERERS)
def activity_delete(activity_id: int):
    activity = get_or_404(scoped(MentoringActivity), activity_id)
    pairing_id = activity.pairing_id
    if not EmptyForm().validate_on_submit():
        abort(400)
    committed(lambda: operations.delete_activity(activity, actor=current_user))
    flash("已删除该条帮带活动记录。", "success")
    return redirect(url_for("mentoring.pairing", pairing_id=pairing_id, _anchor="activities"))


@bp.route("/pairings/<int:pairing_id>/end", methods=["GET", "POST"])
@role_required(*ENTERERS)
def pairing_end(pairing_id: int):
    pairing = _pairing(pairing_id)
    if pairing.ended_on is not None:
        flash(f"该结对已于 {pairing.ended_on:%Y-%m-%d} 结束。", "info")
        return redirect(url_for("mentoring.pairing", pairing_id=pairing.id))
    today = clock.today()
    form = EndPairingForm()
    if request.method == "GET":
        form.ended_on.data = min(today, pairing.end_on).isoformat()
    if form.validate_on_submit():
        done = save_checked(
            form,
            checks.check_end(form.data, today=today),
            lambda values: operations.end_pairing(pairing, values, actor=current_user) or True,
        )
        if done is not None:
            flash("结对已结束，评价和总结已存入档案。", "success")
            return redirect(url_for("mentoring.pairing", pairing_id=pairing_id))
        pairing = _pairing(pairing_id)
    return render_form("mentoring/pairing_end.html", form, pairing=pairing)


# ---- mentors ---------------------------------------------------------------------------------


@bp.get("/mentors")
def mentors():
    township = parse_id(request.args.get("township"))
    q = clean_text(request.args.get("q"))
    page_number = parse_id(request.args.get("page")) or 1
    page = queries.mentor_page(current_user, township=township, q=q, page=page_number)
    return render_template(
        "mentoring/mentors.html",
        page=page,
        loads=queries.mentor_loads([m.id for m in page.items], clock.today()),
        townships=township_choices(current_user),
        township=township,
        q=q,
        may_write=_may_write(),
    )


def _mentor_form(**kwargs) -> MentorForm:
    form = MentorForm(**kwargs)
    form.set_townships(township_choices(current_user) if current_user.is_county_level else None)
    return form


@bp.route("/mentors/new", methods=["GET", "POST"])
@role_required(*ENTERERS)
def mentor_new():
    form = _mentor_form()
    return form_page(
        form,
        "mentoring/mentor_form.html",
        check=lambda: checks.check_mentor(form.data, county_level=current_user.is_county_level),
        write=lambda values: operations.create_mentor(values, actor=current_user),
        done=lambda mentor: f"已新增帮带人 {mentor.name}。",
        then=lambda mentor: url_for("mentoring.mentor", mentor_id=mentor.id),
        mentor=None,
    )


@bp.get("/mentors/<int:mentor_id>")
def mentor(mentor_id: int):
    mentor = get_or_404(scoped(Mentor), mentor_id)
    pairings = queries.mentor_pairings(mentor, current_user)
    today = clock.today()
    return render_template(
        "mentoring/mentor.html",
        mentor=mentor,
        pairings=pairings,
        counts=queries.activity_counts([p.id for p in pairings]),
        load=queries.mentor_loads([mentor.id], today).get(mentor.id, 0),
        delete_form=EmptyForm(),
        today=today,
        may_write=_may_write(),
    )


@bp.route("/mentors/<int:mentor_id>/edit", methods=["GET", "POST"])
@role_required(*ENTERERS)
def mentor_edit(mentor_id: int):
    mentor = get_or_404(scoped(Mentor), mentor_id)
    form = _mentor_form(obj=mentor if request.method == "GET" else None)
    if request.method == "GET":
        form.capacity.data = str(mentor.capacity)
        if "township_id" in form:
            form.township_id.data = str(mentor.township_id)
    if form.validate_on_submit():
        changes = save_checked(
            form,
            checks.check_mentor(form.data, county_level=current_user.is_county_level),
            lambda values: operations.update_mentor(mentor, values, actor=current_user),
            record=mentor,
        )
        if changes is not None:
            flash("已保存帮带人信息。" if changes else "内容没有变化。", "success")
            return redirect(url_for("mentoring.mentor", mentor_id=mentor_id))
        mentor = get_or_404(scoped(Mentor), mentor_id)
    return render_form("mentoring/mentor_form.html", form, mentor=mentor)


@bp.post("/mentors/<int:mentor_id>/delete")
@role_required(*ENTERERS)
def mentor_delete(mentor_id: int):
    mentor = get_or_404(scoped(Mentor), mentor_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    name = mentor.name
    refusal = committed(lambda: operations.delete_mentor(mentor, actor=current_user))
    if refusal is not None:
        flash(refusal.message, "danger")
        return redirect(url_for("mentoring.mentor", mentor_id=mentor_id))
    flash(f"已移除帮带人 {name}（其结对记录仍保留在后备干部档案中）。", "success")
    return redirect(url_for("mentoring.mentors"))


# ---- village pairings ------------------------------------------------------------------------


@bp.get("/villages")
def villages():
    township = parse_id(request.args.get("township"))
    today = clock.today()
    return render_template(
        "mentoring/villages.html",
        villages=queries.villages_in_scope(current_user, township),
        counts=queries.village_pair_counts(today),
        pairings=queries.village_pairing_list(current_user, township),
        townships=township_choices(current_user),
        township=township,
        today=today,
        may_write=_may_write(),
    )


@bp.get("/villages/<int:village_id>")
def village(village_id: int):
    village = get_or_404(
        restrict(select(Village), Village, current_user).options(joinedload(Village.township)),
        village_id,
    )
    pairings = queries.pairs_of_village(village.id, current_user)
    return render_template(
        "mentoring/village.html",
        village=village,
        pairings=pairings,
        editable={p.id for p in pairings if _may_edit_village_pairing(p)},
        today=clock.today(),
        may_write=_may_write(),
    )


def _village_form() -> VillagePairingForm:
    form = VillagePairingForm()
    form.set_villages(village_choices(current_user), grouped=current_user.is_county_level)
    return form


def _may_edit_village_pairing(pairing: VillagePairing) -> bool:
    if not _may_write():
        return False
    own = current_user.township_id
    return own is None or pairing.township_id == pairing.partner_township_id == own


@bp.route("/village-pairings/new", methods=["GET", "POST"])
@role_required(*ENTERERS)
def village_pairing_new():
    form = _village_form()
    today = clock.today()
    if request.method == "GET":
        form.village_a_id.data = clean_text(request.args.get("village_id"))
        form.start_on.data = today.isoformat()
        form.end_on.data = (_a_year_on(today) + dt.timedelta(days=365 * 2)).isoformat()
    return form_page(
        form,
        "mentoring/village_pairing_form.html",
        check=lambda: checks.check_village_pairing(form.data),
        write=lambda values: operations.create_village_pairing(values, actor=current_user),
        done=lambda p: f"已结对：{p.village_a.name} — {p.village_b.name}（{p.kind_label}）。",
        then=lambda p: url_for("mentoring.village", village_id=p.village_a_id),
        pairing=None,
    )


@bp.route("/village-pairings/<int:pairing_id>/edit", methods=["GET", "POST"])
@role_required(*ENTERERS)
def village_pairing_edit(pairing_id: int):
    pairing = get_or_404(queries.village_pairings_scope(current_user), pairing_id)
    if not _may_edit_village_pairing(pairing):
        abort(403)
    form = _village_form()
    if request.method == "GET":
        for key in ("village_a_id", "village_b_id", "kind", "purpose"):
            form[key].data = str(getattr(pairing, key))
        form.start_on.data = pairing.start_on.isoformat()
        form.end_on.data = pairing.end_on.isoformat()
        form.stamp(pairing)
    if form.validate_on_submit():
        changes = save_checked(
            form,
            checks.check_village_pairing(form.data),
            lambda values: operations.update_village_pairing(pairing, values, actor=current_user),
            record=pairing,
        )
        if changes is not None:
            flash("已保存村村结对的修改。" if changes else "内容没有变化。", "success")
            return redirect(url_for("mentoring.village", village_id=pairing.village_a_id))
    return render_form("mentoring/village_pairing_form.html", form, pairing=pairing)
