"""The yearly theme round of the safety week (trygghetsuka): proposals and the counted ballots."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from youthcouncil.db import utcnow
from youthcouncil.extensions import db

if TYPE_CHECKING:
    from youthcouncil.accounts.models import User
    from youthcouncil.membership.models import Term

TITLE_MAX = 80
WHY_MAX = 1000
REASON_MAX = 300
#: A member may have this many live proposals (not withdrawn) in one round.
PROPOSALS_PER_MEMBER = 3


class Method(enum.StrEnum):
    irv = "irv"  # ranked choice, instant-runoff
    approval = "approval"


class Phase(enum.StrEnum):
    upcoming = "upcoming"  # proposing has not opened yet
    proposing = "proposing"
    review = "review"  # proposing closed, voting not open yet
    voting = "voting"
    counting = "counting"  # voting has closed, the round is not counted yet
    closed = "closed"  # counted: the result is public


class ProposalStatus(enum.StrEnum):
    proposed = "proposed"
    kept = "kept"
    merged = "merged"
    declined = "declined"
    withdrawn = "withdrawn"


class ThemeRound(db.Model):
    __tablename__ = "sw_rounds"
    __table_args__ = (
        sa.UniqueConstraint("year"),
        sa.CheckConstraint("proposing_opens_at <= proposing_closes_at", name="proposing_dates_in_order"),
        sa.CheckConstraint("proposing_closes_at <= voting_opens_at", name="voting_after_proposing"),
        sa.CheckConstraint("voting_opens_at <= voting_closes_at", name="voting_dates_in_order"),
        sa.CheckConstraint("method IN ('irv', 'approval')", name="method_known"),
        sa.CheckConstraint("closed_at IS NULL OR lot_seed IS NOT NULL", name="closed_has_seed"),
        sa.CheckConstraint(
            "imported OR closed_at IS NULL OR closed_at >= voting_closes_at", name="closed_after_voting"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The term whose members propose and vote; None for a past round imported from a PrefLib file.
    term_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("terms.id", ondelete="RESTRICT"), index=True)
    year: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(120))
    proposing_opens_at: Mapped[datetime]
    proposing_closes_at: Mapped[datetime]
    voting_opens_at: Mapped[datetime]
    voting_closes_at: Mapped[datetime]
    method: Mapped[Method] = mapped_column(
        sa.Enum(Method, name="sw_method", native_enum=False, length=10), default=Method.irv
    )
    #: Set when the round was counted: the ballots are unsealed then (and the vote key destroyed), the result public.
    closed_at: Mapped[Optional[datetime]]
    #: The seed of the lot for ties (drawn with ``secrets`` when the round is counted), shown on the result page.
    lot_seed: Mapped[Optional[str]] = mapped_column(sa.String(64))
    #: Members who could vote, frozen when the round was counted (for the turnout).
    eligible_count: Mapped[Optional[int]]
    #: A past round imported from a PrefLib file (no proposals by members).
    imported: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    term: Mapped[Optional[Term]] = relationship()
    proposals: Mapped[list[Proposal]] = relationship(back_populates="round", order_by="Proposal.id")

    def phase(self, now: datetime | None = None) -> Phase:
        now = now or utcnow()
        if self.closed_at is not None:
            return Phase.closed
        if now >= self.voting_closes_at:
            return Phase.counting
        if now >= self.voting_opens_at:
            return Phase.voting
        if now >= self.proposing_closes_at:
            return Phase.review
        if now >= self.proposing_opens_at:
            return Phase.proposing
        return Phase.upcoming

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    def method_locked(self, now: datetime | None = None) -> bool:
        """Nothing about the method can change once voting has opened."""
        return self.phase(now) in (Phase.voting, Phase.counting, Phase.closed)

    @property
    def kept_proposals(self) -> list[Proposal]:
        return [p for p in self.proposals if p.status == ProposalStatus.kept]


class Proposal(db.Model):
    """A temaforslag. Only kept proposals reach the vote."""

    __tablename__ = "sw_proposals"
    __table_args__ = (
        sa.CheckConstraint(f"length(title) BETWEEN 1 AND {TITLE_MAX}", name="title_length"),
        sa.CheckConstraint(f"why IS NULL OR length(why) <= {WHY_MAX}", name="why_length"),
        sa.CheckConstraint("status != 'declined' OR decline_reason IS NOT NULL", name="declined_has_reason"),
        sa.CheckConstraint("status != 'merged' OR merged_into_id IS NOT NULL", name="merged_has_target"),
        sa.CheckConstraint(f"slot IS NULL OR slot BETWEEN 1 AND {PROPOSALS_PER_MEMBER}", name="slot_in_range"),
        # At most three live proposals per member and round: each takes one of three numbered slots.
        sa.Index(
            "uq_sw_proposals_member_slot",
            "round_id",
            "proposer_id",
            "slot",
            unique=True,
            sqlite_where=sa.text("status != 'withdrawn' AND slot IS NOT NULL"),
            postgresql_where=sa.text("status != 'withdrawn' AND slot IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("sw_rounds.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(sa.String(TITLE_MAX))
    #: "Why this theme", in the proposer's words; removed by the retention run.
    why: Mapped[Optional[str]] = mapped_column(sa.Text)
    #: None for imported themes and after the retention run.
    proposer_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    #: Which of the proposer's three places in this round the proposal takes (see the unique index).
    slot: Mapped[Optional[int]]
    status: Mapped[ProposalStatus] = mapped_column(
        sa.Enum(ProposalStatus, name="sw_proposal_status", native_enum=False, length=10),
        default=ProposalStatus.proposed,
    )
    #: The coordinator's kind words to the proposer when a proposal is declined.
    decline_reason: Mapped[Optional[str]] = mapped_column(sa.String(REASON_MAX))
    merged_into_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("sw_proposals.id", ondelete="CASCADE"))
    reviewed_at: Mapped[Optional[datetime]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    round: Mapped[ThemeRound] = relationship(back_populates="proposals")
    proposer: Mapped[Optional[User]] = relationship(foreign_keys=[proposer_id])
    merged_into: Mapped[Optional[Proposal]] = relationship(remote_side=[id], foreign_keys=[merged_into_id])

    @property
    def is_live(self) -> bool:
        return self.status in (ProposalStatus.proposed, ProposalStatus.kept)


def new_ballot_id() -> str:
    # Random ids: the order of the ballots says nothing about the order in which members voted.
    return uuid.uuid4().hex


class Ballot(db.Model):
    """A counted ballot: written when the round is counted (in a random order), or imported. No voter, no time.

    While voting is open the ballots are sealed in the secret-ballot module (youthcouncil/secret_ballot.py).
    """

    __tablename__ = "sw_ballots"
    __table_args__ = (sa.CheckConstraint("weight >= 1", name="weight_positive"),)

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=new_ballot_id)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("sw_rounds.id", ondelete="CASCADE"), index=True)
    #: Ranks of proposal ids, best first: ``[[12], [7], [9]]``; an approval ballot is one rank: ``[[12, 7]]``.
    ranking: Mapped[Any] = mapped_column(sa.JSON)
    #: How many voters cast this ranking: 1, except for rounds imported from a PrefLib file.
    weight: Mapped[int] = mapped_column(default=1)
