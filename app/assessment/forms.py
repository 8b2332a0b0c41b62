"""Forms of the area. Fields carry what was typed; ``checks`` normalises and says what is wrong."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField, TextAreaField

from app.assessment.models import DIAGNOSES, DIMENSIONS
from app.core.codes import (
    AssessmentGrade,
    AssessmentKind,
    InspectionMethod,
    NoteKind,
    OutcomeKind,
    WithdrawalReason,
)
from app.core.forms import RecordForm, Required, options

PLEASE = [("", "请选择")]


def _select(label: str, choices, required: bool = True, **kwargs) -> SelectField:
    return SelectField(
        label,
        choices=options(choices),
        validate_choice=False,
        validators=[Required()] if required else [],
        **kwargs,
    )


def _date(label: str) -> StringField:
    return StringField(label, validators=[Required()], description="如 2025-06-18")


class InspectionForm(RecordForm):
    method = _select("考察方式", PLEASE + InspectionMethod.choices())
    inspected_on = _date("考察日期")
    inspectors = StringField(
        "考察人员", validators=[Required()], description="姓名和职务，多人用顿号分隔"
    )
    findings = TextAreaField(
        "考察情况", validators=[Required()], description="调查、走访、谈话了解到的情况"
    )
    conclusion = TextAreaField("考察结论", validators=[Required()])
    submit = SubmitField("保存考察记录")


class AssessmentForm(RecordForm):
    kind = _select("考核类别", AssessmentKind.choices())
    period = StringField(
        "考核期间",
        validators=[Required()],
        description="平时考核填季度或月份，如 2025年第3季度、2025年5月；年终考核填年份，如 2025",
    )
    assessed_on = _date("考核日期")
    score_de = StringField("德", validators=[Required()])
    score_neng = StringField("能", validators=[Required()])
    score_qin = StringField("勤", validators=[Required()])
    score_ji = StringField("绩", validators=[Required()])
    score_lian = StringField("廉", validators=[Required()])
    grade = _select("考核等次", PLEASE + AssessmentGrade.choices())
    note_village = TextAreaField("望 · 村庄发展", description="看村庄发展变化、所抓工作的成效")
    note_opinion = TextAreaField("闻 · 群众口碑", description="听群众和村干部的评价")
    note_thinking = TextAreaField("问 · 干部思路", description="问工作思路、想法和打算")
    note_overall = TextAreaField("切 · 总体脉络", description="综合把脉：优点、不足和培养建议")
    submit = SubmitField("保存考核")

    score_fields = tuple(column for column, _ in DIMENSIONS)
    note_fields = tuple(column for column, _, _ in DIAGNOSES)


class NoteForm(RecordForm):
    kind = _select("动态类别", PLEASE + NoteKind.choices())
    noted_on = _date("日期")
    text = TextAreaField("动态内容", validators=[Required()])
    submit = SubmitField("保存动态记录")


class UseForm(FlaskForm):
    outcome = _select("使用去向", PLEASE + OutcomeKind.choices())
    place = StringField(
        "任职村或单位",
        validators=[Required()],
        description="当选的村，或进入的镇机关部门，如 太平村、镇党政办",
    )
    decided_on = _date("任职日期")
    detail = TextAreaField("说明", description="选填，如 换届选举得票情况、任职文件文号")
    submit = SubmitField("确认使用，移出在库名单")


class WithdrawForm(FlaskForm):
    reason = _select("退出原因", PLEASE + WithdrawalReason.choices())
    detail = TextAreaField("具体原因", validators=[Required()])
    decided_on = _date("退出日期")
    submit = SubmitField("确认退出人才库")


class RestoreForm(FlaskForm):
    reason = TextAreaField(
        "恢复入库的理由",
        validators=[Required()],
        description="能上能下：写明恢复培养的依据，如 党委会研究意见",
    )
    submit = SubmitField("恢复入库")
