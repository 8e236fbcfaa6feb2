"""Shared fixtures: app, db (emptied after each test), client posting real forms with CSRF on, login_as(role)."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from tests import factories

ROLES = ("anonymous", "member", "chair", "school_rep", "clerk", "coordinator")
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def database_url(tmp_dir: Path) -> str:
    return os.environ.get("DATABASE_URL") or f"sqlite:///{tmp_dir / 'test.sqlite3'}"


class FormClient(FlaskClient):
    """A test client that posts forms the way a browser does: with the CSRF token from a real page."""

    def open(self, *args, **kwargs):
        # The test holds an app context, which Flask reuses for each request; clear what a request leaves in
        # ``g`` (the logged-in user, the CSRF token) so that each request starts as it would in production.
        from flask import g

        for name in list(vars(g)):
            delattr(g, name)
        return super().open(*args, **kwargs)

    def csrf_token(self, page: str = "/") -> str:
        response = self.get(page, follow_redirects=True)
        match = CSRF_RE.search(response.get_data(as_text=True))
        assert match, f"no CSRF token on {page}"
        return match.group(1)

    def submit(self, url: str, data: dict | None = None, *, page: str | None = None, **kwargs):
        """POST ``data`` to ``url`` with the CSRF token a browser would have from ``page`` (default: ``url``)."""
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf_token(page or "/"))
        return self.post(url, data=data, **kwargs)


@pytest.fixture(scope="session")
def _app(tmp_path_factory):
    from youthcouncil import create_app
    from youthcouncil.config import TestConfig
    from youthcouncil.extensions import db

    tmp_dir = tmp_path_factory.mktemp("instance")
    app = create_app(TestConfig(database_url=database_url(tmp_dir), instance_path=str(tmp_dir)))
    app.test_client_class = FormClient
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield app
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


def _empty_all_tables(db) -> None:
    from flask import current_app

    db.session.remove()
    with db.engine.begin() as connection:
        for table in reversed(db.metadata.sorted_tables):
            connection.execute(table.delete())
    # The key files of votes left open: their ballot boxes are gone with the tables.
    shutil.rmtree(current_app.config["VOTE_KEY_DIR"], ignore_errors=True)


@pytest.fixture
def app(_app):
    from youthcouncil.accounts import throttle
    from youthcouncil.extensions import db, limiter

    limiter.reset()
    throttle.storage_for(_app).reset()
    with _app.app_context():
        yield _app
        _empty_all_tables(db)


@pytest.fixture
def db(app):
    from youthcouncil.extensions import db as database

    return database


@pytest.fixture
def client(app) -> FormClient:
    return app.test_client()


@pytest.fixture
def in_request(app):
    """A request context (no language cookie: bokmål), for services that translate their messages or build links."""
    with app.test_request_context("/"):
        yield


@pytest.fixture
def world(db):
    """A municipality with two schools, a current term and one user for every role."""
    w = factories.make_world()
    db.session.commit()
    return w


def log_in(client: FlaskClient, user) -> None:
    """Put the user's session in the client's cookie (the login form itself is tested in tests/accounts)."""
    from youthcouncil.db import utcnow

    now = utcnow().isoformat()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
        session["login_at"] = now
        session["seen_at"] = now
        session.permanent = True


@pytest.fixture
def login_as(client, world):
    """``login_as("member")`` logs the client in as the world's user for that role and returns the user."""

    def _login(role: str):
        if role == "anonymous":
            with client.session_transaction() as session:
                session.clear()
            return None
        user = world.users[role]
        log_in(client, user)
        return user

    return _login


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"the shared test data is not at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    """A real redis-server (Debian's) on a free port for this test session; ``YC_REQUIRE_REDIS=1`` (CI) fails
    instead of skipping when it is not installed."""
    server = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not os.access(server, os.X_OK):
        if os.environ.get("YC_REQUIRE_REDIS") == "1":
            pytest.fail("YC_REQUIRE_REDIS=1 but redis-server is not installed")
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    folder = tmp_path_factory.mktemp("redis")
    options = ["--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(folder)]
    process = subprocess.Popen([server, *options], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"redis-server did not start on port {port}")
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(timeout=10)


def text(response) -> str:
    return response.get_data(as_text=True)


def count(db, model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where)) or 0


def pytest_sessionstart(session):
    if os.environ.get("YC_REQUIRE_DATA") == "1" and not SHARED_DATA.is_dir():
        raise pytest.UsageError(f"YC_REQUIRE_DATA=1 but the real election data is not at {SHARED_DATA}")
