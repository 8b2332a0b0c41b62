"""The dashboard (工作台): counts, pool structure, coverage, worklists, seats, pipeline."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
from sqlalchemy import select

from app.core import clock
from app.extensions import db
from app.places.models import VillageSeat
from app.roster.models import Candidate, StatusChange
from tests.conftest import login


def place(make, township, village=0, status="in_pool", **overrides) -> Candidate:
    """A candidate in a village given by index (pinyin order) or by name."""
    chosen = (
        next(v for v in township.villages if v.name == village)
        if isinstance(village, str)
        else township.villages[village]
    )
    candidate = make.candidate(township, village_id=chosen.id, **overrides)
    candidate.status = status
    db.session.commit()
    return candidate


def bar_links(html: str) -> list[tuple[str, str, int]]:
    """(href, label, count) of every bar in the dashboard's SVG charts."""
    return [
        (unescape(href), label, int(count))
        for href, label, count in re.findall(
            r'<a href="([^"]+)">\s*<title>([^：]+)：(\d+) 人', html
        )
    ]


def total_of(html: str) -> int:
    return int(re.search(r'<strong id="total">(\d+)</strong>', html).group(1))


def test_status_counts_are_scoped(client, make):
    a, b = make.township("甲镇"), make.township("乙镇")
    place(make, a, status="in_pool")
    place(make, a, status="nominated")
    place(make, b, status="in_pool")
    login(client, make.user("secretary", a))
    html = client.get("/").get_data(as_text=True)
    assert re.search(r'data-status="in_pool">1<', html)
    assert re.search(r'data-status="nominated">1<', html)
    assert "乙镇" not in html


def test_every_bar_links_to_exactly_its_candidates(client, make):
    township = make.township("甲镇")
    for n, (gender, born, education) in enumerate(
        [
            ("M", dt.date(1998, 1, 1), "bachelor"),
            ("F", dt.date(1990, 6, 1), "college"),
            ("M", dt.date(1980, 3, 3), "high_school"),
            ("F", dt.date(1996, 2, 2), "bachelor"),
        ]
    ):
        from app.core.idcard import make_id_number

        place(
            make,
            township,
            id_number=make_id_number("430521", born, 10 + n * 2, gender),
            education=education,
        )
    place(make, township, status="nominated")  # not in the pool: in no bar
    login(client, make.user("admin"))
    bars = bar_links(client.get("/").get_data(as_text=True))
    assert {label for _, label, _ in bars} >= {"男", "女", "大学本科", "30岁及以下", "45岁以上"}
    assert sum(count for _, label, count in bars if label in ("男", "女")) == 4
    for href, label, count in bars:
        assert total_of(client.get(href).get_data(as_text=True)) == count, (label, href)


def test_coverage_lists_thin_villages_first_and_follows_the_setting(client, make):
    township = make.township("甲镇", villages=("一村", "二村", "三村"))
    place(make, township, "二村")
    for _ in range(2):
        place(make, township, "三村")
    admin = make.user("admin")
    login(client, admin)
    html = client.get("/").get_data(as_text=True)
    coverage = html[html.index('id="h-coverage"') : html.index('id="h-work"')]
    assert coverage.index("一村") < coverage.index("二村")  # none before one
    assert "无储备" in coverage and "三村" not in coverage

    response = client.post(
        "/places/settings", data={"coverage_min": "3", "next_election_on": "2027-03-31"}
    )
    assert response.status_code == 302
    html = client.get("/").get_data(as_text=True)
    assert "三村" in html[html.index('id="h-coverage"') : html.index('id="h-work"')]


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"coverage_min": "0"}, "coverage_min", "储备覆盖阈值应在 1 到 20 之间（填写的是 0）"),
        ({"coverage_min": ""}, "coverage_min", "请填写储备覆盖阈值（1 到 20 的整数）"),
        ({"coverage_min": "abc"}, "coverage_min", "abc"),
        ({"next_election_on": "2027-02-30"}, "next_election_on", "2 月"),
    ],
)
def test_settings_refuse_bad_values(client, make, values, field, message):
    login(client, make.user("admin"))
    data = {"coverage_min": "2", "next_election_on": "2027-03-31"} | values
    html = client.post("/places/settings", data=data).get_data(as_text=True)
    assert message in unescape(html[html.index(f'id="{field}-error"') :][:300])
    assert client.get("/places/settings").get_data(as_text=True).count('value="2"') >= 1


@pytest.mark.parametrize(("role", "status"), [("secretary", 403), ("clerk", 403), ("admin", 200)])
def test_settings_are_admin_only(client, make, role, status):
    township = make.township()
    login(client, make.user(role, None if role == "admin" else township))
    assert client.get("/places/settings").status_code == status


def seat_form(village, **overrides):
    return {
        "village_id": str(village.id),
        "kind": "party_secretary",
        "holder_name": "王大山",
        "holder_birth_date": "1965-04-01",
        "term_end": "2026-12-31",
        "notes": "",
    } | overrides


def test_seat_without_a_ready_reserve_is_flagged_until_one_fits(client, make):
    township = make.township("甲镇")
    clerk = make.user("clerk", township)
    login(client, clerk)
    response = client.post("/places/seats/new", data=seat_form(township.villages[0]))
    assert response.status_code == 302
    html = client.get("/").get_data(as_text=True)
    seats = html[html.index('id="h-seats"') : html.index('id="h-pipeline"')]
    assert "王大山" in seats and "无人接替" in seats

    place(make, township, 0, direction="committee_member")  # does not fit a secretary's seat
    seats = client.get("/").get_data(as_text=True)
    assert "无人接替" in seats[seats.index('id="h-seats"') : seats.index('id="h-pipeline"')]
    place(make, township, 0, direction="party_secretary")
    html = client.get("/").get_data(as_text=True)
    seats = html[html.index('id="h-seats"') : html.index('id="h-pipeline"')]
    assert "无人接替" not in seats and ">1</a>" in seats


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"term_end": ""}, "term_end", "任期届满"),
        ({"term_end": "2026-13-01"}, "term_end", "月份"),
        ({"kind": ""}, "kind", "岗位"),
        ({"village_id": ""}, "village_id", "村"),
        # Longer than their columns: said at the field, never cut short or refused by the database.
        ({"holder_name": "王" * 41}, "holder_name", "现任人员过长，最多 40 个字（现有 41 个字）"),
        ({"notes": "注" * 201}, "notes", "备注过长，最多 200 个字（现有 201 个字）"),
    ],
)
def test_seat_form_refusals_write_nothing(client, make, overrides, field, message):
    township = make.township()
    login(client, make.user("clerk", township))
    html = client.post("/places/seats/new", data=seat_form(township.villages[0], **overrides))
    page = unescape(html.get_data(as_text=True))
    assert html.status_code == 422 and message in page[page.index(f'id="{field}-error"') :][:200]
    assert db.session.scalars(select(VillageSeat)).all() == []


def test_seats_are_scoped_and_only_clerks_and_admins_edit(client, make, app):
    a, b = make.township("甲镇"), make.township("乙镇")
    admin_client = app.test_client()
    login(admin_client, make.user("admin"))
    assert admin_client.post("/places/seats/new", data=seat_form(b.villages[0])).status_code == 302
    seat = db.session.scalars(select(VillageSeat)).one()

    login(client, make.user("clerk", a))
    assert client.get(f"/places/seats/{seat.id}").status_code == 404
    assert "王大山" not in client.get("/places/seats").get_data(as_text=True)
    # A clerk of 甲镇 cannot put a seat into 乙镇's village by editing the form.
    client.post("/places/seats/new", data=seat_form(b.villages[0], holder_name="李四"))
    assert db.session.scalars(select(VillageSeat)).all() == [seat]

    secretary = app.test_client()
    login(secretary, make.user("secretary", b))
    assert secretary.get("/places/seats").status_code == 200
    assert secretary.get(f"/places/seats/{seat.id}").status_code == 403


def used_after(make, township, year: int, days: int) -> None:
    """A candidate who entered the pool on 1 January of ``year`` and was used ``days`` later
    (the status change is written as the lifecycle writes it, with a chosen date)."""
    entered = dt.date(year, 1, 1)
    candidate = place(make, township, status="used", entered_on=entered.isoformat())
    used_at = dt.datetime(year, 1, 1, 9, tzinfo=dt.UTC) + dt.timedelta(days=days)
    if used_at.year != year:
        used_at = dt.datetime(year, 12, 31, 9, tzinfo=dt.UTC)
    db.session.add(
        StatusChange(
            candidate_id=candidate.id,
            township_id=township.id,
            from_status="in_pool",
            to_status="used",
            created_dt=used_at,
            pool_entered_on=entered,
        )
    )
    db.session.commit()


def pipeline_cells(client, year: int) -> list[str]:
    html = client.get("/").get_data(as_text=True)
    pipeline = html[html.index('id="h-pipeline"') :]
    row = re.search(rf"<th scope=\"row\">{year}</th>(.*?)</tr>", pipeline, re.S).group(1)
    return re.findall(r'<td class="text-end">([^<]*)</td>', row)


def test_pipeline_counts_entries_uses_and_median_days(client, make):
    township = make.township("甲镇")
    year = clock.today().year - 1
    for days in (100, 200, 400):
        used_after(make, township, year, days)
    login(client, make.user("secretary", township))
    cells = pipeline_cells(client, year)
    assert cells[0] == "3"  # entered
    assert cells[2] == "3"  # used
    assert cells[4] == "200"  # median of 100, 200 and (at most) 364 days


@pytest.mark.parametrize("county", [False, True])
def test_median_of_an_even_count_is_the_mean_of_the_middle_two(client, make, county):
    township = make.township("甲镇")
    year = clock.today().year - 1
    for days in (100, 200, 300, 340):
        used_after(make, township, year, days)
    login(client, make.user("admin" if county else "secretary", None if county else township))
    assert pipeline_cells(client, year)[4] == "250"


def test_nominations_show_as_work_to_do(client, make):
    township = make.township("甲镇")
    place(make, township, status="nominated", name="赵待审")
    login(client, make.user("secretary", township))
    html = client.get("/").get_data(as_text=True)
    work = html[html.index('id="h-work"') : html.index('id="h-seats"')]
    assert "赵待审" in work and "#decide" in work


def test_county_sees_each_townships_medians_for_the_chosen_year(client, make):
    a, b = make.township("甲镇"), make.township("乙镇")
    year = clock.today().year - 1
    for township, days in ((a, 100), (a, 150), (b, 300)):
        used_after(make, township, year, days)
    used_after(make, a, year - 1, 40)  # another year: not in the townships' table for `year`
    login(client, make.user("admin"))
    assert pipeline_cells(client, year)[4] == "150"  # the county: 100, 150, 300
    html = client.get(f"/?year={year}").get_data(as_text=True)
    townships = html[html.index(f"各乡镇 {year} 年情况") :]
    rows = {
        name: re.findall(r'<td class="text-end">([^<]*)</td>', cells)
        for name, cells in re.findall(r'<th scope="row">([^<]+)</th>(.*?)</tr>', townships, re.S)
    }
    assert rows["甲镇"][2] == "2" and rows["甲镇"][4] == "125"
    assert rows["乙镇"][2] == "1" and rows["乙镇"][4] == "300"
