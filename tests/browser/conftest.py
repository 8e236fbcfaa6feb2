"""Browser tests: Debian's Chromium driven by Playwright at a phone viewport, with an axe-core check.

The live server serves the same app and database as the ``app`` fixture, so a test builds its data with the
factories, commits, and then drives the browser. Without Chromium these tests are skipped with a reason, unless
YC_REQUIRE_BROWSER=1 (set by CI), which turns a missing browser into a failure.

A test moves as a person does: it may open its first page by URL, then taps links and buttons (``tap``), so that
hx-boost swaps the body as it does on a phone. Every page fails its test on any console error, uncaught script
error or Content-Security-Policy violation, also after a swap. ``assert_styled`` checks that our stylesheet is
there and applied, ``assert_words_whole`` that no word is broken where it would fit, and ``server_requests``
lists what the browser asked the server for.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Error as PlaywrightError
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
        #: "GET /path" for every request the server got, in order (cleared by the ``server_requests`` fixture).
        self.requests: list[str] = []

        def recording(environ, start_response):
            self.requests.append(f"{environ['REQUEST_METHOD']} {environ.get('PATH_INFO', '')}")
            return app(environ, start_response)

        self._server = make_server("127.0.0.1", 0, recording, threaded=True)
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


# Runs in every page before its own scripts (outside the page's CSP): counts finished htmx swaps, so that ``tap``
# knows when the new content is in place, and reports every CSP violation with the element that caused it.
WATCH_SCRIPT = """
(() => {
  const state = window.__yc = { doc: Math.random().toString(36).slice(2), swaps: 0 };
  const swapped = () => { state.swaps += 1; };
  document.addEventListener("htmx:afterSettle", swapped);
  document.addEventListener("htmx:historyRestore", swapped);
  document.addEventListener("securitypolicyviolation", (event) => {
    const el = event.target && event.target.tagName ? event.target : null;
    const where = el ? el.tagName + (el.id ? "#" + el.id : "") : "document";
    window.__ycProblem(`CSP ${event.effectiveDirective} blocked ${event.blockedURI || "inline"} on ${where}`
      + ` (${event.sourceFile || location.pathname}:${event.lineNumber})`);
  });
})();
"""


def _watch(page) -> list[str]:
    """Collect console errors, uncaught errors and CSP violations of ``page`` (also after htmx swaps)."""
    problems: list[str] = []
    page.expose_function("__ycProblem", lambda message: problems.append(message))
    page.add_init_script(WATCH_SCRIPT)
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


@pytest.fixture
def page(browser_context):
    page = browser_context.new_page()
    problems = _watch(page)
    yield page
    # A blocked inline script or style (CSP), a 4xx answer to a script, or a JavaScript error shows up here.
    assert not problems, f"errors in the browser console on {page.url}: {problems}"


@pytest.fixture
def another_page(_browser, live_server):
    """``another_page()`` opens a second phone (a separate person with their own cookies), watched like ``page``.

    ``another_page(storage_state=page.context.storage_state())`` is the same person on a phone with an empty cache.
    """
    opened = []

    def _open(storage_state=None):
        context = _browser.new_context(
            viewport=PHONE,
            is_mobile=True,
            has_touch=True,
            base_url=live_server.url,
            locale="nb-NO",
            timezone_id="Europe/Oslo",
            storage_state=storage_state,
        )
        context.set_default_timeout(10_000)
        new_page = context.new_page()
        opened.append((context, new_page, _watch(new_page)))
        return new_page

    yield _open
    problems = {p.url: found for _, p, found in opened if found}
    for context, _, _ in opened:
        context.close()
    assert not problems, f"errors in the browser console: {problems}"


def _settle_state(page):
    try:
        return page.evaluate(
            "() => window.__yc ? [window.__yc.doc, window.__yc.swaps, document.readyState,"
            " !!document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')] : null"
        )
    except PlaywrightError:  # the page is being replaced by a full load
        return None


def _wait_until_settled(page, before, *, full_load: bool = False, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = _settle_state(page)
        if state is not None:
            doc, swaps, ready, busy = state
            if doc != before[0] and ready == "complete":
                assert full_load, f"a full page load of {page.url} instead of a boosted swap (hx-boost)"
                return
            if doc == before[0] and swaps > before[1] and not busy and not full_load:
                return
        page.wait_for_timeout(25)
    raise AssertionError(f"nothing settled after the tap (now at {page.url})")


def _locate(page, target):
    if not isinstance(target, str):
        return target
    return page.get_by_role("link", name=target).or_(page.get_by_role("button", name=target))


def _tap(page, target, *, full_load: bool = False) -> None:
    """Tap a link or button (a locator, or its accessible name) and wait until the new content has settled.

    Links and forms are boosted, so a tap swaps the body; ``full_load=True`` is for the few that are not
    (``hx-boost="false"``). A page that loaded in full where a swap was expected fails the test.
    """
    locator = _locate(page, target)
    before = _settle_state(page)
    if before is None:  # JavaScript is off: every tap loads a page
        locator.click()
        page.wait_for_load_state()
        return
    locator.click()
    _wait_until_settled(page, before, full_load=full_load)


@pytest.fixture
def tap():
    return _tap


def _back(page) -> None:
    """The browser's back button (htmx restores the page from the server and swaps it in)."""
    before = _settle_state(page)
    page.go_back(wait_until="commit")
    _wait_until_settled(page, before)


@pytest.fixture
def back():
    return _back


def _confirm(page, *expected: str) -> str:
    """On the confirmation page an irreversible action answers with (youthcouncil/confirm.py): check that it says
    each of ``expected``, tick "yes, I am sure" and tap its button. Returns what it said would happen."""
    page.locator("#confirm-title").wait_for()
    said = page.locator(".confirm-consequence").inner_text()
    for text in expected:
        assert text in said, f"the confirmation says {said!r}, not {text!r}"
    page.locator("input[name=confirm]").check()
    _tap(page, page.locator(".confirm-card form button"))
    return said


@pytest.fixture
def confirm():
    """``confirm(page, "4 av 25")``: go through the confirmation page of an irreversible action."""
    return _confirm


def _login(page, username: str, passphrase: str = PASSPHRASE) -> None:
    """Log in through the real form: tap "Logg inn" on the page we are on, or open the login page first."""
    if urlsplit(page.url).path == "/login":
        pass
    elif page.url.startswith("http") and page.locator("nav.main-nav a[href='/login']").count():
        _tap(page, page.locator("nav.main-nav a[href='/login']"))
    else:
        page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=passphrase]", passphrase)
    _tap(page, page.locator("form[action='/login'] button"))
    page.wait_for_url("**/home")


@pytest.fixture
def login():
    """``login(page, username)`` through the real login form; lands on the home page."""
    return _login


def _logout(page) -> None:
    _tap(page, page.locator("nav.main-nav form[action='/logout'] button"))
    # The logged-out page is in place: logging out makes a new CSRF token, so a page requested before that arrives
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


@pytest.fixture
def server_requests(live_server):
    """The requests the live server got since the last ``clear()``: ``server_requests.clear()``, then a list."""

    class Requests:
        def clear(self) -> None:
            live_server.requests.clear()

        def __call__(self) -> list[str]:
            return list(live_server.requests)

    recorder = Requests()
    recorder.clear()
    return recorder


#: Our own stylesheet, fingerprinted (youthcouncil/assets.py).
STYLESHEET = r"/assets/app\.[0-9a-f]{12}\.css$"


def _assert_styled(page) -> None:
    """Our stylesheet is loaded and applied: it is among the page's sheets, and what only it sets is in effect."""
    state = page.evaluate(
        """(pattern) => ({
            sheets: [...document.styleSheets].filter(s => new RegExp(pattern).test(s.href || "")).length,
            brand: getComputedStyle(document.documentElement).getPropertyValue("--brand").trim(),
            wash: getComputedStyle(document.body).backgroundColor,
        })""",
        STYLESHEET,
    )
    expected = {"sheets": 1, "brand": "#0b5cad", "wash": "rgb(243, 245, 248)"}
    assert state == expected, f"our CSS is not applied on {page.url}"


@pytest.fixture
def assert_styled():
    return _assert_styled


# For every word on the page that is broken across two lines: was it wider than the box it had to fit in? That box
# is the nearest block whose width does not depend on its content (a flex or grid item, a button or a table cell
# is as wide as the layout lets it be, so we look past them). Anything narrower could have stayed whole.
SPLIT_WORDS_SCRIPT = r"""
() => {
  const contentSized = (el) => {
    const display = getComputedStyle(el).display;
    if (display.startsWith("inline") || display.startsWith("table-cell") || display === "contents") return true;
    const parent = el.parentElement && getComputedStyle(el.parentElement).display;
    return !!parent && /flex|grid/.test(parent);
  };
  const room = (el) => {
    let box = el;
    while (box.parentElement && box !== document.body && contentSized(box)) box = box.parentElement;
    const style = getComputedStyle(box);
    return box.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  };
  const split = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  const word = /[^\s\u00ad\u200b\-\u2010-\u2014\/]+[\-\u2010-\u2014\/]?/g;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!el || el.getBoundingClientRect().width <= 2) continue;  // hidden, or visually hidden for screen readers
    for (const match of node.data.matchAll(word)) {
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const rects = [...range.getClientRects()].filter((r) => r.width > 0);
      if (new Set(rects.map((r) => Math.round(r.top))).size < 2) continue;
      const width = rects.reduce((sum, r) => sum + r.width, 0);
      const available = room(el);
      if (width <= available + 1) {
        split.push(`"${match[0]}" in <${el.tagName.toLowerCase()} class="${el.className}"> (${Math.round(width)} px`
          + ` wide, ${Math.round(available)} px of room)`);
      }
    }
  }
  return split;
}
"""


def _assert_words_whole(page) -> None:
    """No word on the page is broken across lines where it would have fitted whole."""
    split = page.evaluate(SPLIT_WORDS_SCRIPT)
    assert not split, f"words broken at {page.viewport_size['width']} px on {page.url}: {split}"


@pytest.fixture
def assert_words_whole():
    return _assert_words_whole


def _assert_fits(page) -> None:
    """Nothing makes the page scroll sideways."""
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow} px at {page.viewport_size['width']} px"


@pytest.fixture
def assert_fits():
    return _assert_fits
