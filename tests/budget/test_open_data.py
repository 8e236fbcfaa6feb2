"""Open data: the .pb export recounts to the same funded events (also with the real CLI), the spending CSV defuses
formulas."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.budget.builders import close_and_show, decided_year, five_voters, make_event, voted_year
from tests.conftest import text
from youthcouncil.budget.ledger import create_grant
from youthcouncil.budget.models import GrantSource, Rule

# --- Open data: the .pb export recounts to the same funded set --------------------------------------------------


def _pb_outcome(app, path: Path, *args) -> dict:
    result = app.test_cli_runner().invoke(args=["pb-outcome", str(path), *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.mark.parametrize(
    "rule, comparison",
    [(Rule.greedy, False), (Rule.mes, False), (Rule.mes, True)],
)
def test_exported_pb_recounts_to_the_same_funded_events(app, client, db, world, login_as, tmp_path, rule, comparison):
    ballots = [[0, 1], [0, 1], [0, 1], [2], [2]]
    year, events = voted_year(
        ballots, [60_000, 40_000, 40_000], five_voters(world), total=100_000, rule=rule, comparison=comparison
    )
    page, by_title = close_and_show(client, login_as, year)
    funded = sorted(str(e.id) for e in by_title.values() if e.funded)
    login_as("chair")
    assert (
        client.submit(
            f"/budget/years/{year.id}/confirm", {"confirm": "y"}, page=f"/budget/years/{year.id}/result"
        ).status_code
        == 303
    )
    client.get("/logout")
    response = client.get(f"/budget/years/{year.id}/round.pb")  # public open data
    assert response.status_code == 200
    path = tmp_path / "round.pb"
    path.write_bytes(response.get_data())
    outcome = _pb_outcome(app, path)  # the file's own META rule
    assert sorted(outcome["selected"]) == funded
    assert outcome["budget"] == 100_000
    assert outcome["total_cost"] == sum(e.cost for e in by_title.values() if e.funded)
    expected_rule = {
        (Rule.greedy, False): "greedy",
        (Rule.mes, False): "equalshares/add1",
        (Rule.mes, True): "equalshares/add1-comparison",
    }[(rule, comparison)]
    assert outcome["rule"] == expected_rule
    # Secret ballot: the file has no user ids, names or usernames.
    pb_text = response.get_data(as_text=True)
    for member in _five_voters_from_db(db):
        assert member.username not in pb_text and member.first_name not in pb_text
    voter_ids = [line.split(";")[0] for line in pb_text.split("VOTES", 1)[1].splitlines()[2:] if line]
    assert voter_ids == [str(i) for i in range(1, len(ballots) + 1)]


def _five_voters_from_db(db):
    from youthcouncil.accounts.models import User

    return list(db.session.scalars(sa.select(User)))


def test_the_real_cli_on_an_exported_file(app, client, db, world, tmp_path):
    """`flask --app youthcouncil pb-outcome FILE` as the issue says, in a separate process."""
    import os
    import subprocess
    import sys

    year, events = decided_year(world)
    db.session.commit()
    path = tmp_path / "round.pb"
    path.write_bytes(client.get(f"/budget/years/{year.id}/round.pb").get_data())
    flask = Path(sys.executable).with_name("flask")
    env = {**os.environ, "DATABASE_URL": os.environ.get("DATABASE_URL", "sqlite://")}
    done = subprocess.run(
        [str(flask), "--app", "youthcouncil", "pb-outcome", str(path), "--rule", "greedy"],
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert sorted(json.loads(done.stdout)["selected"]) == sorted(str(e.id) for e in events if e.funded)


# --- The public spending CSV ------------------------------------------------------------------------------------


def test_spending_csv_defuses_formulas_in_titles(client, db, world):
    year, events = decided_year(world, costs=(10_000, 10_000))
    titles = ['=HYPERLINK("http://evil","x")', "+1+1", "-2+3", "@SUM(A1)"]
    events[0].title, events[1].title = titles[0], titles[1]
    more = [make_event(year, 1_000, title=t) for t in titles[2:]]
    for event in more:
        create_grant(year, event, 1_000, source=GrantSource.vote)
    year.name = "=cmd|' /C calc'!A0"
    db.session.commit()
    response = client.get(f"/budget/years/{year.id}/spending.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(text(response))))
    cells = [cell for row in rows[1:] for cell in row]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "@") or (cell[:1] == "-" and not cell[1:].isdigit())]
    assert sorted(row[1] for row in rows[1:5]) == sorted("'" + t for t in titles)
    assert rows[1][0] == "'=cmd|' /C calc'!A0"
    assert rows[-2][1:] == ["TOTAL", "", "22000", "0", "22000"]  # numbers stay numbers


def test_csv_safe_defuses_formulas_after_whitespace_and_newlines():
    from youthcouncil.exports import csv_safe

    for cell in ("=1+1", " +A1", "\n=cmd", "\t1", "@SUM(A1)", "\uff1dx", "-2"):
        assert csv_safe(cell).startswith("'"), cell
    assert csv_safe("Kino for alle") == "Kino for alle"
    assert csv_safe(-2) == -2
