"""Participatory budgeting outcome rules: greedy, greedy with a score threshold, Method of Equal Shares.

Everything here is pure: projects, a budget and ballots in, a frozen `PBResult` out. Money is whole units
(`int`); every decision that picks a winner is exact. Equal shares runs in floats for speed (add1 reruns
it hundreds of times) but checks every decision against a safety margin: when a comparison or an
affordability check is too close to call in floats, that run is redone in `fractions.Fraction`.

Each project gets a `ProjectOutcome` with a reason code the app turns into plain words:

- ``funded``
- ``no_votes``                 -- nobody voted for it (score 0 / no supporters)
- ``not_enough_money_left``    -- its cost was more than the money left (``money_left`` says how much)
- ``below_threshold``          -- greedy-threshold only: its score was below the minimum score
- ``supporters_spent_share``   -- equal shares only: money was left, but its supporters had spent their shares

Tie-breaking (documented because it decides outcomes):

- greedy: higher score first; equal scores -> lower cost first; then the order the projects were given in.
- equal shares: lower payment per unit of utility first (cost utilities, i.e. the highest "effective vote
  count"); ties -> lower cost, then more supporters, then the order the projects were given in.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from itertools import chain, repeat
from operator import itemgetter

FUNDED = "funded"
NO_VOTES = "no_votes"
NOT_ENOUGH_MONEY_LEFT = "not_enough_money_left"
BELOW_THRESHOLD = "below_threshold"
SUPPORTERS_SPENT_SHARE = "supporters_spent_share"

GREEDY = "greedy"
GREEDY_THRESHOLD = "greedy-threshold"
EQUAL_SHARES = "equalshares"
EQUAL_SHARES_ADD1 = "equalshares/add1"
EQUAL_SHARES_ADD1_COMPARISON = "equalshares/add1-comparison"

TIE_COST = "cost"  # equal scores: the cheaper project first (the default and the app's published rule)
TIE_ORDER = "order"  # equal scores: the project listed first
TIES = (TIE_COST, TIE_ORDER)


# Money: the app's own is whole kroner (int); a file with decimal amounts (pabulib's grosze) is counted
# exactly in Fractions. Whole inputs give whole results.
Amount = int | Fraction


@dataclass(frozen=True)
class Project:
    id: str
    cost: Amount
    name: str = ""


@dataclass(frozen=True)
class ProjectOutcome:
    project_id: str
    funded: bool
    reason: str
    # What the rule ranked by: votes or points for greedy, number of supporters for equal shares.
    score: int
    # For not_enough_money_left: the money left when the project was considered (greedy: at its turn in
    # the ranking; equal shares: after the final outcome). None otherwise.
    money_left: Amount | None = None


@dataclass(frozen=True)
class Comparison:
    """The comparison step of equal shares: how many voters prefer which outcome.

    A voter prefers the outcome that funds more of the projects they approved (equalshares.net's
    "satisfaction" comparison). The greedy outcome replaces the equal-shares one only if strictly more
    voters prefer it.
    """

    prefer_equal_shares: int
    prefer_greedy: int
    greedy_used: bool


@dataclass(frozen=True)
class PBResult:
    rule: str
    budget: Amount
    selected: tuple[str, ...]  # funded project ids, in the order the rule funded them
    total_cost: Amount
    outcomes: tuple[ProjectOutcome, ...]  # one per project, in the order the projects were given
    # Equal shares only: each voter's share of the budget in the (last, add1-raised) run that decided.
    share_per_voter: Fraction | None = None
    comparison: Comparison | None = None

    @property
    def money_left(self) -> Amount:
        return self.budget - self.total_cost

    def outcome(self, project_id: str) -> ProjectOutcome:
        for outcome in self.outcomes:
            if outcome.project_id == project_id:
                return outcome
        raise KeyError(project_id)


# ---------------------------------------------------------------------------------------------- inputs


def _is_amount(value: object) -> bool:
    return (type(value) is int or isinstance(value, Fraction)) and value >= 0  # type: ignore[operator]


def _check_inputs(projects: Sequence[Project], budget: Amount) -> dict[str, int]:
    """Validate projects and budget; return project id -> position."""
    if not _is_amount(budget):
        raise ValueError(f"budget must be a non-negative int or Fraction, got {budget!r}")
    position: dict[str, int] = {}
    for project in projects:
        if project.id in position:
            raise ValueError(f"project id {project.id!r} appears twice")
        if not _is_amount(project.cost):
            raise ValueError(f"project {project.id!r}: cost must be a non-negative int or Fraction")
        position[project.id] = len(position)
    return position


def _unknown(project_id: str) -> ValueError:
    return ValueError(f"a ballot names project {project_id!r}, which is not on the list of projects")


def approval_scores(projects: Sequence[Project], ballots: Iterable[Iterable[str]]) -> dict[str, int]:
    """Number of ballots approving each project (a project named twice on one ballot counts once)."""
    scores = {project.id: 0 for project in projects}
    for ballot in ballots:
        for project_id in set(ballot):
            if project_id not in scores:
                raise _unknown(project_id)
            scores[project_id] += 1
    return scores


def points_scores(projects: Sequence[Project], ballots: Iterable[Mapping[str, int]]) -> dict[str, int]:
    """Sum of the points each project received (cumulative or scored ballots)."""
    scores = {project.id: 0 for project in projects}
    for ballot in ballots:
        for project_id, points in ballot.items():
            if project_id not in scores:
                raise _unknown(project_id)
            if isinstance(points, bool) or not isinstance(points, int) or points < 0:
                raise ValueError(f"points for project {project_id!r} must be a whole number >= 0")
            scores[project_id] += points
    return scores


def borda_points(ranking: Sequence[str], max_length: int) -> dict[str, int]:
    """Points of one ranked ballot, the usual pabulib way: first choice max_length points, then one less each."""
    if len(ranking) > max_length:
        raise ValueError(f"a ranking of {len(ranking)} projects is longer than the maximum {max_length}")
    if len(set(ranking)) != len(ranking):
        raise ValueError("a ranking names the same project twice")
    return {project_id: max_length - place for place, project_id in enumerate(ranking)}


# ---------------------------------------------------------------------------------------------- greedy


def _check_tie(tie: str) -> None:
    if tie not in TIES:
        raise ValueError(f"unknown tie rule {tie!r}; use {' or '.join(map(repr, TIES))}")


def greedy(
    projects: Sequence[Project],
    budget: Amount,
    scores: Mapping[str, int],
    *,
    threshold: int | None = None,
    tie: str = TIE_COST,
) -> PBResult:
    """Fund projects by score, highest first, skipping any that no longer fits (and carrying on).

    `scores` are votes (approval) or points (cumulative, ordinal via `borda_points`). With `threshold`, only
    projects with score >= threshold are eligible (pabulib's ``min_project_score_threshold``); the rule is
    then called greedy-threshold. Projects with score 0 are never funded ("no_votes"). Equal scores: the
    cheaper project first (``tie="cost"``, the app's published rule), or the order the projects were given in
    (``tie="order"``, as some cities decide).
    """
    position = _check_inputs(projects, budget)
    _check_tie(tie)
    for project_id in scores:
        if project_id not in position:
            raise _unknown(project_id)
    score = {project.id: scores.get(project.id, 0) for project in projects}
    if tie == TIE_COST:
        ranking = sorted(projects, key=lambda p: (-score[p.id], p.cost, position[p.id]))
    else:
        ranking = sorted(projects, key=lambda p: (-score[p.id], position[p.id]))

    money_left = budget
    selected: list[str] = []
    outcome: dict[str, ProjectOutcome] = {}
    for project in ranking:
        points = score[project.id]
        if points <= 0:
            outcome[project.id] = ProjectOutcome(project.id, False, NO_VOTES, points)
        elif threshold is not None and points < threshold:
            outcome[project.id] = ProjectOutcome(project.id, False, BELOW_THRESHOLD, points)
        elif project.cost > money_left:
            outcome[project.id] = ProjectOutcome(project.id, False, NOT_ENOUGH_MONEY_LEFT, points, money_left)
        else:
            money_left -= project.cost
            selected.append(project.id)
            outcome[project.id] = ProjectOutcome(project.id, True, FUNDED, points)
    return PBResult(
        rule=GREEDY if threshold is None else GREEDY_THRESHOLD,
        budget=budget,
        selected=tuple(selected),
        total_cost=budget - money_left,
        outcomes=tuple(outcome[project.id] for project in projects),
    )


def greedy_threshold(
    projects: Sequence[Project], budget: Amount, scores: Mapping[str, int], threshold: int, *, tie: str = TIE_COST
) -> PBResult:
    return greedy(projects, budget, scores, threshold=threshold, tie=tie)


# ---------------------------------------------------------------------------------------- equal shares


class _TooClose(Exception):
    """A floating-point decision was too close to call; the run is redone in exact fractions."""


# add1's unit steps are run in blocks of at most this many units (see `_add1`).
_BLOCK = 16

# A candidate capped before: its cap is first sought among the supporters poorer than this times the last cap.
_CAP_ROOM = 1.5

# Floats are only trusted when the two sides of a decision differ by more than this (relative to the
# money in play); rounding errors of a run are many orders of magnitude smaller.
_FLOAT_MARGIN = 1e-9


@dataclass(frozen=True)
class _Electorate:
    """Approval ballots grouped by identical ballot: such voters always hold identical budgets."""

    costs: tuple[Amount, ...]
    group_sizes: tuple[int, ...]
    group_ballots: tuple[tuple[int, ...], ...]
    supporter_groups: tuple[tuple[int, ...], ...]  # per project
    # Per project: its supporters' groups, each repeated once per voter (so C loops list every supporter's money).
    supporter_voters: tuple[tuple[int, ...], ...]
    supporters: tuple[int, ...]  # per project: number of voters approving it
    voters: int
    tie: str = TIE_COST
    # Per project: the first project with exactly the same supporters. Two projects with the same supporters and
    # the same cost get the same votes at any budget, so only the tie key ever decides between them.
    twin_of: tuple[int, ...] = ()
    # Per project: the other projects with a supporter in common (whose votes change when it is funded).
    overlaps: tuple[tuple[int, ...], ...] = ()
    # The projects that cost something and have supporters, most supporters first (then by the tie key).
    by_supporters: tuple[int, ...] = ()
    # Per project: a function giving the money of each of its supporters (in that order) from the groups' money, an
    # itemgetter (three times as fast as mapping __getitem__ over the groups).
    supporter_money: tuple[Callable[[Sequence[Amount | float]], tuple[Amount | float, ...]], ...] = field(
        default=(), compare=False
    )


def _electorate(
    projects: Sequence[Project], position: Mapping[str, int], ballots: Iterable[Iterable[str]], tie: str = TIE_COST
) -> _Electorate:
    sizes: dict[tuple[int, ...], int] = {}
    voters = 0
    for ballot in ballots:
        voters += 1
        indices = []
        for project_id in set(ballot):
            if project_id not in position:
                raise _unknown(project_id)
            indices.append(position[project_id])
        key = tuple(sorted(indices))
        sizes[key] = sizes.get(key, 0) + 1
    group_ballots = tuple(sizes)
    supporter_groups: list[list[int]] = [[] for _ in projects]
    supporters = [0] * len(projects)
    for group, ballot in enumerate(group_ballots):
        for p in ballot:
            supporter_groups[p].append(group)
            supporters[p] += sizes[ballot]
    first_with: dict[tuple[int, ...], int] = {}
    twin_of = tuple(first_with.setdefault(tuple(groups), p) for p, groups in enumerate(supporter_groups))
    overlaps: list[set[int]] = [set() for _ in projects]
    for ballot in group_ballots:
        for p in ballot:
            overlaps[p].update(ballot)
    electorate = _Electorate(
        costs=tuple(project.cost for project in projects),
        group_sizes=tuple(sizes.values()),
        group_ballots=group_ballots,
        supporter_groups=tuple(tuple(groups) for groups in supporter_groups),
        supporter_voters=tuple(
            tuple(chain.from_iterable(repeat(g, sizes[group_ballots[g]]) for g in groups))
            for groups in supporter_groups
        ),
        supporters=tuple(supporters),
        voters=voters,
        tie=tie,
        twin_of=twin_of,
        overlaps=tuple(tuple(sorted(others - {p})) for p, others in enumerate(overlaps)),
    )
    electorate = replace(electorate, supporter_money=tuple(map(_money_getter, electorate.supporter_voters)))
    paying = [p for p, project in enumerate(projects) if project.cost > 0 and supporters[p] > 0]
    by_supporters = sorted(paying, key=lambda p: (-supporters[p], _mes_tie_key(electorate, p)))
    return replace(electorate, by_supporters=tuple(by_supporters))


def _money_getter(
    indices: tuple[int, ...],
) -> Callable[[Sequence[Amount | float]], tuple[Amount | float, ...]]:
    """A function picking these items of a list, as a tuple (itemgetter gives a single item bare)."""
    if len(indices) > 1:
        return itemgetter(*indices)
    return lambda money: tuple(money[index] for index in indices)


def _mes_tie_key(e: _Electorate, p: int) -> tuple[Amount, int, int]:
    if e.tie == TIE_ORDER:
        return (0, 0, p)
    return (e.costs[p], -e.supporters[p], p)


def _twins(e: _Electorate, p: int, q: int) -> bool:
    """Same supporters and same cost: p and q tie on votes at every budget."""
    return e.twin_of[p] == e.twin_of[q] and e.costs[p] == e.costs[q]


@dataclass(frozen=True)
class _Run:
    """One run of equal shares: the funded projects, and for each round that paid, the project and its votes (its
    cost divided by the payment asked of each supporter: the "effective vote count" the round maximised), with
    whether that number is exact (always in fractions; in floats when nobody was capped: the number of payers)."""

    winners: tuple[int, ...]
    rounds: tuple[tuple[int, Fraction | float, bool], ...]
    head: _Head | None = field(default=None, compare=False)
    # In floats: for each round, an upper bound of every candidate's votes before it (see `_run`'s `above`).
    bounds: tuple[dict[int, float] | None, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class _Head:
    """The first rounds of a run in floats that every larger endowment repeats exactly, and the money after them.

    In each, the project funded had the most supporters of all the projects left (no other with as many that the
    tie would favour), every one of them with money, and none capped: so it had as many votes as supporters, which
    no other project can reach, and each supporter paid cost / supporters. With more money for everyone that
    stays so, the payments do not depend on the endowment, and after these rounds each ballot group holds its
    `money` here plus the increase of the share.
    """

    choices: tuple[int, ...]
    money: list[float]
    endowment: Amount


class _Unaffordable(Exception):
    """The project's supporters together hold less than its cost."""


def _equal_shares_run(
    e: _Electorate, total_endowment: Amount, head: _Head | None = None, above: _Run | None = None
) -> _Run:
    """One run of equal shares with `total_endowment` split equally.

    Runs in floats and redoes the run in exact fractions when any float decision was too close to call,
    so the result is always the exact one. `head`: a smaller endowment's run's head, whose rounds this one repeats
    without computing them; `above`: a larger endowment's run, whose bounds spare evaluations (see `_run`).
    """
    try:
        run = _run(e, total_endowment, exact=False, head=head, above=above)
    except _TooClose:
        run = _run(e, total_endowment, exact=True)
    assert run is not None
    return run


def _run(
    e: _Electorate,
    total_endowment: Amount,
    *,
    exact: bool,
    follow: _Run | None = None,
    head: _Head | None = None,
    above: _Run | None = None,
) -> _Run | None:
    """A run of equal shares, in exact fractions or in floats (raising _TooClose when a float decision is too close
    to call; a tie between numbers that floats hold exactly, such as equal numbers of payers, is not too close).

    With `follow` (a run at a smaller endowment), this is a certificate instead: it replays `follow`'s choices at
    this endowment and returns the run if the choices are provably the same at *every* endowment in between, else
    None. The proof: with the same choices, more money for everyone leaves every voter at least as much money after
    every round (a supporter keeps max(money - payment, 0), and the payment falls as the supporters' money rises),
    so a project's votes only rise with the endowment. The choice of round t stays the same in between if no rival
    reaches, here at the larger endowment, the votes that round's choice had at the smaller one (reaching them
    exactly is fine for a rival that loses the tie); no round is added if nothing left is affordable here.

    In floats, the run records its `_Head`, and starts from a given one (of a smaller endowment) without computing
    its rounds (a certificate only if it follows the same first choices).

    `above` (floats, not for a certificate): a run at a larger endowment. For as long as this run makes the same
    choices, the bounds `above` recorded in each round (once the round's choice was made, before its payments) are
    bounds here too (with the same choices every voter holds at least as much money there, so every candidate has
    at least as many votes, and one unaffordable there is unaffordable here), usually much tighter than this run's
    own: candidates they show to lose are not evaluated. A plain run records its bounds for that.
    """
    zero: Fraction | float
    costs: Sequence[Amount | float]
    if exact:
        share: Fraction | float = Fraction(total_endowment) / e.voters
        zero = Fraction(0)
        costs = e.costs
    else:
        share = float(total_endowment) / e.voters
        zero = 0.0
        costs = [float(cost) for cost in e.costs]
    money_margin = _FLOAT_MARGIN * max(float(total_endowment), 1.0)

    # Each ballot group's money (voters with the same ballot always hold the same amount).
    money: list[Fraction | float] = [share] * len(e.group_sizes)

    # Zero-cost projects are funded outright (they cost nobody anything); unsupported ones never are.
    winners = [p for p, cost in enumerate(e.costs) if cost == 0 and e.supporters[p] > 0]
    # An upper bound of each candidate's votes; it can only fall as purses empty (votes never exceed supporters).
    bound: dict[int, Fraction | float] = {
        p: Fraction(e.supporters[p]) if exact else float(e.supporters[p])
        for p, cost in enumerate(e.costs)
        if cost > 0 and e.supporters[p] > 0
    }

    # The candidates whose supporters were not all able to pay an equal share (floats), and the payment cap then.
    capped: dict[int, float] = {}

    def least_cap(poorest: list[Fraction | float], cost: Amount | float, payers: int) -> Fraction | float | None:
        """The least payment cap at which `payers` supporters pay `cost`, each paying min(money, cap), from the
        money of the poorest of them in increasing order; None if it needs to know the money of more of them (or,
        when `poorest` are all of them, if they cannot pay the cost together). With the k poorest giving all they
        have, the others pay the rest equally: that is the cap if the k-th poorest can pay it."""
        paid: Fraction | float = zero
        for k, money_k in enumerate(poorest):
            cap = (cost - paid) / (payers - k)
            if cap <= money_k:
                return cap
            paid += money_k
        if len(poorest) == payers:
            return None
        return (cost - paid) / (payers - len(poorest))

    def votes_of(p: int) -> tuple[Fraction | float, Fraction | float, bool]:
        """(votes, payment, exact): the least payment cap at which p's supporters pay its cost (each paying
        min(money, cap)), and cost / cap. _Unaffordable if their money together is less than the cost; in floats
        _TooClose if too close to tell."""
        held = list(filter(None, e.supporter_money[p](money)))  # each paying supporter's money
        cost = costs[p]
        payers = len(held)
        last: float | None = None
        if not exact:
            available = sum(held)
            if available < cost - money_margin:
                raise _Unaffordable
            if available <= cost + money_margin:
                raise _TooClose
            last = capped.get(p)
            if last is None:
                poorest = min(held)
            else:
                # Capped last time: most likely so again, at a cap at least as high (purses only shrink), which
                # usually depends only on the supporters poorer than a little more than the last cap.
                limit = last * _CAP_ROOM
                lower = [money for money in held if money < limit]
                lower.sort()
                poorest = lower[0] if lower else min(held)
            if cost <= poorest * payers * (1 - _FLOAT_MARGIN):
                return float(payers), cost / payers, True  # nobody capped: exactly `payers` votes
        elif not held:
            raise _Unaffordable
        if exact or last is None:
            # Usually few supporters are poorer than the cap, and then the cap is below twice an equal share: only
            # the supporters poorer than that need sorting.
            limit = 2 * cost / payers
            lower = [money for money in held if money < limit]
            lower.sort()
        cap = least_cap(lower, cost, payers)
        if cap is None or cap > limit:
            held.sort()
            cap = least_cap(held, cost, payers)
        if cap is None:
            if not exact:
                raise _TooClose  # float rounding at the very edge of affordability
            raise _Unaffordable
        if not exact:
            capped[p] = cap  # type: ignore[assignment]
        return cost / cap, cap, exact

    def beats(
        votes: Fraction | float, is_exact: bool, p: int, rival_votes: Fraction | float, rival_exact: bool, rival: int
    ) -> bool:
        """Do p's votes beat the rival's (the tie key deciding equal votes)?"""
        if not (is_exact and rival_exact) and abs(votes - rival_votes) <= _FLOAT_MARGIN * max(votes, rival_votes):
            raise _TooClose
        if votes != rival_votes:
            return votes > rival_votes
        return _mes_tie_key(e, p) < _mes_tie_key(e, rival)

    rounds: list[tuple[int, Fraction | float, bool]] = []
    # The head (see _Head): its choices so far, and the money after them once a round is not part of it.
    clean: list[int] = []
    clean_money: list[Fraction | float] | None = None
    paid_for: set[int] = set()
    lead = 0  # e.by_supporters before this index are paid for

    if (
        head is not None
        and not exact
        and (follow is None or tuple(p for p, _, _ in follow.rounds[: len(head.choices)]) == head.choices)
    ):
        assert total_endowment >= head.endowment
        shift = float(total_endowment - head.endowment) / e.voters
        money[:] = [held + shift for held in head.money]
        for p in head.choices:
            winners.append(p)
            rounds.append((p, float(e.supporters[p]), True))
            del bound[p]
            paid_for.add(p)
            clean.append(p)
    else:
        head = None

    # Candidates by bound, highest first (lazily: an entry whose bound is no longer current is skipped). A fresh
    # candidate's bound is its current votes: none of its supporters paid since they were computed.
    heap = [(-votes, p) for p, votes in bound.items()]
    heapq.heapify(heap)
    fresh: dict[int, tuple[Fraction | float, Fraction | float, bool]] = {}

    def evaluate(p: int) -> tuple[Fraction | float, Fraction | float, bool]:
        found = fresh.get(p)
        if found is None:
            found = fresh[p] = votes_of(p)
            bound[p] = found[0]
        return found

    # Bounds of a larger endowment's run at the start of this round, while this run makes the same choices.
    ceiling: dict[int, float] | None = None
    above_bounds: tuple[dict[int, float] | None, ...] = (
        above.bounds if above is not None and follow is None and not exact else ()
    )
    aligned = bool(above_bounds) and (
        above is not None and tuple(p for p, _, _ in above.rounds[: len(rounds)]) == tuple(p for p, _, _ in rounds)
    )
    recorded: list[dict[int, float] | None] = [None] * len(rounds)  # none for the head's rounds

    def next_candidate(floor: Fraction | float, popped: list[int]) -> int | None:
        """The candidate with the highest bound if that is at least `floor` (taken off the heap and recorded in
        `popped`, to be put back after the round), else None."""
        while heap:
            negative, p = heap[0]
            if bound.get(p) != -negative:
                heapq.heappop(heap)  # an outdated entry
                continue
            if ceiling is not None and p not in fresh:  # the larger endowment's bound may be tighter
                higher = ceiling.get(p)
                if higher is None:  # unaffordable at the larger endowment
                    heapq.heappop(heap)
                    del bound[p]
                    continue
                if higher < bound[p]:
                    bound[p] = higher  # type: ignore[assignment]
                    heapq.heapreplace(heap, (-higher, p))
                    continue
            if bound[p] < floor:
                return None
            heapq.heappop(heap)
            popped.append(p)
            return p
        return None

    def fund(best: int, best_votes: Fraction | float, best_payment: Fraction | float, best_exact: bool) -> None:
        nonlocal clean_money, lead, aligned
        if aligned and (len(rounds) >= len(above.rounds) or above.rounds[len(rounds)][0] != best):  # type: ignore[union-attr]
            aligned = False
        if clean_money is None and not exact:
            while lead < len(e.by_supporters) and e.by_supporters[lead] in paid_for:
                lead += 1
            if best_exact and lead < len(e.by_supporters) and e.by_supporters[lead] == best:
                clean.append(best)
                paid_for.add(best)
            else:
                clean_money = list(money)  # the head ends before this round
        winners.append(best)
        rounds.append((best, best_votes, best_exact))
        del bound[best]
        for p in e.overlaps[best]:
            fresh.pop(p, None)  # its supporters are about to pay
        # The supporters pay the cap each, or all they have if that is less.
        for g in e.supporter_groups[best]:
            left = money[g] - best_payment
            money[g] = left if left > 0 else zero

    try:
        while bound:
            best = -1
            best_votes: Fraction | float = zero
            best_payment: Fraction | float = zero
            best_exact = True
            popped: list[int] = []
            ceiling = above_bounds[len(rounds)] if aligned and len(rounds) < len(above_bounds) else None
            if follow is not None:
                if len(rounds) == len(follow.rounds):
                    break  # checked below: nothing may be affordable here
                forced, before, before_exact = follow.rounds[len(rounds)]
                if forced not in bound:
                    return None
                # The rounds from here that may come in any order: projects without a supporter in common fund the
                # same whichever goes first. A rival must stay below the lowest of them.
                block = [forced]
                while True:
                    floor = before * (1 - _FLOAT_MARGIN)
                    rival = None
                    while (q := next_candidate(floor, popped)) is not None:
                        if q in block or (
                            len(block) == 1 and _twins(e, q, forced) and _mes_tie_key(e, forced) < _mes_tie_key(e, q)
                        ):
                            continue
                        try:
                            votes, _, is_exact = evaluate(q)
                        except _Unaffordable:
                            del bound[q]  # unaffordable now, and purses only shrink
                            continue
                        wins = beats(votes, is_exact, q, before, before_exact, block[-1])
                        if len(block) > 1:
                            wins = wins or votes == before  # against a block, a tie is not good enough
                        if wins:
                            rival = q
                            break
                    if rival is None:
                        break
                    following = len(rounds) + len(block)
                    if (
                        following < len(follow.rounds)
                        and follow.rounds[following][0] == rival
                        and not any(rival in e.overlaps[b] for b in block)
                    ):
                        block.append(rival)  # the rival is the next choice anyway, and independent of the block
                        _, before, before_exact = follow.rounds[following]
                        for q in popped:
                            if q in bound:
                                heapq.heappush(heap, (-bound[q], q))
                        popped.clear()
                        continue
                    return None  # this rival might win a round somewhere in between
                for member in block[:-1]:
                    fund(member, *evaluate(member))
                best = block[-1]
                best_votes, best_payment, best_exact = evaluate(best)
            else:
                margin = (1 - _FLOAT_MARGIN) if not exact else 1
                while (p := next_candidate(best_votes * margin if best >= 0 else zero, popped)) is not None:
                    try:
                        votes, payment, is_exact = evaluate(p)
                    except _Unaffordable:
                        del bound[p]  # unaffordable now, and purses only shrink
                        continue
                    if best < 0:
                        better = True
                    elif _twins(e, p, best):  # equal votes at any budget: only the tie key decides
                        better = _mes_tie_key(e, p) < _mes_tie_key(e, best)
                    else:
                        better = beats(votes, is_exact, p, best_votes, best_exact, best)
                    if better:
                        best, best_votes, best_payment, best_exact = p, votes, payment, is_exact
                if best < 0:
                    break
            if follow is None and not exact:
                recorded.append(dict(bound))  # type: ignore[arg-type]
            fund(best, best_votes, best_payment, best_exact)
            for p in popped:
                if p in bound:
                    heapq.heappush(heap, (-bound[p], p))
        if follow is not None:
            if len(rounds) != len(follow.rounds):
                return None
            for q in bound:
                try:
                    votes_of(q)
                except _Unaffordable:
                    continue
                return None  # a round the smaller endowment did not have
    except (_TooClose, _Unaffordable):
        if follow is not None:
            return None  # too close to certify in floats: the caller takes smaller steps
        raise
    if exact:
        return _Run(tuple(winners), tuple(rounds))
    if not clean:
        found_head = None
    elif head is not None and len(head.choices) == len(clean):
        found_head = head
    else:
        found_head = _Head(tuple(clean), clean_money or list(money), total_endowment)  # type: ignore[arg-type]
    return _Run(tuple(winners), tuple(rounds), found_head, tuple(recorded) if follow is None else ())


def _add1(e: _Electorate, budget: Amount) -> tuple[list[int], Amount | None]:
    """Equal shares with add1 completion; returns the winners and the total endowment that produced them.

    Start from the real budget split equally, then raise every voter's share by one currency unit (the
    total by the number of voters) and rerun, for as long as the outcome stays within the real budget;
    keep the last outcome that did. There is no early stop when an outcome is already exhaustive: raising
    the shares further can still change the outcome, and the official Wieliczka 2023 outcome is only
    reproduced without that stop (equalshares.net's plain "add1"; its "exhaustive" option and pabutools'
    default stop earlier). The endowment is None when every supported project fits the budget: add1 would
    never overspend then and ends up funding all of them.

    Not every unit is run: a run's choices are certified for a whole range of endowments at once (see `_run`),
    doubling the range while that succeeds and halving it when it does not, down to one unit, where the method
    runs as such. Those runs share work: each starts from the last run's head (its first rounds, which every larger
    endowment repeats: see `_Head`), and they are done in blocks of units from the top down, each taking the bounds
    of the run one unit above while its choices are the same (see `_run`'s `above`). The result is the one that
    stepping one unit at a time gives.
    """
    supported = [p for p in range(len(e.costs)) if e.supporters[p] > 0]
    if sum(e.costs[p] for p in supported) <= budget:
        # Raising shares would eventually fund every supported project without overspending, so that is
        # where add1 ends; skip the (possibly very many) reruns.
        return supported, None
    endowment = budget
    run = _equal_shares_run(e, endowment)
    ahead = 2  # how many units the next certificate tries to cover
    failed_at: int | None = None  # a certificate this many units ahead failed (a change may be there)
    waiting = 0  # plain runs to do before trying a certificate again
    patience = 1  # how long to wait after the next certificate of two units fails
    certified_last = False
    # Runs computed ahead for the unit steps: a block of them from its top down, each run sparing evaluations by
    # the bounds of the one above it (see `_run`).
    pending: dict[Amount, _Run] = {}
    while True:
        if ahead >= 2 and waiting == 0 and endowment + e.voters not in pending:
            certified = _run(e, endowment + ahead * e.voters, exact=False, follow=run, head=run.head)
            if certified is not None:
                endowment += ahead * e.voters
                run, certified_last = certified, True
                patience = 1
                if failed_at is not None:
                    failed_at -= ahead
                ahead = failed_at // 2 if failed_at is not None else 2 * ahead
            else:
                if ahead == 2:  # next to a change, or choices too close to certify: run unit by unit a while
                    waiting, patience = patience, min(2 * patience, 16)
                failed_at = ahead
                ahead //= 2
            continue
        raised = pending.pop(endowment + e.voters, None)
        if raised is None:
            pending.clear()
            above = None
            for units in range(min(max(waiting, 1), _BLOCK), 0, -1):
                above = _equal_shares_run(e, endowment + units * e.voters, run.head, above)
                pending[endowment + units * e.voters] = above
            raised = pending.pop(endowment + e.voters)
        if sum(e.costs[p] for p in raised.winners) > budget:
            break
        endowment += e.voters
        run, certified_last = raised, False
        waiting = max(waiting - 1, 0)
        failed_at = failed_at - 1 if failed_at is not None and failed_at > 1 else None
        ahead = 2 if failed_at is None else max(failed_at // 2, 1)
    if certified_last:
        run = _equal_shares_run(e, endowment)  # a certificate may list independent projects in another order
    return list(run.winners), endowment


def _compare(e: _Electorate, equal_shares_winners: Iterable[int], greedy_winners: Iterable[int]) -> tuple[int, int]:
    """Voters preferring each outcome: the one funding more of their approved projects."""
    mes, grd = set(equal_shares_winners), set(greedy_winners)
    prefer_mes = prefer_greedy = 0
    for size, ballot in zip(e.group_sizes, e.group_ballots, strict=True):
        in_mes = sum(1 for p in ballot if p in mes)
        in_greedy = sum(1 for p in ballot if p in grd)
        if in_mes > in_greedy:
            prefer_mes += size
        elif in_greedy > in_mes:
            prefer_greedy += size
    return prefer_mes, prefer_greedy


def equal_shares(
    projects: Sequence[Project],
    budget: Amount,
    ballots: Iterable[Iterable[str]],
    *,
    completion: str | None = "add1",
    comparison: bool = False,
    tie: str = TIE_COST,
) -> PBResult:
    """The Method of Equal Shares for approval ballots, with cost utilities, as cities run it.

    The budget is split equally among the voters. Each round funds the affordable project whose supporters
    pay the least per unit of utility, the cost split as equally as their remaining money allows.
    `completion="add1"` (the default) raises every voter's share by one currency unit and reruns, keeping
    the last outcome within the budget (without stopping early at an exhaustive outcome: see `_add1`). With
    `comparison=True` the greedy outcome (by number of approvals) is used instead when strictly more voters
    prefer it.
    """
    if completion not in (None, "add1"):
        raise ValueError(f"unknown completion {completion!r}; use 'add1' or None")
    position = _check_inputs(projects, budget)
    _check_tie(tie)
    electorate = _electorate(projects, position, ballots, tie)
    endowment: Amount | None
    winners: list[int]
    if electorate.voters == 0:
        winners, endowment = [], budget
    elif completion == "add1":
        winners, endowment = _add1(electorate, budget)
    else:
        winners, endowment = list(_equal_shares_run(electorate, budget).winners), budget
    rule = EQUAL_SHARES if completion is None else EQUAL_SHARES_ADD1
    share = Fraction(endowment) / electorate.voters if electorate.voters and endowment is not None else None

    compared: Comparison | None = None
    if comparison:
        rule = EQUAL_SHARES_ADD1_COMPARISON if completion == "add1" else EQUAL_SHARES + "-comparison"
        votes = dict(zip((p.id for p in projects), electorate.supporters, strict=True))
        greedy_result = greedy(projects, budget, votes, tie=tie)
        prefer_mes, prefer_greedy = _compare(electorate, winners, (position[i] for i in greedy_result.selected))
        compared = Comparison(prefer_mes, prefer_greedy, greedy_used=prefer_greedy > prefer_mes)
        if compared.greedy_used:
            return PBResult(
                rule=rule,
                budget=budget,
                selected=greedy_result.selected,
                total_cost=greedy_result.total_cost,
                outcomes=greedy_result.outcomes,
                share_per_voter=share,
                comparison=compared,
            )

    total_cost = sum(projects[p].cost for p in winners)
    money_left = budget - total_cost
    funded = set(winners)
    outcomes = []
    for p, project in enumerate(projects):
        supporters = electorate.supporters[p]
        if p in funded:
            outcomes.append(ProjectOutcome(project.id, True, FUNDED, supporters))
        elif supporters == 0:
            outcomes.append(ProjectOutcome(project.id, False, NO_VOTES, 0))
        elif project.cost > money_left:
            outcomes.append(ProjectOutcome(project.id, False, NOT_ENOUGH_MONEY_LEFT, supporters, money_left))
        else:
            outcomes.append(ProjectOutcome(project.id, False, SUPPORTERS_SPENT_SHARE, supporters))
    return PBResult(
        rule=rule,
        budget=budget,
        selected=tuple(projects[p].id for p in winners),
        total_cost=total_cost,
        outcomes=tuple(outcomes),
        share_per_voter=share,
        comparison=compared,
    )
