"""Writes on users: create, change, password — each audited, flushed, never committed."""

from __future__ import annotations

import re

from sqlalchemy import select

from app.accounts import throttle
from app.accounts.models import User
from app.accounts.passwords import hash_password, password_problem
from app.core import audit
from app.core.codes import Role
from app.core.errors import RuleError
from app.core.normalize import clean_identifier, clean_text
from app.extensions import db
from app.places.models import Township

USERNAME = re.compile(r"^[A-Za-z0-9_.-]{2,60}$")
FIELDS = ("username", "display_name", "role", "township_id", "is_enabled")


def _check(username: str, role: str, township_id: int | None, user: User | None) -> None:
    if not USERNAME.match(username):
        raise RuleError("用户名只能由 2–60 个字母、数字、下划线、点或连字符组成", "username")
    taken = db.session.scalar(select(User.id).where(User.username == username))
    if taken is not None and (user is None or taken != user.id):
        raise RuleError(f"用户名“{username}”已被使用，请换一个", "username")
    if Role.lookup(role) is None:
        raise RuleError("请选择角色", "role")
    if role == Role.admin and township_id is not None:
        raise RuleError("管理员是县级账号，不能绑定乡镇", "township_id")
    if township_id is not None and db.session.get(Township, township_id) is None:
        raise RuleError("所属乡镇不存在", "township_id")


def create_user(
    *,
    username: str,
    role: str,
    password: str,
    actor=None,
    township_id: int | None = None,
    display_name: str = "",
) -> User:
    username = clean_identifier(username)
    _check(username, role, township_id, None)
    problem = password_problem(password)
    if problem:
        raise RuleError(problem, "password")
    user = User(
        username=username,
        role=role,
        township_id=township_id,
        display_name=clean_text(display_name),
        password_hash=hash_password(password),
        is_enabled=True,
        session_version=1,
    )
    db.session.add(user)
    db.session.flush()
    audit.record(
        "create",
        "user",
        user.id,
        actor=actor,
        township_id=township_id,
        summary=f"新建用户 {username}（{Role.label_of(role)}）",
        changes=audit.diff({}, {k: getattr(user, k) for k in FIELDS}),
    )
    return user


def update_user(user: User, values: dict, *, actor) -> None:
    username = clean_identifier(values["username"])
    _check(username, values["role"], values["township_id"], user)
    before = {k: getattr(user, k) for k in FIELDS}
    user.username = username
    user.display_name = clean_text(values.get("display_name"))
    user.role = values["role"]
    user.township_id = values["township_id"]
    user.is_enabled = bool(values["is_enabled"])
    after = {k: getattr(user, k) for k in FIELDS}
    if (before["is_enabled"] and not user.is_enabled) or before["role"] != user.role:
        user.session_version += 1  # disabled or re-roled: every open session ends now
    if values.get("password"):
        set_password(user, values["password"], actor=actor, audited=False)
    db.session.flush()
    changes = audit.diff(before, after)
    if values.get("password"):
        changes["password"] = ["***", "已重置"]
    if changes:
        audit.record(
            "update",
            "user",
            user.id,
            actor=actor,
            township_id=user.township_id,
            summary=f"修改用户 {user.username}",
            changes=changes,
        )


def set_password(user: User, password: str, *, actor, audited: bool = True) -> None:
    problem = password_problem(password)
    if problem:
        raise RuleError(problem, "password")
    user.password_hash = hash_password(password)
    user.session_version += 1
    if audited:
        db.session.flush()
        audit.record(
            "password",
            "user",
            user.id,
            actor=actor,
            township_id=user.township_id,
            summary=f"修改用户 {user.username} 的密码",
        )


def unlock_login(user: User, *, actor) -> None:
    """Lift the lock failed logins put on a username before its 15 minutes are up.

    Anyone who knows a username can hold it at the limit; an admin who has checked with the user
    lets them back in. The address limit stays: it is no one user's.
    """
    failures = throttle.forget(user.username)
    audit.record(
        "unlock",
        "user",
        user.id,
        actor=actor,
        township_id=user.township_id,
        summary=f"解除用户 {user.username} 的登录锁定",
        changes={"failures": [failures, 0]} if failures else None,
    )
    db.session.flush()
