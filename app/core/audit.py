"""The audit log: every write says who did what to which record, and what changed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import has_request_context, request
from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import UTCDateTime, utcnow
from app.core.idcard import mask_id_number
from app.extensions import db

# Fields whose values never enter the log in full.
MASKED_FIELDS = {"id_number": mask_id_number}
SECRET_FIELDS = {"password", "password_hash", "id_reversed"}


class AuditEntry(db.Model):
    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_entity", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_dt: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    township_id: Mapped[int | None] = mapped_column(ForeignKey("townships.id"), index=True)
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int | None]
    summary: Mapped[str] = mapped_column(Text, default="")
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    ip: Mapped[str] = mapped_column(String(64), default="")

    actor = relationship("User")


def _safe(field: str, value: Any) -> Any:
    if field in SECRET_FIELDS:
        return "***"
    if field in MASKED_FIELDS and value:
        return MASKED_FIELDS[field](value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def snapshot(obj, fields) -> dict[str, Any]:
    """The named fields of a record, for ``diff`` before and after a change."""
    return {name: getattr(obj, name) for name in fields}


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Field -> [old, new] for each field whose value changed."""
    return {
        k: [_safe(k, before.get(k)), _safe(k, after.get(k))]
        for k in after
        if before.get(k) != after.get(k) and k not in SECRET_FIELDS
    }


def record(
    action: str,
    entity: str,
    entity_id: int | None,
    *,
    actor=None,
    township_id: int | None = None,
    summary: str = "",
    changes: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add an audit entry to the current transaction (the caller commits with its write)."""
    entry = AuditEntry(
        action=action,
        entity=entity,
        entity_id=entity_id,
        actor_id=getattr(actor, "id", None),
        township_id=township_id,
        summary=summary,
        changes={
            k: _safe(k, v) if not isinstance(v, list) else v for k, v in (changes or {}).items()
        },
        ip=(request.remote_addr or "") if has_request_context() else "",
    )
    db.session.add(entry)
    return entry


# ---- the one way an operation records a change ------------------------------------------------


def apply(obj, values: dict[str, Any], fields) -> dict[str, list[Any]]:
    """Set ``obj``'s named fields from ``values`` (those it holds) and return what changed, as
    the audit log keeps it (field -> [old, new], personal data masked)."""
    before = snapshot(obj, fields)
    for name in fields:
        if name in values:
            setattr(obj, name, values[name])
    return diff(before, snapshot(obj, fields))


def _of(action: str, entity: str, obj, actor, summary, changes, township_id) -> AuditEntry:
    """The entry about ``obj`` (flushed first: its id, and the write it records)."""
    db.session.flush()
    if township_id is None:
        township_id = getattr(obj, "township_id", None)
    return record(
        action,
        entity,
        obj.id,
        actor=actor,
        township_id=township_id,
        summary=summary,
        changes=changes,
    )


def created(
    entity: str, obj, fields, *, actor, summary: str, township_id: int | None = None
) -> AuditEntry:
    """A new record (added here) and the entry that lists its fields."""
    db.session.add(obj)
    db.session.flush()  # defaults and keys filled, for the snapshot
    changes = diff({}, snapshot(obj, fields))
    return _of("create", entity, obj, actor, summary, changes, township_id)


def changed(
    entity: str,
    obj,
    changes: dict[str, list[Any]],
    *,
    actor,
    summary: str,
    action: str = "update",
    township_id: int | None = None,
) -> dict[str, list[Any]]:
    """The entry of a change (``apply``'s answer), written only when something changed; the
    change is flushed with it. Returns ``changes``."""
    if changes:
        _of(action, entity, obj, actor, summary, changes, township_id)
    return changes


def deleted(
    entity: str,
    obj,
    *,
    actor,
    summary: str,
    changes: dict[str, Any] | None = None,
    township_id: int | None = None,
) -> AuditEntry:
    """The entry of a removal (soft, ``is_deleted``, or a row deleted), flushed with it."""
    return _of("delete", entity, obj, actor, summary, changes, township_id)
