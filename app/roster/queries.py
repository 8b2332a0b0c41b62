"""Reads of the roster: the filtered, scoped, sorted list behind /candidates/ and its export."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, fields

from sqlalchemy import Select, and_, or_
from sqlalchemy.orm import joinedload

from app.core import clock
from app.core.codes import Education, Gender, Political, Source, Status
from app.core.normalize import InputError, clean_text, parse_id, parse_int
from app.core.paging import Page, count, paginate
from app.core.pinyin import is_pinyin_query
from app.core.scoping import scoped
from app.core.sections import roster_filter_groups
from app.extensions import db
from app.roster.models import ACTIVE_STATUSES, Candidate

# Above every code point: ``col >= q AND col < q + TOP`` is an indexed prefix match.
TOP = "\U0010ffff"

SORTS = {
    "name": ("姓名拼音", (Candidate.name_sort, Candidate.id)),
    "-entered_on": ("入库日期（新→旧）", (Candidate.entered_on.desc(), Candidate.id)),
    "age": ("年龄（小→大）", (Candidate.birth_date.desc(), Candidate.id)),
    "-age": ("年龄（大→小）", (Candidate.birth_date, Candidate.id)),
    "-created": ("录入时间（新→旧）", (Candidate.id.desc(),)),
}
STATUS_ALL = "all"
# The ages an age filter may name. Beyond them the filter means nothing (and a birth date that
# many years back would fall before the year 1, which Python's dates do not reach).
MAX_AGE = 120


@dataclass
class RosterFilters:
    q: str = ""
    township: int | None = None
    village: int | None = None
    status: str = ""
    source: str = ""
    education: str = ""
    political: str = ""
    gender: str = ""
    age_min: int | None = None
    age_max: int | None = None
    # The filters other areas register (app.core.sections.register_roster_filters): key -> value.
    extra: dict[str, str] = field(default_factory=dict)
    sort: str = "name"
    page: int = 1

    @classmethod
    def from_args(cls, args) -> RosterFilters:
        """Read query parameters leniently: a value that means nothing is simply not applied."""

        def ident(key: str) -> int | None:
            return parse_id(args.get(key))

        def age(key: str) -> int | None:
            try:
                years = parse_int(args.get(key))
            except InputError:
                return None
            return years if years is not None and 0 <= years <= MAX_AGE else None

        def member(key: str, enum_cls) -> str:
            found = enum_cls.lookup(args.get(key))
            return found.value if found else ""

        status = clean_text(args.get("status"))
        return cls(
            q=clean_text(args.get("q"))[:60],
            township=ident("township"),
            village=ident("village"),
            status=status if status == STATUS_ALL else member("status", Status),
            source=member("source", Source),
            education=member("education", Education),
            political=member("political", Political),
            gender=member("gender", Gender),
            age_min=age("age_min"),
            age_max=age("age_max"),
            extra={
                flt.key: flt.value_of(args.get(flt.key))
                for group in roster_filter_groups()
                for flt in group.filters
            },
            sort=args.get("sort") if args.get("sort") in SORTS else "name",
            page=ident("page") or 1,
        )

    def values(self) -> dict:
        """Every filter by its query parameter: the roster's own, then the registered."""
        data = {}
        for f in fields(self):
            data |= self.extra if f.name == "extra" else {f.name: getattr(self, f.name)}
        return data

    def to_args(self, **overrides) -> dict:
        """Query parameters for links (pager, export), without the empty ones."""
        default = RosterFilters()
        return {
            k: v
            for k, v in (self.values() | overrides).items()
            if v not in (None, "") and v != getattr(default, k, None)
        }

    @property
    def active(self) -> bool:
        return bool(self.to_args(page=1, sort="name"))


def _years_before(today: dt.date, years: int) -> dt.date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def _search(q: str):
    """Name prefix, full pinyin or initials prefix, or the ID number's last 4+ digits."""
    compact = q.replace(" ", "")
    if re.fullmatch(r"\d{3,17}[0-9Xx]?", compact) and len(compact) >= 4:
        tail = compact.upper()[::-1]
        return and_(Candidate.id_reversed >= tail, Candidate.id_reversed < tail + TOP)
    if is_pinyin_query(compact):
        key = compact.lower()
        return or_(
            and_(Candidate.name_pinyin >= key, Candidate.name_pinyin < key + TOP),
            and_(Candidate.name_initials >= key, Candidate.name_initials < key + TOP),
        )
    return and_(Candidate.name >= compact, Candidate.name < compact + TOP)


def roster_filter(stmt: Select, f: RosterFilters, *, today: dt.date | None = None) -> Select:
    today = today or clock.today()
    if f.q:
        stmt = stmt.where(_search(f.q))
    if f.township:
        stmt = stmt.where(Candidate.township_id == f.township)
    if f.village:
        stmt = stmt.where(Candidate.village_id == f.village)
    if f.status and f.status != STATUS_ALL:
        stmt = stmt.where(Candidate.status == f.status)
    elif not f.status and not f.q:
        # Used and withdrawn candidates leave the working roster but stay searchable.
        stmt = stmt.where(Candidate.status.in_([s.value for s in ACTIVE_STATUSES]))
    for key in ("source", "education", "political", "gender"):
        if getattr(f, key):
            stmt = stmt.where(getattr(Candidate, key) == getattr(f, key))
    if f.age_min is not None:
        stmt = stmt.where(Candidate.birth_date <= _years_before(today, f.age_min))
    if f.age_max is not None:
        stmt = stmt.where(Candidate.birth_date > _years_before(today, f.age_max + 1))
    for group in roster_filter_groups():
        values = {flt.key: f.extra.get(flt.key, "") for flt in group.filters}
        if any(values.values()):
            stmt = stmt.where(*group.clauses(values, today))
    return stmt


def roster_select(user, f: RosterFilters, *, today: dt.date | None = None) -> Select:
    """The scoped, filtered roster, without order (count it, or add ``ordered``)."""
    return roster_filter(scoped(Candidate, user), f, today=today)


def roster_page(stmt: Select, f: RosterFilters, per_page: int, *, county_wide: bool) -> Page:
    """The page ``f`` asks for, its ids first: a one-character surname matches 7 % of a county,
    and sorting those rows' (sort key, id) entries costs far less than sorting the rows."""
    order = SORTS[f.sort][1]
    if f.q and f.sort == "name" and county_wide:
        # County-wide, a search's own index finds its matches; ordering by an expression keeps
        # both planners from walking the whole sort index instead, in the hope that matches
        # come early (PostgreSQL read 116,000 entries for q=王, whose matches all sort after
        # "w"). Within a township, walking its part of the sort index is the faster way.
        order = (Candidate.name_sort.concat(""), Candidate.id)
    return paginate(
        stmt,
        f.page,
        per_page,
        order_by=order,
        options=(joinedload(Candidate.village), joinedload(Candidate.township)),
        ids_first=True,
    )


def pickable(user, q: str, statuses, *, township_id: int | None = None, limit: int = 20):
    """The candidates a pick page lists (``app.roster.picking``): those of the user's scope in
    ``statuses`` (and ``township_id``) that ``q`` finds, as the roster's search finds them."""
    found = RosterFilters(q=q, township=township_id, status=STATUS_ALL)
    stmt = roster_filter(scoped(Candidate, user), found).where(Candidate.status.in_(statuses))
    stmt = stmt.options(joinedload(Candidate.village), joinedload(Candidate.township))
    return list(db.session.scalars(stmt.order_by(Candidate.name_sort, Candidate.id).limit(limit)))


def awaiting_decision(user, limit: int):
    """Nominations waiting for a secretary: oldest first, one click from the decision."""
    from flask import url_for

    from app.core.sections import WorkItem

    waiting = scoped(Candidate, user).where(
        Candidate.status.in_([Status.nominated.value, Status.inspecting.value])
    )
    total = count(waiting)
    rows = db.session.scalars(
        waiting.options(joinedload(Candidate.village)).order_by(Candidate.id).limit(limit)
    )
    items = [
        WorkItem(
            title=c.name,
            detail=f"{c.village.name} · {c.status_label} · {c.direction_label}",
            url=url_for("roster.detail", candidate_id=c.id, _anchor="decide"),
            due_on=None,
        )
        for c in rows
    ]
    return total, items
