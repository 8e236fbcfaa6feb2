"""Many submits at the same moment: one member's, a resent one, many members', and grants racing for the budget."""

from __future__ import annotations

import threading

import sqlalchemy as sa

from tests.budget.builders import draft, make_event, make_year, move_to
from tests.conftest import count
from tests.factories import make_member
from tests.threads import at_once, tally
from youthcouncil.accounts.models import User
from youthcouncil.budget.ballot import count_voters, draft_of, submit_ballot, submitted_choices_of
from youthcouncil.budget.ledger import create_grant
from youthcouncil.budget.models import BudgetBallot, BudgetYear, Event, Grant, GrantSource, Phase
from youthcouncil.budget.outcome import close_voting
from youthcouncil.secret_ballot import SealedBallot

# --- One member submitting many times at the same moment -------------------------------------------------------


def test_one_member_submitting_32_times_at_once_leaves_one_ballot_and_one_voter_row(app, db, world):
    year = make_year(Phase.voting, total=100_000)
    events = [make_event(year, 10_000, title=f"E{i}") for i in range(4)]
    year_id, event_ids, user_id = year.id, [e.id for e in events], world.users["member"].id
    draft(year, world.users["member"], [event_ids[0]])
    selections = [[event_ids[i % 4], event_ids[(i + 1) % 4]] for i in range(32)]

    def submit(i: int) -> bool:
        return submit_ballot(
            db.session.get(BudgetYear, year_id),
            db.session.get(User, user_id),
            selections[i],
            f"key-{i}",  # 32 different submits (two phones, many taps), not one resent form
        )

    outcomes = at_once(app, 32, submit)
    assert outcomes == ["True"] * 32, outcomes  # each counted: the last one stands
    db.session.expire_all()
    year, member = db.session.get(BudgetYear, year_id), world.users["member"]
    assert count(db, SealedBallot) == 1  # one ballot; the draft went with the first submit
    assert submitted_choices_of(year, member) in [sorted(s) for s in selections]
    assert draft_of(year, member) is None and count_voters(year) == 1


def test_the_same_submit_resent_32_times_at_once_counts_once(app, db, world):
    year = make_year(Phase.voting)
    event = make_event(year, 1_000)
    year_id, event_id, user_id = year.id, event.id, world.users["chair"].id
    db.session.commit()

    def submit(i: int) -> bool:
        return submit_ballot(db.session.get(BudgetYear, year_id), db.session.get(User, user_id), [event_id], "same")

    outcomes = at_once(app, 32, submit)
    assert tally(outcomes) == {"True": 1, "False": 31}, outcomes
    assert count(db, SealedBallot) == 1


def test_25_members_submitting_at_once_leave_25_ballots(app, db, world):
    year = make_year(Phase.voting)
    event = make_event(year, 1_000)
    members = [make_member(world.term, world.schools[n % 2]).id for n in range(25)]
    year_id, event_id = year.id, event.id
    db.session.commit()

    def submit(i: int) -> bool:
        return submit_ballot(db.session.get(BudgetYear, year_id), db.session.get(User, members[i]), [event_id], f"k{i}")

    outcomes = at_once(app, 25, submit)
    assert outcomes == ["True"] * 25, outcomes
    year = db.session.get(BudgetYear, year_id)
    assert count_voters(year) == 25
    move_to(year, Phase.voting_ended)
    close_voting(year)
    db.session.commit()
    assert count(db, BudgetBallot) == 25 and year.outcome["voters"] == 25


# --- Grants really racing: every thread has seen room in the budget before anyone writes -----------------------


def test_grants_racing_after_all_have_seen_room_in_the_budget_never_overspend(app, db, world):
    year = make_year(Phase.voting_ended, total=100_000)
    events = [make_event(year, 30_000, title=f"E{i}") for i in range(8)]
    year_id, event_ids = year.id, [e.id for e in events]
    db.session.commit()
    seen: list[int] = []
    all_have_read = threading.Barrier(8)

    def grant(i: int) -> str:
        db.session().expire_on_commit = False  # keep what was read: a Python check would use it
        y = db.session.get(BudgetYear, year_id)
        e = db.session.get(Event, event_ids[i])
        seen.append(y.remaining)  # 100 000 for everybody: a check in Python would let all 8 through
        assert e.grant is None
        db.session.commit()  # end the read (SQLite would otherwise hold its write lock here)
        all_have_read.wait(timeout=60)  # nobody writes before all 8 have read
        create_grant(y, e, 30_000, source=GrantSource.vote)
        return "granted"

    outcomes = at_once(app, 8, grant)
    assert seen == [100_000] * 8
    assert tally(outcomes) == {"granted": 3, "BudgetError": 5}, outcomes
    db.session.expire_all()
    assert db.session.get(BudgetYear, year_id).granted_total == 90_000
    assert db.session.scalar(sa.select(sa.func.sum(Grant.amount))) == 90_000
