"""Schools and their school reps."""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app

from youthcouncil.accounts import services as accounts
from youthcouncil.accounts.models import AccountType, User
from youthcouncil.audit import record
from youthcouncil.extensions import db
from youthcouncil.i18n import lazy_gettext as _l
from youthcouncil.membership.models import Municipality, School, Seat
from youthcouncil.membership.services import MembershipError, current_term, the_municipality
from youthcouncil.membership.terms import count_memberships
from youthcouncil.names import name_key


def schools() -> list[School]:
    return list(db.session.scalars(sa.select(School).order_by(School.name)))


def _school_values(name: str, seats: int | None, deputy_seats: int | None) -> tuple[str, int, int]:
    name = (name or "").strip()
    if not name:
        raise MembershipError(_l("Write the school's name."), "name")
    if len(name) > 120:
        raise MembershipError(_l("Use at most 120 characters."), "name")
    if seats is None or not 0 <= seats <= 20:
        raise MembershipError(_l("Write a number from 0 to 20."), "seats")
    if deputy_seats is None or not 0 <= deputy_seats <= 20:
        raise MembershipError(_l("Write a number from 0 to 20."), "deputy_seats")
    return name, seats, deputy_seats


def _school_name_taken(municipality_id: int, name: str, school_id: int | None = None) -> bool:
    stmt = sa.select(School.id).where(School.municipality_id == municipality_id, School.name_key == name_key(name))
    if school_id is not None:
        stmt = stmt.where(School.id != school_id)
    return db.session.scalar(stmt) is not None


def _flush_name(school: School) -> None:
    """Flush, answering a name another request took a moment ago (the unique key caught it) like a taken name."""
    try:
        with db.session.begin_nested():
            db.session.flush()
    except sa.exc.IntegrityError:
        raise MembershipError(_l("There is already a school with that name."), "name") from None


def create_school(name: str, seats: int | None, deputy_seats: int | None, by=None) -> School:
    name, seats, deputy_seats = _school_values(name, seats, deputy_seats)
    municipality = the_municipality()
    if municipality is None:
        municipality = Municipality(name=current_app.config["MUNICIPALITY_NAME"])
        db.session.add(municipality)
        db.session.flush()
    if _school_name_taken(municipality.id, name):
        raise MembershipError(_l("There is already a school with that name."), "name")
    school = School(municipality=municipality, name=name, seats=seats, deputy_seats=deputy_seats)
    db.session.add(school)
    _flush_name(school)
    record(by, "school.created", school, {"seats": seats, "deputy_seats": deputy_seats})
    return school


def update_school(school: School, name: str, seats: int | None, deputy_seats: int | None, by=None) -> None:
    name, seats, deputy_seats = _school_values(name, seats, deputy_seats)
    if _school_name_taken(school.municipality_id, name, school.id):
        raise MembershipError(_l("There is already a school with that name."), "name")
    term = current_term()
    if term is not None:
        used_members = count_memberships(term, school, Seat.member)
        used_deputies = count_memberships(term, school, Seat.deputy)
        if seats < used_members:
            raise MembershipError(
                _l("%(count)s members already sit for this school this term.", count=used_members), "seats"
            )
        if deputy_seats < used_deputies:
            raise MembershipError(
                _l("%(count)s deputies already sit for this school this term.", count=used_deputies), "deputy_seats"
            )
    school.name, school.seats, school.deputy_seats = name, seats, deputy_seats
    _flush_name(school)
    record(by, "school.updated", school, {"seats": seats, "deputy_seats": deputy_seats})


def create_school_rep(school: School, first_name: str, last_name: str, username: str | None, by=None):
    """A school-rep account for ``school`` with a fresh activation code (returned once, never stored in clear)."""
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
        raise MembershipError(error.lazy_message, error.field) from error
    return accounts.issue_activation_code(user, issued_by=by)


def school_reps(school: School) -> list:
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.school_id == school.id, User.account_type == AccountType.school_rep)
            .order_by(User.first_name)
        )
    )
