"""Engine options, and per-connection settings: SQLite gets WAL, foreign keys, a busy timeout and write-safe
transactions."""

from pathlib import Path
from typing import Any

import sqlalchemy as sa


def engine_options(configured: dict[str, Any] | None) -> dict[str, Any]:
    """The configured engine options, always with ``hide_parameters``.

    Without it an error's message (and so every logged traceback) carries the statement's values: a failed ballot
    write would put a voter link, a failed login the username, into the log.
    """
    return {**(configured or {}), "hide_parameters": True}


def configure_engine_events(engine: sa.Engine) -> None:
    if engine.dialect.name != "sqlite":
        return

    @sa.event.listens_for(engine, "do_connect")
    def _make_folder(_dialect, _record, cargs, _cparams):
        # The database file's folder (instance/) is made on the first connection, not at start.
        database = engine.url.database
        if database not in (None, "", ":memory:") and not database.startswith("file:"):
            Path(database).parent.mkdir(parents=True, exist_ok=True)

    @sa.event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record):
        # Let SQLAlchemy (not pysqlite) start transactions, so that they can start as IMMEDIATE below.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=15000")
        # Overwrite deleted rows (erased ballot links, minimised names) instead of leaving them in free pages.
        cursor.execute("PRAGMA secure_delete=ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _begin_immediate(connection):
        # A deferred transaction that reads and then writes can deadlock against another one doing the same
        # (SQLITE_BUSY at once, busy timeout or not). Taking the write lock at BEGIN makes writers queue instead.
        connection.exec_driver_sql("BEGIN IMMEDIATE")
