"""The dashboard's aggregates: every number is a GROUP BY in SQL over the user's scope.

Counts that only change when a candidate does (status, pool structure, coverage, seats, entries
per year) add up the per-village ``CandidateTally`` rows, a few thousand for a whole county; the
rest read covering indexes or small tables. None loads candidates into Python. ``make bench``
times the whole page.
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
from app.roster.models import Candidate, CandidateTally, StatusChange

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


def _tallies(user, *columns):
    return restrict(select(*columns), CandidateTally, user).where(CandidateTally.n != 0)


def status_counts(user) -> tuple[dict[str, int], dict[int, dict[str, int]]]:
    """Totals by status, and by township and status (from the tallies)."""
    stmt = (
        _tallies(
            user, CandidateTally.township_id, CandidateTally.status, func.sum(CandidateTally.n)
        )
        .where(CandidateTally.dimension == "all")
        .group_by(CandidateTally.township_id, CandidateTally.status)
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

    Gender, education, political status and source add up the tallies; age bands move with
    the calendar, so they are counted from the candidates, by four date bounds, in one pass
    over the in-pool part of the covering filter index. (A (status, birth date) index made
    this 13 ms instead of about 60, but drew the roster's age-filtered pages onto it: 48 ms
    became 380.)
    """
    bounds = [_years_before(today, age + 1) for age in (30, 35, 40, 45)]
    band = case(
        (Candidate.birth_date > bounds[0], 0),
        (Candidate.birth_date > bounds[1], 1),
        (Candidate.birth_date > bounds[2], 2),
        (Candidate.birth_date > bounds[3], 3),
        else_=4,
    )
    ages = dict(
        db.session.execute(_pool(user, band.label("band"), func.count()).group_by("band")).all()
    )
    dimensions = ("gender", "education", "political", "source")
    counts: dict[str, dict[str, int]] = {d: {} for d in dimensions}
    rows = db.session.execute(
        _tallies(user, CandidateTally.dimension, CandidateTally.value, func.sum(CandidateTally.n))
        .where(
            CandidateTally.status == Status.in_pool.value,
            CandidateTally.dimension.in_(dimensions),
        )
        .group_by(CandidateTally.dimension, CandidateTally.value)
    )
    for dimension, value, n in rows:
        counts[dimension][value] = n
    pool = {"status": Status.in_pool.value}
    structure = {
        "年龄": [
            Bar(label, ages.get(i, 0), pool | _age_args(low, high))
            for i, (label, low, high) in enumerate(AGE_BANDS)
        ]
    }
    for title, column, enum_cls in (
        ("性别", Candidate.gender, Gender),
        ("学历", Candidate.education, Education),
        ("政治面貌", Candidate.political, Political),
        ("来源类别", Candidate.source, Source),
    ):
        values = counts[column.key]
        structure[title] = [
            Bar(member.label, values[member.value], pool | {column.key: member.value})
            for member in enum_cls
            if values.get(member.value)
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
    """In-pool candidates per (village, 培养方向), from the tallies: shared by the coverage
    list and the seat readiness (a county has a few thousand such pairs at most)."""
    stmt = _tallies(user, CandidateTally.village_id, CandidateTally.value, CandidateTally.n).where(
        CandidateTally.status == Status.in_pool.value, CandidateTally.dimension == "direction"
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


def pipeline(user, years: list[int], *, township_year: int | None = None) -> tuple[list, list]:
    """Per year: entered, trained, used, withdrawn, and the median days from entry into the
    pool to use — for the user's whole scope, and (``township_year``) for each township in
    that year.

    Returns (scope rows, township rows). Four grouped queries whatever the size of the
    roster: counts are per township and add up to the scope's (a candidate stays in one
    township); the scope's medians come from the same pass as the townships'.
    """
    by_township = township_year is not None
    first = dt.date(years[0], 1, 1)
    cells: dict[tuple, dict] = defaultdict(lambda: defaultdict(int))

    def count(township_id, year: int, key: str, n: int) -> None:
        cells[(township_id, year)][key] += n
        if by_township:
            cells[(None, year)][key] += n

    township = CandidateTally.township_id if by_township else literal(None)
    entered = _tallies(user, township, CandidateTally.value, func.sum(CandidateTally.n)).where(
        CandidateTally.dimension == "entered", CandidateTally.value >= str(first.year)
    )
    entered = entered.group_by(
        *([CandidateTally.township_id] if by_township else []), CandidateTally.value
    )
    for township_id, year, n in db.session.execute(entered):
        count(township_id, int(year), "entered", n)

    township = StatusChange.township_id if by_township else literal(None)
    year = year_of(StatusChange.created_dt)
    outcomes = restrict(
        select(township, year, StatusChange.to_status, func.count())
        .where(
            StatusChange.to_status.in_([Status.used.value, Status.withdrawn.value]),
            StatusChange.created_dt >= _since(first),
        )
        .group_by(
            *([StatusChange.township_id] if by_township else []), year, StatusChange.to_status
        ),
        StatusChange,
        user,
    )
    for township_id, year, status, n in db.session.execute(outcomes):
        count(township_id, year, status, n)

    for township_id, year, n in trained_counts(user, first, by_township=by_township):
        count(township_id, year, "trained", n)

    for township_id, year, median in _median_days_to_use(user, first, township_year):
        cells[(township_id, year)]["median_days_to_use"] = median

    rows = [
        PipelineRow(township_id, year, **values)
        for (township_id, year), values in sorted(
            cells.items(), key=lambda item: (item[0][0] or 0, item[0][1])
        )
        if year in years
    ]
    return (
        [row for row in rows if row.township_id is None],
        [row for row in rows if row.township_id is not None and row.year == township_year],
    )


def _median_days_to_use(user, first: dt.date, township_year: int | None):
    """The median in SQL: PostgreSQL's ``percentile_cont(0.5)``; on SQLite, which has no
    ordered-set aggregate, row_number over the ordered days and the middle one or two (the
    same value: the mean of the two middle days when the count is even).

    Yields (township or None, year, median): for the whole scope (township None) per year,
    and per township for ``township_year`` if given. Each use's row carries the entry date it
    counts from, so the used rows are one range of ``ix_status_changes_outcome``, read once
    (a CTE both partitionings share). PostgreSQL's window version took 50–75 ms on 20,000 uses;
    the aggregate takes 20.
    """
    days = _days_between(StatusChange.created_dt, StatusChange.pool_entered_on)
    used = restrict(
        select(
            StatusChange.township_id.label("t"),
            year_of(StatusChange.created_dt).label("y"),
            days.label("d"),
        ).where(
            StatusChange.to_status == Status.used.value,
            StatusChange.pool_entered_on.is_not(None),
            StatusChange.created_dt >= _since(first),
        ),
        StatusChange,
        user,
    ).cte("used")

    if db.engine.dialect.name == "postgresql":

        def medians(township):
            median = func.percentile_cont(0.5).within_group(used.c.d)
            return select(township.label("t"), used.c.y, median).group_by(township, used.c.y)

        parts = [medians(literal(0))]
        if township_year is not None:
            parts.append(medians(used.c.t).where(used.c.y == township_year))
        stmt = parts[0].union_all(*parts[1:])
        return [(t or None, y, float(m)) for t, y, m in db.session.execute(stmt)]

    def ranked(township):
        return select(
            township.label("t"),
            used.c.y,
            used.c.d,
            func.row_number()
            .over(partition_by=(township, used.c.y), order_by=used.c.d)
            .label("rn"),
            func.count().over(partition_by=(township, used.c.y)).label("n"),
        )

    parts = [ranked(literal(0))]
    if township_year is not None:
        parts.append(ranked(used.c.t).where(used.c.y == township_year))
    both = parts[0].union_all(*parts[1:]).subquery()
    middle = (
        select(both.c.t, both.c.y, func.avg(both.c.d))
        .where(both.c.rn.in_([(both.c.n + 1) // 2, (both.c.n + 2) // 2]))
        .group_by(both.c.t, both.c.y)
    )
    return [(t or None, y, float(m)) for t, y, m in db.session.execute(middle)]


def trained_counts(user, first: dt.date, *, by_township: bool) -> list[tuple]:
    """(township or None, year, candidates who began a trial post or attended a round)."""
    from app.core.sections import trained_sources

    sources = trained_sources(user, first)
    if not sources:
        return []
    # UNION ALL: the count is of distinct candidates anyway, so a UNION's own de-duplication
    # of 20,000 rows would be done twice.
    union = sources[0].union_all(*sources[1:]).subquery()
    township = union.c.township_id if by_township else literal(None)
    keys = [union.c.township_id, union.c.year] if by_township else [union.c.year]
    stmt = select(township, union.c.year, func.count(func.distinct(union.c.candidate_id)))
    return list(db.session.execute(stmt.group_by(*keys)))


def next_election() -> dt.date:
    return settings.next_election_on()
