"""Ranked-ballot methods: instant-runoff, Schulze, approval and plurality.

A ballot is a ranking: a tuple of ranks, each rank a frozenset of candidates. A rank with more than one candidate
is a tie (PrefLib) or an overvote (a US paper ballot with two names marked in one column). Ballots always come with
a count: ``[(ranking, count), ...]`` (a mapping ``{ranking: count}`` works too). Candidates are any hashables and are
passed as an explicit list, so a candidate nobody voted for still shows up with 0 votes, and every tie is settled by
the order of that list or by a seeded lot, never by dict or set iteration order.

How a tie inside one ballot (``{a,b}`` at one rank) counts, per method:

* instant-runoff: the ballot counts for the single continuing candidate at its highest rank that still names one.
  When it reaches a rank naming two or more continuing candidates it is exhausted there and stays exhausted (the
  US overvote rule; names already eliminated are passed over, as the official Burlington 2009 count did).
* Schulze: the tied candidates are preferred to everyone ranked below them (and to the unranked), but not to each
  other.
* approval: every candidate named anywhere on the ballot is approved, tied or not.
* plurality: only the first rank counts; if it names more than one candidate the ballot counts for nobody.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain, compress, groupby, islice, repeat
from operator import eq, lshift, or_

Candidate = Hashable
Ranking = tuple[frozenset, ...]
Ballots = Iterable[tuple[Ranking, int]] | Mapping[Ranking, int]

DEFAULT_SEED = "youthcouncil"
"""Seed for every lot when the caller gives none; published so anyone can redo a draw."""

# Why a round ended the way it did (shown to voters next to the bars of that round).
FEWEST_VOTES = "fewest_votes"
TIE_EARLIER_ROUND = "tie_earlier_round"
TIE_LOT = "tie_lot"
MAJORITY = "majority"
MOST_VOTES = "most_votes"
UNBEATEN = "unbeaten"
NO_BALLOTS = "no_ballots"
NO_VALID_BALLOTS = "no_valid_ballots"
NO_CANDIDATES = "no_candidates"


def strict_ranking(candidates: Iterable[Candidate]) -> Ranking:
    """The ranking ``a > b > c`` with one candidate per rank."""
    return tuple(frozenset([candidate]) for candidate in candidates)


def without_candidates(ballots: Ballots, removed: Iterable[Candidate]) -> list[tuple[Ranking, int]]:
    """The ballots with ``removed`` struck out (a withdrawn candidate): every rank loses them, ranks left empty are
    dropped, so each ballot passes to its next preference. ``{a,b}`` with b removed becomes a plain vote for a."""
    gone = frozenset(removed)
    items = ballots.items() if isinstance(ballots, Mapping) else ballots
    if not gone:
        return list(items)
    kept: list[tuple[Ranking, int]] = []
    for ranking, count in items:
        ranks = (rank - gone for rank in ranking)
        kept.append((tuple(rank for rank in ranks if rank), count))
    return kept


def draw_lot(tied: Sequence[Candidate], seed: int | str) -> Candidate:
    """The published lot: ``random.Random(seed).choice(tied)`` with ``tied`` in candidate-list order."""
    return random.Random(seed).choice(list(tied))


# --------------------------------------------------------------------------------------------------------------
# Input checks shared by every method


def _candidate_order(candidates: Iterable[Candidate]) -> tuple[Candidate, ...]:
    order = tuple(candidates)
    seen: set[Candidate] = set()
    for candidate in order:
        if candidate in seen:
            raise ValueError(f"candidate {candidate!r} is listed twice")
        seen.add(candidate)
    return order


def _rank_indexes(rank: object, ranking: tuple, index: Mapping[Candidate, int]) -> tuple[int, ...]:
    if not isinstance(rank, frozenset):
        raise TypeError(f"each rank must be a frozenset of candidates, got {rank!r} in {ranking!r}")
    try:
        return tuple(sorted(index[candidate] for candidate in rank))
    except KeyError as error:
        raise ValueError(f"ballot {ranking!r} ranks {error.args[0]!r}, who is not a candidate") from None


IndexRanking = tuple[tuple[int, ...], ...]  # a ranking with candidates as their positions in the candidate list


def _merge(ballots: Ballots) -> tuple[Counter[Ranking], int]:
    """Identical ballots merged (in order of first appearance), and the total number of ballots; counts checked."""
    items = list(ballots.items() if isinstance(ballots, Mapping) else ballots)
    try:  # the common case, one ballot per voter, counted in C
        rankings, counts = zip(*items, strict=True) if items else ((), ())
        if set(map(type, counts)) <= {int} and (not counts or (min(counts) == 1 and max(counts) == 1)):
            return Counter(rankings), len(counts)
    except (TypeError, ValueError):
        pass  # the loop below says what is wrong
    merged: Counter[Ranking] = Counter()
    for ballot in items:
        try:
            ranking, count = ballot
        except (TypeError, ValueError):
            raise ValueError(f"a ballot must be a (ranking, count) pair, got {ballot!r}") from None
        if type(count) is not int or count < 0:
            raise ValueError(f"a ballot count must be a whole number >= 0, got {count!r}")
        try:
            merged[ranking] += count
        except TypeError:
            raise TypeError(f"a ranking must be a tuple of frozensets, got {ranking!r}") from None
    return merged, sum(merged.values())


#: How many ballots `_merge_if_repeated` looks at to tell whether ballots repeat.
_REPEAT_SAMPLE = 1000


def _merge_if_repeated(ballots: Ballots) -> tuple[Iterable[tuple[Ranking, int]], int]:
    """(ranking, count) pairs and the total number of ballots, counts checked: identical ballots merged, unless one
    per voter and hardly any repeats among the first ones (then merging 100,000 different rankings costs more than
    counting the few repeats one by one; the counts are the same either way)."""
    if isinstance(ballots, Mapping):
        merged, total = _merge(ballots)
        return merged.items(), total
    items = list(ballots)
    try:
        rankings, counts = zip(*items, strict=True) if items else ((), ())
        one_each = set(map(type, counts)) <= {int} and bool(counts) and min(counts) == 1 and max(counts) == 1
        if one_each:
            sample = rankings[:_REPEAT_SAMPLE]
            if len(set(sample)) >= 0.9 * len(sample):
                return items, len(counts)
            return Counter(rankings).items(), len(counts)
    except (TypeError, ValueError):
        pass  # `_merge` says what is wrong
    merged, total = _merge(items)
    return merged.items(), total


def _aggregate(ballots: Ballots, index: Mapping[Candidate, int]) -> tuple[list[IndexRanking], list[int], int]:
    """Identical ballots merged; each ranking as candidate indexes per rank (empty ranks dropped).

    Returns (rankings, counts, total number of ballots). Order is that of first appearance, so it is deterministic.
    """
    merged, total = _merge(ballots)
    rankings: list[tuple[tuple[int, ...], ...]] = []
    counts: list[int] = []
    converted: dict[frozenset, tuple[int, ...]] = {}  # the same few ranks recur on most ballots
    for ranking, count in merged.items():
        if count == 0:
            continue
        if not isinstance(ranking, tuple):
            raise TypeError(f"a ranking must be a tuple of frozensets, got {ranking!r}")
        ranks = []
        for rank in ranking:
            members = converted.get(rank)
            if members is None:
                members = converted[rank] = _rank_indexes(rank, ranking, index)
            if members:
                ranks.append(members)
        rankings.append(tuple(ranks))
        counts.append(count)
    return rankings, counts, total


# --------------------------------------------------------------------------------------------------------------
# Instant-runoff


@dataclass(frozen=True)
class IrvRound:
    """One round: every ballot sits with its highest-ranked continuing candidate, then one candidate leaves."""

    number: int
    counts: dict[Candidate, int]  # every continuing candidate, in candidate-list order, 0 included
    exhausted: int  # ballots that no longer count for anyone (ran out of names, or reached an overvote)
    continuing_total: int  # sum of counts; a majority is more than half of this
    eliminated: Candidate | None
    winner: Candidate | None
    reason: str  # fewest_votes | tie_earlier_round | tie_lot | majority | no_valid_ballots
    tied: tuple[Candidate, ...] = ()  # who shared the fewest votes this round, when a tie-break was needed
    lot_seed: int | str | None = None  # set only when a lot was drawn
    lot_drawn: Candidate | None = None  # the candidate the lot picked (and so eliminated)


@dataclass(frozen=True)
class IrvResult:
    candidates: tuple[Candidate, ...]
    total_ballots: int
    rounds: tuple[IrvRound, ...]
    winner: Candidate | None
    reason: str  # majority | no_ballots | no_valid_ballots | no_candidates
    # The winner first, then the other finalists (by final-round votes), then the rest in reverse order of elimination.
    ranking: tuple[Candidate, ...]
    seed: int | str


def instant_runoff(ballots: Ballots, candidates: Iterable[Candidate], *, seed: int | str = DEFAULT_SEED) -> IrvResult:
    """Single-winner instant-runoff as US cities count it (see the module docstring for overvotes).

    A candidate with more than half of the continuing ballots wins; otherwise the candidate with the fewest votes
    is eliminated. Tie for fewest: eliminate whoever had fewer votes in the round before, looking back round by
    round; those still tied after round 1 go to the lot, ``draw_lot(still_tied, seed)``, which picks the one
    eliminated.
    """
    order = _candidate_order(candidates)
    index = {candidate: i for i, candidate in enumerate(order)}
    rankings, weights, total = _aggregate(ballots, index)
    if not order:
        return IrvResult(order, total, (), None, NO_CANDIDATES, (), seed)
    if total == 0:
        return IrvResult(order, total, (), None, NO_BALLOTS, (), seed)

    continuing = [True] * len(order)
    votes = [0] * len(order)
    piles: list[list[int]] = [[] for _ in order]
    position = [0] * len(rankings)
    exhausted = total - sum(weights)  # ballots with count 0 are not in rankings; nothing else is lost here

    def place(ballot: int, start: int) -> None:
        """Give the ballot to its highest continuing candidate from rank ``start`` on, or exhaust it."""
        nonlocal exhausted
        ranks = rankings[ballot]
        for at in range(start, len(ranks)):
            rank = ranks[at]
            if len(rank) == 1:
                if continuing[rank[0]]:
                    chosen = rank[0]
                    break
                continue
            live = [c for c in rank if continuing[c]]
            if len(live) == 1:
                chosen = live[0]
                break
            if live:  # an overvote between continuing candidates: the ballot stops counting here, for good
                exhausted += weights[ballot]
                return
        else:
            exhausted += weights[ballot]
            return
        position[ballot] = at
        piles[chosen].append(ballot)
        votes[chosen] += weights[ballot]

    for ballot in range(len(rankings)):
        place(ballot, 0)

    rounds: list[IrvRound] = []
    history: list[list[int]] = []
    eliminated_order: list[Candidate] = []
    while True:
        alive = [i for i in range(len(order)) if continuing[i]]
        history.append(votes.copy())
        counts = {order[i]: votes[i] for i in alive}
        continuing_total = sum(counts.values())
        number = len(rounds) + 1
        if continuing_total == 0:  # only possible in round 1: no ballot names any candidate usable
            rounds.append(IrvRound(number, counts, exhausted, 0, None, None, NO_VALID_BALLOTS))
            return IrvResult(order, total, tuple(rounds), None, NO_VALID_BALLOTS, (), seed)
        leader = max(alive, key=lambda i: votes[i])
        if 2 * votes[leader] > continuing_total:  # also covers the last candidate left, who holds every vote
            rounds.append(IrvRound(number, counts, exhausted, continuing_total, None, order[leader], MAJORITY))
            runners_up = sorted((i for i in alive if i != leader), key=lambda i: (-votes[i], i))
            ranking = (order[leader], *(order[i] for i in runners_up), *reversed(eliminated_order))
            return IrvResult(order, total, tuple(rounds), order[leader], MAJORITY, ranking, seed)

        fewest = min(votes[i] for i in alive)
        tied = [i for i in alive if votes[i] == fewest]
        lot_seed = None
        if len(tied) == 1:
            loser, reason = tied[0], FEWEST_VOTES
        else:
            remaining = tied
            for earlier in reversed(history[:-1]):
                low = min(earlier[i] for i in remaining)
                remaining = [i for i in remaining if earlier[i] == low]
                if len(remaining) == 1:
                    break
            if len(remaining) == 1:
                loser, reason = remaining[0], TIE_EARLIER_ROUND
            else:
                loser = index[draw_lot([order[i] for i in remaining], seed)]
                reason, lot_seed = TIE_LOT, seed
        rounds.append(
            IrvRound(
                number,
                counts,
                exhausted,
                continuing_total,
                order[loser],
                None,
                reason,
                tied=tuple(order[i] for i in tied) if len(tied) > 1 else (),
                lot_seed=lot_seed,
                lot_drawn=order[loser] if lot_seed is not None else None,
            )
        )
        eliminated_order.append(order[loser])
        continuing[loser] = False
        votes[loser] = 0
        moving, piles[loser] = piles[loser], []
        for ballot in moving:
            place(ballot, position[ballot] + 1)


# --------------------------------------------------------------------------------------------------------------
# Pairwise comparisons and Schulze


class _RankBits(dict):
    """frozenset rank -> the bit of its one candidate, or 0 for a rank naming nobody or several (checked on first
    sight, like `_rank_indexes`); `masks` holds every rank's bits."""

    def __init__(self, index: Mapping[Candidate, int]) -> None:
        super().__init__()
        self.index = index
        self.masks: dict[frozenset, int] = {}

    def __missing__(self, rank: frozenset) -> int:
        members = _rank_indexes(rank, (rank,), self.index)
        mask = 0
        for c in members:
            mask |= 1 << c
        self.masks[rank] = mask
        self[rank] = mask if len(members) == 1 else 0
        return self[rank]


def _single_name_keys(
    ballots: Iterable[tuple[Ranking, int]], bits: _RankBits, n: int
) -> tuple[Counter[int], list[tuple[Ranking, int]], bool]:
    """(counts of (names up to it) << n | its bit over every rank of every one-voter ballot that names one candidate
    per rank and none twice, the other ballots, whether any such ballot ranks anyone).

    Made column by column, by C loops over all the ballots of one length at once, not ballot by ballot: the k-th
    names of all ballots of a length are one slice of their names laid end to end, and "names up to it" is the
    previous column OR this one. A ballot is such a ballot exactly when its names up to the last have as many bits
    as it has ranks (a repeated name adds no bit, a rank naming nobody or several adds 0).
    """
    rankings: list[Ranking] = []
    others: list[tuple[Ranking, int]] = []
    for ranking, weight in ballots:
        if weight == 1:
            rankings.append(ranking)
        elif weight:
            others.append((ranking, weight))
    if not set(map(type, rankings)) <= {tuple}:
        bad = next(ranking for ranking in rankings if not isinstance(ranking, tuple))
        raise TypeError(f"a ranking must be a tuple of frozensets, got {bad!r}")
    lengths = list(map(len, rankings))
    counted: Counter[int] = Counter()
    ranked_anyone = False
    by_length = sorted(range(len(rankings)), key=lengths.__getitem__)
    for length, group in groupby(by_length, key=lengths.__getitem__):
        if length == 0:
            continue
        for members in _batches(map(rankings.__getitem__, group), _COLUMN_BATCH):
            ranked_anyone |= _count_columns(members, length, bits, n, counted, others)
    return counted, others, ranked_anyone


#: Ballots counted together by `_count_columns` (their columns are lists: this bounds the memory they take).
_COLUMN_BATCH = 16_384


def _batches(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _count_columns(
    members: Sequence[Ranking], length: int, bits: _RankBits, n: int, counted: Counter[int], others: list
) -> bool:
    """`_single_name_keys` for ballots of one length: count their keys, put the others in ``others``; whether any
    was counted."""
    names = list(map(bits.__getitem__, chain.from_iterable(members)))  # checks each new rank once
    columns = [names[k::length] for k in range(length)]
    named = [columns[0]]
    for column in columns[1:]:
        named.append(list(map(or_, named[-1], column)))
    single = list(map(eq, map(int.bit_count, named[-1]), repeat(length)))
    if not all(single):
        others.extend((ranking, 1) for ranking, kept in zip(members, single, strict=True) if not kept)
        columns = [list(compress(column, single)) for column in columns]
        named = [list(compress(column, single)) for column in named]
        if not columns[0]:
            return False
    # The last of n names beats nobody (everyone is named by then): no key for it.
    for k in range(length - (length == n)):
        counted.update(map(or_, map(lshift, named[k], repeat(n)), columns[k]))
    return True


def _pairwise_count(ballots: Ballots, index: Mapping[Candidate, int], n: int) -> tuple[list[list[int]], int, bool]:
    """(d, total ballots, whether any ballot ranks anyone): d[a][b] = ballots ranking a strictly above b (unranked
    below every ranked candidate)."""
    # Each ranked candidate beats exactly the set of candidates not yet named when it is reached (those ranked
    # lower, or not at all). Counting (names up to it, it) pairs first and expanding them once at the end is much
    # faster than adding up every pair on every ballot; a ballot of single names is counted by C loops.
    merged, total = _merge_if_repeated(ballots)
    bits = _RankBits(index)
    full = (1 << n) - 1
    counted, others, ranked_anyone = _single_name_keys(merged, bits, n)
    low = (1 << n) - 1
    beats: Counter[tuple[int, int]] = Counter({(key >> n, key & low): weight for key, weight in counted.items()})
    for ranking, weight in others:
        seen = 0
        for rank in ranking:
            bits[rank]  # checks a rank not seen yet and records its mask
            mask = bits.masks[rank] & ~seen  # a name repeated lower down counts where it first is
            if not mask:
                continue
            seen |= mask  # the whole rank first: tied candidates do not beat each other
            while mask:
                lowest = mask & -mask
                beats[seen, lowest] += weight
                mask ^= lowest
    d = [[0] * n for _ in range(n)]
    for (named, candidate), weight in beats.items():
        row = d[candidate.bit_length() - 1]
        below = full & ~named
        while below:
            lowest = below & -below
            row[lowest.bit_length() - 1] += weight
            below ^= lowest
    return d, total, ranked_anyone or bool(beats)


def _as_dict(matrix: list[list[int]], order: tuple[Candidate, ...]) -> dict[Candidate, dict[Candidate, int]]:
    return {a: {b: matrix[i][j] for j, b in enumerate(order) if i != j} for i, a in enumerate(order)}


def pairwise_matrix(ballots: Ballots, candidates: Iterable[Candidate]) -> dict[Candidate, dict[Candidate, int]]:
    """``d[a][b]``: how many ballots rank a strictly above b."""
    order = _candidate_order(candidates)
    d, _, _ = _pairwise_count(ballots, {c: i for i, c in enumerate(order)}, len(order))
    return _as_dict(d, order)


def _condorcet_index(d: list[list[int]]) -> int | None:
    for a in range(len(d)):
        if all(d[a][b] > d[b][a] for b in range(len(d)) if b != a):
            return a
    return None


def condorcet_winner(ballots: Ballots, candidates: Iterable[Candidate]) -> Candidate | None:
    """The candidate who beats every other one-on-one, or None if there is none (or no ballot ranks anyone)."""
    order = _candidate_order(candidates)
    d, _, ranked_anyone = _pairwise_count(ballots, {c: i for i, c in enumerate(order)}, len(order))
    if not ranked_anyone:  # nobody ranked anyone: no one wins, not even a lone candidate
        return None
    found = _condorcet_index(d)
    return None if found is None else order[found]


@dataclass(frozen=True)
class HeadToHead:
    """How one candidate fares one-on-one against each other candidate."""

    candidate: Candidate
    beats: tuple[Candidate, ...]
    ties_with: tuple[Candidate, ...]
    loses_to: tuple[Candidate, ...]  # the candidates who would beat ``candidate`` one-on-one
    votes: dict[Candidate, tuple[int, int]]  # other -> (ballots preferring candidate, ballots preferring other)

    @property
    def beats_everyone(self) -> bool:
        return not self.ties_with and not self.loses_to


def head_to_head(ballots: Ballots, candidates: Iterable[Candidate], winner: Candidate) -> HeadToHead:
    """Would ``winner`` also beat every other candidate one-on-one? ``loses_to`` lists those who would beat it."""
    order = _candidate_order(candidates)
    if winner not in order:
        raise ValueError(f"{winner!r} is not a candidate")
    d, _, _ = _pairwise_count(ballots, {c: i for i, c in enumerate(order)}, len(order))
    w = order.index(winner)
    votes = {order[o]: (d[w][o], d[o][w]) for o in range(len(order)) if o != w}
    return HeadToHead(
        candidate=winner,
        beats=tuple(c for c, (won, lost) in votes.items() if won > lost),
        ties_with=tuple(c for c, (won, lost) in votes.items() if won == lost),
        loses_to=tuple(c for c, (won, lost) in votes.items() if won < lost),
        votes=votes,
    )


@dataclass(frozen=True)
class SchulzeResult:
    candidates: tuple[Candidate, ...]
    total_ballots: int
    pairwise: dict[Candidate, dict[Candidate, int]]  # d[a][b]: ballots ranking a above b
    strongest_paths: dict[Candidate, dict[Candidate, int]]  # p[a][b]: strength of the strongest path a -> b
    winners: tuple[Candidate, ...]  # every candidate nobody beats by path, in candidate-list order
    winner: Candidate | None
    reason: str  # unbeaten | tie_lot | no_ballots | no_valid_ballots | no_candidates
    ranking: tuple[Candidate, ...]
    condorcet_winner: Candidate | None
    lot_seed: int | str | None = None  # set only when a lot picked the winner among several ``winners``


def schulze(ballots: Ballots, candidates: Iterable[Candidate], *, seed: int | str = DEFAULT_SEED) -> SchulzeResult:
    """The Schulze method with winning votes.

    A link a -> b has strength d[a][b] if d[a][b] > d[b][a], else 0; p[a][b] is the widest path. The Schulze
    winners are those with p[w][x] >= p[x][w] for every x. If there are several, ``draw_lot(winners, seed)`` picks
    the winner. ``ranking``: the winner first, then the others by how many candidates they beat by path (more
    first), equal numbers in candidate-list order. No winner if no ballot ranks anyone.
    """
    order = _candidate_order(candidates)
    n = len(order)
    d, total, ranked_anyone = _pairwise_count(ballots, {c: i for i, c in enumerate(order)}, n)
    p = [[d[a][b] if d[a][b] > d[b][a] else 0 for b in range(n)] for a in range(n)]
    for via in range(n):
        for a in range(n):
            if a == via or p[a][via] == 0:
                continue
            for b in range(n):
                if b != a and b != via:
                    width = min(p[a][via], p[via][b])
                    p[a][b] = max(p[a][b], width)
    winners = [a for a in range(n) if all(p[a][b] >= p[b][a] for b in range(n) if b != a)]
    beaten = [sum(1 for b in range(n) if p[a][b] > p[b][a]) for a in range(n)]
    condorcet = _condorcet_index(d) if ranked_anyone else None

    def result(winner: int | None, reason: str, lot_seed: int | str | None = None) -> SchulzeResult:
        others = sorted((i for i in range(n) if i != winner), key=lambda i: (-beaten[i], i))
        ranking = tuple(order[i] for i in ([winner] if winner is not None else []) + others)
        return SchulzeResult(
            candidates=order,
            total_ballots=total,
            pairwise=_as_dict(d, order),
            strongest_paths=_as_dict(p, order),
            winners=tuple(order[i] for i in winners),
            winner=None if winner is None else order[winner],
            reason=reason,
            ranking=ranking if winner is not None else (),
            condorcet_winner=None if condorcet is None else order[condorcet],
            lot_seed=lot_seed,
        )

    if n == 0:
        return result(None, NO_CANDIDATES)
    if total == 0:
        return result(None, NO_BALLOTS)
    if not ranked_anyone:
        return result(None, NO_VALID_BALLOTS)
    if len(winners) == 1:
        return result(winners[0], UNBEATEN)
    drawn = draw_lot([order[i] for i in winners], seed)
    return result(order.index(drawn), TIE_LOT, seed)


# --------------------------------------------------------------------------------------------------------------
# Approval and plurality


@dataclass(frozen=True)
class CountResult:
    """Approval or plurality: one count per candidate."""

    method: str  # approval | plurality
    candidates: tuple[Candidate, ...]
    total_ballots: int
    counts: dict[Candidate, int]  # every candidate, in candidate-list order
    uncounted: int  # ballots that counted for nobody (empty; for plurality also a first rank with 2+ names)
    ranking: tuple[Candidate, ...]  # the winner first, then by count (most first), equal counts in list order
    winner: Candidate | None
    tied_winners: tuple[Candidate, ...]  # every candidate with the top count (just the winner if unique)
    reason: str  # most_votes | tie_lot | no_ballots | no_valid_ballots | no_candidates
    lot_seed: int | str | None = None


def _count_result(
    method: str, order: tuple, total: int, tally: list[int], uncounted: int, seed: int | str
) -> CountResult:
    counts = {c: tally[i] for i, c in enumerate(order)}
    by_count = sorted(range(len(order)), key=lambda i: (-tally[i], i))
    if not order or total == 0 or max(tally) == 0:
        reason = NO_CANDIDATES if not order else NO_BALLOTS if total == 0 else NO_VALID_BALLOTS
        return CountResult(method, order, total, counts, uncounted, (), None, (), reason)
    top = [order[i] for i in by_count if tally[i] == tally[by_count[0]]]
    if len(top) == 1:
        winner, reason, lot_seed = top[0], MOST_VOTES, None
    else:
        winner, reason, lot_seed = draw_lot(top, seed), TIE_LOT, seed
    ranking = (winner, *(order[i] for i in by_count if order[i] != winner))
    return CountResult(method, order, total, counts, uncounted, ranking, winner, tuple(top), reason, lot_seed)


def approval(ballots: Ballots, candidates: Iterable[Candidate], *, seed: int | str = DEFAULT_SEED) -> CountResult:
    """Every candidate named anywhere on a ballot gets one approval from it. Tie for most: ``draw_lot``."""
    order = _candidate_order(candidates)
    rankings, weights, total = _aggregate(ballots, {c: i for i, c in enumerate(order)})
    tally = [0] * len(order)
    uncounted = total - sum(weights)
    for ranks, weight in zip(rankings, weights, strict=True):
        named = {c for rank in ranks for c in rank}
        if not named:
            uncounted += weight
        for c in named:
            tally[c] += weight
    return _count_result("approval", order, total, tally, uncounted, seed)


def plurality(ballots: Ballots, candidates: Iterable[Candidate], *, seed: int | str = DEFAULT_SEED) -> CountResult:
    """First choices only; a first rank naming 2+ candidates counts for nobody. Tie for most: ``draw_lot``."""
    order = _candidate_order(candidates)
    rankings, weights, total = _aggregate(ballots, {c: i for i, c in enumerate(order)})
    tally = [0] * len(order)
    uncounted = total - sum(weights)
    for ranks, weight in zip(rankings, weights, strict=True):
        if ranks and len(ranks[0]) == 1:
            tally[ranks[0][0]] += weight
        else:
            uncounted += weight
    return _count_result("plurality", order, total, tally, uncounted, seed)
