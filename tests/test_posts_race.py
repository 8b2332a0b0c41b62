"""Two clerks saving clashing placements at the same moment: exactly one succeeds, the other is
told the clash — on SQLite (BEGIN IMMEDIATE) and on PostgreSQL (row locks, and the exclusion
constraint as the backstop).

The race is made real, not left to timing: every check, once done, waits at a barrier until the
other writer has done its check too (or a second has passed). Without the write lock both
writers get past their checks before either writes — ``test_without_the_lock_the_race_is_lost``
shows the harness then loses, so the tests that pass do so because of the lock.
"""

from __future__ import annotations

import datetime as dt
import html as html_lib
import itertools
import re
import threading
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from app.core import clock
from app.core.errors import RuleError
from app.core.idcard import make_id_number
from app.extensions import db
from app.posts import operations, rules
from app.posts.models import Placement, Post
from tests.conftest import login
from tests.helpers import new_placement

_SEQ = itertools.count(1)
WAIT = 1.0  # seconds a checked writer waits for the other one's check


def person(make, township, name):
    number = make_id_number("430521", dt.date(1992, 2, 2), (next(_SEQ) % 499) * 2, "M")
    candidate = make.candidate(township, name=name, id_number=number)
    candidate.status = "in_pool"
    db.session.commit()
    return candidate


def new_post(township, name, capacity=1) -> Post:
    post = Post(
        township_id=township.id,
        kind="frontline",
        name=name,
        host="",
        supervisor="",
        duties="",
        capacity=capacity,
        is_active=True,
    )
    db.session.add(post)
    db.session.commit()
    return post


def placements_on(post_id=None, candidate_id=None) -> int:
    db.session.expire_all()
    stmt = select(func.count()).select_from(Placement)
    if post_id is not None:
        stmt = stmt.where(Placement.post_id == post_id)
    if candidate_id is not None:
        stmt = stmt.where(Placement.candidate_id == candidate_id)
    return db.session.scalar(stmt)


@pytest.fixture
def checks_wait_for_each_other(monkeypatch):
    """Each writer, having checked, waits until the other has checked as well."""
    barrier = threading.Barrier(2)
    original = rules.problems

    def checked_then_wait(*args, **kwargs):
        found = original(*args, **kwargs)
        try:
            barrier.wait(timeout=WAIT)
        except threading.BrokenBarrierError:
            pass  # the other writer is held by the lock: go on alone
        return found

    monkeypatch.setattr(rules, "problems", checked_then_wait)


def run_both(*jobs):
    results: list = [None] * len(jobs)

    def run(i, job):
        try:
            results[i] = job()
        except Exception as exc:  # noqa: BLE001 — the outcome is what the test looks at
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.fixture
def scene(make):
    township = make.township("青山镇", villages=("石桥村", "太平村"))
    start, end = clock.today() + dt.timedelta(days=10), clock.today() + dt.timedelta(days=70)
    clerks = [make.user("clerk", township), make.user("clerk", township)]
    # Plain values: the threads open their own sessions, and this one is closed below.
    data = SimpleNamespace(
        seat=new_post(township, "信访接待", capacity=1).id,
        other=new_post(township, "重点工程", capacity=1).id,
        li=person(make, township, "李明").id,
        wang=person(make, township, "王芳").id,
        start=start,
        end=end,
        clerks=[SimpleNamespace(id=c.id, username=c.username) for c in clerks],
    )
    db.session.remove()
    return data


def values(candidate_id, post_id, start, end) -> dict:
    return {
        "candidate_id": candidate_id,
        "post_id": post_id,
        "batch_id": None,
        "start_on": start,
        "end_on": end,
        "goal": "熟悉信访接待的流程和政策",
    }


def in_own_session(app, actor_id, vals):
    """An operation as a CLI command or an import would call it: own app context and session."""

    def job():
        with app.app_context():
            try:
                placement = operations.create_placement(vals, actor=SimpleNamespace(id=actor_id))
                db.session.commit()
                return placement.id
            except Exception:
                db.session.rollback()
                raise
            finally:
                db.session.remove()

    return job


def _one_won(results) -> tuple[int, RuleError]:
    winners = [r for r in results if isinstance(r, int)]
    losers = [r for r in results if isinstance(r, RuleError)]
    assert len(winners) == 1 and len(losers) == 1, results
    return winners[0], losers[0]


# ---- the operation, raced from two sessions ------------------------------------------------


@pytest.mark.commits  # the writers are threads with sessions of their own
def test_last_seat_raced_by_two_sessions(app, scene, checks_wait_for_each_other):
    s = scene
    clerk_a, clerk_b = (c.id for c in s.clerks)
    results = run_both(
        in_own_session(app, clerk_a, values(s.li, s.seat, s.start, s.end)),
        in_own_session(app, clerk_b, values(s.wang, s.seat, s.start, s.end)),
    )
    _, loser = _one_won(results)
    assert f"信访接待 在 {s.start:%Y-%m-%d} 已有 1 人，容量为 1" in loser.errors["post_id"]
    assert placements_on(post_id=s.seat) == 1


@pytest.mark.commits  # the writers are threads with sessions of their own
def test_same_candidate_raced_onto_two_posts(app, scene, checks_wait_for_each_other):
    s = scene
    clerk_a, clerk_b = (c.id for c in s.clerks)
    results = run_both(
        in_own_session(app, clerk_a, values(s.li, s.seat, s.start, s.end)),
        in_own_session(app, clerk_b, values(s.li, s.other, s.start, s.end)),
    )
    _, loser = _one_won(results)
    assert f"李明 在 {s.start:%Y-%m-%d} 至 {s.end:%Y-%m-%d} 已安排在" in loser.errors["candidate"]
    assert placements_on(candidate_id=s.li) == 1


@pytest.mark.commits  # the writers are threads with sessions of their own
def test_without_the_lock_the_race_is_lost(app, scene, checks_wait_for_each_other, monkeypatch):
    """The same race with ``begin_write`` taken out: both writers pass their checks, and the
    post ends over capacity (PostgreSQL) or the second writer fails on a stale snapshot
    (SQLite) — never the clean refusal the tests above see."""
    monkeypatch.setattr(operations, "begin_write", lambda *rows: None)
    s = scene
    clerk_a, clerk_b = (c.id for c in s.clerks)
    results = run_both(
        in_own_session(app, clerk_a, values(s.li, s.seat, s.start, s.end)),
        in_own_session(app, clerk_b, values(s.wang, s.seat, s.start, s.end)),
    )
    clean = sum(isinstance(r, int) for r in results) == 1 and any(
        isinstance(r, RuleError) for r in results
    )
    assert not clean, results
    if db.engine.dialect.name == "postgresql":
        assert placements_on(post_id=s.seat) == 2


# ---- the same races through the browser's form --------------------------------------------


def _text(response) -> str:
    return html_lib.unescape(response.get_data(as_text=True))


def _error_at(page: str, field_id: str) -> str:
    match = re.search(rf'id="{field_id}-error"[^>]*>(.*?)</div>', page, re.S)
    return match.group(1) if match else ""


def _form(candidate_id, post_id, start, end) -> dict:
    return {
        "candidate": str(candidate_id),
        "post_id": str(post_id),
        "start_on": start.isoformat(),
        "end_on": end.isoformat(),
        "goal": "熟悉信访接待的流程和政策",
    }


def _clients(app, clerks):
    clients = []
    for clerk in clerks:
        client = app.test_client()
        login(client, clerk)
        clients.append(client)
    db.session.remove()
    return clients


@pytest.mark.commits  # the two requests run on threads of their own
@pytest.mark.parametrize("clash", ["capacity", "candidate"])
def test_two_clerks_save_at_once(app, scene, checks_wait_for_each_other, clash):
    s = scene
    a, b = _clients(app, s.clerks)
    first = _form(s.li, s.seat, s.start, s.end)
    if clash == "capacity":
        second = _form(s.wang, s.seat, s.start, s.end)
    else:
        second = _form(s.li, s.other, s.start, s.end)
    results = run_both(
        lambda: new_placement(a, first),
        lambda: new_placement(b, second),
    )
    codes = sorted(getattr(r, "status_code", r) for r in results)
    assert codes == [302, 422], results
    loser = next(r for r in results if r.status_code == 422)
    page = _text(loser)
    if clash == "capacity":
        assert "信访接待 在" in _error_at(page, "post_id") and "容量为 1" in page
        assert placements_on(post_id=s.seat) == 1
    else:
        assert "李明 在" in _error_at(page, "candidate") and "已安排在" in page
        assert placements_on(candidate_id=s.li) == 1


# ---- PostgreSQL: the exclusion constraint is the backstop ----------------------------------


def test_exclusion_constraint_turns_into_the_form_error(app, scene, monkeypatch):
    """Should a write ever pass the checks (another code path, a bug), PostgreSQL still refuses
    the overlap, and the clerk reads the same message, not an error page."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the exclusion constraint exists on PostgreSQL only")
    s = scene
    (client, _) = _clients(app, s.clerks)
    assert new_placement(client, _form(s.li, s.seat, s.start, s.end)).status_code == 302
    monkeypatch.setattr(rules, "problems", lambda draft, **kw: {})
    later = s.end - dt.timedelta(days=5)
    response = new_placement(
        client,
        _form(s.li, s.other, later, later + dt.timedelta(days=30)),
    )
    assert response.status_code == 422
    message = _error_at(_text(response), "candidate")
    assert f"李明 在 {s.start:%Y-%m-%d} 至 {s.end:%Y-%m-%d} 已安排在 信访接待" in message
    assert placements_on(candidate_id=s.li) == 1
