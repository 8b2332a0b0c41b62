"""Checking what was typed into the training forms: normalise, and say in Chinese what is wrong.

Rules that read other rows (rounds overlapping, the programme's period, who may enrol whom)
are checked by ``operations`` inside the write.
"""

from __future__ import annotations

from typing import Any

from app.core.checks import Checked  # noqa: F401  (re-exported: views use checks.Checked)
from app.core.normalize import (
    InputError,
    clean_multiline,
    clean_text,
    parse_date,
    parse_id,
    parse_int,
)
from app.training.models import MAX_TRAINING_DAYS

TEXT_LIMIT = 2000
COMMENT_LIMIT = 500
YES_NO = {"": None, "yes": True, "no": False}


def _date(raw: dict, key: str, label: str, errors: dict):
    try:
        value = parse_date(raw.get(key), label=label)
    except InputError as exc:
        errors[key] = str(exc)
        return None
    if value is None:
        errors[key] = f"请填写{label}，如 2025-03-01"
    return value


def _line(raw: dict, key: str, label: str, limit: int, errors: dict, *, required: bool) -> str:
    text = clean_text(raw.get(key))
    if required and not text:
        errors[key] = f"请填写{label}"
    elif len(text) > limit:
        errors[key] = f"{label}过长，最多 {limit} 个字"
    return text


def _text(raw: dict, key: str, label: str, errors: dict) -> str:
    text = clean_multiline(raw.get(key))
    if len(text) > TEXT_LIMIT:
        errors[key] = f"{label}过长，最多 {TEXT_LIMIT} 个字"
    return text


def check_programme(raw: dict[str, Any], *, county_level: bool) -> Checked:
    out = Checked()
    values, errors = out.values, out.errors
    values["name"] = _line(raw, "name", "计划名称", 100, errors, required=True)
    values["target_group"] = _line(raw, "target_group", "培养对象", 200, errors, required=True)
    values["start_on"] = _date(raw, "start_on", "开始日期", errors)
    values["end_on"] = _date(raw, "end_on", "结束日期", errors)
    start, end = values["start_on"], values["end_on"]
    if start and end and end < start:
        errors["end_on"] = f"结束日期不能早于开始日期（{start:%Y-%m-%d}）"
    values["description"] = _text(raw, "description", "计划说明", errors)
    if county_level:
        # '' is a county programme (县级); a number is one township's.
        level = clean_text(raw.get("township_id"))
        values["township_id"] = parse_id(level)
        if level and values["township_id"] is None:
            errors["township_id"] = "请选择计划的范围：全县，或某一个乡镇"
    return out


def check_round(raw: dict[str, Any]) -> Checked:
    out = Checked()
    values, errors = out.values, out.errors
    values["starts_on"] = _date(raw, "starts_on", "集中培训开始日期", errors)
    values["ends_on"] = _date(raw, "ends_on", "集中培训结束日期", errors)
    start, end = values["starts_on"], values["ends_on"]
    if start and end:
        if end < start:
            errors["ends_on"] = f"结束日期不能早于开始日期（{start:%Y-%m-%d}）"
        elif (end - start).days + 1 > MAX_TRAINING_DAYS:
            errors["ends_on"] = (
                f"集中培训共 {(end - start).days + 1} 天，超过了 {MAX_TRAINING_DAYS} 天。"
                "集中培训一般为 3–5 天，请核对日期；回村实践不计入集中培训。"
            )
    values["place"] = _line(raw, "place", "培训地点", 200, errors, required=True)
    values["topics"] = _text(raw, "topics", "培训内容", errors)
    if not values["topics"] and "topics" not in errors:
        errors["topics"] = "请填写培训内容（专题），每行一个"
    values["assignment_title"] = _line(
        raw, "assignment_title", "实践作业题目", 200, errors, required=True
    )
    values["assignment_due_on"] = _date(raw, "assignment_due_on", "作业截止日期", errors)
    due = values["assignment_due_on"]
    if due and end and due < end:
        errors["assignment_due_on"] = (
            f"实践作业在集中培训结束后布置，截止日期不能早于 {end:%Y-%m-%d}"
        )
    return out


def check_result_row(raw: dict[str, Any]) -> Checked:
    """One participant's line of the results sheet."""
    out = Checked()
    values, errors = out.values, out.errors
    for key, label in (("attended", "出勤"), ("submitted", "作业提交")):
        text = clean_text(raw.get(key))
        if text not in YES_NO:
            errors[key] = f"请选择{label}情况"
        values[key] = YES_NO.get(text)
    try:
        score = parse_int(raw.get("score"), label="成绩")
    except InputError as exc:
        errors["score"] = str(exc)
        score = None
    else:
        if score is not None and not 0 <= score <= 100:
            errors["score"] = f"成绩“{score}”超出范围，应为 0–100 的整数"
        elif score is not None and values["submitted"] is not True:
            errors["score"] = "未提交作业不能评分；如已提交，请在“作业”一栏选“已提交”"
    values["score"] = score
    values["comment"] = clean_text(raw.get("comment"))
    if len(values["comment"]) > COMMENT_LIMIT:
        errors["comment"] = f"评语过长，最多 {COMMENT_LIMIT} 个字"
    return out


def is_blank(values: dict[str, Any]) -> bool:
    return (
        values["attended"] is None
        and values["submitted"] is None
        and values["score"] is None
        and not values["comment"]
    )
