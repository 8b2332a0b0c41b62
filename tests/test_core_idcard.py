"""Resident identity numbers: normalising, check character, parsing, refusals, masking."""

from __future__ import annotations

import dataclasses
import datetime

import pytest

from app.core.idcard import (
    IdInfo,
    IdNumberError,
    checksum_char,
    make_id_number,
    mask_id_number,
    normalize_id_number,
    parse_id_number,
)

# Published example of a valid number (GB 11643-1999 annex): Beijing, 1949-12-31, female.
PUBLISHED = "11010519491231002X"
TODAY = datetime.date(2024, 6, 1)


def valid(
    region: str = "430102", birth: datetime.date = datetime.date(1990, 5, 3), sex: str = "M"
) -> str:
    return make_id_number(region, birth, 123, sex)


def with_last(number: str, last: str) -> str:
    return number[:17] + last


def wrong_check(number: str) -> tuple[str, str]:
    """The number with a wrong last character, and the character it should have."""
    right = number[17]
    wrong = "0" if right != "0" else "1"
    return with_last(number, wrong), right


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("11010519491231002X", "11010519491231002X"),
        ("11010519491231002x", "11010519491231002X"),
        ("１１０１０５１９４９１２３１００２Ｘ", "11010519491231002X"),
        ("１１０１０５１９４９１２３１００２ｘ", "11010519491231002X"),
        (" 110105 19491231 002X\t\n", "11010519491231002X"),
        ("110105\u300019491231002x\u3000", "11010519491231002X"),
        ("", ""),
        (None, ""),
        ("x1234", "x1234"),  # only a trailing x is upper-cased
    ],
)
def test_normalize_id_number(raw: str | None, expected: str) -> None:
    assert normalize_id_number(raw) == expected


@pytest.mark.parametrize(
    ("body17", "expected"),
    [
        ("11010519491231002", "X"),
        ("44052418800101001", "4"),  # another published example
        ("00000000000000000", "1"),  # sum 0 -> remainder 0 -> '1'
        ("10000000000000000", "5"),  # 1 * weight 7 -> remainder 7 -> '5'
    ],
)
def test_checksum_char_known_values(body17: str, expected: str) -> None:
    assert checksum_char(body17) == expected


@pytest.mark.parametrize("remainder", range(11))
def test_checksum_char_covers_every_remainder(remainder: int) -> None:
    # The last weight is 2 and 2*k mod 11 takes every value, so vary digit 17 and digit 16
    # (weight 4) to reach each remainder, then compare with the MOD 11-2 table.
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    for tail in range(100):
        body = f"110105199001010{tail:02d}"
        total = sum(int(d) * w for d, w in zip(body, weights, strict=True))
        if total % 11 == remainder:
            assert checksum_char(body) == "10X98765432"[remainder]
            return
    pytest.fail(f"no body found for remainder {remainder}")


@pytest.mark.parametrize(
    "body17", ["", "1234567890123456", "123456789012345678", "1101051949123100X"]
)
def test_checksum_char_needs_17_digits(body17: str) -> None:
    with pytest.raises(IdNumberError, match="17 位数字"):
        checksum_char(body17)


def test_parse_published_example() -> None:
    info = parse_id_number(PUBLISHED, today=TODAY)
    assert info == IdInfo(number=PUBLISHED, birth_date=datetime.date(1949, 12, 31), sex="F")


def test_parse_normalises_before_checking() -> None:
    info = parse_id_number(" １１０１０５ １９４９１２３１ ００２ｘ ", today=TODAY)
    assert info.number == PUBLISHED


def test_parse_uses_today_by_default() -> None:
    assert parse_id_number(PUBLISHED).birth_date == datetime.date(1949, 12, 31)


def test_id_info_is_frozen() -> None:
    info = parse_id_number(PUBLISHED, today=TODAY)
    with pytest.raises(dataclasses.FrozenInstanceError):
        info.sex = "M"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("region", "birth", "sex"),
    [
        ("430102", datetime.date(1990, 5, 3), "M"),
        ("430102", datetime.date(1990, 5, 3), "F"),
        ("110101", datetime.date(1900, 1, 1), "F"),
        ("650102", datetime.date(2000, 2, 29), "M"),
        ("810000", datetime.date(1985, 12, 31), "F"),
        ("820000", datetime.date(1970, 7, 1), "M"),
        ("710000", datetime.date(1960, 1, 15), "F"),
        ("830000", datetime.date(1999, 9, 9), "M"),
        ("540102", TODAY, "M"),
    ],
)
def test_parse_made_numbers(region: str, birth: datetime.date, sex: str) -> None:
    number = make_id_number(region, birth, 123, sex)
    info = parse_id_number(number, today=TODAY)
    assert info == IdInfo(number=number, birth_date=birth, sex=sex)


def test_every_check_character_is_accepted() -> None:
    seen = set()
    for seq in range(200):
        number = make_id_number("430102", datetime.date(1990, 5, 3), seq, "M" if seq % 2 else "F")
        parse_id_number(number, today=TODAY)
        seen.add(number[17])
    assert seen == set("0123456789X")


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("", "请填写身份证号"),
        ("   ", "请填写身份证号"),
        (None, "请填写身份证号"),
        ("110105491231002", "15 位旧身份证号已停用，请填写 18 位身份证号"),
        ("１１０１０５４９１２３１００２", "15 位旧身份证号已停用"),
        ("1101051949123100", "现在填写了 16 位"),
        ("11010519491231002X1", "现在填写了 19 位"),
        ("1", "现在填写了 1 位"),
        ("11010519491231002Y", "第 18 位“Y”无效"),
        ("1101051949123100X2", "第 17 位“X”无效"),
        ("11010519491231O02X", "第 15 位“O”无效"),
        ("11-105194912310020", "第 3 位“-”无效"),
        ("A1010519491231002X", "第 1 位“A”无效"),
    ],
)
def test_parse_refusals_of_form(raw: str | None, fragment: str) -> None:
    with pytest.raises(IdNumberError) as caught:
        parse_id_number(raw, today=TODAY)
    assert fragment in str(caught.value)


def test_non_digit_message_says_only_the_last_may_be_x() -> None:
    with pytest.raises(IdNumberError, match="仅最后一位可以是 X"):
        parse_id_number("11010519491231002Y", today=TODAY)


@pytest.mark.parametrize(
    "region",
    [
        "000000",
        "010105",
        "100000",
        "160000",
        "200000",
        "240000",
        "300000",
        "380000",
        "470000",
        "490000",
        "550000",
        "600000",
        "660000",
        "700000",
        "720000",
        "800000",
        "840000",
        "900000",
        "990000",
    ],
)
def test_parse_refuses_unknown_province(region: str) -> None:
    number = make_id_number(region, datetime.date(1990, 5, 3), 1, "M")
    with pytest.raises(IdNumberError) as caught:
        parse_id_number(number, today=TODAY)
    message = str(caught.value)
    assert f"前两位“{region[:2]}”" in message
    assert "省级行政区划代码" in message


@pytest.mark.parametrize(
    "province",
    [
        "11",
        "15",
        "21",
        "23",
        "31",
        "37",
        "41",
        "46",
        "50",
        "54",
        "61",
        "65",
        "71",
        "81",
        "82",
        "83",
    ],
)
def test_parse_accepts_every_province_range_end(province: str) -> None:
    number = make_id_number(province + "0101", datetime.date(1990, 5, 3), 1, "M")
    assert parse_id_number(number, today=TODAY).number == number


def impossible_date_number(yyyymmdd: str) -> str:
    body = f"430102{yyyymmdd}123"
    return body + checksum_char(body)


@pytest.mark.parametrize(
    "yyyymmdd",
    [
        "19900230",
        "19900431",
        "19901301",
        "19900001",
        "19900100",
        "19000229",
        "20230229",
        "00000101",
    ],
)
def test_parse_refuses_dates_that_do_not_exist(yyyymmdd: str) -> None:
    with pytest.raises(IdNumberError) as caught:
        parse_id_number(impossible_date_number(yyyymmdd), today=TODAY)
    message = str(caught.value)
    assert f"出生日期“{yyyymmdd}”" in message
    assert "不是真实存在的日期" in message


def test_parse_refuses_birth_before_1900() -> None:
    number = make_id_number("430102", datetime.date(1899, 12, 31), 1, "M")
    with pytest.raises(IdNumberError, match="1899-12-31 早于 1900 年 1 月 1 日"):
        parse_id_number(number, today=TODAY)


def test_parse_refuses_birth_after_today() -> None:
    number = make_id_number("430102", TODAY + datetime.timedelta(days=1), 1, "M")
    with pytest.raises(IdNumberError, match="2024-06-02 晚于今天"):
        parse_id_number(number, today=TODAY)


@pytest.mark.parametrize(
    "number",
    [PUBLISHED, valid(), valid(sex="F"), valid("110101", datetime.date(1961, 10, 1))],
)
def test_parse_refuses_wrong_check_character(number: str) -> None:
    bad, right = wrong_check(number)
    with pytest.raises(IdNumberError) as caught:
        parse_id_number(bad, today=TODAY)
    assert str(caught.value) == f"校验位错误：按前 17 位计算，末位应为 {right}，请核对"


def test_check_character_message_says_x() -> None:
    with pytest.raises(IdNumberError, match="末位应为 X"):
        parse_id_number(with_last(PUBLISHED, "0"), today=TODAY)


def test_id_number_error_is_a_value_error_with_its_message() -> None:
    error = IdNumberError("请填写身份证号")
    assert isinstance(error, ValueError)
    assert str(error) == "请填写身份证号"
    assert error.message == "请填写身份证号"


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        ("11010519491231002X", "1101**********002X"),
        ("430102199005031234", "4301**********1234"),
        ("4301021990050312345", "4301**********2345"),  # longer: still a fixed 10 asterisks
        ("110105491231002", "***********1002"),  # 15 digits: last 4 only
        ("12345", "*2345"),
        ("1234", "****"),
        ("12", "**"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_id_number(number: str | None, expected: str) -> None:
    assert mask_id_number(number) == expected


@pytest.mark.parametrize(
    ("seq3", "sex", "expected_seq"),
    [
        (0, "F", "000"),
        (0, "M", "001"),
        (1, "F", "000"),
        (1, "M", "001"),
        (122, "M", "123"),
        (123, "F", "122"),
        (998, "M", "999"),
        (999, "M", "999"),
        (999, "F", "998"),
    ],
)
def test_make_id_number_sequence_parity(seq3: int, sex: str, expected_seq: str) -> None:
    number = make_id_number("430102", datetime.date(1990, 5, 3), seq3, sex)
    assert number[:14] == "43010219900503"
    assert number[14:17] == expected_seq
    assert number[17] == checksum_char(number[:17])
    assert parse_id_number(number, today=TODAY).sex == sex


def test_make_id_number_pads_early_years() -> None:
    number = make_id_number("430102", datetime.date(1900, 1, 1), 5, "M")
    assert number[6:14] == "19000101"


@pytest.mark.parametrize(
    ("region", "seq3", "sex"),
    [
        ("43010", 1, "M"),
        ("4301021", 1, "M"),
        ("43O102", 1, "M"),
        ("430102", -1, "M"),
        ("430102", 1000, "M"),
        ("430102", 1, "m"),
        ("430102", 1, "男"),
    ],
)
def test_make_id_number_refuses_bad_arguments(region: str, seq3: int, sex: str) -> None:
    with pytest.raises(ValueError):
        make_id_number(region, datetime.date(1990, 5, 3), seq3, sex)
