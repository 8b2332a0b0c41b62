"""Writes on townships and villages."""

from __future__ import annotations

from sqlalchemy import select

from app.core import audit
from app.core.errors import RuleError
from app.core.normalize import clean_name
from app.core.pinyin import text_sort_key
from app.extensions import db
from app.places.models import Township, Village


def create_township(name: str, *, actor) -> Township:
    name = clean_name(name)
    if not name:
        raise RuleError("请填写乡镇名称", "name")
    if db.session.scalar(select(Township.id).where(Township.name == name)):
        raise RuleError(f"乡镇“{name}”已存在", "name")
    township = Township(name=name, is_active=True)
    db.session.add(township)
    db.session.flush()
    audit.record(
        "create",
        "township",
        township.id,
        actor=actor,
        township_id=township.id,
        summary=f"新增乡镇 {name}",
        changes={"name": [None, name]},
    )
    return township


def rename_township(township: Township, name: str, *, actor) -> None:
    name = clean_name(name)
    if not name:
        raise RuleError("请填写乡镇名称", "name")
    clash = db.session.scalar(select(Township.id).where(Township.name == name))
    if clash and clash != township.id:
        raise RuleError(f"乡镇“{name}”已存在", "name")
    if name != township.name:
        audit.record(
            "update",
            "township",
            township.id,
            actor=actor,
            township_id=township.id,
            summary=f"乡镇更名为 {name}",
            changes={"name": [township.name, name]},
        )
        township.name = name
        db.session.flush()


def _check_village_name(township_id: int, name: str, village_id: int | None) -> str:
    name = clean_name(name)
    if not name:
        raise RuleError("请填写村（社区）名称", "name")
    clash = db.session.scalar(
        select(Village.id).where(Village.township_id == township_id, Village.name == name)
    )
    if clash and clash != village_id:
        raise RuleError(f"本乡镇已有“{name}”", "name")
    return name


def create_village(township: Township, name: str, *, actor) -> Village:
    name = _check_village_name(township.id, name, None)
    village = Village(township_id=township.id, name=name, name_sort=text_sort_key(name))
    db.session.add(village)
    db.session.flush()
    audit.record(
        "create",
        "village",
        village.id,
        actor=actor,
        township_id=township.id,
        summary=f"新增 {township.name} {name}",
        changes={"name": [None, name]},
    )
    return village


def update_village(village: Village, name: str, is_active: bool, *, actor) -> None:
    name = _check_village_name(village.township_id, name, village.id)
    before = {"name": village.name, "is_active": village.is_active}
    village.name, village.name_sort, village.is_active = name, text_sort_key(name), is_active
    changes = audit.diff(before, {"name": name, "is_active": is_active})
    if changes:
        db.session.flush()
        audit.record(
            "update",
            "village",
            village.id,
            actor=actor,
            township_id=village.township_id,
            summary=f"修改 {name}",
            changes=changes,
        )


SEAT_FIELDS = ("village_id", "kind", "holder_name", "holder_birth_date", "term_end", "notes")


def check_seat(raw: dict, *, user) -> tuple[dict, dict[str, str]]:
    """Normalise and check a seat; (values, errors by field)."""
    from app.core.reader import Reader
    from app.core.scoping import scoped
    from app.places.models import SeatKind

    r = Reader(raw)
    village = r.record(
        "village_id",
        "村（社区）",
        lambda ident: db.session.scalars(scoped(Village, user).where(Village.id == ident)).first(),
        hint="（只能选择您所管理乡镇的村）",
    )
    r.values["township_id"] = village.township_id if village else None
    r.choice("kind", SeatKind, "岗位")
    r.name("holder_name", "现任人员", required=False)
    r.text("notes", "备注", limit=200, required=False)
    r.date("holder_birth_date", "出生日期", required=False)
    r.date("term_end", "任期届满日期", hint="，换届准备据此判断岗位何时空出")
    return r.values, r.errors


def save_seat(seat, values: dict, *, actor):
    """Create (seat None) or change a seat; audited, flushed."""
    from app.places.models import VillageSeat

    if seat is None:
        seat = VillageSeat()
        audit.apply(seat, values, (*SEAT_FIELDS, "township_id"))
        db.session.add(seat)
        db.session.flush()  # for the village's name below
        audit.created(
            "village_seat",
            seat,
            SEAT_FIELDS,
            actor=actor,
            summary=f"新增两委岗位：{seat.village.name} {seat.kind_label}",
        )
        return seat
    changes = audit.apply(seat, values, (*SEAT_FIELDS, "township_id"))
    changes.pop("township_id", None)  # follows the village
    db.session.flush()
    audit.changed(
        "village_seat",
        seat,
        changes,
        actor=actor,
        summary=f"修改两委岗位：{seat.village.name} {seat.kind_label}",
    )
    return seat


def delete_seat(seat, *, actor) -> None:
    audit.record(
        "delete",
        "village_seat",
        seat.id,
        actor=actor,
        township_id=seat.township_id,
        summary=f"删除两委岗位：{seat.village.name} {seat.kind_label}",
        changes=audit.diff({k: getattr(seat, k) for k in SEAT_FIELDS}, {}),
    )
    db.session.delete(seat)
    db.session.flush()
