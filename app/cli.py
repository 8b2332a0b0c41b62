"""Commands: ``flask --app app create-user | ensure-admin | seed-demo``."""

from __future__ import annotations

import secrets

import click
from flask import Blueprint
from sqlalchemy import func, select

from app.accounts.models import User
from app.accounts.operations import create_user
from app.core.codes import Role
from app.core.errors import RuleError
from app.extensions import db
from app.places.models import Township

bp = Blueprint("cli", __name__, cli_group=None)


def _township_id(name: str | None) -> int | None:
    if not name:
        return None
    township_id = db.session.scalar(select(Township.id).where(Township.name == name.strip()))
    if township_id is None:
        raise click.ClickException(f"乡镇“{name}”不存在。请先由管理员在系统中新增该乡镇。")
    return township_id


@bp.cli.command("create-user")
@click.option("--username", required=True, help="登录名")
@click.option(
    "--role",
    required=True,
    type=click.Choice([r.value for r in Role]),
    help="admin/secretary/clerk",
)
@click.option("--township", default=None, help="所属乡镇名称；不填为县级账号")
@click.option("--password", default=None, help="不填则在终端中询问")
@click.option("--name", "display_name", default="", help="姓名")
def create_user_command(username, role, township, password, display_name):
    """Create a user (asks for the password when it is not given)."""
    township_id = _township_id(township)
    if password is None:
        password = click.prompt("密码", hide_input=True, confirmation_prompt=True)
    try:
        user = create_user(
            username=username,
            role=role,
            password=password,
            township_id=township_id,
            display_name=display_name,
        )
        db.session.commit()
    except RuleError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from exc
    click.echo(f"已创建用户 {user.username}（{Role.label_of(role)}，{township or '县级'}）")


@bp.cli.command("ensure-admin")
def ensure_admin_command():
    """Create the first admin (username ``admin``) when there is no user at all."""
    from flask import current_app

    if db.session.scalar(select(func.count()).select_from(User)):
        click.echo("已有用户，无需创建管理员。")
        return
    password = current_app.config.get("ROSTER_ADMIN_PASSWORD")
    generated = not password
    if generated:
        password = secrets.token_urlsafe(12)
    try:
        create_user(username="admin", role=Role.admin, password=password, display_name="管理员")
        db.session.commit()
    except RuleError as exc:
        db.session.rollback()
        raise click.ClickException(f"ROSTER_ADMIN_PASSWORD 不可用：{exc.message}") from exc
    if generated:
        click.echo(f"已创建管理员 admin，初始密码（只显示这一次，请登录后修改）：{password}")
    else:
        click.echo("已创建管理员 admin，密码取自 ROSTER_ADMIN_PASSWORD。")


@bp.cli.command("seed-demo")
@click.option("--candidates", "count", default=2000, show_default=True, type=int)
@click.option("--seed", default=1, show_default=True, type=int)
@click.option("--password", default=None, help="演示账号的统一密码；不填则随机生成并打印")
def seed_demo_command(count, seed, password):
    """Build a deterministic demo county: townships, villages, users and candidates."""
    from app.seed.demo import seed_demo

    seed_demo(count=count, seed=seed, password=password, echo=click.echo)


@bp.cli.command("rebuild-tallies")
def rebuild_tallies_command():
    """Count the dashboard's per-village tallies afresh from the candidates.

    The app keeps them in step by itself; this is for after a bulk load or a hand-made change
    in the database.
    """
    from app.core import audit
    from app.roster import tallies

    tallies.rebuild(db.session.connection())
    audit.record("rebuild", "tallies", None, summary="重新统计工作台的人数汇总")
    db.session.commit()
    click.echo("工作台人数汇总已按后备干部名册重新统计。")
