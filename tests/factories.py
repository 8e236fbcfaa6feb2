"""Builders for test data. They use the services where a rule matters, and set fields directly where it does not."""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from youthcouncil.accounts.models import AccountType, User
from youthcouncil.extensions import db
from youthcouncil.i18n import OSLO
from youthcouncil.membership.models import Membership, Municipality, Office, School, Seat, Term
from youthcouncil.membership.services import today_in_oslo

PASSPHRASE = "blue bike pizza"
_counter = itertools.count(1)


@functools.cache
def passphrase_hash() -> str:
    from youthcouncil.accounts.passphrases import hash_passphrase

    return hash_passphrase(PASSPHRASE)


def make_municipality(name: str = "Testvik kommune") -> Municipality:
    municipality = Municipality(name=name)
    db.session.add(municipality)
    return municipality


def make_school(
    municipality: Municipality | None = None, name: str | None = None, seats: int = 3, deputy_seats: int = 1
) -> School:
    municipality = municipality or _the_municipality()
    school = School(
        municipality=municipality, name=name or f"Skole {next(_counter)}", seats=seats, deputy_seats=deputy_seats
    )
    db.session.add(school)
    return school


def _the_municipality() -> Municipality:
    import sqlalchemy as sa

    found = db.session.scalars(sa.select(Municipality).limit(1)).first()
    return found or make_municipality()


def make_term(
    municipality: Municipality | None = None,
    starts_on: date | None = None,
    ends_on: date | None = None,
    name: str | None = None,
    nomination_deadline: datetime | None = None,
) -> Term:
    today = today_in_oslo()
    starts_on = starts_on or today - timedelta(days=30)
    ends_on = ends_on or starts_on + timedelta(days=700)
    term = Term(
        municipality=municipality or _the_municipality(),
        name=name or f"{starts_on.year}–{ends_on.year}",
        starts_on=starts_on,
        ends_on=ends_on,
        nomination_deadline=nomination_deadline or datetime.combine(starts_on - timedelta(days=7), time(23, 59), OSLO),
    )
    db.session.add(term)
    return term


def make_user(
    account_type: AccountType | str = AccountType.member,
    *,
    first_name: str | None = None,
    last_name: str = "Testesen",
    username: str | None = None,
    school: School | None = None,
    activated: bool = True,
    email: str | None = None,
) -> User:
    account_type = AccountType(account_type)
    n = next(_counter)
    user = User(
        username=username or f"{account_type.value.replace('_', '')}{n}",
        account_type=account_type,
        first_name=first_name or f"Navn{n}",
        last_name=last_name,
        school=school if account_type == AccountType.school_rep else None,
        passphrase_hash=passphrase_hash() if activated else None,
        email=email,
    )
    db.session.add(user)
    return user


def make_member(
    term: Term,
    school: School,
    *,
    office: Office = Office.none,
    seat: Seat = Seat.member,
    **user_fields,
) -> User:
    user = make_user(AccountType.member, **user_fields)
    db.session.add(Membership(term=term, user=user, school=school, seat=seat, office=office))
    db.session.flush()
    return user


@dataclass
class World:
    municipality: Municipality
    schools: list[School]
    term: Term
    users: dict[str, User]
    members: list[User] = field(default_factory=list)

    @property
    def chair(self) -> User:
        return self.users["chair"]

    @property
    def coordinator(self) -> User:
        return self.users["coordinator"]

    @property
    def clerk(self) -> User:
        return self.users["clerk"]


def make_world(extra_members: int = 2) -> World:
    municipality = make_municipality()
    schools = [make_school(municipality, name="Bakken skole"), make_school(municipality, name="Fjorden skole")]
    term = make_term(municipality)
    db.session.flush()
    users = {
        "member": make_member(term, schools[0], first_name="Mia", username="mia"),
        "chair": make_member(term, schools[1], first_name="Leo", username="leo", office=Office.chair),
        "school_rep": make_user(AccountType.school_rep, first_name="Rita", username="rita", school=schools[0]),
        "clerk": make_user(AccountType.clerk, first_name="Kari", username="kari"),
        "coordinator": make_user(AccountType.coordinator, first_name="Hanne", username="hanne"),
    }
    members = [users["member"], users["chair"]]
    for i in range(extra_members):
        members.append(make_member(term, schools[i % 2], first_name=f"Ekstra{i}"))
    db.session.flush()
    return World(municipality=municipality, schools=schools, term=term, users=users, members=members)
