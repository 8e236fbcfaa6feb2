"""What the motions domain tells the domains whose subjects the council votes on (see ``youthcouncil.signals``).

The sender of every signal here is the motion's ``subject_type`` (e.g. ``"budget_grant"``), so a domain connects
with ``connect_via(<its subject type>)`` and hears only about its own motions.
"""

from youthcouncil.signals import Namespace

_signals = Namespace()

motion_decided = _signals.signal(
    "motion-decided",
    """A motion was closed with a decision, by the phone vote or by a hand count. Sent inside the closing
    transaction with ``motion`` and ``result`` (a ``youthcouncil.voting.motion.MotionResult``): what a receiver
    changes commits together with the decision, or not at all.
    """,
)

motion_cancelled = _signals.signal(
    "motion-cancelled",
    """The chair stopped an open motion without a decision (its votes are deleted). Sent inside the same
    transaction with ``motion``: the subject can go back to where it was before the vote.
    """,
)

subject_link = _signals.signal(
    "subject-link",
    """Where the motion page links back to the subject. Called with ``motion`` and ``user`` (the reader); expected
    to return ``(endpoint, values)`` for ``url_for``. No answer: no link.
    """,
)

subject_visible = _signals.signal(
    "subject-visible",
    """May ``user`` see this ``motion`` at all? Return False to hide it (e.g. a vote on a draft response that is
    not public yet); the motion's own rules apply on top. No answer: visible.
    """,
)

subject_title = _signals.signal(
    "subject-title",
    """The motion's title in the reader's language, for ``motion``. No answer: the title stored when it opened.""",
)

subjects_listed = _signals.signal(
    "subjects-listed",
    """A page is about to show these ``motions`` (all of the sender's subject type) with their titles and links: load
    what the answers above will need in one query, so that a list costs the same whatever its length. Return what
    was loaded; the caller keeps it while the page renders (the session holds unchanged rows only weakly).
    """,
)
