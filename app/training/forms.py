"""Training forms. Fields carry what was typed; ``checks`` normalises and says what is wrong."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    widgets,
)
from wtforms.fields.choices import SelectChoice

from app.core.forms import RecordForm, Required, options


class ProgrammeForm(RecordForm):
    name = StringField("计划名称", validators=[Required()], description="如 雏雁工程")
    township_id = SelectField("范围", choices=[], validate_choice=False)
    target_group = StringField(
        "培养对象", validators=[Required()], description="如 35 岁以下在库后备干部"
    )
    start_on = StringField("开始日期", validators=[Required()], description="如 2025-03-01")
    end_on = StringField("结束日期", validators=[Required()])
    description = TextAreaField("计划说明")
    submit = SubmitField("保存")

    def set_levels(self, townships: list[tuple[int, str]] | None) -> None:
        """County-level users choose 全县 or one township; others have their own, and no field."""
        if townships is None:
            del self.township_id
        else:
            self.township_id.choices = options([("", "全县（县级计划）")] + townships)


class RoundForm(RecordForm):
    starts_on = StringField(
        "集中培训开始日期", validators=[Required()], description="如 2025-03-10"
    )
    ends_on = StringField(
        "集中培训结束日期", validators=[Required()], description="一般 3–5 天，最长 10 天"
    )
    place = StringField("培训地点", validators=[Required()], description="如 县委党校")
    topics = TextAreaField("培训内容（专题）", validators=[Required()], description="每行一个专题")
    assignment_title = StringField(
        "实践作业题目", validators=[Required()], description="回村实践期间完成"
    )
    assignment_due_on = StringField(
        "作业截止日期", validators=[Required()], description="一般为集中培训后 1–2 个月"
    )
    submit = SubmitField("保存")


YES_NO_ATTENDED = [("", "未登记"), ("yes", "出勤"), ("no", "缺勤")]
YES_NO_SUBMITTED = [("", "未登记"), ("yes", "已提交"), ("no", "未提交")]


class ResultRow(Form):
    """One participant's line of the results sheet (no CSRF of its own: the sheet has one)."""

    enrolment_id = HiddenField()
    attended = SelectField("出勤", choices=options(YES_NO_ATTENDED), validate_choice=False)
    submitted = SelectField("作业", choices=options(YES_NO_SUBMITTED), validate_choice=False)
    score = StringField("成绩")
    comment = StringField("评语")


class ResultsForm(FlaskForm):
    rows = FieldList(FormField(ResultRow))
    submit = SubmitField("保存本页结果")


class EnrolForm(FlaskForm):
    candidate_ids = SelectMultipleField(
        "选择后备干部",
        choices=[],
        validate_choice=False,
        option_widget=widgets.CheckboxInput(),
        widget=widgets.ListWidget(prefix_label=False),
    )
    submit = SubmitField("报名所选人员")

    def set_candidates(self, choices: list[tuple[int, str]]) -> None:
        self.candidate_ids.choices = [SelectChoice(str(cid), label) for cid, label in choices]
