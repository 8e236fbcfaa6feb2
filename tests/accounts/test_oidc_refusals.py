"""Every way a provider's answer can be wrong is refused with a plain message, and nobody is logged in.

A small hostile provider (``tests/oidc/evil.py``) follows the protocol but hands out the ID token each test asks
for. The first test shows that its honest answer logs in, so each refusal below is for the reason it names (the log
says which check refused it).
"""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from tests.oidc import evil


@pytest.fixture(scope="module")
def hostile():
    provider = evil.EvilProvider()
    yield provider
    provider.stop()


@pytest.fixture
def member(db, world, app, hostile):
    """The world's member, connected to the hostile provider's subject; the provider answers honestly by default."""
    from youthcouncil.accounts import oidc
    from youthcouncil.accounts.models import ExternalIdentity

    hostile.scenario = {}
    hostile.metadata_changes = {}
    saved = app.extensions["yc_oidc"]
    oidc.configure(app, oidc.parse_providers([hostile.settings()]))
    db.session.add(ExternalIdentity(user_id=world.users["member"].id, provider="evil", subject=evil.SUBJECT))
    db.session.commit()
    yield world.users["member"]
    app.extensions["yc_oidc"] = saved


def log_in_with(client, scenario=None, hostile=None):
    """Tap "Log in with Feide"; the hostile provider answers at once with the scenario's ID token."""
    if hostile is not None and scenario is not None:
        hostile.scenario = scenario
    start = client.get("/login/evil")
    assert start.status_code == 302, start.get_data(as_text=True)[:300]
    back = requests.get(start.headers["Location"], allow_redirects=False, timeout=10)
    callback = urlsplit(back.headers["Location"])
    return client.get(f"{callback.path}?{callback.query}")


def logged_in(client) -> bool:
    return client.get("/home").status_code == 200


def assert_refused(response, client, caplog, reason: str):
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Innloggingen med Feide kunne ikke sjekkes, så du er ikke logget inn. Ingenting ble lagret." in page
    assert reason in caplog.text, caplog.text
    assert not logged_in(client)


def test_the_honest_answer_logs_in(client, member, hostile):
    response = log_in_with(client, {}, hostile)
    assert response.status_code == 303 and response.headers["Location"] == "/home"
    assert logged_in(client)


@pytest.mark.parametrize(
    ("scenario", "reason"),
    [
        ({"signing": "none"}, "the ID token's algorithm 'none' is not allowed"),
        ({"signing": "hs256"}, "the ID token's algorithm 'HS256' is not allowed"),
        ({"signing": "other_key"}, "the ID token's signature does not verify"),
        ({"claims": {"iss": "http://127.0.0.1:1"}}, "the ID token is refused: invalid_claim: Invalid claim: 'iss'"),
        ({"claims": {"iss": None}}, "the ID token is refused: missing_claim: Missing claim: 'iss'"),
        ({"claims": {"aud": "someone-else"}}, "the ID token is refused: invalid_claim: Invalid claim: 'aud'"),
        ({"claims": {"aud": ["someone-else", evil.CLIENT_ID]}}, "has other audiences and is not for us"),
        ({"claims": {"exp": int(time.time()) - 3600}}, "the ID token is refused: expired_token"),
        ({"claims": {"exp": None}}, "the ID token is refused: missing_claim: Missing claim: 'exp'"),
        ({"claims": {"iat": int(time.time()) + 3600}}, "The token was issued in the future"),
        ({"claims": {"iat": int(time.time()) - 3600, "exp": int(time.time()) + 300}}, "issued too long ago"),
        (
            {"claims": {"nonce": "not-the-nonce-we-sent"}},
            "the ID token is refused: invalid_claim: Invalid claim: 'nonce'",
        ),
        ({"claims": {"nonce": None}}, "the ID token is refused: missing_claim: Missing claim: 'nonce'"),
        ({"claims": {"sub": None}}, "the ID token is refused: missing_claim: Missing claim: 'sub'"),
    ],
    ids=[
        "alg-none",
        "alg-hs256-with-client-secret",
        "key-not-in-jwks",
        "wrong-issuer",
        "no-issuer",
        "wrong-audience",
        "other-audience-first",
        "expired",
        "no-expiry",
        "issued-in-the-future",
        "issued-long-ago",
        "mismatched-nonce",
        "no-nonce",
        "no-subject",
    ],
)
def test_a_bad_id_token_is_refused(client, member, hostile, caplog, scenario, reason):
    assert_refused(log_in_with(client, scenario, hostile), client, caplog, reason)


def test_a_replayed_state_is_refused(client, app, member, hostile, caplog, throttle_storage):
    """On the in-memory storage and on Redis (several processes share the one-time mark)."""
    start = client.get("/login/evil")
    with client.session_transaction() as session:
        copied = dict(session)  # a copy of the cookie taken before the callback
    back = requests.get(start.headers["Location"], allow_redirects=False, timeout=10)
    callback = urlsplit(back.headers["Location"])
    callback = f"{callback.path}?{callback.query}"
    assert client.get(callback).headers["Location"] == "/home"
    client.submit("/logout", {}, page="/home")
    assert_refused(client.get(callback), client, caplog, "the state is unknown here or was used already")
    other = app.test_client()
    with other.session_transaction() as session:
        session.update(copied)
    assert_refused(other.get(callback), other, caplog, "the state was used already (a replayed callback)")


def test_a_replayed_code_is_refused(client, member, hostile, caplog):
    start = client.get("/login/evil")
    back = requests.get(start.headers["Location"], allow_redirects=False, timeout=10)
    code = parse_qs(urlsplit(back.headers["Location"]).query)["code"][0]
    assert client.get(urlsplit(back.headers["Location"]).path + "?" + urlsplit(back.headers["Location"]).query)
    client.submit("/logout", {}, page="/home")
    state = parse_qs(urlsplit(client.get("/login/evil").headers["Location"]).query)["state"][0]
    response = client.get(f"/sso/evil/callback?code={code}&state={state}")
    assert_refused(response, client, caplog, "the token endpoint refused the code: invalid_grant")


def test_a_callback_without_a_state_or_with_a_strange_one_is_refused(client, member, hostile, caplog):
    client.get("/login/evil")
    assert_refused(client.get("/sso/evil/callback?code=abc"), client, caplog, "the state is unknown here")
    assert_refused(client.get("/sso/evil/callback?code=abc&state=made-up"), client, caplog, "the state is unknown")


def test_the_providers_error_answer_is_refused(client, member, hostile, caplog):
    start = client.get("/login/evil")
    state = parse_qs(urlsplit(start.headers["Location"]).query)["state"][0]
    response = client.get(f"/sso/evil/callback?error=access_denied&state={state}")
    assert_refused(response, client, caplog, "the provider answered 'access_denied'")


def test_a_callback_naming_another_issuer_is_refused(client, member, hostile, caplog):
    start = client.get("/login/evil")
    back = urlsplit(requests.get(start.headers["Location"], allow_redirects=False, timeout=10).headers["Location"])
    response = client.get(f"{back.path}?{back.query}&iss=http%3A%2F%2Fattacker.example")
    assert_refused(response, client, caplog, "the callback names another issuer")


def test_a_discovery_document_for_another_issuer_is_refused(client, member, hostile, caplog):
    hostile.metadata_changes = {"issuer": "http://127.0.0.1:1"}
    response = client.get("/login/evil")
    assert response.status_code == 400
    assert "is not where it was found" in caplog.text
    assert not logged_in(client)


def test_a_provider_without_pkce_s256_is_refused(client, member, hostile, caplog):
    hostile.metadata_changes = {"code_challenge_methods_supported": ["plain"]}
    assert client.get("/login/evil").status_code == 400
    assert "the provider does not offer PKCE with S256" in caplog.text
