"""The event budget: a budget year, event proposals, the secret knapsack vote, grants and the spending ledger."""

from __future__ import annotations

import enum
import secrets
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from youthcouncil.db import utcnow
from youthcouncil.extensions import db

if TYPE_CHECKING:
    from youthcouncil.accounts.models import User


def random_ballot_id() -> int:
    return secrets.randbelow(2**62) + 1


class Rule(enum.StrEnum):
    greedy = "greedy"  # most votes first, take each event that still fits
    mes = "mes"  # Method of Equal Shares with add1 completion


class Phase(enum.StrEnum):
    upcoming = "upcoming"
    proposing = "proposing"
    feasibility = "feasibility"
    voting = "voting"
    voting_ended = "voting_ended"  # waiting for the coordinator to close and count
    counted = "counted"  # waiting for the chair to confirm the outcome
    decided = "decided"


class Feasibility(enum.StrEnum):
    pending = "pending"
    feasible = "feasible"
    adjusted = "adjusted"  # feasible with an adjusted cost
    not_feasible = "not_feasible"


class GrantSource(enum.StrEnum):
    vote = "vote"  # the members' budget vote, confirmed by the chair
    motion = "motion"  # a mid-year grant adopted by the council
    imported = "imported"  # a past round imported from a .pb file


class RequestStatus(enum.StrEnum):
    proposed = "proposed"
    voting = "voting"  # a motion is open
    adopted = "adopted"
    rejected = "rejected"
    no_money = "no_money"  # adopted, but the money was gone by then


class BudgetYear(db.Model):
    __tablename__ = "budget_years"
    __table_args__ = (
        sa.CheckConstraint("total >= 0", name="total_not_negative"),
        sa.CheckConstraint("granted_total >= 0", name="granted_not_negative"),
        # The ledger can never grant more than the budget: every grant raises granted_total by a conditional
        # UPDATE, and this constraint backs it up in the database.
        sa.CheckConstraint("granted_total <= total", name="grants_within_total"),
        sa.CheckConstraint("feasibility_starts >= proposing_starts", name="feasibility_after_proposing"),
        sa.CheckConstraint("voting_starts >= feasibility_starts", name="voting_after_feasibility"),
        sa.CheckConstraint("voting_ends > voting_starts", name="voting_ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    #: The whole budget in kroner.
    total: Mapped[int]
    #: Sum of all grants in kroner; only ever changed by ledger.reserve_money().
    granted_total: Mapped[int] = mapped_column(default=0)
    proposing_starts: Mapped[datetime]
    feasibility_starts: Mapped[datetime]
    voting_starts: Mapped[datetime]
    voting_ends: Mapped[datetime]
    #: The day the chair is expected to confirm the outcome (shown to members).
    decided_by: Mapped[Optional[date]]
    rule: Mapped[Rule] = mapped_column(sa.Enum(Rule, name="budget_rule", native_enum=False, length=10))
    #: Equal Shares only: keep the greedy outcome instead if more voters prefer it.
    comparison: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    #: Set when voting was closed and the outcome computed.
    closed_at: Mapped[Optional[datetime]]
    #: Set when the chair confirmed the outcome (grants created).
    confirmed_at: Mapped[Optional[datetime]]
    confirmed_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    #: A past round imported from a .pb file.
    imported: Mapped[bool] = mapped_column(default=False)
    #: The outcome as computed at close: rule name, budget, total cost, voters, comparison.
    outcome: Mapped[Optional[dict[str, Any]]] = mapped_column(sa.JSON)

    events: Mapped[list[Event]] = relationship(back_populates="year", order_by="Event.id")
    grants: Mapped[list[Grant]] = relationship(back_populates="year", order_by="Grant.id")

    def phase(self, now: datetime | None = None) -> Phase:
        now = now or utcnow()
        if self.imported or self.confirmed_at is not None:
            return Phase.decided
        if self.closed_at is not None:
            return Phase.counted
        if now < self.proposing_starts:
            return Phase.upcoming
        if now < self.feasibility_starts:
            return Phase.proposing
        if now < self.voting_starts:
            return Phase.feasibility
        if now < self.voting_ends:
            return Phase.voting
        return Phase.voting_ended

    @property
    def remaining(self) -> int:
        return self.total - self.granted_total

    @property
    def rule_locked(self) -> bool:
        return self.imported or self.closed_at is not None or utcnow() >= self.voting_starts

    @property
    def spent_total(self) -> int:
        return sum(grant.spent_total for grant in self.grants)


class Event(db.Model):
    """An event proposal (arrangement); once funded it carries a grant."""

    __tablename__ = "budget_events"
    __table_args__ = (
        sa.CheckConstraint("estimated_cost >= 0", name="estimated_cost_not_negative"),
        sa.CheckConstraint("approved_cost IS NULL OR approved_cost > 0", name="approved_cost_positive"),
        sa.CheckConstraint("month BETWEEN 1 AND 12", name="month_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year_id: Mapped[int] = mapped_column(sa.ForeignKey("budget_years.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(sa.String(120))
    #: What happens and for whom.
    description: Mapped[str] = mapped_column(sa.Text, default="")
    estimated_cost: Mapped[int]
    #: The month (1–12) the event is planned for.
    month: Mapped[int]
    #: The member (or coordinator) who proposed it; cleared when personal data is minimised.
    proposer_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    #: A school or partner organisation the coordinator proposed it for.
    on_behalf_of: Mapped[Optional[str]] = mapped_column(sa.String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    feasibility: Mapped[Feasibility] = mapped_column(
        sa.Enum(Feasibility, name="budget_feasibility", native_enum=False, length=14), default=Feasibility.pending
    )
    #: The cost the coordinator set in the feasibility check (feasible with adjusted cost).
    approved_cost: Mapped[Optional[int]]
    #: Why the cost was adjusted, or why the event is not feasible (the proposer sees it).
    feasibility_note: Mapped[Optional[str]] = mapped_column(sa.Text)
    checked_at: Mapped[Optional[datetime]]
    #: Set for mid-year grant requests: they skip the vote and go to a council motion.
    mid_year: Mapped[bool] = mapped_column(default=False)
    #: The project id in an imported .pb file.
    pb_project_id: Mapped[Optional[str]] = mapped_column(sa.String(60))
    # The outcome of the vote, stored at close.
    votes: Mapped[Optional[int]]
    funded: Mapped[Optional[bool]]
    #: The engine's reason code: funded, not_enough_money_left, supporters_spent_share, no_votes, below_threshold.
    outcome_reason: Mapped[Optional[str]] = mapped_column(sa.String(30))
    outcome_money_left: Mapped[Optional[int]]
    #: Place in the result list (1 = shown first).
    outcome_rank: Mapped[Optional[int]]

    year: Mapped[BudgetYear] = relationship(back_populates="events")
    proposer: Mapped[Optional[User]] = relationship(foreign_keys=[proposer_id])
    grant: Mapped[Optional[Grant]] = relationship(back_populates="event", uselist=False)

    @property
    def cost(self) -> int:
        return self.approved_cost if self.approved_cost is not None else self.estimated_cost

    @property
    def on_ballot(self) -> bool:
        return not self.mid_year and self.feasibility in (Feasibility.feasible, Feasibility.adjusted)


class BudgetBallot(db.Model):
    """A counted ballot, written at the close in a random order (or imported). No voter, no time.

    While voting is open, ballots and drafts are sealed in the secret-ballot module (youthcouncil/secret_ballot.py).
    """

    __tablename__ = "budget_ballots"

    #: Random, so that the order of ballots says nothing about the order of the votes.
    id: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=False, default=random_ballot_id)
    year_id: Mapped[int] = mapped_column(sa.ForeignKey("budget_years.id", ondelete="CASCADE"), index=True)

    choices: Mapped[list[BallotChoice]] = relationship(cascade="all, delete-orphan", back_populates="ballot")


class BallotChoice(db.Model):
    __tablename__ = "budget_ballot_choices"

    # No own serial id: it would reveal the order in which ballots came in.
    ballot_id: Mapped[int] = mapped_column(
        sa.BigInteger, sa.ForeignKey("budget_ballots.id", ondelete="CASCADE"), primary_key=True
    )
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("budget_events.id", ondelete="CASCADE"), primary_key=True)

    ballot: Mapped[BudgetBallot] = relationship(back_populates="choices")


class Grant(db.Model):
    """Money granted to one event. Spending can never exceed the grant (spent_total <= amount)."""

    __tablename__ = "budget_grants"
    __table_args__ = (
        sa.UniqueConstraint("event_id"),
        sa.CheckConstraint("amount > 0", name="amount_positive"),
        sa.CheckConstraint("spent_total >= 0", name="spent_not_negative"),
        sa.CheckConstraint("spent_total <= amount", name="spent_within_grant"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year_id: Mapped[int] = mapped_column(sa.ForeignKey("budget_years.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("budget_events.id", ondelete="CASCADE"))
    amount: Mapped[int]
    #: Sum of the spending recorded; only changed by ledger.record_spending().
    spent_total: Mapped[int] = mapped_column(default=0)
    source: Mapped[GrantSource] = mapped_column(
        sa.Enum(GrantSource, name="budget_grant_source", native_enum=False, length=10)
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    year: Mapped[BudgetYear] = relationship(back_populates="grants")
    event: Mapped[Event] = relationship(back_populates="grant")
    spendings: Mapped[list[Spending]] = relationship(back_populates="grant", order_by="Spending.spent_on")

    @property
    def remaining(self) -> int:
        return self.amount - self.spent_total


class Spending(db.Model):
    __tablename__ = "budget_spendings"
    __table_args__ = (sa.CheckConstraint("amount > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    grant_id: Mapped[int] = mapped_column(sa.ForeignKey("budget_grants.id", ondelete="CASCADE"), index=True)
    amount: Mapped[int]
    spent_on: Mapped[date]
    what_for: Mapped[str] = mapped_column(sa.String(200))
    recorded_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    grant: Mapped[Grant] = relationship(back_populates="spendings")


class GrantRequest(db.Model):
    """A mid-year request for a grant from the remaining money, decided by a council motion."""

    __tablename__ = "budget_grant_requests"
    __table_args__ = (sa.CheckConstraint("amount > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year_id: Mapped[int] = mapped_column(sa.ForeignKey("budget_years.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("budget_events.id", ondelete="CASCADE"), unique=True)
    amount: Mapped[int]
    status: Mapped[RequestStatus] = mapped_column(
        sa.Enum(RequestStatus, name="budget_request_status", native_enum=False, length=10),
        default=RequestStatus.proposed,
    )
    motion_id: Mapped[Optional[int]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[Optional[datetime]]

    year: Mapped[BudgetYear] = relationship()
    event: Mapped[Event] = relationship()
