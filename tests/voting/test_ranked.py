"""Hand-counted cases for instant-runoff, Schulze, approval and plurality."""

import random

import pytest

from youthcouncil.voting.ranked import (
    approval,
    condorcet_winner,
    draw_lot,
    head_to_head,
    instant_runoff,
    pairwise_matrix,
    plurality,
    schulze,
    strict_ranking,
    without_candidates,
)


def ballot(*ranks):
    """ballot("A", {"B", "C"}, "D") -> A first, B and C tied (or overvoted) second, D third."""
    return tuple(frozenset(rank) if isinstance(rank, set) else frozenset([rank]) for rank in ranks)


# Centre squeeze: C is everyone's second choice, so C beats each rival one-on-one, but has the fewest first
# choices and is eliminated first by instant-runoff. Counted by hand below.
SQUEEZE = [
    (ballot("L", "C", "R"), 35),
    (ballot("R", "C", "L"), 34),
    (ballot("C", "L", "R"), 16),
    (ballot("C", "R", "L"), 15),
]


def test_centre_squeeze_irv_eliminates_the_condorcet_winner():
    result = instant_runoff(SQUEEZE, ["L", "C", "R"])
    assert [r.counts for r in result.rounds] == [{"L": 35, "C": 31, "R": 34}, {"L": 51, "R": 49}]
    first, final = result.rounds
    assert (first.eliminated, first.reason, first.winner, first.exhausted) == ("C", "fewest_votes", None, 0)
    assert (final.eliminated, final.reason, final.winner, final.continuing_total) == (None, "majority", "L", 100)
    assert (result.winner, result.reason, result.ranking) == ("L", "majority", ("L", "R", "C"))


def test_centre_squeeze_schulze_and_condorcet_pick_the_centre():
    assert condorcet_winner(SQUEEZE, ["L", "C", "R"]) == "C"
    result = schulze(SQUEEZE, ["L", "C", "R"])
    assert (result.winner, result.winners, result.reason, result.condorcet_winner) == ("C", ("C",), "unbeaten", "C")
    assert result.pairwise["C"] == {"L": 65, "R": 66}
    assert result.pairwise["L"] == {"C": 35, "R": 51}
    assert result.ranking == ("C", "L", "R")
    assert plurality(SQUEEZE, ["L", "C", "R"]).winner == "L"


def test_head_to_head_lists_who_would_beat_the_irv_winner():
    check = head_to_head(SQUEEZE, ["L", "C", "R"], "L")
    assert (check.beats, check.ties_with, check.loses_to) == (("R",), (), ("C",))
    assert check.votes == {"C": (35, 65), "R": (51, 49)}
    assert not check.beats_everyone
    assert head_to_head(SQUEEZE, ["L", "C", "R"], "C").beats_everyone
    with pytest.raises(ValueError, match="not a candidate"):
        head_to_head(SQUEEZE, ["L", "C", "R"], "X")


def test_head_to_head_tie_is_not_beating_everyone():
    check = head_to_head([(ballot("A", "B"), 1), (ballot("B", "A"), 1)], ["A", "B"], "A")
    assert (check.beats, check.ties_with, check.loses_to, check.beats_everyone) == ((), ("B",), (), False)


def test_truncated_ballots_exhaust_and_majority_is_of_continuing_ballots():
    ballots = [(ballot("A"), 7), (ballot("B"), 6), (ballot("C"), 3), (ballot("C", "B"), 2)]
    result = instant_runoff(ballots, ["A", "B", "C"])
    first, final = result.rounds
    assert first.counts == {"A": 7, "B": 6, "C": 5} and first.eliminated == "C"
    # The three bullet votes for C have nowhere to go; B wins with 8 of 15 continuing ballots (not of all 18).
    assert (final.counts, final.exhausted, final.continuing_total) == ({"A": 7, "B": 8}, 3, 15)
    assert (result.winner, result.total_ballots) == ("B", 18)


def test_overvote_between_continuing_candidates_exhausts_the_ballot_for_good():
    ballots = [
        (ballot("A"), 7),
        (ballot("B"), 5),
        (ballot("C"), 1),
        (ballot("D", {"A", "B"}), 3),  # reaches an overvote between two continuing candidates: exhausted
        (ballot("D", {"C", "B"}), 1),  # C is out by then, so the rank names one continuing candidate: B
        (ballot({"A", "C"}, "B"), 1),  # overvote at the top: exhausted at once, even after C is eliminated
    ]
    result = instant_runoff(ballots, ["A", "B", "C", "D"])
    assert [(r.counts, r.exhausted, r.eliminated) for r in result.rounds] == [
        ({"A": 7, "B": 5, "C": 1, "D": 4}, 1, "C"),
        ({"A": 7, "B": 5, "D": 4}, 2, "D"),
        ({"A": 7, "B": 6}, 5, None),
    ]
    assert result.winner == "A"
    assert plurality(ballots, ["A", "B", "C", "D"]).uncounted == 1


def test_overvote_of_eliminated_names_only_is_passed_over():
    ballots = [(ballot("A"), 7), (ballot("B"), 6), (ballot("C"), 1), (ballot("D"), 2)]
    ballots.append((ballot("E", {"C", "D"}, "B"), 3))
    result = instant_runoff(ballots, ["A", "B", "C", "D", "E"])
    assert [r.eliminated for r in result.rounds] == ["C", "D", "E", None]
    # When E goes, C and D are both out: the rank {C, D} names no continuing candidate and is passed over.
    assert (result.rounds[-1].counts, result.rounds[-1].exhausted) == ({"A": 7, "B": 9}, 3)
    assert result.winner == "B"


def test_skipped_and_repeated_names_are_passed_over():
    ballots = [(ballot("A"), 4), (ballot("B"), 3), (ballot("C", "C", "B"), 2), ((frozenset(), *ballot("B")), 1)]
    result = instant_runoff(ballots, ["A", "B", "C"])
    assert result.rounds[0].counts == {"A": 4, "B": 4, "C": 2}
    assert result.rounds[-1].counts == {"A": 4, "B": 6}
    assert result.winner == "B"


def test_backwards_tie_break_eliminates_who_had_fewer_votes_in_the_earlier_round():
    ballots = [(ballot("A"), 5), (ballot("B"), 4), (ballot("C"), 2), (ballot("C", "B"), 1)]
    for seed in (0, 1, "x"):  # no lot is involved, so the seed must not matter
        result = instant_runoff(ballots, ["B", "A", "C"], seed=seed)
        second = result.rounds[1]
        assert second.counts == {"B": 5, "A": 5}
        assert (second.eliminated, second.reason, second.tied) == ("B", "tie_earlier_round", ("B", "A"))
        assert second.lot_seed is None
        assert result.winner == "A"
        assert result.ranking == ("A", "B", "C")


def test_backwards_tie_break_looks_back_round_by_round():
    ballots = [(ballot("A"), 8), (ballot("B"), 4), (ballot("C"), 3), (ballot("D", "C"), 1), (ballot("E"), 2)]
    result = instant_runoff(ballots, ["A", "B", "C", "D", "E"])
    assert [(r.counts, r.eliminated) for r in result.rounds[:3]] == [
        ({"A": 8, "B": 4, "C": 3, "D": 1, "E": 2}, "D"),
        ({"A": 8, "B": 4, "C": 4, "E": 2}, "E"),
        ({"A": 8, "B": 4, "C": 4}, "C"),  # tied now and in round 2; round 1 (B 4, C 3) decides
    ]
    third = result.rounds[2]
    assert (third.reason, third.tied, third.lot_seed, third.lot_drawn) == ("tie_earlier_round", ("B", "C"), None, None)
    assert result.winner == "A" and result.ranking == ("A", "B", "C", "E", "D")


def test_lot_is_reproducible_and_depends_on_the_seed():
    ballots = [(ballot("A"), 1), (ballot("B"), 1), (ballot("C"), 1)]
    eliminated = set()
    for seed in range(20):
        first = instant_runoff(ballots, ["A", "B", "C"], seed=seed).rounds[0]
        again = instant_runoff(ballots, ["A", "B", "C"], seed=seed).rounds[0]
        assert first == again
        assert first.eliminated == random.Random(seed).choice(["A", "B", "C"]) == first.lot_drawn
        assert (first.reason, first.lot_seed, first.tied) == ("tie_lot", seed, ("A", "B", "C"))
        eliminated.add(first.eliminated)
    assert eliminated == {"A", "B", "C"}
    assert draw_lot(["A", "B", "C"], "youthcouncil") == random.Random("youthcouncil").choice(["A", "B", "C"])


def test_irv_edge_cases():
    assert instant_runoff([], ["A", "B"]).reason == "no_ballots"
    assert instant_runoff([((), 1)], []).reason == "no_candidates"
    blank = instant_runoff([((), 3), (ballot({"A", "B"}), 2)], ["A", "B"])
    assert (blank.winner, blank.reason, blank.ranking) == (None, "no_valid_ballots", ())
    assert blank.rounds[0].exhausted == 5 and blank.rounds[0].counts == {"A": 0, "B": 0}
    alone = instant_runoff([(ballot("A"), 2)], ["A"])
    assert (alone.winner, alone.reason, len(alone.rounds)) == ("A", "majority", 1)
    # A candidate nobody ranked is still shown (with 0) and goes out first.
    result = instant_runoff({ballot("A", "B"): 2, ballot("B"): 1}, ["A", "B", "Z"])
    assert result.rounds[0].counts == {"A": 2, "B": 1, "Z": 0}
    assert result.winner == "A" and result.ranking == ("A", "B", "Z")


def test_irv_runs_on_ints_and_mappings():
    result = instant_runoff({strict_ranking([2, 1]): 3, strict_ranking([1]): 2}, [1, 2])
    assert (result.winner, result.rounds[0].counts) == (2, {1: 2, 2: 3})


@pytest.mark.parametrize("method", [instant_runoff, schulze, approval, plurality])
def test_bad_input_is_refused_clearly(method):
    with pytest.raises(ValueError, match="not a candidate"):
        method([(ballot("A", "X"), 1)], ["A", "B"])
    with pytest.raises(ValueError, match="listed twice"):
        method([(ballot("A"), 1)], ["A", "A"])
    with pytest.raises(ValueError, match="whole number"):
        method([(ballot("A"), -1)], ["A"])
    with pytest.raises(ValueError, match="whole number"):
        method([(ballot("A"), 1.5)], ["A"])
    with pytest.raises(TypeError, match="frozenset"):
        method([(("A",), 1)], ["A"])
    with pytest.raises(ValueError, match="pair"):
        method([ballot("A")], ["A"])


# The Schulze example of Wikipedia (45 voters, 5 candidates), with its published matrices.
WIKIPEDIA = [
    (strict_ranking("ACBED"), 5),
    (strict_ranking("ADECB"), 5),
    (strict_ranking("BEDAC"), 8),
    (strict_ranking("CABED"), 3),
    (strict_ranking("CAEBD"), 7),
    (strict_ranking("CBADE"), 2),
    (strict_ranking("DCEBA"), 7),
    (strict_ranking("EBADC"), 8),
]


def test_schulze_wikipedia_example():
    result = schulze(WIKIPEDIA, "ABCDE")
    d = [[result.pairwise[a][b] if a != b else None for b in "ABCDE"] for a in "ABCDE"]
    assert d == [
        [None, 20, 26, 30, 22],
        [25, None, 16, 33, 18],
        [19, 29, None, 17, 24],
        [15, 12, 28, None, 14],
        [23, 27, 21, 31, None],
    ]
    p = [[result.strongest_paths[a][b] if a != b else None for b in "ABCDE"] for a in "ABCDE"]
    assert p == [
        [None, 28, 28, 30, 24],
        [25, None, 28, 33, 24],
        [25, 29, None, 29, 24],
        [25, 28, 28, None, 24],
        [25, 28, 28, 31, None],
    ]
    assert (result.winner, result.winners, result.ranking) == ("E", ("E",), ("E", "A", "C", "B", "D"))
    assert result.condorcet_winner is None


def test_pairwise_counts_ties_and_unranked_candidates():
    ballots = [(ballot({"A", "B"}, "C"), 2), (ballot("C"), 1), (ballot("A", "B", "A"), 1)]
    d = pairwise_matrix(ballots, ["A", "B", "C", "D"])
    assert d["A"] == {"B": 1, "C": 3, "D": 3}
    assert d["B"] == {"A": 0, "C": 3, "D": 3}
    assert d["C"] == {"A": 1, "B": 1, "D": 3}
    assert d["D"] == {"A": 0, "B": 0, "C": 0}


def test_schulze_cycle_is_settled_by_the_seeded_lot():
    cycle = [(strict_ranking("ABC"), 1), (strict_ranking("BCA"), 1), (strict_ranking("CAB"), 1)]
    assert condorcet_winner(cycle, "ABC") is None
    winners = set()
    for seed in range(12):
        result = schulze(cycle, "ABC", seed=seed)
        assert result.winners == ("A", "B", "C")
        assert (result.winner, result.reason, result.lot_seed) == (draw_lot("ABC", seed), "tie_lot", seed)
        assert result.ranking[0] == result.winner and sorted(result.ranking) == ["A", "B", "C"]
        winners.add(result.winner)
    assert winners == {"A", "B", "C"}


def test_schulze_without_ballots():
    assert schulze([], "AB").reason == "no_ballots"
    assert schulze([((), 4)], "AB").reason == "no_valid_ballots"
    assert schulze([((), 1)], []).reason == "no_candidates"
    assert schulze([(ballot("B"), 1)], "AB").winner == "B"


def test_approval_counts_every_named_candidate():
    ballots = [(ballot("A", {"B", "C"}), 2), (ballot("C"), 3), ((), 1)]
    result = approval(ballots, ["A", "B", "C", "D"])
    assert result.counts == {"A": 2, "B": 2, "C": 5, "D": 0}
    assert (result.winner, result.tied_winners, result.reason, result.uncounted) == ("C", ("C",), "most_votes", 1)
    assert result.ranking == ("C", "A", "B", "D")
    assert result.total_ballots == 6


def test_plurality_ignores_an_overvoted_first_rank():
    ballots = [(ballot({"A", "B"}, "C"), 4), (ballot("B", "A"), 2), (ballot("C"), 1)]
    result = plurality(ballots, ["A", "B", "C"])
    assert result.counts == {"A": 0, "B": 2, "C": 1}
    assert (result.winner, result.uncounted, result.ranking) == ("B", 4, ("B", "C", "A"))


def test_tie_for_most_votes_is_drawn_by_lot():
    ballots = [(ballot("A"), 2), (ballot("B"), 2), (ballot("C"), 1)]
    for seed in range(8):
        result = plurality(ballots, ["C", "B", "A"], seed=seed)
        assert result.tied_winners == ("B", "A")  # in candidate-list order
        assert (result.winner, result.reason, result.lot_seed) == (draw_lot(["B", "A"], seed), "tie_lot", seed)
        assert result.ranking[:2] in (("A", "B"), ("B", "A")) and result.ranking[2] == "C"
    assert plurality([], "AB").reason == "no_ballots"
    assert approval([((), 2)], "AB").reason == "no_valid_ballots"
    assert approval([((), 2)], "AB").winner is None


def test_without_candidates_strikes_them_from_every_rank():
    a, b, c = (frozenset([x]) for x in "abc")
    ballots = [((a, b, c), 2), ((frozenset("ab"), c), 1), ((a,), 1), ((), 1)]
    assert without_candidates(ballots, ["a"]) == [((b, c), 2), ((b, c), 1), ((), 1), ((), 1)]
    assert without_candidates(dict(ballots), []) == ballots


def test_a_lone_candidate_ranked_by_everyone_wins_schulze():
    # every ballot names every candidate: the last name beats nobody, yet the ballots did rank someone
    ballots = [(ballot("a"), 3)]
    assert schulze(ballots, ["a"]).winner == "a"
    assert condorcet_winner(ballots, ["a"]) == "a"
    two = [(ballot("a", "b"), 2), (ballot("b", "a"), 1)]
    assert pairwise_matrix(two, ["a", "b"]) == {"a": {"b": 2}, "b": {"a": 1}}


@pytest.mark.parametrize("batch", [16_384, 7])
def test_one_ballot_per_voter_counts_the_same_merged_or_not(monkeypatch, batch):
    """Ballots that hardly repeat are counted one by one (merging 100,000 different rankings costs more); ballots
    that repeat are merged first. Both give the direct count, repeats, ties and overvotes included, whether the
    ballots of one length are counted in one batch of columns or in many."""
    from youthcouncil.voting import ranked

    monkeypatch.setattr(ranked, "_COLUMN_BATCH", batch)
    rng = random.Random(7)
    candidates = list("ABCDEF")
    distinct: list = []
    while len(distinct) < 1000:
        order = rng.sample(candidates, rng.randint(0, 6))
        ranks = [frozenset([name]) for name in order]
        if len(ranks) >= 2 and rng.random() < 0.1:
            ranks[0:2] = [ranks[0] | ranks[1]]  # a tie or an overvote
        if len(ranks) >= 2 and rng.random() < 0.05:
            ranks.append(ranks[0])  # a name repeated lower down
        if tuple(ranks) not in distinct:
            distinct.append(tuple(ranks))
    # The first thousand all differ (counted one by one), then repeats; and the same 50 over and over (merged first).
    few_repeats = [(ranking, 1) for ranking in distinct + distinct[:200]]
    many_repeats = [(distinct[i % 50], 1) for i in range(1200)]

    def direct(ballots):
        def position(ranking, name):
            return next((at for at, rank in enumerate(ranking) if name in rank), len(ranking))

        return {
            a: {b: sum(position(r, a) < position(r, b) for r, _ in ballots) for b in candidates if b != a}
            for a in candidates
        }

    for ballots in (few_repeats, many_repeats):
        assert pairwise_matrix(ballots, candidates) == direct(ballots)
        merged = {}
        for ranking, count in ballots:
            merged[ranking] = merged.get(ranking, 0) + count
        assert schulze(ballots, candidates) == schulze(merged, candidates)
