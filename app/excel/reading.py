"""Reading an uploaded roster workbook into rows keyed by the contract's headers.

The bytes are first checked by ``safety`` (zip directory, macros, size); then openpyxl reads
the sheet in read-only mode with ``data_only=True``: a formula cell gives the value Excel last
calculated (or nothing), never a formula to evaluate, and cells are read as values only.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass, field
from typing import Any

from openpyxl import load_workbook

from app.excel.columns import BY_HEADER, COLUMNS, SHEET_NAME, header_of, unneutralise
from app.excel.safety import (
    FileRefused,
    check_parse_bounds,
    check_sheet_bounds,
    check_workbook_bytes,
    too_many_rows,
)

# Rows with data per import on the web: the confirmation checks every row again and writes it
# (about 5 ms a row here), and must finish well within a worker's timeout (gunicorn: 30 s).
MAX_ROWS = 2000
# The command line has no timeout: a county's whole roster can move in one file.
CLI_MAX_ROWS = 50_000
HEADER_SEARCH_ROWS = 10  # a title row or two above the headers is common
MAX_COLUMNS = 200
EXAMPLE_MARK = "示例"


@dataclass
class SheetRow:
    number: int  # the row's number in Excel
    cells: dict[str, Any]  # header -> value as read


@dataclass
class Sheet:
    title: str
    header_row: int
    headers: list[str]  # as found, in sheet order (contract names where understood)
    rows: list[SheetRow]
    ignored_headers: list[str] = field(default_factory=list)
    skipped_examples: list[int] = field(default_factory=list)


def data_sheet(wb):
    """The sheet named 花名册, else the first visible sheet."""
    visible = [ws for ws in wb.worksheets if getattr(ws, "sheet_state", "visible") == "visible"]
    for ws in visible:
        if ws.title == SHEET_NAME:
            return ws
    if not visible:
        raise FileRefused("工作簿中没有可见的工作表，请检查文件后重新上传。")
    return visible[0]


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def read_sheet(
    data: bytes, file_name: str = "", *, max_size: int | None = None, max_rows: int = MAX_ROWS
) -> Sheet:
    """Check and read the workbook; FileRefused says, in Chinese, why it cannot be imported."""
    check_workbook_bytes(data, file_name, max_size=max_size)
    check_parse_bounds(data, max_rows=max_rows, header_rows=HEADER_SEARCH_ROWS)
    try:
        with warnings.catch_warnings():
            # openpyxl warns about data validation and other extensions it does not keep.
            warnings.simplefilter("ignore")
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except FileRefused:
        raise
    except Exception:  # noqa: BLE001 — any parse failure is a damaged file to the user
        raise FileRefused(
            "文件无法作为 Excel 工作簿读取（可能已损坏，或由其他软件生成的格式不标准）。"
            "请用 Excel 或 WPS 打开后重新“另存为” .xlsx 再上传。"
        ) from None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return _read(wb, data, max_rows)
    except FileRefused:
        raise
    except Exception:  # noqa: BLE001
        raise FileRefused(
            "读取工作表时出错，文件可能已损坏。请用 Excel 打开后重新保存为 .xlsx 再上传。"
        ) from None
    finally:
        wb.close()


def _read(wb, data: bytes, max_rows: int) -> Sheet:
    ws = data_sheet(wb)
    # openpyxl keeps the sheet's part name privately; it is the part its reader will parse.
    check_sheet_bounds(
        data,
        ws._worksheet_path.lstrip("/"),
        ws.title,
        max_rows=max_rows,
        header_rows=HEADER_SEARCH_ROWS,
    )
    ws.reset_dimensions()  # a sheet's declared size may be wrong, or absurdly large
    header_row, raw_headers = _find_headers(ws)
    headers = [header_of(h) if not _blank(h) else "" for h in raw_headers]
    known = [h for h in headers if h in BY_HEADER]
    seen: set[str] = set()
    for h in known:
        if h in seen:
            raise FileRefused(f"表头中“{h}”出现了两次，请只保留一列后重新上传。")
        seen.add(h)
    missing = [c.header for c in COLUMNS if c.required and c.header not in seen]
    if missing:
        raise FileRefused(
            f"第 {header_row} 行的表头缺少必填列：{'、'.join(missing)}。请使用本系统的导入模板"
            "（表头须与模板一致，列的顺序可以不同）。"
        )
    sheet = Sheet(
        title=ws.title,
        header_row=header_row,
        headers=headers,
        rows=[],
        ignored_headers=[
            str(raw)
            for raw, h in zip(raw_headers, headers, strict=True)
            if h and h not in BY_HEADER
        ],
    )
    width = len(headers)
    number = header_row
    for values in ws.iter_rows(min_row=header_row + 1, max_col=width, values_only=True):
        number += 1
        if number - header_row > max_rows:  # every row counts, blank or not: each is work
            raise too_many_rows(ws.title, max_rows)
        if all(_blank(v) for v in values):
            continue
        cells = {
            h: unneutralise(v)
            for h, v in zip(headers, values, strict=False)
            if h in BY_HEADER and not _blank(v)
        }
        if not cells:
            continue
        if str(cells.get("姓名", "")).strip().startswith(EXAMPLE_MARK):
            sheet.skipped_examples.append(number)
            continue
        sheet.rows.append(SheetRow(number=number, cells=cells))
    if not sheet.rows:
        raise FileRefused(
            f"表头（第 {header_row} 行）下面没有要导入的数据。请在表头下方逐行填写后再上传。"
        )
    return sheet


def _find_headers(ws) -> tuple[int, list]:
    """The first row (of the first few) that holds both 姓名 and 身份证号."""
    number = 0
    for values in ws.iter_rows(max_row=HEADER_SEARCH_ROWS, max_col=MAX_COLUMNS, values_only=True):
        number += 1
        names = {header_of(v) for v in values if not _blank(v)}
        if "姓名" in names and "身份证号" in names:
            last = max(i for i, v in enumerate(values) if not _blank(v))
            return number, list(values[: last + 1])
    raise FileRefused(
        f"前 {HEADER_SEARCH_ROWS} 行中找不到表头（须有“姓名”和“身份证号”两列）。"
        "请使用本系统的导入模板填写，表头写在数据的上一行。"
    )
