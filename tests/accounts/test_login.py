"""Logging in and out with username + passphrase, and the throttle on failed logins."""

import pytest

from tests.factories import PASSPHRASE


def test_login_with_the_right_passphrase_lands_on_the_home_page(client, world):
    response = client.submit("/login", {"username": "mia", "passphrase": PASSPHRASE}, page="/login")
    assert response.status_code == 303
    assert response.headers["Location"] == "/home"
    home = client.get("/home")
    assert home.status_code == 200
    assert "Hei, Mia!" in home.get_data(as_text=True)


def test_username_is_not_case_sensitive(client, world):
    response = client.submit("/login", {"username": "  MIA ", "passphrase": PASSPHRASE}, page="/login")
    assert response.status_code == 303


def test_wrong_passphrase_and_unknown_user_get_the_same_message(client, world):
    wrong = client.submit("/login", {"username": "mia", "passphrase": "nope nope nope"}, page="/login")
    unknown = client.submit("/login", {"username": "nobody", "passphrase": "nope nope nope"}, page="/login")
    assert wrong.status_code == unknown.status_code == 200
    message = "Brukernavnet eller passordet er feil"
    assert message in wrong.get_data(as_text=True)
    assert message in unknown.get_data(as_text=True)
    # What the user typed stays in the form (not the passphrase).
    assert 'value="nobody"' in unknown.get_data(as_text=True)
    assert "nope nope nope" not in unknown.get_data(as_text=True)


def test_login_without_csrf_token_is_refused(client, world):
    response = client.post("/login", data={"username": "mia", "passphrase": PASSPHRASE})
    assert response.status_code == 400
    assert client.get("/home").status_code == 302


def test_eleventh_failed_login_for_one_account_gets_429(client, world):
    for _ in range(10):
        response = client.submit("/login", {"username": "mia", "passphrase": "wrong wrong"}, page="/login")
        assert response.status_code == 200
    eleventh = client.submit("/login", {"username": "mia", "passphrase": PASSPHRASE}, page="/login")
    assert eleventh.status_code == 429
    assert "For mange forsøk" in eleventh.get_data(as_text=True)
    # Another account is not locked by mia's failures.
    other = client.submit("/login", {"username": "leo", "passphrase": PASSPHRASE}, page="/login")
    assert other.status_code == 303


def test_failures_for_an_unknown_username_are_throttled_the_same_way(client, world):
    for _ in range(10):
        client.submit("/login", {"username": "ghost", "passphrase": "wrong wrong"}, page="/login")
    assert client.submit("/login", {"username": "ghost", "passphrase": "x"}, page="/login").status_code == 429


def test_successful_logins_do_not_count_towards_the_throttle(client, world):
    for _ in range(12):
        response = client.submit("/login", {"username": "mia", "passphrase": PASSPHRASE}, page="/login")
        assert response.status_code == 303
        client.submit("/logout", {})


def test_logout_ends_every_session_of_the_user(app, world):
    phone, laptop = app.test_client(), app.test_client()
    for device in (phone, laptop):
        assert device.submit("/login", {"username": "mia", "passphrase": PASSPHRASE}, page="/login").status_code == 303
    with phone.session_transaction() as saved:
        old_cookie_session = dict(saved)
    assert phone.submit("/logout", {}).status_code == 303
    assert phone.get("/home").status_code == 302
    # The laptop's session is gone too, and a replayed old cookie does not bring it back.
    assert laptop.get("/home").status_code == 302
    replay = app.test_client()
    with replay.session_transaction() as session:
        session.update(old_cookie_session)
    assert replay.get("/home").status_code == 302


def test_deactivated_user_cannot_log_in_and_is_logged_out(client, db, world):
    from youthcouncil.accounts.services import set_active

    assert client.submit("/login", {"username": "mia", "passphrase": PASSPHRASE}, page="/login").status_code == 303
    set_active(world.users["member"], False, by=world.coordinator)
    db.session.commit()
    assert client.get("/home").status_code == 302
    again = client.submit("/login", {"username": "mia", "passphrase": PASSPHRASE}, page="/login")
    assert again.status_code == 200


def test_next_parameter_only_redirects_within_the_site(client, world):
    evil = client.submit(
        "/login", {"username": "mia", "passphrase": PASSPHRASE, "next": "https://evil.example/"}, page="/login"
    )
    assert evil.headers["Location"] == "/home"
    client.submit("/logout", {})
    fine = client.submit("/login", {"username": "mia", "passphrase": PASSPHRASE, "next": "/passphrase"}, page="/login")
    assert fine.headers["Location"] == "/passphrase"


def test_each_role_sees_its_own_home_page(client, world, login_as):
    expected = {
        "member": "Du er medlem av ungdomsrådet.",
        "chair": "Du leder ungdomsrådet.",
        "school_rep": "Du representerer Bakken skole.",
        "clerk": "Du er saksbehandler i kommunen.",
        "coordinator": "Du er ungdomskoordinator.",
    }
    for role, text in expected.items():
        login_as(role)
        assert text in client.get("/home").get_data(as_text=True), role


def test_guessing_the_current_passphrase_is_throttled(client, world):
    from tests.conftest import log_in

    log_in(client, world.users["member"])
    for _ in range(10):
        wrong = client.submit(
            "/passphrase", {"current": "gjett gjett", "new": "ny og fin frase", "confirm": "ny og fin frase"}
        )
        assert wrong.status_code == 200
    eleventh = client.submit(
        "/passphrase", {"current": PASSPHRASE, "new": "ny og fin frase", "confirm": "ny og fin frase"}
    )
    assert eleventh.status_code == 429


def test_behind_a_trusted_proxy_the_throttle_sees_each_client(tmp_path, monkeypatch):
    from youthcouncil import create_app
    from youthcouncil.config import TestConfig

    monkeypatch.setenv("TRUSTED_PROXIES", "1")
    app = create_app(TestConfig(database_url=f"sqlite:///{tmp_path / 'p.sqlite3'}", instance_path=str(tmp_path)))
    seen = {}

    @app.before_request
    def _remember_address():
        from flask import request

        seen["address"] = request.remote_addr

    app.test_client().get(
        "/login", headers={"X-Forwarded-For": "203.0.113.7"}, environ_base={"REMOTE_ADDR": "10.0.0.1"}
    )
    assert seen["address"] == "203.0.113.7"


#: Addresses a browser reads as another site although they start with one "/": a backslash counts as "/" in
#: http(s) URLs (WHATWG URL standard), and tabs and newlines are dropped before parsing.
OFF_SITE = ["/\\evil.example", "/\\/evil.example", "/\t/evil.example", "/\n/evil.example"]


@pytest.mark.parametrize("target", OFF_SITE)
def test_next_never_leads_off_the_site_through_a_backslash_or_a_tab(client, world, target):
    response = client.submit("/login", {"username": "mia", "passphrase": PASSPHRASE, "next": target}, page="/login")
    assert response.status_code == 303
    assert response.headers["Location"] == "/home"


@pytest.mark.parametrize("target", OFF_SITE)
def test_the_language_switch_never_leads_off_the_site(client, world, target):
    response = client.submit("/language", {"language": "en", "next": target})
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
