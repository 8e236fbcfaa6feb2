"""With English chosen the budget pages hold no bokmål; amounts and dates follow the reader's language."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from tests.budget.builders import decided_year, make_event, make_year
from tests.conftest import text
from tests.language import norwegian_in
from youthcouncil.budget.ledger import record_spending
from youthcouncil.budget.models import Event, Phase
from youthcouncil.budget.money import kroner, kroner_parts


def test_english_ui_has_no_norwegian_text(client, db, world, login_as):
    decided, decided_events = decided_year(world)  # events "E0", "E1"
    decided.name = "Budget 2027"
    record_spending(
        decided_events[0].grant,
        amount=12_000,
        spent_on=date(2027, 5, 1),
        what_for="Bus",
        by=world.coordinator,
    )
    voting = make_year(Phase.voting, total=100_000, name="Budget 2028")
    a = make_event(voting, 42_000, title="Cinema night", description="Films for everyone.")
    b = make_event(voting, 70_000, title="Skate day", description="Ramps.")
    proposing = make_year(Phase.proposing, total=50_000, name="Budget 2029")
    pending = make_event(proposing, 5_000, title="Quiz", description="Questions.", proposer=world.users["member"])
    db.session.commit()
    client.set_cookie("yc_lang", "en")

    pages: dict[str, str] = {}
    login_as("member")
    vote_url = f"/budget/years/{voting.id}/vote"
    client.submit(f"{vote_url}/save", {"event": [a.id]}, page=vote_url)
    pages["vote"] = text(client.get(vote_url))
    over = client.submit(f"{vote_url}/submit", {"event": [a.id, b.id], "idempotency_key": "k"}, page=vote_url)
    assert over.status_code == 422
    pages["vote over budget"] = text(over)
    bad_cost = client.submit(
        f"/budget/years/{proposing.id}/propose",
        {"title": "X", "description": "Y", "month": "3", "estimated_cost": "-5"},
    )
    assert bad_cost.status_code == 422
    pages["bad cost"] = text(bad_cost)
    for name, url in {
        "home": "/home",
        "index": "/budget/",
        "voting year": f"/budget/years/{voting.id}",
        "proposing year": f"/budget/years/{proposing.id}",
        "propose": f"/budget/years/{proposing.id}/propose",
        "event": f"/budget/events/{pending.id}",
        "result": f"/budget/years/{decided.id}/result",
        "ledger": f"/budget/years/{decided.id}/ledger",
        "request": f"/budget/years/{decided.id}/requests/new",
        "spending": f"/budget/spending?year={decided.id}",
    }.items():
        response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        pages[name] = text(response)
    login_as("coordinator")
    for name, url in {
        "year form": "/budget/years/new",
        "check": f"/budget/events/{pending.id}/check",
        "spending form": f"/budget/grants/{decided_events[0].grant.id}/spending",
        "import": "/budget/import",
    }.items():
        response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        pages[name] = text(response)

    assert "NOK\u00a042,000 of NOK\u00a0100,000" in pages["vote"]
    assert 'data-money="NOK\u00a0{n}" data-group=","' in pages["vote"]
    assert "NOK\u00a012,000 of NOK\u00a030,000" in pages["spending"]
    failures = []
    for name, page in pages.items():
        assert "kr\u00a0" not in page, name
        if found := norwegian_in(page):
            failures.append(f"{name}: {found}")
    assert not failures, "\n".join(failures)
    # The same page in bokmål is caught by the same check (so the check above can fail).
    client.set_cookie("yc_lang", "nb")
    login_as("member")
    page = text(client.get(vote_url))
    assert "kr\u00a042\u00a0000 av kr\u00a0100\u00a0000" in page
    assert norwegian_in(page)


def test_kroner_follows_the_language(app):
    from flask_babel import force_locale

    with app.test_request_context():
        with force_locale("nb"):
            assert kroner(1_234_567) == "kr\u00a01\u00a0234\u00a0567"
            assert kroner(0) == "kr\u00a00"
            assert kroner_parts() == ("kr\u00a0{n}", "\u00a0")
        with force_locale("en"):
            assert kroner(1_234_567) == "NOK\u00a01,234,567"
            assert kroner(-500) == "−NOK\u00a0500"
            assert kroner_parts() == ("NOK\u00a0{n}", ",")


@pytest.mark.parametrize(
    "typed, expected",
    [("42,000", 42_000), ("42.000", 42_000), ("NOK 42,000", 42_000), ("kr 42 000,-", 42_000), ("1,000.00", 1_000)],
)
def test_kroner_typed_the_english_or_norwegian_way(client, db, world, login_as, typed, expected):
    year = make_year(Phase.proposing, total=100_000)
    db.session.commit()
    client.set_cookie("yc_lang", "en")
    login_as("member")
    response = client.submit(
        f"/budget/years/{year.id}/propose",
        {"title": "Quiz", "description": "Questions.", "month": "4", "estimated_cost": typed},
    )
    assert response.status_code == 303, text(response)
    assert db.session.scalars(sa.select(Event)).one().estimated_cost == expected


def test_dates_are_shown_in_the_readers_language(client, db, world, login_as):
    from datetime import date

    year = make_year(Phase.voting, decided_by=date(2027, 3, 1))
    decided, events = decided_year(world)
    record_spending(events[0].grant, amount=1_000, spent_on=date(2027, 5, 10), what_for="Buss", by=world.coordinator)
    db.session.commit()
    login_as("member")
    assert "1. mars 2027" in text(client.get(f"/budget/years/{year.id}"))
    assert "10. mai 2027: Buss" in text(client.get(f"/budget/years/{decided.id}/ledger"))
    client.set_cookie("yc_lang", "en")
    assert "Mar 1, 2027" in text(client.get(f"/budget/years/{year.id}"))
    assert "May 10, 2027: Buss" in text(client.get(f"/budget/years/{decided.id}/ledger"))
