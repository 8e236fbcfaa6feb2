"""The rules of the theme round, called as the views call them."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from tests.conftest import count
from tests.factories import make_member, make_user
from tests.safety_week import builders
from youthcouncil.membership.models import Seat
from youthcouncil.notifications.models import Notification
from youthcouncil.safety_week import open_data, results, services
from youthcouncil.safety_week.models import Ballot, Method, Phase, Proposal, ProposalStatus, ThemeRound
from youthcouncil.safety_week.services import SafetyWeekError
from youthcouncil.secret_ballot import SealedBallot


def test_phases_follow_the_dates(app, db, world, in_request):
    round_ = builders.make_round(world)
    for phase in ("upcoming", "proposing", "review", "voting", "counting"):
        builders.move_to(round_, phase)
        assert round_.phase() == Phase(phase)
    services.count_round(round_)
    assert round_.phase() == Phase.closed


def test_dates_must_be_in_order(app, db, world, in_request):
    dates = builders.dates_for("proposing")
    dates.voting_opens_at, dates.proposing_closes_at = dates.proposing_closes_at, dates.voting_opens_at
    with pytest.raises(SafetyWeekError):
        services.create_round(year=2030, title="X", dates=dates, term=world.term)


def test_one_round_per_year(app, db, world, in_request):
    builders.make_round(world, year=2031)
    with pytest.raises(SafetyWeekError, match="2031"):
        builders.make_round(world, year=2031)


def test_a_proposal_one_second_after_the_close_is_refused(app, db, world, in_request):
    round_ = builders.make_round(world)
    closes = round_.proposing_closes_at
    from datetime import timedelta

    services.propose(round_, world.users["member"], title="Just in time", why="", now=closes - timedelta(seconds=1))
    with pytest.raises(SafetyWeekError, match="(closed|stengt)"):
        services.propose(round_, world.users["member"], title="Too late", why="", now=closes + timedelta(seconds=1))


def test_titles_and_reasons_have_limits(app, db, world, in_request):
    round_ = builders.make_round(world)
    member = world.users["member"]
    services.propose(round_, member, title="x" * 80, why="y" * 1000)
    with pytest.raises(SafetyWeekError) as too_long:
        services.propose(round_, member, title="x" * 81, why="")
    assert too_long.value.field == "title"
    with pytest.raises(SafetyWeekError) as why_long:
        services.propose(round_, member, title="ok", why="y" * 1001)
    assert why_long.value.field == "why"


def test_at_most_three_live_proposals_per_member(app, db, world, in_request):
    round_ = builders.make_round(world)
    member = world.users["member"]
    first = [services.propose(round_, member, title=f"Tema {i}", why="") for i in range(3)]
    with pytest.raises(SafetyWeekError, match="3"):
        services.propose(round_, member, title="Tema 4", why="")
    services.withdraw_proposal(first[0], member)
    fourth = services.propose(round_, member, title="Tema 4", why="")
    assert fourth.slot == first[0].slot


def test_the_database_refuses_a_fourth_live_proposal(app, db, world):
    round_ = builders.make_round(world)
    member = world.users["member"]
    for slot in (1, 2, 3):
        db.session.add(Proposal(round_id=round_.id, title=f"T{slot}", proposer_id=member.id, slot=slot))
    db.session.flush()
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(Proposal(round_id=round_.id, title="T1 again", proposer_id=member.id, slot=1))
        db.session.flush()
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(Proposal(round_id=round_.id, title="T4", proposer_id=member.id, slot=4))
        db.session.flush()


def test_only_members_of_the_term_propose(app, db, world, in_request):
    round_ = builders.make_round(world)
    with pytest.raises(SafetyWeekError):
        services.propose(round_, world.users["school_rep"], title="Tema", why="")


def test_edit_and_withdraw_only_own_and_only_while_proposing(app, db, world, in_request):
    round_ = builders.make_round(world)
    mine = services.propose(round_, world.users["member"], title="Tema", why="")
    with pytest.raises(SafetyWeekError):
        services.edit_proposal(mine, world.users["chair"], title="Stolen", why="")
    services.edit_proposal(mine, world.users["member"], title="Bedre tema", why="Fordi")
    assert mine.title == "Bedre tema"
    builders.move_to(round_, "review")
    with pytest.raises(SafetyWeekError):
        services.edit_proposal(mine, world.users["member"], title="Late", why="")
    with pytest.raises(SafetyWeekError):
        services.withdraw_proposal(mine, world.users["member"])


def test_decline_needs_a_kind_reason_and_tells_the_proposer(app, db, world, in_request):
    round_ = builders.make_round(world)
    proposal = services.propose(round_, world.users["member"], title="Tema", why="")
    with pytest.raises(SafetyWeekError) as missing:
        services.decline_proposal(proposal, "  ")
    assert missing.value.field == "reason"
    services.decline_proposal(proposal, "Takk! Dette var med i fjor.", by=world.coordinator)
    assert proposal.status == ProposalStatus.declined
    notes = db.session.scalars(sa.select(Notification).where(Notification.user_id == world.users["member"].id)).all()
    assert len(notes) == 1 and "Dette var med i fjor" in notes[0].text


def test_merge_keeps_one_and_tells_both_proposers(app, db, world, in_request):
    round_ = builders.make_round(world)
    a = services.propose(round_, world.users["member"], title="Nettvett", why="")
    b = services.propose(round_, world.users["chair"], title="Trygg på nett", why="")
    services.merge_proposals(a, b, title="Trygg og snill på nett", by=world.coordinator)
    assert a.status == ProposalStatus.merged and a.merged_into_id == b.id
    assert b.status == ProposalStatus.kept and b.title == "Trygg og snill på nett"
    for user in (world.users["member"], world.users["chair"]):
        assert count(db, Notification, Notification.user_id == user.id, Notification.kind == "safety_week.merged") == 1
    assert services.candidates(round_) == [b]


def test_only_kept_proposals_reach_the_vote(app, db, world, in_request):
    round_ = builders.make_round(world)
    kept = builders.add_proposal(round_, world.users["member"], "Kept", status=ProposalStatus.kept)
    builders.add_proposal(round_, world.users["member"], "Declined", status=ProposalStatus.declined)
    builders.add_proposal(round_, world.users["chair"], "Never reviewed")
    assert services.candidates(round_) == [kept]


def test_method_and_themes_are_locked_once_voting_opens(app, db, world, in_request):
    round_, themes = builders.voting_round(world)
    with pytest.raises(SafetyWeekError):
        services.update_round(round_, title="X", dates=builders.dates_for("voting"), method=Method.approval)
    with pytest.raises(SafetyWeekError):
        services.decline_proposal(themes[0], "Nei")
    assert round_.method == Method.irv


def test_coordinator_opens_and_closes_phases_early(app, db, world, in_request):
    round_ = builders.make_round(world)
    builders.move_to(round_, "upcoming")
    services.change_phase(round_, "open_proposing")
    assert round_.phase() == Phase.proposing
    builders.add_proposal(round_, world.users["member"], "A", status=ProposalStatus.kept)
    with pytest.raises(SafetyWeekError, match="(two|to temaer)"):
        services.change_phase(round_, "open_voting")
    builders.add_proposal(round_, world.users["chair"], "B", status=ProposalStatus.kept)
    services.change_phase(round_, "open_voting")
    assert round_.phase() == Phase.voting
    builders.vote(round_, world.users["member"], *services.candidates(round_))
    services.change_phase(round_, "close_voting")
    assert round_.phase() == Phase.closed and round_.lot_seed
    with pytest.raises(SafetyWeekError):
        services.change_phase(round_, "open_proposing")


# --- Ballots ------------------------------------------------------------------------------------------------


def test_a_vote_is_sealed_under_the_members_link_and_nothing_names_the_member(app, db, world, in_request):
    round_, themes = builders.voting_round(world)
    member = world.users["member"]
    builders.vote(round_, member, themes[1], themes[0])
    assert services.own_current_ranking(round_, member) == [[themes[1].id], [themes[0].id]]
    assert services.has_voted(round_, member) and not services.has_voted(round_, world.users["chair"])
    row = db.session.scalars(sa.select(SealedBallot)).one()
    assert len(row.link) == 64 and f"[[{themes[1].id}],[{themes[0].id}]]".encode() not in row.sealed
    assert count(db, Ballot) == 0  # counted ballots exist only after the count
    assert {c.name for c in Ballot.__table__.c} == {"id", "round_id", "ranking", "weight"}


def test_changing_the_vote_keeps_one_current_ballot(app, db, world, in_request):
    round_, themes = builders.voting_round(world)
    member = world.users["member"]
    builders.vote(round_, member, themes[0])
    builders.vote(round_, member, themes[2], themes[1])
    assert services.own_current_ranking(round_, member) == [[themes[2].id], [themes[1].id]]
    assert count(db, SealedBallot) == 1 and services.voter_count(round_) == 1
    builders.move_to(round_, "counting")
    services.count_round(round_)
    assert services.counted_ballots(round_) == [((frozenset([themes[2].id]), frozenset([themes[1].id])), 1)]


def test_a_retried_submission_makes_no_second_ballot(app, db, world, in_request):
    round_, themes = builders.voting_round(world)
    member = world.users["member"]
    key = str(uuid.uuid4())
    first = builders.submit(round_, member, [themes[0].id], key)
    again = builders.submit(round_, member, [themes[0].id], key)
    assert not first.repeated and again.repeated
    assert count(db, SealedBallot) == 1


def test_the_same_page_sent_again_with_other_choices_is_refused_kindly(app, db, world, in_request):
    round_, themes = builders.voting_round(world)
    member = world.users["member"]
    key = str(uuid.uuid4())
    builders.submit(round_, member, [themes[0].id], key)
    with pytest.raises(SafetyWeekError, match="(already used|allerede brukt)"):
        builders.submit(round_, member, [themes[1].id], key)
    assert services.own_current_ranking(round_, member) == [[themes[0].id]]


def test_a_late_retry_of_an_old_submission_does_not_undo_a_newer_vote(app, db, world, in_request):
    round_, themes = builders.voting_round(world)
    member = world.users["member"]
    old_key = str(uuid.uuid4())
    builders.submit(round_, member, [themes[0].id], old_key)
    builders.vote(round_, member, themes[1])
    builders.submit(round_, member, [themes[0].id], old_key)
    assert services.own_current_ranking(round_, member) == [[themes[1].id]]


def test_only_voting_members_vote(app, db, world, in_request):
    round_, themes = builders.voting_round(world)
    deputy = make_member(world.term, world.schools[0], seat=Seat.deputy)
    for user in (deputy, world.users["school_rep"], world.coordinator):
        with pytest.raises(SafetyWeekError):
            builders.vote(round_, user, themes[0])
    assert count(db, SealedBallot) == 0


def test_votes_outside_the_voting_phase_are_refused_kindly(app, db, world, in_request):
    round_, themes = builders.voting_round(world)
    from datetime import timedelta

    closes = round_.voting_closes_at
    builders.submit(round_, world.users["member"], [themes[0].id], now=closes - timedelta(seconds=1))
    with pytest.raises(SafetyWeekError, match="(closed|stengt)"):
        builders.submit(round_, world.users["chair"], [themes[0].id], now=closes + timedelta(seconds=1))


def test_a_ballot_names_only_themes_in_the_vote_and_each_once(app, db, world, in_request):
    round_, themes = builders.voting_round(world)
    other_round, other_themes = builders.voting_round(world)
    member = world.users["member"]
    for bad in ([], [themes[0].id, themes[0].id], [other_themes[0].id], [999999]):
        with pytest.raises(SafetyWeekError):
            builders.submit(round_, member, bad)


def test_counting_opens_the_box_in_a_random_order_and_keeps_nothing_that_links(app, db, world, in_request):
    round_, themes = builders.voting_round(world)
    for member, theme in zip(world.members, themes + themes, strict=False):
        builders.vote(round_, member, theme)
    builders.vote(round_, world.members[0], themes[1])  # changed: only the newer ballot counts
    builders.move_to(round_, "counting")
    assert services.count_round(round_) is True
    assert services.count_round(round_) is False  # only once
    db.session.commit()
    rankings = sorted(b.ranking for b in db.session.scalars(sa.select(Ballot).where(Ballot.round_id == round_.id)))
    expected = [[[themes[1].id]]] + [[[t.id]] for t in (themes + themes)[1 : len(world.members)]]
    assert rankings == sorted(expected)
    assert round_.lot_seed and len(round_.lot_seed) == 16
    assert round_.eligible_count == len(world.members)
    assert count(db, SealedBallot) == 0
    assert services.own_current_ranking(round_, world.members[0]) is None
    assert not services.has_voted(round_, world.members[0])  # nobody can tell any more
    assert services.turnout(round_) == (len(world.members), len(world.members))


def test_the_audit_log_never_holds_ballots(app, db, world, in_request):
    from youthcouncil.audit import AuditEvent

    round_, themes = builders.voting_round(world)
    builders.vote(round_, world.users["member"], themes[0])
    actions = set(db.session.scalars(sa.select(AuditEvent.action)))
    assert not any("vote" in action or "ballot" in action for action in actions)


def test_count_due_rounds_counts_only_closed_voting(app, db, world, in_request):
    voting, _ = builders.voting_round(world)
    done, _ = builders.voting_round(world)
    builders.move_to(done, "counting")
    assert services.count_due_rounds() == 1
    assert done.is_closed and not voting.is_closed


# --- Results ------------------------------------------------------------------------------------------------


def _cast(round_, themes, pattern):
    """pattern: list of (number of voters, [theme indexes]) using fresh voting members."""
    for voters, order in pattern:
        for _ in range(voters):
            user = make_member(round_.term, round_.term.municipality.schools[0])
            builders.vote(round_, user, *[themes[i] for i in order])


def test_result_shows_every_round_and_the_centre_squeeze(app, db, world, in_request):
    # Left 4, Right 3, Centre 2 (centre's voters prefer Left): IRV: Centre out, Left wins 6-3? Use a squeeze:
    # 4 L>C, 4 R>C, 3 C>L: round 1 L4 R4 C3 -> C out -> L7 R4 -> L wins. Head-to-head: C beats L (7-4) and R (7-4).
    round_, themes = builders.voting_round(world, titles=("Left", "Right", "Centre"))
    left, right, centre = 0, 1, 2
    _cast(round_, themes, [(4, [left, centre]), (4, [right, centre]), (3, [centre, left])])
    builders.move_to(round_, "counting")
    services.count_round(round_)
    result = results.compute_result(round_)
    assert result.winner == themes[left]
    assert [r.reason for r in result.rounds] == ["fewest_votes", "majority"]
    assert result.rounds[0].eliminated == themes[centre]
    assert {bar.theme.title: bar.votes for bar in result.rounds[0].bars} == {"Left": 4, "Right": 4, "Centre": 3}
    assert result.rounds[1].exhausted == 0
    assert result.beats_everyone is False and result.loses_to == [themes[centre]]
    assert result.condorcet == themes[centre]
    assert result.ballots == 11


def test_exhausted_ballots_and_the_lot_are_reported(app, db, world, in_request):
    round_, themes = builders.voting_round(world, titles=("A", "B", "C"))
    # A 2, B 2, C 1 (C only): C out, its ballot is exhausted; A and B tie 2-2 in round 2 and round 1 -> the lot.
    _cast(round_, themes, [(2, [0]), (2, [1]), (1, [2])])
    builders.move_to(round_, "counting")
    services.count_round(round_)
    result = results.compute_result(round_)
    assert result.rounds[1].exhausted == 1
    assert result.rounds[1].reason == "tie_lot" and result.lot_used
    assert {t.title for t in result.rounds[1].tied} == {"A", "B"}
    # The published lot: the same seed gives the same draw.
    from youthcouncil.voting.ranked import draw_lot

    assert result.rounds[1].eliminated.id == draw_lot([themes[0].id, themes[1].id], round_.lot_seed)
    assert result.winner != result.rounds[1].eliminated


def test_tie_broken_by_the_earlier_round(app, db, world, in_request):
    round_, themes = builders.voting_round(world, titles=("A", "B", "C", "D"))
    # Round 1: A 4, B 3, C 2, D 1 -> D out (to C): A 4, B 3, C 3 -> B and C tie; C had fewer in round 1 -> C out.
    _cast(round_, themes, [(4, [0]), (3, [1]), (2, [2]), (1, [3, 2])])
    builders.move_to(round_, "counting")
    services.count_round(round_)
    result = results.compute_result(round_)
    assert result.rounds[1].reason == "tie_earlier_round"
    assert result.rounds[1].eliminated == themes[2]


def test_approval_result(app, db, world, in_request):
    round_, themes = builders.voting_round(world, method=Method.approval)
    builders.vote(round_, world.members[0], themes[0], themes[1])
    builders.vote(round_, world.members[1], themes[1])
    builders.move_to(round_, "counting")
    services.count_round(round_)
    result = results.compute_result(round_)
    assert result.winner == themes[1]
    assert [(bar.theme, bar.votes) for bar in result.approval_bars][:2] == [(themes[1], 2), (themes[0], 1)]


# --- PrefLib ------------------------------------------------------------------------------------------------


def test_export_has_titles_and_rankings_and_nothing_personal(app, db, world, in_request):
    round_, themes = builders.closed_round(world)  # every member ranks the first two themes
    name, text = open_data.export_preflib(round_)
    assert name.endswith(".soi")
    assert "# ALTERNATIVE NAME 1: Trygg på nett" in text
    assert f"{len(world.members)}: 1,2" in text
    for member in world.members:
        assert member.first_name not in text and member.username not in text


def test_export_refused_before_counting(app, db, world, in_request):
    round_, _ = builders.voting_round(world)
    with pytest.raises(SafetyWeekError):
        open_data.export_preflib(round_)


def test_import_and_export_round_trip(app, db, world, in_request):
    text = "\n".join(
        [
            "# DATA TYPE: soi",
            "# ALTERNATIVE NAME 1: Trygg i trafikken",
            "# ALTERNATIVE NAME 2: Trygg på nett",
            "# ALTERNATIVE NAME 3: Vennskap",
            "4: 2,1",
            "3: 1",
            "2: 3,2",
        ]
    )
    round_ = open_data.import_preflib(
        text, file_name="old.soi", year=2019, title="Trygghetsuka 2019", method=Method.irv
    )
    assert round_.is_closed and round_.imported and round_.term_id is None
    result = results.compute_result(round_)
    assert result.winner.title == "Trygg på nett"  # 3 / 4 / 2: Vennskap out, its 2 go to Trygg på nett: 6 of 9
    name, exported = open_data.export_preflib(round_)
    again = open_data.import_preflib(exported, file_name=name, year=2018, title="Again", method=Method.irv)
    assert results.compute_result(again).winner.title == result.winner.title
    assert services.counted_ballots(again) and sum(w for _, w in services.counted_ballots(again)) == 9


def test_import_refuses_a_broken_file(app, db, world, in_request):
    with pytest.raises(SafetyWeekError) as error:
        open_data.import_preflib("1: 1,2\n", file_name="x.soi", year=2017, title="X", method=Method.irv)
    assert error.value.field == "file"
    assert count(db, ThemeRound) == 0


# --- Retention ----------------------------------------------------------------------------------------------


def test_minimise_personal_data_removes_why_and_proposer(app, db, world, in_request):
    from youthcouncil.safety_week.retention import minimise_personal_data

    round_ = builders.make_round(world)
    mine = services.propose(round_, world.users["member"], title="Tema", why="Fordi jeg ble mobbet")
    other = services.propose(round_, world.users["chair"], title="Annet", why="Grunn")
    assert minimise_personal_data([world.users["member"].id]) == 1
    db.session.refresh(mine)
    db.session.refresh(other)
    assert mine.why is None and mine.proposer_id is None and mine.title == "Tema"
    assert other.why == "Grunn"
    assert minimise_personal_data([]) == 0


def test_eligibility_uses_voting_members_query(app, db, world):
    round_, _ = builders.voting_round(world)
    outsider = make_user("member")
    assert not services.is_eligible_voter(outsider, round_)
    assert all(services.is_eligible_voter(m, round_) for m in world.members)
