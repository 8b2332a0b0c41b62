"""Crafted workbooks that once kept a worker (and SQLite's write lock) busy for minutes.

Made here rather than kept as files: each is a minimal .xlsx package streamed into a zip, its
sheet written as raw XML, so a test builds a 78 MB sheet in a second or two without openpyxl.
Every one passes the zip directory's checks (entries, total size, ratio): it is the parse
that the reader must bound. The benchmark (``bench.upload``) uses the same generators.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator
from xml.sax.saxutils import escape

from app.excel.columns import HEADERS

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxml'
    'formats-officedocument.spreadsheetml.worksheet+xml"/>'
    "{strings}</Types>"
)
STRINGS_TYPE = (
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sharedStrings+xml"/>'
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="花名册" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
)
SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
SHEET_TAIL = "</sheetData></worksheet>"


def _cell(text: str) -> str:
    return f'<c t="inlineStr"><is><t>{escape(text)}</t></is></c>'


def header_row(headers: Iterable[str] = ("备用", *HEADERS)) -> str:
    return "<row>" + "".join(_cell(h) for h in headers) + "</row>"


def workbook(sheet_rows: Iterable[str], strings: Iterable[str] | None = None) -> bytes:
    """A minimal .xlsx whose one sheet (花名册) is ``sheet_rows`` (XML ``<row>`` elements),
    with a shared-strings table of ``strings`` when given."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        types = CONTENT_TYPES.format(strings=STRINGS_TYPE if strings is not None else "")
        archive.writestr("[Content_Types].xml", types)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        _stream(archive, "xl/worksheets/sheet1.xml", SHEET_HEAD, sheet_rows, SHEET_TAIL)
        if strings is not None:
            _stream(
                archive,
                "xl/sharedStrings.xml",
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">',
                (f"<si><t>{escape(s)}</t></si>" for s in strings),
                "</sst>",
            )
    return out.getvalue()


def _stream(archive: zipfile.ZipFile, name: str, head: str, parts: Iterable[str], tail: str):
    with archive.open(name, "w", force_zip64=True) as part:
        part.write(head.encode())
        batch: list[str] = []
        for piece in parts:
            batch.append(piece)
            if len(batch) >= 10_000:
                part.write("".join(batch).encode())
                batch.clear()
        part.write(("".join(batch) + tail).encode())


def _repeat(text: str, times: int) -> Iterator[str]:
    for _ in range(times):
        yield text


def blank_rows(rows: int = 3_000_000) -> bytes:
    """The template's headers behind a 备用 column, then ``rows`` rows with one number each in
    备用 (ignored by the import): 2.4 MB that unpacks to 78 MB (ratio 32). openpyxl read it for
    175 s, counting none of its rows as data."""
    return workbook(_chain(header_row(), _repeat("<row><c><v>1</v></c></row>", rows)))


def many_strings(strings: int = 1_000_000) -> bytes:
    """A two-row sheet over a table of a million tiny shared strings (2.6 MB; 26 s to load)."""
    sheet = [header_row(), "<row>" + '<c t="s"><v>0</v></c>' * 3 + "</row>"]
    return workbook(sheet, strings=(str(i) for i in range(strings)))


def honest_rows(rows: int = 100_000) -> bytes:
    """A plain roster of ``rows`` people in the template's required columns (a sheet of
    100,000 was read for 28.6 s before it was refused)."""
    headers = ("姓名", "身份证号", "政治面貌", "学历", "所在村", "来源类别", "培养方向")

    def lines() -> Iterator[str]:
        yield header_row(headers)
        for i in range(rows):
            values = (f"张{i}", f"43052119900101{i % 10000:04d}", "中共党员", "本科")
            values += ("石桥村", "退役军人", "村党组织书记")
            yield "<row>" + "".join(_cell(v) for v in values) + "</row>"

    return workbook(lines())


def wide_row(cells: int = 2_000_000) -> bytes:
    """One data row of two million cells (28 MB of XML in a single element)."""
    return workbook([header_row(), "<row>" + "<c><v>1</v></c>" * cells + "</row>"])


def far_row(number: int = 1_048_576) -> bytes:
    """The headers, then one cell on Excel's last row: a reader that fills the gap walks a
    million empty rows."""
    return workbook([header_row(), f'<row r="{number}"><c><v>1</v></c></row>'])


def _chain(first: str, rest: Iterable[str]) -> Iterator[str]:
    yield first
    yield from rest


CRAFTED = {
    "blank_rows": blank_rows,
    "many_strings": many_strings,
    "honest_rows": honest_rows,
    "wide_row": wide_row,
    "far_row": far_row,
}
