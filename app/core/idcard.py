"""Chinese resident identity numbers (公民身份号码, GB 11643-1999).

An 18-character number is: 6-digit region code, 8-digit birth date (YYYYMMDD), 3-digit
sequence code (odd for men, even for women) and an ISO 7064 MOD 11-2 check character.
Everything here is pure: no Flask, no database.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass

from app.core import clock

# ISO 7064 MOD 11-2 weights (2**(17 - i) mod 11) and the check character for each remainder.
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"

# Province-level codes (GB/T 2260); 71 Taiwan, 81 Hong Kong, 82 Macao, 83 Taiwan residents
# holding mainland residence permits. Every code starts with 1-8, so this also checks digit 1.
PROVINCE_CODES = frozenset(
    [f"{n}" for n in range(11, 16)]
    + [f"{n}" for n in range(21, 24)]
    + [f"{n}" for n in range(31, 38)]
    + [f"{n}" for n in range(41, 47)]
    + [f"{n}" for n in range(50, 55)]
    + [f"{n}" for n in range(61, 66)]
    + ["71", "81", "82", "83"]
)

EARLIEST_BIRTH = datetime.date(1900, 1, 1)

_DIGITS17 = re.compile(r"[0-9]{17}")


class IdNumberError(ValueError):
    """A refused identity number; ``str(error)`` is the Chinese message for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class IdInfo:
    """What a valid identity number tells: the normalised number, birth date and sex."""

    number: str
    birth_date: datetime.date
    sex: str  # 'M' or 'F'


def normalize_id_number(raw: str | None) -> str:
    """Full-width to ASCII (NFKC), no whitespace anywhere, a trailing x upper-cased."""
    if not raw:
        return ""
    text = "".join(unicodedata.normalize("NFKC", str(raw)).split())
    if text.endswith("x"):
        text = text[:-1] + "X"
    return text


def checksum_char(body17: str) -> str:
    """The ISO 7064 MOD 11-2 check character ('0'-'9' or 'X') for the first 17 digits."""
    if not _DIGITS17.fullmatch(body17):
        raise IdNumberError(f"计算校验位需要 17 位数字，收到的是“{body17}”")
    total = sum(int(d) * w for d, w in zip(body17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def parse_id_number(raw: str | None, *, today: datetime.date | None = None) -> IdInfo:
    """Validate an identity number and read its birth date and sex.

    ``today`` bounds the birth date (default: the current date); tests pass a fixed day.
    Raises IdNumberError with a message saying what is wrong and how to fix it.
    """
    number = normalize_id_number(raw)
    if not number:
        raise IdNumberError("请填写身份证号")
    if len(number) == 15 and number.isascii() and number.isdigit():
        raise IdNumberError("15 位旧身份证号已停用，请填写 18 位身份证号")
    if len(number) != 18:
        raise IdNumberError(f"身份证号应为 18 位，现在填写了 {len(number)} 位，请核对")
    for position, char in enumerate(number, start=1):
        if "0" <= char <= "9" or (position == 18 and char == "X"):
            continue
        raise IdNumberError(
            f"身份证号第 {position} 位“{char}”无效：只能是数字，仅最后一位可以是 X，请核对"
        )

    province = number[:2]
    if province not in PROVINCE_CODES:
        raise IdNumberError(f"身份证号前两位“{province}”不是有效的省级行政区划代码，请核对")

    birth_text = number[6:14]
    try:
        birth = datetime.date(int(birth_text[:4]), int(birth_text[4:6]), int(birth_text[6:]))
    except ValueError:
        raise IdNumberError(
            f"身份证号第 7–14 位的出生日期“{birth_text}”不是真实存在的日期，请核对"
        ) from None
    if birth < EARLIEST_BIRTH:
        raise IdNumberError(
            f"身份证号中的出生日期 {birth.isoformat()} 早于 1900 年 1 月 1 日，请核对"
        )
    if today is None:
        today = clock.today()
    if birth > today:
        raise IdNumberError(f"身份证号中的出生日期 {birth.isoformat()} 晚于今天，请核对")

    expected = checksum_char(number[:17])
    if number[17] != expected:
        raise IdNumberError(f"校验位错误：按前 17 位计算，末位应为 {expected}，请核对")

    sex = "M" if int(number[16]) % 2 else "F"
    return IdInfo(number=number, birth_date=birth, sex=sex)


def mask_id_number(number: str | None) -> str:
    """Hide the middle of a number for lists and exports: '4401**********1234'.

    18 or more characters keep the first and last 4 around a fixed 10 asterisks (so the
    mask does not reveal the length); shorter strings keep only the last 4, and strings of
    4 or fewer are masked entirely, since showing "the last 4" would show everything.
    """
    if not number:
        return ""
    if len(number) >= 18:
        return f"{number[:4]}{'*' * 10}{number[-4:]}"
    if len(number) <= 4:
        return "*" * len(number)
    return "*" * (len(number) - 4) + number[-4:]


def make_id_number(region6: str, birth: datetime.date, seq3: int, sex: str) -> str:
    """Build a valid 18-character number, for demo data and tests.

    The sequence code's parity must match ``sex``, so ``seq3`` (0-999) is adjusted as
    ``(seq3 // 2) * 2 + (1 if sex == 'M' else 0)``: rounded down to even, plus one for men.
    That stays within 0..999 (999 -> 999 for 'M', 998 for 'F'; 0 -> 1 for 'M', 0 for 'F').
    """
    if not re.fullmatch(r"[0-9]{6}", region6):
        raise ValueError(f"region6 must be 6 digits, got {region6!r}")
    if not 0 <= seq3 <= 999:
        raise ValueError(f"seq3 must be within 0..999, got {seq3}")
    if sex not in ("M", "F"):
        raise ValueError(f"sex must be 'M' or 'F', got {sex!r}")
    seq = (seq3 // 2) * 2 + (1 if sex == "M" else 0)
    body = f"{region6}{birth.year:04d}{birth.month:02d}{birth.day:02d}{seq:03d}"
    return body + checksum_char(body)
