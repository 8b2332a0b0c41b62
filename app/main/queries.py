"""The dashboard's aggregates: every number is a GROUP BY in SQL over the user's scope.

At 200,000 candidates each query here reads a covering index (``ix_candidates_filters``) or a
small table; none loads candidates into Python. ``make bench`` times the whole page.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import case, func, literal, select
from sqlalchemy.orm import joinedload

from app.core.codes import Education, Gender, Political, Source, Status
from app.core.db import year_of
from app.core.scoping import restrict
from app.extensions import db
from app.places import settings
from app.places.models import SEAT_DIRECTIONS, Township, Village, VillageSeat
from app.roster.models import Candidate, StatusChange

AGE_BANDS = [  # (label, age_min, age_max) — the roster's own filters, so each bar is a link
    ("30岁及以下", None, 30),
    ("31–35岁", 31, 35),
    ("36–40岁", 36, 40),
    ("41–45岁", 41, 45),
    ("45岁以上", 46, None),
]


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    args: dict  # roster query parameters that list exactly these candidates


def _years_before(today: dt.date, years: int) -> dt.date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


def status_counts(user) -> tuple[dict[str, int], dict[int, dict[str, int]]]:
    """Totals by status, and by township and status."""
    stmt = restrict(
        select(Candidate.township_id, Candidate.status, func.count()).group_by(
            Candidate.township_id, Candidate.status
        ),
        Candidate,
        user,
    )
    totals = {s.value: 0 for s in Status}
    by_township: dict[int, dict[str, int]] = defaultdict(dict)
    for township_id, status, count in db.session.execute(stmt):
        by_township[township_id][status] = count
        totals[status] = totals.get(status, 0) + count
    return totals, dict(by_township)


def _pool(user, *columns):
    return restrict(select(*columns), Candidate, user).where(
        Candidate.status == Status.in_pool.value
    )


def pool_structure(user, today: dt.date) -> dict[str, list[Bar]]:
    """The in-pool candidates by age band, gender, education, political status and source.

    One GROUP BY over the five columns (a covering index holds them all) gives at most a few
    thousand groups; each chart then adds up its own dimension of those groups.
    """
    bounds = [_years_before(today, age + 1) for age in (30, 35, 40, 45)]
    band = case(
        (Candidate.birth_date > bounds[0], 0),
        (Candidate.birth_date > bounds[1], 1),
        (Candidate.birth_date > bounds[2], 2),
        (Candidate.birth_date > bounds[3], 3),
        else_=4,
    )
    columns = (Candidate.gender, Candidate.education, Candidate.political, Candidate.source)
    groups = db.session.execute(
        _pool(user, band.label("band"), *columns, func.count()).group_by("band", *columns)
    ).all()
    totals: list[dict] = [defaultdict(int) for _ in range(5)]
    for row in groups:
        for i in range(5):
            totals[i][row[i]] += row[5]
    pool = {"status": Status.in_pool.value}
    structure = {
        "年龄": [
            Bar(label, totals[0].get(i, 0), pool | _age_args(low, high))
            for i, (label, low, high) in enumerate(AGE_BANDS)
        ]
    }
    for i, (title, column, enum_cls) in enumerate(
        (
            ("性别", Candidate.gender, Gender),
            ("学历", Candidate.education, Education),
            ("政治面貌", Candidate.political, Political),
            ("来源类别", Candidate.source, Source),
        ),
        start=1,
    ):
        structure[title] = [
            Bar(member.label, totals[i][member.value], pool | {column.key: member.value})
            for member in enum_cls
            if totals[i].get(member.value)
        ]
    return structure


def _age_args(low: int | None, high: int | None) -> dict:
    return {k: v for k, v in (("age_min", low), ("age_max", high)) if v is not None}


@dataclass(frozen=True)
class VillageCoverage:
    village_id: int
    village: str
    township_id: int
    township: str
    in_pool: int


def pool_by_village(user) -> dict[tuple[int, str], int]:
    """In-pool candidates per (village, 培养方向): one index-only GROUP BY, shared by the
    coverage list and the seat readiness (a county has a few thousand such pairs at most)."""
    stmt = _pool(user, Candidate.village_id, Candidate.direction, func.count()).group_by(
        Candidate.village_id, Candidate.direction
    )
    return {(village, direction): n for village, direction, n in db.session.execute(stmt)}


def coverage(user, minimum: int, pool: dict[tuple[int, str], int]) -> list[VillageCoverage]:
    """Villages with fewer than ``minimum`` candidates in the pool; the empty ones first."""
    per_village: dict[int, int] = defaultdict(int)
    for (village_id, _), n in pool.items():
        per_village[village_id] += n
    villages = db.session.execute(
        restrict(
            select(Village.id, Village.name, Township.id, Township.name)
            .join(Township, Township.id == Village.township_id)
            .where(Village.is_active.is_(True))
            .order_by(Township.id, Village.name_sort),
            Village,
            user,
        )
    ).all()
    thin = [
        VillageCoverage(vid, name, tid, tname, per_village.get(vid, 0))
        for vid, name, tid, tname in villages
        if per_village.get(vid, 0) < minimum
    ]
    return sorted(thin, key=lambda v: v.in_pool)  # stable: township and pinyin order kept


@dataclass(frozen=True)
class SeatReadiness:
    seat: VillageSeat
    ready: int  # in-pool reserves of the village whose 培养方向 fits the seat

    @property
    def flagged(self) -> bool:
        return self.ready == 0


def seat_readiness(
    user, next_election: dt.date, pool: dict[tuple[int, str], int], limit: int = 60
) -> tuple[int, list[SeatReadiness]]:
    """Seats that fall open at the next 换届, those with no ready reserve first."""
    seats = db.session.scalars(
        restrict(select(VillageSeat), VillageSeat, user)
        .join(Village, Village.id == VillageSeat.village_id)
        .where(VillageSeat.term_end <= next_election)
        .options(joinedload(VillageSeat.village).joinedload(Village.township))
        .order_by(VillageSeat.term_end, Village.name_sort, VillageSeat.id)
    ).all()
    rows = [
        SeatReadiness(
            seat,
            sum(pool.get((seat.village_id, d), 0) for d in SEAT_DIRECTIONS.get(seat.kind, ())),
        )
        for seat in seats
    ]
    rows.sort(key=lambda r: r.ready)  # stable: term end and village order kept
    return len(rows), rows[:limit]


@dataclass(frozen=True)
class PipelineRow:
    township_id: int | None  # None: the whole scope
    year: int
    entered: int = 0
    trained: int = 0
    used: int = 0
    withdrawn: int = 0
    median_days_to_use: float | None = None


def _days_between(later, earlier):
    if db.engine.dialect.name == "sqlite":
        return func.julianday(later) - func.julianday(earlier)
    return func.cast(later, db.Date) - earlier


def _since(first: dt.date) -> dt.datetime:
    return dt.datetime.combine(first, dt.time(), tzinfo=dt.UTC)


def county_totals(rows: list[PipelineRow], medians: dict[int, float]) -> list[PipelineRow]:
    """Per-year totals of per-township rows (counts add up; medians come from ``medians``)."""
    by_year: dict[int, dict] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        for key in ("entered", "trained", "used", "withdrawn"):
            by_year[row.year][key] += getattr(row, key)
    return [
        PipelineRow(None, year, **values, median_days_to_use=medians.get(year))
        for year, values in sorted(by_year.items())
    ]


def county_medians(user, first: dt.date) -> dict[int, float]:
    return {year: median for _, year, median in _median_days_to_use(user, first, False)}


def pipeline(user, years: list[int], *, by_township: bool) -> list[PipelineRow]:
    """Per year (and per township): entered, trained, used, withdrawn, and the median days
    from entry into the pool to use. Five grouped queries, whatever the size of the roster."""
    first = dt.date(years[0], 1, 1)
    cells: dict[tuple, dict] = defaultdict(dict)

    def grouped(township_col, year_col, *rest):
        columns = [township_col if by_township else literal(None), year_col]
        keys = [c for c in (township_col if by_township else None, year_col) if c is not None]
        return columns, keys + list(rest)

    # Entries grouped by day walk the covering index in order, with no per-row function;
    # the few thousand (day, township) groups then fold into years.
    day_columns = [Candidate.entered_on] + ([Candidate.township_id] if by_township else [])
    entered = restrict(
        select(*day_columns, func.count())
        .where(Candidate.entered_on >= first)
        .group_by(*day_columns),
        Candidate,
        user,
    )
    for row in db.session.execute(entered):
        day, count = row[0], row[-1]
        cell = cells[(row[1] if by_township else None, day.year)]
        cell["entered"] = cell.get("entered", 0) + count

    columns, keys = grouped(
        StatusChange.township_id, year_of(StatusChange.created_dt), StatusChange.to_status
    )
    outcomes = restrict(
        select(*columns, StatusChange.to_status, func.count())
        .where(
            StatusChange.to_status.in_([Status.used.value, Status.withdrawn.value]),
            StatusChange.created_dt >= _since(first),
        )
        .group_by(*keys),
        StatusChange,
        user,
    )
    for township_id, year, status, count in db.session.execute(outcomes):
        cells[(township_id, year)][status] = count

    for township_id, year, count in trained_counts(user, first, by_township=by_township):
        cells[(township_id, year)]["trained"] = count

    for township_id, year, median in _median_days_to_use(user, first, by_township):
        cells[(township_id, year)]["median_days_to_use"] = median

    return [
        PipelineRow(township_id, year, **values)
        for (township_id, year), values in sorted(
            cells.items(), key=lambda item: (item[0][0] or 0, item[0][1])
        )
        if year in years
    ]


def _median_days_to_use(user, first: dt.date, by_township: bool):
    """The median in SQL on both backends: row_number over the ordered days, middle one or two."""
    days = _days_between(StatusChange.created_dt, Candidate.entered_on)
    used = restrict(
        select(
            (StatusChange.township_id if by_township else literal(0)).label("t"),
            year_of(StatusChange.created_dt).label("y"),
            days.label("d"),
        )
        .join(Candidate, Candidate.id == StatusChange.candidate_id)
        .where(
            StatusChange.to_status == Status.used.value,
            Candidate.entered_on.is_not(None),
            StatusChange.created_dt >= _since(first),
        ),
        StatusChange,
        user,
    ).subquery()
    ranked = select(
        used.c.t,
        used.c.y,
        used.c.d,
        func.row_number().over(partition_by=(used.c.t, used.c.y), order_by=used.c.d).label("rn"),
        func.count().over(partition_by=(used.c.t, used.c.y)).label("n"),
    ).subquery()
    middle = (
        select(ranked.c.t, ranked.c.y, func.avg(ranked.c.d))
        .where(ranked.c.rn.in_([(ranked.c.n + 1) / 2, (ranked.c.n + 2) / 2]))
        .group_by(ranked.c.t, ranked.c.y)
    )
    return [(t if by_township else None, y, float(m)) for t, y, m in db.session.execute(middle)]


def trained_counts(user, first: dt.date, *, by_township: bool) -> list[tuple]:
    """(township or None, year, candidates who began a trial post or attended a round)."""
    from app.core.sections import trained_sources

    sources = trained_sources(user, first)
    if not sources:
        return []
    union = sources[0].union(*sources[1:]).subquery()
    township = union.c.township_id if by_township else literal(None)
    keys = [union.c.township_id, union.c.year] if by_township else [union.c.year]
    stmt = select(township, union.c.year, func.count(func.distinct(union.c.candidate_id)))
    return list(db.session.execute(stmt.group_by(*keys)))


def next_election() -> dt.date:
    return settings.next_election_on()
