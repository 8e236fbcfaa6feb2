"""Every rule in youthcouncil/budget/permissions.py across roles × budget-year phases, then one HTTP check per rule
that its view enforces it (where tests/test_access_matrix.py, which checks only the roles a view admits, does not).

Tables: Y = allowed, - = refused (tests/roles.py). Columns are the year's phases; "imported" is a past round read
from a .pb file (its phase is "decided").
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.budget.builders import make_event, make_year
from tests.roles import ONLY_COORDINATOR, assert_table, role_users
from youthcouncil.budget import permissions
from youthcouncil.budget.ledger import request_grant
from youthcouncil.budget.models import BudgetYear, Event, Grant, GrantRequest, Phase, RequestStatus
from youthcouncil.db import utcnow
from youthcouncil.extensions import db

PHASES = ("upcoming", "proposing", "feasibility", "voting", "voting_ended", "counted", "decided", "imported")


def _year(column: str) -> BudgetYear:
    if column in ("counted", "decided"):
        year = make_year(Phase.voting_ended, name=column)
        year.closed_at = utcnow() - timedelta(hours=1)
        if column == "decided":
            year.confirmed_at = utcnow()
    elif column == "imported":
        year = make_year(Phase.voting_ended, name=column, imported=True)
    else:
        year = make_year(Phase(column), name=column)
    db.session.flush()
    assert year.phase() == (Phase.decided if column == "imported" else Phase(column))
    return year


@pytest.fixture
def users(world):
    return role_users(world)


@pytest.fixture
def years(db, world):
    return {column: _year(column) for column in PHASES}


@pytest.fixture
def events(years, world):
    """One event per phase, proposed by the member."""
    return {column: make_event(year, proposer=world.users["member"]) for column, year in years.items()}


def _by_year(rule, years):
    return lambda user, column: rule(user, years[column])


def _by_event(rule, events):
    return lambda user, column: rule(user, events[column])


def _user_only(rule):
    return lambda user, column: rule(user)


# --- Rules about the user only -------------------------------------------------------------------------------


COUNCIL = """
             any
anonymous    -
member       Y
deputy       Y
vice_chair   Y
chair        Y
inactive     -
school_rep   -
clerk        -
coordinator  Y
"""

VOTERS = """
             any
anonymous    -
member       Y
deputy       -
vice_chair   Y
chair        Y
inactive     -
school_rep   -
clerk        -
coordinator  -
"""


@pytest.mark.parametrize(
    ("rule", "table"),
    [
        (permissions.can_manage_budget, ONLY_COORDINATOR),
        (permissions.can_import_round, ONLY_COORDINATOR),
        (permissions.can_propose_on_behalf, ONLY_COORDINATOR),
        (permissions.can_view_budget, COUNCIL),
        (permissions.can_cast_ballot, VOTERS),
    ],
    ids=lambda value: getattr(value, "__name__", ""),
)
def test_user_rules(users, rule, table):
    assert_table(table, users, _user_only(rule))


# --- Rules about a year, by phase --------------------------------------------------------------------------------

YEAR_RULES = {
    "can_edit_year": """
             upcoming proposing feasibility voting voting_ended counted decided imported
anonymous    -        -         -           -      -            -       -       -
member       -        -         -           -      -            -       -       -
deputy       -        -         -           -      -            -       -       -
vice_chair   -        -         -           -      -            -       -       -
chair        -        -         -           -      -            -       -       -
inactive     -        -         -           -      -            -       -       -
school_rep   -        -         -           -      -            -       -       -
clerk        -        -         -           -      -            -       -       -
coordinator  Y        Y         Y           Y      Y            -       -       -
""",
    # The phase buttons: the coordinator, until the vote is counted (the service says which step fits now).
    "can_change_phase": """
             upcoming proposing feasibility voting voting_ended counted decided imported
anonymous    -        -         -           -      -            -       -       -
member       -        -         -           -      -            -       -       -
deputy       -        -         -           -      -            -       -       -
vice_chair   -        -         -           -      -            -       -       -
chair        -        -         -           -      -            -       -       -
inactive     -        -         -           -      -            -       -       -
school_rep   -        -         -           -      -            -       -       -
clerk        -        -         -           -      -            -       -       -
coordinator  Y        Y         Y           Y      Y            -       -       -
""",
    "can_propose_event": """
             upcoming proposing feasibility voting voting_ended counted decided imported
anonymous    -        -         -           -      -            -       -       -
member       -        Y         -           -      -            -       -       -
deputy       -        Y         -           -      -            -       -       -
vice_chair   -        Y         -           -      -            -       -       -
chair        -        Y         -           -      -            -       -       -
inactive     -        -         -           -      -            -       -       -
school_rep   -        -         -           -      -            -       -       -
clerk        -        -         -           -      -            -       -       -
coordinator  -        Y         -           -      -            -       -       -
""",
    # A deputy seat has no vote; the coordinator runs the vote but does not vote.
    "can_vote": """
             upcoming proposing feasibility voting voting_ended counted decided imported
anonymous    -        -         -           -      -            -       -       -
member       -        -         -           Y      -            -       -       -
deputy       -        -         -           -      -            -       -       -
vice_chair   -        -         -           Y      -            -       -       -
chair        -        -         -           Y      -            -       -       -
inactive     -        -         -           -      -            -       -       -
school_rep   -        -         -           -      -            -       -       -
clerk        -        -         -           -      -            -       -       -
coordinator  -        -         -           -      -            -       -       -
""",
    "can_see_turnout": """
             upcoming proposing feasibility voting voting_ended counted decided imported
anonymous    -        -         -           -      -            -       -       -
member       -        -         -           -      -            -       -       -
deputy       -        -         -           -      -            -       -       -
vice_chair   -        -         -           -      -            -       -       -
chair        -        -         -           -      -            -       -       -
inactive     -        -         -           -      -            -       -       -
school_rep   -        -         -           -      -            -       -       -
clerk        -        -         -           -      -            -       -       -
coordinator  -        -         -           Y      Y            -       -       -
""",
    "can_close_year": """
             upcoming proposing feasibility voting voting_ended counted decided imported
anonymous    -        -         -           -      -            -       -       -
member       -        -         -           -      -            -       -       -
deputy       -        -         -           -      -            -       -       -
vice_chair   -        -         -           -      -            -       -       -
chair        -        -         -           -      -            -       -       -
inactive     -        -         -           -      -            -       -       -
school_rep   -        -         -           -      -            -       -       -
clerk        -        -         -           -      -            -       -       -
coordinator  -        -         -           -      Y            -       -       -
""",
    # The chair and the vice chair (nestleder) confirm; the coordinator does not.
    "can_confirm_outcome": """
             upcoming proposing feasibility voting voting_ended counted decided imported
anonymous    -        -         -           -      -            -       -       -
member       -        -         -           -      -            -       -       -
deputy       -        -         -           -      -            -       -       -
vice_chair   -        -         -           -      -            Y       -       -
chair        -        -         -           -      -            Y       -       -
inactive     -        -         -           -      -            -       -       -
school_rep   -        -         -           -      -            -       -       -
clerk        -        -         -           -      -            -       -       -
coordinator  -        -         -           -      -            -       -       -
""",
    # Results and the .pb file are public once counted.
    "can_view_result": """
             upcoming proposing feasibility voting voting_ended counted decided imported
anonymous    -        -         -           -      -            Y       Y       Y
member       -        -         -           -      -            Y       Y       Y
deputy       -        -         -           -      -            Y       Y       Y
vice_chair   -        -         -           -      -            Y       Y       Y
chair        -        -         -           -      -            Y       Y       Y
inactive     -        -         -           -      -            Y       Y       Y
school_rep   -        -         -           -      -            Y       Y       Y
clerk        -        -         -           -      -            Y       Y       Y
coordinator  -        -         -           -      -            Y       Y       Y
""",
    "can_export_year": """
             upcoming proposing feasibility voting voting_ended counted decided imported
anonymous    -        -         -           -      -            Y       Y       Y
member       -        -         -           -      -            Y       Y       Y
deputy       -        -         -           -      -            Y       Y       Y
vice_chair   -        -         -           -      -            Y       Y       Y
chair        -        -         -           -      -            Y       Y       Y
inactive     -        -         -           -      -            Y       Y       Y
school_rep   -        -         -           -      -            Y       Y       Y
clerk        -        -         -           -      -            Y       Y       Y
coordinator  -        -         -           -      -            Y       Y       Y
""",
    # Spending is public once the outcome is confirmed (or the round imported).
    "can_download_spending": """
             upcoming proposing feasibility voting voting_ended counted decided imported
anonymous    -        -         -           -      -            -       Y       Y
member       -        -         -           -      -            -       Y       Y
deputy       -        -         -           -      -            -       Y       Y
vice_chair   -        -         -           -      -            -       Y       Y
chair        -        -         -           -      -            -       Y       Y
inactive     -        -         -           -      -            -       Y       Y
school_rep   -        -         -           -      -            -       Y       Y
clerk        -        -         -           -      -            -       Y       Y
coordinator  -        -         -           -      -            -       Y       Y
""",
    # Mid-year requests: members (any seat) of a confirmed year that has money left; not for an imported round.
    "can_request_grant": """
             upcoming proposing feasibility voting voting_ended counted decided imported
anonymous    -        -         -           -      -            -       -       -
member       -        -         -           -      -            -       Y       -
deputy       -        -         -           -      -            -       Y       -
vice_chair   -        -         -           -      -            -       Y       -
chair        -        -         -           -      -            -       Y       -
inactive     -        -         -           -      -            -       -       -
school_rep   -        -         -           -      -            -       -       -
clerk        -        -         -           -      -            -       -       -
coordinator  -        -         -           -      -            -       -       -
""",
}


@pytest.mark.parametrize("name", sorted(YEAR_RULES))
def test_year_rules(users, years, name):
    assert_table(YEAR_RULES[name], users, _by_year(getattr(permissions, name), years))


def test_no_grant_request_when_the_money_is_gone(users, years):
    year = years["decided"]
    year.total = 0
    refused = YEAR_RULES["can_request_grant"].replace(" Y ", " - ")
    assert_table(refused, users, _by_year(permissions.can_request_grant, years), one_sided=True)


# --- Rules about an event, by its year's phase ---------------------------------------------------------------------

EVENT_RULES = {
    "can_view_event": """
             upcoming proposing feasibility voting voting_ended counted decided imported
anonymous    -        -         -           -      -            -       -       -
member       Y        Y         Y           Y      Y            Y       Y       Y
deputy       Y        Y         Y           Y      Y            Y       Y       Y
vice_chair   Y        Y         Y           Y      Y            Y       Y       Y
chair        Y        Y         Y           Y      Y            Y       Y       Y
inactive     -        -         -           -      -            -       -       -
school_rep   -        -         -           -      -            -       -       -
clerk        -        -         -           -      -            -       -       -
coordinator  Y        Y         Y           Y      Y            Y       Y       Y
""",
    "can_check_event": """
             upcoming proposing feasibility voting voting_ended counted decided imported
anonymous    -        -         -           -      -            -       -       -
member       -        -         -           -      -            -       -       -
deputy       -        -         -           -      -            -       -       -
vice_chair   -        -         -           -      -            -       -       -
chair        -        -         -           -      -            -       -       -
inactive     -        -         -           -      -            -       -       -
school_rep   -        -         -           -      -            -       -       -
clerk        -        -         -           -      -            -       -       -
coordinator  -        Y         Y           -      -            -       -       -
""",
    # The events in this table were proposed by "member".
    "can_see_feasibility_note": """
             upcoming proposing feasibility voting voting_ended counted decided imported
anonymous    -        -         -           -      -            -       -       -
member       Y        Y         Y           Y      Y            Y       Y       Y
deputy       -        -         -           -      -            -       -       -
vice_chair   -        -         -           -      -            -       -       -
chair        -        -         -           -      -            -       -       -
inactive     -        -         -           -      -            -       -       -
school_rep   -        -         -           -      -            -       -       -
clerk        -        -         -           -      -            -       -       -
coordinator  Y        Y         Y           Y      Y            Y       Y       Y
""",
}


@pytest.mark.parametrize("name", sorted(EVENT_RULES))
def test_event_rules(users, events, name):
    assert_table(EVENT_RULES[name], users, _by_event(getattr(permissions, name), events))


def test_a_mid_year_event_is_not_checked_like_a_proposal(users, events):
    for event in events.values():
        event.mid_year = True
    refused = EVENT_RULES["can_check_event"].replace(" Y ", " - ").replace(" Y\n", " -\n")
    assert_table(refused, users, _by_event(permissions.can_check_event, events), one_sided=True)


# --- Rules about a grant and a mid-year request ---------------------------------------------------------------------

GRANT_RULES = {
    "can_record_spending": ONLY_COORDINATOR,
}

# Opening the council's vote is motions' rule (youthcouncil/motions/permissions.py can_open_motion): the chair and
# the vice chair, not the coordinator; and only for a request not yet with the council.
REQUEST_TABLE = """
             proposed voting adopted rejected no_money
anonymous    -        -      -       -        -
member       -        -      -       -        -
deputy       -        -      -       -        -
vice_chair   Y        -      -       -        -
chair        Y        -      -       -        -
inactive     -        -      -       -        -
school_rep   -        -      -       -        -
clerk        -        -      -       -        -
coordinator  Y        -      -       -        -
"""


def test_record_spending(users, world):
    grant = Grant()
    assert_table(ONLY_COORDINATOR, users, lambda user, column: permissions.can_record_spending(user, grant))


def test_put_request_to_vote(users):
    requests = {status.value: GrantRequest(status=status) for status in RequestStatus}
    assert_table(REQUEST_TABLE, users, lambda user, column: permissions.can_put_request_to_vote(user, requests[column]))


def test_every_rule_has_a_table():
    tabled = (
        set(YEAR_RULES)
        | set(EVENT_RULES)
        | set(GRANT_RULES)
        | {
            "can_manage_budget",
            "can_import_round",
            "can_propose_on_behalf",
            "can_view_budget",
            "can_cast_ballot",
            "can_put_request_to_vote",
        }
    )
    rules = {name for name in vars(permissions) if name.startswith("can_") and callable(getattr(permissions, name))}
    rules -= {"can_open_motion"}  # imported from motions, tested there
    assert rules == tabled


# --- The views enforce them ---------------------------------------------------------------------------------------


def _phase_year(db, phase: str) -> BudgetYear:
    year = _year(phase)
    db.session.commit()
    return year


def test_edit_year_is_refused_once_closed(client, db, world, login_as):
    year = _phase_year(db, "counted")
    login_as("coordinator")
    assert client.get(f"/budget/years/{year.id}/edit").status_code == 403


def test_event_check_is_refused_after_the_feasibility_phase(client, db, world, login_as):
    year = _phase_year(db, "voting")
    event = make_event(year, proposer=world.users["member"])
    db.session.commit()
    login_as("coordinator")
    assert client.get(f"/budget/events/{event.id}/check").status_code == 403


def test_event_page_is_refused_to_a_school_rep(client, db, world, login_as):
    # The role gate admits the council only; the rule says the same (tests/test_access_matrix.py covers the gate).
    year = _phase_year(db, "proposing")
    event = make_event(year)
    db.session.commit()
    login_as("school_rep")
    assert client.get(f"/budget/events/{event.id}").status_code == 403


def test_proposing_outside_the_proposing_phase_goes_back_to_the_year(client, db, world, login_as):
    year = _phase_year(db, "voting")
    login_as("member")
    response = client.get(f"/budget/years/{year.id}/propose")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/budget/years/{year.id}")


def test_a_deputy_seat_cannot_reach_or_use_the_ballot(client, db, world, login_as, users):
    year = _phase_year(db, "voting")
    event = make_event(year)
    db.session.commit()
    from tests.conftest import log_in

    log_in(client, users["deputy"])
    assert client.get(f"/budget/years/{year.id}/vote").status_code == 403
    page = f"/budget/years/{year.id}"
    for action in ("save", "submit"):
        response = client.submit(f"/budget/years/{year.id}/vote/{action}", {"event": str(event.id)}, page=page)
        assert response.status_code == 403


def test_the_vote_page_outside_voting_goes_back_to_the_year(client, db, world, login_as):
    year = _phase_year(db, "feasibility")
    login_as("member")
    response = client.get(f"/budget/years/{year.id}/vote")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/budget/years/{year.id}")


def test_confirming_before_the_count_is_refused_and_changes_nothing(client, db, world, login_as):
    year = _phase_year(db, "voting_ended")
    login_as("chair")
    response = client.submit(f"/budget/years/{year.id}/confirm", page=f"/budget/years/{year.id}")
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(BudgetYear, year.id).confirmed_at is None


def test_result_csv_and_pb_wait_for_the_count(client, db, world):
    voting = _phase_year(db, "voting")
    counted = _phase_year(db, "counted")
    assert client.get(f"/budget/years/{voting.id}/result").status_code == 404
    assert client.get(f"/budget/years/{voting.id}/round.pb").status_code == 404
    assert client.get(f"/budget/years/{counted.id}/round.pb").status_code == 200
    assert client.get(f"/budget/years/{counted.id}/spending.csv").status_code == 404


def test_grant_request_is_refused_before_the_outcome_is_confirmed(client, db, world, login_as):
    year = _phase_year(db, "counted")
    login_as("member")
    assert client.get(f"/budget/years/{year.id}/requests/new").status_code == 403


def test_the_chair_or_the_coordinator_puts_a_request_to_the_vote_and_only_once(client, db, world, login_as):
    from tests.budget.builders import decided_year

    year, _events = decided_year(world)
    grant_request = request_grant(
        year, proposer=world.users["member"], title="Vinterfest", description="", amount=1_000, month=1
    )
    db.session.commit()
    ledger = f"/budget/years/{year.id}/ledger"
    login_as("member")
    assert client.submit(f"/budget/requests/{grant_request.id}/to-vote", page=ledger).status_code == 403
    login_as("chair")
    assert client.submit(f"/budget/requests/{grant_request.id}/to-vote", page=ledger).status_code == 303
    assert client.submit(f"/budget/requests/{grant_request.id}/to-vote", page=ledger).status_code == 403
    assert db.session.scalars(sa.select(GrantRequest.status)).one() == RequestStatus.voting
    login_as("coordinator")
    assert client.submit(f"/budget/requests/{grant_request.id}/to-vote", page=ledger).status_code == 403


def test_pages_show_controls_by_the_rules(client, db, world, login_as):
    """The year page asks the rules: the member sees "propose", the coordinator "change" and the turnout."""
    proposing = _phase_year(db, "proposing")
    ended = _phase_year(db, "voting_ended")
    login_as("member")
    page = client.get(f"/budget/years/{proposing.id}").get_data(as_text=True)
    assert f"/budget/years/{proposing.id}/propose" in page and f"/budget/years/{proposing.id}/edit" not in page
    page = client.get(f"/budget/years/{ended.id}").get_data(as_text=True)
    assert 'id="phase-buttons"' not in page and "har sendt inn stemme" not in page
    login_as("coordinator")
    page = client.get(f"/budget/years/{ended.id}").get_data(as_text=True)
    # Closing and counting is a phase button now (it asks first): can_change_phase shows it.
    assert f"/budget/years/{ended.id}/phase" in page and 'value="end_voting"' in page
    assert f"/budget/years/{ended.id}/edit" in page
    assert "har sendt inn stemme" in page


def test_feasibility_note_is_for_the_proposer_and_the_coordinator(client, db, world, login_as):
    year = _phase_year(db, "feasibility")
    event = make_event(year, proposer=world.users["member"], feasibility_note="For dyrt: buss koster mer.")
    db.session.commit()
    for role, shown in (("member", True), ("chair", False), ("coordinator", True)):
        login_as(role)
        page = client.get(f"/budget/events/{event.id}").get_data(as_text=True)
        assert ("For dyrt" in page) is shown, role
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == 1
