"""Motions: a yes/no/abstain vote of the council on something another domain owns (a response, a grant)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from youthcouncil.db import utcnow
from youthcouncil.extensions import db
from youthcouncil.voting.motion import MotionResult, decide_motion

if TYPE_CHECKING:
    from youthcouncil.accounts.models import User
    from youthcouncil.membership.models import Term


class MotionStatus(enum.StrEnum):
    open = "open"
    closed = "closed"
    cancelled = "cancelled"


class Choice(enum.StrEnum):
    yes = "yes"
    no = "no"
    abstain = "abstain"


class CountMethod(enum.StrEnum):
    phone = "phone"  # members voted in the app
    hand_count = "hand_count"  # the chair entered the numbers from a meeting


class Motion(db.Model):
    __tablename__ = "motions"
    __table_args__ = (
        # One open vote per subject at a time, enforced by the database.
        sa.Index(
            "uq_motions_open_subject",
            "subject_type",
            "subject_id",
            unique=True,
            sqlite_where=sa.text("status = 'open'"),
            postgresql_where=sa.text("status = 'open'"),
        ),
        sa.Index("ix_motions_subject", "subject_type", "subject_id"),
        sa.CheckConstraint("eligible >= 1", name="eligible_positive"),
        sa.CheckConstraint(
            "(yes IS NULL OR yes >= 0) AND (no IS NULL OR no >= 0) AND (abstain IS NULL OR abstain >= 0)"
            " AND (present IS NULL OR present >= 0)",
            name="counts_not_negative",
        ),
        sa.CheckConstraint("method IS NULL OR method IN ('phone', 'hand_count')", name="method_known"),
        sa.CheckConstraint("status = 'open' OR closed_at IS NOT NULL", name="closed_has_time"),
        sa.CheckConstraint(
            "status != 'closed' OR (method IS NOT NULL AND yes IS NOT NULL AND no IS NOT NULL"
            " AND abstain IS NOT NULL AND present IS NOT NULL AND quorum_met IS NOT NULL AND adopted IS NOT NULL)",
            name="closed_has_counts",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: What the vote is about, owned by another domain: e.g. "consultation_response", "budget_grant".
    subject_type: Mapped[str] = mapped_column(sa.String(40))
    subject_id: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(200))
    term_id: Mapped[int] = mapped_column(sa.ForeignKey("terms.id", ondelete="RESTRICT"), index=True)
    #: False (the default): a named vote, because a council's decision is public. True: nobody ever sees who
    #: voted what, and the link between member and choice is erased when the vote closes.
    secret: Mapped[bool] = mapped_column(default=False)
    status: Mapped[MotionStatus] = mapped_column(
        sa.Enum(MotionStatus, name="motion_status", native_enum=False, length=12), default=MotionStatus.open
    )
    opened_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[Optional[datetime]]
    closed_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    #: How the counts were made, set at close: "phone" or "hand_count".
    method: Mapped[Optional[str]] = mapped_column(sa.String(12))
    yes: Mapped[Optional[int]]
    no: Mapped[Optional[int]]
    abstain: Mapped[Optional[int]]
    #: Members who took part: present at the meeting (hand count) or who voted (phone).
    present: Mapped[Optional[int]]
    #: Voting members of the term when the vote opened (the quorum is half of them).
    eligible: Mapped[int]
    quorum_met: Mapped[Optional[bool]]
    adopted: Mapped[Optional[bool]]

    term: Mapped[Term] = relationship()
    opened_by: Mapped[Optional[User]] = relationship(foreign_keys=[opened_by_id])
    closed_by: Mapped[Optional[User]] = relationship(foreign_keys=[closed_by_id])
    votes: Mapped[list[MotionVote]] = relationship(
        back_populates="motion", cascade="all, delete-orphan", order_by="MotionVote.id"
    )

    @property
    def is_open(self) -> bool:
        return self.status == MotionStatus.open

    @property
    def is_closed(self) -> bool:
        return self.status == MotionStatus.closed

    @property
    def is_cancelled(self) -> bool:
        return self.status == MotionStatus.cancelled

    @property
    def result(self) -> MotionResult | None:
        """The decision as the voting rule explains it (None until the motion is closed)."""
        if not self.is_closed:
            return None
        present = self.present if self.method == CountMethod.hand_count else None
        eligible = max(self.eligible, self.yes + self.no + self.abstain, self.present or 0)
        return decide_motion(self.yes, self.no, self.abstain, eligible, present)

    def __repr__(self) -> str:
        return f"<Motion {self.id} {self.subject_type}:{self.subject_id} {self.status}>"


class MotionVote(db.Model):
    """One member's vote on a named motion; changeable until the motion closes (the database keeps it to one).

    A secret motion has no rows here: its ballots are sealed in youthcouncil/secret_ballot.py until the close, which
    keeps only the counts.
    """

    __tablename__ = "motion_votes"
    __table_args__ = (sa.UniqueConstraint("motion_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    motion_id: Mapped[int] = mapped_column(sa.ForeignKey("motions.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    choice: Mapped[Choice] = mapped_column(sa.Enum(Choice, name="motion_choice", native_enum=False, length=10))
    cast_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    motion: Mapped[Motion] = relationship(back_populates="votes")
    user: Mapped[User] = relationship()
