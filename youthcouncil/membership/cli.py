"""``flask --app youthcouncil retention run``: minimise former members' personal data (meant for a daily cron)."""

from __future__ import annotations

import click

from youthcouncil.extensions import db
from youthcouncil.membership.retention import run_retention


@click.group("retention")
def retention_group() -> None:
    """Minimise personal data after the retention period."""


@retention_group.command("run")
def retention_run_command() -> None:
    """Minimise former members' personal data 12 months after their last term ended (safe to run daily)."""
    result = run_retention()
    db.session.commit()
    click.echo(f"Minimised {result.users} former member account(s) and {result.nominations} nomination(s).")
    for domain, count in sorted((result.other_domains or {}).items()):
        click.echo(f"  {domain}: {count}")
