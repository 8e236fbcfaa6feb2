"""Builders for membership tests: nominations through the services (where the rules live)."""

from __future__ import annotations

import itertools
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from youthcouncil.extensions import db
from youthcouncil.i18n import OSLO
from youthcouncil.membership.models import Nomination, Term
from youthcouncil.membership.nominations import Candidate, nominate
from youthcouncil.membership.services import today_in_oslo

_names = itertools.count(1)


def make_open_term(municipality=None, name: str | None = None):
    """The next term: starting in about two months, or the day after the last open term ends (terms never overlap),
    with its nomination deadline still ahead."""
    from tests.factories import make_term

    db.session.flush()
    last_end = db.session.scalar(sa.select(sa.func.max(Term.ends_on)).where(Term.closed_at.is_(None)))
    starts_on = today_in_oslo() + timedelta(days=60)
    if last_end is not None and last_end >= starts_on:
        starts_on = last_end + timedelta(days=1)
    return make_term(
        municipality,
        starts_on=starts_on,
        ends_on=starts_on + timedelta(days=700),
        name=name or f"Neste {next(_names)}",
        nomination_deadline=datetime.combine(today_in_oslo() + timedelta(days=30), time(23, 59), OSLO),
    )


def birth_for_age(term, age: int) -> tuple[int, int]:
    """A birth year and month that make the candidate ``age`` on the term's first day."""
    start = term.starts_on
    return start.year - age, start.month


def candidate(term, *, first_name: str | None = None, last_name: str = "Kandidat", age: int = 15, **extra) -> Candidate:
    year, month = birth_for_age(term, age)
    values = dict(
        first_name=first_name or f"Elev{next(_names)}",
        last_name=last_name,
        grade="8B",
        birth_year=year,
        birth_month=month,
        why_me="",
        position=None,
    )
    values.update(extra)
    return Candidate(**values)


def make_nomination(term, school, rep, **kwargs) -> Nomination:
    nomination = nominate(term, school, candidate(term, **kwargs), by=rep)
    db.session.flush()
    return nomination


def birth_date(year: int, month: int) -> date:
    return date(year, month, 1)
