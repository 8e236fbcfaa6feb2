"""Run the same work in many threads released at one moment: for the tests that count exact successes under races."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable


def at_once(app, n: int, work: Callable[[int], object]) -> list[str]:
    """``work(i)`` in ``n`` threads released together, each with its own app and request context (so its own
    session); commits after it. Returns each thread's outcome: ``str`` of what ``work`` returned, or
    ``"error: <type>: <message>"`` (rolled back). A test asserts exactly how many of each it expects.

    The test's own session ends its transaction first: on SQLite a transaction holds the write lock from its first
    read, so a test that read ``obj.id`` after a commit would make every thread fail with "database is locked".
    To make the threads race after they have all read something, ``work`` waits on a barrier of its own."""
    from youthcouncil.extensions import db

    db.session.rollback()  # the test's session must not hold SQLite's write lock while the threads run
    barrier = threading.Barrier(n)
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(i: int) -> None:
        with app.app_context(), app.test_request_context():
            barrier.wait(timeout=60)
            try:
                outcome = str(work(i))
                db.session.commit()
            except Exception as error:  # noqa: BLE001 - reported in the outcomes, asserted by the test
                db.session.rollback()
                outcome = f"error: {type(error).__name__}: {error}"
            finally:
                db.session.remove()
            with lock:
                outcomes.append(outcome)

    pool = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(timeout=120)
    assert len(outcomes) == n, f"{n - len(outcomes)} of {n} threads did not finish"
    return outcomes


def tally(outcomes: list[str]) -> Counter[str]:
    """How many threads had each outcome, an error counted by its type: ``{"ok": 3, "BudgetError": 5}``."""
    return Counter(o.split(":")[1].strip() if o.startswith("error: ") else o for o in outcomes)
