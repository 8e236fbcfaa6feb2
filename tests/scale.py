"""The demo data, and the same at a larger scale: for the statement-count test and the web benchmark (bench/web.py).

``seed_scaled(factor)`` makes the demo (``youthcouncil.demo``) and then ``factor - 1`` times more of everything a
page lists: schools with their members, consultations (each with its open or decided adoption vote), kept themes in
the open theme round, events in the open budget year. Everything goes through the domains' services.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from youthcouncil import signals
from youthcouncil.accounts import services as accounts
from youthcouncil.accounts.models import AccountType, User
from youthcouncil.demo import DemoData, seed_core
from youthcouncil.extensions import db


def seed_scaled(factor: int = 1) -> DemoData:
    demo = seed_core()
    signals.seed_demo.send(demo)
    db.session.commit()
    for copy in range(1, factor):
        _more_consultations(demo)  # before the members: the demo's adoption vote needs a quorum of 25
        db.session.commit()
    for copy in range(1, factor):
        _more_members(demo, copy)
        db.session.commit()
    if factor > 1:
        _more_themes(demo, factor)
        _more_events(demo, factor)
        _more_comments(demo, factor)
    db.session.commit()
    return demo


def _more_members(demo: DemoData, copy: int) -> None:
    """Five more schools with five members each (as many as the demo has)."""
    from youthcouncil.membership.models import Seat
    from youthcouncil.membership.schools import create_school
    from youthcouncil.membership.terms import add_membership

    for s in range(5):
        school = create_school(f"Skole {copy}-{s}", 5, 2)
        for m in range(5):
            user = accounts.create_account(
                account_type=AccountType.member,
                first_name=f"Medlem{copy}{s}{m}",
                last_name="Skalert",
                username=f"skalert{copy}-{s}-{m}",
            )
            add_membership(demo.term, user, school, Seat.member)
            demo.members.append(user)


def _more_consultations(demo: DemoData) -> None:
    from youthcouncil.consultations import demo as consultations_demo

    consultations_demo.seed(demo)


def _more_comments(demo: DemoData, factor: int) -> None:
    """The first consultation's discussion gets ``factor`` times its comments, replies and support."""
    from youthcouncil.consultations import services
    from youthcouncil.consultations.models import Consultation

    consultation = db.session.scalars(sa.select(Consultation).order_by(Consultation.id).limit(1)).one()
    for i in range(3 * (factor - 1)):
        first = services.add_comment(consultation, demo.members[10 + i], f"Innlegg {i}")
        services.add_comment(consultation, demo.members[11 + i], f"Svar {i}", parent=first)
        services.set_support(first, demo.members[12 + i], True)


def _more_themes(demo: DemoData, factor: int) -> None:
    """The open round gets ``factor`` times its kept themes."""
    from youthcouncil.safety_week import services

    round_ = services.voting_round_now()
    kept = services.candidates(round_)
    at = round_.proposing_opens_at + timedelta(days=1)
    review_at = round_.proposing_closes_at + timedelta(hours=2)
    for i in range(len(kept) * (factor - 1)):
        proposer = demo.members[10 + i]
        proposal = services.propose(round_, proposer, title=f"Tema {i}", why="", now=at)
        services.keep_proposal(proposal, by=demo.coordinator, now=review_at)


def _more_events(demo: DemoData, factor: int) -> None:
    """The open budget year gets ``factor`` times its events, all found feasible."""
    from youthcouncil.budget.models import BudgetYear, Feasibility
    from youthcouncil.budget.services import check_event, propose_event

    year = db.session.scalars(sa.select(BudgetYear).order_by(BudgetYear.voting_starts.desc()).limit(1)).one()
    count = len(year.events) * (factor - 1)
    at = year.proposing_starts + timedelta(days=1)
    check = year.feasibility_starts + timedelta(days=1)
    for i in range(count):
        event = propose_event(
            year,
            proposer=demo.members[i % len(demo.members)],
            title=f"Arrangement {i}",
            description="Noe fint for alle.",
            estimated_cost=5_000 + 100 * i,
            month=1 + i % 12,
            now=at,
        )
        check_event(event, by=demo.coordinator, verdict=Feasibility.feasible, now=check)


def user_named(username: str) -> User:
    return db.session.scalars(sa.select(User).where(User.username == username)).one()


#: The demo's account for each role (``youthcouncil.demo``); "anonymous" is nobody.
ROLE_USERS = {
    "anonymous": None,
    "member": "medlem03",
    "chair": "medlem01",
    "school_rep": "elevrad1",
    "clerk": "saksbehandler1",
    "coordinator": "koordinator",
}


def pages() -> dict[str, str]:
    """Every page worth counting, by name: the lists, the open round, its ballot, the open budget year, ..."""
    from youthcouncil.budget.models import BudgetYear
    from youthcouncil.consultations.models import Consultation
    from youthcouncil.safety_week import services as safety_week

    round_ = safety_week.voting_round_now()
    closed = safety_week.latest_closed_round()
    year = db.session.scalars(sa.select(BudgetYear).order_by(BudgetYear.voting_starts.desc()).limit(1)).one()
    consultation = db.session.scalars(sa.select(Consultation).order_by(Consultation.id).limit(1)).one()
    return {
        "public home": "/",
        "home": "/home",
        "account": "/account",
        "notifications": "/notifications",
        "council": "/council",
        "roster": "/membership/roster",
        "safety week": "/safety-week/",
        "theme results": "/safety-week/results",
        "round": f"/safety-week/rounds/{round_.id}",
        "ballot": f"/safety-week/rounds/{round_.id}/vote",
        "round result": f"/safety-week/rounds/{closed.id}/result",
        "consultations": "/consultations/",
        "consultation": f"/consultations/{consultation.id}",
        "archive": "/consultations/archive",
        "budget": "/budget/",
        "budget year": f"/budget/years/{year.id}",
        "budget ballot": f"/budget/years/{year.id}/vote",
        "nominations": "/membership/nominations",
        "accounts": "/accounts",
        "schools": "/membership/schools",
        "terms": "/membership/terms",
    }


class StatementCounter:
    """Counts the SQL statements sent on ``engine`` while it is entered."""

    def __init__(self, engine: sa.Engine):
        self.engine = engine
        self.count = 0
        self.statements: list[str] = []

    def _count(self, _conn, _cursor, statement, _parameters, _context, _executemany):
        self.count += 1
        self.statements.append(statement)

    def __enter__(self) -> StatementCounter:
        sa.event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc) -> None:
        sa.event.remove(self.engine, "before_cursor_execute", self._count)
