"""The membership rules every domain asks: which term is current, who sits in it, who votes in the council.

The rest of the domain lives next to this module: ``schools``, ``terms`` (terms, seats, offices, the roster, the end of
a term), ``nominations`` (with activation sheets) and ``retention``; the audit log is ``youthcouncil.audit``.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

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


def is_voting_member(user, term: Term | None) -> bool:
    """Does the user vote in this term's decisions? One indexed single-row EXISTS (theme round, budget, motions)."""
    if term is None or user is None or not getattr(user, "is_authenticated", False) or user.id is None:
        return False
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
