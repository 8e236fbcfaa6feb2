"""``flask --app youthcouncil safety-week count``: count the theme rounds whose voting has closed."""

from __future__ import annotations

import click

from youthcouncil.extensions import db
from youthcouncil.safety_week.services import count_due_rounds


@click.group("safety-week")
def safety_week_group() -> None:
    """The safety-week theme round."""


@safety_week_group.command("count")
def count_command() -> None:
    """Count every round whose voting has closed (safe to run often; the notify worker does it too)."""
    counted = count_due_rounds()
    db.session.commit()
    click.echo(f"Counted {counted} round(s).")
