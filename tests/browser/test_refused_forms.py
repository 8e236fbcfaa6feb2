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
