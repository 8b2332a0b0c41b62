"""County settings kept in the database, so an admin can change them in the browser."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from app.core import audit
from app.core.errors import RuleError
from app.core.reader import Reader
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


def _read(values: dict[str, str]) -> dict[str, str]:
    """Every setting as it is stored (text); a bad value is a RuleError at its field."""
    r = Reader(values)
    r.integer("coverage_min", "储备覆盖阈值", between=(1, 20))
    r.date("next_election_on", "下次换届日期")
    if r.errors:
        raise RuleError(r.errors)
    return {
        "coverage_min": str(r.values["coverage_min"]),
        "next_election_on": r.values["next_election_on"].isoformat(),
    }


def update(values: dict[str, str], *, actor) -> None:
    """Check every value first, then write: a bad value writes nothing."""
    cleaned = _read(values)
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
