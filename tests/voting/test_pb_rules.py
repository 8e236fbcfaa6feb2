"""Hand-computed outcomes of the participatory-budgeting rules."""

from fractions import Fraction

import pytest

from youthcouncil.voting.pb import (
    BELOW_THRESHOLD,
    FUNDED,
    NO_VOTES,
    NOT_ENOUGH_MONEY_LEFT,
    SUPPORTERS_SPENT_SHARE,
    Project,
    approval_scores,
    borda_points,
    equal_shares,
    greedy,
    greedy_threshold,
    points_scores,
)


def reasons(result):
    return {o.project_id: o.reason for o in result.outcomes}


# --------------------------------------------------------------------------------------------- greedy


def test_greedy_skips_what_does_not_fit_and_carries_on():
    projects = [Project("a", 60), Project("b", 50), Project("c", 30), Project("d", 10), Project("e", 5)]
    result = greedy(projects, 100, {"a": 9, "b": 8, "c": 7, "d": 6})
    assert result.selected == ("a", "c", "d")
    assert result.total_cost == 100
    assert result.money_left == 0
    assert result.rule == "greedy"
    assert reasons(result) == {
        "a": FUNDED,
        "b": NOT_ENOUGH_MONEY_LEFT,
        "c": FUNDED,
        "d": FUNDED,
        "e": NO_VOTES,
    }
    # b was looked at when 40 was left; that is what the app shows
    assert result.outcome("b").money_left == 40
    assert result.outcome("b").score == 8
    assert result.outcome("a").money_left is None


def test_greedy_ties_go_to_the_cheaper_project_then_the_given_order():
    projects = [Project("x", 70), Project("y", 40), Project("z", 40)]
    result = greedy(projects, 80, {"x": 5, "y": 5, "z": 5})
    # y and z (40) before x (70); y before z by the order given
    assert result.selected == ("y", "z")
    assert result.outcome("x").money_left == 0


def test_greedy_threshold_excludes_low_scores_even_when_they_fit():
    projects = [Project("a", 10), Project("b", 10), Project("c", 10)]
    result = greedy_threshold(projects, 100, {"a": 50, "b": 49, "c": 0}, threshold=50)
    assert result.selected == ("a",)
    assert result.rule == "greedy-threshold"
    assert reasons(result) == {"a": FUNDED, "b": BELOW_THRESHOLD, "c": NO_VOTES}


def test_greedy_validates_inputs():
    with pytest.raises(ValueError, match="budget"):
        greedy([Project("a", 1)], -1, {})
    with pytest.raises(ValueError, match="twice"):
        greedy([Project("a", 1), Project("a", 2)], 5, {})
    with pytest.raises(ValueError, match="cost"):
        greedy([Project("a", -1)], 5, {})
    with pytest.raises(ValueError, match="not on the list"):
        greedy([Project("a", 1)], 5, {"zz": 1})


def test_scores_from_ballots():
    projects = [Project("a", 1), Project("b", 1), Project("c", 1)]
    assert approval_scores(projects, [{"a", "b"}, ["a"], []]) == {"a": 2, "b": 1, "c": 0}
    assert points_scores(projects, [{"a": 2, "b": 1}, {"a": 3}]) == {"a": 5, "b": 1, "c": 0}
    assert borda_points(["c", "a"], 3) == {"c": 3, "a": 2}
    with pytest.raises(ValueError, match="not on the list"):
        approval_scores(projects, [{"q"}])
    with pytest.raises(ValueError, match="longer"):
        borda_points(["a", "b"], 1)
    with pytest.raises(ValueError, match="points"):
        points_scores(projects, [{"a": -1}])


# ---------------------------------------------------------------------------------------- equal shares

# Three voters like a and b, one voter likes c. Budget 100, so each voter's share is 25.
MAJORITY = [{"a", "b"}, {"a", "b"}, {"a", "b"}, {"c"}]
MAJORITY_PROJECTS = [Project("a", 50), Project("b", 50), Project("c", 25)]


def test_greedy_gives_the_majority_everything():
    scores = approval_scores(MAJORITY_PROJECTS, MAJORITY)
    assert greedy(MAJORITY_PROJECTS, 100, scores).selected == ("a", "b")


def test_equal_shares_without_completion_gives_the_minority_its_share():
    # a: the three pay 50/3 each (effective votes 3); b the same, a wins the tie by order.
    # Then the three have 25 - 50/3 = 8 1/3 each, 25 together: b (50) is out of reach.
    # c: the fourth voter pays its whole 25.
    result = equal_shares(MAJORITY_PROJECTS, 100, MAJORITY, completion=None)
    assert result.selected == ("a", "c")
    assert result.total_cost == 75
    assert result.rule == "equalshares"
    assert result.share_per_voter == 25
    # 25 is left but b costs 50
    assert result.outcome("b").reason == NOT_ENOUGH_MONEY_LEFT
    assert result.outcome("b").money_left == 25


def test_add1_stops_before_the_outcome_overspends():
    # b becomes affordable for the three once 3 * (s - 50/3) >= 50, i.e. a share s >= 33 1/3: at s = 34
    # the outcome a, b, c costs 125 > 100, so add1 keeps the s = 33 outcome.
    result = equal_shares(MAJORITY_PROJECTS, 100, MAJORITY)
    assert result.selected == ("a", "c")
    assert result.share_per_voter == 33
    assert result.rule == "equalshares/add1"
    assert result.comparison is None


def test_add1_funds_what_plain_equal_shares_cannot():
    # Share 25: a costs 60, its three supporters pay 20 each. b (30) is out of reach of its one
    # supporter (25), c (20) of v1 who has 5 left. From share 30 the fourth voter can pay for b
    # (total 90); from share 40 v1 has 20 left for c and the total would be 110 > 100.
    projects = [Project("a", 60), Project("b", 30), Project("c", 20)]
    ballots = [{"a", "c"}, {"a"}, {"a"}, {"b"}]
    plain = equal_shares(projects, 100, ballots, completion=None)
    assert plain.selected == ("a",)
    result = equal_shares(projects, 100, ballots)
    assert result.selected == ("a", "b")
    assert result.share_per_voter == 39
    assert result.total_cost == 90
    assert reasons(result) == {"a": FUNDED, "b": FUNDED, "c": NOT_ENOUGH_MONEY_LEFT}
    assert result.outcome("c").money_left == 10


def test_supporters_spent_share_when_money_is_left_but_not_theirs():
    # a (60) and b (30) both have three supporters: effective votes 3 each, the tie goes to the cheaper
    # b (10 each). Then v1..v3 keep 15 each, 45 < 60 for a. d (10) is paid by v4.
    # 60 is left over, enough for a, but a's supporters have spent their shares.
    projects = [Project("a", 60), Project("b", 30), Project("d", 10), Project("e", 10)]
    ballots = [{"a", "b"}, {"a", "b"}, {"a", "b"}, {"d"}]
    result = equal_shares(projects, 100, ballots, completion=None)
    assert result.selected == ("b", "d")
    assert result.money_left == 60
    assert reasons(result) == {"a": SUPPORTERS_SPENT_SHARE, "b": FUNDED, "d": FUNDED, "e": NO_VOTES}


def test_add1_funds_every_supported_project_when_they_all_fit():
    projects = [Project("a", 60), Project("b", 30), Project("d", 10), Project("e", 10)]
    ballots = [{"a", "b"}, {"a", "b"}, {"a", "b"}, {"d"}]
    result = equal_shares(projects, 100, ballots)
    assert result.selected == ("a", "b", "d")
    assert result.total_cost == 100
    assert result.outcome("e").reason == NO_VOTES


def test_equal_shares_picks_lowest_payment_per_unit_of_utility():
    # Share 133/4 = 33 1/4. a (40) split over v1, v4 is 20 each for 40 of utility: 1/2 per unit;
    # b (90) split over v1..v3 is 30 each for 90: 1/3 per unit, so b goes first. Then v1 has 3 1/4 and
    # v4 33 1/4: 36 1/2 < 40, so a is out of reach although 43 of the budget is left.
    projects = [Project("a", 40), Project("b", 90)]
    ballots = [{"a", "b"}, {"b"}, {"b"}, {"a"}]
    result = equal_shares(projects, 133, ballots, completion=None)
    assert result.selected == ("b",)
    assert result.outcome("a").reason == SUPPORTERS_SPENT_SHARE
    # with 3 more per voter (share 36 1/4) v1 keeps 6 1/4 and v4 has 36 1/4: 42 1/2 >= 40
    assert equal_shares(projects, 145, ballots, completion=None).selected == ("b", "a")


def test_equal_shares_tie_goes_to_the_cheaper_project():
    # Each of x, y is paid fully by its one supporter: both cost their supporters 1 per unit of
    # utility... x costs 10, y costs 20: with share 20 both are affordable and tie at payment/cost 1.
    projects = [Project("y", 20), Project("x", 10)]
    ballots = [{"y"}, {"x"}]
    result = equal_shares(projects, 40, ballots, completion=None)
    assert result.selected == ("x", "y")


def test_comparison_switches_to_greedy_when_more_voters_prefer_it():
    # MES gives a and c; greedy a and b. Three voters prefer greedy (2 of theirs vs 1), one MES.
    result = equal_shares(MAJORITY_PROJECTS, 100, MAJORITY, comparison=True)
    assert result.rule == "equalshares/add1-comparison"
    assert result.comparison is not None
    assert (result.comparison.prefer_equal_shares, result.comparison.prefer_greedy) == (1, 3)
    assert result.comparison.greedy_used
    assert result.selected == ("a", "b")
    assert result.outcome("c").reason == NOT_ENOUGH_MONEY_LEFT


def test_comparison_keeps_equal_shares_on_a_tie_of_preferences():
    # Two voters like a and b, two like c; all cost 50 of a budget of 100.
    # Greedy: a, b (ties by order). MES: a, then c. Two voters prefer each: MES stays.
    projects = [Project("a", 50), Project("b", 50), Project("c", 50)]
    ballots = [{"a", "b"}, {"a", "b"}, {"c"}, {"c"}]
    result = equal_shares(projects, 100, ballots, comparison=True)
    assert result.comparison is not None
    assert (result.comparison.prefer_equal_shares, result.comparison.prefer_greedy) == (2, 2)
    assert not result.comparison.greedy_used
    assert result.selected == ("a", "c")


def test_equal_shares_edge_cases():
    assert equal_shares([Project("a", 10)], 100, []).selected == ()
    # a free project with a supporter is funded outright
    assert equal_shares([Project("a", 0), Project("b", 500)], 100, [{"a", "b"}]).selected == ("a",)
    with pytest.raises(ValueError, match="not on the list"):
        equal_shares([Project("a", 10)], 100, [{"b"}])
    with pytest.raises(ValueError, match="completion"):
        equal_shares([Project("a", 10)], 100, [{"a"}], completion="add2")


def test_share_is_exact():
    result = equal_shares(MAJORITY_PROJECTS, 100, MAJORITY + [{"c"}, {"c"}], completion=None)
    assert result.share_per_voter == Fraction(100, 6)


def test_a_project_its_supporters_can_pay_to_the_last_cent_is_funded():
    # Share 16/3. After p0 (2/3 each), p4 (5/3 each), p1 (1/2 each) and p2 (1 each) the two all-round
    # voters have exactly 3/2 each, and p3 costs 3: affordable exactly. In floats their money is
    # 1.4999999999999991 and p3 would be lost; the engine must decide this in exact fractions.
    projects = [Project("p0", 2), Project("p1", 1), Project("p2", 2), Project("p3", 3), Project("p4", 5)]
    everything = {"p0", "p1", "p2", "p3", "p4"}
    ballots = [set(), set(), {"p0"}, everything, everything, {"p4"}]
    result = equal_shares(projects, 32, ballots, completion=None)
    assert result.selected == ("p0", "p4", "p1", "p2", "p3")
