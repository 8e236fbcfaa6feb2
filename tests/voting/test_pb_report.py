"""pb_outcome_file: the dict the pb-outcome CLI prints."""

import json
from pathlib import Path

import pytest

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
