"""``seed-demo``: write the deterministic demo county into an empty database.

Rows go in with bulk INSERTs inside one transaction (a commit per row would take an hour at
200,000); the progress bar counts candidates.
"""

from __future__ import annotations

import datetime as dt
import importlib
import random
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

import click
from sqlalchemy import func, insert, select, text

from app import AREAS
from app.accounts.models import User
from app.accounts.passwords import hash_password
from app.core import audit, clock
from app.core.codes import Status
from app.core.db import utcnow
from app.core.pinyin import name_initials, name_pinyin, name_sort_key, text_sort_key
from app.extensions import db
from app.places.models import Township, Village
from app.roster import tallies
from app.roster.models import Candidate, StatusChange
from app.seed.demo_data import generate_candidates, generate_county

CHUNK = 5000


@dataclass(frozen=True)
class SeedContext:
    """What an area's ``demo.seed_area(context, echo)`` needs to add its part of the county.

    Areas read candidates back from the database (same transaction) and draw their randomness
    from ``random.Random(context.seed)`` so the county stays deterministic.
    """

    seed: int
    today: dt.date
    township_ids: list[int]
    clerk_of: dict[int, int]  # township id -> the demo clerk's user id
    secretary_of: dict[int, int]


# The path each status took, for the status history that seeding writes.
PATHS = {
    Status.nominated: [Status.nominated],
    Status.inspecting: [Status.nominated, Status.inspecting],
    Status.in_pool: [Status.nominated, Status.in_pool],
    Status.returned: [Status.nominated, Status.returned],
    Status.used: [Status.nominated, Status.in_pool, Status.used],
    Status.withdrawn: [Status.nominated, Status.in_pool, Status.withdrawn],
}
REASONS = {
    Status.returned: "考察材料不全，请补充民意调查结果后重新推荐",
    Status.used: "换届选举中当选",
    Status.withdrawn: "本人申请退出",
}


def seed_demo(*, count: int, seed: int, password: str | None, echo: Callable = click.echo):
    if db.session.scalar(select(func.count()).select_from(Township)):
        raise click.ClickException(
            "数据库中已有乡镇数据。seed-demo 只用于空数据库，请换一个数据库再试。"
        )
    started = time.perf_counter()
    shown_password = password or secrets.token_urlsafe(9)
    password_hash = hash_password(shown_password)
    today = clock.today()

    county = generate_county(seed)
    villages: list[Village] = []
    for spec in county:
        township = Township(name=spec.name, is_active=True)
        db.session.add(township)
        db.session.flush()
        for name in spec.villages:
            village = Village(township_id=township.id, name=name, name_sort=text_sort_key(name))
            db.session.add(village)
            villages.append(village)
    db.session.flush()
    township_ids = sorted({v.township_id for v in villages})

    users = _users(township_ids, password_hash)
    clerk_of = {u.township_id: u.id for u in users if u.role == "clerk"}
    secretary_of = {u.township_id: u.id for u in users if u.role == "secretary"}

    rows = generate_candidates(count, seed, len(villages), today)
    rng = random.Random(seed + 17)  # the status history's dates
    written = 0
    with click.progressbar(length=count, label="写入后备干部", show_pos=True) as bar:
        batch: list[dict] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= CHUNK:
                _write(batch, villages, clerk_of, secretary_of, rng, today)
                written += len(batch)
                bar.update(len(batch))
                batch = []
        if batch:
            _write(batch, villages, clerk_of, secretary_of, rng, today)
            written += len(batch)
            bar.update(len(batch))
    context = SeedContext(
        seed=seed,
        today=today,
        township_ids=township_ids,
        clerk_of=clerk_of,
        secretary_of=secretary_of,
    )
    for area in AREAS:
        try:
            module = importlib.import_module(f"app.{area}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"app.{area}.demo":
                raise
            continue
        module.seed_area(context, echo)
    # The bulk inserts bypassed the ORM: count the dashboard's tallies once, here.
    tallies.rebuild(db.session.connection())
    audit.record(
        "seed",
        "county",
        None,
        summary=f"生成演示数据：{len(township_ids)} 个乡镇，{written} 名后备干部",
    )
    db.session.commit()
    # Fresh statistics, or the query planner guesses at 200,000 rows and picks badly; on
    # PostgreSQL a VACUUM too (outside a transaction), so that index-only scans need not
    # visit the table until autovacuum would have come round.
    if db.session.get_bind().dialect.name == "postgresql":
        with db.engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                "VACUUM ANALYZE"
            )
    else:
        db.session.execute(text("ANALYZE"))
        db.session.commit()

    echo("演示账号（密码相同）：")
    for user in users:
        place = user.township.name if user.township_id else "县级"
        echo(f"  {user.username:<16} {user.role_label:<12} {place}")
    echo(f"  密码：{shown_password}")
    echo(
        f"已生成 {len(township_ids)} 个乡镇、{len(villages)} 个村（社区）、{len(users)} 个账号、"
        f"{written} 名后备干部，用时 {time.perf_counter() - started:.1f} 秒。"
    )


def _users(township_ids: list[int], password_hash: str) -> list[User]:
    users = []
    if db.session.scalar(select(User.id).where(User.username == "admin")) is None:
        users.append(User(username="admin", role="admin", display_name="县委组织部管理员"))
    users.append(User(username="county_secretary", role="secretary", display_name="县委组织部"))
    for n, township_id in enumerate(township_ids, start=1):
        users.append(
            User(
                username=f"t{n:02d}_secretary",
                role="secretary",
                township_id=township_id,
                display_name=f"组织委员{n:02d}",
            )
        )
        users.append(
            User(
                username=f"t{n:02d}_clerk",
                role="clerk",
                township_id=township_id,
                display_name=f"组织干事{n:02d}",
            )
        )
    for user in users:
        user.password_hash = password_hash
        user.is_enabled = True
        user.session_version = 1
        db.session.add(user)
    db.session.flush()
    return users


def _write(
    batch: list[dict],
    villages: list[Village],
    clerk_of: dict,
    secretary_of: dict,
    rng: random.Random,
    today: dt.date,
):
    now = utcnow()
    candidates = []
    for row in batch:
        village = villages[row["village_index"]]
        name = row["name"]
        candidates.append(
            {
                "township_id": village.township_id,
                "village_id": village.id,
                "name": name,
                "name_pinyin": name_pinyin(name),
                "name_initials": name_initials(name),
                "name_sort": name_sort_key(name),
                "gender": row["gender"],
                "ethnicity": row["ethnicity"],
                "birth_date": row["birth_date"],
                "id_number": row["id_number"],
                "id_reversed": row["id_number"][::-1],
                "political": row["political"],
                "education": row["education"],
                "major": row["major"],
                "phone": row["phone"],
                "source": row["source"],
                "occupation": row["occupation"],
                "speciality": row["speciality"],
                "direction": row["direction"],
                "entered_on": row["entered_on"],
                "status": row["status"],
                "notes": row["notes"],
                "is_deleted": False,
                "version": 1,
                "created_dt": now,
                "updated_dt": now,
                "created_by_id": clerk_of.get(village.township_id),
            }
        )
    # Core inserts (not ORM bulk): executemany with RETURNING, in parameter order.
    table = Candidate.__table__
    ids = db.session.scalars(
        insert(table).returning(table.c.id, sort_by_parameter_order=True), candidates
    ).all()
    changes = []
    for cid, row in zip(ids, candidates, strict=True):
        path = PATHS[Status(row["status"])]
        previous = None
        for step, when in zip(path, _step_dates(path, row["entered_on"], today, rng), strict=True):
            decider = secretary_of if step != Status.nominated else clerk_of
            changes.append(
                {
                    "candidate_id": cid,
                    "township_id": row["township_id"],
                    "from_status": previous,
                    "to_status": step.value,
                    "reason": REASONS.get(step, "" if previous else "新增录入"),
                    "actor_id": decider.get(row["township_id"]),
                    "created_dt": when,
                    "pool_entered_on": row["entered_on"],
                }
            )
            previous = step.value
    db.session.execute(insert(StatusChange.__table__), changes)


def _step_dates(path, entered_on, today: dt.date, rng: random.Random) -> list[dt.datetime]:
    """Plausible moments for each step, so the dashboard's pipeline has a history to count.

    Nomination comes weeks before entry into the pool; a use or a withdrawal months after.
    """
    entered = entered_on or today - dt.timedelta(days=rng.randint(5, 120))
    nominated = entered - dt.timedelta(days=rng.randint(20, 90) if entered_on else 0)
    dates = []
    for step in path:
        if step == Status.nominated:
            day = nominated
        elif step in (Status.inspecting, Status.returned):
            day = min(nominated + dt.timedelta(days=rng.randint(7, 30)), today)
        elif step == Status.in_pool:
            day = entered
        else:  # used or withdrawn
            earliest = entered + dt.timedelta(days=90)
            span = max((today - earliest).days, 0)
            day = earliest + dt.timedelta(days=rng.randint(0, span)) if span else today
        moment = dt.datetime.combine(day, dt.time(9, rng.randint(0, 59)), tzinfo=dt.UTC)
        dates.append(moment)
    return dates
