"""A school rep nominates through the real form; every rule answers next to the field, keeping what was typed."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest

from tests.conftest import count
from tests.membership.builders import birth_for_age, make_nomination
from youthcouncil.i18n import OSLO
from youthcouncil.membership.models import Nomination, NominationStatus
from youthcouncil.membership.nominations import (
    Candidate,
    age_band,
    age_on,
    intended_seats,
    update_nomination,
    withdraw_nomination,
)
from youthcouncil.membership.services import MembershipError, today_in_oslo


def _form(term, **overrides):
    year, month = birth_for_age(term, 13)
    data = {
        "first_name": "Sigrid",
        "last_name": "Bø",
        "grade": "7B",
        "birth_year": year,
        "birth_month": month,
        "why_me": "Jeg liker å bestemme.",
        "position": "",
    }
    data.update(overrides)
    return data


def _url(term, school):
    return f"/membership/terms/{term.id}/schools/{school.id}/nominate"


def test_rep_nominates_and_only_an_age_band_is_kept(db, client, login_as, world, term):
    login_as("school_rep")
    school = world.schools[0]
    response = client.submit(_url(term, school), _form(term), page=_url(term, school))
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Sigrid er nominert." in page
    assert "13–14" in page
    nomination = db.session.scalars(db.select(Nomination)).one()
    assert nomination.age_band == "13-14"
    assert nomination.needs_consent is True
    assert nomination.position == 1
    assert not any("birth" in column.name for column in Nomination.__table__.columns)


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"first_name": ""}, "first_name", "fornavnet"),
        ({"last_name": ""}, "last_name", "etternavnet"),
        ({"birth_month": "13"}, "birth_month", "januar til desember"),
        ({"birth_month": "0"}, "birth_month", "januar til desember"),
        ({"birth_year": "abc"}, "birth_year", ""),
        ({"why_me": "x" * 501}, "why_me", "500"),
    ],
)
def test_bad_input_is_explained_next_to_the_field_with_the_typing_kept(
    client, login_as, world, term, overrides, field, words
):
    login_as("school_rep")
    school = world.schools[0]
    data = _form(term, **overrides)
    response = client.submit(_url(term, school), data, page=_url(term, school))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html
    assert words in html
    assert 'value="7B"' in html  # what the rep typed is still there
    assert count(client.application.extensions["sqlalchemy"], Nomination) == 0


def test_too_young_and_too_old_are_refused(db, client, login_as, world, term):
    login_as("school_rep")
    school = world.schools[0]
    for age in (9, 18):
        year, month = birth_for_age(term, age)
        response = client.submit(
            _url(term, school), _form(term, birth_year=year, birth_month=month), page=_url(term, school)
        )
        assert response.status_code == 200
        assert "10 til 17 år" in response.get_data(as_text=True)
    assert count(db, Nomination) == 0


def test_age_is_counted_on_the_terms_first_day():
    from datetime import date

    start = date(2026, 8, 15)
    assert age_on(start, 2016, 8) == 10  # birthday counts as the 1st of the month
    assert age_on(start, 2016, 9) == 9
    assert age_on(start, 2009, 1) == 17
    assert age_band(12) == "10-12" and age_band(14) == "13-14" and age_band(15) == "15-17"


def test_a_duplicate_candidate_is_refused(db, client, login_as, world, term):
    make_nomination(term, world.schools[0], world.users["school_rep"], first_name="Sigrid", last_name="Bø")
    db.session.commit()
    login_as("school_rep")
    response = client.submit(
        _url(term, world.schools[0]),
        _form(term, first_name=" sigrid ", last_name="BØ"),
        page=_url(term, world.schools[0]),
    )
    assert response.status_code == 200
    assert "allerede nominert" in response.get_data(as_text=True)
    assert count(db, Nomination) == 1


def test_the_database_refuses_a_duplicate_live_nomination(db, world, term):
    import sqlalchemy as sa
    from sqlalchemy.exc import IntegrityError

    first = make_nomination(term, world.schools[0], world.users["school_rep"], first_name="Ada", last_name="Ro")
    db.session.commit()
    values = {c.name: getattr(first, c.name) for c in Nomination.__table__.columns if c.name != "id"}
    with pytest.raises(IntegrityError):
        db.session.execute(sa.insert(Nomination).values(**values))
    db.session.rollback()
    # Withdrawn or rejected nominations do not block a new one.
    withdraw_nomination(db.session.get(Nomination, first.id), by=None)
    make_nomination(term, world.schools[0], world.users["school_rep"], first_name="Ada", last_name="Ro")


def test_no_more_nominations_than_seats_and_deputy_seats(db, client, login_as, world, term):
    school = world.schools[0]  # 3 seats + 1 deputy seat
    for _ in range(school.seats + school.deputy_seats):
        make_nomination(term, school, world.users["school_rep"])
    db.session.commit()
    login_as("school_rep")
    page = client.get(f"/membership/terms/{term.id}/schools/{school.id}").get_data(as_text=True)
    assert "Alle plassene er fylt eller nominert" in page
    response = client.submit(_url(term, school), _form(term), page=f"/membership/terms/{term.id}/schools/{school.id}")
    assert response.status_code == 200
    assert "3 plasser og 1 varaplasser" in response.get_data(as_text=True)
    assert count(db, Nomination) == 4


def test_after_the_deadline_the_server_refuses(db, client, login_as, world, term, in_request):
    term.nomination_deadline = datetime.combine(today_in_oslo() - timedelta(days=1), time(23, 59), OSLO)
    db.session.commit()
    login_as("school_rep")
    response = client.submit(_url(term, world.schools[0]), _form(term), page="/home")
    assert response.status_code == 200
    assert "Fristen for nominasjoner har gått ut" in response.get_data(as_text=True)
    assert count(db, Nomination) == 0
    with pytest.raises(MembershipError):
        make_nomination(term, world.schools[0], world.users["school_rep"])


def test_the_deadline_minute_shown_as_until_23_59_still_counts_in_full(db, world, term):
    """The pages say "until 30.11.2026 23:59": a nomination sent at 23:59:30 that day is in time, at 00:00 it is not."""
    from youthcouncil.membership.nominations import nomination_is_open, terms_open_for_nomination

    term.nomination_deadline = datetime.combine(today_in_oslo(), time(23, 59), OSLO)
    db.session.commit()
    assert nomination_is_open(term, now=term.nomination_deadline + timedelta(seconds=59))
    assert not nomination_is_open(term, now=term.nomination_deadline + timedelta(seconds=60))
    assert term in terms_open_for_nomination(now=term.nomination_deadline + timedelta(seconds=59))
    assert term not in terms_open_for_nomination(now=term.nomination_deadline + timedelta(seconds=60))


def test_english_messages_when_english_is_chosen(client, login_as, world, term):
    login_as("school_rep")
    client.set_cookie("yc_lang", "en")
    response = client.submit(_url(term, world.schools[0]), _form(term, first_name=""), page="/home")
    html = response.get_data(as_text=True)
    assert 'id="first_name-error"' in html
    assert "first name." in html and "Skriv" not in html


def test_order_decides_member_or_deputy(db, world, term):
    school = world.schools[0]  # 3 seats, 1 deputy
    rep = world.users["school_rep"]
    made = [make_nomination(term, school, rep) for _ in range(4)]
    intended = intended_seats(term, school)
    assert [intended[n.id].value for n in made] == ["member", "member", "member", "deputy"]
    update_nomination(
        made[3], Candidate(made[3].first_name, "Kandidat", "8B", *birth_for_age(term, 15), position=1), by=rep
    )
    made[0].position = 2
    db.session.flush()
    intended = intended_seats(term, school)
    assert intended[made[3].id].value == "member"


def test_rep_edits_and_withdraws_until_decided(db, client, login_as, world, term):
    nomination = make_nomination(term, world.schools[0], world.users["school_rep"], first_name="Per")
    db.session.commit()
    login_as("school_rep")
    edit = f"/membership/nominations/{nomination.id}/edit"
    page = client.get(edit).get_data(as_text=True)
    assert 'value="Per"' in page
    response = client.submit(edit, _form(term, first_name="Pål"), page=edit)
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Nomination, nomination.id).first_name == "Pål"
    response = client.submit(f"/membership/nominations/{nomination.id}/withdraw", {}, page=edit)
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Nomination, nomination.id).status == NominationStatus.withdrawn
    # Decided now: no more changes.
    response = client.submit(edit, _form(term, first_name="Paul"), page="/home")
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Nomination, nomination.id).first_name == "Pål"


def test_the_nomination_deadline_is_not_called_a_consultation_deadline(db, client, login_as, world, term):
    """The catalogues of all domains are merged: a bare "Deadline" came out as "Høringsfrist" (consultations)."""
    login_as("school_rep")
    html = client.get(f"/membership/terms/{term.id}/schools/{world.schools[0].id}").get_data(as_text=True)
    assert "Høringsfrist" not in html and "Siste dag for nominasjoner" in html
