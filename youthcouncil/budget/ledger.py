"""The ledger: grants (never more than the budget), spending (never more than a grant), and mid-year grants that
the council decides with a motion."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from youthcouncil import audit
from youthcouncil.budget.models import (
    BudgetYear,
    Event,
    Feasibility,
    Grant,
    GrantRequest,
    GrantSource,
    Phase,
    RequestStatus,
    Spending,
)
from youthcouncil.budget.money import kroner
from youthcouncil.budget.services import TITLE_MAX, BudgetError
from youthcouncil.db import utcnow
from youthcouncil.extensions import db
from youthcouncil.i18n import gettext as _
from youthcouncil.i18n import lazy_gettext as _l
from youthcouncil.motions import signals as motion_signals
from youthcouncil.motions.services import MotionError, open_motion

#: The ``subject_type`` of the council's motions on mid-year grant requests.
GRANT_SUBJECT = "budget_grant"


def reserve_money(year: BudgetYear, amount: int) -> None:
    """Raise the year's granted total by ``amount`` only if it stays within the budget, in one conditional UPDATE.

    Two confirmations at the same moment cannot both pass: the database evaluates the WHERE against the row as
    it is when the write happens (PostgreSQL re-checks after the row lock; SQLite writers queue), and the
    CHECK constraint granted_total <= total backs it up.
    """
    if amount <= 0:
        raise BudgetError(_l("A grant must be more than 0 kroner."), "amount")
    result = db.session.execute(
        sa.update(BudgetYear)
        .where(BudgetYear.id == year.id, BudgetYear.granted_total + amount <= BudgetYear.total)
        .values(granted_total=BudgetYear.granted_total + amount)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(year, ["granted_total"])
    if result.rowcount != 1:
        raise BudgetError(
            _l("There is not enough money left in the budget for %(amount)s.", amount=kroner(amount)), "amount"
        )


def create_grant(year: BudgetYear, event: Event, amount: int, *, source: GrantSource, by=None) -> Grant:
    if event.year_id != year.id:
        raise ValueError("the event belongs to another budget year")
    if event.grant is not None:
        raise BudgetError(_l("This event already has a grant."), "amount")
    reserve_money(year, amount)
    grant = Grant(year_id=year.id, event=event, amount=amount, source=GrantSource(source))
    db.session.add(grant)
    db.session.flush()
    audit.record(by, "budget_grant.created", grant, {"event": event.id, "amount": amount, "source": str(source)})
    return grant


def record_spending(grant: Grant, *, amount: int, spent_on: date, what_for: str, by) -> Spending:
    """Record money actually spent. Spending can never exceed the grant (conditional UPDATE + CHECK)."""
    if amount is None or amount <= 0:
        raise BudgetError(_l("The amount must be more than 0 kroner."), "amount")
    what_for = (what_for or "").strip()
    if not what_for:
        raise BudgetError(_l("Write what the money was spent on."), "what_for")
    if spent_on is None:
        raise BudgetError(_l("Choose the date."), "spent_on")
    result = db.session.execute(
        sa.update(Grant)
        .where(Grant.id == grant.id, Grant.spent_total + amount <= Grant.amount)
        .values(spent_total=Grant.spent_total + amount)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(grant, ["spent_total"])
    if result.rowcount != 1:
        raise BudgetError(
            _l(
                "That is more than is left of this grant (%(left)s). A bigger cost needs a new grant from the council.",
                left=kroner(grant.amount - grant.spent_total),
            ),
            "amount",
        )
    spending = Spending(grant=grant, amount=amount, spent_on=spent_on, what_for=what_for[:200], recorded_by_id=by.id)
    db.session.add(spending)
    db.session.flush()
    audit.record(by, "budget_spending.recorded", spending, {"grant": grant.id, "amount": amount})
    return spending


# --- Mid-year grants decided by a council motion ---------------------------------------------------------------------


def request_grant(year: BudgetYear, *, proposer, title: str, description: str, amount: int, month: int) -> GrantRequest:
    if year.phase() != Phase.decided or year.imported:
        raise BudgetError(_l("Mid-year grants can be asked for after the budget vote is decided."), "title")
    title = (title or "").strip()
    if not title:
        raise BudgetError(_l("Give the event a name."), "title")
    if amount is None or amount <= 0:
        raise BudgetError(_l("The amount must be more than 0 kroner."), "amount")
    if amount > year.remaining:
        raise BudgetError(
            _l("Only %(left)s is left in the budget. Ask for that or less.", left=kroner(year.remaining)), "amount"
        )
    if not 1 <= int(month or 0) <= 12:
        raise BudgetError(_l("Choose a month."), "month")
    event = Event(
        year=year,
        title=title[:TITLE_MAX],
        description=(description or "").strip(),
        estimated_cost=amount,
        month=int(month),
        proposer_id=proposer.id,
        mid_year=True,
        feasibility=Feasibility.feasible,
    )
    request = GrantRequest(year=year, event=event, amount=amount)
    db.session.add_all([event, request])
    db.session.flush()
    audit.record(proposer, "budget_request.created", request, {"amount": amount})
    return request


def put_request_to_vote(request: GrantRequest, *, by):
    """Open the council's yes/no/abstain motion on a mid-year grant request."""
    if request.status != RequestStatus.proposed:
        raise BudgetError(_l("This request is already with the council."))
    if request.amount > request.year.remaining:
        raise BudgetError(
            _l("There is not enough money left in the budget for %(amount)s.", amount=kroner(request.amount))
        )
    try:
        motion = open_motion(
            subject_type=GRANT_SUBJECT,
            subject_id=request.id,
            title=_("Grant %(amount)s to “%(title)s”", amount=kroner(request.amount), title=request.event.title),
            opened_by=by,
            secret=False,
        )
    except MotionError as error:
        raise BudgetError(error.lazy_message) from None
    request.motion_id = motion.id
    request.status = RequestStatus.voting
    db.session.flush()
    audit.record(by, "budget_request.to_vote", request, {"motion": request.motion_id})
    return motion


@motion_signals.motion_decided.connect_via(GRANT_SUBJECT)
def grant_vote_decided(sender, *, motion, result, **kwargs) -> None:
    """The council decided a request (in the closing transaction): adopted -> a grant through the guarded path."""
    request = db.session.get(GrantRequest, motion.subject_id)
    if request is None or request.status != RequestStatus.voting:
        return
    request.decided_at = utcnow()
    if not result.adopted:
        request.status = RequestStatus.rejected
        db.session.flush()
        return
    try:
        with db.session.begin_nested():
            create_grant(request.year, request.event, request.amount, source=GrantSource.motion)
    except BudgetError:
        request.status = RequestStatus.no_money
    else:
        request.status = RequestStatus.adopted
    db.session.flush()


@motion_signals.motion_cancelled.connect_via(GRANT_SUBJECT)
def grant_vote_stopped(sender, *, motion, **kwargs) -> None:
    """The chair stopped the vote without a decision: the request waits to be put to the council again."""
    request = db.session.get(GrantRequest, motion.subject_id)
    if request is None or request.status != RequestStatus.voting or request.motion_id != motion.id:
        return
    request.status = RequestStatus.proposed
    request.motion_id = None
    db.session.flush()
    audit.record(motion.closed_by, "budget_request.vote_stopped", request, {"motion": motion.id})


@motion_signals.subject_link.connect_via(GRANT_SUBJECT)
def grant_vote_link(sender, *, motion, **kwargs) -> tuple[str, dict]:
    """A grant motion links back to the year's ledger, which lists the request."""
    request = db.session.get(GrantRequest, motion.subject_id)
    if request is None:
        return "budget.index", {}
    return "budget.ledger", {"year_id": request.year_id}
