"""Candidate forms.

The fields only carry what was typed: normalising and checking live in ``checks`` (shared with
the Excel import), so every message comes from one place, in Chinese.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice

from app.core.codes import Direction, Education, Ethnicity, Gender, Political, Source
from app.core.forms import RecordForm, Required, options

PLEASE = [("", "请选择")]
# The edit form holds the stored ID number masked (see ``checks.id_number_from_form``).
MASKED_ID_HELP = (
    "中间 10 位已隐去。不修改请保持原样；如需修改，请点击“修改身份证号”（或清空此栏）后"
    "填写完整的 18 位号码"
)


def _select(label: str, choices, required: bool = True, **kwargs) -> SelectField:
    return SelectField(
        label,
        choices=options(choices),
        validate_choice=False,
        validators=[Required()] if required else [],
        **kwargs,
    )


class CandidateForm(RecordForm):
    name = StringField("姓名", validators=[Required()])
    id_number = StringField(
        "身份证号",
        validators=[Required()],
        description="18 位，末位可为 X；出生日期和性别可留空，由身份证号自动填写",
    )
    gender = _select("性别", PLEASE + Gender.choices(), required=False)
    birth_date = StringField("出生日期", description="如 1990-05-03")
    ethnicity = _select("民族", Ethnicity.choices(), default=Ethnicity.C01.value)
    political = _select("政治面貌", PLEASE + Political.choices())
    education = _select("学历", PLEASE + Education.choices())
    major = StringField("专业")
    phone = StringField("联系电话", description="11 位手机号，或带区号的固定电话")
    village_id = _select("所在村", [])
    source = _select("来源类别", PLEASE + Source.choices())
    occupation = StringField("现职业/工作")
    speciality = StringField("特长")
    direction = _select("培养方向", PLEASE + Direction.choices())
    entered_on = StringField("入库日期", description="批准入库时自动填写")
    notes = TextAreaField("备注")
    submit = SubmitField("保存")
    # (label, current value) pairs set when someone else saved the record meanwhile.
    conflict: tuple = ()

    def set_villages(self, villages: list[tuple[int, str, str]], county_level: bool) -> None:
        """Villages the user may choose; county-level users see them grouped by township."""
        self.village_id.choices = options(PLEASE) + [
            SelectChoice(str(vid), name, optgroup=township if county_level else None)
            for vid, name, township in villages
        ]


class StatusForm(FlaskForm):
    target = HiddenField()
    reason = TextAreaField("原因/意见")
    submit = SubmitField("确定")
