"""Bad input: a message next to the field and what was typed kept, on every kroner field, a crafted ballot and a
too big file."""

from __future__ import annotations

import io
import re

import pytest

from tests.budget.builders import decided_year, make_event, make_year
from tests.conftest import count, text
from youthcouncil.budget.models import BudgetBallot, Feasibility, GrantRequest, Phase, Spending
from youthcouncil.secret_ballot import SealedBallot

# --- Bad input on every kroner field: a message next to the field, what was typed kept ---------------------------


def _field_error(page: str, field: str) -> str:
    match = re.search(rf'<p class="error" id="{field}-error">(.*?)</p>', page, re.S)
    assert match, f"no error next to {field}"
    return match.group(1)


@pytest.mark.parametrize(
    "typed, words",
    [("abc", "hele kroner"), ("-1", "mer enn 0"), ("150000", "hele budsjettet"), ("12,5", "hele kroner")],
)
def test_bad_adjusted_cost_in_the_feasibility_check(client, db, world, login_as, typed, words):
    year = make_year(Phase.feasibility, total=100_000)
    event = make_event(year, 5_000, feasibility=Feasibility.pending, proposer=world.users["member"])
    db.session.commit()
    login_as("coordinator")
    url = f"/budget/events/{event.id}/check"
    response = client.submit(url, {"verdict": "adjusted", "approved_cost": typed, "note": "Salen koster mer."})
    assert response.status_code == 422
    page = text(response)
    assert words in _field_error(page, "approved_cost")
    assert "Salen koster mer." in page and f'value="{typed}"' in page  # nothing lost
    db.session.refresh(event)
    assert event.feasibility == Feasibility.pending and event.approved_cost is None


@pytest.mark.parametrize(
    "typed, words", [("tolv", "hele kroner"), ("0", "mer enn 0"), ("-100", "mer enn 0"), ("30001", "igjen av")]
)
def test_bad_spending_amount(client, db, world, login_as, typed, words):
    year, events = decided_year(world)  # E0 granted 30 000
    grant_id = events[0].grant.id
    db.session.commit()
    login_as("coordinator")
    response = client.submit(
        f"/budget/grants/{grant_id}/spending", {"amount": typed, "spent_on": "2027-05-02", "what_for": "Buss"}
    )
    assert response.status_code == 422
    page = text(response)
    assert words in _field_error(page, "amount")
    assert 'value="Buss"' in page
    assert count(db, Spending) == 0


@pytest.mark.parametrize("typed, words", [("mye", "hele kroner"), ("-1", "mer enn 0"), ("50001", "igjen i budsjettet")])
def test_bad_mid_year_request_amount(client, db, world, login_as, typed, words):
    year, events = decided_year(world)  # 50 000 left
    db.session.commit()
    login_as("member")
    response = client.submit(
        f"/budget/years/{year.id}/requests/new",
        {"title": "Sommerfest", "description": "For alle.", "amount": typed, "month": "6"},
    )
    assert response.status_code == 422
    page = text(response)
    assert words in _field_error(page, "amount")
    assert 'value="Sommerfest"' in page
    assert count(db, GrantRequest) == 0


def test_crafted_ballot_posts_from_another_year_or_a_not_feasible_event(client, db, world, login_as):
    year = make_year(Phase.voting, total=100_000)
    ok = make_event(year, 10_000)
    refused = make_event(year, 10_000, feasibility=Feasibility.not_feasible)
    other = make_event(make_year(Phase.voting, name="Annet år"), 1_000)
    db.session.commit()
    login_as("member")
    url = f"/budget/years/{year.id}/vote"
    for bad in (refused.id, other.id):
        response = client.submit(f"{url}/submit", {"event": [ok.id, bad], "idempotency_key": "x"}, page=url)
        assert response.status_code == 422 and "ikke på stemmeseddelen" in text(response)
    assert count(db, BudgetBallot) == 0 and count(db, SealedBallot) == 0


def test_a_too_big_pb_file_is_refused_next_to_the_field(client, db, world, login_as, monkeypatch):

    from youthcouncil.budget import views

    monkeypatch.setattr(views, "IMPORT_LIMIT", 100)
    login_as("coordinator")
    data = {"name": "Gammelt budsjett", "file": (io.BytesIO(b"META\n" + b"x" * 200), "big.pb")}
    response = client.submit("/budget/import", data, page="/budget/import", content_type="multipart/form-data")
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "For stor fil" in text or "for stor" in text
    assert 'value="Gammelt budsjett"' in text
