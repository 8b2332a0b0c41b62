"""No input makes a 500: every GET route, as a county admin and as a township clerk, with hostile
query parameters and with ids no record can have.

Hostile values: numbers no column holds (10**30), negative numbers, characters that
``str.isdigit`` takes for digits but ``int`` does not ('²', '𐩀'), full-width digits, control
characters, 5,000-character strings; and the names ``url_for`` keeps for itself sent as
parameter names (a page that passes its query on to ``url_for`` would break, or turn its links
into absolute ``http://`` ones). The sweep reads ``app.url_map``, so a new route is swept too,
and it notes every query parameter a page reads, so a new one must be added to ``PARAMS``.
Below the sweep, each refusal is tested where it is made.
"""

from __future__ import annotations

import datetime as dt
import os
import re

import pytest
from flask import Request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import NotFound

from app.core import clock
from app.core.normalize import MAX_ID
from app.core.templating import url_with
from app.excel.columns import HEADERS
from app.extensions import db
from tests.conftest import login
from tests.helpers import xlsx_bytes

# The roster's filters (DESIGN.md) and the trial-post ones beside them.
ROSTER_FILTERS = (
    "q township village status source education political gender age_min age_max sort page "
    "placed post_kind plan"
).split()
# What other pages read from their query string.
OTHER_PARAMS = (
    "year entity entity_id kind from candidate post batch candidate_id mentor mentor_id state "
    "village_id show next"
).split()
PARAMS = ROSTER_FILTERS + OTHER_PARAMS

HOSTILE = {
    "huge": str(10**30),
    "negative": "-7",
    "superscript digit": "²",
    "Kharoshthi digit": "\U00010a40",
    "full-width digits": "２０２６",  # also an age whose birth year would be 0
    "control characters": "1\r\n\x00X:1",
    "long digits": "9" * 5000,
    # Mostly ASCII: the test client spends a fifth of a second on a URL of 5,000 encoded
    # Chinese characters in each of 30 parameters (a real server refuses a URL that long).
    "long text": "zhang 王 " * 625,
    "only reserved names": None,
}
# url_for's own parameter names (``url_for(endpoint, *, _anchor, ..., **values)``), sent as
# the names of query parameters.
RESERVED = {
    "endpoint": "x",
    "_method": "POST",
    "_external": "1",
    "_anchor": "x",
    "_scheme": "https",
    "values": "x",
}
# Larger than any id an integer column (PostgreSQL: 32 bits; SQLite: 64) can hold.
ABSURD_ID = "99999999999999999999999"


class _ReadArgs(ImmutableMultiDict):
    """Query parameters that remember which names the page read."""

    read: set[str] = set()

    def __getitem__(self, key):
        _ReadArgs.read.add(key)
        return super().__getitem__(key)


class _NotingRequest(Request):
    parameter_storage_class = _ReadArgs


def _world(make) -> dict:
    """One record of every kind a route can show, in one township; for each of the two users,
    the user and the values of route variables that name those records."""
    today = clock.today()
    township = make.township()
    first, second = township.villages
    admin = make.user("admin")
    clerk = make.user("clerk", township)
    candidate = make.candidate(township, status="in_pool")
    mentor = make.mentor(township)
    pairing = make.pairing(candidate, mentor, today - dt.timedelta(days=30), today)
    post = make.post(township)
    batch = make.batch(township, today - dt.timedelta(days=10), today + dt.timedelta(days=80))
    placement = make.placement(
        make.candidate(township, status="in_pool"),
        post,
        today - dt.timedelta(days=10),
        today + dt.timedelta(days=80),
        batch,
    )
    programme = make.programme(township)
    make.enrol(programme, candidate)
    values = {
        "candidate_id": candidate.id,
        "assessment_id": make.assessment(candidate).id,
        "township_id": township.id,
        "user_id": clerk.id,
        "village_id": first.id,
        "mentor_id": mentor.id,
        "pairing_id": pairing.id,
        "village_pairing_id": make.village_pairing(
            first, second, today - dt.timedelta(days=30), today + dt.timedelta(days=300)
        ).id,
        "seat_id": make.seat(first).id,
        "post_id": post.id,
        "batch_id": batch.id,
        "placement_id": placement.id,
        "programme_id": programme.id,
        "round_id": make.training_round(programme, today - dt.timedelta(days=20)).id,
    }
    workbook = xlsx_bytes([{"姓名": "李四"}], HEADERS)
    # An upload is only its own uploader's.
    return {
        role: (user, values | {"token": make.upload(user, workbook).token})
        for role, user in (("admin", admin), ("clerk", clerk))
    }


def _static_file(folder: str) -> str:
    for root, _dirs, files in os.walk(folder):
        for name in files:
            return os.path.relpath(os.path.join(root, name), folder).replace(os.sep, "/")
    raise AssertionError(f"no file under {folder}")


def _paths(app, values: dict | None):
    """(endpoint, path) of every GET route, its variables filled with ``values``; with None,
    of every GET route that has variables, filled with what no record can have."""
    files = {
        "static": _static_file(app.static_folder),
        "bootstrap.static": _static_file(app.blueprints["bootstrap"].static_folder),
    }
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in rule.methods or (values is None and not rule.arguments):
            continue
        if values is None:
            filled = {k: ABSURD_ID if k.endswith("_id") else "x" * 300 for k in rule.arguments}
        else:
            filled = values | {"filename": files.get(rule.endpoint)}
            if rule.endpoint == "mentoring.village_pairing_edit":
                filled["pairing_id"] = values["village_pairing_id"]

        def fill(match, filled=filled, rule=rule):
            assert match.group(1) in filled, f"{rule.rule}: what is a {match.group(1)}?"
            return str(filled[match.group(1)])

        yield rule.endpoint, re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", fill, rule.rule)


def _problem(client, path, query=None, *, absurd=False) -> str | None:
    """What is wrong with the answer to a hostile request, if anything. (Under test, an error
    in a view is raised rather than answered with a 500 page.)"""
    try:
        response = client.get(path, query_string=query)
    except Exception as exc:  # noqa: BLE001 — every failure is listed, not just the first
        db.session.rollback()  # as the 500 handler would: PostgreSQL refuses more till then
        return f"{type(exc).__name__}: {str(exc)[:120]}"
    with response:  # a download holds its file open until the response is closed
        body = response.get_data(as_text=True) if response.mimetype == "text/html" else ""
    if response.status_code >= 500:
        return str(response.status_code)
    if absurd and response.status_code not in (403, 404):
        return f"{response.status_code} for a record that cannot exist"
    if response.headers.get("Location", "").startswith("http"):
        return "redirects to an absolute URL"
    if "//localhost" in body:  # a link made with _external=1 names the host
        return "links to absolute URLs"
    return None


@pytest.mark.parametrize("role", ["admin", "clerk"])
def test_no_hostile_query_or_id_makes_a_server_error(app, client, make, role):
    user, values = _world(make)[role]
    login(client, user)
    app.request_class = _NotingRequest
    # Two candidates, a page each: the roster draws its pager, whose links carry the query.
    app.config["ROSTER_PAGE_SIZE"] = 1
    _ReadArgs.read = set()
    swept, problems = 0, []
    for endpoint, path in _paths(app, values):
        for kind, value in HOSTILE.items():
            # Alone, the reserved names leave lists long enough to draw their pagers.
            query = (dict.fromkeys(PARAMS, value) if value else {}) | RESERVED
            if problem := _problem(client, path, query):
                problems.append(f"{endpoint} {path} ({kind}): {problem}")
            swept += 1
    for endpoint, path in _paths(app, None):
        if problem := _problem(client, path, absurd=True):
            problems.append(f"{endpoint} {path[:60]}: {problem}")
    assert swept > 60 * len(HOSTILE)  # the sweep saw the whole app
    assert not problems, "\n".join(problems)
    assert {"q", "page", "age_min"} <= _ReadArgs.read  # the pages' reads were noted
    unswept = _ReadArgs.read - set(PARAMS) - set(RESERVED)
    assert not unswept, f"pages read query parameters the sweep does not send: {unswept}"


# ---- the one place each is refused ------------------------------------------------------------


def test_links_to_the_page_carry_its_query_without_url_fors_own_names(app):
    hostile = "&endpoint=x&_external=1&_method=POST&_anchor=top&_scheme=https&candidate_id=5"
    with app.test_request_context(f"/candidates/7?q=%E7%8E%8B&page=3{hostile}&values=v"):
        assert url_with(page=4) == "/candidates/7?q=%E7%8E%8B&page=4&values=v"
        assert url_with(q=None, page="") == "/candidates/7?q=%E7%8E%8B&values=v"


def test_int_in_a_route_is_only_an_id_an_integer_column_holds(app):
    urls = app.url_map.bind("localhost")
    assert urls.match(f"/candidates/{MAX_ID}") == ("roster.detail", {"candidate_id": MAX_ID})
    for number in (MAX_ID + 1, 10**30, "9" * 5000):
        with pytest.raises(NotFound):
            urls.match(f"/candidates/{number}")
