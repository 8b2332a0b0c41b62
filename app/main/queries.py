"""The dashboard's aggregates: every number is a GROUP BY in SQL over the user's scope.

At 200,000 candidates each query here reads a covering index (``ix_candidates_filters``) or a
small table; none loads candidates into Python. ``make bench`` times the whole page.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import and_, case, false, func, literal, or_, select

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
    """The in-pool candidates by age band, gender, education, political status and source."""
    bounds = [_years_before(today, age + 1) for age in (30, 35, 40, 45)]
    band = case(
        (Candidate.birth_date > bounds[0], 0),
        (Candidate.birth_date > bounds[1], 1),
        (Candidate.birth_date > bounds[2], 2),
        (Candidate.birth_date > bounds[3], 3),
        else_=4,
    )
    pool = {"status": Status.in_pool.value}
    counts = dict(
        db.session.execute(_pool(user, band.label("band"), func.count()).group_by("band")).all()
    )
    structure = {
        "年龄": [
            Bar(label, counts.get(i, 0), pool | _age_args(low, high))
            for i, (label, low, high) in enumerate(AGE_BANDS)
        ]
    }
    for title, column, enum_cls in (
        ("性别", Candidate.gender, Gender),
        ("学历", Candidate.education, Education),
        ("政治面貌", Candidate.political, Political),
        ("来源类别", Candidate.source, Source),
    ):
        rows = dict(db.session.execute(_pool(user, column, func.count()).group_by(column)).all())
        structure[title] = [
            Bar(member.label, rows[member.value], pool | {column.key: member.value})
            for member in enum_cls
            if rows.get(member.value)
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


def coverage(user, minimum: int) -> list[VillageCoverage]:
    """Villages with fewer than ``minimum`` candidates in the pool; the empty ones first."""
    counts = (
        _pool(user, Candidate.village_id, func.count().label("n"))
        .group_by(Candidate.village_id)
        .subquery()
    )
    n = func.coalesce(counts.c.n, 0)
    stmt = restrict(
        select(Village.id, Village.name, Township.id, Township.name, n)
        .join(Township, Township.id == Village.township_id)
        .outerjoin(counts, counts.c.village_id == Village.id)
        .where(Village.is_active.is_(True), n < minimum),
        Village,
        user,
    ).order_by(n, Township.id, Village.name_sort)
    return [VillageCoverage(*row) for row in db.session.execute(stmt)]


@dataclass(frozen=True)
class SeatReadiness:
    seat: VillageSeat
    ready: int  # in-pool reserves of the village whose 培养方向 fits the seat
    opens: bool  # the term ends by the next 换届

    @property
    def flagged(self) -> bool:
        return self.opens and self.ready == 0


def seat_readiness(user, next_election: dt.date, limit: int = 60) -> tuple[int, list]:
    """Seats that fall open at the next 换届, those with no ready reserve first."""
    fits = [
        and_(VillageSeat.kind == kind, Candidate.direction.in_(directions))
        for kind, directions in SEAT_DIRECTIONS.items()
    ]
    ready = (
        select(func.count())
        .select_from(Candidate)
        .where(
            Candidate.village_id == VillageSeat.village_id,
            Candidate.is_deleted == false(),
            Candidate.status == Status.in_pool.value,
            or_(*fits),
        )
        .correlate(VillageSeat)
        .scalar_subquery()
    )
    opens = VillageSeat.term_end <= next_election
    stmt = restrict(select(VillageSeat, ready.label("ready")), VillageSeat, user).where(opens)
    total = db.session.scalar(
        restrict(select(func.count()).select_from(VillageSeat), VillageSeat, user).where(opens)
    )
    rows = db.session.execute(
        stmt.join(Village, Village.id == VillageSeat.village_id)
        .order_by("ready", VillageSeat.term_end, Village.name_sort)
        .limit(limit)
    ).all()
    return total, [SeatReadiness(seat, count, True) for seat, count in rows]


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


def pipeline(user, years: list[int], *, by_township: bool) -> list[PipelineRow]:
    """Per year (and per township): entered, trained, used, withdrawn, and the median days
    from entry into the pool to use. Five grouped queries, whatever the size of the roster."""
    first = dt.date(years[0], 1, 1)
    cells: dict[tuple, dict] = defaultdict(dict)

    def grouped(township_col, year_col, *rest):
        columns = [township_col if by_township else literal(None), year_col]
        keys = [c for c in (township_col if by_township else None, year_col) if c is not None]
        return columns, keys + list(rest)

    columns, keys = grouped(Candidate.township_id, year_of(Candidate.entered_on))
    entered = restrict(
        select(*columns, func.count()).where(Candidate.entered_on >= first).group_by(*keys),
        Candidate,
        user,
    )
    for township_id, year, count in db.session.execute(entered):
        cells[(township_id, year)]["entered"] = count

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
