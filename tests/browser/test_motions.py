"""A motion on a phone: a member votes with a big button and changes it, the chair enters a hand count with a
mistake, fixes it, and everybody sees the result in plain words. axe-core finds nothing on each page."""

import pytest

from tests.motions.builders import make_motion

pytestmark = pytest.mark.browser


def test_member_votes_and_chair_enters_a_hand_count(page, db, world, login, logout, axe_check):
    motion_id = make_motion(world, title="Skal vi ha disko i høstferien?").id
    db.session.commit()  # and touch no ORM object after this: a read would hold SQLite's lock against the server

    login(page, "mia")
    assert "Rådet stemmer: Skal vi ha disko i høstferien?" in page.locator("main").inner_text()
    axe_check(page)
    page.get_by_role("link", name="Rådet stemmer: Skal vi ha disko i høstferien?").click()
    page.wait_for_url(f"**/motions/{motion_id}")
    axe_check(page)
    yes = page.get_by_role("button", name="Ja", exact=True)
    box = yes.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44
    yes.click()
    page.wait_for_selector("text=Du stemte ja.")
    page.get_by_role("button", name="Nei", exact=True).click()
    page.wait_for_selector("text=Du stemte nei.")
    axe_check(page)
    logout(page)

    login(page, "leo")
    page.goto(f"/motions/{motion_id}")
    page.get_by_role("link", name="Skriv inn håndopptelling fra et møte").click()
    page.wait_for_url("**/hand-count")
    axe_check(page)
    page.fill("input[name=yes]", "3")
    page.fill("input[name=no]", "1")
    page.fill("input[name=abstain]", "0")
    page.fill("input[name=present]", "2")
    page.get_by_role("button", name="Lagre tellingen og avslutt avstemningen").click()
    page.locator("#present-error").wait_for()
    assert page.input_value("input[name=yes]") == "3"
    axe_check(page)
    page.fill("input[name=present]", "4")
    page.get_by_role("button", name="Lagre tellingen og avslutt avstemningen").click()
    page.wait_for_selector("text=Vedtatt: flere stemte ja enn nei.")
    axe_check(page)
