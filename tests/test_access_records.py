"""Per-record access: every route with an id in its URL, for every method it registers and every
kind of user, on township A's records.

The answer is what the role allows: the page or the redirect for an allowed user; 404 for a
user of another township (exactly as a missing id); 403 for an action above the role. A denied
request writes nothing; an allowed POST writes. ``RULES`` says, per endpoint, which record the
id names and who may do what; it is checked against ``app.url_map``, so a new route with an id
and no rule fails here. Then: forms tampered with another township's ids, lists and filters
given another township's ids, and the pairing form's answer for a foreign or unknown mentor.

One world (two townships, real records made by the app's operations) is built per backend for
the whole module, inside a transaction that is never committed: every case runs in a savepoint
that is rolled back after it, so each case sees the same world and the tables stay empty for
the tests after this module.
"""

from __future__ import annotations

import datetime as dt
import html as html_lib
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.core import clock
from app.core.idcard import make_id_number
from app.excel.columns import HEADERS
from app.extensions import db
from tests import helpers
from tests.conftest import Factory, login, make_app

# ---- who -----------------------------------------------------------------------------------

USERS = ("admin", "secretary_a", "clerk_a", "secretary_b", "clerk_b")
ROLE = {who: who.split("_")[0] for who in USERS}
OF_A = {"admin", "secretary_a", "clerk_a"}  # who may see township A's records at all

ALL = frozenset({"admin", "secretary", "clerk"})
ENTERERS = frozenset({"admin", "clerk"})  # enter and keep records (录入、维护)
DECIDERS = frozenset({"admin", "secretary"})  # approve, assess, decide outcomes
ADMIN = frozenset({"admin"})

# Names that belong to township A: none may reach a user of township B.
A_NAMES = (
    "安平镇",
    "甲东村",
    "甲西村",
    "安若素",
    "安若溪",
    "安若川",
    "安若水",
    "安若山",
    "安若云",
    "安若风",
    "安德明",
    "安德亮",
    "安平信访接待",
    "安平第一批",
    "安平雏鹰计划",
)
B_NAMES = ("白河镇", "乙东村", "乙西村", "白云飞", "白云起", "白德清", "白河信访接待", "白河第一批")


def day(offset: int) -> str:
    return (clock.today() + dt.timedelta(days=offset)).isoformat()


# ---- the rules -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Access:
    """Who may use one method of a route.

    ``roles``: the route lets these roles in; any other role gets 403 before the record is
    looked up. ``then``: the roles the found record allows (403 after the lookup), if narrower.
    ``form``: a valid POST body for an allowed user, built from the world's ids. ``done``: the
    answer an allowed user gets."""

    roles: frozenset
    then: frozenset | None = None
    form: Callable[[dict], dict] | None = None
    done: int = 200


@dataclass(frozen=True)
class Rule:
    """Which record the route's id names (a key of the world's ids), and who may do what.

    ``scope``: ``township`` — users of another township get 404; ``uploader`` — only the user
    who uploaded the file sees it (404 for everyone else); ``county`` — admin pages, where no
    one gets a 404; ``own`` — every user works on its own township's record (a county user
    names the township in the query)."""

    record: str
    get: Access | None = None
    post: Access | None = None
    scope: str = "township"
    also: dict[str, str] = field(default_factory=dict)  # other URL arguments -> their record
    query: Callable[[dict], dict] | None = None

    def access(self, method: str) -> Access:
        return self.get if method == "GET" else self.post


def read(roles, **kwargs) -> Access:
    return Access(frozenset(roles), **kwargs)


def write(roles, form, *, then=None, done: int = 302) -> Access:
    return Access(frozenset(roles), then=then, form=form, done=done)


def candidate_form(ids: dict) -> dict:
    from app.roster.models import Candidate

    c = db.session.get(Candidate, ids["pool"])
    return {
        "name": c.name,
        "id_number": c.id_number,
        "gender": c.gender,
        "birth_date": c.birth_date.isoformat(),
        "ethnicity": c.ethnicity,
        "political": c.political,
        "education": c.education,
        "phone": "13900139000",  # the change
        "village_id": str(c.village_id),
        "source": c.source,
        "direction": c.direction,
        "entered_on": c.entered_on.isoformat() if c.entered_on else "",
        "version": str(c.version),
    }


def assessment_form(ids: dict, **overrides) -> dict:
    return {
        "kind": "annual",
        "period": str(clock.today().year - 1),
        "assessed_on": day(0),
        "score_de": "91",
        "score_neng": "85",
        "score_qin": "80",
        "score_ji": "75",
        "score_lian": "95",
        "grade": "competent",
        "note_overall": "总体称职，继续培养",
    } | overrides


def mentor_form(ids: dict, **overrides) -> dict:
    return {
        "name": "安德明",
        "position": "former_secretary",
        "unit": "甲东村",
        "phone": "13900001111",
        "capacity": "3",
        "notes": "熟悉村务",  # the change
        "township_id": str(ids["township"]),  # a county user's choice; no field for others
    } | overrides


def pairing_form(ids: dict, **overrides) -> dict:
    return {
        "mentor_id": str(ids["mentor"]),
        "start_on": day(-60),
        "end_on": day(300),
        "goals": "熟悉村务，学会主持村民议事",
    } | overrides


def village_pairing_form(ids: dict, **overrides) -> dict:
    return {
        "village_a_id": str(ids["village"]),
        "village_b_id": str(ids["village2"]),
        "kind": "strong_weak",
        "start_on": day(-30),
        "end_on": day(700),
        "purpose": "以强带弱，共同发展民宿产业",
    } | overrides


def seat_form(ids: dict, **overrides) -> dict:
    return {
        "village_id": str(ids["village"]),
        "kind": "party_secretary",
        "holder_name": "孙国强",
        "holder_birth_date": "1966-04-02",
        "term_end": "2027-01-31",
    } | overrides


def post_form(ids: dict, **overrides) -> dict:
    return {
        "township_id": str(ids["township"]),
        "kind": "frontline",
        "name": "安平信访接待",
        "host": "镇信访办",
        "capacity": "3",
        "is_active": "y",
    } | overrides


def batch_form(ids: dict, **overrides) -> dict:
    return {
        "township_id": str(ids["township"]),
        "name": "安平第一批",
        "start_on": day(-60),
        "end_on": day(150),
        "notes": "跨村任职与窗口试岗",
    } | overrides


def placement_form(ids: dict, **overrides) -> dict:
    return {
        "post_id": str(ids["window"]),
        "batch_id": str(ids["batch"]),
        "start_on": day(10),
        "end_on": day(70),
        "goal": "学会帮办代办的常见事项",
    } | overrides


def new_placement_form(ids: dict, **overrides) -> dict:
    """A new placement that breaks no rule: a free post (for a candidate under inspection, the
    one ``new_placement_path`` picks)."""
    return placement_form(ids, **({"post_id": str(ids["post"])} | overrides))


def new_placement_path(ids: dict, candidate: str = "inspecting") -> str:
    """The new-placement form's page with its candidate picked (the pick page puts it there)."""
    return f"/posts/placements/new?candidate={ids[candidate]}"


def programme_form(ids: dict, **overrides) -> dict:
    return {
        "name": "安平雏鹰计划",
        "township_id": str(ids["township"]),
        "target_group": "35 岁以下在库后备干部",
        "start_on": day(-200),
        "end_on": day(500),
        "description": "每半年一轮",
    } | overrides


def round_form(ids: dict, start: int = -20, **overrides) -> dict:
    return {
        "starts_on": day(start),
        "ends_on": day(start + 2),
        "place": "镇党校",
        "topics": "村级组织建设",
        "assignment_title": "本村发展调研报告",
        "assignment_due_on": day(start + 47),
    } | overrides


def results_form(ids: dict, enrolment: str = "enrolment") -> dict:
    return {
        "rows-0-enrolment_id": str(ids[enrolment]),
        "rows-0-attended": "yes",
        "rows-0-submitted": "yes",
        "rows-0-score": "90",
        "rows-0-comment": "调研扎实",
    }


RULES: dict[str, Rule] = {
    # ---- the roster ----
    "roster.detail": Rule("pool", get=read(ALL)),
    "roster.print_view": Rule("pool", get=read(ALL)),
    "roster.edit": Rule("pool", get=read(ENTERERS), post=write(ENTERERS, candidate_form)),
    "roster.reveal_id": Rule("pool", post=write(ALL, lambda ids: {}, done=200)),
    "roster.change_status": Rule(
        "nominated",
        post=write(ALL, lambda ids: {"target": "inspecting", "reason": "同意"}, then=DECIDERS),
    ),
    # ---- inspections, notes, assessments, outcomes ----
    "assessment_records.new_inspection": Rule(
        "pool",
        get=read(ALL),
        post=write(
            ALL,
            lambda ids: {
                "method": "interview",
                "inspected_on": day(0),
                "inspectors": "镇党委组织委员李明",
                "findings": "熟悉村情",
                "conclusion": "符合条件",
            },
        ),
    ),
    "assessment_records.new_note": Rule(
        "pool",
        get=read(ALL),
        post=write(ALL, lambda ids: {"kind": "thought", "noted_on": day(0), "text": "思想稳定"}),
    ),
    "assessment_records.new_assessment": Rule(
        "pool",
        get=read(DECIDERS),
        post=write(DECIDERS, lambda ids: assessment_form(ids, period=str(clock.today().year))),
    ),
    "assessment_records.edit_assessment": Rule(
        "assessment",
        also={"candidate_id": "pool"},
        get=read(DECIDERS),
        post=write(DECIDERS, assessment_form),
    ),
    "assessment_records.use": Rule(
        "pool",
        get=read(DECIDERS),
        post=write(
            DECIDERS,
            lambda ids: {"outcome": "party_secretary", "place": "甲东村", "decided_on": day(0)},
        ),
    ),
    "assessment_records.withdraw": Rule(
        "pool",
        get=read(DECIDERS),
        post=write(
            DECIDERS,
            lambda ids: {"reason": "away", "detail": "赴外地务工", "decided_on": day(0)},
        ),
    ),
    "assessment_records.restore": Rule(
        "withdrawn",
        get=read(DECIDERS),
        post=write(DECIDERS, lambda ids: {"reason": "返乡创业，本人申请继续培养"}),
    ),
    # ---- the Excel import: an upload is its uploader's alone ----
    "excel.preview": Rule("upload", scope="uploader", get=read(ENTERERS)),
    "excel.errors": Rule("upload", scope="uploader", get=read(ENTERERS)),
    "excel.confirm": Rule("upload", scope="uploader", post=write(ENTERERS, lambda ids: {})),
    "excel.discard": Rule("upload", scope="uploader", post=write(ENTERERS, lambda ids: {})),
    # ---- mentoring ----
    "mentoring.mentor": Rule("mentor", get=read(ALL)),
    "mentoring.mentor_edit": Rule("mentor", get=read(ENTERERS), post=write(ENTERERS, mentor_form)),
    "mentoring.mentor_delete": Rule("mentor_free", post=write(ENTERERS, lambda ids: {})),
    "mentoring.pairing": Rule("pairing", get=read(ALL)),
    "mentoring.pairing_edit": Rule(
        "pairing", get=read(ENTERERS), post=write(ENTERERS, pairing_form)
    ),
    "mentoring.pairing_end": Rule(
        "pairing",
        get=read(ENTERERS),
        post=write(
            ENTERERS,
            lambda ids: {
                "ended_on": day(0),
                "mentor_evaluation": "进步明显",
                "candidate_summary": "学会了主持议事",
            },
        ),
    ),
    "mentoring.activity_add": Rule(
        "pairing",
        post=write(
            ENTERERS,
            lambda ids: {
                "held_on": day(0),
                "form": "onsite",
                "hours": "1.5",
                "content": "现场教学：调解邻里纠纷",
            },
        ),
    ),
    "mentoring.activity_delete": Rule("activity", post=write(ENTERERS, lambda ids: {})),
    "mentoring.village": Rule("village", get=read(ALL)),
    "mentoring.village_pairing_edit": Rule(
        "village_pairing", get=read(ENTERERS), post=write(ENTERERS, village_pairing_form)
    ),
    # ---- village seats ----
    "places.seat": Rule("seat", get=read(ENTERERS), post=write(ENTERERS, seat_form)),
    "places.delete_seat": Rule("seat", post=write(ENTERERS, lambda ids: {})),
    # ---- trial posts ----
    "posts.post": Rule("post", get=read(ALL)),
    "posts.edit_post": Rule("post", get=read(ENTERERS), post=write(ENTERERS, post_form)),
    "posts.batch": Rule("batch", get=read(ALL)),
    "posts.edit_batch": Rule("batch", get=read(ENTERERS), post=write(ENTERERS, batch_form)),
    "posts.placement": Rule("placement", get=read(ALL)),
    "posts.edit_placement": Rule(
        "planned", get=read(ENTERERS), post=write(ENTERERS, placement_form)
    ),
    "posts.cancel": Rule("planned", post=write(ENTERERS, lambda ids: {})),
    "posts.cut": Rule(
        "placement",
        post=write(ENTERERS, lambda ids: {"ended_on": day(0), "cut_reason": "调任村文书"}),
    ),
    "posts.report": Rule(
        "placement", post=write(ALL, lambda ids: {"report": "学会了帮办代办的流程"})
    ),
    "posts.evaluate": Rule(
        "placement",
        post=write(
            ALL, lambda ids: {"grade": "pass", "evaluation": "认真", "evaluated_on": day(0)}
        ),
    ),
    # A plan is its township's: a township user saves its own (the query is for county users).
    "posts.save_plan": Rule(
        "plan",
        scope="own",
        query=lambda ids: {"township": ids["township"]},
        post=write(
            DECIDERS,
            lambda ids: {
                f"{ids['plan']}-months_window": "3",
                f"{ids['plan']}-months_frontline": "2",
            },
        ),
    ),
    # ---- training ----
    "training.programme": Rule("programme", get=read(ALL)),
    "training.programme_edit": Rule(
        "programme", get=read(ENTERERS), post=write(ENTERERS, programme_form)
    ),
    "training.round_new": Rule(
        "programme",
        get=read(ENTERERS),
        post=write(ENTERERS, lambda ids: round_form(ids, start=30)),
    ),
    "training.enrol": Rule(
        "programme",
        get=read(ENTERERS),
        post=write(ENTERERS, lambda ids: {"candidate_ids": [str(ids["pool2"])]}),
    ),
    "training.enrolment_remove": Rule("enrolment", post=write(ENTERERS, lambda ids: {})),
    "training.round_detail": Rule("round", get=read(ALL)),
    "training.round_edit": Rule(
        "round", get=read(ENTERERS), post=write(ENTERERS, lambda ids: round_form(ids, place="村部"))
    ),
    "training.results": Rule("round", get=read(ENTERERS), post=write(ENTERERS, results_form)),
    # ---- county administration: admins only ----
    "admin.township": Rule(
        "township",
        scope="county",
        get=read(ADMIN),
        post=write(ADMIN, lambda ids: {"rename-name": "安平新镇", "rename-submit": "保存"}),
    ),
    "admin.village": Rule(
        "village",
        scope="county",
        get=read(ADMIN),
        post=write(ADMIN, lambda ids: {"name": "甲东新村", "is_active": "y"}),
    ),
    "admin.unlock_user": Rule("clerk_a", scope="county", post=write(ADMIN, lambda ids: {})),
    "admin.user": Rule(
        "clerk_a",
        scope="county",
        get=read(ADMIN),
        post=write(
            ADMIN,
            lambda ids: {
                "username": "clerk_a",
                "display_name": "安干事",
                "role": "clerk",
                "township_id": str(ids["township"]),
                "is_enabled": "y",
            },
        ),
    ),
}

# Routes with a converter that name no record: files the app serves to anyone.
NOT_RECORDS = {"static", "bootstrap.static"}
METHODS = ("GET", "POST")


def record_routes(app):
    """(endpoint, method, rule) of every route with an argument in its URL."""
    for rule in app.url_map.iter_rules():
        if rule.arguments and rule.endpoint not in NOT_RECORDS:
            for method in sorted(set(METHODS) & rule.methods):
                yield rule.endpoint, method, rule


CASES = [
    (endpoint, method)
    for endpoint, rule in RULES.items()
    for method in METHODS
    if rule.access(method) is not None
]


def sees(scope: str, who: str) -> bool:
    if scope == "township":
        return who in OF_A
    if scope == "uploader":
        return who == "clerk_a"
    return True  # county pages (role decides), or each user's own township


def expected(rule: Rule, method: str, who: str) -> int:
    access = rule.access(method)
    role = ROLE[who]
    if role not in access.roles:
        return 403
    if not sees(rule.scope, who):
        return 404
    if access.then is not None and role not in access.then:
        return 403
    return access.done


# ---- the world -----------------------------------------------------------------------------


def import_row(**overrides) -> dict:
    return {
        "姓名": "安若海",
        "身份证号": make_id_number("430521", dt.date(1992, 3, 4), 998, "M"),
        "政治面貌": "中共党员",
        "学历": "本科",
        "所在村": "甲东村",
        "来源类别": "退役军人",
        "培养方向": "村党组织书记",
        "联系电话": "13800138000",
    } | overrides


def build_world(make: Factory) -> dict[str, Any]:
    """Two townships with a record of every kind each; the ids of A's (and ``b_`` B's)."""
    today = clock.today()

    def on(offset: int) -> dt.date:
        return today + dt.timedelta(days=offset)

    a = make.township("安平镇", villages=("甲东村", "甲西村", "甲南村"))
    b = make.township("白河镇", villages=("乙东村", "乙西村"))
    users = {
        "admin": make.user("admin", None, username="county_admin"),
        "secretary_a": make.user("secretary", a, username="secretary_a"),
        "clerk_a": make.user("clerk", a, username="clerk_a"),
        "secretary_b": make.user("secretary", b, username="secretary_b"),
        "clerk_b": make.user("clerk", b, username="clerk_b"),
    }
    ids: dict[str, Any] = {"township": a.id, "b_township": b.id}
    ids |= {"clerk_a": users["clerk_a"].id}
    village = {v.name: v for v in (*a.villages, *b.villages)}
    ids |= {"village": village["甲东村"].id, "village2": village["甲西村"].id}
    ids |= {"b_village": village["乙东村"].id, "b_village2": village["乙西村"].id}

    people = {
        "nominated": ("安若素", a, "nominated"),
        "inspecting": ("安若溪", a, "inspecting"),
        "returned": ("安若川", a, "returned"),
        "pool": ("安若水", a, "in_pool"),
        "pool2": ("安若山", a, "in_pool"),
        "withdrawn": ("安若云", a, "withdrawn"),
        "used": ("安若风", a, "used"),
        "b_pool": ("白云飞", b, "in_pool"),
        "b_nominated": ("白云起", b, "nominated"),
    }
    made = {}
    for key, (name, township, status) in people.items():
        made[key] = make.candidate(township, status=status, name=name)
        ids[key] = made[key].id
    ids["assessment"] = make.assessment(made["pool"]).id

    def window(township):
        from app.posts.models import Post

        return db.session.scalars(
            select(Post).where(Post.township_id == township.id, Post.name == "帮办代办窗口")
        ).one()

    ids["window"], ids["b_window"] = window(a).id, window(b).id
    post = make.post(a, name="安平信访接待")
    b_post = make.post(b, name="白河信访接待")
    ids["post"], ids["b_post"] = post.id, b_post.id
    batch = make.batch(a, on(-60), on(150), name="安平第一批")
    ids["batch"] = batch.id
    ids["b_batch"] = make.batch(b, on(-60), on(150), name="白河第一批").id
    ids["placement"] = make.placement(made["pool"], window(a), on(-30), on(60), batch).id
    ids["planned"] = make.placement(made["pool2"], window(a), on(10), on(70), batch).id
    ids["b_placement"] = make.placement(made["b_pool"], b_post, on(-30), on(60)).id

    mentor = make.mentor(a, name="安德明", unit="甲东村")
    ids["mentor"] = mentor.id
    ids["mentor_free"] = make.mentor(a, name="安德亮", unit="甲西村").id
    b_mentor = make.mentor(b, name="白德清", unit="乙东村")
    ids["b_mentor"] = b_mentor.id
    pairing = make.pairing(made["pool"], mentor, on(-60), on(300))
    ids["pairing"] = pairing.id
    ids["activity"] = make.activity(pairing, on(-10)).id
    ids["b_pairing"] = make.pairing(made["b_pool"], b_mentor, on(-60), on(300)).id
    ids["village_pairing"] = make.village_pairing(
        village["甲东村"], village["甲西村"], on(-30), on(700)
    ).id
    ids["b_village_pairing"] = make.village_pairing(
        b.villages[0], b.villages[1], on(-30), on(700)
    ).id
    # Across townships (made by the county): both townships see it, neither may change it.
    ids["cross_pairing"] = make.village_pairing(
        village["甲南村"], village["乙西村"], on(-30), on(700)
    ).id

    programme = make.programme(a, name="安平雏鹰计划")
    ids["programme"] = programme.id
    ids["round"] = make.training_round(programme, on(-20)).id
    (enrolment,) = make.enrol(programme, made["pool"])
    ids["enrolment"] = enrolment.id
    b_programme = make.programme(b, name="白河雏鹰计划")
    ids["b_programme"] = b_programme.id
    make.training_round(b_programme, on(-20))
    (b_enrolment,) = make.enrol(b_programme, made["b_pool"])
    ids["b_enrolment"] = b_enrolment.id
    # A county programme takes both townships' candidates: each sees only its own.
    county = make.programme(None, name="全县雏雁工程")
    ids["county_programme"] = county.id
    ids["county_round"] = make.training_round(county, on(-20)).id
    a_in_county, b_in_county = make.enrol(county, made["pool"], made["b_pool"])
    ids["county_enrolment"], ids["b_county_enrolment"] = a_in_county.id, b_in_county.id

    ids["seat"] = make.seat(village["甲东村"]).id
    ids["b_seat"] = make.seat(village["乙东村"], holder_name="钱志远").id
    ids["upload"] = make.upload(users["clerk_a"], helpers.xlsx_bytes([import_row()], HEADERS)).token
    ids["plan"] = "party_secretary"
    return {"ids": ids, "users": users}


def dump() -> dict[str, list]:
    """Every row of every table, but the failed-login counts and the audit of denied requests."""
    from app.core.audit import AuditEntry

    rows = {}
    for table in db.metadata.sorted_tables:
        if table.name == "login_throttles":
            continue
        stmt = select(table).order_by(*table.primary_key.columns)
        if table.name == AuditEntry.__tablename__:
            stmt = stmt.where(table.c.action != "denied")
        rows[table.name] = [tuple(row) for row in db.session.execute(stmt)]
    db.session.rollback()
    return rows


@dataclass
class World:
    ids: dict[str, Any]
    clients: dict
    connection: Any
    before: dict[str, list]

    def url(self, app, endpoint: str, record: str | None = None, *, missing=False) -> str:
        """The endpoint's URL for its rule's record (or for ``record``); ``missing``: for ids
        that name nothing at all."""
        rule = RULES[endpoint]
        (werkzeug_rule,) = [r for r in app.url_map.iter_rules() if r.endpoint == endpoint]
        values = {
            arg: self.ids[rule.also.get(arg, record or rule.record)]
            for arg in werkzeug_rule.arguments
        }
        if missing:
            values = {k: 987654 if isinstance(v, int) else "x" * 32 for k, v in values.items()}
        if rule.query:
            values |= rule.query(self.ids)
        return app.url_map.bind("localhost").build(endpoint, values)


@pytest.fixture(scope="module")
def world(database_url):
    """The world, built once per backend in a transaction that is rolled back at the end."""
    app = make_app(database_url)
    with app.app_context():
        engines = db.engines  # this app's: the default engine is swapped for one connection
        engine = engines[None]
        connection = engine.connect()
        outer = connection.begin()
        factory = db.session.session_factory
        saved = dict(factory.kw)
        # Every commit of the app (and of the factories) releases a savepoint instead.
        factory.configure(join_transaction_mode="create_savepoint")
        engines[None] = connection
        db.session.remove()
        try:
            built = build_world(Factory(app))
            clients = {}
            for who, user in built["users"].items():
                clients[who] = app.test_client()
                login(clients[who], user)
            db.session.remove()
            yield app, World(built["ids"], clients, connection, dump())
        finally:
            db.session.remove()
            engines[None] = engine
            factory.kw.clear()
            factory.kw.update(saved)
            outer.rollback()
            connection.close()
            engine.dispose()


@dataclass
class Answer:
    status: int
    text: str
    location: str
    written: bool


def text_of(response) -> str:
    """The page as text; a workbook's cells, one per line."""
    data = response.get_data()
    if data[:2] == b"PK":
        wb = load_workbook(io.BytesIO(data), read_only=True)
        cells = [
            str(value)
            for ws in wb.worksheets
            for row in ws.iter_rows(values_only=True)
            for value in row
            if value is not None
        ]
        wb.close()
        return "\n".join(cells)
    return html_lib.unescape(data.decode())


def ask(world: World, who: str, method: str, path: str, data=None, *, after=None) -> Answer:
    """One request in a savepoint rolled back after it: what it answered, and whether it wrote.
    ``after(answer)`` runs in the savepoint before the rollback, to look at what was written."""
    db.session.remove()  # whatever the test read ends here, outside the case's savepoint
    savepoint = world.connection.begin_nested()
    try:
        client = world.clients[who]
        if method == "GET":
            response = client.get(path)
        else:
            # As a browser would: the form is opened first (its version, its one-time token).
            response = client.post(path, data=helpers.opened(client, path) | (data or {}))
        answer = Answer(
            response.status_code,
            text_of(response),
            response.headers.get("Location", ""),
            dump() != world.before,
        )
        response.close()
        with client.session_transaction() as session:
            session.pop("_flashes", None)  # a message not shown is not carried to the next case
        if after is not None:
            after(answer)
        return answer
    finally:
        db.session.remove()
        savepoint.rollback()


# ---- the table is the app's ----------------------------------------------------------------


def test_every_route_with_an_id_has_a_rule_and_no_rule_is_stale(world):
    app, _ = world
    routes = {(endpoint, method) for endpoint, method, _ in record_routes(app)}
    ruled = set(CASES)
    assert routes - ruled == set(), "routes with an id in the URL and no rule in RULES"
    assert ruled - routes == set(), "rules in RULES for no route (or a method it lacks)"
    for endpoint, _, werkzeug_rule in record_routes(app):
        rule = RULES[endpoint]
        named = {rule.also.get(arg, rule.record) for arg in werkzeug_rule.arguments}
        assert named <= set(world[1].ids), (endpoint, named)


# ---- every route with an id × every method × every user ------------------------------------


@pytest.mark.parametrize("who", USERS)
@pytest.mark.parametrize(("endpoint", "method"), CASES)
def test_each_user_gets_what_the_role_allows(world, endpoint, method, who):
    app, w = world
    rule = RULES[endpoint]
    access = rule.access(method)
    want = expected(rule, method, who)
    data = access.form(w.ids) if method == "POST" else None
    answer = ask(w, who, method, w.url(app, endpoint), data)
    assert answer.status == want, f"{endpoint} {method} as {who}: {answer.status}, want {want}"
    assert not answer.location.startswith("/login"), answer.location
    if want in (403, 404):
        assert not answer.written, f"{endpoint} {method} as {who} was refused but wrote"
    elif method == "POST":
        assert answer.written, f"{endpoint} POST as {who} answered {want} and wrote nothing"
    else:
        assert not answer.written, f"{endpoint} GET as {who} wrote"
    if want == 404:
        leaked = [name for name in A_NAMES if name in answer.text]
        assert not leaked, f"{endpoint} {method} as {who} shows {leaked}"
        # Exactly as a missing id: the same answer, word for word.
        unknown = ask(w, who, method, w.url(app, endpoint, missing=True), data)
        assert (unknown.status, tokenless(unknown.text)) == (404, tokenless(answer.text))


def tokenless(page: str) -> str:
    return re.sub(r'name="csrf_token"[^>]*>', "", page)


# ---- records no one township owns: the county's programme, a pairing across townships ------

EVERYONE = dict.fromkeys(USERS, 200)
COUNTY_MANAGES = {"admin": 200} | dict.fromkeys(USERS[1:], 403)  # admins alone change them
WRITERS_OF_ALL = {"admin": 200, "clerk_a": 200, "clerk_b": 200} | dict.fromkeys(
    ("secretary_a", "secretary_b"), 403
)
SHARED = {
    # (endpoint, record): what each user gets on GET
    ("training.programme", "county_programme"): EVERYONE,
    ("training.round_detail", "county_round"): EVERYONE,
    ("training.programme_edit", "county_programme"): COUNTY_MANAGES,
    ("training.round_new", "county_programme"): COUNTY_MANAGES,
    ("training.round_edit", "county_round"): COUNTY_MANAGES,
    ("training.enrol", "county_programme"): WRITERS_OF_ALL,  # each its own candidates
    ("training.results", "county_round"): WRITERS_OF_ALL,
    ("mentoring.village_pairing_edit", "cross_pairing"): COUNTY_MANAGES,
}


@pytest.mark.parametrize("who", USERS)
def test_records_of_no_one_township(world, who):
    app, w = world
    wrong = []
    for (endpoint, record), answers in SHARED.items():
        answer = ask(w, who, "GET", w.url(app, endpoint, record))
        if answer.status != answers[who] or answer.written:
            wrong.append(f"{endpoint} GET {record} as {who}: {answer.status}, want {answers[who]}")
        other = "白云飞" if who in OF_A else "安若水"  # a participant of the other township
        if who != "admin" and other in answer.text:
            wrong.append(f"{endpoint} GET {record} as {who} shows {other}")
    assert not wrong, "\n".join(wrong)


# ---- status moves: above the role is 403, whatever the move ---------------------------------

STATUSES = ("nominated", "inspecting", "returned", "in_pool", "used", "withdrawn")
HOLDER = {  # the world's candidate of A in each status
    "nominated": "nominated",
    "inspecting": "inspecting",
    "returned": "returned",
    "in_pool": "pool",
    "used": "used",
    "withdrawn": "withdrawn",
}


def move_answer(source: str, target: str, role: str) -> int:
    """What the status route answers, from the lifecycle's own table: a plain move the role
    may make is done (302); a move only other roles may make is above this role (403), even
    one that is made through an outcome form; anything else is no move at all (422)."""
    from app.roster.lifecycle import TRANSITIONS

    moves = [t for t in TRANSITIONS if t.source == source and t.target == target]
    if not moves:
        return 422
    if not any(role in t.roles for t in moves):
        return 403
    return 422 if all(t.via_form for t in moves) else 302


@pytest.mark.parametrize("who", ["admin", "secretary_a", "clerk_a"])
@pytest.mark.parametrize("source", STATUSES)
def test_status_moves_above_the_role_are_403(world, source, who):
    app, w = world
    wrong = []
    for target in (*STATUSES, "bogus"):
        want = move_answer(source, target, ROLE[who])
        path = f"/candidates/{w.ids[HOLDER[source]]}/status"
        answer = ask(w, who, "POST", path, {"target": target, "reason": "经研究"})
        if answer.status != want or answer.written != (want == 302):
            wrong.append(f"{source} → {target} as {who}: {answer.status}, want {want}")
    assert not wrong, "\n".join(wrong)


# ---- tampering: another township's ids in a form ---------------------------------------------


def error_at(page: str, field_id: str) -> str:
    return (helpers.error_at(page, field_id) or "").strip()


def newest(model):
    return db.session.scalars(select(model).order_by(model.id.desc())).first()


@dataclass(frozen=True)
class Tamper:
    """A township A user's form with one of B's ids in a field (or in the query)."""

    who: str
    method: str
    path: Callable[[dict], str]
    form: Callable[[dict], dict] | None
    field: str | None = None  # refused with this message at this field, nothing written
    message: str = ""
    kept: Callable[[dict], None] | None = None  # accepted: the field is not the user's to set


def kept_in_a(model, ids_key: str = "township"):
    """The record written belongs to township A, whatever the form said."""

    def check(ids):
        record = newest(model)
        assert record.township_id == ids[ids_key], (model.__name__, record.township_id)

    return check


def tampers() -> dict[str, Tamper]:
    from app.mentoring.models import Mentor
    from app.posts.models import Batch, Post, RotationPlanItem
    from app.training.models import Programme

    here = "只能选择您所管理乡镇的村"
    no_village = "请选择您所管理乡镇的村（社区）"

    def plan_in_a(ids):
        rows = db.session.scalars(select(RotationPlanItem)).all()
        assert rows and {r.township_id for r in rows} == {ids["township"]}

    def same_post(ids):
        assert db.session.get(Post, ids["post"]).township_id == ids["township"]

    def same_batch(ids):
        assert db.session.get(Batch, ids["batch"]).township_id == ids["township"]

    def same_mentor(ids):
        assert db.session.get(Mentor, ids["mentor"]).township_id == ids["township"]

    def same_programme(ids):
        assert db.session.get(Programme, ids["programme"]).township_id == ids["township"]

    return {
        # the roster
        "roster.new village_id": Tamper(
            "clerk_a",
            "POST",
            lambda ids: "/candidates/new",
            lambda ids: new_candidate_form(ids) | {"village_id": str(ids["b_village"])},
            "village_id",
            here,
        ),
        "roster.edit village_id": Tamper(
            "clerk_a",
            "POST",
            lambda ids: f"/candidates/{ids['pool']}/edit",
            lambda ids: candidate_form(ids) | {"village_id": str(ids["b_village"])},
            "village_id",
            here,
        ),
        # trial posts
        "posts.new_post township_id": Tamper(
            "clerk_a",
            "POST",
            lambda ids: "/posts/new",
            lambda ids: post_form(ids, name="安平动拆迁", township_id=str(ids["b_township"])),
            kept=kept_in_a(Post),
        ),
        "posts.new_post host_village_id": Tamper(
            "clerk_a",
            "POST",
            lambda ids: "/posts/new",
            lambda ids: post_form(
                ids,
                name="甲西村副书记",
                kind="cross_village",
                host_village_id=str(ids["b_village"]),
            ),
            "host_village_id",
            "须为本乡镇的村",
        ),
        "posts.edit_post host_village_id": Tamper(
            "clerk_a",
            "POST",
            lambda ids: f"/posts/{ids['post']}/edit",
            lambda ids: post_form(ids, kind="cross_village", host_village_id=str(ids["b_village"])),
            "host_village_id",
            "须为本乡镇的村",
        ),
        "posts.edit_post township_id": Tamper(
            "clerk_a",
            "POST",
            lambda ids: f"/posts/{ids['post']}/edit",
            lambda ids: post_form(ids, township_id=str(ids["b_township"])),
            kept=same_post,
        ),
        "posts.new_batch township_id": Tamper(
            "clerk_a",
            "POST",
            lambda ids: "/posts/batches/new",
            lambda ids: batch_form(ids, name="安平第二批", township_id=str(ids["b_township"])),
            kept=kept_in_a(Batch),
        ),
        "posts.edit_batch township_id": Tamper(
            "clerk_a",
            "POST",
            lambda ids: f"/posts/batches/{ids['batch']}/edit",
            lambda ids: batch_form(ids, township_id=str(ids["b_township"])),
            kept=same_batch,
        ),
        "posts.new_placement candidate": Tamper(
            "clerk_a",
            "POST",
            lambda ids: new_placement_path(ids, "b_pool"),
            new_placement_form,
        ),
        "posts.new_placement post_id": Tamper(
            "clerk_a",
            "POST",
            lambda ids: new_placement_path(ids),
            lambda ids: new_placement_form(ids, post_id=str(ids["b_post"])),
            "post_id",
            "请选择试岗岗位",
        ),
        "posts.new_placement batch_id": Tamper(
            "clerk_a",
            "POST",
            lambda ids: new_placement_path(ids),
            lambda ids: new_placement_form(ids, batch_id=str(ids["b_batch"])),
            "batch_id",
            "所选批次不存在",
        ),
        "posts.new_placement ?candidate": Tamper(
            "clerk_a", "GET", lambda ids: new_placement_path(ids, "b_pool"), None
        ),
        "posts.new_placement ?post": Tamper(
            "clerk_a",
            "POST",
            lambda ids: f"{new_placement_path(ids)}&post={ids['b_post']}",
            new_placement_form,
        ),
        "posts.new_placement ?batch": Tamper(
            "clerk_a",
            "POST",
            lambda ids: f"{new_placement_path(ids)}&batch={ids['b_batch']}",
            new_placement_form,
        ),
        "posts.edit_placement post_id": Tamper(
            "clerk_a",
            "POST",
            lambda ids: f"/posts/placements/{ids['planned']}/edit",
            lambda ids: placement_form(ids, post_id=str(ids["b_post"])),
            "post_id",
            "请选择试岗岗位",
        ),
        "posts.edit_placement batch_id": Tamper(
            "clerk_a",
            "POST",
            lambda ids: f"/posts/placements/{ids['planned']}/edit",
            lambda ids: placement_form(ids, batch_id=str(ids["b_batch"])),
            "batch_id",
            "所选批次不存在",
        ),
        "posts.save_plan ?township": Tamper(
            "secretary_a",
            "POST",
            lambda ids: f"/posts/plans/party_secretary?township={ids['b_township']}",
            RULES["posts.save_plan"].post.form,
            kept=plan_in_a,
        ),
        # mentoring
        "mentoring.mentor_new township_id": Tamper(
            "clerk_a",
            "POST",
            lambda ids: "/mentoring/mentors/new",
            lambda ids: mentor_form(ids, name="安德新", township_id=str(ids["b_township"])),
            kept=kept_in_a(Mentor),
        ),
        "mentoring.mentor_edit township_id": Tamper(
            "clerk_a",
            "POST",
            lambda ids: f"/mentoring/mentors/{ids['mentor']}/edit",
            lambda ids: mentor_form(ids, township_id=str(ids["b_township"])),
            kept=same_mentor,
        ),
        "mentoring.pairing_new ?candidate_id": Tamper(
            "clerk_a",
            "POST",
            lambda ids: f"/mentoring/pairings/new?candidate_id={ids['b_pool']}",
            lambda ids: pairing_form(ids, start_on=day(0)),
        ),
        "mentoring.pairing_new mentor_id": Tamper(
            "clerk_a",
            "POST",
            lambda ids: f"/mentoring/pairings/new?candidate_id={ids['pool2']}",
            lambda ids: pairing_form(ids, mentor_id=str(ids["b_mentor"])),
            "mentor_id",
            "所选帮带人",
        ),
        "mentoring.pairing_edit mentor_id": Tamper(
            "clerk_a",
            "POST",
            lambda ids: f"/mentoring/pairings/{ids['pairing']}/edit",
            lambda ids: pairing_form(ids, mentor_id=str(ids["b_mentor"])),
            "mentor_id",
            "所选帮带人",
        ),
        "mentoring.village_pairing_new village_a_id": Tamper(
            "clerk_a",
            "POST",
            lambda ids: "/mentoring/village-pairings/new",
            lambda ids: village_pairing_form(
                ids, village_a_id=str(ids["b_village"]), start_on=day(800), end_on=day(900)
            ),
            "village_a_id",
            no_village,
        ),
        "mentoring.village_pairing_new village_b_id": Tamper(
            "clerk_a",
            "POST",
            lambda ids: "/mentoring/village-pairings/new",
            lambda ids: village_pairing_form(ids, village_b_id=str(ids["b_village"])),
            "village_b_id",
            no_village,
        ),
        "mentoring.village_pairing_edit village_b_id": Tamper(
            "clerk_a",
            "POST",
            lambda ids: f"/mentoring/village-pairings/{ids['village_pairing']}/edit",
            lambda ids: village_pairing_form(ids, village_b_id=str(ids["b_village2"])),
            "village_b_id",
            no_village,
        ),
        # village seats
        "places.new_seat village_id": Tamper(
            "clerk_a",
            "POST",
            lambda ids: "/places/seats/new",
            lambda ids: seat_form(ids, village_id=str(ids["b_village"])),
            "village_id",
            here,
        ),
        "places.seat village_id": Tamper(
            "clerk_a",
            "POST",
            lambda ids: f"/places/seats/{ids['seat']}",
            lambda ids: seat_form(ids, village_id=str(ids["b_village"])),
            "village_id",
            here,
        ),
        # training
        "training.programme_new township_id": Tamper(
            "clerk_a",
            "POST",
            lambda ids: "/training/programmes/new",
            lambda ids: programme_form(
                ids, name="安平新苗计划", township_id=str(ids["b_township"])
            ),
            kept=kept_in_a(Programme),
        ),
        "training.programme_new county": Tamper(
            "clerk_a",
            "POST",
            lambda ids: "/training/programmes/new",
            lambda ids: programme_form(ids, name="安平新苗计划", township_id=""),
            kept=kept_in_a(Programme),
        ),
        "training.programme_edit township_id": Tamper(
            "clerk_a",
            "POST",
            lambda ids: f"/training/programmes/{ids['programme']}/edit",
            lambda ids: programme_form(ids, township_id=str(ids["b_township"])),
            kept=same_programme,
        ),
        "training.enrol candidate_ids": Tamper(
            "clerk_a",
            "POST",
            lambda ids: f"/training/programmes/{ids['county_programme']}/enrol",
            lambda ids: {"candidate_ids": [str(ids["pool2"]), str(ids["b_nominated"])]},
        ),
        "training.results enrolment_id": Tamper(
            "clerk_a",
            "POST",
            lambda ids: f"/training/rounds/{ids['county_round']}/results",
            lambda ids: results_form(ids, "b_county_enrolment"),
        ),
    }


def new_candidate_form(ids: dict) -> dict:
    number = make_id_number("430521", dt.date(1993, 7, 8), 996, "M")
    return helpers.candidate_form(ids["village"], name="安若海", id_number=number)


TAMPERS = tampers()


@pytest.mark.parametrize("name", TAMPERS)
def test_a_form_cannot_be_tampered_into_another_township(world, name):
    _, w = world
    tamper = TAMPERS[name]
    data = tamper.form(w.ids) if tamper.form else None
    checks = []
    answer = ask(
        w,
        tamper.who,
        tamper.method,
        tamper.path(w.ids),
        data,
        after=(lambda _: checks.append(tamper.kept(w.ids))) if tamper.kept else None,
    )
    typed = " ".join(str(v) for v in (data or {}).values())
    leaked = [n for n in B_NAMES if n in answer.text and n not in typed]
    assert not leaked, f"{name}: the page shows {leaked}"
    if tamper.kept is not None:
        assert answer.status == 302 and answer.written, (name, answer.status)
        assert checks == [None]
    elif tamper.field is None:
        assert answer.status == 404, (name, answer.status)
        assert not answer.written
    else:
        # The roster's and the seats' forms answer a refusal with 200, the others with 422.
        assert answer.status in (200, 422), (name, answer.status)
        assert tamper.message in error_at(answer.text, tamper.field), (name, answer.text[-3000:])
        assert not answer.written


def test_the_untampered_forms_are_accepted(world):
    """The tampered forms differ from good ones only in the tampered field."""
    _, w = world
    good = {
        "/candidates/new": new_candidate_form(w.ids),
        "/posts/new": post_form(w.ids, name="安平动拆迁"),
        new_placement_path(w.ids): new_placement_form(w.ids),
        f"/mentoring/pairings/new?candidate_id={w.ids['pool2']}": pairing_form(w.ids),
        "/mentoring/village-pairings/new": village_pairing_form(
            w.ids, start_on=day(800), end_on=day(900)
        ),
        "/places/seats/new": seat_form(w.ids, kind="committee_director"),
        f"/training/programmes/{w.ids['county_programme']}/enrol": {
            "candidate_ids": [str(w.ids["pool2"])]
        },
        f"/training/rounds/{w.ids['county_round']}/results": results_form(
            w.ids, "county_enrolment"
        ),
    }
    wrong = []
    for path, data in good.items():
        answer = ask(w, "clerk_a", "POST", path, data)
        if answer.status != 302 or not answer.written:
            wrong.append(f"{path}: {answer.status}")
    assert not wrong, "\n".join(wrong)


def test_an_import_cannot_name_another_township_or_its_village(world):
    """The sheet is the import's form: 所属乡镇 and 所在村 are its township and village fields."""
    _, w = world

    def number(n: int) -> str:
        return make_id_number("430521", dt.date(1992, 3, 4), n, "M")

    sheet = helpers.xlsx_bytes(
        [
            import_row(所属乡镇="白河镇", 所在村="乙东村", 身份证号=number(990)),
            import_row(所在村="乙东村", 身份证号=number(992)),
            import_row(所属乡镇="北海镇", 身份证号=number(994)),  # no such township
        ],
        HEADERS,
    )
    pages = []
    answer = ask(
        w,
        "clerk_a",
        "POST",
        "/candidates/import",
        {"file": (io.BytesIO(sheet), "花名册.xlsx")},
        after=lambda answer: pages.append(text_of(w.clients["clerk_a"].get(answer.location))),
    )
    assert answer.status == 302 and "/candidates/import/" in answer.location
    (page,) = pages
    assert "只能导入本乡镇（安平镇）的人员，“白河镇”不在您的管理范围内" in page
    assert "安平镇没有“乙东村”" in page
    assert "只能导入本乡镇（安平镇）的人员，“北海镇”不在您的管理范围内" in page
    assert 'id="valid-count">0<' in page and 'id="invalid-count">3<' in page
    assert not [n for n in B_NAMES[3:] if n in page]  # B's people are not named


# ---- the pairing form: a foreign mentor is an unknown mentor ----------------------------------


@pytest.mark.parametrize("route", ["new", "edit"])
def test_a_foreign_mentor_and_an_unknown_mentor_get_the_same_message(world, route):
    _, w = world
    path = (
        f"/mentoring/pairings/new?candidate_id={w.ids['pool2']}"
        if route == "new"
        else f"/mentoring/pairings/{w.ids['pairing']}/edit"
    )
    messages = {}
    for mentor in ("b_mentor", "unknown"):
        mentor_id = str(w.ids[mentor]) if mentor != "unknown" else "987654"
        answer = ask(w, "clerk_a", "POST", path, pairing_form(w.ids, mentor_id=mentor_id))
        assert answer.status == 422 and not answer.written
        messages[mentor] = error_at(answer.text, "mentor_id")
        assert "白德清" not in answer.text
    assert messages["b_mentor"] == messages["unknown"] != ""


# ---- lists and filters: another township's ids in the query show nothing of it ---------------

LISTS = {
    # name: (path with A's ids, what A's own clerk or secretary sees there)
    "roster": ("/candidates/?township={township}&village={village}&status=all", "安若水"),
    "roster search": ("/candidates/?q=安若&status=all", "安若水"),
    "roster by pinyin": ("/candidates/?q=anruo&status=all", "安若水"),
    "export": (
        "/candidates/export.xlsx?township={township}&village={village}&status=all",
        "安若水",
    ),
    "import template": ("/candidates/import/template.xlsx", "甲东村"),
    "import": ("/candidates/import?township={township}&village={village}", None),
    "dashboard": ("/?township={township}&village={village}", "甲东村"),
    "review": ("/review/?township={township}", "安若素"),
    "posts": ("/posts/?township={township}", "安平信访接待"),
    "post choices": ("/posts/new?township={township}", "甲东村"),
    "placement candidates": ("/posts/placements/new?township={township}&q=安若", "安若水"),
    "batches": ("/posts/batches?township={township}", "安平第一批"),
    "due": ("/posts/due?township={township}", None),
    "plans": ("/posts/plans?township={township}", "安平镇"),
    "pairings": ("/mentoring/?township={township}&mentor={mentor}&state=all", "安若水"),
    "stale pairings": ("/mentoring/stale?township={township}&mentor={mentor}", None),
    "mentors": ("/mentoring/mentors?township={township}", "安德明"),
    "mentor choices": ("/mentoring/pairings/new?q=安若", "安若水"),
    "villages": ("/mentoring/villages?township={township}", "甲东村"),
    "village pairing choices": ("/mentoring/village-pairings/new?village_id={village}", "甲东村"),
    "programmes": ("/training/?township={township}", "安平雏鹰计划"),
    "county programme": ("/training/programmes/{county_programme}?township={township}", "安若水"),
    "county round": ("/training/rounds/{county_round}?township={township}", "安若水"),
    "county results": ("/training/rounds/{county_round}/results?township={township}", "安若水"),
    "county enrolment": (
        "/training/programmes/{county_programme}/enrol?township={township}&village={village}",
        "安若山",
    ),
    "seats": ("/places/seats?township={township}", "甲东村"),
    "seat choices": ("/places/seats/new?village={village}", "甲东村"),
}


# What B's users see of A on a list because it is theirs too: the pairing of 甲南村 with 乙西村.
SHARED_NAMES = {"villages": {"安平镇"}}


def _list_path(name: str, ids: dict) -> str:
    return LISTS[name][0].format(**ids)


@pytest.mark.parametrize("who", ["secretary_b", "clerk_b"])
@pytest.mark.parametrize("name", LISTS)
def test_lists_and_filters_given_another_townships_ids_show_nothing_of_it(world, name, who):
    _, w = world
    answer = ask(w, who, "GET", _list_path(name, w.ids))
    assert answer.status in (200, 403), (name, who, answer.status)
    leaked = [n for n in A_NAMES if n in answer.text and n not in SHARED_NAMES.get(name, ())]
    assert not leaked, f"{name} as {who} shows {leaked}"


@pytest.mark.parametrize("name", [n for n, (_, shows) in LISTS.items() if shows])
def test_the_same_lists_show_township_a_to_its_own_users(world, name):
    """The lists above would show A's names, were they leaked: A's own users see them there."""
    _, w = world
    path, shows = LISTS[name]
    seen = []
    for who in ("clerk_a", "secretary_a"):
        answer = ask(w, who, "GET", path.format(**w.ids))
        if answer.status == 200:
            seen.append(shows in answer.text)
    assert seen and all(seen), (name, seen)
