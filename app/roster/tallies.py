"""Keeping ``CandidateTally`` in step with the candidates.

Every flush that inserts, changes or deletes a ``Candidate`` through the ORM adds its deltas to
the tallies in the same transaction: the candidate's old key rows lose one, its new ones gain
one. Deltas are applied in key order, so two transactions on PostgreSQL lock tally rows in the
same order and cannot deadlock on them. Core bulk inserts (the demo seeder) bypass the ORM and
call ``rebuild`` afterwards; ``flask --app app rebuild-tallies`` does the same by hand.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import String, cast, delete, event, func, insert, literal, select
from sqlalchemy.orm import Session

from app.core.db import year_of
from app.roster.models import Candidate, CandidateTally

# (dimension, candidate attribute or None for the count of all)
DIMENSIONS: tuple[tuple[str, str | None], ...] = (
    ("all", None),
    ("gender", "gender"),
    ("education", "education"),
    ("political", "political"),
    ("source", "source"),
    ("direction", "direction"),
    ("entered", "entered_on"),
)
_FIELDS = ("is_deleted", "village_id", "township_id", "status") + tuple(
    attr for _, attr in DIMENSIONS if attr
)


def _text(attr: str | None, value) -> str:
    if attr is None or value is None:
        return ""
    if attr == "entered_on":
        return str(value.year)
    return str(value)


def _keys(values: dict) -> list[tuple]:
    """The tally rows one candidate counts in: (village, township, status, dimension, value)."""
    if values["is_deleted"]:
        return []
    head = (values["village_id"], values["township_id"], values["status"])
    return [(*head, dim, _text(attr, values[attr] if attr else None)) for dim, attr in DIMENSIONS]


def _now(obj: Candidate) -> dict:
    return {field: getattr(obj, field) for field in _FIELDS}


def _before_flush(session: Session, _context, _instances) -> None:
    """Read, while the database still holds them, the old values of the candidates this flush
    changes or deletes: the object's own history can miss a value set without being loaded."""
    changed = {
        obj.id
        for obj in (*session.dirty, *session.deleted)
        if isinstance(obj, Candidate)
        and obj.id is not None
        and (obj in session.deleted or session.is_modified(obj))
    }
    before: Counter = Counter()
    if changed:
        columns = [getattr(Candidate.__table__.c, field) for field in _FIELDS]
        rows = session.connection().execute(
            select(*columns).where(Candidate.__table__.c.id.in_(changed))
        )
        for row in rows.mappings():
            before.subtract(_keys(dict(row)))
    session.info["tallies"] = (changed, before)


def _after_flush(session: Session, _context) -> None:
    changed, deltas = session.info.pop("tallies", (set(), Counter()))
    for obj in (*session.new, *session.dirty):
        if (
            isinstance(obj, Candidate)
            and obj not in session.deleted
            and (obj in session.new or obj.id in changed)
        ):
            deltas.update(_keys(_now(obj)))
    apply(session.connection(), deltas)


def apply(connection, deltas: Counter) -> None:
    """Add ``deltas`` ({(village, township, status, dimension, value): n}) to the tallies."""
    changes = sorted((key, n) for key, n in deltas.items() if n)
    if not changes:
        return
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as upsert
    else:
        from sqlalchemy.dialects.sqlite import insert as upsert
    table = CandidateTally.__table__
    stmt = upsert(table)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.village_id, table.c.status, table.c.dimension, table.c.value],
        set_={"n": table.c.n + stmt.excluded.n},
    )
    names = ("village_id", "township_id", "status", "dimension", "value")
    # One executemany, its rows in key order (see the module's docstring).
    connection.execute(stmt, [dict(zip(names, key, strict=True)) | {"n": n} for key, n in changes])


def init_app(_app) -> None:
    # Session events are global, so the listener is added once however many apps are made.
    for name, listener in (("before_flush", _before_flush), ("after_flush", _after_flush)):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)


def rebuild(connection) -> None:
    """Count every tally afresh from the candidates (after bulk inserts, or to repair)."""
    connection.execute(delete(CandidateTally.__table__))
    live = Candidate.is_deleted.is_(False)
    for dimension, attr in DIMENSIONS:
        if attr is None:
            value = literal("")
        elif attr == "entered_on":
            value = func.coalesce(cast(year_of(Candidate.entered_on), String(30)), "")
        else:
            value = getattr(Candidate, attr)
        columns = (
            Candidate.village_id,
            Candidate.township_id,
            Candidate.status,
            literal(dimension),
            value,
            func.count(),
        )
        rows = (
            select(*columns)
            .where(live)
            .group_by(Candidate.village_id, Candidate.township_id, Candidate.status)
            .group_by(*([] if attr is None else [value]))
        )
        connection.execute(
            insert(CandidateTally.__table__).from_select(
                ["village_id", "township_id", "status", "dimension", "value", "n"], rows
            )
        )
