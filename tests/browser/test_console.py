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
