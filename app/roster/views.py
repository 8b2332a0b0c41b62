"""The roster: list, create, edit, detail, lifecycle actions, reveal, print."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload

from app.core import clock
from app.core.forms import EmptyForm
from app.core.idcard import normalize_id_number
from app.core.scoping import ENTERERS, get_or_404, require_login, role_required, scoped
from app.core.sections import TimelineEvent, sections_for, timeline_for
from app.core.views import committed, render_form, save_checked, sent_version
from app.extensions import db
from app.places.queries import township_choices, village_choices
from app.roster import lifecycle, operations
from app.roster.checks import check_candidate, duplicate_problem, id_number_from_form
from app.roster.forms import MASKED_ID_HELP, CandidateForm, StatusForm, roster_filter_form
from app.roster.models import Candidate, StatusChange, display_value
from app.roster.queries import RosterFilters, roster_page, roster_select

bp = Blueprint("roster", __name__)
require_login(bp)


def _candidate(candidate_id: int) -> Candidate:
    stmt = scoped(Candidate).options(
        selectinload(Candidate.status_changes).joinedload(StatusChange.actor)
    )
    return get_or_404(stmt, candidate_id)


@bp.get("/")
def index():
    filters = RosterFilters.from_args(request.args)
    page = roster_page(
        roster_select(current_user, filters),
        filters,
        current_app.config["ROSTER_PAGE_SIZE"],
        county_wide=current_user.is_county_level and not (filters.township or filters.village),
    )
    # A county has hundreds of villages: the list waits until a township is chosen.
    villages = (
        village_choices(current_user, filters.township)
        if filters.township or not current_user.is_county_level
        else []
    )
    return render_template(
        "roster/index.html",
        page=page,
        filters=filters,
        form=roster_filter_form(filters, township_choices(current_user), villages),
        today=clock.today(),
        may_enter=current_user.role in ENTERERS,
    )


def _save(form: CandidateForm, candidate: Candidate | None, raw: dict | None = None):
    """Check and write (``save_checked``). ``raw`` is what the form stands for, when that
    differs from what it holds (the edit form's masked number)."""
    checked = check_candidate(
        form.data if raw is None else raw, user=current_user, candidate=candidate
    )
    if candidate is None:
        return save_checked(
            form,
            checked,
            lambda values: operations.create_candidate(values, actor=current_user),
            integrity=_duplicate,
        )
    return save_checked(
        form,
        checked,
        lambda values: operations.update_candidate(candidate, values, actor=current_user),
        record=candidate,
        conflict=_show_conflict,
        integrity=_duplicate,
    )


def _duplicate(values: dict) -> dict:
    """Two clerks saving the same ID number at once: the unique index stops the second."""
    message = duplicate_problem(values["id_number"], user=current_user)
    return {"id_number": message or "保存失败：数据与已有记录冲突，请核对后重试。"}


def _show_conflict(form: CandidateForm, candidate: Candidate, mine: dict, message: str) -> None:
    """Keep what the user typed, and show beside it what the record holds now."""
    db.session.refresh(candidate)
    form.form_errors.append(message)
    # A mask left as it was (a typed '*' is refused before this) stands for the number the
    # form was opened with: compare masks, and show the current one to keep it from now on.
    kept_id = "*" in (form.id_number.data or "")
    conflict = []
    for key in operations.EDITABLE:
        if key not in form:
            continue
        if key == "id_number" and kept_id:
            differs = normalize_id_number(form.id_number.data) != candidate.masked_id
        else:
            differs = mine.get(key) != getattr(candidate, key)
        if differs:
            conflict.append((form[key].label.text, display_value(candidate, key)))
    form.conflict = conflict
    form.conflict_title = "档案中现在的内容"
    if kept_id:
        form.id_number.data = candidate.masked_id
    form.version.data = str(candidate.version)  # saving again now is a conscious overwrite


@bp.route("/new", methods=["GET", "POST"])
@role_required(*ENTERERS)
def new():
    form = CandidateForm()
    form.set_villages(village_choices(current_user), current_user.is_county_level)
    if form.validate_on_submit():
        candidate = _save(form, None)
        if candidate is not None:
            flash(f"已录入 {candidate.name}，状态为“拟推荐”，等待乡镇党委审核。", "success")
            return redirect(url_for("roster.detail", candidate_id=candidate.id))
    return render_form("roster/edit.html", form, candidate=None)


@bp.route("/<int:candidate_id>/edit", methods=["GET", "POST"])
@role_required(*ENTERERS)
def edit(candidate_id: int):
    candidate = _candidate(candidate_id)
    form = CandidateForm(obj=candidate if request.method == "GET" else None)
    form.set_villages(village_choices(current_user), current_user.is_county_level)
    # The whole number is shown only by the audited reveal on the candidate page, never here.
    form.id_number.description = MASKED_ID_HELP
    if request.method == "GET":
        form.id_number.data = candidate.masked_id
        form.village_id.data = str(candidate.village_id)
        form.birth_date.data = candidate.birth_date.isoformat()
        form.entered_on.data = candidate.entered_on.isoformat() if candidate.entered_on else ""
    if form.validate_on_submit():
        version = sent_version(form)
        raw = form.data | {
            "id_number": id_number_from_form(
                form.id_number.data,
                candidate,
                stale=version is not None and version != candidate.version,
            )
        }
        if _save(form, candidate, raw) is not None:
            flash("已保存修改。", "success")
            return redirect(url_for("roster.detail", candidate_id=candidate.id))
    return render_form("roster/edit.html", form, candidate=candidate)


@bp.get("/<int:candidate_id>")
def detail(candidate_id: int):
    candidate = _candidate(candidate_id)
    return _detail_page(candidate)


def status_timeline(candidate: Candidate, user) -> list[TimelineEvent]:
    """The roster's own contribution to the timeline: each change of status."""
    zone = ZoneInfo(current_app.config["ROSTER_TIMEZONE"])
    events = []
    for change in candidate.status_changes:
        local = change.created_dt.astimezone(zone)
        events.append(
            TimelineEvent(
                on=local.date(),
                at=local.strftime("%H:%M"),
                kind="状态",
                title=f"{change.from_label} → {change.to_label}",
                detail=" · ".join(
                    part
                    for part in (change.actor.label if change.actor else "系统", change.reason)
                    if part
                ),
                sort_key=f"{local.isoformat()}#{change.id:012d}",
            )
        )
    return events


def _detail_page(candidate: Candidate, revealed: str | None = None, status_form=None):
    moves = lifecycle.available(candidate.status, current_user.role)
    return render_template(
        "roster/detail.html",
        candidate=candidate,
        sections=sections_for(candidate, current_user),
        timeline=timeline_for(candidate, current_user),
        moves=moves,
        status_form=status_form or StatusForm(),
        reveal_form=EmptyForm(),
        revealed=revealed,
        may_edit=current_user.role in ENTERERS,
        today=clock.today(),
    )


@bp.post("/<int:candidate_id>/status")
def change_status(candidate_id: int):
    candidate = _candidate(candidate_id)
    form = StatusForm()
    if not form.validate_on_submit():
        flash("表单已过期，请刷新后重试。", "danger")
        return redirect(url_for("roster.detail", candidate_id=candidate.id))
    refusal = committed(
        lambda: operations.change_status(
            candidate, form.target.data or "", actor=current_user, reason=form.reason.data or ""
        )
    )
    if refusal is not None:
        candidate = _candidate(candidate_id)
        form.reason.errors = [refusal.message]
        flash(refusal.message, "danger")
        return _detail_page(candidate, status_form=form), 422
    flash(f"{candidate.name}：状态已改为“{candidate.status_label}”。", "success")
    return redirect(url_for("roster.detail", candidate_id=candidate.id))


@bp.post("/<int:candidate_id>/reveal-id")
def reveal_id(candidate_id: int):
    candidate = _candidate(candidate_id)
    form = EmptyForm()
    if not form.validate_on_submit():
        return redirect(url_for("roster.detail", candidate_id=candidate.id))
    number = operations.reveal_id_number(candidate, actor=current_user)
    db.session.commit()
    response = current_app.make_response(_detail_page(candidate, revealed=number))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/<int:candidate_id>/print")
def print_view(candidate_id: int):
    candidate = _candidate(candidate_id)
    return render_template(
        "roster/print.html",
        candidate=candidate,
        sections=sections_for(candidate, current_user, printing=True),
        today=clock.today(),
    )
