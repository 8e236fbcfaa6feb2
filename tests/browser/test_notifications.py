"""Messages on a phone: the member sees a new message on the home page, reads it and marks all as read."""

import pytest

from youthcouncil.i18n import N_

pytestmark = pytest.mark.browser


def test_member_reads_messages(page, db, world, login, axe_check):
    from youthcouncil.notifications.services import notify

    notify([world.users["member"]], kind="test", message=N_("Hi, %(name)s!"), params={"name": "Mia"}, link="/home")
    db.session.commit()

    login(page, "mia")
    assert "Du har 1 ny melding." in page.locator("main").inner_text()
    axe_check(page)
    page.get_by_role("link", name="Les meldingene dine").click()
    page.wait_for_url("**/notifications")
    assert page.get_by_role("link", name="Hei, Mia!").is_visible()
    axe_check(page)
    page.get_by_role("button", name="Merk alle som lest").click()
    page.wait_for_selector("text=Alle meldinger er merket som lest.")
    assert page.get_by_role("button", name="Merk alle som lest").count() == 0
    axe_check(page)
