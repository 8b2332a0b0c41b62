"""The review queue (/review/) and the candidate's records (/candidates/<id>/…).

Two blueprints: ``assessment`` (the secretaries' review queue, under /review) and
``assessment_records`` (inspections, assessments, notes and outcomes of one candidate, under
/candidates beside the roster's own pages). Views are thin: check, call the operation, commit
once; a refusal re-renders the form with the message at the field and nothing written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from app.assessment import checks, operations
from app.assessment.forms import (
    AssessmentForm,
    InspectionForm,
    NoteForm,
    RestoreForm,
    UseForm,
    WithdrawForm,
)
from app.assessment.models import DIAGNOSES, DIMENSIONS, Assessment
from app.assessment.periods import default_period, parse_period
from app.assessment.queries import assessment_of_period, evidence, lacking_for, open_withdrawal
from app.core import clock
from app.core.codes import AssessmentKind
from app.core.forms import add_errors
from app.core.normalize import InputError
from app.core.scoping import DECIDERS, get_or_404, require_login, role_required, scoped
from app.core.sections import worklists_for
from app.core.views import form_page, save_checked
from app.extensions import db
from app.roster.models import Candidate

bp = Blueprint("assessment", __name__)
records = Blueprint("assessment_records", __name__)
require_login(bp, records)
REVIEW_LIMIT = 20


def _candidate(candidate_id: int) -> Candidate:
    stmt = scoped(Candidate).options(joinedload(Candidate.village), joinedload(Candidate.township))
    return get_or_404(stmt, candidate_id)


def _back_to(candidate: Candidate, anchor: str) -> str:
    return url_for("roster.detail", candidate_id=candidate.id, _anchor=anchor)


def _back(candidate: Candidate, anchor: str):
    return redirect(_back_to(candidate, anchor))


def _submit(form, checker: Callable, write: Callable, record=None):
    """Check the form, write, commit once (``save_checked``); on any refusal put the messages
    on the form."""
    return save_checked(form, checker(form.data, today=clock.today()), write, record=record)


def _render(template: str, status: int, **context):
    return render_template(template, **context), status


# ---- the review queue ----------------------------------------------------------------------


@bp.get("/")
def review():
    """Everything waiting for a decision the user's role may take, each one click away.

    Secretaries and admins see every worklist they act on; a clerk sees the ones meant for
    clerks (the nominations it sent), read-only — the decisions themselves stay 403 for it.
    """
    return render_template(
        "assessment/review.html",
        worklists=worklists_for(current_user, limit=REVIEW_LIMIT),
        limit=REVIEW_LIMIT,
        today=clock.today(),
    )


# ---- inspections and notes: clerks, secretaries, admins --------------------------------------


@records.route("/<int:candidate_id>/inspections/new", methods=["GET", "POST"])
def new_inspection(candidate_id: int):
    candidate = _candidate(candidate_id)
    form = InspectionForm()
    if request.method == "GET":
        form.inspected_on.data = clock.today().isoformat()
        lacking = lacking_for(candidate)
        if lacking:
            form.method.data = lacking[0].value
    return form_page(
        form,
        "assessment/inspection_form.html",
        check=lambda: checks.check_inspection(form.data, today=clock.today()),
        write=lambda values: operations.create_inspection(candidate, values, actor=current_user),
        done=f"已保存{candidate.name}的考察记录。",
        then=lambda _: _back_to(candidate, "inspections"),
        candidate=candidate,
        lacking=lacking_for(candidate),
        blocked=operations.inspection_problem(candidate),
    )


@records.route("/<int:candidate_id>/notes/new", methods=["GET", "POST"])
def new_note(candidate_id: int):
    candidate = _candidate(candidate_id)
    form = NoteForm()
    if request.method == "GET":
        form.noted_on.data = clock.today().isoformat()
    return form_page(
        form,
        "assessment/record_form.html",
        check=lambda: checks.check_note(form.data, today=clock.today()),
        write=lambda values: operations.create_note(candidate, values, actor=current_user),
        done=f"已保存{candidate.name}的动态记录。",
        then=lambda _: _back_to(candidate, "notes"),
        candidate=candidate,
        title="新增动态记录",
        intro="记录后备干部的思想动态、去向和就业变化，注明日期；录入人自动记下。",
    )


# ---- assessments: secretaries and admins ---------------------------------------------------


def _period_of(form: AssessmentForm, today: dt.date):
    """The period the form names, if it can be read (for the evidence beside the form)."""
    kind = AssessmentKind.lookup(form.kind.data)
    if kind is None:
        return None
    try:
        return parse_period(kind.value, form.period.data, today=today)
    except InputError:
        return None


def _assessment_page(form, candidate, assessment=None, status: int = 200):
    today = clock.today()
    period = _period_of(form, today)
    return _render(
        "assessment/assessment_form.html",
        status,
        form=form,
        candidate=candidate,
        assessment=assessment,
        period=period,
        evidence=(
            evidence(
                candidate,
                current_user,
                period.start,
                period.end,
                exclude_id=assessment.id if assessment else None,
            )
            if period
            else []
        ),
        dimensions=DIMENSIONS,
        diagnoses=DIAGNOSES,
        blocked=None if assessment else operations.in_pool_problem(candidate, "录入考核"),
    )


def _save_assessment(form, candidate, assessment=None):
    if "preview" in request.form:  # only show the evidence of the period typed
        return None

    def write(values):
        return operations.save_assessment(
            candidate, values, actor=current_user, assessment=assessment
        )

    try:
        return _submit(form, checks.check_assessment, write, record=assessment)
    except IntegrityError:
        # Two secretaries saving the same period at once: the unique constraint stops the second.
        db.session.rollback()
        period = _period_of(form, clock.today())
        existing = assessment_of_period(candidate, period.name) if period else None
        message = (
            operations.duplicate_message(candidate, existing)
            if existing
            else "保存失败：该期间的考核已被他人录入，请刷新后核对。"
        )
        add_errors(form, {"period": message})
        return None


@records.route("/<int:candidate_id>/assessments/new", methods=["GET", "POST"])
@role_required(*DECIDERS)
def new_assessment(candidate_id: int):
    candidate = _candidate(candidate_id)
    form = AssessmentForm()
    if request.method == "GET":
        kind = (
            request.args.get("kind") if request.args.get("kind") in ("regular", "annual") else None
        )
        form.kind.data = kind or "annual"
        form.period.data = default_period(form.kind.data, clock.today())
        form.assessed_on.data = clock.today().isoformat()
    if form.validate_on_submit() and _save_assessment(form, candidate):
        flash(f"已保存{candidate.name}的考核。", "success")
        return _back(candidate, "assessments")
    failed = bool(form.errors or form.form_errors)
    return _assessment_page(form, candidate, status=422 if failed else 200)


@records.route("/<int:candidate_id>/assessments/<int:assessment_id>/edit", methods=["GET", "POST"])
@role_required(*DECIDERS)
def edit_assessment(candidate_id: int, assessment_id: int):
    candidate = _candidate(candidate_id)
    assessment = get_or_404(
        scoped(Assessment).where(Assessment.candidate_id == candidate.id), assessment_id
    )
    form = AssessmentForm(obj=assessment if request.method == "GET" else None)
    if request.method == "GET":
        form.period.data = (
            str(assessment.year) if assessment.kind == "annual" else assessment.period
        )
        form.assessed_on.data = assessment.assessed_on.isoformat()
        for column in form.score_fields:
            form[column].data = str(getattr(assessment, column))
    if form.validate_on_submit() and _save_assessment(form, candidate, assessment):
        flash(f"已修改{candidate.name}的考核（{assessment.period}）。", "success")
        return _back(candidate, "assessments")
    failed = bool(form.errors or form.form_errors)
    return _assessment_page(form, candidate, assessment, status=422 if failed else 200)


# ---- outcomes: secretaries and admins ------------------------------------------------------


def _outcome_view(candidate_id: int, form, checker, operation, *, title, intro, done, **extra):
    candidate = _candidate(candidate_id)
    if request.method == "GET":
        for key, value in extra.get("defaults", {}).items():
            form[key].data = value(candidate) if callable(value) else value
    if form.validate_on_submit():

        def write(values):
            return operation(candidate, values)

        if _submit(form, checker, write):
            flash(done(candidate), "success")
            return _back(candidate, "outcome")
    return _render(
        "assessment/record_form.html",
        422 if form.errors or form.form_errors else 200,
        form=form,
        candidate=candidate,
        title=title,
        intro=intro,
        withdrawal=extra.get("withdrawal", lambda c: None)(candidate),
        blocked=extra.get("blocked", lambda c: None)(candidate),
    )


@records.route("/<int:candidate_id>/outcome/use", methods=["GET", "POST"])
@role_required(*DECIDERS)
def use(candidate_id: int):
    return _outcome_view(
        candidate_id,
        UseForm(),
        checks.check_use,
        lambda c, values: operations.record_use(c, values, actor=current_user),
        title="记录使用",
        intro="后备干部当选或任职后，记录去向和日期；其状态改为“已使用”，移出在库名单，仍可检索。",
        done=lambda c: f"已记录{c.name}的使用情况，状态改为“已使用”。",
        defaults={"place": lambda c: c.village.name, "decided_on": clock.today().isoformat()},
        blocked=lambda c: operations.in_pool_problem(c, "记录使用"),
    )


@records.route("/<int:candidate_id>/outcome/withdraw", methods=["GET", "POST"])
@role_required(*DECIDERS)
def withdraw(candidate_id: int):
    return _outcome_view(
        candidate_id,
        WithdrawForm(),
        checks.check_withdrawal,
        lambda c, values: operations.record_withdrawal(c, values, actor=current_user),
        title="退出人才库",
        intro="写明退出原因和日期；退出后移出在库名单，仍可检索，日后可凭理由恢复入库（能上能下）。",
        done=lambda c: f"{c.name}已退出人才库。",
        defaults={"decided_on": clock.today().isoformat()},
        blocked=lambda c: operations.in_pool_problem(c, "退出人才库"),
    )


@records.route("/<int:candidate_id>/outcome/restore", methods=["GET", "POST"])
@role_required(*DECIDERS)
def restore(candidate_id: int):
    return _outcome_view(
        candidate_id,
        RestoreForm(),
        checks.check_restore,
        lambda c, values: operations.restore(c, values, actor=current_user, today=clock.today()),
        title="恢复入库",
        intro="能上能下：已退出的后备干部经研究可恢复入库，继续培养。恢复的理由记入档案。",
        done=lambda c: f"{c.name}已恢复入库，状态为“在库培养”。",
        withdrawal=open_withdrawal,
        blocked=operations.restore_problem,
    )
