"""Assessment periods: what a secretary types (2025年第3季度, 2025年5月, 2025) made one form.

平时考核 covers a quarter, a month or a half year; 年终考核 a year. ``parse_period`` reads the
common written forms (full-width digits, Chinese quarter numerals, ``2025Q3``, ``2025-05``) and
returns the canonical name with the dates it covers; ``InputError`` says in Chinese what to
write instead.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from app.core.normalize import InputError, clean_text

FIRST_YEAR = 2000
_QUARTER_NUMERALS = {"一": 1, "二": 2, "三": 3, "四": 4}

_QUARTER = re.compile(r"(\d{4})年?(?:第)?([1-4一二三四])季度?|(\d{4})-?q([1-4])", re.IGNORECASE)
_MONTH = re.compile(r"(\d{4})(?:年(\d{1,2})月份?|[-./](\d{1,2})月?)")
_HALF = re.compile(r"(\d{4})年?(上|下)半年度?")
_YEAR = re.compile(r"(\d{4})(?:年度?)?")

REGULAR_HINT = "如 2025年第3季度、2025年5月、2025年上半年"
ANNUAL_HINT = "如 2025"


@dataclass(frozen=True)
class Period:
    name: str  # canonical: 2025年第3季度 / 2025年5月 / 2025年上半年 / 2025年度
    year: int
    start: dt.date
    end: dt.date


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _compact(text: object) -> str:
    return "".join(clean_text(text).split())


def _regular(text: str) -> Period | None:
    if match := _QUARTER.fullmatch(text):
        year = int(match.group(1) or match.group(3))
        raw = match.group(2) or match.group(4)
        quarter = _QUARTER_NUMERALS.get(raw) or int(raw)
        first = 3 * quarter - 2
        return Period(
            f"{year}年第{quarter}季度", year, dt.date(year, first, 1), _month_end(year, first + 2)
        )
    if match := _MONTH.fullmatch(text):
        year, month = int(match.group(1)), int(match.group(2) or match.group(3))
        if not 1 <= month <= 12:
            raise InputError(f"考核期间“{text}”的月份应在 1 到 12 之间，请核对")
        return Period(f"{year}年{month}月", year, dt.date(year, month, 1), _month_end(year, month))
    if match := _HALF.fullmatch(text):
        year, half = int(match.group(1)), match.group(2)
        first = 1 if half == "上" else 7
        return Period(
            f"{year}年{half}半年", year, dt.date(year, first, 1), _month_end(year, first + 5)
        )
    return None


def parse_period(kind: str, raw: object, *, today: dt.date) -> Period:
    """The period of a 平时考核 (``regular``) or 年终考核 (``annual``)."""
    text = _compact(raw)
    if not text:
        if kind == "annual":
            raise InputError(f"请填写年终考核的年度，{ANNUAL_HINT}")
        raise InputError(f"请填写平时考核的考核期间，{REGULAR_HINT}")
    if kind == "annual":
        match = _YEAR.fullmatch(text)
        if match is None:
            raise InputError(f"年终考核的考核期间请只填写年份，{ANNUAL_HINT}（填写的是“{text}”）")
        year = int(match.group(1))
        period = Period(f"{year}年度", year, dt.date(year, 1, 1), dt.date(year, 12, 31))
    else:
        period = _regular(text)
        if period is None:
            if _YEAR.fullmatch(text):
                raise InputError(
                    f"平时考核请写明季度或月份，{REGULAR_HINT}；全年的考核请选择“年终考核”"
                )
            raise InputError(f"考核期间“{text}”无法识别，请写成 {REGULAR_HINT.removeprefix('如 ')}")
    if not FIRST_YEAR <= period.year <= today.year:
        raise InputError(
            f"考核年度应在 {FIRST_YEAR} 年到 {today.year} 年之间（填写的是 {period.year} 年）"
        )
    if period.start > today:
        raise InputError(f"考核期间“{period.name}”尚未开始，请核对")
    return period


def default_period(kind: str, today: dt.date) -> str:
    """What the form suggests: the last finished quarter, or the year just ending or ended."""
    if kind == "annual":
        return str(today.year if today.month >= 11 else today.year - 1)
    quarter = (today.month - 1) // 3  # the quarter before this one (0: last year's 4th)
    if quarter == 0:
        return f"{today.year - 1}年第4季度"
    return f"{today.year}年第{quarter}季度"
