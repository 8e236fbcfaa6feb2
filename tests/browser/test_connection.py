"""A member on a phone whose connection drops: a tap that could not reach the server says so, and keeps the typing.

htmx sends nothing and swaps nothing when the network is gone, so without a word the tap looked as if it did nothing.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import _watch
from tests.consultations.builders import make_opened

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
    browser_context.set_offline(False)

    ours = [p for p in problems if not any(noise in p for noise in OFFLINE_NOISE)]
    assert not ours, ours
