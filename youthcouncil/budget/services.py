"""Every write and every rule of the event budget. Views, the CLI, reminders and tests call these."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from youthcouncil import audit
from youthcouncil.budget.models import (
    BallotChoice,
    BudgetBallot,
    BudgetDraft,
    BudgetVoter,
    BudgetYear,
    Event,
    Feasibility,
    Grant,
    GrantRequest,
    GrantSource,
    Phase,
    RequestStatus,
    Rule,
    Spending,
)
from youthcouncil.db import utcnow
from youthcouncil.extensions import db
from youthcouncil.membership.models import Membership
from youthcouncil.membership.services import current_term, voting_members_query
from youthcouncil.voting import pb

#: Longest texts we accept (the columns' sizes).
TITLE_MAX = 120
NOTE_MAX = 2000


class BudgetError(Exception):
    """A rule said no. Carries a translated message and the form field it belongs to."""

    def __init__(self, message, field: str | None = None):
        super().__init__(message)
        self._message = message  # often a lazy string: translated when shown, in the reader's language
        self.field = field

    def __str__(self) -> str:
        return str(self._message)


def _number_locale() -> str:
    from flask_babel import get_locale

    try:
        return str(get_locale() or "nb")
    except RuntimeError:  # outside an app context
        return "nb"


def kroner_parts() -> tuple[str, str]:
    """The reader's money pattern with ``{n}`` for the number, and their thousands separator (for budget.js)."""
    from babel.numbers import get_group_symbol

    return _("NOK\u00a0%(amount)s", amount="{n}"), get_group_symbol(_number_locale())


def kroner(amount: int | None) -> str:
    """'kr 42 000' in bokmål, 'NOK 42,000' in English: the pattern comes from the catalogue, grouping from CLDR."""
    if amount is None:
        return ""
    from babel.numbers import format_decimal

    sign = "−" if amount < 0 else ""
    number = format_decimal(abs(int(amount)), format="#,##0", locale=_number_locale())
    return sign + _("NOK\u00a0%(amount)s", amount=number)


# --- Queries -------------------------------------------------------------------------------------------------


def years_query() -> sa.Select:
    return sa.select(BudgetYear).order_by(BudgetYear.voting_starts.desc(), BudgetYear.id.desc())


def all_years() -> list[BudgetYear]:
    return list(db.session.scalars(years_query()))


def current_year() -> BudgetYear | None:
    """The newest year that is not imported (the one members work with now)."""
    return db.session.scalars(years_query().where(BudgetYear.imported.is_(False)).limit(1)).first()


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


# --- Budget year ---------------------------------------------------------------------------------------------


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


# --- Proposals and the feasibility check ---------------------------------------------------------------------


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
    event = Event(
        year=year,
        title=title[:TITLE_MAX],
        description=(description or "").strip(),
        estimated_cost=cost,
        month=int(month),
        proposer_id=proposer.id,
        on_behalf_of=(on_behalf_of or "").strip() or None,
    )
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
    _notify(
        [event.proposer] if event.proposer is not None and event.proposer_id != getattr(by, "id", None) else [],
        kind="budget.checked",
        message=_l("Your event “%(title)s” has been checked."),
        params={"title": event.title},
        endpoint=("budget.event_detail", {"event_id": event.id}),
        dedupe_key=f"budget-checked:{event.id}:{verdict}",
    )
    return event


# --- The secret knapsack vote --------------------------------------------------------------------------------


def voter_key(year_id: int, user_id: int) -> str:
    """The keyed hash that links a ballot to its voter while voting is open (erased at close)."""
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, f"{year_id}:{user_id}".encode(), hashlib.sha256).hexdigest()


def is_eligible_voter(user) -> bool:
    term = current_term()
    if term is None or not getattr(user, "is_authenticated", False):
        return False
    return db.session.scalar(voting_members_query(term).where(Membership.user_id == user.id)) is not None


def eligible_voter_ids() -> list[int]:
    term = current_term()
    if term is None:
        return []
    return list(db.session.scalars(voting_members_query(term)))


def _validate_selection(year: BudgetYear, event_ids: Iterable) -> list[int]:
    """Turn posted ids into a checked selection: only events on the ballot, never more than the budget."""
    by_id = {event.id: event for event in ballot_events(year)}
    chosen: list[int] = []
    for raw in event_ids:
        try:
            event_id = int(str(raw).strip())
        except ValueError:
            raise BudgetError(
                _l("One of the ticked events is not on the ballot. Reload the page and try again.")
            ) from None
        if event_id not in by_id:
            raise BudgetError(_l("One of the ticked events is not on the ballot. Reload the page and try again."))
        if event_id not in chosen:
            chosen.append(event_id)
    cost = sum(by_id[event_id].cost for event_id in chosen)
    available = year.total - year.granted_total
    if cost > available:
        raise BudgetError(
            _l(
                "Your ticks cost %(cost)s, but the budget is %(total)s. Untick something first.",
                cost=kroner(cost),
                total=kroner(available),
            )
        )
    return sorted(chosen)


def selection_cost(year: BudgetYear, event_ids: Iterable[int]) -> int:
    by_id = {event.id: event for event in ballot_events(year)}
    return sum(by_id[event_id].cost for event_id in event_ids if event_id in by_id)


def _check_can_vote(year: BudgetYear, user, now: datetime | None = None) -> None:
    phase = year.phase(now)
    if phase in (Phase.upcoming, Phase.proposing, Phase.feasibility):
        raise BudgetError(_l("Voting has not started yet."))
    if phase != Phase.voting:
        raise BudgetError(_l("Voting is closed. Your ticks were not saved."))
    if not is_eligible_voter(user):
        raise BudgetError(_l("Only council members with a full seat can vote."))


def draft_of(year: BudgetYear, user) -> BudgetDraft | None:
    return db.session.scalars(
        sa.select(BudgetDraft).where(BudgetDraft.year_id == year.id, BudgetDraft.user_id == user.id)
    ).first()


def submitted_ballot_of(year: BudgetYear, user) -> BudgetBallot | None:
    """The user's own submitted ballot, found by the keyed hash (only while voting is open)."""
    if year.closed_at is not None:
        return None
    return db.session.scalars(
        sa.select(BudgetBallot).where(
            BudgetBallot.year_id == year.id, BudgetBallot.voter_key == voter_key(year.id, user.id)
        )
    ).first()


def has_voted(year: BudgetYear, user) -> bool:
    return (
        db.session.scalar(
            sa.select(BudgetVoter.id).where(BudgetVoter.year_id == year.id, BudgetVoter.user_id == user.id)
        )
        is not None
    )


def my_selection(year: BudgetYear, user) -> tuple[list[int], str | None]:
    """What the member sees ticked: their draft, else their submitted ballot. Second item: "draft", "ballot" or None."""
    draft = draft_of(year, user)
    if draft is not None:
        return sorted(int(i) for i in draft.event_ids), "draft"
    ballot = submitted_ballot_of(year, user)
    if ballot is not None:
        return sorted(choice.event_id for choice in ballot.choices), "ballot"
    return [], None


def _lock_year_for_vote(year: BudgetYear) -> BudgetYear:
    """Read the year again, share-locked on PostgreSQL, so a close (an UPDATE of this row) waits for ballots being
    written, and a ballot written after the close sees closed_at and is refused."""
    return db.session.scalars(
        sa.select(BudgetYear)
        .where(BudgetYear.id == year.id)
        .with_for_update(read=True)
        .execution_options(populate_existing=True)
    ).one()


#: Shown when the same member's two submits collided in the database and the retry collided again.
SENT_TWICE = _l("Your vote was sent twice at the same moment. Reload the page and check your ticks.")


def save_draft(year: BudgetYear, user, event_ids: Iterable, now: datetime | None = None) -> BudgetDraft:
    year = _lock_year_for_vote(year)
    _check_can_vote(year, user, now)
    chosen = _validate_selection(year, event_ids)
    for attempt in range(2):
        draft = draft_of(year, user)
        try:
            with db.session.begin_nested():
                if draft is None:
                    draft = BudgetDraft(year_id=year.id, user_id=user.id, event_ids=chosen)
                    db.session.add(draft)
                else:
                    draft.event_ids = chosen
                    draft.updated_at = utcnow()
                db.session.flush()
            return draft
        except sa.exc.IntegrityError:
            # The same member saved from two tabs at once: the other draft row exists now; update it instead.
            if attempt:
                raise BudgetError(SENT_TWICE) from None
    raise AssertionError("unreachable")  # pragma: no cover


def submit_ballot(
    year: BudgetYear, user, event_ids: Iterable, idempotency_key: str | None = None, now: datetime | None = None
) -> bool:
    """Count the member's ballot (replacing an earlier one). False when this exact submit was already counted.

    Two submits of the same member at the same moment end as one voter-list row and one ballot: the unique
    constraints refuse the second insert, and the loser retries once as a replacement of the winner's ballot.
    """
    year = _lock_year_for_vote(year)
    _check_can_vote(year, user, now)
    chosen = _validate_selection(year, event_ids)
    key = (idempotency_key or "").strip()[:64] or None
    for attempt in range(2):
        try:
            with db.session.begin_nested():
                counted = _write_ballot(year, user, chosen, key)
            break
        except sa.exc.IntegrityError:
            if attempt:
                raise BudgetError(SENT_TWICE) from None
    if counted:
        # The audit log says that a member voted, never what they chose.
        audit.record(user, "budget_vote.submitted", year)
    return counted


def _write_ballot(year: BudgetYear, user, chosen: list[int], key: str | None) -> bool:
    voter = db.session.scalars(
        sa.select(BudgetVoter)
        .where(BudgetVoter.year_id == year.id, BudgetVoter.user_id == user.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if voter is not None and key is not None and voter.last_submit_key == key:
        return False
    if voter is None:
        voter = BudgetVoter(year_id=year.id, user_id=user.id)
        db.session.add(voter)
    voter.last_submit_key = key
    hashed = voter_key(year.id, user.id)
    ballot = db.session.scalars(
        sa.select(BudgetBallot).where(BudgetBallot.year_id == year.id, BudgetBallot.voter_key == hashed)
    ).first()
    if ballot is None:
        ballot = BudgetBallot(year_id=year.id, voter_key=hashed)
        db.session.add(ballot)
    ballot.choices = [BallotChoice(event_id=event_id) for event_id in chosen]
    draft = draft_of(year, user)
    if draft is not None:
        db.session.delete(draft)
    db.session.flush()
    return True


def unsubmitted_drafts(year: BudgetYear) -> list[BudgetDraft]:
    return list(db.session.scalars(sa.select(BudgetDraft).where(BudgetDraft.year_id == year.id)))


def count_voters(year: BudgetYear) -> int:
    return (
        db.session.scalar(sa.select(sa.func.count()).select_from(BudgetVoter).where(BudgetVoter.year_id == year.id))
        or 0
    )


# --- Close and count -----------------------------------------------------------------------------------------


def _ballots_for_count(year: BudgetYear) -> list[list[str]]:
    rows = db.session.execute(
        sa.select(BallotChoice.ballot_id, BallotChoice.event_id)
        .join(BudgetBallot, BudgetBallot.id == BallotChoice.ballot_id)
        .where(BudgetBallot.year_id == year.id)
    )
    ballots: dict[int, list[str]] = {}
    for ballot_id in db.session.scalars(sa.select(BudgetBallot.id).where(BudgetBallot.year_id == year.id)):
        ballots[ballot_id] = []
    for ballot_id, event_id in rows:
        ballots[ballot_id].append(str(event_id))
    return [sorted(choice) for _, choice in sorted(ballots.items(), key=lambda pair: sorted(pair[1]))]


def compute_outcome(year: BudgetYear) -> pb.PBResult:
    """Run the year's rule on the submitted ballots (pure: changes nothing)."""
    events = ballot_events(year)
    projects = [pb.Project(str(event.id), event.cost, event.title) for event in events]
    ballots = _ballots_for_count(year)
    budget = year.total - year.granted_total
    if year.rule == Rule.greedy:
        return pb.greedy(projects, budget, pb.approval_scores(projects, ballots))
    return pb.equal_shares(projects, budget, ballots, completion="add1", comparison=year.comparison)


def _store_outcome(year: BudgetYear, result: pb.PBResult, voters: int) -> None:
    events = {str(event.id): event for event in ballot_events(year)}
    order = list(events)
    if result.rule in (pb.GREEDY, pb.GREEDY_THRESHOLD) or (result.comparison and result.comparison.greedy_used):
        # The order greedy went through them: most votes first, then cheaper, then older.
        ranked = sorted(order, key=lambda i: (-result.outcome(i).score, events[i].cost, order.index(i)))
    else:
        rest = [i for i in order if i not in result.selected]
        rest.sort(key=lambda i: (-result.outcome(i).score, events[i].cost, order.index(i)))
        ranked = list(result.selected) + rest
    for rank, project_id in enumerate(ranked, start=1):
        outcome = result.outcome(project_id)
        event = events[project_id]
        event.votes = outcome.score
        event.funded = outcome.funded
        event.outcome_reason = outcome.reason
        event.outcome_money_left = outcome.money_left
        event.outcome_rank = rank
    year.outcome = {
        "rule": result.rule,
        "budget": result.budget,
        "total_cost": result.total_cost,
        "voters": voters,
        "comparison": None
        if result.comparison is None
        else {
            "prefer_equal_shares": result.comparison.prefer_equal_shares,
            "prefer_greedy": result.comparison.prefer_greedy,
            "greedy_used": result.comparison.greedy_used,
        },
    }


def close_voting(year: BudgetYear, *, by=None, now: datetime | None = None) -> pb.PBResult:
    """Close the vote after its end: count with the chosen rule, erase the ballot links, delete drafts."""
    now = now or utcnow()
    phase = year.phase(now)
    if phase != Phase.voting_ended:
        if phase == Phase.counted or phase == Phase.decided:
            raise BudgetError(_l("Voting is already closed and counted."))
        raise BudgetError(_l("Voting can be closed only after it has ended (%(end)s).", end=_oslo(year.voting_ends)))
    claimed = db.session.execute(
        sa.update(BudgetYear)
        .where(BudgetYear.id == year.id, BudgetYear.closed_at.is_(None))
        .values(closed_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        raise BudgetError(_l("Voting is already closed and counted."))
    db.session.expire(year, ["closed_at"])
    voters = count_voters(year)
    year.closed_at = now
    result = compute_outcome(year)
    _store_outcome(year, result, voters)
    # Secrecy: nothing links a ballot to a voter any more; unsubmitted drafts are personal and go.
    _rewrite_ballots_without_links(year)
    db.session.execute(
        sa.update(BudgetVoter)
        .where(BudgetVoter.year_id == year.id)
        .values(last_submit_key=None)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        sa.delete(BudgetDraft).where(BudgetDraft.year_id == year.id).execution_options(synchronize_session=False)
    )
    db.session.flush()
    audit.record(by, "budget_year.closed", year, {"rule": result.rule, "voters": voters})
    return result


def _rewrite_ballots_without_links(year: BudgetYear) -> None:
    """Write every ballot again, in a random order with new ids and no voter link.

    Erasing the link in place is not enough: the rows' physical order (SQLite's rowid, PostgreSQL's xmin of the
    choices written with the voter-list row) would still tell who cast which ballot.
    """
    ballots = db.session.scalars(sa.select(BudgetBallot).where(BudgetBallot.year_id == year.id)).all()
    contents = [sorted(choice.event_id for choice in ballot.choices) for ballot in ballots]
    db.session.execute(
        sa.delete(BallotChoice)
        .where(BallotChoice.ballot_id.in_(sa.select(BudgetBallot.id).where(BudgetBallot.year_id == year.id)))
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        sa.delete(BudgetBallot).where(BudgetBallot.year_id == year.id).execution_options(synchronize_session=False)
    )
    for ballot in ballots:
        db.session.expunge(ballot)
    secrets.SystemRandom().shuffle(contents)
    for event_ids in contents:
        ballot = BudgetBallot(year_id=year.id, voter_key=None)
        ballot.choices = [BallotChoice(event_id=event_id) for event_id in event_ids]
        db.session.add(ballot)
    db.session.flush()


def _oslo(moment: datetime) -> str:
    """Norwegian time as 27.11.2026 18:00 (also outside a request, e.g. in the reminder run)."""
    from youthcouncil.i18n import to_oslo

    return to_oslo(moment).strftime("%d.%m.%Y %H:%M")


# --- Grants, the guarded path --------------------------------------------------------------------------------


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


def confirm_outcome(year: BudgetYear, *, by) -> list[Grant]:
    """The chair confirms the counted outcome: every funded event gets its grant."""
    if year.phase() != Phase.counted:
        raise BudgetError(_l("There is no counted outcome waiting to be confirmed."))
    claimed = db.session.execute(
        sa.update(BudgetYear)
        .where(BudgetYear.id == year.id, BudgetYear.confirmed_at.is_(None), BudgetYear.closed_at.is_not(None))
        .values(confirmed_at=utcnow(), confirmed_by_id=by.id)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        raise BudgetError(_l("The outcome is already confirmed."))
    db.session.expire(year, ["confirmed_at", "confirmed_by_id"])
    grants = [
        create_grant(year, event, event.cost, source=GrantSource.vote, by=by)
        for event in result_rows(year)
        if event.funded
    ]
    audit.record(by, "budget_year.confirmed", year, {"grants": len(grants)})
    _notify(
        [u for u in _users(eligible_voter_ids())],
        kind="budget.decided",
        message=_l("The events budget %(name)s is decided. See which events got money."),
        params={"name": year.name},
        endpoint=("budget.year_result", {"year_id": year.id}),
        dedupe_key=f"budget-decided:{year.id}",
    )
    return grants


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


# --- Mid-year grants decided by a council motion -------------------------------------------------------------


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
        from youthcouncil.motions.services import MotionError, open_motion
    except ImportError:  # pragma: no cover - the motions domain is not installed
        raise BudgetError(_l("Council motions are not available yet. Ask the coordinator.")) from None
    try:
        motion = open_motion(
            subject_type="budget_grant",
            subject_id=request.id,
            title=_("Grant %(amount)s to “%(title)s”", amount=kroner(request.amount), title=request.event.title),
            opened_by=by,
            secret=False,
        )
    except MotionError as error:
        raise BudgetError(str(error)) from None
    request.motion_id = getattr(motion, "id", None)
    request.status = RequestStatus.voting
    db.session.flush()
    audit.record(by, "budget_request.to_vote", request, {"motion": request.motion_id})
    return motion


def _is_adopted(motion, result) -> bool:
    for source in (result, motion):
        if source is None:
            continue
        if isinstance(source, dict):
            if "adopted" in source:
                return bool(source["adopted"])
            continue
        adopted = getattr(source, "adopted", None)
        if adopted is not None:
            return bool(adopted() if callable(adopted) else adopted)
        outcome = getattr(source, "outcome", None)
        if outcome is not None:
            return str(getattr(outcome, "value", outcome)) == "adopted"
    return False


def handle_motion_outcome(motion, result) -> None:
    """Called by the motion engine in the closing transaction: adopted -> grant through the guarded path."""
    request = db.session.get(GrantRequest, getattr(motion, "subject_id", None))
    if request is None or request.status != RequestStatus.voting:
        return
    request.decided_at = utcnow()
    if not _is_adopted(motion, result):
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


def motion_subject_link(motion):
    """Where a budget_grant motion links back to: the year's ledger, which lists the request."""
    request = db.session.get(GrantRequest, motion.subject_id)
    if request is None:
        return "budget.index", {}
    return "budget.ledger", {"year_id": request.year_id}


# --- Reminders and notifications -----------------------------------------------------------------------------


def _users(ids: Iterable[int]):
    from youthcouncil.accounts.models import User

    ids = list(ids)
    if not ids:
        return []
    return list(db.session.scalars(sa.select(User).where(User.id.in_(ids))))


def _notify(users, *, kind, message, params, endpoint, dedupe_key) -> int:
    """Send through the notifications domain when it is installed; otherwise nothing happens."""
    users = [user for user in users if user is not None]
    if not users:
        return 0
    try:
        from youthcouncil.notifications.services import notify
    except ImportError:
        return 0
    from flask import url_for

    try:
        link = url_for(endpoint[0], **endpoint[1])
    except RuntimeError:  # outside a request: a path without the host is fine for the in-app inbox
        with current_app.test_request_context():
            link = url_for(endpoint[0], **endpoint[1])
    notify(users, kind=kind, message=message, params=params, link=link, dedupe_key=dedupe_key)
    return len(users)


def remind_unsubmitted(now: datetime | None = None) -> int:
    """The due check: "your budget vote is not submitted yet" to every member with a draft and no submit since.

    One reminder an hour after the draft, another on the last day of voting (deduplicated by the outbox).
    """
    now = now or utcnow()
    sent = 0
    years = db.session.scalars(
        sa.select(BudgetYear).where(
            BudgetYear.closed_at.is_(None),
            BudgetYear.imported.is_(False),
            BudgetYear.voting_starts <= now,
            BudgetYear.voting_ends > now,
        )
    )
    for year in years:
        last_day = year.voting_ends - now <= timedelta(days=1)
        for draft in unsubmitted_drafts(year):
            if now - draft.updated_at < timedelta(hours=1) and not last_day:
                continue
            sent += _notify(
                _users([draft.user_id]),
                kind="budget.draft_unsubmitted",
                message=_l("Your budget vote is not submitted yet. Press “Submit my vote” before %(end)s."),
                params={"end": _oslo(year.voting_ends)},
                endpoint=("budget.vote", {"year_id": year.id}),
                dedupe_key=f"budget-draft:{year.id}:{draft.user_id}:{'last' if last_day else 'first'}",
            )
    return sent
