"""The demo seed's trial posts look like a real township's and obey every placement rule."""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from app.core import clock
from app.extensions import db
from app.places.models import Township
from app.posts import rules
from app.posts.models import Batch, Placement, Post, RotationPlanItem
from app.roster.models import Candidate
from tests.conftest import login


@pytest.mark.commits  # seed-demo VACUUMs PostgreSQL on a connection of its own
def test_seeded_posts_batches_and_placements(app, runner, client):
    result = runner.invoke(
        args=["seed-demo", "--candidates", "600", "--seed", "11", "--password", "demo-password-1"]
    )
    assert result.exit_code == 0, result.output
    assert re.search(
        r"试岗锻炼：\d+ 个服务窗口、\d+ 个其他岗位、\d+ 个批次、\d+ 项试岗安排", result.output
    )
    today = clock.today()

    townships = db.session.scalars(select(Township)).all()
    for township in townships:
        kinds = dict(
            db.session.execute(
                select(Post.kind, func.count())
                .where(Post.township_id == township.id)
                .group_by(Post.kind)
            ).all()
        )
        assert kinds["window"] == 10 and kinds["cross_village"] >= 2, (township.name, kinds)
        assert kinds["township_shadow"] >= 2 and kinds["frontline"] >= 2
        batches = db.session.scalar(
            select(func.count()).select_from(Batch).where(Batch.township_id == township.id)
        )
        assert batches == 3
    assert db.session.scalar(select(func.count()).select_from(RotationPlanItem)) >= 4 * len(
        townships
    )

    placements = db.session.scalars(select(Placement)).all()
    states = {p.state(today) for p in placements}
    assert {"planned", "active", "evaluated"} <= states
    in_pool = db.session.scalar(
        select(func.count()).select_from(Candidate).where(Candidate.status == "in_pool")
    )
    placed = {p.candidate_id for p in placements}
    assert 0.08 * in_pool <= len(placed) <= 0.3 * in_pool
    for p in placements:
        candidate = p.candidate
        assert candidate.status == "in_pool" and p.township_id == candidate.township_id
        assert p.post.township_id == candidate.township_id and p.goal
        assert rules.overlap(p.candidate_id, p.start_on, p.effective_end, p.id) is None
        if p.post.kind == "cross_village":
            assert p.post.host_village_id != candidate.village_id
        if p.batch is not None:
            assert p.batch.start_on <= p.start_on and p.end_on <= p.batch.end_on
        assert p.grade is None or p.evaluated_on is not None
    for post in db.session.scalars(select(Post)):
        busiest = rules.busiest_from(post, dt.date(2000, 1, 1))
        assert busiest is None or busiest[1] <= post.capacity, (post.name, busiest)

    # A township's clerk sees its posts, batches, and what is due.
    response = client.post("/login", data={"username": "t02_clerk", "password": "demo-password-1"})
    assert response.status_code == 302
    for url in ("/posts/", "/posts/batches", "/posts/due", "/posts/plans"):
        assert client.get(url).status_code == 200, url
    # The busiest post's month grid, as the county admin sees it.
    busy = max(
        db.session.scalars(select(Post)),
        key=lambda post: sum(1 for p in placements if p.post_id == post.id),
    )
    admin = app.test_client()
    login(admin, SimpleNamespace(username="admin"), "demo-password-1")
    page = admin.get(f"/posts/{busy.id}").get_data(as_text=True)
    assert "同时在岗（最多）" in page and page.count("data-placement=") >= 1
