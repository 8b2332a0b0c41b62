"""The import template: the contract's headers, an example row, and drop-down lists.

Lists longer than Excel's 255-character inline limit (民族, the villages) live on a hidden
sheet that the data validations point at; every list goes there, for one way of doing it.
"""

from __future__ import annotations

import datetime as dt
from typing import IO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from app.core.codes import Direction, Education, Ethnicity, Gender, Political, Source, Status
from app.core.idcard import make_id_number
from app.excel.columns import COLUMNS, DATE_FORMAT, HEADERS, SHEET_NAME, TEXT_COLUMNS
from app.excel.reading import EXAMPLE_MARK, MAX_ROWS

LISTS_SHEET = "选项"
GUIDE_SHEET = "填写说明"
VALIDATED_ROWS = 10_001  # drop-downs on rows 2 .. 10,001


def build_template(
    out: IO[bytes],
    *,
    villages: list[tuple[str, str]],
    township_names: list[str],
    keeps_status: bool,
) -> None:
    """Write the template; ``villages`` are (township, village) pairs the user may import to."""
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_NAME
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="F2F2F2")
    for index, (column, header) in enumerate(zip(COLUMNS, HEADERS, strict=True), start=1):
        cell = ws.cell(row=1, column=index, value=header)
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(horizontal="center")
        dimension = ws.column_dimensions[get_column_letter(index)]
        dimension.width = column.width
        if index - 1 in TEXT_COLUMNS:
            dimension.number_format = "@"  # an ID number typed here stays text, all 18 digits
        elif column.key in ("birth_date", "entered_on"):
            dimension.number_format = DATE_FORMAT
    ws.freeze_panes = "A2"

    township, village = villages[0] if villages else ("", "")
    example = {
        "姓名": f"{EXAMPLE_MARK}：张三（导入时自动跳过本行）",
        "性别": "男",
        "民族": "汉族",
        "出生日期": dt.date(1990, 5, 3),
        "身份证号": make_id_number("430521", dt.date(1990, 5, 3), 123, "M"),
        "政治面貌": Political.label_of("01"),
        "学历": Education.label_of("bachelor"),
        "专业": "农学",
        "联系电话": "13800138000",
        "所属乡镇": township,
        "所在村": village,
        "来源类别": Source.label_of("returned_graduate"),
        "现职业": "种植合作社负责人",
        "特长": "电商销售",
        "培养方向": Direction.label_of("party_secretary"),
        "入库日期": None,
        "状态": Status.label_of("nominated"),
        "备注": "出生日期、性别可不填，由身份证号自动得出",
    }
    grey = Font(italic=True, color="808080")
    for index, header in enumerate(HEADERS, start=1):
        cell = ws.cell(row=2, column=index, value=example[header])
        cell.font = grey
        if isinstance(example[header], dt.date):
            cell.number_format = DATE_FORMAT
        elif index - 1 in TEXT_COLUMNS:
            cell.number_format = "@"

    lists = {
        "性别": Gender.labels(),
        "民族": Ethnicity.labels(),
        "政治面貌": Political.labels(),
        "学历": Education.labels(),
        "来源类别": Source.labels(),
        "培养方向": Direction.labels(),
        "所属乡镇": township_names,
        "所在村": sorted({v for _, v in villages}),
    }
    if keeps_status:
        lists["状态"] = Status.labels()
    _add_lists(wb, ws, lists)
    _add_guide(wb, keeps_status)
    wb.active = 0
    wb.save(out)


def _add_lists(wb, ws, lists: dict[str, list[str]]) -> None:
    options = wb.create_sheet(LISTS_SHEET)
    options.sheet_state = "hidden"
    for index, (header, values) in enumerate(lists.items(), start=1):
        letter = get_column_letter(index)
        options.cell(row=1, column=index, value=header)
        for row, value in enumerate(values, start=2):
            options.cell(row=row, column=index, value=value)
        if not values:
            continue
        target = get_column_letter(HEADERS.index(header) + 1)
        validation = DataValidation(
            type="list",
            formula1=f"{quote_sheetname(LISTS_SHEET)}!${letter}$2:${letter}${len(values) + 1}",
            allow_blank=True,
            showErrorMessage=True,
            errorStyle="warning",
            errorTitle=f"{header}不在列表中",
            error=f"请从下拉列表中选择{header}。",
        )
        validation.add(f"{target}2:{target}{VALIDATED_ROWS}")
        ws.add_data_validation(validation)


GUIDE = [
    "后备干部花名册导入说明",
    "1. 在“花名册”表中从第 3 行起逐行填写，一人一行；第 2 行是示例，导入时自动跳过，可删除。",
    "2. 带下拉箭头的栏目请从列表中选择；所在村须是系统中已有的村（社区）。",
    "3. 身份证号须为 18 位，末位可为 X；请保持该列为“文本”格式，避免 Excel 把号码变成科学计数法。",
    "4. 出生日期和性别可不填，由身份证号自动得出；填写时须与身份证号一致。",
    "5. 日期可写成 1990-05-03、1990.5.3、1990/05/03 或 1990年5月3日。",
    "6. 必填：姓名、身份证号、政治面貌、学历、所在村、来源类别、培养方向。",
    f"7. 一次最多导入 {MAX_ROWS} 行。上传后先预览检查结果，全部无误才能确认导入，"
    "有错误时可下载标明错误的表格，改好后重新上传。",
]


def _add_guide(wb, keeps_status: bool) -> None:
    guide = wb.create_sheet(GUIDE_SHEET)
    guide.column_dimensions["A"].width = 110
    lines = [
        *GUIDE,
        "8. “状态”一列：管理员导入时按所填状态录入（不填为“拟推荐”），在库培养须填入库日期。"
        if keeps_status
        else "8. 组织干事导入的人员一律为“拟推荐”，“状态”一列不导入，由乡镇党委审核。",
    ]
    for row, line in enumerate(lines, start=1):
        guide.cell(row=row, column=1, value=line)
    guide["A1"].font = Font(bold=True, size=14)
