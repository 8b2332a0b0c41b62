"""Reads of townships and villages: the choices every area's forms and filters offer."""

from __future__ import annotations

from sqlalchemy import select

from app.core.scoping import restrict
from app.extensions import db
from app.places.models import Township, Village


def township_choices(user) -> list[tuple[int, str]]:
    stmt = select(Township.id, Township.name).order_by(Township.id)
    if user.township_id is not None:
        stmt = stmt.where(Township.id == user.township_id)
    return [(row.id, row.name) for row in db.session.execute(stmt)]


def village_choices(user, township_id: int | None = None) -> list[tuple[int, str, str]]:
    """(id, village name, township name) of the villages the user may use, by township, pinyin."""
    stmt = restrict(
        select(Village.id, Village.name, Township.name.label("township_name")).join(Township),
        Village,
        user,
    ).where(Village.is_active.is_(True))
    if township_id:
        stmt = stmt.where(Village.township_id == township_id)
    stmt = stmt.order_by(Township.id, Village.name_sort, Village.id)
    return [(r.id, r.name, r.township_name) for r in db.session.execute(stmt)]
