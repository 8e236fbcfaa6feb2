"""Terms never overlap: refused next to the date field, held by PostgreSQL's exclusion constraint and by the service
on SQLite, race-tested; a term that has not started can be edited or deleted; creating one never changes the current
term."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from tests.conftest import count
from tests.membership.builders import make_nomination
from tests.threads import at_once
from youthcouncil.audit import AuditEvent
from youthcouncil.membership import terms
from youthcouncil.membership.models import Term
from youthcouncil.membership.services import MembershipError, current_term, today_in_oslo

NEW = "/membership/terms/new"


def _form(name: str, starts_on: date, ends_on: date | None = None) -> dict:
    ends_on = ends_on or starts_on + timedelta(days=700)
    return {
        "name": name,
        "starts_on": starts_on.isoformat(),
        "ends_on": ends_on.isoformat(),
        "nomination_deadline": (starts_on - timedelta(days=1)).isoformat(),
    }


def _error_of(html: str, field: str) -> str:
    match = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', html)
    return match.group(1) if match else ""


def test_an_overlapping_term_is_refused_next_to_its_first_day_and_nothing_is_stored(db, client, login_as, world):
    login_as("coordinator")
    today = today_in_oslo()
    response = client.submit(NEW, _form("Overlapp-test", today), page=NEW)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "overlapper valgperioden" in _error_of(html, "starts_on")
    assert world.term.name in _error_of(html, "starts_on")
    assert _error_of(html, "name") == ""
    assert count(db, Term) == 1
    # Sharing only the first day is an overlap too (both ends are days of the term).
    touching = _form("Før", world.term.starts_on - timedelta(days=30), world.term.starts_on)
    assert "overlapper valgperioden" in _error_of(
        client.submit(NEW, touching, page=NEW).get_data(as_text=True), "starts_on"
    )
    assert count(db, Term) == 1
    # The day after the current term ends is free.
    response = client.submit(NEW, _form("Neste", world.term.ends_on + timedelta(days=1)), page=NEW)
    assert response.status_code == 303
    assert count(db, Term) == 2


def test_creating_a_future_term_leaves_the_current_term_and_the_coordinators_home_alone(db, client, login_as, world):
    login_as("coordinator")
    starts = world.term.ends_on + timedelta(days=1)
    listed = client.submit(NEW, _form("Framtida", starts), page=NEW, follow_redirects=True).get_data(as_text=True)
    assert "Framtida" in listed
    assert current_term().id == world.term.id
    home = client.get("/home").get_data(as_text=True)
    assert f"Valgperiode: {world.term.name}" in home and "Framtida" not in home
    council = client.get("/council").get_data(as_text=True)
    assert world.users["member"].first_name in council


def test_a_closed_term_no_longer_blocks_its_days(db, world):
    terms.close_term(world.term, by=world.users["coordinator"])
    term = terms.create_term("Ny start", today_in_oslo(), today_in_oslo() + timedelta(days=600), today_in_oslo())
    db.session.commit()
    assert current_term().id == term.id


def test_a_term_that_has_not_started_can_be_edited_but_not_into_another(db, client, login_as, world):
    login_as("coordinator")
    nxt = terms.create_term(
        "Neste", world.term.ends_on + timedelta(days=1), world.term.ends_on + timedelta(days=600), world.term.ends_on
    )
    db.session.commit()
    url = f"/membership/terms/{nxt.id}"
    overlap = _form("Neste", world.term.ends_on - timedelta(days=10), world.term.ends_on + timedelta(days=600))
    html = client.submit(url, overlap, page=url).get_data(as_text=True)
    assert "overlapper valgperioden" in _error_of(html, "starts_on")
    db.session.expire_all()
    assert db.session.get(Term, nxt.id).starts_on == world.term.ends_on + timedelta(days=1)
    later = _form("Neste, flyttet", world.term.ends_on + timedelta(days=20))
    assert client.submit(url, later, page=url).status_code == 303
    db.session.expire_all()
    assert db.session.get(Term, nxt.id).name == "Neste, flyttet"
    # Its own old dates never count as an overlap with itself.
    assert client.submit(url, later, page=url).status_code == 303


def test_a_started_term_cannot_move_its_first_day_into_the_future(db, client, login_as, world):
    login_as("coordinator")
    url = f"/membership/terms/{world.term.id}"
    moved = _form(world.term.name, today_in_oslo() + timedelta(days=1), world.term.ends_on)
    html = client.submit(url, moved, page=url).get_data(as_text=True)
    assert "har startet" in _error_of(html, "starts_on")
    assert current_term().id == world.term.id


def test_deleting_a_term_that_has_not_started_asks_first(db, client, login_as, world):
    login_as("coordinator")
    nxt = terms.create_term(
        "Feil", world.term.ends_on + timedelta(days=1), world.term.ends_on + timedelta(days=600), world.term.ends_on
    )
    db.session.commit()
    edit = client.get(f"/membership/terms/{nxt.id}").get_data(as_text=True)
    assert f"/membership/terms/{nxt.id}/delete" in edit
    url = f"/membership/terms/{nxt.id}/delete"
    asked = client.submit(url, {}, page=f"/membership/terms/{nxt.id}")
    assert asked.status_code == 200 and "Slette valgperioden Feil?" in asked.get_data(as_text=True)
    assert db.session.get(Term, nxt.id) is not None
    done = client.submit(url, {"confirm": "y"}, page=f"/membership/terms/{nxt.id}")
    assert done.status_code == 303
    db.session.expire_all()
    assert db.session.get(Term, nxt.id) is None
    assert count(db, AuditEvent, AuditEvent.action == "term.deleted") == 1
    # The current term has started: no delete button, and the address refuses.
    assert f"/membership/terms/{world.term.id}/delete" not in client.get(f"/membership/terms/{world.term.id}").get_data(
        as_text=True
    )
    assert client.submit(f"/membership/terms/{world.term.id}/delete", {"confirm": "y"}, page="/home").status_code == 403
    assert current_term().id == world.term.id


def test_a_term_with_nominations_is_not_deleted(db, client, login_as, world, in_request):
    nxt = terms.create_term(
        "Neste",
        world.term.ends_on + timedelta(days=1),
        world.term.ends_on + timedelta(days=600),
        today_in_oslo() + timedelta(days=20),
    )
    make_nomination(nxt, world.schools[0], world.users["school_rep"], age=15)
    db.session.commit()
    with pytest.raises(MembershipError, match="nominert"):
        terms.delete_term(nxt, by=world.users["coordinator"])


def test_overlapping_terms_saved_at_the_same_moment_leave_exactly_one(app, db, world):
    """Eight coordinators save overlapping terms at once: SQLite's BEGIN IMMEDIATE queues the checks; on PostgreSQL
    the checks can pass together and the exclusion constraint refuses all but one insert."""
    first = world.term.ends_on + timedelta(days=1)
    db.session.commit()
    threads = 8

    def save(i: int) -> str:
        start = first + timedelta(days=i * 3)
        terms.create_term(f"Samtidig {i}", start, start + timedelta(days=500), start)
        return "ok"

    outcomes = at_once(app, threads, save)
    assert outcomes.count("ok") == 1, outcomes
    refused = [o for o in outcomes if o != "ok"]
    assert len(refused) == threads - 1 and all(o.startswith("error: MembershipError") for o in refused), outcomes
    db.session.expire_all()
    assert count(db, Term) == 2


def test_postgresql_itself_refuses_overlapping_open_terms(db, world):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the exclusion constraint is PostgreSQL's; SQLite relies on the service")
    db.session.add(
        Term(
            municipality_id=world.municipality.id,
            name="Rundt",
            starts_on=world.term.starts_on,
            ends_on=world.term.starts_on + timedelta(days=10),
            nomination_deadline=world.term.nomination_deadline,
        )
    )
    with pytest.raises(IntegrityError, match="ex_terms_open_terms_do_not_overlap"):
        db.session.flush()
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Term)) == 1


def test_the_upgrade_stops_on_open_terms_that_already_overlap_and_ignores_closed_ones(tmp_path, capfd):
    from datetime import UTC, datetime

    from flask_migrate import upgrade

    from tests.test_migrations import _fresh_app, drop_schema
    from youthcouncil.extensions import db

    now = datetime.now(UTC)
    app = _fresh_app(tmp_path)
    with app.app_context():
        drop_schema(db)
        try:
            upgrade(revision="0011_fuzz_casefold_names")  # the revision before this rule
            with db.engine.begin() as connection:
                municipality = connection.execute(
                    sa.text("INSERT INTO municipalities (name) VALUES ('Testvik') RETURNING id")
                ).scalar_one()
                for name, starts, ends in (("2026–2028", 0, 700), ("Overlapp-test", 30, 60), ("Gammel", -800, -100)):
                    connection.execute(
                        sa.text(
                            "INSERT INTO terms (municipality_id, name, starts_on, ends_on, nomination_deadline)"
                            " VALUES (:m, :n, :s, :e, :d)"
                        ),
                        {
                            "m": municipality,
                            "n": name,
                            "s": date(2026, 8, 15) + timedelta(days=starts),
                            "e": date(2026, 8, 15) + timedelta(days=ends),
                            "d": now,
                        },
                    )
            with pytest.raises(SystemExit):  # flask db upgrade prints the message and exits with 1
                upgrade()
            printed = capfd.readouterr().err
            assert re.search(r"Open terms overlap: 2026–2028 \(2026-08-15–2028-07-15\) and Overlapp-test", printed)
            assert "Gammel" not in printed
            with db.engine.begin() as connection:
                connection.execute(
                    sa.text("UPDATE terms SET closed_at = :now WHERE name = 'Overlapp-test'"), {"now": now}
                )
            upgrade()
            if db.engine.dialect.name == "postgresql":
                with db.engine.begin() as connection, pytest.raises(IntegrityError):
                    connection.execute(sa.text("UPDATE terms SET closed_at = NULL WHERE name = 'Overlapp-test'"))
        finally:
            drop_schema(db)
            db.engine.dispose()
