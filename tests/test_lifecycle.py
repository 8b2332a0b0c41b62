"""The candidate lifecycle over HTTP: nominate, inspect, approve, return, re-nominate."""

from __future__ import annotations

import datetime as dt
import itertools
import re

import pytest
from sqlalchemy import select

from app.core import clock
from app.core.audit import AuditEntry
from app.core.idcard import make_id_number
from app.extensions import db
from app.roster.models import Candidate, StatusChange
from tests.conftest import Client, login

_SEQ = itertools.count()

NEW_CANDIDATE = {
    "name": " 张 三 ",
    "id_number": "11010519491231002X",
    "political": "01",
    "education": "bachelor",
    "source": "veteran",
    "direction": "party_secretary",
    "phone": "１３８ ００１３ ８０００",
    "ethnicity": "01",
}


# ---- helpers -----------------------------------------------------------------------------


def client_for(app, user) -> Client:
    client = app.test_client()
    login(client, user)
    with client.session_transaction() as session:
        assert session.get("_user_id", "").startswith(f"{user.id}:"), "logged in as someone else"
    return client


def candidate_in(make, township, status: str = "nominated", name: str = "张三") -> Candidate:
    number = make_id_number("430521", dt.date(1990, 5, 3), (next(_SEQ) % 500) * 2, "M")
    candidate = make.candidate(township, name=name, id_number=number)
    if status != "nominated":
        candidate.status = status
        db.session.commit()
    return candidate


def move(client, candidate_id: int, target: str, reason: str | None = None, **kwargs):
    data = {"target": target}
    if reason is not None:
        data["reason"] = reason
    return client.post(f"/candidates/{candidate_id}/status", data=data, **kwargs)


def fresh(candidate_id: int) -> Candidate:
    db.session.expire_all()
    return db.session.get(Candidate, candidate_id)


def changes_of(candidate_id: int) -> list[tuple]:
    db.session.expire_all()
    stmt = (
        select(StatusChange)
        .where(StatusChange.candidate_id == candidate_id)
        .order_by(StatusChange.id)
    )
    return [(c.from_status, c.to_status, c.actor_id, c.reason) for c in db.session.scalars(stmt)]


def status_audits(candidate_id: int) -> list[tuple]:
    db.session.expire_all()
    stmt = (
        select(AuditEntry)
        .where(
            AuditEntry.action == "status",
            AuditEntry.entity == "candidate",
            AuditEntry.entity_id == candidate_id,
        )
        .order_by(AuditEntry.id)
    )
    return [(e.actor_id, e.changes["status"], e.township_id) for e in db.session.scalars(stmt)]


def buttons(html: str) -> list[tuple[str, str]]:
    """(target, words) of each status button on a candidate page, in page order."""
    found = []
    for attrs, words in re.findall(r"<button([^>]*)>\s*([^<]*?)\s*</button>", html):
        if 'name="target"' in attrs:
            value = re.search(r'value="([^"]*)"', attrs)
            found.append((value.group(1) if value else "", words))
    return found


def history(html: str) -> str:
    match = re.search(r'aria-labelledby="history">(.*?)</section>', html, re.S)
    assert match, "no status history on the candidate page"
    return match.group(1)


@pytest.fixture
def town(make):
    township = make.township("太平镇")
    return {
        "township": township,
        "clerk": make.user("clerk", township, username="ganshi_li"),
        "secretary": make.user("secretary", township, username="shuji_wang"),
    }


# ---- nominate, inspect, approve ----------------------------------------------------------


def test_clerks_new_candidate_is_nominated_with_one_change(app, town):
    clerk = client_for(app, town["clerk"])
    data = NEW_CANDIDATE | {"village_id": str(town["township"].villages[0].id)}
    response = clerk.post("/candidates/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    db.session.expire_all()
    created = db.session.scalars(select(Candidate)).all()
    assert len(created) == 1
    candidate = created[0]
    assert response.headers["Location"].endswith(f"/candidates/{candidate.id}")
    assert (candidate.name, candidate.status, candidate.entered_on) == ("张三", "nominated", None)
    assert candidate.township_id == town["township"].id
    assert changes_of(candidate.id) == [(None, "nominated", town["clerk"].id, "新增录入")]
    assert status_audits(candidate.id) == []  # creation is audited as 'create', not 'status'


def test_secretary_inspects_then_approves(app, town):
    clerk = client_for(app, town["clerk"])
    clerk.post(
        "/candidates/new", data=NEW_CANDIDATE | {"village_id": str(town["township"].villages[0].id)}
    )
    cid = db.session.scalars(select(Candidate.id)).one()
    secretary = client_for(app, town["secretary"])
    sid = town["secretary"].id

    response = move(secretary, cid, "inspecting", "群众基础好，启动民意调查和个别谈话")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/candidates/{cid}")
    candidate = fresh(cid)
    assert (candidate.status, candidate.entered_on) == ("inspecting", None)

    response = move(secretary, cid, "in_pool")
    assert response.status_code == 302
    candidate = fresh(cid)
    assert candidate.status == "in_pool"
    assert candidate.entered_on == clock.today()

    assert changes_of(cid) == [
        (None, "nominated", town["clerk"].id, "新增录入"),
        ("nominated", "inspecting", sid, "群众基础好，启动民意调查和个别谈话"),
        ("inspecting", "in_pool", sid, ""),
    ]
    tid = town["township"].id
    assert status_audits(cid) == [
        (sid, ["nominated", "inspecting"], tid),
        (sid, ["inspecting", "in_pool"], tid),
    ]

    # The clerk reads who moved it, and why, on the candidate page.
    page = clerk.get(f"/candidates/{cid}")
    assert page.status_code == 200
    timeline = history(page.get_data(as_text=True))
    assert "shuji_wang" in timeline
    assert "群众基础好，启动民意调查和个别谈话" in timeline
    assert "考察中 → 在库培养" in timeline
    assert "拟推荐 → 考察中" in timeline
    assert "ganshi_li" in timeline
    assert timeline.index("考察中 → 在库培养") < timeline.index("拟推荐 → 考察中")  # newest first
    assert "在库培养" in page.get_data(as_text=True)


def test_approval_keeps_an_entry_date_already_set(app, make, town):
    candidate = candidate_in(make, town["township"])
    candidate.entered_on = dt.date(2020, 3, 1)
    db.session.commit()
    secretary = client_for(app, town["secretary"])
    assert move(secretary, candidate.id, "in_pool").status_code == 302
    assert fresh(candidate.id).entered_on == dt.date(2020, 3, 1)


@pytest.mark.parametrize("start", ["nominated", "inspecting"])
def test_direct_approval_records_change_and_audit(app, make, town, start):
    candidate = candidate_in(make, town["township"], start)
    secretary = client_for(app, town["secretary"])
    assert move(secretary, candidate.id, "in_pool", "  考察合格  ").status_code == 302
    assert fresh(candidate.id).status == "in_pool"
    assert changes_of(candidate.id)[1:] == [(start, "in_pool", town["secretary"].id, "考察合格")]
    db.session.expire_all()
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "status")).one()
    assert (entry.entity, entry.entity_id, entry.actor_id) == (
        "candidate",
        candidate.id,
        town["secretary"].id,
    )
    assert entry.changes["status"] == [start, "in_pool"]
    assert entry.changes.get("reason") == "考察合格"


# ---- return and re-nominate --------------------------------------------------------------


@pytest.mark.parametrize("start", ["nominated", "inspecting"])
@pytest.mark.parametrize("reason", [None, "", "   ", "\n\t"])
def test_return_requires_a_reason(app, make, town, start, reason):
    candidate = candidate_in(make, town["township"], start)
    before = changes_of(candidate.id)
    secretary = client_for(app, town["secretary"])
    response = move(secretary, candidate.id, "returned", reason)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "退回时请填写原因" in html
    assert fresh(candidate.id).status == start
    assert changes_of(candidate.id) == before
    assert status_audits(candidate.id) == []


@pytest.mark.parametrize("start", ["nominated", "inspecting"])
def test_return_then_clerk_nominates_again(app, make, town, start):
    candidate = candidate_in(make, town["township"], start)
    cid = candidate.id
    secretary = client_for(app, town["secretary"])
    clerk = client_for(app, town["clerk"])
    reason = "出生日期与户籍证明不一致，请核实后重新推荐"

    response = move(secretary, cid, "returned", reason)
    assert response.status_code == 302
    assert fresh(cid).status == "returned"

    page = clerk.get(f"/candidates/{cid}").get_data(as_text=True)
    assert reason in history(page)
    assert "shuji_wang" in history(page)
    assert buttons(page) == [("nominated", "重新推荐")]

    response = move(clerk, cid, "nominated", "已核实更正")
    assert response.status_code == 302
    assert fresh(cid).status == "nominated"
    assert changes_of(cid)[1:] == [
        (start, "returned", town["secretary"].id, reason),
        ("returned", "nominated", town["clerk"].id, "已核实更正"),
    ]
    tid = town["township"].id
    assert status_audits(cid) == [
        (town["secretary"].id, [start, "returned"], tid),
        (town["clerk"].id, ["returned", "nominated"], tid),
    ]
    timeline = history(clerk.get(f"/candidates/{cid}").get_data(as_text=True))
    assert "ganshi_li" in timeline and "已核实更正" in timeline
    assert "已退回 → 拟推荐" in timeline


# ---- who may --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "start", "target", "code"),
    [
        ("secretary", "nominated", "inspecting", 302),
        ("county_secretary", "nominated", "inspecting", 302),
        ("admin", "nominated", "inspecting", 302),
        ("clerk", "nominated", "inspecting", 403),
        ("other_secretary", "nominated", "inspecting", 404),
        ("other_clerk", "nominated", "inspecting", 404),
        ("secretary", "inspecting", "in_pool", 302),
        ("admin", "inspecting", "in_pool", 302),
        ("clerk", "nominated", "in_pool", 403),
        ("clerk", "inspecting", "in_pool", 403),
        ("clerk", "nominated", "returned", 403),
        ("other_secretary", "inspecting", "in_pool", 404),
        ("clerk", "returned", "nominated", 302),
        ("admin", "returned", "nominated", 302),
        ("secretary", "returned", "nominated", 403),
        ("other_clerk", "returned", "nominated", 404),
        # A secretary's moves made through an outcome form are above a clerk's role too.
        ("clerk", "in_pool", "used", 403),
        ("clerk", "in_pool", "withdrawn", 403),
        ("clerk", "withdrawn", "in_pool", 403),
    ],
)
def test_who_may_move_whom(app, make, town, who, start, target, code):
    other = make.township("远山镇")
    users = {
        "secretary": town["secretary"],
        "clerk": town["clerk"],
        "county_secretary": make.user("secretary", None),
        "admin": make.user("admin"),
        "other_secretary": make.user("secretary", other),
        "other_clerk": make.user("clerk", other),
    }
    candidate = candidate_in(make, town["township"], start)
    before = changes_of(candidate.id)
    actor = users[who]
    response = move(client_for(app, actor), candidate.id, target, "意见")
    assert response.status_code == code
    if code == 302:
        assert fresh(candidate.id).status == target
        assert changes_of(candidate.id) == before + [(start, target, actor.id, "意见")]
        assert status_audits(candidate.id) == [(actor.id, [start, target], town["township"].id)]
    else:
        assert fresh(candidate.id).status == start
        assert changes_of(candidate.id) == before
        assert status_audits(candidate.id) == []
    if code == 404:
        assert "张三" not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("start", "target"),
    [
        ("in_pool", "nominated"),
        ("in_pool", "returned"),
        ("in_pool", "inspecting"),
        ("inspecting", "nominated"),
        ("returned", "in_pool"),
        ("returned", "inspecting"),
        ("nominated", "nominated"),
        ("nominated", "used"),
        ("nominated", "bogus"),
        ("nominated", ""),
        ("used", "in_pool"),
        ("withdrawn", "nominated"),
    ],
)
def test_impossible_moves_are_refused(app, make, town, start, target):
    candidate = candidate_in(make, town["township"], start)
    before = changes_of(candidate.id)
    admin = client_for(app, make.user("admin"))  # every role's moves: the move itself is wrong
    response = move(admin, candidate.id, target, "理由")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "不能改为" in html
    assert fresh(candidate.id).status == start
    assert changes_of(candidate.id) == before
    assert status_audits(candidate.id) == []


def test_impossible_move_message_names_the_states(app, make, town):
    candidate = candidate_in(make, town["township"], "in_pool")
    secretary = client_for(app, town["secretary"])
    response = move(secretary, candidate.id, "nominated")
    assert response.status_code == 422
    assert "当前状态为“在库培养”，不能改为“拟推荐”" in response.get_data(as_text=True)


def test_unknown_target_from_a_clerk_is_refused_without_change(app, make, town):
    candidate = candidate_in(make, town["township"])
    response = move(client_for(app, town["clerk"]), candidate.id, "bogus")
    assert response.status_code in (403, 422)
    assert fresh(candidate.id).status == "nominated"
    assert status_audits(candidate.id) == []


@pytest.mark.parametrize("token", [None, "not-a-token"])
def test_status_post_without_csrf_changes_nothing(app, make, town, token):
    candidate = candidate_in(make, town["township"])
    before = changes_of(candidate.id)
    secretary = client_for(app, town["secretary"])
    data = {"target": "in_pool", "reason": "同意"}
    if token is not None:
        data["csrf_token"] = token
    response = secretary.post(f"/candidates/{candidate.id}/status", data=data, csrf=False)
    assert response.status_code == 400
    assert fresh(candidate.id).status == "nominated"
    assert fresh(candidate.id).entered_on is None
    assert changes_of(candidate.id) == before
    assert status_audits(candidate.id) == []


def test_status_change_by_get_is_not_allowed(app, make, town):
    candidate = candidate_in(make, town["township"])
    secretary = client_for(app, town["secretary"])
    response = secretary.get(f"/candidates/{candidate.id}/status?target=in_pool")
    assert response.status_code == 405
    assert fresh(candidate.id).status == "nominated"


# ---- buttons -----------------------------------------------------------------------------

SECRETARY_ON_NEW = [("inspecting", "开始考察"), ("in_pool", "批准入库"), ("returned", "退回")]


@pytest.mark.parametrize(
    ("who", "status", "expected"),
    [
        ("secretary", "nominated", SECRETARY_ON_NEW),
        ("admin", "nominated", SECRETARY_ON_NEW),
        ("county_secretary", "nominated", SECRETARY_ON_NEW),
        ("clerk", "nominated", []),
        ("secretary", "inspecting", [("in_pool", "批准入库"), ("returned", "退回")]),
        ("clerk", "inspecting", []),
        ("secretary", "returned", []),
        ("clerk", "returned", [("nominated", "重新推荐")]),
        ("admin", "returned", [("nominated", "重新推荐")]),
    ],
)
def test_candidate_page_offers_the_roles_moves(app, make, town, who, status, expected):
    users = {
        "secretary": town["secretary"],
        "clerk": town["clerk"],
        "admin": make.user("admin"),
        "county_secretary": make.user("secretary", None),
    }
    candidate = candidate_in(make, town["township"], status)
    page = client_for(app, users[who]).get(f"/candidates/{candidate.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert buttons(html) == expected
    if not expected:
        assert "批准入库" not in html and "重新推荐" not in html


def test_buttons_lead_to_the_moves_they_name(app, make, town):
    """Each button the page offers is a move the server then accepts."""
    for target, _ in SECRETARY_ON_NEW:
        candidate = candidate_in(make, town["township"])
        secretary = client_for(app, town["secretary"])
        page = secretary.get(f"/candidates/{candidate.id}").get_data(as_text=True)
        assert (target, dict(SECRETARY_ON_NEW)[target]) in buttons(page)
        assert f'action="/candidates/{candidate.id}/status"' in page
        assert move(secretary, candidate.id, target, "意见").status_code == 302
        assert fresh(candidate.id).status == target


def test_refused_return_shows_the_form_again_with_the_message(app, make, town):
    candidate = candidate_in(make, town["township"])
    secretary = client_for(app, town["secretary"])
    html = move(secretary, candidate.id, "returned", "").get_data(as_text=True)
    assert buttons(html) == SECRETARY_ON_NEW  # still the same choices
    assert re.search(r'class="[^"]*is-invalid[^"]*"', html)
    assert "退回时请填写原因，以便经办人了解如何补正。" in html
