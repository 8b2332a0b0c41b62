"""Checking what was typed into the area's forms: normalised values, or a message per field.

Nothing here writes; the operations add the rules that need the database (one 年终考核 per
year, the candidate's status) and raise ``RuleError`` at the field.
"""

from __future__ import annotations

import datetime as dt

from app.assessment.models import DIAGNOSES, DIMENSIONS
from app.assessment.periods import parse_period
from app.core.checks import Checked  # noqa: F401  (re-exported: views use checks.Checked)
from app.core.codes import (
    AssessmentGrade,
    AssessmentKind,
    InspectionMethod,
    NoteKind,
    OutcomeKind,
    WithdrawalReason,
)
from app.core.normalize import InputError, clean_multiline, clean_text, parse_date, parse_int

TEXT_LIMIT = 2000


def clean_prose(value: object, *, multiline: bool = True) -> str:
    """Chinese prose as written (punctuation kept): ``normalize`` does it for every area."""
    return clean_multiline(value) if multiline else clean_text(value)


def _choice(out: Checked, raw: dict, key: str, enum_cls, label: str) -> None:
    text = clean_text(raw.get(key))
    member = enum_cls.lookup(text) if text else None
    if member is None:
        out.errors[key] = (
            f"请选择{label}" if not text else f"“{text}”不是有效的{label}，请从列表中选择"
        )
    out.values[key] = member.value if member else None


def _date(out: Checked, raw: dict, key: str, label: str, today: dt.date, required=True) -> None:
    try:
        value = parse_date(raw.get(key), label=label)
    except InputError as exc:
        out.errors[key] = str(exc)
        value = None
    else:
        if value is None and required:
            out.errors[key] = f"请填写{label}，如 {today:%Y-%m-%d}"
        elif value is not None and value > today:
            out.errors[key] = f"{label}不能晚于今天（{today:%Y-%m-%d}）"
        elif value is not None and value.year < 2000:
            out.errors[key] = f"{label}“{value:%Y-%m-%d}”过早，请核对"
    out.values[key] = value


def _text(
    out: Checked,
    raw: dict,
    key: str,
    label: str,
    *,
    required=False,
    limit=TEXT_LIMIT,
    multiline=True,
    hint: str = "",
) -> None:
    value = clean_prose(raw.get(key), multiline=multiline)
    if not value and required:
        out.errors[key] = f"请填写{label}{hint}"
    elif len(value) > limit:
        out.errors[key] = f"{label}过长（{len(value)} 字），最多 {limit} 字，请精简"
    out.values[key] = value


def check_inspection(raw: dict, *, today: dt.date) -> Checked:
    out = Checked()
    _choice(out, raw, "method", InspectionMethod, "考察方式")
    _date(out, raw, "inspected_on", "考察日期", today)
    _text(
        out,
        raw,
        "inspectors",
        "考察人员",
        required=True,
        limit=200,
        multiline=False,
        hint="，如 镇党委组织委员李明、驻村干部王芳",
    )
    _text(out, raw, "findings", "考察情况", required=True)
    _text(out, raw, "conclusion", "考察结论", required=True, limit=500)
    return out


def check_assessment(raw: dict, *, today: dt.date) -> Checked:
    out = Checked()
    _choice(out, raw, "kind", AssessmentKind, "考核类别")
    kind = out.values["kind"]
    out.values["period"] = None
    if kind is not None:
        try:
            out.values["period"] = parse_period(kind, raw.get("period"), today=today)
        except InputError as exc:
            out.errors["period"] = str(exc)
    _date(out, raw, "assessed_on", "考核日期", today)
    period = out.values["period"]
    if period and out.values["assessed_on"] and out.values["assessed_on"] < period.start:
        out.errors["assessed_on"] = (
            f"考核日期早于考核期间“{period.name}”的开始（{period.start:%Y-%m-%d}），请核对"
        )
    for column, label in DIMENSIONS:
        try:
            score = parse_int(raw.get(column), label=f"“{label}”的得分")
        except InputError as exc:
            out.errors[column] = str(exc)
            score = None
        else:
            if score is None:
                out.errors[column] = f"请填写“{label}”的得分（0 到 100 的整数）"
            elif not 0 <= score <= 100:
                out.errors[column] = f"“{label}”的得分应在 0 到 100 之间（填写的是 {score}）"
                score = None
        out.values[column] = score
    _choice(out, raw, "grade", AssessmentGrade, "考核等次")
    for column, short, what in DIAGNOSES:
        _text(out, raw, column, f"{short}（{what}）")
    return out


def check_note(raw: dict, *, today: dt.date) -> Checked:
    out = Checked()
    _choice(out, raw, "kind", NoteKind, "动态类别")
    _date(out, raw, "noted_on", "日期", today)
    _text(out, raw, "text", "动态内容", required=True)
    return out


def check_use(raw: dict, *, today: dt.date) -> Checked:
    out = Checked()
    _choice(out, raw, "outcome", OutcomeKind, "使用去向")
    _text(
        out,
        raw,
        "place",
        "任职村或单位",
        required=True,
        limit=100,
        multiline=False,
        hint="，如 太平村、镇党政办",
    )
    _date(out, raw, "decided_on", "任职日期", today)
    _text(out, raw, "detail", "说明", limit=500)
    return out


def check_withdrawal(raw: dict, *, today: dt.date) -> Checked:
    out = Checked()
    _choice(out, raw, "reason", WithdrawalReason, "退出原因")
    _text(
        out,
        raw,
        "detail",
        "具体原因",
        required=True,
        limit=500,
        hint="，以便日后查阅（如 2025年3月起赴广东务工，无法履行培养任务）",
    )
    _date(out, raw, "decided_on", "退出日期", today)
    return out


def check_restore(raw: dict, *, today: dt.date) -> Checked:
    out = Checked()
    _text(
        out,
        raw,
        "reason",
        "恢复入库的理由",
        required=True,
        limit=500,
        hint="（如 返乡创业，本人申请继续培养，经党委会研究同意）",
    )
    return out
