"""The console watch on every page can fail, and htmx's swaps never raise a CSP error."""

import pytest

from tests.browser.conftest import _watch

pytestmark = pytest.mark.browser


def test_the_watch_reports_a_style_attribute_blocked_by_the_csp(browser_context, live_server):
    page = browser_context.new_page()
    problems = _watch(page)
    page.goto("/")
    page.evaluate(
        "() => document.querySelector('main').insertAdjacentHTML('beforeend', '<p style=\"color:red\">x</p>')"
    )
    page.wait_for_timeout(300)
    assert any("CSP style-src-attr blocked inline" in problem for problem in problems), problems


def test_a_swap_never_copies_a_style_attribute(page, world, login, tap):
    """htmx settles a swapped element from the old one with the same id; a style attribute (set by any script
    through the CSSOM, which the CSP allows) must not be copied, because setting it as an attribute is blocked."""
    login(page, "mia")
    page.evaluate("() => { document.getElementById('main').style.outline = '1px solid red'; }")
    tap(page, page.locator("footer").get_by_role("link", name="Bytt passord"))
    assert page.locator("h1").inner_text() == "Bytt passord"
    assert page.locator("#main").get_attribute("style") is None


def test_behaviours_attach_without_htmx(browser_context, live_server, db, world):
    """If htmx does not arrive (blocked, or a very old phone), links and forms load pages in full and our script
    still sets up each page's behaviour: the tap-to-rank ballot and the budget's running total."""
    from tests.budget.builders import make_event, make_year
    from tests.factories import PASSPHRASE
    from tests.safety_week import builders as sw
    from youthcouncil.budget.models import Phase

    round_, _ = sw.voting_round(world)
    year = make_year(Phase.voting, total=100_000)
    make_event(year, 42_000, title="Kinokveld")
    round_id, year_id = round_.id, year.id
    db.session.commit()

    page = browser_context.new_page()
    problems = _watch(page)
    page.route("**/assets/htmx.*", lambda route: route.abort())
    page.goto("/login")
    page.fill("input[name=username]", "mia")
    page.fill("input[name=passphrase]", PASSPHRASE)
    page.click("form[action='/login'] button")
    page.wait_for_url("**/home")
    assert page.evaluate("typeof window.htmx") == "undefined" and page.evaluate("typeof window.yc") == "object"

    page.click(f"main a[href='/safety-week/rounds/{round_id}/vote']")
    page.wait_for_url(f"**/safety-week/rounds/{round_id}/vote")
    theme = page.locator("button.sw-tap").first
    theme.click()
    assert theme.get_attribute("aria-pressed") == "true"

    for link in ("nav.main-nav a[href='/budget/']", f"main a[href='/budget/years/{year_id}']"):
        page.click(link)
        page.wait_for_load_state()
    page.click(f"main a[href='/budget/years/{year_id}/vote']")
    page.wait_for_url(f"**/budget/years/{year_id}/vote")
    page.locator("input[name=event]").first.check()
    assert page.inner_text("#budget-bar-label") == "kr\u00a042\u00a0000 av kr\u00a0100\u00a0000"
    # The only problems: the blocked htmx itself.
    assert all("ERR_FAILED" in problem or "Failed to load resource" in problem for problem in problems), problems
