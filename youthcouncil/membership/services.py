"""The membership rules every domain asks: which term is current, who sits in it, who votes in the council.

The rest of the domain lives next to this module: ``schools``, ``terms`` (terms, seats, offices, the roster, the end of
a term), ``nominations`` (with activation sheets) and ``retention``; the audit log is ``youthcouncil.audit``.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import g, has_request_context
from sqlalchemy.orm import Session, aliased

from youthcouncil.accounts.models import User
from youthcouncil.db import utcnow
from youthcouncil.errors import DomainError
from youthcouncil.extensions import db
from youthcouncil.i18n import to_oslo
from youthcouncil.membership.models import Membership, Municipality, Seat, Term


class MembershipError(DomainError):
    """A membership rule said no (see DomainError)."""


def today_in_oslo() -> date:
    return to_oslo(utcnow()).date()


def the_municipality() -> Municipality | None:
    return db.session.scalars(sa.select(Municipality).order_by(Municipality.id).limit(1)).first()


# --- The current term and the user's membership in it, read once per request -----------------------------------
#
# Every page asks (the roles in the menu, the permissions, the panels): the answers are kept in ``flask.g`` for the
# rest of the request, and forgotten when a term or a membership changes in it (or the transaction rolls back).

_TERM = "_yc_current_term"
_MEMBERSHIPS = "_yc_current_memberships"
_NOTHING = object()


def _current_term_query(term=Term) -> sa.Select:
    """The current term's query; the day is the bound parameter ``today`` (see `_today`)."""
    today = sa.bindparam("today", type_=sa.Date)
    return (
        sa.select(term)
        .where(term.closed_at.is_(None), term.starts_on <= today)
        .order_by((term.ends_on >= today).desc(), term.starts_on.desc())
        .limit(1)
    )


def _today() -> dict[str, date]:
    return {"today": today_in_oslo()}


# Built once: making a statement costs more than running it (the loader runs on every request).
_CURRENT_TERM = _current_term_query()


def current_term() -> Term | None:
    """The open term covering today; else the newest open term that has started."""
    if not has_request_context():
        return db.session.scalars(_CURRENT_TERM, _today()).first()
    term = g.get(_TERM, _NOTHING)
    if term is _NOTHING:
        term = g.setdefault(_TERM, db.session.scalars(_CURRENT_TERM, _today()).first())
    return term


def current_membership(user) -> Membership | None:
    """The user's active membership in the current term (on the first call of a request: one query for both)."""
    if user.id is None:
        return None
    if not has_request_context():
        term = current_term()
        return None if term is None else _active_membership(term, user.id)
    known = g.setdefault(_MEMBERSHIPS, {})
    if user.id in known:
        return known[user.id]
    if _TERM in g:
        term = g.get(_TERM)
        membership = None if term is None else _active_membership(term, user.id)
    else:
        row = db.session.execute(_TERM_AND_MEMBERSHIP, {**_today(), "user_id": user.id}).first()
        term, membership = (None, None) if row is None else row
        g.setdefault(_TERM, term)
    known[user.id] = membership
    return membership


def user_with_membership(user_id: int) -> User | None:
    """The user, with the current term and their active membership in it read by the same query and kept for the
    request (the login's user loader: every page asks for the roles next)."""
    if not has_request_context():
        return db.session.get(User, user_id)
    row = db.session.execute(_USER_TERM_MEMBERSHIP, {**_today(), "user_id": user_id}).first()
    if row is None:
        return None
    user, term, membership = row
    if _TERM not in g:
        g.setdefault(_TERM, term)
        g.setdefault(_MEMBERSHIPS, {})[user_id] = membership
    return user


def _user_term_membership() -> sa.Select:
    other = aliased(Term)
    current = _current_term_query(other).with_only_columns(other.id).scalar_subquery()
    active = sa.and_(Membership.term_id == Term.id, Membership.user_id == User.id, Membership.active.is_(True))
    return (
        sa.select(User, Term, Membership)
        .select_from(User)
        .outerjoin(Term, Term.id == current)
        .outerjoin(Membership, active)
        .where(User.id == sa.bindparam("user_id"))
    )


_USER_TERM_MEMBERSHIP = _user_term_membership()
_TERM_AND_MEMBERSHIP = _CURRENT_TERM.add_columns(Membership).outerjoin(
    Membership,
    sa.and_(Membership.term_id == Term.id, Membership.user_id == sa.bindparam("user_id"), Membership.active.is_(True)),
)


def _active_membership(term: Term, user_id: int) -> Membership | None:
    return db.session.scalars(
        sa.select(Membership).where(
            Membership.term_id == term.id, Membership.user_id == user_id, Membership.active.is_(True)
        )
    ).first()


def forget_current_term() -> None:
    if has_request_context():
        g.pop(_TERM, None)
        g.pop(_MEMBERSHIPS, None)


@sa.event.listens_for(Session, "after_flush")
def _forget_when_changed(session: Session, _context) -> None:
    if any(isinstance(obj, (Term, Membership)) for obj in (*session.new, *session.dirty, *session.deleted)):
        forget_current_term()


@sa.event.listens_for(Session, "after_rollback")
def _forget_after_rollback(_session: Session) -> None:
    forget_current_term()


@sa.event.listens_for(Session, "do_orm_execute")
def _forget_after_bulk_change(state) -> None:
    mapper = state.bind_mapper
    if (state.is_update or state.is_delete) and mapper is not None and mapper.class_ in (Term, Membership):
        forget_current_term()


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


def is_voting_member(user, term: Term | None) -> bool:
    """Does the user vote in this term's decisions? One indexed single-row EXISTS (theme round, budget, motions)."""
    if term is None or user is None or not getattr(user, "is_authenticated", False) or user.id is None:
        return False
    if has_request_context() and user.id in g.get(_MEMBERSHIPS, ()) and g.get(_TERM) is term:
        # Already read in this request (the roles): the same row answers.
        membership = g.get(_MEMBERSHIPS)[user.id]
        return membership is not None and membership.seat == Seat.member
    member = sa.exists().where(
        Membership.term_id == term.id,
        Membership.user_id == user.id,
        Membership.active.is_(True),
        Membership.seat == Seat.member,
    )
    return bool(db.session.scalar(sa.select(member)))


def voting_members(term: Term) -> list[User]:
    """The voting members' accounts, by first name."""
    return list(
        db.session.scalars(sa.select(User).where(User.id.in_(voting_members_query(term))).order_by(User.first_name))
    )


def count_voting_members(term: Term) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(voting_members_query(term).subquery())) or 0
