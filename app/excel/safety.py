"""Refusing unsafe or unreadable uploads before openpyxl parses anything.

An .xlsx is a zip of XML parts. Everything here looks only at the bytes and at the zip's
central directory: the magic number, the entries' count and declared sizes (Python's zipfile
never inflates an entry beyond its declared size, so the directory is what bounds the work),
the workbook part, and the marks of a macro-enabled workbook. XML is parsed later by openpyxl,
which uses defusedxml (a dependency) against entity expansion and external entities.
"""

from __future__ import annotations

import io
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
