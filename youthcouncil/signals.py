"""How domains tell each other what happened: blinker signals, the way indico does it (``indico/core/signals``).

A domain that announces something defines its signals in its own ``signals.py`` with a ``Namespace`` from here
(motions: "motion decided", "motion cancelled"; membership: "term closed", "minimise personal data"; notifications:
"due now"). A domain that cares connects a receiver in its own module, e.g. in ``budget/ledger.py``::

    @motion_signals.motion_cancelled.connect_via(GRANT_SUBJECT)
    def _grant_vote_stopped(sender, *, motion, **kwargs): ...

and ``create_app`` imports that module, which connects it. Nobody checks whether another domain is installed: every
domain is, and a signal nobody listens to simply reaches nobody. Receivers take ``sender`` and keyword arguments
(accept ``**kwargs`` so a signal can grow); the docstring of each signal says what it passes and what it expects back.

Receivers run in the order they were connected (plain blinker leaves the order undefined), so a run of the demo or
of the reminders does the same thing every time.
"""

from __future__ import annotations

import blinker


class _InOrder(dict):
    """The set blinker keeps its receivers in, remembering the order they were added (a dict's keys do)."""

    def __init__(self, items=()) -> None:
        super().__init__(dict.fromkeys(items))

    def add(self, item) -> None:
        self[item] = None

    def discard(self, item) -> None:
        self.pop(item, None)

    def copy(self) -> _InOrder:
        return _InOrder(self)

    def __or__(self, other) -> _InOrder:
        return _InOrder([*self, *other])


class Signal(blinker.NamedSignal):
    set_class = _InOrder


class Namespace(blinker.Namespace):
    """blinker's Namespace, with signals that call their receivers in the order they were connected."""

    def signal(self, name: str, doc: str | None = None) -> Signal:
        if name not in self:
            self[name] = Signal(name, doc)
        return self[name]


_signals = Namespace()

seed_demo = _signals.signal(
    "seed-demo",
    """Sent by ``flask seed-demo`` once the core demo exists (municipality, schools, terms, an account for every
    role). The sender is the ``youthcouncil.demo.DemoData``; each domain adds its own demo data through its services.
    """,
)

demo_not_voted = _signals.signal(
    "demo-not-voted",
    """Asked by ``flask seed-demo`` (and so by ``make run``) to show a visitor whom to log in as. The sender is the
    list of demo members; each domain with a vote open now answers ``(the vote's name, the members who have not
    voted in it)``, or ``("", [])``.
    """,
)
