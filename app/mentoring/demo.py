"""Demo mentors, pairings with activity logs, and village pairings for ``seed-demo``.

About one in ten 在库培养 candidates is paired: most are being mentored now (one in five of
those has gone quiet for over 30 days, so the 帮带不实 list has rows), a few are past their
planned end and wait for the evaluation, one in four ended with an evaluation. Each township
has 2–4 mentors at least, and as many more as its pairings need: a mentor never holds more
than its capacity. Bulk Core inserts.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import time

from sqlalchemy import false, insert, select

from app.core.db import utcnow
from app.core.pinyin import name_sort_key
from app.extensions import db
from app.mentoring.models import Mentor, MentoringActivity, Pairing, VillagePairing
from app.places.models import Village
from app.roster.models import Candidate
from app.seed.demo_data import generate_people_names

SALT = 4104
CHUNK = 10000
SHARE_PAIRED = 0.10

POSITIONS = [
    ("party_secretary", 3),
    ("former_secretary", 3),
    ("committee_director", 2),
    ("former_township", 2),
    ("township_leader", 2),
    ("resident_cadre", 1),
]
GOALS = (
    "熟悉村级组织运行和“四议两公开”程序，能独立组织召开村民代表会议",
    "掌握村集体经济发展思路，参与制定本村产业发展计划",
    "提高群众工作能力，学会化解邻里矛盾纠纷",
    "熟悉惠农政策和便民服务事项，能为群众帮办代办",
    "参与村级事务管理，一年内能独立牵头一个村级项目",
)
CONTENT = {
    "face_to_face": (
        "讲解村级财务公开和“三资”管理要求",
        "交流近期入户走访情况，指导如何做好群众工作",
        "谈心谈话，了解思想动态，提出下一步学习要求",
    ),
    "committee_meeting": (
        "列席村“两委”会议，学习议题酝酿和会议组织",
        "列席村民代表会议，了解“四议两公开”流程",
    ),
    "onsite": (
        "到村产业基地现场教学，讲解合作社运营",
        "带领参与矛盾纠纷现场调解",
        "现场查看人居环境整治点位，讲解整改要求",
    ),
    "phone": ("电话指导防汛值守安排", "电话了解实践作业进展并提出修改意见"),
    "other": ("共同参加镇党委组织的专题学习", "一起走访困难群众，送去慰问品"),
}
FORMS = ("face_to_face", "face_to_face", "committee_meeting", "onsite", "phone", "other")
EVALUATIONS = (
    "帮带期间学习认真，进步明显，已能独立处理一般村务，评价优秀。",
    "能按要求参加帮带活动，群众工作能力有提高，评价合格。",
    "态度端正，但主动性有待加强，建议继续培养。",
)
SUMMARIES = (
    "通过结对帮带，熟悉了村级事务运行，今后将继续加强政策学习。",
    "在师傅指导下参与了多项村务，群众工作方法有了提高。",
    "收获很大，认识到自身在统筹协调方面的不足，将努力改进。",
)
VILLAGE_PURPOSES = {
    "strong_strong": "两村抱团发展特色产业，共建共享农产品销售渠道",
    "strong_weak": "先进村带动后进村，在集体经济、村务管理上结对帮扶",
}


def _phone(rng: random.Random) -> str:
    return f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"


def _mentor_unit(rng: random.Random, position: str, villages: list[str]) -> str:
    if position in ("party_secretary", "committee_director", "former_secretary"):
        return rng.choice(villages) if villages else ""
    if position == "resident_cadre":
        return rng.choice(("县农业农村局驻村工作队", "县人社局驻村工作队", "县供销社驻村工作队"))
    return rng.choice(("镇党委", "镇政府", "镇人大"))


def seed_area(context, echo) -> None:
    started = time.perf_counter()
    rng = random.Random(context.seed + SALT)
    today = context.today
    now = utcnow()

    in_pool = db.session.execute(
        select(Candidate.id, Candidate.township_id)
        .where(Candidate.status == "in_pool", Candidate.is_deleted == false())
        .order_by(Candidate.id)
    ).all()
    by_township: dict[int, list[int]] = {t: [] for t in context.township_ids}
    for cid, township_id in in_pool:
        by_township.setdefault(township_id, []).append(cid)
    village_rows = db.session.execute(
        select(Village.id, Village.township_id, Village.name).order_by(Village.id)
    ).all()
    villages_of: dict[int, list[tuple[int, str]]] = {}
    for vid, township_id, name in village_rows:
        villages_of.setdefault(township_id, []).append((vid, name))

    # Pairings first (who, when), then enough mentors to hold them.
    plans: dict[int, list[dict]] = {}
    for township_id in context.township_ids:
        pool = by_township.get(township_id, [])
        chosen = rng.sample(pool, round(len(pool) * SHARE_PAIRED))
        plans[township_id] = [_plan(rng, today, cid) for cid in chosen]

    mentor_rows = []
    names = iter(generate_people_names(_mentors_needed(plans) * 2 + 50, context.seed + SALT))
    for township_id in context.township_ids:
        least = rng.randint(2, 4)
        needed = len(plans[township_id])
        village_names = [name for _, name in villages_of.get(township_id, [])]
        held, made = 0, 0
        while made < least or held < needed:
            position = rng.choices([p for p, _ in POSITIONS], [w for _, w in POSITIONS])[0]
            name = next(names)
            capacity = rng.choice((2, 3, 3, 3, 4))
            mentor_rows.append(
                {
                    "township_id": township_id,
                    "name": name,
                    "name_sort": name_sort_key(name),
                    "position": position,
                    "unit": _mentor_unit(rng, position, village_names),
                    "phone": _phone(rng),
                    "capacity": capacity,
                    "notes": "",
                    "is_deleted": False,
                    "created_by_id": context.clerk_of.get(township_id),
                    "created_dt": now,
                }
            )
            held += capacity
            made += 1
    # Plain executemany, then the ids read back by a unique key: RETURNING in parameter
    # order makes SQLite insert row by row.
    db.session.execute(insert(Mentor.__table__), mentor_rows)
    id_of_mentor = dict(db.session.execute(select(Mentor.name, Mentor.id)).all())
    mentor_ids = [id_of_mentor[row["name"]] for row in mentor_rows]

    # Each mentor takes pairings up to its capacity, counting every pairing it ever held as
    # if they overlapped: simple, and never over capacity on any day.
    pairing_rows = []
    places: dict[int, list[list[int]]] = {}
    for mentor_id, row in zip(mentor_ids, mentor_rows, strict=True):
        places.setdefault(row["township_id"], []).append([mentor_id, row["capacity"]])
    for township_id, township_plans in plans.items():
        slots = places.get(township_id, [])
        index = 0
        for plan in township_plans:
            while slots[index % len(slots)][1] == 0:
                index += 1
            slot = slots[index % len(slots)]
            slot[1] -= 1
            index += 1
            pairing_rows.append(plan | {"mentor_id": slot[0], "township_id": township_id})
    for row in pairing_rows:
        row.update(
            created_by_id=context.clerk_of.get(row["township_id"]),
            created_dt=now,
            updated_dt=now,
            version=1,
        )
    table = Pairing.__table__
    columns = [c.name for c in table.columns if c.name != "id"]
    for start in range(0, len(pairing_rows), CHUNK):
        chunk = [{k: r[k] for k in columns} for r in pairing_rows[start : start + CHUNK]]
        db.session.execute(insert(table), chunk)
    # Each seeded candidate has one pairing.
    id_of_pairing = dict(db.session.execute(select(Pairing.candidate_id, Pairing.id)).all())
    pairing_ids = [id_of_pairing[row["candidate_id"]] for row in pairing_rows]

    activities = []
    for pairing_id, row in zip(pairing_ids, pairing_rows, strict=True):
        for day in row["_activity_days"]:
            form = rng.choice(FORMS)
            activities.append(
                {
                    "pairing_id": pairing_id,
                    "township_id": row["township_id"],
                    "held_on": day,
                    "form": form,
                    "content": rng.choice(CONTENT[form]),
                    "hours": rng.choice((1.0, 1.5, 2.0, 2.0, 3.0, 4.0)),
                    "created_by_id": row["created_by_id"],
                    "created_dt": now,
                }
            )
    for start in range(0, len(activities), CHUNK):
        db.session.execute(insert(MentoringActivity.__table__), activities[start : start + CHUNK])

    village_pairs = _village_pairs(rng, today, villages_of, context, now)
    if village_pairs:
        db.session.execute(insert(VillagePairing.__table__), village_pairs)
    stale = sum(1 for r in pairing_rows if r["_stale"])
    echo(
        f"结对帮带：{len(mentor_ids)} 名帮带人、{len(pairing_ids)} 个结对"
        f"（{stale} 个30天无活动）、{len(activities)} 条帮带活动、{len(village_pairs)} 对村村结对，"
        f"用时 {time.perf_counter() - started:.1f} 秒。"
    )


def _mentors_needed(plans: dict[int, list]) -> int:
    """An upper bound of the mentors the townships need (capacity at least 2, 2–4 each)."""
    return sum(max(4, math.ceil(len(p) / 2)) for p in plans.values())


def _plan(rng: random.Random, today: dt.date, candidate_id: int) -> dict:
    """One pairing's dates, goals, end and activity days."""
    roll = rng.random()
    ended = roll < 0.25
    overdue = 0.25 <= roll < 0.28  # past its planned end, waiting for the evaluation
    if ended:
        start = today - dt.timedelta(days=rng.randint(420, 700))
    elif overdue:
        start = today - dt.timedelta(days=rng.randint(370, 400))
    else:
        start = today - dt.timedelta(days=rng.randint(35, 330))
    end = start + dt.timedelta(days=364)
    stale = not ended and not overdue and rng.random() < 0.2
    last_possible = min(today, end)
    if stale:
        last_possible = today - dt.timedelta(days=rng.randint(35, 90))
    span = max((last_possible - start).days, 0)
    days = sorted(
        {start + dt.timedelta(days=rng.randint(0, span)) for _ in range(rng.randint(2, 6))}
    )
    if not ended and not stale and not overdue:
        # Someone active logged something in the last month.
        days = [
            *(d for d in days if d < today - dt.timedelta(days=25)),
            today - dt.timedelta(days=rng.randint(0, 25)),
        ]
    days = [d for d in days if start <= d <= last_possible] or [start]
    return {
        "candidate_id": candidate_id,
        "start_on": start,
        "end_on": end,
        "goals": rng.choice(GOALS),
        "ended_on": end if ended else None,
        "mentor_evaluation": rng.choice(EVALUATIONS) if ended else "",
        "candidate_summary": rng.choice(SUMMARIES) if ended else "",
        "last_activity_on": max(days),
        "_activity_days": days,
        "_stale": stale,
    }


def _village_pairs(rng, today, villages_of, context, now) -> list[dict]:
    rows = []
    for township_id in context.township_ids:
        villages = villages_of.get(township_id, [])
        if len(villages) < 2 or rng.random() < 0.3:
            continue
        (a, _), (b, _) = rng.sample(villages, 2)
        kind = rng.choice(("strong_strong", "strong_weak", "strong_weak"))
        start = today - dt.timedelta(days=rng.randint(30, 500))
        rows.append(
            {
                "township_id": township_id,
                "partner_township_id": township_id,
                "village_a_id": a,
                "village_b_id": b,
                "kind": kind,
                "start_on": start,
                "end_on": start + dt.timedelta(days=3 * 365),
                "purpose": VILLAGE_PURPOSES[kind],
                "created_by_id": context.clerk_of.get(township_id),
                "created_dt": now,
            }
        )
    return rows
