"""Response headers, the idle timeout, and the audit of denied requests."""

from __future__ import annotations

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
# A year of "HTTPS only" for this host. Sent only over HTTPS, as browsers ignore it over HTTP
# anyway, and a plain-HTTP intranet must never be told to insist on HTTPS it cannot serve.
# No includeSubDomains: other hosts of a county's domain may still serve plain HTTP.
HSTS = "max-age=31536000"


def init_security(app) -> None:
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
        if request.is_secure:  # behind a proxy: X-Forwarded-Proto, with ROSTER_PROXY_COUNT
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        if request.endpoint not in STATIC_ENDPOINTS:
            # Pages and downloads carry personal data: no copy in any cache, shared or not.
            response.headers["Cache-Control"] = "no-store"
        return response
