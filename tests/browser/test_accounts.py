"""A member on a phone: log in, see the home page, switch language, log out — and every page passes axe."""

import pytest

from tests.factories import PASSPHRASE

pytestmark = pytest.mark.browser


def test_member_logs_in_switches_language_and_logs_out(page, world, login, tap, back, axe_check, assert_styled):
    page.goto("/")
    assert page.locator("h1").inner_text().startswith("Ungdomsrådet")
    assert page.locator("html").get_attribute("lang") == "nb"
    assert_styled(page)
    axe_check(page)

    tap(page, page.locator("nav.main-nav").get_by_role("link", name="Logg inn"))
    assert_styled(page)
    axe_check(page)
    login(page, "mia")
    assert page.locator("h1").inner_text() == "Hei, Mia!"
    assert "Du er medlem av ungdomsrådet." in page.locator("main").inner_text()
    axe_check(page)

    # The language switch loads the page in full, so that <html lang> changes too (a boosted swap keeps it).
    tap(page, "English", full_load=True)
    page.wait_for_selector("text=Hi, Mia!")
    assert page.locator("html").get_attribute("lang") == "en"
    # The choice sticks on the next page.
    tap(page, "Change passphrase")
    assert page.locator("h1").inner_text() == "Change passphrase"
    assert page.locator("html").get_attribute("lang") == "en"
    axe_check(page)

    tap(page, "Log out")
    page.wait_for_selector("text=You are logged out")
    assert page.get_by_role("link", name="Log in").first.is_visible()
    # The back button brings no personal page back: the server sends the login page instead.
    back(page)
    assert page.locator("form[action='/login']").is_visible()
    assert "Change passphrase" not in page.locator("h1").inner_text()


def test_wrong_passphrase_shows_a_message_next_to_the_field(page, world, axe_check):
    page.goto("/login")
    page.fill("input[name=username]", "mia")
    page.fill("input[name=passphrase]", "not the passphrase")
    page.click("form[action='/login'] button")
    error = page.locator("#passphrase-error")
    error.wait_for()
    assert "feil" in error.inner_text()
    assert page.input_value("input[name=username]") == "mia"
    axe_check(page)


def test_new_member_activates_with_a_code(page, db, world, axe_check):
    from tests.factories import make_member
    from youthcouncil.accounts.services import issue_activation_code

    newcomer = make_member(world.term, world.schools[0], first_name="Ola", username="ola", activated=False)
    issued = issue_activation_code(newcomer)
    db.session.commit()

    page.goto(f"/activate?code={issued.code}")
    assert page.input_value("input[name=code]") == issued.code
    axe_check(page)
    page.fill("input[name=passphrase]", "tre ord jeg liker")
    page.fill("input[name=confirm]", "tre ord jeg liker")
    page.click("form[action='/activate'] button")
    page.wait_for_url("**/home")
    assert page.locator("h1").inner_text() == "Hei, Ola!"


def test_no_horizontal_scroll_nor_broken_words_at_320_px(page, world, login, tap, assert_fits, assert_words_whole):
    page.set_viewport_size({"width": 320, "height": 640})
    login(page, "mia")
    for link in ("Bytt passord", "Ungdomsrådet", "Hjem"):
        tap(page, page.get_by_role("link", name=link, exact=True).first)
        assert_fits(page)
        assert_words_whole(page)


def test_pages_work_without_javascript(_browser, live_server, world):
    context = _browser.new_context(
        java_script_enabled=False, base_url=live_server.url, viewport={"width": 360, "height": 740}
    )
    try:
        page = context.new_page()
        page.goto("/login")
        page.fill("input[name=username]", "mia")
        page.fill("input[name=passphrase]", PASSPHRASE)
        page.click("form[action='/login'] button")
        page.wait_for_url("**/home")
        assert page.locator("h1").inner_text() == "Hei, Mia!"
    finally:
        context.close()
