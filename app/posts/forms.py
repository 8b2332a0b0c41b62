"""Forms of the posts area. Fields carry what was typed; ``checks`` reads and judges it."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice

from app.core.codes import PlacementGrade, PostKind
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


class TownshipChoice:
    """County-level users choose the township a new record belongs to; others have theirs."""

    def set_townships(self, townships: list[tuple[int, str]] | None) -> None:
        if townships is None:
            del self.township_id  # bound to a township: nothing to choose
        else:
            self.township_id.choices = options(PLEASE + townships)


class PostForm(TownshipChoice, RecordForm):
    township_id = _select("乡镇")
    kind = _select("岗位类别", PLEASE + PostKind.choices())
    name = StringField(
        "岗位名称",
        validators=[Required()],
        description="如 帮办代办窗口、太平村党总支副书记、跟岗 党委副书记、信访接待",
    )
    host_village_id = _select(
        "任职村",
        required=False,
        description="跨村任职岗位必选：到哪个村的两委任职（就近原则）；其他类别不用选",
    )
    host = StringField(
        "所在单位 / 带岗领导职务",
        description="如 乡镇党群服务中心、太平村党总支、党委副书记、县重点工程指挥部",
    )
    supervisor = StringField("带岗人", description="负责手把手教、一对一带的干部姓名")
    duties = TextAreaField("岗位职责")
    capacity = StringField(
        "容量（人）", validators=[Required()], default="1", description="同一时间最多安排几人"
    )
    is_active = BooleanField("在用（可安排试岗）", default=True)
    submit = SubmitField("保存")

    def set_villages(self, villages: list[tuple[int, str, str]], county_level: bool) -> None:
        self.host_village_id.choices = options(PLEASE) + [
            SelectChoice(str(vid), name, optgroup=township if county_level else None)
            for vid, name, township in villages
        ]


class BatchForm(TownshipChoice, RecordForm):
    township_id = _select("乡镇")
    name = StringField("批次名称", validators=[Required()], description="如 2024年第二批跨村任职")
    start_on = StringField("开始日期", validators=[Required()], description="如 2024-07-01")
    end_on = StringField("结束日期", validators=[Required()], description="如 2024-12-31")
    notes = TextAreaField("说明")
    submit = SubmitField("保存")


class PlacementForm(RecordForm):
    # Shows the candidate picked before the form (``app.roster.picking``), whose id is in the
    # page's URL; read-only, so its rule errors (already placed…) stand at it.
    candidate = StringField("后备干部", render_kw={"readonly": True})
    post_id = _select("试岗岗位")
    batch_id = _select("批次", required=False)
    start_on = StringField("开始日期", validators=[Required()], description="如 2024-03-01")
    end_on = StringField("计划结束日期", validators=[Required()], description="如 2024-05-31")
    goal = TextAreaField(
        "学习交流目标",
        validators=[Required()],
        description="试岗前须明确：通过这次试岗要学会什么、做成什么",
    )
    submit = SubmitField("保存")

    def set_posts(self, posts, county_level: bool) -> None:
        choices = options(PLEASE)
        for post in posts:
            group = post.kind_label
            if county_level:
                group = f"{post.township.name} · {group}"
            choices.append(
                SelectChoice(str(post.id), f"{post.name}（容量 {post.capacity}）", optgroup=group)
            )
        self.post_id.choices = choices

    def set_batches(self, batches, county_level: bool) -> None:
        self.batch_id.choices = options([("", "（不属于批次）")]) + [
            SelectChoice(
                str(b.id),
                f"{b.name}（{b.start_on:%Y-%m-%d} 至 {b.end_on:%Y-%m-%d}）",
                optgroup=b.township.name if county_level else None,
            )
            for b in batches
        ]


class ReportForm(FlaskForm):
    report = TextAreaField(
        "心得体会", validators=[Required()], description="试岗结束时本人的心得体会汇报（可摘要）"
    )
    submit = SubmitField("保存心得体会")


class EvaluationForm(FlaskForm):
    grade = _select("评价等次", PLEASE + PlacementGrade.choices())
    evaluation = TextAreaField(
        "评价意见", description="带岗人或乡镇党委的评价；评为基本合格、不合格时必填"
    )
    evaluated_on = StringField("评价日期", description="不填为今天")
    submit = SubmitField("保存评价")


class CutForm(FlaskForm):
    ended_on = StringField("实际结束日期", validators=[Required()], description="如 2024-04-15")
    cut_reason = TextAreaField("提前结束的原因", validators=[Required()])
    submit = SubmitField("提前结束")


class PlanForm(FlaskForm):
    """Minimum months per post kind for one 培养方向 (rendered once per direction, prefixed)."""

    months_window = StringField(PostKind.window.label)
    months_cross_village = StringField(PostKind.cross_village.label)
    months_township_shadow = StringField(PostKind.township_shadow.label)
    months_frontline = StringField(PostKind.frontline.label)
    submit = SubmitField("保存")

    def month_fields(self):
        return [self[f"months_{kind.value}"] for kind in PostKind]
