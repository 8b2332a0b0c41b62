"""The dashboard's tallies stay equal to a count of the candidates after every kind of write.

The expected counts are computed here in Python from the candidates themselves, not with the
app's own rebuild, so a missed write path or a wrong delta shows as a difference.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from sqlalchemy import select

from app.core.idcard import make_id_number
from app.extensions import db
from app.roster import tallies
from app.roster.models import Candidate, CandidateTally
from tests.conftest import login
from tests.helpers import browser_form
from tests.helpers import candidate_form as payload
from tests.test_outcomes import RESTORE, USE, WITHDRAW


def recount() -> Counter:
    expected: Counter = Counter()
    for c in db.session.scalars(select(Candidate).where(Candidate.is_deleted.is_(False))):
        values = {
            "all": "",
            "gender": c.gender,
            "education": c.education,
            "political": c.political,
            "source": c.source,
            "direction": c.direction,
            "entered": str(c.entered_on.year) if c.entered_on else "",
        }
        for dimension, value in values.items():
            expected[(c.village_id, c.township_id, c.status, dimension, value)] += 1
    return expected


def stored() -> Counter:
    rows = db.session.execute(
        select(
            CandidateTally.village_id,
            CandidateTally.township_id,
            CandidateTally.status,
            CandidateTally.dimension,
            CandidateTally.value,
            CandidateTally.n,
        ).where(CandidateTally.n != 0)
    )
    return Counter({tuple(row[:5]): row[5] for row in rows})


def assert_in_step() -> None:
    db.session.expire_all()
    assert stored() == recount()


def client_for(app, user):
    client = app.test_client()
    login(client, user)
    return client


@pytest.fixture
def town(make):
    township = make.township("太平镇", villages=("石桥村", "太平村"))
    return {
        "township": township,
        "clerk": make.user("clerk", township),
        "secretary": make.user("secretary", township),
    }


def test_every_write_through_the_app_keeps_the_tallies(app, town):
    township = town["township"]
    clerk = client_for(app, town["clerk"])
    secretary = client_for(app, town["secretary"])
    first, second = township.villages

    response = clerk.post("/candidates/new", data=payload(first.id))
    assert response.status_code == 302, response.get_data(as_text=True)[:400]
    candidate = db.session.scalar(select(Candidate))
    assert_in_step()

    # An edit that moves village, education and direction at once.
    form = browser_form(clerk.get(f"/candidates/{candidate.id}/edit").get_data(True), "name")
    form |= {"village_id": str(second.id), "education": "college", "direction": "committee_member"}
    assert clerk.post(f"/candidates/{candidate.id}/edit", data=form).status_code == 302
    assert_in_step()

    # Into the pool (the entry date, and so the "entered" year, is set), then out and back.
    for target in ("inspecting", "in_pool"):
        response = secretary.post(f"/candidates/{candidate.id}/status", data={"target": target})
        assert response.status_code == 302
        assert_in_step()
    assert db.session.get(Candidate, candidate.id).entered_on is not None
    for path, data in (("withdraw", WITHDRAW), ("restore", RESTORE), ("use", USE)):
        response = secretary.post(f"/candidates/{candidate.id}/outcome/{path}", data=data)
        assert response.status_code == 302, (path, response.get_data(as_text=True)[:400])
        assert_in_step()
    assert db.session.get(Candidate, candidate.id).status == "used"


def test_a_refused_form_changes_no_tally(app, town):
    clerk = client_for(app, town["clerk"])
    before = stored()
    bad = payload(town["township"].villages[0].id, id_number="110105194912310021")
    assert clerk.post("/candidates/new", data=bad).status_code == 422  # checksum refused
    assert stored() == before


def test_deletes_and_rollbacks_keep_the_tallies(make, town):
    township = town["township"]
    keep = make.candidate(township)
    gone = make.candidate(township, education="college")
    soft = make.candidate(township, source="returned_graduate")
    assert_in_step()

    soft.is_deleted = True
    db.session.commit()
    assert_in_step()
    soft.is_deleted = False
    db.session.commit()
    assert_in_step()

    for change in gone.status_changes:
        db.session.delete(change)
    db.session.delete(gone)
    db.session.commit()
    assert_in_step()

    # A flushed change that is rolled back takes its tally deltas with it.
    keep.status = "in_pool"
    keep.entered_on = dt.date(2024, 3, 1)
    db.session.flush()
    db.session.rollback()
    assert_in_step()

    # A value set on an expired object (its old value never loaded) still moves the tally.
    db.session.expire(keep)
    keep.gender = "F"
    keep.id_number = make_id_number("430521", dt.date(1990, 5, 3), 2, "F")
    db.session.commit()
    assert_in_step()


def test_rebuild_counts_what_the_operations_kept(make, town):
    township = town["township"]
    for n, education in enumerate(("bachelor", "college", "bachelor", "postgraduate")):
        make.candidate(township, education=education, village_id=township.villages[n % 2].id)
    kept = stored()
    tallies.rebuild(db.session.connection())
    db.session.commit()
    assert stored() == kept == recount()


@pytest.mark.commits  # seed-demo VACUUMs PostgreSQL on a connection of its own
def test_the_demo_seed_leaves_the_tallies_in_step(runner):
    result = runner.invoke(args=["seed-demo", "--candidates", "300", "--password", "x" * 12])
    assert result.exit_code == 0, result.output
    assert_in_step()
    assert sum(n for (*_, dimension, _v), n in stored().items() if dimension == "all") == 300


def test_rebuild_command_repairs_a_tally_changed_by_hand(runner, make, town):
    make.candidate(town["township"])
    db.session.execute(CandidateTally.__table__.update().values(n=CandidateTally.n + 5))
    db.session.commit()
    assert stored() != recount()
    result = runner.invoke(args=["rebuild-tallies"])
    assert result.exit_code == 0, result.output
    assert "重新统计" in result.output
    assert_in_step()
