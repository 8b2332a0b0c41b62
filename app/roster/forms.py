"""Candidate forms.

The fields only carry what was typed: normalising and checking live in ``checks`` (shared with
the Excel import), so every message comes from one place, in Chinese.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, SearchField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import NumberInput

from app.core.codes import Direction, Education, Ethnicity, Gender, Political, Source, Status
from app.core.forms import FilterForm, RecordForm, Required, filter_select, options
from app.core.sections import roster_filter_groups
from app.roster.queries import SORTS, STATUS_ALL, RosterFilters

PLEASE = [("", "请选择")]
ALL = [("", "全部")]
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


def _age(label: str, spoken: str) -> StringField:
    return StringField(label, widget=NumberInput(min=16, max=80), render_kw={"aria-label": spoken})


class RosterFilterForm(FilterForm):
    """The roster's filter bar (GET /candidates/): the query parameters DESIGN.md lists, and
    between the gender and the age those other areas register (``roster_filter_form``)."""

    q = SearchField(
        "姓名 / 拼音 / 身份证号后几位", render_kw={"placeholder": "如 张三、zs、zhangsan、1234"}
    )
    township = filter_select("乡镇")
    village = filter_select("所在村")
    status = filter_select(
        "状态", [("", "在库及待审"), (STATUS_ALL, "全部（含已使用、已退出）"), *Status.choices()]
    )
    source = filter_select("来源类别", ALL + Source.choices())
    education = filter_select("学历", ALL + Education.choices())
    political = filter_select("政治面貌", ALL + Political.choices())
    gender = filter_select("性别", ALL + Gender.choices())
    age_min = _age("年龄（岁）", "最小年龄")  # with age_max beside it, under this one label
    age_max = _age("最大年龄", "最大年龄")
    sort = filter_select("排序", [(key, label) for key, (label, _) in SORTS.items()])
    registered: tuple[str, ...] = ()

    def choice_filters(self) -> list:
        """The selects between the village and the age, in their order on the bar."""
        keys = ("status", "source", "education", "political", "gender", *self.registered)
        return [self[key] for key in keys]


def roster_filter_form(
    filters: RosterFilters, townships: list[tuple[int, str]], villages: list[tuple[int, str, str]]
) -> RosterFilterForm:
    """The bar showing ``filters`` (what is applied, not what was typed), with the registered
    filters' selects added; the township select only when there is more than one."""
    registered = [flt for group in roster_filter_groups() for flt in group.filters]
    form_class = type(
        "RosterFilterForm",
        (RosterFilterForm,),
        {flt.key: filter_select(flt.label, ALL + list(flt.choices)) for flt in registered}
        | {"registered": tuple(flt.key for flt in registered)},
    )
    # An age of 0 has always shown as an empty box.
    ages = {"age_min": filters.age_min or None, "age_max": filters.age_max or None}
    form = form_class(formdata=None, data=filters.values() | ages)
    if len(townships) > 1:
        form.township.choices = options([("", "全部乡镇"), *townships])
    else:
        del form.township
    hint = "全部村（社区）" if villages else "先选乡镇，再选村"
    form.village.choices = options([("", hint), *((vid, name) for vid, name, _ in villages)])
    return form
