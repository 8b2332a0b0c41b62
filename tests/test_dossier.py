"""The one-person dossier (/candidates/<id>/print): the whole record on a clean A4 page — no
navigation, no forms, no buttons; inspections, assessments with the trend chart and every 四诊,
notes and the outcome in their numbered sections."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import re

import pytest

from app.core import clock
from app.core.idcard import make_id_number, mask_id_number
from app.extensions import db
from tests.conftest import Client, login

TODAY = clock.today()
ID = make_id_number("430521", dt.date(1986, 11, 2), 36, "M")


def client_for(app, user) -> Client:
    client = app.test_client()
    login(client, user)
    return client


def text_of(fragment: str) -> str:
    return re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", "", fragment))).strip()


@pytest.fixture
def record(app, make):
    """A candidate with two years of assessments, inspections, a note, withdrawn and restored."""
    township = make.township("太平镇")
    secretary = make.user("secretary", township, username="shuji_wang")
    clerk = make.user("clerk", township, username="ganshi_li")
    candidate = make.candidate(township, name="孙七", id_number=ID, occupation="村医")
    candidate.status, candidate.entered_on = "in_pool", dt.date(2022, 3, 1)
    db.session.commit()
    c = client_for(app, clerk)
    for method, conclusion in (("opinion_poll", "测评优秀率 92%"), ("interview", "符合推荐条件")):
        c.post(
            f"/candidates/{candidate.id}/inspections/new",
            data={
                "method": method,
                "inspected_on": "2022-02-10",
                "inspectors": "组织委员李明",
                "findings": "群众基础好",
                "conclusion": conclusion,
            },
        )
    c.post(
        f"/candidates/{candidate.id}/notes/new",
        data={"kind": "employment", "noted_on": "2024-05-01", "text": "在本村合作社任会计"},
    )
    s = client_for(app, secretary)
    for year, lian, overall in (
        (TODAY.year - 2, "88", "基础扎实"),
        (TODAY.year - 1, "96", "进步明显"),
    ):
        s.post(
            f"/candidates/{candidate.id}/assessments/new",
            data={
                "kind": "annual",
                "period": str(year),
                "assessed_on": TODAY.isoformat(),
                "score_de": "90",
                "score_neng": "85",
                "score_qin": "80",
                "score_ji": "75",
                "score_lian": lian,
                "grade": "competent",
                "note_village": f"{year}年村道硬化",
                "note_overall": overall,
            },
        )
    s.post(
        f"/candidates/{candidate.id}/outcome/withdraw",
        data={"reason": "away", "detail": "赴广东务工", "decided_on": "2025-04-01"},
    )
    s.post(f"/candidates/{candidate.id}/outcome/restore", data={"reason": "返乡创业，经党委会同意"})
    return {"candidate": candidate, "secretary": secretary, "clerk": clerk}


@pytest.mark.parametrize("who", ["clerk", "secretary"])
def test_dossier_prints_the_whole_record(app, record, who):
    candidate = record["candidate"]
    response = client_for(app, record[who]).get(f"/candidates/{candidate.id}/print")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    text = text_of(page)

    headings = re.findall(r"<h2>([^<]+)</h2>", page)
    assert headings[:2] == ["一、基本信息", "二、状态变更记录"]
    titles = [h.split("、", 1)[1] for h in headings]
    for title in ("考察记录", "考核情况", "动态记录", "使用与退出"):
        assert title in titles
    order = [titles.index(t) for t in ("考察记录", "考核情况", "动态记录", "使用与退出")]
    assert order == sorted(order)
    numerals = [h.split("、", 1)[0] for h in headings]
    assert numerals[:4] == ["一", "二", "三", "四"]  # numbered in order, whatever else is there

    assert "孙七" in text and "村医" in text and mask_id_number(ID) in text and ID not in page
    assert "民意调查" in text and "测评优秀率 92%" in text and "个别谈话" in text
    assert f"{TODAY.year - 2}年度" in text and f"{TODAY.year - 1}年度" in text
    # Every assessment's 四诊, not just the latest one (no folded <details> on paper).
    assert "基础扎实" in text and "进步明显" in text and "<details" not in page
    assert page.count('class="trend-svg"') == 1 and page.count("<polyline") == 5
    assert "在本村合作社任会计" in text
    assert "退出人才库（外出）" in text and "赴广东务工" in text
    assert "已恢复入库" in text and "返乡创业，经党委会同意" in text
    assert "退出（外出，2025-04-01）：赴广东务工" in text  # the status history
    assert f"打印人：{record[who].label}" in text


def test_dossier_has_no_navigation_forms_or_buttons(app, record):
    page = client_for(app, record["secretary"]).get(f"/candidates/{record['candidate'].id}/print")
    html = page.get_data(as_text=True)
    main = re.search(r'<main class="dossier".*?</main>', html, re.S).group(0)
    assert "<nav" not in html and "navbar" not in html
    assert "<form" not in main and "<button" not in main and "btn" not in main
    for words in ("新增考察记录", "录入年终考核", "新增动态记录", "修改"):
        assert words not in main
    assert "/outcome/" not in main and "/new" not in main and "/edit" not in main
    assert "<script" not in html and "style=" not in html
    # The screen page, by contrast, offers the actions.
    detail = client_for(app, record["secretary"]).get(f"/candidates/{record['candidate'].id}")
    assert "新增考察记录" in detail.get_data(as_text=True)


def test_dossier_stylesheet_is_a4_with_offline_chinese_fonts(client):
    response = client.get("/static/app.css")
    css = response.get_data(as_text=True)
    response.close()
    assert "@page { size: A4" in css
    for font in ('"Noto Serif CJK SC"', '"Source Han Serif SC"', "SimSun", '"Songti SC"'):
        assert font in css
    assert re.search(r"@media print \{[^}]*nav, \.no-print, \.btn \{ display: none", css)
    assert "break-inside: avoid" in css and "break-after: avoid" in css
    assert "http://" not in css and "https://" not in css and "@import" not in css


def test_dossier_of_a_candidate_with_nothing_recorded_yet(app, make):
    township = make.township("远山镇")
    clerk = make.user("clerk", township)
    candidate = make.candidate(township, name="周八")
    page = client_for(app, clerk).get(f"/candidates/{candidate.id}/print").get_data(as_text=True)
    text = text_of(page)
    assert "暂无考察记录" in text and "暂无考核记录" in text and "暂无动态记录" in text
    assert "入库前尚缺考察：民意调查、个别谈话、实地走访" in text
    assert "<svg" not in page


def test_dossier_outside_the_township_is_404(app, make, record):
    other = make.township("远山镇")
    response = client_for(app, make.user("secretary", other)).get(
        f"/candidates/{record['candidate'].id}/print"
    )
    assert response.status_code == 404
    assert "孙七" not in response.get_data(as_text=True)


def test_dossier_prints_each_placements_goal_and_report(app, record):
    from app.posts.models import Placement, Post

    candidate, clerk = record["candidate"], record["clerk"]
    post = Post(
        township_id=candidate.township_id,
        kind="window",
        name="便民服务中心帮办代办窗口",
        host="",
        supervisor="王书记",
        duties="",
        capacity=1,
        is_active=True,
    )
    db.session.add(post)
    db.session.commit()
    c = client_for(app, clerk)
    start, end = TODAY - dt.timedelta(days=120), TODAY - dt.timedelta(days=30)
    response = c.post(
        f"/posts/placements/new?candidate={candidate.id}",
        data={
            "post_id": str(post.id),
            "start_on": start.isoformat(),
            "end_on": end.isoformat(),
            "goal": "熟悉社保、医保代办流程",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    placement = db.session.scalars(db.select(Placement)).one()
    c.post(f"/posts/placements/{placement.id}/report", data={"report": "学会了代办的全流程"})

    text = text_of(c.get(f"/candidates/{candidate.id}/print").get_data(as_text=True))
    assert "便民服务中心帮办代办窗口" in text
    assert "目标：熟悉社保、医保代办流程" in text
    assert "心得体会：学会了代办的全流程" in text
