"""Failed logins sent all at once: no more than the limit get to check a password — per
username and per client address, on SQLite (BEGIN IMMEDIATE) and PostgreSQL (the upsert's row
lock).

The race is made real, not left to timing: every login let through to its password check waits
there until all the others have been let through too (or a second has passed). Counted after
the check, as before, every login of the burst passed the limit's test before any was counted
(the race let six through a limit of five); counted first and atomically, the ones past the
limit are refused before they get there, and those let through wait out the second alone.
"""

from __future__ import annotations

import threading

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from app.accounts.models import LoginThrottle
from app.extensions import db

# The logins are threads, each with its own session and connection: real commits.
pytestmark = pytest.mark.commits

BURST = 8
WAIT = 1.0  # seconds a login let through waits for the rest of the burst


@pytest.fixture
def checks_wait_for_each_other(monkeypatch) -> list[int]:
    """Each password check waits for the whole burst to arrive; returns one entry per check."""
    barrier = threading.Barrier(BURST)
    checked: list[int] = []
    lock = threading.Lock()
    original = PasswordHasher.verify

    def wait_then_verify(self, password_hash, password):
        with lock:
            checked.append(1)
        try:
            barrier.wait(timeout=WAIT)
        except threading.BrokenBarrierError:
            pass  # the rest of the burst was refused: go on alone
        return original(self, password_hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", wait_then_verify)
    return checked


def burst(app, usernames: list[str]) -> list[int]:
    """One failed login per username, all at once, each from its own browser; the answers."""
    posts = []
    for username in usernames:
        client = app.test_client()
        form = {"username": username, "password": "wrong-password-1"}
        posts.append((client, form | {"csrf_token": client.csrf_token()}))
    db.session.remove()  # the threads open their own sessions
    answers: list = [None] * len(posts)

    def run(i, client, form):
        try:
            answers[i] = client.post("/login", data=form).status_code
        except Exception as exc:  # noqa: BLE001 — the outcome is what the test looks at
            answers[i] = exc

    threads = [
        threading.Thread(target=run, args=(i, client, form))
        for i, (client, form) in enumerate(posts)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers


@pytest.mark.parametrize(
    ("scope", "limit"),
    [("username", 5), ("address", 3)],
)
def test_a_burst_of_failed_logins_lets_no_more_than_the_limit_through(
    app, checks_wait_for_each_other, scope, limit
):
    if scope == "username":  # the same username from one address
        assert app.config["ROSTER_LOGIN_MAX_FAILURES"] == limit
        usernames = ["zhangsan"] * BURST
    else:  # a different username each, from one address
        app.config["ROSTER_LOGIN_MAX_ADDRESS_FAILURES"] = limit
        usernames = [f"guess{n}" for n in range(BURST)]
    answers = burst(app, usernames)
    assert sorted(answers) == [200] * limit + [429] * (BURST - limit), answers
    assert len(checks_wait_for_each_other) == limit
    counted = db.session.scalars(select(LoginThrottle.failures).where(LoginThrottle.scope == scope))
    assert max(counted) == limit
