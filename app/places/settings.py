"""County settings kept in the database, so an admin can change them in the browser."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from app.core import audit
from app.core.errors import RuleError
from app.core.normalize import InputError, clean_text, parse_date, parse_int
from app.extensions import db
from app.places.models import Setting


@dataclass(frozen=True)
class SettingSpec:
    key: str
    label: str
    default: str
    help: str


SPECS = {
    spec.key: spec
    for spec in (
        SettingSpec(
            "coverage_min",
            "储备覆盖阈值（人）",
            "2",
            "在库后备干部少于此数的村在工作台上标出，没有的排在最前",
        ),
        SettingSpec(
            "next_election_on",
            "下次村“两委”换届日期",
            "2027-03-31",
            "任期在此日期前届满的岗位视为届时空出",
        ),
    )
}


def get(key: str) -> str:
    row = db.session.get(Setting, key)
    return row.value if row is not None else SPECS[key].default


def coverage_min() -> int:
    return int(get("coverage_min"))


def next_election_on() -> dt.date:
    return dt.date.fromisoformat(get("next_election_on"))


def _clean(key: str, raw: str) -> str:
    try:
        if key == "coverage_min":
            value = parse_int(raw, label="储备覆盖阈值")
            if value is None or not 1 <= value <= 20:
                raise RuleError("储备覆盖阈值应为 1 到 20 之间的整数", key)
            return str(value)
        if key == "next_election_on":
            value = parse_date(raw, label="换届日期")
            if value is None:
                raise RuleError("请填写下次换届日期", key)
            return value.isoformat()
    except InputError as exc:
        raise RuleError(str(exc), key) from exc
    return clean_text(raw)


def update(values: dict[str, str], *, actor) -> None:
    """Check every value first, then write: a bad value writes nothing."""
    cleaned = {key: _clean(key, values.get(key, "")) for key in SPECS}
    changes = {}
    for key, value in cleaned.items():
        old = get(key)
        if old != value:
            row = db.session.get(Setting, key) or Setting(key=key)
            row.value = value
            db.session.add(row)
            changes[key] = [old, value]
    if changes:
        db.session.flush()
        audit.record(
            "update", "settings", None, actor=actor, summary="修改系统设置", changes=changes
        )
