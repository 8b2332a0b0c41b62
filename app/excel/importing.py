"""Checking an uploaded roster row by row, with the same checks as the candidate form.

Each row becomes the raw dict ``app.roster.checks.check_candidate`` reads (the web form's
path), after the importer has resolved 所属乡镇 + 所在村 to a village within the user's scope.
Nothing is written here; ``operations.import_rows`` writes a plan whose every row is valid.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from app.core.codes import Status
from app.core.idcard import IdNumberError, parse_id_number
from app.core.normalize import clean_name, clean_text
from app.excel.columns import BY_KEY, COLUMNS
from app.excel.reading import Sheet, SheetRow
from app.extensions import db
from app.places.models import Township, Village
from app.roster.checks import Lookups, check_candidate


@dataclass
class Actor:
    """Who imports: a logged-in user, or the CLI acting at admin level (optionally in one
    township). ``check_candidate`` and the scoping helpers read ``role`` and ``township_id``."""

    role: str
    township_id: int | None
    id: int | None = None
    label: str = "命令行"

    @classmethod
    def of(cls, user) -> Actor:
        return cls(role=user.role, township_id=user.township_id, id=user.id, label=user.label)

    @property
    def keeps_status(self) -> bool:
        """Admins import each row's 状态; everyone else's rows enter as 拟推荐 (nominated)."""
        return self.role == "admin"


@dataclass
class RowResult:
    number: int
    cells: dict[str, Any]  # header -> value as read
    errors: dict[str, str] = field(default_factory=dict)  # header -> message
    values: dict[str, Any] = field(default_factory=dict)  # checked values, when valid
    status: str = Status.nominated.value
    status_dropped: bool = False  # a clerk's row named another 状态, which is not imported

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def name(self) -> str:
        return self.values.get("name") or clean_name(self.cells.get("姓名"))

    def messages(self) -> list[str]:
        """Every error of the row, in column order, as '列名：说明'."""
        order = {c.header: i for i, c in enumerate(COLUMNS)}
        return [
            f"{header}：{message}" if header else message
            for header, message in sorted(self.errors.items(), key=lambda e: order.get(e[0], -1))
        ]


@dataclass
class ImportPlan:
    sheet: Sheet
    rows: list[RowResult]
    actor: Actor
    township_name: str | None  # the township every row goes to, for a township-bound actor

    @property
    def valid(self) -> list[RowResult]:
        return [r for r in self.rows if r.ok]

    @property
    def invalid(self) -> list[RowResult]:
        return [r for r in self.rows if not r.ok]

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not self.invalid

    @property
    def dropped_statuses(self) -> int:
        return sum(1 for r in self.rows if r.status_dropped)


class _Places:
    """The villages the actor may import into, by name, loaded once per import."""

    def __init__(self, actor: Actor):
        self.actor = actor
        self.township_ids = dict(db.session.execute(select(Township.name, Township.id)).all())
        stmt = select(Village.id, Village.name, Village.township_id, Village.is_active)
        if actor.township_id is not None:
            stmt = stmt.where(Village.township_id == actor.township_id)
        self.by_place: dict[tuple[int, str], tuple[int, bool]] = {}
        self.by_name: dict[str, list[tuple[int, int, bool]]] = {}
        for vid, name, township_id, active in db.session.execute(stmt):
            self.by_place[(township_id, name)] = (vid, active)
            self.by_name.setdefault(name, []).append((vid, township_id, active))
        self.names = {tid: name for name, tid in self.township_ids.items()}

    def own_name(self) -> str | None:
        return self.names.get(self.actor.township_id) if self.actor.township_id else None

    def resolve(self, township_text: Any, village_text: Any) -> tuple[int | None, dict[str, str]]:
        """The village id for 所属乡镇 + 所在村, or the errors at those columns."""
        township = clean_name(township_text)
        village = clean_name(village_text)
        own = self.actor.township_id
        township_id = None
        if township:
            township_id = self.township_ids.get(township)
            # A township user learns nothing of the county's other townships: another
            # township's name and a name no township has get the same answer.
            if own is not None and township_id != own:
                return None, {
                    "所属乡镇": f"只能导入本乡镇（{self.own_name()}）的人员，"
                    f"“{township}”不在您的管理范围内"
                }
            if township_id is None:
                return None, {"所属乡镇": f"乡镇“{township}”不存在，请核对名称（应与系统中一致）"}
        elif own is not None:
            township_id = own
        if not village:
            return None, {"所在村": "请填写所在村"}
        if township_id is not None:
            found = self.by_place.get((township_id, village))
            if found is None:
                where = self.names.get(township_id, "")
                return None, {"所在村": f"{where}没有“{village}”，请核对村（社区）名称"}
            candidates = [(found[0], township_id, found[1])]
        else:
            candidates = self.by_name.get(village, [])
            if not candidates:
                return None, {"所在村": f"本县没有名为“{village}”的村（社区），请核对名称"}
            if len(candidates) > 1:
                towns = "、".join(sorted(self.names[t] for _, t, _ in candidates))
                return None, {
                    "所在村": f"{towns}都有“{village}”，请在“所属乡镇”一列写明是哪个乡镇的"
                }
        vid, _, active = candidates[0]
        if not active:
            return None, {"所在村": f"“{village}”已停用，不能再录入人员"}
        return vid, {}


def _id_text(value: Any) -> tuple[Any, str | None]:
    """An ID number cell: a float means Excel stored it as a number and lost digits."""
    if isinstance(value, float):
        return None, (
            "身份证号被 Excel 存成了数字，末几位已经丢失。请把这一列设为“文本”格式，"
            "重新填写完整的 18 位号码"
        )
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value), None
    return value, None


def check_sheet(
    sheet: Sheet, actor: Actor, *, progress: Callable[[int], None] | None = None
) -> ImportPlan:
    """Check every row of the sheet as the candidate form would; nothing is written."""
    places = _Places(actor)
    lookups = Lookups.fetch(actor, _id_numbers(sheet))
    plan = ImportPlan(sheet=sheet, rows=[], actor=actor, township_name=places.own_name())
    first_row_of: dict[str, RowResult] = {}
    for sheet_row in sheet.rows:
        result = _check_row(sheet_row, actor, places, lookups)
        number = result.values.get("id_number")
        if result.ok or "身份证号" not in result.errors:
            if number and number in first_row_of:
                earlier = first_row_of[number]
                result.errors["身份证号"] = (
                    f"与第 {earlier.number} 行的身份证号重复，同一人只能导入一次"
                )
                earlier.errors.setdefault(
                    "身份证号", f"与第 {result.number} 行的身份证号重复，同一人只能导入一次"
                )
            elif number:
                first_row_of[number] = result
        plan.rows.append(result)
        if progress is not None:
            progress(1)
    return plan


def _id_numbers(sheet: Sheet) -> list[str]:
    """The sheet's well-formed ID numbers, to look up in one go before the rows are checked."""
    numbers = []
    for sheet_row in sheet.rows:
        text, problem = _id_text(sheet_row.cells.get(BY_KEY["id_number"].header))
        if text is not None and not problem:
            try:
                numbers.append(parse_id_number(str(text)).number)
            except IdNumberError:
                pass  # the row's own check says what is wrong with it
    return numbers


def _check_row(sheet_row: SheetRow, actor: Actor, places: _Places, lookups: Lookups) -> RowResult:
    cells = sheet_row.cells
    result = RowResult(number=sheet_row.number, cells=cells)
    raw: dict[str, Any] = {
        column.key: cells.get(column.header)
        for column in COLUMNS
        if column.key not in ("township", "village_id", "status")
    }
    raw["id_number"], id_problem = _id_text(raw.get("id_number"))
    village_id, place_errors = places.resolve(cells.get("所属乡镇"), cells.get("所在村"))
    raw["village_id"] = village_id
    checked = check_candidate(raw, user=actor, lookups=lookups)
    errors = {BY_KEY[key].header: message for key, message in checked.errors.items() if key}
    errors.update(place_errors)  # more specific than check_candidate's "请选择所在村"
    if village_id is None and "所属乡镇" in place_errors:
        errors.pop("所在村", None)
    if id_problem:
        errors["身份证号"] = id_problem
    result.status = _status(cells.get("状态"), actor, checked.values, errors, result)
    result.errors = errors
    if not errors:
        result.values = checked.values
    else:
        result.values = {"name": checked.values.get("name"), "id_number": None}
        if "身份证号" not in errors:
            result.values["id_number"] = checked.values.get("id_number")
    return result


def _status(raw: Any, actor: Actor, values: dict, errors: dict, result: RowResult) -> str:
    text = clean_text(raw)
    member = Status.lookup(text) if text else None
    if not actor.keeps_status:
        result.status_dropped = bool(text) and member != Status.nominated
        return Status.nominated.value
    if not text:
        return Status.nominated.value
    if member is None:
        errors["状态"] = f"“{text}”不是有效的状态，可选：{'、'.join(Status.labels())}"
        return Status.nominated.value
    if member == Status.in_pool and not values.get("entered_on") and "入库日期" not in errors:
        errors["入库日期"] = "状态为“在库培养”时请填写入库日期"
    return member.value
