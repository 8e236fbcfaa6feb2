"""The events budget on a phone: propose, check, three members vote (one leaves a draft and is reminded), close,
outcome explained, confirm, record spending, public page — with an axe check on each page."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests import factories
from tests.budget.builders import make_event, make_year, move_to

pytestmark = pytest.mark.browser


def _shift(db, year_id, phase):
    from youthcouncil.budget.models import BudgetYear

    move_to(db.session.get(BudgetYear, year_id), phase)
    db.session.commit()
    db.session.remove()  # never hold a transaction (SQLite write lock) while the server works


def test_budget_round_on_a_phone(app, db, live_server, page, another_page, login, logout, axe_check):
    from youthcouncil.budget import services
    from youthcouncil.budget.models import BudgetYear, Phase

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
    page.goto(f"/budget/years/{year_id}/propose")
    axe_check(page)
    page.fill("input[name=title]", "Kinokveld")
    page.fill("textarea[name=description]", "Film og popcorn for 5.–7. trinn.")
    page.fill("input[name=estimated_cost]", "55 000")
    page.select_option("select[name=month]", "11")
    page.click("form button.button-primary")
    page.wait_for_url("**/budget/events/*")
    assert "Takk!" in page.inner_text("#flash")
    event_url = page.url
    axe_check(page)

    # The coordinator checks it: feasible, with another cost (the proposer sees why).
    _shift(db, year_id, Phase.feasibility)
    coordinator = another_page()
    login(coordinator, coordinator_name)
    coordinator.goto(event_url.replace(live_server.url, "") + "/check")
    axe_check(coordinator)
    coordinator.check("input[name=verdict][value=adjusted]")
    coordinator.fill("input[name=approved_cost]", "60000")
    coordinator.fill("textarea[name=note]", "Leie av salen koster mer.")
    coordinator.click("form button.button-primary")
    coordinator.wait_for_url(f"**/budget/years/{year_id}")
    axe_check(coordinator)
    page.goto(event_url)
    assert "Leie av salen koster mer." in page.inner_text("main")

    # Three members vote. The first one: ticking past the budget is refused on the phone, then submits.
    _shift(db, year_id, Phase.voting)
    page.goto(f"/budget/years/{year_id}/vote")
    axe_check(page)
    boxes = page.locator("input[name=event]")
    boxes.nth(0).check()
    page.wait_for_selector("#ballot-status >> text=ikke sendt inn ennå")
    boxes.nth(1).click()
    assert not boxes.nth(1).is_checked()
    assert "Det får ikke plass" in page.inner_text("#budget-bar-message")
    assert page.inner_text("#budget-bar-label") == "kr\u00a050\u00a0000 av kr\u00a0100\u00a0000"
    page.click("button:has-text('Send inn stemmen min')")
    page.wait_for_selector("#ballot-status >> text=Stemmen din er sendt inn og teller")
    axe_check(page)

    # The second (the chair) leaves a draft, is reminded, then submits.
    chair = another_page()
    login(chair, leo)
    chair.goto(f"/budget/years/{year_id}/vote")
    chair.locator("input[name=event]").nth(1).check()
    chair.wait_for_selector("#ballot-status >> text=ikke sendt inn ennå")
    chair.goto("/home")
    assert "Budsjettstemmen din er ikke sendt inn ennå" in chair.inner_text("main")
    axe_check(chair)
    assert services.remind_unsubmitted(services.utcnow() + timedelta(hours=2)) == 1
    db.session.commit()
    db.session.remove()
    chair.click("a:has-text('Gå til stemmen min')")
    chair.wait_for_url("**/vote")
    chair.click("button:has-text('Send inn stemmen min')")
    chair.wait_for_selector("#ballot-status >> text=Stemmen din er sendt inn og teller")

    # The third votes without touching the draft step at all.
    member3 = another_page()
    login(member3, third)
    assert third_name
    member3.goto(f"/budget/years/{year_id}/vote")
    member3.locator("input[name=event]").nth(1).check()
    member3.click("button:has-text('Send inn stemmen min')")
    member3.wait_for_selector("#ballot-status >> text=Stemmen din er sendt inn og teller")

    # Close and count; the outcome is explained.
    _shift(db, year_id, Phase.voting_ended)
    coordinator.goto(f"/budget/years/{year_id}")
    coordinator.click("button:has-text('Steng avstemningen og tell opp')")
    coordinator.wait_for_url("**/result")
    text = coordinator.inner_text("main")
    assert "Får penger" in text and "ikke nok penger igjen etter arrangementene over" in text
    assert "kr\u00a060\u00a0000 av kr\u00a0100\u00a0000 er brukt" in text  # Kinokveld: 2 votes
    axe_check(coordinator)

    # The chair confirms: grants are created.
    chair.goto(f"/budget/years/{year_id}/result")
    chair.click("form button:has-text('Bekreft resultatet')")
    chair.wait_for_url("**/ledger")
    axe_check(chair)

    # The coordinator records spending.
    coordinator.goto(f"/budget/years/{year_id}/ledger")
    coordinator.click("a:has-text('Før pengebruk')")
    axe_check(coordinator)
    coordinator.fill("input[name=amount]", "12 000")
    coordinator.fill("input[name=spent_on]", "2027-05-10")
    coordinator.fill("input[name=what_for]", "Ramper og instruktør")
    coordinator.click("form button.button-primary")
    coordinator.wait_for_url("**/ledger")
    assert "Ramper og instruktør" in coordinator.inner_text("main")

    # The public page: budget, funded events, the chart, the CSV link; no login needed.
    logout(page)
    page.goto("/budget/spending")
    main = page.inner_text("main")
    assert "Kinokveld" in main and "kr\u00a012\u00a0000 av kr\u00a060\u00a0000" in main
    assert page.locator("svg.budget-chart-svg rect.spent").count() == 1
    axe_check(page)
    db.session.remove()
    assert db.session.get(BudgetYear, year_id).granted_total == 60_000
