"""``seed-demo`` builds a plausible county and prints the users it made."""

import re

import pytest
from sqlalchemy import func, select

from app.accounts.models import User
from app.core.idcard import parse_id_number
from app.extensions import db
from app.places.models import Township, Village
from app.roster.models import Candidate, StatusChange


@pytest.mark.commits  # seed-demo VACUUMs PostgreSQL on a connection of its own
def test_seed_demo_builds_a_county(runner, client):
    result = runner.invoke(
        args=["seed-demo", "--candidates", "300", "--seed", "7", "--password", "demo-password-1"]
    )
    assert result.exit_code == 0, result.output
    assert "t01_clerk" in result.output and "county_secretary" in result.output
    assert re.search(
        r"已生成 \d+ 个乡镇、\d+ 个村（社区）、\d+ 个账号、300 名后备干部", result.output
    )

    assert db.session.scalar(select(func.count()).select_from(Candidate)) == 300
    townships = db.session.scalar(select(func.count()).select_from(Township))
    assert 15 <= townships <= 25
    assert db.session.scalar(select(func.count()).select_from(Village)) >= townships * 7
    # Every candidate has a valid ID number and a status history that ends where it stands.
    for candidate in db.session.scalars(select(Candidate)):
        info = parse_id_number(candidate.id_number)
        assert (info.birth_date, info.sex) == (candidate.birth_date, candidate.gender)
        last = db.session.scalars(
            select(StatusChange)
            .where(StatusChange.candidate_id == candidate.id)
            .order_by(StatusChange.id.desc())
        ).first()
        assert last.to_status == candidate.status
        assert candidate.village.township_id == candidate.township_id

    # The printed users can log in with the printed password and see their own township.
    clerk = db.session.scalar(select(User).where(User.username == "t01_clerk"))
    response = client.post("/login", data={"username": "t01_clerk", "password": "demo-password-1"})
    assert response.status_code == 302
    html = client.get("/candidates/?status=all").get_data(as_text=True)
    own = db.session.scalar(
        select(func.count())
        .select_from(Candidate)
        .where(Candidate.township_id == clerk.township_id)
    )
    assert f'<strong id="total">{own}</strong>' in html


def test_seed_demo_refuses_a_database_with_data(runner, make):
    make.township("已有镇")
    result = runner.invoke(args=["seed-demo", "--candidates", "10"])
    assert result.exit_code != 0
    assert "已有乡镇数据" in result.output
