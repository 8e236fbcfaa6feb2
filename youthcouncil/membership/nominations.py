"""Nominations by the school reps, the coordinator's decision, guardians' consent, and activation sheets."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, selectinload

from youthcouncil.accounts import services as accounts
from youthcouncil.accounts.models import AccountType
from youthcouncil.audit import record
from youthcouncil.db import utcnow
from youthcouncil.extensions import db
from youthcouncil.i18n import lazy_gettext as _l
from youthcouncil.membership.models import Nomination, NominationStatus, School, Seat, Term
from youthcouncil.membership.services import MembershipError, today_in_oslo
from youthcouncil.membership.terms import add_membership, count_memberships, seats_left

MIN_AGE, MAX_AGE, CONSENT_AGE, MAX_AGE_WHEN_ELECTED = 10, 17, 15, 18


#: The deadline is stored as the minute it is shown as ("until 23:59"); that whole minute is still in time.
DEADLINE_MINUTE = timedelta(minutes=1)


def nomination_is_open(term: Term, now: datetime | None = None) -> bool:
    return not term.is_closed and (now or utcnow()) < term.nomination_deadline + DEADLINE_MINUTE


def terms_open_for_nomination(now: datetime | None = None) -> list[Term]:
    return list(
        db.session.scalars(
            sa.select(Term)
            .where(Term.closed_at.is_(None), Term.nomination_deadline > (now or utcnow()) - DEADLINE_MINUTE)
            .order_by(Term.starts_on)
        )
    )


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
        raise MembershipError(_l("Write the candidate's first name."), "first_name")
    if len(first) > 60:
        raise MembershipError(_l("Use at most 60 characters."), "first_name")
    if not last:
        raise MembershipError(_l("Write the candidate's last name."), "last_name")
    if len(last) > 60:
        raise MembershipError(_l("Use at most 60 characters."), "last_name")
    if not grade:
        raise MembershipError(_l("Write the candidate's class, such as 7B."), "grade")
    if len(grade) > 20:
        raise MembershipError(_l("Use at most 20 characters."), "grade")
    this_year = today_in_oslo().year
    if candidate.birth_year is None or not this_year - 30 <= candidate.birth_year <= this_year:
        raise MembershipError(_l("Write the year the candidate was born, such as 2013."), "birth_year")
    if candidate.birth_month is None or not 1 <= candidate.birth_month <= 12:
        raise MembershipError(_l("Choose a month from January to December."), "birth_month")
    if date(candidate.birth_year, candidate.birth_month, 1) > today_in_oslo():
        raise MembershipError(_l("That birth month is in the future."), "birth_month")
    age = age_on(term.starts_on, candidate.birth_year, candidate.birth_month)
    if age < MIN_AGE or age > MAX_AGE:
        raise MembershipError(
            _l(
                "The candidate must be 10 to 17 years old when the term starts (%(day)s). By that birth month "
                "they will be %(age)s.",
                day=term.starts_on.strftime("%d.%m.%Y"),
                age=age,
            ),
            "birth_year",
        )
    if age_on(today_in_oslo(), candidate.birth_year, candidate.birth_month) > MAX_AGE_WHEN_ELECTED:
        raise MembershipError(_l("The candidate must be under 19 when elected."), "birth_year")
    if len(why_me) > 500:
        raise MembershipError(_l("Use at most 500 characters (now %(count)s).", count=len(why_me)), "why_me")
    if candidate.position is not None and not 1 <= candidate.position <= 99:
        raise MembershipError(_l("Write a number from 1 to 99."), "position")
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


def closed_terms_nominated(school: School) -> list[Term]:
    """Closed terms the school nominated for, newest first: the rep can still see how each nomination ended (those
    still waiting when the term closed are rejected with that reason)."""
    has_nominations = (
        sa.select(Nomination.id).where(Nomination.term_id == Term.id, Nomination.school_id == school.id).exists()
    )
    return list(
        db.session.scalars(
            sa.select(Term).where(Term.closed_at.is_not(None), has_nominations).order_by(Term.closed_at.desc())
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
    used = count_memberships(term, school, Seat.member) + count_memberships(term, school, Seat.deputy)
    return max(0, school.seats + school.deputy_seats - used - _count_pending(term, school))


def intended_seats(term: Term, school: School) -> dict[int, Seat]:
    """The seat each live nomination is heading for: seated members first, then the school's order."""
    member_places = school.seats - count_memberships(term, school, Seat.member)
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
        raise MembershipError(_l("This pupil is already nominated by your school for this term."), "first_name")


def _require_open(term: Term) -> None:
    if term.is_closed:
        raise MembershipError(_l("This term is closed."))
    if not nomination_is_open(term):
        raise MembershipError(_l("The deadline for nominations has passed. Talk to the youth coordinator."))


def _flush_nomination(nomination: Nomination) -> None:
    try:
        with db.session.begin_nested():
            db.session.add(nomination)
            db.session.flush()
    except IntegrityError as error:
        raise MembershipError(
            _l("This pupil is already nominated by your school for this term."), "first_name"
        ) from error


def nominate(term: Term, school: School, candidate: Candidate, by) -> Nomination:
    _require_open(term)
    values = _clean_candidate(term, candidate)
    # Two reps of one school nominating at once queue here on PostgreSQL (SQLite writers queue anyway).
    db.session.execute(sa.select(School.id).where(School.id == school.id).with_for_update())
    if places_left(term, school) <= 0:
        raise MembershipError(
            _l(
                "Your school has %(seats)s seats and %(deputies)s deputy seats, and all of them are filled or "
                "nominated. Withdraw a nomination to nominate someone else.",
                seats=school.seats,
                deputies=school.deputy_seats,
            )
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


def _lock(nomination: Nomination) -> None:
    """Read the nomination again under a row lock: of two decisions at once (two coordinators, or a coordinator and
    the rep withdrawing) the second waits and then sees the first one's status (SQLite writers queue anyway)."""
    db.session.refresh(nomination, with_for_update=True)


def update_nomination(nomination: Nomination, candidate: Candidate, by) -> None:
    _lock(nomination)
    if not nomination.is_pending:
        raise MembershipError(_l("The coordinator has already decided on this nomination."))
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
    _lock(nomination)
    if not nomination.is_pending:
        raise MembershipError(_l("The coordinator has already decided on this nomination."), "nomination")
    nomination.withdraw(utcnow())
    db.session.flush()
    record(by, "nomination.withdrawn", nomination, {"term_id": nomination.term_id, "school_id": nomination.school_id})


def approve_nomination(nomination: Nomination, by):
    """Make the candidate a member: an account (type member) and a membership in a free seat of the school."""
    _lock(nomination)
    if not nomination.is_pending:
        raise MembershipError(_l("This nomination is already decided."), "nomination")
    term, school = nomination.term, nomination.school
    seat = intended_seats(term, school).get(nomination.id, Seat.deputy)
    if seats_left(term, school, seat) <= 0:
        seat = Seat.deputy if seat == Seat.member else Seat.member
    if seats_left(term, school, seat) <= 0:
        raise MembershipError(_l("All seats of this school are taken for this term."), "nomination")
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
        raise MembershipError(_l("Write a short reason. The school rep will see it."), "reason")
    if len(reason) > 300:
        raise MembershipError(_l("Use at most 300 characters."), "reason")
    _lock(nomination)
    if not nomination.is_pending:
        raise MembershipError(_l("This nomination is already decided."), "reason")
    nomination.reject(by, reason, utcnow())
    db.session.flush()
    record(by, "nomination.rejected", nomination, {"term_id": nomination.term_id, "school_id": nomination.school_id})


def record_consent(nomination: Nomination, given_on: date | None, by) -> None:
    """Record that a guardian consented (the fact, the day, who recorded it); no guardian data is kept."""
    _lock(nomination)
    if not nomination.needs_consent:
        raise MembershipError(_l("This candidate is 15 or older; no consent is needed."), "given_on")
    if nomination.status not in (NominationStatus.pending, NominationStatus.approved):
        raise MembershipError(_l("This nomination is no longer live."), "given_on")
    if nomination.consent_recorded_at is not None:
        raise MembershipError(_l("Consent is already recorded."), "given_on")
    if given_on is None:
        raise MembershipError(_l("Choose the day the guardian said yes."), "given_on")
    if given_on > today_in_oslo():
        raise MembershipError(_l("That day is in the future."), "given_on")
    nomination.consent_given_on = given_on
    nomination.consent_recorded_at = utcnow()
    nomination.consent_recorded_by_id = by.id
    if nomination.user is not None and not nomination.term.is_closed:
        nomination.user.active = True
    db.session.flush()
    record(by, "nomination.consent_recorded", nomination, {"given_on": given_on.isoformat()})


def pending_nominations() -> list[Nomination]:
    """The coordinator's work: pending nominations of open terms (a closed term takes no more members)."""
    return list(
        db.session.scalars(
            sa.select(Nomination)
            .join(Nomination.school)
            .options(contains_eager(Nomination.school), selectinload(Nomination.term))
            .join(Nomination.term)
            .where(Nomination.status == NominationStatus.pending, Term.closed_at.is_(None))
            .order_by(Nomination.term_id, School.name, Nomination.position, Nomination.id)
        )
    )


# --- Activation sheets -----------------------------------------------------------------------------------------------


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
    if term.is_closed:
        raise MembershipError(_l("This term is closed."), "term")
    ready, _waiting = members_waiting_for_sheets(term, school)
    return [accounts.issue_activation_code(nomination.user, issued_by=by) for nomination in ready]
