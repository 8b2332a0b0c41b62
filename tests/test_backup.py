"""``flask --app app backup DEST``: a consistent copy of the running SQLite database, restored
and read by the app; for PostgreSQL, the pg_dump advice."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from app import create_app
from app.config import TestConfig
from app.excel.backup import BackupError, backup_sqlite, pg_dump_advice
from app.extensions import db
from app.places.models import Township
from app.roster.models import Candidate


@pytest.fixture
def sqlite_only(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the SQLite backup; PostgreSQL is answered with pg_dump advice")
    return Path(make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database)


def _read_copy(path: Path) -> tuple[list[str], list[str]]:
    """Open the copy with the app itself, as a restore would, and read what it holds."""
    restored = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}")
    with restored.app_context():
        try:
            names = list(db.session.scalars(select(Candidate.name).order_by(Candidate.name)))
            townships = list(db.session.scalars(select(Township.name).order_by(Township.name)))
        finally:
            db.session.remove()
            db.engine.dispose()
    return names, townships


@pytest.mark.commits  # the backup reads the file through sqlite3 connections of its own
def test_backup_restores_with_the_data(sqlite_only, make, runner, tmp_path, app):
    township = make.township("东山镇")
    make.candidate(township, name="王五")
    make.candidate(township, name="李四", id_number="11010519491231002X")
    target = tmp_path / "copy.db"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert f"已备份到 {target}" in result.output
    # One self-contained file: no WAL beside it is needed to read it.
    assert not Path(f"{target}-wal").exists()
    with sqlite3.connect(target) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    # Restore: the copy put in place of the database file; the app finds the data.
    restored = tmp_path / "restored.db"
    restored.write_bytes(target.read_bytes())
    assert _read_copy(restored) == (["李四", "王五"], ["东山镇"])
    # ...including the schema version, so `flask db upgrade` knows where it stands.
    with sqlite3.connect(restored) as conn:
        assert conn.execute("SELECT count(*) FROM alembic_version").fetchone()[0] >= 1


@pytest.mark.commits  # the backup reads the file through sqlite3 connections of its own
def test_backup_is_consistent_while_another_connection_writes(sqlite_only, make, runner, tmp_path):
    make.candidate(make.township("东山镇"), name="王五")  # committed, perhaps only in the WAL
    writer = sqlite3.connect(sqlite_only, isolation_level=None, timeout=10)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute(
            "INSERT INTO townships (name, is_active, created_dt) VALUES ('未提交镇', 1, ?)",
            (dt.datetime(2024, 1, 1).isoformat(),),
        )
        target = tmp_path / "during.db"
        result = runner.invoke(args=["backup", str(target)])
        assert result.exit_code == 0, result.output
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    names, townships = _read_copy(target)
    assert names == ["王五"]
    assert townships == ["东山镇"]  # the uncommitted township is not in the copy


@pytest.mark.commits  # the backup reads the file through sqlite3 connections of its own
def test_backup_into_a_folder_and_refusing_to_overwrite(sqlite_only, make, runner, tmp_path):
    make.township("东山镇")
    result = runner.invoke(args=["backup", str(tmp_path)])
    assert result.exit_code == 0, result.output
    (made,) = tmp_path.glob("roster-*.db")
    again = runner.invoke(args=["backup", str(made)])
    assert again.exit_code == 1 and "已存在" in again.output
    forced = runner.invoke(args=["backup", str(made), "--overwrite"])
    assert forced.exit_code == 0, forced.output
    missing = runner.invoke(args=["backup", str(tmp_path / "nope" / "x.db")])
    assert missing.exit_code == 1 and "不存在" in missing.output
    assert not list(tmp_path.glob(".*partial"))


def test_backup_refuses_to_overwrite_the_database_itself(sqlite_only, tmp_path):
    with pytest.raises(BackupError, match="不能与数据库文件相同"):
        backup_sqlite(sqlite_only, sqlite_only, overwrite=True)


def test_postgresql_gets_pg_dump_advice_without_the_password(runner, app):
    url = "postgresql+psycopg://roster:s3cret-pw@db.example:5433/roster"
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    result = runner.invoke(args=["backup", "/tmp/roster.dump"])
    assert result.exit_code == 1  # nothing was written: a scheduled job must notice
    assert "pg_dump --format=custom" in result.output
    assert "--host=db.example --port=5433 --username=roster roster" in result.output
    assert "pg_restore" in result.output
    assert "s3cret-pw" not in result.output
    assert "PGPASSWORD" in result.output


def test_pg_dump_advice_quotes_what_the_shell_would_split():
    advice = pg_dump_advice("postgresql://u@h/db", "/tmp/my backups/x.dump")
    assert "'--file=/tmp/my backups/x.dump'" in advice


def test_in_memory_database_cannot_be_backed_up(runner, app):
    app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite://"
    result = runner.invoke(args=["backup", "/tmp/x.db"])
    assert result.exit_code == 1 and "内存数据库" in result.output


@pytest.mark.commits  # the backup reads the file through sqlite3 connections of its own
def test_counts_survive_a_backup_of_many_rows(sqlite_only, make, runner, tmp_path):
    township = make.township("东山镇")
    from app.core.idcard import make_id_number

    for i in range(30):
        make.candidate(
            township,
            name=f"测试{i}",
            id_number=make_id_number("430521", dt.date(1980, 1, 1), i * 2, "F"),
        )
    target = tmp_path / "many.db"
    assert runner.invoke(args=["backup", str(target)]).exit_code == 0
    restored = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{target}")
    with restored.app_context():
        assert db.session.scalar(select(func.count()).select_from(Candidate)) == 30
        db.session.remove()
        db.engine.dispose()
