from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField

from app.core.forms import RecordForm, Required, options
from app.places.models import SeatKind


class SeatForm(RecordForm):
    village_id = SelectField(
        "村（社区）", choices=[], validate_choice=False, validators=[Required()]
    )
    kind = SelectField(
        "岗位",
        choices=options([("", "请选择")] + SeatKind.choices()),
        validate_choice=False,
        validators=[Required()],
    )
    holder_name = StringField("现任人员")
    holder_birth_date = StringField("现任人员出生日期", description="如 1968-03-02")
    term_end = StringField("任期届满日期", validators=[Required()], description="如 2026-12-31")
    notes = StringField("备注")
    submit = SubmitField("保存")


class SettingsForm(FlaskForm):
    coverage_min = StringField("储备覆盖阈值（人）", validators=[Required()])
    next_election_on = StringField("下次村“两委”换届日期", validators=[Required()])
    submit = SubmitField("保存")
