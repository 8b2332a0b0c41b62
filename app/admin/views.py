"""County administration: townships, villages, users and the audit log (admins only)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import false, func, select
from sqlalchemy.orm import joinedload

from app.accounts import operations as accounts
from app.accounts import throttle
from app.accounts.forms import UserForm
from app.accounts.models import User
from app.admin.forms import NameForm, VillageForm
from app.core.audit import AuditEntry
from app.core.forms import EmptyForm, add_errors, options
from app.core.normalize import clean_text, parse_id
from app.core.paging import paginate
from app.core.scoping import get_or_404, role_required
from app.core.views import committed, render_form
from app.extensions import db
from app.places import operations as places
from app.places.models import Township, Village
from app.roster.models import Candidate

bp = Blueprint("admin", __name__)
AUDIT_PAGE_SIZE = 100


@bp.before_request
@role_required("admin")
def _admins_only():
    return None


def _commit_or_errors(form, action) -> bool:
    """Run a write; on a rule error put it on the form and write nothing."""
    refusal = committed(action)
    if refusal is not None:
        add_errors(form, {field or "name": message for field, message in refusal.errors.items()})
    return refusal is None


@bp.route("/townships", methods=["GET", "POST"])
def townships():
    form = NameForm()
    if form.validate_on_submit() and _commit_or_errors(
        form, lambda: places.create_township(form.name.data, actor=current_user)
    ):
        flash(f"已新增乡镇 {form.name.data}", "success")
        return redirect(url_for("admin.townships"))
    counts = dict(
        db.session.execute(
            select(Candidate.township_id, func.count())
            .where(Candidate.is_deleted == false())
            .group_by(Candidate.township_id)
        ).all()
    )
    village_counts = dict(
        db.session.execute(
            select(Village.township_id, func.count()).group_by(Village.township_id)
        ).all()
    )
    rows = db.session.scalars(select(Township).order_by(Township.id)).all()
    return render_form(
        "admin/townships.html",
        form,
        townships=rows,
        counts=counts,
        village_counts=village_counts,
    )


@bp.route("/townships/<int:township_id>", methods=["GET", "POST"])
def township(township_id: int):
    township = get_or_404(select(Township), township_id)
    rename = NameForm(prefix="rename", obj=township)
    form = VillageForm(prefix="village")
    if rename.submit.data and rename.validate_on_submit():
        if _commit_or_errors(
            rename, lambda: places.rename_township(township, rename.name.data, actor=current_user)
        ):
            flash("已保存乡镇名称", "success")
            return redirect(url_for("admin.township", township_id=township.id))
    elif form.submit.data and form.validate_on_submit():
        if _commit_or_errors(
            form, lambda: places.create_village(township, form.name.data, actor=current_user)
        ):
            flash(f"已新增 {form.name.data}", "success")
            return redirect(url_for("admin.township", township_id=township.id))
    return render_form("admin/township.html", form, township=township, rename=rename)


@bp.route("/villages/<int:village_id>", methods=["GET", "POST"])
def village(village_id: int):
    village = get_or_404(select(Village), village_id)
    form = VillageForm(obj=village)
    if form.validate_on_submit() and _commit_or_errors(
        form,
        lambda: places.update_village(
            village, form.name.data, form.is_active.data, actor=current_user
        ),
    ):
        flash("已保存", "success")
        return redirect(url_for("admin.township", township_id=village.township_id))
    return render_form("admin/village.html", form, village=village)


def _user_form(user: User | None) -> UserForm:
    form = UserForm(obj=user)
    form.township_id.choices = options(
        [("", "（县级，不绑定乡镇）")]
        + [(t.id, t.name) for t in db.session.scalars(select(Township).order_by(Township.id))]
    )
    if user is not None and request.method == "GET":
        form.township_id.data = str(user.township_id or "")
    return form


def _user_values(form: UserForm) -> dict:
    return {
        "username": form.username.data or "",
        "display_name": form.display_name.data or "",
        "role": form.role.data or "",
        "township_id": parse_id(form.township_id.data),
        "is_enabled": form.is_enabled.data,
        "password": form.password.data or "",
    }


@bp.get("/users")
def users():
    rows = db.session.scalars(
        select(User).options(joinedload(User.township)).order_by(User.township_id, User.id)
    ).all()
    return render_template("admin/users.html", users=rows)


@bp.route("/users/new", methods=["GET", "POST"])
def new_user():
    form = _user_form(None)
    if form.validate_on_submit():
        values = _user_values(form)
        values.pop("is_enabled")
        if _commit_or_errors(form, lambda: accounts.create_user(actor=current_user, **values)):
            flash(f"已新建用户 {values['username']}", "success")
            return redirect(url_for("admin.users"))
    return render_form("admin/user.html", form, user=None)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user(user_id: int):
    user = get_or_404(select(User), user_id)
    form = _user_form(user)
    if form.validate_on_submit():
        values = _user_values(form)
        if user.id == current_user.id and (values["role"] != "admin" or not values["is_enabled"]):
            add_errors(form, {"role": "不能停用自己的账号或取消自己的管理员角色"})
        elif _commit_or_errors(
            form, lambda: accounts.update_user(user, values, actor=current_user)
        ):
            flash(f"已保存用户 {user.username}", "success")
            return redirect(url_for("admin.users"))
    return render_form(
        "admin/user.html",
        form,
        user=user,
        locked_minutes=throttle.locked_minutes(user.username),
        unlock_form=EmptyForm(formdata=None),
    )


@bp.post("/users/<int:user_id>/unlock")
def unlock_user(user_id: int):
    user = get_or_404(select(User), user_id)
    if EmptyForm().validate_on_submit():
        accounts.unlock_login(user, actor=current_user)
        db.session.commit()
        flash(f"已解除用户 {user.username} 的登录锁定，可以立即重新登录。", "success")
    return redirect(url_for("admin.user", user_id=user.id))


@bp.get("/audit")
def audit_log():
    page = parse_id(request.args.get("page")) or 1
    stmt = select(AuditEntry).options(joinedload(AuditEntry.actor))
    entity = clean_text(request.args.get("entity"))
    if entity:
        stmt = stmt.where(AuditEntry.entity == entity)
    entity_id = parse_id(request.args.get("entity_id"))
    if entity_id:
        stmt = stmt.where(AuditEntry.entity_id == entity_id)
    result = paginate(stmt, page, AUDIT_PAGE_SIZE, order_by=(AuditEntry.id.desc(),))
    return render_template("admin/audit.html", page=result, entity=entity, entity_id=entity_id)
