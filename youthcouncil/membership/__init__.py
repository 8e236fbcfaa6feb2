"""Membership: the municipality, schools, terms, nominations, roster, end of term."""

import click
from flask import Blueprint
from flask_babel import lazy_gettext as _l

from youthcouncil.auth import PUBLIC, Role
from youthcouncil.web import nav_item

bp = Blueprint("membership", __name__)

nav_item("membership.public_roster", _l("The council"), PUBLIC, 10)
nav_item("membership.roster", _l("Members"), [Role.member, Role.chair, Role.clerk, Role.coordinator], 12)
nav_item("membership.nominations", _l("Nominations"), [Role.school_rep, Role.coordinator], 14)
nav_item("membership.school_list", _l("Schools"), [Role.coordinator], 70)
nav_item("membership.term_list", _l("Terms"), [Role.coordinator], 72)
nav_item("membership.audit_log", _l("Audit log"), [Role.coordinator], 90)


@click.group("retention")
def retention_group() -> None:
    """Minimise personal data after the retention period."""


@retention_group.command("run")
def retention_run_command() -> None:
    """Minimise former members' personal data 12 months after their last term ended (safe to run daily)."""
    from youthcouncil.extensions import db
    from youthcouncil.membership.services import run_retention

    result = run_retention()
    db.session.commit()
    click.echo(f"Minimised {result.users} former member account(s) and {result.nominations} nomination(s).")
    for domain, count in sorted((result.other_domains or {}).items()):
        click.echo(f"  {domain}: {count}")


def register_cli(app) -> None:
    app.cli.add_command(retention_group)


from youthcouncil.membership import panels, views  # noqa: E402,F401
