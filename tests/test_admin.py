"""County administration over HTTP: townships, villages, users, and who may open /admin."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from app.accounts.models import User
from app.core.audit import AuditEntry
from app.extensions import db
from app.places.models import Township, Village
from tests.conftest import DEFAULT_PASSWORD, login
from tests.helpers import browser_form, error_at, select_options

NEW_PASSWORD = "a-new-password-77"


# ---- helpers -------------------------------------------------------------------------------


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


def user_form(user: User | None = None, **overrides) -> dict[str, str]:
    values = {
        "username": "",
        "display_name": "",
        "role": "clerk",
        "township_id": "",
        "password": "",
        "is_enabled": "y",
    }
    if user is not None:
        values |= {
            "username": user.username,
            "display_name": user.display_name,
            "role": user.role,
            "township_id": str(user.township_id or ""),
        }
        if not user.is_enabled:
            values.pop("is_enabled")
    values |= overrides
    return {k: v for k, v in values.items() if v is not None}


@pytest.fixture
def township(make):
    return make.township("青山镇", villages=("石桥村", "太平村"))


@pytest.fixture
def admin(make):
    return make.user("admin", None, username="county_admin")


@pytest.fixture
def admin_client(client, admin):
    login(client, admin)
    return client


# ---- townships -------------------------------------------------------------------------------


def test_admin_creates_a_township(admin_client, admin):
    response = admin_client.post("/admin/townships", data={"name": " 白 沙 镇 "})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert path_of(response) == "/admin/townships"
    created = db.session.scalars(select(Township).where(Township.name == "白沙镇")).one()
    assert created.is_active
    page = admin_client.get("/admin/townships").get_data(as_text=True)
    assert f'href="/admin/townships/{created.id}"' in page and "白沙镇" in page


@pytest.mark.parametrize(
    ("name", "words"),
    [("青山镇", ["青山镇", "已存在"]), (" 青 山 镇 ", ["已存在"]), ("", ["请填写乡镇名称"])],
    ids=["duplicate", "duplicate-spaced", "empty"],
)
def test_township_name_refused(admin_client, township, name, words):
    townships, audits = count(Township), count(AuditEntry)
    response = admin_client.post("/admin/townships", data={"name": name})
    assert response.status_code == 422
    message = error_at(response.get_data(as_text=True), "name")
    assert message is not None and all(w in message for w in words), message
    assert count(Township) == townships
    assert count(AuditEntry) == audits


def test_admin_adds_a_village(admin_client, township):
    response = admin_client.post(
        f"/admin/townships/{township.id}",
        data={"village-name": " 新 民 村 ", "village-is_active": "y", "village-submit": "新增"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert path_of(response) == f"/admin/townships/{township.id}"
    village = db.session.scalars(select(Village).where(Village.name == "新民村")).one()
    assert village.township_id == township.id and village.is_active
    page = admin_client.get(f"/admin/townships/{township.id}").get_data(as_text=True)
    assert "新民村" in page


def test_same_village_name_in_another_township_is_fine(admin_client, township, make):
    other = make.township("白沙镇", villages=())
    response = admin_client.post(
        f"/admin/townships/{other.id}",
        data={"village-name": "石桥村", "village-submit": "新增"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert count(Village, Village.name == "石桥村") == 2


@pytest.mark.parametrize(
    ("name", "words"),
    [("石桥村", ["本乡镇已有", "石桥村"]), ("", ["请填写"])],
    ids=["duplicate", "empty"],
)
def test_village_name_refused(admin_client, township, name, words):
    villages, audits = count(Village), count(AuditEntry)
    response = admin_client.post(
        f"/admin/townships/{township.id}",
        data={"village-name": name, "village-submit": "新增"},
    )
    assert response.status_code == 422
    message = error_at(response.get_data(as_text=True), "village-name")
    assert message is not None and all(w in message for w in words), message
    assert count(Village) == villages
    assert count(AuditEntry) == audits


def test_admin_renames_a_township(admin_client, township):
    response = admin_client.post(
        f"/admin/townships/{township.id}",
        data={"rename-name": "青山街道", "rename-submit": "保存"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Township, township.id).name == "青山街道"
    assert count(Village, Village.township_id == township.id) == 2  # no village made on the way


def test_rename_to_an_existing_name_is_refused(admin_client, township, make):
    make.township("白沙镇", villages=())
    audits = count(AuditEntry)
    response = admin_client.post(
        f"/admin/townships/{township.id}",
        data={"rename-name": "白沙镇", "rename-submit": "保存"},
    )
    assert response.status_code == 422
    message = error_at(response.get_data(as_text=True), "rename-name")
    assert message is not None and "已存在" in message
    db.session.expire_all()
    assert db.session.get(Township, township.id).name == "青山镇"
    assert count(AuditEntry) == audits


def test_add_village_as_the_browser_submits_it(admin_client, township):
    """The form as rendered on the page, submitted by pressing its button."""
    page = admin_client.get(f"/admin/townships/{township.id}").get_data(as_text=True)
    data = browser_form(page, "village-name") | {"village-name": "新民村"}
    response = admin_client.post(f"/admin/townships/{township.id}", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    assert count(Village, Village.name == "新民村", Village.township_id == township.id) == 1


def test_rename_township_as_the_browser_submits_it(admin_client, township):
    page = admin_client.get(f"/admin/townships/{township.id}").get_data(as_text=True)
    data = browser_form(page, "rename-name") | {"rename-name": "青山街道"}
    response = admin_client.post(f"/admin/townships/{township.id}", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    db.session.expire_all()
    assert db.session.get(Township, township.id).name == "青山街道"


def test_unknown_township_is_404(admin_client):
    assert admin_client.get("/admin/townships/999999999").status_code == 404
    assert admin_client.get("/admin/villages/999999999").status_code == 404
    assert admin_client.get("/admin/users/999999999").status_code == 404


# ---- villages --------------------------------------------------------------------------------


def test_admin_edits_a_village(admin_client, township):
    village = township.villages[0]
    response = admin_client.post(
        f"/admin/villages/{village.id}", data={"name": "石桥社区", "is_active": "y"}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert path_of(response) == f"/admin/townships/{township.id}"
    db.session.expire_all()
    saved = db.session.get(Village, village.id)
    assert (saved.name, saved.is_active) == ("石桥社区", True)


def test_admin_deactivates_a_village_and_clerks_no_longer_see_it(app, admin_client, township, make):
    village = township.villages[0]
    response = admin_client.post(f"/admin/villages/{village.id}", data={"name": village.name})
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Village, village.id).is_active is False

    clerk = app.test_client()
    login(clerk, make.user("clerk", township))
    page = clerk.get("/candidates/new").get_data(as_text=True)
    assert [v for v, _ in select_options(page, "village_id")] == [str(township.villages[1].id)]


def test_village_edit_form_as_the_browser_submits_it(admin_client, township):
    village = township.villages[0]
    page = admin_client.get(f"/admin/villages/{village.id}").get_data(as_text=True)
    form = browser_form(page, "name")
    assert form.get("is_active") == "y" and form["name"] == "石桥村"
    response = admin_client.post(f"/admin/villages/{village.id}", data=form | {"name": "新桥村"})
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Village, village.id).name == "新桥村"
    assert db.session.get(Village, village.id).is_active is True


def test_village_rename_to_a_sibling_name_is_refused(admin_client, township):
    village = township.villages[0]
    audits = count(AuditEntry)
    response = admin_client.post(
        f"/admin/villages/{village.id}", data={"name": "太平村", "is_active": "y"}
    )
    assert response.status_code == 422
    assert "本乡镇已有" in (error_at(response.get_data(as_text=True), "name") or "")
    db.session.expire_all()
    assert db.session.get(Village, village.id).name == "石桥村"
    assert count(AuditEntry) == audits


# ---- users -------------------------------------------------------------------------------------


def test_admin_creates_a_user_who_can_log_in(app, admin_client, township):
    data = user_form(
        username="li_clerk",
        display_name="李干事",
        role="clerk",
        township_id=str(township.id),
        password=NEW_PASSWORD,
    )
    response = admin_client.post("/admin/users/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert path_of(response) == "/admin/users"
    user = db.session.scalars(select(User).where(User.username == "li_clerk")).one()
    assert (user.role, user.township_id, user.display_name) == ("clerk", township.id, "李干事")
    assert user.is_enabled
    listing = admin_client.get("/admin/users").get_data(as_text=True)
    assert "li_clerk" in listing and "李干事" in listing

    newcomer = app.test_client()
    login(newcomer, user, NEW_PASSWORD)
    assert is_logged_in(newcomer)


def test_new_user_form_offers_townships(admin_client, township):
    page = admin_client.get("/admin/users/new").get_data(as_text=True)
    assert (str(township.id), "青山镇") in select_options(page, "township_id")
    roles = [v for v, _ in select_options(page, "role")]
    assert sorted(roles) == ["admin", "clerk", "secretary"]


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"password": "short-1"}, "password", ["至少", "10 个字符"]),
        ({"password": ""}, "password", ["至少", "10 个字符"]),
        ({"password": "12345678901"}, "password", ["数字"]),
        ({"username": "county_admin"}, "username", ["已被使用"]),
        ({"username": "张三"}, "username", ["用户名只能"]),
        ({"username": ""}, "username", ["用户名只能"]),
        ({"role": "boss"}, "role", ["请选择角色"]),
        ({"role": "admin"}, "township_id", ["不能绑定乡镇"]),
        ({"township_id": "999999999"}, "township_id", ["不存在"]),
    ],
)
def test_user_creation_refused(admin_client, township, overrides, field, words):
    users, audits = count(User), count(AuditEntry)
    data = (
        user_form(
            username="new_clerk", role="clerk", township_id=str(township.id), password=NEW_PASSWORD
        )
        | overrides
    )
    response = admin_client.post("/admin/users/new", data=data)
    assert response.status_code == 422
    message = error_at(response.get_data(as_text=True), field)
    assert message is not None, f"no error at {field}"
    assert all(w in message for w in words), message
    assert count(User) == users
    assert count(AuditEntry) == audits


def test_admin_changes_a_role_and_the_users_session_ends(app, admin_client, township, make):
    clerk = make.user("clerk", township, username="wang_clerk")
    device = app.test_client()
    login(device, clerk)
    assert is_logged_in(device)

    response = admin_client.post(
        f"/admin/users/{clerk.id}", data=user_form(clerk, role="secretary")
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, clerk.id).role == "secretary"
    assert not is_logged_in(device)
    login(device, clerk)  # the password was left as it was
    assert device.get("/candidates/new").status_code == 403  # and the new role applies


def test_admin_disables_a_user_and_the_users_session_ends(app, admin_client, township, make):
    clerk = make.user("clerk", township, username="wang_clerk")
    device = app.test_client()
    login(device, clerk)
    assert is_logged_in(device)

    data = user_form(clerk)
    del data["is_enabled"]
    response = admin_client.post(f"/admin/users/{clerk.id}", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, clerk.id).is_enabled is False

    after = device.get("/candidates/")
    assert after.status_code == 302 and path_of(after) == "/login"
    refused = device.post("/login", data={"username": "wang_clerk", "password": DEFAULT_PASSWORD})
    assert refused.status_code == 200 and "停用" in refused.get_data(as_text=True)
    assert "停用" in admin_client.get("/admin/users").get_data(as_text=True)


def test_admin_re_enables_a_user(app, admin_client, township, make):
    clerk = make.user("clerk", township, username="wang_clerk")
    clerk.is_enabled = False
    db.session.commit()
    response = admin_client.post(f"/admin/users/{clerk.id}", data=user_form(clerk, is_enabled="y"))
    assert response.status_code == 302, response.get_data(as_text=True)
    device = app.test_client()
    login(device, clerk)
    assert is_logged_in(device)


def test_admin_resets_a_password(app, admin_client, township, make):
    clerk = make.user("clerk", township, username="wang_clerk")
    device = app.test_client()
    login(device, clerk)
    response = admin_client.post(
        f"/admin/users/{clerk.id}", data=user_form(clerk, password=NEW_PASSWORD)
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert not is_logged_in(device)
    old = device.post("/login", data={"username": "wang_clerk", "password": DEFAULT_PASSWORD})
    assert old.status_code == 200
    login(device, clerk, NEW_PASSWORD)


def test_edit_with_a_short_password_is_refused(app, admin_client, township, make):
    clerk = make.user("clerk", township, username="wang_clerk")
    audits = count(AuditEntry)
    response = admin_client.post(
        f"/admin/users/{clerk.id}",
        data=user_form(clerk, password="short-1", display_name="不应保存"),
    )
    assert response.status_code == 422
    message = error_at(response.get_data(as_text=True), "password")
    assert message is not None and "至少" in message
    db.session.expire_all()
    assert db.session.get(User, clerk.id).display_name == ""
    assert count(AuditEntry) == audits
    device = app.test_client()
    login(device, clerk)  # the old password still works


def test_edit_form_as_the_browser_submits_it_changes_nothing(app, admin_client, township, make):
    clerk = make.user("clerk", township, username="wang_clerk")
    device = app.test_client()
    login(device, clerk)
    page = admin_client.get(f"/admin/users/{clerk.id}").get_data(as_text=True)
    form = browser_form(page, "username")
    assert form["township_id"] == str(township.id) and form["role"] == "clerk"
    assert form.get("is_enabled") == "y" and form["password"] == ""
    audits = count(AuditEntry)
    response = admin_client.post(f"/admin/users/{clerk.id}", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    saved = db.session.get(User, clerk.id)
    assert (saved.role, saved.township_id, saved.is_enabled) == ("clerk", township.id, True)
    assert count(AuditEntry) == audits  # nothing changed, nothing logged
    assert is_logged_in(device)  # and nobody was logged out


@pytest.mark.parametrize(
    "overrides", [{"is_enabled": None}, {"role": "clerk"}, {"role": "secretary"}]
)
def test_admin_cannot_disable_or_demote_itself(admin_client, admin, overrides):
    audits = count(AuditEntry)
    response = admin_client.post(f"/admin/users/{admin.id}", data=user_form(admin, **overrides))
    assert response.status_code == 422
    message = error_at(response.get_data(as_text=True), "role")
    assert message is not None and "不能停用自己的账号" in message
    db.session.expire_all()
    saved = db.session.get(User, admin.id)
    assert (saved.role, saved.is_enabled) == ("admin", True)
    assert count(AuditEntry) == audits
    assert is_logged_in(admin_client)


# ---- lifting a login lock ------------------------------------------------------------------


def lock_out(app, username: str) -> None:
    """Five wrong passwords from somewhere else: the username is locked for 15 minutes."""
    stranger = app.test_client()
    for _ in range(5):
        stranger.post("/login", data={"username": username, "password": "wrong-password-1"})
    assert is_locked(app, username)


def is_locked(app, username: str) -> bool:
    """Whether the right password is refused as too many tries (429)."""
    response = app.test_client().post(
        "/login", data={"username": username, "password": DEFAULT_PASSWORD}
    )
    return response.status_code == 429


def unlock_button(page: str) -> bool:
    return "解除登录锁定" in page and "/unlock" in page


def test_admin_unlocks_a_locked_out_user(app, admin_client, admin, township, make):
    clerk = make.user("clerk", township, username="wang_clerk")
    assert not unlock_button(admin_client.get(f"/admin/users/{clerk.id}").get_data(as_text=True))
    lock_out(app, "wang_clerk")
    page = admin_client.get(f"/admin/users/{clerk.id}").get_data(as_text=True)
    assert unlock_button(page) and "分钟后自动解除" in page
    response = admin_client.post(f"/admin/users/{clerk.id}/unlock", data={})
    assert response.status_code == 302
    assert path_of(response) == f"/admin/users/{clerk.id}"
    assert "已解除用户 wang_clerk 的登录锁定" in admin_client.get(
        response.headers["Location"]
    ).get_data(as_text=True)
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "unlock")).one()
    assert (entry.entity, entry.entity_id, entry.actor_id) == ("user", clerk.id, admin.id)
    assert entry.changes == {"failures": [5, 0]}
    assert not is_locked(app, "wang_clerk")
    login(app.test_client(), clerk)  # back in at once


def test_unlock_without_csrf_changes_nothing(app, admin_client, township, make):
    clerk = make.user("clerk", township, username="wang_clerk")
    lock_out(app, "wang_clerk")
    response = admin_client.post(f"/admin/users/{clerk.id}/unlock", data={}, csrf=False)
    assert response.status_code == 400
    assert count(AuditEntry, AuditEntry.action == "unlock") == 0
    assert unlock_button(admin_client.get(f"/admin/users/{clerk.id}").get_data(as_text=True))


@pytest.mark.parametrize("role", ["clerk", "secretary"])
def test_only_an_admin_unlocks(app, client, township, make, role):
    locked = make.user("clerk", township, username="wang_clerk")
    lock_out(app, "wang_clerk")
    login(client, make.user(role, township))
    response = client.post(f"/admin/users/{locked.id}/unlock", data={})
    assert response.status_code == 403
    assert count(AuditEntry, AuditEntry.action == "unlock") == 0
    assert count(AuditEntry, AuditEntry.action == "denied") == 1
    assert is_locked(app, "wang_clerk")


# ---- who may open /admin -------------------------------------------------------------------


ADMIN_URLS = [
    "/admin/townships",
    "/admin/townships/{township}",
    "/admin/villages/{village}",
    "/admin/users",
    "/admin/users/new",
    "/admin/users/{user}",
    "/admin/audit",
    "/admin/audit?entity=candidate",
]


def _admin_url(url: str, township, user) -> str:
    return url.format(township=township.id, village=township.villages[0].id, user=user.id)


@pytest.mark.parametrize("url", ADMIN_URLS)
@pytest.mark.parametrize(
    ("role", "bound", "status"),
    [
        ("admin", False, 200),
        ("secretary", True, 403),
        ("secretary", False, 403),
        ("clerk", True, 403),
    ],
)
def test_admin_pages_by_role(client, make, township, url, role, bound, status):
    user = make.user(role, township if bound else None)
    login(client, user)
    response = client.get(_admin_url(url, township, user))
    assert response.status_code == status


@pytest.mark.parametrize("url", ADMIN_URLS)
def test_admin_pages_logged_out(client, make, township, url):
    user = make.user("clerk", township)
    response = client.get(_admin_url(url, township, user))
    assert response.status_code == 302
    assert path_of(response) == "/login"


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/admin/townships", {"name": "白沙镇"}),
        ("/admin/townships/{township}", {"village-name": "新民村", "village-submit": "新增"}),
        ("/admin/townships/{township}", {"rename-name": "改名镇", "rename-submit": "保存"}),
        ("/admin/villages/{village}", {"name": "改名村", "is_active": "y"}),
        ("/admin/users/new", {"username": "sneaky", "role": "admin", "password": NEW_PASSWORD}),
        ("/admin/users/{user}", {"username": "sneaky", "role": "admin", "is_enabled": "y"}),
    ],
)
@pytest.mark.parametrize("role", ["secretary", "clerk", None])
def test_admin_writes_refused_to_others(client, make, township, url, data, role):
    user = make.user(role or "clerk", township)
    if role:
        login(client, user)
    townships, villages, users, audits = (
        count(Township),
        count(Village),
        count(User),
        count(AuditEntry, AuditEntry.action != "denied"),
    )
    response = client.post(_admin_url(url, township, user), data=data)
    assert response.status_code == (403 if role else 302)
    assert (count(Township), count(Village), count(User)) == (townships, villages, users)
    # Nothing written but the record of the refusal itself.
    assert count(AuditEntry, AuditEntry.action != "denied") == audits
    assert count(AuditEntry, AuditEntry.action == "denied") == (1 if role else 0)
    db.session.expire_all()
    assert db.session.get(Township, township.id).name == "青山镇"
    assert db.session.get(User, user.id).role == (role or "clerk")


# ---- a township's own villages ------------------------------------------------------------------


@pytest.fixture
def two_townships(make):
    a = make.township("甲镇", villages=("东村", "西村"))
    b = make.township("乙镇", villages=("南村", "北村"))
    return a, b


@pytest.mark.parametrize("role", ["secretary", "clerk"])
def test_roster_village_filter_offers_only_own_villages(client, make, two_townships, role):
    a, b = two_townships
    login(client, make.user(role, a))
    page = client.get("/candidates/").get_data(as_text=True)
    offered = select_options(page, "village")
    assert sorted(v for v, _ in offered) == sorted(str(v.id) for v in a.villages)
    assert all("南村" not in text and "北村" not in text for _, text in offered)
    assert "乙镇" not in page


def test_new_candidate_form_offers_only_own_villages(client, make, two_townships):
    a, b = two_townships
    login(client, make.user("clerk", a))
    page = client.get("/candidates/new").get_data(as_text=True)
    offered = select_options(page, "village_id")
    assert sorted(v for v, _ in offered) == sorted(str(v.id) for v in a.villages)
    assert "南村" not in page and "北村" not in page


def test_admin_is_offered_every_village(admin_client, two_townships):
    a, b = two_townships
    page = admin_client.get("/candidates/new").get_data(as_text=True)
    offered = {v for v, _ in select_options(page, "village_id")}
    assert offered == {str(v.id) for v in a.villages + b.villages}
    roster = admin_client.get(f"/candidates/?township={b.id}").get_data(as_text=True)
    assert {v for v, _ in select_options(roster, "village")} == {str(v.id) for v in b.villages}
