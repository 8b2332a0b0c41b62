"""``python -m bench.upload``: other users' work while a clerk uploads a crafted workbook.

Two parts:

1. The reader alone, in this process: each crafted workbook of ``tests.crafted`` (3,000,000
   blank-looking rows, a million shared strings, an honest 100,000-row sheet, a row of two
   million cells, a cell on Excel's last row) and an honest 2,000-row roster — the time until
   it is refused (or read), median of ``--runs``.
2. gunicorn (4 sync workers) over a scratch demo county of 300, SQLite by default or
   PostgreSQL with ``--empty-database-url`` (an empty database, migrated and seeded here;
   ``make bench``'s ``--database-url`` names the 200,000-candidate one, left alone here): one
   township's clerk writes dynamic notes on a candidate and another user logs in,
   ``--rounds`` times each — first on a quiet server, then while one clerk uploads the
   crafted 3,000,000-row file over and over and another sends an upload's body slowly (a
   chunk every 0.2 s). Prints p50/p95/max per kind and every answer that was not a
   success (target: none, and the same times as on the quiet server).

    python -m bench.upload [--runs 5] [--rounds 20] [--empty-database-url URL]
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

from bench.serving import Gunicorn, User, multipart

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "upload-password-1"


def reader_times(runs: int) -> list[tuple[str, float, str]]:
    """(file, median seconds until refused or read, the outcome) for each crafted file."""
    sys.path.insert(0, str(ROOT))
    from app.excel.reading import read_sheet
    from app.excel.safety import FileRefused
    from tests import crafted

    files = dict(crafted.CRAFTED)
    files["honest_2000"] = lambda: crafted.honest_rows(2000)
    results = []
    for name, make in files.items():
        data = make()
        times, outcome = [], ""
        for _ in range(runs):
            started = time.perf_counter()
            try:
                read_sheet(data)
                outcome = "read"
            except FileRefused as refused:
                outcome = refused.message[:24] + "…"
            times.append(time.perf_counter() - started)
        results.append((name, statistics.median(times), outcome))
    return results


class SlowUpload(threading.Thread):
    """An upload whose body arrives a chunk at a time until ``stop`` is set; then the rest."""

    def __init__(self, user: User, content: bytes, chunk: int = 512, pause: float = 0.2):
        super().__init__(daemon=True)
        self.user, self.content, self.chunk, self.pause = user, content, chunk, pause
        self.stop = threading.Event()
        self.status: int | None = None
        self.error: str | None = None

    def run(self) -> None:
        try:
            form = self.user.request("/candidates/import")
            body, content_type = multipart(
                {"csrf_token": self.user.token(form.text)}, self.content, "花名册.xlsx"
            )
            host, port = self.user.base.removeprefix("http://").split(":")
            cookie = "; ".join(f"{c.name}={c.value}" for c in self.user.jar)
            head = (
                f"POST /candidates/import HTTP/1.1\r\nHost: {host}:{port}\r\n"
                f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
                f"Cookie: {cookie}\r\nConnection: close\r\n\r\n"
            ).encode()
            with socket.create_connection((host, int(port)), timeout=120) as conn:
                conn.sendall(head)
                sent = 0
                while sent < len(body) - self.chunk and not self.stop.is_set():
                    conn.sendall(body[sent : sent + self.chunk])
                    sent += self.chunk
                    time.sleep(self.pause)
                conn.sendall(body[sent:])
                answer = conn.recv(64).decode(errors="replace")
            match = re.match(r"HTTP/1\.[01] (\d{3})", answer)
            self.status = int(match.group(1)) if match else None
        except OSError as exc:
            self.error = repr(exc)


class Uploads(threading.Thread):
    """One clerk uploading ``content`` again and again until ``stop`` is set."""

    def __init__(self, user: User, content: bytes):
        super().__init__(daemon=True)
        self.user, self.content = user, content
        self.stop = threading.Event()
        self.answers: list[tuple[int, float]] = []
        self.texts: list[str] = []

    def run(self) -> None:
        while not self.stop.is_set():
            form = self.user.request("/candidates/import")
            answer = self.user.upload(
                "/candidates/import",
                self.content,
                "花名册.xlsx",
                {"csrf_token": self.user.token(form.text)},
            )
            self.answers.append((answer.status, answer.seconds))
            self.texts.append(answer.text)


def note_and_login(
    base: str, writer: User, reader: str, candidate_id: int, rounds: int, password: str = PASSWORD
):
    """``rounds`` times: the writer saves a note, a fresh session of ``reader`` logs in.
    Returns {"note": [(status, s)], "login": [(status, s)]}."""
    result: dict[str, list[tuple[int, float]]] = {"note": [], "login": []}
    path = f"/candidates/{candidate_id}/notes/new"
    for i in range(rounds):
        form = writer.request(path)
        answer = writer.request(
            path,
            {
                "csrf_token": writer.token(form.text),
                "kind": "whereabouts",
                "noted_on": "2026-01-05",
                "text": f"第 {i + 1} 次谈心谈话，思想稳定",
            },
        )
        result["note"].append((answer.status, answer.seconds))
        login = User(base, reader)
        started = time.perf_counter()
        status = login.login(password)
        result["login"].append((status, time.perf_counter() - started))
    return result


def candidate_of(user: User) -> int:
    page = user.request("/candidates/?status=all")
    match = re.search(r'href="/candidates/(\d+)"', page.text)
    if not match:
        raise RuntimeError(f"{user.username} sees no candidate")
    return int(match.group(1))


def served(url: str, rounds: int) -> dict:
    from bench.load import prepare
    from tests import crafted

    users = prepare(url, 300, PASSWORD)
    crafted_file = crafted.blank_rows()
    with Gunicorn(url, workers=4, env={"SECRET_KEY": "bench-" + uuid.uuid4().hex}) as server:
        base = server.base
        writer = User(base, users["clerk"][1])
        assert writer.login(PASSWORD) == 302
        candidate = candidate_of(writer)
        reader = users["secretary"][1]
        quiet = note_and_login(base, writer, reader, candidate, rounds)
        uploader, slow_sender = User(base, users["clerk"][0]), User(base, users["clerk"][0])
        assert uploader.login(PASSWORD) == 302 and slow_sender.login(PASSWORD) == 302
        uploads, slow = Uploads(uploader, crafted_file), SlowUpload(slow_sender, crafted_file)
        uploads.start()
        slow.start()
        time.sleep(0.5)
        busy = note_and_login(base, writer, reader, candidate, rounds)
        uploads.stop.set()
        slow.stop.set()
        uploads.join(120)
        slow.join(120)
        return {
            "quiet": quiet,
            "busy": busy,
            "uploads": uploads.answers,
            "upload_texts": uploads.texts,
            "slow": (slow.status, slow.error),
            "log": server.log(),
        }


def _figures(answers: list[tuple[int, float]]) -> str:
    times = sorted(s * 1000 for _, s in answers)
    if not times:
        return "none"
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    bad = [status for status, _ in answers if status >= 400]
    return (
        f"p50 {statistics.median(times):7.1f} ms  p95 {p95:7.1f} ms  max {times[-1]:7.1f} ms"
        f"  failed {len(bad)}{' ' + str(sorted(set(bad))) if bad else ''}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--empty-database-url")
    args, _ = parser.parse_known_args()  # make bench passes bench.roster's options too
    print("reader, median of", args.runs, "runs:")
    for name, seconds, outcome in reader_times(args.runs):
        print(f"  {name:14} {seconds * 1000:9.1f} ms  {outcome}")
    scratch = None
    url = args.empty_database_url
    if url is None:
        scratch = tempfile.mkdtemp(prefix="bench-upload-")
        url = f"sqlite:///{os.path.join(scratch, 'upload.db')}"
    try:
        result = served(url, args.rounds)
    finally:
        if scratch:
            for name in os.listdir(scratch):
                os.unlink(os.path.join(scratch, name))
            os.rmdir(scratch)
    print(f"gunicorn, 4 workers, {url.split(':')[0]}, {args.rounds} rounds:")
    for phase in ("quiet", "busy"):
        label = "quiet server" if phase == "quiet" else "during uploads"
        for kind in ("note", "login"):
            print(f"  {label:15} {kind:6} {_figures(result[phase][kind])}")
    print(f"  crafted uploads meanwhile: {len(result['uploads'])}, {_figures(result['uploads'])}")
    print(f"  slow upload answered: {result['slow']}")


if __name__ == "__main__":
    main()
