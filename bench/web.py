"""Web benchmark (issue 11): hello / vote POST / member home / results, on SQLite and (when YC_TEST_POSTGRES_URL is
set) on PostgreSQL. Not a test, not run by CI: it prints figures beside their targets so the next change can compare.

For each request it prints
  - requests per second through gunicorn (3 workers) over HTTP, as a multiple of a bare Flask "hello" app served
    the same way in the same run (bounded by a request count, not by time; wrk is used when installed),
  - CPU milliseconds per request in-process (the Flask test client, best of a few runs),
  - SQL statements per request,
and then the p99 latency of 25 members pressing "vote" at the same moment (several bursts), and the floors in process
that the vote and the pages are measured against (a logged-in request that only redirects; the smallest logged-in page
in the layout; the least a vote can do in this stack, a route of the benchmark's own: see ``add_least_vote``), and
what a full garbage collection costs after start-up, before and after ``gc.freeze()`` (``youthcouncil.wsgi``).

Usage: .venv/bin/python bench/web.py [--requests N] [--bursts N] [--skip-http]
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
RANK_RE = re.compile(r'name="rank-(\d+)"')

#: (name, target for "× hello", target CPU ms, target statements)
TARGETS = {
    "hello": (None, None, None),
    "vote POST": (0.10, 2.0, 8),
    "member home": (None, 3.0, 12),
    "results": (None, None, 12),
}
BURST_TARGET_MS = {"sqlite": 300.0, "postgresql": None}
#: In-process only, no target: what any logged-in page costs before its own work, and the least a vote can do.
FLOORS = ("logged in, / -> 303", "smallest page in the layout", "least a vote can do")
VOTERS = 25


# --- The database and the app ---------------------------------------------------------------------------------------


def prepare(database_url: str | None, folder: Path) -> dict[str, str]:
    """Make a fresh database with the demo data; return the environment the app runs with."""
    env = {
        "YC_INSTANCE_PATH": str(folder),
        "SECRET_KEY": "bench-" + uuid.uuid4().hex,
        "DATABASE_URL": database_url or f"sqlite:///{folder / 'bench.sqlite3'}",
    }
    os.environ.update(env)
    from youthcouncil import create_app
    from youthcouncil.extensions import db

    app = create_app()
    with app.app_context():
        db.drop_all()
        db.create_all()
        from tests.scale import seed_scaled

        seed_scaled(1)
        db.session.remove()
        db.engine.dispose()
    return env


class Site:
    """What the requests need: the app, the members' session cookies and CSRF tokens, the ballot's themes."""

    def __init__(self):
        from youthcouncil import create_app

        self.app = create_app()
        self.app.config["RATELIMIT_ENABLED"] = False
        from youthcouncil.extensions import db, limiter

        limiter.enabled = False
        self.db = db
        add_least_vote(self.app)
        with self.app.app_context():
            from tests.scale import user_named
            from youthcouncil.safety_week import services

            round_ = services.voting_round_now()
            self.vote_url = f"/safety-week/rounds/{round_.id}/vote"
            self.member_ids = [user_named(f"medlem{i + 1:02d}").get_id() for i in range(VOTERS)]
        self.cookie_name = self.app.config["SESSION_COOKIE_NAME"]
        self.cookies: list[str] = []
        self.tokens: list[str] = []
        for user_id in self.member_ids:
            client = self.app.test_client()
            self._log_in(client, user_id)
            page = client.get(self.vote_url).get_data(as_text=True)
            self.tokens.append(CSRF_RE.search(page).group(1))
            self.cookies.append(client.get_cookie(self.cookie_name).value)
            self.themes = RANK_RE.findall(page)

    @staticmethod
    def _log_in(client, user_id: str) -> None:
        from youthcouncil.db import utcnow

        now = utcnow().isoformat()
        with client.session_transaction() as session:
            session["_user_id"] = user_id
            session["_fresh"] = True
            session["login_at"] = now
            session["seen_at"] = now
            session.permanent = True

    def vote_form(self, i: int) -> dict[str, str]:
        order = self.themes[i % len(self.themes) :] + self.themes[: i % len(self.themes)]
        form = {"csrf_token": self.tokens[i], "idempotency_key": str(uuid.uuid4())}
        form.update({f"rank-{theme}": str(place) for place, theme in enumerate(order, start=1)})
        return form

    def client(self, i: int):
        client = self.app.test_client()
        client.set_cookie(self.cookie_name, self.cookies[i])
        return client


def add_least_vote(app) -> None:
    """POST /bench/least-vote: the least a vote can do in this stack, to compare the vote with.

    The member's session and user (the app's loader and access check), a CSRF-checked form, one read and one write
    through SQLAlchemy Core in a table of its own, the commit, a flashed receipt and the 303 redirect; no round, no
    sealing, no page.
    """
    import sqlalchemy as sa
    from flask import flash

    from youthcouncil.auth import Role, access
    from youthcouncil.safety_week.forms import BallotForm
    from youthcouncil.web import see_other

    table = sa.Table(
        "bench_least_vote",
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key", sa.String(36), unique=True, nullable=False),
        sa.Column("sealed", sa.LargeBinary, nullable=False),
    )
    with app.app_context():
        table.create(app.extensions["sqlalchemy"].engine, checkfirst=True)
    seen = sa.select(table.c.id).where(table.c.key == sa.bindparam("key"))

    @access(Role.member)
    def least_vote():
        from youthcouncil.extensions import db

        form = BallotForm()
        if not form.validate_on_submit():
            return "refused", 400
        key = form.idempotency_key.data
        if db.session.execute(seen, {"key": key}).first() is None:
            db.session.execute(sa.insert(table), {"key": key, "sealed": bytes(64)})
        db.session.commit()
        flash("Your vote is registered.", "receipt")
        return see_other("public.index")

    app.add_url_rule("/bench/least-vote", "bench_least_vote", least_vote, methods=["POST"])


# --- In-process: CPU per request, statements per request --------------------------------------------------------


def in_process(site: Site, runs: int = 5, per_run: int = 40) -> dict[str, tuple[float, int]]:
    """{name: (CPU ms per request, statements per request)}."""
    import sqlalchemy as sa
    from flask import Flask

    hello = Flask("hello")
    hello.add_url_rule("/", "hello", lambda: "Hello, World!")
    hello_client = hello.test_client()
    member = site.client(2)  # not the chair: a plain member's home
    voter = site.client(3)

    def vote(i):
        # The logged-in cookie each time, as over HTTP: the test client would otherwise keep every receipt the vote
        # flashes (a person reads it on the next page), and the session would grow with each request.
        voter.set_cookie(site.cookie_name, site.cookies[3])
        return voter.post(site.vote_url, data=site.vote_form(3))

    def least_vote(i):
        voter.set_cookie(site.cookie_name, site.cookies[3])
        return voter.post("/bench/least-vote", data=site.vote_form(3))

    requests = {
        "hello": lambda i: hello_client.get("/"),
        "vote POST": vote,
        "member home": lambda i: member.get("/home"),
        "results": lambda i: member.get("/safety-week/results"),
        # The floors under every page: a logged-in request that only redirects (session, user, hooks), and the
        # smallest logged-in page (a two-field form in the layout).
        FLOORS[0]: lambda i: member.get("/"),
        FLOORS[1]: lambda i: member.get("/passphrase"),
        FLOORS[2]: least_vote,
    }
    expected = {"hello": 200, "vote POST": 303, "member home": 200, "results": 200}
    expected.update({FLOORS[0]: 303, FLOORS[1]: 200, FLOORS[2]: 303})
    figures = {}
    with site.app.app_context():
        engine = site.db.engine
    for name, send in requests.items():
        statements = [0]

        def count(*_args, _statements=statements):
            _statements[0] += 1

        status = send(0).status_code
        if status != expected[name]:
            raise SystemExit(f"{name}: HTTP {status}, expected {expected[name]}")
        sa.event.listen(engine, "before_cursor_execute", count)
        send(0)
        sa.event.remove(engine, "before_cursor_execute", count)
        best = float("inf")
        for _ in range(runs):
            started = time.process_time()
            for i in range(per_run):
                send(i)
            best = min(best, (time.process_time() - started) / per_run * 1000)
        figures[name] = (best, statements[0] if name != "hello" else 0)
    return figures


# --- Over HTTP, through gunicorn -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Gunicorn:
    def __init__(self, app: str, env: dict[str, str]):
        self.port = free_port()
        command = [
            str(Path(sys.executable).parent / "gunicorn"),
            "--workers",
            "3",
            "--preload",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--log-level",
            "warning",
            app,
        ]
        self.started = time.monotonic()
        self.process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env, "PYTHONPATH": str(ROOT)})
        self.first_response = self._wait()

    def _wait(self) -> float:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                connection.request("GET", "/")
                connection.getresponse().read()
                return time.monotonic() - self.started
            except OSError:
                if self.process.poll() is not None:
                    raise SystemExit("gunicorn did not start") from None
                time.sleep(0.05)
        raise SystemExit("gunicorn did not answer within 60 s")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)


def load(port: int, make_request, total: int, concurrency: int = 6) -> float:
    """Send ``total`` requests from ``concurrency`` threads (one keep-alive connection each); return requests/s."""
    counter = iter(range(total))
    lock = threading.Lock()
    failures: list[str] = []

    def worker():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                break
            method, path, body, headers, expected = make_request(i)
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            if response.status != expected:
                failures.append(f"{method} {path}: {response.status}")
        connection.close()

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if failures:
        raise SystemExit(f"{len(failures)} failed requests, e.g. {failures[0]}")
    return total / elapsed


def http_requests(site: Site):
    def get(path, i):
        return "GET", path, None, {"Cookie": f"{site.cookie_name}={site.cookies[i % VOTERS]}"}, 200

    def vote(i):
        n = i % VOTERS
        body = urlencode(site.vote_form(n))
        headers = {
            "Cookie": f"{site.cookie_name}={site.cookies[n]}",
            "Content-Type": "application/x-www-form-urlencoded",
        }
        return "POST", site.vote_url, body, headers, 303

    return {
        "vote POST": vote,
        "member home": lambda i: get("/home", i),
        "results": lambda i: get("/safety-week/results", i),
    }


def burst(site: Site, port: int, bursts: int) -> list[float]:
    """``bursts`` times: 25 members, each on an open connection, press "vote" at one moment. Latencies in ms."""
    latencies: list[float] = []
    for _ in range(bursts):
        barrier = threading.Barrier(VOTERS)
        lock = threading.Lock()

        def voter(n: int, _barrier=barrier, _lock=lock):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            connection.connect()
            body = urlencode(site.vote_form(n))
            headers = {
                "Cookie": f"{site.cookie_name}={site.cookies[n]}",
                "Content-Type": "application/x-www-form-urlencoded",
            }
            _barrier.wait()
            started = time.perf_counter()
            connection.request("POST", site.vote_url, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            took = (time.perf_counter() - started) * 1000
            connection.close()
            if response.status != 303:
                raise SystemExit(f"vote in the burst: HTTP {response.status}")
            with _lock:
                latencies.append(took)

        threads = [threading.Thread(target=voter, args=(n,)) for n in range(VOTERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        time.sleep(0.2)
    return latencies


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.99 * (len(ordered) - 1))))]


# --- Start-up ---------------------------------------------------------------------------------------------------

START_TARGET_S = 1.5
_START = """
import gc, sys, time
wall, cpu = time.perf_counter(), time.process_time()
from youthcouncil import create_app
create_app()
wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
full = time.perf_counter()
gc.collect()
full = time.perf_counter() - full
gc.freeze()  # as youthcouncil.wsgi does
frozen = time.perf_counter()
gc.collect()
frozen = time.perf_counter() - frozen
print(wall, cpu, int("alembic" in sys.modules), full, frozen)
"""


def start_up(env: dict[str, str], runs: int = 3) -> tuple[float, float, bool, float, float]:
    """Best (wall s, CPU s) of import + create_app in a fresh interpreter, whether Alembic was imported, and the
    best times (s) of a full garbage collection after it, before and after ``gc.freeze()``."""
    best_wall, best_cpu, alembic = float("inf"), float("inf"), False
    best_full, best_frozen = float("inf"), float("inf")
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, "-c", _START],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, **env, "PYTHONPATH": str(ROOT)},
        )
        wall, cpu, imported, full, frozen = done.stdout.split()
        best_wall, best_cpu = min(best_wall, float(wall)), min(best_cpu, float(cpu))
        best_full, best_frozen = min(best_full, float(full)), min(best_frozen, float(frozen))
        alembic = alembic or imported == "1"
    return best_wall, best_cpu, alembic, best_full, best_frozen


# --- The report -------------------------------------------------------------------------------------------------


def verdict(value: float | None, target: float | None, higher_is_better: bool = False) -> str:
    if value is None or target is None:
        return ""
    met = value >= target if higher_is_better else value <= target
    return "ok" if met else "NOT MET"


def run(backend: str, database_url: str | None, args) -> None:
    folder = Path(tempfile.mkdtemp(prefix=f"yc-bench-{backend}-"))
    try:
        env = prepare(database_url, folder)
        started = start_up(env) if backend == "sqlite" else None
        site = Site()
        cpu = in_process(site)
        rps: dict[str, float] = {}
        burst_ms: list[float] = []
        first_response = None
        if not args.skip_http:
            hello = Gunicorn("bench.hello:app", env)
            try:
                load(hello.port, lambda i: ("GET", "/", None, {}, 200), args.requests // 4)  # warm up
                rps["hello"] = load(hello.port, lambda i: ("GET", "/", None, {}, 200), args.requests)
            finally:
                hello.stop()
            server = Gunicorn("youthcouncil.wsgi:app", env)
            first_response = server.first_response
            try:
                requests = http_requests(site)
                for name, make in requests.items():
                    load(server.port, make, max(VOTERS, args.requests // 20))  # warm up every worker
                    rps[name] = load(server.port, make, args.requests // 4)
                burst_ms = burst(site, server.port, args.bursts)
            finally:
                server.stop()
        print(f"\n== {backend}: demo data, gunicorn 3 workers ==")
        print(f"{'request':<13} {'× hello':>9} {'target':>7}   {'CPU ms':>7} {'target':>7}   {'SQL':>4} {'target':>6}")
        for name, (ratio_target, cpu_target, sql_target) in TARGETS.items():
            cpu_ms, statements = cpu[name]
            ratio = rps[name] / rps["hello"] if rps else None
            ratio_text = f"{ratio:9.3f}" if ratio is not None else f"{'-':>9}"
            print(
                f"{name:<13} {ratio_text} {_t(ratio_target, '≥'):>7} {verdict(ratio, ratio_target, True):<7}"
                f" {cpu_ms:7.2f} {_t(cpu_target, '≤'):>7} {verdict(cpu_ms, cpu_target):<7}"
                f" {statements:4d} {_t(sql_target, '≤'):>6} {verdict(statements, sql_target)}"
            )
        if rps:
            print(f"(hello: {rps['hello']:.0f} requests/s over HTTP)")
        print(
            "floors, CPU ms in process: "
            + "; ".join(f"{name} {cpu[name][0]:.2f} ({cpu[name][1]} SQL)" for name in FLOORS)
        )
        if started:
            wall, cpu, alembic, full, frozen = started
            print(
                f"import + create_app: {wall:.2f} s ({cpu:.2f} s CPU)  target ≤{START_TARGET_S:g} s"
                f" {verdict(wall, START_TARGET_S)}; Alembic imported: {'yes' if alembic else 'no'}"
            )
            print(
                f"a full garbage collection after start-up: {full * 1000:.1f} ms;"
                f" after gc.freeze() (youthcouncil.wsgi): {frozen * 1000:.1f} ms"
            )
        if first_response is not None:
            print(f"first response {first_response:.2f} s after gunicorn --preload started")
        if burst_ms:
            target = BURST_TARGET_MS.get(backend)
            worst = p99(burst_ms)
            print(
                f"25 members voting at one moment ({args.bursts} bursts): p99 {worst:.0f} ms"
                f" (median {statistics.median(burst_ms):.0f} ms)  target {_t(target, '≤')} {verdict(worst, target)}"
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _t(target: float | None, sign: str) -> str:
    return f"{sign}{target:g}" if target is not None else "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000, help="requests per measurement over HTTP")
    parser.add_argument("--bursts", type=int, default=8, help="bursts of 25 voters")
    parser.add_argument("--skip-http", action="store_true", help="only the in-process figures")
    args = parser.parse_args()
    backends = [("sqlite", None)]
    if os.environ.get("YC_TEST_POSTGRES_URL"):
        backends.append(("postgresql", os.environ["YC_TEST_POSTGRES_URL"]))
    for backend, url in backends:
        run(backend, url, args)


if __name__ == "__main__":
    main()
