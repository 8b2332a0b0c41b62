"""The roster workbook's columns (花名册), shared by the export, the template and the import.

The headers and their order are part of the user-facing contract (DESIGN.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from app.core.normalize import clean_text


@dataclass(frozen=True)
class Column:
    header: str
    key: str  # the raw key ``check_candidate`` reads, or the import's own (township, status)
    width: float
    required: bool = False  # the import refuses a sheet without this header


COLUMNS = (
    Column("姓名", "name", 10, required=True),
    Column("性别", "gender", 6),
    Column("民族", "ethnicity", 9),
    Column("出生日期", "birth_date", 12),
    Column("身份证号", "id_number", 21, required=True),
    Column("政治面貌", "political", 22, required=True),
    Column("学历", "education", 11, required=True),
    Column("专业", "major", 16),
    Column("联系电话", "phone", 15),
    Column("所属乡镇", "township", 12),
    Column("所在村", "village_id", 12, required=True),
    Column("来源类别", "source", 18, required=True),
    Column("现职业", "occupation", 16),
    Column("特长", "speciality", 16),
    Column("培养方向", "direction", 14, required=True),
    Column("入库日期", "entered_on", 12),
    Column("状态", "status", 10),
    Column("备注", "notes", 30),
)
HEADERS = tuple(c.header for c in COLUMNS)
BY_HEADER = {c.header: c for c in COLUMNS}
BY_KEY = {c.key: c for c in COLUMNS}
DATE_KEYS = ("birth_date", "entered_on")
SHEET_NAME = "花名册"
# Columns kept as text in Excel, so that a long number typed there is not rounded.
TEXT_COLUMNS = tuple(i for i, c in enumerate(COLUMNS) if c.key in ("id_number", "phone"))
DATE_FORMAT = "yyyy-mm-dd"

# Headers clerks write in their own sheets, read as the contract's.
HEADER_ALIASES = {
    "身份证号码": "身份证号",
    "公民身份号码": "身份证号",
    "身份证": "身份证号",
    "电话": "联系电话",
    "手机": "联系电话",
    "手机号": "联系电话",
    "手机号码": "联系电话",
    "乡镇": "所属乡镇",
    "乡镇(街道)": "所属乡镇",
    "村": "所在村",
    "村(社区)": "所在村",
    "所在村(社区)": "所在村",
    "现职业/工作": "现职业",
    "现职业(工作)": "现职业",
    "职业": "现职业",
    "文化程度": "学历",
}


def header_of(text: object) -> str:
    """A header cell as the contract names it: '身份证号码 *' and '（必填）姓名' are understood."""
    name = "".join(clean_text(text).split())
    for mark in ("*", "(必填)", "(选填)"):
        name = name.replace(mark, "")
    return HEADER_ALIASES.get(name, name)


# A spreadsheet reads a cell that begins with one of these as a formula (or as the start of one,
# after spaces): "=HYPERLINK(...)", "+1", "-2+3", "@SUM(...)"; tab, CR and LF are the DDE tricks.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")


def neutralise(text: str) -> str:
    """Text that no spreadsheet will evaluate: a leading ``'`` before a formula-like start."""
    if text and text.lstrip(" \u3000")[:1] in FORMULA_TRIGGERS:
        return "'" + text
    return text


def unneutralise(text: object) -> object:
    """The import's inverse of ``neutralise``, so an exported sheet imports as it was."""
    if (
        isinstance(text, str)
        and text[:1] == "'"
        and text[1:].lstrip(" \u3000")[:1] in (FORMULA_TRIGGERS)
    ):
        return text[1:]
    return text
