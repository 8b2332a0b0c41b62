"""The demo county's 雏雁工程 for ``seed-demo``: a county programme with two past rounds,
about 5% of the candidates (在库培养 or 考察中) enrolled, attendance and scored practice
assignments for both rounds. Bulk Core inserts."""

from __future__ import annotations

import datetime as dt
import random
import time

from sqlalchemy import false, func, insert, select

from app.core.db import utcnow
from app.extensions import db
from app.roster.models import Candidate
from app.training.models import Enrolment, Programme, Round, RoundResult

SALT = 7207
CHUNK = 10000
SHARE_ENROLLED = 0.05

ROUNDS = (
    {
        "days_ago": 380,
        "length": 4,
        "place": "县委党校",
        "topics": "习近平新时代中国特色社会主义思想\n村级组织建设与“四议两公开”\n乡村振兴政策解读",
        "assignment_title": "本村发展现状调研报告",
    },
    {
        "days_ago": 200,
        "length": 5,
        "place": "县委党校、先进村现场教学点",
        "topics": "村集体经济发展路径\n基层矛盾纠纷化解\n先进村现场观摩",
        "assignment_title": "为本村谋划一个集体经济增收项目",
    },
)
COMMENTS = (
    "调研深入，建议切实可行",
    "内容翔实，数据支撑充分",
    "思路清晰，可在本村推广",
    "需进一步结合村情细化措施",
    "",
    "",
)


def seed_area(context, echo) -> None:
    started = time.perf_counter()
    rng = random.Random(context.seed + SALT)
    today = context.today
    now = utcnow()

    programme_id = db.session.scalar(
        insert(Programme.__table__).returning(Programme.__table__.c.id),
        {
            "township_id": None,
            "name": "雏雁工程",
            "target_group": "35 岁以下在库后备干部",
            "start_on": today - dt.timedelta(days=400),
            "end_on": today + dt.timedelta(days=330),
            "description": "每半年一轮：集中培训 3–5 天，回村实践完成实践作业，下一轮评比展示。",
            "created_by_id": None,  # the county organisation department
            "created_dt": now,
        },
    )
    rounds = []
    for number, spec in enumerate(ROUNDS, start=1):
        starts = today - dt.timedelta(days=spec["days_ago"])
        ends = starts + dt.timedelta(days=spec["length"] - 1)
        rounds.append(
            {
                "programme_id": programme_id,
                "number": number,
                "starts_on": starts,
                "ends_on": ends,
                "place": spec["place"],
                "topics": spec["topics"],
                "assignment_title": spec["assignment_title"],
                "assignment_due_on": ends + dt.timedelta(days=50),
                "created_dt": now,
            }
        )
    table = Round.__table__
    round_ids = db.session.scalars(
        insert(table).returning(table.c.id, sort_by_parameter_order=True), rounds
    ).all()

    total = db.session.scalar(
        select(func.count()).select_from(Candidate).where(Candidate.is_deleted == false())
    )
    eligible = db.session.execute(
        select(Candidate.id, Candidate.township_id)
        .where(
            Candidate.status.in_(("in_pool", "inspecting")),
            Candidate.is_deleted == false(),
        )
        .order_by(Candidate.id)
    ).all()
    chosen = rng.sample(eligible, min(len(eligible), round(total * SHARE_ENROLLED)))
    chosen.sort()
    enrolments = [
        {
            "programme_id": programme_id,
            "candidate_id": cid,
            "township_id": township_id,
            "created_by_id": context.clerk_of.get(township_id),
            "created_dt": now,
        }
        for cid, township_id in chosen
    ]
    # Plain executemany, then the ids read back by candidate: RETURNING in parameter order
    # makes SQLite insert row by row.
    for start in range(0, len(enrolments), CHUNK):
        db.session.execute(insert(Enrolment.__table__), enrolments[start : start + CHUNK])
    id_of = dict(
        db.session.execute(
            select(Enrolment.candidate_id, Enrolment.id).where(
                Enrolment.programme_id == programme_id
            )
        ).all()
    )
    enrolment_ids = [id_of[row["candidate_id"]] for row in enrolments]

    results = []
    for enrolment_id, row in zip(enrolment_ids, enrolments, strict=True):
        for round_id in round_ids:
            attended = rng.random() < 0.93
            submitted = rng.random() < (0.9 if attended else 0.4)
            score = min(99, max(45, round(rng.gauss(78, 7)))) if submitted else None
            results.append(
                {
                    "round_id": round_id,
                    "enrolment_id": enrolment_id,
                    "township_id": row["township_id"],
                    "attended": attended,
                    "submitted": submitted,
                    "score": score,
                    "comment": rng.choice(COMMENTS) if submitted else "",
                    "recorded_by_id": row["created_by_id"],
                    "updated_dt": now,
                }
            )
    for start in range(0, len(results), CHUNK):
        db.session.execute(insert(RoundResult.__table__), results[start : start + CHUNK])
    echo(
        f"循环培养：雏雁工程 {len(round_ids)} 轮，报名 {len(enrolment_ids)} 人，"
        f"{len(results)} 条培训结果，用时 {time.perf_counter() - started:.1f} 秒。"
    )
