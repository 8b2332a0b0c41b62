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
from app.core.checks import Checked
from app.core.codes import Direction, Education, Ethnicity, Gender, Political, Source
from app.core.idcard import mask_id_number, normalize_id_number
from app.core.reader import Reader
from app.core.scoping import may_see_township, scoped
from app.extensions import db
from app.places.models import Village

# ID numbers per query when looking up many at once (well under every backend's parameter limit).
LOOKUP_CHUNK = 500
TEXT_FIELDS = {
    "major": ("专业", 60),
    "occupation": ("现职业/工作", 100),
    "speciality": ("特长", 200),
}
CHOICE_FIELDS = {
    "political": (Political, "政治面貌"),
    "education": (Education, "学历"),
    "source": (Source, "来源类别"),
    "direction": (Direction, "培养方向"),
}
# A number as ``mask_id_number`` shows it: the first and last 4 around 10 asterisks.
MASKED_ID = re.compile(r"[0-9]{4}\*{10}[0-9X]{4}")


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
    r = Reader(raw)
    r.name("name")
    info = r.id_number("id_number")

    birth = r.date("birth_date", "出生日期", required=False)
    if info and birth and birth != info.birth_date:
        r.fail(
            "birth_date",
            f"出生日期与身份证号不符：身份证号显示为 {info.birth_date:%Y-%m-%d}，"
            "请核对，或留空由身份证号自动填写",
        )
    # A valid ID number fills birth date and sex; without one, its own error says enough.
    r.values["birth_date"] = birth or (info.birth_date if info else None)

    gender = r.choice("gender", Gender, "性别", required=False)
    if info and gender and gender != info.sex:
        r.fail(
            "gender",
            f"性别与身份证号不符：身份证号显示为{Gender.label_of(info.sex)}，"
            "请核对，或留空由身份证号自动填写",
        )
    r.values["gender"] = r.values["gender"] or (info.sex if info else None)

    r.choice("ethnicity", Ethnicity, "民族", default=Ethnicity.C01)
    for key, (codes, label) in CHOICE_FIELDS.items():
        r.choice(key, codes, label)
    r.phone("phone", required=False)
    r.date("entered_on", "入库日期", required=False, today=clock.today())
    for key, (label, limit) in TEXT_FIELDS.items():
        r.text(key, label, limit=limit, required=False)
    r.text("notes", "备注", limit=2000, required=False, multiline=True)

    village = r.record(
        "village_id",
        "所在村",
        lambda village_id: _village(village_id, user, lookups),
        hint="（只能选择您所管理乡镇的村）",
    )
    r.values["township_id"] = village.township_id if village else None

    if info is not None:
        problem = duplicate_problem(info.number, user=user, candidate=candidate, lookups=lookups)
        if problem:
            r.fail("id_number", problem)
    return r.checked()


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


def _village(village_id: int, user, lookups: Lookups | None) -> Village | None:
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
