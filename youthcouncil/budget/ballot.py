"""The secret knapsack vote: drafts, submitted ballots linked to their voter only by a keyed hash until the close,
the voter list, and the reminder about a draft that was never submitted."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from youthcouncil import audit
from youthcouncil.budget import notices
from youthcouncil.budget.models import BallotChoice, BudgetBallot, BudgetDraft, BudgetVoter, BudgetYear, Phase
from youthcouncil.budget.money import kroner
from youthcouncil.budget.services import BudgetError, ballot_events
from youthcouncil.db import utcnow
from youthcouncil.extensions import db
from youthcouncil.membership.models import Membership
from youthcouncil.membership.services import current_term, voting_members_query
from youthcouncil.notifications import signals as notification_signals


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


def rewrite_ballots_without_links(year: BudgetYear) -> None:
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
    for year in years:
        last_day = year.voting_ends - now <= timedelta(days=1)
        for draft in unsubmitted_drafts(year):
            if now - draft.updated_at < timedelta(hours=1) and not last_day:
                continue
            sent += notices.draft_unsubmitted(year, draft.user_id, last_day=last_day)
    return sent


@notification_signals.due_now.connect
def _remind_of_drafts(sender, *, now, **kwargs) -> None:
    remind_unsubmitted(now)
