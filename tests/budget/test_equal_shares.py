"""Equal Shares with the comparison to most votes, closed and shown through the web."""

from __future__ import annotations

from tests.budget.builders import close_and_show, five_voters, voted_year
from youthcouncil.budget.models import BudgetYear, Rule


def test_equal_shares_comparison_picks_most_votes_when_more_voters_prefer_it(client, db, world, login_as):
    # Budget 100 000, 5 voters, each a share of 20 000. A 60 000 and B 40 000 are wanted by voters 1-3, C 40 000
    # by voters 4-5. Equal Shares: B (13 333 each, the cheaper of the tie at 1/3) then C (20 000 each from 4-5);
    # A no longer fits. Most votes: A then B = 100 000. Voters 1-3 have more funded with most-votes (2 vs 1),
    # voters 4-5 with Equal Shares (1 vs 0): 3 against 2, so most-votes is used.
    ballots = [[0, 1], [0, 1], [0, 1], [2], [2]]
    year, events = voted_year(
        ballots, [60_000, 40_000, 40_000], five_voters(world), total=100_000, rule=Rule.mes, comparison=True
    )
    for event, title in zip(events, ("A-dag", "B-dag", "C-dag"), strict=True):
        event.title = title
    page, by_title = close_and_show(client, login_as, year)
    assert {t for t, e in by_title.items() if e.funded} == {"A-dag", "B-dag"}
    assert "Flere velgere likte resultatet med flest stemmer bedre (3 mot 2), så det brukes." in page
    assert "kr\u00a0100\u00a0000 av kr\u00a0100\u00a0000 er brukt" in page
    assert "ikke nok penger igjen etter arrangementene over" in page  # C-dag, explained
    assert db.session.get(BudgetYear, year.id).outcome["rule"] == "equalshares/add1-comparison"


def test_equal_shares_comparison_keeps_equal_shares_on_a_tie_and_explains_spent_shares(client, db, world, login_as):
    # Budget 100 000, 5 voters (20 000 each). A 40 000: voters 1, 5. B 20 000: voter 3. C 30 000: voters 2, 3.
    # D 40 000: voters 2, 3, 4. Equal Shares funds D (13 333 each) and A (20 000 each); B's only supporter
    # (voter 3) has 6 667 left: "its supporters had spent their share" although 20 000 is left. Most votes would
    # fund D, C, B: voters 2-4 prefer that, voters 1 and 5 prefer Equal Shares — 2 against 2 is no majority for
    # most-votes, so Equal Shares is kept.
    ballots = [[0], [3, 2], [3, 2, 1], [3], [0]]
    year, events = voted_year(
        ballots,
        [40_000, 20_000, 30_000, 40_000],
        five_voters(world),
        total=100_000,
        rule=Rule.mes,
        comparison=True,
    )
    page, by_title = close_and_show(client, login_as, year)
    assert {t for t, e in by_title.items() if e.funded} == {"E0", "E3"}
    assert by_title["E1"].outcome_reason == "supporters_spent_share"
    assert "Får ikke penger: de som stemte på det, hadde brukt sin del av budsjettet på arrangementene over." in page
    assert "Resultatet med like andeler beholdes: 2 velgere likte det best, 2 likte resultatet med flest" in page
    assert "kr\u00a080\u00a0000 av kr\u00a0100\u00a0000 er brukt" in page
