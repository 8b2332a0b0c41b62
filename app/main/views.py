"""The dashboard (工作台) and the health check."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import select, text

from app.core import clock
from app.core.codes import Status
from app.core.sections import worklists_for
from app.extensions import db
from app.main import queries
from app.places import settings
from app.places.models import Township

bp = Blueprint("main", __name__)


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 — any database failure means "not healthy"
        db.session.rollback()
        return {"status": "error", "database": "unreachable"}, 503
    return {"status": "ok", "database": "ok"}


@bp.get("/")
@login_required
def dashboard():
    today = clock.today()
    totals, by_township = queries.status_counts(current_user)
    townships = db.session.scalars(
        select(Township).where(Township.id == current_user.township_id)
        if current_user.township_id
        else select(Township).order_by(Township.id)
    ).all()
    minimum = settings.coverage_min()
    election = settings.next_election_on()
    pool = queries.pool_by_village(current_user)
    seats_total, seats = queries.seat_readiness(current_user, election, pool, limit=15)
    years = list(range(today.year - 4, today.year + 1))
    year = request.args.get("year", type=int)
    year = year if year in years else today.year
    # The county sees its years, and each township for a chosen year.
    pipeline, by_township_rows = queries.pipeline(
        current_user, years, township_year=year if current_user.is_county_level else None
    )
    return render_template(
        "main/dashboard.html",
        today=today,
        totals=totals,
        by_township=by_township,
        townships=townships,
        township_names={t.id: t.name for t in townships},
        statuses=list(Status),
        structure=queries.pool_structure(current_user, today),
        coverage=queries.coverage(current_user, minimum, pool),
        coverage_min=minimum,
        worklists=worklists_for(current_user, limit=5),
        election=election,
        seats=seats,
        seats_total=seats_total,
        pipeline=pipeline,
        pipeline_townships=by_township_rows,
        years=years,
        year=year,
    )
