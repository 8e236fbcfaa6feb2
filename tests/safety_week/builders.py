"""Builders for safety-week rounds in each phase, made through the services."""

from __future__ import annotations

import itertools
import uuid
from datetime import timedelta

from youthcouncil.db import utcnow
from youthcouncil.extensions import db
from youthcouncil.safety_week import services
from youthcouncil.safety_week.models import Method, Proposal, ProposalStatus, ThemeRound

#: Round years are unique; the tables are emptied after each test, so the years may come round again (the fuzz
#: tests make rounds in every test).
_years = itertools.cycle(range(2100, 1900, -1))
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def dates_for(phase: str, now=None) -> services.RoundDates:
    """Dates that put a round in ``phase`` now."""
    now = now or utcnow()
    offsets = {
        "upcoming": (1, 2, 3, 4),
        "proposing": (-1, 2, 3, 4),
        "review": (-3, -2, 3, 4),
        "voting": (-4, -3, -2, 3),
        "counting": (-5, -4, -3, -1),
    }[phase]
    a, b, c, d = (now + n * DAY for n in offsets)
    return services.RoundDates(a, b, c, d)


def make_round(world, phase: str = "proposing", method: Method = Method.irv, year: int | None = None) -> ThemeRound:
    round_ = services.create_round(
        year=year or next(_years),
        title="Trygghetsuka test",
        dates=dates_for("proposing"),
        method=method,
        by=world.coordinator,
        term=world.term,
    )
    db.session.flush()
    return round_


def add_proposal(round_: ThemeRound, user, title: str, why: str = "", status: ProposalStatus | None = None) -> Proposal:
    proposal = services.propose(round_, user, title=title, why=why)
    if status == ProposalStatus.kept:
        services.keep_proposal(proposal)
    elif status == ProposalStatus.declined:
        services.decline_proposal(proposal, "Takk! Dette passer bedre en annen gang.")
    return proposal


def move_to(round_: ThemeRound, phase: str) -> ThemeRound:
    """Put a round into ``phase`` by setting its dates (as the clock would)."""
    dates = dates_for(phase)
    for name, value in vars(dates).items():
        setattr(round_, name, value)
    db.session.flush()
    return round_


def voting_round(world, method: Method = Method.irv, titles=("Trygg på nett", "Trygg i trafikken", "Ingen mobbing")):
    """A round in the voting phase with three kept themes proposed by the world's members."""
    round_ = make_round(world, method=method)
    themes = [
        add_proposal(round_, world.members[i % len(world.members)], title, status=ProposalStatus.kept)
        for i, title in enumerate(titles)
    ]
    move_to(round_, "voting")
    return round_, themes


def submit(round_, user, theme_ids, key=None, **kwargs) -> services.Receipt:
    """``services.submit_ballot`` as a request calls it: in a transaction of its own (the secret-ballot module
    refuses any other write in a ballot's transaction). On an error the transaction is rolled back."""
    db.session.commit()
    try:
        receipt = services.submit_ballot(round_, user, list(theme_ids), key or str(uuid.uuid4()), **kwargs)
    except Exception:
        db.session.rollback()
        raise
    db.session.commit()
    return receipt


def vote(round_, user, *themes) -> services.Receipt:
    return submit(round_, user, [t.id for t in themes])


def closed_round(world, ballots=None, method: Method = Method.irv):
    """A counted round; ``ballots`` is a list of (user, [themes]) (default: every member votes)."""
    round_, themes = voting_round(world, method=method)
    for user, chosen in ballots if ballots is not None else [(m, themes[:2]) for m in world.members]:
        vote(round_, user, *chosen)
    move_to(round_, "counting")
    services.count_round(round_)
    db.session.flush()
    return round_, themes
