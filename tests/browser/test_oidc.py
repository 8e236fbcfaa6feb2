"""On a phone, against the real test provider (npm's oidc-provider): a new member activates with the code and
connects the school account through the provider's own login page, logs out, and logs in again with one tap; a clerk
logs in through the municipality's provider. Every step is a click."""

from __future__ import annotations

import pytest

from tests.oidc import PASSWORD, USERS, start_provider

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def idp(_live_server):
    running = start_provider([_live_server.url])
    yield running
    running.stop()


@pytest.fixture
def providers(app, idp, live_server):
    from youthcouncil.accounts import oidc

    saved = app.extensions["yc_oidc"]
    oidc.configure(app, oidc.parse_providers([idp.settings("feide"), idp.settings("kommune")]))
    yield idp
    app.extensions["yc_oidc"] = saved


def _log_in_at_the_provider(page, who):
    page.wait_for_selector("input[name=login]")
    assert page.url.startswith("http://localhost:")  # the provider's own page, not ours
    page.fill("input[name=login]", USERS[who].login)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Logg inn").click()


def test_new_member_connects_feide_at_activation_and_then_logs_in_with_one_tap(
    page, db, world, providers, axe_check, logout, tap
):
    import sqlalchemy as sa

    from tests.factories import make_member
    from youthcouncil.accounts.models import ExternalIdentity
    from youthcouncil.accounts.services import issue_activation_code

    newcomer = make_member(world.term, world.schools[0], first_name="Ola", username="ola", activated=False)
    issued = issue_activation_code(newcomer)
    db.session.commit()

    page.goto(f"/activate?code={issued.code}")  # the QR code on the sheet
    tap(page, "Koble til skole- eller jobbkontoen min")
    page.wait_for_selector("text=Hei, Ola! Koden din virker.")
    axe_check(page)
    tap(page, "Logg inn med Feide", full_load=True)  # to the provider: a plain link, not boosted
    _log_in_at_the_provider(page, "pupil")
    page.wait_for_url("**/home")
    assert page.locator("h1").inner_text() == "Hei, Ola!"
    assert "Brukeren din er klar" in page.locator("#flash").inner_text()

    subjects = db.session.scalars(sa.select(ExternalIdentity.subject).where(ExternalIdentity.user_id == newcomer.id))
    assert list(subjects) == [USERS["pupil"].sub]
    db.session.commit()

    logout(page)
    assert page.get_by_role("link", name="Logg ut av Feide også").is_visible()
    axe_check(page)
    tap(page, page.locator("nav.main-nav").get_by_role("link", name="Logg inn"))
    page.wait_for_selector("text=Eller med brukernavn og passord")
    axe_check(page)
    page.get_by_role("link", name="Logg inn med Feide").click()  # one tap: the provider still knows this phone
    page.wait_for_url("**/home")
    assert page.locator("h1").inner_text() == "Hei, Ola!"


def test_clerk_logs_in_through_the_municipalitys_provider_in_english(page, db, world, providers, tap):
    from youthcouncil.accounts.models import ExternalIdentity

    db.session.add(ExternalIdentity(user_id=world.users["clerk"].id, provider="kommune", subject=USERS["clerk"].sub))
    db.session.commit()

    page.goto("/")
    tap(page, page.locator("nav.main-nav").get_by_role("link", name="Logg inn"))
    page.get_by_role("button", name="English").click()
    page.wait_for_selector("text=Or with username and passphrase")
    tap(page, "Log in with Kommunen", full_load=True)
    _log_in_at_the_provider(page, "clerk")
    page.wait_for_url("**/home")
    assert page.locator("h1").inner_text() == "Hi, Kari!"
    assert "You are a clerk for the city council." in page.locator("main").inner_text()
