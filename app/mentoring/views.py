"""Mentor pairings (结对帮带) and village pairings."""

from flask import Blueprint, render_template
from flask_login import login_required

bp = Blueprint("mentoring", __name__)


@bp.get("/")
@login_required
def index():
    return render_template("mentoring/index.html")
