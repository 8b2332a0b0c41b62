"""``make screenshots``: the main pages of a seeded demo county, as PNGs in docs/screenshots/.

Seeds a scratch SQLite database, serves the app on a loopback port, and drives Debian's
Chromium through Playwright at 1366×768 and at a 390-px-wide phone. Needs the chromium and
fonts-noto-cjk packages (a CJK font, or the Chinese renders as boxes).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
PASSWORD = "demo-password-1"
CHROMIUM = os.environ.get("ROSTER_CHROMIUM", "/usr/bin/chromium")


def main() -> None:
    os.environ.setdefault("ROSTER_ENV", "development")
    scratch = tempfile.mkdtemp(prefix="roster-shots-")
    url = f"sqlite:///{scratch}/demo.db"
    env = os.environ | {"DATABASE_URL": url}
    flask = [sys.executable, "-m", "flask", "--app", "app"]
    subprocess.run([*flask, "db", "upgrade", "heads"], env=env, check=True, capture_output=True)
    subprocess.run(
        [*flask, "seed-demo", "--candidates", "3000", "--seed", "1", "--password", PASSWORD],
        env=env,
        check=True,
        capture_output=True,
    )

    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    from app import create_app

    app = create_app(SQLALCHEMY_DATABASE_URI=url)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    OUT.mkdir(parents=True, exist_ok=True)
    shots = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        for device, viewport in (("desktop", (1366, 768)), ("phone", (390, 844))):
            context = browser.new_context(
                base_url=base,
                viewport={"width": viewport[0], "height": viewport[1]},
                locale="zh-CN",
                device_scale_factor=1,
            )
            page = context.new_page()
            page.goto("/login")
            page.fill("#username", "t01_secretary")
            page.fill("#password", PASSWORD)
            page.press("#password", "Enter")
            page.wait_for_url(f"{base}/")
            page.goto("/candidates/?status=in_pool")
            first = page.locator("table a[href^='/candidates/']").first.get_attribute("href")
            candidate = re.sub(r"\D", "", first)
            for name, path in (
                ("dashboard", "/"),
                ("roster", "/candidates/?status=in_pool"),
                ("candidate", f"/candidates/{candidate}"),
                ("dossier", f"/candidates/{candidate}/print"),
            ):
                page.goto(path)
                page.wait_for_load_state("networkidle")
                target = OUT / f"{name}-{device}.png"
                page.screenshot(path=str(target), full_page=(device == "desktop"))
                shots.append(target)
            context.close()
        browser.close()
    server.shutdown()
    for shot in shots:
        print(shot.relative_to(ROOT))


if __name__ == "__main__":
    main()
