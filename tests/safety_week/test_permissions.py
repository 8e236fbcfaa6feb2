"""Every rule in youthcouncil/safety_week/permissions.py across roles × theme-round phases (and proposal states), then
one HTTP check per rule that its view enforces it (tests/test_access_matrix.py checks only the roles a view admits).

Tables: Y = allowed, - = refused (tests/roles.py).
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.conftest import log_in
from tests.roles import ONLY_COORDINATOR, assert_table, past_term, role_users
from tests.safety_week import builders
from youthcouncil.db import utcnow
from youthcouncil.extensions import db
from youthcouncil.safety_week import permissions
from youthcouncil.safety_week.models import PROPOSALS_PER_MEMBER, Phase, Proposal, ProposalStatus, ThemeRound

PHASES = ("upcoming", "proposing", "review", "voting", "counting", "closed", "imported")


def _round(world, column: str) -> ThemeRound:
    round_ = builders.make_round(world)
    if column in ("closed", "imported"):
        builders.move_to(round_, "counting")
        round_.closed_at = utcnow()
        round_.lot_seed = "0" * 64
        round_.imported = column == "imported"
    else:
        builders.move_to(round_, column)
    db.session.flush()
    assert round_.phase() == (Phase.closed if column == "imported" else Phase(column))
    return round_


@pytest.fixture
def users(world):
    return role_users(world)


@pytest.fixture
def rounds(db, world, users):
    return {column: _round(world, column) for column in PHASES}


def _proposal(round_, user, status=ProposalStatus.proposed, **fields) -> Proposal:
    proposal = Proposal(round=round_, title=f"Tema {status}", proposer_id=user.id, status=status, **fields)
    db.session.add(proposal)
    db.session.flush()
    return proposal


# --- Rules about the user only -------------------------------------------------------------------------------


@pytest.mark.parametrize("rule", [permissions.can_create_round, permissions.can_import_round], ids=lambda r: r.__name__)
def test_user_rules(users, rule):
    assert_table(ONLY_COORDINATOR, users, lambda user, column: rule(user))


# --- Rules about a round, by phase ---------------------------------------------------------------------------------

ROUND_RULES = {
    "can_edit_round": """
             upcoming proposing review voting counting closed imported
anonymous    -        -         -      -      -        -      -
member       -        -         -      -      -        -      -
deputy       -        -         -      -      -        -      -
vice_chair   -        -         -      -      -        -      -
chair        -        -         -      -      -        -      -
inactive     -        -         -      -      -        -      -
school_rep   -        -         -      -      -        -      -
clerk        -        -         -      -      -        -      -
coordinator  Y        Y         Y      -      -        -      -
""",
    "can_change_phase": """
             upcoming proposing review voting counting closed imported
anonymous    -        -         -      -      -        -      -
member       -        -         -      -      -        -      -
deputy       -        -         -      -      -        -      -
vice_chair   -        -         -      -      -        -      -
chair        -        -         -      -      -        -      -
inactive     -        -         -      -      -        -      -
school_rep   -        -         -      -      -        -      -
clerk        -        -         -      -      -        -      -
coordinator  Y        Y         Y      Y      Y        -      -
""",
    # The round page is for everyone logged in (an ended membership still has an account); the public sees results.
    "can_see_round": """
             upcoming proposing review voting counting closed imported
anonymous    -        -         -      -      -        -      -
member       Y        Y         Y      Y      Y        Y      Y
deputy       Y        Y         Y      Y      Y        Y      Y
vice_chair   Y        Y         Y      Y      Y        Y      Y
chair        Y        Y         Y      Y      Y        Y      Y
inactive     Y        Y         Y      Y      Y        Y      Y
school_rep   Y        Y         Y      Y      Y        Y      Y
clerk        Y        Y         Y      Y      Y        Y      Y
coordinator  Y        Y         Y      Y      Y        Y      Y
""",
    # Any seat of the round's term proposes (a deputy too); only a full seat votes.
    "can_propose": """
             upcoming proposing review voting counting closed imported
anonymous    -        -         -      -      -        -      -
member       -        Y         -      -      -        -      -
deputy       -        Y         -      -      -        -      -
vice_chair   -        Y         -      -      -        -      -
chair        -        Y         -      -      -        -      -
inactive     -        -         -      -      -        -      -
school_rep   -        -         -      -      -        -      -
clerk        -        -         -      -      -        -      -
coordinator  -        -         -      -      -        -      -
""",
    "can_vote": """
             upcoming proposing review voting counting closed imported
anonymous    -        -         -      -      -        -      -
member       -        -         -      Y      -        -      -
deputy       -        -         -      -      -        -      -
vice_chair   -        -         -      Y      -        -      -
chair        -        -         -      Y      -        -      -
inactive     -        -         -      -      -        -      -
school_rep   -        -         -      -      -        -      -
clerk        -        -         -      -      -        -      -
coordinator  -        -         -      -      -        -      -
""",
    "can_see_result": """
             upcoming proposing review voting counting closed imported
anonymous    -        -         -      -      -        Y      Y
member       -        -         -      -      -        Y      Y
deputy       -        -         -      -      -        Y      Y
vice_chair   -        -         -      -      -        Y      Y
chair        -        -         -      -      -        Y      Y
inactive     -        -         -      -      -        Y      Y
school_rep   -        -         -      -      -        Y      Y
clerk        -        -         -      -      -        Y      Y
coordinator  -        -         -      -      -        Y      Y
""",
}
ROUND_RULES["can_export_round"] = ROUND_RULES["can_see_result"]


@pytest.mark.parametrize("name", sorted(ROUND_RULES))
def test_round_rules(users, rounds, name):
    rule = getattr(permissions, name)
    assert_table(ROUND_RULES[name], users, lambda user, column: rule(user, rounds[column]))


def test_a_member_with_every_place_taken_proposes_no_more(users, rounds):
    for i in range(PROPOSALS_PER_MEMBER):
        _proposal(rounds["proposing"], users["member"], slot=i + 1)
    expected = ROUND_RULES["can_propose"].replace("member       -        Y", "member       -        -")
    assert_table(expected, users, lambda user, column: permissions.can_propose(user, rounds[column]))


def test_a_round_of_another_term_takes_no_proposals_or_votes(users, rounds, world):
    past = past_term()
    for round_ in rounds.values():
        round_.term_id = past.id
    db.session.flush()
    nobody = ROUND_RULES["can_propose"].replace(" Y", " -")
    assert_table(nobody, users, lambda user, c: permissions.can_propose(user, rounds[c]), one_sided=True)
    nobody = ROUND_RULES["can_vote"].replace(" Y", " -")
    assert_table(nobody, users, lambda user, c: permissions.can_vote(user, rounds[c]), one_sided=True)


# --- Rules about a proposal, by its state and its round's phase -------------------------------------------------------

PROPOSAL_COLUMNS = ("proposed", "kept", "merged", "declined", "withdrawn", "review", "voting", "imported")


@pytest.fixture
def proposals(rounds, users):
    """Proposals by "member": in a proposing round in each state; proposed during review; kept once voting opened;
    and one in an imported round."""
    member = users["member"]
    proposing = rounds["proposing"]
    made = {status.value: None for status in ProposalStatus}
    made["kept"] = _proposal(proposing, member, ProposalStatus.kept)
    made["proposed"] = _proposal(proposing, member)
    made["merged"] = _proposal(proposing, member, ProposalStatus.merged, merged_into_id=made["kept"].id)
    made["declined"] = _proposal(proposing, member, ProposalStatus.declined, decline_reason="Takk!")
    made["withdrawn"] = _proposal(proposing, member, ProposalStatus.withdrawn)
    made["review"] = _proposal(rounds["review"], member)
    made["voting"] = _proposal(rounds["voting"], member, ProposalStatus.kept)
    made["imported"] = _proposal(rounds["imported"], member, ProposalStatus.kept)
    return made


PROPOSAL_RULES = {
    # A withdrawn proposal is its proposer's only.
    "can_see_proposal": """
             proposed kept merged declined withdrawn review voting imported
anonymous    -        -    -      -        -         -      -      -
member       Y        Y    Y      Y        Y         Y      Y      Y
deputy       Y        Y    Y      Y        -         Y      Y      Y
vice_chair   Y        Y    Y      Y        -         Y      Y      Y
chair        Y        Y    Y      Y        -         Y      Y      Y
inactive     Y        Y    Y      Y        -         Y      Y      Y
school_rep   Y        Y    Y      Y        -         Y      Y      Y
clerk        Y        Y    Y      Y        -         Y      Y      Y
coordinator  Y        Y    Y      Y        -         Y      Y      Y
""",
    "is_proposer": """
             proposed kept merged declined withdrawn review voting imported
anonymous    -        -    -      -        -         -      -      -
member       Y        Y    Y      Y        Y         Y      Y      Y
deputy       -        -    -      -        -         -      -      -
vice_chair   -        -    -      -        -         -      -      -
chair        -        -    -      -        -         -      -      -
inactive     -        -    -      -        -         -      -      -
school_rep   -        -    -      -        -         -      -      -
clerk        -        -    -      -        -         -      -      -
coordinator  -        -    -      -        -         -      -      -
""",
    "can_see_decline_reason": """
             proposed kept merged declined withdrawn review voting imported
anonymous    -        -    -      -        -         -      -      -
member       Y        Y    Y      Y        Y         Y      Y      Y
deputy       -        -    -      -        -         -      -      -
vice_chair   -        -    -      -        -         -      -      -
chair        -        -    -      -        -         -      -      -
inactive     -        -    -      -        -         -      -      -
school_rep   -        -    -      -        -         -      -      -
clerk        -        -    -      -        -         -      -      -
coordinator  Y        Y    Y      Y        Y         Y      Y      Y
""",
    # The proposer, while proposing is open and the proposal is still live.
    "can_edit_proposal": """
             proposed kept merged declined withdrawn review voting imported
anonymous    -        -    -      -        -         -      -      -
member       Y        Y    -      -        -         -      -      -
deputy       -        -    -      -        -         -      -      -
vice_chair   -        -    -      -        -         -      -      -
chair        -        -    -      -        -         -      -      -
inactive     -        -    -      -        -         -      -      -
school_rep   -        -    -      -        -         -      -      -
clerk        -        -    -      -        -         -      -      -
coordinator  -        -    -      -        -         -      -      -
""",
    # The coordinator, on a live proposal, until voting opens; never in an imported round.
    "can_review_proposal": """
             proposed kept merged declined withdrawn review voting imported
anonymous    -        -    -      -        -         -      -      -
member       -        -    -      -        -         -      -      -
deputy       -        -    -      -        -         -      -      -
vice_chair   -        -    -      -        -         -      -      -
chair        -        -    -      -        -         -      -      -
inactive     -        -    -      -        -         -      -      -
school_rep   -        -    -      -        -         -      -      -
clerk        -        -    -      -        -         -      -      -
coordinator  Y        Y    -      -        -         Y      -      -
""",
}
PROPOSAL_RULES["can_withdraw_proposal"] = PROPOSAL_RULES["can_edit_proposal"]


@pytest.mark.parametrize("name", sorted(PROPOSAL_RULES))
def test_proposal_rules(users, proposals, name):
    rule = getattr(permissions, name)
    assert_table(PROPOSAL_RULES[name], users, lambda user, column: rule(user, proposals[column]))


def test_every_rule_has_a_table():
    rules = {
        name
        for name in vars(permissions)
        if name.startswith(("can_", "is_proposer"))
        and callable(getattr(permissions, name))
        and getattr(permissions, name).__module__ == permissions.__name__
    }
    assert rules == set(ROUND_RULES) | set(PROPOSAL_RULES) | {"can_create_round", "can_import_round"}


# --- The views enforce them ---------------------------------------------------------------------------------------


def test_round_edit_and_phase_change_are_refused_once_locked(client, db, world, login_as):
    voting = _round(world, "voting")
    closed = _round(world, "closed")
    db.session.commit()
    login_as("coordinator")
    response = client.submit(
        f"/safety-week/rounds/{voting.id}/edit", {"title": "Endret"}, page=f"/safety-week/rounds/{voting.id}"
    )
    assert response.status_code == 303
    db.session.refresh(voting)
    assert voting.title == "Trygghetsuka test"
    page = f"/safety-week/rounds/{closed.id}"
    response = client.submit(f"{page}/phase", {"action": "open_voting"}, page=f"/safety-week/rounds/{voting.id}")
    assert response.status_code == 303
    db.session.refresh(closed)
    assert closed.is_closed and closed.phase() == Phase.closed


def test_proposing_after_proposing_closed_shows_the_closed_page(client, db, world, login_as):
    review = _round(world, "review")
    db.session.commit()
    login_as("member")
    response = client.get(f"/safety-week/rounds/{review.id}/propose")
    assert response.status_code == 200 and 'name="title"' not in response.get_data(as_text=True)


def test_a_withdrawn_proposal_is_refused_to_others(client, db, world, login_as):
    round_ = _round(world, "proposing")
    proposal = _proposal(round_, world.users["member"], ProposalStatus.withdrawn)
    db.session.commit()
    login_as("chair")
    assert client.get(f"/safety-week/proposals/{proposal.id}").status_code == 403
    login_as("member")
    assert client.get(f"/safety-week/proposals/{proposal.id}").status_code == 200


def test_edit_and_withdraw_are_refused_after_proposing_closed(client, db, world, login_as):
    round_ = _round(world, "proposing")
    proposal = _proposal(round_, world.users["member"])
    builders.move_to(round_, "review")
    db.session.commit()
    login_as("member")
    page = f"/safety-week/proposals/{proposal.id}"
    assert "/withdraw" not in client.get(page).get_data(as_text=True)
    assert client.get(f"{page}/edit").status_code == 303
    response = client.submit(f"{page}/withdraw", page=page)
    assert response.status_code == 303 and response.headers["Location"].endswith(page)
    db.session.refresh(proposal)
    assert proposal.status == ProposalStatus.proposed
    assert "Dette forslaget kan ikke trekkes tilbake lenger." in client.get(page).get_data(as_text=True)


def test_review_is_refused_once_voting_opened(client, db, world, login_as):
    round_ = _round(world, "proposing")
    proposal = _proposal(round_, world.users["member"])
    builders.move_to(round_, "voting")
    db.session.commit()
    login_as("coordinator")
    page = f"/safety-week/proposals/{proposal.id}"
    response = client.submit(f"{page}/review", {"decision": "keep"}, page=page)
    assert response.status_code == 303
    db.session.refresh(proposal)
    assert proposal.status == ProposalStatus.proposed


def test_a_deputy_seat_gets_no_ballot(client, db, world, users):
    round_, themes = builders.voting_round(world)
    db.session.commit()
    log_in(client, users["deputy"])
    page = client.get(f"/safety-week/rounds/{round_.id}/vote").get_data(as_text=True)
    assert 'class="sw-ballot"' not in page


def test_result_and_export_wait_for_the_count(client, db, world):
    voting = _round(world, "voting")
    db.session.commit()
    assert "sw-winner" not in client.get(f"/safety-week/rounds/{voting.id}/result").get_data(as_text=True)
    assert client.get(f"/safety-week/rounds/{voting.id}/export").status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ThemeRound)) == 1


def test_the_home_panel_asks_can_propose_so_a_full_hand_gets_no_propose_button(client, db, world, login_as):
    round_ = _round(world, "proposing")
    db.session.commit()
    login_as("member")
    propose = f"/safety-week/rounds/{round_.id}/propose"
    assert propose in client.get("/home").get_data(as_text=True)
    for i in range(PROPOSALS_PER_MEMBER):
        _proposal(round_, world.users["member"], slot=i + 1)
    db.session.commit()
    assert propose not in client.get("/home").get_data(as_text=True)
