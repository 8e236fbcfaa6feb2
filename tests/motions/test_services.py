from __future__ import annotations

from collections import Counter

import pytest
import sqlalchemy as sa

from tests.conftest import count
from tests.factories import make_member
from tests.motions.builders import SUBJECT, make_motion, vote
from tests.threads import at_once, tally
from youthcouncil.accounts.models import User
from youthcouncil.membership.models import Seat
from youthcouncil.motions import services, signals
from youthcouncil.motions.models import Choice, Motion, MotionStatus, MotionVote
from youthcouncil.secret_ballot import SealedBallot


def test_open_motion_counts_the_voting_members_and_refuses_a_second_open_one(db, world):
    make_member(world.term, world.schools[0], seat=Seat.deputy)  # deputies do not vote
    motion = make_motion(world, subject_id=7)
    db.session.commit()
    assert motion.eligible == 4
    assert motion.status == MotionStatus.open and motion.secret is False
    with pytest.raises(services.MotionError):
        make_motion(world, subject_id=7)
    db.session.rollback()
    services.cancel_motion(motion, by=world.chair)
    db.session.commit()
    again = make_motion(world, subject_id=7)
    db.session.commit()
    assert [m.id for m in services.motions_for(SUBJECT, 7)] == [again.id, motion.id]


def test_the_database_refuses_two_open_motions_for_one_subject(db, world):
    make_motion(world, subject_id=8)
    db.session.commit()
    db.session.add(Motion(subject_type=SUBJECT, subject_id=8, title="x", term_id=world.term.id, eligible=4))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_a_vote_can_be_changed_and_stays_one_row(db, world):
    motion = make_motion(world)
    member = world.users["member"]
    services.cast_vote(motion, member, Choice.yes)
    services.cast_vote(motion, member, "no")
    db.session.commit()
    assert count(db, MotionVote, MotionVote.motion_id == motion.id) == 1
    assert services.vote_of(motion, member).choice == Choice.no
    assert services.open_motions_for_user(member) == []
    assert services.open_motions_for_user(world.users["chair"]) == [motion]


@pytest.mark.parametrize("who", ["clerk", "coordinator", "school_rep"])
def test_only_voting_members_vote(db, world, who):
    motion = make_motion(world)
    with pytest.raises(services.MotionError):
        services.cast_vote(motion, world.users[who], Choice.yes)


def test_a_deputy_cannot_vote(db, world):
    deputy = make_member(world.term, world.schools[0], seat=Seat.deputy)
    motion = make_motion(world)
    with pytest.raises(services.MotionError):
        services.cast_vote(motion, deputy, Choice.yes)


def test_close_counts_phone_votes_and_tells_the_subject_s_domain(db, world):
    seen = []

    def decided(sender, *, motion, result, **kwargs):
        seen.append((motion.id, result.adopted))

    motion = make_motion(world)
    services.cast_vote(motion, world.members[0], Choice.yes)
    services.cast_vote(motion, world.members[1], Choice.yes)
    services.cast_vote(motion, world.members[2], Choice.no)
    db.session.commit()
    with signals.motion_decided.connected_to(decided, sender=SUBJECT):
        result = services.close_motion(motion, by=world.chair)
    db.session.commit()
    assert (result.yes, result.no, result.abstain, result.participants, result.eligible) == (2, 1, 0, 3, 4)
    assert result.adopted and result.quorum_met
    assert (motion.yes, motion.no, motion.abstain, motion.present, motion.method) == (2, 1, 0, 3, "phone")
    assert motion.adopted is True and motion.quorum_met is True
    assert seen[-1] == (motion.id, True)
    with pytest.raises(services.MotionError):
        services.cast_vote(motion, world.members[3], Choice.no)
    with pytest.raises(services.MotionError):
        services.close_motion(motion, by=world.chair)


def test_no_quorum_when_fewer_than_half_take_part(db, world):
    motion = make_motion(world)
    services.cast_vote(motion, world.members[0], Choice.yes)
    result = services.close_motion(motion, by=world.chair)
    assert not result.quorum_met and not result.adopted and result.reason == "no_quorum"


def test_a_secret_vote_forgets_who_chose_what_at_close(db, world):
    motion = make_motion(world, secret=True)
    for member in world.members[:3]:
        vote(motion, member, Choice.abstain)
    services.close_motion(motion, by=world.chair)
    db.session.commit()
    assert count(db, MotionVote, MotionVote.motion_id == motion.id) == 0 and count(db, SealedBallot) == 0
    assert (motion.abstain, motion.present) == (3, 3)


def test_a_secret_vote_stores_only_sealed_rows_and_keeps_only_the_counts(db, world):
    motion = make_motion(world, secret=True)
    plan = {world.members[0]: Choice.yes, world.members[1]: Choice.yes, world.members[2]: Choice.no}
    for member, choice in plan.items():
        vote(motion, member, Choice.abstain)
        vote(motion, member, choice)  # changed: still one sealed row
    assert count(db, MotionVote) == 0 and count(db, SealedBallot) == 3
    sealed = db.session.scalars(sa.select(SealedBallot.sealed)).all()
    assert all(b'"choices"' not in blob and b'"yes"' not in blob for blob in sealed)
    assert services.voted_count(motion) == 3
    assert services.named_votes(motion) == []
    with pytest.raises(ValueError):
        services.phone_counts(motion)  # sealed until the close
    result = services.close_motion(motion, by=world.chair)
    db.session.commit()
    assert (result.yes, result.no, result.abstain, result.adopted) == (2, 1, 0, True)
    assert (motion.yes, motion.no, motion.abstain, motion.present) == (2, 1, 0, 3)
    assert count(db, SealedBallot) == 0 and count(db, MotionVote) == 0
    # Nobody can read a choice back any more, not even the member who cast it.
    assert all(services.vote_of(motion, member) is None for member in plan)


def test_a_member_sees_only_their_own_secret_choice_while_open(client, db, world, login_as):
    motion = make_motion(world, secret=True)
    member, other = world.users["member"], world.members[1]
    assert other.id != member.id
    vote(motion, member, Choice.no)
    vote(motion, other, Choice.yes)
    assert services.vote_of(motion, member).choice == Choice.no
    assert services.vote_of(motion, other).choice == Choice.yes
    assert services.vote_of(motion, world.members[2]) is None
    assert services.vote_of(motion, world.users["clerk"]) is None
    assert [m.id for m in services.open_motions_for_user(world.members[2])] == [motion.id]
    assert services.open_motions_for_user(member) == []
    login_as("member")
    page = client.get(f"/motions/{motion.id}").get_data(as_text=True)
    assert "is-chosen" in page and 'value="no" aria-pressed="true"' in page
    assert 'value="yes" aria-pressed="true"' not in page
    assert other.first_name not in page


def test_a_hand_count_on_a_secret_motion_drops_the_phone_ballots_unopened(db, world):
    motion = make_motion(world, secret=True)
    vote(motion, world.members[0], Choice.no)
    services.record_hand_count(motion, yes=3, no=0, abstain=0, present=3, by=world.chair)
    db.session.commit()
    assert count(db, SealedBallot) == 0 and count(db, MotionVote) == 0
    assert (motion.yes, motion.no, motion.method) == (3, 0, "hand_count")


def test_cancelling_a_secret_motion_drops_its_ballots(db, world):
    motion = make_motion(world, secret=True)
    vote(motion, world.members[0], Choice.no)
    services.cancel_motion(motion, by=world.chair)
    db.session.commit()
    assert count(db, SealedBallot) == 0 and count(db, MotionVote) == 0


def test_hand_count_validates_and_closes(db, world):
    motion = make_motion(world)
    with pytest.raises(services.MotionError) as error:
        services.record_hand_count(motion, yes=1, no=1, abstain=0, present=5, by=world.chair)
    assert error.value.field == "present"
    with pytest.raises(services.MotionError) as error:
        services.record_hand_count(motion, yes=2, no=1, abstain=0, present=2, by=world.chair)
    assert error.value.field == "present"
    with pytest.raises(services.MotionError) as error:
        services.record_hand_count(motion, yes=-1, no=1, abstain=0, present=2, by=world.chair)
    assert error.value.field == "yes"
    assert motion.is_open
    result = services.record_hand_count(motion, yes=1, no=0, abstain=0, present=2, by=world.chair)
    db.session.commit()
    assert result.adopted and result.participants == 2
    assert (motion.method, motion.present, motion.status) == ("hand_count", 2, MotionStatus.closed)
    assert motion.result == result


@pytest.mark.parametrize("secret", [False, True], ids=["named", "secret"])
def test_32_threads_voting_for_one_member_leave_one_vote(app, db, world, secret):
    motion = make_motion(world, secret=secret)
    db.session.commit()
    motion_id, member_id = motion.id, world.users["member"].id
    choices = [Choice.yes, Choice.no, Choice.abstain]

    def vote(i: int) -> str:
        services.cast_vote(db.session.get(Motion, motion_id), db.session.get(User, member_id), choices[i % 3])
        return "voted"

    outcomes = at_once(app, 32, vote)
    assert outcomes == ["voted"] * 32, outcomes  # each a change of mind, none an error
    db.session.expire_all()
    assert count(db, MotionVote, MotionVote.motion_id == motion_id) == (0 if secret else 1)
    assert count(db, SealedBallot) == (1 if secret else 0)
    assert services.voted_count(db.session.get(Motion, motion_id)) == 1


def test_the_subject_s_domain_hears_of_a_cancel_and_names_the_link(client, db, world, login_as):
    cancelled, other_subjects = [], []

    def stopped(sender, *, motion, **kwargs):
        cancelled.append(motion.id)

    def link(sender, *, motion, user, **kwargs):
        return ("accounts.home", {})

    motion = make_motion(world)
    db.session.commit()
    login_as("member")
    link_to_subject = '<a href="/home">Les hva avstemningen handler om</a>'
    assert link_to_subject not in client.get(f"/motions/{motion.id}").get_data(as_text=True)
    with (
        signals.subject_link.connected_to(link, sender=SUBJECT),
        signals.motion_cancelled.connected_to(stopped, sender=SUBJECT),
        signals.motion_cancelled.connected_to(lambda sender, **kwargs: other_subjects.append(sender), sender="other"),
    ):
        assert link_to_subject in client.get(f"/motions/{motion.id}").get_data(as_text=True)
        services.cancel_motion(motion, by=world.chair)
    db.session.commit()
    assert cancelled == [motion.id]
    assert other_subjects == []


@pytest.mark.parametrize("secret", [False, True], ids=["named", "secret"])
def test_votes_racing_a_close_are_either_counted_or_refused(app, db, world, secret):
    voters = [make_member(world.term, world.schools[i % 2]) for i in range(12)]
    motion = make_motion(world, secret=secret)
    db.session.commit()
    motion_id, voter_ids, chair_id = motion.id, [v.id for v in voters], world.chair.id

    def vote_or_close(i: int) -> str:
        motion = db.session.get(Motion, motion_id)
        if i == len(voter_ids):
            services.close_motion(motion, by=db.session.get(User, chair_id))
            return "closed"
        services.cast_vote(motion, db.session.get(User, voter_ids[i]), Choice.yes)
        return "voted"

    outcomes = tally(at_once(app, len(voter_ids) + 1, vote_or_close))
    accepted = outcomes.get("voted", 0)
    # The close succeeds once; each vote is counted or refused as too late, nothing else.
    assert outcomes == Counter(closed=1, voted=accepted, MotionError=len(voter_ids) - accepted), outcomes
    closed = db.session.get(Motion, motion_id)
    assert closed.status == MotionStatus.closed
    # Every vote that committed before the close is in the count; none after it got in.
    assert closed.yes == closed.present == accepted
    if secret:
        assert count(db, SealedBallot) == 0 and count(db, MotionVote) == 0
    else:
        assert count(db, MotionVote, MotionVote.motion_id == motion_id) == accepted


def test_a_closed_motion_cannot_be_closed_again_by_hand_count(db, world):
    motion = make_motion(world)
    db.session.commit()
    services.close_motion(motion, by=world.chair)
    with pytest.raises(services.MotionError):
        services.record_hand_count(motion, yes=1, no=0, abstain=0, present=2, by=world.chair)
