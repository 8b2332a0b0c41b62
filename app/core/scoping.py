"""Role and township scoping: one place that decides what the current user may see and do.

A user bound to a township sees only its records; anything else answers 404, exactly as a
missing id, so ids outside the scope cannot be probed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from operator import attrgetter
from typing import Any, NoReturn

from flask import abort, g, has_request_context
from flask_login import current_user, login_required
from sqlalchemy import Select, false, select

from app.core.codes import Role
from app.extensions import db

# Who may do what (DESIGN.md, "Who uses it"); every area's views and rules name these sets.
ENTERERS = (Role.admin.value, Role.clerk.value)  # enter and keep records (录入、维护)
DECIDERS = (Role.admin.value, Role.secretary.value)  # approve, assess, decide outcomes
EVERYONE = (Role.admin.value, Role.secretary.value, Role.clerk.value)


def township_scope(user=None) -> int | None:
    """The township the user is bound to, or None for county level."""
    user = user or current_user
    return user.township_id


def restrict(stmt: Select, model, user=None) -> Select:
    """Limit a select over a township-owned model to the user's township (and live rows)."""
    township_id = township_scope(user)
    if township_id is not None:
        stmt = stmt.where(model.township_id == township_id)
    if hasattr(model, "is_deleted"):
        # ``= false`` rather than ``IS false``: both backends use it as an index key.
        stmt = stmt.where(model.is_deleted == false())
    return stmt


def scoped(model, user=None) -> Select:
    return restrict(select(model), model, user)


def get_or_404(stmt: Select, ident: int):
    """The one row of ``stmt`` with this primary key, or 404 — out of scope is simply missing.

    A record of another township answers the very same 404, but the try is audited as a
    denial (``app.core.errors`` writes the entry once the request's work is rolled back).
    """
    entity = stmt.column_descriptions[0]["entity"]
    row = db.session.scalars(stmt.where(entity.id == ident)).first()
    if row is None:
        abort_404_for(entity, [ident])
    return row


def abort_404_for(model, missing: Iterable[int]) -> NoReturn:
    """404 for ids a scoped query did not find (one, or some of a form's list); audited as a
    denial when any of them is a record of another township, as ``get_or_404`` does."""
    if any(_of_another_township(model, ident) for ident in missing):
        g.out_of_scope = True
    abort(404)


def _of_another_township(model, ident) -> bool:
    """Whether ``ident`` is a live record that belongs only to townships other than the
    current user's (county-level users have none to be outside of)."""
    if ident is None or not has_request_context() or not current_user.is_authenticated:
        return False
    own = township_scope()
    if own is None:
        return False
    row = db.session.get(model, ident)
    if row is None or getattr(row, "is_deleted", False):
        return False
    owners = _townships_of(row)
    return None not in owners and own not in owners


def _townships_of(row) -> set[int | None]:
    """A record's township (None: county-wide); a village pairing has two, and a training
    round has its programme's."""
    if hasattr(row, "township_id"):
        return {row.township_id, getattr(row, "partner_township_id", row.township_id)}
    return {getattr(getattr(row, "programme", None), "township_id", None)}


def may_see_township(township_id: int | None, user=None) -> bool:
    own = township_scope(user)
    return own is None or own == township_id


def visible_names(
    people: Iterable, user=None, *, label: Callable[[Any], str] = attrgetter("name")
) -> str:
    """People named in a message, as its reader may see them: the names of those in the
    reader's scope, the rest only counted — '赵一、钱二及其他乡镇 1 人', '其他乡镇 2 人'.

    A county admin can link records across townships (a mentor of one township paired with
    another's candidate), so a rule's message to a township user may concern people it must
    not learn of. A noun phrase, so it fits wherever the list of names stood. ``label`` says
    how each shown person is written (default: its ``name``); each has a ``township_id``."""
    people = list(people)
    shown = [label(p) for p in people if may_see_township(p.township_id, user)]
    hidden = len(people) - len(shown)
    text = "、".join(shown)
    if hidden:
        text += f"{'及' if shown else ''}其他乡镇 {hidden} 人"
    return text


def require_login(*blueprints) -> None:
    """Every page of these blueprints asks for a login first (anonymous: the login page)."""
    for blueprint in blueprints:
        blueprint.before_request(_logged_in)


@login_required
def _logged_in() -> None:
    return None


def role_required(*roles: str) -> Callable:
    """Allow only these roles; others get 403 (the login requirement comes first)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                from app.extensions import login_manager

                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
