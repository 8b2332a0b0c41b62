"""The roster list /candidates/: count, pages, filters, pinyin order, search, masking, scoping."""

from __future__ import annotations

import datetime as dt
import itertools
import re

import pytest
from sqlalchemy import event, select

from app.core import clock
from app.core.audit import AuditEntry
from app.core.idcard import checksum_char, make_id_number, mask_id_number
from app.core.pinyin import name_sort_key
from app.extensions import db
from app.roster.models import Candidate, StatusChange
from app.roster.queries import MAX_AGE, RosterFilters
from tests.conftest import login

_SEQ = itertools.count()


# ---- helpers -----------------------------------------------------------------------------


def _years_before(today: dt.date, years: int) -> dt.date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def born_aged(age: int) -> dt.date:
    """A birth date giving exactly ``age`` today (the birthday was 40 days ago)."""
    return _years_before(clock.today(), age) - dt.timedelta(days=40)


def id_number(birth: dt.date = dt.date(1990, 5, 3), sex: str = "M") -> str:
    """A valid number, distinct from every other one this module makes with the same birth."""
    return make_id_number("430521", birth, (next(_SEQ) % 500) * 2, sex)


def id_with_tail(tail3: str, check: str | None = None, birth=dt.date(1988, 8, 8)) -> str:
    """A valid number whose sequence code is ``tail3``; with ``check``, the birth date is moved
    day by day until the check character is that one (e.g. 'X')."""
    day = birth
    while True:
        body = f"430521{day:%Y%m%d}{tail3}"
        number = body + checksum_char(body)
        if check is None or number.endswith(check):
            return number
        day += dt.timedelta(days=1)


def person(
    make,
    township,
    name: str,
    *,
    village: int = 0,
    sex: str = "M",
    age: int | None = None,
    number: str | None = None,
    status: str | None = None,
    **overrides,
) -> Candidate:
    birth = born_aged(age) if age is not None else dt.date(1990, 5, 3)
    number = number or id_number(birth, sex)
    candidate = make.candidate(
        township,
        name=name,
        id_number=number,
        village_id=township.villages[village].id,
        **overrides,
    )
    if status is not None:
        candidate.status = status
        db.session.commit()
    return candidate


def rows(html: str) -> list[tuple[int, str]]:
    """(id, name) of each row of the roster table, in page order."""
    body = re.search(r"<tbody>(.*?)</tbody>", html, re.S)
    if body is None:
        return []
    return [
        (int(cid), name.strip())
        for cid, name in re.findall(r'<a href="/candidates/(\d+)">([^<]*)</a>', body.group(1))
    ]


def names(html: str) -> list[str]:
    return [name for _, name in rows(html)]


def total(html: str) -> int:
    match = re.search(r'共 <strong id="total">(\d+)</strong> 人', html)
    assert match, "no total on the roster page"
    return int(match.group(1))


def roster(client, **params) -> str:
    response = client.get("/candidates/", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


# ---- logged out --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/candidates/", "/candidates/?q=zs&status=all", "/candidates/999999"]
)
def test_logged_out_is_sent_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].split("?")[0].endswith("/login")


# ---- count and pages ---------------------------------------------------------------------


@pytest.fixture
def fifty_five(make, login_as):
    """55 candidates with one name (so the order is by id) in one township, a clerk logged in."""
    township = make.township()
    ids = [person(make, township, "张三").id for _ in range(55)]
    login_as(make.user("clerk", township))
    return sorted(ids)


@pytest.mark.parametrize(
    ("page", "first", "count", "label"),
    [
        (None, 0, 50, "第 1 / 2 页"),
        ("1", 0, 50, "第 1 / 2 页"),
        ("2", 50, 5, "第 2 / 2 页"),
        ("999", 50, 5, "第 2 / 2 页"),  # past the end: the last page
        ("0", 0, 50, "第 1 / 2 页"),
        ("-3", 0, 50, "第 1 / 2 页"),
        ("abc", 0, 50, "第 1 / 2 页"),
    ],
)
def test_pages_of_fifty(client, fifty_five, page, first, count, label):
    html = roster(client, **({"page": page} if page is not None else {}))
    assert total(html) == 55
    assert [cid for cid, _ in rows(html)] == fifty_five[first : first + count]
    assert label in html


def test_pages_together_show_everyone_once(client, fifty_five):
    seen = [cid for p in (1, 2) for cid, _ in rows(roster(client, page=p))]
    assert seen == fifty_five


def test_total_counts_all_matches_not_only_the_page(client, make, login_as):
    township = make.township()
    for _ in range(3):
        person(make, township, "李明")
    person(make, township, "王五")
    login_as(make.user("clerk", township))
    html = roster(client)
    assert total(html) == 4
    assert names(html) == ["李明", "李明", "李明", "王五"]
    assert "第 1 / 1 页" not in html  # one page: no pager text
    assert total(roster(client, q="李")) == 3


def test_empty_roster_says_so(client, make, login_as):
    login_as(make.user("admin"))
    html = roster(client)
    assert total(html) == 0
    assert rows(html) == []
    assert "没有符合条件的后备干部" in html


# ---- filters -----------------------------------------------------------------------------

# name: (township, village, political, education, source, sex, age, status)
PEOPLE = {
    "张三": ("A", 0, "01", "bachelor", "veteran", "M", 25, "nominated"),
    "李四": ("A", 1, "03", "college", "rich_leader", "F", 35, "inspecting"),
    "王五": ("B", 0, "13", "high_school", "veteran", "M", 45, "in_pool"),
    "赵六": ("B", 1, "01", "college", "other", "F", 30, "returned"),
    "钱七": ("A", 0, "01", "bachelor", "veteran", "M", 50, "used"),
    "孙八": ("B", 0, "13", "high_school", "other", "F", 28, "withdrawn"),
}


@pytest.fixture
def county(make, client):
    """Two townships, the six PEOPLE, a county-level admin logged in; symbolic ids."""
    towns = {
        "A": make.township("甲镇", villages=("石桥村", "太平村")),
        "B": make.township("乙镇", villages=("东山村", "西山村")),
    }
    made = {}
    for name, (town, village, political, education, source, sex, age, status) in PEOPLE.items():
        made[name] = person(
            make,
            towns[town],
            name,
            village=village,
            sex=sex,
            age=age,
            status=status,
            political=political,
            education=education,
            source=source,
            gender=sex,
        )
    login(client, make.user("admin"))
    refs = {
        "A": towns["A"].id,
        "B": towns["B"].id,
        "A0": towns["A"].villages[0].id,
        "A1": towns["A"].villages[1].id,
        "B0": towns["B"].villages[0].id,
        "B1": towns["B"].villages[1].id,
    }
    return {"towns": towns, "people": made, "refs": refs}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["李四", "王五", "张三", "赵六"]),
        ({"township": "A"}, ["李四", "张三"]),
        ({"township": "B"}, ["王五", "赵六"]),
        ({"village": "A0"}, ["张三"]),
        ({"village": "B1"}, ["赵六"]),
        ({"township": "A", "village": "A1"}, ["李四"]),
        ({"township": "A", "village": "B0"}, []),
        ({"status": "nominated"}, ["张三"]),
        ({"status": "inspecting"}, ["李四"]),
        ({"status": "in_pool"}, ["王五"]),
        ({"status": "returned"}, ["赵六"]),
        ({"status": "used"}, ["钱七"]),
        ({"status": "withdrawn"}, ["孙八"]),
        ({"status": "all"}, ["李四", "钱七", "孙八", "王五", "张三", "赵六"]),
        ({"status": "all", "township": "B"}, ["孙八", "王五", "赵六"]),
        ({"source": "veteran"}, ["王五", "张三"]),
        ({"source": "other", "status": "all"}, ["孙八", "赵六"]),
        ({"education": "college"}, ["李四", "赵六"]),
        ({"education": "bachelor"}, ["张三"]),
        ({"political": "01"}, ["张三", "赵六"]),
        ({"political": "13"}, ["王五"]),
        ({"gender": "F"}, ["李四", "赵六"]),
        ({"gender": "M"}, ["王五", "张三"]),
        ({"age_min": "30"}, ["李四", "王五", "赵六"]),
        ({"age_max": "30"}, ["张三", "赵六"]),
        ({"age_min": "30", "age_max": "40"}, ["李四", "赵六"]),
        ({"age_min": "26", "age_max": "29", "status": "all"}, ["孙八"]),
        ({"age_min": "３０"}, ["李四", "王五", "赵六"]),  # full-width digits
        # No one's age (the birth year would be 0 or before): not applied.
        ({"age_min": "2026"}, ["李四", "王五", "张三", "赵六"]),
        ({"age_max": "99999"}, ["李四", "王五", "张三", "赵六"]),
        ({"age_min": "-5", "age_max": "-1"}, ["李四", "王五", "张三", "赵六"]),
        ({"q": "王"}, ["王五"]),
        ({"q": "钱"}, ["钱七"]),  # a search reaches used candidates
        ({"q": "sb"}, ["孙八"]),  # and withdrawn ones
        ({"q": "qian", "status": "in_pool"}, []),  # an explicit status still applies
        ({"township": "B", "gender": "F"}, ["赵六"]),
        ({"township": "B", "gender": "F", "status": "all"}, ["孙八", "赵六"]),
        ({"sort": "age"}, ["张三", "赵六", "李四", "王五"]),
        ({"sort": "-age"}, ["王五", "李四", "赵六", "张三"]),
        ({"sort": "-created", "status": "all"}, ["孙八", "钱七", "赵六", "王五", "李四", "张三"]),
        ({"status": "bogus"}, ["李四", "王五", "张三", "赵六"]),  # meaningless: not applied
        ({"sort": "bogus"}, ["李四", "王五", "张三", "赵六"]),
    ],
)
def test_filters_narrow_the_list(client, county, params, expected):
    refs = county["refs"]
    query = {k: refs[v] if k in ("township", "village") else v for k, v in params.items()}
    html = roster(client, **query)
    assert names(html) == expected
    assert total(html) == len(expected)


@pytest.mark.parametrize(
    ("args", "read"),
    [
        ({"age_min": "0", "age_max": str(MAX_AGE)}, {"age_min": 0, "age_max": MAX_AGE}),
        ({"age_min": str(MAX_AGE + 1), "age_max": str(10**30)}, {}),
        ({"age_min": "9" * 5000, "age_max": "-1"}, {}),
        ({"age_min": "\U00010a40", "age_max": "3\x00"}, {"age_max": 3}),
        ({"village": "\U00010a40", "township": str(10**30), "page": "9" * 5000}, {}),
        ({"village": "１２", "township": "-3", "page": "0"}, {"village": 12}),
    ],
)
def test_from_args_applies_only_what_can_mean_something(args, read):
    assert RosterFilters.from_args(args).to_args() == read


def test_used_and_withdrawn_leave_the_working_roster(client, county):
    people = county["people"]
    default = {cid for cid, _ in rows(roster(client))}
    everyone = {cid for cid, _ in rows(roster(client, status="all"))}
    gone = {people["钱七"].id, people["孙八"].id}
    assert default == {c.id for c in people.values()} - gone
    assert everyone == {c.id for c in people.values()}
    number = people["孙八"].id_number
    assert [cid for cid, _ in rows(roster(client, q=number[-6:]))] == [people["孙八"].id]


def test_filter_form_keeps_the_chosen_values(client, county):
    refs = county["refs"]
    html = roster(client, township=refs["B"], status="in_pool", gender="M", q="wang")
    assert re.search(rf'<option value="{refs["B"]}"\s+selected>乙镇</option>', html)
    assert re.search(r'<option value="in_pool"\s+selected>', html)
    assert 'value="wang"' in html
    # With a township chosen, only its villages are offered.
    assert "东山村" in html and "石桥村" not in html


# ---- pinyin order ------------------------------------------------------------------------

SORT_NAMES = ["张三", "王五", "曾小明", "单田芳", "解晓东", "仇英", "覃明", "翟亮", "李明", "梁山"]
# By hand: li < liang (a syllable that ends first sorts first); qin < qiu; shan (单 as a
# surname, not dan); xie (解, not jie); zeng < zhai < zhang (曾 as zeng, not ceng).
SORT_EXPECTED = [
    "李明",
    "梁山",
    "覃明",
    "仇英",
    "单田芳",
    "王五",
    "解晓东",
    "曾小明",
    "翟亮",
    "张三",
]


def test_expected_pinyin_order_is_the_sort_keys_order():
    assert sorted(SORT_NAMES, key=name_sort_key) == SORT_EXPECTED


@pytest.mark.parametrize("sort", [None, "name"])
def test_names_sort_by_pinyin_with_surname_readings(client, make, login_as, sort):
    township = make.township()
    for name in SORT_NAMES:  # in an order that is neither pinyin nor code-point order
        person(make, township, name)
    login_as(make.user("secretary", township))
    html = roster(client, **({"sort": sort} if sort else {}))
    assert names(html) == SORT_EXPECTED
    assert sorted(SORT_NAMES) != SORT_EXPECTED  # code-point order would differ


def test_same_pinyin_names_keep_a_stable_order(client, make, login_as):
    township = make.township()
    first = person(make, township, "黎明")
    second = person(make, township, "李明")
    third = person(make, township, "黎明")
    login_as(make.user("clerk", township))
    assert [cid for cid, _ in rows(roster(client))] == [first.id, second.id, third.id]


# ---- search ------------------------------------------------------------------------------


@pytest.fixture
def searchable(make, login_as):
    township = make.township()
    people = {
        "张三": person(make, township, "张三", number=id_with_tail("135")),
        "张伟": person(make, township, "张伟", number=id_with_tail("246")),
        "曾小明": person(make, township, "曾小明", number=id_with_tail("357")),
        "王五": person(make, township, "王五", number=id_with_tail("468")),
        "李四": person(make, township, "李四", number=id_with_tail("579", "X")),
    }
    login_as(make.user("clerk", township))
    return people


def _tail(people, name, n):
    return people[name].id_number[-n:]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("张", ["张三", "张伟"]),
        ("张三", ["张三"]),
        (" 张 三 ", ["张三"]),
        ("曾", ["曾小明"]),
        ("zhangsan", ["张三"]),
        ("zhang", ["张三", "张伟"]),
        ("zhangw", ["张伟"]),
        ("zs", ["张三"]),
        ("z", ["曾小明", "张三", "张伟"]),
        (" ZS ", ["张三"]),
        ("ZhangSan", ["张三"]),
        ("Zhang San", ["张三"]),
        ("zeng", ["曾小明"]),  # 曾 read as a surname
        ("ceng", []),
        ("zxm", ["曾小明"]),
        ("wangwu", ["王五"]),
        ("sanzhang", []),
        ("ls", ["李四"]),
        ("赵", []),
    ],
)
def test_search_by_name_and_pinyin(client, searchable, q, expected):
    html = roster(client, q=q)
    assert names(html) == expected
    assert total(html) == len(expected)


@pytest.mark.parametrize(
    ("who", "digits", "expected"),
    [
        ("王五", 4, ["王五"]),
        ("王五", 6, ["王五"]),
        ("王五", 18, ["王五"]),
        ("张三", 5, ["张三"]),
        ("李四", 4, ["李四"]),  # ends in X
        ("李四", 8, ["李四"]),
        ("王五", 3, []),  # three digits do not search the ID number
        ("李四", 3, []),
    ],
)
def test_search_by_id_number_tail(client, searchable, who, digits, expected):
    q = _tail(searchable, who, digits)
    assert names(roster(client, q=q)) == expected


def test_search_by_id_tail_tolerates_lower_x_and_full_width(client, searchable):
    tail = _tail(searchable, "李四", 4)
    assert tail.endswith("X")
    assert names(roster(client, q=tail.lower())) == ["李四"]
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in _tail(searchable, "王五", 4))
    assert names(roster(client, q=full_width)) == ["王五"]
    assert names(roster(client, q=f" {_tail(searchable, '王五', 4)} ")) == ["王五"]


def test_id_tail_search_does_not_match_the_middle(client, searchable):
    number = searchable["王五"].id_number
    assert names(roster(client, q=number[-8:-2])) == []
    assert names(roster(client, q=number[6:14])) == []  # the birth date


# ---- masking -----------------------------------------------------------------------------


def test_id_numbers_are_masked_in_the_list(client, make, login_as):
    township = make.township()
    people = [person(make, township, name) for name in ("张三", "李四", "王五")]
    login_as(make.user("admin"))
    html = roster(client)
    for candidate in people:
        number = candidate.id_number
        masked = f"{number[:4]}{'*' * 10}{number[-4:]}"
        assert mask_id_number(number) == masked
        assert masked in html
        assert number not in html
        assert number[4:14] not in html


def test_id_number_masked_even_when_searched_by_tail(client, make, login_as):
    township = make.township()
    candidate = person(make, township, "张三", number=id_with_tail("777", "X"))
    login_as(make.user("clerk", township))
    html = roster(client, q=candidate.id_number[-10:])
    assert names(html) == ["张三"]
    assert candidate.id_number not in html
    assert mask_id_number(candidate.id_number) in html


# ---- statements per page -----------------------------------------------------------------


def _statements(client, path) -> tuple[int, str]:
    count = 0

    def counter(conn, cursor, statement, parameters, context, executemany):
        nonlocal count
        count += 1

    db.session.remove()  # nothing cached in the session: every read must really happen
    event.listen(db.engine, "before_cursor_execute", counter)
    try:
        response = client.get(path)
    finally:
        event.remove(db.engine, "before_cursor_execute", counter)
    assert response.status_code == 200
    return count, response.get_data(as_text=True)


def test_roster_page_issues_a_fixed_number_of_statements(client, make):
    first = make.township(villages=("石桥村", "太平村", "东山村"))
    for i in range(5):
        person(make, first, "张三", village=i % 3)
    first_id = first.id
    login(client, make.user("admin"))
    client.get("/candidates/")  # warm up (connections, caches)

    small, html = _statements(client, "/candidates/")
    assert len(rows(html)) == 5
    small_filtered, html = _statements(client, f"/candidates/?township={first_id}&sort=-age")
    assert len(rows(html)) == 5

    others = [make.township(villages=("石桥村", "太平村", "东山村")) for _ in range(3)]
    for i in range(45):
        town = others[i % 3]
        person(make, town, "李明", village=i % 3, political=("01", "03", "13")[i % 3])
    other_id = others[0].id
    large, html = _statements(client, "/candidates/")
    assert len(rows(html)) == 50
    assert total(html) == 50
    assert large == small

    large_filtered, html = _statements(client, f"/candidates/?township={other_id}&sort=-age")
    assert len(rows(html)) == 15
    assert large_filtered == small_filtered


# ---- scoping -----------------------------------------------------------------------------


@pytest.fixture
def two_townships(make):
    a = make.township("甲镇", villages=("石桥村", "太平村"))
    b = make.township("乙镇", villages=("东山村", "西山村"))
    mine = person(make, a, "张三", number=id_with_tail("111"))
    theirs = person(make, b, "王五", number=id_with_tail("222"))
    theirs_used = person(make, b, "王六", number=id_with_tail("333"), status="used")
    return {"a": a, "b": b, "mine": mine, "theirs": theirs, "theirs_used": theirs_used}


@pytest.mark.parametrize("role", ["clerk", "secretary"])
def test_township_user_lists_only_its_township(client, make, two_townships, role):
    t = two_townships
    login(client, make.user(role, t["a"]))
    html = roster(client)
    assert names(html) == ["张三"]
    assert total(html) == 1
    for params in (
        {"q": "王"},
        {"q": "w"},
        {"q": "wangwu"},
        {"q": t["theirs"].id_number[-4:]},
        {"q": t["theirs_used"].id_number[-4:]},
    ):
        html = roster(client, **params)
        assert rows(html) == [], params
        assert total(html) == 0, params
    for params in (
        {"township": t["b"].id},
        {"village": t["b"].villages[0].id},
        {"township": t["b"].id, "status": "all"},
    ):
        html = roster(client, **params)
        assert rows(html) == [], params
        assert total(html) == 0, params
        assert "王五" not in html and "乙镇" not in html
    html = roster(client)
    assert "石桥村" in html and "太平村" in html
    assert "东山村" not in html and "西山村" not in html and "乙镇" not in html
    assert names(roster(client, status="all")) == ["张三"]


@pytest.mark.parametrize("role", ["clerk", "secretary"])
@pytest.mark.parametrize(
    ("method", "suffix"),
    [
        ("get", ""),
        ("get", "/edit"),
        ("get", "/print"),
        ("post", "/status"),
        ("post", "/reveal-id"),
        ("post", "/edit"),
    ],
)
def test_other_townships_candidate_is_missing(client, make, two_townships, role, method, suffix):
    t = two_townships
    login(client, make.user(role, t["a"]))
    data = {"target": "inspecting", "reason": "试探"} if suffix == "/status" else {}
    if suffix == "/edit":
        data = {
            "name": "改名",
            "id_number": t["theirs"].id_number,
            "political": "01",
            "education": "bachelor",
            "source": "veteran",
            "direction": "party_secretary",
            "village_id": str(t["b"].villages[0].id),
        }
    send = getattr(client, method)
    kwargs = {"data": data} if method == "post" else {}
    theirs = send(f"/candidates/{t['theirs'].id}{suffix}", **kwargs)
    missing = send(f"/candidates/999999{suffix}", **kwargs)
    assert theirs.status_code == missing.status_code
    if role == "secretary" and suffix == "/edit":
        assert theirs.status_code == 403  # a secretary edits nothing, anywhere
    else:
        assert theirs.status_code == 404
    assert "王五" not in theirs.get_data(as_text=True)
    db.session.expire_all()
    candidate = db.session.get(Candidate, t["theirs"].id)
    assert (candidate.name, candidate.status) == ("王五", "nominated")
    assert (
        db.session.scalars(select(StatusChange).where(StatusChange.candidate_id == candidate.id))
        .all()[-1]
        .to_status
        == "nominated"
    )
    assert (
        db.session.scalars(
            select(AuditEntry).where(
                AuditEntry.entity == "candidate",
                AuditEntry.action.in_(["reveal", "status", "update"]),
            )
        ).all()
        == []
    )


@pytest.mark.parametrize("suffix", ["", "/print"])
@pytest.mark.parametrize("role", ["clerk", "secretary"])
def test_own_township_candidate_is_there(client, make, two_townships, role, suffix):
    t = two_townships
    login(client, make.user(role, t["a"]))
    response = client.get(f"/candidates/{t['mine'].id}{suffix}")
    assert response.status_code == 200
    assert "张三" in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["admin", "secretary"])
def test_county_level_user_sees_both_townships(client, make, two_townships, role):
    t = two_townships
    login(client, make.user(role, None))
    html = roster(client)
    assert names(html) == ["王五", "张三"]
    assert total(html) == 2
    assert names(roster(client, status="all")) == ["王六", "王五", "张三"]
    assert names(roster(client, township=t["b"].id)) == ["王五"]
    assert names(roster(client, township=t["a"].id)) == ["张三"]
    html = roster(client, township=t["a"].id)
    assert "石桥村" in html and "太平村" in html and "东山村" not in html
    html = roster(client, township=t["b"].id)
    assert "东山村" in html and "西山村" in html and "石桥村" not in html
    for key in ("mine", "theirs"):
        assert client.get(f"/candidates/{t[key].id}").status_code == 200
        assert client.get(f"/candidates/{t[key].id}/print").status_code == 200
