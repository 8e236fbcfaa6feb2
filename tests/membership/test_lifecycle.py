"""Consent, activation sheets, roster, offices, end of term, schools and terms, audit log and its CSV."""

from __future__ import annotations

import csv
import io
import re
import threading
from datetime import date, timedelta

import pytest
import segno
import sqlalchemy as sa

from tests.conftest import count
from tests.factories import make_member
from tests.membership.builders import make_nomination
from youthcouncil.accounts import services as accounts
from youthcouncil.accounts.models import ActivationCode, User
from youthcouncil.accounts.qr import activation_link
from youthcouncil.audit import AuditEvent, _csv_cell, record
from youthcouncil.membership import signals
from youthcouncil.membership.models import Membership, Nomination, Office, School, Term
from youthcouncil.membership.nominations import (
    approve_nomination,
    members_waiting_for_sheets,
    record_consent,
    reject_nomination,
)
from youthcouncil.membership.services import MembershipError, today_in_oslo
from youthcouncil.membership.terms import add_membership

# --- Guardian consent ---------------------------------------------------------------------------------------


def test_under_15_cannot_activate_until_a_guardian_consent_is_recorded(db, client, login_as, world, term, in_request):
    nomination = make_nomination(term, world.schools[0], world.users["school_rep"], first_name="Lita", age=12)
    assert nomination.needs_consent
    user = approve_nomination(nomination, by=world.coordinator)
    db.session.commit()
    assert user.active is False
    ready, waiting = members_waiting_for_sheets(term, world.schools[0])
    assert ready == [] and waiting == [nomination]
    # Even a code made elsewhere (the accounts page) does not work before consent.
    issued = accounts.issue_activation_code(user, issued_by=world.coordinator)
    db.session.commit()
    with pytest.raises(accounts.AccountError):
        accounts.activate(issued.code, "tre gode ord her")
    db.session.rollback()

    login_as("school_rep")
    url = f"/membership/nominations/{nomination.id}/consent"
    response = client.submit(url, {"given_on": today_in_oslo().isoformat()}, page=url)
    assert response.status_code == 200
    assert 'id="confirmed-error"' in response.get_data(as_text=True)
    future = (today_in_oslo() + timedelta(days=3)).isoformat()
    response = client.submit(url, {"confirmed": "y", "given_on": future}, page=url)
    assert response.status_code == 200 and "fram i tid" in response.get_data(as_text=True)
    response = client.submit(url, {"confirmed": "y", "given_on": today_in_oslo().isoformat()}, page=url)
    assert response.status_code == 303
    db.session.expire_all()
    nomination = db.session.get(Nomination, nomination.id)
    assert nomination.consent_recorded_by_id == world.users["school_rep"].id
    assert nomination.consent_given_on == today_in_oslo() and nomination.consent_recorded_at is not None
    assert nomination.user.active is True
    assert members_waiting_for_sheets(term, world.schools[0])[0] == [nomination]


def test_15_and_older_need_no_consent(db, world, term, in_request):
    nomination = make_nomination(term, world.schools[0], world.users["school_rep"], age=15)
    assert not nomination.needs_consent and nomination.has_consent
    with pytest.raises(MembershipError):
        record_consent(nomination, today_in_oslo(), by=world.coordinator)


# --- Activation sheets --------------------------------------------------------------------------------------


def test_activation_sheets_show_one_page_per_new_member_with_a_qr_of_the_link(db, client, login_as, world, term):
    rep = world.users["school_rep"]
    first = make_nomination(term, world.schools[0], rep, first_name="Aud", age=16)
    second = make_nomination(term, world.schools[0], rep, first_name="Bo", age=16)
    waiting = make_nomination(term, world.schools[0], rep, first_name="Cia", age=11)
    for nomination in (first, second, waiting):
        approve_nomination(nomination, by=world.coordinator)
    db.session.commit()
    login_as("coordinator")
    url = f"/membership/terms/{term.id}/schools/{world.schools[0].id}/sheets"
    start = client.get(url).get_data(as_text=True)
    assert "Aud" in start and "Venter på samtykke fra en foresatt" in start
    assert count(db, ActivationCode) == 0  # GET makes no codes

    response = client.submit(url, {}, page=url)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    assert html.count('data-testid="activation-sheet"') == 2
    assert "Cia" not in html.split("activation-sheet", 1)[1]
    codes = re.findall(r'data-testid="activation-code">([^<]+)<', html)
    images = re.findall(r'<img class="qr" src="([^"]+)"', html)
    assert len(codes) == len(images) == 2
    with client.application.test_request_context(base_url="http://localhost"):
        for code, image in zip(codes, images, strict=True):
            expected = segno.make(activation_link(code), error="m").svg_data_uri(scale=6, border=4)
            assert image.replace("&amp;", "&") == expected.replace("&amp;", "&")
    assert count(db, ActivationCode) == 2
    # The printed code works: the member activates and can log in.
    client.submit("/logout", {}, page="/home")
    response = client.submit(
        "/activate",
        {"code": codes[0], "passphrase": "tre gode ord her", "confirm": "tre gode ord her"},
        page="/activate",
    )
    assert response.status_code == 303


def test_sheets_are_for_the_coordinator_only(client, login_as, world, term):
    login_as("school_rep")
    assert client.get(f"/membership/terms/{term.id}/schools/{world.schools[0].id}/sheets").status_code == 403


# --- Roster and offices -------------------------------------------------------------------------------------


def test_public_page_shows_first_names_and_schools_only(client, world):
    html = client.get("/council").get_data(as_text=True)
    assert "Mia" in html and "Bakken skole" in html
    assert "Testesen" not in html  # factories' last name
    assert ">mia<" not in html  # no usernames either


def test_members_and_staff_see_the_full_roster(client, login_as, world):
    for role in ("member", "clerk", "coordinator"):
        login_as(role)
        html = client.get("/membership/roster").get_data(as_text=True)
        assert "Mia" in html and "Testesen" in html and "Leder" in html
    login_as("member")
    assert "Gjør til leder" not in client.get("/membership/roster").get_data(as_text=True)


def test_a_large_roster_comes_in_pages_of_50(db, client, login_as, world):
    for i in range(52):  # 56 members with the world's four
        make_member(world.term, world.schools[i % 2], first_name=f"Elev{i:02d}")
    db.session.commit()
    login_as("coordinator")
    first = client.get("/membership/roster").get_data(as_text=True)
    second = client.get("/membership/roster?page=2").get_data(as_text=True)
    assert first.count('class="card roster-member"') == 50
    assert second.count('class="card roster-member"') == 6
    assert "Side 1 av 2" in first and 'href="/membership/roster?page=2"' in first
    assert "Side 2 av 2" in second and 'href="/membership/roster?page=1"' in second
    assert "56 medlemmer" in first
    # Nobody is on both pages, and everybody is on one of them.
    names = re.findall(r'<p class="roster-name"><strong>([^<]+)</strong>', first + second)
    assert len(names) == len(set(names)) == 56


def test_coordinator_marks_chair_and_vice_chair_with_audit(db, client, login_as, world):
    login_as("coordinator")
    mia = db.session.scalars(sa.select(Membership).where(Membership.user_id == world.users["member"].id)).one()
    response = client.submit(f"/membership/memberships/{mia.id}/office", {"office": "chair"}, page="/membership/roster")
    assert response.status_code == 303
    db.session.expire_all()
    offices = dict(db.session.execute(sa.select(Membership.user_id, Membership.office)).all())
    assert offices[world.users["member"].id] == Office.chair
    assert offices[world.users["chair"].id] == Office.none  # the old chair lost the office
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "membership.office_changed")).all()
    assert len(events) == 2 and all(e.actor_id == world.coordinator.id for e in events)
    client.submit(f"/membership/memberships/{mia.id}/office", {"office": "vice_chair"}, page="/membership/roster")
    db.session.expire_all()
    assert db.session.get(Membership, mia.id).office == Office.vice_chair
    assert (
        client.submit(
            f"/membership/memberships/{mia.id}/office", {"office": "king"}, page="/membership/roster"
        ).status_code
        == 400
    )


# --- End of term --------------------------------------------------------------------------------------------


def test_closing_a_term_ends_memberships_and_sessions_and_deactivates_leavers(db, client, login_as, world, term):
    staying = world.members[2]
    add_membership(term, staying, world.schools[0])  # also seated in the next (open) term
    db.session.commit()
    tokens = {u.id: u.session_token for u in world.members}
    login_as("member")
    coordinator = login_as("coordinator")
    url = f"/membership/terms/{world.term.id}/close"
    heard = []

    def term_closed(sender, *, by, **kwargs):
        heard.append((sender.id, sender.is_closed, by.id))

    with signals.term_closed.connected_to(term_closed):
        # The first tap only asks: it says what will happen and closes nothing.
        client.set_cookie("yc_lang", "en")
        response = client.submit(url, {}, page=f"/membership/terms/{world.term.id}")
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert "4 memberships end now" in page and 'name="confirm"' in page
        assert not db.session.get(Term, world.term.id).is_closed
        # Sent without the tick: asked again, with the message next to the box, still nothing closed.
        response = client.submit(url, {"confirm": ""}, page=f"/membership/terms/{world.term.id}")
        assert response.status_code == 422 and 'id="confirm-error"' in response.get_data(as_text=True)
        db.session.expire_all()
        assert not db.session.get(Term, world.term.id).is_closed and heard == []
        response = client.submit(url, {"confirm": "y"}, page=f"/membership/terms/{world.term.id}")
    assert response.status_code == 303
    assert heard == [(world.term.id, True, coordinator.id)]  # the other domains hear of it
    db.session.expire_all()
    assert db.session.get(Term, world.term.id).is_closed
    assert count(db, Membership, Membership.term_id == world.term.id, Membership.active.is_(True)) == 0
    for member in world.members:
        fresh = db.session.get(User, member.id)
        assert fresh.session_token != tokens[member.id]
        assert fresh.active is (member.id == staying.id)
    assert count(db, AuditEvent, AuditEvent.action == "term.closed") == 1
    # The closed term cannot be closed again.
    assert client.submit(url, {"confirm": "y"}, page="/membership/terms").status_code == 403


# --- Schools and terms --------------------------------------------------------------------------------------


def test_coordinator_adds_a_school_and_a_rep(db, client, login_as, world):
    login_as("coordinator")
    response = client.submit(
        "/membership/schools/new", {"name": "", "seats": "2", "deputy_seats": "1"}, page="/membership/schools/new"
    )
    assert response.status_code == 200 and 'id="name-error"' in response.get_data(as_text=True)
    response = client.submit(
        "/membership/schools/new",
        {"name": "Bakken skole", "seats": "2", "deputy_seats": "x"},
        page="/membership/schools/new",
    )
    assert response.status_code == 200
    response = client.submit(
        "/membership/schools/new",
        {"name": "bakken skole", "seats": "2", "deputy_seats": "1"},
        page="/membership/schools/new",
    )
    assert "finnes allerede" in response.get_data(as_text=True)
    response = client.submit(
        "/membership/schools/new",
        {"name": "Havna skole", "seats": "2", "deputy_seats": "1"},
        page="/membership/schools/new",
    )
    assert response.status_code == 303
    school = db.session.scalars(sa.select(School).where(School.name == "Havna skole")).one()
    assert (school.seats, school.deputy_seats) == (2, 1)
    response = client.submit(
        f"/membership/schools/{school.id}/reps/new",
        {"first_name": "Rune", "last_name": "Rep"},
        page=f"/membership/schools/{school.id}",
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'data-testid="activation-code"' in html and '<img class="qr"' in html
    rep = db.session.scalars(sa.select(User).where(User.first_name == "Rune")).one()
    assert rep.school_id == school.id and rep.account_type.value == "school_rep"


def test_seats_cannot_go_below_the_members_already_seated(db, client, login_as, world):
    login_as("coordinator")
    school = world.schools[0]  # Mia and one extra member sit here
    response = client.submit(
        f"/membership/schools/{school.id}",
        {"name": school.name, "seats": "1", "deputy_seats": "1"},
        page=f"/membership/schools/{school.id}",
    )
    assert response.status_code == 200
    assert "2 medlemmer sitter allerede" in response.get_data(as_text=True)


def test_term_rules(db, client, login_as, world):
    login_as("coordinator")
    start = date(2030, 8, 15)
    base = {
        "name": "2030–2032",
        "starts_on": start.isoformat(),
        "ends_on": (start + timedelta(days=729)).isoformat(),
        "nomination_deadline": (start - timedelta(days=14)).isoformat(),
    }
    too_long = dict(base, ends_on=date(2032, 8, 15).isoformat())
    response = client.submit("/membership/terms/new", too_long, page="/membership/terms/new")
    assert response.status_code == 200 and "høyst to år" in response.get_data(as_text=True)
    assert 'value="2030–2032"' in response.get_data(as_text=True)
    backwards = dict(base, ends_on=(start - timedelta(days=1)).isoformat())
    assert "slutte etter" in client.submit("/membership/terms/new", backwards, page="/membership/terms/new").get_data(
        as_text=True
    )
    late_deadline = dict(base, nomination_deadline=date(2033, 1, 1).isoformat())
    assert client.submit("/membership/terms/new", late_deadline, page="/membership/terms/new").status_code == 200
    response = client.submit("/membership/terms/new", base, page="/membership/terms/new")
    assert response.status_code == 303
    term = db.session.scalars(sa.select(Term).where(Term.name == "2030–2032")).one()
    assert term.ends_on == start + timedelta(days=729)
    edit = client.get(f"/membership/terms/{term.id}").get_data(as_text=True)
    assert 'value="2030-08-01"' in edit  # the deadline shown as the Oslo date it was typed as


# --- Audit log ----------------------------------------------------------------------------------------------


def test_audit_log_page_and_csv_export(db, client, login_as, world, term):
    nomination = make_nomination(term, world.schools[0], world.users["school_rep"], first_name="=HYPERLINK(1)")
    reject_nomination(nomination, "Nei takk", by=world.coordinator)
    db.session.commit()
    login_as("coordinator")
    html = client.get("/membership/audit").get_data(as_text=True)
    assert "nomination.rejected" in html and "hanne" in html
    response = client.get("/membership/audit.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    actions = [row["action"] for row in rows]
    assert "nomination.rejected" in actions and "nomination.created" in actions
    rejected = next(row for row in rows if row["action"] == "nomination.rejected")
    assert rejected["actor"] == "hanne" and rejected["subject_id"] == str(nomination.id)
    # Audit details never carry the candidate's name.
    assert "HYPERLINK" not in response.get_data(as_text=True)


def test_the_audit_log_pages_through_the_events_newest_first(db, client, login_as, world):
    before = count(db, AuditEvent)
    for n in range(105):
        record(world.coordinator, f"test.step_{n:03d}")
    db.session.commit()
    login_as("coordinator")
    first = client.get("/membership/audit").get_data(as_text=True)
    assert first.count("<tr>") == 1 + 100  # the header row and a full page
    assert "test.step_104" in first and "?page=2" in first and "?page=0" not in first
    second = client.get("/membership/audit?page=2").get_data(as_text=True)
    assert second.count("<tr>") == 1 + before + 5 and "?page=1" in second and "?page=3" not in second
    beyond = client.get("/membership/audit?page=7")
    assert beyond.status_code == 200 and "?page=6" in beyond.get_data(as_text=True)


def test_csv_cells_that_look_like_formulas_are_defused():
    assert _csv_cell("=1+1") == "'=1+1"
    assert _csv_cell("@x") == "'@x"
    assert _csv_cell("ok") == "ok"


def test_make_member_builder_still_works_without_a_seat_slot(db, world):
    user = make_member(world.term, world.schools[1])
    assert db.session.scalars(sa.select(Membership.seat_slot).where(Membership.user_id == user.id)).one() is None


def test_two_coordinators_closing_a_term_at_the_same_moment_close_it_once(app, db, world):
    """Both read an open term; the second must find it closed (PostgreSQL: the term's row lock), not close it again:
    one ``term.closed`` event and one signal, so whatever listens to the end of a term runs once."""
    from tests.threads import at_once
    from youthcouncil.membership.terms import close_term

    term_id, coordinator_id = world.term.id, world.coordinator.id
    db.session.commit()
    heard = []
    threads = 6
    all_have_read = threading.Barrier(threads)

    def closed(sender, **kwargs):
        heard.append(sender.id)

    def close(i: int) -> str:
        db.session().expire_on_commit = False  # keep what was read, as a view that loaded the term does
        term = db.session.get(Term, term_id)
        coordinator = db.session.get(User, coordinator_id)
        assert not term.is_closed
        db.session.commit()  # end the read (SQLite would otherwise hold its write lock here)
        all_have_read.wait(timeout=60)  # nobody closes before all have seen the term open
        close_term(term, by=coordinator)
        return "ok"

    with signals.term_closed.connected_to(closed):
        outcomes = at_once(app, threads, close)
    assert outcomes.count("ok") == 1, outcomes
    assert all(o.startswith("error: MembershipError") for o in outcomes if o != "ok"), outcomes
    assert heard == [term_id]
    assert count(db, AuditEvent, AuditEvent.action == "term.closed") == 1
