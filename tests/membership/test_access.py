"""Object-level access for membership: id guessing across schools (tests/test_access_matrix.py checks every role)."""

from __future__ import annotations

import pytest

from tests.factories import make_school, make_user
from tests.membership.builders import make_nomination, make_open_term
from youthcouncil.accounts.models import AccountType
from youthcouncil.extensions import db as _db
from youthcouncil.membership.models import Nomination, NominationStatus


@pytest.fixture
def other_school_nomination(world):
    """A nomination of another school (with its own rep), for id guessing."""
    other = world.schools[1]
    other_rep = make_user(AccountType.school_rep, first_name="Otto", username="otto", school=other)
    term = make_open_term(world.municipality)
    _db.session.flush()
    nomination = make_nomination(term, other, other_rep, first_name="Hemmelig", last_name="Navnesen", age=12)
    _db.session.commit()
    return nomination


def test_a_school_rep_cannot_see_another_schools_nominations(client, login_as, other_school_nomination):
    login_as("school_rep")
    n = other_school_nomination
    response = client.get(f"/membership/terms/{n.term_id}/schools/{n.school_id}")
    assert response.status_code == 403
    assert "Hemmelig" not in response.get_data(as_text=True)
    assert client.get(f"/membership/nominations/{n.id}/edit").status_code == 403
    assert client.get(f"/membership/nominations/{n.id}/consent").status_code == 403
    assert client.get(f"/membership/terms/{n.term_id}/schools/{n.school_id}/nominate").status_code == 403
    # The rep's own overview never lists another school's candidates.
    assert "Hemmelig" not in client.get("/membership/nominations").get_data(as_text=True)


def test_a_school_rep_cannot_change_another_schools_nominations(app, db, client, login_as, other_school_nomination):
    login_as("school_rep")
    n = other_school_nomination
    token = client.csrf_token("/home")
    assert client.post(f"/membership/nominations/{n.id}/withdraw", data={"csrf_token": token}).status_code == 403
    edit = {
        "csrf_token": token,
        "first_name": "Endret",
        "last_name": "X",
        "grade": "7A",
        "birth_year": 2014,
        "birth_month": 3,
    }
    assert client.post(f"/membership/nominations/{n.id}/edit", data=edit).status_code == 403
    consent = {"csrf_token": token, "confirmed": "y", "given_on": "2026-01-01"}
    assert client.post(f"/membership/nominations/{n.id}/consent", data=consent).status_code == 403
    nominate = {
        "csrf_token": token,
        "first_name": "Snik",
        "last_name": "X",
        "grade": "7A",
        "birth_year": 2013,
        "birth_month": 3,
    }
    url = f"/membership/terms/{n.term_id}/schools/{n.school_id}/nominate"
    assert client.post(url, data=nominate).status_code == 403
    db.session.expire_all()
    fresh = db.session.get(Nomination, n.id)
    assert fresh.status == NominationStatus.pending
    assert fresh.first_name == "Hemmelig"
    assert fresh.consent_recorded_at is None
    assert db.session.query(Nomination).count() == 1


def test_members_and_clerks_cannot_reach_coordinator_pages(client, login_as, world):
    for role in ("member", "chair", "clerk", "school_rep"):
        login_as(role)
        for url in (
            "/membership/schools",
            "/membership/terms",
            "/membership/audit",
            "/membership/audit.csv",
            "/membership/schools/new",
            "/membership/terms/new",
        ):
            assert client.get(url).status_code == 403, (role, url)


def test_an_unknown_id_is_404_for_the_coordinator(client, login_as, world):
    login_as("coordinator")
    assert client.get("/membership/nominations/999999/reject").status_code == 404
    assert client.get(f"/membership/terms/999999/schools/{world.schools[0].id}").status_code == 404


def test_school_list_has_only_this_municipalitys_schools(client, login_as, world):
    make_school(world.municipality, name="Tredje skole")
    _db.session.commit()
    login_as("coordinator")
    page = client.get("/membership/schools").get_data(as_text=True)
    assert "Tredje skole" in page and "Bakken skole" in page
