"""Bokmål by default, English on request; the choice sticks; every string is translated."""

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _i18n_tool():
    spec = importlib.util.spec_from_file_location("i18n_tool", ROOT / "scripts" / "i18n.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module


def test_every_message_has_a_bokmal_translation():
    problems = _i18n_tool().problems()
    assert not problems, "\n".join(problems[:40])


def test_catalogues_are_compiled_for_every_domain_with_strings():
    tool = _i18n_tool()
    for source in tool.sources():
        po = tool.po_path(source, "nb")
        if po.exists():
            assert po.with_suffix(".mo").exists(), f"{po} is not compiled (make translations)"


def test_bokmal_is_the_default(client):
    text = client.get("/login").get_data(as_text=True)
    assert '<html lang="nb">' in text
    assert "Logg inn" in text


def test_language_switch_sticks_and_is_a_post(client):
    token = client.csrf_token("/login")
    response = client.post("/language", data={"language": "en", "next": "/login", "csrf_token": token})
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    assert "yc_lang=en" in response.headers["Set-Cookie"]
    for _ in range(2):
        text = client.get("/login").get_data(as_text=True)
        assert '<html lang="en">' in text and "Log in" in text and "Logg inn" not in text
    client.post("/language", data={"language": "nb", "csrf_token": client.csrf_token("/login")})
    assert "Logg inn" in client.get("/login").get_data(as_text=True)


def test_unknown_language_is_ignored(client):
    client.post("/language", data={"language": "xx", "csrf_token": client.csrf_token("/login")})
    assert '<html lang="nb">' in client.get("/login").get_data(as_text=True)


def test_language_switch_refuses_an_outside_redirect(client):
    response = client.post(
        "/language", data={"language": "en", "next": "https://evil.example/", "csrf_token": client.csrf_token("/login")}
    )
    assert response.headers["Location"] == "/"


def test_a_message_means_the_same_in_every_catalogue():
    """The catalogues are merged at run time: one English text with two bokmål texts would show only one of them."""
    clashes = _i18n_tool().clashes()
    assert not clashes, "\n".join(clashes)


def test_wtforms_own_messages_come_in_the_readers_language_from_a_catalogue_read_once(app):
    from flask import g
    from flask_wtf import FlaskForm
    from werkzeug.datastructures import MultiDict
    from wtforms import SelectField

    from youthcouncil.i18n import _wtforms_catalogue

    class Pick(FlaskForm):
        class Meta:
            csrf = False

        colour = SelectField(choices=[("red", "red")])

    def message(cookie: str | None) -> str:
        headers = {"Cookie": f"yc_lang={cookie}"} if cookie else {}
        with app.test_request_context("/", method="POST", headers=headers):
            for name in list(vars(g)):  # the test's app context is reused: forget the last request's language
                delattr(g, name)
            app.preprocess_request()
            form = Pick(formdata=MultiDict({"colour": "blue"}))
            assert not form.validate()
            return form.colour.errors[0]

    _wtforms_catalogue.cache_clear()
    assert message(None) == "Ikke et gyldig valg"
    assert message("en") == "Not a valid choice."
    for _ in range(3):
        assert message(None) == "Ikke et gyldig valg"
    assert _wtforms_catalogue.cache_info().misses == 2  # bokmål and English, each read once


def test_templates_translate_in_the_locale_in_force_even_when_it_changes_within_a_request(app):
    """Templates keep the reader's catalogue for the request (youthcouncil.i18n.translations); a locale forced for a
    while (an e-mail in bokmål while an English reader waits) must get its own catalogue, and the reader's after."""
    from flask import render_template_string
    from flask_babel import force_locale

    from youthcouncil.i18n import LANGUAGE_COOKIE

    page = '{{ _("My account") }}'
    # Each request in its own application context, as served (the fixture's context would carry `g` across).
    with app.app_context(), app.test_request_context("/", headers={"Cookie": f"{LANGUAGE_COOKIE}=en"}):
        assert render_template_string(page) == "My account"
        with force_locale("nb"):
            assert render_template_string(page) == "Min konto"
        assert render_template_string(page) == "My account"
    with app.app_context(), app.test_request_context("/"):
        assert render_template_string(page) == "Min konto"  # a new request: bokmål, the default
        # Variables are escaped, the count fills num, and a {% trans %} block translates the same way.
        assert render_template_string('{{ _("Your order: %(order)s", order="<b>") }}') == "Din rekkefølge: &lt;b&gt;"
        plural = '{{ ngettext("%(num)d day is left", "%(num)d days are left", n) }}'
        assert [render_template_string(plural, n=n) for n in (1, 3)] == ["1 dag er igjen", "3 dager er igjen"]
        assert render_template_string("{% trans %}My account{% endtrans %}") == "Min konto"


def test_python_code_translates_in_the_locale_in_force_even_when_it_changes_within_a_request(app):
    """``_``, ``ngettext`` and ``_l`` in Python code go through the same kept catalogue as templates
    (youthcouncil.i18n): an e-mail forced into bokmål gets bokmål, and the reader's language comes back after."""
    from flask_babel import force_locale

    from youthcouncil.i18n import LANGUAGE_COOKIE, gettext, lazy_gettext, ngettext

    label = lazy_gettext("My account")  # made once, as a form's label is at import
    days = ("%(num)d day is left", "%(num)d days are left")
    with app.app_context(), app.test_request_context("/", headers={"Cookie": f"{LANGUAGE_COOKIE}=en"}):
        assert (str(label), gettext("Your order: %(order)s", order="x"), ngettext(*days, 3)) == (
            "My account",
            "Your order: x",
            "3 days are left",
        )
        with force_locale("nb"):
            assert (str(label), gettext("My account"), ngettext(*days, 1)) == (
                "Min konto",
                "Min konto",
                "1 dag er igjen",
            )
        assert (str(label), gettext("My account")) == ("My account", "My account")
    with app.app_context(), app.test_request_context("/"):
        assert str(label) == "Min konto"
        assert gettext("%(size)s kB", size=12) == "12 kB"
        assert gettext("100%") == "100%"  # without variables the text is not %-formatted


def test_switching_language_on_a_form_sent_back_to_be_fixed_stays_on_its_page(client, db, world):
    """A member whose comment is refused switches to English to read why: she lands on the same page, not the
    front page."""
    import re

    from tests.conftest import log_in
    from tests.consultations.builders import make_opened

    consultation = make_opened(world)
    db.session.commit()
    page = f"/consultations/{consultation.id}"
    log_in(client, world.users["member"])
    refused = client.post(
        f"{page}/comments",
        data={"body": " ", "csrf_token": client.csrf_token(page)},
        headers={
            "Referer": f"http://localhost{page}",
            "HX-Request": "true",
            "HX-Current-URL": f"http://localhost{page}",
        },
    )
    assert refused.status_code == 200 and "Skriv noe først." in refused.get_data(as_text=True)
    switch = re.search(r'<form class="lang-switch".*?</form>', refused.get_data(as_text=True), re.S).group(0)
    assert f'name="next" value="{page}"' in switch
    # The address bar keeps the page too (htmx would show the address the form was sent to).
    assert refused.headers["HX-Push-Url"] == "false"
