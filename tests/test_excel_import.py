"""The roster import (/candidates/import, import-roster) with real .xlsx files made by openpyxl:
preview, every row error, all-or-nothing, bad files, formulas, scope, CSRF, round trip."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import io
import itertools
import os
import re
import zipfile

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select, update

from app.core.audit import AuditEntry
from app.core.db import utcnow
from app.core.idcard import make_id_number
from app.excel.columns import HEADERS
from app.excel.models import ExcelUpload
from app.extensions import db
from app.roster.models import Candidate, StatusChange
from tests.helpers import upload_xlsx as upload

_SEQ = itertools.count(100)


def new_id(sex: str = "M", born: dt.date = dt.date(1990, 5, 3)) -> str:
    return make_id_number("430521", born, (next(_SEQ) * 2) % 1000, sex)


def person(**overrides) -> dict:
    """A valid row, keyed by header."""
    return {
        "姓名": "张三",
        "身份证号": new_id(),
        "政治面貌": "中共党员",
        "学历": "本科",
        "所在村": "石桥村",
        "来源类别": "退役军人",
        "培养方向": "村党组织书记",
        "联系电话": "13800138000",
    } | overrides


def xlsx(rows, headers=HEADERS, *, before=(), title="花名册") -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = title
    for line in before:
        ws.append(list(line))
    ws.append(list(headers))
    for r in rows:
        ws.append([r.get(h) for h in headers] if isinstance(r, dict) else list(r))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def token_of(response) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    match = re.search(r"/candidates/import/([A-Za-z0-9_-]+)$", response.headers["Location"])
    assert match, response.headers["Location"]
    return match.group(1)


def preview(client, data: bytes, name: str = "花名册.xlsx"):
    token = token_of(upload(client, data, name))
    page = client.get(f"/candidates/import/{token}")
    assert page.status_code == 200
    return token, page.get_data(as_text=True)


def counts(page: str) -> tuple[int, int]:
    valid = re.search(r'id="valid-count">(\d+)<', page).group(1)
    invalid = re.search(r'id="invalid-count">(\d+)<', page).group(1)
    return int(valid), int(invalid)


def row_errors(page: str, number: int) -> str:
    """Every error shown on the preview row with this Excel row number, as one text."""
    match = re.search(rf'<tr id="row-{number}"[^>]*>(.*?)</tr>', page, re.S)
    assert match, f"row {number} not on the page"
    errors = re.findall(r'<div class="small text-danger[^"]*">(.*?)</div>', match.group(1), re.S)
    return " | ".join(html_lib.unescape(e) for e in errors)


def page_text(response) -> str:
    return html_lib.unescape(response.get_data(as_text=True))


def candidates() -> list[Candidate]:
    db.session.expire_all()
    return list(db.session.scalars(select(Candidate).order_by(Candidate.id)))


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def places(make):
    a = make.township("东山镇", villages=("石桥村", "太平村"))
    b = make.township("西河乡", villages=("石桥村", "柳树村"))
    return a, b


@pytest.fixture
def clerk(make, places, login_as):
    user = make.user("clerk", township=places[0])
    return user, login_as(user)


# ---- the good path -----------------------------------------------------------------------


def test_clerk_uploads_previews_and_confirms(clerk, places):
    user, client = clerk
    rows = [
        person(姓名="张三", 状态="在库培养", 入库日期="2023-01-05"),
        person(姓名="李四", 身份证号=new_id("F"), 性别="女", 民族="满族", 所在村="太平村"),
    ]
    token, page = preview(client, xlsx(rows), "东山镇花名册.xlsx")
    assert counts(page) == (2, 0)
    assert "确认导入 2 人" in page
    assert "一律为“拟推荐”" in page and "1 行填写了其他状态" in page
    assert count(Candidate) == 0  # the preview writes nothing

    response = client.post(f"/candidates/import/{token}", data={})
    assert response.status_code == 302
    made = candidates()
    assert [c.name for c in made] == ["张三", "李四"]
    assert {c.status for c in made} == {"nominated"}  # a clerk's import is a nomination
    assert {c.township_id for c in made} == {places[0].id}
    assert made[1].ethnicity == "11" and made[1].gender == "F"
    assert made[1].village.name == "太平村"
    assert made[0].created_by_id == user.id
    assert count(StatusChange) == 2
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "import")).one()
    assert entry.actor_id == user.id and entry.township_id == places[0].id
    assert entry.changes["count"] == 2
    assert entry.changes["created"] == [[c.id, c.name] for c in made]
    assert "东山镇花名册.xlsx" in entry.summary
    assert count(ExcelUpload) == 0  # the kept file is gone once imported
    follow = client.get(response.headers["Location"])
    assert "已从“东山镇花名册.xlsx”导入 2 名后备干部" in page_text(follow)


def test_admin_import_keeps_the_status_column(make, places, login_as):
    a, _ = places
    client = login_as(make.user("admin"))
    rows = [
        person(姓名="张三", 所属乡镇="东山镇", 状态="在库培养", 入库日期=dt.date(2022, 3, 1)),
        person(姓名="李四", 所属乡镇="西河乡", 所在村="柳树村", 状态="考察中"),
        person(姓名="王五", 所属乡镇="东山镇"),
    ]
    token, page = preview(client, xlsx(rows))
    assert counts(page) == (3, 0), [row_errors(page, n) for n in (2, 3, 4)]
    assert client.post(f"/candidates/import/{token}", data={}).status_code == 302
    made = {c.name: c for c in candidates()}
    assert made["张三"].status == "in_pool" and made["张三"].entered_on == dt.date(2022, 3, 1)
    assert made["李四"].status == "inspecting" and made["李四"].village.name == "柳树村"
    assert made["王五"].status == "nominated"
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "import")).one()
    assert entry.township_id is None  # two townships


def test_an_import_written_in_several_chunks_is_the_same_as_rows_entered_one_by_one(
    make, places, login_as, monkeypatch
):
    """The import writes its rows a chunk at a time (multi-row INSERTs); each candidate still
    gets its own status history and 'create' entry, and the dashboard's tallies add up."""
    from app.excel import operations
    from tests.test_tallies import recount, stored

    monkeypatch.setattr(operations, "WRITE_CHUNK", 2)
    client = login_as(make.user("admin"))
    existing = make.candidate(places[0])  # a tally row the import adds to
    statuses = ["在库培养", "考察中", None, "在库培养", "考察中"]
    rows = [
        person(
            姓名=f"王{i}",
            所属乡镇="东山镇" if i % 2 else "西河乡",
            所在村="石桥村",
            状态=status,
            入库日期=dt.date(2021 + i, 3, 1) if status == "在库培养" else None,
            学历="本科" if i % 3 else "大专",
        )
        for i, status in enumerate(statuses)
    ]
    token, page = preview(client, xlsx(rows))
    assert counts(page) == (5, 0), [row_errors(page, n) for n in range(2, 7)]
    assert client.post(f"/candidates/import/{token}", data={}).status_code == 302

    made = [c for c in candidates() if c.id != existing.id]
    assert [c.name for c in made] == [f"王{i}" for i in range(5)]
    assert [c.status for c in made] == ["in_pool", "inspecting", "nominated"] + [
        "in_pool",
        "inspecting",
    ]
    history = db.session.scalars(select(StatusChange).order_by(StatusChange.id)).all()
    assert [(h.candidate_id, h.to_status) for h in history[1:]] == [(c.id, c.status) for c in made]
    creates = db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.action == "create", AuditEntry.entity == "candidate")
        .order_by(AuditEntry.id)
    ).all()
    assert [e.entity_id for e in creates[1:]] == [c.id for c in made]
    assert all(
        e.summary == f"新增后备干部 {c.name}" for e, c in zip(creates[1:], made, strict=True)
    )
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "import")).one()
    assert entry.changes["created"] == [[c.id, c.name] for c in made]
    db.session.expire_all()
    assert stored() == recount()


@pytest.mark.parametrize(
    "value",
    [
        "1990-05-03",
        "1990.5.3",
        "1990/05/03",
        "1990年5月3日",
        "１９９０年５月３日",
        dt.date(1990, 5, 3),
    ],
)
def test_dates_in_every_common_writing(clerk, value):
    _, client = clerk
    _, page = preview(client, xlsx([person(出生日期=value, 入库日期=value)]))
    assert counts(page) == (1, 0), row_errors(page, 2)


def test_excel_date_serials_and_full_width_digits(clerk):
    _, client = clerk
    number = new_id()
    wide = number.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    rows = [person(身份证号=wide, 出生日期=32996, 联系电话="１３８ ００１３ ８０００")]
    token, page = preview(client, xlsx(rows))
    assert counts(page) == (1, 0), row_errors(page, 2)
    client.post(f"/candidates/import/{token}", data={})
    (made,) = candidates()
    assert made.id_number == number and made.birth_date == dt.date(1990, 5, 3)
    assert made.phone == "13800138000"


def test_title_rows_reordered_columns_and_aliases_are_understood(clerk):
    _, client = clerk
    headers = ["身份证号码", "姓 名", "所在村", "政治面貌 *", "文化程度", "来源类别", "培养方向"]
    number = new_id()
    rows = [[number, "张三", "石桥村", "群众", "高中", "其他", "村两委委员"]]
    data = xlsx(rows, headers, before=[["东山镇后备干部花名册"], []])
    token, page = preview(client, data)
    assert counts(page) == (1, 0), page
    assert "第 3 行的表头" in page
    client.post(f"/candidates/import/{token}", data={})
    (made,) = candidates()
    assert (made.political, made.education, made.direction) == (
        "13",
        "high_school",
        "committee_member",
    )


def test_the_template_example_row_is_skipped(clerk):
    _, client = clerk
    template = load_workbook(
        io.BytesIO(client.get("/candidates/import/template.xlsx", buffered=True).data)
    )
    ws = template["花名册"]
    example = [c.value for c in ws[2]]
    ws.append([v if h != "身份证号" else new_id() for v, h in zip(example, HEADERS, strict=True)])
    ws.cell(row=3, column=1, value="李四")
    out = io.BytesIO()
    template.save(out)
    token, page = preview(client, out.getvalue())
    assert counts(page) == (1, 0), row_errors(page, 3)
    assert "第 2 行是模板的示例行，已跳过" in page
    client.post(f"/candidates/import/{token}", data={})
    assert [c.name for c in candidates()] == ["李四"]


# ---- row errors --------------------------------------------------------------------------


def _with_checksum_wrong() -> str:
    number = new_id()
    return number[:17] + ("0" if number[17] != "0" else "1")


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"身份证号": "_bad_checksum"}, "身份证号：校验位错误"),
        ({"出生日期": "1991-01-01"}, "出生日期：出生日期与身份证号不符"),
        ({"性别": "女"}, "性别：性别与身份证号不符"),
        ({"所在村": "不存在村"}, "所在村：东山镇没有“不存在村”"),
        ({"所在村": "柳树村"}, "所在村：东山镇没有“柳树村”"),
        ({"所属乡镇": "西河乡", "所在村": "柳树村"}, "所属乡镇：只能导入本乡镇（东山镇）的人员"),
        # A name no township has: answered as another township's, which says nothing of it.
        (
            {"所属乡镇": "北海镇"},
            "所属乡镇：只能导入本乡镇（东山镇）的人员，“北海镇”不在您的管理范围内",
        ),
        ({"姓名": None}, "姓名：请填写姓名"),
        ({"身份证号": None}, "身份证号：请填写身份证号"),
        ({"政治面貌": None}, "政治面貌：请选择政治面貌"),
        ({"学历": "幼儿园"}, "学历：“幼儿园”不是有效的学历"),
        ({"来源类别": None}, "来源类别：请选择来源类别"),
        ({"培养方向": "县长"}, "培养方向：“县长”不是有效的培养方向"),
        ({"联系电话": "12345"}, "联系电话：联系电话应为 11 位手机号"),
        ({"出生日期": "1990-02-30"}, "出生日期：出生日期“1990-02-30”不存在"),
        ({"入库日期": "明年"}, "入库日期：入库日期“明年”无法识别"),
        ({"身份证号": 430521199005031234.0}, "身份证号：身份证号被 Excel 存成了数字"),
        ({"身份证号": "43052119900503123"}, "身份证号：身份证号应为 18 位"),
        # A township's own export, masked, filled back in: the hidden digits are not there.
        ({"身份证号": "4305**********1234"}, "身份证号：身份证号中的“*”是隐去的数字"),
    ],
)
def test_each_row_error_is_shown_at_its_cell(clerk, changes, expected):
    _, client = clerk
    if changes.get("身份证号") == "_bad_checksum":
        changes = {"身份证号": _with_checksum_wrong()}
    rows = [person(姓名="好人"), person(**changes)]
    token, page = preview(client, xlsx(rows))
    assert counts(page) == (1, 1)
    header, _, message = expected.partition("：")
    assert message in row_errors(page, 3), row_errors(page, 3)
    # The message sits in the column it belongs to.
    row_html = re.search(r'<tr id="row-3"[^>]*>(.*?)</tr>', page, re.S).group(1)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row_html, re.S)
    headers = re.findall(r'<th scope="col">(.*?)</th>', page)[1:-1]
    assert header in headers
    assert message in html_lib.unescape(cells[headers.index(header)])
    assert row_errors(page, 2) == ""
    # Nothing can be confirmed, and nothing is written when one tries.
    assert "确认导入" not in page
    response = client.post(f"/candidates/import/{token}", data={})
    assert response.status_code == 422
    assert count(Candidate) == 0
    assert not db.session.scalars(select(AuditEntry).where(AuditEntry.action == "import")).all()


def test_in_pool_needs_an_entry_date_for_admins(make, places, login_as):
    client = login_as(make.user("admin", township=None))
    _, page = preview(client, xlsx([person(所属乡镇="东山镇", 状态="在库培养")]))
    assert "状态为“在库培养”时请填写入库日期" in row_errors(page, 2)
    _, page = preview(client, xlsx([person(所属乡镇="东山镇", 状态="待定")]))
    assert "“待定”不是有效的状态" in row_errors(page, 2)


def test_county_users_name_the_township_when_villages_share_a_name(make, places, login_as):
    client = login_as(make.user("admin"))
    _, page = preview(client, xlsx([person(所在村="石桥村")]))
    assert "东山镇、西河乡都有“石桥村”" in row_errors(page, 2)
    _, page = preview(client, xlsx([person(所在村="柳树村")]))  # unique: no township needed
    assert counts(page) == (1, 0)
    _, page = preview(client, xlsx([person(所属乡镇="北海镇")]))  # the county knows its own
    assert "乡镇“北海镇”不存在，请核对名称" in row_errors(page, 2)


def test_duplicate_numbers_inside_the_file_name_both_rows(clerk):
    _, client = clerk
    number = new_id()
    rows = [person(身份证号=number), person(姓名="李四"), person(姓名="王五", 身份证号=number)]
    _, page = preview(client, xlsx(rows))
    assert counts(page) == (1, 2)
    assert "与第 4 行的身份证号重复" in row_errors(page, 2)
    assert "与第 2 行的身份证号重复" in row_errors(page, 4)


def test_numbers_already_in_the_county_are_refused(clerk, make, places):
    _, client = clerk
    number = new_id()
    make.candidate(places[1], name="赵六", id_number=number)  # another township
    mine = new_id()
    make.candidate(places[0], name="孙七", id_number=mine)
    _, page = preview(client, xlsx([person(身份证号=number), person(身份证号=mine)]))
    assert "已在本县其他乡镇登记" in row_errors(page, 2)
    assert "该身份证号已登记：孙七" in row_errors(page, 3)


def test_one_bad_row_writes_nothing_even_if_the_check_changes_meanwhile(clerk, make, places):
    """The confirmation checks again: a number entered by someone else since the preview
    makes the whole import refuse, and nothing is half-written."""
    _, client = clerk
    late = new_id()
    token, page = preview(client, xlsx([person(), person(身份证号=late), person()]))
    assert counts(page) == (3, 0)
    make.candidate(places[0], name="抢先", id_number=late)
    response = client.post(f"/candidates/import/{token}", data={})
    assert response.status_code == 422
    assert "未导入任何记录" in page_text(response)
    assert [c.name for c in candidates()] == ["抢先"]
    assert count(StatusChange) == 1


def test_errors_can_be_downloaded_as_the_sheet_with_an_error_column(clerk):
    _, client = clerk
    rows = [
        person(姓名="好人"),
        person(姓名="坏人", 学历="幼儿园"),
        person(姓名="+1", 所在村="无"),
    ]
    token, _ = preview(client, xlsx(rows, before=[["标题行"]]))
    response = client.get(f"/candidates/import/{token}/errors.xlsx", buffered=True)
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.data)).worksheets[0]
    assert ws["A1"].value == "标题行"
    headers = [c.value for c in ws[2]]
    assert headers[: len(HEADERS)] == list(HEADERS) and headers[-1] == "错误说明"
    notes = {r[0].value: r[-1].value for r in ws.iter_rows(min_row=3)}
    assert notes["好人"] is None
    assert "学历：“幼儿园”不是有效的学历" in notes["坏人"]
    assert "所在村" in notes["'+1"]  # text that looks like a formula goes back as text
    bad = next(r for r in ws.iter_rows(min_row=3) if r[0].value == "坏人")
    assert bad[HEADERS.index("学历")].fill.fgColor.rgb.endswith("FFC7CE")


def test_preview_can_show_only_the_bad_rows(clerk):
    _, client = clerk
    token, _ = preview(client, xlsx([person(姓名="好人"), person(姓名="坏人", 学历="幼儿园")]))
    page = client.get(f"/candidates/import/{token}?show=errors").get_data(as_text=True)
    assert 'id="row-3"' in page and 'id="row-2"' not in page


# ---- formulas ----------------------------------------------------------------------------


def test_formulas_are_read_as_values_never_evaluated(clerk):
    _, client = clerk
    rows = [
        person(姓名='=CONCATENATE("张","三")'),
        person(姓名="李四", 备注='=HYPERLINK("http://evil","点我")', 专业="=1+1"),
    ]
    token, page = preview(client, xlsx(rows))
    # A formula without a value Excel calculated is an empty cell: 姓名 is missing.
    assert row_errors(page, 2) == "请填写姓名"
    assert counts(page) == (1, 1)
    client.post(f"/candidates/import/{token}", data={})
    assert count(Candidate) == 0
    # The formulas in 备注 and 专业 were never calculated: the cells read as empty.
    token, page = preview(client, xlsx([rows[1]]))
    client.post(f"/candidates/import/{token}", data={})
    (made,) = candidates()
    assert (made.name, made.notes, made.major) == ("李四", "", "")


def test_a_formula_with_a_calculated_value_gives_that_value(clerk):
    _, client = clerk
    data = xlsx([person(姓名="李四", 专业="=1+1")])
    # As Excel saves it: the formula and the value it calculated.
    with zipfile.ZipFile(io.BytesIO(data)) as zin:
        parts = {n: zin.read(n) for n in zin.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    sheet, n = re.subn(
        r"<f>1\+1</f><v\s*/>|<f>1\+1</f><v></v>|<f>1\+1</f>", "<f>1+1</f><v>2</v>", sheet
    )
    assert n == 1
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, body in parts.items():
            zout.writestr(name, body)
    token, page = preview(client, out.getvalue())
    assert counts(page) == (1, 0)
    client.post(f"/candidates/import/{token}", data={})
    (made,) = candidates()
    assert made.major == "2"


# ---- bad files ---------------------------------------------------------------------------


def _zip(entries: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as zf:
        for name, body in entries.items():
            zf.writestr(name, body)
    return out.getvalue()


def _with_extra(entries: dict[str, bytes]) -> bytes:
    with zipfile.ZipFile(io.BytesIO(xlsx([person()]))) as zin:
        parts = {n: zin.read(n) for n in zin.namelist()}
    return _zip(parts | entries)


def _macro_content_types() -> bytes:
    with zipfile.ZipFile(io.BytesIO(xlsx([person()]))) as zin:
        parts = {n: zin.read(n) for n in zin.namelist()}
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"spreadsheetml.sheet.main+xml", b"ms-excel.sheet.macroEnabled.main+xml"
    )
    return _zip(parts)


BAD_FILES = {
    "csv renamed": (lambda: "姓名,身份证号\n张三,1\n".encode(), "花名册.xlsx", "不是 Excel 工作簿"),
    "old xls": (lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "a.xls", "97-2003"),
    "empty": (lambda: b"", "a.xlsx", "文件是空的"),
    "broken zip": (lambda: b"PK\x03\x04" + b"\x00garbage" * 50, "a.xlsx", "已损坏"),
    "zip, not a workbook": (lambda: _zip({"readme.txt": b"hi"}), "a.xlsx", "不是 Excel 工作簿"),
    "vbaProject.bin": (lambda: _with_extra({"xl/vbaProject.bin": b"\0" * 64}), "a.xlsx", "启用宏"),
    "macro content type": (_macro_content_types, "a.xlsx", "启用宏"),
    "xlsm name": (lambda: xlsx([person()]), "a.xlsm", "启用宏"),
    "too many entries": (
        lambda: _with_extra({f"xl/media/x{i}.txt": b"" for i in range(1001)}),
        "a.xlsx",
        "部件",
    ),
    "extreme ratio": (
        lambda: _with_extra({"xl/media/zeros.bin": b"\0" * (4 * 1024 * 1024)}),
        "a.xlsx",
        "压缩炸弹",
    ),
    "no header": (lambda: xlsx([["张三", "x"]], headers=["名字", "号码"]), "a.xlsx", "找不到表头"),
    "missing headers": (
        lambda: xlsx([["张三", new_id()]], headers=["姓名", "身份证号"]),
        "a.xlsx",
        "缺少必填列：政治面貌、学历、所在村、来源类别、培养方向",
    ),
    "no rows": (lambda: xlsx([]), "a.xlsx", "没有要导入的数据"),
    "duplicate header": (
        lambda: xlsx([], headers=[*HEADERS, "姓名"]),
        "a.xlsx",
        "“姓名”出现了两次",
    ),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_bad_files_are_refused_with_a_message(clerk, case):
    _, client = clerk
    make_data, name, message = BAD_FILES[case]
    response = upload(client, make_data(), name)
    assert response.status_code == 422
    text = page_text(response)
    assert message in text
    assert 'id="file-error"' in response.get_data(as_text=True)  # at the field
    assert count(ExcelUpload) == 0 and count(Candidate) == 0


def test_too_large_once_unpacked(clerk, monkeypatch):
    """The sum of the declared sizes counts, whatever each entry's ratio."""
    from app.excel import safety

    monkeypatch.setattr(safety, "MAX_UNPACKED", 1024 * 1024)
    _, client = clerk
    response = upload(client, _with_extra({"xl/media/noise.bin": os.urandom(1024 * 1024)}))
    assert response.status_code == 422
    assert "压缩炸弹" in page_text(response)
    assert count(ExcelUpload) == 0


def test_no_file_chosen(clerk):
    _, client = clerk
    response = client.post("/candidates/import", data={}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "请选择要上传的 .xlsx 花名册文件" in page_text(response)


def test_a_file_over_the_limit_gets_a_friendly_page(clerk, app):
    _, client = clerk
    limit = app.config["MAX_CONTENT_LENGTH"]
    response = upload(client, b"PK\x03\x04" + b"\0" * limit)
    assert response.status_code == 413
    text = page_text(response)
    assert "超过了 10 MB 的上限" in text and "拆分" in text
    assert count(ExcelUpload) == 0


def test_the_uploaded_name_is_never_a_path(clerk):
    _, client = clerk
    token, page = preview(client, xlsx([person()]), "../../etc/passwd.xlsx")
    kept = db.session.scalars(select(ExcelUpload)).one()
    assert kept.file_name == "passwd.xlsx"
    assert "导入预览：passwd.xlsx" in page


def test_openpyxl_parses_with_defusedxml():
    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML is True


def test_entity_expansion_is_refused(clerk):
    """A 'billion laughs' in a sheet is stopped by defusedxml, not expanded."""
    _, client = clerk
    with zipfile.ZipFile(io.BytesIO(xlsx([person(姓名="张三")]))) as zin:
        parts = {n: zin.read(n) for n in zin.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    doctype = (
        '<!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    )
    sheet = doctype + sheet.split("?>", 1)[-1].replace("张三", "&lol2;")
    assert "&lol2;" in sheet and "DOCTYPE" in sheet
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    response = upload(client, _zip(parts))
    assert response.status_code == 422
    assert "已损坏" in page_text(response)
    assert count(ExcelUpload) == 0


# ---- who may do what ---------------------------------------------------------------------


def test_another_users_upload_is_not_found(clerk, make, places, app):
    _, client = clerk
    token, _ = preview(client, xlsx([person()]))
    other = app.test_client()
    from tests.conftest import login

    login(other, make.user("clerk", township=places[0]))
    assert other.get(f"/candidates/import/{token}").status_code == 404
    assert other.post(f"/candidates/import/{token}", data={}).status_code == 404
    assert other.get(f"/candidates/import/{token}/errors.xlsx").status_code == 404
    assert count(Candidate) == 0


def test_expired_and_made_up_tokens_are_not_found(clerk):
    _, client = clerk
    token, _ = preview(client, xlsx([person()]))
    db.session.execute(update(ExcelUpload).values(created_dt=utcnow() - dt.timedelta(days=2)))
    db.session.commit()
    assert client.get(f"/candidates/import/{token}").status_code == 404
    assert client.get("/candidates/import/not-a-token").status_code == 404
    assert client.get("/candidates/import/..%2F..%2Fetc").status_code == 404


@pytest.mark.parametrize("role", ["secretary"])
def test_roles_that_may_not_import(make, places, login_as, role):
    client = login_as(make.user(role, township=places[0]))
    assert client.get("/candidates/import").status_code == 403
    assert upload(client, xlsx([person()])).status_code == 403
    assert count(ExcelUpload) == 0


def test_login_is_required(client):
    response = client.get("/candidates/import")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_upload_without_csrf_token_is_refused(clerk):
    _, client = clerk
    response = upload(client, xlsx([person()]), csrf=False)
    assert response.status_code == 400
    assert "安全令牌" in page_text(response)
    assert count(ExcelUpload) == 0


def test_confirm_without_csrf_token_writes_nothing(clerk):
    _, client = clerk
    token, _ = preview(client, xlsx([person()]))
    response = client.post(f"/candidates/import/{token}", data={}, csrf=False)
    assert response.status_code == 400
    assert count(Candidate) == 0 and count(ExcelUpload) == 1


def test_discard_forgets_the_upload(clerk):
    _, client = clerk
    token, _ = preview(client, xlsx([person()]))
    response = client.post(f"/candidates/import/{token}/discard", data={})
    assert response.status_code == 302
    assert count(ExcelUpload) == 0 and count(Candidate) == 0


# ---- round trip --------------------------------------------------------------------------


FIELDS = (
    "name", "gender", "ethnicity", "birth_date", "id_number", "political", "education",
    "major", "phone", "source", "occupation", "speciality", "direction", "entered_on",
    "status", "notes",
)  # fmt: skip


def test_round_trip_export_then_import_into_an_empty_township(make, login_as):
    a = make.township("东山镇", villages=("石桥村", "太平村"))
    b = make.township("新建镇", villages=("石桥村", "太平村"))
    make.candidate(a, name="王五", id_number=new_id(), major="农学", occupation="=SUM(1)")
    two = make.candidate(
        a,
        name="阿依古丽·买买提",
        id_number=new_id("F", dt.date(1985, 12, 31)),
        village_id=a.villages[1].id,
        ethnicity="05",
        political="13",
        education="college",
        source="returned_graduate",
        direction="committee_member",
        phone="0731-84567890",
        speciality="电商",
        notes="第一行\n+第二行",
        entered_on="2021-06-30",
    )
    two.status = "in_pool"
    db.session.commit()
    before = {
        c.id_number: {f: getattr(c, f) for f in FIELDS} | {"village": c.village.name}
        for c in candidates()
    }

    admin = login_as(make.user("admin"))
    exported = admin.get(f"/candidates/export.xlsx?township={a.id}&status=all", buffered=True)
    wb = load_workbook(io.BytesIO(exported.data))
    ws = wb.worksheets[0]
    township_col = HEADERS.index("所属乡镇") + 1
    for row in range(2, ws.max_row + 1):
        ws.cell(row=row, column=township_col, value="新建镇")
    out = io.BytesIO()
    wb.save(out)
    # The originals leave (soft-deleted), freeing their numbers for the new township.
    db.session.execute(update(Candidate).values(is_deleted=True))
    db.session.commit()

    token, page = preview(admin, out.getvalue())
    assert counts(page) == (2, 0), page
    assert admin.post(f"/candidates/import/{token}", data={}).status_code == 302
    db.session.expire_all()
    after = {
        c.id_number: {f: getattr(c, f) for f in FIELDS} | {"village": c.village.name}
        for c in db.session.scalars(select(Candidate).where(Candidate.township_id == b.id))
    }
    assert after == before


def test_round_trip_through_the_commands(make, runner, tmp_path):
    a = make.township("东山镇", villages=("石桥村",))
    make.candidate(a, name="王五", id_number=new_id())
    make.candidate(a, name="李四", id_number=new_id("F"))
    target = tmp_path / "county.xlsx"
    assert runner.invoke(args=["export-roster", str(target)]).exit_code == 0
    result = runner.invoke(args=["import-roster", str(target)])
    assert result.exit_code != 0  # the same people are in the county already
    assert "第 2 行" in result.output and "该身份证号已登记" in result.output
    assert "未导入任何记录" in result.output
    assert count(Candidate) == 2


# ---- import-roster -----------------------------------------------------------------------


def test_import_roster_command(make, places, runner, tmp_path):
    path = tmp_path / "东山镇.xlsx"
    path.write_bytes(
        xlsx([person(姓名="张三", 状态="在库培养", 入库日期="2020-1-2"), person(姓名="李四")])
    )
    result = runner.invoke(args=["import-roster", str(path), "--township", "东山镇"])
    assert result.exit_code == 0, result.output
    assert "已导入 2 名后备干部（东山镇）" in result.output
    made = {c.name: c for c in candidates()}
    assert made["张三"].status == "in_pool"  # admin level: the status column is kept
    assert {c.township_id for c in made.values()} == {places[0].id}
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "import")).one()
    assert entry.actor_id is None and entry.changes["count"] == 2


def test_import_roster_command_prints_every_row_error_and_writes_nothing(places, runner, tmp_path):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(
        xlsx([person(), person(学历="幼儿园"), person(所属乡镇="西河乡", 所在村="柳树村")])
    )
    result = runner.invoke(args=["import-roster", str(path), "--township", "东山镇"])
    assert result.exit_code == 1
    assert "第 3 行（张三）学历：“幼儿园”不是有效的学历" in result.output
    assert "第 4 行（张三）所属乡镇：只能导入本乡镇（东山镇）的人员" in result.output
    assert "2 / 3 行有错误，未导入任何记录" in result.output
    assert count(Candidate) == 0


def test_import_roster_command_refuses_bad_files(places, runner, tmp_path):
    path = tmp_path / "a.xlsx"
    path.write_bytes(b"not a workbook")
    result = runner.invoke(args=["import-roster", str(path)])
    assert result.exit_code == 1 and "不是 Excel 工作簿" in result.output
    result = runner.invoke(args=["import-roster", str(path), "--township", "北海镇"])
    assert result.exit_code == 1 and "乡镇“北海镇”不存在" in result.output
