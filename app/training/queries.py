"""Scoped reads of the training area.

Programmes are seen by everyone they concern: a county programme by every user, a township
programme by its township's users and county users. Enrolments and results belong to the
candidate's township, so a township user sees only its own participants, even in a county
programme, and the ranking it sees is among them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import url_for
from sqlalchemy import Select, and_, case, exists, false, func, or_, select
from sqlalchemy.orm import joinedload

from app.core import clock
from app.core.paging import Page, paginate
from app.core.scoping import restrict, scoped
from app.core.sections import TimelineEvent
from app.extensions import db
from app.roster.models import Candidate
from app.roster.queries import RosterFilters, roster_filter
from app.training.models import Enrolment, Programme, Round, RoundResult, yes_no
from app.training.operations import ELIGIBLE_STATUSES

PAGE_SIZE = 50


def _visible(stmt: Select, user) -> Select:
    if user.township_id is not None:
        stmt = stmt.where(
            or_(Programme.township_id.is_(None), Programme.township_id == user.township_id)
        )
    return stmt


def programmes_scope(user) -> Select:
    return _visible(select(Programme), user)


def rounds_scope(user) -> Select:
    return _visible(select(Round).join(Round.programme), user)


def programme_list(user) -> list[tuple[Programme, int, int]]:
    """(programme, rounds, participants in the user's scope), newest first."""
    programmes = db.session.scalars(
        programmes_scope(user)
        .options(joinedload(Programme.township))
        .order_by(Programme.start_on.desc(), Programme.id.desc())
    ).all()
    ids = [p.id for p in programmes]
    rounds = dict(
        db.session.execute(
            select(Round.programme_id, func.count())
            .where(Round.programme_id.in_(ids))
            .group_by(Round.programme_id)
        ).all()
    )
    enrolled = dict(
        db.session.execute(
            restrict(
                select(Enrolment.programme_id, func.count())
                .where(Enrolment.programme_id.in_(ids))
                .group_by(Enrolment.programme_id),
                Enrolment,
                user,
            )
        ).all()
    )
    return [(p, rounds.get(p.id, 0), enrolled.get(p.id, 0)) for p in programmes]


def _participants(programme_id: int, user, township: int | None) -> Select:
    stmt = (
        restrict(select(Enrolment), Enrolment, user)
        .join(Enrolment.candidate)
        .where(Enrolment.programme_id == programme_id, Candidate.is_deleted == false())
    )
    if township:
        stmt = stmt.where(Enrolment.township_id == township)
    return stmt


def participant_page(programme_id: int, user, township: int | None, page: int) -> Page:
    stmt = _participants(programme_id, user, township).options(
        joinedload(Enrolment.candidate).joinedload(Candidate.village),
        joinedload(Enrolment.candidate).joinedload(Candidate.township),
    )
    return paginate(
        stmt, page, PAGE_SIZE, order_by=(Enrolment.township_id, Candidate.name_sort, Enrolment.id)
    )


def results_of(
    round_ids: list[int], enrolment_ids: list[int]
) -> dict[tuple[int, int], RoundResult]:
    if not round_ids or not enrolment_ids:
        return {}
    rows = db.session.scalars(
        select(RoundResult).where(
            RoundResult.round_id.in_(round_ids), RoundResult.enrolment_id.in_(enrolment_ids)
        )
    )
    return {(r.round_id, r.enrolment_id): r for r in rows}


@dataclass
class Ranked:
    enrolment: Enrolment
    result: RoundResult | None
    rank: int | None  # None: not scored (unsubmitted, or submitted and waiting for a score)

    @property
    def standing(self) -> str:
        if self.rank is not None:
            return str(self.rank)
        if self.result is not None and self.result.submitted:
            return "待评分"
        return "未提交"


def ranking_page(round_: Round, user, township: int | None, page: int) -> Page:
    """The round's participants for 评比展示: scored first by score (ties share a rank),
    then submitted but not yet scored, then not submitted; names by pinyin within."""
    scored = and_(RoundResult.submitted.is_(True), RoundResult.score.is_not(None))
    group = case((scored, 0), (RoundResult.submitted.is_(True), 1), else_=2)
    rank = func.rank().over(partition_by=group, order_by=RoundResult.score.desc())
    stmt = (
        _participants(round_.programme_id, user, township)
        .outerjoin(
            RoundResult,
            and_(RoundResult.enrolment_id == Enrolment.id, RoundResult.round_id == round_.id),
        )
        .add_columns(RoundResult, group.label("grp"), rank.label("rnk"))
        .options(joinedload(Enrolment.candidate).joinedload(Candidate.village))
        .order_by(group, RoundResult.score.desc(), Candidate.name_sort, Enrolment.id)
    )
    raw = paginate(stmt, page, PAGE_SIZE, scalars=False)
    raw.items = [
        Ranked(enrolment=e, result=r, rank=int(rnk) if grp == 0 else None)
        for e, r, grp, rnk in raw.items
    ]
    return raw


def round_summary(round_: Round, user, township: int | None) -> dict[str, float | int | None]:
    participants = _participants(round_.programme_id, user, township).subquery()
    row = db.session.execute(
        select(
            func.count(participants.c.id),
            func.count(case((RoundResult.attended.is_(True), 1))),
            func.count(case((RoundResult.submitted.is_(True), 1))),
            func.count(RoundResult.score),
            func.avg(RoundResult.score),
        )
        .select_from(participants)
        .outerjoin(
            RoundResult,
            and_(RoundResult.enrolment_id == participants.c.id, RoundResult.round_id == round_.id),
        )
    ).one()
    total, attended, submitted, scored, average = row
    return {
        "total": total,
        "attended": attended,
        "submitted": submitted,
        "scored": scored,
        "average": round(float(average), 1) if average is not None else None,
    }


def enrollable_page(programme: Programme, user, filters: RosterFilters, page: int) -> Page:
    """Candidates of the user's scope who may join: 考察中 / 在库培养, not yet enrolled."""
    stmt = roster_filter(scoped(Candidate, user), filters)
    if programme.township_id is not None:
        stmt = stmt.where(Candidate.township_id == programme.township_id)
    stmt = stmt.where(
        Candidate.status.in_(ELIGIBLE_STATUSES),
        ~exists().where(
            Enrolment.programme_id == programme.id, Enrolment.candidate_id == Candidate.id
        ),
    ).options(joinedload(Candidate.village), joinedload(Candidate.township))
    return paginate(stmt, page, PAGE_SIZE, order_by=(Candidate.name_sort, Candidate.id))


# ---- the candidate page ----------------------------------------------------------------------


def _candidate_rounds(candidate: Candidate, user):
    enrolments = db.session.scalars(
        restrict(select(Enrolment), Enrolment, user)
        .where(Enrolment.candidate_id == candidate.id)
        .options(joinedload(Enrolment.programme).joinedload(Programme.township))
    ).all()
    rounds = db.session.scalars(
        select(Round)
        .where(Round.programme_id.in_([e.programme_id for e in enrolments]))
        .order_by(Round.starts_on, Round.id)
    ).all()
    results = results_of([r.id for r in rounds], [e.id for e in enrolments])
    by_programme = {e.programme_id: e for e in enrolments}
    return enrolments, [(r, results.get((r.id, by_programme[r.programme_id].id))) for r in rounds]


def candidate_section(candidate: Candidate, user) -> dict:
    enrolments, rounds = _candidate_rounds(candidate, user)
    return {
        "enrolments": enrolments,
        "rounds": rounds,
        "yes_no": yes_no,
    }


def candidate_timeline(candidate: Candidate, user) -> list[TimelineEvent]:
    """Every round of every programme the candidate is enrolled in."""
    _, rounds = _candidate_rounds(candidate, user)
    today = clock.today()
    events = []
    for r, result in rounds:
        parts = [f"{r.starts_on:%m-%d} 至 {r.ends_on:%m-%d} 在{r.place}集中培训"]
        if r.starts_on > today:
            parts.append("尚未开始")
        else:
            parts.append(yes_no(result.attended if result else None, "出勤", "缺勤"))
            submitted = result.submitted if result else None
            work = f"实践作业《{r.assignment_title}》" + yes_no(submitted, "已提交", "未提交")
            if result is not None and result.score is not None:
                work += f"，{result.score} 分"
            parts.append(work)
        events.append(
            TimelineEvent(
                on=r.starts_on,
                kind="培训",
                title=f"{r.programme.name} {r.title}",
                detail="；".join(parts),
                url=url_for("training.round_detail", round_id=r.id),
                sort_key=f"round-{r.id:012d}",
            )
        )
    return events


def trained_rows(user, since: dt.date):
    """For the dashboard's pipeline: (candidate, township, year) of each round attended."""
    from app.core.db import year_of

    return restrict(
        select(
            Enrolment.candidate_id.label("candidate_id"),
            RoundResult.township_id.label("township_id"),
            year_of(Round.starts_on).label("year"),
        )
        .join(Enrolment, Enrolment.id == RoundResult.enrolment_id)
        .join(Round, Round.id == RoundResult.round_id)
        .where(RoundResult.attended.is_(True), Round.starts_on >= since),
        RoundResult,
        user,
    )
