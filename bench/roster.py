"""``make bench``: the roster's server times on 200,000 candidates in a scratch SQLite file.

Seeds the demo county once into ``bench-roster.db`` (kept for the next run; ``--fresh``
rebuilds it), runs ANALYZE, then times each page through the WSGI app in-process — the
server's own time, without a network — and prints median and p95 beside the target, with
the number of SQL statements each page issued.

    python -m bench.roster [--candidates 200000] [--runs 21] [--fresh] [--plans]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

from sqlalchemy import event, func, select, text

TARGET_MS = 50.0
TARGETS_MS = {"dashboard": 500.0, "candidate page": 100.0}
PASSWORD = "bench-password-1"
ROOT = Path(__file__).resolve().parent.parent


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _candidate_path(username: str) -> str:
    """A candidate the user may see: the first in_pool one of its scope."""
    from app.accounts.models import User
    from app.core.scoping import scoped
    from app.extensions import db
    from app.roster.models import Candidate

    user = db.session.scalar(select(User).where(User.username == username))
    candidate_id = db.session.scalar(
        scoped(Candidate, user)
        .where(Candidate.status == "in_pool")
        .with_only_columns(func.min(Candidate.id))
    )
    return f"/candidates/{candidate_id}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--db", default=str(ROOT / "bench-roster.db"))
    parser.add_argument(
        "--database-url",
        default=None,
        help="run on this database instead (e.g. PostgreSQL); it is emptied and reseeded "
        "unless it already holds --candidates candidates",
    )
    parser.add_argument("--fresh", action="store_true", help="rebuild the scratch database")
    parser.add_argument("--plans", action="store_true", help="print EXPLAIN QUERY PLAN")
    parser.add_argument(
        "--only", default="", help="time only the pages whose label contains this (e.g. dashboard)"
    )
    args = parser.parse_args()

    os.environ.setdefault("ROSTER_ENV", "development")
    db_path = Path(args.db)
    url = args.database_url or f"sqlite:///{db_path}"

    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db
    from app.roster.models import Candidate

    app = create_app(SQLALCHEMY_DATABASE_URI=url, WTF_CSRF_ENABLED=False)
    with app.app_context():
        have = 0
        if (args.database_url or db_path.exists()) and not args.fresh:
            try:
                upgrade(revision="heads")  # a scratch database from an older schema
                have = db.session.scalar(select(func.count()).select_from(Candidate)) or 0
            except Exception:  # noqa: BLE001 — an unreadable or empty scratch database
                db.session.rollback()
                have = 0
        if have != args.candidates:
            db.session.remove()
            if db.engine.dialect.name == "postgresql":
                with db.engine.begin() as conn:
                    conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
                    conn.execute(text("CREATE SCHEMA public"))
            db.engine.dispose()
            for suffix in ("", "-wal", "-shm"):
                if not args.database_url:  # never the SQLite file when benching another database
                    Path(f"{db_path}{suffix}").unlink(missing_ok=True)
            upgrade(revision="heads")
            from app.seed.demo import seed_demo

            started = time.perf_counter()
            seed_demo(count=args.candidates, seed=1, password=PASSWORD, echo=lambda *_: None)
            print(f"seeded {args.candidates} candidates in {time.perf_counter() - started:.1f} s")

        statements: list[str] = []

        @event.listens_for(db.engine, "before_cursor_execute")
        def _count(conn, cursor, statement, *_):
            statements.append(statement)

        client = app.test_client()
        timings = []
        for username in ("admin", "t01_clerk"):
            client.post("/login", data={"username": username, "password": PASSWORD})
            scope = "county (200k)" if username == "admin" else "one township"
            pages = [
                ("dashboard", "/"),
                ("roster first page", "/candidates/"),
                ("filtered page", "/candidates/?status=in_pool&education=bachelor&gender=F"),
                ("filtered, age, p3", "/candidates/?political=01&age_min=30&age_max=40&page=3"),
                ("q search: pinyin", "/candidates/?q=zhangs"),
                ("q search: initials", "/candidates/?q=wj"),
                ("q search: name", "/candidates/?q=%E7%8E%8B"),
                ("q search: ID tail", "/candidates/?q=1234"),
                ("sorted by entry date", "/candidates/?sort=-entered_on"),
            ]
            pages.append(("candidate page", _candidate_path(username)))
            for label, path in pages:
                if args.only not in label:
                    continue
                samples = []
                for _ in range(args.runs):
                    statements.clear()
                    start = time.perf_counter()
                    response = client.get(path)
                    samples.append((time.perf_counter() - start) * 1000)
                    assert response.status_code == 200, (path, response.status_code)
                timings.append((scope, label, samples, len(statements)))
            client.post("/logout")

        backend = db.engine.dialect.name
        print(f"\nRoster on {args.candidates:,} candidates, {backend}, {args.runs} runs each")
        print(f"{'scope':<15} {'page':<22} {'median ms':>10} {'p95 ms':>8} {'SQL':>4}  target")
        for scope, label, samples, n_sql in timings:
            median = statistics.median(samples)
            target = TARGETS_MS.get(label, TARGET_MS)
            verdict = "ok" if median < target else "OVER"
            print(
                f"{scope:<15} {label:<22} {median:>10.1f} {_percentile(samples, 0.95):>8.1f} "
                f"{n_sql:>4}  < {target:.0f} ms {verdict}"
            )

        if args.plans:
            from app.accounts.models import User
            from app.roster.queries import RosterFilters, ordered, roster_select

            admin = db.session.scalar(select(User).where(User.username == "admin"))
            for q in ("zhangs", "wj", "1234"):
                stmt = ordered(roster_select(admin, RosterFilters(q=q)), RosterFilters(q=q))
                sql = str(stmt.limit(50).compile(db.engine, compile_kwargs={"literal_binds": True}))
                explain = "EXPLAIN QUERY PLAN" if backend == "sqlite" else "EXPLAIN"
                print(f"\n{explain} q={q}")
                for row in db.session.execute(text(f"{explain} {sql}")):
                    print("  ", row[-1])


if __name__ == "__main__":
    main()
