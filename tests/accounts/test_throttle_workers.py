"""The README's numbers, measured over real HTTP against gunicorn with 3 workers whose counters share one Redis.

Requests reach the app through a pretend proxy (``TRUSTED_PROXIES=1``), so each request can come from the address
the test chooses, as on the internet or on a school network.
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
from limits.storage import storage_from_string

from tests.conftest import CSRF_RE
from tests.factories import PASSPHRASE, make_member
from youthcouncil.config import PROJECT_ROOT

WORKERS = 3
SCHOOL = "192.0.2.10"
WRONG = "feil feil feil"
THROTTLE_SETTINGS = (
    "LOGIN_DEVICE_LIMIT",
    "LOGIN_ACCOUNT_ADDRESS_LIMIT",
    "LOGIN_ACCOUNT_LIMIT",
    "LOGIN_ADDRESS_LIMIT",
    "ACTIVATION_CLIENT_LIMIT",
    "ACTIVATION_ATTEMPT_LIMIT",
)


class Browser:
    """A browser at one address: keeps its cookies, loads the page for a CSRF token, then posts the form."""

    def __init__(self, port: int, address: str):
        self.port, self.address, self.cookies = port, address, {}

    def send(self, method: str, path: str, fields: dict | None = None) -> tuple[int, str]:
        headers = {"X-Forwarded-For": self.address}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if fields is not None:
            body = urlencode(fields)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode()
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    if morsel["max-age"] == "0":
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value
            return response.status, text
        finally:
            connection.close()

    def post(self, path: str, fields: dict, page: str) -> int:
        status, text = self.send("GET", page)
        assert status == 200, (page, status)
        return self.send("POST", path, {**fields, "csrf_token": CSRF_RE.search(text).group(1)})[0]

    def log_in(self, username: str, passphrase: str = PASSPHRASE) -> int:
        return self.post("/login", {"username": username, "passphrase": passphrase}, page="/login")

    def activate(self, code: str) -> int:
        fields = {"code": code, "passphrase": "sol og vind", "confirm": "sol og vind"}
        return self.post("/activate", fields, page="/activate")


class Server:
    def __init__(self, port: int, access_log: Path):
        self.port, self.access_log = port, access_log

    def browser(self, address: str) -> Browser:
        return Browser(self.port, address)

    def worker_pids(self, path: str) -> set[str]:
        """The gunicorn workers that answered POSTs to ``path`` (from the access log)."""
        lines = self.access_log.read_text().splitlines()
        return {line.split()[0] for line in lines if line.endswith(f" POST {path}")}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def server(app, db, redis_url, tmp_path):
    """gunicorn with 3 workers on this test's database; throttle counters in Redis (database 1), emptied."""
    counters = redis_url.rsplit("/", 1)[0] + "/1"
    storage_from_string(counters).reset()
    port, access_log = _free_port(), tmp_path / "access.log"
    env = {key: value for key, value in os.environ.items() if key not in THROTTLE_SETTINGS}
    env.update(
        DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
        RATELIMIT_STORAGE_URI=counters,
        TRUSTED_PROXIES="1",
        SECRET_KEY="gunicorn-test-secret",
        YC_INSTANCE_PATH=str(tmp_path / "instance"),
    )
    command = [sys.executable, "-m", "gunicorn", "--workers", str(WORKERS), "--bind", f"127.0.0.1:{port}"]
    command += ["--access-logfile", str(access_log), "--access-logformat", "%(p)s %(s)s %(m)s %(U)s"]
    db.session.remove()  # the workers need the database: hold no transaction (SQLite locks at BEGIN)
    with open(tmp_path / "gunicorn.log", "wb") as errors:
        process = subprocess.Popen([*command, "youthcouncil:create_app()"], cwd=PROJECT_ROOT, env=env, stderr=errors)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if Browser(port, "127.0.0.1").send("GET", "/login")[0] == 200:
                    break
            except OSError:
                pass
            assert process.poll() is None and time.monotonic() < deadline, (tmp_path / "gunicorn.log").read_text()
            time.sleep(0.2)
        yield Server(port, access_log)
    finally:
        process.terminate()
        process.wait(timeout=60)


@pytest.fixture
def accounts(db, world):
    """Members medlem05 … medlem08 and two activation codes nobody has used; returns the codes."""
    from youthcouncil.accounts.services import issue_activation_code

    for n in range(5, 9):
        make_member(world.term, world.schools[0], username=f"medlem{n:02d}")
    newcomers = [make_member(world.term, world.schools[1], activated=False) for _ in range(2)]
    codes = [issue_activation_code(user).code for user in newcomers]
    db.session.commit()
    return codes


def _until_429(send, limit: int = 400) -> int:
    """How many requests it takes to get the first 429 (that request included)."""
    for n in range(1, limit + 1):
        status = send(n)
        if status == 429:
            return n
        assert status == 200, (n, status)
    raise AssertionError(f"no 429 in {limit} requests")


def _at_once(send, count: int) -> list[int]:
    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(send, range(count)))


def test_the_documented_limits_hold_across_three_workers(server, accounts):
    # A known device: medlem05 logged in on her phone at home before.
    phone = server.browser("198.51.100.5")
    assert phone.log_in("medlem05") == 303 and phone.post("/logout", {}, page="/home") == 303
    tablet = server.browser("198.51.100.6")
    assert tablet.log_in("medlem06") == 303 and tablet.post("/logout", {}, page="/home") == 303

    # Per account from one address: the 11th wrong passphrase is refused. The issue's attacker at school, with 8
    # requests at a time spread over the workers: exactly 10 guesses are checked.
    attacker = [server.browser(SCHOOL) for _ in range(40)]
    statuses = _at_once(lambda i: attacker[i].log_in("medlem05", f"{WRONG} {i}"), 40)
    assert sorted(statuses) == [200] * 10 + [429] * 30
    # medlem05 on her known phone and medlem06 on a new phone, both at the attacked school, get in.
    phone.address = SCHOOL
    assert phone.log_in("medlem05") == 303 and phone.post("/logout", {}, page="/home") == 303
    assert server.browser(SCHOOL).log_in("medlem06") == 303
    assert server.browser(SCHOOL).log_in("medlem05") == 429  # a new device of hers waits on that address
    assert _until_429(lambda n: server.browser("198.51.100.99").log_in("medlem07", WRONG)) == 11

    # Per account from every address without its device cookie: the 21st wrong passphrase is refused.
    assert _until_429(lambda n: server.browser(f"198.18.0.{n}").log_in("medlem08", WRONG)) == 21
    # Per device: the 11th wrong passphrase on a known device is refused, and only there.
    assert _until_429(lambda n: tablet.log_in("medlem06", WRONG)) == 11
    assert server.browser("198.51.100.7").log_in("medlem06") == 303

    # Per address: 240 guesses at 240 usernames from one address, 8 at a time: exactly 200 are checked.
    statuses = _at_once(lambda i: server.browser("192.0.2.20").log_in(f"elev{i:03d}", WRONG), 240)
    assert sorted(statuses) == [200] * 200 + [429] * 40
    phone.address = "192.0.2.20"
    assert phone.log_in("medlem05") == 303  # known devices still get in there
    assert server.browser("192.0.2.20").log_in("medlem07") == 429

    # Activation codes: the 11th wrong code from one browser is refused ...
    guesser = server.browser("192.0.2.30")
    assert _until_429(lambda n: guesser.activate("AAAA-BBBB-CCCC")) == 11
    assert server.browser("192.0.2.30").activate(accounts[0]) == 303  # ... not the classmate next to it
    # ... and from one address (a new browser for every guess, 8 at a time) exactly 300 wrong codes are checked.
    statuses = _at_once(lambda i: server.browser("192.0.2.40").activate("AAAA-BBBB-DDDD"), 320)
    assert sorted(statuses) == [200] * 300 + [429] * 20

    # All three workers answered, so the counts above were shared between them.
    assert len(server.worker_pids("/login")) == WORKERS
    assert len(server.worker_pids("/activate")) == WORKERS
