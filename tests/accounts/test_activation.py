"""Accounts without e-mail: the coordinator creates them, a one-time code on paper activates them."""

import math
from datetime import timedelta

import sqlalchemy as sa

from tests.conftest import count
from youthcouncil.accounts import codes
from youthcouncil.accounts.models import AccountType, ActivationCode, User
from youthcouncil.accounts.services import issue_activation_code


def _code_on_page(response) -> str:
    import re

    match = re.search(r'data-testid="activation-code">([A-Z0-9-]+)<', response.get_data(as_text=True))
    assert match, "no code shown"
    return match.group(1)


def test_codes_are_random_unambiguous_and_strong():
    made = {codes.new_code() for _ in range(500)}
    assert len(made) == 500
    for code in made:
        raw = code.replace("-", "")
        assert len(raw) == codes.LENGTH
        assert not set(raw) & set("0O1IL")
    assert codes.LENGTH * math.log2(len(codes.ALPHABET)) >= 50


def test_coordinator_creates_a_member_without_email_and_the_code_activates_it(client, db, world, login_as):
    login_as("coordinator")
    created = client.submit(
        "/accounts/new",
        {"account_type": "member", "first_name": "Ola", "last_name": "Nordmann", "school": str(world.schools[0].id)},
        page="/accounts/new",
    )
    assert created.status_code == 200
    code = _code_on_page(created)
    user = db.session.scalars(sa.select(User).where(User.first_name == "Ola")).one()
    assert user.username == "ola.n" and user.email is None and user.passphrase_hash is None
    stored = db.session.scalars(sa.select(ActivationCode).where(ActivationCode.user_id == user.id)).one()
    assert code not in stored.code_hash and stored.code_hash == codes.code_hash(code)
    assert stored.expires_at - stored.created_at == timedelta(days=30)

    newcomer = client.application.test_client()
    link = newcomer.get(f"/activate?code={code}")
    # The code leaves the address at once (server logs, history) and is kept in the session to fill the form.
    assert link.status_code == 303 and link.headers["Location"] == "/activate"
    page = newcomer.get("/activate")
    assert code in page.get_data(as_text=True)
    done = newcomer.submit(
        "/activate",
        {"code": code.lower().replace("-", " "), "passphrase": "fjell og fjord", "confirm": "fjell og fjord"},
        page="/activate",
    )
    assert done.status_code == 303
    assert "Hei, Ola!" in newcomer.get("/home").get_data(as_text=True)

    # Single use: the same code never works twice.
    again = client.application.test_client().submit(
        "/activate", {"code": code, "passphrase": "noe helt annet", "confirm": "noe helt annet"}, page="/activate"
    )
    assert "Den koden virker ikke" in again.get_data(as_text=True)


def test_expired_code_is_refused(client, db, world):
    user = world.users["member"]
    issued = issue_activation_code(user)
    for stored in user.activation_codes:
        stored.expires_at = stored.created_at - timedelta(seconds=1)
    db.session.commit()
    response = client.submit(
        "/activate", {"code": issued.code, "passphrase": "fjell og fjord", "confirm": "fjell og fjord"}
    )
    assert response.status_code == 200
    assert "Den koden virker ikke" in response.get_data(as_text=True)


def test_weak_or_mismatched_passphrases_get_a_message_next_to_the_field(client, db, world):
    issued = issue_activation_code(world.users["member"])
    db.session.commit()
    cases = {
        "kort": "Bruk minst 8 tegn",
        "password1": "mest brukte passordene",
        "passord123": "mest brukte passordene",
    }
    for passphrase, message in cases.items():
        response = client.submit("/activate", {"code": issued.code, "passphrase": passphrase, "confirm": passphrase})
        text = response.get_data(as_text=True)
        assert message in text, passphrase
        assert 'id="passphrase-error"' in text
        assert issued.code in text  # the code they typed is kept
    mismatch = client.submit(
        "/activate", {"code": issued.code, "passphrase": "fjell og fjord", "confirm": "fjell og hav"}
    )
    assert "De to passordene er ikke like" in mismatch.get_data(as_text=True)


def test_fresh_code_makes_the_old_passphrase_stop_working_and_ends_sessions(client, db, world, login_as, app):
    from tests.factories import PASSPHRASE

    member_phone = app.test_client()
    assert (
        member_phone.submit("/login", {"username": "mia", "passphrase": PASSPHRASE}, page="/login").status_code == 303
    )
    login_as("coordinator")
    response = client.submit(
        f"/accounts/{world.users['member'].id}/code", {"confirm": "y"}, page=f"/accounts/{world.users['member'].id}"
    )
    assert response.status_code == 200
    new_code = _code_on_page(response)
    assert member_phone.get("/home").status_code == 302
    refused = app.test_client().submit("/login", {"username": "mia", "passphrase": PASSPHRASE}, page="/login")
    assert "Brukernavnet eller passordet er feil" in refused.get_data(as_text=True)
    ok = app.test_client().submit(
        "/activate", {"code": new_code, "passphrase": "ny frisk start", "confirm": "ny frisk start"}, page="/activate"
    )
    assert ok.status_code == 303


def test_a_new_code_for_an_account_with_a_passphrase_asks_first_and_changes_nothing_until_ticked(
    client, db, world, login_as, app
):
    from tests.factories import PASSPHRASE

    login_as("coordinator")
    member = world.users["member"]
    url, page = f"/accounts/{member.id}/code", f"/accounts/{member.id}"
    asked = client.submit(url, {}, page=page)
    body = asked.get_data(as_text=True)
    assert asked.status_code == 200 and 'name="confirm"' in body and 'data-testid="activation-code"' not in body
    assert "Passordet til Mia Testesen slutter å virke nå" in body
    unticked = client.submit(url, {"confirm": ""}, page=page)
    assert unticked.status_code == 422 and 'id="confirm-error"' in unticked.get_data(as_text=True)
    db.session.expire_all()
    assert member.passphrase_hash is not None and count(db, ActivationCode) == 0
    still = app.test_client().submit("/login", {"username": "mia", "passphrase": PASSPHRASE}, page="/login")
    assert still.status_code == 303
    _code_on_page(client.submit(url, {"confirm": "y"}, page=page))
    db.session.expire_all()
    assert member.passphrase_hash is None and count(db, ActivationCode) == 1


def test_a_new_code_for_an_account_never_activated_needs_no_confirmation(client, db, world, login_as):
    waiting = User(username="venter", account_type=AccountType.member, first_name="Vera", last_name="Venter")
    db.session.add(waiting)
    db.session.commit()
    login_as("coordinator")
    _code_on_page(client.submit(f"/accounts/{waiting.id}/code", {}, page=f"/accounts/{waiting.id}"))


def test_older_unused_codes_are_revoked_by_a_new_one(db, world):
    user = world.users["member"]
    first = issue_activation_code(user)
    issue_activation_code(user)
    db.session.commit()
    from youthcouncil.accounts.services import usable_code

    assert usable_code(first.code) is None


def test_coordinator_creates_each_kind_of_account(client, db, world, login_as):
    login_as("coordinator")
    for kind, extra in (
        ("school_rep", {"school": str(world.schools[1].id)}),
        ("clerk", {"email": "clerk@example.org"}),
        ("coordinator", {}),
    ):
        response = client.submit(
            "/accounts/new",
            {"account_type": kind, "first_name": f"Ny {kind}", "last_name": "Person", **extra},
            page="/accounts/new",
        )
        assert response.status_code == 200, kind
        _code_on_page(response)
    assert count(db, User, User.account_type == AccountType.school_rep) == 2


def test_account_form_keeps_input_and_explains_errors(client, world, login_as):
    login_as("coordinator")
    response = client.submit(
        "/accounts/new",
        {"account_type": "member", "first_name": "Kari", "last_name": "Lund", "email": "kari@example.org"},
        page="/accounts/new",
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Velg skolen." in text
    assert "Bare voksne" in text
    assert 'value="Kari"' in text and 'value="Lund"' in text


def test_taken_username_is_refused_kindly(client, world, login_as):
    login_as("coordinator")
    response = client.submit(
        "/accounts/new",
        {"account_type": "clerk", "first_name": "Kari", "last_name": "X", "username": "mia"},
        page="/accounts/new",
    )
    assert "Det brukernavnet er tatt" in response.get_data(as_text=True)


def test_nobody_can_issue_a_code_for_themselves(client, world, login_as):
    login_as("coordinator")
    me = world.coordinator.id
    assert client.submit(f"/accounts/{me}/code", {}).status_code == 403


def test_member_account_for_a_full_school_is_refused_next_to_the_school(client, db, world, login_as):
    from tests.factories import make_school

    full = make_school(world.municipality, name="Liten skole", seats=0, deputy_seats=0)
    db.session.commit()
    login_as("coordinator")
    response = client.submit(
        "/accounts/new",
        {"account_type": "member", "first_name": "Ola", "last_name": "Full", "school": str(full.id)},
        page="/accounts/new",
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="school-error"' in text and 'value="Ola"' in text
    assert count(db, User, User.first_name == "Ola") == 0


def test_member_of_a_term_that_has_not_started_can_reach_their_home_page(client, db, world):
    from datetime import timedelta

    from tests.conftest import log_in
    from tests.factories import make_member, make_term

    upcoming = make_term(world.municipality, starts_on=world.term.ends_on + timedelta(days=1))
    newcomer = make_member(upcoming, world.schools[0], first_name="Nyss")
    db.session.commit()
    log_in(client, newcomer)
    response = client.get("/home")
    assert response.status_code == 200
    assert "Du er ikke medlem i denne valgperioden." in response.get_data(as_text=True)
