"""Headers, login throttling, the idle timeout and the audit of denied requests."""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest
from sqlalchemy import select, update

from app.accounts.models import LoginThrottle, User
from app.core import clock
from app.core.audit import AuditEntry
from app.extensions import db
from app.mentoring.operations import delete_mentor
from app.training import operations as training
from tests.conftest import DEFAULT_PASSWORD, login


def test_pages_carry_the_security_headers(client, make):
    login(client, make.user("admin"))
    response = client.get("/candidates/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cache-Control"] == "no-store"
    static = client.get("/static/app.css")
    static.close()
    assert static.status_code == 200 and "no-store" not in static.headers.get("Cache-Control", "")


def test_no_page_has_inline_script_or_style(client, make):
    township = make.township()
    candidate = make.candidate(township)
    login(client, make.user("admin"))
    for path in (
        "/",
        "/candidates/",
        f"/candidates/{candidate.id}",
        "/candidates/new",
        f"/candidates/{candidate.id}/edit",  # its one script is a file, too
        f"/candidates/{candidate.id}/print",
        "/admin/users",
        "/login",
    ):
        html = client.get(path).get_data(as_text=True)
        assert "<script>" not in html and " style=" not in html, path
        assert "<script" not in html.replace('<script src="', ""), path


def fail(client, username, times, **kwargs):
    for _ in range(times):
        response = client.post(
            "/login", data={"username": username, "password": "wrong-password"}, **kwargs
        )
        assert response.status_code == 200


def test_five_failures_make_the_username_wait(client, make):
    user = make.user("clerk", make.township(), username="zhangsan")
    fail(client, "zhangsan", 5)
    response = client.post("/login", data={"username": "zhangsan", "password": DEFAULT_PASSWORD})
    assert response.status_code == 429
    assert "分钟后再试" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302  # still not logged in
    # Another username is not held up by someone else's failures.
    other = make.user("clerk", user.township, username="lisi")
    login(client, other)
    assert db.session.scalars(select(AuditEntry).where(AuditEntry.action == "login_throttled"))


def test_an_unknown_username_is_held_up_alike(client, make):
    """A limit only real users reached would tell which usernames exist."""
    make.user("clerk", make.township(), username="zhangsan")
    answers = {}
    for username in ("zhangsan", "nobody"):
        fail(client, username, 5)
        response = client.post("/login", data={"username": username, "password": "wrong-pw-1"})
        answers[username] = (response.status_code, error_at(response.get_data(as_text=True)))
    assert answers["zhangsan"] == answers["nobody"]
    assert answers["nobody"][0] == 429


def error_at(page: str) -> str:
    return re.search(r'id="password-error"[^>]*>(.*?)</div>', page, re.S).group(1).strip()


def test_the_wait_ends_when_the_window_has_passed(client, make):
    user = make.user("clerk", make.township(), username="wangwu")
    fail(client, "wangwu", 5)
    past = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=16)
    db.session.execute(update(LoginThrottle).values(window_start_dt=past))
    db.session.commit()
    login(client, user)


def test_a_success_resets_the_count(client, make):
    user = make.user("clerk", make.township(), username="zhaoliu")
    fail(client, "zhaoliu", 4)
    login(client, user)
    client.post("/logout", data={})
    fail(client, "zhaoliu", 4)
    login(client, user)


def counts() -> dict[tuple[str, str], int]:
    db.session.expire_all()
    return {(t.scope, t.subject): t.failures for t in db.session.scalars(select(LoginThrottle))}


def test_twenty_failures_from_one_address_make_it_wait_whatever_the_usernames(client, make):
    make.user("clerk", make.township(), username="sunqi")
    for n in range(20):  # one guess each at twenty usernames, real or not
        fail(client, f"guess{n}", 1)
    assert counts()[("address", "127.0.0.1")] == 20
    response = client.post("/login", data={"username": "sunqi", "password": DEFAULT_PASSWORD})
    assert response.status_code == 429
    page = response.get_data(as_text=True)
    assert "网络地址" in page and "分钟后再试" in page
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "login_throttled"))
    assert "同一地址" in entry.one().summary
    # Another address is not held up: its user logs in.
    elsewhere = client.post(
        "/login",
        data={"username": "sunqi", "password": DEFAULT_PASSWORD},
        environ_base={"REMOTE_ADDR": "10.0.0.8"},
    )
    assert elsewhere.status_code == 302


def test_a_success_gives_back_only_its_own_try_to_the_address(client, make):
    user = make.user("clerk", make.township(), username="zhouba")
    fail(client, "zhouba", 2)
    fail(client, "someone", 1)
    login(client, user)
    assert counts() == {("address", "127.0.0.1"): 3, ("username", "someone"): 1}


@pytest.mark.parametrize(("proxies", "refused"), [(0, True), (1, False)])
def test_the_address_limit_counts_the_forwarded_address_only_behind_a_proxy(
    app_settings, proxies, refused
):
    app = app_settings(ROSTER_PROXY_COUNT=proxies, ROSTER_LOGIN_MAX_ADDRESS_FAILURES=3)
    client = app.test_client()
    for n in range(3):
        fail(client, f"guess{n}", 1, headers={"X-Forwarded-For": "203.0.113.7"})
    response = client.post(
        "/login",
        data={"username": "guess9", "password": "wrong-password"},
        headers={"X-Forwarded-For": "198.51.100.1"},
    )
    assert (response.status_code == 429) is refused
    forwarded = ("address", "203.0.113.7") in counts()
    assert forwarded is not refused


def test_idle_session_is_logged_out(client, make, app):
    login(client, make.user("clerk", make.township()))
    assert client.get("/candidates/").status_code == 200
    with client.session_transaction() as session:
        session["seen"] = int(time.time()) - app.config["ROSTER_IDLE_MINUTES"] * 60 - 5
    response = client.get("/candidates/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get("/candidates/").status_code == 302


@pytest.mark.parametrize("path", ["/admin/users", "/admin/audit", "/places/settings"])
def test_denied_requests_are_audited(client, make, path):
    clerk = make.user("clerk", make.township())
    login(client, clerk)
    assert client.get(path).status_code == 403
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "denied")).one()
    assert entry.actor_id == clerk.id and path in entry.summary


def denials() -> list[AuditEntry]:
    db.session.expire_all()
    stmt = select(AuditEntry).where(AuditEntry.action == "denied").order_by(AuditEntry.id)
    return list(db.session.scalars(stmt))


def township_round(township):
    """A training round of a township's own programme (a round has no township of its own)."""
    actor = User(role="admin", township_id=None)
    today = clock.today()
    programme = training.create_programme(
        {
            "name": "青苗计划",
            "target_group": "",
            "start_on": today - dt.timedelta(days=30),
            "end_on": today + dt.timedelta(days=300),
            "description": "",
            "township_id": township.id,
        },
        actor=actor,
    )
    values = {
        "starts_on": today,
        "ends_on": today + dt.timedelta(days=2),
        "place": "镇党校",
        "topics": "",
        "assignment_title": "调研报告",
        "assignment_due_on": today + dt.timedelta(days=40),
    }
    made = training.create_round(programme, values, actor=actor)
    db.session.commit()
    return made


def test_a_record_of_another_township_is_a_404_and_an_audited_denial(client, make):
    home, away = make.township("东山镇"), make.township("西河乡")
    theirs = make.candidate(away, name="孙七")
    paths = [
        ("GET", f"/candidates/{theirs.id}"),
        ("POST", f"/candidates/{theirs.id}/reveal-id"),
        ("GET", f"/mentoring/pairings/new?candidate_id={theirs.id}"),
        ("GET", f"/mentoring/mentors/{make.mentor(away).id}"),
        ("GET", f"/training/rounds/{township_round(away).id}"),
    ]
    clerk = make.user("clerk", home)
    login(client, clerk)
    for method, path in paths:
        response = client.open(path, method=method, data={"csrf_token": client.csrf_token()})
        assert response.status_code == 404, path
        assert "孙七" not in response.get_data(as_text=True)
    entries = denials()
    assert [(e.actor_id, e.township_id) for e in entries] == [(clerk.id, home.id)] * len(paths)
    for entry, (method, path) in zip(entries, paths, strict=True):
        assert f"{method} {path.split('?')[0]}" in entry.summary


def test_a_missing_or_deleted_record_is_no_denial(client, make):
    home, away = make.township("东山镇"), make.township("西河乡")
    gone = make.mentor(away)
    delete_mentor(gone, actor=make.user("admin"))
    db.session.commit()
    login(client, make.user("clerk", home))
    assert client.get("/candidates/999999").status_code == 404
    assert client.get(f"/mentoring/mentors/{gone.id}").status_code == 404
    client.post("/logout", data={})
    login(client, make.user("admin"))  # county level: nothing is outside its scope
    assert client.get("/candidates/999999").status_code == 404
    assert denials() == []


def test_production_server_needs_a_secret_key_but_commands_do_not(database_url):
    import click

    from app import create_app
    from app.config import Config

    production = {"DEVELOPMENT": False, "SECRET_KEY": None, "SQLALCHEMY_DATABASE_URI": database_url}
    with pytest.raises(RuntimeError, match="SECRET_KEY is not set"):
        create_app(Config, **production)
    with click.Context(click.Command("db")):
        app = create_app(Config, **production)  # e.g. `flask --app app db upgrade`
    assert len(app.config["SECRET_KEY"]) == 64
