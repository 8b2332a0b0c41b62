"""Cleaning what clerks paste or import: text, names, phone numbers, dates and integers.

Input arrives from forms, Word documents and Excel cells, so it carries full-width
characters (digits and letters become ASCII; in prose, Chinese punctuation stays), stray
whitespace, Excel date serials and numbers stored as floats. Refusals raise InputError
with a Chinese message for the user.
"""

from __future__ import annotations

import datetime
import re
import unicodedata


class InputError(ValueError):
    """A refused input value; ``str(error)`` is the Chinese message for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


# Invisible characters that come along with pasted text (zero-width space and joiners, word
# joiner, and the byte-order mark Excel puts at the start of CSV files). NFKC keeps them.
# So are the control characters that are not whitespace (whitespace is collapsed): none
# belongs in typed text, and PostgreSQL refuses a text value holding NUL outright.
_CONTROLS = [c for c in [*range(0x20), *range(0x7F, 0xA0)] if not chr(c).isspace()]
_INVISIBLE = dict.fromkeys([*map(ord, "\u200b\u200c\u200d\u2060\ufeff"), *_CONTROLS])


def _nfkc(value: object) -> str:
    text = value if isinstance(value, str) else str(value)
    return unicodedata.normalize("NFKC", text).translate(_INVISIBLE)


# Full-width digits and Latin letters (and the ideographic space) as ASCII; Chinese
# punctuation (，：（）) is left as written — it belongs in Chinese prose.
_FULL_WIDTH = {
    **{code: code - 0xFEE0 for code in range(0xFF10, 0xFF1A)},
    **{code: code - 0xFEE0 for code in range(0xFF21, 0xFF3B)},
    **{code: code - 0xFEE0 for code in range(0xFF41, 0xFF5B)},
    0x3000: 0x20,
} | _INVISIBLE


def _compact(value: object) -> str:
    """For values with a fixed form (names, phones, dates, numbers): full NFKC, so that
    full-width brackets and stops too become ASCII; whitespace runs become one space."""
    if value is None:
        return ""
    return " ".join(_nfkc(value).split())


def _fold(value: object) -> str:
    text = value if isinstance(value, str) else str(value)
    return text.translate(_FULL_WIDTH)


def clean_text(value: object) -> str:
    """One line of prose: full-width digits and letters as ASCII, stripped, every whitespace
    run (U+3000, tabs, newlines) one space. Chinese punctuation stays as typed."""
    if value is None:
        return ""
    return " ".join(_fold(value).split())


def clean_identifier(value: object) -> str:
    """A login name or code: NFKC (full-width ＿ and ． too), no whitespace at all."""
    return "".join(_compact(value).split())


def clean_multiline(value: object) -> str:
    """Like clean_text, but line breaks stay: each line cleaned, leading/trailing blank lines
    dropped. '\\r\\n', '\\r' and Unicode line separators all become '\\n'."""
    if value is None:
        return ""
    lines = [" ".join(line.split()) for line in _fold(value).splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    while lines and not lines[0]:
        lines.pop(0)
    return "\n".join(lines)


# Separators written between the parts of minority names (阿依古丽·买买提): bullet, full stop,
# full-width full stop (NFKC: '.'), katakana middle dot (and its half-width form, NFKC: '・'),
# hyphenation point, bullet/dot operators and the middle dot itself.
_NAME_SEPARATORS = re.compile("[\u2022.\u30fb\u2027\u2219\u22c5\u00b7]+")


def clean_name(value: object) -> str:
    """A person's name: clean_text without any whitespace ('张 三' -> '张三') and every
    separator of a minority name written as '·' (U+00B7), once, never at either end."""
    text = "".join(_compact(value).split())
    return _NAME_SEPARATORS.sub("·", text).strip("·")


PHONE_MESSAGE = "联系电话应为 11 位手机号或带区号的固定电话（如 0731-84567890）"
_PHONE_SEPARATORS = re.compile(r"[\s\-()]+")
_MOBILE = re.compile(r"(?:\+?86|0086)?(1[3-9][0-9]{9})")
# 010 and 020-029 have a 3-digit area code (with the 0); every other area code has 4 digits.
# Local numbers have 7 or 8 digits and never start with 0 or 1.
_LANDLINE = re.compile(r"(010|02[0-9]|0[3-9][0-9]{2})([2-9][0-9]{6,7})")
_LOCAL_ONLY = re.compile(r"[2-9][0-9]{6,7}")
_EXTENSION = re.compile(r"转|ext|分机", re.IGNORECASE)


def parse_phone(value: object) -> str:
    """A mobile as 11 digits ('13800138000') or a landline as 'area-number' ('0731-84567890').

    Accepts full-width digits, spaces, hyphens and brackets, and a +86/86/0086 prefix on
    mobiles; Excel numbers (13800138000.0) too. Empty gives ''. Extensions are refused.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        raise InputError(PHONE_MESSAGE)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = _compact(value)
    if not text:
        return ""
    if _EXTENSION.search(text):
        raise InputError("联系电话请不要填写分机号，只填区号和号码（如 0731-84567890）")
    digits = _PHONE_SEPARATORS.sub("", text)
    if match := _MOBILE.fullmatch(digits):
        return match.group(1)
    if match := _LANDLINE.fullmatch(digits):
        return f"{match.group(1)}-{match.group(2)}"
    if _LOCAL_ONLY.fullmatch(digits):
        raise InputError("固定电话请加上区号（如 0731-84567890）")
    raise InputError(PHONE_MESSAGE)


# Excel's 1900 date system: serial 1 is 1900-01-01 and serial 60 is the 1900-02-29 that
# never was (Lotus 1-2-3 treated 1900 as a leap year). Serials from 61 on are therefore one
# day ahead of a plain count from 1899-12-31, and count from 1899-12-30 instead.
EXCEL_MAX_SERIAL = 2958465  # 9999-12-31
_EXCEL_BASE_EARLY = datetime.date(1899, 12, 31)
_EXCEL_BASE = datetime.date(1899, 12, 30)

_DATE_YMD = re.compile(
    r"([0-9]{4})\s*[-./年]\s*([0-9]{1,2})\s*[-./月]\s*([0-9]{1,2})\s*[日号]?"
    # A time of day after the date, as Excel and databases write it, is ignored.
    r"(?:[ T][0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)?"
)
_DATE_COMPACT = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})")


def excel_serial_to_date(serial: float, *, label: str = "日期") -> datetime.date:
    """The date of an Excel (1900 date system) serial number; the time of day is dropped."""
    # Compared before int() so that NaN and infinities are refused, not crashed on.
    if not 1 <= serial < EXCEL_MAX_SERIAL + 1:
        raise InputError(f"{label}“{serial}”无法识别，请写成 1990-05-03 这样的格式")
    day = int(serial)
    if day == 60:
        raise InputError(f"{label}“1900-02-29”不存在（1900 年不是闰年），请核对")
    base = _EXCEL_BASE_EARLY if day < 60 else _EXCEL_BASE
    return base + datetime.timedelta(days=day)


def parse_date(value: object, *, label: str = "日期") -> datetime.date | None:
    """A date from a form or Excel cell: date/datetime objects, Excel serials, and text
    such as '1990-05-03', '1990-5-3', '1990.5.3', '1990/05/03', '1990年5月3日', '19900503'.

    ``label`` names the field in messages ('出生日期'). None or '' gives None.
    """
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return excel_serial_to_date(value, label=label)
    text = _compact(value)
    if not text:
        return None
    match = _DATE_YMD.fullmatch(text) or _DATE_COMPACT.fullmatch(text)
    if not match:
        raise InputError(f"{label}“{text}”无法识别，请写成 1990-05-03 这样的格式")
    year, month, day = (int(part) for part in match.groups())
    try:
        return datetime.date(year, month, day)
    except ValueError:
        if not 1 <= month <= 12:
            reason = "月份应在 1 到 12 之间"
        elif year >= 1 and day >= 1:
            reason = f"{year} 年 {month} 月没有 {day} 日"
        else:
            reason = "年和日都应从 1 开始"
        raise InputError(f"{label}“{text}”不存在：{reason}，请核对") from None


_INTEGER = re.compile(r"[+-]?[0-9]+(?:\.0*)?")
# More digits than any integer column holds (a signed 64-bit one holds 18 in full). Refused
# before int(), which itself refuses numbers of over 4,300 digits with a bare ValueError.
MAX_DIGITS = 18
# The largest id there can be: PostgreSQL's integer columns hold 32 bits.
MAX_ID = 2**31 - 1


def parse_int(value: object, *, label: str = "数值") -> int | None:
    """An integer from a form or Excel cell, tolerating full-width digits and spaces
    ('１ ２' -> 12) and Excel's '12.0'. None or '' gives None."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise InputError(f"{label}应为整数，请填写数字（如 12）")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise InputError(f"{label}“{value:g}”不是整数，请填写整数（如 12）")
    text = "".join(_compact(value).split())
    if not text:
        return None
    if not _INTEGER.fullmatch(text):
        raise InputError(f"{label}“{text}”不是整数，请填写阿拉伯数字（如 12）")
    digits = text.split(".")[0]
    if len(digits.lstrip("+-").lstrip("0")) > MAX_DIGITS:
        raise InputError(f"{label}的数字位数过多，请核对（最多 {MAX_DIGITS} 位）")
    return int(digits)


def parse_id(value: object) -> int | None:
    """A record's id (or a page number) from a query parameter or a form's select: a whole
    number from 1 to MAX_ID, else None.

    Lenient on purpose: a filter or link whose value cannot be an id is simply not applied, and
    a missing record is the caller's 404. ``str.isdigit`` is no test for this: it takes '²' and
    '𐩀' for digits, which ``int`` refuses, and no length is too long for it.
    """
    try:
        number = parse_int(value)
    except InputError:
        return None
    return number if number is not None and 1 <= number <= MAX_ID else None
