"""Checking what was typed into the mentoring forms: normalise, and say in Chinese what is wrong.

These checks need no lock: they look at one record's own values. Rules that depend on other
rows (capacity, overlaps, townships) are checked by ``operations`` inside the write.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from app.core.checks import Checked
from app.core.codes import MentoringForm, MentorPosition, VillagePairingKind
from app.core.normalize import InputError, clean_text
from app.core.reader import Reader
from app.mentoring.models import DEFAULT_CAPACITY, MAX_CAPACITY

TEXT_LIMIT = 2000


def check_mentor(raw: dict[str, Any], *, county_level: bool) -> Checked:
    r = Reader(raw)
    r.name("name", "帮带人姓名")
    r.choice("position", MentorPosition, "职务")
    r.text("unit", "单位或所在村", limit=100, required=False)
    r.phone("phone", required=False)
    r.integer("capacity", "最多同时帮带人数", default=DEFAULT_CAPACITY, between=(1, MAX_CAPACITY))
    r.text("notes", "备注", limit=TEXT_LIMIT, required=False, multiline=True)
    if county_level:
        r.record_id("township_id", "帮带人所属乡镇")
    return r.checked()


def check_pairing(raw: dict[str, Any]) -> Checked:
    r = Reader(raw)
    r.record_id("mentor_id", "帮带人")
    r.date("start_on", "开始日期")
    r.date("end_on", "结束日期")
    if r.span("start_on", "end_on"):
        if (r.values["end_on"] - r.values["start_on"]).days > 3 * 366:
            r.fail("end_on", "结对期限不宜超过 3 年，请核对结束日期")
    r.text("goals", "帮带目标", limit=TEXT_LIMIT, multiline=True)
    return r.checked()


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
    r = Reader(raw)
    r.date("held_on", "活动日期", today=today)
    r.choice("form", MentoringForm, "帮带形式")
    r.text("content", "活动内容", limit=TEXT_LIMIT, multiline=True)
    r.read("hours", parse_hours)
    return r.checked()


def check_end(raw: dict[str, Any], *, today: dt.date) -> Checked:
    r = Reader(raw)
    r.date("ended_on", "结束日期", today=today)
    r.text("mentor_evaluation", "帮带人评价", limit=TEXT_LIMIT, multiline=True)
    r.text("candidate_summary", "后备干部个人总结", limit=TEXT_LIMIT, multiline=True)
    return r.checked()


def check_village_pairing(raw: dict[str, Any]) -> Checked:
    r = Reader(raw)
    village_a = r.record_id("village_a_id", "结对的第一个村")
    village_b = r.record_id("village_b_id", "结对的另一个村")
    if village_b is not None and village_b == village_a:
        r.fail("village_b_id", "结对的两个村不能相同，请另选一个村")
    r.choice("kind", VillagePairingKind, "结对类型")
    r.date("start_on", "开始日期")
    r.date("end_on", "结束日期")
    r.span("start_on", "end_on")
    r.text("purpose", "结对目的", limit=TEXT_LIMIT, multiline=True)
    return r.checked()
