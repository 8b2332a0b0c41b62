"""Checking what was typed into the area's forms: normalised values, or a message per field.

Nothing here writes; the operations add the rules that need the database (one 年终考核 per
year, the candidate's status) and raise ``RuleError`` at the field.
"""

from __future__ import annotations

import datetime as dt

from app.assessment.models import DIAGNOSES, DIMENSIONS
from app.assessment.periods import parse_period
from app.core.checks import Checked
from app.core.codes import (
    AssessmentGrade,
    AssessmentKind,
    InspectionMethod,
    NoteKind,
    OutcomeKind,
    WithdrawalReason,
)
from app.core.reader import Reader

TEXT_LIMIT = 2000
# Nothing the area records happened before the roster's first year.
EARLIEST = dt.date(2000, 1, 1)


def check_inspection(raw: dict, *, today: dt.date) -> Checked:
    r = Reader(raw)
    r.choice("method", InspectionMethod, "考察方式")
    r.date("inspected_on", "考察日期", today=today, earliest=EARLIEST)
    r.text("inspectors", "考察人员", limit=200, hint="，如 镇党委组织委员李明、驻村干部王芳")
    r.text("findings", "考察情况", limit=TEXT_LIMIT, multiline=True)
    r.text("conclusion", "考察结论", limit=500, multiline=True)
    return r.checked()


def check_assessment(raw: dict, *, today: dt.date) -> Checked:
    r = Reader(raw)
    kind = r.choice("kind", AssessmentKind, "考核类别")
    if kind is not None:
        r.read("period", lambda text: parse_period(kind.value, text, today=today))
    else:
        r.values["period"] = None
    assessed_on = r.date("assessed_on", "考核日期", today=today, earliest=EARLIEST)
    period = r.values["period"]
    if period and assessed_on and assessed_on < period.start:
        r.fail(
            "assessed_on",
            f"考核日期早于考核期间“{period.name}”的开始（{period.start:%Y-%m-%d}），请核对",
        )
    for column, label in DIMENSIONS:
        r.integer(column, f"“{label}”的得分", between=(0, 100))
    r.choice("grade", AssessmentGrade, "考核等次")
    for column, short, what in DIAGNOSES:
        r.text(column, f"{short}（{what}）", limit=TEXT_LIMIT, required=False, multiline=True)
    return r.checked()


def check_note(raw: dict, *, today: dt.date) -> Checked:
    r = Reader(raw)
    r.choice("kind", NoteKind, "动态类别")
    r.date("noted_on", "日期", today=today, earliest=EARLIEST)
    r.text("text", "动态内容", limit=TEXT_LIMIT, multiline=True)
    return r.checked()


def check_use(raw: dict, *, today: dt.date) -> Checked:
    r = Reader(raw)
    r.choice("outcome", OutcomeKind, "使用去向")
    r.text("place", "任职村或单位", limit=100, hint="，如 太平村、镇党政办")
    r.date("decided_on", "任职日期", today=today, earliest=EARLIEST)
    r.text("detail", "说明", limit=500, required=False, multiline=True)
    return r.checked()


def check_withdrawal(raw: dict, *, today: dt.date) -> Checked:
    r = Reader(raw)
    r.choice("reason", WithdrawalReason, "退出原因")
    r.text(
        "detail",
        "具体原因",
        limit=500,
        multiline=True,
        hint="，以便日后查阅（如 2025年3月起赴广东务工，无法履行培养任务）",
    )
    r.date("decided_on", "退出日期", today=today, earliest=EARLIEST)
    return r.checked()


def check_restore(raw: dict, *, today: dt.date) -> Checked:
    r = Reader(raw)
    r.text(
        "reason",
        "恢复入库的理由",
        limit=500,
        multiline=True,
        hint="（如 返乡创业，本人申请继续培养，经党委会研究同意）",
    )
    return r.checked()
