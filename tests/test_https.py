"""HTTPS or plain HTTP: the Secure cookie setting, what a form posted over HTTP is told, HSTS,
and the client's address and scheme behind a proxy (``ROSTER_PROXY_COUNT``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from app.config import env_flag
from app.core.audit import AuditEntry
from app.extensions import db
from tests.conftest import csrf_from

PROJECT_DIR = Path(__file__).resolve().parent.parent
HTTPS_WORDS = "本系统要求通过 HTTPS 访问"
EXPIRED_WORDS = "登录页面已过期"


# ---- ROSTER_SECURE_COOKIES ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", True),
        ("true", True),
        (" On ", True),
        ("YES", True),
        ("0", False),
        ("false", False),
        ("off", False),
        ("No", False),
        ("", None),
    ],
)
def test_env_flag_reads_the_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("ROSTER_SOME_FLAG", raw)
    if expected is None:  # empty: the default, whichever it is
        assert env_flag("ROSTER_SOME_FLAG", True) is True
        assert env_flag("ROSTER_SOME_FLAG", False) is False
    else:
        assert env_flag("ROSTER_SOME_FLAG", not expected) is expected


def test_env_flag_refuses_what_it_cannot_read(monkeypatch):
    monkeypatch.setenv("ROSTER_SOME_FLAG", "flase")
    with pytest.raises(RuntimeError, match="ROSTER_SOME_FLAG='flase'"):
        env_flag("ROSTER_SOME_FLAG", True)


def cookie_flags(**env: str) -> str:
    """The cookie settings ``Config`` takes from this environment, read in a fresh interpreter
    (the settings are read once, when ``app.config`` is imported)."""
    environ = {
        k: v for k, v in os.environ.items() if k not in ("ROSTER_ENV", "ROSTER_SECURE_COOKIES")
    }
    code = (
        "from app.config import Config as C; "
        "print(C.SESSION_COOKIE_SECURE, C.REMEMBER_COOKIE_SECURE)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_DIR,
        env=environ | env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return (result.stdout + result.stderr).strip()


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "True True"),
        ({"ROSTER_ENV": "development"}, "False False"),
        ({"ROSTER_SECURE_COOKIES": "0"}, "False False"),
        ({"ROSTER_SECURE_COOKIES": "off"}, "False False"),
        ({"ROSTER_ENV": "development", "ROSTER_SECURE_COOKIES": "true"}, "True True"),
    ],
)
def test_secure_cookies_follow_the_environment(env, expected):
    assert cookie_flags(**env) == expected


def test_a_mistyped_secure_cookies_value_stops_the_app():
    output = cookie_flags(ROSTER_SECURE_COOKIES="flase")
    assert "ROSTER_SECURE_COOKIES='flase' is not understood" in output


# ---- a form posted over plain HTTP while the cookies are Secure -----------------------------


def post_login_like_a_browser(app, *, https: bool, keep_cookie: bool, **headers):
    """Open /login and post it, as a browser does over http:// or https://. Over http:// a
    browser keeps a Secure cookie to itself (the test client does not know that rule, so the
    cookie is dropped by hand)."""
    base_url = "https://localhost" if https else "http://localhost"
    browser = app.test_client()
    page = browser.get("/login", base_url=base_url, headers=headers)
    token = csrf_from(page.get_data(as_text=True))
    if not keep_cookie:
        browser.delete_cookie("session")
    return browser.post(
        "/login",
        base_url=base_url,
        headers=headers,
        data={"username": "somebody", "password": "some-password-1", "csrf_token": token},
        csrf=False,
    )


def test_over_http_without_the_secure_cookie_the_login_says_https(app_settings):
    app = app_settings(SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True)
    page = app.test_client().get("/login")
    assert "Secure" in page.headers["Set-Cookie"]
    response = post_login_like_a_browser(app, https=False, keep_cookie=False)
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert HTTPS_WORDS in text and "https://" in text and "ROSTER_SECURE_COOKIES=0" in text
    assert EXPIRED_WORDS not in text


def test_any_form_over_http_without_the_secure_cookie_says_https(app_settings):
    app = app_settings(SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True)
    response = app.test_client().post("/logout", data={"csrf_token": "x"}, csrf=False)
    assert response.status_code == 400
    assert HTTPS_WORDS in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("secure_cookies", "https", "keep_cookie", "headers"),
    [
        (True, True, False, {}),  # over HTTPS the cookie was sent: the page really expired
        (True, False, True, {}),  # the session came along: a stale token, not the scheme
        (False, False, False, {}),  # a plain-HTTP intranet with the setting off
        (True, False, False, {"X-Forwarded-Proto": "https"}),  # HTTPS at the proxy
    ],
)
def test_otherwise_the_login_page_has_expired(
    app_settings, secure_cookies, https, keep_cookie, headers
):
    app = app_settings(
        SESSION_COOKIE_SECURE=secure_cookies,
        REMEMBER_COOKIE_SECURE=secure_cookies,
        ROSTER_PROXY_COUNT=1,
    )
    if keep_cookie:
        browser = app.test_client()
        browser.get("/login")
        response = browser.post(
            "/login", data={"username": "a", "password": "b", "csrf_token": "stale"}, csrf=False
        )
    else:
        response = post_login_like_a_browser(app, https=https, keep_cookie=keep_cookie, **headers)
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert EXPIRED_WORDS in text and HTTPS_WORDS not in text


# ---- HSTS ------------------------------------------------------------------------------------


def test_hsts_over_https_only(client):
    over_https = client.get("/login", base_url="https://localhost")
    assert over_https.headers["Strict-Transport-Security"] == "max-age=31536000"
    over_http = client.get("/login")
    assert "Strict-Transport-Security" not in over_http.headers


@pytest.mark.parametrize(("proxies", "hsts"), [(0, False), (1, True)])
def test_hsts_behind_a_proxy_follows_x_forwarded_proto_only_when_trusted(
    app_settings, proxies, hsts
):
    app = app_settings(ROSTER_PROXY_COUNT=proxies)
    response = app.test_client().get("/login", headers={"X-Forwarded-Proto": "https"})
    assert ("Strict-Transport-Security" in response.headers) is hsts


# ---- the client's address behind a proxy ----------------------------------------------------


def failed_login_address(app, forwarded_for: str) -> str:
    """The address the audit log gives a failed login sent with this X-Forwarded-For."""
    app.test_client().post(
        "/login",
        data={"username": "nobody", "password": "wrong-password-1"},
        headers={"X-Forwarded-For": forwarded_for},
    )
    db.session.expire_all()
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "login_failed").order_by(AuditEntry.id)
    ).all()[-1]
    return entry.ip


@pytest.mark.parametrize(
    ("proxies", "forwarded_for", "address"),
    [
        (0, "203.0.113.7", "127.0.0.1"),  # off: anyone can send the header, so it is ignored
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "198.51.100.1, 203.0.113.7", "203.0.113.7"),  # the client's own claim is not taken
        (2, "198.51.100.1, 203.0.113.7", "198.51.100.1"),
    ],
)
def test_the_address_comes_from_x_forwarded_for_only_behind_trusted_proxies(
    app_settings, proxies, forwarded_for, address
):
    app = app_settings(ROSTER_PROXY_COUNT=proxies)
    assert failed_login_address(app, forwarded_for) == address
