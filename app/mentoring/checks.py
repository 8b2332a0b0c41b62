"""Checking what was typed into the mentoring forms: normalise, and say in Chinese what is wrong.

These checks need no lock: they look at one record's own values. Rules that depend on other
rows (capacity, overlaps, townships) are checked by ``operations`` inside the write.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from app.core.checks import Checked  # noqa: F401  (re-exported: views use checks.Checked)
from app.core.codes import MentoringForm, MentorPosition, VillagePairingKind
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
from app.mentoring.models import DEFAULT_CAPACITY, MAX_CAPACITY

TEXT_LIMIT = 2000


def _date(raw: dict, key: str, label: str, errors: dict, *, required: bool = True):
    try:
        value = parse_date(raw.get(key), label=label)
    except InputError as exc:
        errors[key] = str(exc)
        return None
    if value is None and required:
        errors[key] = f"请填写{label}，如 2025-03-01"
    return value


def _choice(raw: dict, key: str, enum_cls, label: str, errors: dict) -> str | None:
    text = clean_text(raw.get(key))
    if not text:
        errors[key] = f"请选择{label}"
        return None
    member = enum_cls.lookup(text)
    if member is None:
        errors[key] = f"“{text}”不是有效的{label}，可选：{'、'.join(enum_cls.labels())}"
        return None
    return member.value


def _long_text(raw: dict, key: str, label: str, errors: dict, *, required: bool) -> str:
    text = clean_multiline(raw.get(key))
    if required and not text:
        errors[key] = f"请填写{label}"
    elif len(text) > TEXT_LIMIT:
        errors[key] = f"{label}过长，最多 {TEXT_LIMIT} 个字（现有 {len(text)} 个字）"
    return text


def check_mentor(raw: dict[str, Any], *, county_level: bool) -> Checked:
    out = Checked()
    values, errors = out.values, out.errors
    name = clean_name(raw.get("name"))
    if not name:
        errors["name"] = "请填写帮带人姓名"
    elif len(name) > 40:
        errors["name"] = "姓名过长，请核对（最多 40 个字）"
    values["name"] = name
    values["position"] = _choice(raw, "position", MentorPosition, "职务", errors)
    values["unit"] = clean_text(raw.get("unit"))
    if len(values["unit"]) > 100:
        errors["unit"] = "单位或所在村过长，最多 100 个字"
    try:
        values["phone"] = parse_phone(raw.get("phone"))
    except InputError as exc:
        errors["phone"] = str(exc)
    try:
        capacity = parse_int(raw.get("capacity"), label="最多同时帮带人数")
    except InputError as exc:
        errors["capacity"] = str(exc)
        capacity = None
    else:
        if capacity is None:
            capacity = DEFAULT_CAPACITY
        elif not 1 <= capacity <= MAX_CAPACITY:
            errors["capacity"] = f"最多同时帮带人数应在 1 到 {MAX_CAPACITY} 之间（一般为 1–3 人）"
    values["capacity"] = capacity
    values["notes"] = _long_text(raw, "notes", "备注", errors, required=False)
    if county_level:
        values["township_id"] = parse_id(raw.get("township_id"))
        if values["township_id"] is None:
            errors["township_id"] = "请选择帮带人所属乡镇"
    return out


def check_pairing(raw: dict[str, Any]) -> Checked:
    out = Checked()
    values, errors = out.values, out.errors
    values["mentor_id"] = parse_id(raw.get("mentor_id"))
    if values["mentor_id"] is None:
        errors["mentor_id"] = "请选择帮带人"
    values["start_on"] = _date(raw, "start_on", "开始日期", errors)
    values["end_on"] = _date(raw, "end_on", "结束日期", errors)
    start, end = values["start_on"], values["end_on"]
    if start and end and end < start:
        errors["end_on"] = f"结束日期不能早于开始日期（{start:%Y-%m-%d}）"
    elif start and end and (end - start).days > 3 * 366:
        errors["end_on"] = "结对期限不宜超过 3 年，请核对结束日期"
    values["goals"] = _long_text(raw, "goals", "帮带目标", errors, required=True)
    return out


_HOURS = re.compile(r"[0-9]+(?:\.[0-9]+)?")


def parse_hours(raw: object) -> float:
    """Hours as typed ('2', '１.５', '1.5小时'): 0.5 to 24, to the half hour or tenth."""
    text = "".join(clean_text(raw).split()).removesuffix("小时").removesuffix("h")
    if not text:
        raise InputError("请填写时长（小时），如 2 或 1.5")
    if not _HOURS.fullmatch(text):
        raise InputError(f"时长“{text}”不是数字，请填写小时数，如 2 或 1.5")
    hours = float(text)
    if not 0.5 <= hours <= 24:
        raise InputError("时长应在 0.5 到 24 小时之间")
    if round(hours, 1) != hours:
        raise InputError("时长最多保留一位小数，如 1.5")
    return hours


def check_activity(raw: dict[str, Any], *, today: dt.date) -> Checked:
    out = Checked()
    values, errors = out.values, out.errors
    values["held_on"] = _date(raw, "held_on", "活动日期", errors)
    if values["held_on"] and values["held_on"] > today:
        errors["held_on"] = "活动日期不能晚于今天：请在活动开展后再登记"
    values["form"] = _choice(raw, "form", MentoringForm, "帮带形式", errors)
    values["content"] = _long_text(raw, "content", "活动内容", errors, required=True)
    try:
        values["hours"] = parse_hours(raw.get("hours"))
    except InputError as exc:
        errors["hours"] = str(exc)
    return out


def check_end(raw: dict[str, Any], *, today: dt.date) -> Checked:
    out = Checked()
    values, errors = out.values, out.errors
    values["ended_on"] = _date(raw, "ended_on", "结束日期", errors)
    if values["ended_on"] and values["ended_on"] > today:
        errors["ended_on"] = "结束日期不能晚于今天"
    values["mentor_evaluation"] = _long_text(
        raw, "mentor_evaluation", "帮带人评价", errors, required=True
    )
    values["candidate_summary"] = _long_text(
        raw, "candidate_summary", "后备干部个人总结", errors, required=True
    )
    return out


def check_village_pairing(raw: dict[str, Any]) -> Checked:
    out = Checked()
    values, errors = out.values, out.errors
    values["village_a_id"] = parse_id(raw.get("village_a_id"))
    if values["village_a_id"] is None:
        errors["village_a_id"] = "请选择结对的第一个村"
    values["village_b_id"] = parse_id(raw.get("village_b_id"))
    if values["village_b_id"] is None:
        errors["village_b_id"] = "请选择结对的另一个村"
    elif values["village_b_id"] == values["village_a_id"]:
        errors["village_b_id"] = "结对的两个村不能相同，请另选一个村"
    values["kind"] = _choice(raw, "kind", VillagePairingKind, "结对类型", errors)
    values["start_on"] = _date(raw, "start_on", "开始日期", errors)
    values["end_on"] = _date(raw, "end_on", "结束日期", errors)
    start, end = values["start_on"], values["end_on"]
    if start and end and end < start:
        errors["end_on"] = f"结束日期不能早于开始日期（{start:%Y-%m-%d}）"
    values["purpose"] = _long_text(raw, "purpose", "结对目的", errors, required=True)
    return out
