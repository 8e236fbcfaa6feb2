"""Demo data: this year's events budget open for voting, last year's decided with spending recorded."""

from __future__ import annotations

from datetime import timedelta

from youthcouncil import signals
from youthcouncil.budget.ballot import has_voted, save_draft, submit_ballot
from youthcouncil.budget.ledger import record_spending, request_grant
from youthcouncil.budget.models import Feasibility, Phase, Rule
from youthcouncil.budget.outcome import close_voting, confirm_outcome
from youthcouncil.budget.services import check_event, create_year, current_year, propose_event
from youthcouncil.db import utcnow
from youthcouncil.extensions import db

THIS_YEAR = (
    ("Kinokveld for 5.–7. trinn", "Vi leier kinosalen en fredag og viser en film alle stemmer over.", 18_000, 11),
    ("Skatedag i parken", "Instruktører lærer bort triks. Utstyr til låns for de som ikke har.", 25_000, 5),
    ("Sommeravslutning på stranda", "Grilling, musikk og bading for alle ungdomsskoleelever.", 40_000, 6),
    ("Gaming-turnering på biblioteket", "En lørdag med turnering og pizza. Påmelding for lag på to.", 12_000, 2),
    ("Klatrekurs", "Nybegynnerkurs i klatrehallen for 20 ungdommer.", 30_000, 3),
    ("Tur til Oslo", "Besøk på Stortinget for hele ungdomsrådet.", 95_000, 4),
)
LAST_YEAR = (
    ("Halloweenfest", "Fest i ungdomshuset med kostymekonkurranse.", 15_000, 10),
    ("Fotballturnering", "Turnering for alle skolene, med premier.", 20_000, 9),
    ("Konsert med lokale band", "Tre band fra kommunen spiller i kulturhuset.", 35_000, 4),
    ("Vinteraktivitetsdag", "Aking og skileik for 5.–7. trinn.", 10_000, 2),
)


def _propose(year, demo, items, when):
    events = []
    for i, (title, text, cost, month) in enumerate(items):
        proposer = demo.members[(i * 3) % len(demo.members)]
        events.append(
            propose_event(
                year, proposer=proposer, title=title, description=text, estimated_cost=cost, month=month, now=when
            )
        )
    return events


@signals.seed_demo.connect
def seed(demo, **kwargs) -> None:
    now = utcnow()
    coordinator = demo.coordinator

    # Last year: decided, grants confirmed, spending recorded.
    start = now - timedelta(days=365)
    last = create_year(
        name=f"Budsjett {start.year}",
        total=90_000,
        proposing_starts=start,
        feasibility_starts=start + timedelta(days=14),
        voting_starts=start + timedelta(days=21),
        voting_ends=start + timedelta(days=28),
        decided_by=(start + timedelta(days=35)).date(),
        rule=Rule.greedy,
        created_by=coordinator,
    )
    events = _propose(last, demo, LAST_YEAR, start + timedelta(days=1))
    for event in events:
        check_event(event, by=coordinator, verdict=Feasibility.feasible, now=start + timedelta(days=15))
    voting = start + timedelta(days=22)
    for i, member in enumerate(demo.members[:18]):
        picks = [events[i % 4].id, events[(i + 1) % 4].id] if i % 3 else [events[2].id, events[1].id]
        db.session.commit()  # a secret ballot is stored in a transaction of its own
        submit_ballot(last, member, picks, now=voting)
        db.session.commit()
    close_voting(last, by=coordinator, now=start + timedelta(days=29))
    grants = confirm_outcome(last, by=demo.chair)
    for n, grant in enumerate(grants):
        record_spending(
            grant,
            amount=grant.amount - 1_500 * (n + 1) if grant.amount > 1_500 * (n + 1) else grant.amount,
            spent_on=(start + timedelta(days=60 + 20 * n)).date(),
            what_for="Leie av lokale, mat og utstyr",
            by=coordinator,
        )

    # A member asks for a mid-year grant from what is left of last year's budget (the chair can put it to a vote).
    if last.remaining > 0:
        request_grant(
            last,
            proposer=demo.members[4],
            title="Vinterfest i ungdomshuset",
            description="Musikk, kakao og pepperkaker for alle før juleferien.",
            amount=min(6_000, last.remaining),
            month=12,
        )

    # This year: voting is open; some have voted, one has a draft that is not submitted.
    start = now - timedelta(days=20)
    this = create_year(
        name=f"Budsjett {now.year}",
        total=100_000,
        proposing_starts=start,
        feasibility_starts=start + timedelta(days=10),
        voting_starts=now - timedelta(days=2),
        voting_ends=now + timedelta(days=7),
        decided_by=(now + timedelta(days=14)).date(),
        rule=Rule.mes,
        created_by=coordinator,
    )
    events = _propose(this, demo, THIS_YEAR, start + timedelta(days=1))
    check = start + timedelta(days=11)
    check_event(events[0], by=coordinator, verdict=Feasibility.feasible, now=check)
    check_event(
        events[1],
        by=coordinator,
        verdict=Feasibility.adjusted,
        approved_cost=28_000,
        note="Instruktørene koster litt mer enn vi trodde.",
        now=check,
    )
    check_event(events[2], by=coordinator, verdict=Feasibility.feasible, now=check)
    check_event(events[3], by=coordinator, verdict=Feasibility.feasible, now=check)
    check_event(events[4], by=coordinator, verdict=Feasibility.feasible, now=check)
    check_event(
        events[5],
        by=coordinator,
        verdict=Feasibility.not_feasible,
        note="Turen tar nesten hele budsjettet, og vi får ikke plass på Stortinget i april.",
        now=check,
    )
    feasible = events[:5]
    for i, member in enumerate(demo.members[3:12]):
        picks = [feasible[i % 5].id, feasible[(i + 2) % 5].id]
        db.session.commit()  # a secret ballot (and a draft) is stored in a transaction of its own
        submit_ballot(this, member, picks)
        db.session.commit()
    save_draft(this, demo.members[2], [feasible[0].id, feasible[3].id])
    db.session.commit()


@signals.demo_not_voted.connect
def not_voted(sender, **kwargs) -> tuple[str, list]:
    """The budget vote open now, and the demo members who have not submitted a ballot in it."""
    year = current_year()
    if year is None or year.phase() != Phase.voting:
        return ("", [])
    return (year.name, [member for member in sender if not has_voted(year, member)])
