"""Builders for budget tests: a year in any phase, events, ballots, grants."""

from __future__ import annotations

from datetime import timedelta

from tests.factories import make_member
from youthcouncil.budget.ballot import save_draft, submit_ballot
from youthcouncil.budget.models import BudgetYear, Event, Feasibility, Phase, Rule
from youthcouncil.budget.outcome import close_voting, confirm_outcome
from youthcouncil.db import utcnow
from youthcouncil.extensions import db

DAY = timedelta(days=1)


def dates_for(phase: Phase) -> dict:
    """Phase dates that put a year in ``phase`` now."""
    now = utcnow()
    offsets = {
        Phase.upcoming: 1,
        Phase.proposing: 0,
        Phase.feasibility: -1,
        Phase.voting: -2,
        Phase.voting_ended: -4,
    }
    shift = offsets.get(phase, -4)
    start = now + shift * DAY + (-DAY / 2 if phase != Phase.upcoming else DAY / 2)
    return {
        "proposing_starts": start,
        "feasibility_starts": start + DAY,
        "voting_starts": start + 2 * DAY,
        "voting_ends": start + 3 * DAY,
    }


def make_year(
    phase: Phase = Phase.proposing, *, total: int = 100_000, rule: Rule = Rule.greedy, **fields
) -> BudgetYear:
    year = BudgetYear(name=fields.pop("name", "Budsjett 2027"), total=total, rule=rule, **dates_for(phase), **fields)
    db.session.add(year)
    db.session.flush()
    return year


def make_event(
    year: BudgetYear,
    cost: int = 10_000,
    *,
    title: str | None = None,
    proposer=None,
    feasibility: Feasibility = Feasibility.feasible,
    **fields,
) -> Event:
    event = Event(
        year=year,
        title=title or f"Arrangement {cost}",
        description=fields.pop("description", "Noe gøy for alle."),
        estimated_cost=cost,
        month=fields.pop("month", 5),
        proposer_id=getattr(proposer, "id", None),
        feasibility=feasibility,
        **fields,
    )
    db.session.add(event)
    db.session.flush()
    return event


def move_to(year: BudgetYear, phase: Phase) -> None:
    for key, value in dates_for(phase).items():
        setattr(year, key, value)
    db.session.flush()


def voted_year(
    ballots: list[list[int]],
    costs: list[int],
    voters,
    *,
    total: int = 100_000,
    rule: Rule = Rule.greedy,
    comparison: bool = False,
):
    """A year whose voting has ended, with ``ballots[i]`` (indexes into ``costs``) submitted by ``voters[i]``."""
    year = make_year(Phase.voting, total=total, rule=rule, comparison=comparison)
    events = [make_event(year, cost, title=f"E{i}") for i, cost in enumerate(costs)]
    for voter, ballot in zip(voters, ballots, strict=False):
        submit(year, voter, [events[i].id for i in ballot])
    move_to(year, Phase.voting_ended)
    return year, events


def decided_year(world, *, total: int = 100_000, costs=(30_000, 20_000)):
    year, events = voted_year([[0, 1]] * 3, list(costs), world.members[:3], total=total)
    close_voting(year)
    confirm_outcome(year, by=world.chair)
    db.session.flush()
    return year, events


def _own_transaction(write):
    """A ballot or draft is stored as a request stores it: in a transaction of its own (the secret-ballot module
    refuses any other write in it). On an error the transaction is rolled back."""
    db.session.commit()
    try:
        result = write()
    except Exception:
        db.session.rollback()
        raise
    db.session.commit()
    return result


def submit(year: BudgetYear, user, event_ids, key: str | None = None, now=None) -> bool:
    return _own_transaction(lambda: submit_ballot(year, user, list(event_ids), key, now=now))


def draft(year: BudgetYear, user, event_ids, now=None) -> list[int]:
    return _own_transaction(lambda: save_draft(year, user, list(event_ids), now=now))


def five_voters(world):
    """The first four members and a fifth, for the examples that need five voters."""
    extra = make_member(world.term, world.schools[0], first_name="Femte")
    return [*world.members[:4], extra]


def close_and_show(client, login_as, year):
    """Close the vote as the coordinator through the page; the result page and the events by title."""
    db.session.commit()
    login_as("coordinator")
    response = client.submit(
        f"/budget/years/{year.id}/phase", {"action": "end_voting", "confirm": "y"}, page=f"/budget/years/{year.id}"
    )
    assert response.status_code == 303
    page = client.get(f"/budget/years/{year.id}/result").get_data(as_text=True)
    db.session.expire_all()
    return page, {e.title: e for e in db.session.get(BudgetYear, year.id).events}
