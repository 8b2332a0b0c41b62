"""The upload form of the roster import."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SubmitField

from app.core.forms import Required


class UploadForm(FlaskForm):
    file = FileField(
        "花名册文件（.xlsx）",
        validators=[Required()],
        render_kw={
            "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        },
    )
    submit = SubmitField("上传并检查")
