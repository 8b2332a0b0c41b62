"""A township clerk's working morning, in the browser: a candidate of the pool goes onto the
帮办代办 window of the service centre, gets a mentor, and a 花名册 is imported — first refused
for one bad ID number shown at its row, then fixed and imported."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from openpyxl import Workbook
from playwright.sync_api import expect
from sqlalchemy import select

from app.core import clock
from app.core.idcard import make_id_number
from app.excel.columns import HEADERS
from app.extensions import db
from app.mentoring.models import Pairing
from app.posts.models import Placement
from app.roster.operations import change_status
from tests.browser.conftest import sign_in
from tests.conftest import DEFAULT_PASSWORD

TODAY = clock.today()
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def morning(make):
    """太平镇 with its clerk, one candidate in the pool and one mentor; the township starts
    with its ten service-centre windows, as every new township does."""
    township = make.township("太平镇", villages=("石桥村", "太平村"))
    clerk = make.user("clerk", township, username="ganshi_li")
    secretary = make.user("secretary", township, username="shuji_wang")
    candidate = make.candidate(township, name="王小明")
    change_status(candidate, "in_pool", actor=secretary)
    mentor = make.mentor(township, actor=clerk)
    db.session.commit()
    return {"clerk": clerk, "candidate": candidate, "mentor": mentor}


def roster_file(rows: list[dict]) -> bytes:
    """A 花名册 as a clerk would fill it in, headers in the contract's order."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "花名册"
    sheet.append(list(HEADERS))
    for row in rows:
        sheet.append([row.get(header) for header in HEADERS])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def person(name: str, id_number: str, village: str) -> dict:
    return {
        "姓名": name,
        "身份证号": id_number,
        "政治面貌": "中共党员",
        "学历": "大专",
        "所在村": village,
        "来源类别": "退役军人",
        "培养方向": "村两委委员",
        "联系电话": "13900139000",
    }


def upload(page, name: str, content: bytes) -> None:
    page.set_input_files("#file", files=[{"name": name, "mimeType": XLSX, "buffer": content}])
    page.get_by_role("button", name="上传并检查").click()
    expect(page.get_by_role("heading", name=f"导入预览：{name}")).to_be_visible()


def test_clerk_places_pairs_and_imports(page, morning):
    candidate, mentor = morning["candidate"], morning["mentor"]
    sign_in(page, morning["clerk"].username, DEFAULT_PASSWORD)

    # 练: from the candidate's page onto the 帮办代办 window.
    page.get_by_role("link", name="花名册").click()
    page.get_by_role("link", name="王小明").click()
    placements = page.locator("#placements")
    expect(placements).to_contain_text("还没有试岗安排")
    placements.get_by_role("link", name="安排试岗").click()
    expect(page.get_by_role("heading", name="安排试岗：王小明")).to_be_visible()
    expect(page.get_by_label("后备干部")).to_have_value("王小明（石桥村）")
    page.get_by_label("试岗岗位").select_option(label="帮办代办窗口（容量 2）")
    start, end = TODAY, TODAY + dt.timedelta(days=90)
    page.get_by_label("开始日期").fill(start.isoformat())
    page.get_by_label("计划结束日期").fill(end.isoformat())
    page.get_by_label("学习交流目标").fill("熟悉社保、医保代办流程，能独立为群众办理三类事项")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("alert")).to_have_text(
        f"已安排 王小明 到 帮办代办窗口 试岗（{start:%Y-%m-%d} 至 {end:%Y-%m-%d}）。"
    )
    expect(page.get_by_role("heading", name="王小明 · 帮办代办窗口")).to_be_visible()

    page.get_by_role("link", name="← 王小明 的档案").click()
    expect(placements).to_contain_text("正在试岗：帮办代办窗口")
    expect(placements.locator("tbody tr")).to_have_count(1)
    expect(placements.locator("tbody tr")).to_contain_text("窗口试岗")

    # 带: a mentor from the township's list, with the goals of the pairing.
    page.locator("#mentoring").get_by_role("link", name="新增结对").click()
    expect(page.get_by_role("heading", name="新增结对：王小明")).to_be_visible()
    page.get_by_label("帮带人").select_option(label="李德明（老支书，太平村；在带 0/3）")
    page.get_by_label("帮带目标").fill("一年内能独立主持村民代表会议")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("alert")).to_have_text("已为 王小明 结对帮带人 李德明。")
    page.get_by_role("link", name="王小明").first.click()
    pairings = page.locator("#mentoring tbody tr")
    expect(pairings).to_have_count(1)
    expect(pairings).to_contain_text("李德明")
    expect(pairings).to_contain_text("一年内能独立主持村民代表会议")

    # 选: a 花名册 with one bad ID number is refused at its row; fixed, it imports.
    good = make_id_number("430521", dt.date(1992, 8, 17), 212, "M")
    meant = make_id_number("430521", dt.date(1995, 3, 9), 318, "F")
    mistyped = meant[:17] + ("0" if meant[17] != "0" else "1")
    rows = [person("赵新华", good, "石桥村"), person("钱秀英", mistyped, "太平村")]
    page.get_by_role("link", name="花名册").click()
    page.get_by_role("link", name="导入花名册").click()
    upload(page, "太平镇花名册.xlsx", roster_file(rows))
    expect(page.locator("#valid-count")).to_have_text("1")
    expect(page.locator("#invalid-count")).to_have_text("1")
    expect(page.get_by_role("alert")).to_contain_text("有 1 行需要修改")
    bad_row = page.locator("#row-3")  # the header is row 1 of the sheet
    expect(bad_row.locator(".cell-error")).to_have_text(re.compile("校验位错误"))
    expect(bad_row).to_contain_text("1 处错误")
    expect(page.locator("#row-2")).to_contain_text("可导入")
    expect(page.get_by_role("button", name=re.compile("确认导入"))).to_have_count(0)

    page.get_by_role("link", name="重新上传").click()
    rows[1]["身份证号"] = meant
    upload(page, "太平镇花名册.xlsx", roster_file(rows))
    expect(page.locator("#invalid-count")).to_have_text("0")
    page.get_by_role("button", name="确认导入 2 人").click()
    expect(page.get_by_role("alert")).to_have_text(
        "已从“太平镇花名册.xlsx”导入 2 名后备干部，状态均为“拟推荐”，等待乡镇党委审核。"
    )
    rows_shown = page.locator("table.table-roster tbody tr")
    for name, village in (("赵新华", "石桥村"), ("钱秀英", "太平村")):
        row = rows_shown.filter(has=page.get_by_role("link", name=name, exact=True))
        expect(row).to_have_count(1)
        expect(row).to_contain_text(f"太平镇 · {village}")
        expect(row).to_contain_text("拟推荐")
    expect(page.locator("#total")).to_have_text("3")

    db.session.rollback()  # end the test's read snapshot: the browser wrote since
    placement = db.session.scalars(select(Placement)).one()
    assert (placement.candidate_id, placement.post.name) == (candidate.id, "帮办代办窗口")
    pairing = db.session.scalars(select(Pairing)).one()
    assert (pairing.candidate_id, pairing.mentor_id) == (candidate.id, mentor.id)


def test_clerk_picks_the_candidate_with_the_keyboard(page, morning):
    """From the posts page a trial post starts with picking its candidate: initials typed,
    Enter, the one found chosen with Enter; the form then names the candidate."""
    sign_in(page, morning["clerk"].username, DEFAULT_PASSWORD)
    page.goto("/posts/")
    page.get_by_role("link", name="安排试岗", exact=True).click()
    expect(page.get_by_role("heading", name="安排试岗：选择后备干部")).to_be_visible()
    page.focus("#q")
    page.keyboard.type("wxm")
    page.keyboard.press("Enter")
    found = page.get_by_role("link", name="王小明（石桥村）")
    found.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="安排试岗：王小明")).to_be_visible()
    expect(page.get_by_label("后备干部")).to_have_value("王小明（石桥村）")
