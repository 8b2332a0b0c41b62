"""Training cycles (循环培养) over HTTP: programmes (county and township), rounds, enrolment from
the roster, attendance and assignment results, the ranking, the candidate page; scoping,
roles and CSRF."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import itertools
import re

import pytest
from sqlalchemy import func, select

from app.accounts.models import User
from app.core import clock
from app.core.audit import AuditEntry
from app.core.idcard import make_id_number
from app.extensions import db
from app.training import operations
from app.training.models import Enrolment, Programme, Round, RoundResult
from tests.conftest import Client, login
from tests.helpers import opened

_SEQ = itertools.count(1)
TODAY = clock.today()
ADMIN = User(role="admin", township_id=None)


# ---- helpers -----------------------------------------------------------------------------


def count(model, *where) -> int:
    db.session.commit()
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


def candidate_in(make, township, status: str = "in_pool", name: str = "张三"):
    number = make_id_number("430521", dt.date(1991, 6, 1), (next(_SEQ) * 2) % 1000, "M")
    candidate = make.candidate(township, name=name, id_number=number)
    if status != "nominated":
        candidate.status = status
        db.session.commit()
    return candidate


def programme(name="雏雁工程", township=None, start=None, end=None) -> Programme:
    start = start or TODAY - dt.timedelta(days=200)
    end = end or TODAY + dt.timedelta(days=500)
    actor = ADMIN if township is None else User(role="clerk", township_id=township.id)
    made = operations.create_programme(
        {
            "name": name,
            "target_group": "35 岁以下在库后备干部",
            "start_on": start,
            "end_on": end,
            "description": "",
            "township_id": township.id if township else None,
        },
        actor=actor,
    )
    db.session.commit()
    return made


def round_of(prog: Programme, starts: dt.date, days: int = 3) -> Round:
    ends = starts + dt.timedelta(days=days - 1)
    made = operations.create_round(
        db.session.get(Programme, prog.id),
        {
            "starts_on": starts,
            "ends_on": ends,
            "place": "县委党校",
            "topics": "村级组织建设\n乡村振兴政策",
            "assignment_title": "本村发展调研报告",
            "assignment_due_on": ends + dt.timedelta(days=45),
        },
        actor=ADMIN,
    )
    db.session.commit()
    return made


def enrol(prog: Programme, *candidates) -> list[Enrolment]:
    made = operations.enrol(
        db.session.get(Programme, prog.id), [c.id for c in candidates], actor=ADMIN
    )
    db.session.commit()
    return made


def record(round_: Round, enrolment: Enrolment, attended=True, submitted=True, score=None):
    operations.save_results(
        db.session.get(Round, round_.id),
        {
            enrolment.id: {
                "attended": attended,
                "submitted": submitted,
                "score": score,
                "comment": "",
            }
        },
        actor=ADMIN,
    )
    db.session.commit()


@pytest.fixture
def town(make):
    township = make.township("太平镇")
    return {
        "township": township,
        "clerk": make.user("clerk", township, username="ganshi_li"),
        "secretary": make.user("secretary", township, username="shuji_wang"),
    }


@pytest.fixture
def other(make):
    township = make.township("河东镇", villages=("东村",))
    return {"township": township, "clerk": make.user("clerk", township, username="hd_clerk")}


@pytest.fixture
def admin(make):
    return make.user("admin", None, username="county_admin")


@pytest.fixture
def clerk(app, town) -> Client:
    return client_for(app, town["clerk"])


PROGRAMME = {
    "name": " 雏雁工程 ",
    "target_group": "35 岁以下在库后备干部",
    "start_on": "2025-01-01",
    "end_on": "2026-12-31",
    "description": "每半年一轮，集中培训后回村实践。",
}


# ---- programmes --------------------------------------------------------------------------


def test_admin_creates_a_county_programme_every_township_sees(app, admin, town, other):
    client = client_for(app, admin)
    response = client.post("/training/programmes/new", data=PROGRAMME | {"township_id": ""})
    assert response.status_code == 302, text_of(response)[:800]
    made = db.session.scalars(select(Programme)).one()
    assert (made.name, made.township_id) == ("雏雁工程", None)
    assert made.description == "每半年一轮，集中培训后回村实践。"
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.entity == "training_programme")
    ).one()
    assert (entry.action, entry.actor_id) == ("create", admin.id)
    for user in (town["clerk"], other["clerk"], town["secretary"]):
        page = client_for(app, user)
        assert "雏雁工程" in text_of(page.get("/training/"))
        assert page.get(f"/training/programmes/{made.id}").status_code == 200


def test_township_programme_belongs_to_the_township(app, clerk, town, other, admin):
    response = clerk.post("/training/programmes/new", data=PROGRAMME | {"name": "太平镇青苗计划"})
    assert response.status_code == 302
    made = db.session.scalars(select(Programme)).one()
    assert made.township_id == town["township"].id
    outsider = client_for(app, other["clerk"])
    assert "青苗计划" not in text_of(outsider.get("/training/"))
    assert outsider.get(f"/training/programmes/{made.id}").status_code == 404
    assert "青苗计划" in text_of(client_for(app, admin).get("/training/"))


def test_township_users_read_county_programmes_but_do_not_manage_them(app, town):
    county = programme()
    clerk = client_for(app, town["clerk"])
    page = text_of(clerk.get(f"/training/programmes/{county.id}"))
    assert "修改计划" not in page and "新增轮次" not in page and "从花名册报名" in page
    assert clerk.get(f"/training/programmes/{county.id}/edit").status_code == 403
    assert clerk.get(f"/training/programmes/{county.id}/rounds/new").status_code == 403
    response = clerk.post(
        f"/training/programmes/{county.id}/edit", data=PROGRAMME | {"name": "改名"}
    )
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(Programme, county.id).name == "雏雁工程"


@pytest.mark.parametrize(
    "url",
    [
        "/training/programmes/new",
        "/training/programmes/{id}/enrol",
        "/training/rounds/{rid}/results",
    ],
)
def test_secretaries_may_not_write(app, town, url):
    county = programme()
    r = round_of(county, TODAY - dt.timedelta(days=10))
    client = client_for(app, town["secretary"])
    assert client.get(url.format(id=county.id, rid=r.id)).status_code == 403
    assert client.post("/training/programmes/new", data=PROGRAMME).status_code == 403
    assert count(Programme) == 1


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"name": ""}, "name", "请填写计划名称"),
        ({"target_group": " "}, "target_group", "请填写培养对象"),
        ({"start_on": ""}, "start_on", "请填写开始日期"),
        ({"end_on": "2024-12-31"}, "end_on", "结束日期不能早于开始日期（2025-01-01）"),
        ({"end_on": "2025-13-01"}, "end_on", "月份应在 1 到 12 之间"),
    ],
)
def test_programme_refusals_at_the_field(clerk, overrides, field, words):
    response = clerk.post("/training/programmes/new", data=PROGRAMME | overrides)
    assert response.status_code == 422
    assert words in (error_at(text_of(response), field) or "")
    assert count(Programme) == 0


def test_programme_post_without_csrf_changes_nothing(clerk):
    assert clerk.post("/training/programmes/new", data=PROGRAMME, csrf=False).status_code == 400
    assert count(Programme) == 0


# ---- rounds ------------------------------------------------------------------------------


def round_form(start: str, end: str, due: str, **overrides) -> dict:
    return {
        "starts_on": start,
        "ends_on": end,
        "place": "县委党校",
        "topics": "村级组织建设\n乡村振兴政策解读",
        "assignment_title": "撰写本村产业发展调研报告",
        "assignment_due_on": due,
    } | overrides


def test_rounds_are_numbered_and_shown(app, admin):
    county = programme(start=dt.date(2025, 1, 1), end=dt.date(2026, 12, 31))
    client = client_for(app, admin)
    url = f"/training/programmes/{county.id}/rounds/new"
    response = client.post(url, data=round_form("2025-03-10", "2025-03-14", "2025-05-10"))
    assert response.status_code == 302, text_of(response)[:800]
    response = client.post(url, data=round_form("2025-09-08", "2025-09-13", "2025-11-10"))
    assert response.status_code == 302
    assert "长于常见的 3–5 天" in text_of(client.get(response.headers["Location"]))
    rounds = db.session.scalars(select(Round).order_by(Round.number)).all()
    assert [(r.number, r.days) for r in rounds] == [(1, 5), (2, 6)]
    page = text_of(client.get(f"/training/programmes/{county.id}"))
    assert "第1轮" in page and "第2轮" in page and "撰写本村产业发展调研报告" in page
    assert count(AuditEntry, AuditEntry.entity == "training_round") == 2


@pytest.mark.parametrize(
    ("form", "field", "words"),
    [
        (round_form("2025-03-10", "2025-03-20", "2025-05-10"), "ends_on", "超过了 10 天"),
        (round_form("2025-03-10", "2025-03-09", "2025-05-10"), "ends_on", "不能早于开始日期"),
        (
            round_form("2025-03-10", "2025-03-12", "2025-03-11"),
            "assignment_due_on",
            "不能早于 2025-03-12",
        ),
        (round_form("2024-12-30", "2025-01-02", "2025-03-01"), "starts_on", "应在计划期限内"),
        (round_form("2026-12-30", "2027-01-02", "2027-03-01"), "ends_on", "应在计划期限内"),
        (
            round_form("2025-04-02", "2025-04-04", "2025-06-01"),
            "starts_on",
            "与第1轮集中培训（2025-04-01 至 2025-04-03）日期重叠",
        ),
        (round_form("2025-05-01", "2025-05-03", "2025-06-01", place=""), "place", "请填写培训地点"),
        (
            round_form("2025-05-01", "2025-05-03", "2025-06-01", topics=" "),
            "topics",
            "请填写培训内容",
        ),
        (
            round_form("2025-05-01", "2025-05-03", "2025-06-01", assignment_title=""),
            "assignment_title",
            "请填写实践作业题目",
        ),
        (round_form("2025-05-01", "", "2025-06-01"), "ends_on", "请填写集中培训结束日期"),
    ],
)
def test_round_refusals(app, admin, form, field, words):
    county = programme(start=dt.date(2025, 1, 1), end=dt.date(2026, 12, 31))
    round_of(county, dt.date(2025, 4, 1))
    client = client_for(app, admin)
    response = client.post(f"/training/programmes/{county.id}/rounds/new", data=form)
    assert response.status_code == 422
    assert words in (error_at(text_of(response), field) or "")
    assert count(Round) == 1


def test_round_edit_keeps_its_own_dates_out_of_the_overlap_check(app, admin):
    county = programme(start=dt.date(2025, 1, 1), end=dt.date(2026, 12, 31))
    first = round_of(county, dt.date(2025, 4, 1))
    client = client_for(app, admin)
    response = client.post(
        f"/training/rounds/{first.id}/edit",
        data=opened(client, f"/training/rounds/{first.id}/edit")
        | round_form("2025-04-02", "2025-04-05", "2025-06-01", place="镇党校"),
    )
    assert response.status_code == 302
    db.session.expire_all()
    changed = db.session.get(Round, first.id)
    assert (changed.starts_on, changed.place, changed.number) == (dt.date(2025, 4, 2), "镇党校", 1)


def test_township_clerk_manages_rounds_of_its_own_programme(clerk, town):
    own = programme("青苗计划", township=town["township"])
    url = f"/training/programmes/{own.id}/rounds/new"
    start = TODAY - dt.timedelta(days=20)
    form = round_form(
        str(start), str(start + dt.timedelta(days=2)), str(start + dt.timedelta(days=40))
    )
    assert clerk.post(url, data=form).status_code == 302
    assert count(Round) == 1


# ---- enrolment ---------------------------------------------------------------------------


def test_township_clerk_enrols_its_own_candidates_into_a_county_programme(clerk, make, town, other):
    county = programme()
    mine = candidate_in(make, town["township"], name="李在库")
    inspecting = candidate_in(make, town["township"], status="inspecting", name="李考察")
    candidate_in(make, town["township"], status="nominated", name="李推荐")
    foreign = candidate_in(make, other["township"], name="李外镇")
    page = text_of(clerk.get(f"/training/programmes/{county.id}/enrol"))
    assert "李在库" in page and "李考察" in page
    assert "李推荐" not in page and "李外镇" not in page

    response = clerk.post(
        f"/training/programmes/{county.id}/enrol",
        data={"candidate_ids": [str(mine.id), str(inspecting.id)]},
    )
    assert response.status_code == 302, text_of(response)[:800]
    rows = db.session.scalars(select(Enrolment)).all()
    assert {(e.candidate_id, e.township_id) for e in rows} == {
        (mine.id, town["township"].id),
        (inspecting.id, town["township"].id),
    }
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "enrol")).one()
    assert entry.changes["candidate_ids"] == sorted([mine.id, inspecting.id])
    # Enrolled candidates leave the list of those who may join.
    assert "李在库" not in text_of(clerk.get(f"/training/programmes/{county.id}/enrol"))
    # Another township's candidate cannot be enrolled by this clerk.
    response = clerk.post(
        f"/training/programmes/{county.id}/enrol", data={"candidate_ids": [str(foreign.id)]}
    )
    assert response.status_code == 404
    assert count(Enrolment) == 2
    # ... and the try is audited as a denial, as a request for another township's page is;
    # an id that exists nowhere is only a 404.
    denials = select(AuditEntry).where(AuditEntry.action == "denied")
    assert len(db.session.scalars(denials).all()) == 1
    response = clerk.post(
        f"/training/programmes/{county.id}/enrol", data={"candidate_ids": [str(foreign.id + 999)]}
    )
    assert response.status_code == 404
    db.session.expire_all()
    assert len(db.session.scalars(denials).all()) == 1


def test_enrolment_refusals(clerk, make, town):
    county = programme()
    ok = candidate_in(make, town["township"], name="王可以")
    nominated = candidate_in(make, town["township"], status="nominated", name="王推荐")
    url = f"/training/programmes/{county.id}/enrol"
    response = clerk.post(url, data={"candidate_ids": [str(ok.id), str(nominated.id)]})
    assert response.status_code == 422
    assert "王推荐（拟推荐）" in error_at(text_of(response), "candidate_ids")
    assert count(Enrolment) == 0  # all or none
    response = clerk.post(url, data={})
    assert response.status_code == 422
    assert "请至少勾选一名后备干部" in text_of(response)
    assert clerk.post(url, data={"candidate_ids": [str(ok.id)]}).status_code == 302
    response = clerk.post(url, data={"candidate_ids": [str(ok.id)]})
    assert response.status_code == 422
    assert "王可以已在本计划中" in text_of(response)
    response = clerk.post(url, data={"candidate_ids": [str(ok.id)]}, csrf=False)
    assert response.status_code == 400
    assert count(Enrolment) == 1


def test_county_admin_enrols_any_township_into_a_county_programme_only(
    app, make, admin, town, other
):
    county = programme()
    own = programme("太平镇青苗计划", township=town["township"])
    foreign = candidate_in(make, other["township"], name="赵外镇")
    client = client_for(app, admin)
    assert (
        client.post(
            f"/training/programmes/{county.id}/enrol", data={"candidate_ids": [str(foreign.id)]}
        ).status_code
        == 302
    )
    response = client.post(
        f"/training/programmes/{own.id}/enrol", data={"candidate_ids": [str(foreign.id)]}
    )
    assert response.status_code == 422
    assert "只能报名本乡镇的后备干部：赵外镇不属于该乡镇" in text_of(response)
    assert "赵外镇" not in text_of(client.get(f"/training/programmes/{own.id}/enrol"))
    assert count(Enrolment) == 1


def test_programme_page_lists_only_the_users_participants(app, make, town, other):
    county = programme()
    enrol(
        county,
        candidate_in(make, town["township"], name="本镇学员"),
        candidate_in(make, other["township"], name="外镇学员"),
    )
    page = text_of(client_for(app, town["clerk"]).get(f"/training/programmes/{county.id}"))
    assert "本镇学员" in page and "外镇学员" not in page
    assert '<strong id="total">1</strong>' in page
    listing = text_of(client_for(app, town["clerk"]).get("/training/"))
    assert "本乡镇参加人数" in listing


def test_removing_an_enrolment(clerk, make, town):
    county = programme()
    r = round_of(county, TODAY - dt.timedelta(days=10))
    (free,) = enrol(county, candidate_in(make, town["township"], name="可移出"))
    (scored,) = enrol(county, candidate_in(make, town["township"], name="有成绩"))
    record(r, scored, score=80)
    response = clerk.post(
        f"/training/enrolments/{scored.id}/remove", data={}, follow_redirects=True
    )
    assert "已有 1 轮的培训结果，不能移出本计划" in text_of(response)
    assert clerk.post(f"/training/enrolments/{free.id}/remove", data={}).status_code == 302
    assert count(Enrolment) == 1
    assert count(AuditEntry, AuditEntry.action == "unenrol") == 1
    assert (
        clerk.post(f"/training/enrolments/{scored.id}/remove", data={}, csrf=False).status_code
        == 400
    )


# ---- results and ranking -----------------------------------------------------------------


@pytest.fixture
def cohort(make, town, other):
    """A county programme, one round under way, four of 太平镇 and one of 河东镇 enrolled."""
    county = programme()
    r = round_of(county, TODAY - dt.timedelta(days=30))
    names = ("甲", "乙", "丙", "丁")
    people = [candidate_in(make, town["township"], name=f"学员{n}") for n in names]
    outsider = candidate_in(make, other["township"], name="外镇学员")
    enrolments = enrol(county, *people, outsider)
    by_candidate = {e.candidate_id: e for e in enrolments}
    return {
        "programme": county,
        "round": r,
        "mine": [by_candidate[p.id] for p in people],
        "outsider": by_candidate[outsider.id],
    }


def sheet(rows: list[tuple[Enrolment, dict]]) -> dict:
    data = {}
    for i, (enrolment, values) in enumerate(rows):
        data[f"rows-{i}-enrolment_id"] = str(enrolment.id)
        for key in ("attended", "submitted", "score", "comment"):
            data[f"rows-{i}-{key}"] = values.get(key, "")
    return data


def test_clerk_records_results_for_its_own_participants(clerk, cohort):
    url = f"/training/rounds/{cohort['round'].id}/results"
    page = text_of(clerk.get(url))
    assert "学员甲" in page and "外镇学员" not in page
    a, b, c, d = cohort["mine"]
    data = sheet(
        [
            (
                a,
                {
                    "attended": "yes",
                    "submitted": "yes",
                    "score": "９０",
                    "comment": "调研扎实，建议可行",
                },
            ),
            (b, {"attended": "yes", "submitted": "no"}),
            (c, {}),
            (d, {"attended": "no"}),
        ]
    )
    response = clerk.post(url, data=data)
    assert response.status_code == 302, text_of(response)[:1500]
    results = {r.enrolment_id: r for r in db.session.scalars(select(RoundResult))}
    assert set(results) == {a.id, b.id, d.id}  # a blank line writes nothing
    assert (results[a.id].attended, results[a.id].submitted, results[a.id].score) == (
        True,
        True,
        90,
    )
    assert results[a.id].comment == "调研扎实，建议可行"
    assert (results[b.id].submitted, results[b.id].score) == (False, None)
    assert results[d.id].attended is False and results[d.id].submitted is None
    assert {r.township_id for r in results.values()} == {a.township_id}
    assert count(AuditEntry, AuditEntry.entity == "training_result") == 3
    # The sheet shows what was recorded.
    page = text_of(clerk.get(url))
    assert 'value="90"' in page


def test_saving_results_returns_to_the_sheet_as_filtered(clerk, cohort):
    url = f"/training/rounds/{cohort['round'].id}/results"
    a, *_ = cohort["mine"]
    # Whoever wrote the URL may add url_for's own names, or the path's round_id, to it.
    hostile = "endpoint=x&_external=1&_method=GET&round_id=999"
    response = clerk.post(f"{url}?page=1&{hostile}", data=sheet([(a, {"attended": "yes"})]))
    assert response.status_code == 302
    assert response.headers["Location"] == f"{url}?page=1"


@pytest.mark.parametrize(
    ("values", "words"),
    [
        ({"submitted": "yes", "score": "101"}, "成绩应在 0 到 100 之间（填写的是 101）"),
        ({"submitted": "yes", "score": "-1"}, "成绩应在 0 到 100 之间（填写的是 -1）"),
        ({"submitted": "yes", "score": "优秀"}, "不是整数"),
        ({"submitted": "yes", "score": "85.5"}, "不是整数"),
        ({"submitted": "no", "score": "60"}, "未提交作业不能评分"),
        ({"score": "60"}, "未提交作业不能评分"),
    ],
)
def test_score_refusals_write_nothing(clerk, cohort, values, words):
    a, b, *_ = cohort["mine"]
    data = sheet([(a, {"attended": "yes", "submitted": "yes", "score": "88"}), (b, values)])
    response = clerk.post(f"/training/rounds/{cohort['round'].id}/results", data=data)
    assert response.status_code == 422
    page = text_of(response)
    assert words in (error_at(page, "rows-1-score") or "")
    assert "本页未保存任何内容" in page
    assert count(RoundResult) == 0


def test_results_of_another_townships_participant_are_404(clerk, cohort):
    data = sheet([(cohort["outsider"], {"attended": "yes"})])
    assert (
        clerk.post(f"/training/rounds/{cohort['round'].id}/results", data=data).status_code == 404
    )
    assert count(RoundResult) == 0


def test_results_without_csrf_are_refused(clerk, cohort):
    data = sheet([(cohort["mine"][0], {"attended": "yes"})])
    response = clerk.post(f"/training/rounds/{cohort['round'].id}/results", data=data, csrf=False)
    assert response.status_code == 400
    assert count(RoundResult) == 0


def test_results_before_the_round_starts_are_refused(clerk, make, town):
    county = programme()
    future = round_of(county, TODAY + dt.timedelta(days=5))
    (e,) = enrol(county, candidate_in(make, town["township"]))
    response = clerk.post(
        f"/training/rounds/{future.id}/results", data=sheet([(e, {"attended": "yes"})])
    )
    assert response.status_code == 422
    assert "尚未开始" in text_of(response)
    assert count(RoundResult) == 0


def ranking(page: str) -> list[tuple[str, str]]:
    table = re.search(r'id="ranking-table">(.*?)</table>', page, re.S).group(1)
    rows = re.findall(r'<td class="rank">(.*?)</td>\s*<td><a[^>]*>(.*?)</a>', table)
    return [(rank, name) for rank, name in rows]


def test_ranking_shares_ranks_on_ties_and_puts_unsubmitted_last(app, make, town, admin, cohort):
    a, b, c, d = cohort["mine"]
    r = cohort["round"]
    e = enrol(cohort["programme"], candidate_in(make, town["township"], name="学员戊"))[0]
    record(r, a, score=85)
    record(r, b, score=92)
    record(r, c, score=85)
    record(r, d, submitted=True, score=None)
    record(r, e, submitted=False)
    record(r, cohort["outsider"], score=95)
    clerk = client_for(app, town["clerk"])
    page = text_of(clerk.get(f"/training/rounds/{r.id}"))
    # The township sees its own five, ranked among themselves.
    assert ranking(page) == [
        ("1", "学员乙"),
        ("2", "学员丙"),
        ("2", "学员甲"),
        ("待评分", "学员丁"),
        ("未提交", "学员戊"),
    ]
    assert "外镇学员" not in page
    assert "平均 87.3 分" in page

    county = text_of(client_for(app, admin).get(f"/training/rounds/{r.id}"))
    assert ranking(county)[:4] == [
        ("1", "外镇学员"),
        ("2", "学员乙"),
        ("3", "学员丙"),
        ("3", "学员甲"),
    ]
    narrowed = text_of(
        client_for(app, admin).get(f"/training/rounds/{r.id}?township={town['township'].id}")
    )
    assert ranking(narrowed)[0] == ("1", "学员乙")


def test_candidate_page_and_timeline_show_every_round(app, make, town, cohort):
    a = cohort["mine"][0]
    second = round_of(cohort["programme"], TODAY + dt.timedelta(days=60))
    record(cohort["round"], a, score=77)
    page = text_of(client_for(app, town["clerk"]).get(f"/candidates/{a.candidate_id}"))
    section = re.search(r'id="training">(.*?)</section>', page, re.S).group(1)
    assert "雏雁工程" in section and "77" in section and "第2轮" in section
    timeline = re.search(r'aria-labelledby="history">(.*?)</section>', page, re.S).group(1)
    assert "雏雁工程 第1轮" in timeline and "已提交，77 分" in timeline
    assert "雏雁工程 第2轮" in timeline and "尚未开始" in timeline
    assert f"/training/rounds/{second.id}" in timeline
    printed = text_of(client_for(app, town["clerk"]).get(f"/candidates/{a.candidate_id}/print"))
    assert "循环培养" in printed and "本村发展调研报告" in printed


def test_round_of_a_township_programme_is_404_elsewhere(app, make, town, other):
    own = programme("太平镇青苗计划", township=town["township"])
    r = round_of(own, TODAY - dt.timedelta(days=3))
    outsider = client_for(app, other["clerk"])
    for url in (
        f"/training/rounds/{r.id}",
        f"/training/rounds/{r.id}/results",
        f"/training/rounds/{r.id}/edit",
    ):
        assert outsider.get(url).status_code == 404


def test_programme_edit_keeps_rounds_inside_the_period(clerk, town):
    own = programme("青苗计划", township=town["township"], start=dt.date(2025, 1, 1))
    round_of(own, dt.date(2025, 3, 10))
    url = f"/training/programmes/{own.id}/edit"
    assert "青苗计划" in text_of(clerk.get(url))
    response = clerk.post(
        url, data=opened(clerk, url) | PROGRAMME | {"name": "青苗计划", "start_on": "2025-04-01"}
    )
    assert response.status_code == 422
    assert "第1轮集中培训（2025-03-10 至 2025-03-12）不在新的计划期限内" in error_at(
        text_of(response), "start_on"
    )
    response = clerk.post(url, data=opened(clerk, url) | PROGRAMME | {"name": "青苗计划（第二期）"})
    assert response.status_code == 302
    db.session.expire_all()
    changed = db.session.get(Programme, own.id)
    assert (changed.name, changed.township_id) == ("青苗计划（第二期）", town["township"].id)
    assert (
        count(AuditEntry, AuditEntry.entity == "training_programme", AuditEntry.action == "update")
        == 1
    )


@pytest.mark.parametrize(
    ("role", "county_level", "status"),
    [
        ("admin", True, 200),
        ("clerk", False, 200),
        ("secretary", False, 403),
        ("secretary", True, 403),
    ],
)
def test_who_may_open_the_new_programme_form(app, make, town, role, county_level, status):
    user = make.user(role, None if county_level else town["township"])
    client = client_for(app, user)
    assert client.get("/training/programmes/new").status_code == status
    assert client.get("/training/").status_code == 200


def test_township_programme_of_another_township_cannot_be_edited(app, town, other):
    own = programme("太平镇青苗计划", township=town["township"])
    outsider = client_for(app, other["clerk"])
    assert outsider.get(f"/training/programmes/{own.id}/edit").status_code == 404
    assert outsider.post(f"/training/programmes/{own.id}/enrol", data={}).status_code == 404


def test_county_users_narrow_the_results_sheet_to_a_township(app, admin, town, other, cohort):
    client = client_for(app, admin)
    url = f"/training/rounds/{cohort['round'].id}/results"
    page = text_of(client.get(url))
    assert "外镇学员" in page and "学员甲" in page
    page = text_of(client.get(f"{url}?township={other['township'].id}"))
    assert "外镇学员" in page and "学员甲" not in page
