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

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

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


# Floats are only trusted when the two sides of a decision differ by more than this (relative to the
# money in play); rounding errors of a run are many orders of magnitude smaller.
_FLOAT_MARGIN = 1e-9


@dataclass(frozen=True)
class _Electorate:
    """Approval ballots grouped by identical ballot: such voters always hold identical budgets."""

    costs: tuple[int, ...]
    group_sizes: tuple[int, ...]
    group_ballots: tuple[tuple[int, ...], ...]
    supporter_groups: tuple[tuple[int, ...], ...]  # per project
    supporter_sizes: tuple[tuple[tuple[int, int], ...], ...]  # per project: (group, its size) pairs
    supporters: tuple[int, ...]  # per project: number of voters approving it
    voters: int
    tie: str = TIE_COST


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
    return _Electorate(
        costs=tuple(project.cost for project in projects),
        group_sizes=tuple(sizes.values()),
        group_ballots=group_ballots,
        supporter_groups=tuple(tuple(groups) for groups in supporter_groups),
        supporter_sizes=tuple(tuple((g, sizes[group_ballots[g]]) for g in groups) for groups in supporter_groups),
        supporters=tuple(supporters),
        voters=voters,
        tie=tie,
    )


def _equal_shares_run(electorate: _Electorate, total_endowment: int) -> list[int]:
    """One run of equal shares with `total_endowment` split equally; returns funded project indices.

    Runs in floats and redoes the run in exact fractions when any float decision was too close to call,
    so the result is always the exact one.
    """
    try:
        return _equal_shares_fixed(electorate, total_endowment, exact=False)
    except _TooClose:
        return _equal_shares_fixed(electorate, total_endowment, exact=True)


def _equal_shares_fixed(electorate: _Electorate, total_endowment: int, *, exact: bool) -> list[int]:
    e = electorate
    share: Fraction | float = Fraction(total_endowment) / e.voters if exact else float(total_endowment) / e.voters
    zero: Fraction | float = Fraction(0) if exact else 0.0
    money_margin = _FLOAT_MARGIN * max(total_endowment, 1)

    # Voters with the same payment history hold the same amount, so budgets live in a few "purses":
    # each ballot group points at a purse (purse 0 is the untouched share).
    purse_money: list[Fraction | float] = [share]
    group_purse = [0] * len(e.group_sizes)

    # Zero-cost projects are funded outright (they cost nobody anything); unsupported ones never are.
    winners = [p for p, cost in enumerate(e.costs) if cost == 0 and e.supporters[p] > 0]
    # An upper bound of each candidate's effective vote count (it can only fall as purses empty).
    bound: dict[int, Fraction | float] = {
        p: Fraction(e.supporters[p]) if exact else float(e.supporters[p])
        for p, cost in enumerate(e.costs)
        if cost > 0 and e.supporters[p] > 0
    }

    while bound:
        best = -1
        best_votes: Fraction | float = zero
        best_payment: Fraction | float = zero
        for p in sorted(bound, key=lambda q: (-bound[q], q)):
            if best >= 0 and bound[p] < best_votes * ((1 - _FLOAT_MARGIN) if not exact else 1):
                break  # cannot beat the best any more
            cost = e.costs[p]
            holders: dict[int, int] = {}  # purse -> number of p's supporters holding it
            for group, size in e.supporter_sizes[p]:
                purse = group_purse[group]
                if purse_money[purse] > 0:
                    holders[purse] = holders.get(purse, 0) + size
            payment = _max_payment(cost, holders, purse_money, exact, money_margin)
            if payment is None:
                del bound[p]  # unaffordable now, and purses only shrink
                continue
            votes = cost / payment
            bound[p] = votes
            if best < 0:
                best, best_votes, best_payment = p, votes, payment
                continue
            if not exact and abs(votes - best_votes) <= _FLOAT_MARGIN * best_votes:
                raise _TooClose
            if votes > best_votes or (votes == best_votes and _mes_tie_key(e, p) < _mes_tie_key(e, best)):
                best, best_votes, best_payment = p, votes, payment
        if best < 0:
            break
        winners.append(best)
        del bound[best]
        _pay(e, best, best_payment, purse_money, group_purse, zero)
    return winners


def _mes_tie_key(e: _Electorate, p: int) -> tuple[Amount, int, int]:
    if e.tie == TIE_ORDER:
        return (0, 0, p)
    return (e.costs[p], -e.supporters[p], p)


def _max_payment(
    cost: int,
    holders: Mapping[int, int],
    purse_money: Sequence[Fraction | float],
    exact: bool,
    money_margin: float,
) -> Fraction | float | None:
    """The least payment cap at which the supporters can pay `cost` (each paying min(money, cap)).

    None if all their money together is less than the cost.
    """
    purses = sorted(holders, key=purse_money.__getitem__)
    if not exact:
        available = sum(purse_money[k] * holders[k] for k in purses)
        if abs(available - cost) <= money_margin:
            raise _TooClose
    # Fraction(0) keeps exact runs exact: int / int would silently give a float.
    paid: Fraction | float = Fraction(0) if exact else 0.0
    payers = sum(holders.values())
    for k in purses:
        cap = (cost - paid) / payers
        if cap <= purse_money[k]:
            return cap
        # These supporters cannot pay the cap: they give everything they have.
        paid += purse_money[k] * holders[k]
        payers -= holders[k]
    return None


def _pay(
    e: _Electorate,
    project: int,
    payment: Fraction | float,
    purse_money: list[Fraction | float],
    group_purse: list[int],
    zero: Fraction | float,
) -> None:
    """The project's supporters pay `payment` each, or all they have if that is less."""
    moved: dict[int, int] = {}  # old purse -> new purse, so holders of one purse stay together
    for group in e.supporter_groups[project]:
        old = group_purse[group]
        new = moved.get(old)
        if new is None:
            money = purse_money[old]
            new = len(purse_money)
            purse_money.append(money - payment if money > payment else zero)
            moved[old] = new
        group_purse[group] = new


def _add1(e: _Electorate, budget: int) -> tuple[list[int], int | None]:
    """Equal shares with add1 completion; returns the winners and the total endowment that produced them.

    Start from the real budget split equally, then raise every voter's share by one currency unit (the
    total by the number of voters) and rerun, for as long as the outcome stays within the real budget;
    keep the last outcome that did. There is no early stop when an outcome is already exhaustive: raising
    the shares further can still change the outcome, and the official Wieliczka 2023 outcome is only
    reproduced without that stop (equalshares.net's plain "add1"; its "exhaustive" option and pabutools'
    default stop earlier). The endowment is None when every supported project fits the budget: add1 would
    never overspend then and ends up funding all of them.
    """
    supported = [p for p in range(len(e.costs)) if e.supporters[p] > 0]
    if sum(e.costs[p] for p in supported) <= budget:
        # Raising shares would eventually fund every supported project without overspending, so that is
        # where add1 ends; skip the (possibly very many) reruns.
        return supported, None
    endowment = budget
    winners = _equal_shares_run(e, endowment)
    while True:
        raised = _equal_shares_run(e, endowment + e.voters)
        if sum(e.costs[p] for p in raised) > budget:
            break
        endowment += e.voters
        winners = raised
    return winners, endowment


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
    the last outcome within the budget (stopping early once nothing more fits). With `comparison=True` the
    greedy outcome (by number of approvals) is used instead when strictly more voters prefer it.
    """
    if completion not in (None, "add1"):
        raise ValueError(f"unknown completion {completion!r}; use 'add1' or None")
    position = _check_inputs(projects, budget)
    _check_tie(tie)
    electorate = _electorate(projects, position, ballots, tie)
    endowment: int | None
    if electorate.voters == 0:
        winners, endowment = [], budget
    elif completion == "add1":
        winners, endowment = _add1(electorate, budget)
    else:
        winners, endowment = _equal_shares_run(electorate, budget), budget
    rule = EQUAL_SHARES if completion is None else EQUAL_SHARES_ADD1
    share = Fraction(endowment, electorate.voters) if electorate.voters and endowment is not None else None

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
