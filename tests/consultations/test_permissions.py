"""Every rule in youthcouncil/consultations/permissions.py across roles × request states, then one HTTP check per rule
that its view enforces it (tests/test_access_matrix.py checks only the roles a view admits).

These rules say who; the services say when (tests/consultations/test_requests.py). So most tables show the same
answer in every state, and that is what they check: a rule must not start or stop depending on the step. The request
in the tables was sent by "clerk"; "other_clerk" sent none of them. Tables: Y = allowed, - = refused (tests/roles.py).
"""

from __future__ import annotations

import pytest

from tests.conftest import log_in
from tests.consultations import builders
from tests.roles import assert_table, role_users
from youthcouncil.consultations import permissions, services
from youthcouncil.consultations.models import Comment, Consultation, Status

#: The states of a request, in order; the response was adopted in "adopted", "response_sent" and "decided".
STATES = tuple(status.value for status in Status)
ADOPTED = {"adopted", "response_sent", "decided"}


@pytest.fixture
def users(world):
    return role_users(world)


@pytest.fixture
def requests(users):
    """One request per state, sent by "clerk" (objects in memory: the rules read only their fields)."""
    return {
        state: Consultation(
            clerk_id=users["clerk"].id, status=Status(state), adopted_decision_id=1 if state in ADOPTED else None
        )
        for state in STATES
    }


SENDER = """
             sent opened discussion voting adopted declined response_sent decided withdrawn
anonymous    -    -      -          -      -       -        -             -       -
member       -    -      -          -      -       -        -             -       -
deputy       -    -      -          -      -       -        -             -       -
vice_chair   -    -      -          -      -       -        -             -       -
chair        -    -      -          -      -       -        -             -       -
inactive     -    -      -          -      -       -        -             -       -
school_rep   -    -      -          -      -       -        -             -       -
clerk        Y    Y      Y          Y      Y       Y        Y             Y       Y
other_clerk  -    -      -          -      -       -        -             -       -
coordinator  -    -      -          -      -       -        -             -       -
"""

COUNCIL_AND_COORDINATOR = """
             sent opened discussion voting adopted declined response_sent decided withdrawn
anonymous    -    -      -          -      -       -        -             -       -
member       Y    Y      Y          Y      Y       Y        Y             Y       Y
deputy       Y    Y      Y          Y      Y       Y        Y             Y       Y
vice_chair   Y    Y      Y          Y      Y       Y        Y             Y       Y
chair        Y    Y      Y          Y      Y       Y        Y             Y       Y
inactive     -    -      -          -      -       -        -             -       -
school_rep   -    -      -          -      -       -        -             -       -
clerk        -    -      -          -      -       -        -             -       -
other_clerk  -    -      -          -      -       -        -             -       -
coordinator  Y    Y      Y          Y      Y       Y        Y             Y       Y
"""

COUNCIL_COORDINATOR_AND_SENDER = """
             sent opened discussion voting adopted declined response_sent decided withdrawn
anonymous    -    -      -          -      -       -        -             -       -
member       Y    Y      Y          Y      Y       Y        Y             Y       Y
deputy       Y    Y      Y          Y      Y       Y        Y             Y       Y
vice_chair   Y    Y      Y          Y      Y       Y        Y             Y       Y
chair        Y    Y      Y          Y      Y       Y        Y             Y       Y
inactive     -    -      -          -      -       -        -             -       -
school_rep   -    -      -          -      -       -        -             -       -
clerk        Y    Y      Y          Y      Y       Y        Y             Y       Y
other_clerk  -    -      -          -      -       -        -             -       -
coordinator  Y    Y      Y          Y      Y       Y        Y             Y       Y
"""

COUNCIL = """
             sent opened discussion voting adopted declined response_sent decided withdrawn
anonymous    -    -      -          -      -       -        -             -       -
member       Y    Y      Y          Y      Y       Y        Y             Y       Y
deputy       Y    Y      Y          Y      Y       Y        Y             Y       Y
vice_chair   Y    Y      Y          Y      Y       Y        Y             Y       Y
chair        Y    Y      Y          Y      Y       Y        Y             Y       Y
inactive     -    -      -          -      -       -        -             -       -
school_rep   -    -      -          -      -       -        -             -       -
clerk        -    -      -          -      -       -        -             -       -
other_clerk  -    -      -          -      -       -        -             -       -
coordinator  -    -      -          -      -       -        -             -       -
"""

# The chair and the vice chair (nestleder).
CHAIR = """
             sent opened discussion voting adopted declined response_sent decided withdrawn
anonymous    -    -      -          -      -       -        -             -       -
member       -    -      -          -      -       -        -             -       -
deputy       -    -      -          -      -       -        -             -       -
vice_chair   Y    Y      Y          Y      Y       Y        Y             Y       Y
chair        Y    Y      Y          Y      Y       Y        Y             Y       Y
inactive     -    -      -          -      -       -        -             -       -
school_rep   -    -      -          -      -       -        -             -       -
clerk        -    -      -          -      -       -        -             -       -
other_clerk  -    -      -          -      -       -        -             -       -
coordinator  -    -      -          -      -       -        -             -       -
"""

CHAIR_AND_COORDINATOR = """
             sent opened discussion voting adopted declined response_sent decided withdrawn
anonymous    -    -      -          -      -       -        -             -       -
member       -    -      -          -      -       -        -             -       -
deputy       -    -      -          -      -       -        -             -       -
vice_chair   Y    Y      Y          Y      Y       Y        Y             Y       Y
chair        Y    Y      Y          Y      Y       Y        Y             Y       Y
inactive     -    -      -          -      -       -        -             -       -
school_rep   -    -      -          -      -       -        -             -       -
clerk        -    -      -          -      -       -        -             -       -
other_clerk  -    -      -          -      -       -        -             -       -
coordinator  Y    Y      Y          Y      Y       Y        Y             Y       Y
"""

REQUEST_RULES = {
    "is_sender": SENDER,
    "can_correct_request": SENDER,
    "can_withdraw_request": SENDER,
    "can_record_city_decision": SENDER,
    "can_view_request": COUNCIL_COORDINATOR_AND_SENDER,
    "can_view_attachment": COUNCIL_COORDINATOR_AND_SENDER,
    # The council's own work (comments, drafts, versions): never a clerk, not even the sender.
    "can_view_discussion": COUNCIL_AND_COORDINATOR,
    "can_comment": COUNCIL,
    "can_open_request": CHAIR_AND_COORDINATOR,
    "can_name_writer": CHAIR,
    "can_open_vote": CHAIR,
    "can_send_response": CHAIR,
    "can_decline_request": CHAIR,
    "can_edit_draft": CHAIR,  # nobody is named as writer here; see the writer test below
    # The public archive: everyone, once the response is sent.
    "can_see_in_archive": """
             sent opened discussion voting adopted declined response_sent decided withdrawn
anonymous    -    -      -          -      -       -        Y             Y       -
member       -    -      -          -      -       -        Y             Y       -
deputy       -    -      -          -      -       -        Y             Y       -
vice_chair   -    -      -          -      -       -        Y             Y       -
chair        -    -      -          -      -       -        Y             Y       -
inactive     -    -      -          -      -       -        Y             Y       -
school_rep   -    -      -          -      -       -        Y             Y       -
clerk        -    -      -          -      -       -        Y             Y       -
other_clerk  -    -      -          -      -       -        Y             Y       -
coordinator  -    -      -          -      -       -        Y             Y       -
""",
    # The adopted response: the council and the coordinator once adopted; the sender once it is sent to them.
    "can_view_response": """
             sent opened discussion voting adopted declined response_sent decided withdrawn
anonymous    -    -      -          -      -       -        -             -       -
member       -    -      -          -      Y       -        Y             Y       -
deputy       -    -      -          -      Y       -        Y             Y       -
vice_chair   -    -      -          -      Y       -        Y             Y       -
chair        -    -      -          -      Y       -        Y             Y       -
inactive     -    -      -          -      -       -        -             -       -
school_rep   -    -      -          -      -       -        -             -       -
clerk        -    -      -          -      -       -        Y             Y       -
other_clerk  -    -      -          -      -       -        -             -       -
coordinator  -    -      -          -      Y       -        Y             Y       -
""",
}


@pytest.mark.parametrize("name", sorted(REQUEST_RULES))
def test_request_rules(users, requests, name):
    rule = getattr(permissions, name)
    assert_table(REQUEST_RULES[name], users, lambda user, state: rule(user, requests[state]))


def test_the_named_writer_edits_the_draft_too(users, requests):
    for consultation in requests.values():
        consultation.writer_id = users["member"].id
    with_writer = CHAIR.replace(
        "member       -    -      -          -      -       -        -             -       -",
        "member       Y    Y      Y          Y      Y       Y        Y             Y       Y",
    )
    assert_table(with_writer, users, lambda user, state: permissions.can_edit_draft(user, requests[state]))


def test_a_writer_who_left_the_council_no_longer_edits(users, requests):
    for consultation in requests.values():
        consultation.writer_id = users["inactive"].id
    assert_table(CHAIR, users, lambda user, state: permissions.can_edit_draft(user, requests[state]))


USER_RULES = {
    # The list of everything the council works on (a clerk sees only their own requests).
    "can_see_council_requests": """
             any
anonymous    -
member       Y
deputy       Y
vice_chair   Y
chair        Y
inactive     -
school_rep   -
clerk        -
other_clerk  -
coordinator  Y
""",
    "is_council": """
             any
anonymous    -
member       Y
deputy       Y
vice_chair   Y
chair        Y
inactive     -
school_rep   -
clerk        -
other_clerk  -
coordinator  -
""",
    "can_send_request": """
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
coordinator  -
""",
}

COMMENT_RULES = {
    "can_support_comment": USER_RULES["is_council"],
    # Moderation, and why a comment was hidden: the coordinator only.
    "can_hide_comment": USER_RULES["can_send_request"].replace("Y", "-").replace("coordinator  -", "coordinator  Y"),
    "can_unhide_comment": USER_RULES["can_send_request"].replace("Y", "-").replace("coordinator  -", "coordinator  Y"),
    "can_see_hidden_reason": USER_RULES["can_send_request"]
    .replace("Y", "-")
    .replace("coordinator  -", "coordinator  Y"),
}


@pytest.mark.parametrize("name", sorted(USER_RULES))
def test_user_rules(users, name):
    rule = getattr(permissions, name)
    assert_table(USER_RULES[name], users, lambda user, column: rule(user))


@pytest.mark.parametrize("name", sorted(COMMENT_RULES))
def test_comment_rules(users, name):
    rule = getattr(permissions, name)
    comment = Comment(author_id=users["member"].id)
    assert_table(COMMENT_RULES[name], users, lambda user, column: rule(user, comment))


def test_every_rule_has_a_table():
    rules = {
        name
        for name, value in vars(permissions).items()
        if name.startswith(("can_", "is_")) and callable(value) and value.__module__ == permissions.__name__
    }
    assert rules == set(REQUEST_RULES) | set(USER_RULES) | set(COMMENT_RULES)


# --- The views enforce them ---------------------------------------------------------------------------------------


def _other_clerk(client, users):
    log_in(client, users["other_clerk"])


def test_another_clerk_can_neither_see_nor_change_a_request(client, db, world, users):
    consultation = builders.make_request(world.clerk, files=[builders.FakeFile("sak.pdf", builders.PDF)])
    db.session.commit()
    attachment = consultation.attachments[0]
    base = f"/consultations/{consultation.id}"
    _other_clerk(client, users)
    assert client.get(base).status_code == 403  # can_view_request
    assert client.get(f"{base}/attachments/{attachment.id}").status_code == 403  # can_view_attachment
    assert client.get(f"{base}/edit").status_code == 403  # can_correct_request
    assert client.submit(f"{base}/withdraw", page="/consultations/").status_code == 403  # can_withdraw_request
    assert client.get(f"{base}/city-decision").status_code == 403  # can_record_city_decision
    assert "Ny skatepark" not in client.get("/consultations/").get_data(as_text=True)  # can_see_council_requests
    db.session.refresh(consultation)
    assert consultation.status == Status.sent


def test_the_archive_shows_a_response_only_once_sent(client, db, world):
    consultation = builders.make_adopted(world)
    db.session.commit()
    assert client.get(f"/consultations/archive/{consultation.id}").status_code == 404  # can_see_in_archive
    services.send_response(consultation, world.chair)
    db.session.commit()
    assert client.get(f"/consultations/archive/{consultation.id}").status_code == 200


def test_the_sender_sees_the_request_but_not_the_discussion(client, db, world, login_as):
    consultation = builders.make_discussed(world)
    db.session.commit()
    login_as("clerk")
    page = client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert "Ny skatepark" in page and "Vi trenger lys om kvelden." not in page  # can_view_discussion


def test_the_response_reaches_the_sender_only_when_sent(client, db, world, login_as):
    consultation = builders.make_adopted(world)
    db.session.commit()
    login_as("clerk")
    assert client.get(f"/consultations/{consultation.id}/print").status_code == 404  # can_view_response
    login_as("member")
    assert client.get(f"/consultations/{consultation.id}/print").status_code == 200
    services.send_response(consultation, world.chair)
    db.session.commit()
    login_as("clerk")
    assert client.get(f"/consultations/{consultation.id}/print").status_code == 200


def test_only_the_named_writer_among_members_edits_the_draft(client, db, world, login_as):
    consultation = builders.make_opened(world)
    db.session.commit()
    login_as("member")
    assert client.get(f"/consultations/{consultation.id}/draft").status_code == 403  # can_edit_draft
    services.name_writer(consultation, world.chair, world.users["member"])
    db.session.commit()
    assert client.get(f"/consultations/{consultation.id}/draft").status_code == 200


def test_a_deputy_seat_cannot_open_the_adoption_vote(client, db, world, users):
    """can_open_vote is motions' can_open_motion: the chair's, not every council member's."""
    consultation = builders.make_discussed(world)
    db.session.commit()
    log_in(client, users["deputy"])
    page = f"/consultations/{consultation.id}"
    response = client.submit(f"{page}/vote", {"version_id": consultation.latest_version.id}, page=page)
    assert response.status_code == 403
    db.session.refresh(consultation)
    assert consultation.status == Status.discussion


def test_the_hidden_reason_is_for_the_coordinator(client, db, world, login_as):
    consultation = builders.make_opened(world)
    comment = services.add_comment(consultation, world.users["member"], "Noe stygt.")
    services.hide_comment(comment, world.coordinator, "Personangrep")
    db.session.commit()
    for role, shown in (("member", False), ("chair", False), ("coordinator", True)):
        login_as(role)
        page = client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
        assert ("Personangrep" in page) is shown, role
    assert db.session.get(Comment, comment.id).hidden_reason == "Personangrep"
