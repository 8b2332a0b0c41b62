"""No edit is lost, no double click writes twice (issue 14), through HTTP on both backends.

- Two users open the same edit form; A saves; B saves the stale form: B is refused (422), is
  shown what the record holds now, and A's change stays. Saving again from that page — now a
  conscious overwrite — goes through. A form without its version, or with a garbled one, is
  refused the same way, never saved over the record.
- A create form sent twice (a double click: the same one-time token) creates one row; the
  second answer says so.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from app.assessment.models import Assessment, DynamicNote
from app.core.views import REPEATED
from app.extensions import db
from app.mentoring.models import Mentor, MentoringActivity
from app.places.models import VillageSeat
from app.posts.models import Batch, Post
from app.roster.models import Candidate
from tests.conftest import login
from tests.helpers import browser_form, error_at, opened

STALE = "已被他人修改"
UNVERSIONED = "没有带上打开时的版本"


def form_at(client, url: str, field: str) -> dict:
    """The edit form as a browser sends it when its save button is pressed."""
    form = browser_form(client.get(url).get_data(True), field)
    form.pop("preview", None)  # the assessment form's other button (shows, does not save)
    return form


def as_user(app, user):
    client = app.test_client()
    login(client, user)
    return client


@pytest.fixture
def town(make):
    township = make.township("石桥镇")
    return {
        "township": township,
        "clerk_a": make.user("clerk", township, username="clerk_a"),
        "clerk_b": make.user("clerk", township, username="clerk_b"),
        "secretary_a": make.user("secretary", township, username="secretary_a"),
        "secretary_b": make.user("secretary", township, username="secretary_b"),
    }


def _batch(app, town):
    client = as_user(app, town["clerk_a"])
    form = browser_form(client.get("/posts/batches/new").get_data(True), "name")
    form |= {"name": "2026年第一批", "start_on": "2026-01-01", "end_on": "2026-06-30"}
    assert client.post("/posts/batches/new", data=form).status_code == 302
    return db.session.scalars(select(Batch)).one()


def _seat(app, town):
    client = as_user(app, town["clerk_a"])
    form = browser_form(client.get("/places/seats/new").get_data(True), "holder_name")
    village = town["township"].villages[0]
    form |= {"village_id": str(village.id), "kind": "party_secretary", "holder_name": "孙国强"}
    form |= {"term_end": "2027-01-31"}
    response = client.post("/places/seats/new", data=form)
    assert response.status_code == 302, response.get_data(True)[-3000:]
    return db.session.scalars(select(VillageSeat)).one()


# Each case: who edits, how the record is made, its edit URL, the field both change with the
# two values, and how to read the field back.
CASES = {
    "mentor": (
        "clerk",
        lambda app, make, town: make.mentor(town["township"]),
        lambda r: f"/mentoring/mentors/{r.id}/edit",
        "unit",
        ("太平村村委", "石桥村村委"),
        lambda r: db.session.get(Mentor, r.id).unit,
    ),
    "post": (
        "clerk",
        lambda app, make, town: db.session.scalars(
            select(Post).where(Post.township_id == town["township"].id).order_by(Post.id)
        ).first(),
        lambda r: f"/posts/{r.id}/edit",
        "host",
        ("镇党群服务中心一楼", "镇党群服务中心二楼"),
        lambda r: db.session.get(Post, r.id).host,
    ),
    "batch": (
        "clerk",
        lambda app, make, town: _batch(app, town),
        lambda r: f"/posts/batches/{r.id}/edit",
        "notes",
        ("窗口试岗为主", "跨村任职为主"),
        lambda r: db.session.get(Batch, r.id).notes,
    ),
    "seat": (
        "clerk",
        lambda app, make, town: _seat(app, town),
        lambda r: f"/places/seats/{r.id}",
        "holder_name",
        ("孙国栋", "孙国梁"),
        lambda r: db.session.get(VillageSeat, r.id).holder_name,
    ),
    "assessment": (
        "secretary",
        lambda app, make, town: make.assessment(make.candidate(town["township"], "in_pool")),
        lambda r: f"/candidates/{r.candidate_id}/assessments/{r.id}/edit",
        "score_de",
        ("77", "61"),
        lambda r: str(db.session.get(Assessment, r.id).score_de),
    ),
    "candidate": (
        "clerk",
        lambda app, make, town: make.candidate(town["township"]),
        lambda r: f"/candidates/{r.id}/edit",
        "phone",
        ("13900000001", "13900000002"),
        lambda r: db.session.get(Candidate, r.id).phone,
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_stale_form_is_refused_and_the_first_change_kept(app, make, town, case):
    role, create, url_of, field, (first, second), read = CASES[case]
    record = create(app, make, town)
    url = url_of(record)
    a, b = as_user(app, town[f"{role}_a"]), as_user(app, town[f"{role}_b"])
    form_a, form_b = form_at(a, url, field), form_at(b, url, field)
    assert a.post(url, data=form_a | {field: first}).status_code == 302
    response = b.post(url, data=form_b | {field: second})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert STALE in page and first in page  # what the record holds now is shown
    db.session.expire_all()
    assert read(record) == first
    # Saving the page that says so is a conscious overwrite.
    again = browser_form(page, field)
    again.pop("preview", None)
    assert b.post(url, data=again).status_code == 302
    db.session.expire_all()
    assert read(record) == second


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("version", [None, "", "abc", "１", "99"])
def test_a_form_without_a_readable_current_version_saves_nothing(app, make, town, case, version):
    role, create, url_of, field, (first, _), read = CASES[case]
    record = create(app, make, town)
    url = url_of(record)
    client = as_user(app, town[f"{role}_a"])
    before = read(record)
    form = form_at(client, url, field) | {field: first}
    form.pop("version")
    if version is not None:
        form["version"] = version
    response = client.post(url, data=form)
    assert response.status_code == 422
    assert (STALE if version == "99" else UNVERSIONED) in response.get_data(as_text=True)
    db.session.expire_all()
    assert read(record) == before


# ---- double submits ----------------------------------------------------------------------


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _pairing(make, town):
    mentor = make.mentor(town["township"])
    candidate = make.candidate(town["township"], "in_pool")
    return make.pairing(candidate, mentor, dt.date.today() - dt.timedelta(days=30), dt.date.today())


DOUBLE = {
    "note": (
        "clerk",
        lambda make, town: f"/candidates/{make.candidate(town['township']).id}/notes/new",
        {"kind": "whereabouts", "noted_on": "2025-09-01", "text": "到县城陪读"},
        DynamicNote,
    ),
    "mentor": (
        "clerk",
        lambda make, town: "/mentoring/mentors/new",
        {"name": "李德明", "position": "former_secretary", "unit": "太平村", "capacity": "3"},
        Mentor,
    ),
    "seat": (
        "clerk",
        lambda make, town: "/places/seats/new",
        {"holder_name": "孙国强", "kind": "party_secretary", "term_end": "2027-01-31"},
        VillageSeat,
    ),
    "activity": (
        "clerk",
        lambda make, town: f"/mentoring/pairings/{_pairing(make, town).id}",
        {
            "held_on": dt.date.today().isoformat(),
            "form": "onsite",
            "hours": "2",
            "content": "现场教学",
        },
        MentoringActivity,
    ),
}


@pytest.mark.parametrize("case", list(DOUBLE))
def test_a_double_submit_writes_once_and_says_so(app, make, town, case):
    role, url_of, values, model = DOUBLE[case]
    url = url_of(make, town)
    client = as_user(app, town[f"{role}_a"])
    page = client.get(url).get_data(as_text=True)
    field = next(iter(values))
    form = browser_form(page, field) | values
    if case == "seat":
        form["village_id"] = str(town["township"].villages[0].id)
    target = f"{url}/activities" if case == "activity" else url
    first = client.post(target, data=form)
    assert first.status_code == 302, error_at(first.get_data(True), field)
    second = client.post(target, data=form)
    assert second.status_code == 422
    assert REPEATED in second.get_data(as_text=True)
    assert _count(model) == 1
    # The page that says so carries a fresh token: sending it again is a new, deliberate entry.
    again = browser_form(second.get_data(as_text=True), field)
    assert again["once"] != form["once"]


def test_a_create_form_refused_for_its_values_can_be_sent_again_once_corrected(app, make, town):
    """A refused form wrote nothing, its token included: the corrected form goes through."""
    client = as_user(app, town["clerk_a"])
    form = browser_form(client.get("/mentoring/mentors/new").get_data(True), "name")
    form |= {"name": "", "position": "former_secretary", "capacity": "3"}
    assert client.post("/mentoring/mentors/new", data=form).status_code == 422
    assert client.post("/mentoring/mentors/new", data=form | {"name": "李德明"}).status_code == 302
    assert _count(Mentor) == 1


def test_every_form_page_carries_what_it_needs(app, make, town):
    """The forms as a browser gets them: an edit form its version, a create form its token."""
    client = as_user(app, town["clerk_a"])
    mentor = make.mentor(town["township"])
    assert opened(client, f"/mentoring/mentors/{mentor.id}/edit")["version"] == str(mentor.version)
    assert len(opened(client, "/mentoring/mentors/new")["once"]) >= 16
