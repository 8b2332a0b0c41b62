"""Trial posts (试岗锻炼) over HTTP: posts, batches, placements and their rules, ending with a
report and an evaluation, the due list and worklists, the candidate page, rotation plans and
the roster's placement filters."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import itertools
import re

import pytest
from sqlalchemy import event, func, select

from app.core import clock
from app.core.audit import AuditEntry
from app.core.idcard import make_id_number
from app.extensions import db
from app.places.models import Township
from app.posts.models import Batch, Placement, Post, RotationPlanItem
from app.posts.queries import _months_sql
from app.posts.rules import months_between
from tests.conftest import login
from tests.helpers import new_placement, opened

_SEQ = itertools.count(1)
TODAY = clock.today()


# ---- helpers -------------------------------------------------------------------------------


def day(offset: int) -> dt.date:
    return TODAY + dt.timedelta(days=offset)


def iso(offset: int) -> str:
    return day(offset).isoformat()


def count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def error_at(page: str, field_id: str) -> str | None:
    match = re.search(rf'id="{re.escape(field_id)}-error"[^>]*>(.*?)</div>', page, re.S)
    return html_lib.unescape(match.group(1)) if match else None


def text_of(response) -> str:
    return html_lib.unescape(response.get_data(as_text=True))


def village_named(township, name: str):
    return next(v for v in township.villages if v.name == name)


def person(make, township, name="李明", *, village=None, status="in_pool", direction=None):
    number = make_id_number("430521", dt.date(1991, 6, 6), (next(_SEQ) % 499) * 2, "M")
    extra = {"direction": direction} if direction else {}
    home = village_named(township, village) if village else township.villages[0]
    candidate = make.candidate(township, name=name, id_number=number, village_id=home.id, **extra)
    candidate.status = status
    db.session.commit()
    return candidate


def post_named(township, name: str) -> Post:
    return db.session.scalars(
        select(Post).where(Post.township_id == township.id, Post.name == name)
    ).one()


def add_post(township, name, kind="frontline", capacity=1, village=None) -> Post:
    post = Post(
        township_id=township.id,
        kind=kind,
        name=name,
        host="",
        supervisor="王书记",
        duties="",
        capacity=capacity,
        is_active=True,
        host_village_id=village.id if village else None,
    )
    db.session.add(post)
    db.session.commit()
    return post


def place(candidate, post, start, end, **fields) -> Placement:
    """A placement written directly (the rules are tested through HTTP)."""
    placement = Placement(
        township_id=candidate.township_id,
        candidate_id=candidate.id,
        post_id=post.id,
        start_on=start,
        end_on=end,
        goal="熟悉帮办代办流程",
        **fields,
    )
    db.session.add(placement)
    db.session.commit()
    return placement


def placement_form(candidate, post, start, end, **extra) -> dict:
    data = {
        "candidate": str(candidate.id) if candidate is not None else "",
        "post_id": str(post.id),
        "start_on": start if isinstance(start, str) else start.isoformat(),
        "end_on": end if isinstance(end, str) else end.isoformat(),
        "goal": "熟悉为民服务流程，学会办理常见事项",
    }
    return data | extra


@pytest.fixture
def town(make):
    township = make.township("青山镇", villages=("石桥村", "太平村", "东山村"))
    return township


@pytest.fixture
def clerk(make, town):
    return make.user("clerk", town)


@pytest.fixture
def secretary(make, town):
    return make.user("secretary", town)


@pytest.fixture
def as_clerk(client, clerk):
    login(client, clerk)
    return client


# ---- a new township starts with its windows ------------------------------------------------


def test_township_created_by_admin_gets_ten_windows(client, make):
    login(client, make.user("admin"))
    response = client.post("/admin/townships", data={"name": "白沙镇"})
    assert response.status_code == 302
    township = db.session.scalars(select(Township).where(Township.name == "白沙镇")).one()
    posts = db.session.scalars(
        select(Post).where(Post.township_id == township.id).order_by(Post.id)
    ).all()
    assert len(posts) == 10
    assert {p.kind for p in posts} == {"window"}
    assert posts[0].name == "帮办代办窗口" and posts[0].capacity == 2
    assert [p.name for p in posts[1:3]] == ["党政综合窗口", "村镇规划窗口"]
    assert all(p.host == "白沙镇党群服务中心" and p.is_active for p in posts)
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.entity == "post", AuditEntry.township_id == township.id)
    ).one()
    assert "窗口岗位 10 个" in entry.summary and entry.actor_id is not None
    page = text_of(client.get(f"/posts/?township={township.id}"))
    assert "帮办代办窗口" in page and "0 / 2" in page


def test_refused_township_creates_no_windows(client, make, town):
    login(client, make.user("admin"))
    posts = count(Post)
    response = client.post("/admin/townships", data={"name": "青山镇"})
    assert response.status_code == 422
    assert count(Post) == posts


# ---- posts ---------------------------------------------------------------------------------


def test_index_lists_posts_by_kind_with_occupancy(as_clerk, make, town):
    window = post_named(town, "帮办代办窗口")
    place(person(make, town, "李明"), window, day(-10), day(20))
    place(person(make, town, "王芳"), window, day(5), day(40))  # not yet
    add_post(town, "太平村党总支副书记", "cross_village", village=village_named(town, "太平村"))
    page = text_of(as_clerk.get("/posts/"))
    row = re.search(rf'data-post="{window.id}".*?</tr>', page, re.S).group(0)
    assert "1 / 2" in row
    assert page.index("窗口试岗") < page.index("跨村任职") < page.index("太平村党总支副书记")


def test_clerk_adds_a_cross_village_post(as_clerk, town):
    village = village_named(town, "太平村")
    response = as_clerk.post(
        "/posts/new",
        data={
            "kind": "cross_village",
            "name": " 太平村 党总支副书记 ",
            "host_village_id": str(village.id),
            "supervisor": "赵建国",
            "capacity": "１",
            "is_active": "y",
        },
    )
    assert response.status_code == 302
    post = post_named(town, "太平村 党总支副书记")
    assert (post.kind, post.host_village_id, post.capacity, post.host) == (
        "cross_village",
        village.id,
        1,
        "太平村",
    )
    assert count(AuditEntry, AuditEntry.entity == "post", AuditEntry.entity_id == post.id) == 1


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"name": ""}, "name", "请填写岗位名称"),
        ({"kind": ""}, "kind", "请选择岗位类别"),
        ({"capacity": "0"}, "capacity", "1 到 50"),
        ({"capacity": "两个"}, "capacity", "不是整数"),
        ({"kind": "cross_village"}, "host_village_id", "请选择任职的村"),
        ({"name": "帮办代办窗口"}, "name", "已有岗位“帮办代办窗口”"),
    ],
    ids=["no-name", "no-kind", "zero-capacity", "text-capacity", "no-village", "duplicate"],
)
def test_post_form_refusals(as_clerk, town, data, field, words):
    before = count(Post)
    good = {"kind": "frontline", "name": "信访接待", "capacity": "2"}
    response = as_clerk.post("/posts/new", data=good | data)
    assert response.status_code == 422
    message = error_at(text_of(response), field)
    assert message and words in message, message
    assert count(Post) == before


def test_cross_village_post_must_be_in_own_township(as_clerk, make, town):
    other = make.township("白沙镇", villages=("新民村",))
    response = as_clerk.post(
        "/posts/new",
        data={
            "kind": "cross_village",
            "name": "新民村副主任",
            "host_village_id": str(other.villages[0].id),
            "capacity": "1",
        },
    )
    assert response.status_code == 422
    assert "须为本乡镇的村" in error_at(text_of(response), "host_village_id")


def test_capacity_cannot_drop_below_who_is_placed(as_clerk, make, town):
    window = post_named(town, "帮办代办窗口")
    place(person(make, town, "李明"), window, day(-10), day(30))
    place(person(make, town, "王芳"), window, day(3), day(30))
    data = {"kind": "window", "name": "帮办代办窗口", "capacity": "1", "is_active": "y"}
    response = as_clerk.post(
        f"/posts/{window.id}/edit", data=opened(as_clerk, f"/posts/{window.id}/edit") | data
    )
    assert response.status_code == 422
    message = error_at(text_of(response), "capacity")
    assert f"帮办代办窗口 在 {iso(3)} 已安排 2 人，容量不能少于 2" in message
    assert count(Post, Post.id == window.id, Post.capacity == 2) == 1
    response = as_clerk.post(
        f"/posts/{window.id}/edit",
        data=opened(as_clerk, f"/posts/{window.id}/edit") | data | {"capacity": "3"},
    )
    assert response.status_code == 302
    assert count(Post, Post.id == window.id, Post.capacity == 3) == 1


@pytest.mark.parametrize(
    ("role", "bound", "status"),
    [
        ("secretary", True, 403),
        ("secretary", False, 403),
        ("clerk", True, 200),
        ("admin", False, 200),
    ],
)
def test_post_form_by_role(client, make, town, role, bound, status):
    login(client, make.user(role, town if bound else None))
    assert client.get("/posts/new").status_code == status
    window = post_named(town, "帮办代办窗口")
    assert client.get(f"/posts/{window.id}/edit").status_code == status
    before = count(Post)
    response = client.post(
        "/posts/new", data={"kind": "frontline", "name": "信访接待", "capacity": "1"}
    )
    if status == 403:
        assert response.status_code == 403 and count(Post) == before


def test_county_admin_chooses_the_township(client, make, town):
    login(client, make.user("admin"))
    response = client.post(
        "/posts/new", data={"kind": "frontline", "name": "信访接待", "capacity": "1"}
    )
    assert response.status_code == 422
    assert "请选择乡镇" in error_at(text_of(response), "township_id")
    response = client.post(
        "/posts/new",
        data={
            "township_id": str(town.id),
            "kind": "frontline",
            "name": "信访接待",
            "capacity": "1",
        },
    )
    assert response.status_code == 302
    assert post_named(town, "信访接待").kind == "frontline"
    overview = text_of(client.get("/posts/"))
    assert "青山镇" in overview and "请选择一个乡镇" in overview


def test_logged_out_is_sent_to_login(client, town):
    for url in ("/posts/", "/posts/batches", "/posts/due", "/posts/plans", "/posts/new"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


# ---- scoping -------------------------------------------------------------------------------


def test_other_townships_records_are_404(as_clerk, make, town):
    other = make.township("白沙镇", villages=("新民村", "红星村"))
    their_window = post_named(other, "帮办代办窗口")
    theirs = place(person(make, other, "王五"), their_window, day(-5), day(30))
    batch = Batch(township_id=other.id, name="外镇批次", start_on=day(-30), end_on=day(60))
    db.session.add(batch)
    db.session.commit()
    for url in (
        f"/posts/{their_window.id}",
        f"/posts/{their_window.id}/edit",
        f"/posts/batches/{batch.id}",
        f"/posts/batches/{batch.id}/edit",
        f"/posts/placements/{theirs.id}",
        f"/posts/placements/{theirs.id}/edit",
        f"/posts/placements/new?post={their_window.id}",
        f"/posts/placements/new?candidate={theirs.candidate_id}",
    ):
        assert as_clerk.get(url).status_code == 404, url
    for url, data in (
        (f"/posts/placements/{theirs.id}/report", {"report": "x"}),
        (f"/posts/placements/{theirs.id}/evaluate", {"grade": "pass"}),
        (f"/posts/placements/{theirs.id}/cut", {"ended_on": iso(0), "cut_reason": "x"}),
        (f"/posts/placements/{theirs.id}/cancel", {}),
    ):
        assert as_clerk.post(url, data=data).status_code == 404, url
    page = text_of(as_clerk.get("/posts/"))
    assert "白沙镇" not in page
    # A county-level page asked about another township still shows the user's own.
    assert "白沙镇" not in text_of(as_clerk.get(f"/posts/?township={other.id}"))
    assert "外镇批次" not in text_of(as_clerk.get("/posts/batches"))
    assert "王五" not in text_of(as_clerk.get("/posts/due"))
    # Naming their candidate or post in a form finds nothing.
    mine = person(make, town, "李明")
    response = new_placement(
        as_clerk,
        placement_form(mine, their_window, day(1), day(30)),
    )
    assert response.status_code == 422
    assert "请选择试岗岗位" in error_at(text_of(response), "post_id")
    response = new_placement(
        as_clerk,
        placement_form(theirs.candidate, post_named(town, "帮办代办窗口"), day(1), day(9)),
    )
    assert response.status_code == 404 and count(Placement) == 1
    # Nor does the pick page's search.
    page = text_of(as_clerk.get("/posts/placements/new", query_string={"q": "王五"}))
    assert "没有找到符合条件的后备干部" in page and f"candidate={theirs.candidate_id}" not in page


# ---- batches -------------------------------------------------------------------------------


def test_batch_create_edit_and_progress(as_clerk, make, town):
    response = as_clerk.post(
        "/posts/batches/new",
        data={"name": "2024年第二批跨村任职", "start_on": iso(-100), "end_on": iso(100)},
    )
    assert response.status_code == 302
    batch = db.session.scalars(select(Batch)).one()
    window = post_named(town, "帮办代办窗口")
    other = post_named(town, "党政综合窗口")
    place(person(make, town, "甲"), window, day(-90), day(-10), batch_id=batch.id)  # finished
    place(person(make, town, "乙"), other, day(-90), day(-10), batch_id=batch.id, grade="excellent")
    place(person(make, town, "丙"), window, day(-5), day(30), batch_id=batch.id)  # active
    place(person(make, town, "丁"), other, day(10), day(50), batch_id=batch.id)  # planned
    page = text_of(as_clerk.get(f"/posts/batches/{batch.id}"))
    for state, n in (("planned", 1), ("active", 1), ("finished", 1), ("evaluated", 1)):
        assert re.search(rf'data-state="{state}">{n}<', page), state
    listing = text_of(as_clerk.get("/posts/batches"))
    assert "2024年第二批跨村任职" in listing
    # Shrinking the batch past its placements is refused, naming one.
    response = as_clerk.post(
        f"/posts/batches/{batch.id}/edit",
        data=opened(as_clerk, f"/posts/batches/{batch.id}/edit")
        | {"name": "2024年第二批跨村任职", "start_on": iso(-60), "end_on": iso(100)},
    )
    assert response.status_code == 422
    assert "不在新的起止日期之内" in error_at(text_of(response), "start_on")
    response = as_clerk.post(
        f"/posts/batches/{batch.id}/edit",
        data=opened(as_clerk, f"/posts/batches/{batch.id}/edit")
        | {"name": "2024年第二批跨村任职", "start_on": iso(-100), "end_on": iso(120)},
    )
    assert response.status_code == 302
    assert count(Batch, Batch.end_on == day(120)) == 1


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"name": ""}, "name", "请填写批次名称"),
        ({"start_on": ""}, "start_on", "请填写开始日期"),
        ({"end_on": "2024-02-30"}, "end_on", "不存在"),
        ({"start_on": "2024-07-01", "end_on": "2024-06-30"}, "end_on", "不能早于开始日期"),
    ],
)
def test_batch_form_refusals(as_clerk, town, data, field, words):
    good = {"name": "第一批", "start_on": "2024-01-01", "end_on": "2024-06-30"}
    response = as_clerk.post("/posts/batches/new", data=good | data)
    assert response.status_code == 422
    assert words in error_at(text_of(response), field)
    assert count(Batch) == 0


def test_secretary_may_not_create_batches(client, make, town, secretary):
    login(client, secretary)
    response = client.post(
        "/posts/batches/new", data={"name": "第一批", "start_on": iso(0), "end_on": iso(9)}
    )
    assert response.status_code == 403 and count(Batch) == 0
    assert client.get("/posts/batches").status_code == 200


# ---- placements: the happy path ------------------------------------------------------------


def test_clerk_places_a_candidate_from_the_post_page(as_clerk, make, town):
    candidate = person(make, town, "李明")
    window = post_named(town, "帮办代办窗口")
    pick = text_of(as_clerk.get(f"/posts/placements/new?post={window.id}&q=李明"))
    assert f"/posts/placements/new?post={window.id}&candidate={candidate.id}" in pick
    form_page = text_of(
        as_clerk.get(f"/posts/placements/new?post={window.id}&candidate={candidate.id}")
    )
    assert f'<option selected value="{window.id}">' in form_page
    response = new_placement(as_clerk, placement_form(candidate, window, iso(-3), iso(60)))
    assert response.status_code == 302
    placement = db.session.scalars(select(Placement)).one()
    assert (placement.candidate_id, placement.post_id, placement.start_on) == (
        candidate.id,
        window.id,
        day(-3),
    )
    assert placement.township_id == town.id and placement.created_by_id is not None
    entry = db.session.scalars(
        select(AuditEntry).where(
            AuditEntry.entity == "placement", AuditEntry.entity_id == placement.id
        )
    ).one()
    assert "安排 李明 到 帮办代办窗口 试岗" in entry.summary
    page = text_of(as_clerk.get(f"/posts/placements/{placement.id}"))
    assert "进行中" in page and "熟悉为民服务流程" in page


def test_candidate_page_offers_placing_and_prefills_the_form(as_clerk, make, town):
    candidate = person(make, town, "李明")
    page = text_of(as_clerk.get(f"/candidates/{candidate.id}"))
    assert f"/posts/placements/new?candidate={candidate.id}" in page
    form_page = text_of(as_clerk.get(f"/posts/placements/new?candidate={candidate.id}"))
    assert "李明（东山村）" in form_page
    window = post_named(town, "帮办代办窗口")
    response = new_placement(as_clerk, placement_form(candidate, window, iso(1), iso(30)))
    assert response.status_code == 302
    # Found on the pick page by name, pinyin or initials: its link opens the form.
    wang = person(make, town, "王芳")
    for q in ("王芳", "wangfang", "wf"):
        found = text_of(as_clerk.get("/posts/placements/new", query_string={"q": q}))
        assert f'href="/posts/placements/new?candidate={wang.id}"' in found, q
    response = new_placement(as_clerk, placement_form(wang, window, iso(1), iso(30)))
    assert response.status_code == 302
    assert count(Placement, Placement.candidate_id == wang.id) == 1


def test_batch_preset_and_date_bounds(as_clerk, make, town):
    batch = Batch(township_id=town.id, name="第一批", start_on=day(0), end_on=day(90))
    db.session.add(batch)
    db.session.commit()
    candidate = person(make, town)
    page = text_of(as_clerk.get(f"/posts/placements/new?batch={batch.id}&candidate={candidate.id}"))
    assert f'value="{iso(0)}"' in page and f'value="{iso(90)}"' in page
    window = post_named(town, "帮办代办窗口")
    response = new_placement(
        as_clerk,
        placement_form(candidate, window, day(0), day(120), batch_id=str(batch.id)),
    )
    assert response.status_code == 422
    assert f"（{iso(0)} 至 {iso(90)}）之内" in error_at(text_of(response), "batch_id")
    response = new_placement(
        as_clerk,
        placement_form(candidate, window, day(0), day(90), batch_id=str(batch.id)),
    )
    assert response.status_code == 302
    assert count(Placement, Placement.batch_id == batch.id) == 1


# ---- placements: every refusal -------------------------------------------------------------


@pytest.fixture
def scene(make, town):
    """李明 on 帮办代办窗口 (capacity 2) with 王芳 beside him; 张伟 free; a cross-village post."""
    window = post_named(town, "帮办代办窗口")
    li = person(make, town, "李明")
    wang = person(make, town, "王芳")
    zhang = person(make, town, "张伟", village="太平村")
    place(li, window, dt.date(2024, 3, 1), dt.date(2024, 5, 31))
    place(wang, window, dt.date(2024, 4, 2), dt.date(2024, 6, 30))
    cross = add_post(
        town, "太平村党总支副书记", "cross_village", village=village_named(town, "太平村")
    )
    other = post_named(town, "党政综合窗口")
    return {
        "window": window,
        "li": li,
        "wang": wang,
        "zhang": zhang,
        "cross": cross,
        "other": other,
    }


@pytest.mark.parametrize(
    ("who", "where", "start", "end", "extra", "field", "message"),
    [
        (
            "li",
            "other",
            "2024-05-31",
            "2024-07-31",
            {},
            "candidate",
            "李明 在 2024-03-01 至 2024-05-31 已安排在 帮办代办窗口",
        ),
        (
            "zhang",
            "window",
            "2024-01-01",
            "2024-12-31",
            {},
            "post_id",
            "帮办代办窗口 在 2024-04-02 已有 2 人，容量为 2",
        ),
        (
            "zhang",
            "cross",
            "2025-01-01",
            "2025-06-30",
            {},
            "post_id",
            "“太平村党总支副书记”设在太平村，正是 张伟 所在的村",
        ),
        ("zhang", "other", "2025-03-01", "2025-02-28", {}, "end_on", "不能早于开始日期"),
        ("zhang", "other", "2025-03-01", "", {}, "end_on", "请填写结束日期"),
        ("zhang", "other", "2025-03-01", "2025-13-01", {}, "end_on", "月份应在 1 到 12 之间"),
        ("zhang", "other", "2025-03-01", "2025-05-31", {"goal": "  "}, "goal", "试岗前须明确"),
        ("zhang", "", "2025-03-01", "2025-05-31", {}, "post_id", "请选择试岗岗位"),
        ("nominee", "other", "2025-03-01", "2025-05-31", {}, "candidate", "当前为“拟推荐”"),
    ],
    ids=[
        "overlap",
        "over-capacity",
        "own-village",
        "end-before-start",
        "no-end",
        "bad-end",
        "no-goal",
        "no-post",
        "nominated",
    ],
)
def test_placement_refusals(
    as_clerk, make, town, scene, who, where, start, end, extra, field, message
):
    if who == "nominee":
        scene["nominee"] = person(make, town, "周七", status="nominated")
    before, audits = count(Placement), count(AuditEntry)
    candidate = scene[who] if who else None
    post = scene[where] if where else Post(id=0)
    data = placement_form(candidate, post, start, end) | extra
    if not where:
        data["post_id"] = ""
    response = new_placement(as_clerk, data)
    assert response.status_code == 422
    page = text_of(response)
    found = error_at(page, field)
    assert found and message in found, found
    assert "未保存任何内容" in page or "alert-danger" in page
    assert count(Placement) == before and count(AuditEntry) == audits


def test_namesakes_are_told_apart_on_the_pick_page(as_clerk, make, town, scene):
    twin = person(make, town, "李明", village="石桥村")
    page = text_of(as_clerk.get("/posts/placements/new", query_string={"q": "李明"}))
    for one, village in ((scene["li"], "东山村"), (twin, "石桥村")):
        assert f"?candidate={one.id}" in page and village in page and one.masked_id in page


def test_placing_starts_by_picking_the_candidate(as_clerk, make, town, scene):
    """Without a candidate the form's page is the pick page: it lists only placeable candidates,
    keeps a preset post through a search, and a form sent without one writes nothing."""
    person(make, town, "周七", status="nominated")
    window = scene["window"]
    data = placement_form(scene["zhang"], scene["other"], "2025-03-01", "2025-05-31")
    response = as_clerk.post("/posts/placements/new", data=data)
    assert response.status_code == 200 and "安排试岗：选择后备干部" in text_of(response)
    assert count(Placement, Placement.candidate_id == scene["zhang"].id) == 0
    page = text_of(as_clerk.get(f"/posts/placements/new?post={window.id}"))
    assert f'<input type="hidden" name="post" value="{window.id}">' in page
    found = text_of(as_clerk.get(f"/posts/placements/new?post={window.id}&q=zw"))
    assert f'href="/posts/placements/new?post={window.id}&candidate={scene["zhang"].id}"' in found
    assert "没有找到" in text_of(as_clerk.get("/posts/placements/new?q=周七"))
    assert "没有找到" in text_of(as_clerk.get("/posts/placements/new?q=赵六"))


def test_dates_are_inclusive(as_clerk, scene):
    """Ending on the day another starts is a clash; starting the day after is not."""
    response = new_placement(
        as_clerk,
        placement_form(scene["li"], scene["other"], "2024-05-31", "2024-06-30"),
    )
    assert response.status_code == 422
    response = new_placement(
        as_clerk,
        placement_form(scene["li"], scene["other"], "2024-06-01", "2024-06-30"),
    )
    assert response.status_code == 302


def test_capacity_counts_each_day_not_each_period(as_clerk, make, town, scene):
    """Two people who follow each other use one seat: a third fits beside them."""
    window = scene["window"]
    first = person(make, town, "陈一")
    place(first, window, dt.date(2024, 7, 1), dt.date(2024, 7, 31))
    second = person(make, town, "陈二")
    place(second, window, dt.date(2024, 8, 1), dt.date(2024, 8, 31))
    response = new_placement(
        as_clerk,
        placement_form(scene["zhang"], window, "2024-07-15", "2024-08-15"),
    )
    assert response.status_code == 302


def test_cut_short_frees_the_seat_after_its_end(as_clerk, make, town):
    post = add_post(town, "信访接待", capacity=1)
    first, second = person(make, town, "甲"), person(make, town, "乙")
    held = place(first, post, day(-60), day(60))
    data = placement_form(second, post, day(1), day(30))
    assert new_placement(as_clerk, data).status_code == 422
    response = as_clerk.post(
        f"/posts/placements/{held.id}/cut", data={"ended_on": iso(0), "cut_reason": "外出务工"}
    )
    assert response.status_code == 302
    assert new_placement(as_clerk, data).status_code == 302


def test_inactive_post_takes_no_new_placements(as_clerk, make, town):
    post = add_post(town, "动拆迁")
    post.is_active = False
    db.session.commit()
    response = new_placement(as_clerk, placement_form(person(make, town), post, day(1), day(9)))
    assert response.status_code == 422
    assert "已停用" in error_at(text_of(response), "post_id")


def test_inspecting_candidate_may_be_placed(as_clerk, make, town):
    candidate = person(make, town, status="inspecting")
    response = new_placement(
        as_clerk,
        placement_form(candidate, post_named(town, "党政综合窗口"), day(1), day(9)),
    )
    assert response.status_code == 302


def test_placement_without_csrf_changes_nothing(as_clerk, make, town):
    candidate = person(make, town)
    response = new_placement(
        as_clerk,
        placement_form(candidate, post_named(town, "党政综合窗口"), day(1), day(9)),
        csrf=False,
    )
    assert response.status_code == 400
    assert count(Placement) == 0


@pytest.mark.parametrize("role", ["secretary"])
def test_secretary_may_not_place(client, make, town, role):
    candidate = person(make, town)
    login(client, make.user(role, town))
    assert client.get(f"/posts/placements/new?candidate={candidate.id}").status_code == 403
    response = new_placement(
        client,
        placement_form(candidate, post_named(town, "党政综合窗口"), day(1), day(9)),
    )
    assert response.status_code == 403 and count(Placement) == 0
    page = text_of(client.get(f"/candidates/{candidate.id}"))
    assert "/posts/placements/new" not in page


def test_editing_a_placement_rechecks_the_rules(as_clerk, make, town, scene):
    placement = place(scene["zhang"], scene["other"], day(10), day(40))
    response = as_clerk.post(
        f"/posts/placements/{placement.id}/edit",
        data=opened(as_clerk, f"/posts/placements/{placement.id}/edit")
        | {
            "post_id": str(scene["other"].id),
            "start_on": iso(10),
            "end_on": iso(80),
            "goal": "延长试岗",
        },
    )
    assert response.status_code == 302
    assert count(Placement, Placement.end_on == day(80)) == 1
    li_now = place(scene["li"], scene["window"], day(100), day(130))
    response = as_clerk.post(
        f"/posts/placements/{li_now.id}/edit",
        data=opened(as_clerk, f"/posts/placements/{li_now.id}/edit")
        | {
            "post_id": str(scene["other"].id),
            "start_on": iso(70),
            "end_on": iso(130),
            "goal": "x",
        },
    )
    assert response.status_code == 422  # 党政综合窗口 (capacity 1) is 张伟's until day 80
    assert "已有 1 人，容量为 1" in error_at(text_of(response), "post_id")


# ---- ending: report, evaluation, cut short, cancel -----------------------------------------


@pytest.fixture
def ended(make, town):
    return place(person(make, town, "李明"), post_named(town, "帮办代办窗口"), day(-90), day(-1))


def test_clerk_records_report_and_secretary_evaluates(
    app, client, make, town, ended, clerk, secretary
):
    login(client, clerk)
    page = text_of(client.get(f"/posts/placements/{ended.id}"))
    assert "待评价" in page
    response = client.post(
        f"/posts/placements/{ended.id}/report",
        data={"report": "学会了帮办代办的全流程。\n很有收获。"},
    )
    assert response.status_code == 302
    client = app.test_client()
    login(client, secretary)
    response = client.post(
        f"/posts/placements/{ended.id}/evaluate",
        data={"grade": "excellent", "evaluation": "服务热情，办事规范", "evaluated_on": iso(0)},
    )
    assert response.status_code == 302
    db.session.expire_all()
    placement = db.session.get(Placement, ended.id)
    assert placement.report == "学会了帮办代办的全流程。\n很有收获。"
    assert (placement.grade, placement.evaluated_on, placement.evaluated_by_id) == (
        "excellent",
        TODAY,
        secretary.id,
    )
    assert placement.state(TODAY) == "evaluated"
    actions = db.session.scalars(
        select(AuditEntry.action).where(
            AuditEntry.entity_id == ended.id, AuditEntry.entity == "placement"
        )
    ).all()
    assert set(actions) == {"report", "evaluate"}
    page = text_of(client.get(f"/candidates/{placement.candidate_id}"))
    assert "优秀" in page and "试岗评价：优秀（帮办代办窗口）" in page


@pytest.mark.parametrize(
    ("url", "data", "field", "words"),
    [
        ("report", {"report": " "}, "report", "请填写心得体会"),
        ("evaluate", {"grade": ""}, "grade", "请选择评价等次"),
        ("evaluate", {"grade": "很好"}, "grade", "不是有效的评价等次"),
        ("evaluate", {"grade": "fail", "evaluation": ""}, "evaluation", "评为“不合格”时请写明"),
        ("evaluate", {"grade": "pass", "evaluated_on": "2099-01-01"}, "evaluated_on", "今天之前"),
        ("cut", {"ended_on": "", "cut_reason": "外出"}, "ended_on", "请填写实际结束日期"),
    ],
)
def test_ending_refusals(as_clerk, ended, url, data, field, words):
    audits = count(AuditEntry)
    response = as_clerk.post(f"/posts/placements/{ended.id}/{url}", data=data)
    assert response.status_code == 422
    assert words in error_at(text_of(response), field)
    assert count(AuditEntry) == audits
    assert count(Placement, Placement.grade.is_(None), Placement.report == "") == 1


def test_grade_by_its_chinese_name_and_basic_pass_needs_a_comment(as_clerk, ended):
    response = as_clerk.post(
        f"/posts/placements/{ended.id}/evaluate", data={"grade": "基本合格", "evaluation": ""}
    )
    assert response.status_code == 422
    response = as_clerk.post(
        f"/posts/placements/{ended.id}/evaluate",
        data={"grade": "基本合格", "evaluation": "群众工作方法还需加强"},
    )
    assert response.status_code == 302
    assert count(Placement, Placement.grade == "basic_pass") == 1


def test_nothing_to_evaluate_before_it_starts(as_clerk, make, town):
    planned = place(person(make, town), post_named(town, "党政综合窗口"), day(5), day(50))
    response = as_clerk.post(
        f"/posts/placements/{planned.id}/evaluate", data={"grade": "pass", "evaluation": "好"}
    )
    assert response.status_code == 422
    assert "开始后才能评价" in text_of(response)
    assert count(Placement, Placement.grade.is_not(None)) == 0


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"ended_on": "{start}", "cut_reason": ""}, "请填写提前结束的原因"),
        ({"ended_on": "{before}", "cut_reason": "生病"}, "实际结束日期应在"),
        ({"ended_on": "{end}", "cut_reason": "生病"}, "实际结束日期应在"),
        ({"ended_on": "{tomorrow}", "cut_reason": "生病"}, "不能晚于今天"),
    ],
)
def test_cut_short_refusals(as_clerk, make, town, data, words):
    active = place(person(make, town), post_named(town, "党政综合窗口"), day(-20), day(50))
    values = {"start": iso(-20), "before": iso(-21), "end": iso(50), "tomorrow": iso(1)}
    data = {k: v.format(**values) for k, v in data.items()}
    response = as_clerk.post(f"/posts/placements/{active.id}/cut", data=data)
    assert response.status_code == 422
    assert words in text_of(response)
    assert count(Placement, Placement.ended_on.is_not(None)) == 0


def test_cut_short_is_recorded(as_clerk, make, town):
    active = place(person(make, town), post_named(town, "党政综合窗口"), day(-20), day(50))
    response = as_clerk.post(
        f"/posts/placements/{active.id}/cut", data={"ended_on": iso(-1), "cut_reason": "外出务工"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    placement = db.session.get(Placement, active.id)
    assert (placement.ended_on, placement.cut_reason) == (day(-1), "外出务工")
    assert placement.state(TODAY) == "cut_short"
    page = text_of(as_clerk.get(f"/candidates/{placement.candidate_id}"))
    assert "提前结束：党政综合窗口" in page and "外出务工" in page
    # Once cut short it cannot be changed or cut again.
    again = as_clerk.post(
        f"/posts/placements/{active.id}/cut", data={"ended_on": iso(-2), "cut_reason": "x"}
    )
    assert again.status_code == 422 and "已于" in text_of(again)


def test_secretary_may_evaluate_but_not_cut_short(client, make, town, secretary, ended):
    login(client, secretary)
    response = client.post(
        f"/posts/placements/{ended.id}/cut", data={"ended_on": iso(-2), "cut_reason": "x"}
    )
    assert response.status_code == 403
    response = client.post(f"/posts/placements/{ended.id}/report", data={"report": "收获很大"})
    assert response.status_code == 302


def test_cancel_only_before_it_starts(as_clerk, make, town):
    planned = place(person(make, town), post_named(town, "党政综合窗口"), day(5), day(50))
    active = place(person(make, town, "王芳"), post_named(town, "村镇规划窗口"), day(-5), day(50))
    response = as_clerk.post(f"/posts/placements/{active.id}/cancel", data={})
    assert response.status_code == 422 and "已经开始的试岗不能取消" in text_of(response)
    response = as_clerk.post(f"/posts/placements/{planned.id}/cancel", data={})
    assert response.status_code == 302
    assert count(Placement) == 1
    assert count(AuditEntry, AuditEntry.action == "delete", AuditEntry.entity == "placement") == 1
    assert (
        as_clerk.post(f"/posts/placements/{active.id}/cancel", data={}, csrf=False).status_code
        == 400
    )


# ---- the post page's month grid ------------------------------------------------------------


def test_post_page_shows_who_held_it_when(as_clerk, make, town):
    window = post_named(town, "帮办代办窗口")
    li = place(person(make, town, "李明"), window, dt.date(2024, 3, 1), dt.date(2024, 5, 15))
    place(person(make, town, "王芳"), window, dt.date(2024, 4, 10), dt.date(2024, 4, 20))
    page = text_of(as_clerk.get(f"/posts/{window.id}?from=2024-01"))
    row = re.search(rf'data-placement="{li.id}".*?</tr>', page, re.S).group(0)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row)
    assert cells[:6] == ["", "", "全月", "全月", "至15日", ""]
    peak = re.search(r'class="peak".*?</tr>', page, re.S).group(0)
    assert re.findall(r"<td[^>]*>(.*?)</td>", peak)[:5] == ["0/2", "0/2", "1/2", "2/2", "1/2"]
    assert "2024<br>1月" in page and "12月" in page
    # Twelve months, and the way to the year before.
    assert len(re.findall(r"<th scope=\"col\" class=\"text-center", page)) == 12
    assert "from=2023-01" in page
    assert as_clerk.get(f"/posts/{window.id}?from=garbage").status_code == 200


# ---- due to end, worklists -----------------------------------------------------------------


def test_due_list_and_worklists(app, client, make, town, clerk):
    window = post_named(town, "帮办代办窗口")
    soon = place(person(make, town, "李明"), window, day(-80), day(10))
    place(person(make, town, "王芳"), window, day(-80), day(20))  # not within 14 days
    past = place(person(make, town, "张伟"), post_named(town, "党政综合窗口"), day(-90), day(-3))
    place(
        person(make, town, "赵六"),
        post_named(town, "村镇规划窗口"),
        day(-90),
        day(-3),
        grade="pass",
    )
    login(client, clerk)
    page = text_of(client.get("/posts/due"))
    due_part, waiting_part = page.split("已结束、待评价的试岗")
    assert "李明" in due_part and "王芳" not in due_part and "还有 10 天" in due_part
    assert "张伟" in waiting_part and "赵六" not in waiting_part
    assert "<strong>1</strong> 人的试岗将在 14 天内结束" in text_of(client.get("/posts/"))

    from app.core.sections import worklists_for

    with app.test_request_context():
        lists = {w.title: (total, items) for w, total, items in worklists_for(clerk)}
    total, items = lists["即将结束的试岗"]
    assert total == 1 and items[0].title == "李明" and items[0].due_on == day(10)
    assert items[0].url.endswith(f"/posts/placements/{soon.id}#ending")
    total, items = lists["待评价的试岗"]
    assert total == 1 and items[0].title == "张伟"
    assert items[0].url.endswith(f"/posts/placements/{past.id}#ending")


def test_worklists_are_scoped(app, make, town, clerk):
    other = make.township("白沙镇", villages=("新民村",))
    place(person(make, other, "王五"), post_named(other, "帮办代办窗口"), day(-80), day(5))
    from app.core.sections import worklists_for

    with app.test_request_context():
        lists = {w.title: total for w, total, _ in worklists_for(clerk)}
        county = {w.title: total for w, total, _ in worklists_for(make.user("admin"))}
    assert lists["即将结束的试岗"] == 0 and county["即将结束的试岗"] == 1


# ---- the candidate page: section, timeline, plan progress ----------------------------------


def test_candidate_page_section_and_timeline(as_clerk, make, town):
    candidate = person(make, town, "李明")
    place(candidate, post_named(town, "帮办代办窗口"), day(-10), day(60))
    place(candidate, post_named(town, "党政综合窗口"), day(90), day(120))
    page = text_of(as_clerk.get(f"/candidates/{candidate.id}"))
    assert "试岗锻炼" in page and "正在试岗：" in page
    assert "帮办代办窗口（计划）" not in page and "党政综合窗口（计划）" in page
    assert f"{iso(-10)} 至 {iso(60)}" in page
    printed = text_of(as_clerk.get(f"/candidates/{candidate.id}/print"))
    assert "帮办代办窗口" in printed and "/posts/placements/new" not in printed


def test_rotation_plan_progress_and_roster_filter(client, make, town, clerk, secretary):
    login(client, secretary)
    response = client.post(
        "/posts/plans/party_secretary",
        data={"party_secretary-months_window": "3", "party_secretary-months_cross_village": "6"},
    )
    assert response.status_code == 302
    assert count(RotationPlanItem) == 2
    done = person(make, town, "李明")
    half = person(make, town, "王芳")
    failed = person(make, town, "张伟")
    other_way = person(make, town, "赵六", direction="committee_member")
    cross = add_post(
        town,
        "太平村党总支副书记",
        "cross_village",
        capacity=3,
        village=village_named(town, "太平村"),
    )
    window = post_named(town, "帮办代办窗口")
    # 李明: 3 months of window (1 Mar - 31 May) and 6 of cross-village in two parts.
    place(done, window, dt.date(2023, 3, 1), dt.date(2023, 5, 31), grade="pass")
    place(done, cross, dt.date(2023, 6, 15), dt.date(2023, 9, 14))
    place(done, cross, dt.date(2023, 10, 1), dt.date(2023, 12, 31), grade="excellent")
    # 王芳: the window, but the cross-village post still running.
    place(half, window, dt.date(2023, 6, 1), dt.date(2023, 8, 31))
    place(half, cross, day(-30), day(200))
    # 张伟: both, but the window judged 不合格 and the cross-village cut short.
    place(failed, window, dt.date(2022, 1, 1), dt.date(2022, 6, 30), grade="fail")
    place(failed, cross, dt.date(2023, 1, 1), dt.date(2023, 12, 31), ended_on=dt.date(2023, 11, 1))
    place(other_way, window, dt.date(2023, 1, 1), dt.date(2023, 12, 31))

    login(client, clerk)
    page = text_of(client.get(f"/candidates/{done.id}"))
    assert "窗口试岗：已完成 3.0 / 3 个月" in page and "跨村任职：已完成 6.0 / 6 个月" in page
    assert "已完成轮岗计划" in page
    page = text_of(client.get(f"/candidates/{half.id}"))
    assert "跨村任职：已完成 0.0 / 6 个月" in page and "轮岗计划未完成" in page
    page = text_of(client.get(f"/candidates/{other_way.id}"))
    assert "尚未设置“村两委委员”方向的轮岗计划" in page

    def names(**params):
        html = text_of(client.get("/candidates/", query_string=params))
        return sorted(re.findall(r'<a href="/candidates/\d+">([^<]+)</a>', html))

    assert names(plan="complete") == ["李明"]
    assert names(plan="incomplete") == ["张伟", "王芳"]
    assert names(plan="anything") == ["张伟", "李明", "王芳", "赵六"]


@pytest.mark.parametrize("role", ["clerk", "secretary", "admin"])
def test_plan_page_by_role(client, make, town, role):
    login(client, make.user(role, None if role == "admin" else town))
    suffix = f"?township={town.id}" if role == "admin" else ""
    page = text_of(client.get(f"/posts/plans{suffix}"))
    assert "村党组织书记" in page
    response = client.post(
        f"/posts/plans/party_secretary{suffix}", data={"party_secretary-months_window": "3"}
    )
    if role == "clerk":
        assert response.status_code == 403 and count(RotationPlanItem) == 0
        assert "party_secretary-months_window" not in page
    else:
        assert response.status_code == 302 and count(RotationPlanItem) == 1


def test_plan_refusals_and_changes(client, make, town, secretary):
    login(client, secretary)
    response = client.post(
        "/posts/plans/committee_member",
        data={"committee_member-months_window": "三", "committee_member-months_frontline": "40"},
    )
    assert response.status_code == 422
    page = text_of(response)
    assert "不是整数" in error_at(page, "committee_member-months_window")
    assert "0 到 36" in error_at(page, "committee_member-months_frontline")
    assert count(RotationPlanItem) == 0
    assert client.post("/posts/plans/nonsense", data={}).status_code == 404
    client.post("/posts/plans/committee_member", data={"committee_member-months_window": "2"})
    client.post(
        "/posts/plans/committee_member",
        data={"committee_member-months_window": "0", "committee_member-months_frontline": "4"},
    )
    rows = db.session.scalars(select(RotationPlanItem)).all()
    assert [(r.direction, r.kind, r.min_months) for r in rows] == [
        ("committee_member", "frontline", 4)
    ]
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.entity == "rotation_plan").order_by(AuditEntry.id)
    ).all()
    assert len(entries) == 2 and entries[1].changes == {
        "窗口试岗": [2, None],
        "一线实践": [None, 4],
    }


# ---- the roster's placement filters --------------------------------------------------------


def test_roster_filters_placed_and_post_kind(as_clerk, make, town):
    window = post_named(town, "帮办代办窗口")
    cross = add_post(
        town, "太平村党总支副书记", "cross_village", village=village_named(town, "太平村")
    )
    now_window = person(make, town, "李明")
    now_cross = person(make, town, "王芳")
    was_window = person(make, town, "张伟")
    later = person(make, town, "赵六")
    person(make, town, "周七")
    place(now_window, window, day(-5), day(5))
    place(now_cross, cross, day(-5), day(5))
    place(was_window, window, day(-50), day(-20))
    place(later, window, day(10), day(20))

    def names(**params):
        html = text_of(as_clerk.get("/candidates/", query_string=params))
        return sorted(re.findall(r'<a href="/candidates/\d+">([^<]+)</a>', html))

    assert names(placed="yes") == ["李明", "王芳"]
    assert names(placed="no") == ["周七", "张伟", "赵六"]
    assert names(post_kind="window") == ["张伟", "李明"]
    assert names(post_kind="窗口试岗") == ["张伟", "李明"]
    assert names(placed="yes", post_kind="cross_village") == ["王芳"]
    assert names(placed="maybe") == ["周七", "张伟", "李明", "王芳", "赵六"]
    html = text_of(as_clerk.get("/candidates/?placed=yes&post_kind=window&plan=complete"))
    for name in ("placed", "post_kind", "plan"):
        assert f'name="{name}"' in html
    assert re.search(r'<option value="yes" selected>', html)


def test_roster_page_statements_stay_fixed_with_placement_filters(client, make, town):
    window = post_named(town, "帮办代办窗口")
    for i in range(3):
        place(person(make, town, f"甲{i}"), window, day(-5 - 40 * i), day(-40 * i))
    login(client, make.user("admin"))
    client.get("/candidates/")

    def statements(path):
        n = 0

        def counter(*args):
            nonlocal n
            n += 1

        db.session.remove()
        event.listen(db.engine, "before_cursor_execute", counter)
        try:
            assert client.get(path).status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", counter)
        return n

    path = "/candidates/?placed=yes&post_kind=window&plan=incomplete"
    small = statements(path)
    town = db.session.get(Township, town.id)
    for i in range(12):
        place(
            person(make, town, f"乙{i}"),
            post_named(town, "党政综合窗口"),
            day(i * 3),
            day(i * 3 + 2),
        )
    assert statements(path) == small
    assert statements("/candidates/?placed=no&plan=complete") == small


# ---- months: Python and SQL agree ----------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        ((2024, 3, 1), (2024, 5, 31), 3),
        ((2024, 2, 1), (2024, 4, 30), 3),
        ((2024, 1, 15), (2024, 4, 14), 3),
        ((2024, 1, 1), (2024, 1, 15), 0.5),
        ((2023, 7, 1), (2023, 12, 31), 6),
        ((2024, 12, 1), (2025, 2, 28), 3),
    ],
)
def test_months_between(start, end, months):
    assert abs(months_between(dt.date(*start), dt.date(*end)) - months) < 1e-9


def test_sql_months_match_python(make, town):
    window = post_named(town, "帮办代办窗口")
    candidate = person(make, town)
    spans = [
        (dt.date(2020, 1, 31), dt.date(2020, 2, 28)),
        (dt.date(2020, 2, 29), dt.date(2021, 2, 27)),
        (dt.date(2021, 3, 5), dt.date(2021, 3, 5)),
        (dt.date(2021, 12, 31), dt.date(2022, 1, 30)),
        (dt.date(2022, 6, 10), dt.date(2023, 1, 9)),
    ]
    for start, end in spans:
        place(candidate, window, start, end)
    rows = db.session.execute(select(Placement.start_on, Placement.end_on, _months_sql())).all()
    assert len(rows) == len(spans)
    for start, end, months in rows:
        assert abs(float(months) - months_between(start, end)) < 1e-9, (start, end, months)
