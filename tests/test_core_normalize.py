"""Cleaning pasted input: text, names, phone numbers, dates and integers."""

from __future__ import annotations

import datetime

import pytest

from app.core.normalize import (
    MAX_ID,
    PHONE_MESSAGE,
    InputError,
    clean_identifier,
    clean_multiline,
    clean_name,
    clean_text,
    excel_serial_to_date,
    parse_date,
    parse_id,
    parse_int,
    parse_phone,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        ("", ""),
        ("  abc  ", "abc"),
        ("a  b", "a b"),
        ("a\t\tb\nc\r\nd", "a b c d"),
        ("\u3000村委会\u3000\u3000主任\u3000", "村委会 主任"),
        ("ＡＢＣ１２３", "ABC123"),
        ("（湖南）", "（湖南）"),  # Chinese punctuation in prose stays as typed
        ("备注：同意，１２人", "备注：同意，12人"),
        ("a\u00a0b", "a b"),  # no-break space
        ("\ufeff张三\u200b", "张三"),  # byte-order mark, zero-width space
        (12, "12"),
        ("长沙市\n\n岳麓区", "长沙市 岳麓区"),
        ("张\x00三\x07\x1b\x7f\x9b", "张三"),  # control characters (PostgreSQL refuses NUL)
        ("a\x1fb\x85c", "a b c"),  # those that are whitespace are whitespace
    ],
)
def test_clean_text(value: object, expected: str) -> None:
    assert clean_text(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        ("", ""),
        ("第一行\r\n第二行", "第一行\n第二行"),
        ("第一行\r第二行", "第一行\n第二行"),
        ("  a  b  \n  c\u3000\u3000d  ", "a b\nc d"),
        ("a\n\nb", "a\n\nb"),  # paragraphs kept
        ("a\n\n\n  \n", "a"),  # trailing blank lines dropped
        ("\n\n  \na", "a"),  # leading blank lines dropped
        ("ＡＢ\r\n１２", "AB\n12"),
        ("a\u2028b", "a\nb"),  # Unicode line separator
        ("   ", ""),
        ("第一\x00行\r\n\x08第二行", "第一行\n第二行"),
    ],
)
def test_clean_multiline(value: object, expected: str) -> None:
    assert clean_multiline(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        ("张三", "张三"),
        ("张 三", "张三"),
        (" 张\u3000三 ", "张三"),
        ("阿依古丽·买买提", "阿依古丽·买买提"),
        ("阿依古丽•买买提", "阿依古丽·买买提"),  # bullet
        ("阿依古丽.买买提", "阿依古丽·买买提"),
        ("阿依古丽．买买提", "阿依古丽·买买提"),  # full-width full stop
        ("阿依古丽・买买提", "阿依古丽·买买提"),  # katakana middle dot
        ("阿依古丽･买买提", "阿依古丽·买买提"),  # half-width katakana middle dot
        ("阿依古丽‧买买提", "阿依古丽·买买提"),  # hyphenation point U+2027
        ("阿依古丽 · 买买提", "阿依古丽·买买提"),
        ("阿依古丽··买买提", "阿依古丽·买买提"),  # doubled separator once
        ("·阿依古丽·买买提·", "阿依古丽·买买提"),  # none at the ends
        ("ＺＨＡＮＧ", "ZHANG"),
    ],
)
def test_clean_name(value: object, expected: str) -> None:
    assert clean_name(value) == expected


def test_clean_identifier_drops_control_characters() -> None:
    assert clean_identifier("ad\x00min\r\n") == "admin"


def test_clean_name_uses_middle_dot_u00b7() -> None:
    assert clean_name("阿依古丽•买买提")[4] == "\u00b7"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("13800138000", "13800138000"),
        ("138 0013 8000", "13800138000"),
        ("138-0013-8000", "13800138000"),
        ("+86 138 0013 8000", "13800138000"),
        ("+8613800138000", "13800138000"),
        ("8613800138000", "13800138000"),
        ("0086 13800138000", "13800138000"),
        ("１３８００１３８０００", "13800138000"),
        ("19912345678", "19912345678"),
        (13800138000, "13800138000"),  # Excel number cell
        (13800138000.0, "13800138000"),
        ("0731-84567890", "0731-84567890"),
        ("073184567890", "0731-84567890"),
        ("(0731)84567890", "0731-84567890"),
        ("（0731）84567890", "0731-84567890"),
        ("0731-8456 7890", "0731-84567890"),
        ("0731 8456 7890", "0731-84567890"),
        ("０７３１－８４５６７８９０", "0731-84567890"),
        ("0731-8456789", "0731-8456789"),  # 7-digit local number
        ("010-62345678", "010-62345678"),
        ("01062345678", "010-62345678"),
        ("(010) 6234 5678", "010-62345678"),
        ("020-83456789", "020-83456789"),
        ("029-88888888", "029-88888888"),
        ("0371-6666666", "0371-6666666"),
        ("", ""),
        ("   ", ""),
        (None, ""),
    ],
)
def test_parse_phone_accepts(value: object, expected: str) -> None:
    assert parse_phone(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "1380013800",  # 10 digits
        "138001380001",  # 12 digits
        "12800138000",  # mobile numbers start 13-19
        "23800138000",
        "+87 13800138000",
        "0731-0456789",  # local numbers do not start with 0 or 1
        "0731-1456789",
        "0731-845678",  # local number too short
        "0731-845678901",  # too long
        "010-6234567890",
        "0731-84567890-123",  # extension after a hyphen
        "abc",
        "138OO138000",  # letter O
        True,
    ],
)
def test_parse_phone_refuses(value: object) -> None:
    with pytest.raises(InputError) as caught:
        parse_phone(value)
    assert str(caught.value) == PHONE_MESSAGE


def test_phone_message_names_both_kinds() -> None:
    assert PHONE_MESSAGE == "联系电话应为 11 位手机号或带区号的固定电话（如 0731-84567890）"


@pytest.mark.parametrize(
    "value", ["0731-84567890转123", "0731-84567890 ext 12", "0731-84567890 EXT.12", "84567890分机2"]
)
def test_parse_phone_refuses_extensions(value: str) -> None:
    with pytest.raises(InputError, match="不要填写分机号"):
        parse_phone(value)


@pytest.mark.parametrize("value", ["84567890", "8456 789", "8456-7890"])
def test_parse_phone_asks_for_area_code(value: str) -> None:
    with pytest.raises(InputError, match="请加上区号"):
        parse_phone(value)


D = datetime.date(1990, 5, 3)


@pytest.mark.parametrize(
    "value",
    [
        "1990-05-03",
        "1990-5-3",
        "1990.5.3",
        "1990.05.03",
        "1990/05/03",
        "1990/5/3",
        "1990年5月3日",
        "1990年05月03日",
        "1990年05月03号",
        "1990 年 5 月 3 日",
        "19900503",
        "１９９０－０５－０３",
        "１９９０年５月３日",
        "１９９０．５．３",
        "１９９００５０３",
        "  1990-05-03\t",
        "1990-05-03 00:00:00",  # as Excel and databases write a date with a time
        "1990-05-03T08:30",
        datetime.date(1990, 5, 3),
        datetime.datetime(1990, 5, 3, 14, 30),
        32996,  # Excel serial
        32996.5,  # with a time of day
    ],
)
def test_parse_date_accepts(value: object) -> None:
    assert parse_date(value) == D


@pytest.mark.parametrize("value", [None, "", "   ", "\u3000"])
def test_parse_date_empty(value: object) -> None:
    assert parse_date(value) is None


@pytest.mark.parametrize(
    ("serial", "expected"),
    [
        (1, datetime.date(1900, 1, 1)),
        (2, datetime.date(1900, 1, 2)),
        (59, datetime.date(1900, 2, 28)),
        (61, datetime.date(1900, 3, 1)),  # serial 60 is Excel's fictitious 1900-02-29
        (36526, datetime.date(2000, 1, 1)),
        (45292, datetime.date(2024, 1, 1)),
        (2958465, datetime.date(9999, 12, 31)),
        (45292.999, datetime.date(2024, 1, 1)),
    ],
)
def test_excel_serials(serial: float, expected: datetime.date) -> None:
    assert parse_date(serial) == expected
    assert excel_serial_to_date(serial) == expected


def test_excel_serial_60_does_not_exist() -> None:
    with pytest.raises(InputError) as caught:
        parse_date(60)
    assert "1900-02-29" in str(caught.value)
    assert "不存在" in str(caught.value)


@pytest.mark.parametrize("serial", [0, -1, 0.5, 2958466, float("nan"), float("inf")])
def test_excel_serial_out_of_range(serial: float) -> None:
    with pytest.raises(InputError, match="无法识别"):
        parse_date(serial)


def test_parse_date_refuses_bool() -> None:
    with pytest.raises(InputError, match="无法识别"):
        parse_date(True)


@pytest.mark.parametrize(
    "value",
    [
        "abc",
        "1990-5",
        "1990.05",
        "90-05-03",
        "1990-05-03-01",
        "199053",
        "1990年5月",
        "五月三日",
        "03/05/1990",
        "1990--05-03",
    ],
)
def test_parse_date_refuses_unreadable(value: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_date(value)
    assert str(caught.value) == f"日期“{value}”无法识别，请写成 1990-05-03 这样的格式"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("1990-02-30", "1990 年 2 月没有 30 日"),
        ("1990-04-31", "1990 年 4 月没有 31 日"),
        ("2023年2月29日", "2023 年 2 月没有 29 日"),
        ("19000229", "1900 年 2 月没有 29 日"),
        ("1990-13-01", "月份应在 1 到 12 之间"),
        ("1990-00-10", "月份应在 1 到 12 之间"),
        ("1990-05-00", "年和日都应从 1 开始"),
        ("0000-05-03", "年和日都应从 1 开始"),
    ],
)
def test_parse_date_refuses_dates_that_do_not_exist(value: str, reason: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_date(value)
    assert str(caught.value) == f"日期“{value}”不存在：{reason}，请核对"


def test_parse_date_leap_day_exists() -> None:
    assert parse_date("2000-02-29") == datetime.date(2000, 2, 29)


def test_parse_date_label_names_the_field() -> None:
    with pytest.raises(InputError, match="^出生日期“abc”无法识别"):
        parse_date("abc", label="出生日期")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        ("  ", None),
        (0, 0),
        (12, 12),
        (-3, -3),
        (12.0, 12),
        ("12", 12),
        (" 12 ", 12),
        ("1 2", 12),
        ("１２", 12),
        ("１ ２", 12),
        ("+5", 5),
        ("-5", -5),
        ("－５", -5),  # full-width minus sign
        ("12.0", 12),
        ("12.", 12),
        ("007", 7),
    ],
)
def test_parse_int_accepts(value: object, expected: int | None) -> None:
    assert parse_int(value) == expected


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("abc", "abc"),
        ("12a", "12a"),
        ("1.5", "1.5"),
        ("十二", "十二"),
        ("١٢", "١٢"),  # Arabic-Indic digits are not accepted
        ("1,000", "1,000"),
        ("--1", "--1"),
    ],
)
def test_parse_int_refuses_text(value: str, shown: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_int(value)
    assert str(caught.value) == f"数值“{shown}”不是整数，请填写阿拉伯数字（如 12）"


def test_parse_int_takes_up_to_18_digits() -> None:
    assert parse_int("9" * 18) == 10**18 - 1
    assert parse_int("0" * 30 + "12") == 12  # leading zeros are no size
    assert parse_int("-" + "9" * 18) == -(10**18 - 1)


@pytest.mark.parametrize("value", ["9" * 19, str(10**30), "-" + "9" * 19, "9" * 5000])
def test_parse_int_refuses_longer_numbers(value: str) -> None:
    # int() itself would refuse 5,000 digits, with a ValueError no message is made for.
    with pytest.raises(InputError) as caught:
        parse_int(value, label="容量")
    assert str(caught.value) == "容量的数字位数过多，请核对（最多 18 位）"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12", 12),
        (" 12 ", 12),
        ("１２", 12),  # full-width
        ("²", 2),  # NFKC reads a superscript two as 2, as parse_int does for every form
        ("\U00010a40", None),  # Kharoshthi one: str.isdigit() says yes, int() says no
        ("١٢", None),  # Arabic-Indic digits, which int() would take
        ("12.0", 12),
        (7, 7),
        (str(MAX_ID), MAX_ID),
        (str(MAX_ID + 1), None),  # no PostgreSQL integer column holds it
        (str(10**30), None),
        ("9" * 5000, None),
        ("0", None),
        ("-7", None),
        ("1.5", None),
        ("abc", None),
        ("1\r\n", 1),
        ("", None),
        (None, None),
        (True, None),
    ],
)
def test_parse_id(value: object, expected: int | None) -> None:
    assert parse_id(value) == expected


def test_parse_int_refuses_fractional_float() -> None:
    with pytest.raises(InputError, match="“1.5”不是整数"):
        parse_int(1.5)


def test_parse_int_refuses_bool() -> None:
    with pytest.raises(InputError, match="应为整数"):
        parse_int(True)


def test_parse_int_label_names_the_field() -> None:
    with pytest.raises(InputError, match="^工作年限“三年”不是整数"):
        parse_int("三年", label="工作年限")


def test_input_error_is_a_value_error_with_its_message() -> None:
    error = InputError("请核对")
    assert isinstance(error, ValueError)
    assert str(error) == "请核对"
    assert error.message == "请核对"
