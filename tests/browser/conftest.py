"""Browser journeys: the app served for real on a loopback port, driven by Debian's Chromium.

Playwright for Python drives the system ``chromium`` (``executable_path``); it downloads no
browser of its own. The server is a threaded Werkzeug server over the same test database, so
factories can set up data and assertions can read what the browser wrote.
"""

from __future__ import annotations

import os
import shutil
import threading

import pytest
from werkzeug.serving import make_server

from app import create_app
from app.config import TestConfig

CHROMIUM = os.environ.get("ROSTER_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.commits)  # the served app reads through its own engine


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("Chromium is not installed: .ci/run installs Debian's chromium package")
        pytest.skip("no Chromium on this machine (apt-get install chromium fonts-noto-cjk)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def live_server(app, database_url):
    """The app served on 127.0.0.1 (a free port) for one test; yields its base URL."""
    served = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=database_url)
    server = make_server("127.0.0.1", 0, served, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    with served.app_context():
        from app.extensions import db

        db.engine.dispose()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(
        base_url=live_server, viewport={"width": 1366, "height": 768}, locale="zh-CN"
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def sign_in(page, username: str, password: str) -> None:
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.press("#password", "Enter")
    page.wait_for_url("**/")
