"""Checking one candidate record, shared by the web form and the Excel import.

``check_candidate`` takes raw values (as typed or as read from a sheet), normalises them, and
returns the clean values plus a Chinese message per field that is wrong. Nothing is written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import false, select

from app.core import clock
from app.core.checks import Checked  # noqa: F401  (re-exported: views use checks.Checked)
from app.core.codes import Direction, Education, Ethnicity, Gender, Political, Source
from app.core.idcard import IdNumberError, mask_id_number, normalize_id_number, parse_id_number
from app.core.normalize import (
    InputError,
    clean_multiline,
    clean_name,
    clean_text,
    parse_date,
    parse_phone,
)
from app.core.scoping import may_see_township, scoped
from app.extensions import db
from app.places.models import Village

# ID numbers per query when looking up many at once (well under every backend's parameter limit).
LOOKUP_CHUNK = 500
TEXT_LIMITS = {"major": 60, "occupation": 100, "speciality": 200}
CHOICE_FIELDS = {
    "political": (Political, "政治面貌"),
    "education": (Education, "学历"),
    "source": (Source, "来源类别"),
    "direction": (Direction, "培养方向"),
}
# A number as ``mask_id_number`` shows it: the first and last 4 around 10 asterisks.
MASKED_ID = re.compile(r"[0-9]{4}\*{10}[0-9X]{4}")


def _choice(raw: Any, enum_cls, label: str, errors: dict, key: str, required: bool = True):
    text = clean_text(raw)
    if not text:
        if required:
            errors[key] = f"请选择{label}"
        return None
    member = enum_cls.lookup(text)
    if member is None:
        errors[key] = f"“{text}”不是有效的{label}，可选：{'、'.join(enum_cls.labels()[:12])}"
        return None
    return member.value


@dataclass
class Lookups:
    """What a check looks up in the database, fetched once for many records (an import's rows)
    instead of one query each: the user's active villages and the live records holding the
    given ID numbers."""

    villages: dict[int, Village]
    holders: dict[str, Any]  # ID number -> its live Candidate

    @classmethod
    def fetch(cls, user, id_numbers: Iterable[str]) -> Lookups:
        from app.roster.models import Candidate

        active = scoped(Village, user).where(Village.is_active.is_(True))
        villages = {v.id: v for v in db.session.scalars(active)}
        holders: dict[str, Any] = {}
        numbers = sorted(set(id_numbers))
        for start in range(0, len(numbers), LOOKUP_CHUNK):
            chunk = numbers[start : start + LOOKUP_CHUNK]
            live = select(Candidate).where(
                Candidate.id_number.in_(chunk), Candidate.is_deleted == false()
            )
            holders.update((c.id_number, c) for c in db.session.scalars(live))
        return cls(villages=villages, holders=holders)


def check_candidate(
    raw: dict[str, Any], *, user, candidate=None, lookups: Lookups | None = None
) -> Checked:
    """Normalise and check one record; ``candidate`` is the record being edited, if any.
    ``lookups`` answers the village and duplicate checks without a query per record."""
    out = Checked()
    values, errors = out.values, out.errors

    name = clean_name(raw.get("name"))
    if not name:
        errors["name"] = "请填写姓名"
    elif len(name) > 40:
        errors["name"] = "姓名过长，请核对（最多 40 个字）"
    values["name"] = name

    info = None
    if not clean_text(raw.get("id_number")):
        errors["id_number"] = "请填写身份证号"
    elif "*" in normalize_id_number(raw.get("id_number")):
        # A masked number (from the edit form or a masked export) cannot be read back.
        errors["id_number"] = "身份证号中的“*”是隐去的数字，无法保存：请填写完整的 18 位身份证号"
    else:
        try:
            info = parse_id_number(str(raw.get("id_number")))
            values["id_number"] = info.number
        except IdNumberError as exc:
            errors["id_number"] = str(exc)

    birth = None
    try:
        birth = parse_date(raw.get("birth_date"))
    except InputError as exc:
        errors["birth_date"] = str(exc)
    if info and birth and birth != info.birth_date:
        errors["birth_date"] = (
            f"出生日期与身份证号不符：身份证号显示为 {info.birth_date:%Y-%m-%d}，"
            "请核对，或留空由身份证号自动填写"
        )
    # A valid ID number fills birth date and sex; without one, its own error says enough.
    values["birth_date"] = birth or (info.birth_date if info else None)

    gender = _choice(raw.get("gender"), Gender, "性别", errors, "gender", required=False)
    if info and gender and gender != info.sex:
        errors["gender"] = (
            f"性别与身份证号不符：身份证号显示为{Gender.label_of(info.sex)}，"
            "请核对，或留空由身份证号自动填写"
        )
    values["gender"] = gender or (info.sex if info else None)

    values["ethnicity"] = (
        _choice(raw.get("ethnicity"), Ethnicity, "民族", errors, "ethnicity", required=False)
        or Ethnicity.C01.value
    )
    for key, (enum_cls, label) in CHOICE_FIELDS.items():
        values[key] = _choice(raw.get(key), enum_cls, label, errors, key)

    try:
        values["phone"] = parse_phone(raw.get("phone"))
    except InputError as exc:
        errors["phone"] = str(exc)

    try:
        values["entered_on"] = parse_date(raw.get("entered_on"))
        if values["entered_on"] and values["entered_on"] > clock.today():
            errors["entered_on"] = "入库日期不能晚于今天"
    except InputError as exc:
        errors["entered_on"] = str(exc)

    for key, limit in TEXT_LIMITS.items():
        values[key] = clean_text(raw.get(key))
        if len(values[key]) > limit:
            errors[key] = f"内容过长，最多 {limit} 个字"
    values["notes"] = clean_multiline(raw.get("notes"))
    if len(values["notes"]) > 2000:
        errors["notes"] = "备注过长，最多 2000 个字"

    village = _village(raw.get("village_id"), user, lookups)
    if village is None:
        errors["village_id"] = "请选择所在村（只能选择您所管理乡镇的村）"
    values["village_id"] = village.id if village else None
    values["township_id"] = village.township_id if village else None

    if "id_number" not in errors:
        problem = duplicate_problem(
            values["id_number"], user=user, candidate=candidate, lookups=lookups
        )
        if problem:
            errors["id_number"] = problem
    return out


def id_number_from_form(typed: Any, candidate, *, stale: bool) -> Any:
    """What the edit form's ID field stands for: the stored number when it comes back as the
    mask the form showed, else what was typed (checked as any new number).

    The form never holds the whole number — showing it is a reveal, which is audited on the
    candidate page — so an unchanged mask means "keep the number". A stale form showed the
    mask of the number as it was then: any mask from it keeps the number too, and the conflict
    shown beside the form says what the number is now."""
    text = normalize_id_number(typed)
    if text == mask_id_number(candidate.id_number) or (stale and MASKED_ID.fullmatch(text)):
        return candidate.id_number
    return typed


def _village(raw: Any, user, lookups: Lookups | None = None) -> Village | None:
    try:
        village_id = int(clean_text(raw))
    except (TypeError, ValueError):
        return None
    if lookups is not None:
        return lookups.villages.get(village_id)
    stmt = scoped(Village, user).where(Village.id == village_id, Village.is_active.is_(True))
    return db.session.scalars(stmt).first()


def duplicate_problem(
    id_number: str, *, user, candidate=None, lookups: Lookups | None = None
) -> str | None:
    """A message when the number is already on another live record anywhere in the county."""
    from app.roster.models import Candidate

    if lookups is not None:
        other = lookups.holders.get(id_number)
        if other is not None and candidate is not None and other.id == candidate.id:
            other = None
    else:
        stmt = select(Candidate).where(
            Candidate.id_number == id_number, Candidate.is_deleted == false()
        )
        if candidate is not None and candidate.id is not None:
            stmt = stmt.where(Candidate.id != candidate.id)
        other = db.session.scalars(stmt).first()
    if other is None:
        return None
    if may_see_township(other.township_id, user):
        return (
            f"该身份证号已登记：{other.name}（{other.township.name} {other.village.name}，"
            f"档案编号 {other.id}），请勿重复录入"
        )
    return "该身份证号已在本县其他乡镇登记，请与县委组织部核实后再录入"
