"""Trial-post rotations (试岗锻炼): posts, batches, placements, rotation plans."""

from flask import Blueprint, render_template
from flask_login import login_required

bp = Blueprint("posts", __name__)


@bp.get("/")
@login_required
def index():
    return render_template("posts/index.html")
