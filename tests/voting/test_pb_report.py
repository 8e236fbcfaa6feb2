"""pb_outcome_file: the dict the pb-outcome CLI prints."""

import json
from pathlib import Path

import pytest

from youthcouncil.voting.pabulib import read_pb
from youthcouncil.voting.pb_report import pb_outcome_file

# Three voters like 10 and 20, one likes 5; budget 100 (see test_pb_rules: greedy and MES differ).
APPROVAL = """META
key;value
budget;100
vote_type;approval
rule;{rule}
PROJECTS
project_id;cost;selected
20;50;0
10;50;1
5;25;1
VOTES
voter_id;vote
1;10,20
2;10,20
3;10,20
4;5
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "election.pb"
    path.write_text(text, encoding="utf-8")
    return path


def test_uses_the_files_rule_and_lists_selected_in_file_order(tmp_path):
    path = write(tmp_path, APPROVAL.format(rule="equalshares/add1"))
    result = pb_outcome_file(path)
    # equal shares funds 20 first (tie with 10 -> the file's order), then 5; listed in file order
    assert result == {
        "rule": "equalshares/add1",
        "tie": "cost",
        "budget": 100,
        "selected": ["20", "5"],
        "total_cost": 75,
        "repeated_ballots": 0,
    }
    assert json.loads(json.dumps(result)) == result


@pytest.mark.parametrize(
    ("rule", "selected", "total"),
    [
        ("greedy", ["20", "10"], 100),
        ("equalshares/add1", ["20", "5"], 75),
        ("mes", ["20", "5"], 75),
        ("equalshares/add1-comparison", ["20", "10"], 100),
    ],
)
def test_rule_can_be_overridden(tmp_path, rule, selected, total):
    path = write(tmp_path, APPROVAL.format(rule="greedy"))
    result = pb_outcome_file(path, rule=rule)
    assert result["selected"] == selected
    assert result["total_cost"] == total
    assert result["rule"] == ("equalshares/add1" if rule == "mes" else rule)


def test_greedy_threshold_reads_the_threshold_from_meta(tmp_path):
    text = APPROVAL.format(rule="greedy-threshold").replace("rule;", "min_project_score_threshold;3\nrule;")
    result = pb_outcome_file(write(tmp_path, text))
    assert result["selected"] == ["20", "10"]
    text = text.replace("threshold;3", "threshold;4")
    assert pb_outcome_file(write(tmp_path, text))["selected"] == []


def test_ordinal_and_cumulative_scores(tmp_path):
    ordinal = """META
key;value
budget;60
vote_type;ordinal
max_length;2
rule;greedy
PROJECTS
project_id;cost
a;50
b;50
c;10
VOTES
voter_id;vote
1;a,b
2;b,c
3;b,a
"""
    # Borda with max_length 2: a 2+1 = 3, b 1+2+2 = 5, c 1 -> b, then a does not fit, c does
    assert pb_outcome_file(write(tmp_path, ordinal))["selected"] == ["b", "c"]
    cumulative = ordinal.replace("ordinal", "cumulative").replace("voter_id;vote\n", "voter_id;vote;points\n")
    cumulative = cumulative.replace("1;a,b\n", "1;a,b;3,1\n").replace("2;b,c\n", "2;b,c;1,1\n")
    cumulative = cumulative.replace("3;b,a\n", "3;b,a;1,1\n")
    # points: a 4, b 3, c 1 -> a, then b does not fit, c does
    assert pb_outcome_file(write(tmp_path, cumulative))["selected"] == ["a", "c"]


def test_errors(tmp_path):
    path = write(tmp_path, APPROVAL.format(rule="greedy"))
    with pytest.raises(ValueError, match="unknown rule"):
        pb_outcome_file(path, rule="borda")
    no_threshold = write(tmp_path, APPROVAL.format(rule="greedy-threshold"))
    with pytest.raises(ValueError, match="min_project_score_threshold"):
        pb_outcome_file(no_threshold)
    cumulative = write(tmp_path, APPROVAL.format(rule="equalshares/add1").replace("approval", "cumulative"))
    with pytest.raises(ValueError, match="only supported for approval"):
        pb_outcome_file(cumulative)
    with pytest.raises(ValueError, match="needs points"):
        pb_outcome_file(cumulative, rule="greedy")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ("rule;greedy", "rule;greedy-threshold\nmin_project_score_threshold;1.5"),
            "META min_project_score_threshold: '1.5' is not a whole number",
        ),
        (
            ("rule;greedy", "rule;greedy-threshold\nmin_project_score_threshold;-2"),
            "META min_project_score_threshold: '-2' is negative",
        ),
        (("rule;greedy", "rule;greedy-custom"), "META rule: unknown rule 'greedy-custom'"),
        (("vote_type;approval", "vote_type;ordinal\nmax_length;two"), "META max_length: 'two' is not a whole number"),
        (
            ("vote_type;approval", "vote_type;ordinal\nmax_length;1"),
            "voter '1' ranks 2 projects, more than META max_length 1",
        ),
        (
            ("vote_type;approval", "vote_type;ordinal\nscoring_fn;dowdall"),
            "META scoring_fn: 'dowdall' is not supported",
        ),
        (("vote_type;approval", "vote_type;quadratic"), "META vote_type: 'quadratic' is not supported"),
        (("budget;100", "budget;1OO"), "META budget: '1OO' is not a number"),
        (("5;25;1", "5;25.5.5;1"), "line 10: cost of project '5': '25.5.5' is not a number"),
    ],
)
def test_errors_name_the_file_and_the_field(tmp_path, change, message):
    path = write(tmp_path, APPROVAL.format(rule="greedy").replace(*change))
    with pytest.raises(ValueError) as error:
        pb_outcome_file(path)
    assert str(error.value).startswith(f"election.pb: {message}")


def test_real_file():
    path = Path(__file__).resolve().parents[3] / "shared" / "data" / "pabulib" / "Poland_Krakow_2020_Stare_Miasto.pb"
    if not path.exists():
        pytest.skip(f"{path} is missing")
    result = pb_outcome_file(path)
    assert result == {
        "rule": "greedy",
        "tie": "cost",
        "budget": 1051500,
        "selected": ["28", "9", "3", "36"],
        "total_cost": 1051200,
        "repeated_ballots": 0,
    }


def test_tie_order_replays_a_city_that_broke_a_tie_by_the_project_list():
    # Warszawa 2018, Niskie Okęcie: 615 (110,500) and 308 (69,200) both have 88 votes; the city funded 615.
    path = Path(__file__).parent / "data" / "Poland_Warszawa_2018_Niskie_Okecie.pb"
    official = {p.project_id for p in read_pb(path).projects if p.selected}
    by_order = pb_outcome_file(path, tie="order")
    assert set(by_order["selected"]) == official and "615" in official and "308" not in official
    by_cost = pb_outcome_file(path)  # the default funds the cheaper one first
    assert by_cost["tie"] == "cost" and "308" in by_cost["selected"] and "615" not in by_cost["selected"]
    with pytest.raises(ValueError, match="unknown tie rule 'coin'"):
        pb_outcome_file(path, tie="coin")
