"""A clerk adds a candidate with the keyboard alone and fixes a field error on the way; a clerk
changes a candidate's (masked) ID number."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select

from app.core.idcard import make_id_number, mask_id_number
from app.extensions import db
from app.roster.models import Candidate
from tests.browser.conftest import sign_in
from tests.conftest import DEFAULT_PASSWORD


def test_clerk_adds_a_candidate_with_the_keyboard(page, make):
    township = make.township("太平镇", villages=("石桥村", "太平村"))
    clerk = make.user("clerk", township, username="clerk_kb")
    sign_in(page, clerk.username, DEFAULT_PASSWORD)

    page.goto("/candidates/new")
    page.focus("#name")  # the first field; from here on only keys
    keys = page.keyboard
    keys.type("张三")
    keys.press("Tab")
    keys.type("110105194912310021")  # a wrong check digit first
    # Tab along the form; in a select, ArrowDown picks the next option (the first is 请选择).
    steps = [
        ("#gender", 0),
        ("#birth_date", 0),
        ("#ethnicity", 0),
        ("#political", 1),
        ("#education", 2),
        ("#major", 0),
        ("#phone", 0),
        ("#village_id", 1),
        ("#source", 1),
        ("#direction", 1),
        ("#occupation", 0),
        ("#speciality", 0),
        ("#entered_on", 0),
        ("#notes", 0),
    ]
    for selector, downs in steps:
        keys.press("Tab")
        assert page.evaluate("document.activeElement.id") == selector[1:]
        for _ in range(downs):
            keys.press("ArrowDown")
    keys.press("Tab")
    assert page.evaluate("document.activeElement.textContent").strip() == "保存"
    keys.press("Enter")

    error = page.locator("#id_number-error")
    assert "校验" in error.inner_text()
    assert page.locator("#id_number").get_attribute("aria-invalid") == "true"
    assert db.session.scalars(select(Candidate)).all() == []
    db.session.rollback()

    # The page comes back with the error at the field; the rest of what was typed is kept.
    assert page.locator("#political").input_value() == "01"
    page.focus("#id_number")
    keys.press("Control+A")
    keys.type("11010519491231002X")
    keys.press("Enter")
    page.wait_for_url(re.compile(r"/candidates/\d+$"))
    page.wait_for_load_state()
    assert "1101**********002X" in page.locator("main").inner_text()
    db.session.rollback()  # end the test's read snapshot: the browser wrote since
    created = db.session.scalars(select(Candidate)).one()
    assert (created.name, created.status, created.gender) == ("张三", "nominated", "F")


def test_clerk_changes_a_masked_id_number(page, make):
    """The edit form shows the number masked; 修改身份证号 empties the field for a new one."""
    township = make.township("太平镇", villages=("石桥村",))
    clerk = make.user("clerk", township, username="clerk_id")
    old = make_id_number("430521", dt.date(1990, 5, 3), 123, "M")
    new = make_id_number("430521", dt.date(1990, 5, 3), 457, "M")
    candidate = make.candidate(township, name="孙七", id_number=old)
    sign_in(page, clerk.username, DEFAULT_PASSWORD)

    page.goto(f"/candidates/{candidate.id}/edit")
    field = page.locator("#id_number")
    assert field.input_value() == mask_id_number(old)
    assert old not in page.content()
    # The script shows the button: were it refused (CSP) or missing, there would be none.
    page.get_by_role("button", name="修改身份证号").click()
    assert field.input_value() == ""
    assert page.evaluate("document.activeElement.id") == "id_number"
    page.keyboard.type(new)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/candidates/{candidate.id}$"))
    assert mask_id_number(new) in page.locator("main").inner_text()
    db.session.rollback()  # end the test's read snapshot: the browser wrote since
    assert db.session.get(Candidate, candidate.id).id_number == new
