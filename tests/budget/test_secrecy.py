"""Secrecy at and after close: nothing links a member to a ballot."""

from __future__ import annotations

from tests.budget.builders import draft, make_event, make_year, move_to, submit
from tests.conftest import count, log_in, text
from youthcouncil.budget.ballot import has_voted, submitted_choices_of
from youthcouncil.budget.models import BudgetBallot, BudgetYear, Phase
from youthcouncil.secret_ballot import SealedBallot


def test_after_close_nothing_links_a_member_to_a_ballot(client, db, world, login_as):
    year = make_year(Phase.voting)
    events = [make_event(year, cost) for cost in (30_000, 40_000)]
    for member, picks in zip(world.members[:3], ([0], [1], [0, 1]), strict=True):
        submit(year, member, [events[i].id for i in picks])
    draft(year, world.members[3], [events[0].id])
    move_to(year, Phase.voting_ended)
    db.session.commit()
    member = world.members[0]
    assert submitted_choices_of(year, member) == [events[0].id]
    login_as("coordinator")
    client.submit(
        f"/budget/years/{year.id}/phase", {"action": "end_voting", "confirm": "y"}, page=f"/budget/years/{year.id}"
    )
    db.session.expire_all()
    year = db.session.get(BudgetYear, year.id)
    assert submitted_choices_of(year, member) is None and not has_voted(year, member)
    assert count(db, BudgetBallot) == 3 and count(db, SealedBallot) == 0
    # The member's own vote page is gone after close, and no page shows anyone's choices.
    log_in(client, member)
    response = client.get(f"/budget/years/{year.id}/vote")
    assert response.status_code == 303
    for url in (f"/budget/years/{year.id}", f"/budget/years/{year.id}/result"):
        page = text(client.get(url))
        assert "checked" not in page
