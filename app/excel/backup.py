"""Backups: a consistent copy of the running SQLite database, or how to run pg_dump.

SQLite: the online backup API (``sqlite3.Connection.backup``) copies the database page by page
from a read transaction, so the copy is one consistent state even while the app writes (in WAL
mode readers and writers do not block each other; a write during the copy makes SQLite restart
the copy from that newer state). The copy is written beside DEST, switched to a single-file
journal, checked with ``PRAGMA quick_check`` and only then renamed to DEST.
"""

from __future__ import annotations

import datetime as dt
import os
import shlex
import sqlite3
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.engine import make_url

from app.core import clock

PAGES_PER_STEP = 1024


class BackupError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def sqlite_path(url: str) -> Path | None:
    """The database file of a SQLite URL; None for another backend. In-memory refuses."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    if not parsed.database or parsed.database == ":memory:":
        raise BackupError("当前使用的是内存数据库，没有可备份的文件。")
    return Path(parsed.database)


def destination(dest: str, now: dt.datetime | None = None) -> Path:
    """DEST itself, or a dated file inside DEST when it is a folder."""
    path = Path(dest).expanduser()
    if path.is_dir():
        stamp = (now or dt.datetime.now(clock.zone())).strftime("%Y%m%d-%H%M%S")
        path = path / f"roster-{stamp}.db"
    return path


def backup_sqlite(
    source: Path,
    dest: Path,
    *,
    overwrite: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Copy ``source`` to ``dest`` consistently; returns the size in bytes of the copy."""
    if not source.exists():
        raise BackupError(f"数据库文件 {source} 不存在。")
    if dest.resolve() == source.resolve():
        raise BackupError("备份文件不能与数据库文件相同，请换一个位置。")
    if dest.exists() and not overwrite:
        raise BackupError(f"{dest} 已存在。请换一个文件名，或加 --overwrite 覆盖。")
    if not dest.parent.exists():
        raise BackupError(f"文件夹 {dest.parent} 不存在，请先创建。")
    partial = dest.with_name(f".{dest.name}.partial")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(source, timeout=30)  # read-write: a read-only one may not join WAL
    try:
        dst = sqlite3.connect(partial)
        try:

            def step(_status: int, remaining: int, total: int) -> None:
                if progress is not None:
                    progress(total - remaining, total)

            src.backup(dst, pages=PAGES_PER_STEP, progress=step)
            # The copy carries the source's WAL flag; a backup is better as one plain file.
            dst.execute("PRAGMA journal_mode=DELETE")
            verdict = dst.execute("PRAGMA quick_check").fetchone()[0]
            if verdict != "ok":
                raise BackupError(f"备份副本校验未通过（{verdict}），未保存。请重试。")
        finally:
            dst.close()
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(f"备份失败：{exc}") from exc
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        src.close()
    os.replace(partial, dest)
    return dest.stat().st_size


def pg_dump_advice(url: str, dest: str) -> str:
    """How to back up a PostgreSQL database with pg_dump; the password is never shown."""
    parsed = make_url(url)
    parts = ["pg_dump", "--format=custom", "--no-owner", f"--file={dest}"]
    if parsed.host:
        parts.append(f"--host={parsed.host}")
    if parsed.port:
        parts.append(f"--port={parsed.port}")
    if parsed.username:
        parts.append(f"--username={parsed.username}")
    parts.append(parsed.database or "")
    command = " ".join(shlex.quote(p) for p in parts)
    restore = " ".join(
        shlex.quote(p)
        for p in [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            *parts[4:-1],
            f"--dbname={parsed.database or ''}",
            dest,
        ]
    )
    password = (
        "密码请用 PGPASSWORD 环境变量或 ~/.pgpass 文件提供（此处不显示）。\n"
        if parsed.password
        else ""
    )
    return (
        "当前数据库是 PostgreSQL，请用 PostgreSQL 自带的 pg_dump 备份（可在应用运行时进行，"
        "得到一致的副本）：\n"
        f"  {command}\n"
        f"{password}"
        "恢复时（先停止应用）：\n"
        f"  {restore}\n"
        "未写入任何备份文件。"
    )
