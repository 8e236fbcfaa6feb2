"""The municipality, its schools, terms (valgperiode) and the memberships of each term."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from youthcouncil.db import utcnow
from youthcouncil.extensions import db

if TYPE_CHECKING:
    from youthcouncil.accounts.models import User


class Municipality(db.Model):
    __tablename__ = "municipalities"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))

    schools: Mapped[list[School]] = relationship(back_populates="municipality", order_by="School.name")


class School(db.Model):
    __tablename__ = "schools"
    __table_args__ = (
        sa.UniqueConstraint("municipality_id", "name"),
        sa.CheckConstraint("seats >= 0", name="seats_not_negative"),
        sa.CheckConstraint("deputy_seats >= 0", name="deputy_seats_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(sa.ForeignKey("municipalities.id", ondelete="RESTRICT"))
    name: Mapped[str] = mapped_column(sa.String(120))
    #: Full members this school sends to the council each term.
    seats: Mapped[int] = mapped_column(default=1)
    #: Deputy members (varamedlemmer) this school sends each term.
    deputy_seats: Mapped[int] = mapped_column(default=1)

    municipality: Mapped[Municipality] = relationship(back_populates="schools")


class Term(db.Model):
    """A valgperiode: at most two years, with a deadline for the schools' nominations."""

    __tablename__ = "terms"
    __table_args__ = (sa.CheckConstraint("ends_on > starts_on", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(sa.ForeignKey("municipalities.id", ondelete="RESTRICT"))
    name: Mapped[str] = mapped_column(sa.String(60))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    nomination_deadline: Mapped[datetime]
    #: Set when the coordinator closed the term: its memberships are then inactive.
    closed_at: Mapped[Optional[datetime]]

    municipality: Mapped[Municipality] = relationship()
    memberships: Mapped[list[Membership]] = relationship(back_populates="term")

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    def covers(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on


class Seat(enum.StrEnum):
    member = "member"
    deputy = "deputy"  # varamedlem


class Office(enum.StrEnum):
    none = "none"
    chair = "chair"  # leder
    vice_chair = "vice_chair"  # nestleder


class Membership(db.Model):
    __tablename__ = "memberships"
    __table_args__ = (
        sa.UniqueConstraint("term_id", "user_id"),
        # One chair and one vice chair per term, enforced by the database.
        sa.Index(
            "uq_memberships_term_office",
            "term_id",
            "office",
            unique=True,
            sqlite_where=sa.text("office != 'none'"),
            postgresql_where=sa.text("office != 'none'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    term_id: Mapped[int] = mapped_column(sa.ForeignKey("terms.id", ondelete="RESTRICT"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("schools.id", ondelete="RESTRICT"))
    seat: Mapped[Seat] = mapped_column(sa.Enum(Seat, name="seat", native_enum=False, length=10), default=Seat.member)
    office: Mapped[Office] = mapped_column(
        sa.Enum(Office, name="office", native_enum=False, length=12), default=Office.none
    )
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    term: Mapped[Term] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship()
    school: Mapped[School] = relationship()

    @property
    def is_chair_or_deputy(self) -> bool:
        return self.office in (Office.chair, Office.vice_chair)
