"""Migrations build the schema from an empty database, and the models have nothing migrations lack."""

import os

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade


def _empty_database_url(tmp_path) -> str:
    """A database of its own, so that dropping everything here leaves the other tests' schema alone."""
    configured = os.environ.get("DATABASE_URL")
    if not configured:
        return f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
    url = sa.make_url(configured)
    name = f"{url.database}_migrations"
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def _fresh_app(tmp_path):
    from youthcouncil import create_app
    from youthcouncil.config import TestConfig

    return create_app(TestConfig(database_url=_empty_database_url(tmp_path), instance_path=str(tmp_path)))


def drop_schema(db, *old_tables: str) -> None:
    """Drop the models' tables, the migration record and ``old_tables`` (ones only an older revision has)."""
    db.session.remove()
    db.drop_all()
    cascade = " CASCADE" if db.engine.dialect.name == "postgresql" else ""
    with db.engine.begin() as connection:
        for table in ("alembic_version", *old_tables):
            connection.execute(sa.text(f"DROP TABLE IF EXISTS {table}{cascade}"))


def test_upgrade_from_empty_to_head_matches_the_models(tmp_path):
    from youthcouncil.db import render_migration_item
    from youthcouncil.extensions import db

    app = _fresh_app(tmp_path)
    with app.app_context():
        drop_schema(db)
        try:
            upgrade()
            with db.engine.connect() as connection:
                context = MigrationContext.configure(
                    connection, opts={"compare_type": True, "render_item": render_migration_item}
                )
                differences = compare_metadata(context, db.metadata)
            assert differences == [], f"models differ from migrations: {differences}"
            tables = set(sa.inspect(db.engine).get_table_names())
            assert {"users", "activation_codes", "schools", "terms", "memberships", "audit_events"} <= tables
            downgrade(revision="base")
            assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version"}
        finally:
            drop_schema(db)
            db.engine.dispose()
