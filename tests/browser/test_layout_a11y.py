"""The main pages at a desktop (1366×768) and a phone (390 px wide): nothing wider than the
screen, a label on every form field, a visible focus on every keyboard stop; and axe-core's
automated accessibility rules with nothing serious or critical left.

axe-core is an npm dev dependency (package.json at the root; ``make install-test`` runs
``npm ci``). The app's Content-Security-Policy allows no inline script, so axe is not added as
a ``<script>`` tag: it is registered with ``add_init_script``, which the browser evaluates in
each new document outside the page's CSP.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import select

from app.core import clock
from app.core.idcard import make_id_number
from app.extensions import db
from app.posts.models import Post
from app.roster.operations import change_status
from tests.browser.conftest import sign_in
from tests.conftest import DEFAULT_PASSWORD, Client, login

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VIEWPORTS = {"desktop": (1366, 768), "phone": (390, 844)}
TODAY = clock.today()

# ---- the pages, with enough in them to show every kind of row and form -------------------------


def _client(app, user) -> Client:
    client = app.test_client()
    login(client, user)
    return client


def _posted(response) -> None:
    assert response.status_code == 302, response.get_data(as_text=True)[:1000]


@pytest.fixture
def township_pages(app, make):
    """太平镇 with a clerk and a secretary; 孙七 in the pool with a window placement, a mentor,
    an inspection, an assessment and a training round; 周八 nominated, waiting in the queue.
    Returns the pages to open, each with the role that opens it."""
    township = make.township("太平镇", villages=("石桥村", "太平村"))
    clerk = make.user("clerk", township, username="ganshi_li")
    secretary = make.user("secretary", township, username="shuji_wang")
    sun = make.candidate(
        township, name="孙七", id_number=make_id_number("430521", dt.date(1986, 11, 2), 36, "M")
    )
    nominated = make.candidate(township, name="周八", village_id=township.villages[1].id)
    change_status(sun, "in_pool", actor=secretary)
    mentor = make.mentor(township, actor=clerk)
    db.session.commit()
    window = db.session.scalars(
        select(Post).where(Post.township_id == township.id, Post.name == "帮办代办窗口")
    ).one()

    as_clerk = _client(app, clerk)
    _posted(
        as_clerk.post(
            f"/posts/placements/new?candidate={sun.id}",
            data={
                "post_id": str(window.id),
                "start_on": (TODAY - dt.timedelta(days=30)).isoformat(),
                "end_on": (TODAY + dt.timedelta(days=60)).isoformat(),
                "goal": "熟悉社保、医保代办流程",
            },
        )
    )
    _posted(
        as_clerk.post(
            f"/mentoring/pairings/new?candidate_id={sun.id}",
            data={
                "mentor_id": str(mentor.id),
                "start_on": TODAY.isoformat(),
                "end_on": (TODAY + dt.timedelta(days=365)).isoformat(),
                "goals": "一年内能独立主持村民代表会议",
            },
        )
    )
    _posted(
        as_clerk.post(
            f"/candidates/{sun.id}/inspections/new",
            data={
                "method": "opinion_poll",
                "inspected_on": TODAY.isoformat(),
                "inspectors": "组织委员李明",
                "findings": "群众基础好",
                "conclusion": "符合入库条件",
            },
        )
    )
    programme = as_clerk.post(
        "/training/programmes/new",
        data={
            "name": "太平镇青苗计划",
            "target_group": "35 岁以下在库后备干部",
            "start_on": f"{TODAY.year}-01-01",
            "end_on": f"{TODAY.year + 1}-12-31",
            "description": "每半年一轮，集中培训后回村实践。",
        },
    )
    _posted(programme)
    _posted(
        as_clerk.post(
            programme.headers["Location"] + "/enrol", data={"candidate_ids": [str(sun.id)]}
        )
    )
    as_secretary = _client(app, secretary)
    _posted(
        as_secretary.post(
            f"/candidates/{sun.id}/assessments/new",
            data={
                "kind": "annual",
                "period": str(TODAY.year - 1),
                "assessed_on": TODAY.isoformat(),
                "score_de": "90",
                "score_neng": "85",
                "score_qin": "80",
                "score_ji": "75",
                "score_lian": "88",
                "grade": "competent",
                "note_overall": "基础扎实",
            },
        )
    )
    pages = [
        ("clerk", "/"),
        ("clerk", "/candidates/"),
        ("clerk", f"/candidates/{sun.id}"),
        ("clerk", "/candidates/new"),
        ("clerk", "/posts/"),
        ("clerk", "/posts/placements/new?q=孙"),  # the pick page, with what it found
        ("clerk", "/mentoring/"),
        ("clerk", "/training/"),
        ("clerk", "/candidates/import"),
        ("clerk", f"/candidates/{sun.id}/print"),
        ("secretary", "/review/"),
        ("secretary", f"/candidates/{sun.id}"),  # assessments with their edit links
        ("secretary", f"/candidates/{nominated.id}"),  # the decision form
        ("secretary", f"/candidates/{sun.id}/assessments/new"),
    ]
    return {"clerk": clerk, "secretary": secretary}, pages


@contextmanager
def _signed_in(browser, live_server, viewport, users, init_script: Path | None = None):
    """A page per role, each in its own browser context and signed in (None: signed out)."""
    width, height = VIEWPORTS[viewport]
    contexts, pages = [], {}
    try:
        for role in (None, *users):
            context = browser.new_context(
                base_url=live_server, viewport={"width": width, "height": height}, locale="zh-CN"
            )
            contexts.append(context)
            if init_script is not None:
                context.add_init_script(path=str(init_script))
            page = context.new_page()
            page.set_default_timeout(15_000)
            if role is not None:
                sign_in(page, users[role].username, DEFAULT_PASSWORD)
            pages[role] = page
        yield pages
    finally:
        for context in contexts:
            context.close()


def _visit(page, path: str) -> None:
    response = page.goto(path)  # waits for the load event
    assert response is not None and response.status == 200, f"{path}: {response.status}"


# ---- layout, labels and focus ------------------------------------------------------------------

OVERFLOW = """() => {
  const width = window.innerWidth;
  // Inside a scrolling wrapper (.table-responsive) a wide table is fine, unless it is placed
  // absolutely against something outside the wrapper, which does not clip it then.
  const scrolls = (el) => {
    if (getComputedStyle(el).position === 'absolute') return false;
    for (let p = el.parentElement; p; p = p.parentElement) {
      const x = getComputedStyle(p).overflowX;
      if (x === 'auto' || x === 'scroll' || x === 'hidden') return true;
    }
    return false;
  };
  const wide = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width && box.right > width + 1 && !scrolls(el)) {
      const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
        + [...el.classList].map((c) => '.' + c).join('');
      wide.push(`${name} (${Math.round(box.left)}–${Math.round(box.right)} px)`);
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, width, wide: wide.slice(0, 8)};
}"""

UNLABELLED = """() => {
  const visible = (el) => {
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    return box.width > 0 && box.height > 0 && style.visibility !== 'hidden';
  };
  const text = (el) => (el ? el.textContent : '').replace(/[\\s*]+/g, ' ').trim();
  const nameOf = (el) => {
    const by = el.getAttribute('aria-labelledby');
    if (by) return by.split(/\\s+/).map((id) => text(document.getElementById(id))).join(' ').trim();
    if ((el.getAttribute('aria-label') || '').trim()) return el.getAttribute('aria-label').trim();
    const labels = [...(el.labels || [])].map(text).join(' ').trim();
    return labels || (el.getAttribute('title') || '').trim();
  };
  const skip = ['hidden', 'submit', 'button', 'reset', 'image'];
  return [...document.querySelectorAll('input, select, textarea')]
    .filter((el) => !skip.includes(el.type) && visible(el) && !nameOf(el))
    .map((el) => `${el.tagName.toLowerCase()}#${el.id || '?'}[name=${el.name || '?'}]`);
}"""

FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
  return {
    what: `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}`
      + ` “${(el.textContent || el.name || '').trim().slice(0, 20)}”`,
    kind: el.matches('input, select, textarea') ? 'field' : el.matches('a') ? 'link' : 'other',
    inMain: !!el.closest('main'),
    shown: outline || style.boxShadow !== 'none',
    seen: box.width > 0 && box.height > 0,
  };
}"""

MAX_TAB_STOPS = 80


def _walk_focus(page) -> list[str]:
    """Tab through a freshly loaded page: the first stop is the skip link (where the page has
    one), and every stop shows where the focus is. Stops once a link and a form field inside
    <main> have had the focus, as far as the page has them (or after MAX_TAB_STOPS)."""
    problems, reached = [], set()
    fields = page.locator("main input:visible, main select:visible, main textarea:visible")
    links = page.locator("main a[href]:visible")
    wanted = {kind for kind, found in (("field", fields), ("link", links)) if found.count()}
    skip_link = page.locator('a[href="#main"]').count() > 0
    for number in range(1, MAX_TAB_STOPS + 1):
        page.keyboard.press("Tab")
        stop = page.evaluate(FOCUSED)
        if stop is None:
            break
        if number == 1 and skip_link and stop["what"] != "a “跳到正文”":
            problems.append(f"第一次按 Tab 没有落在“跳到正文”上，而是：{stop['what']}")
        if not stop["seen"]:
            problems.append(f"焦点落在看不见的元素上：{stop['what']}")
        elif not stop["shown"]:
            problems.append(f"焦点没有可见的轮廓：{stop['what']}")
        if stop["inMain"]:
            reached.add(stop["kind"])
        if wanted <= reached:
            break
    missing = wanted - reached
    if missing:
        kinds = "、".join(sorted(missing))
        problems.append(f"按 Tab {MAX_TAB_STOPS} 次也没有到达正文中的：{kinds}")
    return problems


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_pages_fit_the_screen_label_their_fields_and_show_focus(
    browser, live_server, township_pages, viewport
):
    users, visits = township_pages
    problems = []
    with _signed_in(browser, live_server, viewport, users) as pages:
        for role, path in [(None, "/login"), *visits]:
            page = pages[role]
            _visit(page, path)
            where = f"{viewport} {role or '未登录'} {path}"

            layout = page.evaluate(OVERFLOW)
            if layout["scrollWidth"] > layout["width"]:
                problems.append(
                    f"{where}: 页面宽 {layout['scrollWidth']} px，超出屏幕 {layout['width']} px："
                    + "；".join(layout["wide"])
                )
            for field in page.evaluate(UNLABELLED):
                problems.append(f"{where}: 表单栏目没有标签：{field}")
            problems += [f"{where}: {p}" for p in _walk_focus(page)]
    assert not problems, "\n".join(problems)


# ---- axe-core ----------------------------------------------------------------------------------

AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ') + ' — ' + n.failureSummary
      .replace(/\\s+/g, ' ').slice(0, 240)),
    count: v.nodes.length,
  }));
}"""
BLOCKING = ("serious", "critical")


@pytest.fixture
def axe() -> Path:
    """axe-core's script, or a loud skip (a failure under CI) when it is not installed."""
    if AXE.exists():
        return AXE
    message = (
        "axe-core is not installed (node_modules/axe-core): THE ACCESSIBILITY CHECK DID NOT RUN. "
        "`make install-test` installs it with `npm ci`."
    )
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_axe_finds_nothing_serious(axe, browser, live_server, township_pages, viewport):
    users, visits = township_pages
    blocking, report = [], []
    with _signed_in(browser, live_server, viewport, users, init_script=axe) as pages:
        for role, path in [(None, "/login"), *visits]:
            page = pages[role]
            _visit(page, path)
            for v in page.evaluate(AXE_RUN):
                line = f"{viewport} {path} [{v['impact']}] {v['id']}: {v['help']} ({v['count']} 处)"
                report.append("\n    ".join([line, *v["nodes"]]))
                if v["impact"] in BLOCKING:
                    blocking.append(line)
    if report:
        print("axe-core:\n" + "\n".join(report))
    assert not blocking, "\n".join(blocking) + "\n\n" + "\n".join(report)


def test_axe_is_really_injected(axe, browser, live_server):
    """The check above cannot pass vacuously: axe loads on a page under the app's CSP, and it
    does report a known problem (an image without alternative text)."""
    context = browser.new_context(base_url=live_server)
    context.add_init_script(path=str(axe))
    page = context.new_page()
    _visit(page, "/login")
    assert re.match(r"\d+\.\d+", page.evaluate("axe.version"))
    page.evaluate("() => document.querySelector('main').append(document.createElement('img'))")
    ids = {v["id"] for v in page.evaluate(AXE_RUN)}
    context.close()
    assert "image-alt" in ids
