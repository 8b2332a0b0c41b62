"""The candidate form through HTTP: create, edit, refusals at the field, print and reveal."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from app.core import clock
from app.core.audit import AuditEntry
from app.core.idcard import make_id_number, mask_id_number
from app.extensions import db
from app.roster.models import Candidate
from tests.conftest import login
from tests.helpers import browser_form, error_at
from tests.helpers import candidate_form as payload

# 110105 1949-12-31, sequence 002 (a woman): the check character is X.
ID_1949 = "11010519491231002X"
ID_MAN = make_id_number("320102", dt.date(1985, 7, 9), 123, "M")


# ---- helpers -----------------------------------------------------------------------------


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def path_of(response) -> str:
    return urlsplit(response.headers.get("Location", "")).path


def only_candidate() -> Candidate:
    db.session.expire_all()
    rows = db.session.scalars(select(Candidate)).all()
    assert len(rows) == 1, rows
    return rows[0]


@pytest.fixture
def township(make):
    return make.township("青山镇", villages=("石桥村", "太平村"))


@pytest.fixture
def clerk(make, township):
    return make.user("clerk", township)


@pytest.fixture
def clerk_client(client, clerk):
    login(client, clerk)
    return client


# ---- valid create --------------------------------------------------------------------------


def test_valid_create_redirects_to_detail_and_fills_from_id(clerk_client, township, clerk):
    village = township.villages[1]
    response = clerk_client.post("/candidates/new", data=payload(village.id))
    assert response.status_code == 302, response.get_data(as_text=True)
    candidate = only_candidate()
    assert path_of(response) == f"/candidates/{candidate.id}"
    assert candidate.birth_date == dt.date(1949, 12, 31)
    assert candidate.gender == "F"
    assert candidate.village_id == village.id
    assert candidate.township_id == township.id
    assert candidate.status == "nominated"
    assert candidate.created_by_id == clerk.id
    detail = clerk_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "李四" in detail and "1101**********002X" in detail
    assert ID_1949 not in detail


@pytest.mark.parametrize(
    ("field", "typed", "stored"),
    [
        ("name", " 张 三 ", "张三"),
        ("name", "\u3000张\u3000三\u3000", "张三"),
        ("name", " 阿依古丽 • 买买提 ", "阿依古丽·买买提"),
        ("id_number", "１１０１０５ １９４９１２３１ ００２ｘ", ID_1949),
        ("id_number", " 110105 19491231 002x ", ID_1949),
        ("phone", "１３８ ００１３ ８０００", "13800138000"),
        ("phone", "138-0013-8000", "13800138000"),
        ("phone", "+86 138 0013 8000", "13800138000"),
        ("phone", "(0731)84567890", "0731-84567890"),
        ("phone", "（０７３１）８４５６７８９０", "0731-84567890"),
        ("phone", "", ""),
    ],
)
def test_pasted_values_are_normalised(clerk_client, township, field, typed, stored):
    response = clerk_client.post(
        "/candidates/new", data=payload(township.villages[0].id, **{field: typed})
    )
    assert response.status_code == 302, error_at(response.get_data(as_text=True), field)
    assert getattr(only_candidate(), field) == stored


@pytest.mark.parametrize(
    "typed",
    ["1949-12-31", "1949.12.31", "1949年12月31日", "1949/12/31", "19491231", "１９４９-１２-３１"],
)
def test_birth_date_matching_the_id_is_accepted_in_any_common_form(clerk_client, township, typed):
    response = clerk_client.post(
        "/candidates/new",
        data=payload(township.villages[0].id, birth_date=typed, gender="F"),
    )
    assert response.status_code == 302, error_at(response.get_data(as_text=True), "birth_date")
    assert only_candidate().birth_date == dt.date(1949, 12, 31)


@pytest.mark.parametrize("typed", ["女", "F", "女性"])
def test_gender_matching_the_id_is_accepted(clerk_client, township, typed):
    response = clerk_client.post(
        "/candidates/new", data=payload(township.villages[0].id, gender=typed)
    )
    assert response.status_code == 302, error_at(response.get_data(as_text=True), "gender")
    assert only_candidate().gender == "F"


def test_optional_fields_are_kept(clerk_client, township):
    data = payload(
        township.villages[0].id,
        id_number=ID_MAN,
        ethnicity="03",
        political="党员",
        education="大专",
        major=" 农学 ",
        occupation="合作社理事长",
        speciality="种植",
        direction="村委会主任",
        notes="第一行\r\n第二行",
        entered_on="2024.3.1",
    )
    response = clerk_client.post("/candidates/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    candidate = only_candidate()
    assert (candidate.gender, candidate.birth_date) == ("M", dt.date(1985, 7, 9))
    assert (candidate.ethnicity, candidate.political, candidate.education) == (
        "03",
        "01",
        "college",
    )
    assert (candidate.major, candidate.direction) == ("农学", "committee_director")
    assert candidate.notes == "第一行\n第二行"
    assert candidate.entered_on == dt.date(2024, 3, 1)


# ---- refusals --------------------------------------------------------------------------------


def _bad_checksum() -> tuple[str, str]:
    good = make_id_number("430521", dt.date(1990, 5, 3), 17, "M")
    wrong = "0" if good[-1] != "0" else "1"
    return good[:17] + wrong, good[-1]


BAD_CHECKSUM, RIGHT_CHECK_CHAR = _bad_checksum()
TOMORROW = clock.today() + dt.timedelta(days=1)


REFUSALS = [
    ({"id_number": BAD_CHECKSUM}, "id_number", ["校验位", f"末位应为 {RIGHT_CHECK_CHAR}"]),
    ({"id_number": "110105491231002"}, "id_number", ["15 位"]),
    ({"id_number": "1101051949123100"}, "id_number", ["18 位", "16 位"]),
    ({"id_number": "11010519491231002X1"}, "id_number", ["18 位", "19 位"]),
    ({"id_number": ""}, "id_number", ["请填写身份证号"]),
    ({"id_number": "11010519491331002X"}, "id_number", ["出生日期", "不是真实存在的日期"]),
    ({"id_number": "1101051949123100X2"}, "id_number", ["第 17 位"]),
    ({"birth_date": "1949-12-30"}, "birth_date", ["出生日期与身份证号不符", "1949-12-31"]),
    ({"birth_date": "1950年1月1日"}, "birth_date", ["出生日期与身份证号不符"]),
    ({"gender": "M"}, "gender", ["性别与身份证号不符", "女"]),
    ({"gender": "男"}, "gender", ["性别与身份证号不符"]),
    ({"phone": "12345"}, "phone", ["联系电话"]),
    ({"phone": "1380013800"}, "phone", ["联系电话"]),
    ({"phone": "84567890"}, "phone", ["区号"]),
    ({"phone": "0731-84567890转123"}, "phone", ["分机"]),
    ({"name": ""}, "name", ["请填写姓名"]),
    ({"name": " \u3000 "}, "name", ["请填写姓名"]),
    ({"name": "张" * 41}, "name", ["姓名过长"]),
    ({"political": ""}, "political", ["请选择政治面貌"]),
    ({"education": ""}, "education", ["请选择学历"]),
    ({"source": ""}, "source", ["请选择来源类别"]),
    ({"direction": ""}, "direction", ["请选择培养方向"]),
    ({"political": "路人"}, "political", ["不是有效的政治面貌"]),
    ({"education": "幼儿园"}, "education", ["不是有效的学历"]),
    ({"ethnicity": "火星族"}, "ethnicity", ["不是有效的民族"]),
    ({"village_id": ""}, "village_id", ["所在村"]),
    ({"village_id": "abc"}, "village_id", ["所在村"]),
    ({"village_id": "999999999"}, "village_id", ["所在村"]),
    ({"birth_date": "去年"}, "birth_date", ["无法识别"]),
    ({"birth_date": "1949-02-30"}, "birth_date", ["不存在"]),
    ({"entered_on": "明天"}, "entered_on", ["无法识别"]),
    ({"entered_on": TOMORROW.isoformat()}, "entered_on", ["不能晚于今天"]),
    ({"major": "农" * 61}, "major", ["最多 60 个字"]),
    ({"notes": "注" * 2001}, "notes", ["备注过长"]),
]


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    REFUSALS,
    ids=[f"{field}-{n}" for n, (_, field, _) in enumerate(REFUSALS)],
)
def test_refused_at_the_field_and_nothing_saved(clerk_client, township, overrides, field, words):
    audits = count(AuditEntry)
    response = clerk_client.post(
        "/candidates/new", data=payload(township.villages[0].id, **overrides)
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    message = error_at(page, field)
    assert message is not None, f"no error at {field}"
    for word in words:
        assert word in message, message
    assert "未保存任何内容" in page
    assert count(Candidate) == 0
    assert count(AuditEntry) == audits


def test_refused_form_keeps_what_was_typed(clerk_client, township):
    response = clerk_client.post(
        "/candidates/new",
        data=payload(township.villages[1].id, name="王小明", phone="12345", major="园艺"),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'value="王小明"' in page and 'value="园艺"' in page and 'value="12345"' in page
    assert re.search(
        rf'<option selected value="{township.villages[1].id}">|'
        rf'<option value="{township.villages[1].id}" selected>',
        page,
    )


def test_village_of_another_township_is_refused(clerk_client, township, make):
    """Tampering: a village id from another township posted by hand."""
    other = make.township("白沙镇", villages=("白沙村",))
    audits = count(AuditEntry)
    response = clerk_client.post("/candidates/new", data=payload(other.villages[0].id))
    assert response.status_code == 422
    message = error_at(response.get_data(as_text=True), "village_id")
    assert message is not None and "所在村" in message
    assert count(Candidate) == 0
    assert count(AuditEntry) == audits


def test_inactive_village_is_refused(clerk_client, township, make):
    village = township.villages[0]
    village.is_active = False
    db.session.commit()
    response = clerk_client.post("/candidates/new", data=payload(village.id))
    assert response.status_code == 422
    assert "所在村" in (error_at(response.get_data(as_text=True), "village_id") or "")
    assert count(Candidate) == 0


def test_several_errors_are_shown_together(clerk_client, township):
    response = clerk_client.post(
        "/candidates/new",
        data=payload(township.villages[0].id, name="", phone="1", political=""),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert all(error_at(page, f) for f in ("name", "phone", "political"))
    assert count(Candidate) == 0


# ---- duplicates --------------------------------------------------------------------------------


def test_duplicate_in_own_township_names_the_existing_record(clerk_client, township, make):
    existing = make.candidate(township, name="王五", id_number=ID_1949)
    audits = count(AuditEntry)
    # Written differently (lower-case x, spaces), it is still the same number.
    response = clerk_client.post(
        "/candidates/new",
        data=payload(township.villages[1].id, name="王五二", id_number="110105 19491231 002x"),
    )
    assert response.status_code == 422
    message = error_at(response.get_data(as_text=True), "id_number")
    assert message is not None
    assert "已登记" in message and "王五" in message and str(existing.id) in message
    assert count(Candidate) == 1
    assert count(AuditEntry) == audits


def test_duplicate_in_another_township_does_not_reveal_the_name(client, township, make):
    make.candidate(township, name="王五", id_number=ID_1949)
    other = make.township("白沙镇", villages=("白沙村",))
    login(client, make.user("clerk", other))
    audits = count(AuditEntry)
    response = client.post("/candidates/new", data=payload(other.villages[0].id, name="赵六"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    message = error_at(page, "id_number")
    assert message is not None and "其他乡镇" in message
    assert "王五" not in page and "青山镇" not in page and "石桥村" not in page
    assert count(Candidate) == 1
    assert count(AuditEntry) == audits


def test_edit_to_a_number_already_registered_is_refused(clerk_client, township, make):
    make.candidate(township, name="王五", id_number=ID_1949)
    mine = make.candidate(township, name="赵六", id_number=ID_MAN)
    response = clerk_client.post(
        f"/candidates/{mine.id}/edit",
        data=payload(township.villages[0].id, name="赵六", version=str(mine.version)),
    )
    assert response.status_code == 422
    assert "王五" in (error_at(response.get_data(as_text=True), "id_number") or "")
    db.session.expire_all()
    assert db.session.get(Candidate, mine.id).id_number == ID_MAN


# ---- CSRF ------------------------------------------------------------------------------------


def test_post_without_csrf_token_is_refused(clerk_client, township):
    audits = count(AuditEntry)
    response = clerk_client.post(
        "/candidates/new", data=payload(township.villages[0].id), csrf=False
    )
    assert response.status_code == 400
    assert count(Candidate) == 0
    assert count(AuditEntry) == audits


def test_post_with_a_forged_csrf_token_is_refused(clerk_client, township):
    data = payload(township.villages[0].id, csrf_token="forged-token")
    response = clerk_client.post("/candidates/new", data=data)
    assert response.status_code == 400
    assert count(Candidate) == 0


# ---- edit --------------------------------------------------------------------------------------


def test_edit_form_round_trips_and_saves_changes(clerk_client, township, make):
    candidate = make.candidate(township, name="孙七", id_number=ID_MAN, phone="13800138000")
    page = clerk_client.get(f"/candidates/{candidate.id}/edit")
    assert page.status_code == 200
    form = browser_form(page.get_data(as_text=True), "id_number")
    assert form["version"] == str(candidate.version)
    assert form["village_id"] == str(candidate.village_id)
    assert form["birth_date"] == "1985-07-09"
    form |= {
        "phone": "0731 8456 7890",
        "occupation": "养殖大户",
        "village_id": str(township.villages[1].id),
    }
    response = clerk_client.post(f"/candidates/{candidate.id}/edit", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert path_of(response) == f"/candidates/{candidate.id}"
    detail = clerk_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "0731-84567890" in detail and "养殖大户" in detail and "太平村" in detail
    db.session.expire_all()
    saved = db.session.get(Candidate, candidate.id)
    assert (saved.phone, saved.occupation, saved.village_id) == (
        "0731-84567890",
        "养殖大户",
        township.villages[1].id,
    )
    assert (saved.name, saved.id_number, saved.status) == ("孙七", ID_MAN, "nominated")


def test_edit_refusal_keeps_the_record(clerk_client, township, make):
    candidate = make.candidate(township, name="孙七", id_number=ID_MAN)
    page = clerk_client.get(f"/candidates/{candidate.id}/edit").get_data(as_text=True)
    form = browser_form(page, "id_number") | {"name": "", "phone": "123"}
    response = clerk_client.post(f"/candidates/{candidate.id}/edit", data=form)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "请填写姓名" in (error_at(page, "name") or "")
    assert "联系电话" in (error_at(page, "phone") or "")
    db.session.expire_all()
    assert db.session.get(Candidate, candidate.id).name == "孙七"


def test_stale_edit_is_refused_and_overwrites_nothing(app, clerk_client, township, make):
    candidate = make.candidate(township, name="孙七", id_number=ID_MAN, phone="13800138000")
    page = clerk_client.get(f"/candidates/{candidate.id}/edit").get_data(as_text=True)
    stale = browser_form(page, "id_number")

    colleague = app.test_client()
    login(colleague, make.user("clerk", township))
    fresh = browser_form(
        colleague.get(f"/candidates/{candidate.id}/edit").get_data(as_text=True), "id_number"
    )
    saved = colleague.post(
        f"/candidates/{candidate.id}/edit", data=fresh | {"phone": "13900139000"}
    )
    assert saved.status_code == 302, saved.get_data(as_text=True)
    audits = count(AuditEntry)

    response = clerk_client.post(
        f"/candidates/{candidate.id}/edit", data=stale | {"occupation": "我的修改"}
    )
    assert response.status_code == 422
    assert "已被他人修改" in response.get_data(as_text=True)
    db.session.expire_all()
    kept = db.session.get(Candidate, candidate.id)
    assert (kept.phone, kept.occupation) == ("13900139000", "")
    assert count(AuditEntry) == audits


def test_edit_without_version_is_refused_then_saves_from_the_page_that_says_so(
    clerk_client, township, make
):
    """A form posted without the hidden version (an old browser tab, a script) is refused: it
    cannot say it was opened after the last save. The page it gets back carries the version,
    so saving again from there goes through."""
    candidate = make.candidate(township, name="孙七", id_number=ID_MAN)
    data = payload(township.villages[0].id, name="孙七", id_number=ID_MAN, phone="13900139000")
    response = clerk_client.post(f"/candidates/{candidate.id}/edit", data=data)
    assert response.status_code == 422
    assert "没有带上打开时的版本" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Candidate, candidate.id).phone != "13900139000"
    again = data | {"version": str(candidate.version)}
    assert clerk_client.post(f"/candidates/{candidate.id}/edit", data=again).status_code == 302
    db.session.expire_all()
    assert db.session.get(Candidate, candidate.id).phone == "13900139000"


# ---- the ID number on the edit form ------------------------------------------------------------
# The form holds the number masked: the whole number is shown only by the audited reveal.

ID_MAN_2 = make_id_number("320102", dt.date(1985, 7, 9), 457, "M")  # same birth date and sex
ID_WOMAN = make_id_number("320102", dt.date(1991, 2, 14), 88, "F")


def field_value(page: str, field_id: str) -> str | None:
    match = re.search(rf'<input[^>]*\bid="{field_id}"[^>]*>', page)
    value = re.search(r'\bvalue="([^"]*)"', match.group(0)) if match else None
    return value.group(1) if value else None


def masked_edit_form(client, candidate) -> dict[str, str]:
    page = client.get(f"/candidates/{candidate.id}/edit").get_data(as_text=True)
    form = browser_form(page, "id_number")
    assert form["id_number"] == mask_id_number(candidate.id_number)
    return form


def test_edit_form_shows_the_number_masked_and_reveals_nothing(clerk_client, township, make):
    candidate = make.candidate(township, name="孙七", id_number=ID_MAN)
    audits = count(AuditEntry)
    response = clerk_client.get(f"/candidates/{candidate.id}/edit")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert ID_MAN not in page and ID_MAN[:17] not in page
    assert field_value(page, "id_number") == mask_id_number(ID_MAN)
    # The explicit action, its script served by the app (the CSP allows no inline script).
    assert 'data-clear-field="id_number"' in page and "修改身份证号" in page
    assert '<script src="/static/clear-field.js"' in page
    script = clerk_client.get("/static/clear-field.js")
    script.close()
    assert script.status_code == 200
    assert count(AuditEntry) == audits  # no reveal: nothing was shown


def test_saving_with_the_mask_unchanged_keeps_the_number(clerk_client, township, make):
    candidate = make.candidate(township, name="孙七", id_number=ID_MAN)
    form = masked_edit_form(clerk_client, candidate) | {"occupation": "村医"}
    response = clerk_client.post(f"/candidates/{candidate.id}/edit", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    saved = db.session.get(Candidate, candidate.id)
    assert (saved.id_number, saved.id_reversed, saved.occupation) == (ID_MAN, ID_MAN[::-1], "村医")
    entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry.action == "update" and entry.changes == {"occupation": ["", "村医"]}


def test_changing_the_number_is_saved_and_audited_masked(clerk_client, township, make):
    candidate = make.candidate(township, name="孙七", id_number=ID_MAN)
    form = masked_edit_form(clerk_client, candidate)
    data = form | {"id_number": ID_WOMAN, "birth_date": "", "gender": ""}
    response = clerk_client.post(f"/candidates/{candidate.id}/edit", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    saved = db.session.get(Candidate, candidate.id)
    assert (saved.id_number, saved.birth_date, saved.gender) == (
        ID_WOMAN,
        dt.date(1991, 2, 14),
        "F",
    )
    entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry.changes["id_number"] == [mask_id_number(ID_MAN), mask_id_number(ID_WOMAN)]


@pytest.mark.parametrize(
    ("typed", "others", "field", "words"),
    [
        (BAD_CHECKSUM, {}, "id_number", ["校验位"]),
        ("3201021985070945", {}, "id_number", ["18 位"]),
        (ID_1949, {}, "id_number", ["已登记", "王五"]),
        (ID_WOMAN, {}, "birth_date", ["出生日期与身份证号不符", "1991-02-14"]),
        (ID_WOMAN, {"birth_date": ""}, "gender", ["性别与身份证号不符"]),
        # Typing into the mask instead of replacing it (3201 made 3202): the hidden digits
        # are unknown, so that is no number.
        ("3202" + mask_id_number(ID_MAN)[4:], {}, "id_number", ["“*”是隐去的数字", "完整"]),
    ],
)
def test_a_new_number_is_checked_as_ever(clerk_client, township, make, typed, others, field, words):
    make.candidate(township, name="王五", id_number=ID_1949)
    candidate = make.candidate(township, name="孙七", id_number=ID_MAN)
    audits = count(AuditEntry)
    form = masked_edit_form(clerk_client, candidate) | {"id_number": typed} | others
    response = clerk_client.post(f"/candidates/{candidate.id}/edit", data=form)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    message = error_at(page, field) or ""
    assert all(w in message for w in words), message
    assert ID_MAN not in page and ID_MAN[:17] not in page
    db.session.expire_all()
    assert db.session.get(Candidate, candidate.id).id_number == ID_MAN
    assert count(AuditEntry) == audits


def test_refused_edit_shows_no_number_but_the_one_typed(clerk_client, township, make):
    candidate = make.candidate(township, name="孙七", id_number=ID_MAN)
    form = masked_edit_form(clerk_client, candidate) | {"name": ""}
    response = clerk_client.post(f"/candidates/{candidate.id}/edit", data=form)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "请填写姓名" in (error_at(page, "name") or "")
    assert ID_MAN not in page and field_value(page, "id_number") == mask_id_number(ID_MAN)
    # Saved once the name is there again: the mask still stands for the stored number.
    again = browser_form(page, "id_number") | {"name": "孙七", "phone": "13900139000"}
    assert clerk_client.post(f"/candidates/{candidate.id}/edit", data=again).status_code == 302
    db.session.expire_all()
    assert db.session.get(Candidate, candidate.id).id_number == ID_MAN

    # A number typed in this very request comes back as typed, and only that one.
    form = masked_edit_form(clerk_client, candidate) | {"name": "", "id_number": ID_MAN_2}
    page = clerk_client.post(f"/candidates/{candidate.id}/edit", data=form).get_data(as_text=True)
    assert field_value(page, "id_number") == ID_MAN_2 and ID_MAN not in page


def test_stale_edit_shows_the_current_number_masked(app, clerk_client, township, make):
    candidate = make.candidate(township, name="孙七", id_number=ID_MAN, phone="13800138000")
    stale = masked_edit_form(clerk_client, candidate)

    colleague = app.test_client()
    login(colleague, make.user("clerk", township))
    fresh = masked_edit_form(colleague, candidate) | {"id_number": ID_MAN_2}
    assert colleague.post(f"/candidates/{candidate.id}/edit", data=fresh).status_code == 302

    response = clerk_client.post(
        f"/candidates/{candidate.id}/edit", data=stale | {"occupation": "我的修改"}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "已被他人修改" in page
    assert ID_MAN not in page and ID_MAN_2 not in page
    assert ID_MAN[:17] not in page and ID_MAN_2[:17] not in page
    # The conflict names the number as it is now, masked; the field now stands for it.
    conflict = page[page.index("档案中现在的内容") : page.index("</dl>")]
    assert "身份证号" in conflict and mask_id_number(ID_MAN_2) in conflict
    assert field_value(page, "id_number") == mask_id_number(ID_MAN_2)

    # Saving again on purpose keeps the colleague's number and adds this change.
    again = browser_form(page, "id_number")
    assert clerk_client.post(f"/candidates/{candidate.id}/edit", data=again).status_code == 302
    db.session.expire_all()
    saved = db.session.get(Candidate, candidate.id)
    assert (saved.id_number, saved.occupation) == (ID_MAN_2, "我的修改")


# ---- who may ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/candidates/new"),
        ("post", "/candidates/new"),
        ("get", "/candidates/{id}/edit"),
        ("post", "/candidates/{id}/edit"),
    ],
)
@pytest.mark.parametrize("county_level", [False, True])
def test_secretary_may_not_enter_or_edit(client, township, make, method, url, county_level):
    candidate = make.candidate(township, name="孙七", id_number=ID_MAN)
    login(client, make.user("secretary", None if county_level else township))
    data = payload(township.villages[0].id, name="改名", version=str(candidate.version))
    kwargs = {"data": data} if method == "post" else {}
    response = getattr(client, method)(url.format(id=candidate.id), **kwargs)
    assert response.status_code == 403
    assert count(Candidate) == 1
    db.session.expire_all()
    assert db.session.get(Candidate, candidate.id).name == "孙七"


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/candidates/new"),
        ("post", "/candidates/new"),
        ("get", "/candidates/{id}"),
        ("get", "/candidates/{id}/edit"),
        ("post", "/candidates/{id}/edit"),
        ("get", "/candidates/{id}/print"),
        ("post", "/candidates/{id}/reveal-id"),
    ],
)
def test_logged_out_is_sent_to_login(client, township, make, method, url):
    candidate = make.candidate(township, name="孙七", id_number=ID_MAN)
    audits = count(AuditEntry)
    kwargs = {"data": payload(township.villages[0].id)} if method == "post" else {}
    response = getattr(client, method)(url.format(id=candidate.id), **kwargs)
    assert response.status_code == 302
    assert path_of(response) == "/login"
    assert count(Candidate) == 1
    assert count(AuditEntry) == audits


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/candidates/{id}"),
        ("get", "/candidates/{id}/edit"),
        ("post", "/candidates/{id}/edit"),
        ("get", "/candidates/{id}/print"),
        ("post", "/candidates/{id}/reveal-id"),
    ],
)
def test_clerk_of_another_township_gets_404(client, township, make, method, url):
    candidate = make.candidate(township, name="孙七", id_number=ID_MAN)
    other = make.township("白沙镇", villages=("白沙村",))
    clerk = make.user("clerk", other)
    login(client, clerk)
    audits = count(AuditEntry)
    kwargs = {}
    if method == "post":
        kwargs = {"data": payload(other.villages[0].id, version=str(candidate.version))}
    unknown = getattr(client, method)(url.format(id=candidate.id + 1000), **kwargs)
    assert unknown.status_code == 404
    assert count(AuditEntry) == audits  # a missing id is no denial
    response = getattr(client, method)(url.format(id=candidate.id), **kwargs)
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "孙七" not in page and ID_MAN not in page
    # Nothing tells the two apart (but the logout form's token, which is signed with the time).
    token = re.compile(r'name="csrf_token" value="[^"]*"')
    assert token.sub("", page) == token.sub("", unknown.get_data(as_text=True))
    # … but the try is audited, as a denial by this clerk.
    assert count(AuditEntry) == audits + 1
    entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert (entry.action, entry.actor_id, entry.township_id) == ("denied", clerk.id, other.id)
    assert f"{method.upper()} {url.format(id=candidate.id)}" in entry.summary
    db.session.expire_all()
    assert db.session.get(Candidate, candidate.id).village_id == township.villages[0].id


# ---- print and reveal ----------------------------------------------------------------------------


def test_print_view_shows_the_record_without_navigation(clerk_client, township, make):
    candidate = make.candidate(township, name="孙七", id_number=ID_MAN, occupation="村医")
    response = clerk_client.get(f"/candidates/{candidate.id}/print")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "孙七" in page and "村医" in page and "青山镇" in page
    assert mask_id_number(ID_MAN) in page and ID_MAN not in page
    assert "<nav" not in page and "navbar" not in page and 'action="/logout"' not in page
    detail = clerk_client.get(f"/candidates/{candidate.id}").get_data(as_text=True)
    assert "<nav" in detail and 'action="/logout"' in detail  # the checks see a bar if any


@pytest.mark.parametrize("role", ["clerk", "secretary", "admin"])
def test_reveal_shows_the_full_number_and_is_audited(client, township, make, role):
    candidate = make.candidate(township, name="孙七", id_number=ID_MAN)
    user = make.user(role, None if role == "admin" else township)
    login(client, user)
    detail = client.get(f"/candidates/{candidate.id}").get_data(as_text=True)
    assert mask_id_number(ID_MAN) in detail and ID_MAN not in detail
    assert f"/candidates/{candidate.id}/reveal-id" in detail
    before = count(AuditEntry)

    response = client.post(f"/candidates/{candidate.id}/reveal-id", data={})
    assert response.status_code == 200
    assert ID_MAN in response.get_data(as_text=True)
    assert "no-store" in response.headers.get("Cache-Control", "")
    assert count(AuditEntry) == before + 1
    entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert (entry.action, entry.entity, entry.entity_id) == ("reveal", "candidate", candidate.id)
    assert (entry.actor_id, entry.township_id) == (user.id, township.id)
    assert ID_MAN not in entry.summary and ID_MAN not in str(entry.changes)

    again = client.get(f"/candidates/{candidate.id}").get_data(as_text=True)
    assert mask_id_number(ID_MAN) in again and ID_MAN not in again
    assert count(AuditEntry) == before + 1  # looking at the page is not a reveal


def test_reveal_without_csrf_reveals_nothing(clerk_client, township, make):
    candidate = make.candidate(township, name="孙七", id_number=ID_MAN)
    before = count(AuditEntry)
    response = clerk_client.post(f"/candidates/{candidate.id}/reveal-id", data={}, csrf=False)
    assert response.status_code == 400
    assert ID_MAN not in response.get_data(as_text=True)
    assert count(AuditEntry) == before


def test_reveal_by_get_is_not_allowed(clerk_client, township, make):
    candidate = make.candidate(township, name="孙七", id_number=ID_MAN)
    before = count(AuditEntry)
    response = clerk_client.get(f"/candidates/{candidate.id}/reveal-id")
    assert response.status_code == 405
    assert ID_MAN not in response.get_data(as_text=True)
    assert count(AuditEntry) == before
