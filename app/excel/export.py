"""The roster as a workbook: the user's filtered roster, streamed row by row.

Rows come from the database ``yield_per`` rows at a time and go straight into a streaming
(write-only) sheet, compressed into the output file as they come: 200,000 rows never sit in
memory. Labels, not codes; real dates; ID numbers masked unless the reader is an admin; every
text that a spreadsheet could take for a formula written with a leading ``'``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import IO

from sqlalchemy import Select

from app.core.codes import Direction, Education, Ethnicity, Gender, Political, Source, Status
from app.core.idcard import mask_id_number
from app.excel.columns import COLUMNS, HEADERS, SHEET_NAME, TEXT_COLUMNS, neutralise
from app.excel.xlsx import write_xlsx
from app.extensions import db
from app.places.models import Township, Village
from app.roster.models import Candidate
from app.roster.queries import SORTS, RosterFilters, roster_select

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BATCH = 2000

# The columns read for each row, in the order ``_row`` expects them.
_SELECTED = (
    Candidate.name,
    Candidate.gender,
    Candidate.ethnicity,
    Candidate.birth_date,
    Candidate.id_number,
    Candidate.political,
    Candidate.education,
    Candidate.major,
    Candidate.phone,
    Township.name,
    Village.name,
    Candidate.source,
    Candidate.occupation,
    Candidate.speciality,
    Candidate.direction,
    Candidate.entered_on,
    Candidate.status,
    Candidate.notes,
)


def export_select(user, filters: RosterFilters, *, today: dt.date | None = None) -> Select:
    """Exactly the roster the user is looking at (scope, filters, order), as plain columns."""
    return (
        roster_select(user, filters, today=today)
        .with_only_columns(*_SELECTED)
        .join(Township, Township.id == Candidate.township_id)
        .join(Village, Village.id == Candidate.village_id)
        .order_by(*SORTS[filters.sort][1])
    )


def _text(value) -> str:
    return neutralise(value) if value else ""


def _labels(enum_cls) -> dict[str, str]:
    return dict(enum_cls.choices())


# Plain dicts: 200,000 rows × 7 enum lookups add up (``label_of`` builds an enum member each).
_GENDER, _ETHNICITY, _POLITICAL, _EDUCATION, _SOURCE, _DIRECTION, _STATUS = (
    _labels(e) for e in (Gender, Ethnicity, Political, Education, Source, Direction, Status)
)


def _row(r, full_ids: bool) -> list:
    (name, gender, ethnicity, birth, id_number, political, education, major, phone) = r[:9]
    (township, village, source, occupation, speciality, direction, entered, status, notes) = r[9:]
    return [
        _text(name),
        _GENDER.get(gender, gender),
        _ETHNICITY.get(ethnicity, ethnicity),
        birth,
        id_number if full_ids else mask_id_number(id_number),
        _POLITICAL.get(political, political),
        _EDUCATION.get(education, education),
        _text(major),
        _text(phone),
        _text(township),
        _text(village),
        _SOURCE.get(source, source),
        _text(occupation),
        _text(speciality),
        _DIRECTION.get(direction, direction),
        entered,
        _STATUS.get(status, status),
        _text(notes),
    ]


def write_roster(
    out: IO[bytes],
    rows: Iterable,
    *,
    full_ids: bool,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write the rows of ``export_select`` as an .xlsx to ``out``; returns how many."""

    def values():
        count = 0
        for r in rows:
            yield _row(r, full_ids)
            count += 1
            if progress is not None and count % BATCH == 0:
                progress(BATCH)
        if progress is not None and count % BATCH:
            progress(count % BATCH)

    return write_xlsx(
        out,
        sheet_name=SHEET_NAME,
        headers=HEADERS,
        widths=[c.width for c in COLUMNS],
        rows=values(),
        text_columns=TEXT_COLUMNS,
    )


def stream_rows(stmt: Select):
    """The statement's rows, fetched ``BATCH`` at a time (a server-side cursor on PostgreSQL)."""
    return db.session.execute(stmt.execution_options(yield_per=BATCH))


def export_file_name(today: dt.date, scope: str = "") -> str:
    return f"后备干部花名册{('-' + scope) if scope else ''}-{today:%Y%m%d}.xlsx"
