"""Upgrading to sealed ballots: open votes keep every member's current ballot (and budget draft), now sealed under a
new key per vote; the voter lists, links and times are gone; closed votes keep their anonymous ballots."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from tests.test_migrations import _fresh_app, drop_schema

NOW = datetime.now(UTC).replace(microsecond=0)
DAY = timedelta(days=1)


def _old_link(app, message: str) -> str:
    return hmac.new(app.config["SECRET_KEY"].encode(), message.encode(), hashlib.sha256).hexdigest()


def _insert(connection, meta, table: str, **values) -> int:
    result = connection.execute(meta.tables[table].insert().values(**values))
    return result.inserted_primary_key[0] if result.inserted_primary_key else None


def _old_database(app, connection) -> dict:
    """A database of version 0008 with one open and one closed vote of each kind."""
    meta = sa.MetaData()
    meta.reflect(connection)
    put = lambda table, **values: _insert(connection, meta, table, **values)  # noqa: E731
    municipality = put("municipalities", name="Testvik")
    school = put("schools", municipality_id=municipality, name="Bakken", seats=3, deputy_seats=1)
    term = put(
        "terms",
        municipality_id=municipality,
        name="2026–2028",
        starts_on=date.today() - 30 * DAY,
        ends_on=date.today() + 600 * DAY,
        nomination_deadline=NOW - 40 * DAY,
    )
    users = [
        put(
            "users",
            username=f"m{n}",
            account_type="member",
            first_name=f"M{n}",
            last_name="T",
            session_token=f"t{n}",
            active=True,
            created_at=NOW,
        )
        for n in range(3)
    ]
    for user in users:
        put(
            "memberships",
            term_id=term,
            user_id=user,
            school_id=school,
            seat="member",
            office="none",
            active=True,
            created_at=NOW,
        )
    a, b = users[0], users[1]
    # Theme rounds: one open (a's vote was replaced once), one counted.
    dates = dict(proposing_opens_at=NOW - 4 * DAY, proposing_closes_at=NOW - 3 * DAY, voting_opens_at=NOW - 2 * DAY)
    open_round = put(
        "sw_rounds",
        term_id=term,
        year=2027,
        title="Open",
        voting_closes_at=NOW + DAY,
        method="irv",
        imported=False,
        created_at=NOW,
        **dates,
    )
    closed_round = put(
        "sw_rounds",
        term_id=term,
        year=2026,
        title="Counted",
        voting_closes_at=NOW - DAY,
        method="irv",
        imported=False,
        created_at=NOW,
        closed_at=NOW,
        lot_seed="abc",
        eligible_count=3,
        **dates,
    )
    for user in (a, b):
        put("sw_voters", round_id=open_round, term_id=term, user_id=user, voted_at=NOW)
    ballot = dict(submitted_at=NOW, weight=1)
    put("sw_ballots", id="1" * 32, round_id=open_round, ranking=[[11]], voter_link=None, replaced=True, **ballot)
    put(
        "sw_ballots",
        id="2" * 32,
        round_id=open_round,
        ranking=[[12], [11]],
        replaced=False,
        voter_link=_old_link(app, f"{open_round}:{a}"),
        idempotency_key="k1",
        **ballot,
    )
    put(
        "sw_ballots",
        id="3" * 32,
        round_id=open_round,
        ranking=[[13]],
        replaced=False,
        voter_link=_old_link(app, f"{open_round}:{b}"),
        idempotency_key="k2",
        **ballot,
    )
    for n in range(2):
        put("sw_ballots", id=f"{n + 4}" * 32, round_id=closed_round, ranking=[[21 + n]], replaced=False, **ballot)
    # Budget: an open vote (a submitted, b only drafted), and a counted one.
    year_dates = dict(proposing_starts=NOW - 5 * DAY, feasibility_starts=NOW - 4 * DAY, voting_starts=NOW - 3 * DAY)
    open_year = put(
        "budget_years",
        name="Open",
        total=100,
        granted_total=0,
        voting_ends=NOW + DAY,
        rule="greedy",
        comparison=False,
        created_at=NOW,
        imported=False,
        **year_dates,
    )
    closed_year = put(
        "budget_years",
        name="Closed",
        total=100,
        granted_total=0,
        voting_ends=NOW - DAY,
        rule="greedy",
        comparison=False,
        created_at=NOW,
        imported=False,
        closed_at=NOW,
        **year_dates,
    )
    events = [
        put(
            "budget_events",
            year_id=year,
            title=f"E{n}",
            description="",
            estimated_cost=10,
            month=5,
            created_at=NOW,
            feasibility="feasible",
            mid_year=False,
        )
        for n, year in enumerate((open_year, open_year, closed_year))
    ]
    put("budget_voters", year_id=open_year, user_id=a, last_submit_key="k")
    put("budget_ballots", id=101, year_id=open_year, voter_key=_old_link(app, f"{open_year}:{a}"))
    for event in events[:2]:
        put("budget_ballot_choices", ballot_id=101, event_id=event)
    put("budget_drafts", year_id=open_year, user_id=b, event_ids=[events[1]], updated_at=NOW)
    put("budget_ballots", id=202, year_id=closed_year, voter_key=None)
    put("budget_ballot_choices", ballot_id=202, event_id=events[2])
    # Motions: an open secret one (a voted yes), a closed secret one, an open named one (b voted no).
    motion = dict(term_id=term, opened_at=NOW, eligible=3)
    open_secret = put("motions", subject_type="t", subject_id=1, title="S", secret=True, status="open", **motion)
    closed_secret = put(
        "motions",
        subject_type="t",
        subject_id=2,
        title="C",
        secret=True,
        status="closed",
        closed_at=NOW,
        method="phone",
        yes=1,
        no=0,
        abstain=0,
        present=1,
        quorum_met=False,
        adopted=False,
        **motion,
    )
    named = put("motions", subject_type="t", subject_id=3, title="N", secret=False, status="open", **motion)
    put("motion_votes", motion_id=open_secret, user_id=a, choice=None, cast_at=NOW, updated_at=NOW)
    put(
        "motion_secret_ballots",
        id=301,
        motion_id=open_secret,
        voter_link=_old_link(app, f"motion:{open_secret}:{a}"),
        choice="yes",
    )
    put("motion_votes", motion_id=closed_secret, user_id=a, choice=None, cast_at=NOW, updated_at=NOW)
    put("motion_secret_ballots", id=302, motion_id=closed_secret, voter_link=None, choice="yes")
    put("motion_votes", motion_id=named, user_id=b, choice="no", cast_at=NOW, updated_at=NOW)
    return dict(
        a=a, b=b, open_round=open_round, open_year=open_year, open_secret=open_secret, named=named, events=events
    )


def test_the_upgrade_seals_open_votes_under_new_keys_and_drops_what_linked_them(tmp_path):
    from youthcouncil import secret_ballot
    from youthcouncil.extensions import db

    app = _fresh_app(tmp_path)
    with app.app_context():
        drop_schema(db)
        try:
            upgrade(revision="0008_motions_secret_ballots")
            with db.engine.begin() as connection:
                old = _old_database(app, connection)
            upgrade()
            a, b = old["a"], old["b"]
            tables = set(sa.inspect(db.engine).get_table_names())
            assert not tables & {"sw_voters", "budget_voters", "budget_drafts", "motion_secret_ballots"}
            assert {c["name"] for c in sa.inspect(db.engine).get_columns("sw_ballots")} == {
                "id",
                "round_id",
                "ranking",
                "weight",
            }
            with db.engine.connect() as connection:
                rankings = [
                    json.loads(r) if isinstance(r, str) else r
                    for (r,) in connection.execute(sa.text("SELECT ranking FROM sw_ballots"))
                ]
                assert sorted(rankings) == [[[21]], [[22]]]  # only the counted round's anonymous ballots
                assert connection.execute(sa.text("SELECT count(*) FROM budget_ballots")).scalar() == 1
                assert connection.execute(sa.text("SELECT motion_id, user_id, choice FROM motion_votes")).all() == [
                    (old["named"], b, "no")
                ]
            assert secret_ballot.own_ballot("theme", old["open_round"], a) == [[12], [11]]
            assert secret_ballot.own_ballot("theme", old["open_round"], b) == [[13]]
            assert secret_ballot.turnout("theme", old["open_round"]) == 2
            assert secret_ballot.own_ballot("budget", old["open_year"], a) == old["events"][:2]
            assert secret_ballot.own_ballot("budget", old["open_year"], b) is None
            assert secret_ballot.own_draft("budget", old["open_year"], b).choices == [old["events"][1]]
            assert secret_ballot.own_ballot("motion", old["open_secret"], a) == "yes"
            assert len(list((tmp_path / "vote-keys").glob("*.key"))) == 3
            db.session.rollback()
            with pytest.raises(SystemExit):  # Flask-Migrate reports the RuntimeError "Votes are open" and exits
                downgrade(revision="0008_motions_secret_ballots")
        finally:
            drop_schema(db, "sw_voters", "budget_voters", "budget_drafts", "motion_secret_ballots")
            db.engine.dispose()
