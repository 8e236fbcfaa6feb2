"""One error type for every domain's refusals, translated when shown, and one way to show it on a form."""

from __future__ import annotations

import pytest
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField

from youthcouncil.accounts.services import AccountError
from youthcouncil.budget.services import BudgetError
from youthcouncil.consultations.models import ConsultationError
from youthcouncil.errors import DomainError
from youthcouncil.membership.models import NominationError
from youthcouncil.membership.services import MembershipError
from youthcouncil.motions.services import MotionError
from youthcouncil.safety_week.services import SafetyWeekError
from youthcouncil.web import attach_error


@pytest.mark.parametrize(
    "error_type",
    [AccountError, MembershipError, NominationError, SafetyWeekError, MotionError, ConsultationError, BudgetError],
)
def test_every_domain_error_is_a_domain_error_translated_when_shown(app, error_type):
    assert issubclass(error_type, DomainError) and issubclass(error_type, ValueError)
    with force_locale("en"):
        error = error_type(_l("Use at most %(max)s characters.", max=60), "title")
    with force_locale("nb"):
        assert str(error) == error.message == "Bruk høyst 60 tegn."
    with force_locale("en"):
        assert str(error) == "Use at most 60 characters."
    assert error.field == "title"


class _Form(FlaskForm):
    class Meta:
        csrf = False

    title = StringField()
    body = StringField()


def test_attach_error_shows_the_refusal_under_its_field_or_the_default(app):
    with app.test_request_context():
        form = _Form()
        attach_error(form, BudgetError(_l("Write what the money was spent on."), "body"), "title")
        attach_error(form, BudgetError(_l("Choose a month.")), "title")
        attach_error(form, BudgetError(_l("Choose a month."), "month"), "title")  # not a field of this form
        attach_error(form, BudgetError(_l("Choose a month."), "data"), "title")  # an attribute, but no field
        assert form.body.errors == ["Skriv hva pengene ble brukt til."]
        assert form.title.errors == ["Velg en måned."] * 3


def test_a_stale_form_leads_back_to_its_page_not_to_a_reload_of_the_post_address(client, db, world):
    """The old "reload the page" advice asked for the address the form posted to, which only takes POSTs."""
    from tests.conftest import log_in
    from tests.consultations.builders import make_opened

    consultation = make_opened(world)
    db.session.commit()
    page = f"/consultations/{consultation.id}"
    log_in(client, world.users["member"])
    stale = {"body": "Hei", "csrf_token": "an old token"}
    referer = {"Referer": f"http://localhost{page}?reply=3"}
    # Logged in, with a token from before the last login: back to the page the form was on.
    response = client.post(f"{page}/comments", data=stale, headers=referer)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "Siden var for gammel, så det ble ikke sendt." in body
    assert f'href="{page}?reply=3">Åpne siden på nytt</a>' in body
    # Another site's page is never where the button leads.
    other = client.post(f"{page}/comments", data=stale, headers={"Referer": "https://evil.example/x"})
    assert "evil.example" not in other.get_data(as_text=True)
    # Nor a path of this site that a browser reads as another host.
    for sly in ("http://localhost//evil.example/x", "http://localhost/\\evil.example/x"):
        other = client.post(f"{page}/comments", data=stale, headers={"Referer": sly})
        assert "evil.example" not in other.get_data(as_text=True), sly
    # Logged out (the session had ended): log in, then back to the page.
    with client.session_transaction() as session:
        session.clear()
    response = client.post(f"{page}/comments", data=stale, headers=referer)
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and "Du ble logget ut, så det ble ikke sendt." in body
    assert 'href="/login?next=/consultations/' in body
