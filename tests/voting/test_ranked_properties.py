"""Properties every count must have, on random small elections (hypothesis)."""

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from youthcouncil.voting.ranked import (
    approval,
    condorcet_winner,
    draw_lot,
    instant_runoff,
    pairwise_matrix,
    plurality,
    schulze,
)

FAST = settings(max_examples=150, deadline=None)


@st.composite
def rankings(draw, candidates, ties=True):
    """A possibly truncated ranking of some of ``candidates``; with ``ties`` some ranks hold several."""
    order = draw(st.permutations(candidates))
    order = order[: draw(st.integers(0, len(order)))]
    ranks: list[list[str]] = []
    for candidate in order:
        if ranks and ties and draw(st.integers(0, 3)) == 0:
            ranks[-1].append(candidate)
        else:
            ranks.append([candidate])
    return tuple(frozenset(rank) for rank in ranks)


@st.composite
def elections(draw, ties=True, min_candidates=1):
    candidates = [f"c{i}" for i in range(draw(st.integers(min_candidates, 5)))]
    ballots = draw(st.lists(st.tuples(rankings(candidates, ties), st.integers(0, 6)), max_size=12))
    return candidates, ballots


def total(ballots):
    return sum(count for _, count in ballots)


def without(ballots, loser):
    return [(tuple(rank - {loser} for rank in ranking if rank - {loser}), count) for ranking, count in ballots]


@FAST
@given(elections(), st.data())
def test_a_unanimous_first_choice_wins_under_every_method(election, data):
    candidates, ballots = election
    favourite = data.draw(st.sampled_from(candidates))
    others = [c for c in candidates if c != favourite]
    ballots = [((frozenset([favourite]), *data.draw(rankings(others))), count + 1) for _, count in ballots]
    if not ballots:
        ballots = [((frozenset([favourite]),), 1)]
    assert instant_runoff(ballots, candidates).winner == favourite
    assert schulze(ballots, candidates).winner == favourite
    assert plurality(ballots, candidates).winner == favourite
    # Others may be approved on every ballot too; the favourite is always among the top.
    assert favourite in approval(ballots, candidates).tied_winners


@FAST
@given(elections())
def test_the_condorcet_winner_wins_schulze_and_survives_removing_a_loser(election):
    candidates, ballots = election
    winner = condorcet_winner(ballots, candidates)
    result = schulze(ballots, candidates)
    assert result.condorcet_winner == winner
    if winner is None or total(ballots) == 0:
        return
    assert (result.winner, result.winners) == (winner, (winner,))
    for loser in candidates:
        if loser != winner:
            remaining = [c for c in candidates if c != loser]
            assert schulze(without(ballots, loser), remaining).winner == winner


@FAST
@given(elections(), st.integers(0, 3))
def test_schulze_winner_is_never_beaten_by_path(election, seed):
    candidates, ballots = election
    result = schulze(ballots, candidates, seed=seed)
    if result.winner is None:
        return
    p = result.strongest_paths
    assert result.winner in result.winners
    assert all(p[result.winner][x] >= p[x][result.winner] for x in candidates if x != result.winner)
    assert sorted(result.ranking) == sorted(candidates)


@FAST
@given(elections())
def test_pairwise_matches_a_direct_count(election):
    candidates, ballots = election

    def position(ranking, candidate):
        return next((at for at, rank in enumerate(ranking) if candidate in rank), math.inf)

    d = pairwise_matrix(ballots, candidates)
    for a in candidates:
        for b in candidates:
            if a != b:
                expected = sum(count for ranking, count in ballots if position(ranking, a) < position(ranking, b))
                assert d[a][b] == expected


@FAST
@given(elections(), st.integers(0, 5))
def test_irv_rounds_account_for_every_ballot(election, seed):
    candidates, ballots = election
    result = instant_runoff(ballots, candidates, seed=seed)
    assert result.total_ballots == total(ballots)
    for number, count in enumerate(result.rounds, start=1):
        assert count.number == number
        assert sum(count.counts.values()) + count.exhausted == total(ballots)
        assert count.continuing_total == sum(count.counts.values())
        assert (count.winner is None) != (count.eliminated is None) or count.reason == "no_valid_ballots"
    if result.winner is not None:
        assert any(result.winner in rank for ranking, n in ballots if n for rank in ranking)
        assert sorted(result.ranking) == sorted(candidates)
        assert result.rounds[-1].counts[result.winner] * 2 > result.rounds[-1].continuing_total


@FAST
@given(elections())
def test_plurality_is_the_first_round_of_irv(election):
    candidates, ballots = election
    first_choices = plurality(ballots, candidates)
    rounds = instant_runoff(ballots, candidates).rounds
    if rounds:
        assert first_choices.counts == rounds[0].counts
        assert first_choices.uncounted == rounds[0].exhausted


def recount_irv(ballots, candidates, seed):
    """Reference instant-runoff for strict ballots: recount every ballot from scratch each round."""
    continuing = list(candidates)
    history = []
    eliminated = []
    while True:
        counts = dict.fromkeys(continuing, 0)
        for ranking, count in ballots:
            top = next((c for rank in ranking for c in rank if c in counts), None)
            if top is not None:
                counts[top] += count
        history.append(counts)
        if not sum(counts.values()):
            return None, eliminated
        leader = max(continuing, key=counts.get)
        if 2 * counts[leader] > sum(counts.values()):
            return leader, eliminated
        tied = [c for c in continuing if counts[c] == min(counts.values())]
        for earlier in reversed(history[:-1]):
            if len(tied) > 1:
                tied = [c for c in tied if earlier[c] == min(earlier[t] for t in tied)]
        loser = tied[0] if len(tied) == 1 else draw_lot(tied, seed)
        continuing.remove(loser)
        eliminated.append(loser)


@FAST
@given(elections(ties=False), st.integers(0, 5))
def test_irv_matches_a_from_scratch_recount_on_strict_ballots(election, seed):
    candidates, ballots = election
    result = instant_runoff(ballots, candidates, seed=seed)
    if total(ballots) == 0:
        assert result.winner is None
        return
    winner, eliminated = recount_irv(ballots, candidates, seed)
    assert result.winner == winner
    assert [r.eliminated for r in result.rounds if r.eliminated is not None] == eliminated


@FAST
@given(elections(), st.integers(0, 3))
def test_every_count_is_deterministic(election, seed):
    candidates, ballots = election
    for method in (instant_runoff, schulze, approval, plurality):
        assert method(ballots, candidates, seed=seed) == method(list(reversed(ballots)), candidates, seed=seed)
