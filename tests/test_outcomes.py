"""Outcomes (用) through HTTP: used, withdrawn, restored (能上能下) — who may, what is refused,
what is written together (outcome row, status change, audit), and where the candidate goes."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import itertools
import re

import pytest
from sqlalchemy import func, select

from app.assessment.models import Outcome
from app.core import clock
from app.core.audit import AuditEntry
from app.core.errors import RuleError
from app.core.idcard import make_id_number
from app.extensions import db
from app.roster.models import Candidate, StatusChange
from tests.conftest import Client, login

_SEQ = itertools.count(1)
TODAY = clock.today()
USE = {"outcome": "party_secretary", "place": "太平村", "decided_on": "2025-03-10"}
WITHDRAW = {
    "reason": "away",
    "detail": "2025年3月起赴广东务工，无法参加培养",
    "decided_on": "2025-04-01",
}
RESTORE = {"reason": "返乡创业，本人申请继续培养，经党委会研究同意"}


def client_for(app, user) -> Client:
    client = app.test_client()
    login(client, user)
    return client


def candidate_in(make, township, status: str = "in_pool", name: str = "张三") -> Candidate:
    number = make_id_number("430521", dt.date(1988, 2, 9), (next(_SEQ) % 450) * 2, "M")
    candidate = make.candidate(township, name=name, id_number=number)
    if status != "nominated":
        candidate.status = status
        candidate.entered_on = dt.date(2022, 3, 1)
        db.session.commit()
    return candidate


def fresh(candidate_id: int) -> Candidate:
    db.session.expire_all()
    return db.session.get(Candidate, candidate_id)


def outcomes() -> list[Outcome]:
    db.session.expire_all()
    return list(db.session.scalars(select(Outcome).order_by(Outcome.id)))


def changes_of(candidate_id: int) -> list[tuple]:
    db.session.expire_all()
    stmt = select(StatusChange).where(StatusChange.candidate_id == candidate_id)
    return [
        (c.from_status, c.to_status, c.actor_id, c.reason)
        for c in db.session.scalars(stmt.order_by(StatusChange.id))
    ]


def audit_count() -> int:
    """Audit entries of writes (a refused request records only its own 'denied' entry)."""
    db.session.expire_all()
    stmt = select(func.count()).select_from(AuditEntry).where(AuditEntry.action != "denied")
    return db.session.scalar(stmt)


def denied_entries() -> list[str]:
    db.session.expire_all()
    stmt = select(AuditEntry.summary).where(AuditEntry.action == "denied")
    return list(db.session.scalars(stmt))


def error_at(page: str, field_id: str) -> str | None:
    match = re.search(rf'id="{re.escape(field_id)}-error"[^>]*>(.*?)</div>', page, re.S)
    return html_lib.unescape(match.group(1)).strip() if match else None


def buttons(html: str) -> list[str]:
    return re.findall(r'<button[^>]*name="target"[^>]*value="([^"]*)"', html)


@pytest.fixture
def town(make):
    township = make.township("太平镇")
    other = make.township("远山镇")
    return {
        "township": township,
        "clerk": make.user("clerk", township, username="ganshi_li"),
        "secretary": make.user("secretary", township, username="shuji_wang"),
        "admin": make.user("admin", username="county_admin"),
        "county_secretary": make.user("secretary", None, username="county_sec"),
        "other_secretary": make.user("secretary", other, username="other_sec"),
        "other_clerk": make.user("clerk", other, username="other_clerk"),
    }


# ---- used ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "code"),
    [
        ("secretary", 302),
        ("admin", 302),
        ("county_secretary", 302),
        ("clerk", 403),
        ("other_secretary", 404),
        ("other_clerk", 403),
    ],
)
def test_who_may_record_a_use(app, make, town, who, code):
    candidate = candidate_in(make, town["township"])
    client = client_for(app, town[who])
    before, audits = changes_of(candidate.id), audit_count()  # after the login's own entry
    assert client.get(f"/candidates/{candidate.id}/outcome/use").status_code == (
        200 if code == 302 else code
    )
    response = client.post(f"/candidates/{candidate.id}/outcome/use", data=USE)
    assert response.status_code == code
    if code != 302:
        assert fresh(candidate.id).status == "in_pool"
        assert outcomes() == [] and changes_of(candidate.id) == before
        assert audit_count() == audits
        if code == 403:
            assert f"POST /candidates/{candidate.id}/outcome/use" in " ".join(denied_entries())
        return
    assert response.headers["Location"].endswith(f"/candidates/{candidate.id}#outcome")
    assert fresh(candidate.id).status == "used"
    (row,) = outcomes()
    assert (row.candidate_id, row.kind, row.outcome, row.reason) == (
        candidate.id,
        "used",
        "party_secretary",
        None,
    )
    assert (row.place, row.decided_on, row.author_id) == (
        "太平村",
        dt.date(2025, 3, 10),
        town[who].id,
    )
    assert changes_of(candidate.id)[-1] == (
        "in_pool",
        "used",
        town[who].id,
        "当选村党组织书记（太平村，2025-03-10）",
    )
    entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()[-2:]
    assert {(e.action, e.entity) for e in entries} == {
        ("create", "outcome"),
        ("status", "candidate"),
    }
    assert all(e.actor_id == town[who].id for e in entries)


def test_clerk_does_not_see_the_outcome_buttons(app, make, town):
    candidate = candidate_in(make, town["township"])
    page = client_for(app, town["clerk"]).get(f"/candidates/{candidate.id}").get_data(True)
    assert "/outcome/use" not in page and "/outcome/withdraw" not in page
    page = client_for(app, town["secretary"]).get(f"/candidates/{candidate.id}").get_data(True)
    assert f"/candidates/{candidate.id}/outcome/use" in page
    assert f"/candidates/{candidate.id}/outcome/withdraw" in page


@pytest.mark.parametrize("who", ["secretary", "admin"])
def test_plain_status_buttons_never_leave_the_pool(app, make, town, who):
    """Used and withdrawn need their form (village, reason, date): no plain button, and a
    hand-made POST to the status route is refused with nothing written."""
    candidate = candidate_in(make, town["township"])
    client = client_for(app, town[who])
    page = client.get(f"/candidates/{candidate.id}").get_data(as_text=True)
    assert buttons(page) == []
    before = changes_of(candidate.id)
    for target in ("used", "withdrawn"):
        response = client.post(
            f"/candidates/{candidate.id}/status", data={"target": target, "reason": "换届当选"}
        )
        assert response.status_code == 422
        assert fresh(candidate.id).status == "in_pool"
    withdrawn = candidate_in(make, town["township"], "withdrawn", name="李四")
    response = client.post(
        f"/candidates/{withdrawn.id}/status", data={"target": "in_pool", "reason": "恢复"}
    )
    assert response.status_code == 422
    assert fresh(withdrawn.id).status == "withdrawn"
    assert buttons(client.get(f"/candidates/{withdrawn.id}").get_data(True)) == []
    assert changes_of(candidate.id) == before and outcomes() == []


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("outcome", "", "请选择使用去向"),
        ("outcome", "当选村长", "不是有效的使用去向"),
        ("place", " ", "请填写任职村或单位"),
        ("decided_on", "", "请填写任职日期"),
        ("decided_on", (TODAY + dt.timedelta(days=3)).isoformat(), "不能晚于今天"),
    ],
)
def test_use_refusals_show_at_the_field(app, make, town, field, value, message):
    candidate = candidate_in(make, town["township"])
    client = client_for(app, town["secretary"])
    before, audits = changes_of(candidate.id), audit_count()
    response = client.post(f"/candidates/{candidate.id}/outcome/use", data=USE | {field: value})
    assert response.status_code == 422
    assert message in (error_at(response.get_data(as_text=True), field) or "")
    assert fresh(candidate.id).status == "in_pool"
    assert outcomes() == [] and changes_of(candidate.id) == before and audit_count() == audits


@pytest.mark.parametrize("status", ["nominated", "inspecting", "returned", "used", "withdrawn"])
def test_only_candidates_in_the_pool_are_used_or_withdrawn(app, make, town, status):
    candidate = candidate_in(make, town["township"], status)
    client = client_for(app, town["secretary"])
    for path, data, what in (("use", USE, "记录使用"), ("withdraw", WITHDRAW, "退出人才库")):
        response = client.post(f"/candidates/{candidate.id}/outcome/{path}", data=data)
        assert response.status_code == 422
        assert f"只有在库培养的后备干部才能{what}" in response.get_data(as_text=True)
        page = client.get(f"/candidates/{candidate.id}/outcome/{path}").get_data(as_text=True)
        assert (
            f"只有在库培养的后备干部才能{what}" in page
            and "<form method" not in page.split("</nav>")[1].split("</main>")[0]
        )
    assert fresh(candidate.id).status == status and outcomes() == []


def test_outcome_labels_and_full_width_input(app, make, town):
    candidate = candidate_in(make, town["township"])
    client = client_for(app, town["secretary"])
    data = {"outcome": "进入镇机关部门", "place": " 镇党政办 ", "decided_on": "２０２５年５月６日"}
    assert client.post(f"/candidates/{candidate.id}/outcome/use", data=data).status_code == 302
    (row,) = outcomes()
    assert (row.outcome, row.place, row.decided_on) == (
        "township_office",
        "镇党政办",
        dt.date(2025, 5, 6),
    )


def test_use_without_csrf_changes_nothing(app, make, town):
    candidate = candidate_in(make, town["township"])
    client = client_for(app, town["secretary"])
    response = client.post(f"/candidates/{candidate.id}/outcome/use", data=USE, csrf=False)
    assert response.status_code == 400
    assert fresh(candidate.id).status == "in_pool" and outcomes() == []


def test_a_failure_after_the_outcome_row_leaves_nothing_behind(app, make, town, monkeypatch):
    """The outcome row and the status change commit together or not at all."""
    import app.assessment.operations as operations

    def refuse(*args, **kwargs):
        raise RuleError("状态变更失败（测试）")

    monkeypatch.setattr(operations, "change_status", refuse)
    candidate = candidate_in(make, town["township"])
    client = client_for(app, town["secretary"])
    response = client.post(f"/candidates/{candidate.id}/outcome/use", data=USE)
    assert response.status_code == 422
    assert "状态变更失败（测试）" in response.get_data(as_text=True)
    assert outcomes() == [] and fresh(candidate.id).status == "in_pool"


# ---- withdrawn and restored ----------------------------------------------------------------


def test_secretary_withdraws_and_restores_a_candidate(app, make, town):
    candidate = candidate_in(make, town["township"])
    client = client_for(app, town["secretary"])
    sid = town["secretary"].id
    response = client.post(f"/candidates/{candidate.id}/outcome/withdraw", data=WITHDRAW)
    assert response.status_code == 302
    assert fresh(candidate.id).status == "withdrawn"
    (row,) = outcomes()
    assert (row.kind, row.reason, row.outcome, row.decided_on) == (
        "withdrawn",
        "away",
        None,
        dt.date(2025, 4, 1),
    )
    assert row.detail == "2025年3月起赴广东务工，无法参加培养" and row.restored_on is None
    assert changes_of(candidate.id)[-1] == (
        "in_pool",
        "withdrawn",
        sid,
        "退出（外出，2025-04-01）：2025年3月起赴广东务工，无法参加培养",
    )
    page = client.get(f"/candidates/{candidate.id}").get_data(as_text=True)
    assert f"/candidates/{candidate.id}/outcome/restore" in page
    assert "/outcome/use" not in page

    form = client.get(f"/candidates/{candidate.id}/outcome/restore").get_data(as_text=True)
    assert "赴广东务工" in form  # the withdrawal being undone is shown
    response = client.post(f"/candidates/{candidate.id}/outcome/restore", data=RESTORE)
    assert response.status_code == 302
    assert fresh(candidate.id).status == "in_pool"
    (row,) = outcomes()
    assert (row.restored_on, row.restored_by_id) == (TODAY, sid)
    assert row.restore_reason == RESTORE["reason"]
    assert changes_of(candidate.id)[-1] == (
        "withdrawn",
        "in_pool",
        sid,
        "恢复入库（能上能下）：" + RESTORE["reason"],
    )
    assert fresh(candidate.id).entered_on == dt.date(2022, 3, 1)  # the first entry stays
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "restore").order_by(AuditEntry.id)
    ).one()
    assert (entry.entity, entry.entity_id, entry.actor_id) == ("outcome", row.id, sid)
    card = client.get(f"/candidates/{candidate.id}").get_data(as_text=True)
    assert "已恢复入库" in card and "经党委会研究同意" in card
    # Back in the pool, it can leave again later.
    assert client.post(f"/candidates/{candidate.id}/outcome/use", data=USE).status_code == 302
    assert [o.kind for o in outcomes()] == ["withdrawn", "used"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("reason", "", "请选择退出原因"),
        ("reason", "不想干了", "不是有效的退出原因"),
        ("detail", "", "请填写具体原因"),
        ("decided_on", "2025/02/30", "不存在"),
    ],
)
def test_withdrawal_refusals(app, make, town, field, value, message):
    candidate = candidate_in(make, town["township"])
    client = client_for(app, town["secretary"])
    data = WITHDRAW | {field: value}
    response = client.post(f"/candidates/{candidate.id}/outcome/withdraw", data=data)
    assert response.status_code == 422
    assert message in (error_at(response.get_data(as_text=True), field) or "")
    assert fresh(candidate.id).status == "in_pool" and outcomes() == []


@pytest.mark.parametrize("reason", ["", "   ", "\n"])
def test_restore_requires_a_reason(app, make, town, reason):
    candidate = candidate_in(make, town["township"])
    client = client_for(app, town["secretary"])
    client.post(f"/candidates/{candidate.id}/outcome/withdraw", data=WITHDRAW)
    before = changes_of(candidate.id)
    response = client.post(f"/candidates/{candidate.id}/outcome/restore", data={"reason": reason})
    assert response.status_code == 422
    assert "请填写恢复入库的理由" in error_at(response.get_data(as_text=True), "reason")
    assert fresh(candidate.id).status == "withdrawn"
    assert changes_of(candidate.id) == before and outcomes()[0].restored_on is None


@pytest.mark.parametrize("status", ["in_pool", "used", "nominated"])
def test_only_withdrawn_candidates_are_restored(app, make, town, status):
    candidate = candidate_in(make, town["township"], status)
    client = client_for(app, town["secretary"])
    response = client.post(f"/candidates/{candidate.id}/outcome/restore", data=RESTORE)
    assert response.status_code == 422
    assert "只有已退出的后备干部才能恢复入库" in response.get_data(as_text=True)
    assert fresh(candidate.id).status == status


@pytest.mark.parametrize(
    ("who", "code"), [("clerk", 403), ("other_secretary", 404), ("other_clerk", 403)]
)
def test_who_may_not_withdraw_or_restore(app, make, town, who, code):
    candidate = candidate_in(make, town["township"])
    gone = candidate_in(make, town["township"], "withdrawn", name="李四")
    client = client_for(app, town[who])
    assert client.get(f"/candidates/{candidate.id}/outcome/withdraw").status_code == code
    response = client.post(f"/candidates/{candidate.id}/outcome/withdraw", data=WITHDRAW)
    assert response.status_code == code
    assert client.post(f"/candidates/{gone.id}/outcome/restore", data=RESTORE).status_code == code
    assert fresh(candidate.id).status == "in_pool" and fresh(gone.id).status == "withdrawn"
    assert outcomes() == []


def test_restoring_a_candidate_withdrawn_without_an_outcome_row(app, make, town):
    """Candidates imported as withdrawn have no outcome row; restoring still works."""
    candidate = candidate_in(make, town["township"], "withdrawn")
    client = client_for(app, town["admin"])
    assert (
        client.post(f"/candidates/{candidate.id}/outcome/restore", data=RESTORE).status_code == 302
    )
    assert fresh(candidate.id).status == "in_pool" and outcomes() == []


# ---- off the active roster, still searchable ------------------------------------------------


def roster_names(client, **params) -> list[str]:
    html = client.get("/candidates/", query_string=params).get_data(as_text=True)
    return re.findall(r'<a href="/candidates/\d+">([^<]+)</a>', html)


def test_used_and_withdrawn_leave_the_active_roster_but_stay_searchable(app, make, town):
    stays = candidate_in(make, town["township"], name="王五")
    used = candidate_in(make, town["township"], name="张三")
    gone = candidate_in(make, town["township"], name="李四")
    client = client_for(app, town["secretary"])
    assert client.post(f"/candidates/{used.id}/outcome/use", data=USE).status_code == 302
    assert client.post(f"/candidates/{gone.id}/outcome/withdraw", data=WITHDRAW).status_code == 302
    assert roster_names(client) == ["王五"]
    assert roster_names(client, status="used") == ["张三"]
    assert roster_names(client, status="withdrawn") == ["李四"]
    assert sorted(roster_names(client, status="all")) == sorted(["王五", "张三", "李四"])
    assert roster_names(client, q="李四") == ["李四"]
    assert roster_names(client, q="zs") == ["张三"]
    assert stays.status == "in_pool"
