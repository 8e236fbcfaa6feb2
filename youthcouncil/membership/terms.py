"""Terms (valgperiode) and who sits in them: seats, offices, the roster, and closing a term."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager

from youthcouncil.accounts.models import User
from youthcouncil.audit import record
from youthcouncil.db import utcnow
from youthcouncil.extensions import db
from youthcouncil.i18n import OSLO
from youthcouncil.i18n import gettext as _
from youthcouncil.i18n import lazy_gettext as _l
from youthcouncil.membership import signals
from youthcouncil.membership.models import Membership, Nomination, NominationStatus, Office, School, Seat, Term
from youthcouncil.membership.services import MembershipError, the_municipality, today_in_oslo

#: A term lasts at most this long (two years, a leap day included).
MAX_TERM_DAYS = 2 * 366


def deadline_end_of_day(day: date) -> datetime:
    """A deadline typed as a date means the end of that day in Oslo."""
    return datetime.combine(day, time(23, 59), OSLO)


def _term_values(name: str, starts_on: date | None, ends_on: date | None, deadline_on: date | None):
    name = (name or "").strip()
    if not name:
        raise MembershipError(_l("Give the term a name, such as 2026–2028."), "name")
    if len(name) > 60:
        raise MembershipError(_l("Use at most 60 characters."), "name")
    if starts_on is None:
        raise MembershipError(_l("Choose the first day of the term."), "starts_on")
    if ends_on is None:
        raise MembershipError(_l("Choose the last day of the term."), "ends_on")
    if ends_on <= starts_on:
        raise MembershipError(_l("The term must end after it starts."), "ends_on")
    if (ends_on - starts_on).days > MAX_TERM_DAYS or ends_on >= _add_years(starts_on, 2):
        raise MembershipError(_l("A term can last at most two years."), "ends_on")
    if deadline_on is None:
        raise MembershipError(_l("Choose the last day for nominations."), "nomination_deadline")
    if deadline_on > ends_on:
        raise MembershipError(_l("The nomination deadline must be before the term ends."), "nomination_deadline")
    return name, starts_on, ends_on, deadline_end_of_day(deadline_on)


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _overlapping_term(municipality_id: int, starts_on: date, ends_on: date, but: Term | None = None) -> Term | None:
    """An open term of the municipality sharing at least one day with ``starts_on``..``ends_on`` (both included)."""
    query = sa.select(Term).where(
        Term.municipality_id == municipality_id,
        Term.closed_at.is_(None),
        Term.starts_on <= ends_on,
        Term.ends_on >= starts_on,
    )
    if but is not None and but.id is not None:
        query = query.where(Term.id != but.id)
    return db.session.scalars(query.order_by(Term.starts_on).limit(1)).first()


def _overlap_error(other: Term) -> MembershipError:
    return MembershipError(
        _l(
            "These dates overlap the term %(name)s (%(starts)s–%(ends)s). Terms cannot overlap: let this one start "
            "after %(ends)s, or change that term.",
            name=other.name,
            starts=other.starts_on.strftime("%d.%m.%Y"),
            ends=other.ends_on.strftime("%d.%m.%Y"),
        ),
        "starts_on",
    )


def _refuse_overlap(municipality_id: int, starts_on: date, ends_on: date, but: Term | None = None) -> None:
    other = _overlapping_term(municipality_id, starts_on, ends_on, but)
    if other is not None:
        raise _overlap_error(other)


def _flush_term(term: Term) -> None:
    """Write the term; a term saved with overlapping dates at the same moment (PostgreSQL's constraint) is refused."""
    try:
        with db.session.begin_nested():
            db.session.add(term)
            db.session.flush()
    except IntegrityError as error:
        raise MembershipError(
            _l("Someone saved a term with overlapping dates at the same moment. Reload the page and check the terms."),
            "starts_on",
        ) from error


def create_term(name: str, starts_on: date | None, ends_on: date | None, deadline_on: date | None, by=None) -> Term:
    """A new term. It may not share a day with an open term, so creating one never replaces the current term."""
    name, starts_on, ends_on, deadline = _term_values(name, starts_on, ends_on, deadline_on)
    municipality = the_municipality()
    if municipality is None:
        raise MembershipError(_l("Add a school first."), "name")
    # On SQLite this read already holds the write lock (BEGIN IMMEDIATE): two saves at once take turns here.
    _refuse_overlap(municipality.id, starts_on, ends_on)
    term = Term(
        municipality_id=municipality.id,
        name=name,
        starts_on=starts_on,
        ends_on=ends_on,
        nomination_deadline=deadline,
    )
    _flush_term(term)
    record(by, "term.created", term, {"starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat()})
    return term


def update_term(term: Term, name: str, starts_on: date | None, ends_on: date | None, deadline_on: date | None, by=None):
    if term.is_closed:
        raise MembershipError(_l("This term is closed and can no longer be changed."), "name")
    name, starts_on, ends_on, deadline = _term_values(name, starts_on, ends_on, deadline_on)
    if starts_on != term.starts_on and _live_nominations_exist(term):
        raise MembershipError(
            _l("Nominations already exist. The start day decides the age rule, so it cannot change now."), "starts_on"
        )
    today = today_in_oslo()
    if term.has_started(today) and starts_on > today:
        raise MembershipError(
            _l(
                "This term has started. Its first day cannot move into the future: "
                "it would stop being the current term."
            ),
            "starts_on",
        )
    _refuse_overlap(term.municipality_id, starts_on, ends_on, but=term)
    term.name, term.starts_on, term.ends_on, term.nomination_deadline = name, starts_on, ends_on, deadline
    _flush_term(term)
    record(by, "term.updated", term, {"starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat()})


def delete_term(term: Term, by=None) -> None:
    """Delete a term made by mistake: one that has not started, with no nominations or members yet."""
    if term.is_closed or term.has_started(today_in_oslo()):
        raise MembershipError(_l("Only a term that has not started can be deleted."), "term")
    nominated = db.session.scalar(
        sa.select(sa.func.count()).select_from(Nomination).where(Nomination.term_id == term.id)
    )
    seated = db.session.scalar(sa.select(sa.func.count()).select_from(Membership).where(Membership.term_id == term.id))
    if nominated or seated:
        raise MembershipError(
            _l("The schools have already nominated for this term, so it cannot be deleted. Change its dates instead."),
            "term",
        )
    details = {
        "term_id": term.id,
        "name": term.name,
        "starts_on": term.starts_on.isoformat(),
        "ends_on": term.ends_on.isoformat(),
    }
    try:
        with db.session.begin_nested():
            db.session.delete(term)
            db.session.flush()
    except IntegrityError as error:  # another domain (a theme round, a motion) already belongs to it
        raise MembershipError(_l("Something already belongs to this term, so it cannot be deleted."), "term") from error
    record(by, "term.deleted", None, details)


def _live_nominations_exist(term: Term) -> bool:
    return (
        db.session.scalar(
            sa.select(Nomination.id).where(
                Nomination.term_id == term.id,
                Nomination.status.in_([NominationStatus.pending, NominationStatus.approved]),
            )
        )
        is not None
    )


def terms() -> list[Term]:
    return list(db.session.scalars(sa.select(Term).order_by(Term.starts_on.desc())))


def open_terms() -> list[Term]:
    return list(db.session.scalars(sa.select(Term).where(Term.closed_at.is_(None)).order_by(Term.starts_on)))


# --- Seats -----------------------------------------------------------------------------------------------------------


def count_memberships(term: Term, school: School, seat: Seat) -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Membership)
            .where(Membership.term_id == term.id, Membership.school_id == school.id, Membership.seat == seat)
        )
        or 0
    )


def _slot_range(school: School, seat: Seat) -> range:
    if seat == Seat.member:
        return range(1, school.seats + 1)
    return range(school.seats + 1, school.seats + school.deputy_seats + 1)


def _free_slot(school: School, seat: Seat, taken: set[int]) -> int:
    """The lowest free slot of that kind of seat; after a seat count changed mid-term, any free slot in range."""
    for slot in _slot_range(school, seat):
        if slot not in taken:
            return slot
    for slot in range(1, school.seats + school.deputy_seats + 1):
        if slot not in taken:
            return slot
    # Not reachable while seats_left() > 0, but never a 500: the same message as a full school.
    raise MembershipError(_l("All seats of this school are taken for this term."), "seat")


def seats_left(term: Term, school: School, seat: Seat) -> int:
    capacity = school.seats if seat == Seat.member else school.deputy_seats
    return max(0, capacity - count_memberships(term, school, seat))


def add_membership(term: Term, user, school: School, seat: Seat = Seat.member) -> Membership:
    """Seat ``user`` for ``school`` in ``term``; refuses when the school's seats of that kind are all taken.

    Each membership takes a numbered slot that is unique per term and school, so even two approvals racing on
    PostgreSQL cannot both take the last seat (the second insert fails and becomes a kind message).
    """
    if term.is_closed:
        raise MembershipError(_l("This term is closed."), "term")
    # On PostgreSQL this row lock makes seat-taking for one school queue; SQLite writers queue anyway.
    db.session.execute(sa.select(School.id).where(School.id == school.id).with_for_update())
    if seats_left(term, school, seat) <= 0:
        if seat == Seat.member:
            raise MembershipError(_l("All member seats of this school are taken."), "seat")
        raise MembershipError(_l("All deputy seats of this school are taken."), "seat")
    taken = set(
        db.session.scalars(
            sa.select(Membership.seat_slot).where(
                Membership.term_id == term.id, Membership.school_id == school.id, Membership.seat_slot.is_not(None)
            )
        )
    )
    slot = _free_slot(school, seat, taken)
    if user.id is None:
        db.session.add(user)
        db.session.flush()
    # Built from ids (not relationships) so that nothing reaches the session before the savepoint starts.
    membership = Membership(term_id=term.id, user_id=user.id, school_id=school.id, seat=seat, seat_slot=slot)
    try:
        with db.session.begin_nested():
            db.session.add(membership)
            db.session.flush()
    except IntegrityError as error:
        raise MembershipError(
            _l("Someone else took that seat at the same moment. Reload the page and try again."), "seat"
        ) from error
    db.session.expire(term, ["memberships"])
    return membership


def set_office(membership: Membership, office: Office, by=None) -> None:
    """Give a member the chair or vice-chair office; whoever held it before loses it."""
    if office != Office.none and (not membership.active or membership.term.is_closed):
        raise MembershipError(_l("Only an active member of an open term can hold an office."), "office")
    before = membership.office
    if office != Office.none:
        holder = db.session.scalars(
            sa.select(Membership).where(
                Membership.term_id == membership.term_id,
                Membership.office == office,
                Membership.id != membership.id,
            )
        ).first()
        if holder is not None:
            holder.office = Office.none
            db.session.flush()
            record(by, "membership.office_changed", holder, {"from": str(office), "to": str(Office.none)})
    membership.office = office
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as error:
        raise MembershipError(
            _l("Someone else changed the roles at the same moment. Reload the page and try again."), "office"
        ) from error
    if before != office:
        record(by, "membership.office_changed", membership, {"from": str(before), "to": str(office)})


#: Members per page of the roster: a council's members fit on one page; 250 of them do not need to.
ROSTER_PER_PAGE = 50


def _roster_query(term: Term) -> sa.Select:
    return (
        sa.select(Membership)
        .join(Membership.school)
        .join(Membership.user)
        .options(contains_eager(Membership.school), contains_eager(Membership.user))
        .where(Membership.term_id == term.id, Membership.active.is_(True))
        .order_by(School.name, Membership.seat, User.first_name, User.last_name, Membership.id)
    )


def roster(term: Term) -> list[Membership]:
    """Active members of the term with their user and school loaded in the same query (no query per row)."""
    return list(db.session.scalars(_roster_query(term)))


def roster_page(term: Term, page: int):
    """One page of ``roster(term)`` (a page past the end is empty, not an error)."""
    return db.paginate(_roster_query(term), page=max(1, page), per_page=ROSTER_PER_PAGE, error_out=False)


@dataclass(frozen=True)
class PublicMember:
    """All the public page may know about a member: no last name, no age, no username."""

    first_name: str
    school_id: int
    school_name: str
    is_deputy: bool


def public_roster(term: Term) -> list[PublicMember]:
    """First names and schools of the term's members whose account is switched on.

    An under-15 whose guardian has not yet consented (account still off) is not shown to the public.
    """
    rows = db.session.execute(
        sa.select(User.first_name, School.id, School.name, Membership.seat)
        .select_from(Membership)
        .join(Membership.school)
        .join(Membership.user)
        .where(Membership.term_id == term.id, Membership.active.is_(True), User.active.is_(True))
        .order_by(School.name, Membership.seat, User.first_name)
    )
    return [PublicMember(first, school_id, name, seat == Seat.deputy) for first, school_id, name, seat in rows]


# --- End of term -----------------------------------------------------------------------------------------------------


def active_membership_count(term: Term) -> int:
    """How many memberships closing the term would end."""
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Membership)
        .where(Membership.term_id == term.id, Membership.active.is_(True))
    )


def pending_nomination_count(term: Term) -> int:
    """How many nominations closing the term would end (those still waiting for the coordinator)."""
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Nomination)
        .where(Nomination.term_id == term.id, Nomination.status == NominationStatus.pending)
    )


def term_closed_reason() -> str:
    """The reason a nomination ended by closing its term carries, in the municipality's language (from the .po)."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        return _("The term was closed before this nomination was decided.")


def _end_pending_nominations(term: Term, by, now: datetime) -> int:
    """A closed term takes no more members, so its pending nominations are rejected with that reason (the school rep
    sees it), each with its own audit event, instead of waiting for an approval that can never succeed."""
    pending = list(
        db.session.scalars(
            sa.select(Nomination)
            .where(Nomination.term_id == term.id, Nomination.status == NominationStatus.pending)
            .order_by(Nomination.id)
            .with_for_update()
        )
    )
    reason = term_closed_reason()
    for nomination in pending:
        nomination.reject(by, reason, now)
        record(
            by,
            "nomination.rejected",
            nomination,
            {"term_id": term.id, "school_id": nomination.school_id, "reason": "term_closed"},
        )
    return len(pending)


def close_term(term: Term, by) -> int:
    """Close the term: memberships inactive, their sessions ended, accounts off unless seated in another open term;
    its pending nominations are rejected because the term was closed."""
    # Two coordinators closing at once: the second waits for the first (PostgreSQL's row lock; SQLite writers queue
    # anyway) and then reads the term as the first left it, so the term is closed, and announced, once.
    db.session.execute(sa.select(Term.id).where(Term.id == term.id).with_for_update())
    db.session.refresh(term, ["closed_at"])
    if term.is_closed:
        raise MembershipError(_l("This term is already closed."), "term")
    now = utcnow()
    term.closed_at = now
    memberships = list(db.session.scalars(sa.select(Membership).where(Membership.term_id == term.id)))
    for membership in memberships:
        membership.active = False
        membership.office = Office.none
        membership.user.end_all_sessions()
    db.session.flush()
    user_ids = {m.user_id for m in memberships}
    continuing = set(
        db.session.scalars(
            sa.select(Membership.user_id)
            .join(Membership.term)
            .where(Membership.user_id.in_(user_ids), Term.closed_at.is_(None), Membership.active.is_(True))
        )
    )
    for membership in memberships:
        if membership.user_id not in continuing and membership.user.account_type.value == "member":
            membership.user.active = False
    ended = _end_pending_nominations(term, by, now)
    db.session.flush()
    record(
        by,
        "term.closed",
        term,
        {"memberships": len(memberships), "continuing": len(continuing), "nominations_ended": ended},
    )
    signals.term_closed.send(term, by=by)
    return len(memberships)
