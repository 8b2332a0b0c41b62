"""Demo 两委 seats: every village's secretary and director, with terms from the 2021 election."""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import insert, select

from app.extensions import db
from app.places.models import Village, VillageSeat
from app.seed.demo_data import generate_people_names

KINDS = ("party_secretary", "committee_director", "party_member", "committee_member")


def seed_area(context, echo) -> None:
    rng = random.Random(context.seed + 101)
    villages = db.session.execute(
        select(Village.id, Village.township_id).order_by(Village.id)
    ).all()
    names = iter(generate_people_names(len(villages) * len(KINDS), context.seed + 101))
    rows = []
    for village_id, township_id in villages:
        for kind in KINDS[: rng.choice((2, 3, 4))]:
            born = dt.date(rng.randint(1962, 1988), rng.randint(1, 12), rng.randint(1, 28))
            # Most terms run to the next 换届; a few were filled later or are vacant.
            term_end = dt.date(2026, 12, 31) if rng.random() < 0.85 else dt.date(2028, 6, 30)
            vacant = rng.random() < 0.05
            rows.append(
                {
                    "township_id": township_id,
                    "village_id": village_id,
                    "kind": kind,
                    "holder_name": "" if vacant else next(names),
                    "holder_birth_date": None if vacant else born,
                    "term_end": term_end,
                    "notes": "",
                    "created_dt": dt.datetime.now(dt.UTC),
                }
            )
    db.session.execute(insert(VillageSeat.__table__), rows)
    echo(f"村“两委”岗位：{len(rows)} 个")
