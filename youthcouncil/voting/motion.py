"""Yes/no/abstain motions with a quorum: adopting a consultation response, mid-year budget grants.

Quorum: at least half of the term's members took part (participants * 2 >= eligible). Taking part means
voting yes, no or abstain (phone votes), or being present at the meeting (hand count), which is why a
meeting may pass `present`. A motion is adopted when the quorum is met and there are more yes than no
votes; abstentions count towards the quorum only.
"""

from __future__ import annotations

from dataclasses import dataclass

ADOPTED = "adopted"
REJECTED_MORE_NO = "rejected_more_no"
TIE = "tie"
NO_QUORUM = "no_quorum"


@dataclass(frozen=True)
class MotionResult:
    yes: int
    no: int
    abstain: int
    participants: int
    eligible: int
    quorum_needed: int  # ceil(eligible / 2)
    quorum_met: bool
    adopted: bool
    reason: str  # adopted | rejected_more_no | tie | no_quorum


def _count(value: int, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be a whole number, got {value!r}")
    if value < 0:
        raise ValueError(f"{name} cannot be negative, got {value}")
    return value


def decide_motion(yes: int, no: int, abstain: int, eligible: int, present: int | None = None) -> MotionResult:
    """Decide a motion from its vote counts.

    Raises ValueError for impossible counts (negative, more votes or members present than eligible,
    fewer present than votes cast, no eligible members) and TypeError for counts that are not ints.

    `eligible` is the number of members in the term. `present` is the hand-counted number of members at
    the meeting; without it, participation is the number of votes cast (yes + no + abstain).
    """
    for value, name in ((yes, "yes"), (no, "no"), (abstain, "abstain"), (eligible, "eligible")):
        _count(value, name)
    if eligible == 0:
        raise ValueError("eligible must be at least 1: a term without members cannot decide anything")
    cast = yes + no + abstain
    if cast > eligible:
        raise ValueError(f"{cast} votes cast, but only {eligible} members are eligible")
    if present is None:
        participants = cast
    else:
        participants = _count(present, "present")
        if present < cast:
            raise ValueError(f"present ({present}) cannot be fewer than the votes cast ({cast})")
        if present > eligible:
            raise ValueError(f"present ({present}) cannot be more than the eligible members ({eligible})")

    quorum_met = participants * 2 >= eligible
    if not quorum_met:
        reason = NO_QUORUM
    elif yes > no:
        reason = ADOPTED
    elif yes == no:
        reason = TIE
    else:
        reason = REJECTED_MORE_NO
    return MotionResult(
        yes=yes,
        no=no,
        abstain=abstain,
        participants=participants,
        eligible=eligible,
        quorum_needed=(eligible + 1) // 2,
        quorum_met=quorum_met,
        adopted=reason == ADOPTED,
        reason=reason,
    )
