"""Moving a year's phases by hand, closing the vote and counting it with the year's rule, then the chair's
confirmation that makes the grants."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from youthcouncil import audit
from youthcouncil.budget import notices
from youthcouncil.budget.ballot import ballots_for_count, unseal_ballots, voting_member_ids
from youthcouncil.budget.ledger import create_grant
from youthcouncil.budget.models import BudgetYear, Feasibility, Grant, GrantSource, Phase, Rule
from youthcouncil.budget.services import BudgetError, ballot_events, result_rows
from youthcouncil.db import utcnow
from youthcouncil.extensions import db
from youthcouncil.i18n import lazy_gettext as _l
from youthcouncil.i18n import oslo_minute
from youthcouncil.voting import pb


def compute_outcome(year: BudgetYear) -> pb.PBResult:
    """Run the year's rule on the submitted ballots (pure: changes nothing)."""
    events = ballot_events(year)
    projects = [pb.Project(str(event.id), event.cost, event.title) for event in events]
    ballots = ballots_for_count(year)
    budget = year.total - year.granted_total
    if year.rule == Rule.greedy:
        return pb.greedy(projects, budget, pb.approval_scores(projects, ballots))
    return pb.equal_shares(projects, budget, ballots, completion="add1", comparison=year.comparison)


def _store_outcome(year: BudgetYear, result: pb.PBResult, voters: int) -> None:
    events = {str(event.id): event for event in ballot_events(year)}
    order = list(events)
    if result.rule in (pb.GREEDY, pb.GREEDY_THRESHOLD) or (result.comparison and result.comparison.greedy_used):
        # The order greedy went through them: most votes first, then cheaper, then older.
        ranked = sorted(order, key=lambda i: (-result.outcome(i).score, events[i].cost, order.index(i)))
    else:
        rest = [i for i in order if i not in result.selected]
        rest.sort(key=lambda i: (-result.outcome(i).score, events[i].cost, order.index(i)))
        ranked = list(result.selected) + rest
    for rank, project_id in enumerate(ranked, start=1):
        outcome = result.outcome(project_id)
        event = events[project_id]
        event.votes = outcome.score
        event.funded = outcome.funded
        event.outcome_reason = outcome.reason
        event.outcome_money_left = outcome.money_left
        event.outcome_rank = rank
    year.outcome = {
        "rule": result.rule,
        "budget": result.budget,
        "total_cost": result.total_cost,
        "voters": voters,
        "comparison": None
        if result.comparison is None
        else {
            "prefer_equal_shares": result.comparison.prefer_equal_shares,
            "prefer_greedy": result.comparison.prefer_greedy,
            "greedy_used": result.comparison.greedy_used,
        },
    }


#: The coordinator's buttons on a budget year, each allowed in these phases. The dates stay the plan: a button moves
#: only the date of the step it takes, to now.
PHASE_ACTIONS = {
    "open_proposing": (Phase.upcoming,),
    "close_proposing": (Phase.proposing,),
    "open_voting": (Phase.proposing, Phase.feasibility),
    "end_voting": (Phase.voting, Phase.voting_ended),
}


def change_phase(year: BudgetYear, action: str, *, by=None, now: datetime | None = None) -> pb.PBResult | None:
    """Take a phase step now instead of at its planned time; ``end_voting`` also closes and counts the vote."""
    now = now or utcnow()
    # One coordinator at a time: a second tap (or a second coordinator) finds the phase already moved.
    db.session.execute(sa.select(BudgetYear.id).where(BudgetYear.id == year.id).with_for_update())
    db.session.refresh(year)
    phase = year.phase(now)
    if year.imported or phase not in PHASE_ACTIONS.get(action, ()):
        raise BudgetError(_l("That step does not fit the budget year's phase now. Reload the page to see where it is."))
    if action == "open_proposing":
        year.proposing_starts = now
    elif action == "close_proposing":
        year.feasibility_starts = now
    elif action == "open_voting":
        waiting = sum(1 for event in year.events if not event.mid_year and event.feasibility == Feasibility.pending)
        if waiting:
            raise BudgetError(
                _l("Check every proposal first: %(num)s still wait for the feasibility check.", num=waiting)
            )
        if not ballot_events(year):
            raise BudgetError(_l("At least one feasible event is needed before voting opens."))
        if year.voting_ends <= now:
            raise BudgetError(_l("The planned end of voting has passed. Change the dates first."))
        year.feasibility_starts = min(year.feasibility_starts, now)
        year.voting_starts = now
    elif action == "end_voting":
        year.voting_ends = min(year.voting_ends, now)
        db.session.flush()
        audit.record(by, "budget_year.phase_changed", year, {"action": action})
        return close_voting(year, by=by, now=now)
    db.session.flush()
    audit.record(by, "budget_year.phase_changed", year, {"action": action})
    return None


def close_voting(year: BudgetYear, *, by=None, now: datetime | None = None) -> pb.PBResult:
    """Close the vote after its end: unseal the ballots (drafts go), count with the chosen rule."""
    now = now or utcnow()
    phase = year.phase(now)
    if phase != Phase.voting_ended:
        if phase == Phase.counted or phase == Phase.decided:
            raise BudgetError(_l("Voting is already closed and counted."))
        raise BudgetError(
            _l("Voting can be closed only after it has ended (%(end)s).", end=oslo_minute(year.voting_ends))
        )
    claimed = db.session.execute(
        sa.update(BudgetYear)
        .where(BudgetYear.id == year.id, BudgetYear.closed_at.is_(None))
        .values(closed_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        raise BudgetError(_l("Voting is already closed and counted."))
    db.session.expire(year, ["closed_at"])
    # Secrecy: the sealed ballots come out in a random order, without voter or time; drafts go; the vote key is
    # destroyed once this transaction has committed.
    voters = unseal_ballots(year)
    year.closed_at = now
    result = compute_outcome(year)
    _store_outcome(year, result, voters)
    db.session.flush()
    audit.record(by, "budget_year.closed", year, {"rule": result.rule, "voters": voters})
    notices.voting_closed(year)
    return result


def confirm_outcome(year: BudgetYear, *, by) -> list[Grant]:
    """The chair confirms the counted outcome: every funded event gets its grant."""
    if year.phase() != Phase.counted:
        raise BudgetError(_l("There is no counted outcome waiting to be confirmed."))
    claimed = db.session.execute(
        sa.update(BudgetYear)
        .where(BudgetYear.id == year.id, BudgetYear.confirmed_at.is_(None), BudgetYear.closed_at.is_not(None))
        .values(confirmed_at=utcnow(), confirmed_by_id=by.id)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        raise BudgetError(_l("The outcome is already confirmed."))
    db.session.expire(year, ["confirmed_at", "confirmed_by_id"])
    grants = [
        create_grant(year, event, event.cost, source=GrantSource.vote, by=by)
        for event in result_rows(year)
        if event.funded
    ]
    audit.record(by, "budget_year.confirmed", year, {"grants": len(grants)})
    notices.outcome_decided(year, voting_member_ids())
    return grants
