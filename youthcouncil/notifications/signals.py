"""What the notifications domain asks of the others (see ``youthcouncil.signals``)."""

from youthcouncil.signals import Namespace

_signals = Namespace()

due_now = _signals.signal(
    "due-now",
    """Sent at the start of every ``flask notify`` run (cron, every few minutes), before the e-mail outbox goes out,
    with ``now``. Receivers do what is due by then: write reminders (with dedupe keys, so a second run adds nothing),
    count a vote whose time is up. Each receiver runs in its own transaction; one that fails does not stop the others.
    """,
)
