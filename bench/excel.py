"""``python -m bench.excel``: the Excel export and import on the 200,000-candidate scratch database.

Uses ``bench-roster.db`` (built by ``python -m bench.roster``; built here the same way when it is
missing or holds another number of candidates), or with ``--database-url`` another database
(e.g. PostgreSQL) that already holds the demo county with ``--candidates`` candidates: that one is
never emptied or seeded here (``python -m bench.roster --database-url URL`` seeds it), and the
SQLite scratch file is then left alone. Prints:

- the export of the whole county (200,000 rows, ``/candidates/export.xlsx?status=all`` as an
  admin) and of one township (as its clerk): time, file size and the peak memory (RSS) of the
  process doing it — each run in a fresh child process, so the peak is the export's own;
- the import as a township clerk: a 2,000-row workbook (the web's limit per file) uploaded and
  previewed through HTTP (read, check every row), then the confirmation's work (check again,
  write); and a 5,000-row workbook through the path ``import-roster`` takes. Writes are rolled
  back afterwards (the kept upload is deleted), so the database keeps its 200,000 candidates:
  they are counted before and after, and a difference is an error. What stays is what any
  use leaves: the logins' and the exports' audit entries.

    python -m bench.excel [--candidates 200000] [--web-rows 2000] [--cli-rows 5000]
                          [--database-url URL]

``make bench`` passes the same ``BENCH_ARGS`` to ``bench.roster`` and here, so the options only
``bench.roster`` has (``--runs``, ``--fresh``, ``--plans``, ``--only``) are accepted and ignored.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Before anything imports ``app.config``, which reads the environment once.
os.environ.setdefault("ROSTER_ENV", "development")
PASSWORD = "bench-password-1"  # the password bench.roster seeds with
EXPORT_TARGET_S = 60.0
EXPORT_TARGET_MB = 300.0
# How the parent hands the database to its export children (not on their command line, where
# a password in the URL would show in the process list).
URL_VARIABLE = "BENCH_EXCEL_DATABASE_URL"


def _rss_mb() -> float:
    """The process's peak resident memory, in MB (since the last ``_reset_peak``)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _reset_peak() -> bool:
    """Start the peak afresh (Linux): logging in hashes a password with argon2's 64 MB, and
    that peak is not the export's."""
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
        return True
    except OSError:
        return False


def _app(url: str):
    from app import create_app

    return create_app(SQLALCHEMY_DATABASE_URI=url, WTF_CSRF_ENABLED=False)


def _count_candidates() -> int:
    from sqlalchemy import func, select

    from app.extensions import db
    from app.roster.models import Candidate

    return db.session.scalar(select(func.count()).select_from(Candidate)) or 0


def count_candidates(url: str) -> int:
    """The candidates the database holds, read afresh (a new app, engine and session)."""
    from app.extensions import db

    app = _app(url)
    with app.app_context():
        try:
            return _count_candidates()
        finally:
            db.session.remove()
            db.engine.dispose()


def ensure_given_database(url: str, candidates: int) -> int:
    """A database named by ``--database-url``: brought to the current schema, never emptied or
    seeded here (it may be anyone's); it must already hold N candidates."""
    from flask_migrate import upgrade

    from app.extensions import db

    app = _app(url)
    with app.app_context():
        try:
            have = _count_candidates()
        except Exception:  # noqa: BLE001 — no roster there (yet): left as it is
            db.session.rollback()
            have = 0
        if have == candidates:
            upgrade(revision="heads")  # tables added since it was seeded
        db.session.remove()
        db.engine.dispose()
    if have != candidates:
        raise SystemExit(
            f"the database holds {have:,} candidates, not {candidates:,}; it is left as it is. "
            f"Seed it with `python -m bench.roster --database-url URL --candidates {candidates}` "
            "(which empties it first), or pass --candidates to match"
        )
    return have


def ensure_database(db_path: Path, candidates: int) -> int:
    """The same scratch database bench.roster builds: the demo county with N candidates."""
    from flask_migrate import upgrade

    from app.extensions import db

    app = _app(f"sqlite:///{db_path}")
    with app.app_context():
        have = 0
        if db_path.exists():
            try:
                have = _count_candidates()
            except Exception:  # noqa: BLE001 — an unreadable scratch file is rebuilt
                have = 0
        if have == candidates:
            upgrade(revision="heads")  # tables added since the scratch file was built
            db.session.remove()
            db.engine.dispose()
            return have
        db.session.remove()
        db.engine.dispose()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)
        upgrade(revision="heads")
        from app.seed.demo import seed_demo

        started = time.perf_counter()
        seed_demo(count=candidates, seed=1, password=PASSWORD, echo=lambda *_: None)
        print(f"seeded {candidates} candidates in {time.perf_counter() - started:.1f} s")
        have = _count_candidates()
        db.session.remove()
        db.engine.dispose()
    return have


def child_export(url: str, username: str, query: str) -> None:
    """Run in a fresh process: log in, export, stream the response away, report as JSON."""
    app = _app(url)
    client = app.test_client()
    with app.app_context():
        response = client.post("/login", data={"username": username, "password": PASSWORD})
        assert response.status_code == 302, response.status_code
        _reset_peak()
        baseline = _rss_mb()
        started = time.perf_counter()
        response = client.get(f"/candidates/export.xlsx{query}")
        size = sum(len(chunk) for chunk in response.response)
        seconds = time.perf_counter() - started
        response.close()
        assert response.status_code == 200, response.status_code
        rows = _rows_in_last_export()
    print(
        json.dumps(
            {
                "seconds": seconds,
                "bytes": size,
                "rows": rows,
                "baseline_mb": baseline,
                "peak_mb": _rss_mb(),
            }
        )
    )


def _rows_in_last_export() -> int:
    from sqlalchemy import select

    from app.core.audit import AuditEntry
    from app.extensions import db

    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "export").order_by(AuditEntry.id.desc())
    ).first()
    return entry.changes["count"]


def measure_export(url: str, username: str, query: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "bench.excel", "--child", username, query],
        cwd=ROOT,
        env={**os.environ, URL_VARIABLE: url},
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        sys.stderr.write(result.stderr)
        raise SystemExit(f"the export child ({username} {query}) failed: {result.returncode}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def _workbook(rows: int, villages: list[str]) -> bytes:
    from openpyxl import Workbook

    from app.core.idcard import make_id_number
    from app.excel.columns import HEADERS

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("花名册")
    ws.append(list(HEADERS))
    for i in range(rows):
        born = dt.date(1980, 1, 1) + dt.timedelta(days=i // 500)
        sex = "M" if i % 2 else "F"
        number = make_id_number("110105", born, (i % 500) * 2, sex)
        values = {
            "姓名": f"测试{i:05d}",
            "身份证号": number,
            "出生日期": born.strftime("%Y.%m.%d"),
            "政治面貌": "中共党员",
            "学历": "本科",
            "联系电话": f"138{i:08d}",
            "所在村": villages[i % len(villages)],
            "来源类别": "退役军人",
            "培养方向": "村两委委员",
            "备注": "基准测试",
        }
        ws.append([values.get(h) for h in HEADERS])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def measure_import(url: str, web_rows: int, cli_rows: int) -> dict:
    from sqlalchemy import delete, select

    from app.accounts.models import User
    from app.excel.models import ExcelUpload
    from app.extensions import db
    from app.places.models import Village

    app = _app(url)
    client = app.test_client()
    with app.app_context():
        clerk = db.session.scalar(select(User).where(User.username == "t01_clerk"))
        villages = list(
            db.session.scalars(select(Village.name).where(Village.township_id == clerk.township_id))
        )
        client.post("/login", data={"username": "t01_clerk", "password": PASSWORD})

        # The web: upload (read the file), then the preview (read and check every row).
        data = _workbook(web_rows, villages)
        started = time.perf_counter()
        response = client.post(
            "/candidates/import",
            data={"file": (io.BytesIO(data), "bench.xlsx")},
            content_type="multipart/form-data",
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:300]
        uploaded = time.perf_counter() - started
        location = response.headers["Location"]
        token = location.rstrip("/").rsplit("/", 1)[-1]
        try:
            page = client.get(location)
            previewed = time.perf_counter() - started
            html = page.get_data(as_text=True)
            assert f'id="valid-count">{web_rows}<' in html, "the bench workbook should be valid"
            web_confirm = _confirm(data, clerk)
        finally:  # the kept upload is the web's one committed write: only the bench's own
            db.session.rollback()
            db.session.execute(delete(ExcelUpload).where(ExcelUpload.token == token))
            db.session.commit()

        # The command's path (no row limit of the web), at a county's scale.
        data = _workbook(cli_rows, villages)
        cli = _confirm(data, clerk)
    return {
        "web_rows": web_rows,
        "upload_s": uploaded,
        "preview_s": previewed,
        "page_mb": len(html.encode()) / 1024 / 1024,
        "web_confirm": web_confirm,
        "cli_rows": cli_rows,
        "cli": cli,
    }


def _confirm(data: bytes, clerk) -> tuple[float, float, int, int]:
    """What a confirmation does: read, check every row again, write them; then roll back so
    the scratch database keeps its candidates. Returns (read + check s, total s, the check's
    SQL statements, the write's) — an executemany counts once: it is one call to the driver."""
    from sqlalchemy import event

    from app.excel import operations
    from app.excel.importing import Actor, check_sheet
    from app.excel.reading import CLI_MAX_ROWS, read_sheet
    from app.extensions import db

    statements = [0]

    def count(*_args) -> None:
        statements[0] += 1

    event.listen(db.engine, "before_cursor_execute", count)
    started = time.perf_counter()
    try:
        plan = check_sheet(read_sheet(data, "bench.xlsx", max_rows=CLI_MAX_ROWS), Actor.of(clerk))
        checked, check_statements = time.perf_counter() - started, statements[0]
        assert plan.ok
        operations.import_rows(plan, actor=clerk, file_name="bench.xlsx")
        total = time.perf_counter() - started
    finally:
        db.session.rollback()
        event.remove(db.engine, "before_cursor_execute", count)
    return checked, total, check_statements, statements[0] - check_statements


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=200_000)
    parser.add_argument("--web-rows", type=int, default=2000, help="the web's limit per file")
    parser.add_argument("--cli-rows", type=int, default=5000)
    parser.add_argument("--db", default=str(ROOT / "bench-roster.db"))
    parser.add_argument(
        "--database-url",
        default=None,
        help="run on this database instead (e.g. PostgreSQL); it must already hold "
        "--candidates candidates (python -m bench.roster --database-url seeds it); "
        "the SQLite scratch file is then not used",
    )
    parser.add_argument("--child", nargs=2, metavar=("USER", "QUERY"), help=argparse.SUPPRESS)
    # bench.roster's own options, which `make bench` passes here too (BENCH_ARGS): ignored.
    parser.add_argument("--runs", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--fresh", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--plans", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--only", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_export(os.environ[URL_VARIABLE], *args.child)
        return

    if args.database_url:  # never the SQLite scratch file when benching another database
        url = args.database_url
        before = ensure_given_database(url, args.candidates)
    else:
        db_path = Path(args.db)
        url = f"sqlite:///{db_path}"
        before = ensure_database(db_path, args.candidates)
    from sqlalchemy.engine import make_url

    where = make_url(url)
    backend = "SQLite" if where.get_backend_name() == "sqlite" else where.get_backend_name()
    name = Path(where.database or "").name if backend == "SQLite" else where.database
    print(f"\nExcel on {before:,} candidates, {backend} ({name})")
    print(f"{'what':<38} {'rows':>8} {'time s':>8} {'MB':>6} {'peak RSS MB':>12}  target")
    for label, user, query in (
        ("export, county (admin)", "admin", "?status=all"),
        ("export, one township (clerk)", "t01_clerk", "?status=all"),
    ):
        r = measure_export(url, user, query)
        ok = r["seconds"] < EXPORT_TARGET_S and r["peak_mb"] < EXPORT_TARGET_MB
        print(
            f"{label:<38} {r['rows']:>8,} {r['seconds']:>8.1f} {r['bytes'] / 1024 / 1024:>6.1f} "
            f"{r['peak_mb']:>12.0f}  < {EXPORT_TARGET_S:.0f} s, < {EXPORT_TARGET_MB:.0f} MB "
            f"{'ok' if ok else 'OVER'}  (process before export: {r['baseline_mb']:.0f} MB)"
        )
    r = measure_import(url, args.web_rows, args.cli_rows)
    web, cli = r["web_confirm"], r["cli"]
    lines = [
        ("import (web): upload, read the file", r["web_rows"], r["upload_s"], ""),
        ("import (web): + preview, check rows", r["web_rows"], r["preview_s"], ""),
        ("import (web): confirm, check again", r["web_rows"], web[0], f"{web[2]:,} SQL"),
        ("import (web): confirm, + write*", r["web_rows"], web[1], f"+ {web[3]:,} SQL"),
        ("import-roster: read + check", r["cli_rows"], cli[0], f"{cli[2]:,} SQL"),
        ("import-roster: + write*", r["cli_rows"], cli[1], f"+ {cli[3]:,} SQL"),
    ]
    for label, rows, seconds, statements in lines:
        print(f"{label:<38} {rows:>8,} {seconds:>8.1f}  {statements}")
    print(f"preview page: {r['page_mb']:.1f} MB of HTML; * written, then rolled back")
    after = count_candidates(url)
    print(f"candidates before: {before:,}, after: {after:,}")
    if after != before:
        raise SystemExit(f"the database changed: {before:,} candidates before, {after:,} after")


if __name__ == "__main__":
    main()
