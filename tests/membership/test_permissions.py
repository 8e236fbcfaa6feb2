"""Every rule in youthcouncil/membership/permissions.py across roles × the states of a term, a nomination and a
membership, then one HTTP check per rule that its view enforces it (tests/test_access_matrix.py checks only the
roles a view admits).

"school_rep" represents the first school ("own"); "other" columns are the second school. Tables: Y = allowed,
- = refused (tests/roles.py).
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.factories import make_member
from tests.membership.builders import make_nomination, make_open_term
from tests.roles import ONLY_COORDINATOR, assert_table, past_term, role_users
from youthcouncil.db import utcnow
from youthcouncil.extensions import db
from youthcouncil.membership import permissions
from youthcouncil.membership.models import Membership, Nomination, NominationStatus


@pytest.fixture
def users(world):
    return role_users(world)


USER_RULES = {
    "can_manage_schools": ONLY_COORDINATOR,
    "can_manage_terms": ONLY_COORDINATOR,
    "can_read_audit_log": ONLY_COORDINATOR,
    # Every seat, the clerks and the coordinator; the public sees the public roster only.
    "can_see_full_roster": """
             any
anonymous    -
member       Y
deputy       Y
vice_chair   Y
chair        Y
inactive     -
school_rep   -
clerk        Y
other_clerk  Y
coordinator  Y
""",
}


@pytest.mark.parametrize("name", sorted(USER_RULES))
def test_user_rules(users, name):
    rule = getattr(permissions, name)
    assert_table(USER_RULES[name], users, lambda user, column: rule(user))


SCHOOL_RULES = {
    "can_view_school_nominations": """
             own other
anonymous    -   -
member       -   -
deputy       -   -
chair        -   -
school_rep   Y   -
clerk        -   -
coordinator  Y   Y
""",
    "can_nominate": """
             own other
anonymous    -   -
member       -   -
deputy       -   -
chair        -   -
school_rep   Y   -
clerk        -   -
coordinator  -   -
""",
    "can_print_sheets": """
             own other
anonymous    -   -
member       -   -
deputy       -   -
chair        -   -
school_rep   -   -
clerk        -   -
coordinator  Y   Y
""",
}


@pytest.mark.parametrize("name", sorted(SCHOOL_RULES))
def test_school_rules(users, world, name):
    rule = getattr(permissions, name)
    schools = {"own": world.schools[0], "other": world.schools[1]}
    assert_table(SCHOOL_RULES[name], users, lambda user, column: rule(user, schools[column]))


NOMINATION_COLUMNS = ("pending", "approved", "rejected", "withdrawn", "consent_recorded", "no_consent", "other")


@pytest.fixture
def nominations(world):
    """Nominations in each state (all of children needing a guardian's consent, except "no_consent"); "other" is a
    pending one from the second school. Objects in memory: the rules read only their fields."""
    own, other = world.schools

    def nomination(school=own, status=NominationStatus.pending, needs_consent=True, recorded=False):
        return Nomination(
            school=school,
            status=status,
            needs_consent=needs_consent,
            consent_recorded_at=utcnow() if recorded else None,
        )

    return {
        "pending": nomination(),
        "approved": nomination(status=NominationStatus.approved),
        "rejected": nomination(status=NominationStatus.rejected),
        "withdrawn": nomination(status=NominationStatus.withdrawn),
        "consent_recorded": nomination(recorded=True),
        "no_consent": nomination(needs_consent=False),
        "other": nomination(school=other),
    }


NOMINATION_RULES = {
    # Edit or withdraw: the school's own rep, until the coordinator has decided.
    "can_change_nomination": """
             pending approved rejected withdrawn consent_recorded no_consent other
anonymous    -       -        -        -         -                -          -
member       -       -        -        -         -                -          -
chair        -       -        -        -         -                -          -
school_rep   Y       -        -        -         Y                Y          -
clerk        -       -        -        -         -                -          -
coordinator  -       -        -        -         -                -          -
""",
    "can_review_nomination": """
             pending approved rejected withdrawn consent_recorded no_consent other
anonymous    -       -        -        -         -                -          -
member       -       -        -        -         -                -          -
chair        -       -        -        -         -                -          -
school_rep   -       -        -        -         -                -          -
clerk        -       -        -        -         -                -          -
coordinator  Y       -        -        -         Y                Y          Y
""",
    # Once, for a child who needs it, while the nomination is pending or approved.
    "can_record_consent": """
             pending approved rejected withdrawn consent_recorded no_consent other
anonymous    -       -        -        -         -                -          -
member       -       -        -        -         -                -          -
chair        -       -        -        -         -                -          -
school_rep   Y       Y        -        -         -                -          -
clerk        -       -        -        -         -                -          -
coordinator  Y       Y        -        -         -                -          Y
""",
}


@pytest.mark.parametrize("name", sorted(NOMINATION_RULES))
def test_nomination_rules(users, nominations, name):
    rule = getattr(permissions, name)
    assert_table(NOMINATION_RULES[name], users, lambda user, column: rule(user, nominations[column]))


@pytest.fixture
def terms(world):
    closed = past_term()
    closed.closed_at = utcnow()
    db.session.flush()
    return {"current": world.term, "next": make_open_term(), "closed": closed}


def test_can_close_term(users, terms):
    table = """
             current next closed
anonymous    -       -    -
member       -       -    -
chair        -       -    -
school_rep   -       -    -
clerk        -       -    -
coordinator  Y       Y    -
"""
    assert_table(table, users, lambda user, column: permissions.can_close_term(user, terms[column]))


def test_can_set_office(users, terms, world):
    def membership_of(user):
        return db.session.scalars(sa.select(Membership).where(Membership.user_id == user.id)).one()

    memberships = {
        "active": membership_of(users["member"]),
        "ended": membership_of(users["inactive"]),
        "closed_term": membership_of(make_member(terms["closed"], world.schools[0], first_name="Gammel")),
    }
    table = """
             active ended closed_term
anonymous    -      -     -
member       -      -     -
chair        -      -     -
school_rep   -      -     -
clerk        -      -     -
coordinator  Y      -     -
"""
    assert_table(table, users, lambda user, column: permissions.can_set_office(user, memberships[column]))


def test_every_rule_has_a_table():
    rules = {
        name
        for name, value in vars(permissions).items()
        if name.startswith("can_") and callable(value) and value.__module__ == permissions.__name__
    }
    tabled = set(USER_RULES) | set(SCHOOL_RULES) | set(NOMINATION_RULES) | {"can_close_term", "can_set_office"}
    assert rules == tabled


# --- The views enforce them ---------------------------------------------------------------------------------------


def test_a_rep_cannot_reach_another_schools_nominations(client, db, world, login_as):
    term = make_open_term()
    other = make_nomination(term, world.schools[1], world.coordinator)
    db.session.commit()
    login_as("school_rep")
    base = f"/membership/terms/{term.id}/schools/{world.schools[1].id}"
    assert client.get(base).status_code == 403  # can_view_school_nominations
    assert client.get(f"{base}/nominate").status_code == 403  # can_nominate
    assert client.get(f"/membership/nominations/{other.id}/edit").status_code == 403  # can_change_nomination
    assert client.get(f"/membership/nominations/{other.id}/consent").status_code == 403  # can_record_consent
    own = f"/membership/terms/{term.id}/schools/{world.schools[0].id}"
    assert client.get(own).status_code == 200 and client.get(f"{own}/nominate").status_code == 200


def test_a_decided_nomination_is_not_changed_or_reviewed_again(client, db, world, login_as):
    from youthcouncil.membership.nominations import approve_nomination

    term = make_open_term()
    nomination = make_nomination(term, world.schools[0], world.users["school_rep"])
    approve_nomination(nomination, by=world.coordinator)
    db.session.commit()
    page = f"/membership/terms/{term.id}/schools/{world.schools[0].id}"
    login_as("school_rep")
    # can_change_nomination: the decided nomination stays as it is, with a word why.
    response = client.submit(f"/membership/nominations/{nomination.id}/withdraw", page=page)
    assert response.status_code == 303 and response.headers["Location"].endswith(page)
    assert client.get(f"/membership/nominations/{nomination.id}/edit").status_code == 303
    login_as("coordinator")
    # can_review_nomination: not approved twice, not rejected after approval.
    response = client.submit(f"/membership/nominations/{nomination.id}/approve", page=page)
    assert response.status_code == 303
    assert client.get(f"/membership/nominations/{nomination.id}/reject").status_code == 303
    db.session.expire_all()
    nomination = db.session.get(Nomination, nomination.id)
    assert nomination.status == NominationStatus.approved


def test_a_closed_term_is_not_closed_again_and_its_offices_are_fixed(client, db, world, login_as, terms):
    old = make_member(terms["closed"], world.schools[0], first_name="Gammel")
    db.session.commit()
    membership = db.session.scalars(sa.select(Membership).where(Membership.user_id == old.id)).one()
    login_as("coordinator")
    page = f"/membership/terms/{terms['closed'].id}"
    assert "/close" not in client.get(page).get_data(as_text=True)
    assert client.submit(f"{page}/close", page=page).status_code == 403  # can_close_term
    office = f"/membership/memberships/{membership.id}/office"
    response = client.submit(office, {"office": "chair"}, page="/membership/roster")
    assert response.status_code == 403  # can_set_office


def test_consent_is_not_recorded_where_none_is_needed(client, db, world, login_as):
    term = make_open_term()
    nomination = make_nomination(term, world.schools[0], world.users["school_rep"], age=16)
    db.session.commit()
    assert not nomination.needs_consent
    login_as("school_rep")
    page = f"/membership/terms/{term.id}/schools/{world.schools[0].id}"
    assert f"/membership/nominations/{nomination.id}/consent" not in client.get(page).get_data(as_text=True)
    response = client.get(f"/membership/nominations/{nomination.id}/consent")  # can_record_consent
    assert response.status_code == 303 and response.headers["Location"].endswith(page)
    db.session.refresh(nomination)
    assert nomination.consent_recorded_at is None
