"""A gunicorn worker killed in the middle of an Excel import leaves the database as it was.

The app is served for real (gunicorn, one sync worker, 127.0.0.1) over a migrated database. A
clerk logs in over HTTP, uploads a 花名册 (``ROWS``), sees the preview and confirms; while the
worker is inside the import's transaction it is sent SIGKILL. Then every table holds exactly
what it held before the confirmation (no candidate, tally, status change or audit entry of the
import; the kept upload still there), no lock is left behind, the master has started a new
worker that answers /healthz, and confirming the same preview again imports every row once.

"Inside the transaction" is seen from outside, never guessed with a timer: the import holds
the write lock (SQLite: another connection's ``BEGIN IMMEDIATE`` finds the database locked;
PostgreSQL: the app's backend holds a RowExclusiveLock on ``candidates`` and has a transaction
id) *and* at least ``KILL_AFTER`` bytes of its uncommitted rows are on disk (SQLite: the WAL
grew by that much since the confirmation began, which it does once the import's pages overflow
the page cache, past half-way; PostgreSQL: the ``candidates`` table's file grew). Either way
the kill lands before the commit, with rows of the import written.
"""

from __future__ import annotations

import datetime as dt
import http.client
import os
import secrets
import signal
import sqlite3
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select, text

from app import create_app
from app.config import TestConfig
from app.core.audit import AuditEntry
from app.core.idcard import make_id_number
from app.excel.models import ExcelUpload
from app.excel.reading import MAX_ROWS
from app.extensions import db
from app.roster.models import Candidate
from bench.serving import Gunicorn, User, wait_until
from tests.conftest import DEFAULT_PASSWORD, Factory
from tests.test_excel_import import person, xlsx
from tests.test_tallies import assert_in_step

pytestmark = [pytest.mark.server, pytest.mark.commits]  # gunicorn reads what the test wrote

KILL_AFTER = 64 * 1024  # bytes of the import's uncommitted rows on disk before the kill
# Rows per backend: enough that KILL_AFTER is reached well before the commit. SQLite's pages
# reach the WAL only once they overflow the connection's 2 MB page cache, which takes the most
# rows a web import allows (with 1,000 nothing reaches it before the commit). PostgreSQL's
# table file grows with the uncommitted rows at once (the import writes 500 rows a flush).
ROWS = {"sqlite": MAX_ROWS, "postgresql": MAX_ROWS}
IMPORT_SECONDS = 90  # the longest an upload, a preview or a confirmation may take here
# Here the test decides when a worker dies, not gunicorn's watchdog (30 s by default), which a
# busy machine could otherwise provoke during the second, complete import.
SERVER_ARGS = ("--timeout", str(IMPORT_SECONDS))

PG_IMPORT_WRITING = text(
    """
    SELECT a.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
    WHERE l.relation = 'candidates'::regclass AND l.mode = 'RowExclusiveLock' AND l.granted
      AND a.backend_xid IS NOT NULL AND a.xact_start IS NOT NULL
      AND a.pid <> pg_backend_pid()
    """
)


@pytest.fixture
def served_database(request, database_url, tmp_path) -> str:
    """The database gunicorn serves. SQLite: a file of its own, migrated here, so the session's
    file stays out of it. PostgreSQL: the session's database, which the ``app`` fixture empties
    after this test as after every other."""
    if database_url.startswith("postgresql"):
        request.getfixturevalue("app")
        return database_url
    url = f"sqlite:///{tmp_path / 'served.db'}"
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        from flask_migrate import upgrade

        upgrade(revision="heads")
        db.engine.dispose()
    return url


@pytest.fixture
def town(served_database):
    """A township with two villages and its clerk, made by the app's own operations; the app
    context stays open for the test's reads of the served database."""
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=served_database)
    with app.app_context():
        make = Factory(app)
        township = make.township("石桥镇", villages=("石桥村", "太平村"))
        clerk = make.user("clerk", township, username="shiqiao_clerk")
        backend = served_database.split(":")[0].split("+")[0]
        yield SimpleNamespace(url=served_database, clerk=clerk.username, rows=ROWS[backend])
        db.session.remove()
        db.engine.dispose()


def roster_file(rows: int) -> tuple[bytes, set[str]]:
    """A valid 花名册 of ``rows`` people with distinct ID numbers, and those numbers."""
    numbers = [
        make_id_number(
            "430521", dt.date(1980, 1, 1) + dt.timedelta(days=i // 400), (i % 400) * 2, "MF"[i % 2]
        )
        for i in range(rows)
    ]
    people = [
        person(身份证号=number, 所在村=("石桥村", "太平村")[i % 2])
        for i, number in enumerate(numbers)
    ]
    return xlsx(people), set(numbers)


def everything() -> dict[str, list[tuple]]:
    """Every row of every table, in key order, read afresh."""
    with db.engine.connect() as conn:
        return {
            table.name: [
                tuple(row) for row in conn.execute(table.select().order_by(*table.primary_key))
            ]
            for table in db.metadata.sorted_tables
        }


class Probe:
    """Watches the served database from outside the server for an import's open transaction."""

    def __init__(self, url: str):
        self.sqlite = url.startswith("sqlite")
        if self.sqlite:
            self.path = Path(url.removeprefix("sqlite:///"))
            self.wal = self.path.with_name(self.path.name + "-wal")
        self.baseline = self._on_disk()
        self.holder: int | None = None  # PostgreSQL: the backend seen writing

    def _on_disk(self) -> int:
        """Bytes on disk that an import's inserts add to before they are committed."""
        if self.sqlite:
            return self.wal.stat().st_size if self.wal.exists() else 0
        with db.engine.connect() as conn:
            return conn.scalar(text("SELECT pg_relation_size('candidates')"))

    def write_locked(self) -> str | None:
        """How another connection holds the database's write lock just now, or None."""
        if self.sqlite:
            other = sqlite3.connect(self.path, timeout=0, isolation_level=None)
            try:
                other.execute("BEGIN IMMEDIATE")
                other.execute("ROLLBACK")
                return None
            except sqlite3.OperationalError as exc:
                return f"BEGIN IMMEDIATE: {exc}"
            finally:
                other.close()
        with db.engine.connect() as conn:
            self.holder = conn.scalar(PG_IMPORT_WRITING)
        return f"backend {self.holder} writes candidates" if self.holder else None

    def mid_import(self) -> str | None:
        """What shows an import writing inside its open transaction just now, or None.

        The disk is read first and the lock second: a transaction that still holds the lock
        after its writes were seen had not committed when they were seen."""
        grown = self._on_disk() - self.baseline
        if grown < KILL_AFTER:
            return None
        locked = self.write_locked()
        return f"{locked}; {grown} uncommitted bytes on disk" if locked else None

    def transaction_ended(self) -> bool:
        """No lock is left: the killed transaction was rolled back."""
        if self.sqlite:
            return self.write_locked() is None
        with db.engine.connect() as conn:
            return not conn.scalar(
                text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"),
                {"pid": self.holder},
            )


@pytest.fixture
def server(town):
    """gunicorn with one sync worker over the town's database; its log is printed afterwards,
    which pytest shows when the test fails."""
    env = {"SECRET_KEY": secrets.token_hex(32)}
    with Gunicorn(town.url, workers=1, env=env, args=SERVER_ARGS) as server:
        yield server
        print(server.log()[-5000:])


def post_on_a_thread(user: User, path: str, data: dict) -> tuple[threading.Thread, dict]:
    """POST without waiting; the dict gets the ``answer``, or the ``error`` instead."""
    outcome: dict = {}

    def send():
        try:
            outcome["answer"] = user.request(path, data, timeout=IMPORT_SECONDS)
        except (OSError, http.client.HTTPException) as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=send, daemon=True)
    thread.start()
    return thread, outcome


def test_worker_killed_mid_import_leaves_the_database_as_before(town, server):
    content, numbers = roster_file(town.rows)
    clerk = User(server.base, town.clerk, timeout=IMPORT_SECONDS)
    assert clerk.login(DEFAULT_PASSWORD) == 302
    form = clerk.request("/candidates/import")
    sent = clerk.upload(
        "/candidates/import", content, "花名册.xlsx", {"csrf_token": clerk.token(form.text)}
    )
    assert sent.status == 302, sent.text[:500]
    preview_path = sent.location.removeprefix(server.base)
    preview = clerk.request(preview_path)
    assert preview.status == 200
    assert f'id="valid-count">{town.rows}<' in preview.text
    assert f"确认导入 {town.rows} 人" in preview.text
    confirm = {"csrf_token": clerk.token(preview.text), "submit": "1"}

    (worker,) = server.worker_pids()
    before = everything()
    probe = Probe(town.url)
    request, outcome = post_on_a_thread(clerk, preview_path, confirm)

    def writing() -> str | None:
        assert request.is_alive(), f"the import ended before it was seen writing: {outcome}"
        return probe.mid_import()

    seen = wait_until(writing, IMPORT_SECONDS, 0.02)
    assert seen, "the import was never seen inside its transaction"
    os.kill(worker, signal.SIGKILL)
    print(f"killed worker {worker} inside the import: {seen}")
    request.join(IMPORT_SECONDS)
    assert not request.is_alive()
    assert "error" in outcome, f"the killed request was answered ({seen}): {outcome}"

    # Nothing of the import is kept, and nothing is left locked.
    assert wait_until(probe.transaction_ended, 10), f"still locked after the kill ({seen})"
    after = everything()
    assert [name for name in before if after[name] != before[name]] == []

    # The master replaced the worker, and the new one serves.
    assert wait_until(lambda: [p for p in server.worker_pids() if p != worker], 30)
    assert worker not in server.worker_pids()
    assert wait_until(server.healthy, 30)

    # The same preview, confirmed again, imports every row once.
    again = clerk.request(preview_path, confirm, timeout=IMPORT_SECONDS)
    assert again.status == 302, again.text[:500]
    assert "/candidates/" in again.location
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Candidate)) == town.rows
    assert set(db.session.scalars(select(Candidate.id_number))) == numbers
    imports = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "import")).all()
    assert [entry.changes["count"] for entry in imports] == [town.rows]
    assert db.session.scalar(select(func.count()).select_from(ExcelUpload)) == 0
    assert_in_step()
