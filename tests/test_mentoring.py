"""Mentor pairings (结对帮带) over HTTP: mentors, pairings and their rules, activities, the end of
a pairing, the stale list, the candidate page, village pairings; scoping, roles and CSRF."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import itertools
import re
import threading

import pytest
from sqlalchemy import func, select

from app.accounts.models import User
from app.core import clock
from app.core.audit import AuditEntry
from app.core.idcard import make_id_number
from app.core.sections import worklists_for
from app.extensions import db
from app.mentoring import operations
from app.mentoring.models import Mentor, MentoringActivity, Pairing, VillagePairing
from tests.conftest import Client, Factory, login
from tests.helpers import opened

_SEQ = itertools.count(1)
TODAY = clock.today()
D = dt.date


# ---- helpers -----------------------------------------------------------------------------


def count(model, *where) -> int:
    db.session.commit()  # end this session's read snapshot: other threads may have written
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def error_at(page: str, field_id: str) -> str | None:
    match = re.search(rf'id="{re.escape(field_id)}-error"[^>]*>(.*?)</div>', page, re.S)
    return html_lib.unescape(match.group(1)) if match else None


def text_of(response) -> str:
    return html_lib.unescape(response.get_data(as_text=True))


def client_for(app, user) -> Client:
    client = app.test_client()
    login(client, user)
    return client


def candidate_in(make, township, status: str = "in_pool", name: str = "张三", village: int = 0):
    number = make_id_number("430521", dt.date(1990, 5, 3), (next(_SEQ) * 2) % 1000, "M")
    candidate = make.candidate(
        township, name=name, id_number=number, village_id=township.villages[village].id
    )
    if status != "nominated":
        candidate.status = status
        db.session.commit()
    return candidate


def mentor_in(township, name: str = "王老支书", capacity: int = 3, position="former_secretary"):
    return Factory(None).mentor(
        township, name=name, capacity=capacity, position=position, phone="13900001111"
    )


def pair(mentor, candidate, start: dt.date, end: dt.date, goals: str = "熟悉村务") -> Pairing:
    """A pairing written directly (rules checked, as an admin would)."""
    admin = User(role="admin", township_id=None)
    pairing = operations.create_pairing(
        candidate.id,
        {"mentor_id": mentor.id, "start_on": start, "end_on": end, "goals": goals},
        actor=admin,
    )
    db.session.commit()
    return pairing


def pairing_form(mentor, start, end, goals="掌握村级事务流程，能独立主持村民议事会") -> dict:
    return {
        "mentor_id": str(mentor.id),
        "start_on": str(start),
        "end_on": str(end),
        "goals": goals,
    }


def new_pairing(client, candidate, data):
    return client.post(f"/mentoring/pairings/new?candidate_id={candidate.id}", data=data)


@pytest.fixture
def town(make):
    township = make.township("太平镇", villages=("石桥村", "太平村", "河口村"))
    return {
        "township": township,
        "clerk": make.user("clerk", township, username="ganshi_li"),
        "secretary": make.user("secretary", township, username="shuji_wang"),
    }


@pytest.fixture
def other(make):
    township = make.township("河东镇", villages=("东村", "西村"))
    return {"township": township, "clerk": make.user("clerk", township, username="hd_clerk")}


@pytest.fixture
def admin(make):
    return make.user("admin", None, username="county_admin")


@pytest.fixture
def clerk(app, town) -> Client:
    return client_for(app, town["clerk"])


# ---- mentors -----------------------------------------------------------------------------

MENTOR = {
    "name": " 王 建国 ",
    "position": "former_secretary",
    "unit": "太平村",
    "phone": "１３９ ０００１ ２３４５",
    "capacity": "",
    "notes": "老支书，任职 20 年",
}


def test_clerk_adds_a_mentor_normalised_and_audited(clerk, town):
    response = clerk.post("/mentoring/mentors/new", data=MENTOR)
    assert response.status_code == 302, text_of(response)[:800]
    mentor = db.session.scalars(select(Mentor)).one()
    assert response.headers["Location"].endswith(f"/mentoring/mentors/{mentor.id}")
    assert (mentor.name, mentor.phone, mentor.capacity) == ("王建国", "13900012345", 3)
    assert mentor.township_id == town["township"].id
    assert mentor.position_label == "老支书"
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.entity == "mentor")).one()
    assert (entry.action, entry.actor_id, entry.township_id) == (
        "create",
        town["clerk"].id,
        town["township"].id,
    )
    page = text_of(clerk.get(f"/mentoring/mentors/{mentor.id}"))
    assert "王建国" in page and "0 / 3 人" in page


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"name": "  "}, "name", "请填写帮带人姓名"),
        ({"position": ""}, "position", "请选择职务"),
        ({"position": "村霸"}, "position", "不是有效的职务"),
        ({"phone": "12345"}, "phone", "联系电话应为 11 位手机号"),
        ({"capacity": "0"}, "capacity", "应在 1 到 10 之间"),
        ({"capacity": "11"}, "capacity", "应在 1 到 10 之间"),
        ({"capacity": "三"}, "capacity", "不是整数"),
        ({"capacity": "１１"}, "capacity", "应在 1 到 10 之间"),
    ],
)
def test_mentor_refusals_at_the_field(clerk, overrides, field, words):
    response = clerk.post("/mentoring/mentors/new", data=MENTOR | overrides)
    assert response.status_code == 422
    assert words in (error_at(text_of(response), field) or "")
    assert count(Mentor) == 0


def test_mentor_capacity_in_full_width_digits_is_read(clerk):
    assert clerk.post("/mentoring/mentors/new", data=MENTOR | {"capacity": "２"}).status_code == 302
    assert db.session.scalars(select(Mentor.capacity)).one() == 2


def test_mentor_post_without_csrf_changes_nothing(clerk):
    response = clerk.post("/mentoring/mentors/new", data=MENTOR, csrf=False)
    assert response.status_code == 400
    assert count(Mentor) == 0


def test_county_admin_must_choose_the_mentors_township(app, admin, town):
    client = client_for(app, admin)
    response = client.post("/mentoring/mentors/new", data=MENTOR)
    assert response.status_code == 422
    assert "请选择帮带人所属乡镇" in error_at(text_of(response), "township_id")
    data = MENTOR | {"township_id": str(town["township"].id)}
    assert client.post("/mentoring/mentors/new", data=data).status_code == 302
    assert db.session.scalars(select(Mentor.township_id)).one() == town["township"].id


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/mentoring/mentors/new"),
        ("post", "/mentoring/mentors/new"),
        ("get", "/mentoring/pairings/new"),
        ("get", "/mentoring/village-pairings/new"),
    ],
)
def test_secretaries_read_but_do_not_write(app, town, method, url):
    client = client_for(app, town["secretary"])
    response = getattr(client, method)(url, **({"data": MENTOR} if method == "post" else {}))
    assert response.status_code == 403
    assert count(Mentor) == 0
    assert client.get("/mentoring/").status_code == 200


def test_mentor_of_another_township_is_404(app, town, other):
    mentor = mentor_in(other["township"])
    client = client_for(app, town["clerk"])
    for url in (f"/mentoring/mentors/{mentor.id}", f"/mentoring/mentors/{mentor.id}/edit"):
        assert client.get(url).status_code == 404
    assert client.post(f"/mentoring/mentors/{mentor.id}/delete", data={}).status_code == 404
    assert "王老支书" not in text_of(client.get("/mentoring/mentors"))


def test_lowering_capacity_below_current_load_is_refused(clerk, make, town):
    mentor = mentor_in(town["township"], capacity=3)
    for name in ("甲", "乙"):
        pair(
            mentor,
            candidate_in(make, town["township"], name=f"张{name}"),
            TODAY,
            TODAY + dt.timedelta(days=90),
        )
    url = f"/mentoring/mentors/{mentor.id}/edit"
    data = opened(clerk, url) | MENTOR | {"capacity": "1", "position": "former_secretary"}
    response = clerk.post(url, data=data)
    assert response.status_code == 422
    message = error_at(text_of(response), "capacity")
    assert "同时帮带 2 人" in message and "张甲" in message and "不能低于 2" in message
    db.session.expire_all()
    assert db.session.get(Mentor, mentor.id).capacity == 3
    assert (
        clerk.post(
            f"/mentoring/mentors/{mentor.id}/edit", data=data | {"capacity": "2"}
        ).status_code
        == 302
    )
    db.session.expire_all()
    assert db.session.get(Mentor, mentor.id).capacity == 2


def test_mentor_with_open_pairings_cannot_be_removed(clerk, make, town):
    mentor = mentor_in(town["township"])
    pairing = pair(
        mentor, candidate_in(make, town["township"]), TODAY, TODAY + dt.timedelta(days=30)
    )
    response = clerk.post(f"/mentoring/mentors/{mentor.id}/delete", data={}, follow_redirects=True)
    assert "还有 1 个未结束的结对" in text_of(response)
    db.session.expire_all()
    assert db.session.get(Mentor, mentor.id).is_deleted is False

    pairing = db.session.get(Pairing, pairing.id)
    operations.end_pairing(
        pairing,
        {"ended_on": TODAY, "mentor_evaluation": "合格", "candidate_summary": "有收获"},
        actor=User(role="admin", township_id=None),
    )
    db.session.commit()
    response = clerk.post(f"/mentoring/mentors/{mentor.id}/delete", data={})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Mentor, mentor.id).is_deleted is True
    assert clerk.get(f"/mentoring/mentors/{mentor.id}").status_code == 404
    # The pairing stays in the record, with the mentor's name.
    assert "王老支书" in text_of(clerk.get(f"/mentoring/pairings/{pairing.id}"))


# ---- pairings ----------------------------------------------------------------------------


def test_clerk_pairs_a_candidate_and_the_record_shows_it(clerk, make, town):
    mentor = mentor_in(town["township"])
    candidate = candidate_in(make, town["township"], name="李小华")
    form_page = clerk.get(f"/mentoring/pairings/new?candidate_id={candidate.id}")
    assert form_page.status_code == 200
    assert "王老支书（老支书，太平村；在带 0/3）" in text_of(form_page)

    start, end = TODAY - dt.timedelta(days=10), TODAY + dt.timedelta(days=355)
    data = pairing_form(mentor, start, end) | {"start_on": f"{start:%Y年%m月%d日}"}
    response = new_pairing(clerk, candidate, data)
    assert response.status_code == 302, text_of(response)[:1000]
    pairing = db.session.scalars(select(Pairing)).one()
    assert response.headers["Location"].endswith(f"/mentoring/pairings/{pairing.id}")
    assert (pairing.mentor_id, pairing.candidate_id, pairing.start_on, pairing.end_on) == (
        mentor.id,
        candidate.id,
        start,
        end,
    )
    assert pairing.township_id == candidate.township_id
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.entity == "mentor_pairing")
    ).one()
    assert (entry.action, entry.entity_id, entry.actor_id) == (
        "create",
        pairing.id,
        town["clerk"].id,
    )

    page = text_of(clerk.get(f"/candidates/{candidate.id}"))
    section = re.search(r'id="mentoring">(.*?)</section>', page, re.S).group(1)
    assert "王老支书" in section and "0 次" in section and "帮带中" in section
    timeline = re.search(r'aria-labelledby="history">(.*?)</section>', page, re.S).group(1)
    assert "与帮带人王老支书（老支书）结对" in timeline


def test_pairing_list_shows_the_townships_pairs_only(app, make, town, other):
    pair(
        mentor_in(town["township"]),
        candidate_in(make, town["township"], name="本镇人"),
        TODAY,
        TODAY,
    )
    pair(
        mentor_in(other["township"], name="河东老书记"),
        candidate_in(make, other["township"], name="外镇人"),
        TODAY,
        TODAY,
    )
    page = text_of(client_for(app, town["clerk"]).get("/mentoring/?state=all"))
    assert "本镇人" in page and "外镇人" not in page and "河东老书记" not in page
    assert '<strong id="total">1</strong>' in page


def test_capacity_is_refused_naming_the_clash(clerk, make, town):
    mentor = mentor_in(town["township"], capacity=2)
    pair(mentor, candidate_in(make, town["township"], name="赵一"), D(2025, 1, 1), D(2025, 6, 30))
    pair(mentor, candidate_in(make, town["township"], name="钱二"), D(2025, 3, 1), D(2025, 12, 31))
    third = candidate_in(make, town["township"], name="孙三")

    response = new_pairing(clerk, third, pairing_form(mentor, D(2025, 2, 1), D(2025, 4, 30)))
    assert response.status_code == 422
    message = error_at(text_of(response), "mentor_id")
    assert "最多同时帮带 2 人" in message
    assert "2025-03-01 已与赵一、钱二结对" in message
    assert count(Pairing) == 2

    # From July, 赵一's pairing has ended: one place is free again.
    response = new_pairing(clerk, third, pairing_form(mentor, D(2025, 7, 1), D(2025, 12, 31)))
    assert response.status_code == 302
    assert count(Pairing) == 3


def test_capacity_counts_each_day_not_the_whole_period(clerk, make, town):
    """Two pairings that never meet each other both overlap the new one, on different days."""
    mentor = mentor_in(town["township"], capacity=2)
    pair(mentor, candidate_in(make, town["township"], name="赵一"), D(2025, 1, 1), D(2025, 3, 31))
    pair(mentor, candidate_in(make, town["township"], name="钱二"), D(2025, 4, 1), D(2025, 6, 30))
    third = candidate_in(make, town["township"], name="孙三")
    response = new_pairing(clerk, third, pairing_form(mentor, D(2025, 2, 1), D(2025, 5, 31)))
    assert response.status_code == 302
    # A fourth over the same months meets two pairings on 2025-02-01.
    fourth = candidate_in(make, town["township"], name="李四")
    response = new_pairing(clerk, fourth, pairing_form(mentor, D(2025, 1, 15), D(2025, 2, 15)))
    assert response.status_code == 422
    assert "2025-02-01 已与赵一、孙三结对" in error_at(text_of(response), "mentor_id")


def test_second_overlapping_pairing_with_the_same_mentor_is_refused(clerk, make, town):
    mentor = mentor_in(town["township"], capacity=5)
    candidate = candidate_in(make, town["township"], name="周五")
    pair(mentor, candidate, D(2025, 1, 1), D(2025, 6, 30))
    response = new_pairing(clerk, candidate, pairing_form(mentor, D(2025, 6, 30), D(2025, 9, 30)))
    assert response.status_code == 422
    message = error_at(text_of(response), "start_on")
    assert "周五已与帮带人王老支书结对（2025-01-01 至 2025-06-30）" in message
    assert count(Pairing) == 1
    # Another mentor at the same time is fine; so is the same mentor afterwards.
    second = mentor_in(town["township"], name="刘镇长", position="township_leader")
    assert (
        new_pairing(
            clerk, candidate, pairing_form(second, D(2025, 3, 1), D(2025, 9, 30))
        ).status_code
        == 302
    )
    assert (
        new_pairing(
            clerk, candidate, pairing_form(mentor, D(2025, 7, 1), D(2025, 9, 30))
        ).status_code
        == 302
    )
    assert count(Pairing) == 3


@pytest.mark.parametrize("status", ["nominated", "returned", "used", "withdrawn"])
def test_only_candidates_in_pool_or_inspecting_are_paired(clerk, make, town, status):
    mentor = mentor_in(town["township"])
    candidate = candidate_in(make, town["township"], status=status, name="吴六")
    response = new_pairing(clerk, candidate, pairing_form(mentor, TODAY, TODAY))
    assert response.status_code == 422
    assert "只有“考察中”或“在库培养”的后备干部可以结对帮带" in text_of(response)
    assert count(Pairing) == 0


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"mentor_id": ""}, "mentor_id", "请选择帮带人"),
        ({"start_on": ""}, "start_on", "请填写开始日期"),
        ({"start_on": "2025-02-30"}, "start_on", "2 月没有 30 日"),
        ({"end_on": "明年"}, "end_on", "无法识别"),
        ({"end_on": "2024-12-31"}, "end_on", "结束日期不能早于开始日期（2025-01-01）"),
        ({"goals": "  "}, "goals", "请填写帮带目标"),
    ],
)
def test_pairing_refusals_at_the_field(clerk, make, town, overrides, field, words):
    mentor = mentor_in(town["township"])
    candidate = candidate_in(make, town["township"])
    data = pairing_form(mentor, D(2025, 1, 1), D(2025, 12, 31)) | overrides
    response = new_pairing(clerk, candidate, data)
    assert response.status_code == 422
    assert words in (error_at(text_of(response), field) or "")
    assert count(Pairing) == 0


def test_mentor_of_another_township_is_refused_to_a_township_clerk(clerk, make, town, other):
    foreign = mentor_in(other["township"], name="河东老书记")
    candidate = candidate_in(make, town["township"])
    response = new_pairing(clerk, candidate, pairing_form(foreign, TODAY, TODAY))
    assert response.status_code == 422
    message = error_at(text_of(response), "mentor_id")
    assert "不属于您所在的乡镇" in message and "县级" in message
    assert "河东老书记" not in text_of(response)
    assert count(Pairing) == 0
    # The answer says nothing of the mentor's existence: an id no one has gets the same.
    unknown = pairing_form(foreign, TODAY, TODAY) | {"mentor_id": str(foreign.id + 1000)}
    response = new_pairing(clerk, candidate, unknown)
    assert response.status_code == 422
    assert error_at(text_of(response), "mentor_id") == message


def test_county_admin_may_pair_across_townships(app, make, admin, town, other):
    foreign = mentor_in(other["township"], name="河东老书记")
    candidate = candidate_in(make, town["township"])
    client = client_for(app, admin)
    assert "河东老书记" in text_of(
        client.get(f"/mentoring/pairings/new?candidate_id={candidate.id}")
    )
    response = new_pairing(client, candidate, pairing_form(foreign, TODAY, TODAY))
    assert response.status_code == 302
    pairing = db.session.scalars(select(Pairing)).one()
    assert pairing.township_id == town["township"].id  # the candidate's township
    # The township's clerk sees the pairing, though the mentor's page is not theirs.
    clerk = client_for(app, town["clerk"])
    assert "河东老书记" in text_of(clerk.get(f"/mentoring/pairings/{pairing.id}"))
    assert clerk.get(f"/mentoring/mentors/{foreign.id}").status_code == 404


def test_capacity_messages_name_only_the_readers_own_candidates(app, make, admin, town, other):
    """A county admin paired 河东镇's mentor with 太平镇's candidates: 河东镇's clerk is told
    how many, never who."""
    mentor = mentor_in(other["township"], name="河东老书记", capacity=3)
    start, end = TODAY, TODAY + dt.timedelta(days=90)
    pair(mentor, candidate_in(make, other["township"], name="东甲"), start, end)
    pair(mentor, candidate_in(make, town["township"], name="张甲"), start, end)
    pair(mentor, candidate_in(make, town["township"], name="张乙"), start, end)
    hedong = client_for(app, other["clerk"])

    data = MENTOR | {"name": "河东老书记", "capacity": "1", "position": "former_secretary"}
    response = hedong.post(
        f"/mentoring/mentors/{mentor.id}/edit",
        data=opened(hedong, f"/mentoring/mentors/{mentor.id}/edit") | data,
    )
    assert response.status_code == 422
    message = error_at(text_of(response), "capacity")
    assert "同时帮带 3 人（东甲及其他乡镇 2 人）" in message, message
    assert "张甲" not in text_of(response) and "张乙" not in text_of(response)

    response = new_pairing(
        hedong, candidate_in(make, other["township"], name="东乙"), pairing_form(mentor, start, end)
    )
    assert response.status_code == 422
    message = error_at(text_of(response), "mentor_id")
    assert f"{start:%Y-%m-%d} 已与东甲及其他乡镇 2 人结对" in message, message
    assert "张甲" not in text_of(response) and "张乙" not in text_of(response)
    assert count(Pairing) == 3

    # The county admin, who may see them all, is told their names.
    data |= {"township_id": str(other["township"].id)}
    county = client_for(app, admin)
    url = f"/mentoring/mentors/{mentor.id}/edit"
    response = county.post(url, data=opened(county, url) | data)
    assert "同时帮带 3 人（东甲、张甲、张乙）" in error_at(text_of(response), "capacity")


def test_capacity_message_counts_when_no_one_may_be_named(app, make, town, other):
    mentor = mentor_in(other["township"], name="河东老书记", capacity=2)
    for name in ("张甲", "张乙"):
        pair(mentor, candidate_in(make, town["township"], name=name), TODAY, TODAY)
    data = MENTOR | {"name": "河东老书记", "capacity": "1", "position": "former_secretary"}
    hedong, url = client_for(app, other["clerk"]), f"/mentoring/mentors/{mentor.id}/edit"
    response = hedong.post(url, data=opened(hedong, url) | data)
    assert response.status_code == 422
    assert "同时帮带 2 人（其他乡镇 2 人）" in error_at(text_of(response), "capacity")
    assert "张甲" not in text_of(response)


def test_candidate_of_another_township_is_404(clerk, make, town, other):
    mentor = mentor_in(town["township"])
    foreign = candidate_in(make, other["township"])
    assert clerk.get(f"/mentoring/pairings/new?candidate_id={foreign.id}").status_code == 404
    assert new_pairing(clerk, foreign, pairing_form(mentor, TODAY, TODAY)).status_code == 404
    assert count(Pairing) == 0


def test_pairing_of_another_township_is_404(app, make, town, other):
    pairing = pair(
        mentor_in(other["township"]), candidate_in(make, other["township"]), TODAY, TODAY
    )
    client = client_for(app, town["clerk"])
    for url in ("", "/edit", "/end"):
        assert client.get(f"/mentoring/pairings/{pairing.id}{url}").status_code == 404
    response = client.post(
        f"/mentoring/pairings/{pairing.id}/activities",
        data={"held_on": str(TODAY), "form": "phone", "hours": "1", "content": "电话"},
    )
    assert response.status_code == 404
    assert count(MentoringActivity) == 0


def test_pairing_post_without_csrf_changes_nothing(clerk, make, town):
    mentor = mentor_in(town["township"])
    candidate = candidate_in(make, town["township"])
    response = clerk.post(
        f"/mentoring/pairings/new?candidate_id={candidate.id}",
        data=pairing_form(mentor, TODAY, TODAY),
        csrf=False,
    )
    assert response.status_code == 400
    assert count(Pairing) == 0


def test_candidate_search_lists_only_eligible_candidates_of_the_scope(clerk, make, town, other):
    candidate_in(make, town["township"], name="张在库")
    candidate_in(make, town["township"], status="nominated", name="张推荐")
    candidate_in(make, other["township"], name="张外镇")
    page = text_of(clerk.get("/mentoring/pairings/new?q=张"))
    assert "张在库" in page and "张推荐" not in page and "张外镇" not in page


def test_editing_a_pairing_checks_capacity_without_counting_itself(clerk, make, town):
    mentor = mentor_in(town["township"], capacity=1)
    candidate = candidate_in(make, town["township"], name="郑七")
    pairing = pair(mentor, candidate, D(2025, 1, 1), D(2025, 6, 30))
    data = pairing_form(mentor, D(2025, 1, 1), D(2025, 9, 30), goals="延长帮带")
    response = clerk.post(
        f"/mentoring/pairings/{pairing.id}/edit",
        data=opened(clerk, f"/mentoring/pairings/{pairing.id}/edit") | data,
    )
    assert response.status_code == 302, text_of(response)[:800]
    db.session.expire_all()
    assert db.session.get(Pairing, pairing.id).end_on == D(2025, 9, 30)
    # But not onto another pairing of the full mentor.
    pair(mentor, candidate_in(make, town["township"], name="冯八"), D(2025, 10, 1), D(2025, 12, 31))
    data = pairing_form(mentor, D(2025, 1, 1), D(2025, 10, 31))
    response = clerk.post(
        f"/mentoring/pairings/{pairing.id}/edit",
        data=opened(clerk, f"/mentoring/pairings/{pairing.id}/edit") | data,
    )
    assert response.status_code == 422
    assert "2025-10-01 已与冯八结对" in error_at(text_of(response), "mentor_id")
    db.session.expire_all()
    assert db.session.get(Pairing, pairing.id).end_on == D(2025, 9, 30)


@pytest.mark.commits  # the two requests run on threads of their own
def test_concurrent_pairings_cannot_both_take_the_last_place(app, make, town, monkeypatch):
    """Two clerks pair two candidates with a mentor who has one place, at the same moment.

    The check is slowed down so that, without the write lock, both would pass it."""
    mentor = mentor_in(town["township"], capacity=1)
    candidates = [candidate_in(make, town["township"], name=n) for n in ("甲一", "乙二")]
    second_clerk = make.user("clerk", town["township"], username="ganshi_zhao")
    clients = [client_for(app, town["clerk"]), client_for(app, second_clerk)]
    tokens = [c.csrf_token() for c in clients]
    real_check = operations._check_pairing_rules

    def slow_check(*args, **kwargs):
        real_check(*args, **kwargs)
        threading.Event().wait(0.4)

    monkeypatch.setattr(operations, "_check_pairing_rules", slow_check)
    statuses: list[int] = []
    data = pairing_form(mentor, TODAY, TODAY + dt.timedelta(days=30))
    urls = [f"/mentoring/pairings/new?candidate_id={c.id}" for c in candidates]

    def run(client, token, url):
        response = client.post(url, data=data | {"csrf_token": token})
        statuses.append(response.status_code)

    threads = [
        threading.Thread(target=run, args=args) for args in zip(clients, tokens, urls, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(statuses) == [302, 422]
    assert count(Pairing) == 1


# ---- activities --------------------------------------------------------------------------


@pytest.fixture
def running(make, town):
    mentor = mentor_in(town["township"])
    candidate = candidate_in(make, town["township"], name="陈九")
    return pair(mentor, candidate, TODAY - dt.timedelta(days=60), TODAY + dt.timedelta(days=300))


def activity(day: dt.date, **overrides) -> dict:
    return {
        "held_on": str(day),
        "form": "face_to_face",
        "hours": "2",
        "content": "讲解村级财务公开流程",
    } | overrides


def test_activity_is_logged_and_counted(clerk, running):
    day = TODAY - dt.timedelta(days=3)
    response = clerk.post(
        f"/mentoring/pairings/{running.id}/activities",
        data=activity(day, hours="１.５", form="列席两委会"),
    )
    assert response.status_code == 302, text_of(response)[:800]
    row = db.session.scalars(select(MentoringActivity)).one()
    assert (row.held_on, row.form, row.hours, row.township_id) == (
        day,
        "committee_meeting",
        1.5,
        running.township_id,
    )
    db.session.expire_all()
    assert db.session.get(Pairing, running.id).last_activity_on == day
    page = text_of(clerk.get(f"/mentoring/pairings/{running.id}"))
    assert "列席两委会" in page and "1 次，共 1.5 小时" in page
    assert count(AuditEntry, AuditEntry.entity == "mentoring_activity") == 1
    section = text_of(clerk.get(f"/candidates/{running.candidate_id}"))
    assert f"{day.year} 年 {day.month} 月帮带活动 1 次" in section


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"hours": "0"}, "hours", "0.5 到 24 小时之间"),
        ({"hours": "25"}, "hours", "0.5 到 24 小时之间"),
        ({"hours": "两小时"}, "hours", "不是数字"),
        ({"hours": ""}, "hours", "请填写时长"),
        ({"hours": "1.25"}, "hours", "一位小数"),
        ({"form": ""}, "form", "请选择帮带形式"),
        ({"form": "喝茶"}, "form", "不是有效的帮带形式"),
        ({"content": " "}, "content", "请填写活动内容"),
        ({"held_on": ""}, "held_on", "请填写活动日期"),
    ],
)
def test_activity_refusals_at_the_field(clerk, running, overrides, field, words):
    response = clerk.post(
        f"/mentoring/pairings/{running.id}/activities",
        data=activity(TODAY - dt.timedelta(days=1), **overrides),
    )
    assert response.status_code == 422
    assert words in (error_at(text_of(response), field) or "")
    assert count(MentoringActivity) == 0
    db.session.expire_all()
    assert db.session.get(Pairing, running.id).last_activity_on is None


def test_activity_in_the_future_or_outside_the_period_is_refused(clerk, running):
    url = f"/mentoring/pairings/{running.id}/activities"
    response = clerk.post(url, data=activity(TODAY + dt.timedelta(days=1)))
    assert response.status_code == 422
    assert "不能晚于今天" in error_at(text_of(response), "held_on")
    response = clerk.post(url, data=activity(TODAY - dt.timedelta(days=61)))
    assert response.status_code == 422
    assert "应在结对期限内" in error_at(text_of(response), "held_on")
    assert count(MentoringActivity) == 0


def test_activity_without_csrf_is_refused(clerk, running):
    response = clerk.post(
        f"/mentoring/pairings/{running.id}/activities", data=activity(TODAY), csrf=False
    )
    assert response.status_code == 400
    assert count(MentoringActivity) == 0


def test_deleting_an_activity_recomputes_the_last_date(clerk, running):
    url = f"/mentoring/pairings/{running.id}/activities"
    clerk.post(url, data=activity(TODAY - dt.timedelta(days=20)))
    clerk.post(url, data=activity(TODAY - dt.timedelta(days=5)))
    latest = db.session.scalars(
        select(MentoringActivity).order_by(MentoringActivity.held_on.desc())
    ).first()
    assert clerk.post(f"/mentoring/activities/{latest.id}/delete", data={}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Pairing, running.id).last_activity_on == TODAY - dt.timedelta(days=20)
    assert (
        count(AuditEntry, AuditEntry.entity == "mentoring_activity", AuditEntry.action == "delete")
        == 1
    )


def test_secretary_cannot_log_or_delete_activities(app, town, running):
    client = client_for(app, town["secretary"])
    assert (
        client.post(
            f"/mentoring/pairings/{running.id}/activities", data=activity(TODAY)
        ).status_code
        == 403
    )
    assert count(MentoringActivity) == 0
    page = text_of(client.get(f"/mentoring/pairings/{running.id}"))
    assert "还没有登记帮带活动" in page and 'id="new-activity"' not in page


# ---- ending ------------------------------------------------------------------------------


def test_ending_a_pairing_needs_evaluation_and_summary(clerk, running):
    url = f"/mentoring/pairings/{running.id}/end"
    assert str(TODAY) in text_of(clerk.get(url))
    response = clerk.post(
        url, data={"ended_on": str(TODAY), "mentor_evaluation": "", "candidate_summary": ""}
    )
    assert response.status_code == 422
    page = text_of(response)
    assert "请填写帮带人评价" in error_at(page, "mentor_evaluation")
    assert "请填写后备干部个人总结" in error_at(page, "candidate_summary")
    db.session.expire_all()
    assert db.session.get(Pairing, running.id).ended_on is None

    data = {
        "ended_on": str(TODAY),
        "mentor_evaluation": "进步明显，可担重任",
        "candidate_summary": "学会了议事规则",
    }
    assert clerk.post(url, data=data).status_code == 302
    db.session.expire_all()
    ended = db.session.get(Pairing, running.id)
    assert (ended.ended_on, ended.mentor_evaluation) == (TODAY, "进步明显，可担重任")
    page = text_of(clerk.get(f"/mentoring/pairings/{running.id}"))
    assert "已结束" in page and "学会了议事规则" in page and "修改结对" not in page
    # No second ending, no editing.
    assert clerk.post(url, data=data).status_code == 302
    response = clerk.post(
        f"/mentoring/pairings/{running.id}/edit",
        data=opened(clerk, f"/mentoring/pairings/{running.id}/edit")
        | pairing_form(ended.mentor, ended.start_on, ended.end_on),
    )
    assert response.status_code == 302
    assert count(AuditEntry, AuditEntry.entity == "mentor_pairing", AuditEntry.action == "end") == 1


def test_end_date_rules(clerk, running):
    url = f"/mentoring/pairings/{running.id}/end"
    clerk.post(
        f"/mentoring/pairings/{running.id}/activities", data=activity(TODAY - dt.timedelta(days=2))
    )
    base = {"mentor_evaluation": "好", "candidate_summary": "好"}
    for day, words in [
        (TODAY + dt.timedelta(days=1), "不能晚于今天"),
        (TODAY - dt.timedelta(days=61), "不能早于结对开始日期"),
        (TODAY - dt.timedelta(days=5), "不能早于该日"),
    ]:
        response = clerk.post(url, data=base | {"ended_on": str(day)})
        assert response.status_code == 422
        assert words in error_at(text_of(response), "ended_on")
    db.session.expire_all()
    assert db.session.get(Pairing, running.id).ended_on is None


def test_ending_frees_the_mentors_place(clerk, make, town):
    mentor = mentor_in(town["township"], capacity=1)
    first = pair(
        mentor,
        candidate_in(make, town["township"], name="甲"),
        TODAY - dt.timedelta(days=30),
        TODAY + dt.timedelta(days=300),
    )
    second = candidate_in(make, town["township"], name="乙")
    later = pairing_form(mentor, TODAY + dt.timedelta(days=1), TODAY + dt.timedelta(days=100))
    assert new_pairing(clerk, second, later).status_code == 422
    clerk.post(
        f"/mentoring/pairings/{first.id}/end",
        data={"ended_on": str(TODAY), "mentor_evaluation": "好", "candidate_summary": "好"},
    )
    assert new_pairing(clerk, second, later).status_code == 302


# ---- the stale list (帮带不实) -------------------------------------------------------------


def test_stale_list_and_worklist(app, make, town, other):
    mentor = mentor_in(town["township"], capacity=5)
    old = TODAY - dt.timedelta(days=90)
    quiet = pair(
        mentor,
        candidate_in(make, town["township"], name="久未帮"),
        old,
        TODAY + dt.timedelta(days=90),
    )
    busy = pair(
        mentor,
        candidate_in(make, town["township"], name="常帮带"),
        old,
        TODAY + dt.timedelta(days=90),
    )
    pair(
        mentor,
        candidate_in(make, town["township"], name="刚结对"),
        TODAY - dt.timedelta(days=10),
        TODAY + dt.timedelta(days=90),
    )
    never = pair(
        mentor,
        candidate_in(make, town["township"], name="从未帮"),
        old,
        TODAY + dt.timedelta(days=90),
    )
    admin = User(role="admin", township_id=None)
    for pairing, ago in ((quiet, 31), (busy, 30)):
        operations.add_activity(
            db.session.get(Pairing, pairing.id),
            {
                "held_on": TODAY - dt.timedelta(days=ago),
                "form": "phone",
                "content": "电话",
                "hours": 1,
            },
            actor=admin,
        )
        db.session.commit()
    pair(
        mentor_in(other["township"]),
        candidate_in(make, other["township"], name="外镇久未帮"),
        old,
        TODAY + dt.timedelta(days=90),
    )

    client = client_for(app, town["clerk"])
    page = text_of(client.get("/mentoring/stale"))
    assert "久未帮" in page and "从未帮" in page
    assert "常帮带" not in page and "刚结对" not in page and "外镇久未帮" not in page
    assert '<strong id="total">2</strong>' in page

    with app.test_request_context():
        lists = {w.key: (w.title, total, items) for w, total, items in worklists_for(town["clerk"])}
    title, total, items = lists["mentoring_stale"]
    assert title == "帮带不实（30天无活动）" and total == 2
    assert [i.title for i in items] == ["从未帮", "久未帮"]  # the longest silence first
    assert items[0].url.endswith(f"/mentoring/pairings/{never.id}")
    assert "结对以来无活动" in items[0].detail


def test_overdue_pairings_wait_for_evaluation(app, make, town):
    mentor = mentor_in(town["township"])
    pairing = pair(
        mentor,
        candidate_in(make, town["township"], name="到期人"),
        D(2024, 1, 1),
        TODAY - dt.timedelta(days=1),
    )
    client = client_for(app, town["clerk"])
    assert "到期人" in text_of(client.get("/mentoring/?state=overdue"))
    with app.test_request_context():
        lists = {w.key: (total, items) for w, total, items in worklists_for(town["clerk"])}
    total, items = lists["mentoring_overdue"]
    assert total == 1 and items[0].url.endswith(f"/mentoring/pairings/{pairing.id}")


def test_printed_dossier_carries_the_pairings(clerk, running):
    page = text_of(clerk.get(f"/candidates/{running.candidate_id}/print"))
    assert "结对帮带" in page and "王老支书" in page and "新增结对" not in page


# ---- village pairings --------------------------------------------------------------------


def village_form(a, b, **overrides) -> dict:
    return {
        "village_a_id": str(a.id),
        "village_b_id": str(b.id),
        "kind": "strong_weak",
        "start_on": "2025-01-01",
        "end_on": "2027-12-31",
        "purpose": "先进村带动后进村发展集体经济",
    } | overrides


def test_village_pairing_shows_on_both_village_pages(clerk, town):
    a, b, _ = town["township"].villages
    response = clerk.post("/mentoring/village-pairings/new", data=village_form(a, b))
    assert response.status_code == 302, text_of(response)[:800]
    pairing = db.session.scalars(select(VillagePairing)).one()
    assert (pairing.township_id, pairing.partner_township_id, pairing.kind) == (
        town["township"].id,
        town["township"].id,
        "strong_weak",
    )
    for village, partner in ((a, b), (b, a)):
        page = text_of(clerk.get(f"/mentoring/villages/{village.id}"))
        assert partner.name in page and "强弱联合" in page and "发展集体经济" in page
    assert count(AuditEntry, AuditEntry.entity == "village_pairing") == 1
    assert "结对 1/1" in text_of(clerk.get("/mentoring/villages"))


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"village_b_id": "same"}, "village_b_id", "两个村不能相同"),
        ({"village_b_id": ""}, "village_b_id", "请选择结对的另一个村"),
        ({"kind": ""}, "kind", "请选择结对类型"),
        ({"end_on": "2024-01-01"}, "end_on", "不能早于开始日期"),
        ({"purpose": ""}, "purpose", "请填写结对目的"),
    ],
)
def test_village_pairing_refusals(clerk, town, overrides, field, words):
    a, b, _ = town["township"].villages
    if overrides.get("village_b_id") == "same":
        overrides = overrides | {"village_b_id": str(a.id)}
    response = clerk.post("/mentoring/village-pairings/new", data=village_form(a, b, **overrides))
    assert response.status_code == 422
    assert words in (error_at(text_of(response), field) or "")
    assert count(VillagePairing) == 0


def test_overlapping_village_pairing_is_refused_in_either_order(clerk, town):
    a, b, c = town["township"].villages
    assert clerk.post("/mentoring/village-pairings/new", data=village_form(a, b)).status_code == 302
    response = clerk.post(
        "/mentoring/village-pairings/new",
        data=village_form(b, a, kind="strong_strong", start_on="2027-06-01", end_on="2028-12-31"),
    )
    assert response.status_code == 422
    assert "已有结对（强弱联合，2025-01-01 至 2027-12-31）" in error_at(
        text_of(response), "start_on"
    )
    assert clerk.post("/mentoring/village-pairings/new", data=village_form(a, c)).status_code == 302
    assert count(VillagePairing) == 2


def test_village_of_another_township_is_refused_and_hidden(app, clerk, town, other):
    a = town["township"].villages[0]
    foreign = other["township"].villages[0]
    response = clerk.post("/mentoring/village-pairings/new", data=village_form(a, foreign))
    assert response.status_code == 422
    assert "请选择您所管理乡镇的村" in error_at(text_of(response), "village_b_id")
    assert count(VillagePairing) == 0
    assert clerk.get(f"/mentoring/villages/{foreign.id}").status_code == 404


def test_cross_township_pair_by_county_is_seen_but_not_edited_by_townships(app, admin, town, other):
    a = town["township"].villages[0]
    foreign = other["township"].villages[0]
    client = client_for(app, admin)
    assert (
        client.post(
            "/mentoring/village-pairings/new", data=village_form(a, foreign, kind="strong_strong")
        ).status_code
        == 302
    )
    pairing = db.session.scalars(select(VillagePairing)).one()
    assert pairing.partner_township_id == other["township"].id
    for user, village in ((town["clerk"], a), (other["clerk"], foreign)):
        township_client = client_for(app, user)
        page = text_of(township_client.get(f"/mentoring/villages/{village.id}"))
        assert "强强联合" in page and f"/village-pairings/{pairing.id}/edit" not in page
        edit = township_client.post(
            f"/mentoring/village-pairings/{pairing.id}/edit",
            data=opened(township_client, f"/mentoring/village-pairings/{pairing.id}/edit")
            | village_form(a, foreign, purpose="改了"),
        )
        assert edit.status_code == 403
    db.session.expire_all()
    assert db.session.get(VillagePairing, pairing.id).purpose == "先进村带动后进村发展集体经济"


def test_village_pairing_edit(clerk, town):
    a, b, c = town["township"].villages
    clerk.post("/mentoring/village-pairings/new", data=village_form(a, b))
    pairing = db.session.scalars(select(VillagePairing)).one()
    page = text_of(clerk.get(f"/mentoring/village-pairings/{pairing.id}/edit"))
    assert "先进村带动后进村发展集体经济" in page
    response = clerk.post(
        f"/mentoring/village-pairings/{pairing.id}/edit",
        data=opened(clerk, f"/mentoring/village-pairings/{pairing.id}/edit")
        | village_form(a, c, kind="strong_strong"),
    )
    assert response.status_code == 302
    db.session.expire_all()
    pairing = db.session.get(VillagePairing, pairing.id)
    assert (pairing.village_b_id, pairing.kind) == (c.id, "strong_strong")
    response = clerk.post(
        f"/mentoring/village-pairings/{pairing.id}/edit", data=village_form(a, c), csrf=False
    )
    assert response.status_code == 400
