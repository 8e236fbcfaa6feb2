"""The coordinator approves or rejects; approval makes the member account; seats are never exceeded."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.conftest import count
from tests.membership.builders import make_nomination
from tests.threads import at_once, tally
from youthcouncil.accounts.models import AccountType, User
from youthcouncil.audit import AuditEvent
from youthcouncil.membership import terms
from youthcouncil.membership.models import Membership, Nomination, NominationStatus, Seat
from youthcouncil.membership.nominations import (
    Candidate,
    approve_nomination,
    nominate,
    places_left,
    reject_nomination,
    withdraw_nomination,
)
from youthcouncil.membership.schools import update_school
from youthcouncil.membership.services import MembershipError
from youthcouncil.membership.terms import add_membership


def test_approval_makes_a_member_account_in_that_term(db, client, login_as, world, term):
    nomination = make_nomination(term, world.schools[0], world.users["school_rep"], first_name="Ola", age=15)
    db.session.commit()
    login_as("coordinator")
    page = f"/membership/terms/{term.id}/schools/{world.schools[0].id}"
    response = client.submit(f"/membership/nominations/{nomination.id}/approve", {}, page=page)
    assert response.status_code == 303
    assert "Ola Kandidat er godkjent" in client.get(response.headers["Location"]).get_data(as_text=True)
    db.session.expire_all()
    nomination = db.session.get(Nomination, nomination.id)
    assert nomination.status == NominationStatus.approved
    user = nomination.user
    assert user.account_type == AccountType.member
    assert user.active and not user.is_activated
    membership = db.session.scalars(sa.select(Membership).where(Membership.user_id == user.id)).one()
    assert membership.term_id == term.id and membership.school_id == world.schools[0].id
    assert membership.seat == Seat.member and membership.seat_slot is not None
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "nomination.approved")).one()
    assert event.actor_id == world.coordinator.id and event.subject_id == nomination.id


def test_rejection_needs_a_reason_that_the_rep_sees(db, client, login_as, world, term):
    nomination = make_nomination(term, world.schools[0], world.users["school_rep"], first_name="Kamilla")
    db.session.commit()
    login_as("coordinator")
    url = f"/membership/nominations/{nomination.id}/reject"
    response = client.submit(url, {"reason": "   "}, page=url)
    assert response.status_code == 200
    assert 'id="reason-error"' in response.get_data(as_text=True)
    response = client.submit(url, {"reason": "Går ut av skolen i vår."}, page=url)
    assert response.status_code == 303
    login_as("school_rep")
    html = client.get(f"/membership/terms/{term.id}/schools/{world.schools[0].id}").get_data(as_text=True)
    assert "Går ut av skolen i vår." in html and "Ikke godkjent" in html
    assert count(db, AuditEvent, AuditEvent.action == "nomination.rejected") == 1
    assert count(db, User, User.first_name == "Kamilla") == 0


def test_decided_nominations_cannot_be_decided_again_or_changed(db, world, term, in_request):
    rep = world.users["school_rep"]
    nomination = make_nomination(term, world.schools[0], rep)
    approve_nomination(nomination, by=world.coordinator)
    with pytest.raises(MembershipError):
        approve_nomination(nomination, by=world.coordinator)
    with pytest.raises(MembershipError):
        reject_nomination(nomination, "nei", by=world.coordinator)
    with pytest.raises(MembershipError):
        withdraw_nomination(nomination, by=rep)


def test_full_member_seats_send_the_next_approval_to_a_deputy_seat_and_then_refuse(db, world, term, in_request):
    school = world.schools[0]  # 3 seats + 1 deputy
    rep = world.users["school_rep"]
    made = [make_nomination(term, school, rep) for _ in range(4)]
    for nomination in made:
        approve_nomination(nomination, by=world.coordinator)
    seats = [m.seat for m in db.session.scalars(sa.select(Membership).where(Membership.term_id == term.id))]
    assert sorted(seats) == [Seat.deputy, Seat.member, Seat.member, Seat.member]
    with pytest.raises(MembershipError):
        add_membership(term, world.users["member"], school, Seat.member)
    assert places_left(term, school) == 0


def test_the_database_refuses_a_second_membership_in_the_same_seat_slot(db, world, term):
    from sqlalchemy.exc import IntegrityError

    rep = world.users["school_rep"]
    first = make_nomination(term, world.schools[0], rep)
    approve_nomination(first, by=world.coordinator)
    db.session.commit()
    taken = db.session.scalars(sa.select(Membership).where(Membership.term_id == term.id)).one()
    with pytest.raises(IntegrityError):
        db.session.execute(
            sa.insert(Membership).values(
                term_id=term.id,
                user_id=world.users["member"].id,
                school_id=taken.school_id,
                seat="member",
                office="none",
                active=True,
                seat_slot=taken.seat_slot,
                created_at=taken.created_at,
            )
        )
    db.session.rollback()


def test_two_approvals_at_once_never_exceed_the_seats(app, db, world, term):
    """Eight threads approve eight nominations for a school with one seat and no deputy seats."""
    school = world.schools[1]
    school.seats, school.deputy_seats = 1, 0
    rep = world.users["school_rep"]
    rep.school = school
    db.session.flush()
    ids = []
    for i in range(8):
        nomination = Candidate(f"Tråd{i}", "Test", "8A", term.starts_on.year - 14, term.starts_on.month)
        # Nominate past the limit on purpose (as if nominated before the seat count was lowered).
        school.seats = 8
        ids.append(nominate(term, school, nomination, by=rep).id)
        school.seats = 1
    coordinator_id, term_id, school_id = world.coordinator.id, term.id, school.id
    db.session.commit()

    def approve(i: int) -> str:
        approve_nomination(db.session.get(Nomination, ids[i]), by=db.session.get(User, coordinator_id))
        return "approved"

    outcomes = at_once(app, len(ids), approve)
    assert tally(outcomes) == {"approved": 1, "MembershipError": 7}, outcomes
    db.session.expire_all()
    assert count(db, Membership, Membership.term_id == term_id, Membership.school_id == school_id) == 1
    assert count(db, Nomination, Nomination.status == NominationStatus.approved) == 1
    # A refused approval leaves no half-made account behind.
    assert count(db, User, User.first_name.like("Tråd%")) == 1


def test_coordinator_home_shows_nominations_waiting(db, client, login_as, world, term):
    make_nomination(term, world.schools[0], world.users["school_rep"])
    make_nomination(term, world.schools[0], world.users["school_rep"])
    db.session.commit()
    login_as("coordinator")
    html = client.get("/home").get_data(as_text=True)
    assert "2 nominasjoner venter på deg." in html


def test_rep_home_shows_the_schools_status(db, client, login_as, world, term):
    rep = world.users["school_rep"]
    first = make_nomination(term, world.schools[0], rep)
    make_nomination(term, world.schools[0], rep)
    approve_nomination(first, by=world.coordinator)
    db.session.commit()
    login_as("school_rep")
    html = client.get("/home").get_data(as_text=True)
    assert "1 venter, 1 godkjent, 0 ikke godkjent." in html
    assert "Ledige plasser: 2." in html


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


def test_one_nomination_decided_from_four_places_at_once_is_decided_once(app, db, world, term):
    """Two coordinators approve, a third rejects and the rep withdraws the same nomination, all having seen it
    pending: exactly one wins, and only an approval that won leaves an account and a seat behind."""
    import threading

    nomination_id = make_nomination(term, world.schools[0], world.users["school_rep"], first_name="Samtidig").id
    coordinator_id, rep_id = world.coordinator.id, world.users["school_rep"].id
    seated = count(db, Membership, Membership.term_id == term.id)
    db.session.commit()
    steps = ["approve", "approve", "reject", "withdraw"]
    all_have_read = threading.Barrier(len(steps))

    def decide(i: int) -> str:
        db.session().expire_on_commit = False  # keep what was read, as a view that loaded the nomination does
        nomination = db.session.get(Nomination, nomination_id)
        coordinator, rep = db.session.get(User, coordinator_id), db.session.get(User, rep_id)
        assert nomination.is_pending
        db.session.commit()  # end the read (SQLite would otherwise hold its write lock here)
        all_have_read.wait(timeout=60)
        if steps[i] == "approve":
            approve_nomination(nomination, by=coordinator)
        elif steps[i] == "reject":
            reject_nomination(nomination, "For sent", by=coordinator)
        else:
            withdraw_nomination(nomination, by=rep)
        return steps[i]

    outcomes = at_once(app, len(steps), decide)
    won = [o for o in outcomes if not o.startswith("error: ")]
    assert len(won) == 1, outcomes
    assert all(o.startswith("error: MembershipError") for o in outcomes if o not in won), outcomes
    db.session.expire_all()
    status = db.session.get(Nomination, nomination_id).status
    assert status == {"approve": NominationStatus.approved, "reject": NominationStatus.rejected}.get(
        won[0], NominationStatus.withdrawn
    )
    approved = won[0] == "approve"
    assert count(db, User, User.first_name == "Samtidig") == int(approved)
    assert count(db, Membership, Membership.term_id == term.id) == seated + int(approved)
