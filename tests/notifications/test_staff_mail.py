"""Staff e-mail: adults set their own address (the coordinator a clerk's), the demo adults have one, the subject
names the council once, the sender is derived and printed at start, links follow where make run serves, and members
never get e-mail."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from tests.conftest import count
from youthcouncil.accounts import services as accounts
from youthcouncil.accounts.models import AccountType, User
from youthcouncil.audit import AuditEvent
from youthcouncil.notifications.models import OutboxMessage
from youthcouncil.notifications.services import _subject, email_message, mail_sender, notify


def _error_of(html: str, field: str) -> str:
    match = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', html)
    return match.group(1) if match else ""


@pytest.mark.parametrize("role", ["coordinator", "clerk"])
def test_an_adult_sets_and_removes_their_own_address_from_the_account_page(db, client, login_as, role):
    user = login_as(role)
    page = client.get("/account").get_data(as_text=True)
    assert 'href="/account/email"' in page
    bad = client.submit("/account/email", {"email": "ikke en adresse"}, page="/account/email")
    assert "ser ikke ut som en e-postadresse" in _error_of(bad.get_data(as_text=True), "email")
    done = client.submit("/account/email", {"email": " kari.nordmann@kommune.example.org "}, page="/account/email")
    assert done.status_code == 303 and done.headers["Location"].endswith("/account")
    db.session.expire_all()
    assert db.session.get(User, user.id).email == "kari.nordmann@kommune.example.org"
    assert count(db, AuditEvent, AuditEvent.action == "account.email_changed") == 1
    assert "kari.nordmann@kommune.example.org" in client.get("/account").get_data(as_text=True)
    client.submit("/account/email", {"email": ""}, page="/account/email")
    db.session.expire_all()
    assert db.session.get(User, user.id).email is None


@pytest.mark.parametrize("role", ["member", "chair", "school_rep"])
def test_children_have_no_address_to_set(db, client, login_as, role):
    user = login_as(role)
    assert 'href="/account/email"' not in client.get("/account").get_data(as_text=True)
    assert client.get("/account/email").status_code == 403
    with pytest.raises(accounts.AccountError):
        accounts.set_email(user, "barn@example.org")


def test_the_coordinator_sets_a_clerks_address_but_never_a_members(db, client, login_as, world):
    login_as("coordinator")
    clerk, member = world.users["clerk"], world.users["member"]
    detail = client.get(f"/accounts/{clerk.id}").get_data(as_text=True)
    assert f'href="/accounts/{clerk.id}/email"' in detail
    url = f"/accounts/{clerk.id}/email"
    done = client.submit(url, {"email": "kari@kommune.example.org"}, page=url)
    assert done.status_code == 303 and done.headers["Location"].endswith(f"/accounts/{clerk.id}")
    db.session.expire_all()
    assert db.session.get(User, clerk.id).email == "kari@kommune.example.org"
    assert f"/accounts/{member.id}/email" not in client.get(f"/accounts/{member.id}").get_data(as_text=True)
    refused = client.submit(f"/accounts/{member.id}/email", {"email": "barn@example.org"}, page=f"/accounts/{clerk.id}")
    assert refused.status_code == 403
    db.session.expire_all()
    assert db.session.get(User, member.id).email is None


def test_members_never_get_email_even_when_everybody_is_told(db, world):
    clerk, coordinator = world.users["clerk"], world.users["coordinator"]
    accounts.set_email(clerk, "kari@example.org")
    accounts.set_email(coordinator, "hanne@example.org")
    everybody = list(db.session.scalars(sa.select(User)))
    assert {u.account_type for u in everybody} == set(AccountType)
    added = notify(everybody, kind="test", message="A new consultation request")
    db.session.commit()
    assert added == len(everybody)  # everybody sees it in the app
    assert sorted(db.session.scalars(sa.select(OutboxMessage.to_address))) == ["hanne@example.org", "kari@example.org"]
    # Even an account that somehow held an address (the database refuses one for a child) gets no mail.
    member = world.users["member"]
    stand_in = User(id=member.id, account_type=AccountType.member, first_name="Mia", email="barn@example.org")
    assert notify([stand_in], kind="test2", message="A new consultation request") == 1
    db.session.commit()
    assert count(db, OutboxMessage) == 2


def test_the_subject_names_the_council_once(app):
    with app.test_request_context():
        assert _subject("Ungdomsrådet har sendt høringssvaret sitt.") == "Ungdomsrådet har sendt høringssvaret sitt."
        assert _subject("Ny høring: Skolevei") == "Ungdomsrådet: Ny høring: Skolevei"


def test_the_sender_is_derived_from_the_public_address_unless_configured(app, db, world, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_FROM", "")
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://ungdomsrad.example.no/app")
    assert mail_sender() == "Ungdomsrådet <noreply@ungdomsrad.example.no>"
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "")
    monkeypatch.setenv("HOST", "0.0.0.0")
    monkeypatch.setenv("PORT", "5111")
    assert mail_sender() == "Ungdomsrådet <noreply@localhost>"
    monkeypatch.setitem(app.config, "MAIL_FROM", "ungdomsradet@kommune.no")
    assert mail_sender() == "ungdomsradet@kommune.no"
    monkeypatch.setitem(app.config, "MAIL_FROM", "")
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://ungdomsrad.example.no")
    accounts.set_email(world.users["clerk"], "kari@example.org")
    notify([world.users["clerk"]], kind="test", message="A new consultation request")
    db.session.flush()
    mail = email_message(db.session.scalars(sa.select(OutboxMessage)).one())
    assert mail["From"] == "Ungdomsrådet <noreply@ungdomsrad.example.no>"
    assert mail["Message-ID"].endswith("@ungdomsrad.example.no>")


def test_make_run_prints_the_sender_and_links_later_made_by_notify_use_its_port(app, db, world, tmp_path, monkeypatch):
    """The issue's walk: make run on port 5111, then `flask notify` in another shell without HOST and PORT."""
    from youthcouncil.links import public_url

    monkeypatch.setenv("YC_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "")
    monkeypatch.setitem(app.config, "MAIL_FROM", "")
    monkeypatch.setenv("HOST", "0.0.0.0")
    monkeypatch.setenv("PORT", "5111")
    result = app.test_cli_runner().invoke(args=["start-info"])
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:5111" in result.output
    assert "E-mail (adults only) from Ungdomsrådet <noreply@localhost>" in result.output
    monkeypatch.delenv("HOST")
    monkeypatch.delenv("PORT")
    assert public_url("public.index") == "http://127.0.0.1:5111/"
    (tmp_path / "served_address").unlink()
    assert public_url("public.index") == "http://127.0.0.1:5000/"


def test_the_demo_adults_have_addresses_and_the_children_none(app, db):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    adults = {u.username: u.email for u in db.session.scalars(sa.select(User).where(User.email.is_not(None)))}
    assert adults["koordinator"] == "koordinator@example.org"
    assert adults["saksbehandler1"] == "saksbehandler1@example.org"
    assert adults["saksbehandler2"] == "saksbehandler2@example.org"
    assert len(adults) == 3
