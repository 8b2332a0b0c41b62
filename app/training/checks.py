"""Checking what was typed into the training forms: normalise, and say in Chinese what is wrong.

Rules that read other rows (rounds overlapping, the programme's period, who may enrol whom)
are checked by ``operations`` inside the write.
"""

from __future__ import annotations

from typing import Any

from app.core.checks import Checked
from app.core.normalize import InputError, clean_text
from app.core.reader import Reader
from app.training.models import MAX_TRAINING_DAYS

TEXT_LIMIT = 2000
COMMENT_LIMIT = 500
YES_NO = {"": None, "yes": True, "no": False}


def check_programme(raw: dict[str, Any], *, county_level: bool) -> Checked:
    r = Reader(raw)
    r.text("name", "计划名称", limit=100)
    r.text("target_group", "培养对象", limit=200)
    r.date("start_on", "开始日期")
    r.date("end_on", "结束日期")
    r.span("start_on", "end_on")
    r.text("description", "计划说明", limit=TEXT_LIMIT, required=False, multiline=True)
    if county_level:
        # Left blank, it is a county programme (县级); a number is one township's.
        r.record_id("township_id", "乡镇", required=False)
    return r.checked()


def check_round(raw: dict[str, Any]) -> Checked:
    r = Reader(raw)
    start = r.date("starts_on", "集中培训开始日期")
    end = r.date("ends_on", "集中培训结束日期")
    if r.span("starts_on", "ends_on") and (end - start).days + 1 > MAX_TRAINING_DAYS:
        r.fail(
            "ends_on",
            f"集中培训共 {(end - start).days + 1} 天，超过了 {MAX_TRAINING_DAYS} 天。"
            "集中培训一般为 3–5 天，请核对日期；回村实践不计入集中培训。",
        )
    r.text("place", "培训地点", limit=200)
    r.text("topics", "培训内容", limit=TEXT_LIMIT, multiline=True, hint="（专题），每行一个")
    r.text("assignment_title", "实践作业题目", limit=200)
    due = r.date("assignment_due_on", "作业截止日期")
    if due and end and due < end:
        r.fail(
            "assignment_due_on",
            f"实践作业在集中培训结束后布置，截止日期不能早于 {end:%Y-%m-%d}",
        )
    return r.checked()


def _yes_no(label: str):
    def parse(raw: object) -> bool | None:
        text = clean_text(raw)
        if text not in YES_NO:
            raise InputError(f"请选择{label}情况")
        return YES_NO[text]

    return parse


def check_result_row(raw: dict[str, Any]) -> Checked:
    """One participant's line of the results sheet."""
    r = Reader(raw)
    r.read("attended", _yes_no("出勤"))
    submitted = r.read("submitted", _yes_no("作业提交"))
    score = r.integer("score", "成绩", required=False, between=(0, 100))
    if score is not None and submitted is not True:
        r.fail("score", "未提交作业不能评分；如已提交，请在“作业”一栏选“已提交”")
    r.text("comment", "评语", limit=COMMENT_LIMIT, required=False)
    return r.checked()


def is_blank(values: dict[str, Any]) -> bool:
    return (
        values["attended"] is None
        and values["submitted"] is None
        and values["score"] is None
        and not values["comment"]
    )
