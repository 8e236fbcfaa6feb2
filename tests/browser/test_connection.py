"""A member on a phone whose connection drops: a tap that could not reach the server says so, and keeps the typing.

htmx sends nothing and swaps nothing when the network is gone, so without a word the tap looked as if it did nothing.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import _watch
from tests.consultations.builders import make_opened
from tests.factories import PASSPHRASE
from youthcouncil.accounts.models import User

pytestmark = pytest.mark.browser

#: What the browser and htmx themselves report on the console when the network is gone (not our errors).
OFFLINE_NOISE = ("ERR_INTERNET_DISCONNECTED", "htmx:sendError", "htmx:afterRequest")


def test_a_dropped_connection_is_named_where_the_member_tapped_and_keeps_the_comment(
    browser_context, db, world, login, tap
):
    consultation = make_opened(world, title="Bussruter til ungdomsklubben")
    consultation_id = consultation.id
    db.session.commit()
    page = browser_context.new_page()
    problems = _watch(page)
    login(page, "mia")
    tap(page, page.locator("nav.main-nav").get_by_role("link", name="Høringer", exact=True))
    tap(page, page.get_by_role("link", name="Bussruter til ungdomsklubben"))

    # The comment cannot be sent: the page says so under the form, and the comment is still in the box.
    page.fill("textarea[name=body]", "Bussen må gå etter klokka 22.")
    browser_context.set_offline(True)
    page.get_by_role("button", name="Legg ut kommentaren").click()
    note = page.locator(f"form[action='/consultations/{consultation_id}/comments'] .offline-note[role=alert]")
    note.wait_for()
    assert "Du er ikke på nett akkurat nå. Ingenting ble sendt" in note.inner_text()
    assert note.is_visible()
    assert page.input_value("textarea[name=body]") == "Bussen må gå etter klokka 22."
    # Tapped again, still offline: one note, not two.
    page.get_by_role("button", name="Legg ut kommentaren").click()
    page.wait_for_timeout(300)
    assert page.locator(".offline-note").count() == 1

    # Online again, the same tap sends it and the note goes.
    browser_context.set_offline(False)
    tap(page, "Legg ut kommentaren")
    page.wait_for_selector("text=Bussen må gå etter klokka 22.")
    assert page.locator(".offline-note").count() == 0

    # A link that cannot open its page says so at the top, in the member's words.
    browser_context.set_offline(True)
    page.locator("nav.main-nav").get_by_role("link", name="Hjem", exact=True).click()
    page.locator("#flash .offline-note").wait_for()
    assert "siden ble ikke åpnet" in page.inner_text("#flash .offline-note")
    assert page.url.endswith(f"/consultations/{consultation_id}")
    # So does the log-out button, whose form sits in the menu.
    page.locator("nav.main-nav form[action='/logout'] button").click()
    page.wait_for_timeout(300)
    assert page.locator("#flash .offline-note").count() == 1 and not page.locator("nav .offline-note").count()
    browser_context.set_offline(False)

    ours = [p for p in problems if not any(noise in p for noise in OFFLINE_NOISE)]
    assert not ours, ours


@pytest.mark.parametrize("ended", ["cookie gone", "logged out on another device"])
def test_a_comment_refused_because_the_session_ended_comes_back_after_logging_in_again(
    browser_context, db, world, tap, ended
):
    """The 12-hour limit, or logging out on another device, ends the session while the member writes: the server
    answers with "you were logged out" or the login page, and she logs in again. Her comment is in the box when she
    comes back to it."""
    from youthcouncil.accounts.services import log_out_everywhere

    consultation = make_opened(world, title="Bussruter til ungdomsklubben")
    consultation_id = consultation.id
    db.session.commit()
    comment = "Bussen må gå etter klokka 22, ellers kommer vi oss ikke hjem."
    page = browser_context.new_page()
    problems = _watch(page)

    def log_in() -> None:
        if not page.url.endswith("/login") and "/login?" not in page.url:
            tap(page, page.locator("nav.main-nav a[href='/login']"))
        page.fill("input[name=username]", "mia")
        page.fill("input[name=passphrase]", PASSPHRASE)
        tap(page, page.locator("form[action^='/login'] button"))

    def open_the_request() -> None:
        tap(page, page.locator("nav.main-nav").get_by_role("link", name="Høringer", exact=True))
        tap(page, page.get_by_role("link", name="Bussruter til ungdomsklubben"))

    page.goto("/login")
    log_in()
    open_the_request()
    page.fill("textarea[name=body]", comment)
    if ended == "cookie gone":
        kept = [c for c in browser_context.cookies() if c["name"] != "yc_session"]
        browser_context.clear_cookies()
        browser_context.add_cookies(kept)
    else:
        log_out_everywhere(db.session.get(User, world.users["member"].id))
        db.session.commit()
    tap(page, "Legg ut kommentaren")
    if ended == "cookie gone":
        # Not "reload the page" (that would ask for the address the form posted to): log in, back to the page.
        assert "Du ble logget ut, så det ble ikke sendt." in page.inner_text("main")
        tap(page, page.locator("main").get_by_role("link", name="Logg inn"))
    # The login page, then back to the request's page (not to the address the form posted to).
    assert page.locator("input[name=passphrase]").count() == 1
    log_in()
    page.wait_for_url(f"**/consultations/{consultation_id}")
    assert page.input_value("textarea[name=body]") == comment
    assert "Vi tok vare på det du skrev" in page.inner_text(f"form[action='/consultations/{consultation_id}/comments']")
    tap(page, "Legg ut kommentaren")
    page.wait_for_selector(f"text={comment}")
    # Sent: it is not given back again.
    open_the_request()
    assert page.input_value("textarea[name=body]") == ""
    assert not page.locator(".kept-note").count()
    # Only the refused send's own 400 reached the console.
    assert [p for p in problems if "400" not in p] == [], problems


def test_logging_out_drops_the_text_kept_in_the_tab(browser_context, db, world, login, tap):
    """Text kept for a refused send (sessionStorage, this tab only) must not outlive the writer's session on a
    shared phone or school computer: logging out empties it."""
    page = browser_context.new_page()
    problems = _watch(page)
    login(page, "mia")
    kept = '{"/consultations/1/comments|body": {"who": "1", "text": "Hemmelig utkast", "at": 1}}'
    page.evaluate("(kept) => window.sessionStorage.setItem('yc-drafts', kept)", kept)
    assert "Hemmelig utkast" in page.evaluate("() => window.sessionStorage.getItem('yc-drafts')")
    tap(page, page.locator("nav.main-nav form[action='/logout'] button"))
    page.wait_for_url("**/")
    assert "Hemmelig utkast" not in (page.evaluate("() => window.sessionStorage.getItem('yc-drafts')") or "")
    assert not problems, problems
