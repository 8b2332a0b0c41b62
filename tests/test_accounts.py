"""Login, logout, sessions, one's own password, and the account commands of the CLI."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from app.accounts.models import User
from app.core.audit import AuditEntry
from app.extensions import db
from tests.conftest import DEFAULT_PASSWORD, login
from tests.helpers import error_at

NEW_PASSWORD = "a-new-password-77"


def count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def path_of(response) -> str:
    return urlsplit(response.headers.get("Location", "")).path


def is_logged_in(client) -> bool:
    response = client.get("/")
    if response.status_code == 302:
        assert path_of(response) == "/login"
        return False
    assert response.status_code == 200
    return True


def post_login(client, username: str, password: str, **kwargs):
    return client.post("/login", data={"username": username, "password": password}, **kwargs)


@pytest.fixture
def township(make):
    return make.township("青山镇")


@pytest.fixture
def clerk(make, township):
    return make.user("clerk", township, username="clerk_qs")


# ---- login ---------------------------------------------------------------------------------


def test_login_page_has_the_contract_fields(client):
    page = client.get("/login")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'name="username"' in text and 'name="password"' in text
    assert 'name="csrf_token"' in text


@pytest.mark.parametrize("role", ["admin", "secretary", "clerk"])
def test_login_with_the_right_password(client, make, township, role):
    user = make.user(role, None if role == "admin" else township)
    assert not is_logged_in(client)
    response = post_login(client, user.username, DEFAULT_PASSWORD)
    assert response.status_code == 302
    assert path_of(response) == "/"
    assert is_logged_in(client)
    db.session.expire_all()
    assert db.session.get(User, user.id).last_login_dt is not None
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "login", AuditEntry.entity_id == user.id)
    ).one()
    assert entry.actor_id == user.id


def test_username_is_trimmed_and_full_width_tolerated(client, clerk):
    response = post_login(client, " ｃｌｅｒｋ＿ｑｓ ", DEFAULT_PASSWORD)
    assert response.status_code == 302
    assert is_logged_in(client)


@pytest.mark.parametrize(
    ("username", "password"),
    [
        ("clerk_qs", "wrong-password-1"),
        ("clerk_qs", DEFAULT_PASSWORD.upper()),
        ("clerk_qs", DEFAULT_PASSWORD + " "),
        ("nobody", DEFAULT_PASSWORD),
        ("clerk_qs", ""),
    ],
)
def test_wrong_credentials_are_refused_and_audited(client, clerk, username, password):
    before = count(AuditEntry, AuditEntry.action == "login_failed")
    response = post_login(client, username, password)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "用户名或密码不正确" in page
    assert count(AuditEntry, AuditEntry.action == "login_failed") == before + 1
    assert not is_logged_in(client)


def test_failed_login_audit_names_the_account(client, clerk):
    post_login(client, "clerk_qs", "wrong-password-1")
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "login_failed")).one()
    assert (entry.entity, entry.entity_id) == ("user", clerk.id)
    assert "wrong-password-1" not in entry.summary and "wrong-password-1" not in str(entry.changes)


def test_same_message_for_unknown_user_and_wrong_password(client, clerk):
    wrong_password = post_login(client, "clerk_qs", "wrong-password-1").get_data(as_text=True)
    unknown_user = post_login(client, "nobody", "wrong-password-1").get_data(as_text=True)
    assert error_at(wrong_password, "password") == error_at(unknown_user, "password")
    assert error_at(wrong_password, "username") is None
    assert error_at(unknown_user, "username") is None


@pytest.fixture
def verified_hashes(monkeypatch) -> list[str]:
    """The hashes the password hasher verifies against, one per call."""
    calls = []
    original = PasswordHasher.verify

    def spy(self, password_hash, password):
        calls.append(password_hash)
        return original(self, password_hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", spy)
    return calls


def parameters(password_hash: str) -> str:
    """``$argon2id$v=19$m=…,t=…,p=…``: what decides how long a check takes."""
    return password_hash.rsplit("$", 2)[0]


@pytest.mark.parametrize(
    ("username", "enabled"),
    [("nobody", True), ("clerk_qs", True), ("clerk_qs", False)],
    ids=["unknown user", "wrong password", "disabled user"],
)
def test_every_failed_login_does_the_same_hashing_work(
    client, clerk, verified_hashes, username, enabled
):
    """Timing told who exists: argon2 ran only for real users (0.53 s against 0.05 s). Now every
    failed login verifies exactly once, with the parameters of a real user's hash."""
    clerk.is_enabled = enabled
    db.session.commit()
    response = post_login(client, username, "wrong-password-1")
    assert "用户名或密码不正确" in response.get_data(as_text=True)
    assert len(verified_hashes) == 1
    assert verified_hashes[0] != "" and parameters(verified_hashes[0]) == parameters(
        clerk.password_hash
    )
    assert (verified_hashes[0] == clerk.password_hash) is (username == "clerk_qs")


def test_disabled_user_cannot_log_in(client, clerk):
    clerk.is_enabled = False
    db.session.commit()
    response = post_login(client, "clerk_qs", DEFAULT_PASSWORD)
    assert response.status_code == 200
    assert "停用" in response.get_data(as_text=True)
    assert not is_logged_in(client)


def test_login_without_csrf_is_refused(client, clerk):
    response = post_login(client, "clerk_qs", DEFAULT_PASSWORD, csrf=False)
    assert response.status_code == 400
    assert not is_logged_in(client)
    assert count(AuditEntry, AuditEntry.action == "login") == 0


def test_logged_in_user_visiting_login_goes_home(client, clerk):
    login(client, clerk)
    response = client.get("/login")
    assert response.status_code == 302
    assert path_of(response) == "/"


# ---- next --------------------------------------------------------------------------------------


def browser_host(location: str) -> str:
    """The host a browser goes to when it follows ``location`` from http://localhost/.

    Browsers (WHATWG URL) drop tabs and newlines, read a backslash as a slash in http(s) URLs
    and take anything after two or more leading slashes as a host: ``///evil.example/`` is
    ``https://evil.example/``.
    """
    loc = re.sub(r"[\t\n\r]", "", location).strip().replace("\\", "/")
    scheme = re.match(r"([a-zA-Z][a-zA-Z0-9+.-]*):(.*)", loc)
    if scheme:
        if scheme.group(1).lower() not in ("http", "https"):
            return f"<{scheme.group(1).lower()}:>"
        return scheme.group(2).lstrip("/").split("/")[0].split("?")[0] or "localhost"
    if loc.startswith("//"):
        return loc.lstrip("/").split("/")[0].split("?")[0]
    return "localhost"


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/candidates/", "/candidates/"),
        ("/candidates/?status=in_pool", "/candidates/"),
        ("/account/password", "/account/password"),
        ("https://evil.example/", "/"),
        ("http://evil.example/candidates/", "/"),
        ("//evil.example/", "/"),
        ("///evil.example/", None),
        ("////evil.example/", "/"),
        ("/\\evil.example/", None),
        ("\\\\evil.example/", "/"),
        ("/\t/evil.example/", "/"),
        ("/\r\nX:1", "/"),  # a line break cannot go into the Location header at all
        ("/candidates/\x00", "/"),
        ("/candidates/\u2028", "/"),
        ("/ /evil.example/", "/"),
        ("/candidates/?q=王", "/candidates/"),
        ("javascript:alert(1)", "/"),
        ("evil.example", "/"),
    ],
)
def test_next_is_honoured_only_for_local_paths(client, clerk, target, expected):
    """``None``: the app may keep the target if a browser would stay on this site with it."""
    response = client.post(
        "/login",
        query_string={"next": target},
        data={"username": "clerk_qs", "password": DEFAULT_PASSWORD},
    )
    assert response.status_code == 302
    location = response.headers["Location"]
    assert browser_host(location) == "localhost", location
    if expected is not None:
        assert urlsplit(location).path == expected, location
    if expected == "/":
        assert location in ("/", "http://localhost/")


@pytest.mark.parametrize(
    ("location", "host"),
    [
        ("/", "localhost"),
        ("/candidates/?q=1", "localhost"),
        ("http://localhost/x", "localhost"),
        ("/%5Cevil.example/", "localhost"),
        ("//evil.example/", "evil.example"),
        ("///evil.example/x", "evil.example"),
        ("/\\evil.example/", "evil.example"),
        ("https://evil.example/", "evil.example"),
        ("javascript:alert(1)", "<javascript:>"),
    ],
)
def test_browser_host_helper(location, host):
    assert browser_host(location) == host


def test_login_redirect_carries_next_back(client, clerk):
    response = client.get("/candidates/new")
    assert path_of(response) == "/login"
    login_url = response.headers["Location"]
    form_page = client.get(login_url)
    assert form_page.status_code == 200
    response = client.post(login_url, data={"username": "clerk_qs", "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert path_of(response) == "/candidates/new"


# ---- logout ------------------------------------------------------------------------------------


def test_logout_by_get_only_asks(client, clerk):
    login(client, clerk)
    response = client.get("/logout")
    assert response.status_code == 200
    assert 'action="/logout"' in response.get_data(as_text=True)
    assert is_logged_in(client)


def test_logout_without_csrf_does_not_log_out(client, clerk):
    login(client, clerk)
    response = client.post("/logout", data={}, csrf=False)
    assert response.status_code == 400
    assert is_logged_in(client)


def test_logout_voids_a_copied_session_cookie(app, client, clerk):
    login(client, clerk)
    captured = client.get_cookie("session")
    assert captured is not None

    before = app.test_client()
    before.set_cookie("session", captured.value)
    assert is_logged_in(before)  # the copy works while the session is live

    response = client.post("/logout", data={})
    assert response.status_code == 302
    assert path_of(response) == "/login"
    assert not is_logged_in(client)

    replay = app.test_client()
    replay.set_cookie("session", captured.value)
    assert not is_logged_in(replay)
    assert not is_logged_in(before)


def test_logout_ends_every_session_of_the_user(app, client, clerk):
    other_device = app.test_client()
    login(other_device, clerk)
    login(client, clerk)
    client.post("/logout", data={})
    assert not is_logged_in(other_device)


def test_login_again_after_logout(client, clerk):
    login(client, clerk)
    client.post("/logout", data={})
    assert not is_logged_in(client)
    login(client, clerk)
    assert is_logged_in(client)


# ---- own password ------------------------------------------------------------------------------


def change_password(client, current, new, confirm=None):
    return client.post(
        "/account/password",
        data={"current": current, "new": new, "confirm": new if confirm is None else confirm},
    )


def test_password_page_needs_login(client):
    response = client.get("/account/password")
    assert response.status_code == 302
    assert path_of(response) == "/login"


@pytest.mark.parametrize(
    ("current", "new", "confirm", "field", "words"),
    [
        (DEFAULT_PASSWORD, "short-1", None, "new", ["至少", "10 个字符"]),
        (DEFAULT_PASSWORD, "", None, "new", ["至少", "10 个字符"]),
        (DEFAULT_PASSWORD, "1234567890123", None, "new", ["数字"]),
        (DEFAULT_PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "x", "confirm", ["不一致"]),
        ("wrong-current-1", NEW_PASSWORD, None, "current", ["当前密码不正确"]),
        ("", NEW_PASSWORD, None, "current", ["当前密码不正确"]),
    ],
)
def test_password_change_refused(client, clerk, current, new, confirm, field, words):
    login(client, clerk)
    audits = count(AuditEntry)
    response = change_password(client, current, new, confirm)
    assert response.status_code == 422
    message = error_at(response.get_data(as_text=True), field)
    assert message is not None, f"no error at {field}"
    assert all(word in message for word in words), message
    assert count(AuditEntry) == audits
    client.post("/logout", data={})
    assert post_login(client, "clerk_qs", DEFAULT_PASSWORD).status_code == 302


def test_password_change_succeeds(app, client, clerk):
    other_device = app.test_client()
    login(other_device, clerk)
    login(client, clerk)
    response = change_password(client, DEFAULT_PASSWORD, NEW_PASSWORD)
    assert response.status_code == 302
    assert is_logged_in(client)  # this session carries on
    assert not is_logged_in(other_device)  # every other one ends
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "password")).one()
    assert (entry.entity, entry.entity_id, entry.actor_id) == ("user", clerk.id, clerk.id)
    assert NEW_PASSWORD not in str(entry.changes) and NEW_PASSWORD not in entry.summary

    fresh = app.test_client()
    old = post_login(fresh, "clerk_qs", DEFAULT_PASSWORD)
    assert old.status_code == 200
    assert "用户名或密码不正确" in old.get_data(as_text=True)
    assert post_login(fresh, "clerk_qs", NEW_PASSWORD).status_code == 302


def test_password_change_without_csrf_changes_nothing(client, clerk):
    login(client, clerk)
    response = client.post(
        "/account/password",
        data={"current": DEFAULT_PASSWORD, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD},
        csrf=False,
    )
    assert response.status_code == 400
    client.post("/logout", data={})
    assert post_login(client, "clerk_qs", DEFAULT_PASSWORD).status_code == 302


# ---- CLI -----------------------------------------------------------------------------------------


def test_cli_create_user_bound_to_a_township(client, runner, township):
    result = runner.invoke(
        args=[
            *"create-user --username u1 --role clerk --township 青山镇 --name 李干事".split(),
            "--password",
            NEW_PASSWORD,
        ]
    )
    assert result.exit_code == 0, result.output
    assert "u1" in result.output
    db.session.expire_all()
    user = db.session.scalars(select(User).where(User.username == "u1")).one()
    assert (user.role, user.township_id, user.display_name) == ("clerk", township.id, "李干事")
    assert user.is_enabled
    assert NEW_PASSWORD not in user.password_hash
    assert post_login(client, "u1", NEW_PASSWORD).status_code == 302


def test_cli_create_county_level_secretary(runner):
    result = runner.invoke(
        args=[
            *"create-user --username county_sec --role secretary".split(),
            "--password",
            NEW_PASSWORD,
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalars(select(User).where(User.username == "county_sec")).one()
    assert user.township_id is None


def test_cli_create_user_asks_for_the_password(client, runner, township):
    result = runner.invoke(
        args=["create-user", "--username", "u2", "--role", "secretary", "--township", "青山镇"],
        input=f"{NEW_PASSWORD}\n{NEW_PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert NEW_PASSWORD not in result.output
    assert post_login(client, "u2", NEW_PASSWORD).status_code == 302


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (
            f"--username u3 --role clerk --township 不存在镇 --password {NEW_PASSWORD}",
            ["不存在镇", "不存在"],
        ),
        ("--username u3 --role clerk --township 青山镇 --password short-1", ["至少", "10"]),
        ("--username u3 --role clerk --password 12345678901", ["数字"]),
        (f"--username 张三 --role clerk --password {NEW_PASSWORD}", ["用户名"]),
        (f"--username clerk_qs --role clerk --password {NEW_PASSWORD}", ["已被使用"]),
        (
            f"--username u3 --role admin --township 青山镇 --password {NEW_PASSWORD}",
            ["不能绑定乡镇"],
        ),
    ],
)
def test_cli_create_user_refusals(runner, clerk, args, words):
    users = count(User)
    result = runner.invoke(args=["create-user", *args.split()])
    assert result.exit_code != 0
    for word in words:
        assert word in result.output, result.output
    assert count(User) == users


def test_cli_create_user_unknown_role(runner):
    result = runner.invoke(
        args=["create-user", "--username", "u4", "--role", "boss", "--password", NEW_PASSWORD]
    )
    assert result.exit_code != 0
    assert count(User) == 0


def test_cli_ensure_admin_prints_a_generated_password_once(client, runner):
    result = runner.invoke(args=["ensure-admin"])
    assert result.exit_code == 0, result.output
    match = re.search(r"初始密码[^：:]*[：:]\s*(\S+)", result.output)
    assert match, result.output
    password = match.group(1)
    assert len(password) >= 10
    admin = db.session.scalars(select(User)).one()
    assert (admin.username, admin.role, admin.township_id) == ("admin", "admin", None)

    again = runner.invoke(args=["ensure-admin"])
    assert again.exit_code == 0, again.output
    assert "已有用户" in again.output
    assert password not in again.output
    assert count(User) == 1

    assert post_login(client, "admin", password).status_code == 302
    assert client.get("/admin/users").status_code == 200


def test_cli_ensure_admin_does_nothing_when_there_are_users(runner, clerk):
    result = runner.invoke(args=["ensure-admin"])
    assert result.exit_code == 0, result.output
    assert "已有用户" in result.output
    assert count(User) == 1
    assert count(User, User.username == "admin") == 0


def test_cli_ensure_admin_takes_the_configured_password(app, client, runner):
    app.config["ROSTER_ADMIN_PASSWORD"] = "configured-admin-pw-9"
    result = runner.invoke(args=["ensure-admin"])
    assert result.exit_code == 0, result.output
    assert "configured-admin-pw-9" not in result.output
    assert "ROSTER_ADMIN_PASSWORD" in result.output
    assert post_login(client, "admin", "configured-admin-pw-9").status_code == 302


def test_cli_ensure_admin_refuses_a_weak_configured_password(app, runner):
    app.config["ROSTER_ADMIN_PASSWORD"] = "short"
    result = runner.invoke(args=["ensure-admin"])
    assert result.exit_code != 0
    assert "ROSTER_ADMIN_PASSWORD" in result.output
    assert count(User) == 0
