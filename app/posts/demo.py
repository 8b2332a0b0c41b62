"""Demo trial posts for ``seed-demo``: each township's posts (its ten windows come with the
township), three batches — one finished and evaluated, one running, one planned — with
placements for some of the in-pool candidates, and a rotation plan per 培养方向.

Placements obey the rules by construction: each seat of a post is a lane of back-to-back
periods (so no post is ever over capacity), a candidate has at most one placement per batch
and batches do not overlap in time (so no candidate overlaps), and a 跨村任职 post never takes
someone from its own village. Bulk Core inserts; seconds even at 200,000 candidates.
"""

from __future__ import annotations

import datetime as dt
import random
import time

from sqlalchemy import bindparam, func, insert, select, update

from app.core.db import utcnow
from app.extensions import db
from app.places.models import Township, Village
from app.posts.models import Batch, Placement, Post, RotationPlanItem
from app.posts.operations import window_rows
from app.roster.models import Candidate
from app.seed.demo_data import generate_people_names

SALT = 3003
BATCH_DAYS = 182
PLACED_SHARE = (0.05, 0.075)  # of a township's in-pool candidates, per batch

FRONTLINES = (
    ("信访接待", "{t}信访办", "接待来访群众，登记、转办、回访信访事项"),
    ("矛盾调处", "{t}综治中心", "参与邻里、土地、婚姻家庭纠纷的调解"),
    ("重点工程", "县重点工程指挥部", "协助征地拆迁、青苗补偿和施工协调"),
    ("经济普查", "{t}统计站", "入户登记、数据核对和普查宣传"),
    ("动拆迁", "{t}征拆办", "入户宣传政策、测量登记、协商补偿"),
    ("人口调控", "{t}社会事务办", "流动人口登记、出生人口信息核对"),
)
LEADERS = ("党委副书记", "组织委员", "纪委书记", "宣传委员", "武装部长")
PLANS = {
    "party_secretary": {"window": 3, "cross_village": 6},
    "committee_director": {"window": 3, "frontline": 2},
    "committee_member": {"window": 3},
    "township_reserve": {"window": 3, "township_shadow": 3, "frontline": 2},
}
GOALS = {
    "window": "熟悉{post}的业务和办事流程，学会为群众代办常见事项，提升为民服务能力",
    "cross_village": "了解{host}的村情民意，参与村两委日常工作，学习村级事务管理和群众工作方法",
    "township_shadow": "跟随{host}学习统筹协调和处理复杂问题的方法，提高政策理解能力",
    "frontline": "在{post}一线锻炼，提高应对急难险重任务和做群众工作的能力",
}
REPORTS = (
    "通过这段时间试岗，熟悉了相关政策和办事流程，学会了耐心倾听群众诉求，"
    "也认识到自己在政策把握上还有不足，今后要加强学习。",
    "在带岗领导手把手指导下，参与了多项具体工作，体会到基层工作要公道正派、"
    "讲究方法，回村后要把学到的经验用到村务工作中。",
    "试岗期间按时到岗，完成了交办任务。最大的收获是学会了换位思考，把群众的事当成自己的事来办。",
)
EVALUATIONS = {
    "excellent": "工作主动，服务热情，办事规范，群众评价高。",
    "pass": "能按要求完成工作任务，服务态度较好。",
    "basic_pass": "基本完成任务，政策掌握不够扎实，群众工作方法有待加强。",
    "fail": "出勤不够稳定，未能完成主要任务，需继续培养锻炼。",
}
GRADES = (("excellent", 25), ("pass", 58), ("basic_pass", 13), ("fail", 4))
CUT_REASONS = ("外出务工", "家中有事，本人申请", "身体原因", "村里换届工作需要，提前返村")
# How a post's seat is used within a batch: the number of back-to-back periods.
PERIODS = {"window": 2, "cross_village": 1, "township_shadow": 2, "frontline": 3}


def _half(day: dt.date) -> str:
    return "一" if day.month <= 6 else "二"


def seed_area(context, echo) -> None:
    started = time.perf_counter()
    rng = random.Random(context.seed + SALT)
    today, now = context.today, utcnow()
    township_names = select(Township.id, Township.name).where(Township.id.in_(context.township_ids))
    names = dict(db.session.execute(township_names).all())
    # The windows come with each township (a mapper event); a bulk path that skipped it gets
    # them here.
    have = dict(
        db.session.execute(
            select(Post.township_id, func.count())
            .where(Post.kind == "window")
            .group_by(Post.township_id)
        ).all()
    )
    missing = [row for tid in names if not have.get(tid) for row in window_rows(tid, names[tid])]
    if missing:
        db.session.execute(insert(Post.__table__), missing)

    people = iter(generate_people_names(22 * len(names) + 20, context.seed + SALT))
    # The windows' 带岗人: a staff member of the service centre each.
    windows = db.session.execute(
        select(Post.id).where(Post.township_id.in_(list(names)), Post.kind == "window")
    ).scalars()
    staff = [{"post_id": pid, "who": name} for pid, name in zip(windows, people, strict=False)]
    if staff:
        db.session.execute(
            update(Post.__table__)
            .where(Post.__table__.c.id == bindparam("post_id"))
            .values(supervisor=bindparam("who")),
            staff,
        )

    villages: dict[int, list[tuple[int, str]]] = {}
    for vid, tid, name in db.session.execute(
        select(Village.id, Village.township_id, Village.name).order_by(Village.id)
    ):
        villages.setdefault(tid, []).append((vid, name))

    post_rows = []
    for tid in names:
        post_rows.extend(_posts_of(tid, names[tid], villages.get(tid, []), people, rng, now))
    table = Post.__table__
    db.session.execute(insert(table), post_rows)
    posts: dict[int, list[dict]] = {}
    for row in db.session.execute(
        select(
            Post.id,
            Post.township_id,
            Post.kind,
            Post.name,
            Post.host,
            Post.host_village_id,
            Post.capacity,
        ).where(Post.township_id.in_(list(names)))
    ):
        posts.setdefault(row.township_id, []).append(row._asdict())

    pool: dict[int, list[tuple[int, int]]] = {}
    for cid, tid, vid in db.session.execute(
        select(Candidate.id, Candidate.township_id, Candidate.village_id)
        .where(Candidate.status == "in_pool", Candidate.township_id.in_(list(names)))
        .order_by(Candidate.id)
    ):
        pool.setdefault(tid, []).append((cid, vid))

    placements, batches, plans = [], 0, []
    for tid in names:
        for direction, months in PLANS.items():
            plans.extend(
                {
                    "township_id": tid,
                    "direction": direction,
                    "kind": kind,
                    "min_months": n,
                    "created_dt": now,
                }
                for kind, n in months.items()
            )
        current_start = today - dt.timedelta(days=rng.randint(85, 105))
        starts = (
            current_start - dt.timedelta(days=BATCH_DAYS + rng.randint(10, 30)),
            current_start,
            current_start + dt.timedelta(days=BATCH_DAYS + rng.randint(10, 30)),
        )
        for start in starts:
            end = start + dt.timedelta(days=BATCH_DAYS - 1)
            name = f"{start.year}年第{_half(start)}批后备干部试岗锻炼"
            batch_id = db.session.scalar(
                insert(Batch.__table__).returning(Batch.__table__.c.id),
                {
                    "township_id": tid,
                    "name": name,
                    "start_on": start,
                    "end_on": end,
                    "notes": "按照“缺什么补什么”的原则，"
                    "安排到便民服务窗口、邻村和一线岗位试岗锻炼。",
                    "created_dt": now,
                },
            )
            batches += 1
            placements.extend(
                _placements(
                    tid, batch_id, start, end, posts.get(tid, []), pool.get(tid, []), rng, context
                )
            )
    if plans:
        db.session.execute(insert(RotationPlanItem.__table__), plans)
    for row in placements:
        row["created_dt"] = row["updated_dt"] = now
    if placements:
        db.session.execute(insert(Placement.__table__), placements)
    placed = len({p["candidate_id"] for p in placements})
    in_pool = sum(len(v) for v in pool.values())
    echo(
        f"试岗锻炼：{sum(have.values()) + len(missing)} 个服务窗口、{len(post_rows)} 个其他岗位、"
        f"{batches} 个批次、"
        f"{len(placements)} 项试岗安排（{placed} 人，占在库 {placed * 100 // max(in_pool, 1)}%），"
        f"用时 {time.perf_counter() - started:.1f} 秒"
    )


def _posts_of(tid, township, villages, people, rng, now) -> list[dict]:
    """A township's posts beyond its windows: 跨村任职 in two or three villages, leaders to
    shadow, and front-line work."""
    rows = []

    def post(kind, name, host, capacity=1, village=None, duties=""):
        rows.append(
            {
                "township_id": tid,
                "kind": kind,
                "name": name,
                "host": host,
                "host_village_id": village,
                "supervisor": next(people),
                "duties": duties,
                "capacity": capacity,
                "is_active": True,
                "created_dt": now,
            }
        )

    hosts = rng.sample(villages, min(len(villages), rng.randint(2, 3)))
    for vid, vname in hosts:
        role = rng.choice(("党总支副书记", "村委会主任助理", "党支部副书记"))
        post(
            "cross_village",
            f"{vname}{role}",
            f"{vname}两委",
            village=vid,
            duties="协助开展村两委日常工作，参与村务议事和民生项目推进",
        )
    leader_word = (
        "副主任" if township.endswith("街道") else "副镇长" if "镇" in township else "副乡长"
    )
    for leader in (*rng.sample(LEADERS, 2), leader_word):
        post(
            "township_shadow",
            f"跟岗 {leader}",
            f"{township}{leader}",
            duties="跟随领导参加会议、下村调研、处理群众诉求，手把手教、一对一带",
        )
    for name, host, duties in rng.sample(FRONTLINES, 3):
        post("frontline", name, host.format(t=township), capacity=2, duties=duties)
    return rows


def _placements(tid, batch_id, start, end, posts, pool, rng, context) -> list[dict]:
    """Fill some seats of a batch: each seat a lane of back-to-back periods."""
    if not posts or not pool:
        return []
    today = context.today
    length = (end - start).days + 1
    seats = []
    for post in posts:
        periods = PERIODS[post["kind"]]
        part = length // periods
        for _lane in range(post["capacity"]):
            for i in range(periods):
                first = start + dt.timedelta(days=i * part)
                last = end if i == periods - 1 else first + dt.timedelta(days=part - 1)
                seats.append((post, first, last))
    # Seats in random order, 帮办代办's a little ahead (townships fill it first).
    seats.sort(key=lambda s: rng.random() * (0.4 if s[0]["name"].startswith("帮办代办") else 1))
    wanted = min(len(seats), max(1, round(len(pool) * rng.uniform(*PLACED_SHARE))))
    free = list(pool)
    rng.shuffle(free)
    rows = []
    grades, weights = zip(*GRADES, strict=True)
    for post, first, last in seats:
        if len(rows) >= wanted or not free:
            break
        pick = next((i for i, (_, vid) in enumerate(free) if vid != post["host_village_id"]), None)
        if pick is None:
            continue
        cid, _vid = free.pop(pick)
        row = {
            "township_id": tid,
            "candidate_id": cid,
            "post_id": post["id"],
            "batch_id": batch_id,
            "start_on": first,
            "end_on": last,
            "goal": GOALS[post["kind"]].format(post=post["name"], host=post["host"]),
            "ended_on": None,
            "cut_reason": "",
            "report": "",
            "grade": None,
            "evaluation": "",
            "evaluated_on": None,
            "evaluated_by_id": None,
            "created_by_id": context.clerk_of.get(tid),
        }
        if last < today:
            if rng.random() < 0.04 and (last - first).days > 20:
                row["ended_on"] = first + dt.timedelta(
                    days=rng.randint(10, (last - first).days - 1)
                )
                row["cut_reason"] = rng.choice(CUT_REASONS)
            elif (today - last).days > 45 or rng.random() < 0.6:
                grade = rng.choices(grades, weights)[0]
                row["report"] = rng.choice(REPORTS)
                row["grade"] = grade
                row["evaluation"] = EVALUATIONS[grade]
                row["evaluated_on"] = min(last + dt.timedelta(days=rng.randint(1, 10)), today)
                row["evaluated_by_id"] = context.secretary_of.get(tid)
            elif rng.random() < 0.5:
                row["report"] = rng.choice(REPORTS)
        rows.append(row)
    return rows
