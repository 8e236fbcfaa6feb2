"""A motion on a phone: a member votes with a big button and changes it, the chair enters a hand count with a
mistake, fixes it, and everybody sees the result in plain words. axe-core finds nothing on each page."""

import pytest

from tests.motions.builders import make_motion

pytestmark = pytest.mark.browser


CHOSEN = "rgb(11, 92, 173)"  # --brand: the chosen button is filled


def _background(page, name: str) -> str:
    button = page.get_by_role("button", name=name, exact=True)
    return button.evaluate("el => getComputedStyle(el).backgroundColor")


def test_member_votes_and_chair_enters_a_hand_count(
    page, db, world, login, logout, tap, confirm, axe_check, assert_styled
):
    motion_id = make_motion(world, title="Skal vi ha disko i høstferien?").id
    db.session.commit()  # and touch no ORM object after this: a read would hold SQLite's lock against the server

    login(page, "mia")
    assert "Rådet stemmer: Skal vi ha disko i høstferien?" in page.locator("main").inner_text()
    axe_check(page)
    tap(page, "Rådet stemmer: Skal vi ha disko i høstferien?")
    page.wait_for_url(f"**/motions/{motion_id}")
    assert_styled(page)
    axe_check(page)
    yes = page.get_by_role("button", name="Ja", exact=True)
    box = yes.bounding_box()
    assert box["height"] >= 56 and box["width"] >= 200  # motions' own CSS: big, full-width buttons on a phone
    assert _background(page, "Ja") != CHOSEN
    tap(page, yes)
    page.wait_for_selector("text=Du stemte ja.")
    # The receipt first, with the focus (read out); changing the vote is a second step.
    assert page.evaluate("document.activeElement.id") == "receipt"
    assert "registrert kl." in page.inner_text("#receipt")
    page.locator(".change-vote summary").click()
    # What the member chose is what looks chosen (and says so to a screen reader).
    chosen = page.locator(".motion-choice[aria-pressed=true]")
    assert chosen.inner_text().endswith("Ja")
    assert chosen.evaluate("el => getComputedStyle(el).backgroundColor") == CHOSEN
    tap(page, page.get_by_role("button", name="Nei", exact=True))
    page.wait_for_selector("text=Du stemte nei.")
    page.locator(".change-vote summary").click()
    assert chosen.inner_text().endswith("Nei")
    assert chosen.evaluate("el => getComputedStyle(el).backgroundColor") == CHOSEN
    assert _background(page, "Ja") != CHOSEN
    axe_check(page)
    logout(page)

    login(page, "leo")
    tap(page, "Rådet stemmer: Skal vi ha disko i høstferien?")
    tap(page, "Skriv inn håndopptelling fra et møte")
    page.wait_for_url("**/hand-count")
    axe_check(page)
    page.fill("input[name=yes]", "3")
    page.fill("input[name=no]", "1")
    page.fill("input[name=abstain]", "0")
    page.fill("input[name=present]", "2")
    tap(page, "Lagre tellingen og avslutt avstemningen")  # a 422 answer, swapped in without a console error
    page.locator("#present-error").wait_for()
    assert page.input_value("input[name=yes]") == "3"
    axe_check(page)
    page.fill("input[name=present]", "4")
    tap(page, "Lagre tellingen og avslutt avstemningen")
    confirm(page, "Ja 3, nei 1, avstår 0, 4 av")
    page.wait_for_selector("text=Vedtatt: flere stemte ja enn nei.")
    axe_check(page)
