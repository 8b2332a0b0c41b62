"""Village 两委 seats (kept by clerks for 换届 planning) and the county settings."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload

from app.core.checks import Checked
from app.core.forms import EmptyForm, options
from app.core.scoping import ENTERERS, get_or_404, require_login, role_required, scoped
from app.core.views import committed, render_form, save_checked
from app.extensions import db
from app.places import operations, settings
from app.places.forms import SeatForm, SettingsForm
from app.places.models import Village, VillageSeat
from app.places.queries import village_choices

bp = Blueprint("places", __name__)
require_login(bp)


@bp.get("/seats")
def seats():
    rows = db.session.scalars(
        scoped(VillageSeat)
        .join(Village)
        .options(joinedload(VillageSeat.village).joinedload(Village.township))
        .order_by(VillageSeat.township_id, Village.name_sort, VillageSeat.kind)
    ).all()
    return render_template("places/seats.html", seats=rows, may_edit=current_user.role in ENTERERS)


def _seat_form(seat: VillageSeat | None) -> SeatForm:
    # The record fills the form only when it is shown: a POST says everything itself, and one
    # without its version must not borrow the record's.
    form = SeatForm(obj=seat if request.method == "GET" else None)
    county = current_user.is_county_level
    form.village_id.choices = options([("", "请选择")]) + options(
        [
            (vid, f"{township} · {name}" if county else name)
            for vid, name, township in village_choices(current_user)
        ]
    )
    if request.method == "GET":
        if seat is not None:
            form.village_id.data = str(seat.village_id)
            form.holder_birth_date.data = (
                seat.holder_birth_date.isoformat() if seat.holder_birth_date else ""
            )
            form.term_end.data = seat.term_end.isoformat() if seat.term_end else ""
        elif request.args.get("village"):
            form.village_id.data = request.args["village"]
    return form


def _edit(seat: VillageSeat | None):
    form = _seat_form(seat)
    if form.validate_on_submit() and save_checked(
        form,
        Checked(*operations.check_seat(form.data, user=current_user)),
        lambda values: operations.save_seat(seat, values, actor=current_user),
        record=seat,
    ):
        flash("已保存两委岗位。", "success")
        return redirect(url_for("places.seats"))
    return render_form("places/seat.html", form, seat=seat, delete_form=EmptyForm())


@bp.route("/seats/new", methods=["GET", "POST"])
@role_required(*ENTERERS)
def new_seat():
    return _edit(None)


@bp.route("/seats/<int:seat_id>", methods=["GET", "POST"])
@role_required(*ENTERERS)
def seat(seat_id: int):
    return _edit(get_or_404(scoped(VillageSeat), seat_id))


@bp.post("/seats/<int:seat_id>/delete")
@role_required(*ENTERERS)
def delete_seat(seat_id: int):
    seat = get_or_404(scoped(VillageSeat), seat_id)
    if EmptyForm().validate_on_submit():
        committed(lambda: operations.delete_seat(seat, actor=current_user))
        flash("已删除该岗位。", "success")
    return redirect(url_for("places.seats"))


@bp.route("/settings", methods=["GET", "POST"])
@role_required("admin")
def settings_page():
    form = SettingsForm(data={key: settings.get(key) for key in settings.SPECS})
    if form.validate_on_submit() and save_checked(
        form,
        Checked(values=form.data),
        lambda values: settings.update(values, actor=current_user),
    ):
        flash("已保存设置。", "success")
        return redirect(url_for("places.settings_page"))
    return render_form("places/settings.html", form, specs=settings.SPECS)
