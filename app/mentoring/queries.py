"""Scoped reads of the mentoring area: lists, the stale list, and the candidate page's parts."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from flask import url_for
from sqlalchemy import Select, and_, case, false, func, or_, select
from sqlalchemy.orm import joinedload

from app.core import clock
from app.core.codes import PairingState
from app.core.normalize import clean_text, parse_id
from app.core.paging import Page, count, paginate
from app.core.scoping import ENTERERS, restrict, scoped
from app.core.sections import TimelineEvent, WorkItem
from app.extensions import db
from app.mentoring.models import (
    STALE_DAYS,
    Mentor,
    MentoringActivity,
    Pairing,
    VillagePairing,
    until_expr,
)
from app.mentoring.operations import ELIGIBLE_STATUSES
from app.places.models import Township, Village
from app.roster.models import Candidate
from app.roster.queries import RosterFilters, roster_filter

PAGE_SIZE = 50

# The list's state filter: the pairing states, and two views across them.
STATES = {
    "": "未结束（全部）",
    PairingState.active: PairingState.active.label,
    "stale": "帮带不实（30天无活动）",
    PairingState.upcoming: PairingState.upcoming.label,
    PairingState.overdue: PairingState.overdue.label,
    PairingState.ended: PairingState.ended.label,
    "all": "全部",
}


def stale_cutoff(today: dt.date) -> dt.date:
    return today - dt.timedelta(days=STALE_DAYS)


def state_condition(state: str, today: dt.date):
    open_ = Pairing.ended_on.is_(None)
    active = and_(open_, Pairing.start_on <= today, Pairing.end_on >= today)
    if state == "active":
        return active
    if state == "stale":
        cutoff = stale_cutoff(today)
        return and_(active, func.coalesce(Pairing.last_activity_on, Pairing.start_on) < cutoff)
    if state == "upcoming":
        return and_(open_, Pairing.start_on > today)
    if state == "overdue":
        return and_(open_, Pairing.end_on < today)
    if state == "ended":
        return Pairing.ended_on.is_not(None)
    if state == "all":
        return None
    return open_


@dataclass
class PairingFilters:
    state: str = ""
    q: str = ""
    mentor: int | None = None
    township: int | None = None
    page: int = 1

    @classmethod
    def from_args(cls, args) -> PairingFilters:
        state = clean_text(args.get("state"))
        return cls(
            state=state if state in STATES else "",
            q=clean_text(args.get("q")),
            mentor=parse_id(args.get("mentor")),
            township=parse_id(args.get("township")),
            page=parse_id(args.get("page")) or 1,
        )


def pairings_select(user, f: PairingFilters, today: dt.date) -> Select:
    stmt = restrict(select(Pairing).join(Pairing.candidate), Pairing, user).where(
        Candidate.is_deleted == false()
    )
    condition = state_condition(f.state, today)
    if condition is not None:
        stmt = stmt.where(condition)
    if f.q:
        stmt = roster_filter(stmt, RosterFilters(q=f.q, status="all"), today=today)
    if f.mentor:
        stmt = stmt.where(Pairing.mentor_id == f.mentor)
    if f.township:
        stmt = stmt.where(Pairing.township_id == f.township)
    return stmt


def pairing_page(user, f: PairingFilters, today: dt.date) -> Page:
    return paginate(
        pairings_select(user, f, today),
        f.page,
        PAGE_SIZE,
        order_by=(Pairing.start_on.desc(), Candidate.name_sort, Pairing.id),
        options=(
            joinedload(Pairing.candidate).joinedload(Candidate.village),
            joinedload(Pairing.mentor),
        ),
    )


def activity_counts(pairing_ids: list[int]) -> dict[int, tuple[int, float]]:
    """Pairing id -> (number of activities, hours)."""
    if not pairing_ids:
        return {}
    rows = db.session.execute(
        select(
            MentoringActivity.pairing_id,
            func.count(),
            func.coalesce(func.sum(MentoringActivity.hours), 0),
        )
        .where(MentoringActivity.pairing_id.in_(pairing_ids))
        .group_by(MentoringActivity.pairing_id)
    )
    return {pid: (n, float(hours)) for pid, n, hours in rows}


def state_counts(user, today: dt.date) -> dict[str, int]:
    return {
        state: count(pairings_select(user, PairingFilters(state=state), today))
        for state in ("active", "stale", "upcoming", "overdue")
    }


# ---- mentors ---------------------------------------------------------------------------------


def mentor_loads(mentor_ids: list[int], today: dt.date) -> dict[int, int]:
    """Mentor id -> pairings holding the mentor today."""
    if not mentor_ids:
        return {}
    rows = db.session.execute(
        select(Pairing.mentor_id, func.count())
        .where(
            Pairing.mentor_id.in_(mentor_ids),
            Pairing.start_on <= today,
            until_expr() >= today,
        )
        .group_by(Pairing.mentor_id)
    )
    return dict(rows.all())


def mentor_page(user, *, township: int | None, q: str, page: int) -> Page:
    stmt = scoped(Mentor, user)
    if township:
        stmt = stmt.where(Mentor.township_id == township)
    if q:
        stmt = stmt.where(or_(Mentor.name.contains(q), Mentor.unit.contains(q)))
    return paginate(
        stmt,
        page,
        PAGE_SIZE,
        order_by=(Mentor.township_id, Mentor.name_sort, Mentor.id),
        options=(joinedload(Mentor.township),),
    )


def mentor_choices(user, today: dt.date, first_township: int | None = None):
    """(id, label with today's load, township name) of the mentors the user may pair."""
    stmt = (
        scoped(Mentor, user)
        .join(Township, Township.id == Mentor.township_id)
        .add_columns(Township.name)
        .order_by(
            (Mentor.township_id != (first_township or 0)),
            Mentor.township_id,
            Mentor.name_sort,
            Mentor.id,
        )
    )
    rows = db.session.execute(stmt).all()
    loads = mentor_loads([m.id for m, _ in rows], today)
    return [
        (
            m.id,
            f"{m.name}（{m.position_label}{'，' + m.unit if m.unit else ''}；"
            f"在带 {loads.get(m.id, 0)}/{m.capacity}）",
            township,
        )
        for m, township in rows
    ]


def mentor_pairings(mentor: Mentor, user) -> list[Pairing]:
    stmt = (
        restrict(select(Pairing), Pairing, user)
        .where(Pairing.mentor_id == mentor.id)
        .options(joinedload(Pairing.candidate).joinedload(Candidate.village))
        .order_by(Pairing.start_on.desc(), Pairing.id.desc())
    )
    return list(db.session.scalars(stmt))


# ---- worklists -------------------------------------------------------------------------------


def _worklist(user, limit: int, state: str, detail) -> tuple[int, list[WorkItem]]:
    today = clock.today()
    stmt = pairings_select(user, PairingFilters(state=state), today)
    total = count(stmt)
    rows = db.session.scalars(
        stmt.options(joinedload(Pairing.candidate), joinedload(Pairing.mentor))
        .order_by(
            func.coalesce(Pairing.last_activity_on, Pairing.start_on)
            if state == "stale"
            else Pairing.end_on,
            Pairing.id,
        )
        .limit(limit)
    ).all()
    items = [
        WorkItem(
            title=p.candidate.name,
            detail=detail(p),
            url=url_for("mentoring.pairing", pairing_id=p.id),
            due_on=p.end_on if state == "overdue" else None,
        )
        for p in rows
    ]
    return total, items


def stale_worklist(user, limit: int):
    """Pairings in progress with no activity in the last 30 days (帮带不实), oldest first."""

    def detail(p: Pairing) -> str:
        last = f"最近活动 {p.last_activity_on:%Y-%m-%d}" if p.last_activity_on else "结对以来无活动"
        return f"帮带人 {p.mentor.name} · {last}"

    return _worklist(user, limit, "stale", detail)


def overdue_worklist(user, limit: int):
    """Pairings past their planned end that still wait for the evaluation and summary."""
    return _worklist(
        user, limit, "overdue", lambda p: f"帮带人 {p.mentor.name} · {p.end_on:%Y-%m-%d} 到期"
    )


# ---- the candidate page ----------------------------------------------------------------------


def candidate_pairings(candidate: Candidate, user) -> list[Pairing]:
    stmt = (
        restrict(select(Pairing), Pairing, user)
        .where(Pairing.candidate_id == candidate.id)
        .options(joinedload(Pairing.mentor))
        .order_by(Pairing.start_on.desc(), Pairing.id.desc())
    )
    return list(db.session.scalars(stmt))


def candidate_section(candidate: Candidate, user) -> dict:
    pairings = candidate_pairings(candidate, user)
    return {
        "pairings": pairings,
        "counts": activity_counts([p.id for p in pairings]),
        "may_write": user.role in ENTERERS,
        "eligible": candidate.status in ELIGIBLE_STATUSES,
    }


def candidate_timeline(candidate: Candidate, user) -> list[TimelineEvent]:
    """Each pairing's start and end, and its activities summed up month by month."""
    pairings = candidate_pairings(candidate, user)
    events: list[TimelineEvent] = []
    for p in pairings:
        url = url_for("mentoring.pairing", pairing_id=p.id)
        events.append(
            TimelineEvent(
                on=p.start_on,
                kind="帮带",
                title=f"与帮带人{p.mentor.name}（{p.mentor.position_label}）结对",
                detail=f"期限至 {p.end_on:%Y-%m-%d}；帮带目标：{p.goals}",
                url=url,
                sort_key=f"pairing-{p.id:012d}-a",
            )
        )
        if p.ended_on:
            events.append(
                TimelineEvent(
                    on=p.ended_on,
                    kind="帮带",
                    title=f"与帮带人{p.mentor.name}的结对结束",
                    detail=f"帮带人评价：{p.mentor_evaluation}",
                    url=url,
                    sort_key=f"pairing-{p.id:012d}-z",
                )
            )
    if not pairings:
        return events
    by_month: dict[tuple[int, int, int], list[MentoringActivity]] = defaultdict(list)
    activities = db.session.scalars(
        select(MentoringActivity)
        .where(MentoringActivity.pairing_id.in_([p.id for p in pairings]))
        .order_by(MentoringActivity.held_on)
    )
    for a in activities:
        by_month[(a.pairing_id, a.held_on.year, a.held_on.month)].append(a)
    mentors = {p.id: p.mentor.name for p in pairings}
    for (pairing_id, year, month), items in by_month.items():
        forms: dict[str, int] = defaultdict(int)
        for a in items:
            forms[a.form_label] += 1
        hours = sum(a.hours for a in items)
        events.append(
            TimelineEvent(
                on=items[-1].held_on,
                kind="帮带",
                title=f"{year} 年 {month} 月帮带活动 {len(items)} 次（{mentors[pairing_id]}）",
                detail="、".join(f"{k} {v} 次" for k, v in forms.items()) + f"，共 {hours:g} 小时",
                url=url_for("mentoring.pairing", pairing_id=pairing_id),
                sort_key=f"pairing-{pairing_id:012d}-m",
            )
        )
    return events


# ---- villages --------------------------------------------------------------------------------


def village_pairings_scope(user) -> Select:
    """Village pairings the user sees: either village in the user's township."""
    stmt = select(VillagePairing)
    if user.township_id is not None:
        stmt = stmt.where(
            or_(
                VillagePairing.township_id == user.township_id,
                VillagePairing.partner_township_id == user.township_id,
            )
        )
    return stmt


def villages_in_scope(user, township: int | None = None) -> list[tuple[Village, str]]:
    stmt = (
        restrict(select(Village, Township.name).join(Township), Village, user)
        .where(Village.is_active.is_(True))
        .order_by(Township.id, Village.name_sort, Village.id)
    )
    if township:
        stmt = stmt.where(Village.township_id == township)
    return [(v, name) for v, name in db.session.execute(stmt)]


def village_pair_counts(today: dt.date) -> dict[int, tuple[int, int]]:
    """Village id -> (pairs in progress, all pairs)."""
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for column in (VillagePairing.village_a_id, VillagePairing.village_b_id):
        running = func.sum(
            case(
                (and_(VillagePairing.start_on <= today, VillagePairing.end_on >= today), 1),
                else_=0,
            )
        )
        for village_id, total, now in db.session.execute(
            select(column, func.count(), running).group_by(column)
        ):
            counts[village_id][0] += int(now or 0)
            counts[village_id][1] += total
    return {k: (v[0], v[1]) for k, v in counts.items()}


def pairs_of_village(village_id: int, user) -> list[VillagePairing]:
    stmt = (
        village_pairings_scope(user)
        .where(
            or_(
                VillagePairing.village_a_id == village_id, VillagePairing.village_b_id == village_id
            )
        )
        .options(
            joinedload(VillagePairing.village_a).joinedload(Village.township),
            joinedload(VillagePairing.village_b).joinedload(Village.township),
        )
        .order_by(VillagePairing.start_on.desc(), VillagePairing.id.desc())
    )
    return list(db.session.scalars(stmt))


def village_pairing_list(user, township: int | None = None) -> list[VillagePairing]:
    stmt = village_pairings_scope(user)
    if township:
        stmt = stmt.where(
            or_(
                VillagePairing.township_id == township,
                VillagePairing.partner_township_id == township,
            )
        )
    stmt = stmt.options(
        joinedload(VillagePairing.village_a).joinedload(Village.township),
        joinedload(VillagePairing.village_b).joinedload(Village.township),
    ).order_by(VillagePairing.start_on.desc(), VillagePairing.id.desc())
    return list(db.session.scalars(stmt))
