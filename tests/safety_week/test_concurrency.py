"""Ballots at the same moment: 32 from one member leave exactly one; 25 members at once leave exactly 25."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from tests.conftest import count
from tests.safety_week import builders
from tests.threads import at_once
from youthcouncil.accounts.models import User
from youthcouncil.safety_week import services
from youthcouncil.safety_week.models import Ballot, ThemeRound
from youthcouncil.secret_ballot import SealedBallot

THREADS = 32


def _hammer(
    app, round_id: int, user_ids: list[int], theme_ids: list[int], keys: list[str], threads: int = THREADS
) -> list[str]:
    from youthcouncil.extensions import db

    def submit(i: int) -> str:
        round_ = db.session.get(ThemeRound, round_id)
        user = db.session.get(User, user_ids[i % len(user_ids)])
        first = theme_ids[i % len(theme_ids)]
        receipt = services.submit_ballot(round_, user, [first] + [t for t in theme_ids if t != first], keys[i])
        return "repeat" if receipt.repeated else "ok"

    return at_once(app, threads, submit)


def test_32_different_submissions_at_once_leave_one_current_ballot(app, db, world):
    round_, themes = builders.voting_round(world)
    round_id, member_id, theme_ids = round_.id, world.users["member"].id, [t.id for t in themes]
    db.session.commit()  # and touch nothing until the threads are done: reading would open a transaction here
    outcomes = _hammer(app, round_id, [member_id], theme_ids, [str(uuid.uuid4()) for _ in range(THREADS)])
    assert outcomes.count("ok") == THREADS, outcomes
    db.session.expire_all()
    assert count(db, SealedBallot) == 1
    assert services.voter_count(db.session.get(ThemeRound, round_id)) == 1


def test_32_retries_of_one_submission_make_one_ballot(app, db, world):
    round_, themes = builders.voting_round(world)
    round_id, member_id, theme_ids = round_.id, world.users["member"].id, [themes[0].id]
    db.session.commit()
    key = str(uuid.uuid4())
    outcomes = _hammer(app, round_id, [member_id], theme_ids, [key] * THREADS)
    assert outcomes.count("ok") == 1 and outcomes.count("repeat") == THREADS - 1, outcomes
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SealedBallot)) == 1


def test_25_members_voting_at_the_same_moment_leave_25_ballots(app, db, world):
    from tests.factories import make_member

    round_, themes = builders.voting_round(world)
    members = [make_member(world.term, world.schools[n % 2]).id for n in range(25)]
    round_id, theme_ids = round_.id, [t.id for t in themes]
    db.session.commit()
    outcomes = _hammer(app, round_id, members, theme_ids, [str(uuid.uuid4()) for _ in range(25)], threads=25)
    assert outcomes == ["ok"] * 25, outcomes
    round_ = db.session.get(ThemeRound, round_id)
    assert services.voter_count(round_) == 25
    builders.move_to(round_, "counting")
    assert services.count_round(round_)
    db.session.commit()
    assert count(db, Ballot, Ballot.round_id == round_id) == 25 and count(db, SealedBallot) == 0
