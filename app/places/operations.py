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
