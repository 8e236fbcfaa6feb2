"""Demo data for `make run`: a municipality, five schools, a current term and accounts for every role.

Each domain adds its own demo data through its services in ``youthcouncil/<domain>/demo.py`` (a function
``seed(demo: DemoData)``), called in the order of ``DOMAINS``.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from youthcouncil import installed_domains
from youthcouncil.accounts import services as accounts
from youthcouncil.accounts.models import AccountType, User
from youthcouncil.extensions import db
from youthcouncil.i18n import OSLO
from youthcouncil.membership.models import Membership, Municipality, Office, School, Term

#: Only for the demo accounts on a developer's machine; real accounts choose their own passphrase.
DEMO_PASSPHRASE = "demo-passord-2026"

SCHOOLS = ("Bakkehaugen skole", "Fjordvik ungdomsskole", "Lindeli skole", "Nordre Åsen skole", "Sjøsiden skole")

MEMBER_NAMES = (
    ("Ingrid", "Haugen"), ("Jakob", "Berg"), ("Nora", "Johansen"), ("Emil", "Larsen"), ("Sofie", "Nilsen"),
    ("Filip", "Kristiansen"), ("Emma", "Pedersen"), ("Oskar", "Andersen"), ("Ella", "Hansen"), ("Lukas", "Olsen"),
    ("Maja", "Eriksen"), ("Aksel", "Dahl"), ("Leah", "Solberg"), ("Noah", "Bakken"), ("Frida", "Strand"),
    ("Isak", "Moen"), ("Sara", "Lie"), ("Henrik", "Lund"), ("Thea", "Holm"), ("Mathias", "Ruud"),
    ("Hedda", "Aas"), ("Magnus", "Sæther"), ("Ida", "Brekke"), ("Sander", "Vik"), ("Selma", "Myhre"),
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
    schools = [School(municipality=municipality, name=name, seats=5, deputy_seats=2) for name in SCHOOLS]
    db.session.add_all(schools)
    term_start = date(today.year if today.month >= 8 else today.year - 1, 8, 15)
    term = Term(
        municipality=municipality,
        name=f"{term_start.year}–{term_start.year + 2}",
        starts_on=term_start,
        ends_on=term_start + timedelta(days=2 * 365 - 1),
        nomination_deadline=datetime.combine(term_start - timedelta(days=14), time(23, 59), OSLO),
    )
    db.session.add(term)
    db.session.flush()

    coordinator = _account(AccountType.coordinator, *COORDINATOR_NAME, "koordinator")
    clerks = [_account(AccountType.clerk, *name, f"saksbehandler{i + 1}") for i, name in enumerate(CLERK_NAMES)]
    reps = [
        _account(AccountType.school_rep, *name, f"elevrad{i + 1}", school=schools[i]) for i, name in enumerate(REP_NAMES)
    ]
    members = []
    for i, (first, last) in enumerate(MEMBER_NAMES):
        user = _account(AccountType.member, first, last, f"medlem{i + 1:02d}")
        db.session.add(Membership(term=term, user=user, school=schools[i % len(schools)]))
        members.append(user)
    db.session.flush()
    memberships = {m.user_id: m for m in db.session.scalars(sa.select(Membership).where(Membership.term_id == term.id))}
    memberships[members[0].id].office = Office.chair
    memberships[members[1].id].office = Office.vice_chair
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


def seed_demo(today: date | None = None) -> list[tuple[str, str]]:
    demo = seed_core(today)
    for name in installed_domains():
        try:
            module = importlib.import_module(f"youthcouncil.{name}.demo")
        except ModuleNotFoundError:
            continue
        module.seed(demo)
        db.session.flush()
    return demo.logins


def demo_logins() -> list[tuple[str, str]]:
    wanted = ["koordinator", "saksbehandler1", "saksbehandler2", "elevrad1", "medlem01", "medlem02", "medlem03"]
    found = {u.username: u for u in db.session.scalars(sa.select(User).where(User.username.in_(wanted)))}
    labels = ["coordinator", "clerk", "clerk", "school rep", "chair", "vice chair", "member"]
    return [(label, name) for label, name in zip(labels, wanted, strict=True) if name in found]
