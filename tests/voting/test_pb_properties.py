"""Properties of the participatory-budgeting rules on generated elections (hypothesis).

What is checked, precisely:
- greedy and greedy-threshold never spend more than the budget, fund only projects with a score > 0
  (and >= the threshold), and are exhaustive: every eligible unfunded project costs more than the money
  left at the end;
- equal shares (with and without add1) never spends more than the budget and funds only projects with
  supporters;
- if some project's supporters can pay for it from their initial equal shares, equal shares (add1 or not)
  funds at least one project (add1 can leave everything unfunded otherwise: its first raised run may
  already overspend);
- add1 is maximal: one more currency unit per voter would overspend (or everything supported is funded);
- add1's certified jumps (a run's choices proven for a range of budgets at once) give exactly the outcome and the
  share of stepping one unit at a time, on elections where add1 takes hundreds of units; a run in floats gives
  exactly the run in fractions;
- the engine (floats checked against a safety margin, grouped voters) gives exactly the outcome of a
  plain per-voter implementation in exact fractions, written here from the definition;
- the comparison step returns either the greedy or the equal-shares outcome, switching iff strictly more
  voters prefer greedy.
"""

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from youthcouncil.voting import pb
from youthcouncil.voting.pb import Project, approval_scores, equal_shares, greedy

PROJECT_IDS = [f"p{i}" for i in range(6)]


@st.composite
def elections(draw, max_voters=12):
    count = draw(st.integers(1, len(PROJECT_IDS)))
    # small costs from a few values so that ties happen often
    projects = [Project(PROJECT_IDS[i], draw(st.sampled_from([1, 2, 3, 5, 10, 20, 30]))) for i in range(count)]
    ids = [p.id for p in projects]
    ballots = draw(st.lists(st.frozensets(st.sampled_from(ids)), min_size=0, max_size=max_voters))
    budget = draw(st.integers(0, 60))
    return projects, budget, ballots


def reference_mes(projects, budget, ballots, endowment):
    """Equal shares with cost utilities, one voter at a time, in fractions (ties: cost, votes, order)."""
    n = len(ballots)
    money = [Fraction(endowment, n)] * n
    supporters = {p.id: [i for i, b in enumerate(ballots) if p.id in b] for p in projects}
    order = {p.id: k for k, p in enumerate(projects)}
    cost = {p.id: p.cost for p in projects}
    winners = [p.id for p in projects if p.cost == 0 and supporters[p.id]]
    left = [p.id for p in projects if p.cost > 0 and supporters[p.id]]
    while True:
        best = None
        for c in left:
            payers = sorted(supporters[c], key=lambda i: money[i])
            if sum(money[i] for i in payers) < cost[c]:
                continue
            paid, rest = Fraction(0), len(payers)
            for i in payers:
                cap = (cost[c] - paid) / rest
                if cap <= money[i]:
                    break
                paid += money[i]
                rest -= 1
            key = (cap / cost[c], cost[c], -len(supporters[c]), order[c])
            if best is None or key < best[0]:
                best = (key, c, cap)
        if best is None:
            return winners
        _, c, cap = best
        winners.append(c)
        left.remove(c)
        for i in supporters[c]:
            money[i] = money[i] - cap if money[i] > cap else Fraction(0)


def reference_add1(projects, budget, ballots):
    cost = {p.id: p.cost for p in projects}
    supported = [p.id for p in projects if any(p.id in b for b in ballots)]
    if sum(cost[c] for c in supported) <= budget:
        return set(supported)
    endowment = budget
    winners = reference_mes(projects, budget, ballots, endowment)
    while True:
        raised = reference_mes(projects, budget, ballots, endowment + len(ballots))
        if sum(cost[c] for c in raised) > budget:
            return set(winners)
        endowment += len(ballots)
        winners = raised


@settings(max_examples=100, deadline=None)  # bounded by examples, not time
@given(elections(), st.none() | st.integers(0, 4))
def test_greedy_is_feasible_and_exhaustive(election, threshold):
    projects, budget, ballots = election
    scores = approval_scores(projects, ballots)
    result = greedy(projects, budget, scores, threshold=threshold)
    cost = {p.id: p.cost for p in projects}
    assert result.total_cost == sum(cost[c] for c in result.selected) <= budget
    minimum = max(1, threshold or 0)
    assert all(scores[c] >= minimum for c in result.selected)
    for p in projects:
        if p.id not in result.selected and scores[p.id] >= minimum:
            assert p.cost > result.money_left


@settings(max_examples=300, deadline=None)
@given(elections())
def test_equal_shares_matches_a_plain_exact_implementation(election):
    projects, budget, ballots = election
    plain = equal_shares(projects, budget, ballots, completion=None)
    if ballots:
        assert list(plain.selected) == reference_mes(projects, budget, ballots, budget)
    assert set(equal_shares(projects, budget, ballots).selected) == (
        reference_add1(projects, budget, ballots) if ballots else set()
    )


@settings(max_examples=100, deadline=None)  # bounded by examples, not time
@given(elections())
def test_equal_shares_is_feasible_and_funds_something_affordable(election):
    projects, budget, ballots = election
    scores = approval_scores(projects, ballots)
    cost = {p.id: p.cost for p in projects}
    someone_can_pay = any(scores[p.id] > 0 and scores[p.id] * budget >= p.cost * len(ballots) for p in projects)
    for completion in (None, "add1"):
        result = equal_shares(projects, budget, ballots, completion=completion)
        assert result.total_cost == sum(cost[c] for c in result.selected) <= budget
        assert all(scores[c] > 0 for c in result.selected)
        assert len(set(result.selected)) == len(result.selected)
        if someone_can_pay:
            assert result.selected


@settings(max_examples=100, deadline=None)  # bounded by examples, not time
@given(elections())
def test_add1_is_maximal(election):
    projects, budget, ballots = election
    result = equal_shares(projects, budget, ballots)
    if not ballots or result.share_per_voter is None:
        return  # no voters, or every supported project fitted
    cost = {p.id: p.cost for p in projects}
    endowment = result.share_per_voter * len(ballots)
    assert endowment.denominator == 1 and (endowment - budget) % len(ballots) == 0
    # rerunning with the next raised share overspends
    raised = reference_mes(projects, budget, ballots, int(endowment) + len(ballots))
    assert sum(cost[c] for c in raised) > budget


@settings(max_examples=100, deadline=None)  # bounded by examples, not time
@given(elections())
def test_comparison_chooses_between_the_two_outcomes(election):
    projects, budget, ballots = election
    mes = equal_shares(projects, budget, ballots)
    grd = greedy(projects, budget, approval_scores(projects, ballots))
    result = equal_shares(projects, budget, ballots, comparison=True)
    assert result.comparison is not None
    if result.comparison.greedy_used:
        assert result.comparison.prefer_greedy > result.comparison.prefer_equal_shares
        assert result.selected == grd.selected
    else:
        assert result.comparison.prefer_greedy <= result.comparison.prefer_equal_shares
        assert result.selected == mes.selected
    assert result.comparison.prefer_greedy + result.comparison.prefer_equal_shares <= len(ballots)


@st.composite
def long_add1_elections(draw):
    """Budgets far above the shares' scale, costs from a few values (ties): add1 takes hundreds of units."""
    count = draw(st.integers(2, len(PROJECT_IDS)))
    projects = [Project(PROJECT_IDS[i], draw(st.sampled_from([40, 90, 100, 150, 210, 300, 333]))) for i in range(count)]
    ids = [p.id for p in projects]
    ballots = draw(st.lists(st.frozensets(st.sampled_from(ids), min_size=1), min_size=1, max_size=9))
    tie = draw(st.sampled_from(pb.TIES))
    return projects, draw(st.integers(1, 900)), ballots, tie


def stepping_add1(electorate, budget):
    """add1 as defined: one unit per voter at a time, a full run each time."""
    endowment = budget
    winners = pb._equal_shares_run(electorate, endowment).winners
    while True:
        raised = pb._equal_shares_run(electorate, endowment + electorate.voters).winners
        if sum(electorate.costs[p] for p in raised) > budget:
            return list(winners), endowment
        endowment += electorate.voters
        winners = raised


@settings(max_examples=300, deadline=None)
@given(long_add1_elections())
def test_add1_jumps_give_the_outcome_of_stepping_one_unit_at_a_time(election):
    projects, budget, ballots, tie = election
    electorate = pb._electorate(projects, {p.id: k for k, p in enumerate(projects)}, ballots, tie)
    if sum(p.cost for p in projects if electorate.supporters[int(p.id[1:])]) <= budget:
        return  # everything supported fits: add1 never steps
    assert pb._add1(electorate, budget) == stepping_add1(electorate, budget)
    for endowment in (budget, budget + 7 * len(ballots), 2 * budget):
        try:
            floats = pb._run(electorate, endowment, exact=False)
        except pb._TooClose:
            continue  # too close to call in floats: the engine reruns it in fractions
        exact = pb._run(electorate, endowment, exact=True)
        assert floats is not None and exact is not None and floats.winners == exact.winners
        # Each round's votes (the payment cap found, capped candidates sought among their poorest supporters first)
        for (p, votes, _), (q, exact_votes, _) in zip(floats.rounds, exact.rounds, strict=True):
            assert p == q and abs(votes - exact_votes) <= 1e-9 * exact_votes


@settings(max_examples=300, deadline=None)
@given(long_add1_elections(), st.integers(0, 40))
def test_a_run_from_a_smaller_endowments_head_or_a_larger_ones_bounds_is_the_run(election, units):
    """A run in floats starting from the head of a smaller endowment's run (its rounds not computed: see _Head), or
    taking the bounds of a larger endowment's run (see _run's `above`), funds exactly what the run computed in full
    funds, round by round; the head is the same."""
    projects, budget, ballots, tie = election
    electorate = pb._electorate(projects, {p.id: k for k, p in enumerate(projects)}, ballots, tie)
    larger = budget + units * electorate.voters
    try:
        smaller = pb._run(electorate, budget, exact=False)
        full = pb._run(electorate, larger, exact=False)
    except pb._TooClose:
        return  # too close to call in floats: the engine reruns it in fractions, without a head
    assert smaller is not None and full is not None
    below = pb._run(electorate, budget, exact=False, above=full)
    assert below is not None and below.winners == smaller.winners and below.rounds == smaller.rounds
    if smaller.head is None:
        return
    from_head = pb._run(electorate, larger, exact=False, head=smaller.head)
    assert from_head is not None
    assert from_head.winners == full.winners
    assert [p for p, _, _ in from_head.rounds] == [p for p, _, _ in full.rounds]
    assert full.head is not None and full.head.choices[: len(smaller.head.choices)] == smaller.head.choices
    assert from_head.head is not None and from_head.head.choices == full.head.choices


def least_cap(electorate, money, p):
    """p's least payment cap with the groups' money `money` (exact), None if its supporters cannot pay its cost."""
    held = sorted(money[g] for g in electorate.supporter_voters[p] if money[g] > 0)
    cost = electorate.costs[p]
    if sum(held) < cost:
        return None
    paid, rest = Fraction(0), len(held)
    for money_k in held:
        cap = (cost - paid) / rest
        if cap <= money_k:
            return cap
        paid += money_k
        rest -= 1
    return None


def same_trace(order, other, overlaps):
    """The same projects, in orders that differ only between projects without a supporter in common."""
    at = {p: k for k, p in enumerate(other)}
    if set(order) != set(at):
        return False
    return all(at[p] < at[q] for k, p in enumerate(order) for q in order[k + 1 :] if q in overlaps[p])


@settings(max_examples=300, deadline=None)
@given(long_add1_elections(), st.integers(1, 3))
def test_the_bounds_a_run_records_hold_a_unit_or_more_below_after_the_same_projects(election, units):
    """The bounds a run in floats records in a round (see _run's `above`) are bounds of every candidate's votes (exact)
    at an endowment one currency unit per voter or more below, in the round after the same projects funded in an
    order differing only between projects without a supporter in common; one missing is unaffordable there."""
    projects, budget, ballots, tie = election
    electorate = pb._electorate(projects, {p.id: k for k, p in enumerate(projects)}, ballots, tie)
    try:
        above = pb._run(electorate, budget + units * electorate.voters, exact=False)
    except pb._TooClose:
        return
    below = pb._run(electorate, budget, exact=True)
    assert above is not None and below is not None
    order, above_order = [p for p, _, _ in below.rounds], [p for p, _, _ in above.rounds]
    money = [Fraction(budget, electorate.voters)] * len(electorate.group_sizes)
    candidates = set(electorate.by_supporters)
    for t, chosen in enumerate(order):
        bounds = above.bounds[t] if t < len(above.bounds) else None
        if bounds is not None and same_trace(order[:t], above_order[:t], electorate.overlaps):
            for q in candidates:
                cap = least_cap(electorate, money, q)
                if cap is not None:
                    assert q in bounds and electorate.costs[q] / cap <= bounds[q] * (1 + 1e-9)
        cap = least_cap(electorate, money, chosen)
        assert cap is not None
        for g in electorate.supporter_groups[chosen]:
            money[g] = money[g] - cap if money[g] > cap else Fraction(0)
        candidates.discard(chosen)
