"""flask commands: seed-demo, create-coordinator, issue-code, tally, pb-outcome, backup, restore."""

from __future__ import annotations

import json
from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask

from youthcouncil.accounts import passphrases, services
from youthcouncil.accounts.models import AccountType, User
from youthcouncil.accounts.qr import activation_link
from youthcouncil.backup import backup_command, restore_command
from youthcouncil.demo import DEMO_PASSPHRASE, clear_everything, demo_logins, not_voted, seed_demo
from youthcouncil.extensions import db
from youthcouncil.voting.pb_report import pb_outcome_file
from youthcouncil.voting.tally import tally_file


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has accounts.")
@click.option("--reset", is_flag=True, help="Empty the database and delete uploaded files first (a fresh demo).")
def seed_demo_command(if_empty: bool, reset: bool) -> None:
    """Fill the database with a demo municipality, schools, a term and accounts for every role."""
    if reset:
        clear_everything()
        click.echo("The database and the uploaded files are emptied.")
    elif db.session.scalar(sa.select(sa.func.count()).select_from(User)):
        if if_empty:
            click.echo("The database already has data; demo data not added.")
            _print_logins()
            _print_not_voted()
            return
        raise click.ClickException(
            "The database is not empty; demo data is only added to an empty database. "
            "`flask seed-demo --reset` (make demo-reset) empties it first."
        )
    logins = seed_demo()
    db.session.commit()
    click.echo(f"Demo data added. Every demo account has the passphrase: {DEMO_PASSPHRASE}")
    _print_logins(logins)
    _print_not_voted()


def _print_not_voted() -> None:
    """Whom a visitor can log in as to try a vote."""
    for name, missing in not_voted():
        who = ", ".join(user.username for user in missing) if missing else "(everyone has voted)"
        click.echo(f"Not voted yet in {name}: {who}")


def _print_logins(logins: list[tuple[str, str]] | None = None) -> None:
    logins = logins or demo_logins()
    if not logins:
        return
    click.echo(f"Demo logins (passphrase for all: {DEMO_PASSPHRASE}):")
    for role, username in logins:
        click.echo(f"  {role:<14} {username}")


@click.command("create-coordinator")
@click.argument("username")
@click.option("--first-name", prompt=True)
@click.option("--last-name", prompt=True, default="")
@click.password_option("--passphrase", prompt="Passphrase", confirmation_prompt=True)
def create_coordinator_command(username: str, first_name: str, last_name: str, passphrase: str) -> None:
    """Create a youth coordinator account (the first account on a new installation)."""
    problem = passphrases.problem_with(passphrase, username)
    if problem:
        raise click.ClickException(str(problem))
    try:
        user = services.create_account(
            account_type=AccountType.coordinator, first_name=first_name, last_name=last_name, username=username
        )
    except services.AccountError as error:
        raise click.ClickException(str(error)) from error
    user.passphrase_hash = passphrases.hash_passphrase(passphrase)
    db.session.commit()
    click.echo(f"Coordinator {user.username} created.")


@click.command("issue-code")
@click.argument("username")
def issue_code_command(username: str) -> None:
    """Make a fresh one-time activation code for USERNAME (their old passphrase stops working)."""
    user = services.find_user(username)
    if user is None:
        raise click.ClickException(f"No account named {username!r}.")
    issued = services.issue_activation_code(user)
    db.session.commit()
    click.echo(f"Code for {user.username}: {issued.code}")
    click.echo(f"Valid until {issued.expires_at:%Y-%m-%d %H:%M} UTC")
    click.echo(f"Link: {activation_link(issued.code)}")


@click.command("tally")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--method", type=click.Choice(["irv", "schulze", "approval", "plurality"]), default="irv")
@click.option("--seed", default=None, help="Seed for a lot that breaks a tie (a result page shows the one it used).")
def tally_command(file: Path, method: str, seed: str | None) -> None:
    """Count a PrefLib (.soc/.soi/.toc/.toi) or .blt ballot file and print the result as JSON."""
    try:
        result = tally_file(file, method, **({"seed": seed} if seed is not None else {}))
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    click.echo(json.dumps(result, ensure_ascii=False, indent=2))


@click.command("pb-outcome")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--rule",
    type=click.Choice(["greedy", "greedy-threshold", "equalshares/add1", "equalshares/add1-comparison"]),
    default=None,
    help="Defaults to the rule in the file's META section.",
)
@click.option(
    "--tie",
    type=click.Choice(["cost", "order"]),
    default="cost",
    show_default=True,
    help="Equal scores: fund the cheaper project first (cost), or the one the file lists first (order).",
)
def pb_outcome_command(file: Path, rule: str | None, tie: str) -> None:
    """Compute the funded projects of a pabulib .pb file and print them as JSON."""
    try:
        result = pb_outcome_file(file, rule, tie=tie)
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    click.echo(json.dumps(result, ensure_ascii=False, indent=2))


def init_app(app: Flask) -> None:
    for command in (
        seed_demo_command,
        create_coordinator_command,
        issue_code_command,
        tally_command,
        pb_outcome_command,
        backup_command,
        restore_command,
    ):
        app.cli.add_command(command)
