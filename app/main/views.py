"""The dashboard and the health check."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required
from sqlalchemy import func, select, text

from app.core.codes import Status
from app.core.scoping import restrict
from app.extensions import db
from app.places.models import Township
from app.roster.models import Candidate

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
    stmt = restrict(
        select(Candidate.township_id, Candidate.status, func.count()).group_by(
            Candidate.township_id, Candidate.status
        ),
        Candidate,
    )
    by_township: dict[int, dict[str, int]] = {}
    totals = {s.value: 0 for s in Status}
    for township_id, status, count in db.session.execute(stmt):
        by_township.setdefault(township_id, {})[status] = count
        totals[status] = totals.get(status, 0) + count
    townships = db.session.scalars(
        select(Township).where(Township.id == current_user.township_id)
        if current_user.township_id
        else select(Township).order_by(Township.id)
    ).all()
    return render_template(
        "main/dashboard.html",
        totals=totals,
        by_township=by_township,
        townships=townships,
        statuses=list(Status),
    )
