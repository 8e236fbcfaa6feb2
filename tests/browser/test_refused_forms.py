"""A form sent back to be fixed, on a phone: the address bar keeps the page, so pulling down to reload works."""

from __future__ import annotations

import pytest

from tests.consultations.builders import make_opened

pytestmark = pytest.mark.browser


def test_a_refused_comment_keeps_the_pages_address_and_a_reload_shows_the_page(page, db, world, login, tap):
    consultation = make_opened(world, title="Bussruter til ungdomsklubben")
    url = f"/consultations/{consultation.id}"
    db.session.commit()
    login(page, "mia")
    tap(page, page.locator("nav.main-nav").get_by_role("link", name="Høringer", exact=True))
    tap(page, page.get_by_role("link", name="Bussruter til ungdomsklubben"))
    page.fill("textarea[name=body]", "   ")
    tap(page, "Legg ut kommentaren")
    assert page.inner_text("#body-error") == "Skriv noe først."
    assert page.url.endswith(url)  # not the address the form was sent to
    response = page.reload()
    assert response.status == 200 and page.locator("textarea[name=body]").count() == 1


def test_a_refused_comment_at_the_bottom_of_a_long_page_shows_its_message(page, db, world, login, tap):
    """htmx scrolled to the top after the swap, five screens above the message; focus was on the page."""
    consultation = make_opened(world, title="Bussruter til ungdomsklubben", case_text="Lang tekst. " * 400)
    db.session.commit()
    login(page, "mia")
    tap(page, page.locator("nav.main-nav").get_by_role("link", name="Høringer", exact=True))
    tap(page, page.get_by_role("link", name="Bussruter til ungdomsklubben"))
    page.fill("textarea[name=body]", "   ")
    tap(page, "Legg ut kommentaren")
    message = page.locator("#body-error")
    box = message.bounding_box()
    assert box["y"] > 0 and box["y"] + box["height"] < page.viewport_size["height"], f"the message is at {box}"
    # Focus on the form's summary of what to fix, just above the field (a screen reader reads it out).
    assert page.evaluate("document.activeElement.matches('.form-summary[role=alert]')")
    assert page.evaluate("document.activeElement.closest('form').action").endswith(
        f"/consultations/{consultation.id}/comments"
    )
