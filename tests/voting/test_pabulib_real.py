"""Every real pabulib file: our outcome under the file's own rule must be the official one."""

import json
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from youthcouncil.voting import pb
from youthcouncil.voting.pabulib import read_pb
from youthcouncil.voting.pb_report import outcome, pb_outcome_file, projects_of, scores_of

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "pabulib"
FILES = sorted(DATA.glob("*.pb")) if DATA.is_dir() else []
SLOW = {"Poland_Czestochowa_2024.pb"}  # 22,899 voters


def _params():
    if not FILES:
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"no pabulib files in {DATA}"))]
    return [pytest.param(path, id=path.stem, marks=[pytest.mark.slow] if path.name in SLOW else []) for path in FILES]


@pytest.mark.parametrize("path", _params())
def test_official_outcome_is_reproduced(path):
    data = read_pb(path)
    result = outcome(data)
    official = {p.project_id for p in data.projects if p.selected}
    assert official, "the file marks no project as selected"
    assert set(result.selected) == official
    assert result.rule == data.rule
    assert result.total_cost <= data.budget
    # the file's own counts agree with ours
    assert len(data.votes) == int(data.meta["num_votes"])
    assert len(data.projects) == int(data.meta["num_projects"])
    scores = scores_of(data)
    column = "votes" if data.vote_type == "approval" else "score"
    for project in data.projects:
        if column in project.extra:
            # A ballot naming a project twice counts it once here; the file's votes column counted it twice.
            slack = data.repeated_ballots if column == "votes" else 0
            assert 0 <= int(project.extra[column]) - scores[project.project_id] <= slack


def test_all_eight_files_are_present():
    if not FILES:
        pytest.skip(f"no pabulib files in {DATA}")
    assert len(FILES) >= 8


def _file(name):
    path = DATA / name
    if not path.exists():
        pytest.skip(f"{path} is missing")
    return read_pb(path)


def test_wieliczka_comparison_keeps_equal_shares_and_floats_never_decided():
    data = _file("Poland_Wieliczka_2023_Green_Budget.pb")
    result = outcome(data)
    assert result.comparison is not None and not result.comparison.greedy_used
    assert result.comparison.prefer_equal_shares > result.comparison.prefer_greedy
    # the deciding run redone entirely in exact fractions gives the same projects
    projects = projects_of(data)
    position = {p.id: k for k, p in enumerate(projects)}
    electorate = pb._electorate(projects, position, (v.vote for v in data.votes))
    assert result.share_per_voter is not None
    endowment = result.share_per_voter * len(data.votes)
    assert endowment.denominator == 1
    exact = pb._run(electorate, int(endowment), exact=True)
    assert tuple(projects[p].id for p in exact.winners) == result.selected


def test_wieliczka_and_assen_differ_from_greedy():
    # a real check that equal shares is not just greedy in disguise on these files
    for name in ("Poland_Wieliczka_2023_Green_Budget.pb", "Netherlands_Assen_2024.pb"):
        data = _file(name)
        mes = outcome(data, pb.EQUAL_SHARES_ADD1)
        grd = outcome(data, pb.GREEDY)
        assert set(mes.selected) != set(grd.selected)
        official = {p.project_id for p in data.projects if p.selected}
        assert set(mes.selected) == official


def test_bronowice_budget_with_grosze_is_counted_exactly():
    data = _file("Poland_Krakow_2023_Bronowice.pb")
    assert data.budget == Decimal("1647263.73")
    result = outcome(data)
    assert result.budget == Fraction("1647263.73")
    assert result.money_left == Fraction("1647263.73") - result.total_cost >= 0
    path = DATA / "Poland_Krakow_2023_Bronowice.pb"
    printed = pb_outcome_file(path)
    assert printed["budget"] == 1647263.73 and json.dumps(printed["budget"]) == "1647263.73"


def test_brodno_ballot_naming_a_project_twice_counts_it_once():
    data = _file("Poland_Warszawa_2026_Brodno.pb")
    assert data.repeated_ballots == 1
    assert all(len(set(vote.vote)) == len(vote.vote) for vote in data.votes)
    printed = pb_outcome_file(DATA / "Poland_Warszawa_2026_Brodno.pb")
    assert printed["repeated_ballots"] == 1
    assert set(printed["selected"]) == {p.project_id for p in data.projects if p.selected}
