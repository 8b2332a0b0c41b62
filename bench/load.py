"""``make load``: 50 simulated clerks and secretaries against gunicorn (4 workers) for 60 s.

Serves the app for real on 127.0.0.1 (a free port) over a scratch database — SQLite (WAL,
busy timeout) by default, or PostgreSQL with ``--database-url`` — seeded with the demo
county. Each simulated user logs in and loops: roster pages, searches, candidate pages, the
dashboard; clerks also edit candidates (a new phone number each time). Every acknowledged
edit (a 302 after the POST) is checked in the database at the end: none may be lost. Prints
throughput, p50/p95 latency per kind of request, and the count of 5xx answers (target: 0).

    python -m bench.load [--users 50] [--seconds 60] [--workers 4] [--candidates 20000]
                         [--database-url URL]

Bounded in time and count, and aimed at 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import defaultdict

from bench.serving import Gunicorn, User

PASSWORD = "load-password-1"
MAX_REQUESTS = 200_000  # a hard stop besides the clock


def prepare(url: str, candidates: int, password: str = PASSWORD) -> dict:
    """Migrate and seed the scratch database; return usernames by role."""
    env = os.environ | {"DATABASE_URL": url, "ROSTER_ENV": "development"}
    flask = [sys.executable, "-m", "flask", "--app", "app"]
    subprocess.run([*flask, "db", "upgrade", "heads"], env=env, check=True, capture_output=True)
    result = subprocess.run(
        [*flask, "seed-demo", "--candidates", str(candidates), "--password", password],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    names = re.findall(r"^\s+(t\d+_(?:clerk|secretary))\b", result.stdout, re.M)
    return {
        "clerk": [n for n in names if n.endswith("clerk")],
        "secretary": [n for n in names if n.endswith("secretary")],
    }


def run_user(user: User, role: str, deadline: float, stats, acknowledged, lock, rng):
    status = user.login(PASSWORD)
    if status != 302:
        stats["login-failed"].append((status, 0.0))
        return
    ids: list[int] = []
    n = 0
    while time.monotonic() < deadline and n < MAX_REQUESTS // 50:
        n += 1
        choice = rng.random()
        if choice < 0.35 or not ids:
            page = rng.randint(1, 5)
            status, html, took, _ = user.request(f"/candidates/?page={page}")
            ids = [int(i) for i in re.findall(r'href="/candidates/(\d+)"', html)] or ids
            kind = "roster"
        elif choice < 0.50:
            q = rng.choice(["zh", "wang", "li", "ch", "zs", "1234", "王", "张"])
            status, _, took, _ = user.request("/candidates/?q=" + urllib.parse.quote(q))
            kind = "search"
        elif choice < 0.75:
            status, _, took, _ = user.request(f"/candidates/{rng.choice(ids)}")
            kind = "candidate"
        elif choice < 0.85 or role != "clerk":
            status, _, took, _ = user.request("/")
            kind = "dashboard"
        else:
            candidate_id = rng.choice(ids)
            status, html, took, _ = user.request(f"/candidates/{candidate_id}/edit")
            form = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html))
            for name, value in re.findall(
                r'<select[^>]*name="([^"]+)"[^>]*>.*?<option[^>]*selected[^>]*value="([^"]*)"',
                html,
                re.S,
            ):
                form[name] = value
            for name, value in re.findall(
                r'<select[^>]*name="([^"]+)".*?<option selected value="([^"]*)"', html, re.S
            ):
                form[name] = value
            notes = re.search(r'<textarea[^>]*name="notes"[^>]*>(.*?)</textarea>', html, re.S)
            form["notes"] = notes.group(1).strip() if notes else ""
            phone = f"139{rng.randint(10_000_000, 99_999_999)}"
            form["phone"] = phone
            status, _, took, _ = user.request(f"/candidates/{candidate_id}/edit", form)
            kind = "edit"
            if status == 302:
                with lock:
                    acknowledged.append((candidate_id, phone))
        stats[kind].append((status, took))


def drive(base: str, users: dict, args) -> tuple[dict, list, float]:
    """Run the simulated users until the deadline; (stats, acknowledged edits, seconds)."""
    stats: dict[str, list] = defaultdict(list)
    acknowledged: list[tuple[int, str]] = []
    lock = threading.Lock()
    deadline = time.monotonic() + args.seconds
    threads = []
    for i in range(args.users):
        role = "clerk" if i % 2 == 0 else "secretary"
        pool = users[role]
        user = User(base, pool[i // 2 % len(pool)])
        thread = threading.Thread(
            target=run_user,
            args=(user, role, deadline, stats, acknowledged, lock, random.Random(i)),
            daemon=True,
        )
        threads.append(thread)
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=args.seconds + 60)
    return stats, acknowledged, time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--candidates", type=int, default=20_000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    os.environ.setdefault("ROSTER_ENV", "development")

    scratch = tempfile.mkdtemp(prefix="roster-load-")
    try:
        url = args.database_url or f"sqlite:///{scratch}/load.db"
        print(f"seeding {args.candidates} candidates into {url.split('@')[-1]} …", flush=True)
        users = prepare(url, args.candidates)
        with Gunicorn(url, workers=args.workers) as server:
            stats, acknowledged, elapsed = drive(server.base, users, args)
            server_log = server.log()

        from app import create_app
        from app.extensions import db
        from app.roster.models import Candidate

        app = create_app(SQLALCHEMY_DATABASE_URI=url)
        lost = 0
        with app.app_context():
            latest: dict[int, str] = {}
            for candidate_id, phone in acknowledged:
                latest[candidate_id] = phone  # the last acknowledged write of each record wins
            for candidate_id, phone in latest.items():
                if db.session.get(Candidate, candidate_id).phone != phone:
                    lost += 1

        total = sum(len(v) for v in stats.values())
        errors = sum(1 for v in stats.values() for status, _ in v if status >= 500)
        print(
            f"\n{args.users} users, {args.workers} gunicorn workers, {elapsed:.0f} s, "
            f"{url.split(':')[0]}"
        )
        print(
            f"requests: {total}  throughput: {total / elapsed:.1f}/s  5xx: {errors}  "
            f"acknowledged edits: {len(acknowledged)}  lost: {lost}"
        )
        print(f"{'kind':<10} {'count':>6} {'p50 ms':>8} {'p95 ms':>8}  statuses")
        for kind, values in sorted(stats.items()):
            times = sorted(t * 1000 for _, t in values)
            codes = defaultdict(int)
            for status, _ in values:
                codes[status] += 1
            p95 = times[min(len(times) - 1, int(0.95 * (len(times) - 1)))] if times else 0
            p50 = statistics.median(times) if times else 0
            print(f"{kind:<10} {len(values):>6} {p50:>8.1f} {p95:>8.1f}  {dict(codes)}")
        if "Traceback" in server_log:
            print("server errors:\n" + server_log[-3000:])
        sys.exit(1 if errors or lost else 0)

    finally:
        shutil.rmtree(scratch, ignore_errors=True)  # the SQLite scratch database


if __name__ == "__main__":
    main()
