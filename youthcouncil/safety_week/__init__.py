"""The safety week (trygghetsuka): the yearly theme round. Proposing, review, a secret vote, a public result."""

import click
from flask import Blueprint
from flask_babel import lazy_gettext as _l

from youthcouncil.auth import PUBLIC, Role
from youthcouncil.web import nav_item

bp = Blueprint("safety_week", __name__)

# Clerks and school reps take no part in the theme round; they find the results among the public pages.
nav_item("safety_week.index", _l("Safety week"), [Role.member, Role.chair, Role.coordinator], 20)
nav_item("safety_week.results", _l("Theme results"), PUBLIC, 22)


@click.group("safety-week")
def safety_week_group() -> None:
    """The safety-week theme round."""


@safety_week_group.command("count")
def count_command() -> None:
    """Count every round whose voting has closed (safe to run often; the notify worker does it too)."""
    from youthcouncil.extensions import db
    from youthcouncil.safety_week.services import count_due_rounds

    counted = count_due_rounds()
    db.session.commit()
    click.echo(f"Counted {counted} round(s).")


def register_cli(app) -> None:
    app.cli.add_command(safety_week_group)


def _register_due_check() -> None:
    try:
        from youthcouncil.notifications.services import register_due_check
    except ImportError:
        return
    from youthcouncil.safety_week.services import count_due_rounds

    register_due_check(count_due_rounds)


_register_due_check()

from youthcouncil.safety_week import panels, views  # noqa: E402,F401
