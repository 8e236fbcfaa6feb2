"""Flask-Migrate (with Alembic), loaded only when something migrates: ``flask db ...``, a backup's schema check, the
tests. A web worker never imports them: they were a large part of the start-up time (issue 11).

``init_app`` puts a stand-in at ``app.extensions["migrate"]`` that sets Flask-Migrate up on first use, and a ``db``
command group that does the same before it lists or runs Flask-Migrate's commands.
"""

from __future__ import annotations

from typing import Any

import click
from flask import Flask
from flask.cli import ScriptInfo

from youthcouncil.config import PROJECT_ROOT


def init_migrate(app: Flask) -> Any:
    """Set Flask-Migrate up for ``app`` (once) and return its ``app.extensions["migrate"]``."""
    current = app.extensions.get("migrate")
    if current is not None and not isinstance(current, _NotYetSetUp):
        return current
    from flask_migrate import Migrate

    from youthcouncil.db import render_migration_item
    from youthcouncil.extensions import db

    Migrate().init_app(
        app,
        db,
        directory=str(PROJECT_ROOT / "migrations"),
        render_as_batch=True,
        compare_type=True,
        render_item=render_migration_item,
    )
    return app.extensions["migrate"]


def head_revisions(app: Flask) -> tuple[str, ...]:
    """The newest migrations' revisions (a backup records them; a restore checks them)."""
    from alembic.script import ScriptDirectory

    migrate = init_migrate(app)
    return tuple(ScriptDirectory.from_config(migrate.migrate.get_config(migrate.directory)).get_heads())


class _NotYetSetUp:
    """``app.extensions["migrate"]`` until something reads it (``flask_migrate.upgrade()``, migrations/env.py)."""

    def __init__(self, app: Flask):
        self._app = app

    def __getattr__(self, name: str) -> Any:
        return getattr(init_migrate(self._app), name)


class _DbCommands(click.Group):
    """``flask db``: Flask-Migrate's command group, imported when the group is used (its options, its callback and
    its commands are taken over then)."""

    def _load(self, ctx: click.Context) -> click.Group:
        init_migrate(ctx.ensure_object(ScriptInfo).load_app())
        from flask_migrate.cli import db as commands

        self.params, self.callback = commands.params, commands.callback
        return commands

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        self._load(ctx)
        return super().parse_args(ctx, args)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return self._load(ctx).list_commands(ctx)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        return self._load(ctx).get_command(ctx, name)


def init_app(app: Flask) -> None:
    app.extensions["migrate"] = _NotYetSetUp(app)
    app.cli.add_command(_DbCommands("db", help="Perform database migrations (Flask-Migrate)."))
