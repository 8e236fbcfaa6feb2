"""The municipality, its schools, terms (valgperiode) and the memberships of each term."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING, Optional

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ExcludeConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from youthcouncil.db import utcnow
from youthcouncil.errors import DomainError
from youthcouncil.extensions import db
from youthcouncil.i18n import lazy_gettext as _l
from youthcouncil.names import name_key

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
        # Two schools' names differ in more than case, the same on SQLite and PostgreSQL (youthcouncil.names).
        sa.Index("uq_schools_municipality_id_name_key", "municipality_id", "name_key", unique=True),
        sa.CheckConstraint("seats >= 0", name="seats_not_negative"),
        sa.CheckConstraint("deputy_seats >= 0", name="deputy_seats_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(sa.ForeignKey("municipalities.id", ondelete="RESTRICT"))
    name: Mapped[str] = mapped_column(sa.String(120))
    #: ``names.name_key(name)``, kept in step with ``name`` whenever it is set.
    name_key: Mapped[str] = mapped_column(sa.String(64))
    #: Full members this school sends to the council each term.
    seats: Mapped[int] = mapped_column(default=1)
    #: Deputy members (varamedlemmer) this school sends each term.
    deputy_seats: Mapped[int] = mapped_column(default=1)

    municipality: Mapped[Municipality] = relationship(back_populates="schools")

    @validates("name")
    def _keep_name_key(self, _key: str, name: str) -> str:
        self.name_key = name_key(name)
        return name


#: Open terms of one municipality never share a day. PostgreSQL holds the rule itself (an exclusion constraint over
#: the terms' day ranges, with btree_gist for the ``=`` on the municipality); on SQLite the service checks it inside
#: its write transaction, which SQLite's BEGIN IMMEDIATE serialises. A closed term no longer counts.
TERM_OVERLAP_CONSTRAINT = "ex_terms_open_terms_do_not_overlap"


class Term(db.Model):
    """A valgperiode: at most two years, with a deadline for the schools' nominations."""

    __tablename__ = "terms"
    __table_args__ = (
        sa.CheckConstraint("ends_on > starts_on", name="ends_after_start"),
        ExcludeConstraint(
            (sa.column("municipality_id"), "="),
            (sa.func.daterange(sa.column("starts_on"), sa.column("ends_on"), sa.text("'[]'")), "&&"),
            name=TERM_OVERLAP_CONSTRAINT,
            using="gist",
            where=sa.text("closed_at IS NULL"),
        ).ddl_if(dialect="postgresql"),
    )

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

    def has_started(self, today: date) -> bool:
        return self.starts_on <= today


# The exclusion constraint needs btree_gist (a trusted extension: the database's owner may create it).
sa.event.listen(
    Term.__table__,
    "before_create",
    sa.DDL("CREATE EXTENSION IF NOT EXISTS btree_gist").execute_if(dialect="postgresql"),
)


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
        sa.UniqueConstraint("term_id", "school_id", "seat_slot", name="uq_memberships_term_school_slot"),
        sa.CheckConstraint("seat_slot IS NULL OR seat_slot >= 1", name="seat_slot_positive"),
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
    #: Which of the school's seats in this term: 1..seats are member seats, the next deputy_seats are deputy
    #: seats. Unique per term and school, so two approvals at once can never fill more seats than there are.
    seat_slot: Mapped[Optional[int]]

    term: Mapped[Term] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship()
    school: Mapped[School] = relationship()

    @property
    def is_chair_or_deputy(self) -> bool:
        return self.office in (Office.chair, Office.vice_chair)


class NominationStatus(enum.StrEnum):
    pending = "pending"
    approved = "approved"
    rejected = "rejected"
    withdrawn = "withdrawn"


#: Age bands kept instead of a birth date (the birth month is used once, for the age rule, then dropped).
AGE_BANDS = ("10-12", "13-14", "15-17")


class NominationError(DomainError):
    """An illegal state change of a nomination (the services check first and say it in the user's words)."""


class Nomination(db.Model):
    """A school rep's proposal of a pupil for one of the school's seats in a term."""

    __tablename__ = "nominations"
    __table_args__ = (
        sa.CheckConstraint("position >= 1", name="position_positive"),
        sa.CheckConstraint("why_me IS NULL OR length(why_me) <= 500", name="why_me_short"),
        sa.CheckConstraint("status != 'rejected' OR rejection_reason IS NOT NULL", name="rejection_has_reason"),
        sa.CheckConstraint("status != 'approved' OR user_id IS NOT NULL", name="approved_has_account"),
        sa.CheckConstraint("age_band IS NULL OR age_band IN ('10-12', '13-14', '15-17')", name="age_band_known"),
        # The same pupil can be nominated only once per term and school while the nomination is alive.
        sa.Index(
            "uq_nominations_live_candidate",
            "term_id",
            "school_id",
            "candidate_key",
            unique=True,
            sqlite_where=sa.text("status IN ('pending', 'approved')"),
            postgresql_where=sa.text("status IN ('pending', 'approved')"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    term_id: Mapped[int] = mapped_column(sa.ForeignKey("terms.id", ondelete="RESTRICT"), index=True)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("schools.id", ondelete="RESTRICT"), index=True)
    first_name: Mapped[str] = mapped_column(sa.String(60))
    last_name: Mapped[str] = mapped_column(sa.String(60))
    #: Class or grade, as the school writes it ("7B", "9").
    grade: Mapped[Optional[str]] = mapped_column(sa.String(20))
    #: Normalised "first last" used to refuse a second live nomination of the same pupil.
    candidate_key: Mapped[str] = mapped_column(sa.String(130))
    #: One of AGE_BANDS on the term's start date; removed by the retention run.
    age_band: Mapped[Optional[str]] = mapped_column(sa.String(5))
    #: Under 15 on the term's start date: a guardian must consent before the account can be used.
    needs_consent: Mapped[bool] = mapped_column(default=False)
    consent_recorded_at: Mapped[Optional[datetime]]
    #: The day the guardian consented (as told to the person who recorded it).
    consent_given_on: Mapped[Optional[date]]
    consent_recorded_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    #: "Why me", in the candidate's own words.
    why_me: Mapped[Optional[str]] = mapped_column(sa.Text)
    #: The school's order: the first ones take the member seats, the rest the deputy seats.
    position: Mapped[int] = mapped_column(default=1)
    status: Mapped[NominationStatus] = mapped_column(
        sa.Enum(NominationStatus, name="nomination_status", native_enum=False, length=10),
        default=NominationStatus.pending,
    )
    rejection_reason: Mapped[Optional[str]] = mapped_column(sa.String(300))
    nominated_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    decided_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[Optional[datetime]]
    #: The member account made when the nomination was approved.
    user_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Set when the retention run removed the personal data.
    minimised_at: Mapped[Optional[datetime]]

    term: Mapped[Term] = relationship()
    school: Mapped[School] = relationship()
    user: Mapped[Optional[User]] = relationship(foreign_keys=[user_id])
    nominated_by: Mapped[Optional[User]] = relationship(foreign_keys=[nominated_by_id])
    decided_by: Mapped[Optional[User]] = relationship(foreign_keys=[decided_by_id])
    consent_recorded_by: Mapped[Optional[User]] = relationship(foreign_keys=[consent_recorded_by_id])

    @property
    def is_pending(self) -> bool:
        return self.status == NominationStatus.pending

    @property
    def is_live(self) -> bool:
        return self.status in (NominationStatus.pending, NominationStatus.approved)

    @property
    def has_consent(self) -> bool:
        return not self.needs_consent or self.consent_recorded_at is not None

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def _require_pending(self) -> None:
        if self.status != NominationStatus.pending:
            raise NominationError(_l("This nomination is already decided."))

    def approve(self, by, user, now: datetime) -> None:
        self._require_pending()
        self.status = NominationStatus.approved
        self.user = user
        self.decided_by = by
        self.decided_at = now

    def reject(self, by, reason: str, now: datetime) -> None:
        self._require_pending()
        self.status = NominationStatus.rejected
        self.rejection_reason = reason
        self.decided_by = by
        self.decided_at = now

    def withdraw(self, now: datetime) -> None:
        self._require_pending()
        self.status = NominationStatus.withdrawn
        self.updated_at = now
