"""The audit log: every write says who changed what, ID numbers masked, readable by admins."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from app.accounts.models import User
from app.core.audit import AuditEntry
from app.core.idcard import make_id_number, mask_id_number
from app.extensions import db
from app.places.models import Township, Village
from app.roster.models import Candidate
from tests.conftest import login
from tests.helpers import browser_form, candidate_form

ID_A = make_id_number("330102", dt.date(1988, 3, 14), 411, "M")
ID_A2 = make_id_number("330102", dt.date(1988, 3, 14), 523, "M")  # same birth date and sex
ID_B = make_id_number("330102", dt.date(1992, 11, 2), 64, "F")
NEW_PASSWORD = "a-new-password-77"


# ---- helpers -------------------------------------------------------------------------------


def entries(**where) -> list[AuditEntry]:
    db.session.expire_all()
    stmt = select(AuditEntry).filter_by(**where).order_by(AuditEntry.id)
    return list(db.session.scalars(stmt))


def the_entry(**where) -> AuditEntry:
    found = entries(**where)
    assert len(found) == 1, [(e.action, e.entity, e.entity_id, e.changes) for e in found]
    return found[0]


def dumped(entry: AuditEntry) -> str:
    return json.dumps(entry.changes, ensure_ascii=False) + entry.summary


def assert_no_full_id(entry: AuditEntry, *numbers: str) -> None:
    text = dumped(entry)
    for number in numbers:
        assert number not in text and number[::-1] not in text, text
        assert number[:17] not in text, text


def edit_form(client, candidate_id: int) -> dict[str, str]:
    """The edit form as the browser has it filled in."""
    page = client.get(f"/candidates/{candidate_id}/edit")
    assert page.status_code == 200
    fields = browser_form(page.get_data(as_text=True), "version")
    assert "id_number" in fields, fields
    return fields


@pytest.fixture
def township(make):
    return make.township("青山镇", villages=("石桥村", "太平村"))


@pytest.fixture
def clerk(make, township):
    return make.user("clerk", township, username="qs_clerk")


@pytest.fixture
def clerk_client(client, clerk):
    login(client, clerk)
    return client


@pytest.fixture
def admin(make):
    return make.user("admin", None, username="county_admin")


@pytest.fixture
def created(clerk_client, township) -> Candidate:
    response = clerk_client.post(
        "/candidates/new",
        data=candidate_form(township.villages[0].id, name="周八", id_number=ID_A),
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return db.session.scalars(select(Candidate).where(Candidate.name == "周八")).one()


# ---- candidates --------------------------------------------------------------------------------


def test_create_is_audited(created, clerk, township):
    entry = the_entry(entity="candidate", action="create")
    assert (entry.entity_id, entry.actor_id, entry.township_id) == (
        created.id,
        clerk.id,
        township.id,
    )
    assert "周八" in entry.summary
    changes = entry.changes
    assert changes["name"] == [None, "周八"]
    assert changes["id_number"] == [None, mask_id_number(ID_A)]
    assert changes["phone"] == [None, "13800138000"]
    assert changes["birth_date"] == [None, "1988-03-14"]
    assert changes["gender"] == [None, "M"]
    assert changes["village_id"] == [None, township.villages[0].id]
    assert changes["status"] == [None, "nominated"]
    assert all(isinstance(v, list) and len(v) == 2 and v[0] is None for v in changes.values())
    assert_no_full_id(entry, ID_A)
    assert entry.created_dt is not None


def test_update_of_the_phone_logs_only_the_phone(clerk_client, created, clerk, township):
    form = edit_form(clerk_client, created.id)
    response = clerk_client.post(
        f"/candidates/{created.id}/edit", data=form | {"phone": "139 0013 9000"}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    entry = the_entry(entity="candidate", action="update")
    assert entry.changes == {"phone": ["13800138000", "13900139000"]}
    assert (entry.entity_id, entry.actor_id, entry.township_id) == (
        created.id,
        clerk.id,
        township.id,
    )


def test_update_of_several_fields_logs_exactly_those(clerk_client, created, township):
    form = edit_form(clerk_client, created.id)
    data = form | {
        "occupation": "村医",
        "village_id": str(township.villages[1].id),
        "notes": "擅长调解",
        "political": "03",
    }
    response = clerk_client.post(f"/candidates/{created.id}/edit", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    entry = the_entry(entity="candidate", action="update")
    assert entry.changes == {
        "occupation": ["", "村医"],
        "village_id": [township.villages[0].id, township.villages[1].id],
        "notes": ["", "擅长调解"],
        "political": ["01", "03"],
    }


def test_saving_an_unchanged_form_logs_nothing(clerk_client, created):
    before = len(entries())
    form = edit_form(clerk_client, created.id)
    response = clerk_client.post(f"/candidates/{created.id}/edit", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert len(entries()) == before
    assert entries(entity="candidate", action="update") == []


def test_id_number_changes_are_masked(clerk_client, created):
    form = edit_form(clerk_client, created.id)
    response = clerk_client.post(f"/candidates/{created.id}/edit", data=form | {"id_number": ID_A2})
    assert response.status_code == 302, response.get_data(as_text=True)
    entry = the_entry(entity="candidate", action="update")
    assert entry.changes == {"id_number": [mask_id_number(ID_A), mask_id_number(ID_A2)]}
    assert mask_id_number(ID_A) != mask_id_number(ID_A2)
    assert_no_full_id(entry, ID_A, ID_A2)


def test_id_number_and_what_follows_from_it(clerk_client, created):
    form = edit_form(clerk_client, created.id)
    data = form | {"id_number": ID_B, "birth_date": "", "gender": ""}
    response = clerk_client.post(f"/candidates/{created.id}/edit", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    entry = the_entry(entity="candidate", action="update")
    assert entry.changes == {
        "id_number": [mask_id_number(ID_A), mask_id_number(ID_B)],
        "birth_date": ["1988-03-14", "1992-11-02"],
        "gender": ["M", "F"],
    }
    assert_no_full_id(entry, ID_A, ID_B)


def test_refused_edit_logs_nothing(clerk_client, created):
    before = len(entries())
    form = edit_form(clerk_client, created.id)
    response = clerk_client.post(f"/candidates/{created.id}/edit", data=form | {"phone": "123"})
    assert response.status_code == 422
    assert len(entries()) == before


@pytest.mark.parametrize(
    ("target", "reason", "status"),
    [
        ("inspecting", "", "inspecting"),
        ("in_pool", "", "in_pool"),
        ("returned", "材料不全", "returned"),
    ],
)
def test_status_change_is_audited(app, created, make, township, target, reason, status):
    secretary = make.user("secretary", township)
    client = app.test_client()
    login(client, secretary)
    response = client.post(
        f"/candidates/{created.id}/status", data={"target": target, "reason": reason}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    entry = the_entry(entity="candidate", action="status")
    assert (entry.entity_id, entry.actor_id, entry.township_id) == (
        created.id,
        secretary.id,
        township.id,
    )
    assert entry.changes["status"] == ["nominated", status]
    assert entry.changes.get("reason", "") == reason
    assert "周八" in entry.summary


def test_refused_status_change_logs_only_the_denial(created, clerk_client):
    before = len(entries())
    response = clerk_client.post(
        f"/candidates/{created.id}/status", data={"target": "in_pool", "reason": ""}
    )
    assert response.status_code == 403
    response = clerk_client.post(
        f"/candidates/{created.id}/status", data={"target": "used", "reason": ""}
    )
    assert response.status_code == 422
    # The 403 is itself audited (who tried what); the refused change left no other entry.
    assert [e.action for e in entries()[before:]] == ["denied"]
    db.session.expire_all()
    assert db.session.get(Candidate, created.id).status == "nominated"


# ---- the log page ------------------------------------------------------------------------------


@pytest.fixture
def admin_client(app, admin):
    client = app.test_client()
    login(client, admin)
    return client


def test_admin_reads_the_log(admin_client, created, make, township):
    other = make.candidate(township, name="吴九", id_number=ID_B)
    page = admin_client.get("/admin/audit")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "新增后备干部 周八" in html and "新增后备干部 吴九" in html
    assert "qs_clerk" in html
    assert mask_id_number(ID_A) in html
    assert ID_A not in html and ID_B not in html
    assert other.id != created.id


def test_admin_filters_by_entity_and_id(admin_client, created, make, township):
    other = make.candidate(township, name="吴九", id_number=ID_B)
    one = admin_client.get(
        "/admin/audit", query_string={"entity": "candidate", "entity_id": created.id}
    ).get_data(as_text=True)
    assert "周八" in one and "吴九" not in one
    other_page = admin_client.get(
        "/admin/audit", query_string={"entity": "candidate", "entity_id": other.id}
    ).get_data(as_text=True)
    assert "吴九" in other_page and "周八" not in other_page

    townships = admin_client.get("/admin/audit", query_string={"entity": "township"})
    text = townships.get_data(as_text=True)
    assert "新增乡镇 青山镇" in text and "新增后备干部" not in text
    users = admin_client.get("/admin/audit", query_string={"entity": "user"}).get_data(as_text=True)
    assert "qs_clerk" in users and "新增后备干部" not in users and "新增乡镇" not in users


def test_audit_log_tolerates_odd_filters(admin_client, created):
    for query in ({"entity": "nothing"}, {"entity_id": "abc"}, {"page": "0"}, {"page": "99"}):
        assert admin_client.get("/admin/audit", query_string=query).status_code == 200


# ---- townships, villages, users ----------------------------------------------------------------


def test_township_and_village_writes_are_audited(admin_client, admin):
    response = admin_client.post("/admin/townships", data={"name": "白沙镇"})
    assert response.status_code == 302, response.get_data(as_text=True)
    township = db.session.scalars(select(Township).where(Township.name == "白沙镇")).one()
    entry = the_entry(entity="township", action="create", entity_id=township.id)
    assert (entry.actor_id, entry.township_id) == (admin.id, township.id)
    assert entry.changes == {"name": [None, "白沙镇"]}

    response = admin_client.post(
        f"/admin/townships/{township.id}",
        data={"village-name": "白沙村", "village-is_active": "y", "village-submit": "新增"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    village = db.session.scalars(select(Village).where(Village.name == "白沙村")).one()
    entry = the_entry(entity="village", action="create", entity_id=village.id)
    assert (entry.actor_id, entry.township_id) == (admin.id, township.id)
    assert entry.changes == {"name": [None, "白沙村"]}

    response = admin_client.post(
        f"/admin/townships/{township.id}",
        data={"rename-name": "白沙街道", "rename-submit": "保存"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    entry = the_entry(entity="township", action="update", entity_id=township.id)
    assert entry.actor_id == admin.id
    assert entry.changes == {"name": ["白沙镇", "白沙街道"]}

    response = admin_client.post(f"/admin/villages/{village.id}", data={"name": "白沙社区"})
    assert response.status_code == 302, response.get_data(as_text=True)
    entry = the_entry(entity="village", action="update", entity_id=village.id)
    assert entry.actor_id == admin.id
    assert entry.changes == {"name": ["白沙村", "白沙社区"], "is_active": [True, False]}


def test_user_writes_are_audited_without_passwords(admin_client, admin, township):
    response = admin_client.post(
        "/admin/users/new",
        data={
            "username": "zhou_sec",
            "display_name": "周书记",
            "role": "secretary",
            "township_id": str(township.id),
            "password": NEW_PASSWORD,
            "is_enabled": "y",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    user = db.session.scalars(select(User).where(User.username == "zhou_sec")).one()
    created = the_entry(entity="user", action="create", entity_id=user.id)
    assert (created.actor_id, created.township_id) == (admin.id, township.id)
    assert created.changes["username"] == [None, "zhou_sec"]
    assert created.changes["role"] == [None, "secretary"]
    assert created.changes["township_id"] == [None, township.id]

    response = admin_client.post(
        f"/admin/users/{user.id}",
        data={
            "username": "zhou_sec",
            "display_name": "周书记",
            "role": "clerk",
            "township_id": str(township.id),
            "password": "another-password-88",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    updated = the_entry(entity="user", action="update", entity_id=user.id)
    assert updated.actor_id == admin.id
    assert updated.changes["role"] == ["secretary", "clerk"]
    assert updated.changes["is_enabled"] == [True, False]
    assert "password" in updated.changes
    assert set(updated.changes) == {"role", "is_enabled", "password"}

    db.session.expire_all()
    hashed = db.session.get(User, user.id).password_hash
    for entry in entries(entity="user", entity_id=user.id):
        text = dumped(entry)
        assert NEW_PASSWORD not in text and "another-password-88" not in text
        assert hashed not in text and "$argon2" not in text


def test_own_password_change_is_audited(clerk_client, clerk):
    response = clerk_client.post(
        "/account/password",
        data={"current": "correct-horse-42", "new": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    entry = the_entry(entity="user", action="password")
    assert (entry.entity_id, entry.actor_id) == (clerk.id, clerk.id)
    assert NEW_PASSWORD not in dumped(entry)


def test_every_entry_of_a_session_has_an_actor_and_an_ip(clerk_client, created, clerk):
    clerk_client.post(f"/candidates/{created.id}/reveal-id", data={})
    mine = [e for e in entries() if e.actor_id == clerk.id]
    assert {e.action for e in mine} >= {"login", "create", "reveal"}
    assert all(e.ip for e in mine)
