"""Yes/no/abstain motions with quorum."""

import pytest

from youthcouncil.voting.motion import MotionResult, decide_motion


def test_adopted_with_quorum():
    assert decide_motion(5, 3, 2, eligible=20) == MotionResult(
        yes=5,
        no=3,
        abstain=2,
        participants=10,
        eligible=20,
        quorum_needed=10,
        quorum_met=True,
        adopted=True,
        reason="adopted",
    )


@pytest.mark.parametrize(
    ("yes", "no", "abstain", "eligible", "present", "participants", "quorum_needed", "reason"),
    [
        (4, 3, 2, 20, None, 9, 10, "no_quorum"),  # 9 of 20 took part
        (4, 3, 2, 20, 10, 10, 10, "adopted"),  # a hand count: 10 present, one did not vote
        (3, 4, 3, 20, None, 10, 10, "rejected_more_no"),
        (4, 4, 2, 20, None, 10, 10, "tie"),
        (0, 0, 3, 5, None, 3, 3, "tie"),  # only abstentions: nothing is adopted
        (2, 1, 0, 5, None, 3, 3, "adopted"),  # odd term: 3 of 5 is half or more
        (1, 0, 1, 5, None, 2, 3, "no_quorum"),  # 2 of 5 is less than half
        (1, 0, 0, 1, None, 1, 1, "adopted"),
        (9, 0, 0, 9, 9, 9, 5, "adopted"),
        (0, 0, 0, 10, 5, 5, 5, "tie"),
    ],
)
def test_outcomes(yes, no, abstain, eligible, present, participants, quorum_needed, reason):
    result = decide_motion(yes, no, abstain, eligible, present)
    assert result.participants == participants
    assert result.quorum_needed == quorum_needed
    assert result.quorum_met == (reason != "no_quorum")
    assert result.reason == reason
    assert result.adopted == (reason == "adopted")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((-1, 0, 0, 10), "yes cannot be negative"),
        ((0, -1, 0, 10), "no cannot be negative"),
        ((0, 0, -2, 10), "abstain cannot be negative"),
        ((1, 0, 0, 0), "eligible must be at least 1"),
        ((1, 0, 0, -3), "eligible cannot be negative"),
        ((3, 2, 1, 10, 5), r"present \(5\) cannot be fewer than the votes cast \(6\)"),
        ((3, 2, 1, 10, 11), r"present \(11\) cannot be more than the eligible members \(10\)"),
        ((3, 2, 1, 10, -1), "present cannot be negative"),
        ((6, 5, 0, 10), "11 votes cast, but only 10"),
    ],
)
def test_invalid_input(args, message):
    with pytest.raises(ValueError, match=message):
        decide_motion(*args)


@pytest.mark.parametrize("args", [(1.5, 0, 0, 10), (True, 0, 0, 10), (1, 0, 0, 10, "3")])
def test_counts_must_be_ints(args):
    with pytest.raises(TypeError, match="must be a whole number"):
        decide_motion(*args)
