"""The events budget on a phone: propose, check, three members vote (one leaves a draft and is reminded), close,
outcome explained, confirm, record spending, public page — with an axe check on each page."""

from __future__ import annotations

import os
import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests import factories
from tests.budget.builders import make_event, make_year, move_to, submit

pytestmark = pytest.mark.browser


def _to_year(page, tap, year_id: int) -> None:
    """The menu's Budget, then the year."""
    tap(page, page.locator("nav.main-nav").get_by_role("link", name="Budsjett"))
    tap(page, page.locator(f"main a[href='/budget/years/{year_id}']"))


def _phase_button(page, tap, label: str) -> None:
    """Tap a phase button on the year's page, tick the confirmation that says what it does, and tap again."""
    tap(page, page.locator("#phase-buttons button", has_text=label))
    assert page.locator("h1").inner_text().endswith("?")
    page.check("input[name=confirm]")
    tap(page, page.locator("main form button", has_text=label))


def _home(page, tap) -> None:
    tap(page, page.locator("nav.main-nav").get_by_role("link", name="Hjem"))


def test_budget_round_on_a_phone(app, db, live_server, page, another_page, login, logout, tap, axe_check, confirm):
    from youthcouncil.budget.ballot import remind_unsubmitted
    from youthcouncil.budget.models import BudgetYear, Phase
    from youthcouncil.budget.services import utcnow

    world = factories.make_world()
    year = make_year(Phase.proposing, total=100_000, name="Budsjett 2027")
    make_event(year, 50_000, title="Skatedag")
    year_id = year.id
    mia, leo, third = world.users["member"].username, world.users["chair"].username, world.members[2].username
    third_name = world.members[2].first_name
    coordinator_name = world.users["coordinator"].username
    db.session.commit()
    db.session.remove()

    # A member proposes an event.
    login(page, mia)
    tap(page, page.locator(f"main a[href='/budget/years/{year_id}/propose']"))
    axe_check(page)
    page.fill("input[name=title]", "Kinokveld")
    page.fill("textarea[name=description]", "Film og popcorn for 5.–7. trinn.")
    page.fill("input[name=estimated_cost]", "55 000")
    page.select_option("select[name=month]", "11")
    tap(page, page.locator("form button.button-primary"))
    page.wait_for_url("**/budget/events/*")
    assert "Takk!" in page.inner_text("#flash")
    axe_check(page)

    # The coordinator closes proposing with the button (the dates stay the plan), then checks the proposal:
    # feasible, with another cost (the proposer sees why).
    coordinator = another_page()
    login(coordinator, coordinator_name)
    _to_year(coordinator, tap, year_id)
    _phase_button(coordinator, tap, "Steng forslag nå")
    assert "Forslagene er avsluttet" in coordinator.inner_text("#flash")
    _home(coordinator, tap)
    tap(coordinator, coordinator.locator("main a[href='/budget/']"))  # "1 event proposal waits for a check"
    tap(coordinator, coordinator.get_by_role("link", name="Kinokveld"))
    axe_check(coordinator)
    coordinator.check("input[name=verdict][value=adjusted]")
    coordinator.fill("input[name=approved_cost]", "60000")
    coordinator.fill("textarea[name=note]", "Leie av salen koster mer.")
    tap(coordinator, coordinator.locator("form button.button-primary"))
    coordinator.wait_for_url(f"**/budget/years/{year_id}")
    axe_check(coordinator)
    page.reload()  # the proposer looks again
    assert "Leie av salen koster mer." in page.inner_text("main")

    # The coordinator opens voting now; three members vote. The first one: ticking past the budget is refused on
    # the phone, then submits.
    _phase_button(coordinator, tap, "Åpne avstemningen nå")
    assert "Avstemningen er åpen til" in coordinator.inner_text("#flash")
    _home(page, tap)
    tap(page, page.locator(f"main a[href='/budget/years/{year_id}/vote']"))
    axe_check(page)
    boxes = page.locator("input[name=event]")
    boxes.nth(0).check()
    page.wait_for_selector("#ballot-status >> text=ikke sendt inn ennå")
    boxes.nth(1).click()
    assert not boxes.nth(1).is_checked()
    assert "du har kr" in page.inner_text("#budget-bar-message")
    assert page.inner_text("#budget-bar-label") == "kr\u00a050\u00a0000 av kr\u00a0100\u00a0000"
    tap(page, "Send inn stemmen min", full_load=True)  # the ballot form posts in full
    page.wait_for_selector("#receipt >> text=Stemmen din er registrert")
    axe_check(page)

    # The second (the chair) leaves a draft, is reminded, then submits.
    chair = another_page()
    login(chair, leo)
    tap(chair, chair.locator(f"main a[href='/budget/years/{year_id}/vote']"))
    chair.locator("input[name=event]").nth(1).check()
    chair.wait_for_selector("#ballot-status >> text=ikke sendt inn ennå")
    _home(chair, tap)
    assert "Budsjettstemmen din er ikke sendt inn ennå" in chair.inner_text("main")
    axe_check(chair)
    assert remind_unsubmitted(utcnow() + timedelta(hours=2)) == 1
    db.session.commit()
    db.session.remove()
    tap(chair, "Gå til stemmen min")
    chair.wait_for_url("**/vote")
    tap(chair, "Send inn stemmen min", full_load=True)  # the ballot form posts in full
    chair.wait_for_selector("#receipt >> text=Stemmen din er registrert")

    # The third votes without touching the draft step at all.
    member3 = another_page()
    login(member3, third)
    assert third_name
    tap(member3, member3.locator(f"main a[href='/budget/years/{year_id}/vote']"))
    member3.locator("input[name=event]").nth(1).check()
    tap(member3, "Send inn stemmen min", full_load=True)  # the ballot form posts in full
    member3.wait_for_selector("#receipt >> text=Stemmen din er registrert")

    # End voting now and count; the message says what got money, the outcome is explained.
    _to_year(coordinator, tap, year_id)
    _phase_button(coordinator, tap, "Avslutt avstemningen nå og tell")
    coordinator.wait_for_url("**/result")
    assert "Får penger: Kinokveld" in coordinator.inner_text("#flash")
    text = coordinator.inner_text("main")
    assert "Får penger" in text and "ikke nok penger igjen etter arrangementene over" in text
    assert "kr\u00a060\u00a0000 av kr\u00a0100\u00a0000 er brukt" in text  # Kinokveld: 2 votes
    axe_check(coordinator)

    # The chair confirms: grants are created.
    _home(chair, tap)
    tap(chair, "Bekreft resultatet av budsjettet")
    tap(chair, chair.locator("form button", has_text="Bekreft resultatet"))
    confirm(chair, "1 arrangement får tilskuddet sitt i regnskapet, kr\u00a060\u00a0000 i alt")
    chair.wait_for_url("**/ledger")
    axe_check(chair)

    # The coordinator records spending.
    _to_year(coordinator, tap, year_id)
    tap(coordinator, "Regnskap")
    tap(coordinator, coordinator.get_by_role("link", name="Før pengebruk").first)
    axe_check(coordinator)
    coordinator.fill("input[name=amount]", "12 000")
    coordinator.fill("input[name=spent_on]", "2027-05-10")
    coordinator.fill("input[name=what_for]", "Ramper og instruktør")
    tap(coordinator, coordinator.locator("form button.button-primary"))
    coordinator.wait_for_url("**/ledger")
    assert "Ramper og instruktør" in coordinator.inner_text("main")

    # The public page: budget, funded events, the chart, the CSV link; no login needed.
    logout(page)
    tap(page, page.locator("nav.main-nav").get_by_role("link", name="Pengebruk"))
    main = page.inner_text("main")
    assert "Kinokveld" in main and "kr\u00a012\u00a0000 av kr\u00a060\u00a0000" in main
    assert page.locator("svg.budget-chart-svg rect.spent").count() == 1
    axe_check(page)
    db.session.remove()
    assert db.session.get(BudgetYear, year_id).granted_total == 60_000


# --- Boosted arrival, no JavaScript, English, screenshots ------------------------------------------------------

SHOTS = Path(os.environ.get("YC_SCREENSHOTS", "/tmp/budget-screens"))


def _voting_year(db, *, total=100_000, costs=(("Kinokveld", 42_000), ("Skatedag", 50_000), ("Bading", 30_000))):
    from youthcouncil.budget.models import Phase

    world = factories.make_world()
    year = make_year(Phase.voting, total=total, name="Budsjett 2027")
    events = [
        make_event(year, cost, title=title, description="Noe gøy for 5.–7. trinn på fritidsklubben.")
        for title, cost in costs
    ]
    ids = (year.id, [e.id for e in events], world.users["member"].username, world.users["member"].id)
    db.session.commit()
    db.session.remove()
    return ids


def _until(page, expression: str, seconds: float = 5) -> None:
    """Poll a JavaScript expression (page.evaluate runs outside the page's CSP; wait_for_function would need eval)."""
    for _ in range(int(seconds * 10)):
        if page.evaluate(expression):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"never true: {expression}")


def _draft(db, year_id, user_id):
    from youthcouncil.accounts.models import User
    from youthcouncil.budget.ballot import draft_of
    from youthcouncil.budget.models import BudgetYear

    db.session.remove()
    draft = draft_of(db.session.get(BudgetYear, year_id), db.session.get(User, user_id))
    ids = sorted(draft.choices) if draft else None
    db.session.commit()
    db.session.remove()
    return ids


def test_arriving_by_a_boosted_link_still_gives_the_running_total_and_draft_saving(
    db, live_server, page, login, tap, assert_styled
):
    year_id, event_ids, username, user_id = _voting_year(db)
    login(page, username)  # lands on /home
    page.evaluate("window.ycSamePage = 'yes'")  # survives only if no full page load happens below
    _to_year(page, tap, year_id)
    tap(page, page.locator(f"a[href='/budget/years/{year_id}/vote']"))
    page.wait_for_url("**/vote")
    page.wait_for_selector("#ballot")
    assert page.evaluate("window.ycSamePage") == "yes", "the links were not boosted; this test proves nothing"
    assert_styled(page)
    # The sticky bar is styled (the one stylesheet is there, whatever page came first).
    assert page.eval_on_selector("#budget-bar", "el => getComputedStyle(el).position") == "sticky"
    boxes = page.locator("input[name=event]")
    boxes.nth(0).check()
    assert page.inner_text("#budget-bar-label") == "kr\u00a042\u00a0000 av kr\u00a0100\u00a0000"
    page.wait_for_selector("#ballot-status >> text=ikke sendt inn ennå")
    assert _draft(db, year_id, user_id) == [event_ids[0]]
    boxes.nth(1).click()  # 92 000: fits
    boxes.nth(2).click()  # 122 000: refused on the phone
    assert not boxes.nth(2).is_checked()
    # The refusal names the event and what is left, by the total, and the bar turns to the warning colours.
    assert page.inner_text("#budget-bar-message") == (
        "Bading koster kr\u00a030\u00a0000, du har kr\u00a08\u00a0000 igjen. Fjern et kryss først."
    )
    assert "is-over" in page.get_attribute("#budget-bar", "class")
    assert page.inner_text("#budget-bar-label") == "kr\u00a092\u00a0000 av kr\u00a0100\u00a0000"
    _until(page, "!document.querySelector('.htmx-request')")
    for _ in range(50):  # the htmx save of the second tick lands on the server
        if _draft(db, year_id, user_id) == sorted(event_ids[:2]):
            break
        page.wait_for_timeout(100)
    assert _draft(db, year_id, user_id) == sorted(event_ids[:2])


def test_english_running_total_in_the_browser(db, live_server, page, login, tap, assert_words_whole):
    year_id, event_ids, username, _ = _voting_year(db)
    page.context.add_cookies([{"name": "yc_lang", "value": "en", "url": live_server.url}])
    login(page, username)
    tap(page, page.locator(f"main a[href='/budget/years/{year_id}/vote']"))
    assert page.inner_text("#budget-bar-label") == "NOK\u00a00 of NOK\u00a0100,000"
    page.locator("input[name=event]").nth(0).check()
    assert page.inner_text("#budget-bar-label") == "NOK\u00a042,000 of NOK\u00a0100,000"
    page.wait_for_selector("#ballot-status >> text=not submitted yet")
    page.locator("input[name=event]").nth(1).check()
    page.locator("input[name=event]").nth(2).click()
    assert page.inner_text("#budget-bar-message") == (
        "Bading costs NOK\u00a030,000, you have NOK\u00a08,000 left. Untick something first."
    )
    assert page.inner_text("#budget-bar-left") == "NOK\u00a08,000 left"
    page.set_viewport_size({"width": 320, "height": 640})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert_words_whole(page)  # "Save" and "Submit my vote" stay whole
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "7-vote-english-320.png"))


def test_without_javascript_save_and_submit_work(_browser, db, live_server):
    from youthcouncil.accounts.models import User
    from youthcouncil.budget.ballot import count_voters, submitted_choices_of
    from youthcouncil.budget.models import BudgetYear

    year_id, event_ids, username, user_id = _voting_year(db)
    context = _browser.new_context(
        viewport={"width": 360, "height": 740}, java_script_enabled=False, base_url=live_server.url, locale="nb-NO"
    )
    try:
        page = context.new_page()
        page.goto("/login")
        page.fill("input[name=username]", username)
        page.fill("input[name=passphrase]", factories.PASSPHRASE)
        page.click("form[action='/login'] button")
        page.wait_for_url("**/home")
        page.click(f"main a[href='/budget/years/{year_id}/vote']")  # without JavaScript: a full page load
        page.wait_for_url("**/vote")
        boxes = page.locator("input[name=event]")
        boxes.nth(0).check()
        boxes.nth(2).check()
        page.click("button:has-text('Lagre')")
        page.wait_for_url("**/vote")
        assert "ikke sendt inn ennå" in page.inner_text("#ballot-status")
        assert page.inner_text("#budget-bar-label") == "kr\u00a072\u00a0000 av kr\u00a0100\u00a0000"
        assert _draft(db, year_id, user_id) == [event_ids[0], event_ids[2]]
        # Over the budget without the script: the server says no by the total, naming the event that does not fit,
        # the bar turns to the warning colours, and the ticks are kept.
        page.locator("input[name=event]").nth(1).check()
        page.click("button:has-text('Send inn stemmen min')")
        assert page.inner_text("#budget-bar-message") == (
            "Bading koster kr\u00a030\u00a0000, du har kr\u00a08\u00a0000 igjen. Fjern et kryss først."
        )
        assert "is-over" in page.get_attribute("#budget-bar", "class")
        warning_wash = "rgb(253, 236, 238)"
        assert page.eval_on_selector("#budget-bar", "el => getComputedStyle(el).backgroundColor") == warning_wash
        assert "Fjern et kryss" not in page.inner_text("#ballot-status")
        assert page.locator("input[name=event]:checked").count() == 3
        assert _draft(db, year_id, user_id) == [event_ids[0], event_ids[2]]
        page.locator("input[name=event]").nth(1).uncheck()
        page.click("button:has-text('Send inn stemmen min')")
        page.wait_for_url("**/vote")
        # The receipt first, with the time and the chosen events; the ballot is folded away under "Endre".
        receipt = page.inner_text("#receipt")
        assert re.search(r"Stemmen din er registrert kl\. \d\d:\d\d\.", receipt)
        assert "Kinokveld" in receipt and "Bading" in receipt and "Skatedag" not in receipt
        assert not page.locator("#budget-bar").is_visible()
        page.click(".change-vote summary")
        assert page.locator("#budget-bar").is_visible()
        db.session.remove()
        year = db.session.get(BudgetYear, year_id)
        assert count_voters(year) == 1
        assert submitted_choices_of(year, db.session.get(User, user_id)) == [event_ids[0], event_ids[2]]
        db.session.commit()
        db.session.remove()
    finally:
        context.close()


def test_screenshots_of_the_phone_pages(db, live_server, page, login, logout, tap, axe_check, assert_words_whole):
    """Screenshots for a human to look at (written to $YC_SCREENSHOTS or /tmp/budget-screens)."""
    from youthcouncil.budget.ledger import record_spending
    from youthcouncil.budget.models import BudgetYear, Phase
    from youthcouncil.budget.outcome import close_voting, confirm_outcome

    SHOTS.mkdir(parents=True, exist_ok=True)
    world = factories.make_world()
    year = make_year(Phase.voting, total=100_000, name="Budsjett 2027")
    titles = (
        ("Kinokveld med popcorn", 42_000),
        ("Skatedag i parken", 50_000),
        ("Badedag", 30_000),
        ("Gaming-turnering for alle skolene i kommunen", 8_000),
    )
    events = [make_event(year, cost, title=t, description="Noe gøy for 5.–7. trinn.") for t, cost in titles]
    for voter, picks in zip(world.members, ([0, 3], [0, 2, 3], [1, 3], [0, 1]), strict=True):
        submit(year, voter, [events[i].id for i in picks])
    year_id, username = year.id, world.users["member"].username
    coordinator, chair = world.users["coordinator"].username, world.users["chair"].username
    db.session.commit()
    db.session.remove()

    login(page, username)
    tap(page, page.locator(f"main a[href='/budget/years/{year_id}/vote']"))
    page.locator(".change-vote summary").click()  # a submitted vote: the receipt first, changing it second
    page.locator("input[name=event]").nth(1).uncheck()  # the member's ballot had 0, 3; shows 42 000 + 8 000
    page.locator("input[name=event]").nth(3).uncheck()
    page.wait_for_selector("#ballot-status >> text=ikke sendt inn ennå")
    assert page.inner_text("#budget-bar-label") == "kr\u00a042\u00a0000 av kr\u00a0100\u00a0000"
    page.screenshot(path=str(SHOTS / "1-vote.png"))
    bar = page.locator("#budget-bar").bounding_box()
    assert bar["y"] + bar["height"] <= 740 + 1, "the running total is not in view at the bottom of the screen"
    page.locator("input[name=event]").nth(1).click()
    page.locator("input[name=event]").nth(2).click()
    page.screenshot(path=str(SHOTS / "2-vote-over-budget.png"))
    axe_check(page)

    db.session.remove()
    y = db.session.get(BudgetYear, year_id)
    move_to(y, Phase.voting_ended)
    close_voting(y)
    confirm_outcome(y, by=world.chair)
    grant = max(y.grants, key=lambda g: g.amount)
    record_spending(grant, amount=12_500, spent_on=date(2027, 5, 10), what_for="Leie av sal", by=world.coordinator)
    db.session.commit()
    db.session.remove()
    assert chair

    _to_year(page, tap, year_id)
    tap(page, "Se resultatet")
    page.screenshot(path=str(SHOTS / "3-result.png"), full_page=True)
    axe_check(page)
    logout(page)
    login(page, coordinator)
    _to_year(page, tap, year_id)
    tap(page, "Regnskap")
    page.screenshot(path=str(SHOTS / "4-ledger.png"), full_page=True)
    axe_check(page)
    logout(page)
    tap(page, page.locator("nav.main-nav").get_by_role("link", name="Pengebruk"))
    page.screenshot(path=str(SHOTS / "5-spending.png"), full_page=True)
    axe_check(page)
    # Nothing wider than the phone, even a small one (320 px), and no word broken where it fits.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.set_viewport_size({"width": 320, "height": 640})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert_words_whole(page)
    tap(page, "Slik ble arrangementene valgt")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert_words_whole(page)
    page.screenshot(path=str(SHOTS / "6-result-320.png"))
    login(page, coordinator)
    _to_year(page, tap, year_id)
    tap(page, "Regnskap")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert_words_whole(page)
