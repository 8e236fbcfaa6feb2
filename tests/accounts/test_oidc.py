"""Logging in with a provider account, against a real OpenID Connect provider (npm's oidc-provider, run by node).

The provider has two clients ("Feide" for members and school reps, "Kommune" for staff) and test users whose ID
tokens carry a name, an e-mail address, a birth date and a school; the app must keep none of them.
"""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from tests.conftest import log_in
from tests.factories import PASSPHRASE, make_member
from tests.oidc import USERS, log_in_at_provider, start_provider


@pytest.fixture(scope="module")
def idp():
    running = start_provider(["http://localhost"])
    yield running
    running.stop()


@pytest.fixture
def providers(app, idp):
    """The app with both test providers configured (as it was, none, afterwards)."""
    from youthcouncil.accounts import oidc

    saved = app.extensions["yc_oidc"]
    oidc.configure(app, oidc.parse_providers([idp.settings("feide"), idp.settings("kommune")]))
    yield idp
    app.extensions["yc_oidc"] = saved


def _path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def sso(client, start: str, user, browser=None):
    """Tap a provider link at ``start``, log in at the provider as ``user``, come back; the app's response."""
    response = client.get(start)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    callback = log_in_at_provider(response.headers["Location"], user, browser=browser)
    return client.get(_path(callback))


def identities(db):
    from youthcouncil.accounts.models import ExternalIdentity

    return [(i.user_id, i.provider, i.subject) for i in db.session.scalars(sa.select(ExternalIdentity))]


def everything_stored(db) -> str:
    """Every row of every table, as text."""
    db.session.expire_all()
    rows = []
    for table in db.metadata.sorted_tables:
        rows.extend(f"{table.name}: {row!r}" for row in db.session.execute(sa.select(table)).all())
    return "\n".join(rows)


def new_member_with_code(db, world, first_name="Ola", username="ola"):
    from youthcouncil.accounts.services import issue_activation_code

    newcomer = make_member(world.term, world.schools[0], first_name=first_name, username=username, activated=False)
    issued = issue_activation_code(newcomer)
    db.session.commit()
    return newcomer, issued.code


def connect_logged_in(client, user, provider_name, idp_user, browser=None):
    log_in(client, user)
    return sso(client, f"/account/connect/{provider_name}", idp_user, browser=browser)


def whoami(client) -> str | None:
    response = client.get("/home")
    if response.status_code != 200:
        return None
    return re.search(r"<h1>(.*?)</h1>", response.get_data(as_text=True)).group(1)


# --- No provider: as before ----------------------------------------------------------------------------------


def test_without_providers_the_login_and_activation_pages_are_as_before(client, world):
    login = client.get("/login").get_data(as_text=True)
    main = login[login.index("<main") : login.index("</main>")]
    assert re.findall(r'href="([^"]+)"', main) == ["/activate"]
    assert re.findall(r'action="([^"]+)"', main) == ["/login"]
    assert "<h2" not in main and "Logg inn med" not in main
    activate = client.get("/activate").get_data(as_text=True)
    assert 'name="connect"' not in activate
    log_in(client, world.users["member"])
    assert "/account" not in client.get("/home").get_data(as_text=True).replace("/accounts", "")


def test_without_providers_the_provider_pages_do_not_exist(client):
    assert client.get("/login/feide").status_code == 404
    assert client.get("/sso/feide/callback?code=x&state=y").status_code == 404


# --- The login page ------------------------------------------------------------------------------------------


def test_login_page_offers_each_provider_as_a_plain_link_in_both_languages(client, providers):
    from youthcouncil.security import CONTENT_SECURITY_POLICY

    response = client.get("/login")
    page = response.get_data(as_text=True)
    assert (
        '<a class="button button-primary button-wide" href="/login/feide" hx-boost="false">Logg inn med Feide</a>'
        in page
    )
    assert 'href="/login/kommune" hx-boost="false">Logg inn med Kommunen</a>' in page
    assert "Eller med brukernavn og passord" in page
    main = page[page.index("<main") : page.index("</main>")]
    assert "<script" not in main and " on" not in re.sub(r'"[^"]*"', "", main)  # no script, no handler attributes
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY  # not widened for the providers
    client.set_cookie("yc_lang", "en")
    page = client.get("/login").get_data(as_text=True)
    assert ">Log in with Feide</a>" in page and "Or with username and passphrase" in page


def test_the_authorization_request_uses_pkce_s256_state_and_nonce(client, providers):
    response = client.get("/login/feide?login_hint=mia")
    location = urlsplit(response.headers["Location"])
    assert f"{location.scheme}://{location.netloc}" == providers.issuer
    query = parse_qs(location.query)
    assert query["response_type"] == ["code"]
    assert query["client_id"] == ["yc-feide"]
    assert query["scope"] == ["openid"]
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43  # base64url of a SHA-256
    assert len(query["state"][0]) >= 20 and len(query["nonce"][0]) >= 20
    assert query["redirect_uri"] == ["http://localhost/sso/feide/callback"]
    # Nothing the visitor types reaches the provider (no username to probe with).
    assert "login_hint" not in query and "prompt" not in query


def test_behind_a_proxy_the_redirect_uri_is_the_public_address_not_the_host_header(client, app, providers, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://ungdomsrad.example.org")
    response = client.get("/login/feide", headers={"Host": "127.0.0.1:8000"})
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    assert query["redirect_uri"] == ["https://ungdomsrad.example.org/sso/feide/callback"]


# --- Activating with the code, then the school account ---------------------------------------------------------


def test_new_member_activates_with_the_code_and_feide_and_only_the_subject_is_stored(client, db, world, providers):
    from youthcouncil.accounts.models import ActivationCode, User

    newcomer, code = new_member_with_code(db, world)
    before = everything_stored(db)
    page = client.get("/activate").get_data(as_text=True)
    assert "Koble til skole- eller jobbkontoen min" in page
    response = client.submit("/activate", {"code": code.lower(), "connect": "1"}, page="/activate")
    assert response.status_code == 303 and response.headers["Location"] == "/activate/connect"
    page = client.get("/activate/connect").get_data(as_text=True)
    assert "Hei, Ola! Koden din virker." in page
    assert 'href="/activate/connect/feide" hx-boost="false">Logg inn med Feide</a>' in page
    assert "/activate/connect/kommune" not in page  # the staff provider is not for members
    assert everything_stored(db) == before  # a checked code, nothing written yet

    start = client.get("/activate/connect/feide")
    assert parse_qs(urlsplit(start.headers["Location"]).query)["prompt"] == ["login"]
    response = sso(client, "/activate/connect/feide", USERS["pupil"])
    assert response.status_code == 303 and response.headers["Location"] == "/home"
    assert whoami(client) == "Hei, Ola!"

    db.session.expire_all()
    user = db.session.get(User, newcomer.id)
    assert user.passphrase_hash is None and user.is_activated and user.email is None
    assert db.session.scalar(sa.select(ActivationCode.used_at).where(ActivationCode.user_id == user.id)) is not None
    assert identities(db) == [(user.id, "feide", USERS["pupil"].sub)]
    stored = everything_stored(db)
    claims = USERS["pupil"].claims
    for value in (claims["name"], claims["family_name"], claims["email"], claims["birthdate"], claims["school"]):
        assert value not in stored
    assert "Testelev" not in stored and "skole.example" not in stored and "2013" not in stored
    with client.session_transaction() as session:
        assert not any(str(value) in repr(dict(session)) for value in claims.values() if value is not True)


def test_a_wrong_code_is_refused_before_the_provider_and_counts_as_a_wrong_code(client, db, world, providers):
    response = client.submit("/activate", {"code": "ABCD-EFGH-JK23", "connect": "1"}, page="/activate")
    assert response.status_code == 200
    assert "Den koden virker ikke" in response.get_data(as_text=True)
    assert client.get("/activate/connect").headers["Location"] == "/activate"
    assert client.get("/activate/connect/feide").headers["Location"] == "/activate"
    for _ in range(9):
        client.submit("/activate", {"code": "ABCD-EFGH-JK23", "connect": "1"}, page="/activate")
    assert client.submit("/activate", {"code": "ABCD-EFGH-JK23", "connect": "1"}, page="/activate").status_code == 429


def test_the_code_can_be_spent_only_once(client, db, world, app, providers):
    newcomer, code = new_member_with_code(db, world)
    other = app.test_client()
    starts = []
    for browser in (client, other):  # two phones with the same sheet, both at the provider at once
        browser.submit("/activate", {"code": code, "connect": "1"}, page="/activate")
        starts.append(browser.get("/activate/connect/feide").headers["Location"])
    first = log_in_at_provider(starts[0], USERS["pupil"])
    second = log_in_at_provider(starts[1], USERS["pupil2"])
    assert client.get(_path(first)).headers["Location"] == "/home"
    assert other.get(_path(second)).headers["Location"] == "/activate"
    assert "Den koden virker ikke lenger" in other.get("/activate").get_data(as_text=True)
    assert identities(db) == [(newcomer.id, "feide", USERS["pupil"].sub)]
    assert whoami(other) is None


# --- Connecting from the account page, then one tap ------------------------------------------------------------


def test_member_connects_from_the_account_page_and_then_logs_in_with_one_tap(client, db, world, providers):
    member = world.users["member"]
    page = client.get("/account")
    assert page.status_code == 302  # logged out: to the login page
    browser = requests.Session()  # the same phone browser at the provider, throughout
    log_in(client, member)
    account = client.get("/account").get_data(as_text=True)
    assert 'href="/account/connect/feide" hx-boost="false">Koble til med Feide</a>' in account
    assert "/account/connect/kommune" not in account
    response = sso(client, "/account/connect/feide", USERS["pupil"], browser=browser)
    assert response.headers["Location"] == "/account"
    assert "Kontoen din er koblet til Feide" in client.get("/account").get_data(as_text=True)
    assert identities(db) == [(member.id, "feide", USERS["pupil"].sub)]

    client.submit("/logout", {}, page="/home")
    assert whoami(client) is None
    # One tap: the provider still knows this browser, so no login page there.
    response = client.get("/login/feide")
    callback = log_in_at_provider(response.headers["Location"], None, browser=browser)  # straight back
    response = client.get(_path(callback))
    assert response.headers["Location"] == "/home"
    assert whoami(client) == "Hei, Mia!"


def test_a_provider_account_connects_to_at_most_one_account(client, db, world, app, providers):
    from youthcouncil.accounts.models import ExternalIdentity

    connect_logged_in(client, world.users["member"], "feide", USERS["pupil"])
    other = app.test_client()
    response = connect_logged_in(other, world.users["chair"], "feide", USERS["pupil"])
    assert response.headers["Location"] == "/account"
    assert "allerede koblet til en annen konto her" in other.get("/account").get_data(as_text=True)
    assert identities(db) == [(world.users["member"].id, "feide", USERS["pupil"].sub)]
    # The database holds the rule too.
    db.session.add(ExternalIdentity(user_id=world.users["chair"].id, provider="feide", subject=USERS["pupil"].sub))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_an_account_connects_to_one_provider_account_per_provider(client, db, world, providers):
    connect_logged_in(client, world.users["member"], "feide", USERS["pupil"])
    response = sso(client, "/account/connect/feide", USERS["pupil2"])
    assert response.headers["Location"] == "/account"
    assert "allerede koblet til en annen Feide-konto" in client.get("/account").get_data(as_text=True)
    assert [row[2] for row in identities(db)] == [USERS["pupil"].sub]


def test_members_cannot_connect_the_staff_provider(client, world, providers):
    log_in(client, world.users["member"])
    assert client.get("/account/connect/kommune").status_code == 403


# --- Who gets in -------------------------------------------------------------------------------------------------


def _connect(db, user, provider, who):
    from youthcouncil.accounts.models import ExternalIdentity

    db.session.add(ExternalIdentity(user_id=user.id, provider=provider, subject=USERS[who].sub))
    db.session.commit()


def test_an_unknown_provider_account_is_asked_to_see_the_coordinator_and_nothing_is_stored(
    client, db, world, providers
):
    before = everything_stored(db)
    response = sso(client, "/login/feide", USERS["stranger"])
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert "Spør koordinatoren" in page and "Ingenting om deg ble lagret." in page
    assert whoami(client) is None
    assert everything_stored(db) == before


def test_deactivated_or_wrong_kind_of_account_gets_the_same_page_as_unknown(client, db, world, app, providers):
    from youthcouncil.accounts.services import set_active

    _connect(db, world.users["member"], "feide", "pupil")
    _connect(db, world.users["clerk"], "feide", "pupil2")  # a staff account cannot use the pupils' provider
    set_active(world.users["member"], False, by=None)
    db.session.commit()

    def page_for(who):
        response = sso(app.test_client(), "/login/feide", USERS[who])
        body = response.get_data(as_text=True)
        return response.status_code, body[body.index("<main") : body.index("</main>")]

    unknown = page_for("stranger")
    assert page_for("pupil") == unknown
    assert page_for("pupil2") == unknown


def test_no_account_is_ever_created_by_a_login(client, db, world, providers):
    from youthcouncil.accounts.models import User

    users = db.session.scalar(sa.select(sa.func.count()).select_from(User))
    for who in ("stranger", "pupil", "clerk"):
        sso(client, "/login/feide", USERS[who])
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == users
    assert identities(db) == []


# --- Sessions as before -------------------------------------------------------------------------------------------


def test_provider_login_goes_through_the_same_session_start(client, db, world, providers):
    from youthcouncil.accounts.devices import COOKIE_NAME

    _connect(db, world.users["member"], "feide", "pupil")
    old_csrf = client.csrf_token("/login")
    response = sso(client, "/login/feide", USERS["pupil"])
    assert response.headers["Location"] == "/home"
    with client.session_transaction() as session:
        user_id, token = session["_user_id"].split(":")
        assert int(user_id) == world.users["member"].id and token == world.users["member"].session_token
        assert session["login_at"] and session["seen_at"] and session["login_id"]
    assert client.csrf_token("/home") != old_csrf  # a new CSRF token at login
    # The member has a passphrase too: this browser becomes a known device of the account.
    assert any(cookie.startswith(f"{COOKIE_NAME}=") for cookie in response.headers.getlist("Set-Cookie"))


def test_logging_out_ends_the_session_and_offers_the_providers_logout(client, db, world, providers):
    _connect(db, world.users["member"], "feide", "pupil")
    browser = requests.Session()
    sso(client, "/login/feide", USERS["pupil"], browser=browser)
    with client.session_transaction() as session:
        stolen = dict(session)
    response = client.submit("/logout", {}, page="/home")
    assert response.headers["Location"] == "/logged-out"
    page = client.get("/logged-out").get_data(as_text=True)
    assert "Logg ut av Feide også" in page
    link = re.search(r'href="([^"]+)" hx-boost="false">Logg ut av Feide også', page).group(1).replace("&amp;", "&")
    query = parse_qs(urlsplit(link).query)
    assert link.startswith(f"{providers.issuer}/session/end?")
    assert query == {"client_id": ["yc-feide"], "post_logout_redirect_uri": ["http://localhost/"]}
    # The old session cookie no longer logs in (the session token changed).
    with client.session_transaction() as session:
        session.update(stolen)
    assert whoami(client) is None
    # At the provider: the logout page, then back to the app's front page; the next login asks again.
    confirm = browser.get(link, timeout=10)
    form = re.search(r'<form[^>]*action="([^"]+)"[^>]*>(.*?)</form>', confirm.text, re.S)
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form.group(2)))
    done = browser.post(form.group(1), data={**fields, "logout": "yes"}, allow_redirects=False, timeout=10)
    assert done.headers["Location"] == "http://localhost/"
    again = client.get("/login/feide")
    assert 'name="login"' in browser.get(again.headers["Location"], timeout=10).text


def test_passphrase_logout_is_as_before(client, world, providers):
    response = client.submit("/login", {"username": "mia", "passphrase": PASSPHRASE}, page="/login")
    assert response.headers["Location"] == "/home"
    assert client.submit("/logout", {}, page="/home").headers["Location"] == "/"


def test_deactivation_and_disconnecting_end_provider_sessions(client, db, world, app, providers):
    _connect(db, world.users["member"], "feide", "pupil")
    sso(client, "/login/feide", USERS["pupil"])
    assert whoami(client) == "Hei, Mia!"
    coordinator = app.test_client()
    log_in(coordinator, world.users["coordinator"])
    member_id = world.users["member"].id
    detail = coordinator.get(f"/accounts/{member_id}").get_data(as_text=True)
    assert "Koble fra" in detail and USERS["pupil"].sub not in detail  # the identifier itself is not shown
    response = coordinator.submit(
        f"/accounts/{member_id}/identities/feide/disconnect", {}, page=f"/accounts/{member_id}"
    )
    assert response.status_code == 303
    assert identities(db) == []
    assert whoami(client) is None  # logged out everywhere
    assert sso(client, "/login/feide", USERS["pupil"]).status_code == 403  # and the provider account no longer works

    _connect(db, world.users["member"], "feide", "pupil")
    sso(client, "/login/feide", USERS["pupil"])
    coordinator.submit(f"/accounts/{member_id}/active", {"active": "0"}, page=f"/accounts/{member_id}")
    assert whoami(client) is None


def test_only_coordinators_disconnect_and_not_their_own(client, db, world, app, providers):
    _connect(db, world.users["coordinator"], "kommune", "clerk")
    _connect(db, world.users["member"], "feide", "pupil")
    for role, user_id in (("member", world.users["member"].id), ("clerk", world.users["member"].id)):
        other = app.test_client()
        log_in(other, world.users[role])
        assert other.submit(f"/accounts/{user_id}/identities/feide/disconnect", {}, page="/home").status_code == 403
    log_in(client, world.users["coordinator"])
    own = world.users["coordinator"].id
    assert client.submit(f"/accounts/{own}/identities/kommune/disconnect", {}, page="/home").status_code == 403
    assert len(identities(db)) == 2


def test_clerk_logs_in_with_the_municipality_and_the_idle_timeout_applies(client, db, world, providers):
    from youthcouncil.db import utcnow

    connect_logged_in(client, world.users["clerk"], "kommune", USERS["clerk"])
    client.submit("/logout", {}, page="/home")
    response = sso(client, "/login/kommune", USERS["clerk"])
    assert response.headers["Location"] == "/home"
    assert whoami(client) == "Hei, Kari!"
    with client.session_transaction() as session:
        session["seen_at"] = (utcnow() - timedelta(minutes=31)).isoformat()
    response = client.get("/home")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_staff_choose_to_take_their_email_from_the_provider_members_cannot(client, db, world, app, providers):
    from youthcouncil.accounts.models import User

    clerk = world.users["clerk"]
    connect_logged_in(client, clerk, "kommune", USERS["clerk"])
    sso(app.test_client(), "/login/kommune", USERS["clerk"])
    db.session.expire_all()
    assert db.session.get(User, clerk.id).email is None  # not chosen: not taken
    assert "Ta e-postadressen min derfra" in client.get("/account").get_data(as_text=True)
    client.submit("/account/connect/kommune/email", {"takes_email": "1"}, page="/account")
    sso(app.test_client(), "/login/kommune", USERS["clerk"])
    db.session.expire_all()
    assert db.session.get(User, clerk.id).email == USERS["clerk"].claims["email"]

    member = app.test_client()
    connect_logged_in(member, world.users["member"], "feide", USERS["pupil"])
    assert "Ta e-postadressen min derfra" not in member.get("/account").get_data(as_text=True)
    assert member.submit("/account/connect/feide/email", {"takes_email": "1"}, page="/account").status_code == 403
    db.session.expire_all()
    assert db.session.get(User, world.users["member"].id).email is None


def test_the_passphrase_throttle_still_covers_the_passphrase_path(client, world, providers):
    for _ in range(10):
        wrong = client.submit("/login", {"username": "mia", "passphrase": "wrong wrong"}, page="/login")
        assert wrong.status_code == 200
    assert client.submit("/login", {"username": "mia", "passphrase": PASSPHRASE}, page="/login").status_code == 429


# --- Replays -----------------------------------------------------------------------------------------------------


def test_a_replayed_callback_is_refused(client, db, world, app, providers, caplog):
    _connect(db, world.users["member"], "feide", "pupil")
    response = client.get("/login/feide")
    with client.session_transaction() as session:
        copied = dict(session)  # an attacker's copy of the cookie with the state in it
    callback = _path(log_in_at_provider(response.headers["Location"], USERS["pupil"]))
    assert client.get(callback).headers["Location"] == "/home"
    client.submit("/logout", {}, page="/home")

    replayed = client.get(callback)  # the same browser: the state left its session
    assert replayed.status_code == 400 and "Ingenting ble lagret" in replayed.get_data(as_text=True)
    assert "the state is unknown here or was used already" in caplog.text
    other = app.test_client()
    with other.session_transaction() as session:
        session.update(copied)
    assert other.get(callback).status_code == 400  # with the old cookie: the shared one-time mark
    assert "a replayed callback" in caplog.text
    assert whoami(client) is None and whoami(other) is None


def test_a_replayed_code_is_refused(client, db, world, providers, caplog):
    _connect(db, world.users["member"], "feide", "pupil")
    first = client.get("/login/feide")
    callback = log_in_at_provider(first.headers["Location"], USERS["pupil"])
    assert client.get(_path(callback)).headers["Location"] == "/home"
    client.submit("/logout", {}, page="/home")
    code = parse_qs(urlsplit(callback).query)["code"][0]
    second = client.get("/login/feide")  # a fresh state, the old code
    state = parse_qs(urlsplit(second.headers["Location"]).query)["state"][0]
    response = client.get(f"/sso/feide/callback?code={code}&state={state}")
    assert response.status_code == 400
    assert "the token endpoint refused the code: invalid_grant" in caplog.text
    assert whoami(client) is None


def test_an_unreachable_provider_gets_a_plain_message(client, app, db):
    from youthcouncil.accounts import oidc

    saved = app.extensions["yc_oidc"]
    oidc.configure(
        app,
        oidc.parse_providers(
            [
                {
                    "name": "feide",
                    "discovery_url": "http://127.0.0.1:9/.well-known/openid-configuration",
                    "client_id": "x",
                    "client_secret": "y",
                    "roles": "member",
                }
            ]
        ),
    )
    try:
        response = client.get("/login/feide")
        assert response.status_code == 502
        assert "Vi fikk ikke kontakt med Feide" in response.get_data(as_text=True)
    finally:
        app.extensions["yc_oidc"] = saved


# --- Settings and retention ----------------------------------------------------------------------------------------


def test_providers_come_from_the_environment():
    from youthcouncil.accounts.models import AccountType
    from youthcouncil.accounts.oidc import parse_providers
    from youthcouncil.config import oidc_providers_from

    environ = {
        "OIDC_PROVIDERS": "feide, kommune",
        "OIDC_FEIDE_DISCOVERY_URL": "https://auth.dataporten.no/.well-known/openid-configuration",
        "OIDC_FEIDE_CLIENT_ID": "abc",
        "OIDC_FEIDE_CLIENT_SECRET": "s1",
        "OIDC_FEIDE_DISPLAY_NAME": "Feide",
        "OIDC_FEIDE_ROLES": "member school_rep",
        "OIDC_KOMMUNE_DISCOVERY_URL": "https://login.microsoftonline.com/t/v2.0/.well-known/openid-configuration",
        "OIDC_KOMMUNE_CLIENT_ID": "def",
        "OIDC_KOMMUNE_CLIENT_SECRET": "s2",
        "OIDC_KOMMUNE_ROLES": "clerk,coordinator",
        "OIDC_KOMMUNE_SCOPES": "openid email",
    }
    feide, kommune = parse_providers(oidc_providers_from(environ))
    assert (feide.name, feide.display_name, feide.client_id, feide.scopes) == ("feide", "Feide", "abc", "openid")
    assert feide.account_types == {AccountType.member, AccountType.school_rep}
    assert kommune.account_types == {AccountType.clerk, AccountType.coordinator} and kommune.scopes == "openid email"
    assert kommune.display_name == "Kommune"
    assert parse_providers(oidc_providers_from({})) == []
    for broken in (
        {"OIDC_FEIDE_ROLES": "member admin"},
        {"OIDC_FEIDE_CLIENT_SECRET": ""},
        {"OIDC_FEIDE_SCOPES": "email"},
        {"OIDC_FEIDE_DISCOVERY_URL": "http://auth.dataporten.no/.well-known/openid-configuration"},
    ):
        with pytest.raises(ValueError):
            parse_providers(oidc_providers_from({**environ, "OIDC_PROVIDERS": "feide", **broken}))


def test_retention_forgets_the_connection(db, world):
    from youthcouncil.accounts.retention import minimise_personal_data

    _connect(db, world.users["member"], "feide", "pupil")
    _connect(db, world.users["chair"], "feide", "pupil2")
    assert minimise_personal_data([world.users["member"].id]) == 1
    assert [row[0] for row in identities(db)] == [world.users["chair"].id]
