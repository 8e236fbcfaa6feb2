"""Review findings: seat slots after a seat count change, a stale read meeting the unique slot, the roster's query
count, the public page, the CSV export against formulas, and the neutral label of the retention run."""

from __future__ import annotations

import csv
import io
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from tests.conftest import count
from tests.factories import make_member
from tests.membership.builders import make_nomination, make_open_term
from youthcouncil.accounts.models import User
from youthcouncil.audit import record
from youthcouncil.membership import terms
from youthcouncil.membership.models import Membership, Nomination, NominationStatus
from youthcouncil.membership.nominations import Candidate, approve_nomination, nominate, record_consent
from youthcouncil.membership.retention import run_retention
from youthcouncil.membership.schools import update_school
from youthcouncil.membership.services import MembershipError, today_in_oslo
from youthcouncil.membership.terms import public_roster


@pytest.fixture
def term(db, world):
    term = make_open_term(world.municipality)
    db.session.commit()
    return term


# --- Seats --------------------------------------------------------------------------------------------------


def test_more_member_seats_mid_term_still_seat_the_next_member(db, world, term, in_request):
    """1 seat + 2 deputies, all filled (slots 1, 2, 3); then 3 seats: slots 1–3 are taken, yet 2 member seats are
    free. The next approval must get a free slot (it used to crash with StopIteration: a 500)."""
    school, rep = world.schools[1], world.users["school_rep"]
    rep.school = school
    school.seats, school.deputy_seats = 1, 2
    made = [make_nomination(term, school, rep) for _ in range(3)]
    for nomination in made:
        approve_nomination(nomination, by=world.coordinator)
    update_school(school, school.name, 3, 2, by=world.coordinator)
    nxt = make_nomination(term, school, rep)
    approve_nomination(nxt, by=world.coordinator)
    seats = sorted(m.seat.value for m in db.session.scalars(sa.select(Membership).where(Membership.term_id == term.id)))
    assert seats == ["deputy", "deputy", "member", "member"]
    slots = list(db.session.scalars(sa.select(Membership.seat_slot).where(Membership.term_id == term.id)))
    assert len(set(slots)) == 4 and None not in slots


def test_a_stale_read_of_the_free_slots_is_stopped_by_the_database(db, world, term, monkeypatch, in_request):
    """As if two approvals read the free slots at the same moment: the second picks the slot the first just took.
    The unique (term, school, slot) constraint refuses it and the user gets a kind message, not a 500."""
    school, rep = world.schools[0], world.users["school_rep"]
    first, second = make_nomination(term, school, rep), make_nomination(term, school, rep)
    approve_nomination(first, by=world.coordinator)
    db.session.commit()
    taken = db.session.scalars(sa.select(Membership.seat_slot).where(Membership.term_id == term.id)).one()
    monkeypatch.setattr(terms, "_free_slot", lambda *_args: taken)
    with pytest.raises(MembershipError, match="samme øyeblikk"):
        approve_nomination(second, by=world.coordinator)
    db.session.rollback()
    assert count(db, Membership, Membership.term_id == term.id) == 1
    assert db.session.get(Nomination, second.id).status == NominationStatus.pending


def test_a_stale_approval_through_the_page_is_a_message_not_a_500(db, client, login_as, world, term, monkeypatch):
    school, rep = world.schools[0], world.users["school_rep"]
    with client.application.test_request_context():
        first, second = make_nomination(term, school, rep), make_nomination(term, school, rep)
        approve_nomination(first, by=world.coordinator)
    db.session.commit()
    taken = db.session.scalars(sa.select(Membership.seat_slot).where(Membership.term_id == term.id)).one()
    second_id, users_before = second.id, count(db, User)
    monkeypatch.setattr(terms, "_free_slot", lambda *_args: taken)
    login_as("coordinator")
    page = f"/membership/terms/{term.id}/schools/{school.id}"
    response = client.submit(f"/membership/nominations/{second_id}/approve", {}, page=page)
    assert response.status_code == 303
    assert "samme øyeblikk" in client.get(response.headers["Location"]).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Nomination, second_id).status == NominationStatus.pending
    assert count(db, User) == users_before  # no half-made account


# --- Roster: no query per member ----------------------------------------------------------------------------


@contextmanager
def _count_queries(db):
    statements = []

    def before(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", before)


@pytest.mark.parametrize("path", ["/membership/roster", "/council"])
def test_the_roster_costs_the_same_queries_for_4_or_24_members(db, client, login_as, world, path):
    login_as("coordinator")
    client.get(path)  # warm up (template compile)

    def measure():
        db.session.commit()
        db.session.expire_all()
        with _count_queries(db) as statements:
            response = client.get(path)
        assert response.status_code == 200
        return statements, response.get_data(as_text=True)

    few, _ = measure()
    for i in range(20):
        make_member(world.term, world.schools[i % 2], first_name=f"Flere{i}")
    many, html = measure()
    assert "Flere19" in html
    assert len(many) == len(few), "\n".join(few) + "\n-----\n" + "\n".join(many)


# --- Public page --------------------------------------------------------------------------------------------


def test_public_page_has_no_last_names_ages_or_unconsented_children(db, client, world, in_request):
    term = world.term
    school = world.schools[0]
    school.seats = 10
    # An approved under-15 whose guardian has not said yes yet: the account is off and the public page is silent.
    from datetime import datetime, time, timedelta

    from youthcouncil.i18n import OSLO

    term.nomination_deadline = datetime.combine(today_in_oslo() + timedelta(days=5), time(23, 59), OSLO)
    candidate = Candidate("Ungen", "Hemmeligsen", "5A", term.starts_on.year - 11, term.starts_on.month)
    nomination = nominate(term, school, candidate, by=world.users["school_rep"])
    older = nominate(
        term,
        school,
        Candidate("Eldre", "Etternavnsen", "9A", term.starts_on.year - 16, term.starts_on.month),
        by=world.users["school_rep"],
    )
    approve_nomination(nomination, by=world.coordinator)
    approve_nomination(older, by=world.coordinator)
    db.session.commit()
    html = client.get("/council").get_data(as_text=True)
    assert "Eldre" in html and "Mia" in html
    assert "Ungen" not in html
    for secret in ("Etternavnsen", "Hemmeligsen", "Testesen", "10-12", "13-14", "15-17", "15–17", "år"):
        assert secret not in html.split("<main", 1)[1].split("</main>", 1)[0], secret
    # Once the guardian's consent is recorded, the first name appears.
    record_consent(db.session.get(Nomination, nomination.id), today_in_oslo(), by=world.coordinator)
    db.session.commit()
    assert "Ungen" in client.get("/council").get_data(as_text=True)


def test_public_roster_hands_the_page_first_names_and_schools_only(db, world):
    rows = public_roster(world.term)
    assert rows and {f.name for f in rows[0].__dataclass_fields__.values()} == {
        "first_name",
        "school_id",
        "school_name",
        "is_deputy",
    }
    assert not any(row.first_name == "Testesen" for row in rows)


# --- CSV export ---------------------------------------------------------------------------------------------


def test_the_csv_export_defuses_formulas_in_every_column(db, client, login_as, world):
    evil_user = world.users["clerk"]
    evil_user.username = "@sum(1+1)"
    record(evil_user, "=cmd|' /C calc'!A0", None, {"note": "=2+2"})
    event = record(world.coordinator, "-2+3", None, None)
    event.subject_type, event.subject_id = ' +HYPERLINK("http://x")', None
    record(world.coordinator, "\tTAB", None, None)
    db.session.commit()
    login_as("coordinator")
    response = client.get("/membership/audit.csv")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text)))
    cells = [cell for row in rows[1:] for cell in row]
    starts = ("=", "+", "-", "@", "\t", "\r")
    dangerous = [c for c in cells if c.startswith(starts) or c.lstrip(" ").startswith(starts)]
    assert dangerous == []
    assert "'=cmd|' /C calc'!A0" in cells and "'@sum(1+1)" in cells and "'-2+3" in cells
    assert '\' +HYPERLINK("http://x")' in cells and "'\tTAB" in cells
    # Every cell is quoted, so a comma or a line break in a value never shifts the columns.
    assert all(line.startswith('"') for line in text.splitlines() if line)


# --- Retention ----------------------------------------------------------------------------------------------


def test_the_neutral_label_is_in_the_municipalitys_language_whoever_runs_it(app, db, world):
    from datetime import timedelta

    from tests.factories import make_term

    ends_on = today_in_oslo() - timedelta(days=400)
    old = make_term(world.municipality, starts_on=ends_on - timedelta(days=700), ends_on=ends_on, name="Gammel")
    db.session.flush()
    former = make_member(old, world.schools[0], first_name="Gunnhild", last_name="Gammelsen")
    db.session.commit()
    with app.test_request_context(headers={"Cookie": "yc_lang=en"}):
        from flask_babel import gettext

        assert gettext("Former member") == "Former member"  # the request really is English
        run_retention()
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(User, former.id).first_name == "Tidligere medlem"


def test_the_nomination_deadline_is_not_called_a_consultation_deadline(db, client, login_as, world, term):
    """The catalogues of all domains are merged: a bare "Deadline" came out as "Høringsfrist" (consultations)."""
    login_as("school_rep")
    html = client.get(f"/membership/terms/{term.id}/schools/{world.schools[0].id}").get_data(as_text=True)
    assert "Høringsfrist" not in html and "Siste dag for nominasjoner" in html
