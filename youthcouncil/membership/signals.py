"""What membership tells the other domains (see ``youthcouncil.signals``)."""

from youthcouncil.signals import Namespace

_signals = Namespace()

term_closed = _signals.signal(
    "term-closed",
    """The coordinator closed a term: its memberships are inactive and its members' sessions ended. The sender is
    the ``Term``; ``by`` is who closed it. Sent inside the closing transaction.
    """,
)

minimise_personal_data = _signals.signal(
    "minimise-personal-data",
    """The retention run found former members whose last term ended more than the retention period ago. Called with
    ``user_ids``; each domain removes or neutralises what it holds about those people (free texts, links to them),
    keeping the council's decisions as anonymous records, and returns how many rows it changed. Runs every day with
    the same people again, so receivers must be idempotent.
    """,
)
