"""The review queue (/review/): every worklist the user's role acts on, in scope, each item one
click from its decision; the area's own worklists (low latest grade, no assessment in 12 months)."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import itertools
import re

import pytest

from app.core import clock
from app.core.idcard import make_id_number
from app.extensions import db
from tests.conftest import Client, login

_SEQ = itertools.count(1)
TODAY = clock.today()


def client_for(app, user) -> Client:
    client = app.test_client()
    login(client, user)
    return client


def candidate_in(make, township, name: str, status: str = "in_pool", entered_days_ago=800):
    number = make_id_number("430521", dt.date(1992, 7, 1), (next(_SEQ) % 450) * 2, "M")
    candidate = make.candidate(township, name=name, id_number=number)
    if status != "nominated":
        candidate.status = status
        if status != "inspecting":
            candidate.entered_on = TODAY - dt.timedelta(days=entered_days_ago)
        db.session.commit()
    return candidate


def assess(client, candidate, *, grade="competent", days_ago=30, kind="annual", period=None):
    on = TODAY - dt.timedelta(days=days_ago)
    data = {
        "kind": kind,
        "period": period or str(on.year - 1),
        "assessed_on": on.isoformat(),
        "score_de": "80",
        "score_neng": "80",
        "score_qin": "80",
        "score_ji": "80",
        "score_lian": "80",
        "grade": grade,
    }
    response = client.post(f"/candidates/{candidate.id}/assessments/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]


def worklist(page: str, key: str) -> tuple[int, list[tuple[str, str]]]:
    """(total, [(name, url)]) of one worklist on the review page."""
    match = re.search(rf'<section[^>]*id="{key}"[^>]*>(.*?)</section>', page, re.S)
    assert match, f"no worklist {key}"
    body = match.group(1)
    total = int(re.search(r'data-total="(\d+)"', body).group(1))
    items = re.findall(r'<a class="fw-semibold" href="([^"]+)">([^<]+)</a>', body)
    return total, [(html_lib.unescape(name), html_lib.unescape(url)) for url, name in items]


@pytest.fixture
def town(make):
    township = make.township("太平镇")
    other = make.township("远山镇")
    return {
        "township": township,
        "other": other,
        "clerk": make.user("clerk", township, username="ganshi_li"),
        "secretary": make.user("secretary", township, username="shuji_wang"),
        "admin": make.user("admin", username="county_admin"),
        "other_secretary": make.user("secretary", other, username="other_sec"),
    }


def test_secretary_sees_every_worklist_with_one_click_to_each_decision(app, make, town):
    t = town["township"]
    nominated = candidate_in(make, t, "赵一", "nominated")
    weak = candidate_in(make, t, "钱二")
    stale = candidate_in(make, t, "孙三")
    fine = candidate_in(make, t, "李四")
    secretary = client_for(app, town["secretary"])
    assess(secretary, weak, grade="basically_competent")
    assess(secretary, stale, days_ago=420)
    assess(secretary, fine)

    response = secretary.get("/review/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert worklist(page, "nominations") == (
        1,
        [("赵一", f"/candidates/{nominated.id}#decide")],
    )
    assert worklist(page, "low_grades") == (1, [("钱二", f"/candidates/{weak.id}#outcome")])
    assert worklist(page, "no_recent_assessment") == (
        1,
        [("孙三", f"/candidates/{stale.id}/assessments/new")],
    )
    low = re.search(r'id="low_grades".*?</section>', page, re.S).group(0)
    assert "基本称职" in low and "年终考核" in low
    # One click: each link opens the page where the decision is taken.
    assert secretary.get(f"/candidates/{stale.id}/assessments/new").status_code == 200
    detail = secretary.get(f"/candidates/{weak.id}").get_data(as_text=True)
    assert 'id="outcome"' in detail and f"/candidates/{weak.id}/outcome/withdraw" in detail
    assert 'id="decide"' in secretary.get(f"/candidates/{nominated.id}").get_data(True)


def test_only_the_latest_assessment_counts_and_only_in_the_pool(app, make, town):
    t = town["township"]
    recovered = candidate_in(make, t, "周五")
    slipped = candidate_in(make, t, "吴六")
    left = candidate_in(make, t, "郑七")
    secretary = client_for(app, town["secretary"])
    year = TODAY.year
    assess(secretary, recovered, grade="incompetent", period=str(year - 2), days_ago=60)
    assess(secretary, recovered, grade="competent", period=str(year - 1), days_ago=30)
    assess(secretary, slipped, grade="excellent", period=str(year - 2), days_ago=60)
    assess(secretary, slipped, grade="incompetent", period=str(year - 1), days_ago=30)
    assess(secretary, left, grade="incompetent", period=str(year - 1), days_ago=30)
    other = candidate_in(make, t, "王八")
    assess(secretary, other, grade="basically_competent", period=str(year - 1), days_ago=30)
    response = secretary.post(
        f"/candidates/{left.id}/outcome/withdraw",
        data={"reason": "failed_assessment", "detail": "年度考核不称职", "decided_on": TODAY},
    )
    assert response.status_code == 302
    total, items = worklist(secretary.get("/review/").get_data(as_text=True), "low_grades")
    assert total == 2
    assert [name for name, _ in items] == ["吴六", "王八"]  # 不称职 before 基本称职


def test_no_recent_assessment_leaves_out_newcomers_and_the_recently_assessed(app, make, town):
    t = town["township"]
    never = candidate_in(make, t, "冯九", entered_days_ago=900)
    old = candidate_in(make, t, "陈十", entered_days_ago=800)
    candidate_in(make, t, "褚一", entered_days_ago=100)  # new in the pool: not yet due
    recent = candidate_in(make, t, "卫二", entered_days_ago=800)
    candidate_in(make, t, "蒋三", "used", entered_days_ago=900)
    candidate_in(make, t, "沈四", "withdrawn", entered_days_ago=900)
    secretary = client_for(app, town["secretary"])
    assess(secretary, old, days_ago=400)
    assess(secretary, recent, days_ago=400)
    assess(secretary, recent, kind="regular", period=f"{TODAY.year}年1月", days_ago=10)
    total, items = worklist(
        secretary.get("/review/").get_data(as_text=True), "no_recent_assessment"
    )
    assert total == 2
    assert [name for name, _ in items] == ["冯九", "陈十"]  # longest in the pool first
    page = secretary.get("/review/").get_data(as_text=True)
    block = re.search(r'id="no_recent_assessment".*?</section>', page, re.S).group(0)
    assert "尚无考核记录" in block
    assert f"上次考核 {(TODAY - dt.timedelta(days=400)).isoformat()}" in block
    assert never.status == "in_pool"


def test_review_queue_is_scoped_to_the_township(app, make, town):
    mine = candidate_in(make, town["township"], "钱二")
    theirs = candidate_in(make, town["other"], "韩五")
    assess(client_for(app, town["secretary"]), mine, grade="incompetent")
    assess(client_for(app, town["other_secretary"]), theirs, grade="incompetent")
    waiting = candidate_in(make, town["other"], "杨六", "nominated")
    candidate_in(make, town["township"], "朱七", entered_days_ago=500)  # never assessed
    candidate_in(make, town["other"], "秦八", entered_days_ago=600)
    candidate_in(make, town["other"], "尤九", entered_days_ago=30)  # new: not yet due

    page = client_for(app, town["secretary"]).get("/review/").get_data(as_text=True)
    assert worklist(page, "low_grades")[1] == [("钱二", f"/candidates/{mine.id}#outcome")]
    assert [name for name, _ in worklist(page, "no_recent_assessment")[1]] == ["朱七"]
    assert worklist(page, "nominations")[0] == 0
    assert "韩五" not in page and "杨六" not in page

    county = client_for(app, town["admin"]).get("/review/").get_data(as_text=True)
    assert sorted(name for name, _ in worklist(county, "low_grades")[1]) == ["钱二", "韩五"]
    assert worklist(county, "nominations")[1] == [("杨六", f"/candidates/{waiting.id}#decide")]
    # County-wide the query takes another shape (see queries.without_recent_assessment).
    assert worklist(county, "no_recent_assessment")[0] == 2
    assert [name for name, _ in worklist(county, "no_recent_assessment")[1]] == ["秦八", "朱七"]


def test_clerk_sees_the_queue_read_only(app, make, town):
    weak = candidate_in(make, town["township"], "钱二")
    candidate_in(make, town["township"], "赵一", "nominated")
    assess(client_for(app, town["secretary"]), weak, grade="incompetent")
    response = client_for(app, town["clerk"]).get("/review/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "由乡镇党委书记、组织委员决定" in page
    assert worklist(page, "nominations")[1][0][0] == "赵一"
    assert 'id="low_grades"' not in page and 'id="no_recent_assessment"' not in page
    assert "钱二" not in page


def test_long_worklists_show_the_first_items_and_the_total(app, make, town):
    for n in range(23):
        candidate_in(make, town["township"], f"候选{n:02d}", "nominated")
    page = client_for(app, town["secretary"]).get("/review/").get_data(as_text=True)
    total, items = worklist(page, "nominations")
    assert (total, len(items)) == (23, 20)
    assert "共 23 项，按紧急程度显示前 20 项" in page


def test_empty_queue_says_so(app, town):
    page = client_for(app, town["secretary"]).get("/review/").get_data(as_text=True)
    sections = re.findall(r'<section[^>]*id="([a-z_]+)"[^>]*>(.*?)</section>', page, re.S)
    assert {"nominations", "low_grades", "no_recent_assessment"} <= {key for key, _ in sections}
    for _key, body in sections:  # every area's worklist, each empty and saying so
        assert 'data-total="0"' in body and "暂无待办" in body
