"""The database guarantees: grants never exceed the budget, spending never exceeds a grant, even under races."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests.budget.builders import decided_year, draft, make_event, make_year, move_to, submit
from tests.conftest import count
from tests.threads import at_once, tally
from youthcouncil.budget.ballot import remind_unsubmitted
from youthcouncil.budget.ledger import GRANT_SUBJECT, create_grant, grant_vote_decided, record_spending, request_grant
from youthcouncil.budget.models import (
    BudgetYear,
    Event,
    Grant,
    GrantRequest,
    GrantSource,
    Phase,
    RequestStatus,
)
from youthcouncil.budget.outcome import close_voting, confirm_outcome
from youthcouncil.budget.services import utcnow
from youthcouncil.secret_ballot import SealedBallot


def test_two_concurrent_grant_confirmations_cannot_overspend(app, db, world):
    year = make_year(Phase.voting_ended, total=100_000)
    events = [make_event(year, 60_000, title=f"E{i}") for i in range(2)]
    year_id, event_ids = year.id, [e.id for e in events]
    db.session.commit()

    def grant(i):
        from youthcouncil.extensions import db as session_db

        y = session_db.session.get(BudgetYear, year_id)
        e = session_db.session.get(Event, event_ids[i])
        create_grant(y, e, 60_000, source=GrantSource.vote)
        return "granted"

    outcomes = at_once(app, 2, grant)
    assert tally(outcomes) == {"granted": 1, "BudgetError": 1}, outcomes
    db.session.expire_all()
    assert db.session.get(BudgetYear, year_id).granted_total == 60_000
    assert count(db, Grant) == 1


def test_many_concurrent_grants_fill_the_budget_exactly(app, db, world):
    year = make_year(Phase.voting_ended, total=100_000)
    events = [make_event(year, 10_000, title=f"E{i}") for i in range(16)]
    year_id, event_ids = year.id, [e.id for e in events]
    db.session.commit()

    def grant(i):
        from youthcouncil.extensions import db as session_db

        create_grant(
            session_db.session.get(BudgetYear, year_id),
            session_db.session.get(Event, event_ids[i]),
            10_000,
            source=GrantSource.vote,
        )
        return "granted"

    outcomes = at_once(app, 16, grant)
    assert tally(outcomes) == {"granted": 10, "BudgetError": 6}, outcomes
    db.session.expire_all()
    assert db.session.get(BudgetYear, year_id).granted_total == 100_000


def test_the_check_constraint_backs_up_the_guard(db, world):
    year = make_year(Phase.proposing, total=1_000)
    db.session.commit()
    with pytest.raises(sa.exc.IntegrityError):
        db.session.execute(sa.update(BudgetYear).where(BudgetYear.id == year.id).values(granted_total=1_001))
        db.session.flush()
    db.session.rollback()


def test_concurrent_spending_never_exceeds_the_grant(app, db, world):
    year, events = decided_year(world)
    grant_id, coordinator_id = events[0].grant.id, world.coordinator.id  # 30 000
    db.session.commit()

    def spend(i):
        from youthcouncil.accounts.models import User
        from youthcouncil.extensions import db as session_db

        record_spending(
            session_db.session.get(Grant, grant_id),
            amount=20_000,
            spent_on=date(2027, 5, 1),
            what_for=f"Del {i}",
            by=session_db.session.get(User, coordinator_id),
        )
        return "spent"

    outcomes = at_once(app, 2, spend)
    assert tally(outcomes) == {"spent": 1, "BudgetError": 1}, outcomes
    db.session.expire_all()
    assert db.session.get(Grant, grant_id).spent_total == 20_000


def test_confirming_twice_at_once_grants_once(app, db, world):
    from tests.budget.builders import voted_year

    year, events = voted_year([[0, 1]] * 3, [30_000, 20_000], world.members[:3])
    close_voting(year)
    year_id, chair_id = year.id, world.chair.id
    db.session.commit()

    def confirm(i):
        from youthcouncil.accounts.models import User
        from youthcouncil.extensions import db as session_db

        confirm_outcome(session_db.session.get(BudgetYear, year_id), by=session_db.session.get(User, chair_id))
        return "confirmed"

    outcomes = at_once(app, 2, confirm)
    assert tally(outcomes) == {"confirmed": 1, "BudgetError": 1}, outcomes
    assert count(db, Grant) == 2
    db.session.expire_all()
    assert db.session.get(BudgetYear, year_id).granted_total == 50_000


def test_mid_year_grant_through_a_motion(client, db, world, login_as):
    year, events = decided_year(world)  # 50 000 of 100 000 granted
    db.session.commit()
    login_as("member")
    response = client.submit(
        f"/budget/years/{year.id}/requests/new",
        {"title": "Sommerfest", "description": "For alle", "amount": "60000", "month": "6"},
    )
    assert response.status_code == 422 and "Bare kr\u00a050\u00a0000 er igjen" in response.get_data(as_text=True)
    response = client.submit(
        f"/budget/years/{year.id}/requests/new",
        {"title": "Sommerfest", "description": "For alle", "amount": "40000", "month": "6"},
    )
    assert response.status_code == 303
    request = db.session.scalars(sa.select(GrantRequest)).one()
    login_as("chair")
    response = client.submit(f"/budget/requests/{request.id}/to-vote", page=f"/budget/years/{year.id}/ledger")
    assert response.status_code == 303
    db.session.refresh(request)
    assert request.status == RequestStatus.voting and request.motion_id is not None
    from youthcouncil.motions.models import Motion
    from youthcouncil.motions.services import cast_vote, close_motion

    motion = db.session.get(Motion, request.motion_id)
    for member in world.members:
        cast_vote(motion, member, "yes")
    close_motion(motion, by=world.chair)
    db.session.commit()
    db.session.refresh(request)
    db.session.expire_all()
    assert request.status == RequestStatus.adopted
    assert db.session.get(BudgetYear, year.id).granted_total == 90_000


def test_a_stopped_grant_vote_puts_the_request_back_so_it_can_go_to_the_council_again(client, db, world, login_as):
    year, _events = decided_year(world)
    request = request_grant(
        year, proposer=world.users["member"], title="Vinterfest", description="", amount=10_000, month=1
    )
    db.session.commit()
    ledger = f"/budget/years/{year.id}/ledger"
    login_as("chair")
    response = client.submit(f"/budget/requests/{request.id}/to-vote", page=ledger)
    assert response.status_code == 303
    db.session.refresh(request)
    first_motion = request.motion_id
    response = client.submit(f"/motions/{first_motion}/cancel", {"confirm": "y"}, page=f"/motions/{first_motion}")
    assert response.status_code == 303
    db.session.expire_all()
    request = db.session.get(GrantRequest, request.id)
    assert request.status == RequestStatus.proposed
    assert request.motion_id is None
    assert "Vinterfest" in client.get(ledger).get_data(as_text=True)

    response = client.submit(f"/budget/requests/{request.id}/to-vote", page=ledger)
    assert response.status_code == 303
    db.session.expire_all()
    request = db.session.get(GrantRequest, request.id)
    assert request.status == RequestStatus.voting
    assert request.motion_id not in (None, first_motion)
    assert response.headers["Location"].endswith(f"/motions/{request.motion_id}")


def test_adopted_motion_without_money_left_grants_nothing(db, world):
    from youthcouncil.voting.motion import decide_motion

    year, events = decided_year(world)
    request = request_grant(year, proposer=world.users["member"], title="A", description="b", amount=40_000, month=3)
    request.status = RequestStatus.voting
    other = make_event(year, 20_000, title="Annet")
    create_grant(year, other, 20_000, source=GrantSource.motion)  # only 30 000 left now
    db.session.flush()

    class FakeMotion:
        subject_id = request.id

    grant_vote_decided(GRANT_SUBJECT, motion=FakeMotion(), result=decide_motion(4, 0, 0, 4))
    db.session.commit()
    assert request.status == RequestStatus.no_money
    assert year.granted_total == 70_000


def test_reminder_for_an_unsubmitted_draft(app, db, world):
    from youthcouncil.notifications.models import Notification

    year = make_year(Phase.voting)
    event = make_event(year, 1_000)
    draft(year, world.users["member"], [event.id])
    submit(year, world.users["chair"], [event.id])
    now = utcnow() + timedelta(hours=2)
    assert remind_unsubmitted(now) == 1
    assert remind_unsubmitted(now) == 1  # the outbox deduplicates: still one notification
    db.session.commit()
    notes = db.session.scalars(sa.select(Notification)).all()
    assert [n.user_id for n in notes] == [world.users["member"].id]
    assert "ikke sendt inn" in notes[0].text
    move_to(year, Phase.voting_ended)
    close_voting(year)
    db.session.commit()
    assert count(db, SealedBallot) == 0 and remind_unsubmitted(now) == 0


def test_retention_clears_proposer_links_and_private_texts(db, world):
    from youthcouncil.budget.retention import minimise_personal_data

    year, events = decided_year(world)
    member = world.users["member"]
    events[0].proposer_id = member.id
    loser = make_event(year, 5_000, title="Tapte", proposer=member, description="Mitt hemmelige forslag")
    db.session.flush()
    assert minimise_personal_data([member.id]) >= 2
    db.session.refresh(loser)
    db.session.refresh(events[0])
    assert loser.proposer_id is None and loser.description == ""
    assert events[0].proposer_id is None and events[0].description
    assert minimise_personal_data([]) == 0


def test_closing_writes_every_ballot_once_in_a_random_order_without_a_voter(app, db, world):
    """The security review linked ballots to voters through SQLite's rowid (and PostgreSQL's xmin) after close:
    ballots are written only at the close now, all in its one transaction, in a random order with random ids."""
    import sqlalchemy as sa

    from tests.budget import builders
    from youthcouncil.budget.models import BallotChoice, BudgetBallot

    ballots = [[0], [1], [0, 1], [2]]
    year, events = builders.voted_year(ballots, [10_000, 20_000, 30_000], world.members[:4])
    db.session.commit()
    assert count(db, BudgetBallot) == 0 and count(db, SealedBallot) == 4
    orders = set()
    for _attempt in range(10):
        close_voting(year)
        rows = db.session.scalars(sa.select(BudgetBallot.id).where(BudgetBallot.year_id == year.id)).all()
        orders.add(
            tuple(
                tuple(sorted(db.session.scalars(sa.select(BallotChoice.event_id).where(BallotChoice.ballot_id == b))))
                for b in rows
            )
        )
        db.session.rollback()
    assert len(orders) > 1  # ten closes of four ballots in one order would be a 1 in 24^9 chance
    close_voting(year)
    db.session.commit()
    after = db.session.scalars(sa.select(BudgetBallot).where(BudgetBallot.year_id == year.id)).all()
    contents = sorted(
        sorted(e for e in db.session.scalars(sa.select(BallotChoice.event_id).where(BallotChoice.ballot_id == b.id)))
        for b in after
    )
    assert contents == sorted(sorted(events[i].id for i in ballot) for ballot in ballots)
    assert count(db, SealedBallot) == 0
