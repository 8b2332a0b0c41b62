"""Error pages, and the one rollback after a failed request."""

from __future__ import annotations

from flask import current_app, g, render_template, request, session
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError

from app.extensions import db


class RuleError(Exception):
    """A domain rule refused a write. Its messages by form field (``errors``; the key None for
    the form as a whole): ``RuleError("…", "field")`` for one, ``RuleError({"a": "…", "b": "…"})``
    for several."""

    def __init__(self, message: str | dict[str | None, str], field: str | None = None):
        self.errors: dict[str | None, str] = (
            dict(message) if isinstance(message, dict) else {field: message}
        )
        self.field = field if not isinstance(message, dict) else next(iter(self.errors), None)
        self.message = self.errors[self.field] if self.errors else ""
        super().__init__(self.message)


class StaleRecord(RuleError):
    """Someone else saved the record after this form was opened (version counter differs), or
    the form does not say which version it was opened at (``unversioned``)."""

    def __init__(self, unversioned: bool = False):
        super().__init__(
            "这份表单没有带上打开时的版本（可能是很久以前打开的页面），未保存您的修改。"
            "请对照下方的最新内容，确认后再保存。"
            if unversioned
            else "此档案在您打开编辑页后已被他人修改，未保存您的修改。"
            "请对照下方的最新内容，确认后再保存。"
        )
        self.unversioned = unversioned


MESSAGES = {
    400: ("请求有误", "提交的内容无法处理，请返回上一页重试。"),
    403: ("没有权限", "您的账号没有进行此操作的权限。如需办理，请联系乡镇党委或县委组织部。"),
    404: ("页面不存在", "您要找的记录不存在，或不在您的管理范围内。"),
    405: ("请求方式不对", "此页面不接受这种请求方式。"),
    413: ("文件太大", "上传的文件超过了大小限制，请拆分后再上传。"),
    500: ("系统出错", "系统处理时出错，所做修改未保存。请稍后重试，或联系管理员。"),
    503: ("系统繁忙", "系统正忙于保存其他人的修改，您这次的操作未保存。请稍后重试。"),
}


def _page(code: int, detail: str | None = None):
    db.session.rollback()
    title, text = MESSAGES.get(code, ("出错了", "请求未能完成。"))
    return render_template("errors.html", code=code, title=title, text=detail or text), code


def _audit_denial(what: str) -> None:
    """A refused request is itself worth an audit entry: who tried what. Written on its own,
    after the request's work is rolled back."""
    from flask_login import current_user

    from app.core import audit

    db.session.rollback()
    user = current_user if current_user.is_authenticated else None
    audit.record(
        "denied",
        "request",
        None,
        actor=user,
        township_id=getattr(user, "township_id", None),
        summary=f"{what}：{request.method} {request.path}",
    )
    db.session.commit()


def _denied(_error):
    _audit_denial("拒绝访问")
    return _page(403)


def _missing(_error):
    """A record of another township answers exactly as a missing one, and is audited
    (``app.core.scoping.get_or_404`` marks the try)."""
    if g.pop("out_of_scope", False):
        _audit_denial("拒绝访问其他乡镇的记录")
    return _page(404)


HTTPS_REQUIRED = (
    "本系统要求通过 HTTPS 访问：登录状态保存在只经 HTTPS 传送的安全 Cookie 中，"
    "通过 http:// 打开时浏览器不会送回，表单因此无法提交，未做任何修改。"
    "请改用以 https:// 开头的地址打开本系统；如本系统部署在只能使用 HTTP 的内部网络中，"
    "请联系管理员设置 ROSTER_SECURE_COOKIES=0。"
)


def _secure_cookie_lost_over_http() -> bool:
    """A form posted over plain HTTP while the cookies are Secure: the browser kept the session
    cookie to itself, so the form's token has nothing to match. Refreshing cannot help (the
    page would only say "expired" forever); the address or the setting has to change."""
    return (
        current_app.config["SESSION_COOKIE_SECURE"]
        and not request.is_secure
        and current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token") not in session
    )


def register_error_handlers(app) -> None:
    for code in MESSAGES:
        app.register_error_handler(code, lambda e, code=code: _page(code))
    app.register_error_handler(403, _denied)
    app.register_error_handler(404, _missing)

    @app.errorhandler(OperationalError)
    def database_busy(error):
        """SQLite's write lock still held by another writer when the busy timeout ran out:
        nothing was saved and a retry will do, so say that (503), not "system error"."""
        if "database is locked" not in str(error.orig):
            raise error
        current_app.logger.warning(
            "database is locked: %s %s answered 503", request.method, request.path
        )
        page, code = _page(503)
        return page, code, {"Retry-After": "5"}

    @app.errorhandler(CSRFError)
    def csrf_error(e):
        detail = "表单已过期或缺少安全令牌，未做任何修改。请刷新页面后重新提交。"
        if _secure_cookie_lost_over_http():
            detail = HTTPS_REQUIRED
        elif request.path.startswith("/login"):
            detail = "登录页面已过期，请刷新后重新登录。"
        return _page(400, detail)
