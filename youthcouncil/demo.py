"""Demo data for `make run`: a municipality, five schools, a current term and accounts for every role.

Each domain adds its own demo data through its services in ``youthcouncil/<domain>/demo.py``: a receiver of the
``seed_demo`` signal (``youthcouncil.signals``), called with the ``DemoData`` made here.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app

from youthcouncil import signals
from youthcouncil.accounts import services as accounts
from youthcouncil.accounts.models import AccountType, User
from youthcouncil.extensions import db
from youthcouncil.membership.models import Municipality, Office, School, Seat, Term
from youthcouncil.membership.nominations import (
    Candidate,
    approve_nomination,
    nominate,
    reject_nomination,
    withdraw_nomination,
)
from youthcouncil.membership.schools import create_school
from youthcouncil.membership.terms import add_membership, create_term, set_office

#: Only for the demo accounts on a developer's machine; real accounts choose their own passphrase.
DEMO_PASSPHRASE = "demo-passord-2026"

SCHOOLS = ("Bakkehaugen skole", "Fjordvik ungdomsskole", "Lindeli skole", "Nordre Åsen skole", "Sjøsiden skole")

MEMBER_NAMES = (
    ("Ingrid", "Haugen"),
    ("Jakob", "Berg"),
    ("Nora", "Johansen"),
    ("Emil", "Larsen"),
    ("Sofie", "Nilsen"),
    ("Filip", "Kristiansen"),
    ("Emma", "Pedersen"),
    ("Oskar", "Andersen"),
    ("Ella", "Hansen"),
    ("Lukas", "Olsen"),
    ("Maja", "Eriksen"),
    ("Aksel", "Dahl"),
    ("Leah", "Solberg"),
    ("Noah", "Bakken"),
    ("Frida", "Strand"),
    ("Isak", "Moen"),
    ("Sara", "Lie"),
    ("Henrik", "Lund"),
    ("Thea", "Holm"),
    ("Mathias", "Ruud"),
    ("Hedda", "Aas"),
    ("Magnus", "Sæther"),
    ("Ida", "Brekke"),
    ("Sander", "Vik"),
    ("Selma", "Myhre"),
)
REP_NAMES = (("Tuva", "Lunde"), ("Elias", "Nygård"), ("Amalie", "Fossum"), ("William", "Tangen"), ("Live", "Aune"))
CLERK_NAMES = (("Kari", "Nordmann"), ("Per", "Hovland"))
COORDINATOR_NAME = ("Hanne", "Vold")


@dataclass
class DemoData:
    """What the core demo made, for the domains to build on."""

    municipality: Municipality
    schools: list[School]
    term: Term
    previous_term: Term | None
    coordinator: User
    clerks: list[User]
    reps: list[User]
    members: list[User]
    chair: User
    vice_chair: User
    logins: list[tuple[str, str]] = field(default_factory=list)


def _account(kind: AccountType, first: str, last: str, username: str, school: School | None = None) -> User:
    user = accounts.create_account(
        account_type=kind, first_name=first, last_name=last, username=username, school=school
    )
    accounts.set_passphrase_for_demo(user, DEMO_PASSPHRASE)
    return user


def seed_core(today: date | None = None) -> DemoData:
    today = today or date.today()
    municipality = Municipality(name="Demo kommune")
    db.session.add(municipality)
    db.session.flush()
    schools = [create_school(name, 5, 2) for name in SCHOOLS]
    term_start = date(today.year if today.month >= 8 else today.year - 1, 8, 15)
    term = create_term(
        f"{term_start.year}–{term_start.year + 2}",
        term_start,
        term_start + timedelta(days=2 * 365 - 1),
        term_start - timedelta(days=14),
    )

    coordinator = _account(AccountType.coordinator, *COORDINATOR_NAME, "koordinator")
    clerks = [_account(AccountType.clerk, *name, f"saksbehandler{i + 1}") for i, name in enumerate(CLERK_NAMES)]
    reps = [
        _account(AccountType.school_rep, *name, f"elevrad{i + 1}", school=schools[i])
        for i, name in enumerate(REP_NAMES)
    ]
    members = []
    seated = []
    for i, (first, last) in enumerate(MEMBER_NAMES):
        user = _account(AccountType.member, first, last, f"medlem{i + 1:02d}")
        seated.append(add_membership(term, user, schools[i % len(schools)], Seat.member))
        members.append(user)
    set_office(seated[0], Office.chair, by=coordinator)
    set_office(seated[1], Office.vice_chair, by=coordinator)
    _seed_nominations(term, schools, reps, coordinator)
    db.session.flush()
    logins = [
        ("coordinator", coordinator.username),
        ("clerk", clerks[0].username),
        ("clerk", clerks[1].username),
        ("school rep", reps[0].username),
        ("chair", members[0].username),
        ("vice chair", members[1].username),
        ("member", members[2].username),
    ]
    return DemoData(
        municipality=municipality,
        schools=schools,
        term=term,
        previous_term=None,
        coordinator=coordinator,
        clerks=clerks,
        reps=reps,
        members=members,
        chair=members[0],
        vice_chair=members[1],
        logins=logins,
    )


#: (first name, last name, class, age on the next term's first day) of the demo candidates.
CANDIDATES = (
    ("Vilde", "Sandvik", "8A", 14),
    ("Odin", "Haug", "9B", 15),
    ("Tiril", "Eide", "7C", 12),
    ("Kasper", "Foss", "8B", 13),
    ("Mina", "Rønning", "9A", 15),
    ("Johannes", "Aasen", "10A", 16),
)


def _seed_nominations(term: Term, schools: list[School], reps: list[User], coordinator: User) -> None:
    """A next term open for nominations, with nominations in every state (through the membership services)."""
    starts_on = term.ends_on + timedelta(days=1)
    next_term = create_term(
        f"{starts_on.year}–{starts_on.year + 2}",
        starts_on,
        starts_on + timedelta(days=2 * 365 - 1),
        max(starts_on - timedelta(days=14), date.today() + timedelta(days=30)),
    )

    def nominate_candidate(i: int, school_index: int):
        first, last, grade, age = CANDIDATES[i]
        candidate = Candidate(
            first_name=first,
            last_name=last,
            grade=grade,
            birth_year=starts_on.year - age,
            birth_month=starts_on.month,
            why_me="Jeg vil at flere unge skal bli hørt.",
        )
        return nominate(next_term, schools[school_index], candidate, by=reps[school_index])

    nominate_candidate(0, 0)  # pending, under 15: a guardian must consent
    approved = nominate_candidate(1, 0)
    rejected = nominate_candidate(2, 0)
    withdrawn = nominate_candidate(3, 0)
    nominate_candidate(4, 1)  # pending
    nominate_candidate(5, 2)  # pending
    approve_nomination(approved, by=coordinator)
    reject_nomination(rejected, "Eleven går ut av skolen før valgperioden starter.", by=coordinator)
    withdraw_nomination(withdrawn, by=reps[0])


def seed_demo(today: date | None = None) -> list[tuple[str, str]]:
    demo = seed_core(today)
    signals.seed_demo.send(demo)
    db.session.flush()
    return demo.logins


def demo_logins() -> list[tuple[str, str]]:
    wanted = ["koordinator", "saksbehandler1", "saksbehandler2", "elevrad1", "medlem01", "medlem02", "medlem03"]
    found = {u.username: u for u in db.session.scalars(sa.select(User).where(User.username.in_(wanted)))}
    labels = ["coordinator", "clerk", "clerk", "school rep", "chair", "vice chair", "member"]
    return [(label, name) for label, name in zip(labels, wanted, strict=True) if name in found]


def clear_everything() -> None:
    """Empty every table (the schema and its migration stamp stay) and the folders of uploads and vote keys."""
    db.session.remove()
    with db.engine.begin() as connection:
        for table in reversed(db.metadata.sorted_tables):
            connection.execute(table.delete())
    for setting in ("UPLOAD_FOLDER", "VOTE_KEY_DIR"):
        folder = current_app.config.get(setting)
        if folder:
            shutil.rmtree(folder, ignore_errors=True)


def demo_members() -> list[User]:
    return list(db.session.scalars(sa.select(User).where(User.username.like("medlem%")).order_by(User.username)))


def not_voted() -> list[tuple[str, list[User]]]:
    """For every vote open now: its name and the demo members who have not voted in it (asked of each domain)."""
    members = demo_members()
    answers = [answer for _receiver, answer in signals.demo_not_voted.send(members)]
    return [(name, missing) for name, missing in answers if name]
