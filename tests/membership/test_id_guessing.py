"""A school rep guessing ids: every nomination and school URL of another school, GET and POST, is refused with 403
and changes nothing; members and clerks cannot reach any coordinator page of membership."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.conftest import count
from tests.factories import make_user
from tests.membership.builders import make_nomination, make_open_term
from youthcouncil.accounts.models import AccountType, User
from youthcouncil.audit import AuditEvent
from youthcouncil.extensions import db as _db
from youthcouncil.membership.models import Membership, Nomination, NominationStatus
from youthcouncil.membership.nominations import approve_nomination


@pytest.fixture
def other(world, app):
    """Fjorden skole (world.schools[1]) with its own rep, a pending under-15 and an approved nomination."""
    school = world.schools[1]
    rep = make_user(AccountType.school_rep, first_name="Otto", username="otto", school=school)
    term = make_open_term(world.municipality)
    _db.session.flush()
    with app.test_request_context():
        pending = make_nomination(term, school, rep, first_name="Hemmelig", last_name="Navnesen", age=12)
        approved = make_nomination(term, school, rep, first_name="Godkjent", last_name="Andersen", age=16)
        approve_nomination(approved, by=world.coordinator)
    _db.session.commit()
    return term, school, pending, approved


def _urls(term, school, pending, approved):
    t, s = term.id, school.id
    urls = [
        ("GET", f"/membership/terms/{t}/schools/{s}"),
        ("GET", f"/membership/terms/{t}/schools/{s}/nominate"),
        ("POST", f"/membership/terms/{t}/schools/{s}/nominate"),
        ("GET", f"/membership/terms/{t}/schools/{s}/sheets"),
        ("POST", f"/membership/terms/{t}/schools/{s}/sheets"),
        ("GET", f"/membership/schools/{s}"),
        ("POST", f"/membership/schools/{s}"),
        ("GET", f"/membership/schools/{s}/reps/new"),
        ("POST", f"/membership/schools/{s}/reps/new"),
    ]
    for n in (pending, approved):
        urls += [
            ("GET", f"/membership/nominations/{n.id}/edit"),
            ("POST", f"/membership/nominations/{n.id}/edit"),
            ("POST", f"/membership/nominations/{n.id}/withdraw"),
            ("POST", f"/membership/nominations/{n.id}/approve"),
            ("GET", f"/membership/nominations/{n.id}/reject"),
            ("POST", f"/membership/nominations/{n.id}/reject"),
            ("GET", f"/membership/nominations/{n.id}/consent"),
            ("POST", f"/membership/nominations/{n.id}/consent"),
        ]
    return urls


FILLED = {
    "first_name": "Snik",
    "last_name": "Sniksen",
    "grade": "7A",
    "birth_year": "2016",
    "birth_month": "3",
    "reason": "nei",
    "confirmed": "y",
    "given_on": "2026-01-01",
    "name": "Overtatt skole",
    "seats": "9",
    "deputy_seats": "9",
    "username": "snik",
}


def test_a_school_rep_gets_403_on_every_url_of_another_school(db, client, login_as, world, other):
    term, school, pending, approved = other
    login_as("school_rep")  # Rita, Bakken skole
    token = client.csrf_token("/home")
    before = count(db, AuditEvent), count(db, User), count(db, Nomination)
    failures = []
    for method, url in _urls(term, school, pending, approved):
        response = client.get(url) if method == "GET" else client.post(url, data=dict(FILLED, csrf_token=token))
        body = response.get_data(as_text=True)
        if response.status_code != 403 or "Hemmelig" in body or "Navnesen" in body or "Andersen" in body:
            failures.append(f"{method} {url}: {response.status_code}")
    assert not failures, "\n".join(failures)
    db.session.expire_all()
    assert (count(db, AuditEvent), count(db, User), count(db, Nomination)) == before
    fresh = db.session.get(Nomination, pending.id)
    assert fresh.status == NominationStatus.pending and fresh.first_name == "Hemmelig"
    assert fresh.consent_recorded_at is None
    assert db.session.get(Nomination, approved.id).status == NominationStatus.approved
    assert db.session.get(type(school), school.id).name == "Fjorden skole"


def test_the_same_urls_work_for_that_schools_own_rep(db, client, world, other):
    """Control: the 403s above come from the school check, not from broken URLs."""
    from tests.conftest import log_in

    term, school, pending, _approved = other
    otto = db.session.scalars(sa.select(User).where(User.username == "otto")).one()
    log_in(client, otto)
    assert client.get(f"/membership/terms/{term.id}/schools/{school.id}").status_code == 200
    assert client.get(f"/membership/nominations/{pending.id}/edit").status_code == 200
    assert client.get(f"/membership/nominations/{pending.id}/consent").status_code == 200
    assert "Hemmelig" in client.get(f"/membership/terms/{term.id}/schools/{school.id}").get_data(as_text=True)


COORDINATOR_ONLY = [
    "/membership/schools",
    "/membership/schools/new",
    "/membership/terms",
    "/membership/terms/new",
    "/membership/audit",
    "/membership/audit.csv",
]


@pytest.mark.parametrize("role", ["member", "chair", "clerk", "school_rep"])
def test_members_and_others_cannot_reach_coordinator_pages(db, client, login_as, world, other, role):
    term, school, pending, _approved = other
    membership = db.session.scalars(sa.select(Membership).where(Membership.user_id == world.users["member"].id)).one()
    login_as(role)
    token = client.csrf_token("/home")
    for url in COORDINATOR_ONLY + [
        f"/membership/terms/{term.id}",
        f"/membership/schools/{school.id}",
        f"/membership/terms/{term.id}/schools/{world.schools[0].id}/sheets",
    ]:
        assert client.get(url).status_code == 403, (role, url)
    for url in [
        f"/membership/terms/{term.id}/close",
        f"/membership/memberships/{membership.id}/office",
        f"/membership/nominations/{pending.id}/approve",
        f"/membership/nominations/{pending.id}/reject",
        "/membership/schools/new",
        "/membership/terms/new",
    ]:
        assert client.post(url, data=dict(FILLED, office="chair", csrf_token=token)).status_code == 403, (role, url)
    db.session.expire_all()
    assert db.session.get(Membership, membership.id).office.value == "none"
    assert not db.session.get(type(term), term.id).is_closed
