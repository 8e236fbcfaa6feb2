"""The budget year's phase buttons (open/close proposing, open voting, end voting now and count), each asking first
on a page the server enforces; a whole year from proposals to the ledger with the date-times typed once."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.budget.builders import make_event, make_year
from tests.conftest import count, log_in
from youthcouncil.audit import AuditEvent
from youthcouncil.budget.models import BudgetYear, Event, Feasibility, Grant, Phase
from youthcouncil.db import utcnow
from youthcouncil.i18n import to_oslo


def text(response) -> str:
    return response.get_data(as_text=True)


def _local(moment) -> str:
    return to_oslo(moment).strftime("%Y-%m-%dT%H:%M")


def _tap_phase(client, year_id: int, action: str, label: str):
    """Tap the button on the year's page, then tick the confirmation and tap again (as a coordinator does)."""
    page = text(client.get(f"/budget/years/{year_id}"))
    assert f'value="{action}"' in page and label in page, page
    url = f"/budget/years/{year_id}/phase"
    asked = client.submit(url, {"action": action}, page=f"/budget/years/{year_id}")
    assert asked.status_code == 200 and 'name="confirm"' in text(asked)
    return asked, client.submit(url, {"action": action, "confirm": "y"}, page=f"/budget/years/{year_id}")


def test_a_budget_year_from_proposals_to_ledger_with_the_dates_typed_once(client, db, world, login_as):
    coordinator = login_as("coordinator")
    now = utcnow()
    plan = {
        "proposing_starts": _local(now - timedelta(hours=1)),
        "feasibility_starts": _local(now + timedelta(days=14)),
        "voting_starts": _local(now + timedelta(days=21)),
        "voting_ends": _local(now + timedelta(days=28)),
    }
    response = client.submit(
        "/budget/years/new", {"name": "Budsjett 2027", "total": "50 000", "rule": "greedy", **plan}
    )
    assert response.status_code == 303
    year = db.session.scalars(sa.select(BudgetYear)).one()
    year_id, planned_end = year.id, year.voting_ends

    # Members propose.
    proposals = {"member": ("Kino", "30000"), "chair": ("Tur", "25000"), "extra": ("Disko", "10000")}
    for role, (title, cost) in proposals.items():
        user = world.members[2] if role == "extra" else world.users[role]
        log_in(client, user)
        body = {"title": title, "description": "Gøy for alle", "estimated_cost": cost, "month": "5"}
        assert client.submit(f"/budget/years/{year_id}/propose", body).status_code == 303

    # The coordinator closes proposing early, checks the proposals and opens voting early.
    log_in(client, coordinator)
    asked, done = _tap_phase(client, year_id, "close_proposing", "Steng forslag nå")
    assert "kan ikke lenger foreslå" in text(asked)
    assert done.status_code == 303
    db.session.expire_all()
    assert db.session.get(BudgetYear, year_id).phase() == Phase.feasibility
    _, refused = _tap_phase(client, year_id, "open_voting", "Åpne avstemningen nå")
    assert "Sjekk alle forslagene først" in text(client.get(refused.headers["Location"]))
    assert db.session.get(BudgetYear, year_id).phase() == Phase.feasibility
    for event in db.session.scalars(sa.select(Event).where(Event.year_id == year_id)):
        assert client.submit(f"/budget/events/{event.id}/check", {"verdict": "feasible"}).status_code == 303
    asked, done = _tap_phase(client, year_id, "open_voting", "Åpne avstemningen nå")
    assert "3 arrangementer" in text(asked)
    assert done.status_code == 303
    db.session.expire_all()
    assert db.session.get(BudgetYear, year_id).phase() == Phase.voting
    assert db.session.get(BudgetYear, year_id).voting_ends == planned_end  # the plan stays

    # Members vote on their phones.
    kino, tur, disko = (
        db.session.scalars(sa.select(Event.id).where(Event.title == t)).one() for t in ("Kino", "Tur", "Disko")
    )
    for user, chosen in (
        (world.users["member"], [kino, disko]),
        (world.users["chair"], [kino]),
        (world.members[2], [tur]),
    ):
        log_in(client, user)
        page = text(client.get(f"/budget/years/{year_id}/vote"))
        key = re.search(r'name="idempotency_key"[^>]*value="([^"]+)"', page).group(1)
        response = client.submit(
            f"/budget/years/{year_id}/vote/submit",
            {"event": chosen, "idempotency_key": key},
            page=f"/budget/years/{year_id}/vote",
        )
        assert response.status_code == 303

    # The coordinator ends voting now: it is counted at once, and the message names what got money.
    log_in(client, coordinator)
    asked, done = _tap_phase(client, year_id, "end_voting", "Avslutt avstemningen nå og tell")
    assert "3 medlemmer har stemt" in text(asked)
    assert done.headers["Location"].endswith(f"/budget/years/{year_id}/result")
    result = text(client.get(done.headers["Location"]))
    assert "Kino, Disko" in result
    db.session.expire_all()
    assert db.session.get(BudgetYear, year_id).phase() == Phase.counted

    # The chair confirms; the grants are in the ledger, where the coordinator records spending.
    log_in(client, world.users["chair"])
    response = client.submit(
        f"/budget/years/{year_id}/confirm", {"confirm": "y"}, page=f"/budget/years/{year_id}/result"
    )
    assert response.headers["Location"].endswith(f"/budget/years/{year_id}/ledger")
    assert count(db, Grant) == 2
    log_in(client, coordinator)
    grant = db.session.scalars(sa.select(Grant).where(Grant.event_id == kino)).one()
    spent = {"amount": "12 000", "spent_on": to_oslo(utcnow()).date().isoformat(), "what_for": "Kinobilletter"}
    assert client.submit(f"/budget/grants/{grant.id}/spending", spent).status_code == 303
    assert "Kinobilletter" in text(client.get(f"/budget/years/{year_id}/ledger"))
    actions = db.session.scalars(
        sa.select(AuditEvent.details).where(AuditEvent.action == "budget_year.phase_changed").order_by(AuditEvent.id)
    )
    assert [d["action"] for d in actions] == ["close_proposing", "open_voting", "end_voting"]
    assert count(db, AuditEvent, AuditEvent.action == "budget_year.changed") == 0  # no date typed again


def test_without_the_tick_nothing_moves_and_other_roles_have_no_buttons(client, db, world, login_as):
    year = make_year(Phase.voting, total=100_000)
    make_event(year, 10_000)
    db.session.commit()
    login_as("coordinator")
    url = f"/budget/years/{year.id}/phase"
    response = client.submit(url, {"action": "end_voting", "confirm": ""}, page=f"/budget/years/{year.id}")
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(BudgetYear, year.id).phase() == Phase.voting
    assert client.submit(url, {"action": "fly_away", "confirm": "y"}, page="/home").status_code == 400
    # A step that does not fit the phase is refused kindly, and nothing changes.
    response = client.submit(url, {"action": "close_proposing", "confirm": "y"}, page="/home", follow_redirects=True)
    assert "passer ikke" in text(response)
    for role in ("member", "chair", "clerk"):
        login_as(role)
        assert 'id="phase-buttons"' not in text(client.get(f"/budget/years/{year.id}"))
        assert client.submit(url, {"action": "end_voting", "confirm": "y"}, page="/home").status_code == 403
    db.session.expire_all()
    assert db.session.get(BudgetYear, year.id).phase() == Phase.voting


@pytest.mark.parametrize(
    ("phase", "action", "after"),
    [
        (Phase.upcoming, "open_proposing", Phase.proposing),
        (Phase.proposing, "close_proposing", Phase.feasibility),
        (Phase.voting_ended, "end_voting", Phase.counted),
    ],
)
def test_each_button_takes_one_step(client, db, world, login_as, phase, action, after):
    year = make_year(phase, total=100_000)
    event = make_event(year, 10_000)
    event.feasibility = Feasibility.feasible
    db.session.commit()
    login_as("coordinator")
    response = client.submit(
        f"/budget/years/{year.id}/phase", {"action": action, "confirm": "y"}, page=f"/budget/years/{year.id}"
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(BudgetYear, year.id).phase() == after
