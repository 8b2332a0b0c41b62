"""The roster export (/candidates/export.xlsx, export-roster) and the import template, read back
with openpyxl: headers, scope, filters, masking, real dates, formulas neutralised."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.core.audit import AuditEntry
from app.core.idcard import make_id_number, mask_id_number
from app.excel.columns import HEADERS
from app.excel.xlsx import write_xlsx
from app.extensions import db

CONTRACT_HEADERS = [
    "姓名", "性别", "民族", "出生日期", "身份证号", "政治面貌", "学历", "专业", "联系电话",
    "所属乡镇", "所在村", "来源类别", "现职业", "特长", "培养方向", "入库日期", "状态", "备注",
]  # fmt: skip


def number(n: int, sex: str = "M", born: dt.date = dt.date(1990, 5, 3)) -> str:
    return make_id_number("430521", born, n, sex)


def workbook(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return load_workbook(io.BytesIO(response.data))


def records(wb) -> list[dict]:
    ws = wb.worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


@pytest.fixture
def county(make):
    a = make.township("东山镇", villages=("石桥村", "太平村"))
    b = make.township("西河乡", villages=("石桥村", "柳树村"))
    make.candidate(a, name="王五", id_number=number(11))
    make.candidate(
        a,
        name="李四",
        id_number=number(12, "F", dt.date(1988, 2, 29)),
        village_id=a.villages[1].id,
        major="农学",
        entered_on="2023-04-01",
        notes="第一行\n第二行",
        ethnicity="11",
    )
    make.candidate(b, name="赵六", id_number=number(13))
    return a, b


# ---- export over HTTP --------------------------------------------------------------------


def test_headers_style_widths_dates_and_labels(county, make, login_as):
    a, _ = county
    client = login_as(make.user("admin"))
    wb = workbook(client.get(f"/candidates/export.xlsx?township={a.id}", buffered=True))
    ws = wb.worksheets[0]
    assert [c.value for c in ws[1]] == CONTRACT_HEADERS == list(HEADERS)
    assert all(c.font.b for c in ws[1])
    assert ws.freeze_panes == "A2"
    assert ws.column_dimensions["E"].width >= 20  # the ID number fits
    rows = {r["姓名"]: r for r in records(wb)}
    li = rows["李四"]
    assert li["出生日期"] == dt.datetime(1988, 2, 29)  # a real date, not text
    assert li["入库日期"] == dt.datetime(2023, 4, 1)
    for row in ws.iter_rows(min_row=2):
        assert row[3].is_date and row[3].number_format == "yyyy-mm-dd"
    assert (li["性别"], li["民族"], li["政治面貌"], li["学历"]) == (
        "女",
        "满族",
        "中国共产党党员",
        "大学本科",
    )
    assert (li["来源类别"], li["培养方向"], li["状态"]) == ("退役军人", "村党组织书记", "拟推荐")
    assert (li["所属乡镇"], li["所在村"], li["专业"]) == ("东山镇", "太平村", "农学")
    assert li["备注"] == "第一行\n第二行"
    assert li["联系电话"] == "13800138000"
    assert li["身份证号"] == number(12, "F", dt.date(1988, 2, 29))  # admins see full numbers
    assert set(rows) == {"王五", "李四"}


@pytest.mark.parametrize("role", ["clerk", "secretary"])
def test_township_users_get_their_township_with_masked_numbers(county, make, login_as, role):
    a, b = county
    client = login_as(make.user(role, township=a))
    rows = records(workbook(client.get("/candidates/export.xlsx", buffered=True)))
    assert {r["姓名"] for r in rows} == {"王五", "李四"}
    assert {r["身份证号"] for r in rows} == {
        mask_id_number(number(11)),
        mask_id_number(number(12, "F", dt.date(1988, 2, 29))),
    }
    assert {r["身份证号"] for r in rows} == {
        mask_id_number(number(11)),
        mask_id_number(number(12, "F", dt.date(1988, 2, 29))),
    }
    # Asking for the other township's rows gives none of them.
    rows = records(workbook(client.get(f"/candidates/export.xlsx?township={b.id}", buffered=True)))
    assert rows == []


def test_export_follows_the_roster_filters_and_order(county, make, login_as):
    a, b = county
    used = make.candidate(b, name="钱七", id_number=number(14))
    used.status = "used"
    db.session.commit()
    client = login_as(make.user("admin"))
    names = [
        r["姓名"] for r in records(workbook(client.get("/candidates/export.xlsx", buffered=True)))
    ]
    assert names == ["李四", "王五", "赵六"]  # pinyin order; used ones leave the working roster
    names = [
        r["姓名"]
        for r in records(workbook(client.get("/candidates/export.xlsx?status=all", buffered=True)))
    ]
    assert names == ["李四", "钱七", "王五", "赵六"]
    names = [
        r["姓名"]
        for r in records(workbook(client.get("/candidates/export.xlsx?q=zl", buffered=True)))
    ]
    assert names == ["赵六"]
    rows = records(
        workbook(client.get(f"/candidates/export.xlsx?village={a.villages[1].id}", buffered=True))
    )
    assert [r["姓名"] for r in rows] == ["李四"]


def test_export_is_an_audit_entry(county, make, login_as):
    a, _ = county
    user = make.user("clerk", township=a)
    login_as(user).get("/candidates/export.xlsx?education=bachelor", buffered=True)
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "export")).one()
    assert entry.actor_id == user.id and entry.township_id == a.id
    assert entry.changes["count"] == 2
    assert entry.changes["filters"] == {"education": "bachelor"}
    assert entry.changes["full_ids"] is False


def test_an_export_with_full_numbers_is_audited_as_such(county, make, login_as):
    """Admins get whole ID numbers: the export's entry says so, and how many, under which
    filter (the reveal of a roster, as the candidate page's reveal is of one number)."""
    admin = make.user("admin")
    wb = workbook(login_as(admin).get("/candidates/export.xlsx?status=all", buffered=True))
    assert number(13) in {r["身份证号"] for r in records(wb)}
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "export")).one()
    assert (entry.actor_id, entry.township_id) == (admin.id, None)
    assert entry.changes == {"filters": {"status": "all"}, "count": 3, "full_ids": True}
    assert "含完整身份证号" in entry.summary
    assert number(13) not in entry.summary and number(13) not in str(entry.changes)


@pytest.mark.commits  # another connection writes meanwhile
def test_export_survives_a_write_by_someone_else_meanwhile(county, make, login_as, monkeypatch):
    """A long export reads for seconds; a clerk saving meanwhile must not break its audit."""
    import app.excel.views as views

    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL lets a reading transaction write after others committed")
    client = login_as(make.user("admin"))
    original = views.write_roster

    def export_while_another_commits(*args, **kwargs):
        count = original(*args, **kwargs)
        other = db.engine.raw_connection()
        try:
            other.driver_connection.execute("BEGIN IMMEDIATE")
            other.driver_connection.execute(
                "INSERT INTO townships (name, is_active, created_dt) "
                "VALUES ('别处镇', 1, '2024-01-01 00:00:00')"
            )
            other.driver_connection.execute("COMMIT")
        finally:
            other.close()
        return count

    monkeypatch.setattr(views, "write_roster", export_while_another_commits)
    response = client.get("/candidates/export.xlsx", buffered=True)
    assert response.status_code == 200
    assert db.session.scalars(select(AuditEntry).where(AuditEntry.action == "export")).one()


def test_export_needs_a_login(client):
    response = client.get("/candidates/export.xlsx", buffered=True)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


FORMULAS = {
    "name": '=HYPERLINK("http://x","点我")',
    "major": "  =1+1",
    "occupation": "-2+3",
    "speciality": "@SUM(A1)",
    "notes": "+1 打电话",
    "phone": "\t=cmd|'/c calc'!A0",
}


def test_formula_like_text_is_written_as_text(county, make, login_as):
    a, _ = county
    candidate = make.candidate(a, name="孙八", id_number=number(15))
    for key, value in FORMULAS.items():
        setattr(candidate, key, value)  # as if typed before any check existed
    db.session.commit()
    response = login_as(make.user("admin")).get(
        f"/candidates/export.xlsx?township={a.id}", buffered=True
    )
    with zipfile.ZipFile(io.BytesIO(response.data)) as zf:
        sheet_xml = zf.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml
    wb = load_workbook(io.BytesIO(response.data))  # formulas kept as formulas, if any were
    ws = wb.worksheets[0]
    row = next(r for r in ws.iter_rows(min_row=2) if "HYPERLINK" in str(r[0].value))
    cells = {HEADERS[i]: c for i, c in enumerate(row)}
    expected = {
        "姓名": "'" + FORMULAS["name"],
        "专业": "'" + FORMULAS["major"],
        "现职业": "'" + FORMULAS["occupation"],
        "特长": "'" + FORMULAS["speciality"],
        "备注": "'" + FORMULAS["notes"],
        "联系电话": "'" + FORMULAS["phone"],
    }
    for header, value in expected.items():
        assert cells[header].data_type == "s", header
        assert cells[header].value == value, header


def test_ordinary_text_is_not_prefixed(county, make, login_as):
    rows = records(
        workbook(login_as(make.user("admin")).get("/candidates/export.xlsx", buffered=True))
    )
    assert all(not str(v).startswith("'") for r in rows for v in r.values() if v)


# ---- export-roster -----------------------------------------------------------------------


def test_export_roster_command_writes_the_whole_county(county, make, runner, tmp_path):
    _, b = county
    gone = make.candidate(b, name="周九", id_number=number(16))
    gone.status = "withdrawn"
    db.session.commit()
    target = tmp_path / "county.xlsx"
    result = runner.invoke(args=["export-roster", str(target)])
    assert result.exit_code == 0, result.output
    assert "已导出 4 名后备干部" in result.output
    rows = records(load_workbook(target))
    assert {r["姓名"] for r in rows} == {"王五", "李四", "赵六", "周九"}
    assert number(16) in {r["身份证号"] for r in rows}  # the county's own copy: full numbers
    assert not list(tmp_path.glob(".*partial"))
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "export")).one()
    assert entry.actor_id is None and entry.changes["count"] == 4


# ---- the streaming writer ----------------------------------------------------------------


def test_writer_keeps_text_dates_and_numbers_and_drops_what_xml_cannot_carry():
    out = io.BytesIO()
    rows = [
        ["a & b <c>", dt.date(1900, 1, 1), 12, 1.5, None, "  spaced  "],
        ["bell\x07here", dt.date(2024, 2, 29), 0, -3.25, "", "x\ny"],
        ["\ufffe", dt.datetime(1990, 5, 3, 12, 0), True, None, "末", "end"],
    ]
    count = write_xlsx(
        out, sheet_name="测试'表", headers=list("ABCDEF"), widths=[10] * 6, rows=iter(rows)
    )
    assert count == 3
    ws = load_workbook(io.BytesIO(out.getvalue())).worksheets[0]
    assert ws.title == "测试'表"
    got = [list(r) for r in ws.iter_rows(min_row=2, values_only=True)]
    assert got[0] == ["a & b <c>", dt.datetime(1900, 1, 1), 12, 1.5, None, "  spaced  "]
    assert got[1] == ["bellhere", dt.datetime(2024, 2, 29), 0, -3.25, None, "x\ny"]
    assert got[2][0] in ("", None)  # U+FFFE cannot be carried: dropped
    assert got[2][1:3] == [dt.datetime(1990, 5, 3), True]
    read_only = load_workbook(io.BytesIO(out.getvalue()), read_only=True)
    assert len(list(read_only.worksheets[0].iter_rows())) == 4  # no stale dimension


def test_writer_streams_many_rows_as_a_valid_zip():
    out = io.BytesIO()
    rows = ([f"名{i}", dt.date(1990, 1, 1) + dt.timedelta(days=i)] for i in range(5000))
    assert write_xlsx(out, sheet_name="s", headers=["a", "b"], widths=[5, 5], rows=rows) == 5000
    with zipfile.ZipFile(out) as zf:
        assert zf.testzip() is None
    ws = load_workbook(io.BytesIO(out.getvalue()), read_only=True).worksheets[0]
    last = list(ws.iter_rows(values_only=True))[-1]
    assert last == ("名4999", dt.datetime(1990, 1, 1) + dt.timedelta(days=4999))


# ---- template ----------------------------------------------------------------------------


def _validations(ws) -> dict[str, str]:
    """Header -> the list formula of the data validation over its column."""
    found = {}
    for dv in ws.data_validations.dataValidation:
        column = str(dv.sqref).split(":")[0].rstrip("0123456789")
        header = ws[f"{column}1"].value
        found[header] = dv.formula1
    return found


def _list_values(wb, formula: str) -> list[str]:
    sheet, ref = formula.rsplit("!", 1)
    ws = wb[sheet.strip("'")]
    return [c.value for row in ws[ref.replace("$", "")] for c in row]


def test_template_for_a_clerk(county, make, login_as):
    a, _ = county
    response = login_as(make.user("clerk", township=a)).get(
        "/candidates/import/template.xlsx", buffered=True
    )
    wb = workbook(response)
    ws = wb.worksheets[0]
    assert ws.title == "花名册"
    assert [c.value for c in ws[1]] == CONTRACT_HEADERS
    assert str(ws["A2"].value).startswith("示例")
    assert ws.freeze_panes == "A2"
    assert ws.column_dimensions["E"].number_format == "@"  # ID numbers stay text
    lists = _validations(ws)
    for header in ("性别", "民族", "政治面貌", "学历", "来源类别", "培养方向", "所在村"):
        assert header in lists, header
    assert "状态" not in lists  # a clerk's rows enter as 拟推荐 whatever the column says
    assert wb["选项"].sheet_state == "hidden"
    # Only the clerk's own villages: not 西河乡's 柳树村.
    assert set(_list_values(wb, lists["所在村"])) == {"石桥村", "太平村"}
    assert len(_list_values(wb, lists["民族"])) == 56
    assert _list_values(wb, lists["性别"]) == ["男", "女"]


def test_template_for_the_county_lists_every_village(county, make, login_as):
    wb = workbook(
        login_as(make.user("admin")).get("/candidates/import/template.xlsx", buffered=True)
    )
    lists = _validations(wb.worksheets[0])
    assert set(_list_values(wb, lists["所在村"])) == {"石桥村", "太平村", "柳树村"}
    assert set(_list_values(wb, lists["所属乡镇"])) == {"东山镇", "西河乡"}
    assert _list_values(wb, lists["状态"])[0] == "拟推荐"


def test_secretaries_do_not_import(county, make, login_as):
    a, _ = county
    client = login_as(make.user("secretary", township=a))
    assert client.get("/candidates/import/template.xlsx", buffered=True).status_code == 403
    assert client.get("/candidates/import").status_code == 403


def test_roster_page_links_to_export_with_its_filters(county, make, login_as):
    a, _ = county
    page = login_as(make.user("clerk", township=a)).get("/candidates/?education=bachelor")
    html = page.get_data(as_text=True)
    assert "/candidates/export.xlsx?education=bachelor" in html
    assert "/candidates/import" in html


def test_secretaries_see_no_import_link(county, make, login_as):
    a, _ = county
    html = login_as(make.user("secretary", township=a)).get("/candidates/").get_data(as_text=True)
    assert "/candidates/export.xlsx" in html
    assert "/candidates/import" not in html
