"""tally_file (behind `flask tally`) and the .blt reader, on small hand-made files."""

import json

import pytest

from youthcouncil.voting.blt import parse_blt, read_blt
from youthcouncil.voting.ranked import DEFAULT_SEED, draw_lot
from youthcouncil.voting.tally import load_ballot_file, tally_file

# Centre squeeze again (see test_ranked.py): IRV elects Lina, Schulze/approval elect Cem, plurality Lina.
SQUEEZE_TOI = """\
# FILE NAME: squeeze.soi
# TITLE: Class rep
# DATA TYPE: soi
# NUMBER ALTERNATIVES: 4
# NUMBER VOTERS: 100
# NUMBER UNIQUE ORDERS: 4
# ALTERNATIVE NAME 1: Lina
# ALTERNATIVE NAME 2: Cem
# ALTERNATIVE NAME 3: Rosa
# ALTERNATIVE NAME 4: Nobody
35: 1,2,3
34: 3,2,1
16: 2,1
15: 2,3
"""

SQUEEZE_BLT = """\
# hand-made
4 1
35 1 2 3 0
34 3 - 2 1 0
16 2 1 0
15 2 3=3 0
0
"Lina"
"Cem"
"Rosa"
"Nobody"
"Class rep"
"""


@pytest.fixture(params=["squeeze.soi", "squeeze.blt"])
def squeeze(request, tmp_path):
    path = tmp_path / request.param
    path.write_text(SQUEEZE_TOI if path.suffix == ".soi" else SQUEEZE_BLT)
    return path


def test_irv_rounds_by_name(squeeze):
    result = tally_file(squeeze, "irv")
    assert result == {
        "method": "irv",
        "ballots": 100,
        "withdrawn": [],
        "winner": "Lina",
        "ranking": ["Lina", "Rosa", "Cem", "Nobody"],
        "rounds": [
            {
                "counts": {"Lina": 35, "Cem": 31, "Rosa": 34, "Nobody": 0},
                "exhausted": 0,
                "eliminated": "Nobody",
                "reason": "fewest_votes",
            },
            {
                "counts": {"Lina": 35, "Cem": 31, "Rosa": 34},
                "exhausted": 0,
                "eliminated": "Cem",
                "reason": "fewest_votes",
            },
            {"counts": {"Lina": 51, "Rosa": 49}, "exhausted": 0, "eliminated": None, "reason": "majority"},
        ],
    }
    assert json.loads(json.dumps(result)) == result


def test_other_methods(squeeze):
    schulze = tally_file(squeeze, "schulze")
    assert (schulze["winner"], schulze["ranking"], schulze["rounds"]) == ("Cem", ["Cem", "Lina", "Rosa", "Nobody"], [])
    approval = tally_file(squeeze, "approval")
    assert approval["winner"] == "Cem"
    assert approval["rounds"] == [
        {
            "counts": {"Lina": 85, "Cem": 100, "Rosa": 84, "Nobody": 0},
            "exhausted": 0,
            "eliminated": None,
            "reason": "most_votes",
        }
    ]
    plurality = tally_file(squeeze, "plurality")
    assert (plurality["winner"], plurality["ballots"]) == ("Lina", 100)
    assert plurality["rounds"][0]["counts"] == {"Lina": 35, "Cem": 31, "Rosa": 34, "Nobody": 0}
    assert plurality["rounds"][0]["reason"] == "most_votes"


def test_seed_decides_lots_and_has_a_fixed_default(tmp_path):
    path = tmp_path / "tie.soi"
    path.write_text(
        "# DATA TYPE: soi\n# ALTERNATIVE NAME 1: Ada\n# ALTERNATIVE NAME 2: Bo\n# ALTERNATIVE NAME 3: Cy\n"
        "1: 1\n1: 2\n1: 3\n"
    )
    for seed in (DEFAULT_SEED, 1, 2, "x"):
        kwargs = {} if seed == DEFAULT_SEED else {"seed": seed}
        result = tally_file(path, "irv", **kwargs)
        assert result["rounds"][0]["reason"] == "tie_lot"
        assert result["rounds"][0]["eliminated"] == ["Ada", "Bo", "Cy"][draw_lot([1, 2, 3], seed) - 1]
        assert result == tally_file(path, "irv", seed=seed)
    drawn = {tally_file(path, "plurality", seed=seed)["winner"] for seed in range(10)}
    assert drawn == {"Ada", "Bo", "Cy"}


# Ada is withdrawn. Counted as marked, she would win every method (3 of 5 first choices, beats everyone one-on-one).
WITHDRAWN_BLT = """\
3 1
-1
3 1 3 0
1 2 0
1 2 1 0
0
"Ada"
"Bo"
"Cy"
"Withdrawn candidate"
"""


@pytest.mark.parametrize("method", ["irv", "schulze", "approval", "plurality"])
def test_a_withdrawn_candidate_is_struck_before_counting(tmp_path, method):
    path = tmp_path / "withdrawn.blt"
    path.write_text(WITHDRAWN_BLT)
    as_marked = tmp_path / "as-marked.blt"
    as_marked.write_text(WITHDRAWN_BLT.replace("-1\n", ""))
    assert tally_file(as_marked, method)["winner"] == "Ada"

    result = tally_file(path, method)
    # Ada's three ballots pass to their next preference, Cy: 3 against Bo's 2.
    assert result["winner"] == "Cy"
    assert result["withdrawn"] == ["Ada"]
    assert result["ranking"] == ["Cy", "Bo"]
    assert result["ballots"] == 5
    for counted in result["rounds"]:
        assert "Ada" not in counted["counts"]
    if method != "schulze":
        assert result["rounds"][0]["counts"] == {"Bo": 2, "Cy": 3}


def test_a_ballot_naming_only_withdrawn_candidates_counts_as_blank(tmp_path):
    path = tmp_path / "only-ada.blt"
    path.write_text('2 1\n-1\n2 1 0\n1 2 0\n0\n"Ada"\n"Bo"\n"t"\n')
    result = tally_file(path, "irv")
    assert result["rounds"] == [{"counts": {"Bo": 1}, "exhausted": 2, "eliminated": None, "reason": "majority"}]
    assert (result["winner"], result["ballots"]) == ("Bo", 3)


def test_refuses_unknown_methods_and_file_types(squeeze, tmp_path):
    with pytest.raises(ValueError, match="unknown method 'borda'"):
        tally_file(squeeze, "borda")
    other = tmp_path / "votes.csv"
    other.write_text("1,2\n")
    with pytest.raises(ValueError, match=r"votes.csv: unknown ballot file type"):
        tally_file(other, "irv")


def test_refuses_candidates_with_the_same_name(tmp_path):
    path = tmp_path / "twins.blt"
    path.write_text('2 1\n1 1 0\n0\n"Sam"\n"Sam"\n"Twins"\n')
    with pytest.raises(ValueError, match="share a name"):
        tally_file(path, "irv")


def test_blt_ranks_skips_and_overvotes():
    election = parse_blt(
        "# comment\n"
        "4 1\n"
        "-3\n"
        "2 1 - 2 0\n"  # skipped rank dropped
        "1 2=3 1 0\n"  # overvote kept as a rank with two names
        "1 4 -=- 1 0\n"  # overvote without names: the ballot ends there
        "(b7) 1 3 3 0\n"  # ballot id, repeated name kept
        "1 0\n"  # blank ballot
        "0\n"
        '"Ada"\n"Bo"\n"Cy" "Di"\n"The title"\n'
    )
    one, two, three, four = (frozenset([i]) for i in (1, 2, 3, 4))
    assert election.ballots == [
        ((one, two), 2),
        ((frozenset({2, 3}), one), 1),
        ((four,), 1),
        ((three, three), 1),
        ((), 1),
    ]
    assert election.candidates == {1: "Ada", 2: "Bo", 3: "Cy", 4: "Di"}
    assert (election.title, election.seats, election.withdrawn) == ("The title", 1, (3,))
    assert (election.unnamed_overvotes, election.total_ballots) == (1, 6)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty .blt file"),
        ("x y\n", "line 1: expected 'candidates seats'"),
        ("2 1\n1 1 2\n0\n", "line 2: a ballot must be 'weight rank rank ... 0'"),
        ("2 1\n1.5 1 0\n0\n", "line 2: the ballot weight must be a whole number"),
        ("2 1\n1 1 3 0\n0\n", "line 2: candidate 3 does not exist (there are 2)"),
        ("2 1\n1 1 a 0\n0\n", "line 2: 'a' is not a candidate number"),
        ("2 1\n1 1 0\n", "ends before the '0' line"),
        ('2 1\n1 1 0\n0\n"Ada"\n', "expected 2 quoted candidate names after the ballots, found 1"),
        ("2 1\n-3\n1 1 0\n0\n", "line 2: withdrawn candidate 3 does not exist (there are 2)"),
    ],
)
def test_blt_errors_name_the_line(text, message):
    with pytest.raises(ValueError) as error:
        parse_blt(text)
    assert message in str(error.value)


def test_read_blt_names_the_file(tmp_path):
    path = tmp_path / "broken.blt"
    path.write_text("2 1\n1 9 0\n0\n")
    with pytest.raises(ValueError, match=r"broken.blt: line 2: candidate 9"):
        read_blt(path)


def test_load_ballot_file_reads_both_formats(squeeze):
    names, ballots, withdrawn = load_ballot_file(squeeze)
    assert withdrawn == ()
    assert names == {1: "Lina", 2: "Cem", 3: "Rosa", 4: "Nobody"}
    assert sum(count for _, count in ballots) == 100
    assert ((frozenset([3]), frozenset([2]), frozenset([1])), 34) in ballots
