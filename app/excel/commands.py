"""CLI: ``import-roster FILE.xlsx [--township NAME]``, ``export-roster FILE.xlsx``,
``backup DEST``. Each draws a progress bar and ends with a one-line summary."""

from __future__ import annotations

import time
from pathlib import Path

import click
from flask import current_app
from sqlalchemy import select

from app.core.db import begin_write
from app.core.logs import mask_numbers
from app.core.paging import count
from app.excel import operations
from app.excel.backup import (
    BackupError,
    backup_sqlite,
    destination,
    pg_dump_advice,
    sqlite_path,
)
from app.excel.export import export_select, stream_rows, write_roster
from app.excel.importing import Actor, check_sheet
from app.excel.reading import CLI_MAX_ROWS, read_sheet
from app.excel.safety import FileRefused
from app.excel.views import bp
from app.extensions import db
from app.places.models import Township
from app.roster.queries import STATUS_ALL, RosterFilters


def _township(name: str | None) -> Township | None:
    if not name:
        return None
    township = db.session.scalar(select(Township).where(Township.name == name.strip()))
    if township is None:
        raise click.ClickException(f"乡镇“{name}”不存在，请核对名称。")
    return township


@bp.cli.command("import-roster")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--township", default=None, help="只导入到这个乡镇（表中“所属乡镇”可不填）")
def import_roster_command(file: Path, township: str | None):
    """Import a roster workbook as the county (admin level); nothing is written if any row
    is wrong."""
    started = time.perf_counter()
    place = _township(township)
    actor = Actor(role="admin", township_id=place.id if place else None)
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    try:
        sheet = read_sheet(file.read_bytes(), file.name, max_size=limit, max_rows=CLI_MAX_ROWS)
    except FileRefused as exc:
        raise click.ClickException(exc.message) from None
    begin_write()
    with click.progressbar(length=len(sheet.rows), label="检查", show_pos=True) as bar:
        plan = check_sheet(sheet, actor, progress=bar.update)
    if not plan.ok:
        db.session.rollback()
        for row in plan.invalid:
            for message in row.messages():
                click.echo(f"第 {row.number} 行（{row.name or '未填姓名'}）{message}", err=True)
        raise click.ClickException(
            f"{len(plan.invalid)} / {len(plan.rows)} 行有错误，未导入任何记录。请改好后重新导入。"
        )
    try:
        with click.progressbar(length=len(plan.rows), label="写入", show_pos=True) as bar:
            created = operations.import_rows(
                plan, actor=actor, file_name=file.name, progress=bar.update
            )
        db.session.commit()
    except Exception as exc:
        db.session.rollback()
        # The database's own text may name a value (PostgreSQL: "Key (id_number)=(…)"), and
        # a scheduled job's output ends up in a log.
        raise click.ClickException(f"导入失败，未写入任何记录：{mask_numbers(str(exc))}") from exc
    where = f"（{place.name}）" if place else ""
    click.echo(
        f"已导入 {len(created)} 名后备干部{where}，用时 {time.perf_counter() - started:.1f} 秒。"
    )


@bp.cli.command("export-roster")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
def export_roster_command(file: Path):
    """Export the whole county's roster (every status, full ID numbers) to FILE.xlsx."""
    started = time.perf_counter()
    actor = Actor(role="admin", township_id=None)
    filters = RosterFilters(status=STATUS_ALL)
    stmt = export_select(actor, filters)
    total = count(stmt)
    partial = file.with_name(f".{file.name}.partial")
    try:
        with (
            partial.open("wb") as out,
            click.progressbar(length=total, label="导出", show_pos=True) as bar,
        ):
            written = write_roster(out, stream_rows(stmt), full_ids=True, progress=bar.update)
        partial.replace(file)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    db.session.rollback()  # end the long read before writing (see the web export)
    begin_write()
    operations.record_export(actor=actor, filters=filters, count=written, full_ids=True)
    db.session.commit()
    size = file.stat().st_size / 1024 / 1024
    click.echo(
        f"已导出 {written} 名后备干部到 {file}（{size:.1f} MB），"
        f"用时 {time.perf_counter() - started:.1f} 秒。"
    )


@bp.cli.command("backup")
@click.argument("dest")
@click.option("--overwrite", is_flag=True, help="DEST 已存在时覆盖")
def backup_command(dest: str, overwrite: bool):
    """Write a consistent copy of the running SQLite database to DEST (a file or a folder);
    for PostgreSQL, print the pg_dump command to use and exit with status 1, since no
    backup was written (a scheduled job must not take it for a success)."""
    started = time.perf_counter()
    url = current_app.config["SQLALCHEMY_DATABASE_URI"]
    try:
        source = sqlite_path(url)
    except BackupError as exc:
        raise click.ClickException(exc.message) from None
    if source is None:
        click.echo(pg_dump_advice(url, dest))
        raise SystemExit(1)
    target = destination(dest)
    try:
        with click.progressbar(length=100, label="备份", show_percent=True) as bar:
            shown = 0

            def progress(done: int, total: int) -> None:
                nonlocal shown
                percent = done * 100 // max(total, 1)
                bar.update(percent - shown)
                shown = percent

            size = backup_sqlite(source, target, overwrite=overwrite, progress=progress)
    except BackupError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(
        f"已备份到 {target}（{size / 1024 / 1024:.1f} MB），用时 "
        f"{time.perf_counter() - started:.1f} 秒。恢复方法见 README。"
    )
