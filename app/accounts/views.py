"""Login, logout and one's own password."""

from __future__ import annotations

import time
import unicodedata
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from app.accounts import throttle
from app.accounts.forms import LoginForm, PasswordForm
from app.accounts.models import User
from app.accounts.operations import set_password
from app.accounts.passwords import verify_password
from app.core import audit
from app.core.db import begin_write, utcnow
from app.core.errors import RuleError
from app.core.forms import EmptyForm
from app.core.normalize import clean_identifier
from app.core.views import render_form
from app.extensions import db, login_manager

bp = Blueprint("accounts", __name__)

login_manager.login_view = "accounts.login"
login_manager.login_message = "请先登录。"
login_manager.login_message_category = "info"


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """Sessions carry ``id:version``; a bumped version (logout, disabled) voids old cookies."""
    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_version != int(version) or not user.is_enabled:
        return None
    return user


def _safe_next(target: str | None) -> str:
    """Only a path on this site: ``//host`` and ``/\\host`` are other sites to a browser.

    Nor any whitespace or control character: a line break cannot be sent in the Location
    header at all (the login would fail after the session is set), and browsers drop tabs and
    line breaks from a URL, so that ``/<TAB>/host`` is ``//host`` to them.
    """
    if (
        target
        and target.startswith("/")
        and not target.startswith(("//", "/\\"))
        and "\\" not in target
        and not any(ch.isspace() or unicodedata.category(ch)[0] == "C" for ch in target)
        and not urlsplit(target).netloc
    ):
        return target
    return url_for("main.dashboard")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("accounts/login.html", form=form)
    username = clean_identifier(form.username.data)[:60]
    address = request.remote_addr or ""
    begin_write()
    refusal = throttle.take_try(username, address)
    if refusal:
        db.session.rollback()  # a refused try is not counted
        return _throttled(form, username, refusal)
    db.session.commit()  # counted before the slow check, and the write lock let go during it
    user = db.session.scalar(select(User).where(User.username == username))
    # The same argon2 work whether or not the user exists, or is disabled: the time the answer
    # takes must not tell which usernames exist.
    verified = verify_password(user.password_hash if user else None, form.password.data or "")
    begin_write()
    if not verified:
        audit.record(
            "login_failed", "user", user.id if user else None, summary=f"登录失败：{username}"
        )
        db.session.commit()
        form.password.errors = ["用户名或密码不正确"]
        return render_template("accounts/login.html", form=form)
    if not user.is_enabled:
        form.username.errors = ["此账号已停用，请联系县委组织部"]
        return render_template("accounts/login.html", form=form)
    session.clear()  # a fresh session at login: nothing carried over from before
    login_user(user)
    session["seen"] = int(time.time())
    throttle.release(username, address)
    user.last_login_dt = utcnow()
    audit.record(
        "login",
        "user",
        user.id,
        actor=user,
        township_id=user.township_id,
        summary=f"{user.username} 登录",
    )
    db.session.commit()
    return redirect(_safe_next(request.args.get("next")))


def _throttled(form, username: str, refusal: throttle.Refusal):
    by_address = refusal.scope == throttle.ADDRESS
    begin_write()
    audit.record(
        "login_throttled",
        "user",
        None,
        summary=f"登录过于频繁{'（同一地址）' if by_address else ''}：{username}",
    )
    db.session.commit()
    if by_address:
        message = (
            f"您所在网络地址的登录失败次数过多，为保护系统安全，请 {refusal.minutes} 分钟后再试；"
            "如急需登录，请联系县委组织部。"
        )
    else:
        message = (
            f"登录失败次数过多，为保护账号安全，请 {refusal.minutes} 分钟后再试，"
            "或请县委组织部的管理员解除锁定。"
        )
    form.password.errors = [message]
    return render_template("accounts/login.html", form=form), 429


@bp.post("/logout")
@login_required
def logout():
    form = EmptyForm()
    if form.validate_on_submit():
        current_user.session_version += 1  # a copied cookie is worthless from now on
        db.session.commit()
        logout_user()
        session.clear()
        flash("已退出登录。", "info")
    return redirect(url_for("accounts.login"))


@bp.get("/logout")
def logout_page():
    """A link to /logout shows a confirm button: leaving is a POST, so no page can force it."""
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login"))
    return render_template("accounts/logout.html", form=EmptyForm())


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password():
    form = PasswordForm()
    if form.validate_on_submit():
        if not verify_password(current_user.password_hash, form.current.data or ""):
            form.current.errors = ["当前密码不正确"]
        elif form.new.data != form.confirm.data:
            form.confirm.errors = ["两次输入的新密码不一致"]
        else:
            try:
                set_password(current_user, form.new.data, actor=current_user)
            except RuleError as exc:
                form.new.errors = [exc.message]
            else:
                db.session.commit()
                login_user(current_user)  # keep this session, under the new version
                flash("密码已修改，其他设备上的登录已失效。", "success")
                return redirect(url_for("main.dashboard"))
    return render_form("simple_form.html", form, title="修改密码")
