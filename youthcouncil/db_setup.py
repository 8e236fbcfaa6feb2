"""Engine options, and per-connection settings: SQLite gets WAL, foreign keys, a busy timeout and write-safe
transactions.

On SQLite a transaction that may write starts with ``BEGIN IMMEDIATE`` (it takes the one write lock at once, so
writers queue on the busy timeout instead of failing), while the transactions of a request that only reads (GET,
HEAD, OPTIONS) start deferred: in WAL mode they read a snapshot and never wait for, nor hold up, a writer. A view
that must write on a GET (a provider's login callback) says so with ``@writes_on_get``. Outside a request (the CLI,
``flask notify``, the tests' threads) every transaction is a writer's.

Writers queue (not strictly first come): before its ``BEGIN IMMEDIATE`` a writer takes an exclusive ``flock`` on a
file next to the database (``<database>.writers``), and lets go when the transaction ends. A waiting writer tries the
lock again at least every 2 ms; SQLite's own busy handler would instead sleep 1, 2, 5 ... 100 ms between tries, so a
burst of votes spent most of its time asleep with the lock free. A writer that cannot get the file lock within the
busy timeout goes on to ``BEGIN IMMEDIATE`` regardless, and SQLite's own lock decides as before.
"""

from __future__ import annotations

import fcntl
import functools
import os
import sqlite3
import time
import warnings
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask, g, has_request_context, request
from sqlalchemy.orm import Session

#: Requests that must not change anything (RFC 9110's safe methods).
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_READS_ONLY = "_yc_reads_only"
#: Per transaction, on the connection: did it begin as a writer's (SQLite), which rows has it locked.
_WRITER = "yc_writer"
_LOCKED = "yc_locked_rows"
_WRITE_PREFIXES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


class WriteInReadOnlyRequest(RuntimeWarning):
    """A GET wrote to the database: on SQLite its deferred transaction may fail to get the write lock under load."""


def writes_on_get(view: Callable) -> Callable:
    """Mark a view that writes although the request is a GET: its transactions take SQLite's write lock at BEGIN."""
    view.writes_on_get = True
    return view


def reads_only() -> bool:
    """Is this a request that only reads (so its SQLite transactions start deferred)?"""
    return has_request_context() and g.get(_READS_ONLY, False)


def init_app(app: Flask) -> None:
    """Mark each request that only reads. Registered before any other hook can open a transaction."""

    @app.before_request
    def _mark_reads_only():
        view = app.view_functions.get(request.endpoint)
        if request.method in SAFE_METHODS and not getattr(view, "writes_on_get", False):
            g.setdefault(_READS_ONLY, True)

    @app.teardown_request
    def _unmark(_error=None):
        g.pop(_READS_ONLY, None)


def engine_options(configured: dict[str, Any] | None, database_url: str | None = None) -> dict[str, Any]:
    """The configured engine options, always with ``hide_parameters``; on a SQLite file, the writers' queue.

    Without ``hide_parameters`` an error's message (and so every logged traceback) carries the statement's values: a
    failed ballot write would put a voter link, a failed login the username, into the log. A SQLite file needs no
    ping before each use (there is no server to lose): that is one statement less per request.
    """
    options = {**(configured or {}), "hide_parameters": True}
    if database_url:
        url = sa.make_url(database_url)
        if url.get_backend_name() == "sqlite":
            options.pop("pool_pre_ping", None)
            extra = sqlite_connect_args(url)
            if extra:
                options["connect_args"] = {**options.get("connect_args", {}), **extra}
    return options


def note_locked(session: Session, obj: Any) -> None:
    """``obj``'s row was read with FOR UPDATE in this transaction (see ``is_locked``)."""
    session.connection().info.setdefault(_LOCKED, set()).add(sa.inspect(obj).identity_key)


def is_locked(session: Session, obj: Any) -> bool:
    """Is ``obj`` current and locked for the rest of this transaction, so that reading it again FOR UPDATE would
    change nothing? On SQLite, in a writer's transaction: it holds the database's one write lock since BEGIN, and
    whatever the session holds was read in it (committing or rolling back expires every object). Elsewhere: when
    its row was read with FOR UPDATE in this transaction (``note_locked``)."""
    connection = session.connection()
    if connection.dialect.name == "sqlite" and connection.info.get(_WRITER):
        return True
    return sa.inspect(obj).identity_key in connection.info.get(_LOCKED, ())


#: How long a writer waits for the queue's file lock before it leaves the waiting to SQLite (its busy timeout).
WRITER_QUEUE_TIMEOUT = 15.0


class QueuedWritersConnection(sqlite3.Connection):
    """A SQLite connection that holds the writers' file lock (see the module) from ``BEGIN IMMEDIATE`` until its
    transaction ends: the lock is let go after COMMIT or ROLLBACK has finished, never before."""

    queue_path: str | None = None
    _queue_fd: int | None = None

    def join_writers_queue(self) -> None:
        if self.queue_path is None or self._queue_fd is not None:
            return
        fd = os.open(self.queue_path, os.O_RDWR | os.O_CREAT, 0o600)
        deadline = time.monotonic() + WRITER_QUEUE_TIMEOUT
        pause = 0.0002
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() > deadline:
                    os.close(fd)  # SQLite's busy timeout decides from here
                    return
                time.sleep(pause)
                pause = min(pause * 2, 0.002)  # woken within 2 ms of the lock coming free
                continue
            self._queue_fd = fd
            return

    def leave_writers_queue(self) -> None:
        fd, self._queue_fd = self._queue_fd, None
        if fd is not None:
            os.close(fd)  # closing the file lets go of its lock

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self.leave_writers_queue()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.leave_writers_queue()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.leave_writers_queue()


def sqlite_connect_args(url: sa.URL) -> dict[str, Any]:
    """The connection class that queues writers, for a SQLite file database."""
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:") or url.database.startswith("file:"):
        return {}
    return {"factory": QueuedWritersConnection}


def _forget_connections_after_fork(engine_ref: weakref.ref) -> None:
    engine = engine_ref()
    if engine is not None:
        engine.dispose(close=False)  # the parent's connections stay the parent's; the child opens its own


def configure_engine_events(engine: sa.Engine) -> None:
    # gunicorn --preload forks its workers from the process that made the app: a pooled connection opened there
    # (none is today) would otherwise be shared by every worker, their statements mixed on one socket or file handle.
    os.register_at_fork(after_in_child=functools.partial(_forget_connections_after_fork, weakref.ref(engine)))

    @sa.event.listens_for(engine, "begin")
    def _new_transaction(connection):
        connection.info.pop(_LOCKED, None)
        connection.info[_WRITER] = False

    @sa.event.listens_for(engine, "before_cursor_execute")
    def _no_writes_in_reads(_conn, _cursor, statement, _parameters, _context, _executemany):
        if reads_only() and statement.lstrip()[:7].upper().startswith(_WRITE_PREFIXES):
            warnings.warn(
                f"{request.method} {request.endpoint} writes to the database: mark the view @writes_on_get",
                WriteInReadOnlyRequest,
                stacklevel=2,
            )

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
        if isinstance(dbapi_connection, QueuedWritersConnection):
            dbapi_connection.queue_path = f"{engine.url.database}.writers"
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=15000")
        # Overwrite deleted rows (erased ballot links, minimised names) instead of leaving them in free pages.
        cursor.execute("PRAGMA secure_delete=ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _begin(connection):
        if reads_only():
            # A snapshot for the whole page, without the write lock: readers never queue behind a vote.
            connection.exec_driver_sql("BEGIN")
        else:
            # A deferred transaction that reads and then writes can deadlock against another one doing the same
            # (SQLITE_BUSY at once, busy timeout or not). Taking the write lock at BEGIN makes writers queue.
            driver = connection.connection.driver_connection
            if isinstance(driver, QueuedWritersConnection):
                driver.join_writers_queue()
            connection.exec_driver_sql("BEGIN IMMEDIATE")
            connection.info[_WRITER] = True
