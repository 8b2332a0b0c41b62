from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField, SubmitField

from app.core.codes import Role
from app.core.forms import Required, options


class LoginForm(FlaskForm):
    username = StringField("用户名", validators=[Required()])
    password = PasswordField("密码", validators=[Required()])
    submit = SubmitField("登录")


class PasswordForm(FlaskForm):
    current = PasswordField("当前密码", validators=[Required()])
    new = PasswordField("新密码", validators=[Required()], description="至少 10 个字符")
    confirm = PasswordField("再次输入新密码", validators=[Required()])
    submit = SubmitField("修改密码")


class UserForm(FlaskForm):
    username = StringField("用户名", validators=[Required()], description="字母、数字、下划线")
    display_name = StringField("姓名")
    role = SelectField("角色", choices=options(Role.choices()), validate_choice=False)
    township_id = SelectField(
        "所属乡镇", choices=[], validate_choice=False, description="不选则为县级账号"
    )
    password = PasswordField("密码", description="新建时必填；修改时留空表示不改，至少 10 个字符")
    is_enabled = BooleanField("启用", default=True)
    submit = SubmitField("保存")
