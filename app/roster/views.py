"""The roster: list, create, edit, detail, lifecycle actions, reveal, print."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from app.core import clock
from app.core.codes import Education, Gender, Political, PostKind, Source, Status
from app.core.errors import RuleError, StaleRecord
from app.core.forms import EmptyForm, add_errors
from app.core.normalize import parse_id
from app.core.scoping import get_or_404, role_required, scoped
from app.core.sections import TimelineEvent, sections_for, timeline_for
from app.core.views import render_form
from app.extensions import db
from app.roster import lifecycle, operations
from app.roster.checks import check_candidate, duplicate_problem
from app.roster.forms import CandidateForm, StatusForm
from app.roster.models import Candidate, StatusChange, display_value
from app.roster.queries import (
    PLACED,
    PLAN,
    SORTS,
    STATUS_ALL,
    RosterFilters,
    paginate,
    roster_select,
    township_choices,
    village_choices,
)

bp = Blueprint("roster", __name__)
ENTERERS = ("admin", "clerk")


@bp.before_request
@login_required
def _require_login():
    return None


def _candidate(candidate_id: int) -> Candidate:
    stmt = scoped(Candidate).options(
        selectinload(Candidate.status_changes).joinedload(StatusChange.actor)
    )
    return get_or_404(stmt, candidate_id)


@bp.get("/")
def index():
    filters = RosterFilters.from_args(request.args)
    page = paginate(
        roster_select(current_user, filters),
        filters,
        current_app.config["ROSTER_PAGE_SIZE"],
        county_wide=current_user.is_county_level and not (filters.township or filters.village),
    )
    return render_template(
        "roster/index.html",
        page=page,
        filters=filters,
        today=clock.today(),
        townships=township_choices(current_user),
        # A county has hundreds of villages: the list waits until a township is chosen.
        villages=(
            village_choices(current_user, filters.township)
            if filters.township or not current_user.is_county_level
            else []
        ),
        options={
            "status": [(STATUS_ALL, "全部（含已使用、已退出）")] + Status.choices(),
            "source": Source.choices(),
            "education": Education.choices(),
            "political": Political.choices(),
            "gender": Gender.choices(),
            "placed": list(PLACED.items()),
            "post_kind": PostKind.choices(),
            "plan": list(PLAN.items()),
            "sort": [(k, v[0]) for k, v in SORTS.items()],
        },
    )


def _save(form: CandidateForm, candidate: Candidate | None):
    """Check and write; the form's errors are set when anything is wrong."""
    checked = check_candidate(form.data, user=current_user, candidate=candidate)
    if not checked.ok:
        add_errors(form, checked.errors)
        return None
    try:
        if candidate is None:
            candidate = operations.create_candidate(checked.values, actor=current_user)
        else:
            version = parse_id(form.version.data)
            operations.update_candidate(
                candidate, checked.values, actor=current_user, expected_version=version
            )
        db.session.commit()
    except (StaleRecord, StaleDataError):
        db.session.rollback()
        _show_conflict(form, candidate, checked.values)
        return None
    except RuleError as exc:
        db.session.rollback()
        add_errors(form, {exc.field: exc.message})
        return None
    except IntegrityError:
        # Two clerks saving the same ID number at once: the unique index stops the second.
        db.session.rollback()
        message = duplicate_problem(checked.values["id_number"], user=current_user)
        add_errors(form, {"id_number": message or "保存失败：数据与已有记录冲突，请核对后重试。"})
        return None
    return candidate


def _show_conflict(form: CandidateForm, candidate: Candidate, mine: dict) -> None:
    """Keep what the user typed, and show beside it what the record holds now."""
    db.session.refresh(candidate)
    form.form_errors.append(StaleRecord().message)
    form.conflict = [
        (form[key].label.text, display_value(candidate, key))
        for key in operations.EDITABLE
        if key in form and mine.get(key) != getattr(candidate, key)
    ]
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
    if request.method == "GET":
        form.village_id.data = str(candidate.village_id)
        form.birth_date.data = candidate.birth_date.isoformat()
        form.entered_on.data = candidate.entered_on.isoformat() if candidate.entered_on else ""
        form.version.data = str(candidate.version)
    if form.validate_on_submit():
        if _save(form, candidate) is not None:
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
    try:
        operations.change_status(
            candidate, form.target.data or "", actor=current_user, reason=form.reason.data or ""
        )
        db.session.commit()
    except RuleError as exc:
        db.session.rollback()
        candidate = _candidate(candidate_id)
        form.reason.errors = [exc.message]
        flash(exc.message, "danger")
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
