"""Mentoring forms. Fields carry what was typed; ``checks`` normalises and says what is wrong."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice

from app.core.codes import MentoringForm, MentorPosition, VillagePairingKind
from app.core.forms import RecordForm, Required, options

PLEASE = [("", "请选择")]


def _select(label: str, choices=(), required: bool = True, **kwargs) -> SelectField:
    return SelectField(
        label,
        choices=options(choices),
        validate_choice=False,
        validators=[Required()] if required else [],
        **kwargs,
    )


class MentorForm(RecordForm):
    name = StringField("姓名", validators=[Required()])
    position = _select("职务", PLEASE + MentorPosition.choices())
    township_id = _select("所属乡镇", description="帮带人归哪个乡镇管理")
    unit = StringField("单位或所在村", description="如 太平村、镇党政办")
    phone = StringField("联系电话", description="11 位手机号，或带区号的固定电话")
    capacity = StringField(
        "最多同时帮带人数",
        validators=[Required()],
        default="3",
        description="1–10 人，一般为 1–3 人",
    )
    notes = TextAreaField("备注")
    submit = SubmitField("保存")

    def set_townships(self, townships: list[tuple[int, str]] | None) -> None:
        """County-level users choose the township; others have theirs, and lose the field."""
        if townships is None:
            del self.township_id
        else:
            self.township_id.choices = options(PLEASE + townships)


class PairingForm(RecordForm):
    mentor_id = _select("帮带人")
    start_on = StringField("开始日期", validators=[Required()], description="如 2025-03-01")
    end_on = StringField("结束日期", validators=[Required()], description="一般为一年")
    goals = TextAreaField("帮带目标", validators=[Required()])
    submit = SubmitField("保存")

    def set_mentors(self, mentors: list[tuple[int, str, str]], grouped: bool) -> None:
        self.mentor_id.choices = options(PLEASE) + [
            SelectChoice(str(mid), label, optgroup=township if grouped else None)
            for mid, label, township in mentors
        ]


class ActivityForm(RecordForm):
    held_on = StringField("活动日期", validators=[Required()], description="如 2025-03-01")
    form = _select("帮带形式", PLEASE + MentoringForm.choices())
    hours = StringField("时长（小时）", validators=[Required()], description="0.5–24，如 1.5")
    content = TextAreaField("活动内容", validators=[Required()])
    submit = SubmitField("登记活动")


class EndPairingForm(FlaskForm):
    ended_on = StringField("结束日期", validators=[Required()])
    mentor_evaluation = TextAreaField("帮带人评价", validators=[Required()])
    candidate_summary = TextAreaField("后备干部个人总结", validators=[Required()])
    submit = SubmitField("结束结对")


class VillagePairingForm(RecordForm):
    village_a_id = _select("村（社区）")
    village_b_id = _select("结对村（社区）")
    kind = _select("结对类型", PLEASE + VillagePairingKind.choices())
    start_on = StringField("开始日期", validators=[Required()], description="如 2025-03-01")
    end_on = StringField("结束日期", validators=[Required()])
    purpose = TextAreaField("结对目的", validators=[Required()])
    submit = SubmitField("保存")

    def set_villages(self, villages: list[tuple[int, str, str]], grouped: bool) -> None:
        choices = options(PLEASE) + [
            SelectChoice(str(vid), name, optgroup=township if grouped else None)
            for vid, name, township in villages
        ]
        self.village_a_id.choices = choices
        self.village_b_id.choices = list(choices)
