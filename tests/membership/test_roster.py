"""The roster: the same number of queries for any number of members, the public page with first names only, and the
CSV export against formulas."""

from __future__ import annotations

import csv
import io
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from tests.factories import make_member
from youthcouncil.audit import record
from youthcouncil.membership.models import Nomination
from youthcouncil.membership.nominations import Candidate, approve_nomination, nominate, record_consent
from youthcouncil.membership.services import today_in_oslo
from youthcouncil.membership.terms import public_roster

# --- Roster: no query per member ----------------------------------------------------------------------------


@contextmanager
def _count_queries(db):
    statements = []

    def before(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", before)


@pytest.mark.parametrize("path", ["/membership/roster", "/council"])
def test_the_roster_costs_the_same_queries_for_4_or_24_members(db, client, login_as, world, path):
    login_as("coordinator")
    client.get(path)  # warm up (template compile)

    def measure():
        db.session.commit()
        db.session.expire_all()
        with _count_queries(db) as statements:
            response = client.get(path)
        assert response.status_code == 200
        return statements, response.get_data(as_text=True)

    few, _ = measure()
    for i in range(20):
        make_member(world.term, world.schools[i % 2], first_name=f"Flere{i}")
    many, html = measure()
    assert "Flere19" in html
    assert len(many) == len(few), "\n".join(few) + "\n-----\n" + "\n".join(many)


# --- Public page --------------------------------------------------------------------------------------------


def test_public_page_has_no_last_names_ages_or_unconsented_children(db, client, world, in_request):
    term = world.term
    school = world.schools[0]
    school.seats = 10
    # An approved under-15 whose guardian has not said yes yet: the account is off and the public page is silent.
    from datetime import datetime, time, timedelta

    from youthcouncil.i18n import OSLO

    term.nomination_deadline = datetime.combine(today_in_oslo() + timedelta(days=5), time(23, 59), OSLO)
    candidate = Candidate("Ungen", "Hemmeligsen", "5A", term.starts_on.year - 11, term.starts_on.month)
    nomination = nominate(term, school, candidate, by=world.users["school_rep"])
    older = nominate(
        term,
        school,
        Candidate("Eldre", "Etternavnsen", "9A", term.starts_on.year - 16, term.starts_on.month),
        by=world.users["school_rep"],
    )
    approve_nomination(nomination, by=world.coordinator)
    approve_nomination(older, by=world.coordinator)
    db.session.commit()
    html = client.get("/council").get_data(as_text=True)
    assert "Eldre" in html and "Mia" in html
    assert "Ungen" not in html
    for secret in ("Etternavnsen", "Hemmeligsen", "Testesen", "10-12", "13-14", "15-17", "15–17", "år"):
        assert secret not in html.split("<main", 1)[1].split("</main>", 1)[0], secret
    # Once the guardian's consent is recorded, the first name appears.
    record_consent(db.session.get(Nomination, nomination.id), today_in_oslo(), by=world.coordinator)
    db.session.commit()
    assert "Ungen" in client.get("/council").get_data(as_text=True)


def test_public_roster_hands_the_page_first_names_and_schools_only(db, world):
    rows = public_roster(world.term)
    assert rows and {f.name for f in rows[0].__dataclass_fields__.values()} == {
        "first_name",
        "school_id",
        "school_name",
        "is_deputy",
    }
    assert not any(row.first_name == "Testesen" for row in rows)


# --- CSV export ---------------------------------------------------------------------------------------------


def test_the_csv_export_defuses_formulas_in_every_column(db, client, login_as, world):
    evil_user = world.users["clerk"]
    evil_user.username = "@sum(1+1)"
    record(evil_user, "=cmd|' /C calc'!A0", None, {"note": "=2+2"})
    event = record(world.coordinator, "-2+3", None, None)
    event.subject_type, event.subject_id = ' +HYPERLINK("http://x")', None
    record(world.coordinator, "\tTAB", None, None)
    db.session.commit()
    login_as("coordinator")
    response = client.get("/membership/audit.csv")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text)))
    cells = [cell for row in rows[1:] for cell in row]
    starts = ("=", "+", "-", "@", "\t", "\r")
    dangerous = [c for c in cells if c.startswith(starts) or c.lstrip(" ").startswith(starts)]
    assert dangerous == []
    assert "'=cmd|' /C calc'!A0" in cells and "'@sum(1+1)" in cells and "'-2+3" in cells
    assert '\' +HYPERLINK("http://x")' in cells and "'\tTAB" in cells
    # Every cell is quoted, so a comma or a line break in a value never shifts the columns.
    assert all(line.startswith('"') for line in text.splitlines() if line)
