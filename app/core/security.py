"""Response headers, the idle timeout, the audit of denied requests, and request logs without
query strings."""

from __future__ import annotations

import logging
import re
import time

from flask import flash, redirect, request, session, url_for
from flask_login import current_user, logout_user

# No inline script or style anywhere: every asset is a file the app serves.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'self'; object-src 'none'"
)
STATIC_ENDPOINTS = {"static", "bootstrap.static"}
QUERY_STRING = re.compile(r"\?[^\s\"]*")


def init_security(app) -> None:
    keep_query_strings_out_of_request_logs()

    @app.before_request
    def idle_timeout():
        if request.endpoint in STATIC_ENDPOINTS or not current_user.is_authenticated:
            return None
        now = int(time.time())
        seen = session.get("seen", now)
        if now - seen > app.config["ROSTER_IDLE_MINUTES"] * 60:
            logout_user()
            session.clear()
            flash("长时间未操作，已自动退出。请重新登录。", "info")
            return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
        if now - seen > 30:  # refresh the mark without re-issuing the cookie on every click
            session["seen"] = now
        return None

    @app.after_request
    def headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if request.endpoint not in STATIC_ENDPOINTS:
            # Pages and downloads carry personal data: no copy in any cache, shared or not.
            response.headers["Cache-Control"] = "no-store"
        return response


class DropQueryStrings(logging.Filter):
    """Request lines logged with ``?…`` for their query string: a roster search (``?q=``) may be
    an ID number or a phone number, and the development server logs every request line."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                QUERY_STRING.sub("?…", arg) if isinstance(arg, str) else arg for arg in record.args
            )
        elif isinstance(record.msg, str) and not record.args:
            record.msg = QUERY_STRING.sub("?…", record.msg)
        return True


def keep_query_strings_out_of_request_logs() -> None:
    logger = logging.getLogger("werkzeug")
    if not any(isinstance(f, DropQueryStrings) for f in logger.filters):
        logger.addFilter(DropQueryStrings())
