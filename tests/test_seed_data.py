"""Tests of the pure demo data generator (no database, no Flask)."""

from __future__ import annotations

import datetime
import re
from collections import Counter

import pytest

from app.core.codes import Direction, Education, Ethnicity, Gender, Political, Source, Status
from app.core.idcard import parse_id_number
from app.seed.demo_data import (
    TownshipSpec,
    generate_candidates,
    generate_county,
    generate_people_names,
)

TODAY = datetime.date(2025, 6, 1)
VILLAGES = 200
ROWS = 20_000
KEYS = {
    "name", "gender", "ethnicity", "birth_date", "id_number", "political", "education", "major",
    "phone", "village_index", "source", "occupation", "speciality", "direction", "entered_on",
    "status", "notes",
}  # fmt: skip
DEGREES = {"postgraduate", "bachelor", "college"}


def check_char(first17: str) -> str:
    """GB 11643 check character, computed independently of the generator."""
    weights = [2 ** (17 - i) % 11 for i in range(17)]
    return "10X98765432"[sum(int(c) * w for c, w in zip(first17, weights, strict=True)) % 11]


def age_on(born: datetime.date, day: datetime.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def shares(rows: list[dict], key: str) -> dict[str, float]:
    counts = Counter(r[key] for r in rows)
    return {k: v / len(rows) for k, v in counts.items()}


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    return list(generate_candidates(ROWS, 42, VILLAGES, TODAY))


def test_check_char_matches_known_number() -> None:
    assert check_char("11010519491231002") == "X"  # the standard's own example


# --- County -----------------------------------------------------------------------------------


def test_county_is_deterministic() -> None:
    assert generate_county(1) == generate_county(1)
    assert generate_county(1) != generate_county(2)


@pytest.mark.parametrize("seed", range(10))
def test_county_shape(seed: int) -> None:
    county = generate_county(seed)
    assert all(isinstance(t, TownshipSpec) for t in county)
    assert 18 <= len(county) <= 22
    names = [t.name for t in county]
    assert len(set(names)) == len(names)
    assert sum(n.endswith("街道") for n in names) == 1
    assert sum(n.endswith("镇") for n in names) >= 10
    assert sum(n.endswith("乡") for n in names) >= 4
    for township in county:
        assert 8 <= len(township.villages) <= 15
        assert len(set(township.villages)) == len(township.villages)
        assert all(re.fullmatch(r"[\u4e00-\u9fff]{1,4}(村|社区)", v) for v in township.villages)
        if township.name.endswith("街道"):
            communities = [v for v in township.villages if v.endswith("社区")]
            assert len(communities) > len(township.villages) / 2
    everything = [v for t in county for v in t.villages]
    assert len(set(everything)) == len(everything)


# --- Candidates -------------------------------------------------------------------------------


def test_candidates_are_deterministic() -> None:
    first = list(generate_candidates(300, 5, 50, TODAY))
    assert first == list(generate_candidates(300, 5, 50, TODAY))
    assert first != list(generate_candidates(300, 6, 50, TODAY))
    assert list(generate_candidates(100, 5, 50, TODAY)) == first[:100]


def test_row_fields(rows: list[dict]) -> None:
    assert len(rows) == ROWS
    for row in rows:
        assert set(row) == KEYS
        assert row["gender"] in set(Gender)
        assert row["ethnicity"] in set(Ethnicity)
        assert row["political"] in set(Political)
        assert row["education"] in set(Education)
        assert row["source"] in set(Source)
        assert row["direction"] in set(Direction)
        assert row["status"] in set(Status)
        assert 0 <= row["village_index"] < VILLAGES
        assert re.fullmatch(r"1[3-9]\d{9}", row["phone"])
        assert re.fullmatch(r"[\u4e00-\u9fff]{2,4}", row["name"])
        assert bool(row["major"]) == (row["education"] in DEGREES)
        assert row["occupation"]
        assert isinstance(row["notes"], str) and isinstance(row["speciality"], str)


def test_id_numbers_are_valid_and_consistent(rows: list[dict]) -> None:
    for row in rows:
        number = row["id_number"]
        assert re.fullmatch(r"43\d{15}[\dX]", number)
        assert number[17] == check_char(number[:17])
        assert number[6:14] == row["birth_date"].strftime("%Y%m%d")
        assert int(number[16]) % 2 == (1 if row["gender"] == "M" else 0)
        assert number[14:17] != "000"
        info = parse_id_number(number, today=TODAY)  # the app's own validator agrees
        assert (info.birth_date, info.sex) == (row["birth_date"], row["gender"])
    assert len({r["id_number"] for r in rows}) == ROWS
    regions = Counter(r["id_number"][:6] for r in rows)
    assert regions.most_common(1)[0][0] == "430521"
    assert regions["430521"] / ROWS > 0.75


def test_ids_stay_unique_when_days_fill_up() -> None:
    # One village, a narrow pool: many people share a birthday, so sequences must not collide.
    many = list(generate_candidates(60_000, 3, 1, TODAY))
    assert len({r["id_number"] for r in many}) == len(many)


def test_phones_are_unique(rows: list[dict]) -> None:
    assert len({r["phone"] for r in rows}) == ROWS


def test_ages_and_dates(rows: list[dict]) -> None:
    ages = [age_on(r["birth_date"], TODAY) for r in rows]
    assert min(ages) >= 22 and max(ages) <= 50
    assert sum(25 <= a <= 40 for a in ages) / ROWS > 0.65
    five_years_ago = TODAY.replace(year=TODAY.year - 5)
    for row in rows:
        entered = row["entered_on"]
        if row["status"] in ("nominated", "inspecting", "returned"):  # never reached in_pool
            assert entered is None
            continue
        assert five_years_ago < entered <= TODAY
        assert age_on(row["birth_date"], entered) >= 18
        if row["status"] == "used":
            assert entered <= TODAY - datetime.timedelta(days=180)


def test_leap_day_today() -> None:
    leap = datetime.date(2024, 2, 29)
    for row in generate_candidates(2_000, 9, 10, leap):
        assert 22 <= age_on(row["birth_date"], leap) <= 50


def test_bad_arguments() -> None:
    with pytest.raises(ValueError):
        next(generate_candidates(10, 1, 0, TODAY))
    assert list(generate_candidates(0, 1, 5, TODAY)) == []


def test_distributions(rows: list[dict]) -> None:
    assert 0.65 <= shares(rows, "gender")["M"] <= 0.75
    assert shares(rows, "ethnicity")["01"] > 0.85
    political = shares(rows, "political")
    assert 0.50 <= political["01"] <= 0.60
    assert 0.07 <= political["02"] <= 0.13
    assert 0.16 <= political["03"] <= 0.24
    assert 0.11 <= political["13"] <= 0.19
    status = shares(rows, "status")
    expected = {
        "in_pool": 0.60, "nominated": 0.12, "inspecting": 0.08, "returned": 0.03, "used": 0.10,
        "withdrawn": 0.07,
    }  # fmt: skip
    for value, share in expected.items():
        assert abs(status[value] - share) < 0.02, value
    education = shares(rows, "education")
    assert education["bachelor"] + education["college"] + education["high_school"] > 0.7
    assert len(shares(rows, "source")) == len(Source)
    villages = Counter(r["village_index"] for r in rows)
    assert len(villages) == VILLAGES
    assert max(villages.values()) < 6 * min(villages.values())  # sizes vary up to 3:1
    assert 0.5 < sum(r["speciality"] != "" for r in rows) / ROWS < 0.8
    assert sum(r["notes"] == "" for r in rows) / ROWS > 0.85


def test_relations_between_fields(rows: list[dict]) -> None:
    for row in rows:
        if row["direction"] == "party_secretary":
            assert row["political"] == "01"  # only full party members lead the branch
        if row["political"] == "03":
            assert age_on(row["birth_date"], TODAY) <= 35
        if row["source"] in ("unemployed_graduate", "returned_graduate", "village_official"):
            assert row["education"] in DEGREES


def test_names_look_real(rows: list[dict]) -> None:
    surnames = Counter(r["name"][0] for r in rows)
    assert {s for s, _ in surnames.most_common(5)} <= {"王", "李", "张", "刘", "陈", "杨"}
    assert surnames["曾"] > 0
    assert len(surnames) > 80
    assert len({r["name"] for r in rows}) > ROWS / 4
    lengths = Counter(len(r["name"]) for r in rows)
    assert lengths[3] > lengths[2] > lengths[4]


def test_people_names() -> None:
    names = generate_people_names(300, 11)
    assert names == generate_people_names(300, 11)
    assert names != generate_people_names(300, 12)
    assert len(names) == len(set(names)) == 300
    assert all(re.fullmatch(r"[\u4e00-\u9fff]{2,4}", n) for n in names)
