"""Every rule in youthcouncil/motions/permissions.py across roles × motion states, then one HTTP check per rule that
its view enforces it (tests/test_access_matrix.py checks only the roles a view admits).

Tables: Y = allowed, - = refused (tests/roles.py). Columns are motion states: open (named), open_secret, closed by
phone, closed by a hand count, cancelled, and "past_term": open, but in a term that is no longer the current one.
"""

from __future__ import annotations

import pytest

from tests.conftest import log_in
from tests.motions.builders import make_motion
from tests.roles import assert_table, past_term, role_users
from youthcouncil.motions import permissions, services

STATES = ("open", "open_secret", "closed_phone", "closed_hand", "cancelled", "past_term")


@pytest.fixture
def users(world):
    return role_users(world)


@pytest.fixture
def motions(db, world, users):
    made = {state: make_motion(world, title=f"Sak {state}", secret=state == "open_secret") for state in STATES}
    services.close_motion(made["closed_phone"], by=world.chair)
    services.record_hand_count(made["closed_hand"], yes=3, no=1, abstain=0, present=4, by=world.chair)
    services.cancel_motion(made["cancelled"], by=world.chair)
    past = past_term()
    made["past_term"].term_id = past.id
    db.session.flush()
    db.session.expire_all()
    return made


def _by_motion(rule, motions):
    return lambda user, column: rule(user, motions[column])


RULES = {
    # Closed motions are public; open and cancelled ones are for the council (any seat) and the coordinator.
    "can_see_motion": """
             open open_secret closed_phone closed_hand cancelled past_term
anonymous    -    -           Y            Y           -         -
member       Y    Y           Y            Y           Y         Y
deputy       Y    Y           Y            Y           Y         Y
vice_chair   Y    Y           Y            Y           Y         Y
chair        Y    Y           Y            Y           Y         Y
inactive     -    -           Y            Y           -         -
school_rep   -    -           Y            Y           -         -
clerk        -    -           Y            Y           -         -
coordinator  Y    Y           Y            Y           Y         Y
""",
    # The current term's voting members (not a deputy seat, not the coordinator), while the motion is open.
    "can_vote_on_motion": """
             open open_secret closed_phone closed_hand cancelled past_term
anonymous    -    -           -            -           -         -
member       Y    Y           -            -           -         -
deputy       -    -           -            -           -         -
vice_chair   Y    Y           -            -           -         -
chair        Y    Y           -            -           -         -
inactive     -    -           -            -           -         -
school_rep   -    -           -            -           -         -
clerk        -    -           -            -           -         -
coordinator  -    -           -            -           -         -
""",
    # Close, cancel, hand count: the chair or the vice chair of the current term; never the coordinator.
    "can_manage_motion": """
             open open_secret closed_phone closed_hand cancelled past_term
anonymous    -    -           -            -           -         -
member       -    -           -            -           -         -
deputy       -    -           -            -           -         -
vice_chair   Y    Y           -            -           -         -
chair        Y    Y           -            -           -         -
inactive     -    -           -            -           -         -
school_rep   -    -           -            -           -         -
clerk        -    -           -            -           -         -
coordinator  -    -           -            -           -         -
""",
    # Who voted what: never in a secret vote or a cancelled one; a hand count has no names; logged-in users only.
    "can_see_votes": """
             open open_secret closed_phone closed_hand cancelled past_term
anonymous    -    -           -            -           -         -
member       Y    -           Y            -           -         Y
deputy       Y    -           Y            -           -         Y
vice_chair   Y    -           Y            -           -         Y
chair        Y    -           Y            -           -         Y
inactive     -    -           Y            -           -         -
school_rep   -    -           Y            -           -         -
clerk        -    -           Y            -           -         -
coordinator  Y    -           Y            -           -         Y
""",
}

CAN_OPEN_MOTION = """
             any
anonymous    -
member       -
deputy       -
vice_chair   Y
chair        Y
inactive     -
school_rep   -
clerk        -
coordinator  -
"""


@pytest.mark.parametrize("name", sorted(RULES))
def test_motion_rules(users, motions, name):
    assert_table(RULES[name], users, _by_motion(getattr(permissions, name), motions))


def test_can_open_motion(users):
    assert_table(CAN_OPEN_MOTION, users, lambda user, column: permissions.can_open_motion(user))


def test_a_subject_that_hides_its_motion_hides_it_from_everyone(users, motions, monkeypatch):
    monkeypatch.setattr(permissions, "subject_allows", lambda user, motion: False)
    nobody = RULES["can_see_motion"].replace(" Y", " -")
    assert_table(nobody, users, _by_motion(permissions.can_see_motion, motions), one_sided=True)


def test_every_rule_has_a_table():
    rules = {name for name in vars(permissions) if name.startswith("can_") and callable(getattr(permissions, name))}
    assert rules == set(RULES) | {"can_open_motion"}


# --- The views enforce them ---------------------------------------------------------------------------------------


def test_an_open_motion_is_not_shown_to_a_clerk_and_asks_the_public_to_log_in(client, db, world, login_as):
    motion = make_motion(world)
    db.session.commit()
    assert client.get(f"/motions/{motion.id}").status_code == 302
    login_as("clerk")
    assert client.get(f"/motions/{motion.id}").status_code == 403


def test_a_deputy_seat_cannot_vote(client, db, world, users):
    motion = make_motion(world)
    db.session.commit()
    log_in(client, users["deputy"])
    page = f"/motions/{motion.id}"
    assert 'name="choice"' not in client.get(page).get_data(as_text=True)
    response = client.submit(f"/motions/{motion.id}/vote", {"choice": "yes"}, page=page)
    assert response.status_code == 403
    assert services.voted_count(motion) == 0


def test_the_chair_of_another_term_cannot_manage_its_motion(client, db, world, login_as):
    motion = make_motion(world)
    past = past_term()
    motion.term_id = past.id
    db.session.commit()
    login_as("chair")
    page = f"/motions/{motion.id}"
    assert "/close" not in client.get(page).get_data(as_text=True)
    for action in ("close", "cancel"):
        assert client.submit(f"/motions/{motion.id}/{action}", page=page).status_code == 403
    assert client.get(f"/motions/{motion.id}/hand-count").status_code == 403
    db.session.refresh(motion)
    assert motion.is_open


def test_names_of_a_named_vote_are_for_logged_in_users_only(client, db, world, login_as):
    from tests.motions.builders import vote

    motion = make_motion(world)
    vote(motion, world.users["member"], "yes")
    services.close_motion(motion, by=world.chair)
    db.session.commit()
    assert "Mia" not in client.get(f"/motions/{motion.id}").get_data(as_text=True)
    login_as("clerk")
    assert "Mia" in client.get(f"/motions/{motion.id}").get_data(as_text=True)
