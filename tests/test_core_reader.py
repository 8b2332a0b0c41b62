"""The one field reader: typed values, one message per field, the same words in every area.

Pure logic: no app, no database.
"""

from __future__ import annotations

import datetime as dt

import pytest

from app.core.checks import Checked
from app.core.codes import Ethnicity, PlacementGrade
from app.core.idcard import make_id_number, mask_id_number
from app.core.reader import Reader

TODAY = dt.date(2025, 6, 1)
NUMBER = make_id_number("430102", dt.date(1990, 5, 3), 123, "M")


def read(method: str, value: object, *args, **kwargs) -> tuple[object, str | None]:
    """The value and the message reading ``value`` as field "f" gives."""
    r = Reader({"f": value})
    returned = getattr(r, method)("f", *args, **kwargs)
    checked = r.checked()
    if method not in ("choice", "id_number", "record"):
        assert returned == checked.values["f"]
    return checked.values["f"], checked.errors.get("f")


def test_checked_holds_the_values_and_messages():
    r = Reader({"a": "甲", "b": ""})
    r.text("a", "甲栏", limit=5)
    r.text("b", "乙栏", limit=5)
    checked = r.checked()
    assert isinstance(checked, Checked)
    assert checked.values == {"a": "甲", "b": None}
    assert checked.errors == {"b": "请填写乙栏"}
    assert not checked.ok


def test_a_missing_key_reads_as_blank():
    r = Reader({})
    assert r.text("note", "备注", limit=10, required=False) == ""
    assert r.date("on", "日期", required=False) is None
    assert r.checked().ok


def test_fail_keeps_the_first_message_and_clears_the_value():
    r = Reader({"on": "2025-13-01"})
    r.date("on", "开始日期")
    r.fail("on", "开始日期应在计划期限内")
    assert r.errors["on"].startswith("开始日期“2025-13-01”不存在")
    r = Reader({"on": "2025-03-01"})
    r.date("on", "开始日期")
    r.fail("on", "开始日期应在计划期限内")
    assert r.errors == {"on": "开始日期应在计划期限内"} and r.values == {"on": None}


# ---- text and names ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "kwargs", "expected", "message"),
    [
        ("  太平\u3000村 ", {}, "太平 村", None),
        ("ＡＢ，１２", {}, "AB，12", None),  # full-width letters and digits as ASCII, ， kept
        ("一行\n二行", {}, "一行 二行", None),
        ("一\r\n\n二\n", {"multiline": True}, "一\n\n二", None),
        ("", {}, None, "请填写地点"),
        (None, {}, None, "请填写地点"),
        (" \u3000 ", {"hint": "，如 太平村"}, None, "请填写地点，如 太平村"),
        ("", {"required": False}, "", None),
        ("村" * 5, {}, "村" * 5, None),
        ("村" * 6, {}, None, "地点过长，最多 5 个字（现有 6 个字）"),
        ("村" * 6, {"required": False}, None, "地点过长，最多 5 个字（现有 6 个字）"),
    ],
)
def test_text(value, kwargs, expected, message):
    assert read("text", value, "地点", limit=5, **kwargs) == (expected, message)


@pytest.mark.parametrize(
    ("value", "kwargs", "expected", "message"),
    [
        ("张 三", {}, "张三", None),
        ("阿依古丽.买买提", {}, "阿依古丽·买买提", None),
        ("", {}, None, "请填写姓名"),
        ("", {"label": "帮带人姓名"}, None, "请填写帮带人姓名"),
        ("", {"required": False}, "", None),
        ("张" * 40, {}, "张" * 40, None),
        ("张" * 41, {}, None, "姓名过长，最多 40 个字（现有 41 个字）"),
    ],
)
def test_name(value, kwargs, expected, message):
    assert read("name", value, **kwargs) == (expected, message)


# ---- numbers -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "kwargs", "expected", "message"),
    [
        ("12", {}, 12, None),
        ("１２", {}, 12, None),
        (3.0, {}, 3, None),
        ("", {}, None, "请填写容量"),
        ("", {"between": (1, 50)}, None, "请填写容量（1 到 50 的整数）"),
        ("", {"required": False}, None, None),
        ("", {"default": 3}, 3, None),
        ("", {"default": 0, "between": (1, 5)}, 0, None),  # a default is not range-checked
        ("三", {}, None, "容量“三”不是整数，请填写阿拉伯数字（如 12）"),
        ("2.5", {"required": False}, None, "容量“2.5”不是整数，请填写阿拉伯数字（如 12）"),
        ("1", {"between": (1, 50)}, 1, None),
        ("50", {"between": (1, 50)}, 50, None),
        ("0", {"between": (1, 50)}, None, "容量应在 1 到 50 之间（填写的是 0）"),
        ("-1", {"between": (0, 100)}, None, "容量应在 0 到 100 之间（填写的是 -1）"),
        ("51", {"default": 3, "between": (1, 50)}, None, "容量应在 1 到 50 之间（填写的是 51）"),
    ],
)
def test_integer(value, kwargs, expected, message):
    assert read("integer", value, "容量", **kwargs) == (expected, message)


# ---- dates -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "kwargs", "expected", "message"),
    [
        ("2025-3-1", {}, dt.date(2025, 3, 1), None),
        ("2025年3月1日", {}, dt.date(2025, 3, 1), None),
        (45717, {}, dt.date(2025, 3, 1), None),  # an Excel serial
        (dt.date(2025, 3, 1), {}, dt.date(2025, 3, 1), None),
        ("", {}, None, "请填写考察日期，如 2025-03-01"),
        ("", {"hint": "，换届准备据此判断"}, None, "请填写考察日期，换届准备据此判断"),
        ("", {"required": False}, None, None),
        ("", {"default": TODAY}, TODAY, None),
        ("明天", {}, None, "考察日期“明天”无法识别，请写成 1990-05-03 这样的格式"),
        ("2025-02-30", {}, None, "考察日期“2025-02-30”不存在：2025 年 2 月没有 30 日，请核对"),
        ("2025-06-01", {"today": TODAY}, TODAY, None),
        ("2025-06-02", {"today": TODAY}, None, "考察日期不能晚于今天（2025-06-01）"),
        ("2000-01-01", {"earliest": dt.date(2000, 1, 1)}, dt.date(2000, 1, 1), None),
        (
            "1999-12-31",
            {"earliest": dt.date(2000, 1, 1)},
            None,
            "考察日期“1999-12-31”过早，请核对（应不早于 2000-01-01）",
        ),
    ],
)
def test_date(value, kwargs, expected, message):
    assert read("date", value, "考察日期", **kwargs) == (expected, message)


@pytest.mark.parametrize(
    ("start", "end", "in_order", "message"),
    [
        ("2025-03-01", "2025-03-01", True, None),
        ("2025-03-01", "2025-05-31", True, None),
        ("2025-03-01", "2025-02-28", False, "结束日期不能早于开始日期（2025-03-01）"),
        ("2025-03-01", "", False, "请填写结束日期，如 2025-03-01"),  # its own message stays
        ("", "2025-02-28", False, None),
    ],
)
def test_span(start, end, in_order, message):
    r = Reader({"start_on": start, "end_on": end})
    r.date("start_on", "开始日期", required=False)
    r.date("end_on", "结束日期")
    assert r.span("start_on", "end_on") is in_order
    assert r.errors.get("end_on") == message


# ---- choices -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [("excellent", "excellent"), ("优秀", "excellent"), (" 基本 合格 ", "basic_pass")],
)
def test_choice_reads_a_code_or_a_label_and_stores_the_code(value, expected):
    r = Reader({"grade": value})
    member = r.choice("grade", PlacementGrade, "评价等次")
    assert member is PlacementGrade(expected) and member.label
    assert r.values["grade"] == expected and type(r.values["grade"]) is str
    assert r.checked().ok


@pytest.mark.parametrize(
    ("value", "kwargs", "expected", "message"),
    [
        ("", {}, None, "请选择评价等次"),
        ("", {"required": False}, None, None),
        ("", {"default": PlacementGrade.excellent}, "excellent", None),
        ("很好", {}, None, "“很好”不是有效的评价等次，可选：优秀、合格、基本合格、不合格"),
        (
            "很好",
            {"default": PlacementGrade.excellent},
            None,
            "“很好”不是有效的评价等次，可选：优秀、合格、基本合格、不合格",
        ),
    ],
)
def test_choice_refusals(value, kwargs, expected, message):
    assert read("choice", value, PlacementGrade, "评价等次", **kwargs) == (expected, message)


def test_a_long_code_list_is_shown_in_part():
    _, message = read("choice", "火星族", Ethnicity, "民族")
    assert message.startswith("“火星族”不是有效的民族，可选：汉族、蒙古族、")
    assert message.endswith("满族、侗族等")
    assert read("choice", "汉", Ethnicity, "民族") == ("01", None)


# ---- records -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "kwargs", "expected", "message"),
    [
        ("12", {}, 12, None),
        (12, {}, 12, None),
        ("１２", {}, 12, None),
        ("", {}, None, "请选择帮带人"),
        ("", {"hint": "（本乡镇的）"}, None, "请选择帮带人（本乡镇的）"),
        ("abc", {}, None, "请选择帮带人"),
        ("0", {}, None, "请选择帮带人"),
        ("9" * 30, {}, None, "请选择帮带人"),
        ("", {"required": False}, None, None),
        ("abc", {"required": False}, None, "所选帮带人不存在，请重新选择"),
    ],
)
def test_record_id(value, kwargs, expected, message):
    assert read("record_id", value, "帮带人", **kwargs) == (expected, message)


class Row:
    def __init__(self, ident: int) -> None:
        self.id = ident


ROWS = {7: Row(7)}


@pytest.mark.parametrize(
    ("value", "required", "found", "message"),
    [
        ("7", True, 7, None),
        ("8", True, None, "请选择批次"),  # not there, or not the user's
        ("", True, None, "请选择批次"),
        ("8", False, None, "所选批次不存在，请重新选择"),
        ("", False, None, None),
    ],
)
def test_record_is_what_the_areas_lookup_finds(value, required, found, message):
    r = Reader({"batch_id": value})
    row = r.record("batch_id", "批次", ROWS.get, required=required)
    assert (row.id if row else None) == found
    assert r.values["batch_id"] == found and r.errors.get("batch_id") == message


def test_record_asks_nothing_of_the_lookup_for_a_blank_or_garbled_id():
    asked = []
    r = Reader({"a": "", "b": "x"})
    r.record("a", "甲", asked.append, required=False)
    r.record("b", "乙", asked.append)
    assert asked == [] and r.errors == {"b": "请选择乙"}


@pytest.mark.parametrize(
    ("value", "expected"), [(True, True), ("y", True), (False, False), (None, False)]
)
def test_flag(value, expected):
    assert read("flag", value) == (expected, None)


# ---- phone and ID number -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "kwargs", "expected", "message"),
    [
        ("138 0013 8000", {}, "13800138000", None),
        ("0731 8456 7890", {}, "0731-84567890", None),
        ("", {"required": False}, "", None),
        ("", {}, None, "请填写联系电话"),
        ("12345", {}, None, "联系电话应为 11 位手机号或带区号的固定电话（如 0731-84567890）"),
        ("84567890", {}, None, "固定电话请加上区号（如 0731-84567890）"),
    ],
)
def test_phone(value, kwargs, expected, message):
    assert read("phone", value, **kwargs) == (expected, message)


def test_id_number_stores_the_number_and_returns_what_it_tells():
    r = Reader({"id_number": " " + NUMBER[:-1] + NUMBER[-1].lower() + " "})
    info = r.id_number("id_number")
    assert info.birth_date == dt.date(1990, 5, 3) and info.sex == "M"
    assert r.values == {"id_number": NUMBER} and r.checked().ok


@pytest.mark.parametrize(
    ("value", "kwargs", "message"),
    [
        ("", {}, "请填写身份证号"),
        ("\u200b", {}, "请填写身份证号"),  # a zero-width space is nothing typed
        ("", {"required": False}, None),
        (
            mask_id_number(NUMBER),
            {},
            "身份证号中的“*”是隐去的数字，无法保存：请填写完整的 18 位身份证号",
        ),
        (NUMBER[:-1], {}, "身份证号应为 18 位，现在填写了 17 位，请核对"),
    ],
)
def test_id_number_refusals(value, kwargs, message):
    r = Reader({"id_number": value})
    assert r.id_number("id_number", **kwargs) is None
    assert r.values == {"id_number": None}
    assert r.errors.get("id_number") == message


# ---- an area's own parser ----------------------------------------------------------------------


def test_read_takes_an_areas_own_parser():
    from app.core.normalize import InputError

    def hours(raw):
        if raw == "?":
            raise InputError("时长不是数字")
        return float(raw)

    r = Reader({"a": "1.5", "b": "?"})
    assert r.read("a", hours) == 1.5
    assert r.read("b", hours) is None
    assert r.checked() == Checked({"a": 1.5, "b": None}, {"b": "时长不是数字"})
