"""Inspections, assessments and dynamic notes through HTTP: who may, what is refused, where
the messages show, what is written (rows, audit), the lacking inspections, the trend chart and
the evidence of the period beside the assessment form."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import itertools
import re

import pytest
from sqlalchemy import func, select

from app.assessment.models import Assessment, DynamicNote, Inspection
from app.core import clock
from app.core.audit import AuditEntry
from app.core.idcard import make_id_number
from app.core.sections import TimelineEvent, register_timeline
from app.extensions import db
from app.roster.models import Candidate
from tests.conftest import Client, login
from tests.helpers import opened

_SEQ = itertools.count(1)
TODAY = clock.today()
LAST_YEAR = TODAY.year - 1
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


# ---- helpers -----------------------------------------------------------------------------


def client_for(app, user) -> Client:
    client = app.test_client()
    login(client, user)
    return client


def candidate_in(make, township, status: str = "in_pool", name: str = "张三") -> Candidate:
    number = make_id_number("430521", dt.date(1990, 5, 3), (next(_SEQ) % 450) * 2, "M")
    candidate = make.candidate(township, name=name, id_number=number)
    if status != "nominated":
        candidate.status = status
        if status in ("in_pool", "used", "withdrawn"):
            candidate.entered_on = dt.date(LAST_YEAR - 2, 3, 1)
        db.session.commit()
    return candidate


def count(model, **where) -> int:
    db.session.expire_all()
    stmt = select(func.count()).select_from(model)
    for key, value in where.items():
        stmt = stmt.where(getattr(model, key) == value)
    return db.session.scalar(stmt)


def audits(entity: str) -> list[AuditEntry]:
    db.session.expire_all()
    stmt = select(AuditEntry).where(AuditEntry.entity == entity).order_by(AuditEntry.id)
    return list(db.session.scalars(stmt))


def error_at(page: str, field_id: str) -> str | None:
    match = re.search(rf'id="{re.escape(field_id)}-error"[^>]*>(.*?)</div>', page, re.S)
    return html_lib.unescape(match.group(1)).strip() if match else None


def section(page: str, key: str) -> str:
    match = re.search(rf'<section[^>]*id="{key}"[^>]*>(.*?)</section>', page, re.S)
    assert match, f"no section {key} on the page"
    return match.group(1)


def text_of(fragment: str) -> str:
    return re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", "", fragment))).strip()


def assessment_data(**overrides) -> dict:
    return {
        "kind": "annual",
        "period": str(LAST_YEAR),
        "assessed_on": TODAY.isoformat(),
        "score_de": "90",
        "score_neng": "85",
        "score_qin": "80",
        "score_ji": "75",
        "score_lian": "95",
        "grade": "competent",
        "note_village": "村道硬化完成，集体经济增收",
        "note_opinion": "群众评价办事公道",
        "note_thinking": "思路清楚，想发展民宿",
        "note_overall": "总体称职，继续培养",
    } | overrides


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
        "county_secretary": make.user("secretary", None, username="county_sec"),
        "other_secretary": make.user("secretary", other, username="other_sec"),
        "other_clerk": make.user("clerk", other, username="other_clerk"),
    }


# ---- inspections -------------------------------------------------------------------------

INSPECTION = {
    "method": "interview",
    "inspected_on": "2025-06-18",
    "inspectors": "镇党委组织委员李明、驻村干部王芳",
    "findings": "对村情熟悉，\n有为民服务意愿",
    "conclusion": "符合推荐条件",
}


@pytest.mark.parametrize(
    ("who", "code"),
    [
        ("clerk", 302),
        ("secretary", 302),
        ("admin", 302),
        ("county_secretary", 302),
        ("other_secretary", 404),
        ("other_clerk", 404),
    ],
)
def test_who_may_record_an_inspection(app, make, town, who, code):
    candidate = candidate_in(make, town["township"], "nominated")
    client = client_for(app, town[who])
    assert client.get(f"/candidates/{candidate.id}/inspections/new").status_code == (
        200 if code == 302 else code
    )
    response = client.post(f"/candidates/{candidate.id}/inspections/new", data=INSPECTION)
    assert response.status_code == code
    if code == 302:
        assert response.headers["Location"].endswith(f"/candidates/{candidate.id}#inspections")
        row = db.session.scalars(select(Inspection)).one()
        assert (row.candidate_id, row.method, row.inspected_on) == (
            candidate.id,
            "interview",
            dt.date(2025, 6, 18),
        )
        assert (row.author_id, row.township_id) == (town[who].id, town["township"].id)
        assert row.findings == "对村情熟悉，\n有为民服务意愿"
        entry = audits("inspection")[-1]
        assert (entry.action, entry.entity_id, entry.actor_id) == ("create", row.id, town[who].id)
        assert entry.township_id == town["township"].id
        assert entry.changes["method"] == [None, "interview"]
    else:
        assert count(Inspection) == 0
        assert audits("inspection") == []
        assert "张三" not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("method", "", "请选择考察方式"),
        ("method", "bogus", "不是有效的考察方式"),
        ("inspected_on", "", "请填写考察日期"),
        ("inspected_on", "2025-02-30", "不存在"),
        ("inspected_on", "明天", "无法识别"),
        ("inspected_on", (TODAY + dt.timedelta(days=1)).isoformat(), "不能晚于今天"),
        ("inspectors", "  ", "请填写考察人员"),
        ("findings", "", "请填写考察情况"),
        ("conclusion", "", "请填写考察结论"),
        ("conclusion", "很" * 501, "考察结论过长，最多 500 个字（现有 501 个字）"),
    ],
)
def test_inspection_refusals_show_at_the_field(app, make, town, field, value, message):
    candidate = candidate_in(make, town["township"], "nominated")
    client = client_for(app, town["clerk"])
    data = INSPECTION | {field: value}
    response = client.post(f"/candidates/{candidate.id}/inspections/new", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in (error_at(page, field) or "")
    assert "未保存任何内容" in page
    assert count(Inspection) == 0 and audits("inspection") == []


def test_inspection_input_is_normalised(app, make, town):
    candidate = candidate_in(make, town["township"], "nominated")
    client = client_for(app, town["clerk"])
    data = INSPECTION | {"method": "个别谈话", "inspected_on": "２０２５年６月１８日"}
    assert client.post(f"/candidates/{candidate.id}/inspections/new", data=data).status_code == 302
    row = db.session.scalars(select(Inspection)).one()
    assert (row.method, row.inspected_on) == ("interview", dt.date(2025, 6, 18))


@pytest.mark.parametrize("status", ["used", "withdrawn"])
def test_no_inspections_after_leaving_the_pool(app, make, town, status):
    candidate = candidate_in(make, town["township"], status)
    client = client_for(app, town["clerk"])
    response = client.post(f"/candidates/{candidate.id}/inspections/new", data=INSPECTION)
    assert response.status_code == 422
    assert "不再新增考察记录；如需记录情况，请添加动态记录" in response.get_data(as_text=True)
    assert count(Inspection) == 0
    page = client.get(f"/candidates/{candidate.id}/inspections/new").get_data(as_text=True)
    assert "不再新增考察记录" in page and 'name="findings"' not in page  # said before typing


def test_inspection_without_csrf_writes_nothing(app, make, town):
    candidate = candidate_in(make, town["township"], "nominated")
    client = client_for(app, town["clerk"])
    url = f"/candidates/{candidate.id}/inspections/new"
    assert client.post(url, data=INSPECTION, csrf=False).status_code == 400
    assert count(Inspection) == 0 and audits("inspection") == []


def test_missing_candidate_is_404(app, town):
    client = client_for(app, town["admin"])
    for path in ("inspections/new", "notes/new", "assessments/new", "outcome/use"):
        assert client.get(f"/candidates/999999/{path}").status_code == 404


def test_anonymous_user_is_sent_to_login(client, make, town):
    candidate = candidate_in(make, town["township"])
    for path in ("inspections/new", "notes/new", "assessments/new"):
        response = client.get(f"/candidates/{candidate.id}/{path}")
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get("/review/").status_code == 302


# ---- which inspections a nomination still lacks ---------------------------------------------


@pytest.mark.parametrize("status", ["nominated", "inspecting"])
def test_candidate_page_shows_the_inspections_still_lacking(app, make, town, status):
    candidate = candidate_in(make, town["township"], status)
    secretary = client_for(app, town["secretary"])
    card = text_of(
        section(secretary.get(f"/candidates/{candidate.id}").get_data(True), "inspections")
    )
    assert "入库前尚缺考察：民意调查、个别谈话、实地走访" in card

    clerk = client_for(app, town["clerk"])
    for method in ("opinion_poll", "interview"):
        data = INSPECTION | {"method": method}
        assert (
            clerk.post(f"/candidates/{candidate.id}/inspections/new", data=data).status_code == 302
        )
    page = secretary.get(f"/candidates/{candidate.id}").get_data(as_text=True)
    card = text_of(section(page, "inspections"))
    assert "入库前尚缺考察：实地走访" in card
    assert "个别谈话" in card and "民意调查" in card  # the records themselves are listed

    data = INSPECTION | {"method": "field_visit"}
    clerk.post(f"/candidates/{candidate.id}/inspections/new", data=data)
    card = text_of(
        section(secretary.get(f"/candidates/{candidate.id}").get_data(True), "inspections")
    )
    assert "尚缺" not in card
    assert "必备考察方式（民意调查、个别谈话、实地走访）均已完成" in card


def test_in_pool_candidate_shows_no_lacking_warning(app, make, town):
    candidate = candidate_in(make, town["township"], "in_pool")
    page = client_for(app, town["secretary"]).get(f"/candidates/{candidate.id}").get_data(True)
    assert "尚缺" not in section(page, "inspections")


def test_approval_with_missing_inspections_is_allowed(app, make, town):
    candidate = candidate_in(make, town["township"], "inspecting")
    secretary = client_for(app, town["secretary"])
    data = {"target": "in_pool", "reason": "同意"}
    assert secretary.post(f"/candidates/{candidate.id}/status", data=data).status_code == 302
    db.session.expire_all()
    assert db.session.get(Candidate, candidate.id).status == "in_pool"


def test_new_inspection_form_suggests_the_first_missing_method(app, make, town):
    candidate = candidate_in(make, town["township"], "nominated")
    page = client_for(app, town["clerk"]).get(f"/candidates/{candidate.id}/inspections/new")
    html = page.get_data(as_text=True)
    assert re.search(r'<option selected value="opinion_poll">', html) or re.search(
        r'<option value="opinion_poll" selected>', html
    )
    assert "入库前尚缺考察" in html


# ---- assessments: who may ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "code"),
    [
        ("secretary", 302),
        ("admin", 302),
        ("county_secretary", 302),
        ("clerk", 403),
        ("other_secretary", 404),
        ("other_clerk", 403),
    ],
)
def test_who_may_record_an_assessment(app, make, town, who, code):
    candidate = candidate_in(make, town["township"])
    client = client_for(app, town[who])
    get = client.get(f"/candidates/{candidate.id}/assessments/new")
    assert get.status_code == (200 if code == 302 else code)
    response = client.post(f"/candidates/{candidate.id}/assessments/new", data=assessment_data())
    assert response.status_code == code
    if code == 302:
        assert response.headers["Location"].endswith(f"/candidates/{candidate.id}#assessments")
        row = db.session.scalars(select(Assessment)).one()
        assert (row.kind, row.period, row.year) == ("annual", f"{LAST_YEAR}年度", LAST_YEAR)
        assert (row.period_start, row.period_end) == (
            dt.date(LAST_YEAR, 1, 1),
            dt.date(LAST_YEAR, 12, 31),
        )
        assert [v for _, v in row.scores] == [90, 85, 80, 75, 95]
        assert (row.grade, row.assessor_id, row.is_latest) == ("competent", town[who].id, True)
        assert row.note_thinking == "思路清楚，想发展民宿"
        entry = audits("assessment")[-1]
        assert (entry.action, entry.entity_id, entry.actor_id) == ("create", row.id, town[who].id)
        assert entry.changes["score_de"] == [None, 90]
    else:
        assert count(Assessment) == 0 and audits("assessment") == []


def test_clerk_sees_assessments_but_no_buttons_to_write_them(app, make, town):
    candidate = candidate_in(make, town["township"])
    client_for(app, town["secretary"]).post(
        f"/candidates/{candidate.id}/assessments/new", data=assessment_data()
    )
    page = client_for(app, town["clerk"]).get(f"/candidates/{candidate.id}").get_data(True)
    card = section(page, "assessments")
    assert f"{LAST_YEAR}年度" in card and "称职" in card
    assert "录入年终考核" not in card and "/assessments/new" not in card and "修改" not in card
    secretary_page = client_for(app, town["secretary"]).get(f"/candidates/{candidate.id}")
    card = section(secretary_page.get_data(as_text=True), "assessments")
    assert "录入年终考核" in card and "录入平时考核" in card and "/edit" in card


@pytest.mark.parametrize("status", ["nominated", "inspecting", "returned", "used", "withdrawn"])
def test_only_candidates_in_the_pool_are_assessed(app, make, town, status):
    candidate = candidate_in(make, town["township"], status)
    client = client_for(app, town["secretary"])
    response = client.post(f"/candidates/{candidate.id}/assessments/new", data=assessment_data())
    assert response.status_code == 422
    message = f"当前状态为“{candidate.status_label}”，只有在库培养的后备干部才能录入考核。"
    assert message in response.get_data(as_text=True)
    assert count(Assessment) == 0
    page = client.get(f"/candidates/{candidate.id}/assessments/new").get_data(as_text=True)
    assert message in page and 'name="score_de"' not in page


# ---- assessments: refusals -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("score_lian", "101", "“廉”的得分应在 0 到 100 之间（填写的是 101）"),
        ("score_de", "-1", "“德”的得分应在 0 到 100 之间（填写的是 -1）"),
        ("score_neng", "", "请填写“能”的得分（0 到 100 的整数）"),
        ("score_qin", "八十", "不是整数"),
        ("score_ji", "85.5", "不是整数"),
        ("grade", "", "请选择考核等次"),
        ("grade", "良好", "不是有效的考核等次"),
        ("kind", "", "请选择考核类别"),
        ("period", "", "请填写年终考核的年度"),
        ("period", "2025年第3季度", "年终考核的考核期间请只填写年份"),
        ("period", "1999", "考核年度应在 2000 年到"),
        ("period", str(TODAY.year + 1), "考核年度应在 2000 年到"),
        ("assessed_on", "", "请填写考核日期"),
        ("assessed_on", (TODAY + dt.timedelta(days=1)).isoformat(), "不能晚于今天"),
        ("assessed_on", f"{LAST_YEAR - 1}-12-31", "早于考核期间"),
        ("note_overall", "很" * 2001, "最多 2000 个字（现有 2001 个字）"),
    ],
)
def test_assessment_refusals_show_at_the_field(app, make, town, field, value, message):
    candidate = candidate_in(make, town["township"])
    client = client_for(app, town["secretary"])
    data = assessment_data(**{field: value})
    response = client.post(f"/candidates/{candidate.id}/assessments/new", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in (error_at(page, field) or ""), error_at(page, field)
    assert "未保存任何内容" in page
    assert count(Assessment) == 0 and audits("assessment") == []


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ("", "请填写平时考核的考核期间"),
        ("2025", "平时考核请写明季度或月份"),
        ("2025年第5季度", "无法识别"),
        ("2025年13月", "月份应在 1 到 12 之间"),
        ("上半年", "无法识别"),
    ],
)
def test_regular_period_refusals(app, make, town, period, message):
    candidate = candidate_in(make, town["township"])
    client = client_for(app, town["secretary"])
    data = assessment_data(kind="regular", period=period, assessed_on=TODAY.isoformat())
    response = client.post(f"/candidates/{candidate.id}/assessments/new", data=data)
    assert response.status_code == 422
    assert message in error_at(response.get_data(as_text=True), "period")
    assert count(Assessment) == 0


@pytest.mark.parametrize(
    ("typed", "name", "start", "end"),
    [
        ("2025年第3季度", "2025年第3季度", (2025, 7, 1), (2025, 9, 30)),
        ("2025 年 第三季度", "2025年第3季度", (2025, 7, 1), (2025, 9, 30)),
        ("２０２５年３季度", "2025年第3季度", (2025, 7, 1), (2025, 9, 30)),
        ("2025Q4", "2025年第4季度", (2025, 10, 1), (2025, 12, 31)),
        ("2024年2月", "2024年2月", (2024, 2, 1), (2024, 2, 29)),
        ("2025-05", "2025年5月", (2025, 5, 1), (2025, 5, 31)),
        ("2025年下半年", "2025年下半年", (2025, 7, 1), (2025, 12, 31)),
    ],
)
def test_regular_periods_are_normalised(app, make, town, typed, name, start, end):
    candidate = candidate_in(make, town["township"])
    client = client_for(app, town["secretary"])
    data = assessment_data(kind="regular", period=typed, assessed_on=TODAY.isoformat())
    response = client.post(f"/candidates/{candidate.id}/assessments/new", data=data)
    assert response.status_code == 302, error_at(response.get_data(as_text=True), "period")
    row = db.session.scalars(select(Assessment)).one()
    assert (row.kind, row.period, row.period_start, row.period_end) == (
        "regular",
        name,
        dt.date(*start),
        dt.date(*end),
    )


def test_full_width_scores_and_year_are_normalised(app, make, town):
    candidate = candidate_in(make, town["township"])
    client = client_for(app, town["secretary"])
    data = assessment_data(period=f" {LAST_YEAR}年度 ".translate(FULL_WIDTH), score_de="９８ ")
    data["score_lian"] = "１００"
    response = client.post(f"/candidates/{candidate.id}/assessments/new", data=data)
    assert response.status_code == 302
    row = db.session.scalars(select(Assessment)).one()
    assert (row.period, row.score_de, row.score_lian) == (f"{LAST_YEAR}年度", 98, 100)


def test_second_annual_assessment_of_a_year_is_refused(app, make, town):
    candidate = candidate_in(make, town["township"])
    client = client_for(app, town["secretary"])
    url = f"/candidates/{candidate.id}/assessments/new"
    assert client.post(url, data=assessment_data()).status_code == 302
    again = assessment_data(period=f"{LAST_YEAR}年", grade="excellent", score_de="99")
    response = client.post(url, data=again)
    assert response.status_code == 422
    message = error_at(response.get_data(as_text=True), "period")
    assert f"张三 的 {LAST_YEAR} 年度年终考核已经录入" in message
    assert "每人每年只能有一次年终考核" in message and "shuji_wang" in message
    assert count(Assessment) == 1
    assert db.session.scalars(select(Assessment)).one().grade == "competent"
    assert len(audits("assessment")) == 1
    # Another year, and a 平时考核 of the same year, are fine; so is another candidate's.
    assert client.post(url, data=assessment_data(period=str(LAST_YEAR - 1))).status_code == 302
    regular = assessment_data(kind="regular", period=f"{LAST_YEAR}年第4季度")
    assert client.post(url, data=regular).status_code == 302
    other = candidate_in(make, town["township"], name="李四")
    other_url = f"/candidates/{other.id}/assessments/new"
    assert client.post(other_url, data=assessment_data()).status_code == 302
    assert count(Assessment) == 4


def test_same_regular_period_twice_is_refused(app, make, town):
    candidate = candidate_in(make, town["township"])
    client = client_for(app, town["secretary"])
    url = f"/candidates/{candidate.id}/assessments/new"
    data = assessment_data(kind="regular", period="2025年第3季度", assessed_on="2025-10-12")
    assert client.post(url, data=data).status_code == 302
    response = client.post(url, data=data | {"period": "2025Q3"})
    assert response.status_code == 422
    assert "“2025年第3季度”已有考核记录" in error_at(response.get_data(True), "period")
    assert count(Assessment) == 1


def test_database_refuses_a_duplicate_period_too(app, make, town):
    """The unique constraint holds even when the check is bypassed (two writers at once)."""
    from sqlalchemy.exc import IntegrityError

    candidate = candidate_in(make, town["township"])
    client_for(app, town["secretary"]).post(
        f"/candidates/{candidate.id}/assessments/new", data=assessment_data()
    )
    first = db.session.scalars(select(Assessment)).one()
    copy = Assessment(
        **{
            c.name: getattr(first, c.name)
            for c in Assessment.__table__.columns
            if c.name not in ("id",)
        }
    )
    db.session.add(copy)
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_duplicate_caught_only_by_the_database_still_gets_the_message(app, make, town, monkeypatch):
    """Two secretaries saving the same year at once: the second meets the unique constraint."""
    import app.assessment.operations as operations

    candidate = candidate_in(make, town["township"])
    client = client_for(app, town["secretary"])
    url = f"/candidates/{candidate.id}/assessments/new"
    assert client.post(url, data=assessment_data()).status_code == 302
    monkeypatch.setattr(operations, "assessment_of_period", lambda *a, **k: None)
    response = client.post(url, data=assessment_data(grade="excellent"))
    assert response.status_code == 422
    assert "每人每年只能有一次年终考核" in error_at(response.get_data(as_text=True), "period")
    assert count(Assessment) == 1 and len(audits("assessment")) == 1


def test_database_refuses_a_score_above_100(app, make, town):
    from sqlalchemy.exc import IntegrityError

    candidate = candidate_in(make, town["township"])
    client_for(app, town["secretary"]).post(
        f"/candidates/{candidate.id}/assessments/new", data=assessment_data()
    )
    row = db.session.scalars(select(Assessment)).one()
    row.score_ji = 101
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_assessment_without_csrf_writes_nothing(app, make, town):
    candidate = candidate_in(make, town["township"])
    client = client_for(app, town["secretary"])
    url = f"/candidates/{candidate.id}/assessments/new"
    assert client.post(url, data=assessment_data(), csrf=False).status_code == 400
    assert count(Assessment) == 0


def test_refused_assessment_keeps_what_was_typed(app, make, town):
    candidate = candidate_in(make, town["township"])
    client = client_for(app, town["secretary"])
    data = assessment_data(score_lian="101", note_village="修通了三公里村道")
    response = client.post(f"/candidates/{candidate.id}/assessments/new", data=data)
    page = response.get_data(as_text=True)
    assert 'value="101"' in page and "修通了三公里村道" in page and 'value="90"' in page


# ---- assessments: correcting one -------------------------------------------------------------


def test_secretary_corrects_an_assessment(app, make, town):
    candidate = candidate_in(make, town["township"])
    client = client_for(app, town["secretary"])
    client.post(f"/candidates/{candidate.id}/assessments/new", data=assessment_data())
    row = db.session.scalars(select(Assessment)).one()
    url = f"/candidates/{candidate.id}/assessments/{row.id}/edit"
    page = client.get(url).get_data(as_text=True)
    assert f'value="{LAST_YEAR}"' in page and 'value="95"' in page
    response = client.post(
        url, data=opened(client, url) | assessment_data(score_ji="58", grade="basically_competent")
    )
    assert response.status_code == 302
    db.session.expire_all()
    row = db.session.get(Assessment, row.id)
    assert (row.score_ji, row.grade) == (58, "basically_competent")
    entry = audits("assessment")[-1]
    assert entry.action == "update"
    assert entry.changes == {"score_ji": [75, 58], "grade": ["competent", "basically_competent"]}
    assert count(Assessment) == 1  # the same period is no duplicate of itself


def test_correction_cannot_move_onto_another_period(app, make, town):
    candidate = candidate_in(make, town["township"])
    client = client_for(app, town["secretary"])
    client.post(f"/candidates/{candidate.id}/assessments/new", data=assessment_data())
    client.post(
        f"/candidates/{candidate.id}/assessments/new",
        data=assessment_data(period=str(LAST_YEAR - 1)),
    )
    older = db.session.scalars(select(Assessment).where(Assessment.year == LAST_YEAR - 1)).one()
    url = f"/candidates/{candidate.id}/assessments/{older.id}/edit"
    response = client.post(url, data=opened(client, url) | assessment_data(period=str(LAST_YEAR)))
    assert response.status_code == 422
    assert "每人每年只能有一次年终考核" in error_at(response.get_data(True), "period")


@pytest.mark.parametrize(("who", "code"), [("clerk", 403), ("other_secretary", 404)])
def test_who_may_not_correct(app, make, town, who, code):
    candidate = candidate_in(make, town["township"])
    client_for(app, town["secretary"]).post(
        f"/candidates/{candidate.id}/assessments/new", data=assessment_data()
    )
    row = db.session.scalars(select(Assessment)).one()
    url = f"/candidates/{candidate.id}/assessments/{row.id}/edit"
    client = client_for(app, town[who])
    assert client.get(url).status_code == code
    assert client.post(url, data=assessment_data(score_de="10")).status_code == code
    db.session.expire_all()
    assert db.session.get(Assessment, row.id).score_de == 90


def test_assessment_of_another_candidate_is_404(app, make, town):
    first = candidate_in(make, town["township"])
    second = candidate_in(make, town["township"], name="李四")
    client = client_for(app, town["secretary"])
    client.post(f"/candidates/{first.id}/assessments/new", data=assessment_data())
    row = db.session.scalars(select(Assessment)).one()
    assert client.get(f"/candidates/{second.id}/assessments/{row.id}/edit").status_code == 404


def test_latest_mark_follows_the_latest_period(app, make, town):
    candidate = candidate_in(make, town["township"])
    client = client_for(app, town["secretary"])
    url = f"/candidates/{candidate.id}/assessments/new"
    client.post(url, data=assessment_data(period=str(LAST_YEAR - 1)))
    client.post(url, data=assessment_data(kind="regular", period=f"{LAST_YEAR}年第4季度"))
    client.post(url, data=assessment_data())  # the year ends with its 4th quarter: it wins
    client.post(url, data=assessment_data(kind="regular", period=f"{LAST_YEAR}年第2季度"))
    db.session.expire_all()
    latest = db.session.scalars(select(Assessment).where(Assessment.is_latest.is_(True))).all()
    assert [a.period for a in latest] == [f"{LAST_YEAR}年度"]


# ---- the trend chart ---------------------------------------------------------------------


def test_candidate_page_draws_the_trend_of_the_five_scores(app, make, town):
    candidate = candidate_in(make, town["township"])
    client = client_for(app, town["secretary"])
    url = f"/candidates/{candidate.id}/assessments/new"
    empty = section(client.get(f"/candidates/{candidate.id}").get_data(True), "assessments")
    assert "<svg" not in empty and "暂无考核记录" in empty
    client.post(url, data=assessment_data(period=str(LAST_YEAR - 1), score_de="70"))
    client.post(url, data=assessment_data(score_de="90"))
    card = section(client.get(f"/candidates/{candidate.id}").get_data(True), "assessments")
    svg = re.search(r"<svg.*?</svg>", card, re.S).group(0)
    assert 'role="img"' in svg and "<title" in svg
    assert len(re.findall(r"<polyline ", svg)) == 5
    for label in "德能勤绩廉":
        assert f'data-dimension="{label}"' in svg
    assert f"{LAST_YEAR - 1}年度" in svg and f"{LAST_YEAR}年度" in svg
    # 德 rises from 70 to 90: its second point sits higher (a smaller y).
    points = re.search(r'data-dimension="德">\s*<polyline points="([^"]+)"', svg).group(1)
    (x1, y1), (x2, y2) = (tuple(map(float, p.split(","))) for p in points.split())
    assert x2 > x1 and y2 < y1
    assert "<script" not in card and "style=" not in card


# ---- the evidence beside the assessment form ---------------------------------------------------


def test_evidence_of_the_period_sits_beside_the_form(app, make, town):
    """Other areas' events arrive through the timeline; only those of the period are shown."""
    candidate = candidate_in(make, town["township"])

    def placements(c, user):
        if c.id != candidate.id:
            return []
        return [
            TimelineEvent(
                on=dt.date(2025, 8, 15),
                kind="试岗",
                title="党群服务中心帮办代办窗口",
                detail="评价：优秀",
            ),
            TimelineEvent(
                on=dt.date(2025, 9, 30),
                kind="培训",
                title="雏雁工程第二轮",
                detail="实践作业 88 分",
            ),
            TimelineEvent(on=dt.date(2025, 6, 30), kind="帮带", title="六月的帮带（期间外）"),
        ]

    register_timeline(app, placements)
    clerk = client_for(app, town["clerk"])
    data = INSPECTION | {"method": "home_visit", "inspected_on": "2025-07-03"}
    clerk.post(f"/candidates/{candidate.id}/inspections/new", data=data)

    client = client_for(app, town["secretary"])
    url = f"/candidates/{candidate.id}/assessments/new"
    page = client.post(
        url, data={"kind": "regular", "period": "2025年第3季度", "preview": "1"}
    ).get_data(as_text=True)
    aside = re.search(r"<aside.*?</aside>", page, re.S).group(0)
    text = text_of(aside)
    assert "考核依据：2025年第3季度（2025-07-01 至 2025-09-30）" in text
    assert "党群服务中心帮办代办窗口" in text and "评价：优秀" in text
    assert "雏雁工程第二轮" in text and "家访" in text
    assert "六月的帮带" not in text
    assert text.index("试岗") < text.index("培训") < text.index("考察")
    assert count(Assessment) == 0  # looking at the evidence saved nothing
    assert error_at(page, "score_de") is None  # and scolded for nothing


def test_evidence_takes_assessments_by_the_period_they_cover(app, make, town):
    candidate = candidate_in(make, town["township"])
    client = client_for(app, town["secretary"])
    url = f"/candidates/{candidate.id}/assessments/new"
    for data in (
        assessment_data(period="2024", assessed_on="2025-01-10", note_overall="二〇二四年度小结"),
        assessment_data(kind="regular", period="2025年第3季度", assessed_on="2025-10-12"),
    ):
        assert client.post(url, data=data).status_code == 302
    page = client.post(url, data={"kind": "annual", "period": "2025", "preview": "1"})
    aside = text_of(re.search(r"<aside.*?</aside>", page.get_data(as_text=True), re.S).group(0))
    assert "2025年第3季度平时考核：称职" in aside
    assert "2024年度" not in aside  # written in January 2025, but about 2024
    quarter = db.session.scalars(select(Assessment).where(Assessment.kind == "regular")).one()
    edit = client.get(f"/candidates/{candidate.id}/assessments/{quarter.id}/edit")
    aside = text_of(re.search(r"<aside.*?</aside>", edit.get_data(as_text=True), re.S).group(0))
    assert "平时考核：称职" not in aside  # not its own evidence


def test_evidence_panel_explains_itself_when_empty(app, make, town):
    candidate = candidate_in(make, town["township"])
    client = client_for(app, town["secretary"])
    url = f"/candidates/{candidate.id}/assessments/new"
    page = client.post(url, data={"kind": "regular", "period": "乱写", "preview": "1"})
    assert "填写考核类别和考核期间后" in page.get_data(as_text=True)
    page = client.post(url, data={"kind": "regular", "period": "2025年1月", "preview": "1"})
    assert "该期间内没有试岗、帮带、培训、考察等记录" in page.get_data(as_text=True)


# ---- dynamic notes ---------------------------------------------------------------------------

NOTE = {"kind": "whereabouts", "noted_on": "2025-09-01", "text": "九月起到县城陪读，\n周末回村"}


@pytest.mark.parametrize(
    ("who", "code"),
    [("clerk", 302), ("secretary", 302), ("admin", 302), ("other_clerk", 404)],
)
def test_who_may_add_a_note(app, make, town, who, code):
    candidate = candidate_in(make, town["township"], "withdrawn")  # 去向 is kept after leaving
    client = client_for(app, town[who])
    response = client.post(f"/candidates/{candidate.id}/notes/new", data=NOTE)
    assert response.status_code == code
    if code == 302:
        note = db.session.scalars(select(DynamicNote)).one()
        assert (note.kind, note.noted_on, note.author_id) == (
            "whereabouts",
            dt.date(2025, 9, 1),
            town[who].id,
        )
        assert note.text == "九月起到县城陪读，\n周末回村"
        assert audits("dynamic_note")[-1].actor_id == town[who].id
        page = client.get(f"/candidates/{candidate.id}").get_data(as_text=True)
        card = text_of(section(page, "notes"))
        assert "去向" in card and "2025-09-01" in card and town[who].label in card
        assert "九月起到县城陪读" in text_of(
            re.search(r'aria-labelledby="history">(.*?)</section>', page, re.S).group(1)
        )
    else:
        assert count(DynamicNote) == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("kind", "", "请选择动态类别"),
        ("noted_on", "", "请填写日期"),
        ("noted_on", "2025-13-01", "月份应在 1 到 12 之间"),
        ("text", " \n ", "请填写动态内容"),
    ],
)
def test_note_refusals(app, make, town, field, value, message):
    candidate = candidate_in(make, town["township"])
    client = client_for(app, town["clerk"])
    response = client.post(f"/candidates/{candidate.id}/notes/new", data=NOTE | {field: value})
    assert response.status_code == 422
    assert message in error_at(response.get_data(as_text=True), field)
    assert count(DynamicNote) == 0 and audits("dynamic_note") == []


def test_note_without_csrf_writes_nothing(app, make, town):
    candidate = candidate_in(make, town["township"])
    client = client_for(app, town["clerk"])
    assert (
        client.post(f"/candidates/{candidate.id}/notes/new", data=NOTE, csrf=False).status_code
        == 400
    )
    assert count(DynamicNote) == 0
