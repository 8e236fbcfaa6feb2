"""Every rule in youthcouncil/accounts/permissions.py across roles × whose account / which provider, then the HTTP
checks that the views enforce them.

HTTP checks that live elsewhere: can_issue_code_for (tests/accounts/test_activation.py, one's own code: 403),
can_disconnect_identity (tests/accounts/test_oidc.py test_only_coordinators_disconnect_and_not_their_own),
can_connect_identity and can_take_email_from_provider (tests/accounts/test_oidc.py: 403 for the wrong kind of
account); can_manage_accounts is the role gate tests/test_access_matrix.py checks. Tables: Y = allowed, - = refused
(tests/roles.py).
"""

from __future__ import annotations

import pytest

from tests.roles import ONLY_COORDINATOR, assert_table, role_users
from youthcouncil.accounts import permissions
from youthcouncil.accounts.models import AccountType
from youthcouncil.accounts.oidc import Provider


@pytest.fixture
def users(world):
    return role_users(world)


ADULTS = """
             any
anonymous    -
member       -
deputy       -
vice_chair   -
chair        -
inactive     -
school_rep   -
clerk        Y
other_clerk  Y
coordinator  Y
"""

USER_RULES = {
    "can_manage_accounts": ONLY_COORDINATOR,
    # Their own e-mail address for reminders: adults only.
    "can_set_own_email": ADULTS,
    # Only adults have an e-mail address here.
    "can_take_email_from_provider": """
             any
anonymous    -
member       -
deputy       -
vice_chair   -
chair        -
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


# Coordinators act on other people's accounts; nobody resets, deactivates or disconnects their own this way.
SOMEONE_ELSE = """
             someone_else own
anonymous    -            -
member       -            -
deputy       -            -
chair        -            -
school_rep   -            -
clerk        -            -
coordinator  Y            -
"""
ACCOUNT_RULES = ("can_issue_code_for", "can_change_active", "can_disconnect_identity")


@pytest.mark.parametrize("name", ACCOUNT_RULES)
def test_account_rules(users, name):
    rule = getattr(permissions, name)
    someone = users["member"]

    def decide(user, column):
        own = column == "own" and user.is_authenticated  # the public has no account of its own
        return rule(user, user if own else someone)

    assert_table(SOMEONE_ELSE, users, decide)


def test_can_set_email_for(users):
    """The coordinator sets an adult's address (a clerk's, their own), never a child's."""
    accounts = {"clerk": users["clerk"], "coordinator": users["coordinator"], "member": users["member"]}
    table = """
             clerk coordinator member
anonymous    -     -           -
member       -     -           -
chair        -     -           -
school_rep   -     -           -
clerk        -     -           -
coordinator  Y     Y           -
"""
    assert_table(table, users, lambda user, column: permissions.can_set_email_for(user, accounts[column]))


def test_can_connect_identity(users):
    """A provider is for the kinds of account it is set up for (its login is for them only)."""

    def provider(*types):
        return Provider(
            name="x", display_name="X", discovery_url="", client_id="", client_secret="", account_types=frozenset(types)
        )

    providers = {
        "pupils": provider(AccountType.member, AccountType.school_rep),
        "staff": provider(AccountType.clerk, AccountType.coordinator),
    }
    table = """
             pupils staff
anonymous    -      -
member       Y      -
deputy       Y      -
vice_chair   Y      -
chair        Y      -
inactive     Y      -
school_rep   Y      -
clerk        -      Y
other_clerk  -      Y
coordinator  -      Y
"""
    assert_table(table, users, lambda user, column: permissions.can_connect_identity(user, providers[column]))


def test_every_rule_has_a_table():
    rules = {
        name
        for name, value in vars(permissions).items()
        if name.startswith("can_") and callable(value) and value.__module__ == permissions.__name__
    }
    assert rules == set(USER_RULES) | set(ACCOUNT_RULES) | {"can_connect_identity", "can_set_email_for"}


# --- The views enforce them ---------------------------------------------------------------------------------------


def test_the_coordinator_cannot_deactivate_their_own_account(client, db, world, login_as):
    me = login_as("coordinator")
    page = client.get(f"/accounts/{me.id}").get_data(as_text=True)
    assert f"/accounts/{me.id}/active" not in page and f"/accounts/{me.id}/code" not in page
    response = client.submit(f"/accounts/{me.id}/active", {"active": "0"}, page="/accounts")
    assert response.status_code == 403  # can_change_active
    db.session.refresh(me)
    assert me.active
    other = world.users["member"]
    page = client.get(f"/accounts/{other.id}").get_data(as_text=True)
    assert f"/accounts/{other.id}/active" in page and f"/accounts/{other.id}/code" in page


def test_an_account_connected_to_two_providers_has_unique_ids_on_its_page(client, db, world, login_as):
    """One disconnect form per provider: each carries its CSRF token without an id (ids must be unique on a page)."""
    import re
    from collections import Counter

    from youthcouncil.accounts.models import ExternalIdentity

    clerk = world.users["clerk"]
    for provider in ("feide", "kommune"):
        db.session.add(ExternalIdentity(user_id=clerk.id, provider=provider, subject=f"{provider}-1"))
    db.session.commit()
    login_as("coordinator")
    page = client.get(f"/accounts/{clerk.id}").get_data(as_text=True)
    assert page.count("/disconnect") == 2
    repeated = [name for name, n in Counter(re.findall(r'\sid="([^"]+)"', page)).items() if n > 1]
    assert not repeated, repeated
