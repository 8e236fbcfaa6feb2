"""A member walks one page of every domain by tapping, on a 360 px and a 320 px phone.

On every page: our stylesheet is applied, the page's own behaviour works, no word is broken where it fits, nothing
scrolls sideways, and the console stays clean (the ``page`` fixture). A cold member page costs at most 5 requests;
after it, each tap costs exactly one: the page itself, because the one stylesheet and the scripts are cached.
"""

from __future__ import annotations

import re

import pytest

from tests.budget.builders import make_event, make_year
from tests.consultations.builders import make_opened
from tests.motions.builders import make_motion
from tests.safety_week import builders as sw

pytestmark = pytest.mark.browser

BRAND = "rgb(11, 92, 173)"
#: What a cold page may cost: the page, our stylesheet, htmx, our script, the icon.
COLD = re.compile(r"GET /assets/(app\.[0-9a-f]{12}\.(css|js)|htmx\.[0-9a-f]{12}\.js|favicon\.[0-9a-f]{12}\.svg)$")


def _style(page, selector: str, prop: str) -> str:
    return page.locator(selector).first.evaluate(f"el => getComputedStyle(el).{prop}")


@pytest.fixture
def town(db, world):
    """Something open in every domain, with the long Norwegian words that used to break."""
    from youthcouncil.budget.models import Phase
    from youthcouncil.i18n import N_
    from youthcouncil.notifications.services import notify

    round_, themes = sw.voting_round(world, titles=("Trygg på nett", "Trygg på bussen til «ungdomsklubben»"))
    year = make_year(Phase.voting, total=100_000, name="Arrangementsbudsjett 2027")
    make_event(year, 42_000, title="Sommeravslutning på stranda", description="Grilling og bading.")
    make_event(year, 30_000, title="Klatrekurs")
    motion = make_motion(world, title="Skal vi ha disko i høstferien?")
    consultation = make_opened(world, title="Bussruter til ungdomsklubben")
    notify([world.users["member"]], kind="test", message=N_("Hi, %(name)s!"), params={"name": "Mia"}, link="/home")
    ids = {"round": round_.id, "year": year.id, "motion": motion.id, "consultation": consultation.id}
    db.session.commit()
    return ids


@pytest.mark.parametrize("width", [360, 320])
def test_a_member_taps_through_every_domain(
    width, page, another_page, town, login, logout, tap, server_requests, assert_styled, assert_words_whole, assert_fits
):
    page.set_viewport_size({"width": width, "height": 740})

    def check(page) -> None:
        assert_styled(page)
        assert_words_whole(page)
        assert_fits(page)

    def visit(target, path: str) -> None:
        """Tap a link: exactly one request, for the page itself."""
        server_requests.clear()
        tap(page, target)
        assert page.url.endswith(path)
        assert server_requests() == [f"GET {path}"], f"tapping to {path} cost {server_requests()}"
        check(page)

    def menu(name: str):
        return page.locator("nav.main-nav").get_by_role("link", name=name, exact=True)

    # A cold first page: the page and the one bundle.
    server_requests.clear()
    page.goto("/login")
    cold = server_requests()
    assert cold[0] == "GET /login" and all(COLD.match(r) for r in cold[1:]) and len(cold) <= 5, cold
    check(page)
    login(page, "mia")
    check(page)

    # The same member on another phone with an empty cache: a member page costs at most 5 requests.
    fresh = another_page(storage_state=page.context.storage_state())
    fresh.set_viewport_size({"width": width, "height": 740})
    server_requests.clear()
    fresh.goto("/home")
    cold = server_requests()
    assert cold[0] == "GET /home" and all(COLD.match(r) for r in cold[1:]) and len(cold) <= 5, cold
    assert_styled(fresh)
    fresh.context.close()

    # Safety week: the ballot ranks by tapping.
    visit(menu("Trygghetsuka"), "/safety-week/")
    visit(page.locator(f"main a[href='/safety-week/rounds/{town['round']}']"), f"/safety-week/rounds/{town['round']}")
    visit(
        page.locator(f"main a[href='/safety-week/rounds/{town['round']}/vote']"),
        f"/safety-week/rounds/{town['round']}/vote",
    )
    assert not page.locator(".sw-rank-select").first.is_visible()  # the selects give way to tapping
    theme = page.locator("button.sw-tap", has_text="ungdomsklubben")
    theme.click()
    assert theme.get_attribute("aria-pressed") == "true"
    assert theme.locator(".sw-place").inner_text().startswith("1")
    assert _style(page, "button.sw-tap[aria-pressed=true]", "borderColor") == BRAND
    assert_words_whole(page)

    # Budget: ticking an event updates the running total in the sticky bar.
    visit(menu("Budsjett"), "/budget/")
    visit(page.locator(f"main a[href='/budget/years/{town['year']}']"), f"/budget/years/{town['year']}")
    visit(page.locator(f"main a[href='/budget/years/{town['year']}/vote']"), f"/budget/years/{town['year']}/vote")
    assert _style(page, "#budget-bar", "position") == "sticky"
    assert page.inner_text("#budget-bar-label") == "kr\u00a00 av kr\u00a0100\u00a0000"
    page.get_by_label("Sommeravslutning på stranda").check()
    assert page.inner_text("#budget-bar-label") == "kr\u00a042\u00a0000 av kr\u00a0100\u00a0000"
    page.wait_for_selector("#ballot-status >> text=ikke sendt inn ennå")  # saved as a draft by htmx
    assert_words_whole(page)

    # Motions: the chosen button looks chosen.
    visit(menu("Hjem"), "/home")
    visit(page.get_by_role("link", name="Rådet stemmer: Skal vi ha disko i høstferien?"), f"/motions/{town['motion']}")
    assert _style(page, ".motion-choice", "minHeight") == "56px"
    tap(page, page.get_by_role("button", name="Ja", exact=True))
    page.wait_for_selector("text=Du stemte ja.")
    assert _style(page, ".motion-choice[aria-pressed=true]", "backgroundColor") == BRAND
    check(page)

    # Consultations: the request's steps are styled as steps, not a numbered list.
    visit(menu("Høringer"), "/consultations/")
    visit(page.get_by_role("link", name="Bussruter til ungdomsklubben"), f"/consultations/{town['consultation']}")
    assert _style(page, ".cs-steps", "listStyleType") == "none"
    assert _style(page, ".cs-step", "borderRadius") == "999px"

    # Membership: the roster is cards without bullets. Notifications: the list of messages.
    visit(menu("Medlemmer"), "/membership/roster")
    assert _style(page, ".roster", "listStyleType") == "none"
    visit(menu("Meldinger"), "/notifications")
    assert page.get_by_role("link", name="Hei, Mia!").is_visible()

    # The public pages, from the footer.
    footer = page.locator("footer")
    visit(footer.get_by_role("link", name="Ungdomsrådet"), "/council")
    visit(footer.get_by_role("link", name="Temaresultater"), "/safety-week/results")
    visit(footer.get_by_role("link", name="Høringssvar"), "/consultations/archive")
    visit(footer.get_by_role("link", name="Pengebruk"), "/budget/spending")
    logout(page)

    # The clerk's request form: the character count and the readability hint follow the typing.
    login(page, "kari")
    visit(page.get_by_role("link", name="Send en ny høring").first, "/consultations/new")
    hint = page.locator("#lix-hint")
    assert "vises her" in hint.inner_text()
    page.fill("textarea[name=summary]", "Kommunen vil endre bussrutene. Når trenger dere buss?")
    page.locator("#lix-hint .notice").wait_for()
    assert "LIX" in hint.inner_text()
    assert page.locator("[data-count-for=summary]").inner_text() == "53"
    check(page)


#: A 740 px first screen: the header may take 15% of it on a member page (it took 25% in three rows), and the
#: header with the budget's sticky total 30%, so that the task always has at least 70%.
SCREEN = 740
HEADER_SHARE = 0.15
CHROME_SHARE = 0.30


@pytest.mark.parametrize("width", [360, 320])
def test_each_member_job_by_tapping(
    width,
    page,
    db,
    world,
    town,
    login,
    logout,
    tap,
    confirm,
    axe_check,
    assert_styled,
    assert_words_whole,
    assert_fits,
):
    """Every member job, by tapping from the home page, on every page: our stylesheet, no axe violation, no word
    split where it fits, nothing sideways, a header that leaves the task the screen (and a clean console)."""
    from youthcouncil.budget.models import BudgetYear
    from youthcouncil.consultations import services as consultations
    from youthcouncil.consultations.models import Consultation

    make_event(db.session.get(BudgetYear, town["year"]), 40_000, title="Minigolf for alle")
    first = consultations.add_comment(
        db.session.get(Consultation, town["consultation"]), world.users["chair"], "Bussen må gå etter klokka 22."
    )
    comment_id = first.id
    db.session.commit()
    page.set_viewport_size({"width": width, "height": 740})

    def check(*, header: bool = True) -> None:
        assert_styled(page)
        assert_words_whole(page)
        assert_fits(page)
        axe_check(page)
        assert not small_standalone_links(), f"small link targets on {page.url}: {small_standalone_links()}"
        if header:
            assert header_height() <= SCREEN * HEADER_SHARE, f"the header takes {header_height()} px on {page.url}"

    def small_standalone_links() -> list[str]:
        """Links alone in their paragraph ("Tilbake til runden") lower than a 44 px target."""
        return page.evaluate(
            """[...document.querySelectorAll("main p")]
                .filter(p => p.children.length === 1 && p.children[0].tagName === "A"
                             && p.textContent.trim() === p.children[0].textContent.trim())
                .map(p => p.children[0])
                .filter(a => a.getBoundingClientRect().height > 0 && a.getBoundingClientRect().height < 44)
                .map(a => a.textContent.trim())"""
        )

    def header_height() -> float:
        return page.evaluate("document.querySelector('.site-header').getBoundingClientRect().height")

    def receipt_has_focus() -> None:
        page.wait_for_selector("#receipt")
        assert page.evaluate("document.activeElement.id") == "receipt"
        assert page.get_attribute("#receipt", "role") == "status"
        assert re.search(r"registrert kl\. \d\d:\d\d\.", page.inner_text("#receipt"))

    login(page, "mia")
    check()

    # Safety week: from the home panel to the ballot; rank by tapping, send, see the receipt; change the vote.
    tap(page, page.locator(f"main a[href='/safety-week/rounds/{town['round']}/vote']"))
    check()
    page.locator("button.sw-tap", has_text="Trygg på nett").click()
    tap(page, page.locator("button.sw-submit"), full_load=True)
    receipt_has_focus()
    assert "Trygg på nett" in page.inner_text("#receipt .receipt-choices")
    check()
    page.locator(".change-vote summary").click()
    page.click("button[data-sw=clear]")
    page.locator("button.sw-tap", has_text="ungdomsklubben").click()
    page.locator("button.sw-tap", has_text="Trygg på nett").click()
    tap(page, page.locator("button.sw-submit"), full_load=True)
    receipt_has_focus()
    # The receipt and the ballot show the chosen order, 1st choice first.
    assert page.locator("#receipt .receipt-choices li").all_inner_texts()[0].endswith("«ungdomsklubben»")
    assert "ungdomsklubben" in page.locator("li.sw-theme").first.text_content()  # folded away, in order
    check()

    # Budget: from the menu to the ballot; a tick that does not fit is named by the total; send; the receipt.
    tap(page, page.locator("nav.main-nav").get_by_role("link", name="Budsjett", exact=True))
    tap(page, page.locator(f"main a[href='/budget/years/{town['year']}']"))
    check()
    tap(page, page.locator(f"main a[href='/budget/years/{town['year']}/vote']"))
    check()
    bar = page.locator("#budget-bar").bounding_box()
    assert bar["y"] + bar["height"] <= SCREEN + 1  # the running total is in view, at the bottom
    assert header_height() + bar["height"] <= SCREEN * CHROME_SHARE, f"header and total take {bar['height']} px more"
    page.get_by_label("Sommeravslutning på stranda").check()
    page.get_by_label("Klatrekurs").check()
    page.get_by_label("Minigolf for alle").click()
    assert page.inner_text("#budget-bar-message").startswith("Minigolf for alle koster kr")
    assert "du har kr\u00a028\u00a0000 igjen" in page.inner_text("#budget-bar-message")
    page.wait_for_selector("#ballot-status >> text=ikke sendt inn ennå")
    tap(page, page.get_by_role("button", name="Send inn stemmen min"), full_load=True)
    receipt_has_focus()
    assert "Klatrekurs" in page.inner_text("#receipt")
    check()

    # Consultation: comment, and support another member's comment.
    tap(page, page.locator("nav.main-nav").get_by_role("link", name="Høringer", exact=True))
    tap(page, page.get_by_role("link", name="Bussruter til ungdomsklubben"))
    check()
    page.fill("textarea[name=body]", "Og bussen må stoppe ved alle skolene.")
    tap(page, "Legg ut kommentaren")
    page.wait_for_selector("text=Og bussen må stoppe ved alle skolene.")
    check()
    support = page.locator(f"form[action='/consultations/comments/{comment_id}/support'] button")
    tap(page, support)
    page.wait_for_selector("text=1 støtter dette")
    check()

    # Motion: from the home page, vote yes; the receipt first.
    tap(page, page.locator("nav.main-nav").get_by_role("link", name="Hjem", exact=True))
    tap(page, page.get_by_role("link", name="Rådet stemmer: Skal vi ha disko i høstferien?"))
    check()
    tap(page, page.get_by_role("button", name="Ja", exact=True))
    receipt_has_focus()
    assert "Du stemte ja." in page.inner_text("#receipt")
    check()
    logout(page)

    # The chair closes the vote: a confirmation page says what will happen; only the tick closes it.
    login(page, "leo")
    tap(page, page.get_by_role("link", name="Rådet stemmer: Skal vi ha disko i høstferien?"))
    check()
    tap(page, page.get_by_role("button", name="Avslutt avstemningen og tell"))
    page.locator("#confirm-title").wait_for()
    assert page.evaluate("document.activeElement.id") == "confirm-title"
    check()
    confirm(page, "1 av 4 medlemmer har stemt. Ingen kan stemme etter dette.", "minst 2 må være med")
    page.wait_for_selector(".motion-outcome")
    assert "Ikke vedtatt" in page.inner_text(".motion-outcome")
    assert not page.locator(".flash-success").count()  # "not adopted" is not shown as a success
    check()
