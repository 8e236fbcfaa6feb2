"""Who is told what about the budget: in-app notifications (and e-mail for adults) through the notifications domain."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from youthcouncil.accounts.models import User
from youthcouncil.budget.models import BudgetYear, Event, Feasibility
from youthcouncil.extensions import db
from youthcouncil.i18n import N_, oslo_minute
from youthcouncil.links import site_path
from youthcouncil.notifications.services import notify, vote_over


def _users(ids: Iterable[int]) -> list[User]:
    ids = list(ids)
    if not ids:
        return []
    return list(db.session.scalars(sa.select(User).where(User.id.in_(ids))))


def _notify(users, *, kind, message, params, endpoint, dedupe_key) -> int:
    users = [user for user in users if user is not None]
    if not users:
        return 0
    link = site_path(endpoint[0], **endpoint[1])
    notify(users, kind=kind, message=message, params=params, link=link, dedupe_key=dedupe_key)
    return len(users)


def event_checked(event: Event, verdict: Feasibility, by) -> None:
    """The proposer learns that the coordinator has checked their event (not when they checked it themselves)."""
    _notify(
        [event.proposer] if event.proposer is not None and event.proposer_id != getattr(by, "id", None) else [],
        kind="budget.checked",
        message=N_("Your event “%(title)s” has been checked."),
        params={"title": event.title},
        endpoint=("budget.event_detail", {"event_id": event.id}),
        dedupe_key=f"budget-checked:{event.id}:{verdict}",
    )


def outcome_decided(year: BudgetYear, voter_ids: Iterable[int]) -> None:
    _notify(
        _users(voter_ids),
        kind="budget.decided",
        message=N_("The events budget %(name)s is decided. See which events got money."),
        params={"name": year.name},
        endpoint=("budget.year_result", {"year_id": year.id}),
        dedupe_key=f"budget-decided:{year.id}",
    )


def voting_closed(year: BudgetYear) -> None:
    """The budget vote is closed: the reminders to submit no longer call to action."""
    vote_over(
        kind="budget.draft_unsubmitted",
        link=site_path("budget.vote", year_id=year.id),
        message=N_("The budget vote “%(name)s” is closed."),
        params={"name": year.name},
    )


def draft_unsubmitted(year: BudgetYear, user_id: int, *, last_day: bool) -> int:
    return _notify(
        _users([user_id]),
        kind="budget.draft_unsubmitted",
        message=N_("Your budget vote is not submitted yet. Press “Submit my vote” before %(end)s."),
        params={"end": oslo_minute(year.voting_ends)},
        endpoint=("budget.vote", {"year_id": year.id}),
        dedupe_key=f"budget-draft:{year.id}:{user_id}:{'last' if last_day else 'first'}",
    )
