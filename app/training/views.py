"""Training programmes (循环培养): programmes, rounds, enrolment, results, ranking."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.core import clock
from app.core.checks import Checked
from app.core.forms import EmptyForm
from app.core.normalize import clean_text, parse_id
from app.core.scoping import (
    ENTERERS,
    abort_404_for,
    get_or_404,
    require_login,
    restrict,
    role_required,
)
from app.core.templating import url_with
from app.core.views import committed, form_page, render_form, save_checked
from app.extensions import db
from app.places.queries import township_choices, village_choices
from app.roster.models import Candidate
from app.roster.queries import RosterFilters
from app.training import checks, operations, queries
from app.training.forms import EnrolForm, ProgrammeForm, ResultsForm, RoundForm
from app.training.models import (
    MAX_TRAINING_DAYS,
    TYPICAL_TRAINING_DAYS,
    Enrolment,
    Programme,
    Round,
    yes_no,
)

bp = Blueprint("training", __name__)
require_login(bp)
MAX_ROWS = 2 * queries.PAGE_SIZE


def _number(key: str) -> int | None:
    return parse_id(request.args.get(key))


def _programme(programme_id: int) -> Programme:
    stmt = queries.programmes_scope(current_user).options(joinedload(Programme.township))
    return get_or_404(stmt, programme_id)


def _round(round_id: int) -> Round:
    stmt = queries.rounds_scope(current_user).options(joinedload(Round.programme))
    return get_or_404(stmt, round_id)


def _township_filter() -> int | None:
    """County-level users may narrow a page to one township; others always see their own."""
    return _number("township") if current_user.is_county_level else None


# ---- programmes ------------------------------------------------------------------------------


@bp.get("/")
def index():
    return render_template(
        "training/index.html",
        programmes=queries.programme_list(current_user),
        may_create=current_user.role in ENTERERS,
    )


def _programme_form(**kwargs) -> ProgrammeForm:
    form = ProgrammeForm(**kwargs)
    form.set_levels(township_choices(current_user) if current_user.is_county_level else None)
    return form


@bp.route("/programmes/new", methods=["GET", "POST"])
@role_required(*ENTERERS)
def programme_new():
    form = _programme_form()
    return form_page(
        form,
        "training/programme_form.html",
        check=lambda: checks.check_programme(form.data, county_level=current_user.is_county_level),
        write=lambda values: operations.create_programme(values, actor=current_user),
        done=lambda programme: f"已新增培养计划“{programme.name}”。请继续安排培训轮次。",
        then=lambda programme: url_for("training.programme", programme_id=programme.id),
        programme=None,
    )


@bp.get("/programmes/<int:programme_id>")
def programme(programme_id: int):
    programme = _programme(programme_id)
    township = _township_filter()
    page = queries.participant_page(programme.id, current_user, township, _number("page") or 1)
    rounds = programme.rounds
    return render_template(
        "training/programme.html",
        programme=programme,
        rounds=rounds,
        page=page,
        results=queries.results_of([r.id for r in rounds], [e.id for e in page.items]),
        townships=township_choices(current_user),
        township=township,
        may_manage=operations.may_manage(current_user, programme),
        may_enrol=operations.may_enrol(current_user, programme),
        remove_form=EmptyForm(),
        today=clock.today(),
    )


@bp.route("/programmes/<int:programme_id>/edit", methods=["GET", "POST"])
@role_required(*ENTERERS)
def programme_edit(programme_id: int):
    programme = _programme(programme_id)
    if not operations.may_manage(current_user, programme):
        abort(403)
    form = _programme_form(obj=programme if request.method == "GET" else None)
    if request.method == "GET":
        form.start_on.data = programme.start_on.isoformat()
        form.end_on.data = programme.end_on.isoformat()
        if "township_id" in form:
            form.township_id.data = str(programme.township_id or "")
    if form.validate_on_submit():
        changes = save_checked(
            form,
            checks.check_programme(form.data, county_level=current_user.is_county_level),
            lambda values: operations.update_programme(programme, values, actor=current_user),
            record=programme,
        )
        if changes is not None:
            flash("已保存培养计划。" if changes else "内容没有变化。", "success")
            return redirect(url_for("training.programme", programme_id=programme_id))
        programme = _programme(programme_id)
    return render_form("training/programme_form.html", form, programme=programme)


# ---- rounds ----------------------------------------------------------------------------------


def _length_note(round_: Round) -> None:
    low, high = TYPICAL_TRAINING_DAYS
    if round_.days > high:
        flash(
            f"提示：本轮集中培训共 {round_.days} 天，长于常见的 {low}–{high} 天"
            f"（最长 {MAX_TRAINING_DAYS} 天）。",
            "warning",
        )


@bp.route("/programmes/<int:programme_id>/rounds/new", methods=["GET", "POST"])
@role_required(*ENTERERS)
def round_new(programme_id: int):
    programme = _programme(programme_id)
    if not operations.may_manage(current_user, programme):
        abort(403)
    form = RoundForm()
    if form.validate_on_submit():
        round_ = save_checked(
            form,
            checks.check_round(form.data),
            lambda values: operations.create_round(programme, values, actor=current_user),
        )
        if round_ is not None:
            flash(f"已新增{round_.title}培训。", "success")
            _length_note(round_)
            return redirect(url_for("training.round_detail", round_id=round_.id))
        programme = _programme(programme_id)
    return render_form("training/round_form.html", form, programme=programme, round_=None)


@bp.route("/rounds/<int:round_id>/edit", methods=["GET", "POST"])
@role_required(*ENTERERS)
def round_edit(round_id: int):
    round_ = _round(round_id)
    if not operations.may_manage(current_user, round_.programme):
        abort(403)
    form = RoundForm(obj=round_ if request.method == "GET" else None)
    if request.method == "GET":
        for key in ("starts_on", "ends_on", "assignment_due_on"):
            form[key].data = getattr(round_, key).isoformat()
    if form.validate_on_submit():
        changes = save_checked(
            form,
            checks.check_round(form.data),
            lambda values: operations.update_round(round_, values, actor=current_user),
            record=round_,
        )
        if changes is not None:
            flash("已保存轮次安排。" if changes else "内容没有变化。", "success")
            _length_note(_round(round_id))
            return redirect(url_for("training.round_detail", round_id=round_id))
        round_ = _round(round_id)
    return render_form("training/round_form.html", form, programme=round_.programme, round_=round_)


@bp.get("/rounds/<int:round_id>")
def round_detail(round_id: int):
    round_ = _round(round_id)
    township = _township_filter()
    return render_template(
        "training/round.html",
        round_=round_,
        programme=round_.programme,
        page=queries.ranking_page(round_, current_user, township, _number("page") or 1),
        summary=queries.round_summary(round_, current_user, township),
        townships=township_choices(current_user),
        township=township,
        may_manage=operations.may_manage(current_user, round_.programme),
        may_record=operations.may_enrol(current_user, round_.programme),
        yes_no=yes_no,
        today=clock.today(),
    )


# ---- results ---------------------------------------------------------------------------------


def _row_errors(row_form, errors: dict[str, str]) -> None:
    for key, message in errors.items():
        field = row_form[key]
        field.errors = [*field.errors, message]


@bp.route("/rounds/<int:round_id>/results", methods=["GET", "POST"])
@role_required(*ENTERERS)
def results(round_id: int):
    round_ = _round(round_id)
    if not operations.may_enrol(current_user, round_.programme):
        abort(403)
    township = _township_filter()
    page_number = _number("page") or 1
    if request.method == "GET":
        page = queries.participant_page(round_.programme_id, current_user, township, page_number)
        found = queries.results_of([round_.id], [e.id for e in page.items])
        form = ResultsForm(formdata=None)
        for enrolment in page.items:
            result = found.get((round_.id, enrolment.id))
            form.rows.append_entry(
                {
                    "enrolment_id": str(enrolment.id),
                    "attended": _yes_no_value(result.attended if result else None),
                    "submitted": _yes_no_value(result.submitted if result else None),
                    "score": "" if result is None or result.score is None else str(result.score),
                    "comment": result.comment if result else "",
                }
            )
        return _results_page(round_, form, page.items, page, township)

    form = ResultsForm()
    if not form.validate_on_submit() or len(form.rows) > MAX_ROWS:
        abort(400)
    ids = [parse_id(row.enrolment_id.data) for row in form.rows]
    if None in ids or len(set(ids)) != len(ids):
        abort(400)
    enrolments = {
        e.id: e
        for e in db.session.scalars(
            restrict(select(Enrolment), Enrolment, current_user)
            .where(Enrolment.id.in_(ids), Enrolment.programme_id == round_.programme_id)
            .options(joinedload(Enrolment.candidate).joinedload(Candidate.village))
        )
    }
    if len(enrolments) != len(ids):
        abort_404_for(Enrolment, set(ids) - set(enrolments))
    rows, bad = {}, 0
    for enrolment_id, row in zip(ids, form.rows, strict=True):
        checked = checks.check_result_row(row.data)
        if checked.ok:
            rows[enrolment_id] = checked.values
        else:
            bad += 1
            _row_errors(row, checked.errors)
    if not bad:
        changed = save_checked(
            form,
            Checked(values=rows),
            lambda values: operations.save_results(round_, values, actor=current_user),
        )
        if changed is not None:
            flash(f"已保存：{changed} 人的结果有变动。" if changed else "结果没有变化。", "success")
            return redirect(url_with())  # this page again, as filtered
    else:
        form.form_errors.append(
            f"有 {bad} 人的结果需要修改，请查看标红的格子。本页未保存任何内容。"
        )
    round_ = _round(round_id)
    return (
        _results_page(round_, form, [enrolments[i] for i in ids], None, township),
        422,
    )


def _yes_no_value(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


def _results_page(round_: Round, form: ResultsForm, enrolments, page, township):
    return render_template(
        "training/results.html",
        round_=round_,
        programme=round_.programme,
        form=form,
        lines=list(zip(form.rows, enrolments, strict=True)),
        page=page,
        townships=township_choices(current_user),
        township=township,
        not_started=round_.starts_on > clock.today(),
    )


# ---- enrolment -------------------------------------------------------------------------------


@bp.route("/programmes/<int:programme_id>/enrol", methods=["GET", "POST"])
@role_required(*ENTERERS)
def enrol(programme_id: int):
    programme = _programme(programme_id)
    if not operations.may_enrol(current_user, programme):
        abort(403)
    form = EnrolForm()
    if form.validate_on_submit():
        ids = [i for i in map(parse_id, form.candidate_ids.data or []) if i is not None]
        enrolments = save_checked(
            form,
            Checked(values={"ids": ids}),
            lambda values: operations.enrol(programme, values["ids"], actor=current_user),
        )
        if enrolments is not None:
            flash(f"已报名 {len(enrolments)} 人。", "success")
            return redirect(url_for("training.programme", programme_id=programme_id))
        programme = _programme(programme_id)
    filters = RosterFilters(
        q=clean_text(request.args.get("q")),
        township=programme.township_id or _township_filter(),
        village=_number("village"),
        status="all",
    )
    page = queries.enrollable_page(programme, current_user, filters, _number("page") or 1)
    form.set_candidates([(c.id, c.name) for c in page.items])
    township_for_villages = filters.township or current_user.township_id
    return render_template(
        "training/enrol.html",
        programme=programme,
        form=form,
        page=page,
        candidates={str(c.id): c for c in page.items},
        filters=filters,
        townships=township_choices(current_user) if programme.township_id is None else [],
        villages=village_choices(current_user, township_for_villages)
        if township_for_villages
        else [],
    ), (422 if request.method == "POST" else 200)


@bp.post("/enrolments/<int:enrolment_id>/remove")
@role_required(*ENTERERS)
def enrolment_remove(enrolment_id: int):
    enrolment = get_or_404(
        restrict(select(Enrolment), Enrolment, current_user).options(
            joinedload(Enrolment.candidate)
        ),
        enrolment_id,
    )
    programme_id = enrolment.programme_id
    if not EmptyForm().validate_on_submit():
        abort(400)
    name = enrolment.candidate.name
    refusal = committed(lambda: operations.remove_enrolment(enrolment, actor=current_user))
    if refusal is not None:
        flash(refusal.message, "danger")
    else:
        flash(f"已将 {name} 移出本计划。", "success")
    return redirect(url_for("training.programme", programme_id=programme_id))
