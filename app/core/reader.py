"""The one reader of typed input: raw values from a form or a sheet row in, typed values and a
Chinese message per field out.

Every area's ``checks`` reads its fields with a ``Reader``, so that a date, a choice or an
over-long text is read, and refused, the same way and in the same words everywhere::

    r = Reader(raw)
    r.text("name", "计划名称", limit=100)
    r.date("start_on", "开始日期")
    r.date("end_on", "结束日期")
    r.span("start_on", "end_on")
    return r.checked()

Each method stores the typed value under its key and returns it. A field keeps one message,
the first thing found wrong with it, and a field with a message has the value None. The reader
only parses: rules across fields, and rules that read other rows (scoping, clashes), stay with
the area, which adds its own messages with ``fail``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from app.core.checks import Checked
from app.core.codes import LabeledEnum
from app.core.idcard import IdInfo, IdNumberError, normalize_id_number, parse_id_number
from app.core.normalize import (
    InputError,
    clean_multiline,
    clean_name,
    clean_text,
    parse_date,
    parse_id,
    parse_int,
    parse_phone,
)

T = TypeVar("T")
E = TypeVar("E", bound=LabeledEnum)

# Every message the reader gives, in one place. ``label`` is the field's name as the form shows
# it; a ``hint`` says what to write ("，如 太平村、镇党政办"). The normalisers word the refusals
# of the values themselves ("出生日期“去年”无法识别…").
MISSING = "请填写{label}{hint}"
UNCHOSEN = "请选择{label}{hint}"
GONE = "所选{label}不存在，请重新选择"
NOT_A_CHOICE = "“{text}”不是有效的{label}，可选：{options}"
TOO_LONG = "{label}过长，最多 {limit} 个字（现有 {length} 个字）"
OUT_OF_RANGE = "{label}应在 {low} 到 {high} 之间（填写的是 {value}）"
WHOLE_NUMBER = "（{low} 到 {high} 的整数）"
AFTER_TODAY = "{label}不能晚于今天（{today:%Y-%m-%d}）"
TOO_EARLY = "{label}“{value:%Y-%m-%d}”过早，请核对（应不早于 {earliest:%Y-%m-%d}）"
END_BEFORE_START = "结束日期不能早于开始日期（{start:%Y-%m-%d}）"
MASKED_NUMBER = "{label}中的“*”是隐去的数字，无法保存：请填写完整的 18 位身份证号"
DATE_HINT = "，如 2025-03-01"

NAME_LIMIT = 40
# A choice's message lists at most this many labels: 56 民族 would drown the message.
OPTIONS_SHOWN = 12


def _options_text(codes: type[LabeledEnum]) -> str:
    labels = codes.labels()
    shown = "、".join(labels[:OPTIONS_SHOWN])
    return shown + ("等" if len(labels) > OPTIONS_SHOWN else "")


class Reader:
    """Reads the fields of one raw record (a form's ``data``, an import row's dict)."""

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.raw = raw
        self.values: dict[str, Any] = {}
        self.errors: dict[str, str] = {}

    def checked(self) -> Checked:
        return Checked(self.values, self.errors)

    def fail(self, key: str, message: str) -> None:
        """A message at a field, unless it has one already: the first thing wrong is the one
        the user fixes first, and a field shows one message."""
        self.errors.setdefault(key, message)
        self.values[key] = None

    def read(self, key: str, parse: Callable[[Any], T]) -> T | None:
        """The field as ``parse`` reads it; a parse that raises ``InputError`` gives its message.
        For a value an area reads its own way (hours, an assessment period)."""
        try:
            value = parse(self.raw.get(key))
        except InputError as exc:
            self.fail(key, str(exc))
            return None
        self.values[key] = value
        return value

    # ---- text ----------------------------------------------------------------------------------

    def text(
        self,
        key: str,
        label: str,
        *,
        limit: int,
        required: bool = True,
        multiline: bool = False,
        hint: str = "",
    ) -> str | None:
        """Prose as typed (Chinese punctuation kept); ``multiline`` keeps its line breaks."""
        clean = clean_multiline if multiline else clean_text
        return self.read(key, lambda raw: _sized(clean(raw), label, limit, required, hint))

    def name(self, key: str, label: str = "姓名", *, required: bool = True) -> str | None:
        """A person's name: no spaces, one '·' between the parts of a minority name."""
        return self.read(key, lambda raw: _sized(clean_name(raw), label, NAME_LIMIT, required, ""))

    # ---- numbers and dates ---------------------------------------------------------------------

    def integer(
        self,
        key: str,
        label: str,
        *,
        required: bool = True,
        default: int | None = None,
        between: tuple[int, int] | None = None,
    ) -> int | None:
        """A whole number; ``between`` (low, high) bounds it, both ends allowed; a blank field
        is ``default`` when one is given."""

        def parse(raw: Any) -> int | None:
            value = parse_int(raw, label=label)
            if value is None:
                hint = WHOLE_NUMBER.format(low=between[0], high=between[1]) if between else ""
                return _blank(default, required, MISSING.format(label=label, hint=hint))
            if between and not between[0] <= value <= between[1]:
                low, high = between
                raise InputError(OUT_OF_RANGE.format(label=label, low=low, high=high, value=value))
            return value

        return self.read(key, parse)

    def date(
        self,
        key: str,
        label: str,
        *,
        required: bool = True,
        default: dt.date | None = None,
        today: dt.date | None = None,
        earliest: dt.date | None = None,
        hint: str = DATE_HINT,
    ) -> dt.date | None:
        """A date as clerks write it ('2025-3-1', '2025年3月1日', an Excel serial). Given
        ``today``, a later date is refused (a thing that has happened); given ``earliest``, an
        earlier one."""

        def parse(raw: Any) -> dt.date | None:
            value = parse_date(raw, label=label)
            if value is None:
                return _blank(default, required, MISSING.format(label=label, hint=hint))
            if today is not None and value > today:
                raise InputError(AFTER_TODAY.format(label=label, today=today))
            if earliest is not None and value < earliest:
                raise InputError(TOO_EARLY.format(label=label, value=value, earliest=earliest))
            return value

        return self.read(key, parse)

    def span(self, start_key: str, end_key: str) -> bool:
        """Whether both dates were read and the end is not before the start; an end before the
        start is a message at the end."""
        start, end = self.values.get(start_key), self.values.get(end_key)
        if start is None or end is None:
            return False
        if end < start:
            self.fail(end_key, END_BEFORE_START.format(start=start))
            return False
        return True

    # ---- choices and records -------------------------------------------------------------------

    def choice(
        self,
        key: str,
        codes: type[E],
        label: str,
        *,
        required: bool = True,
        default: E | None = None,
    ) -> E | None:
        """A member of a code list, named by its code, label or short form. The value stored is
        the code; the member is returned, for its label."""

        def parse(raw: Any) -> E | None:
            text = clean_text(raw)
            if not text:
                return _blank(default, required, UNCHOSEN.format(label=label, hint=""))
            member = codes.lookup(text)
            if member is None:
                raise InputError(
                    NOT_A_CHOICE.format(text=text, label=label, options=_options_text(codes))
                )
            return member

        member = self.read(key, parse)
        if member is not None:
            self.values[key] = member.value
        return member

    def record_id(
        self, key: str, label: str, *, required: bool = True, hint: str = ""
    ) -> int | None:
        """The id a select sent. Whether that record exists, and whether the user may use it,
        is for the area (``record``, or its operations) to say."""

        def parse(raw: Any) -> int | None:
            if not clean_text(raw):
                return _blank(None, required, UNCHOSEN.format(label=label, hint=hint))
            ident = parse_id(raw)
            if ident is None:
                raise InputError(_missing_record(label, required, hint))
            return ident

        return self.read(key, parse)

    def record(
        self,
        key: str,
        label: str,
        find: Callable[[int], T | None],
        *,
        required: bool = True,
        hint: str = "",
    ) -> T | None:
        """The record a select chose, as ``find`` (the area's own scoped look-up) gives it for
        the id; an id it does not find is refused as a missing choice. Stores the id."""
        ident = self.record_id(key, label, required=required, hint=hint)
        if ident is None:
            return None
        found = find(ident)
        if found is None:
            self.fail(key, _missing_record(label, required, hint))
        return found

    def flag(self, key: str) -> bool:
        """A checkbox: ticked or not."""
        value = self.values[key] = bool(self.raw.get(key))
        return value

    # ---- contact and identity ------------------------------------------------------------------

    def phone(self, key: str, label: str = "联系电话", *, required: bool = True) -> str | None:
        """A mobile ('13800138000') or a landline with its area code ('0731-84567890')."""

        def parse(raw: Any) -> str | None:
            phone = parse_phone(raw)
            if not phone and required:
                raise InputError(MISSING.format(label=label, hint=""))
            return phone

        return self.read(key, parse)

    def id_number(
        self, key: str, label: str = "身份证号", *, required: bool = True
    ) -> IdInfo | None:
        """A resident identity number, checked in full; stores the number, returns what it
        tells (birth date, sex)."""

        def parse(raw: Any) -> IdInfo | None:
            if not clean_text(raw):
                return _blank(None, required, MISSING.format(label=label, hint=""))
            if "*" in normalize_id_number(str(raw)):
                # A masked number (from the edit form or a masked export) cannot be read back.
                raise InputError(MASKED_NUMBER.format(label=label))
            try:
                return parse_id_number(str(raw))
            except IdNumberError as exc:
                raise InputError(str(exc)) from exc

        info = self.read(key, parse)
        if info is not None:
            self.values[key] = info.number
        return info


def _blank(default: T | None, required: bool, message: str) -> T | None:
    """What a blank field reads as: its default, else a message when it is required."""
    if default is None and required:
        raise InputError(message)
    return default


def _sized(text: str, label: str, limit: int, required: bool, hint: str) -> str:
    if not text and required:
        raise InputError(MISSING.format(label=label, hint=hint))
    if len(text) > limit:
        raise InputError(TOO_LONG.format(label=label, limit=limit, length=len(text)))
    return text


def _missing_record(label: str, required: bool, hint: str) -> str:
    """An id that names no record the user may choose: a required field asks for a choice; an
    optional one, which can be left blank, says the one chosen is gone."""
    return UNCHOSEN.format(label=label, hint=hint) if required else GONE.format(label=label)
