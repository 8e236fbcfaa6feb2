"""The secret knapsack vote: drafts and submitted ballots, sealed in the secret-ballot module while voting is open
(found again only through the member's keyed link), unsealed in a random order at the close; and the reminder about
a draft that was never submitted."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

import sqlalchemy as sa

from youthcouncil import secret_ballot
from youthcouncil.budget import notices
from youthcouncil.budget.models import BallotChoice, BudgetBallot, BudgetYear, Phase
from youthcouncil.budget.money import kroner
from youthcouncil.budget.services import BudgetError, ballot_events
from youthcouncil.db import utcnow
from youthcouncil.extensions import db
from youthcouncil.i18n import lazy_gettext as _l
from youthcouncil.membership.services import (
    count_voting_members,
    current_term,
    is_voting_member,
    voting_members_query,
)
from youthcouncil.notifications import signals as notification_signals

#: The budget vote's ballots and drafts in the secret-ballot module (see youthcouncil/secret_ballot.py).
PURPOSE = "budget"


def is_eligible_voter(user) -> bool:
    return is_voting_member(user, current_term())


def eligible_count() -> int:
    term = current_term()
    return 0 if term is None else count_voting_members(term)


def voting_member_ids() -> list[int]:
    """Everyone who votes in the current term (to tell them the outcome)."""
    term = current_term()
    return [] if term is None else list(db.session.scalars(voting_members_query(term)))


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
    available = year.total - year.granted_total
    # Going down the ballot as the member sees it: the first ticked event that no longer fits is the one named.
    spent = 0
    for event in by_id.values():
        if event.id not in chosen:
            continue
        if spent + event.cost > available:
            raise BudgetError(
                _l(
                    "%(event)s costs %(cost)s, you have %(left)s left. Untick something first.",
                    event=event.title,
                    cost=kroner(event.cost),
                    left=kroner(available - spent),
                )
            )
        spent += event.cost
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


def draft_of(year: BudgetYear, user) -> secret_ballot.Draft | None:
    """The member's unsubmitted ticks (sealed like a ballot; only they can read them while voting is open)."""
    if year.closed_at is not None:
        return None
    return secret_ballot.own_draft(PURPOSE, year.id, user.id)


def submitted_choices_of(year: BudgetYear, user) -> list[int] | None:
    """The user's own submitted ticks, found through their keyed link (only while voting is open)."""
    if year.closed_at is not None:
        return None
    return secret_ballot.own_ballot(PURPOSE, year.id, user.id)


def draft_and_voted(year: BudgetYear, user) -> tuple[secret_ballot.Draft | None, bool]:
    """``draft_of`` and ``has_voted`` in one look (the home panel)."""
    if year.closed_at is not None:
        return None, False
    ballot, draft = secret_ballot.own_ballot_and_draft(PURPOSE, year.id, user.id)
    return draft, ballot is not None


def has_voted(year: BudgetYear, user) -> bool:
    return year.closed_at is None and secret_ballot.has_voted(PURPOSE, year.id, user.id)


def my_selection(year: BudgetYear, user) -> tuple[list[int], str | None]:
    """What the member sees ticked: their draft, else their submitted ballot. Second item: "draft", "ballot" or None."""
    draft = draft_of(year, user)
    if draft is not None:
        return sorted(int(i) for i in draft.choices), "draft"
    ballot = submitted_choices_of(year, user)
    if ballot is not None:
        return sorted(ballot), "ballot"
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


def _sealed(write):
    """Run a write to the ballot box, with its refusals as the budget's own errors."""
    try:
        return write()
    except secret_ballot.VoteClosedError:
        raise BudgetError(_l("Voting is closed. Your ticks were not saved.")) from None
    except secret_ballot.VoteKeyError:
        raise
    except secret_ballot.SecretBallotError as error:
        raise BudgetError(str(error)) from None


def save_draft(year: BudgetYear, user, event_ids: Iterable, now: datetime | None = None) -> list[int]:
    """Keep the member's ticks without counting them. Nothing else is written in this transaction."""
    year = _lock_year_for_vote(year)
    _check_can_vote(year, user, now)
    chosen = _validate_selection(year, event_ids)
    _sealed(lambda: secret_ballot.save_draft(PURPOSE, year.id, user.id, chosen, now=now))
    return chosen


def submit_ballot(
    year: BudgetYear, user, event_ids: Iterable, idempotency_key: str | None = None, now: datetime | None = None
) -> bool:
    """Count the member's ballot (replacing an earlier one, dropping the draft). False when this exact submit (the
    same form key) was already counted.

    Nothing else is written in this transaction: no voter list, no time, no audit entry (a row naming the member
    written beside the ballot would name its voter).
    """
    year = _lock_year_for_vote(year)
    _check_can_vote(year, user, now)
    chosen = _validate_selection(year, event_ids)
    key = (idempotency_key or "").strip()[:64] or None
    outcome = _sealed(lambda: secret_ballot.cast(PURPOSE, year.id, user.id, chosen, idempotency_key=key))
    return outcome is secret_ballot.CastResult.stored


def count_voters(year: BudgetYear) -> int:
    """Members who have submitted a ballot: while voting is open, the number of keyed links; then the count."""
    if year.closed_at is None:
        return secret_ballot.turnout(PURPOSE, year.id)
    return db.session.scalar(sa.select(sa.func.count()).where(BudgetBallot.year_id == year.id)) or 0


def ballots_for_count(year: BudgetYear) -> list[list[str]]:
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


def unseal_ballots(year: BudgetYear) -> int:
    """At the close: every submitted ballot, out of the box in a random order, as an anonymous ``BudgetBallot``
    (random id, no voter, no time); drafts are dropped. The vote key is destroyed once the close commits.
    Returns how many ballots there were."""
    choices = secret_ballot.close(PURPOSE, year.id)
    for event_ids in choices:
        ballot = BudgetBallot(year_id=year.id)
        ballot.choices = [BallotChoice(event_id=event_id) for event_id in event_ids]
        db.session.add(ballot)
    db.session.flush()
    return len(choices)


# --- Reminders -------------------------------------------------------------------------------------------------------


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
    term = current_term()
    for year in years:
        if term is None:
            break
        last_day = year.voting_ends - now <= timedelta(days=1)
        # Only the server, holding the vote key, can tell whose draft is whose: it asks for each voting member.
        members = db.session.scalars(voting_members_query(term)).all()
        for user_id, draft in secret_ballot.drafts(PURPOSE, year.id, members).items():
            if now - draft.saved_at < timedelta(hours=1) and not last_day:
                continue
            sent += notices.draft_unsubmitted(year, user_id, last_day=last_day)
    return sent


@notification_signals.due_now.connect
def _remind_of_drafts(sender, *, now, **kwargs) -> None:
    remind_unsubmitted(now)
