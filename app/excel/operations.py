"""Writes of the Excel area: kept uploads, an import, the audit entry of an export.

Like every operation: check, write, audit, flush — never commit (the view or command does).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable

from sqlalchemy import delete, select

from app.core import audit
from app.core.db import utcnow
from app.core.errors import RuleError
from app.core.normalize import clean_text
from app.excel.importing import ImportPlan
from app.excel.models import ExcelUpload
from app.extensions import db
from app.roster.models import Candidate
from app.roster.operations import create_candidates
from app.roster.queries import RosterFilters

UPLOAD_TTL = dt.timedelta(hours=12)
UPLOADS_KEPT_PER_USER = 5
# Rows written per flush: each table's rows go as one multi-row INSERT (see create_candidates).
WRITE_CHUNK = 500


def display_file_name(file_name: str | None) -> str:
    """The uploaded file's name, for display only (never a path): no folders, 100 chars."""
    name = clean_text(file_name).replace("\\", "/").rsplit("/", 1)[-1]
    return name[-100:] or "花名册.xlsx"


def keep_upload(data: bytes, file_name: str | None, *, user) -> ExcelUpload:
    """Keep a checked upload for its preview and confirmation; old ones are cleared."""
    db.session.execute(delete(ExcelUpload).where(ExcelUpload.created_dt < utcnow() - UPLOAD_TTL))
    older = db.session.scalars(
        select(ExcelUpload.id)
        .where(ExcelUpload.user_id == user.id)
        .order_by(ExcelUpload.id.desc())
        .offset(UPLOADS_KEPT_PER_USER - 1)
    ).all()
    if older:
        db.session.execute(delete(ExcelUpload).where(ExcelUpload.id.in_(older)))
    upload = ExcelUpload(
        token=secrets.token_urlsafe(24),
        user_id=user.id,
        file_name=display_file_name(file_name),
        size=len(data),
        content=data,
    )
    db.session.add(upload)
    db.session.flush()
    return upload


def find_upload(token: str, *, user) -> ExcelUpload | None:
    """The user's own, unexpired upload with this token (another user's is simply missing)."""
    return db.session.scalars(
        select(ExcelUpload).where(
            ExcelUpload.token == token,
            ExcelUpload.user_id == user.id,
            ExcelUpload.created_dt >= utcnow() - UPLOAD_TTL,
        )
    ).first()


def discard_upload(upload: ExcelUpload) -> None:
    db.session.delete(upload)
    db.session.flush()


def import_rows(
    plan: ImportPlan,
    *,
    actor,
    file_name: str,
    progress: Callable[[int], None] | None = None,
) -> list[Candidate]:
    """Create a candidate per row of a plan whose every row is valid; one audit entry lists
    them all. Each candidate also gets the roster's own 'create' entry and status history,
    exactly as if it had been entered by hand, so its record shows where it came from."""
    if not plan.ok:
        raise RuleError(f"有 {len(plan.invalid)} 行不符合要求，未导入任何记录。")
    created: list[Candidate] = []
    for start in range(0, len(plan.rows), WRITE_CHUNK):
        chunk = plan.rows[start : start + WRITE_CHUNK]
        created += create_candidates([(row.values, row.status) for row in chunk], actor=actor)
        db.session.flush()
        if progress is not None:
            progress(len(chunk))
    townships = sorted({c.township_id for c in created})
    audit.record(
        "import",
        "candidate",
        None,
        actor=actor,
        township_id=plan.actor.township_id or (townships[0] if len(townships) == 1 else None),
        summary=f"Excel 导入后备干部 {len(created)} 名（{file_name}）",
        changes={
            "file": file_name,
            "count": len(created),
            "created": [[c.id, c.name] for c in created],
        },
    )
    db.session.flush()
    return created


def record_export(*, actor, filters: RosterFilters, count: int, full_ids: bool) -> None:
    """An export of personal data is itself an audit entry: who, which filter, how many."""
    audit.record(
        "export",
        "candidate",
        None,
        actor=actor,
        township_id=getattr(actor, "township_id", None),
        summary=f"导出花名册 Excel，共 {count} 人" + ("（含完整身份证号）" if full_ids else ""),
        changes={"filters": filters.to_args(page=1), "count": count, "full_ids": full_ids},
    )
    db.session.flush()
