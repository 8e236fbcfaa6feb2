"""Demo data: this year's round in the voting phase (some members have voted), last year's counted round, and next
year's round already open for proposals."""

from __future__ import annotations

import uuid
from datetime import timedelta

from youthcouncil import signals
from youthcouncil.db import utcnow
from youthcouncil.extensions import db
from youthcouncil.safety_week import services
from youthcouncil.safety_week.models import Method

THIS_YEAR = (
    ("Trygg på nett", "Mange av oss blir plaget i chatter og spill. Vi vil lære hvordan vi sier fra."),
    ("Trygg i trafikken", "Det er mørkt og glatt på vei til skolen om vinteren."),
    ("Ingen skal være alene", "Alle trenger noen å være sammen med i friminuttet."),
    ("Nettvett", "Det samme som trygg på nett, bare et annet ord."),
    ("Mer godteri i kantina", "Fordi det er godt."),
)
LAST_YEAR = ("Stopp mobbing", "Trygg på bussen", "Vennskap", "Psykisk helse")
# Last year's ballots, as indexes into LAST_YEAR: a close race with a second round.
LAST_YEAR_BALLOTS = ([0, 2], [0, 3], [1, 0], [1, 2], [2, 0], [3, 2], [0], [1, 3], [2, 1], [3, 0], [0, 1], [2, 3])


def _dates(now, days):
    a, b, c, d = (now + timedelta(days=n) for n in days)
    return services.RoundDates(a, b, c, d)


@signals.seed_demo.connect
def seed(demo, **kwargs) -> None:
    now = utcnow()
    coordinator = demo.coordinator
    members = demo.members

    # Last year: counted, with a result.
    last = services.create_round(
        year=now.year - 1,
        title=f"Trygghetsuka {now.year - 1}",
        dates=_dates(now, (-380, -366, -362, -355)),
        method=Method.irv,
        by=coordinator,
        term=demo.term,
    )
    at = last.proposing_opens_at + timedelta(days=1)
    themes = [services.propose(last, members[i + 2], title=title, why="", now=at) for i, title in enumerate(LAST_YEAR)]
    for theme in themes:
        services.keep_proposal(theme, by=coordinator, now=last.proposing_closes_at + timedelta(hours=1))
    vote_at = last.voting_opens_at + timedelta(hours=3)
    for member, order in zip(members, LAST_YEAR_BALLOTS, strict=False):
        db.session.commit()  # a secret ballot is stored in a transaction of its own
        services.submit_ballot(last, member, [themes[i].id for i in order], str(uuid.uuid4()), now=vote_at)
        db.session.commit()
    services.count_round(last, by=coordinator, now=last.voting_closes_at + timedelta(minutes=5))

    # This year: voting is open; two proposals were merged, one was declined kindly.
    current = services.create_round(
        year=now.year,
        title=f"Trygghetsuka {now.year}",
        dates=_dates(now, (-14, -7, -2, 5)),
        method=Method.irv,
        by=coordinator,
        term=demo.term,
    )
    at = current.proposing_opens_at + timedelta(days=1)
    proposals = [
        services.propose(current, members[2 + i], title=title, why=why, now=at)
        for i, (title, why) in enumerate(THIS_YEAR)
    ]
    review_at = current.proposing_closes_at + timedelta(hours=2)
    for proposal in proposals[:3]:
        services.keep_proposal(proposal, by=coordinator, now=review_at)
    services.merge_proposals(proposals[3], proposals[0], by=coordinator, now=review_at)
    services.decline_proposal(
        proposals[4],
        "Takk for forslaget! Trygghetsuka handler om å ha det trygt, så dette passer ikke denne gangen.",
        by=coordinator,
        now=review_at,
    )
    kept = services.candidates(current)
    vote_at = current.voting_opens_at + timedelta(hours=5)
    for i, member in enumerate(members[2:10]):
        order = [kept[(i + k) % len(kept)].id for k in range(1 + i % len(kept))]
        db.session.commit()  # a secret ballot is stored in a transaction of its own
        services.submit_ballot(current, member, order, str(uuid.uuid4()), now=vote_at)
        db.session.commit()

    # Next year: open for proposals, with one theme proposed so far.
    upcoming = services.create_round(
        year=now.year + 1,
        title=f"Trygghetsuka {now.year + 1}",
        dates=_dates(now, (-1, 20, 25, 35)),
        method=Method.irv,
        by=coordinator,
        term=demo.term,
    )
    services.propose(
        upcoming,
        members[6],
        title="Trygg i idretten",
        why="Alle skal ha det bra på trening, også de som ikke er best.",
        now=now - timedelta(hours=6),
    )


@signals.demo_not_voted.connect
def not_voted(sender, **kwargs) -> tuple[str, list]:
    """The theme round in voting now, and the demo members who have not voted in it."""
    round_ = services.voting_round_now()
    if round_ is None:
        return ("", [])
    return (round_.title, [member for member in sender if not services.has_voted(round_, member)])
