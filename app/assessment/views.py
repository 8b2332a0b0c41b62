"""Inspections, assessments, dynamic notes, outcomes; the review queue."""

from flask import Blueprint, render_template
from flask_login import login_required

bp = Blueprint("assessment", __name__)


@bp.get("/")
@login_required
def review():
    return render_template("assessment/index.html")
