"""Demo inspections, two years of assessments, dynamic notes and outcomes for ``seed-demo``.

Rows follow each candidate's status: inspections before approval (the required methods for
those approved), 年终考核 for the last two years and some 平时考核 for those who entered the
pool, notes for some, and an outcome row for every used or withdrawn candidate, matching its
seeded note and status history. Bulk Core inserts, so 200,000 candidates take seconds.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from calendar import monthrange
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import and_, bindparam, insert, or_, select, update

from app.assessment.models import Assessment, DynamicNote, Inspection, Outcome
from app.assessment.operations import last_assessed_update
from app.assessment.queries import REQUIRED_METHODS
from app.core.codes import InspectionMethod, OutcomeKind, WithdrawalReason
from app.core.db import utcnow
from app.extensions import db
from app.places.models import Township, Village
from app.roster.models import Candidate, StatusChange

SALT = 5005
CHUNK = 50000

INSPECTORS = (
    "镇党委组织委员、驻村干部",
    "镇党委副书记、组织干事",
    "镇纪委书记、组织干事",
    "包村领导、村党组织书记",
    "镇党委组织委员、村务监督委员会主任",
)
FINDINGS = {
    "opinion_poll": (
        "发放测评表 {n} 份，收回 {n} 份，“好”和“较好”占 {p}%。",
        "召开党员和村民代表座谈会，参会 {n} 人，认可度 {p}%。",
    ),
    "special_survey": ("就带头致富、参与村务情况专项调查，群众反映积极。",),
    "extended": ("延伸考察其在原工作单位和居住地表现，遵纪守法，邻里关系和睦。",),
    "field_visit": (
        "实地走访其所在村民小组和致富项目，经营规范，带动周边农户 {k} 户。",
        "走访所在村党员群众 {k} 户，反映其热心公益、办事公道。",
    ),
    "home_visit": ("入户家访，家庭和睦，家属支持其参与村务工作。",),
    "interview": (
        "个别谈话：对村情熟悉，有为民服务意愿，思路较清晰。",
        "个别谈话：表达能力较好，对乡村振兴有自己的想法，需加强政策学习。",
    ),
}
CONCLUSIONS = ("符合推荐条件", "群众基础较好，建议列入考察对象", "情况属实，同意推荐", "符合条件")

# What the seeded notes of used/withdrawn candidates say, read as the outcome they record.
USED_NOTES = {
    "换届中当选村委会委员": "committee_member",
    "已任村党组织委员": "committee_member",
    "已任村委会主任": "committee_director",
    "已任村党组织书记": "party_secretary",
    "已任村党组织副书记": "committee_member",
}
USED_BY_DIRECTION = {
    "party_secretary": "party_secretary",
    "committee_director": "committee_director",
    "committee_member": "committee_member",
    "township_reserve": "township_reserve",
}
WITHDRAWN_NOTES = {
    "本人申请退出": ("own_request", "本人申请退出，经党委研究同意"),
    "外出务工长期不在村": ("away", "外出务工长期不在村，无法参加培养"),
    "考取公务员": ("other", "考取公务员，已到新单位报到"),
    "考取事业编制": ("other", "考取事业编制，已到新单位报到"),
    "迁出本村": ("away", "户籍迁出本村"),
    "年度考核不合格": ("failed_assessment", "年度考核不称职，经党委研究退出"),
    "不再符合培养条件": ("political", "经资格复查不再符合培养条件"),
}
OFFICES = ("镇党政办", "镇党建办", "镇便民服务中心", "镇综治中心", "镇经济发展办")

DIAGNOSES = {
    "note_village": ("所在村产业发展有起色，人居环境整治成效明显。", "村集体经济仍较薄弱。"),
    "note_opinion": ("群众评价较好，认为其办事公道、热心。", "部分群众反映联系群众不够。"),
    "note_thinking": ("对发展特色产业有清晰思路。", "工作思路有待拓宽。"),
    "note_overall": ("总体表现良好，建议继续重点培养。", "基本完成任务，需加强锻炼。"),
}
NOTES = {
    "thought": ("思想稳定，安心村务工作。", "有外出创业想法，已谈心谈话。", "工作积极性高。"),
    "whereabouts": ("常住本村。", "农闲时外出务工，节后返乡。", "陪护家人暂居县城。"),
    "employment": ("经营家庭农场。", "在本村合作社任会计。", "从事电商销售。"),
}


def _grade(average: float) -> str:
    if average >= 90:
        return "excellent"
    if average >= 75:
        return "competent"
    if average >= 65:
        return "basically_competent"
    return "incompetent"


INSPECTION_COLUMNS = (
    "township_id", "candidate_id", "method", "inspected_on", "inspectors", "findings",
    "conclusion", "author_id", "created_dt",
)  # fmt: skip
ASSESSMENT_COLUMNS = (
    "township_id", "candidate_id", "kind", "period", "year", "period_start", "period_end",
    "assessed_on", "score_de", "score_neng", "score_qin", "score_ji", "score_lian", "grade",
    "note_village", "note_opinion", "note_thinking", "note_overall", "is_latest", "assessor_id",
    "updated_dt", "created_dt",
)  # fmt: skip
NOTE_COLUMNS = (
    "township_id", "candidate_id", "kind", "noted_on", "text", "author_id", "created_dt",
)  # fmt: skip
OUTCOME_COLUMNS = (
    "township_id", "candidate_id", "kind", "outcome", "reason", "place", "decided_on", "detail",
    "author_id", "restored_on", "restore_reason", "restored_by_id", "created_dt",
)  # fmt: skip


def _insert(table, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Many rows at once, straight through the driver (values already in the form it takes,
    see ``_storage``): SQLite's ``executemany``, PostgreSQL's ``COPY``. SQLAlchemy's per-value
    type processing (SQLite) and per-row statements (PostgreSQL) would take many times longer
    for the area's half a million rows at 200,000 candidates."""
    if not rows:
        return
    connection = db.session.connection()
    names = ", ".join(columns)
    if connection.dialect.name == "postgresql":
        cursor = connection.connection.driver_connection.cursor()
        with cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    if connection.dialect.name != "sqlite":
        connection.execute(insert(table), [dict(zip(columns, r, strict=True)) for r in rows])
        return
    marks = ", ".join("?" * len(columns))
    sql = f"INSERT INTO {table.name} ({names}) VALUES ({marks})"  # noqa: S608 (our names)
    for i in range(0, len(rows), CHUNK):
        connection.exec_driver_sql(sql, rows[i : i + CHUNK])


def _storage(dialect: str):
    """Dates (by ordinal, cached) and the timestamp in the form the database stores them
    (SQLite: ISO text, naive UTC, as SQLAlchemy writes them)."""
    cache: dict[int, object] = {}
    sqlite = dialect == "sqlite"

    def day_of(ordinal: int):
        value = cache.get(ordinal)
        if value is None:
            day = dt.date.fromordinal(ordinal)
            value = cache[ordinal] = day.isoformat() if sqlite else day
        return value

    now = utcnow()
    return day_of, (now.replace(tzinfo=None).isoformat(" ") if sqlite else now)


def _days(start: dt.date, end: dt.date, rnd) -> dt.date:
    span = max((end - start).days, 0)
    return start + dt.timedelta(days=int(rnd() * (span + 1)))


def seed_area(context, echo) -> None:
    started = time.perf_counter()
    rng = random.Random(context.seed + SALT)
    rnd = rng.random
    today = context.today
    day_of, now = _storage(db.session.connection().dialect.name)
    rows = db.session.execute(
        select(
            Candidate.id,
            Candidate.township_id,
            Candidate.status,
            Candidate.entered_on,
            Candidate.notes,
            Candidate.direction,
            Village.name,
            Township.name,
        )
        .join(Village, Village.id == Candidate.village_id)
        .join(Township, Township.id == Candidate.township_id)
        .order_by(Candidate.id)
    ).all()
    # The roster's seed dated each status change: outcomes and inspections follow those dates.
    zone = ZoneInfo(current_app.config["ROSTER_TIMEZONE"])
    moved = {
        (cid, target): min(created.astimezone(zone).date(), today)
        for cid, target, created in db.session.execute(
            select(StatusChange.candidate_id, StatusChange.to_status, StatusChange.created_dt)
            .join(Candidate, Candidate.id == StatusChange.candidate_id)
            .where(
                or_(
                    StatusChange.to_status.in_(("used", "withdrawn")),
                    and_(
                        StatusChange.from_status.is_(None),
                        Candidate.status.in_(("nominated", "inspecting", "returned")),
                    ),
                )
            )
        )
    }
    methods = [m.value for m in InspectionMethod]
    required = [m.value for m in REQUIRED_METHODS]
    extra = [m for m in methods if m not in required]
    findings = {
        method: [
            text.format(n=n, p=p, k=k)
            for text in texts
            for n, p, k in ((30, 92, 12), (45, 96, 20), (52, 88, 26))
        ]
        for method, texts in FINDINGS.items()
    }
    inspections, assessments, notes, outcomes, reasons = [], [], [], [], []
    years = (today.year - 2, today.year - 1)
    annual_spans = {
        year: (
            f"{year}年度",
            day_of(dt.date(year, 1, 1).toordinal()),
            day_of(dt.date(year, 12, 31).toordinal()),
        )
        for year in years
    }
    quarters = []
    for quarter in range(1, 5):
        last_month = 3 * quarter
        start = dt.date(today.year, last_month - 2, 1)
        end = dt.date(today.year, last_month, monthrange(today.year, last_month)[1])
        quarters.append((quarter, start, end, f"{today.year}年第{quarter}季度"))
    # Inspections of candidates approved more than two years ago stayed on paper.
    recent = today - dt.timedelta(days=730)
    today_ord = today.toordinal()
    diagnoses_good = tuple(texts[0] for texts in DIAGNOSES.values())
    diagnoses_weak = tuple(texts[1] for texts in DIAGNOSES.values())
    no_diagnoses = ("",) * len(DIAGNOSES)

    for cid, township_id, status, entered_on, note_text, direction, village, township in rows:
        clerk = context.clerk_of.get(township_id)
        secretary = context.secretary_of.get(township_id)

        # ---- inspections: the required ones for the approved; some for those waiting
        if entered_on is not None:
            if entered_on >= recent:
                done = required + ([extra[int(rnd() * len(extra))]] if rnd() < 0.3 else [])
            else:
                done = ()
            # Between the nomination (20-90 days before entry) and the approval.
            first, span = entered_on.toordinal() - 19, 18
        else:
            waiting = {"nominated": (0, 0, 1, 2), "inspecting": (1, 2, 3)}.get(status, (0, 1))
            done = rng.sample(methods, waiting[int(rnd() * len(waiting))])
            nominated = moved.get((cid, "nominated"), today - dt.timedelta(days=60))
            first, span = nominated.toordinal(), max(today_ord - nominated.toordinal(), 0)
        for method in done:
            texts = findings[method]
            inspections.append(
                (
                    township_id,
                    cid,
                    method,
                    day_of(first + int(rnd() * span)),
                    INSPECTORS[int(rnd() * len(INSPECTORS))],
                    texts[int(rnd() * len(texts))],
                    CONCLUSIONS[int(rnd() * len(CONCLUSIONS))],
                    clerk,
                    now,
                )
            )

        if entered_on is None:
            continue

        # ---- outcome first: assessments stop when the candidate left the pool
        left_on = None
        if status == "used":
            left_on = moved.get((cid, "used")) or _days(
                entered_on + dt.timedelta(days=180), today, rnd
            )
            left = day_of(left_on.toordinal())
            outcome = USED_NOTES.get(note_text) or USED_BY_DIRECTION.get(direction)
            if outcome == "township_reserve" and rnd() < 0.4:
                outcome = "township_office"
            place = (
                OFFICES[int(rnd() * len(OFFICES))]
                if outcome == "township_office"
                else f"{township}党委"
                if outcome == "township_reserve"
                else village
            )
            outcomes.append(
                (township_id, cid, "used", outcome, None, place, left, "",
                 secretary, None, "", None, now)
            )  # fmt: skip
            why = f"{OutcomeKind.label_of(outcome)}（{place}，{left_on:%Y-%m-%d}）"
            reasons.append({"cid": cid, "target": "used", "why": why})
        elif status == "withdrawn":
            left_on = moved.get((cid, "withdrawn")) or _days(
                entered_on + dt.timedelta(days=90), today, rnd
            )
            left = day_of(left_on.toordinal())
            reason, detail = WITHDRAWN_NOTES.get(note_text, WITHDRAWN_NOTES["本人申请退出"])
            outcomes.append(
                (township_id, cid, "withdrawn", None, reason, "", left, detail,
                 secretary, None, "", None, now)
            )  # fmt: skip
            label = WithdrawalReason.label_of(reason)
            why = f"退出（{label}，{left_on:%Y-%m-%d}）：{detail}"
            reasons.append({"cid": cid, "target": "withdrawn", "why": why})

        # ---- assessments: 年终考核 of the last two years, some 平时考核 this year
        periods = []  # (kind, name, year, start, end, assessed_on)
        for year in years:
            assessed = dt.date.fromordinal(dt.date(year + 1, 1, 8).toordinal() + int(rnd() * 20))
            if entered_on <= dt.date(year, 9, 30) and assessed <= today:
                name, start, end = annual_spans[year]
                periods.append(("annual", name, year, start, end, assessed))
        if rnd() < 0.35:
            for _quarter, start, end, name in quarters:
                assessed = end + dt.timedelta(days=5 + int(rnd() * 15))
                if entered_on <= start and assessed <= today and rnd() < 0.6:
                    periods.append(
                        (
                            "regular",
                            name,
                            today.year,
                            day_of(start.toordinal()),
                            day_of(end.toordinal()),
                            assessed,
                        )
                    )
        if left_on is not None:
            periods = [p for p in periods if p[5] < left_on]
        if not periods:
            continue
        # The latest period; of a year and its last quarter, the year (see refresh_latest).
        latest = max(periods, key=lambda p: (p[4], p[0] == "annual"))
        ability = 77 + 15 * rnd() if rnd() > 0.05 else 56 + 12 * rnd()
        failing = status == "withdrawn" and note_text == "年度考核不合格"
        for period in periods:
            kind, name, year, start, end, assessed = period
            level = 58 + 6 * rnd() if failing and period is latest else ability + 6 * (rnd() - 0.5)
            # level lies in 53..95, so these stay within 0..100 (廉 is capped: it runs high).
            de = int(level + 8 * rnd() - 3.5)
            neng = int(level + 8 * rnd() - 3.5)
            qin = int(level + 8 * rnd() - 3.5)
            ji = int(level + 8 * rnd() - 3.5)
            lian = min(100, int(level + 6 * rnd() + 3.5))
            average = (de + neng + qin + ji + lian) / 5
            diagnoses = (
                no_diagnoses
                if kind != "annual"
                else diagnoses_good
                if average >= 75
                else diagnoses_weak
            )
            assessments.append(
                (township_id, cid, kind, name, year, start, end, day_of(assessed.toordinal()),
                 de, neng, qin, ji, lian, _grade(average), *diagnoses,
                 period is latest, secretary, now, now)
            )  # fmt: skip

    # ---- dynamic notes for about one in six
    kinds = tuple(NOTES)
    for cid, township_id, *_ in rows:
        if rnd() < 0.16:
            for _ in range(1 if rnd() < 0.75 else 2):
                kind = kinds[int(rnd() * len(kinds))]
                texts = NOTES[kind]
                notes.append(
                    (
                        township_id,
                        cid,
                        kind,
                        day_of(today_ord - int(rnd() * 700)),
                        texts[int(rnd() * len(texts))],
                        context.clerk_of.get(township_id),
                        now,
                    )
                )

    _insert(Inspection.__table__, INSPECTION_COLUMNS, inspections)
    _insert(Assessment.__table__, ASSESSMENT_COLUMNS, assessments)
    db.session.execute(last_assessed_update())
    _insert(DynamicNote.__table__, NOTE_COLUMNS, notes)
    _insert(Outcome.__table__, OUTCOME_COLUMNS, outcomes)
    # The status history says what the outcome row says.
    if reasons:
        table = StatusChange.__table__
        db.session.execute(
            update(table)
            .where(
                table.c.candidate_id == bindparam("cid"), table.c.to_status == bindparam("target")
            )
            .values(reason=bindparam("why")),
            reasons,
        )
    echo(
        f"考察记录 {len(inspections)} 条，考核 {len(assessments)} 次，"
        f"动态记录 {len(notes)} 条，使用/退出 {len(outcomes)} 人"
        f"（用时 {time.perf_counter() - started:.1f} 秒）"
    )
