"""Throttle tests run twice: on the in-memory counters (one process) and on a real Redis (several processes)."""

from __future__ import annotations

import pytest
from limits.storage import storage_from_string

from tests.conftest import FormClient
from tests.factories import PASSPHRASE


@pytest.fixture(params=["memory", "redis"])
def throttle_storage(request, app):
    """Point the app's throttle counters at the storage named by the parameter, emptied."""
    if request.param == "memory":
        yield "memory://"
        return
    url = request.getfixturevalue("redis_url")
    storage = storage_from_string(url)
    storage.reset()
    saved = app.extensions["yc_throttle"]
    app.extensions["yc_throttle"] = storage
    yield url
    app.extensions["yc_throttle"] = saved


class Visitor:
    """One browser (its own cookies) at one network address."""

    def __init__(self, app, address: str):
        self.client: FormClient = app.test_client()
        self.address = address

    def post(self, url: str, data: dict, page: str):
        return self.client.submit(url, data, page=page, environ_base={"REMOTE_ADDR": self.address})

    def log_in(self, username: str, passphrase: str = PASSPHRASE):
        return self.post("/login", {"username": username, "passphrase": passphrase}, page="/login")

    def log_out(self):
        return self.post("/logout", {}, page="/home")


@pytest.fixture
def visitor(app):
    """``visitor("192.0.2.10")``: a fresh browser (no cookies) at that address."""
    return lambda address: Visitor(app, address)
