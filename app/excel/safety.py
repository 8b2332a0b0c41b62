"""Refusing unsafe or unreadable uploads before openpyxl parses anything.

An .xlsx is a zip of XML parts. Everything here looks only at the bytes and at the zip's
central directory: the magic number, the entries' count and declared sizes (Python's zipfile
never inflates an entry beyond its declared size, so the directory is what bounds the work),
the workbook part, and the marks of a macro-enabled workbook. XML is parsed later by openpyxl,
which uses defusedxml (a dependency) against entity expansion and external entities.
"""

from __future__ import annotations

import io
import posixpath
import zipfile

MAX_ENTRIES = 1000
MAX_UNPACKED = 100 * 1024 * 1024  # all entries together, once inflated
MAX_RATIO = 200  # inflated / compressed, for an entry above RATIO_FLOOR
RATIO_FLOOR = 1024 * 1024
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003 (.xls), and encrypted .xlsx
MACRO_CONTENT_TYPE = b"macroenabled"


class FileRefused(Exception):
    """An upload that cannot be imported; ``message`` says why, in Chinese, and what to do."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _megabytes(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} MB"


def check_workbook_bytes(data: bytes, file_name: str = "", *, max_size: int | None = None) -> None:
    """Raise FileRefused unless ``data`` is a plain .xlsx workbook that is safe to open."""
    if not data:
        raise FileRefused("上传的文件是空的，请选择填好的 .xlsx 花名册后重新上传。")
    if max_size is not None and len(data) > max_size:
        raise FileRefused(
            f"文件大小为 {_megabytes(len(data))}，超过了 {_megabytes(max_size)} 的上限，"
            "请拆分成几个文件分别导入。"
        )
    name = (file_name or "").lower()
    if name.endswith((".xlsm", ".xltm", ".xlam")):
        raise FileRefused(
            "这是启用宏的工作簿（.xlsm），为安全起见不予导入。请在 Excel 中“另存为”"
            "“Excel 工作簿（*.xlsx）”后再上传。"
        )
    if data.startswith(OLE_MAGIC):
        raise FileRefused(
            "这是旧版 Excel 97-2003 文件（.xls）或加密的工作簿，无法读取。请在 Excel 中"
            "去掉打开密码，并“另存为”“Excel 工作簿（*.xlsx）”后再上传。"
        )
    if not data.startswith(ZIP_MAGIC):
        raise FileRefused(
            "这不是 Excel 工作簿（.xlsx）文件。若是 .csv、.et、.wps 或改了扩展名的文件，"
            "请用 Excel 或 WPS 打开后“另存为”“Excel 工作簿（*.xlsx）”再上传。"
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError):
        raise FileRefused(
            "文件已损坏或不完整，无法作为 Excel 工作簿读取。请用 Excel 打开确认无误后，"
            "重新保存为 .xlsx 再上传。"
        ) from None
    with archive:
        _check_directory(entries)
        names = {info.filename for info in entries}
        if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
            raise FileRefused(
                "这是一个压缩文件，但不是 Excel 工作簿（.xlsx）。请上传 Excel 花名册文件。"
            )
        if any(n.lower().endswith("vbaproject.bin") for n in names) or _macro_content_type(archive):
            raise FileRefused(
                "这是启用宏的工作簿，为安全起见不予导入。请在 Excel 中“另存为”"
                "“Excel 工作簿（*.xlsx）”后再上传。"
            )


def _check_directory(entries: list[zipfile.ZipInfo]) -> None:
    bomb = (
        "文件解压后异常庞大（疑似“压缩炸弹”），为保护系统不予读取。"
        "请上传由 Excel 正常保存的花名册；若确是大文件，请拆分后分别导入。"
    )
    if len(entries) > MAX_ENTRIES:
        raise FileRefused(
            f"文件内部包含 {len(entries)} 个部件，远多于正常的 Excel 工作簿，不予读取。"
            "请用 Excel 重新保存为 .xlsx 后再上传。"
        )
    total = 0
    for info in entries:
        if info.flag_bits & 0x1:
            raise FileRefused("工作簿设置了密码，无法读取。请在 Excel 中取消密码后再上传。")
        total += info.file_size
        if total > MAX_UNPACKED:
            raise FileRefused(bomb)
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise FileRefused(bomb)


def _macro_content_type(archive: zipfile.ZipFile) -> bool:
    """The package declares a macro-enabled workbook (its size is already bounded)."""
    try:
        types = archive.read("[Content_Types].xml")
    except (KeyError, zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise FileRefused(
            "文件已损坏，无法作为 Excel 工作簿读取。请重新保存为 .xlsx 再上传。"
        ) from None
    return MACRO_CONTENT_TYPE in types.lower()


# ---- the size of what openpyxl will parse -----------------------------------------------------
#
# The zip directory bounds the bytes, not the work: 78 MB of one-cell rows, or a million tiny
# shared strings in 2.6 MB, each took openpyxl minutes to read. So the parts it will parse are
# counted first, by a streaming parser that keeps nothing and stops at the first bound crossed:
# the shared-strings table, the data sheet's rows (blank or not, by element and by number) and
# its cells. A legitimate roster is far inside every bound; a crafted one is refused in well
# under a second whatever its shape.

SHARED_STRINGS_TYPE = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
)
RELATIONSHIPS_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CELLS_PER_ROW = 60  # on average over the sheet: the template has 18 columns
MAX_OTHER_XML = 8 * 1024 * 1024  # styles, workbook, relationships … (Excel's own: < 1 MB)
CHUNK = 64 * 1024


class _Bound(Exception):
    def __init__(self, what: str):
        self.what = what


def _scan(archive: zipfile.ZipFile, part: str, on_start) -> None:
    """Stream one XML part through expat, calling ``on_start(local_name, attrs)``; no DTD."""
    from xml.parsers import expat

    def _no_dtd(*_args):
        raise FileRefused(
            "文件已损坏或含有不允许的 XML 声明（DTD），为安全起见不予读取。"
            "请用 Excel 打开后重新保存为 .xlsx 再上传。"
        )

    parser = expat.ParserCreate(namespace_separator="}")
    parser.StartDoctypeDeclHandler = _no_dtd
    parser.EntityDeclHandler = _no_dtd
    parser.StartElementHandler = lambda name, attrs: on_start(name.rpartition("}")[2], attrs)
    try:
        with archive.open(part) as stream:
            while chunk := stream.read(CHUNK):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except (expat.ExpatError, zipfile.BadZipFile, OSError, ValueError, EOFError, KeyError):
        raise FileRefused(
            "文件已损坏，无法作为 Excel 工作簿读取。请用 Excel 打开后重新保存为 .xlsx 再上传。"
        ) from None


WORKBOOK_TYPES = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    "application/vnd.ms-excel.template.macroEnabled.main+xml",
}


def _too_big(name: str, size: int) -> FileRefused:
    return FileRefused(
        f"工作簿的“{name}”部件解压后有 {_megabytes(size)}，远大于正常的 Excel 文件，"
        "不予读取。请把数据复制到本系统的导入模板中再上传。"
    )


def _scan_small(archive: zipfile.ZipFile, part: str, on_start) -> None:
    size = archive.getinfo(part).file_size
    if size > MAX_OTHER_XML:
        raise _too_big(part, size)
    _scan(archive, part, on_start)


class _Package:
    """The parts openpyxl will parse, found as it finds them: the content types name the
    workbook and the shared strings; the workbook's relationships name its worksheets, and the
    workbook their titles."""

    def __init__(self, archive: zipfile.ZipFile):
        self.names = {info.filename for info in archive.infolist()}
        self.workbook = "xl/workbook.xml"
        self.shared_strings: str | None = None
        self.worksheets: dict[str, str] = {}  # part -> the sheet's title

        def on_type(name, attrs):
            kind, part = attrs.get("ContentType"), attrs.get("PartName", "").lstrip("/")
            if name == "Override" and kind == SHARED_STRINGS_TYPE:
                self.shared_strings = part
            elif name == "Override" and kind in WORKBOOK_TYPES:
                self.workbook = part

        _scan_small(archive, "[Content_Types].xml", on_type)
        if self.workbook not in self.names:
            return
        titles: dict[str, str] = {}

        def on_sheet(name, attrs):
            if name == "sheet":
                titles[attrs.get(f"{RELATIONSHIPS_NS}}}id", "")] = attrs.get("name", "")

        _scan_small(archive, self.workbook, on_sheet)
        folder, base = posixpath.split(self.workbook)
        rels = posixpath.join(folder, "_rels", f"{base}.rels")

        def on_rel(name, attrs):
            target = attrs.get("Target", "")
            if name != "Relationship" or attrs.get("TargetMode") == "External":
                return
            if not attrs.get("Type", "").endswith("/worksheet"):
                return
            path = target[1:] if target.startswith("/") else posixpath.join(folder, target)
            path = posixpath.normpath(path)
            if path in self.names:
                self.worksheets[path] = titles.get(attrs.get("Id", ""), posixpath.basename(path))

        if rels in self.names:
            _scan_small(archive, rels, on_rel)


def too_many_rows(title: str, max_rows: int) -> FileRefused:
    return FileRefused(
        f"工作表“{title}”表头下方超过了 {max_rows:,} 行（空行、只设了格式的行也计算在内）。"
        f"一次最多导入 {max_rows:,} 行：请删去表格下方多余的行，或拆分成几个文件分别导入。"
    )


class _Dimension(Exception):
    """The sheet states its size before its rows: openpyxl reads no further when opening it."""


def _bounded_scan(
    archive: zipfile.ZipFile, part: str, *, max_rows: int, header_rows: int, opening: bool
) -> None:
    """Count the sheet's rows — every one, blank or only formatted, by element and by number —
    and its cells, stopping at the first bound crossed. ``opening``: what openpyxl reads when
    it opens the workbook (up to a ``dimension`` element before the data, else everything)."""
    rows_allowed = max_rows + header_rows
    cells_allowed = rows_allowed * CELLS_PER_ROW
    rows = cells = last = 0

    def on_start(name, attrs):
        nonlocal rows, cells, last
        if name == "row":
            rows += 1
            number = attrs.get("r", "")
            last = int(number) if number.isascii() and number.isdigit() else last + 1
            if rows > rows_allowed or last > rows_allowed:
                raise _Bound("rows")
        elif name == "c":
            cells += 1
            if cells > cells_allowed:
                raise _Bound("cells")
        elif opening and name == "dimension" and rows == 0:
            raise _Dimension

    try:
        _scan(archive, part, on_start)
    except _Dimension:
        pass


def _sheet_refusal(bound: _Bound, title: str, max_rows: int, header_rows: int) -> FileRefused:
    if bound.what == "rows":
        return too_many_rows(title, max_rows)
    return FileRefused(
        f"工作表“{title}”的单元格超过 {(max_rows + header_rows) * CELLS_PER_ROW:,} 个，远多于 "
        f"{max_rows:,} 行花名册所需。请删去多余的列和行，或把数据复制到本系统的导入模板中再上传。"
    )


def check_parse_bounds(data: bytes, *, max_rows: int, header_rows: int) -> None:
    """Before openpyxl opens the workbook: every part it parses on opening is small enough —
    the shared strings (counted), each worksheet as far as openpyxl reads it, every other XML
    part by size. Raises FileRefused naming the limit."""
    strings_allowed = (max_rows + header_rows) * CELLS_PER_ROW
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        package = _Package(archive)
        for info in archive.infolist():
            name = info.filename
            if name == package.shared_strings or name in package.worksheets:
                continue
            if name.endswith((".xml", ".rels")) and info.file_size > MAX_OTHER_XML:
                raise _too_big(name, info.file_size)
        for part, title in package.worksheets.items():
            try:
                _bounded_scan(
                    archive, part, max_rows=max_rows, header_rows=header_rows, opening=True
                )
            except _Bound as bound:
                raise _sheet_refusal(bound, title, max_rows, header_rows) from None
        if package.shared_strings not in package.names:
            return
        count = 0

        def on_string(name, _attrs):
            nonlocal count
            if name == "si":
                count += 1
                if count > strings_allowed:
                    raise _Bound("strings")

        try:
            _scan(archive, package.shared_strings, on_string)
        except _Bound:
            raise FileRefused(
                f"工作簿的共享文本表超过 {strings_allowed:,} 条，远多于 {max_rows:,} 行花名册"
                "所需，不予读取。请把数据复制到本系统的导入模板中再上传。"
            ) from None


def check_sheet_bounds(
    data: bytes, part: str, title: str, *, max_rows: int, header_rows: int
) -> None:
    """The data sheet, before its rows are read: at most ``max_rows`` below the header rows
    (every row counts, blank or not) and not too many cells."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        try:
            _bounded_scan(archive, part, max_rows=max_rows, header_rows=header_rows, opening=False)
        except _Bound as bound:
            raise _sheet_refusal(bound, title, max_rows, header_rows) from None
