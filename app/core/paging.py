"""Lists shown a page at a time: one ``Page`` and one ``paginate`` for every area.

Templates show a page with the pager macro (``templates/_macros/pager.html``), whose links keep
the rest of the query (``url_with``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Select, func, select

from app.extensions import db


@dataclass
class Page:
    items: list
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max((self.total + self.per_page - 1) // self.per_page, 1)

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def count(stmt: Select) -> int:
    """How many rows ``stmt`` selects (its order, which a count does not need, is dropped)."""
    counting = stmt.order_by(None).with_only_columns(func.count(), maintain_column_froms=True)
    return db.session.scalar(counting)


def paginate(
    stmt: Select,
    page: int,
    per_page: int,
    *,
    order_by: Iterable = (),
    options: Iterable = (),
    scalars: bool = True,
    ids_first: bool = False,
) -> Page:
    """Page ``page`` of ``stmt`` (past the end: the last page) and the count of all its rows.

    ``order_by`` orders the rows (else ``stmt``'s own order stands); ``scalars=False`` keeps
    each row's columns together (a model with its added columns). With ``ids_first`` (and an
    ``order_by``) the page is read in three statements whatever its size: a count, the page's
    ids in order, and its rows by id. When many rows match, sorting their (sort key, id) index
    entries costs far less than sorting whole rows.
    """
    total = count(stmt)
    page = min(max(page, 1), max((total + per_page - 1) // per_page, 1))
    order_by, options = tuple(order_by), tuple(options)
    if order_by:
        stmt = stmt.order_by(None).order_by(*order_by)
    offset = (page - 1) * per_page
    if ids_first:
        entity = stmt.column_descriptions[0]["entity"]
        ids = db.session.scalars(
            stmt.with_only_columns(entity.id).limit(per_page).offset(offset)
        ).all()
        stmt = select(entity).where(entity.id.in_(ids)).order_by(*order_by)
    else:
        stmt = stmt.limit(per_page).offset(offset)
    stmt = stmt.options(*options)
    rows = db.session.scalars(stmt).unique() if scalars else db.session.execute(stmt)
    return Page(items=list(rows), total=total, page=page, per_page=per_page)
