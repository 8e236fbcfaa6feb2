"""Every bad input on the nomination form is answered next to its field, in the user's language, with the typing
kept: missing name, impossible birth month, wrong age, over the seat count, after the deadline, duplicate."""

from __future__ import annotations

import html as html_lib
import re
from datetime import datetime, time, timedelta

import pytest

from tests.conftest import count
from tests.language import norwegian_in
from tests.membership.builders import birth_for_age, make_nomination
from youthcouncil.i18n import OSLO
from youthcouncil.membership.models import Nomination
from youthcouncil.membership.services import today_in_oslo

# (case, overrides, field the message sits next to, bokmål words, English words)
CASES = [
    ("missing first name", {"first_name": ""}, "first_name", "Skriv fornavnet", "Write the candidate's first name"),
    ("blank first name", {"first_name": "   "}, "first_name", "Skriv fornavnet", "Write the candidate's first name"),
    ("missing last name", {"last_name": ""}, "last_name", "Skriv etternavnet", "Write the candidate's last name"),
    ("missing class", {"grade": ""}, "grade", "klassen", "class, such as 7B"),
    ("month 13", {"birth_month": "13"}, "birth_month", "januar til desember", "January to December"),
    ("month 0", {"birth_month": "0"}, "birth_month", "januar til desember", "January to December"),
    ("month not a number", {"birth_month": "mars"}, "birth_month", "januar til desember", "January to December"),
    ("year not a number", {"birth_year": "to tusen"}, "birth_year", "Skriv året", "Write the year"),
    ("year missing", {"birth_year": ""}, "birth_year", "Skriv året", "Write the year"),
    ("year far back", {"birth_year": "1890"}, "birth_year", "Skriv året", "Write the year"),
    ("too young", {"age": 9}, "birth_year", "10 til 17 år", "10 to 17 years old"),
    ("too old", {"age": 18}, "birth_year", "10 til 17 år", "10 to 17 years old"),
    ("why me too long", {"why_me": "x" * 501}, "why_me", "500", "500"),
    ("place not a number", {"position": "først"}, "position", "1 til 99", "1 to 99"),
]


def _form(term, age: int = 13, **overrides):
    year, month = birth_for_age(term, age)
    data = {
        "first_name": "Sigrid",
        "last_name": "Bø",
        "grade": "7B",
        "birth_year": str(year),
        "birth_month": str(month),
        "why_me": "Jeg liker å bestemme.",
        "position": "",
    }
    data.update(overrides)
    return data


def _error_next_to(html: str, field: str) -> str:
    """The error text inside the field's own block (label, hint, error, input), not only in a summary."""
    block = re.search(rf'<div class="field[^"]*has-error[^"]*">((?:(?!</div>).)*?name="{field}".*?)</div>', html, re.S)
    assert block, f"no error block around {field}"
    error = re.search(rf'<p class="error" id="{field}-error">(.*?)</p>', block.group(1), re.S)
    assert error, f"no error message inside the {field} block"
    assert 'aria-describedby="' in block.group(1) and f"{field}-error" in block.group(1)
    return html_lib.unescape(error.group(1))


def _kept(html: str, data: dict) -> None:
    """What the rep typed is still in the form (text boxes, the text area and the chosen month)."""
    for name in ("first_name", "last_name", "grade", "birth_year", "position"):
        value = data[name]
        if value.strip():
            assert f'value="{html_lib.escape(value)}"' in html, f"{name}={value!r} not kept"
    if data["why_me"]:
        assert html_lib.escape(data["why_me"]) in html
    month = data["birth_month"]
    if month.isdigit() and 1 <= int(month) <= 12:
        assert re.search(rf'<option selected value="{month}"|<option value="{month}" selected', html)


@pytest.mark.parametrize("lang", ["nb", "en"])
@pytest.mark.parametrize(("case", "overrides", "field", "nb", "en"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_explained_next_to_the_field(client, login_as, world, term, lang, case, overrides, field, nb, en):
    login_as("school_rep")
    client.set_cookie("yc_lang", lang)
    url = f"/membership/terms/{term.id}/schools/{world.schools[0].id}/nominate"
    data = _form(term, **overrides)
    response = client.submit(url, data, page=url)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    message = _error_next_to(html, field)
    assert (nb if lang == "nb" else en) in message
    if lang == "en":
        assert not norwegian_in(message), message
    _kept(html, data)
    assert count(client.application.extensions["sqlalchemy"], Nomination) == 0


def _refused(client, url, data, lang):
    client.set_cookie("yc_lang", lang)
    response = client.submit(url, data, page="/home")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    _kept(html, data)
    return _error_next_to(html, "first_name")


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_over_the_seat_count_is_explained_with_the_typing_kept(db, client, login_as, world, term, lang):
    school = world.schools[0]  # 3 seats + 1 deputy seat
    for _ in range(school.seats + school.deputy_seats):
        make_nomination(term, school, world.users["school_rep"])
    db.session.commit()
    login_as("school_rep")
    message = _refused(client, f"/membership/terms/{term.id}/schools/{school.id}/nominate", _form(term), lang)
    expected = "3 plasser og 1 varaplasser" if lang == "nb" else "3 seats and 1 deputy seats"
    assert expected in message
    assert count(db, Nomination) == 4


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_after_the_deadline_is_explained_with_the_typing_kept(db, client, login_as, world, term, lang):
    term.nomination_deadline = datetime.combine(today_in_oslo() - timedelta(days=1), time(23, 59), OSLO)
    db.session.commit()
    login_as("school_rep")
    url = f"/membership/terms/{term.id}/schools/{world.schools[0].id}/nominate"
    # The form itself already says so before the rep types anything.
    client.set_cookie("yc_lang", lang)
    form_page = client.get(url).get_data(as_text=True)
    assert (
        "Fristen for nominasjoner har gått ut" if lang == "nb" else "deadline for nominations has passed"
    ) in form_page
    message = _refused(client, url, _form(term), lang)
    assert (
        "Fristen for nominasjoner har gått ut" if lang == "nb" else "The deadline for nominations has passed"
    ) in message
    assert count(db, Nomination) == 0


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_a_duplicate_candidate_is_explained_with_the_typing_kept(db, client, login_as, world, term, lang):
    make_nomination(term, world.schools[0], world.users["school_rep"], first_name="Sigrid", last_name="Bø")
    db.session.commit()
    login_as("school_rep")
    url = f"/membership/terms/{term.id}/schools/{world.schools[0].id}/nominate"
    message = _refused(client, url, _form(term, first_name=" sigrid ", last_name="BØ"), lang)
    assert ("allerede nominert" if lang == "nb" else "already nominated") in message
    assert count(db, Nomination) == 1


def test_editing_into_a_duplicate_is_explained_too(db, client, login_as, world, term):
    rep = world.users["school_rep"]
    make_nomination(term, world.schools[0], rep, first_name="Sigrid", last_name="Bø")
    other = make_nomination(term, world.schools[0], rep, first_name="Sofie", last_name="Bø")
    db.session.commit()
    login_as("school_rep")
    url = f"/membership/nominations/{other.id}/edit"
    response = client.submit(url, _form(term, first_name="Sigrid"), page=url)
    assert response.status_code == 200
    assert "allerede nominert" in _error_next_to(response.get_data(as_text=True), "first_name")
    db.session.expire_all()
    assert db.session.get(Nomination, other.id).first_name == "Sofie"


def test_term_dates_that_are_not_dates_get_plain_words(db, client, login_as, world):
    login_as("coordinator")
    data = {"name": "2030–2032", "starts_on": "2030-13-45", "ends_on": "i morgen", "nomination_deadline": ""}
    response = client.submit("/membership/terms/new", data, page="/membership/terms/new")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Velg en dag i kalenderen" in _error_next_to(html, "starts_on")
    assert "Velg en dag i kalenderen" in _error_next_to(html, "ends_on")
    assert "Velg siste dag for nominasjoner" in _error_next_to(html, "nomination_deadline")
    assert "gyldig" not in html  # no WTForms stock text ("Ikke en gyldig datoverdi")
    assert 'value="2030–2032"' in html
