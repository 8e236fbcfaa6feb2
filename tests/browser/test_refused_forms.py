"""A form sent back to be fixed through htmx, on a phone: its message is in view, and the address bar keeps the page."""

from __future__ import annotations

import pytest

from tests.consultations.builders import make_opened

pytestmark = pytest.mark.browser


def test_a_refused_comment_at_the_bottom_of_a_long_page_shows_its_message_and_keeps_the_address(
    page, db, world, login, tap
):
    """htmx scrolled to the top after the swap, five screens above the message, with focus on the page; and it
    showed the address the form was sent to, so pulling down to reload answered "That did not work" (405)."""
    consultation = make_opened(world, title="Bussruter til ungdomsklubben", case_text="Lang tekst. " * 400)
    url = f"/consultations/{consultation.id}"
    db.session.commit()
    login(page, "mia")
    tap(page, page.locator("nav.main-nav").get_by_role("link", name="Høringer", exact=True))
    tap(page, page.get_by_role("link", name="Bussruter til ungdomsklubben"))
    page.fill("textarea[name=body]", "   ")
    tap(page, "Legg ut kommentaren")
    message = page.locator("#body-error")
    assert message.inner_text() == "Skriv noe først."
    box = message.bounding_box()
    assert box["y"] > 0 and box["y"] + box["height"] < page.viewport_size["height"], f"the message is at {box}"
    # Focus on the form's summary of what to fix, just above the field (a screen reader reads it out).
    assert page.evaluate("document.activeElement.matches('.form-summary[role=alert]')")
    assert page.evaluate("document.activeElement.closest('form').action").endswith(f"{url}/comments")
    assert page.url.endswith(url)  # not the address the form was sent to
    response = page.reload()
    assert response.status == 200 and page.locator("textarea[name=body]").count() == 1
