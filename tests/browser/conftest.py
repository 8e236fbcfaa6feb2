"""Browser tests: Debian's Chromium driven by Playwright at a phone viewport, with an axe-core check.

The live server serves the same app and database as the ``app`` fixture, so a test builds its data with the
factories, commits, and then drives the browser. Without Chromium these tests are skipped with a reason, unless
YC_REQUIRE_BROWSER=1 (set by CI), which turns a missing browser into a failure.
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.factories import PASSPHRASE

PHONE = {"width": 360, "height": 740}
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
    "rules": {"target-size": {"enabled": True}},
    "resultTypes": ["violations"],
}


def chromium_path() -> str | None:
    configured = os.environ.get("CHROMIUM_PATH")
    if configured and Path(configured).exists():
        return configured
    for candidate in CHROMIUM_CANDIDATES:
        if Path(candidate).exists():
            return candidate
    return shutil.which("chromium")


def pytest_collection_modifyitems(config, items):
    if chromium_path():
        return
    if os.environ.get("YC_REQUIRE_BROWSER") == "1":
        return  # the browser fixture fails loudly instead
    skip = pytest.mark.skip(reason="no Chromium found (apt-get install chromium); set YC_REQUIRE_BROWSER=1 to fail")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


class LiveServer:
    def __init__(self, app):
        self.app = app
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> LiveServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)


@pytest.fixture(scope="session")
def _live_server(_app):
    server = LiveServer(_app).start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _test_session_keeps_loaded_values(app):
    """Reading ``user.username`` after a commit must not open a transaction in the test thread.

    On SQLite every transaction takes the write lock at BEGIN (so concurrent voters queue instead of failing), and
    the live server, in another thread, would then wait for the test that waits for the browser. So the test's
    session keeps loaded values after commit. After querying the database in a browser test, end the transaction
    (``db.session.commit()``) before driving the browser again.
    """
    from youthcouncil.extensions import db

    db.session().expire_on_commit = False
    yield


@pytest.fixture
def live_server(_live_server, app):
    """The running server; ``app`` empties the database after the test."""
    return _live_server


@pytest.fixture(scope="session")
def _browser():
    path = chromium_path()
    if path is None:
        pytest.fail("YC_REQUIRE_BROWSER=1 but no Chromium was found (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_context(_browser, live_server):
    context = _browser.new_context(
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
        base_url=live_server.url,
        locale="nb-NO",
        timezone_id="Europe/Oslo",
    )
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def page(browser_context):
    page = browser_context.new_page()
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    yield page
    # A blocked inline script or style (CSP) or a JavaScript error shows up here.
    assert not problems, f"errors in the browser console: {problems}"


@pytest.fixture
def another_page(_browser, live_server):
    """``another_page()`` opens a second phone (a separate person with their own cookies)."""
    contexts = []

    def _open():
        context = _browser.new_context(
            viewport=PHONE,
            is_mobile=True,
            has_touch=True,
            base_url=live_server.url,
            locale="nb-NO",
            timezone_id="Europe/Oslo",
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield _open
    for context in contexts:
        context.close()


def _login(page, username: str, passphrase: str = PASSPHRASE) -> None:
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=passphrase]", passphrase)
    page.click("form[action='/login'] button")
    page.wait_for_url("**/home")


@pytest.fixture
def login():
    """``login(page, username)`` through the real login form; lands on the home page."""
    return _login


def _logout(page) -> None:
    page.click("nav.main-nav form[action='/logout'] button")
    # Wait for the logged-out page: logging out makes a new CSRF token, so a page requested before that arrives
    # would carry the old one.
    page.wait_for_selector("nav.main-nav a[href='/login']")


@pytest.fixture
def logout():
    return _logout


def _axe_check(page, context=None) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, context=context, options=AXE_OPTIONS)
    violations = results.response.get("violations", [])
    if violations:
        lines = []
        for violation in violations:
            targets = [", ".join(node["target"]) for node in violation["nodes"][:5]]
            lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} -> {targets}")
        pytest.fail(f"axe found {len(violations)} violation(s) on {page.url}:\n" + "\n".join(lines))


@pytest.fixture
def axe_check():
    """``axe_check(page)`` fails the test on any WCAG 2.2 AA violation, target-size included."""
    return _axe_check
