"""Membership rules: schools, terms, nominations, seats, consent, offices, end of term and retention."""

from __future__ import annotations

import csv
import importlib
import io
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, selectinload

from youthcouncil.audit import AuditEvent, record
from youthcouncil.db import utcnow
from youthcouncil.extensions import db
from youthcouncil.i18n import OSLO, to_oslo
from youthcouncil.membership.models import (
    Membership,
    Municipality,
    Nomination,
    NominationStatus,
    Office,
    School,
    Seat,
    Term,
)
from youthcouncil.web import csv_safe


class MembershipError(ValueError):
    """A rule was broken; the message is for the user (already translated), ``field`` says where to show it."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


#: A term lasts at most this long (two years, a leap day included).
MAX_TERM_DAYS = 2 * 366
MIN_AGE, MAX_AGE, CONSENT_AGE, MAX_AGE_WHEN_ELECTED = 10, 17, 15, 18
RETENTION_MONTHS = 12


def former_member_label() -> str:
    """The neutral label that replaces a former member's name, in the municipality's language (from the .po)."""
    from flask import current_app
    from flask_babel import force_locale

    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        return _("Former member")


def today_in_oslo() -> date:
    return to_oslo(utcnow()).date()


def current_term() -> Term | None:
    """The open term covering today; else the newest open term that has started."""
    today = today_in_oslo()
    return db.session.scalars(
        sa.select(Term)
        .where(Term.closed_at.is_(None), Term.starts_on <= today)
        .order_by((Term.ends_on >= today).desc(), Term.starts_on.desc())
        .limit(1)
    ).first()


def current_membership(user) -> Membership | None:
    term = current_term()
    if term is None or user.id is None:
        return None
    return db.session.scalars(
        sa.select(Membership).where(
            Membership.term_id == term.id, Membership.user_id == user.id, Membership.active.is_(True)
        )
    ).first()


def active_memberships(term: Term) -> list[Membership]:
    return list(
        db.session.scalars(
            sa.select(Membership)
            .where(Membership.term_id == term.id, Membership.active.is_(True))
            .order_by(Membership.school_id, Membership.id)
        )
    )


def voting_members_query(term: Term) -> sa.Select:
    """Members with a full seat who vote in the council's decisions (deputies step in when a member is away)."""
    return sa.select(Membership.user_id).where(
        Membership.term_id == term.id, Membership.active.is_(True), Membership.seat == Seat.member
    )


def count_voting_members(term: Term) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(voting_members_query(term).subquery())) or 0


def the_municipality() -> Municipality | None:
    return db.session.scalars(sa.select(Municipality).order_by(Municipality.id).limit(1)).first()


# --- Schools ------------------------------------------------------------------------------------------------


def schools() -> list[School]:
    return list(db.session.scalars(sa.select(School).order_by(School.name)))


def _school_values(name: str, seats: int | None, deputy_seats: int | None) -> tuple[str, int, int]:
    name = (name or "").strip()
    if not name:
        raise MembershipError(_("Write the school's name."), "name")
    if len(name) > 120:
        raise MembershipError(_("Use at most 120 characters."), "name")
    if seats is None or not 0 <= seats <= 20:
        raise MembershipError(_("Write a number from 0 to 20."), "seats")
    if deputy_seats is None or not 0 <= deputy_seats <= 20:
        raise MembershipError(_("Write a number from 0 to 20."), "deputy_seats")
    return name, seats, deputy_seats


def _school_name_taken(municipality_id: int, name: str, school_id: int | None = None) -> bool:
    stmt = sa.select(School.id).where(
        School.municipality_id == municipality_id, sa.func.lower(School.name) == name.lower()
    )
    if school_id is not None:
        stmt = stmt.where(School.id != school_id)
    return db.session.scalar(stmt) is not None


def create_school(name: str, seats: int | None, deputy_seats: int | None, by=None) -> School:
    name, seats, deputy_seats = _school_values(name, seats, deputy_seats)
    municipality = the_municipality()
    if municipality is None:
        from flask import current_app

        municipality = Municipality(name=current_app.config["MUNICIPALITY_NAME"])
        db.session.add(municipality)
        db.session.flush()
    if _school_name_taken(municipality.id, name):
        raise MembershipError(_("There is already a school with that name."), "name")
    school = School(municipality=municipality, name=name, seats=seats, deputy_seats=deputy_seats)
    db.session.add(school)
    db.session.flush()
    record(by, "school.created", school, {"seats": seats, "deputy_seats": deputy_seats})
    return school


def update_school(school: School, name: str, seats: int | None, deputy_seats: int | None, by=None) -> None:
    name, seats, deputy_seats = _school_values(name, seats, deputy_seats)
    if _school_name_taken(school.municipality_id, name, school.id):
        raise MembershipError(_("There is already a school with that name."), "name")
    term = current_term()
    if term is not None:
        used_members = _count_memberships(term, school, Seat.member)
        used_deputies = _count_memberships(term, school, Seat.deputy)
        if seats < used_members:
            raise MembershipError(
                _("%(count)s members already sit for this school this term.", count=used_members), "seats"
            )
        if deputy_seats < used_deputies:
            raise MembershipError(
                _("%(count)s deputies already sit for this school this term.", count=used_deputies), "deputy_seats"
            )
    school.name, school.seats, school.deputy_seats = name, seats, deputy_seats
    db.session.flush()
    record(by, "school.updated", school, {"seats": seats, "deputy_seats": deputy_seats})


def create_school_rep(school: School, first_name: str, last_name: str, username: str | None, by=None):
    """A school-rep account for ``school`` with a fresh activation code (returned once, never stored in clear)."""
    from youthcouncil.accounts import services as accounts
    from youthcouncil.accounts.models import AccountType

    try:
        user = accounts.create_account(
            account_type=AccountType.school_rep,
            first_name=first_name,
            last_name=last_name or "",
            username=username,
            school=school,
            created_by=by,
        )
    except accounts.AccountError as error:
        raise MembershipError(str(error), error.field) from error
    return accounts.issue_activation_code(user, issued_by=by)


def school_reps(school: School) -> list:
    from youthcouncil.accounts.models import AccountType, User

    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.school_id == school.id, User.account_type == AccountType.school_rep)
            .order_by(User.first_name)
        )
    )


# --- Terms --------------------------------------------------------------------------------------------------


def deadline_end_of_day(day: date) -> datetime:
    """A deadline typed as a date means the end of that day in Oslo."""
    return datetime.combine(day, time(23, 59), OSLO)


def _term_values(name: str, starts_on: date | None, ends_on: date | None, deadline_on: date | None):
    name = (name or "").strip()
    if not name:
        raise MembershipError(_("Give the term a name, such as 2026–2028."), "name")
    if len(name) > 60:
        raise MembershipError(_("Use at most 60 characters."), "name")
    if starts_on is None:
        raise MembershipError(_("Choose the first day of the term."), "starts_on")
    if ends_on is None:
        raise MembershipError(_("Choose the last day of the term."), "ends_on")
    if ends_on <= starts_on:
        raise MembershipError(_("The term must end after it starts."), "ends_on")
    if (ends_on - starts_on).days > MAX_TERM_DAYS or ends_on >= _add_years(starts_on, 2):
        raise MembershipError(_("A term can last at most two years."), "ends_on")
    if deadline_on is None:
        raise MembershipError(_("Choose the last day for nominations."), "nomination_deadline")
    if deadline_on > ends_on:
        raise MembershipError(_("The nomination deadline must be before the term ends."), "nomination_deadline")
    return name, starts_on, ends_on, deadline_end_of_day(deadline_on)


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def create_term(name: str, starts_on: date | None, ends_on: date | None, deadline_on: date | None, by=None) -> Term:
    name, starts_on, ends_on, deadline = _term_values(name, starts_on, ends_on, deadline_on)
    municipality = the_municipality()
    if municipality is None:
        raise MembershipError(_("Add a school first."), "name")
    term = Term(
        municipality=municipality, name=name, starts_on=starts_on, ends_on=ends_on, nomination_deadline=deadline
    )
    db.session.add(term)
    db.session.flush()
    record(by, "term.created", term, {"starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat()})
    return term


def update_term(term: Term, name: str, starts_on: date | None, ends_on: date | None, deadline_on: date | None, by=None):
    if term.is_closed:
        raise MembershipError(_("This term is closed and can no longer be changed."), "name")
    name, starts_on, ends_on, deadline = _term_values(name, starts_on, ends_on, deadline_on)
    if starts_on != term.starts_on and _live_nominations_exist(term):
        raise MembershipError(
            _("Nominations already exist. The start day decides the age rule, so it cannot change now."), "starts_on"
        )
    term.name, term.starts_on, term.ends_on, term.nomination_deadline = name, starts_on, ends_on, deadline
    db.session.flush()
    record(by, "term.updated", term, {"starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat()})


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


def nomination_is_open(term: Term, now: datetime | None = None) -> bool:
    return not term.is_closed and (now or utcnow()) <= term.nomination_deadline


def terms_open_for_nomination() -> list[Term]:
    return list(
        db.session.scalars(
            sa.select(Term)
            .where(Term.closed_at.is_(None), Term.nomination_deadline >= utcnow())
            .order_by(Term.starts_on)
        )
    )


def open_terms() -> list[Term]:
    return list(db.session.scalars(sa.select(Term).where(Term.closed_at.is_(None)).order_by(Term.starts_on)))


# --- Seats --------------------------------------------------------------------------------------------------


def _count_memberships(term: Term, school: School, seat: Seat) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Membership)
        .where(Membership.term_id == term.id, Membership.school_id == school.id, Membership.seat == seat)
    ) or 0


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
    raise MembershipError(_("All seats of this school are taken for this term."), "seat")


def seats_left(term: Term, school: School, seat: Seat) -> int:
    capacity = school.seats if seat == Seat.member else school.deputy_seats
    return max(0, capacity - _count_memberships(term, school, seat))


def add_membership(term: Term, user, school: School, seat: Seat = Seat.member) -> Membership:
    """Seat ``user`` for ``school`` in ``term``; refuses when the school's seats of that kind are all taken.

    Each membership takes a numbered slot that is unique per term and school, so even two approvals racing on
    PostgreSQL cannot both take the last seat (the second insert fails and becomes a kind message).
    """
    if term.is_closed:
        raise MembershipError(_("This term is closed."), "term")
    # On PostgreSQL this row lock makes seat-taking for one school queue; SQLite writers queue anyway.
    db.session.execute(sa.select(School.id).where(School.id == school.id).with_for_update())
    if seats_left(term, school, seat) <= 0:
        if seat == Seat.member:
            raise MembershipError(_("All member seats of this school are taken."), "seat")
        raise MembershipError(_("All deputy seats of this school are taken."), "seat")
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
            _("Someone else took that seat at the same moment. Reload the page and try again."), "seat"
        ) from error
    db.session.expire(term, ["memberships"])
    return membership


def set_office(membership: Membership, office: Office, by=None) -> None:
    """Give a member the chair or vice-chair office; whoever held it before loses it."""
    if office != Office.none and (not membership.active or membership.term.is_closed):
        raise MembershipError(_("Only an active member of an open term can hold an office."), "office")
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
            _("Someone else changed the roles at the same moment. Reload the page and try again."), "office"
        ) from error
    if before != office:
        record(by, "membership.office_changed", membership, {"from": str(before), "to": str(office)})


def roster(term: Term) -> list[Membership]:
    """Active members of the term with their user and school loaded in the same query (no query per row)."""
    from youthcouncil.accounts.models import User

    return list(
        db.session.scalars(
            sa.select(Membership)
            .join(Membership.school)
            .join(Membership.user)
            .options(contains_eager(Membership.school), contains_eager(Membership.user))
            .where(Membership.term_id == term.id, Membership.active.is_(True))
            .order_by(School.name, Membership.seat, User.first_name, User.last_name)
        )
    )


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
    from youthcouncil.accounts.models import User

    rows = db.session.execute(
        sa.select(User.first_name, School.id, School.name, Membership.seat)
        .select_from(Membership)
        .join(Membership.school)
        .join(Membership.user)
        .where(Membership.term_id == term.id, Membership.active.is_(True), User.active.is_(True))
        .order_by(School.name, Membership.seat, User.first_name)
    )
    return [PublicMember(first, school_id, name, seat == Seat.deputy) for first, school_id, name, seat in rows]


# --- Nominations --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """What a school rep types about a candidate. The birth year and month are used once and not stored."""

    first_name: str
    last_name: str
    grade: str
    birth_year: int | None
    birth_month: int | None
    why_me: str = ""
    position: int | None = None


def age_on(day: date, birth_year: int, birth_month: int) -> int:
    """Age in whole years on ``day``. Without the day of birth, the birthday counts as the 1st of the month."""
    return day.year - birth_year - (1 if day.month < birth_month else 0)


def age_band(age: int) -> str:
    if age <= 12:
        return "10-12"
    if age <= 14:
        return "13-14"
    return "15-17"


def candidate_key(first_name: str, last_name: str) -> str:
    text = unicodedata.normalize("NFKC", f"{first_name} {last_name}").casefold()
    return re.sub(r"\s+", " ", text).strip()[:130]


def _clean_candidate(term: Term, candidate: Candidate) -> dict:
    first, last = (candidate.first_name or "").strip(), (candidate.last_name or "").strip()
    grade, why_me = (candidate.grade or "").strip(), (candidate.why_me or "").strip()
    if not first:
        raise MembershipError(_("Write the candidate's first name."), "first_name")
    if len(first) > 60:
        raise MembershipError(_("Use at most 60 characters."), "first_name")
    if not last:
        raise MembershipError(_("Write the candidate's last name."), "last_name")
    if len(last) > 60:
        raise MembershipError(_("Use at most 60 characters."), "last_name")
    if not grade:
        raise MembershipError(_("Write the candidate's class, such as 7B."), "grade")
    if len(grade) > 20:
        raise MembershipError(_("Use at most 20 characters."), "grade")
    this_year = today_in_oslo().year
    if candidate.birth_year is None or not this_year - 30 <= candidate.birth_year <= this_year:
        raise MembershipError(_("Write the year the candidate was born, such as 2013."), "birth_year")
    if candidate.birth_month is None or not 1 <= candidate.birth_month <= 12:
        raise MembershipError(_("Choose a month from January to December."), "birth_month")
    if date(candidate.birth_year, candidate.birth_month, 1) > today_in_oslo():
        raise MembershipError(_("That birth month is in the future."), "birth_month")
    age = age_on(term.starts_on, candidate.birth_year, candidate.birth_month)
    if age < MIN_AGE or age > MAX_AGE:
        raise MembershipError(
            _(
                "The candidate must be 10 to 17 years old when the term starts (%(day)s). By that birth month "
                "they will be %(age)s.",
                day=term.starts_on.strftime("%d.%m.%Y"),
                age=age,
            ),
            "birth_year",
        )
    if age_on(today_in_oslo(), candidate.birth_year, candidate.birth_month) > MAX_AGE_WHEN_ELECTED:
        raise MembershipError(_("The candidate must be under 19 when elected."), "birth_year")
    if len(why_me) > 500:
        raise MembershipError(
            _("Use at most 500 characters (now %(count)s).", count=len(why_me)), "why_me"
        )
    if candidate.position is not None and not 1 <= candidate.position <= 99:
        raise MembershipError(_("Write a number from 1 to 99."), "position")
    return {
        "first_name": first,
        "last_name": last,
        "grade": grade,
        "candidate_key": candidate_key(first, last),
        "age_band": age_band(age),
        "needs_consent": age < CONSENT_AGE,
        "why_me": why_me or None,
    }


def school_nominations(term: Term, school: School) -> list[Nomination]:
    """Every nomination of the school for the term: the live ones in the school's order first."""
    live_first = sa.case((Nomination.status.in_(["pending", "approved"]), 0), else_=1)
    return list(
        db.session.scalars(
            sa.select(Nomination)
            .options(selectinload(Nomination.user), selectinload(Nomination.consent_recorded_by))
            .where(Nomination.term_id == term.id, Nomination.school_id == school.id)
            .order_by(live_first, Nomination.position, Nomination.id)
        )
    )


def _count_pending(term: Term, school: School, excluding: int | None = None) -> int:
    stmt = (
        sa.select(sa.func.count())
        .select_from(Nomination)
        .where(
            Nomination.term_id == term.id,
            Nomination.school_id == school.id,
            Nomination.status == NominationStatus.pending,
        )
    )
    if excluding is not None:
        stmt = stmt.where(Nomination.id != excluding)
    return db.session.scalar(stmt) or 0


def places_left(term: Term, school: School) -> int:
    """How many more candidates the school may nominate: seats and deputy seats minus members and pending ones."""
    used = _count_memberships(term, school, Seat.member) + _count_memberships(term, school, Seat.deputy)
    return max(0, school.seats + school.deputy_seats - used - _count_pending(term, school))


def intended_seats(term: Term, school: School) -> dict[int, Seat]:
    """The seat each live nomination is heading for: seated members first, then the school's order."""
    member_places = school.seats - _count_memberships(term, school, Seat.member)
    result: dict[int, Seat] = {}
    index = 0
    for nomination in school_nominations(term, school):
        if nomination.status == NominationStatus.pending:
            result[nomination.id] = Seat.member if index < member_places else Seat.deputy
            index += 1
    return result


def _check_duplicate(term: Term, school: School, key: str, excluding: int | None = None) -> None:
    stmt = sa.select(Nomination.id).where(
        Nomination.term_id == term.id,
        Nomination.school_id == school.id,
        Nomination.candidate_key == key,
        Nomination.status.in_([NominationStatus.pending, NominationStatus.approved]),
    )
    if excluding is not None:
        stmt = stmt.where(Nomination.id != excluding)
    if db.session.scalar(stmt) is not None:
        raise MembershipError(_("This pupil is already nominated by your school for this term."), "first_name")


def _require_open(term: Term) -> None:
    if term.is_closed:
        raise MembershipError(_("This term is closed."), "first_name")
    if not nomination_is_open(term):
        raise MembershipError(
            _("The deadline for nominations has passed. Talk to the youth coordinator."), "first_name"
        )


def _flush_nomination(nomination: Nomination) -> None:
    try:
        with db.session.begin_nested():
            db.session.add(nomination)
            db.session.flush()
    except IntegrityError as error:
        raise MembershipError(
            _("This pupil is already nominated by your school for this term."), "first_name"
        ) from error


def nominate(term: Term, school: School, candidate: Candidate, by) -> Nomination:
    _require_open(term)
    values = _clean_candidate(term, candidate)
    # Two reps of one school nominating at once queue here on PostgreSQL (SQLite writers queue anyway).
    db.session.execute(sa.select(School.id).where(School.id == school.id).with_for_update())
    if places_left(term, school) <= 0:
        raise MembershipError(
            _(
                "Your school has %(seats)s seats and %(deputies)s deputy seats, and all of them are filled or "
                "nominated. Withdraw a nomination to nominate someone else.",
                seats=school.seats,
                deputies=school.deputy_seats,
            ),
            "first_name",
        )
    _check_duplicate(term, school, values["candidate_key"])
    position = candidate.position
    if position is None:
        last = db.session.scalar(
            sa.select(sa.func.max(Nomination.position)).where(
                Nomination.term_id == term.id,
                Nomination.school_id == school.id,
                Nomination.status.in_([NominationStatus.pending, NominationStatus.approved]),
            )
        )
        position = (last or 0) + 1
    nomination = Nomination(term=term, school=school, position=position, nominated_by=by, **values)
    _flush_nomination(nomination)
    record(by, "nomination.created", nomination, {"term_id": term.id, "school_id": school.id})
    return nomination


def update_nomination(nomination: Nomination, candidate: Candidate, by) -> None:
    if not nomination.is_pending:
        raise MembershipError(_("The coordinator has already decided on this nomination."), "first_name")
    _require_open(nomination.term)
    values = _clean_candidate(nomination.term, candidate)
    _check_duplicate(nomination.term, nomination.school, values["candidate_key"], excluding=nomination.id)
    if values["needs_consent"] != nomination.needs_consent or not values["needs_consent"]:
        nomination.consent_recorded_at = nomination.consent_given_on = nomination.consent_recorded_by_id = None
    for name, value in values.items():
        setattr(nomination, name, value)
    if candidate.position is not None:
        nomination.position = candidate.position
    nomination.updated_at = utcnow()
    _flush_nomination(nomination)
    record(by, "nomination.updated", nomination, {"term_id": nomination.term_id, "school_id": nomination.school_id})


def withdraw_nomination(nomination: Nomination, by) -> None:
    if not nomination.is_pending:
        raise MembershipError(_("The coordinator has already decided on this nomination."), "nomination")
    nomination.withdraw(utcnow())
    db.session.flush()
    record(by, "nomination.withdrawn", nomination, {"term_id": nomination.term_id, "school_id": nomination.school_id})


def approve_nomination(nomination: Nomination, by):
    """Make the candidate a member: an account (type member) and a membership in a free seat of the school."""
    from youthcouncil.accounts import services as accounts
    from youthcouncil.accounts.models import AccountType

    if not nomination.is_pending:
        raise MembershipError(_("This nomination is already decided."), "nomination")
    term, school = nomination.term, nomination.school
    seat = intended_seats(term, school).get(nomination.id, Seat.deputy)
    if seats_left(term, school, seat) <= 0:
        seat = Seat.deputy if seat == Seat.member else Seat.member
    if seats_left(term, school, seat) <= 0:
        raise MembershipError(_("All seats of this school are taken for this term."), "nomination")
    user = accounts.create_account(
        account_type=AccountType.member,
        first_name=nomination.first_name,
        last_name=nomination.last_name,
        created_by=by,
    )
    # Under 15: the account stays switched off until a guardian's consent is recorded, so no code works before.
    user.active = nomination.has_consent
    add_membership(term, user, school, seat)
    nomination.approve(by, user, utcnow())
    db.session.flush()
    record(by, "nomination.approved", nomination, {"term_id": term.id, "school_id": school.id, "seat": str(seat)})
    return user


def reject_nomination(nomination: Nomination, reason: str, by) -> None:
    reason = (reason or "").strip()
    if not reason:
        raise MembershipError(_("Write a short reason. The school rep will see it."), "reason")
    if len(reason) > 300:
        raise MembershipError(_("Use at most 300 characters."), "reason")
    if not nomination.is_pending:
        raise MembershipError(_("This nomination is already decided."), "reason")
    nomination.reject(by, reason, utcnow())
    db.session.flush()
    record(by, "nomination.rejected", nomination, {"term_id": nomination.term_id, "school_id": nomination.school_id})


def record_consent(nomination: Nomination, given_on: date | None, by) -> None:
    """Record that a guardian consented (the fact, the day, who recorded it); no guardian data is kept."""
    if not nomination.needs_consent:
        raise MembershipError(_("This candidate is 15 or older; no consent is needed."), "given_on")
    if nomination.status not in (NominationStatus.pending, NominationStatus.approved):
        raise MembershipError(_("This nomination is no longer live."), "given_on")
    if nomination.consent_recorded_at is not None:
        raise MembershipError(_("Consent is already recorded."), "given_on")
    if given_on is None:
        raise MembershipError(_("Choose the day the guardian said yes."), "given_on")
    if given_on > today_in_oslo():
        raise MembershipError(_("That day is in the future."), "given_on")
    nomination.consent_given_on = given_on
    nomination.consent_recorded_at = utcnow()
    nomination.consent_recorded_by_id = by.id
    if nomination.user is not None and not nomination.term.is_closed:
        nomination.user.active = True
    db.session.flush()
    record(by, "nomination.consent_recorded", nomination, {"given_on": given_on.isoformat()})


def pending_nominations() -> list[Nomination]:
    return list(
        db.session.scalars(
            sa.select(Nomination)
            .join(Nomination.school)
            .options(contains_eager(Nomination.school), selectinload(Nomination.term))
            .where(Nomination.status == NominationStatus.pending)
            .order_by(Nomination.term_id, School.name, Nomination.position, Nomination.id)
        )
    )


# --- Activation sheets --------------------------------------------------------------------------------------


def members_waiting_for_sheets(term: Term, school: School) -> tuple[list[Nomination], list[Nomination]]:
    """Approved members of the school who have not activated yet: (ready for a sheet, waiting for consent)."""
    ready, waiting = [], []
    for nomination in school_nominations(term, school):
        if nomination.status != NominationStatus.approved or nomination.user is None:
            continue
        if nomination.user.is_activated:
            continue
        (ready if nomination.has_consent and nomination.user.active else waiting).append(nomination)
    return ready, waiting


def issue_activation_sheets(term: Term, school: School, by) -> list:
    """Fresh one-time codes for every new member of the school who may activate (older sheets stop working)."""
    from youthcouncil.accounts import services as accounts

    if term.is_closed:
        raise MembershipError(_("This term is closed."), "term")
    ready, _waiting = members_waiting_for_sheets(term, school)
    return [accounts.issue_activation_code(nomination.user, issued_by=by) for nomination in ready]


# --- End of term and retention ------------------------------------------------------------------------------


def close_term(term: Term, by) -> int:
    """Close the term: memberships inactive, their sessions ended, accounts off unless seated in another open term."""
    if term.is_closed:
        raise MembershipError(_("This term is already closed."), "term")
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
    db.session.flush()
    record(by, "term.closed", term, {"memberships": len(memberships), "continuing": len(continuing)})
    return len(memberships)


def retention_cutoff(today: date | None = None) -> date:
    """Terms that ended on or before this day are past the retention period."""
    today = today or today_in_oslo()
    year, month = divmod(today.year * 12 + today.month - 1 - RETENTION_MONTHS, 12)
    day = min(today.day, 28)
    return date(year, month + 1, day)


@dataclass
class RetentionResult:
    users: int = 0
    nominations: int = 0
    other_domains: dict[str, int] | None = None


def run_retention(today: date | None = None) -> RetentionResult:
    """Minimise personal data 12 months after a term's end. Idempotent: safe to run every day."""
    from youthcouncil.accounts.models import AccountType, ActivationCode, User

    cutoff = retention_cutoff(today)
    now = utcnow()
    label = former_member_label()
    result = RetentionResult(other_domains={})
    past_terms = sa.select(Term.id).where(Term.ends_on <= cutoff)
    recent_terms = sa.select(Term.id).where(Term.ends_on > cutoff)
    # Former members: seated only in terms that ended more than 12 months ago.
    former_ids = list(
        db.session.scalars(
            sa.select(User.id)
            .where(
                User.account_type == AccountType.member,
                User.id.in_(sa.select(Membership.user_id).where(Membership.term_id.in_(past_terms))),
                User.id.not_in(sa.select(Membership.user_id).where(Membership.term_id.in_(recent_terms))),
            )
            .order_by(User.id)
        )
    )
    for user in db.session.scalars(sa.select(User).where(User.id.in_(former_ids), User.anonymised_at.is_(None))):
        user.first_name = label
        user.last_name = str(user.id)
        user.username = f"former-{secrets.token_hex(8)}"
        user.passphrase_hash = None
        user.email = None
        user.active = False
        user.end_all_sessions()
        user.anonymised_at = now
        db.session.execute(sa.delete(ActivationCode).where(ActivationCode.user_id == user.id))
        result.users += 1
    for term_id in db.session.scalars(
        sa.select(Term.id).where(Term.ends_on <= cutoff, Term.closed_at.is_(None))
    ):
        # A term long over but never closed: its memberships end now.
        db.session.execute(sa.update(Membership).where(Membership.term_id == term_id).values(active=False))
    for nomination in db.session.scalars(
        sa.select(Nomination).where(Nomination.term_id.in_(past_terms), Nomination.minimised_at.is_(None))
    ):
        nomination.first_name = label
        nomination.last_name = str(nomination.id)
        nomination.candidate_key = f"minimised-{nomination.id}"
        nomination.grade = None
        nomination.age_band = None
        nomination.why_me = None
        if nomination.rejection_reason is not None:
            nomination.rejection_reason = "-"
        nomination.minimised_at = now
        result.nominations += 1
    db.session.flush()
    result.other_domains = _minimise_in_other_domains(former_ids)
    if result.users or result.nominations:
        record(None, "retention.run", None, {"users": result.users, "nominations": result.nominations})
    db.session.flush()
    return result


def _minimise_in_other_domains(user_ids: list[int]) -> dict[str, int]:
    """Call ``youthcouncil.<domain>.retention.minimise_personal_data(user_ids)`` for every domain that has one."""
    from youthcouncil import DOMAINS

    counts: dict[str, int] = {}
    for name in DOMAINS:
        if name == "membership":
            continue
        module_name = f"youthcouncil.{name}.retention"
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name in (module_name, f"youthcouncil.{name}"):
                continue
            raise
        hook = getattr(module, "minimise_personal_data", None)
        if hook is not None:
            counts[name] = int(hook(list(user_ids)) or 0)
    return counts


# --- Audit log ----------------------------------------------------------------------------------------------


def audit_events(limit: int | None = 200, offset: int = 0) -> list[AuditEvent]:
    stmt = (
        sa.select(AuditEvent)
        .options(selectinload(AuditEvent.actor))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .offset(offset)
    )
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(db.session.scalars(stmt))


#: A cell starting with one of these is read as a formula by spreadsheets (also after leading spaces).
def _csv_cell(value) -> str:
    return csv_safe("" if value is None else str(value))


def audit_csv() -> str:
    import json

    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL)
    writer.writerow(["at_utc", "actor", "action", "subject_type", "subject_id", "details"])
    for event in audit_events(limit=None):
        writer.writerow(
            [
                _csv_cell(event.at.isoformat()),
                _csv_cell(event.actor.username if event.actor else ""),
                _csv_cell(event.action),
                _csv_cell(event.subject_type),
                _csv_cell(event.subject_id),
                _csv_cell(json.dumps(event.details, ensure_ascii=False, sort_keys=True)),
            ]
        )
    return out.getvalue()

