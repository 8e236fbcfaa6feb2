"""The event budget's years and proposals: queries, the budget year, proposing and the feasibility check.

The rest of the domain lives next to this module: ``ballot`` (the secret vote), ``outcome`` (close, count,
confirm), ``ledger`` (grants, spending, mid-year grants decided by a motion), ``notices`` (who is told what),
``money`` (kroner in the reader's language) and ``open_data`` (pabulib files).
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa

from youthcouncil import audit
from youthcouncil.budget import notices
from youthcouncil.budget.models import BudgetYear, Event, Feasibility, GrantRequest, Phase, Rule
from youthcouncil.budget.money import kroner
from youthcouncil.db import utcnow
from youthcouncil.errors import DomainError
from youthcouncil.extensions import db
from youthcouncil.i18n import lazy_gettext as _l

#: Longest texts we accept (the columns' sizes).
TITLE_MAX = 120


NOTE_MAX = 2000


class BudgetError(DomainError):
    """A budget rule said no (see DomainError)."""


# --- Queries ---------------------------------------------------------------------------------------------------------


def years_query() -> sa.Select:
    return sa.select(BudgetYear).order_by(BudgetYear.voting_starts.desc(), BudgetYear.id.desc())


def all_years() -> list[BudgetYear]:
    return list(db.session.scalars(years_query()))


_CURRENT_YEAR = years_query().where(BudgetYear.imported.is_(False)).limit(1)  # built once: every home page asks


def current_year() -> BudgetYear | None:
    """The newest year that is not imported (the one members work with now)."""
    return db.session.scalars(_CURRENT_YEAR).first()


def public_years() -> list[BudgetYear]:
    """Years whose outcome is decided (confirmed or imported): their spending is public."""
    return [year for year in all_years() if year.phase() == Phase.decided]


def ballot_events(year: BudgetYear) -> list[Event]:
    return [event for event in year.events if event.on_ballot]


def proposals_to_check() -> list[Event]:
    return list(
        db.session.scalars(
            sa.select(Event)
            .join(BudgetYear)
            .where(
                Event.feasibility == Feasibility.pending,
                Event.mid_year.is_(False),
                BudgetYear.closed_at.is_(None),
                BudgetYear.imported.is_(False),
            )
            .order_by(Event.id)
        )
    )


def result_rows(year: BudgetYear) -> list[Event]:
    """The events of a counted year in the order the result explains them."""
    events = [event for event in year.events if event.outcome_rank is not None]
    return sorted(events, key=lambda event: event.outcome_rank)


def open_requests(year: BudgetYear) -> list[GrantRequest]:
    return list(
        db.session.scalars(sa.select(GrantRequest).where(GrantRequest.year_id == year.id).order_by(GrantRequest.id))
    )


# --- Budget year -----------------------------------------------------------------------------------------------------


def _check_dates(proposing_starts, feasibility_starts, voting_starts, voting_ends) -> None:
    if feasibility_starts < proposing_starts:
        raise BudgetError(_l("The feasibility check cannot start before proposing starts."), "feasibility_starts")
    if voting_starts < feasibility_starts:
        raise BudgetError(_l("Voting cannot start before the feasibility check starts."), "voting_starts")
    if voting_ends <= voting_starts:
        raise BudgetError(_l("Voting must end after it starts."), "voting_ends")


def create_year(
    *,
    name: str,
    total: int,
    proposing_starts: datetime,
    feasibility_starts: datetime,
    voting_starts: datetime,
    voting_ends: datetime,
    rule: Rule,
    comparison: bool = False,
    decided_by: date | None = None,
    created_by=None,
) -> BudgetYear:
    if total is None or total <= 0:
        raise BudgetError(_l("The budget must be more than 0 kroner."), "total")
    _check_dates(proposing_starts, feasibility_starts, voting_starts, voting_ends)
    year = BudgetYear(
        name=name.strip(),
        total=total,
        proposing_starts=proposing_starts,
        feasibility_starts=feasibility_starts,
        voting_starts=voting_starts,
        voting_ends=voting_ends,
        decided_by=decided_by,
        rule=Rule(rule),
        comparison=bool(comparison) and Rule(rule) == Rule.mes,
        created_by_id=getattr(created_by, "id", None),
    )
    db.session.add(year)
    db.session.flush()
    audit.record(created_by, "budget_year.created", year, {"total": total, "rule": str(rule)})
    return year


def update_year(year: BudgetYear, *, by=None, **changes) -> BudgetYear:
    """Change the total, dates or rule. The rule is locked once voting opens; dates once voting closed."""
    if year.imported or year.closed_at is not None:
        raise BudgetError(_l("This budget year is closed and can no longer be changed."), "name")
    if "rule" in changes or "comparison" in changes:
        new_rule = Rule(changes.get("rule", year.rule))
        new_comparison = bool(changes.get("comparison", year.comparison)) and new_rule == Rule.mes
        if (new_rule, new_comparison) != (year.rule, year.comparison) and year.rule_locked:
            raise BudgetError(_l("The outcome rule is locked because voting has opened."), "rule")
        changes["rule"], changes["comparison"] = new_rule, new_comparison
    total = changes.get("total", year.total)
    if total is None or total <= 0:
        raise BudgetError(_l("The budget must be more than 0 kroner."), "total")
    if total < year.granted_total:
        raise BudgetError(
            _l(
                "The budget cannot be less than what is already granted (%(amount)s).",
                amount=kroner(year.granted_total),
            ),
            "total",
        )
    if year.phase() in (Phase.voting, Phase.voting_ended) and total != year.total:
        raise BudgetError(_l("The budget cannot change while members vote."), "total")
    dates = {
        key: changes.get(key, getattr(year, key))
        for key in ("proposing_starts", "feasibility_starts", "voting_starts", "voting_ends")
    }
    _check_dates(**dates)
    if "name" in changes:
        changes["name"] = changes["name"].strip()
    for key, value in changes.items():
        setattr(year, key, value)
    db.session.flush()
    audit.record(by, "budget_year.changed", year, {"fields": sorted(changes)})
    return year


# --- Proposals and the feasibility check -----------------------------------------------------------------------------


def _check_cost(year: BudgetYear, cost, field: str) -> int:
    if cost is None:
        raise BudgetError(_l("Write the cost as a whole number of kroner, like 5000."), field)
    if cost <= 0:
        raise BudgetError(_l("The cost must be more than 0 kroner."), field)
    if cost > year.total:
        raise BudgetError(
            _l("That is more than the whole budget (%(total)s). Choose a smaller cost.", total=kroner(year.total)),
            field,
        )
    return int(cost)


def propose_event(
    year: BudgetYear,
    *,
    proposer,
    title: str,
    description: str,
    estimated_cost: int,
    month: int,
    on_behalf_of: str | None = None,
    now: datetime | None = None,
) -> Event:
    phase = year.phase(now)
    if phase != Phase.proposing:
        raise BudgetError(_l("Proposing is closed for this budget year."), "title")
    title = (title or "").strip()
    if not title:
        raise BudgetError(_l("Give the event a name."), "title")
    if not 1 <= int(month or 0) <= 12:
        raise BudgetError(_l("Choose a month."), "month")
    cost = _check_cost(year, estimated_cost, "estimated_cost")
    fields = dict(
        title=title[:TITLE_MAX],
        description=(description or "").strip(),
        estimated_cost=cost,
        month=int(month),
        proposer_id=proposer.id,
        on_behalf_of=(on_behalf_of or "").strip() or None,
    )
    # The same form sent twice (a double tap, a resend after no answer on a slow network) is one proposal. The
    # year's row is locked first, so that two copies arriving at once find each other.
    db.session.execute(sa.select(BudgetYear.id).where(BudgetYear.id == year.id).with_for_update())
    same = [
        getattr(Event, name).is_(None) if value is None else getattr(Event, name) == value
        for name, value in fields.items()
    ]
    resent = db.session.scalars(sa.select(Event).where(Event.year_id == year.id, *same)).first()
    if resent is not None:
        return resent
    event = Event(year=year, **fields)
    db.session.add(event)
    db.session.flush()
    audit.record(proposer, "budget_event.proposed", event, {"year": year.id, "cost": cost})
    return event


def check_event(
    event: BudgetYear | Event,
    *,
    by,
    verdict: Feasibility,
    approved_cost: int | None = None,
    note: str | None = None,
    now: datetime | None = None,
) -> Event:
    """The coordinator's feasibility check: feasible, feasible with an adjusted cost, or not feasible."""
    year = event.year
    if year.phase(now) not in (Phase.proposing, Phase.feasibility) or event.mid_year:
        raise BudgetError(_l("The feasibility check is over: voting has started."), "verdict")
    verdict = Feasibility(verdict)
    note = (note or "").strip()
    if verdict == Feasibility.pending:
        raise BudgetError(_l("Choose feasible, feasible with another cost, or not feasible."), "verdict")
    if verdict == Feasibility.adjusted:
        approved_cost = _check_cost(year, approved_cost, "approved_cost")
        if not note:
            raise BudgetError(_l("Tell the proposer why the cost is different."), "note")
    else:
        approved_cost = None
    if verdict == Feasibility.not_feasible and not note:
        raise BudgetError(_l("Tell the proposer why the event is not feasible."), "note")
    event.feasibility = verdict
    event.approved_cost = approved_cost
    event.feasibility_note = note[:NOTE_MAX] or None
    event.checked_at = utcnow()
    db.session.flush()
    audit.record(by, "budget_event.checked", event, {"verdict": str(verdict), "approved_cost": approved_cost})
    notices.event_checked(event, verdict, by)
    return event
