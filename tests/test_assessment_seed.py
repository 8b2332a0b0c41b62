"""``seed-demo`` adds inspections, two years of assessments, notes and outcomes that agree with
each candidate's status and history."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from app.accounts.models import User
from app.assessment.models import Assessment, DynamicNote, Inspection, Outcome
from app.core import clock
from app.extensions import db
from app.roster.models import Candidate, StatusChange


@pytest.mark.commits  # seed-demo VACUUMs PostgreSQL on a connection of its own
def test_seed_writes_the_areas_records_consistently(runner, client):
    result = runner.invoke(
        args=["seed-demo", "--candidates", "400", "--seed", "3", "--password", "demo-password-1"]
    )
    assert result.exit_code == 0, result.output
    assert "考察记录" in result.output and "考核" in result.output

    candidates = {c.id: c for c in db.session.scalars(select(Candidate))}
    outcomes = db.session.scalars(select(Outcome)).all()
    # Every used or withdrawn candidate has exactly one outcome row of its kind, and its last
    # status change says what the row says.
    left = {cid for cid, c in candidates.items() if c.status in ("used", "withdrawn")}
    assert sorted(o.candidate_id for o in outcomes) == sorted(left)
    for outcome in outcomes:
        candidate = candidates[outcome.candidate_id]
        assert outcome.kind == candidate.status
        assert candidate.entered_on <= outcome.decided_on <= clock.today()
        assert outcome.township_id == candidate.township_id
        last = db.session.scalars(
            select(StatusChange)
            .where(StatusChange.candidate_id == candidate.id)
            .order_by(StatusChange.id.desc())
        ).first()
        assert f"{outcome.decided_on:%Y-%m-%d}" in last.reason
        local = last.created_dt.astimezone(ZoneInfo("Asia/Shanghai")).date()
        assert outcome.decided_on == min(local, clock.today())  # the day it left the pool
        if outcome.kind == "used":
            assert outcome.outcome_label in last.reason and outcome.place
        else:
            assert outcome.reason_label in last.reason and outcome.detail

    # Assessments: only for those who entered the pool, within 0..100, one latest each.
    assessments = db.session.scalars(select(Assessment)).all()
    assert len({a.candidate_id for a in assessments}) > len(candidates) // 3
    years = {a.year for a in assessments if a.kind == "annual"}
    assert years == {clock.today().year - 2, clock.today().year - 1}
    for a in assessments:
        candidate = candidates[a.candidate_id]
        assert candidate.entered_on is not None
        assert all(0 <= value <= 100 for _, value in a.scores)
        assert a.period_start <= a.period_end and a.assessed_on <= clock.today()
    latest = db.session.execute(
        select(Assessment.candidate_id, func.count())
        .where(Assessment.is_latest.is_(True))
        .group_by(Assessment.candidate_id)
    ).all()
    assert {cid for cid, _ in latest} == {a.candidate_id for a in assessments}
    assert all(n == 1 for _, n in latest)
    grades = {a.grade for a in assessments}
    assert {"competent", "excellent"} <= grades and grades & {"basically_competent", "incompetent"}

    # Inspections: none for the never-approved beyond what waiting allows; notes for some.
    inspections = db.session.scalars(select(Inspection)).all()
    assert inspections and all(
        i.inspected_on <= clock.today() and i.township_id == candidates[i.candidate_id].township_id
        for i in inspections
    )
    assert db.session.scalar(select(func.count()).select_from(DynamicNote)) > 0

    # The demo secretary's review queue and a dossier render with this data.
    response = client.post(
        "/login", data={"username": "t01_secretary", "password": "demo-password-1"}
    )
    assert response.status_code == 302
    assert client.get("/review/").status_code == 200
    own = db.session.scalar(select(User.township_id).where(User.username == "t01_secretary"))
    mine = [
        c for c in candidates.values() if c.township_id == own and c.status in ("used", "withdrawn")
    ]
    assert mine
    for candidate in mine[:3]:
        page = client.get(f"/candidates/{candidate.id}/print")
        assert page.status_code == 200
        row = next(o for o in outcomes if o.candidate_id == candidate.id)
        assert (row.outcome_label if row.kind == "used" else row.reason_label) in page.get_data(
            True
        )
