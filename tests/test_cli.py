"""The flask commands: demo data, the first coordinator, codes, and the voting engine's CLI."""

import json

import sqlalchemy as sa

from tests.conftest import count
from youthcouncil.accounts.models import AccountType, User
from youthcouncil.membership.models import Membership, Office, School, Term


def test_seed_demo_fills_an_empty_database_once(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "koordinator" in result.output and "demo-passord-2026" in result.output
    assert count(db, School) == 5
    assert count(db, Term) >= 1
    assert count(db, User, User.account_type == AccountType.member) >= 25
    assert count(db, User, User.account_type == AccountType.school_rep) == 5
    assert count(db, User, User.account_type == AccountType.clerk) == 2
    assert count(db, User, User.account_type == AccountType.coordinator) == 1
    assert count(db, Membership, Membership.office == Office.chair) == 1
    assert count(db, Membership, Membership.office == Office.vice_chair) == 1
    schools_with_members = db.session.scalar(sa.select(sa.func.count(sa.distinct(Membership.school_id))))
    assert schools_with_members == 5

    again = runner.invoke(args=["seed-demo", "--if-empty"])
    assert again.exit_code == 0
    assert "already has data" in again.output
    assert count(db, School) == 5


def test_the_demo_shows_what_a_visitor_can_try_and_resets_with_its_uploads(app, db, client):
    from pathlib import Path

    from youthcouncil.budget.models import GrantRequest
    from youthcouncil.consultations.models import Attachment
    from youthcouncil.safety_week.models import Phase, ThemeRound

    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    # Whom to log in as: for each open vote, the members who have not voted (the demo's voters are medlem04 …).
    lines = {line.split(":")[0]: line for line in result.output.splitlines() if line.startswith("Not voted yet in")}
    assert set(lines) == {
        "Not voted yet in Trygghetsuka " + str(db.session.scalar(sa.select(sa.func.max(ThemeRound.year))) - 1),
        "Not voted yet in Budsjett " + lines_year(lines, "Budsjett"),
        "Not voted yet in Skal vi sende dette svaret om «Bussruter til ungdomsklubben»?",
    }, result.output
    assert all("medlem01" in line for line in lines.values())
    assert "medlem05" not in lines[next(key for key in lines if "Trygghetsuka" in key)]  # medlem05 has voted
    # The states a visitor should be able to try.
    rounds = db.session.scalars(sa.select(ThemeRound)).all()
    assert {r.phase() for r in rounds} >= {Phase.proposing, Phase.voting, Phase.closed}
    attachment = db.session.scalars(sa.select(Attachment)).one()
    folder = Path(app.config["UPLOAD_FOLDER"])
    assert any(folder.rglob("*")) and attachment.size_bytes > 0
    assert count(db, GrantRequest) == 1
    # `make run` on a database with data says the same; --reset starts afresh, uploads included.
    again = runner.invoke(args=["seed-demo", "--if-empty"])
    assert "already has data" in again.output and "Not voted yet in" in again.output
    refused = runner.invoke(args=["seed-demo"])
    assert refused.exit_code != 0 and "--reset" in refused.output
    db.session.commit()
    stale = Path(app.config["UPLOAD_FOLDER"]) / "left-over.pdf"
    stale.write_bytes(b"%PDF-1.4\n")
    reset = runner.invoke(args=["seed-demo", "--reset"])
    assert reset.exit_code == 0, reset.output
    assert not stale.exists()
    assert count(db, School) == 5 and count(db, Attachment) == 1 and count(db, GrantRequest) == 1


def lines_year(lines: dict, word: str) -> str:
    key = next(key for key in lines if word in key)
    return key.rsplit(" ", 1)[1]


def test_demo_logins_work(app, db, client):
    app.test_cli_runner().invoke(args=["seed-demo"])
    for username in ("koordinator", "saksbehandler1", "elevrad1", "medlem01", "medlem03"):
        response = client.submit("/login", {"username": username, "passphrase": "demo-passord-2026"}, page="/login")
        assert response.status_code == 303, username
        client.submit("/logout", {})


def test_create_coordinator_asks_for_the_passphrase(app, db, client):
    result = app.test_cli_runner().invoke(
        args=["create-coordinator", "anne", "--first-name", "Anne", "--last-name", "Berg"],
        input="lang og trygg frase\nlang og trygg frase\n",
    )
    assert result.exit_code == 0, result.output
    assert "lang og trygg frase" not in result.output
    response = client.submit("/login", {"username": "anne", "passphrase": "lang og trygg frase"}, page="/login")
    assert response.status_code == 303


def test_create_coordinator_refuses_a_common_passphrase(app, db):
    result = app.test_cli_runner().invoke(
        args=["create-coordinator", "anne", "--first-name", "Anne", "--last-name", ""], input="password1\npassword1\n"
    )
    assert result.exit_code != 0
    assert count(db, User) == 0


def test_issue_code_prints_a_working_code(app, world, client):
    result = app.test_cli_runner().invoke(args=["issue-code", "mia"])
    assert result.exit_code == 0, result.output
    code = result.output.split("Code for mia: ")[1].split()[0]
    response = client.submit("/activate", {"code": code, "passphrase": "ny sommer ny", "confirm": "ny sommer ny"})
    assert response.status_code == 303
    missing = app.test_cli_runner().invoke(args=["issue-code", "nobody"])
    assert missing.exit_code != 0 and "No account" in missing.output


def test_tally_prints_the_burlington_result(app, shared_data):
    result = app.test_cli_runner().invoke(
        args=["tally", str(shared_data / "preflib" / "burlington-2009-mayor.toi"), "--method", "irv"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["method"] == "irv" and data["winner"] == "Bob Kiss"
    assert data["ranking"][0] == "Bob Kiss"
    assert data["rounds"][-1]["counts"]["Bob Kiss"] == 4313
    schulze = json.loads(
        app.test_cli_runner()
        .invoke(args=["tally", str(shared_data / "preflib" / "burlington-2009-mayor.toi"), "--method", "schulze"])
        .output
    )
    assert schulze["winner"] == "Andy Montroll"


def test_pb_outcome_matches_the_official_selection(app, shared_data):
    from youthcouncil.voting.pabulib import read_pb

    path = shared_data / "pabulib" / "Netherlands_Assen_2024.pb"
    result = app.test_cli_runner().invoke(args=["pb-outcome", str(path)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    official = {p.project_id for p in read_pb(path).projects if p.selected}
    assert set(data["selected"]) == official
    assert data["rule"] == "equalshares/add1" and data["total_cost"] <= data["budget"]


def test_tally_explains_a_bad_file(app, tmp_path):
    bad = tmp_path / "bad.soi"
    bad.write_text("# FILE NAME: bad.soi\n1: 1,x\n")
    result = app.test_cli_runner().invoke(args=["tally", str(bad)])
    assert result.exit_code != 0
    assert "Error" in result.output


def test_tally_draws_the_lot_with_the_given_seed(app, tmp_path):
    # Two candidates with one first preference each: the lot decides, and the seed decides the lot.
    ballots = tmp_path / "tie.soi"
    ballots.write_text(
        "# FILE NAME: tie.soi\n# DATA TYPE: soi\n# NUMBER ALTERNATIVES: 2\n# NUMBER VOTERS: 2\n"
        "# NUMBER UNIQUE ORDERS: 2\n# ALTERNATIVE NAME 1: A\n# ALTERNATIVE NAME 2: B\n1: 1\n1: 2\n"
    )
    winners = set()
    for seed in ("1", "2", "3", "4", "5", "6"):
        result = app.test_cli_runner().invoke(args=["tally", str(ballots), "--seed", seed])
        assert result.exit_code == 0, result.output
        first = json.loads(result.output)["winner"]
        again = json.loads(app.test_cli_runner().invoke(args=["tally", str(ballots), "--seed", seed]).output)["winner"]
        assert first == again
        winners.add(first)
    assert winners == {"A", "B"}
