from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, SubmitField

from app.core.forms import Required


class NameForm(FlaskForm):
    name = StringField("名称", validators=[Required()])
    submit = SubmitField("保存")


class VillageForm(FlaskForm):
    name = StringField("村（社区）名称", validators=[Required()])
    is_active = BooleanField("在用", default=True)
    submit = SubmitField("保存")
