"""youthcouncil/db_setup.py: on SQLite pages that only read never wait for the one write lock and writers queue for
it (PostgreSQL has neither problem: MVCC readers, row locks); on both, a forked worker opens its own connections."""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import time

import pytest
import sqlalchemy as sa

from tests.conftest import log_in, text
from youthcouncil.db_setup import QueuedWritersConnection


@pytest.fixture
def sqlite_file(db) -> str:
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's write lock")
    return db.engine.url.database


def _queue_is_free(path: str) -> bool:
    """Can another process's writer take the queue's file lock now?"""
    fd = os.open(f"{path}.writers", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
    return True


def test_a_page_loads_while_another_worker_holds_the_write_lock(client, db, world, sqlite_file):
    log_in(client, world.users["member"])
    db.session.rollback()  # the test's own reads (outside a request: a writer's transaction) end here
    other_worker = sqlite3.connect(sqlite_file, isolation_level=None, timeout=0)
    other_worker.execute("BEGIN IMMEDIATE")  # a vote being written in another worker
    try:
        started = time.monotonic()
        response = client.get("/home")
        waited = time.monotonic() - started
    finally:
        other_worker.rollback()
        other_worker.close()
    assert response.status_code == 200, text(response)[:300]
    # A reader that took the write lock would wait the whole busy timeout (15 s) and then fail.
    assert waited < 5, f"the page waited {waited:.1f} s for the write lock"


def test_a_writer_holds_the_queue_from_its_begin_until_its_commit(app, db, world, sqlite_file):
    from youthcouncil.accounts.models import User

    db.session.rollback()
    assert _queue_is_free(sqlite_file)
    user = db.session.get(User, world.users["member"].id)  # outside a request every transaction is a writer's
    assert isinstance(db.session.connection().connection.driver_connection, QueuedWritersConnection)
    assert not _queue_is_free(sqlite_file)
    user.first_name = "Endret"
    db.session.commit()
    assert _queue_is_free(sqlite_file)
    db.session.get(User, user.id)
    assert not _queue_is_free(sqlite_file)
    db.session.rollback()
    assert _queue_is_free(sqlite_file)


def test_queued_writers_all_get_through_one_at_a_time(app, db, world, sqlite_file):
    """Twelve writers at once, each holding its transaction a moment: all twelve commit, none overlaps another."""
    from tests.threads import at_once

    member_id = world.users["member"].id
    inside, overlaps, lock = [0], [0], threading.Lock()

    def write(_i: int) -> str:
        db.session.execute(sa.text("UPDATE users SET first_name = first_name WHERE id = :id"), {"id": member_id})
        with lock:
            inside[0] += 1
            overlaps[0] += inside[0] > 1
        time.sleep(0.01)  # the transaction stays open a moment: another writer inside now would be an overlap
        with lock:
            inside[0] -= 1
        return "committed"

    outcomes = at_once(app, 12, write)
    assert outcomes == ["committed"] * 12
    assert overlaps[0] == 0
    assert _queue_is_free(sqlite_file)


def test_a_forked_worker_opens_its_own_connections(app, db, world):
    """gunicorn --preload forks the workers from the process that made the app: a connection pooled there is not
    handed on to them (on either database)."""
    db.session.execute(sa.text("SELECT 1"))
    db.session.commit()
    db.session.remove()
    assert db.engine.pool.checkedin() >= 1
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # the worker
        os.close(read)
        os.write(write, str(db.engine.pool.checkedin()).encode())
        os._exit(0)
    os.close(write)
    in_child = os.read(read, 16).decode()
    os.close(read)
    os.waitpid(child, 0)
    assert in_child == "0"
    assert db.engine.pool.checkedin() >= 1  # the parent keeps its own
