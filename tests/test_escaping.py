"""Whatever a user types is shown as text: every page escapes it, every workbook holds it as a
plain value.

The demo county is seeded, then every free-text field of every record is set to a script or
an attribute-breaking tag (with a short tag saying which field it is); a candidate is also
entered through the form and rows are imported. Every page the app serves for these records is
then fetched as an admin: none carries the raw markup, and the pages that show the records
carry it escaped.
"""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from flask import url_for
from markupsafe import escape
from openpyxl import load_workbook
from sqlalchemy import String, cast, select, update

from app import models as m
from app.core.idcard import make_id_number
from app.core.normalize import clean_name
from app.excel.columns import HEADERS
from app.extensions import db
from tests.conftest import login
from tests.helpers import candidate_form, import_token, upload_xlsx, xlsx_bytes

PAYLOADS = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>']
PASSWORD = "demo-password-1"

# Every field a user fills with free text, and the tag that follows the payload in it.
FREE_TEXT = {
    m.Township: {"name": "~tn"},
    m.Village: {"name": "~vn"},
    m.VillageSeat: {"holder_name": "~sh", "notes": "~sn"},
    m.Candidate: {
        "name": "~cn",
        "major": "~cm",
        "occupation": "~co",
        "speciality": "~cs",
        "notes": "~cr",
    },
    m.StatusChange: {"reason": "~sr"},
    m.Mentor: {"name": "~mn", "unit": "~mu", "notes": "~mr"},
    m.Pairing: {"goals": "~pg", "mentor_evaluation": "~pe", "candidate_summary": "~ps"},
    m.MentoringActivity: {"content": "~ac"},
    m.VillagePairing: {"purpose": "~vp"},
    m.Post: {"name": "~on", "host": "~oh", "supervisor": "~os", "duties": "~od"},
    m.Batch: {"name": "~bn", "notes": "~br"},
    m.Placement: {"goal": "~lg", "cut_reason": "~lc", "report": "~lr", "evaluation": "~le"},
    m.Programme: {"name": "~gn", "target_group": "~gt", "description": "~gd"},
    m.Round: {"place": "~rp", "topics": "~rt", "assignment_title": "~ra"},
    m.RoundResult: {"comment": "~rc"},
    m.Inspection: {"inspectors": "~ii", "findings": "~if", "conclusion": "~ic"},
    m.Assessment: {
        "note_village": "~av",
        "note_opinion": "~ao",
        "note_thinking": "~at",
        "note_overall": "~aa",
    },
    m.DynamicNote: {"text": "~dt"},
    m.Outcome: {"place": "~up", "detail": "~ud", "restore_reason": "~ur"},
}

# Pages and what each must show, by field tag (the rest of the sweep only must not show markup).
MUST_SHOW = {
    "roster.index": ["~cn", "~vn"],
    "roster.detail": ["~cn", "~cr", "~cm", "~typed", "~sr", "~lg", "~pg", "~rc", "~aa", "~dt"],
    "roster.edit": ["~cn", "~cr", "~typed"],
    "roster.print_view": ["~cn", "~cr", "~typed", "~lg", "~lr", "~le", "~ic", "~ud"],
    "main.dashboard": ["~cn", "~mn", "~on"],
    "posts.placement": ["~cn", "~lg", "~lr", "~le", "~on"],
    "posts.post": ["~on", "~od"],
    "posts.batch": ["~bn", "~br"],
    "mentoring.index": ["~cn", "~mn"],
    "mentoring.pairing": ["~cn", "~mn", "~pg", "~ac"],
    "mentoring.mentor": ["~mn", "~mr"],
    "mentoring.villages": ["~vp"],
    "training.programme": ["~gn", "~gd"],
    "training.round_detail": ["~rp", "~ra", "~rt"],
    "training.results": ["~cn", "~rc"],
    "assessment_records.edit_assessment": ["~av", "~aa"],
    "assessment.review": ["~cn"],
    "places.seats": ["~sh", "~sn"],
    "admin.users": ["~un"],
    "admin.audit_log": ["~typed"],
    "excel.preview": ["~imported", "~bad"],
}
NOT_PAGES = {
    "static",
    "bootstrap.static",
    "excel.export",
    "excel.template",
    "excel.errors",
    "accounts.login",
    "main.healthz",
}


def fill_every_free_text_field(payload: str, keep_user_id: int) -> None:
    for model, fields in FREE_TEXT.items():
        # The row's id after the tag: some names are unique in their township or county.
        values = {field: payload + tag + cast(model.id, String) for field, tag in fields.items()}
        db.session.execute(update(model).values(values))
    # Every user but the one looking: the page header shows the viewer's own name.
    db.session.execute(
        update(m.User).where(m.User.id != keep_user_id).values(display_name=payload + "~un")
    )
    db.session.commit()


def first(model, *where):
    return db.session.scalars(select(model).where(*where).order_by(model.id)).first()


def ids_for_urls(typed_id: int) -> dict[str, list[dict]]:
    """For each endpoint with parameters, the values to fetch it with."""
    # Candidates with each kind of record on their page, and the one typed into the form.
    holders = (m.Placement, m.Pairing, m.Assessment, m.Inspection, m.DynamicNote, m.Outcome)
    with_records = {first(model).candidate_id for model in (*holders, m.Enrolment)}
    assessment = first(m.Assessment)
    one = {
        "admin.township": {"township_id": first(m.Township).id},
        "admin.user": {"user_id": first(m.User, m.User.display_name.like("%~un")).id},
        "admin.village": {"village_id": first(m.Village).id},
        "mentoring.village": {"village_id": first(m.VillagePairing).village_a_id},
        "mentoring.village_pairing_edit": {"pairing_id": first(m.VillagePairing).id},
        "assessment_records.edit_assessment": {
            "candidate_id": assessment.candidate_id,
            "assessment_id": assessment.id,
        },
    }
    by_param = {
        "mentor_id": first(m.Mentor).id,
        "pairing_id": first(m.Pairing).id,
        "seat_id": first(m.VillageSeat).id,
        "post_id": first(m.Placement).post_id,
        "batch_id": first(m.Placement, m.Placement.batch_id.is_not(None)).batch_id,
        "placement_id": first(m.Placement).id,
        "programme_id": first(m.Programme).id,
        "round_id": first(m.RoundResult).round_id,
    }
    urls = {endpoint: [values] for endpoint, values in one.items()}
    urls["candidate"] = [{"candidate_id": cid} for cid in sorted(with_records | {typed_id})]
    urls["by_param"] = [by_param]
    return urls


def pages(app, token: str, payload: str, typed_id: int) -> list[tuple[str, str]]:
    """(endpoint, path) for every page the app serves by GET, filled with these records; the
    pages without parameters once more with the payload as their search (``?q=``)."""
    urls = ids_for_urls(typed_id)
    found = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in NOT_PAGES:
            continue
        if not rule.arguments:
            choices = [{}, {"q": payload}]
        elif rule.endpoint in urls:
            choices = urls[rule.endpoint]
        elif rule.arguments == {"token"}:
            choices = [{"token": token}]
        elif "candidate_id" in rule.arguments:
            choices = urls["candidate"]
        else:
            choices = [{k: v for k, v in urls["by_param"][0].items() if k in rule.arguments}]
        for values in choices:
            with app.test_request_context():
                found.append((rule.endpoint, url_for(rule.endpoint, **values)))
    return found


@pytest.mark.commits  # seed-demo VACUUMs PostgreSQL on a connection of its own
@pytest.mark.parametrize("payload", PAYLOADS)
def test_free_text_is_escaped_on_every_page_and_plain_in_every_workbook(
    app, client, runner, payload
):
    result = runner.invoke(
        args=["seed-demo", "--candidates", "200", "--seed", "5", "--password", PASSWORD]
    )
    assert result.exit_code == 0, result.output
    admin = first(m.User, m.User.username == "admin")
    fill_every_free_text_field(payload, keep_user_id=admin.id)
    login(client, admin, PASSWORD)

    # Typed into the candidate form, and imported from a sheet with a bad row.
    village = first(m.Village)
    entered = client.post(
        "/candidates/new",
        data=candidate_form(
            village.id,
            name=payload + "~typed",
            id_number=make_id_number("430521", dt.date(1991, 1, 1), 8, "M"),
            major=payload + "~typed",
            notes=payload + "~typed",
        ),
    )
    assert entered.status_code == 302, entered.get_data(as_text=True)[-3000:]
    rows = [
        {
            "姓名": payload + "~imported",
            "身份证号": make_id_number("430521", dt.date(1992, 2, 2), 8, "F"),
            "政治面貌": "中共党员",
            "学历": "本科",
            "所属乡镇": db.session.get(m.Township, village.township_id).name,
            "所在村": village.name,
            "来源类别": "退役军人",
            "培养方向": "村党组织书记",
            "备注": payload + "~imported",
        },
        {"姓名": payload + "~bad", "学历": payload, "备注": payload + "~imported"},
    ]
    token = import_token(upload_xlsx(client, xlsx_bytes(rows, HEADERS)))

    raw = {payload, clean_name(payload)}  # a typed name loses its spaces
    shown: dict[str, set[str]] = {}
    checked = 0
    typed_id = int(entered.headers["Location"].rsplit("/", 1)[1])
    for endpoint, path in pages(app, token, payload, typed_id):
        response = client.get(path)
        assert response.status_code in (200, 302), (path, response.status_code)
        page = response.get_data(as_text=True)
        assert not any(r in page for r in raw), path
        assert "<script>alert" not in page and "<img src=x" not in page, path
        tags = set(re.findall(re.escape(str(escape(payload))) + r"(~[a-z]+)", page))
        tags |= set(re.findall(re.escape(str(escape(clean_name(payload)))) + r"(~[a-z]+)", page))
        shown.setdefault(endpoint, set()).update(tags)
        checked += 1
    assert checked > 60
    searched = client.get("/candidates/", query_string={"q": payload}).get_data(as_text=True)
    assert str(escape(payload)) in searched  # the search box shows what was searched for
    missing = {
        endpoint: sorted(set(tags) - shown.get(endpoint, set()))
        for endpoint, tags in MUST_SHOW.items()
        if set(tags) - shown.get(endpoint, set())
    }
    assert missing == {}

    # Workbooks: the export and the import's error sheet hold the text as a plain value.
    export = client.get("/candidates/export.xlsx?status=all", buffered=True)
    assert tags_in(export, payload) >= {"~cn", "~cm", "~co", "~cs", "~cr", "~tn", "~vn", "~typed"}
    errors = client.get(f"/candidates/import/{token}/errors.xlsx", buffered=True)
    assert tags_in(errors, payload) >= {"~imported", "~bad", ""}  # "": the 学历 cell


def tags_in(response, payload: str) -> set[str]:
    """The field tags of the workbook's cells that are the payload (with its tag). Every cell
    holding the payload holds it as text, verbatim, never as a formula."""
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    tags = set()
    for cell in (c for row in sheet.iter_rows() for c in row):
        if isinstance(cell.value, str) and "alert(1)" in cell.value:
            verbatim = payload in cell.value or clean_name(payload) in cell.value  # a typed name
            assert cell.data_type == "s" and verbatim, cell.coordinate
            match = re.fullmatch(re.escape(payload) + r"(~[a-z]+)?\d*", cell.value)
            if match:
                tags.add(match.group(1) or "")
    return tags
