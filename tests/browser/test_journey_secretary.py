"""A township party secretary's round, in the browser: from the review queue to a nomination,
through inspection into the pool, an annual assessment, the outcome (elected 村党组织书记), and
the printable dossier that keeps all of it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.core import clock
from app.core.idcard import make_id_number, mask_id_number
from app.extensions import db
from app.roster.models import Candidate, StatusChange
from tests.browser.conftest import sign_in
from tests.conftest import DEFAULT_PASSWORD

TODAY = clock.today()
ID = make_id_number("430521", dt.date(1988, 4, 12), 57, "M")


@pytest.fixture
def queue(make):
    """Two nominations of 太平镇 waiting for its secretary."""
    township = make.township("太平镇", villages=("石桥村", "太平村"))
    secretary = make.user("secretary", township, username="shuji_wang")
    zhao = make.candidate(township, name="赵六", id_number=ID, occupation="合作社会计")
    qian = make.candidate(township, name="钱七", village_id=township.villages[1].id)
    return {"secretary": secretary, "zhao": zhao, "qian": qian}


def test_secretary_approves_assesses_decides_and_prints(page, queue):
    secretary, zhao = queue["secretary"], queue["zhao"]
    sign_in(page, secretary.username, DEFAULT_PASSWORD)

    # The queue: both nominations, each one click from its decision.
    page.get_by_role("link", name="审核考核").click()
    nominations = page.locator("#nominations")
    expect(nominations.locator("[data-total]")).to_have_text("2")
    expect(nominations.get_by_role("listitem")).to_have_count(2)
    nominations.get_by_role("link", name="赵六").click()
    expect(page).to_have_url(re.compile(rf"/candidates/{zhao.id}#decide$"))

    decide = page.locator("section[aria-labelledby=decide]")
    expect(decide.get_by_role("status")).to_contain_text("入库前尚缺考察")
    decide.get_by_role("button", name="开始考察").click()
    expect(page.get_by_role("alert")).to_have_text("赵六：状态已改为“考察中”。")
    decide.get_by_label("原因/意见").fill("三项考察均已完成，党委会研究同意入库")
    decide.get_by_role("button", name="批准入库").click()
    expect(page.get_by_role("alert")).to_have_text("赵六：状态已改为“在库培养”。")
    expect(page.locator("h1 + .badge")).to_have_text("在库培养")
    expect(page.get_by_role("button", name="批准入库")).to_have_count(0)

    page.get_by_role("link", name="审核考核").click()
    expect(nominations.locator("[data-total]")).to_have_text("1")
    expect(nominations).not_to_contain_text("赵六")
    page.go_back()

    # 管: the annual assessment, the five scores and the grade.
    page.get_by_role("link", name="录入年终考核").click()
    expect(page.get_by_label("考核类别")).to_have_value("annual")
    period = page.get_by_label("考核期间").input_value()
    for label, score in (("德", "92"), ("能", "86"), ("勤", "90"), ("绩", "84"), ("廉", "96")):
        page.get_by_role("textbox", name=label, exact=True).fill(score)
    page.get_by_label("考核等次").select_option(label="优秀")
    page.get_by_label("切 · 总体脉络").fill("群众基础好，善于调解矛盾；建议压担子")
    page.get_by_role("button", name="保存考核").click()
    expect(page.get_by_role("alert")).to_have_text("已保存赵六的考核。")
    scores = page.locator("#assessments tbody tr")
    expect(scores).to_have_count(1)
    expect(scores).to_contain_text(f"{period}年度")
    expect(scores).to_contain_text("89.6")  # (92 + 86 + 90 + 84 + 96) / 5
    expect(scores).to_contain_text("优秀")

    # 用: elected secretary of the village party branch; he leaves the pool.
    page.get_by_role("link", name="记录使用（当选、任职）").click()
    page.get_by_label("使用去向").select_option(label="当选村党组织书记")
    expect(page.get_by_label("任职村或单位")).to_have_value("石桥村")
    page.get_by_label("说明").fill("2026年换届选举当选")
    page.get_by_role("button", name="确认使用，移出在库名单").click()
    expect(page.get_by_role("alert")).to_have_text("已记录赵六的使用情况，状态改为“已使用”。")
    expect(page.locator("h1 + .badge")).to_have_text("已使用")
    expect(page.locator("#outcome")).to_contain_text("当选村党组织书记 · 石桥村")

    # 一人一档: the dossier holds the whole story, and nothing to click.
    page.get_by_role("link", name="打印档案").click()
    dossier = page.locator("main.dossier")
    expect(dossier.get_by_role("heading", level=1)).to_have_text("村级后备干部档案")
    expect(dossier.locator(".dossier-meta")).to_contain_text("状态：已使用")
    record = dossier.locator(".record-table")
    expect(record).to_contain_text("赵六")
    expect(record).to_contain_text("合作社会计")
    expect(record).to_contain_text(mask_id_number(ID))
    expect(record).not_to_contain_text(ID)
    history = dossier.locator(".print-status tbody tr")
    expect(history).to_have_text(
        [
            re.compile(r"— → 拟推荐"),
            re.compile(r"拟推荐 → 考察中\s*shuji_wang"),
            re.compile(r"考察中 → 在库培养\s*shuji_wang\s*三项考察均已完成，党委会研究同意入库"),
            re.compile(r"在库培养 → 已使用\s*shuji_wang"),
        ]
    )
    assessments = dossier.locator(".print-assessments")
    expect(assessments).to_contain_text(f"{period}年度")
    expect(assessments).to_contain_text("优秀")
    expect(assessments).to_contain_text("群众基础好，善于调解矛盾；建议压担子")
    expect(dossier.locator(".print-outcome")).to_contain_text("当选村党组织书记 · 石桥村")
    expect(dossier.locator(".print-outcome")).to_contain_text("2026年换届选举当选")
    expect(dossier.locator("footer")).to_contain_text("打印人：shuji_wang（")
    expect(dossier.locator("form, button, .btn")).to_have_count(0)
    expect(page.locator("nav")).to_have_count(0)

    db.session.rollback()  # end the test's read snapshot: the browser wrote since
    assert db.session.get(Candidate, zhao.id).status == "used"
    assert db.session.get(Candidate, queue["qian"].id).status == "nominated"
    moves = db.session.scalars(
        select(StatusChange.to_status)
        .where(StatusChange.candidate_id == zhao.id)
        .order_by(StatusChange.id)
    ).all()
    assert moves == ["nominated", "inspecting", "in_pool", "used"]
