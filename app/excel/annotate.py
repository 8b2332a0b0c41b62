"""The uploaded sheet given back with an error column: what to fix, row by row."""

from __future__ import annotations

import datetime as dt
import io
import warnings

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from app.excel.columns import DATE_FORMAT, neutralise
from app.excel.importing import ImportPlan
from app.excel.reading import data_sheet

ERROR_HEADER = "错误说明"
RED = PatternFill("solid", fgColor="FFC7CE")


def errors_workbook(data: bytes, plan: ImportPlan) -> bytes:
    """The data sheet's values, row for row (so row numbers still match), with the errors
    in a last column and the wrong cells filled red. ``data`` has passed ``read_sheet``."""
    sheet = plan.sheet
    by_number = {r.number: r for r in plan.rows}
    last_row = max(by_number) if by_number else sheet.header_row
    width = len(sheet.headers)
    column_of = {h: i for i, h in enumerate(sheet.headers, start=1) if h}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        source = load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    try:
        ws_in = data_sheet(source)
        ws_in.reset_dimensions()
        wb = Workbook()
        ws = wb.active
        ws.title = ws_in.title[:31]
        for number, values in enumerate(
            ws_in.iter_rows(max_row=last_row, max_col=width, values_only=True), start=1
        ):
            for col, value in enumerate(values, start=1):
                if value is None:
                    continue
                cell = ws.cell(row=number, column=col, value=_safe(value))
                if isinstance(value, dt.date | dt.datetime):
                    cell.number_format = DATE_FORMAT
            result = by_number.get(number)
            if result is None or result.ok:
                continue
            for header, message in result.errors.items():
                col = column_of.get(header)
                if col is not None:
                    cell = ws.cell(row=number, column=col)
                    cell.fill = RED
                    cell.comment = Comment(message, "人才库")
            note = ws.cell(row=number, column=width + 1, value="；".join(result.messages()))
            note.alignment = Alignment(wrap_text=True, vertical="top")
    finally:
        source.close()
    header = ws.cell(row=sheet.header_row, column=width + 1, value=ERROR_HEADER)
    header.font = Font(bold=True, color="9C0006")
    header.fill = RED
    for col in range(1, width + 1):
        ws.cell(row=sheet.header_row, column=col).font = Font(bold=True)
        ws.column_dimensions[get_column_letter(col)].width = 14
    ws.column_dimensions[get_column_letter(width + 1)].width = 60
    ws.freeze_panes = ws.cell(row=sheet.header_row + 1, column=1)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _safe(value):
    """Values go back as values: text that looks like a formula stays text."""
    if isinstance(value, str):
        return neutralise(ILLEGAL_CHARACTERS_RE.sub("", value))
    return value
