"""Reading and writing pabulib .pb files."""

from decimal import Decimal

import pytest

from youthcouncil.voting.pabulib import (
    PbFile,
    PbProject,
    PbVote,
    dumps_pb,
    parse_pb,
    read_pb,
    without_personal_data,
    write_pb,
)

SAMPLE = (
    "META\r\n"
    "key;value\r\n"
    "description;Youth budget\r\n"
    "num_projects;2\r\n"
    "num_votes;2\r\n"
    "budget;1000\r\n"
    "vote_type;cumulative\r\n"
    "rule;greedy\n"  # mixed line ends on purpose
    "PROJECTS\n"
    "project_id;cost;name;votes;selected;category\r\n"
    '1;600;"Skate park; phase 2";2;1;sport\n'
    '2;500;"The ""quiet"" room";1;0;culture\n'
    "VOTES\r\n"
    "voter_id;vote;points;age;sex\r\n"
    "v1;1,2;2,1;15;F\r\n"
    "v2;1;3;17;M\r\n"
)


def test_reads_sections_quoting_and_mixed_line_ends():
    pb = parse_pb(SAMPLE)
    assert pb.meta == {
        "description": "Youth budget",
        "num_projects": "2",
        "num_votes": "2",
        "budget": "1000",
        "vote_type": "cumulative",
        "rule": "greedy",
    }
    assert pb.budget == 1000
    assert pb.vote_type == "cumulative"
    assert pb.rule == "greedy"
    first, second = pb.projects
    assert first == PbProject("1", 600, "Skate park; phase 2", 1, {"votes": "2", "category": "sport"})
    assert second.name == 'The "quiet" room'
    assert second.selected == 0
    assert pb.votes[0] == PbVote("v1", ("1", "2"), (2, 1), {"age": "15", "sex": "F"})
    assert pb.votes[1].points == (3,)
    assert pb.project("2") is second


def test_round_trip_keeps_everything():
    pb = parse_pb(SAMPLE)
    text = dumps_pb(pb)
    assert parse_pb(text) == pb
    assert '"Skate park; phase 2"' in text
    assert "num_projects;2" in text and "num_votes;2" in text


def test_write_and_read_a_file(tmp_path):
    pb = parse_pb(SAMPLE)
    path = tmp_path / "out.pb"
    write_pb(pb, path)
    assert read_pb(path) == pb


def test_writer_can_leave_out_personal_columns():
    pb = parse_pb(SAMPLE)
    text = dumps_pb(pb, vote_columns=())
    assert "voter_id;vote;points\n" in text
    assert "age" not in text and ";F" not in text
    assert parse_pb(text).votes[0].extra == {}
    kept = dumps_pb(pb, vote_columns=["age"])
    assert "voter_id;vote;points;age\n" in kept
    open_data = without_personal_data(pb)
    assert [v.voter_id for v in open_data.votes] == ["1", "2"]
    assert all(v.extra == {} for v in open_data.votes)
    assert open_data.votes[0].vote == ("1", "2") and open_data.votes[0].points == (2, 1)
    assert "v1" not in dumps_pb(open_data)


def test_writes_a_file_built_by_the_app():
    pb = PbFile(
        meta={"budget": "300", "vote_type": "approval"},
        projects=(PbProject("a", 100, "Bench"), PbProject("b", 250)),
        votes=(PbVote("1", ("a",)), PbVote("2", ("a", "b")), PbVote("3", ())),
    )
    text = dumps_pb(pb)
    assert text.splitlines()[0] == "META"
    assert "project_id;cost;name\n" in text
    assert "voter_id;vote\n" in text
    assert parse_pb(text) == PbFile(
        meta={"budget": "300", "vote_type": "approval", "num_projects": "2", "num_votes": "3"},
        projects=pb.projects,
        votes=pb.votes,
    )


def _with_votes(vote_lines: str, vote_header: str = "voter_id;vote") -> str:
    head = "META\nkey;value\nbudget;100\nPROJECTS\nproject_id;cost\n1;10\n2;20\nVOTES\n"
    return head + vote_header + "\n" + vote_lines


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("budget;100\n", "line 1: expected a section name"),
        ("META\nkey;value\nbudget;100\nPROJECTS\nproject_id;cost\n1;ten\nVOTES\nvoter_id;vote\n", "line 6: cost"),
        ("META\nkey;value\nbudget;100\nPROJECTS\nproject_id;cost\n1;10.5.1\nVOTES\nvoter_id;vote\n", "not a number"),
        ("META\nkey;value\nbudget;100\nPROJECTS\nproject_id;cost\n1;NaN\nVOTES\nvoter_id;vote\n", "not a number"),
        ("META\nkey;value\nbudget;100\nPROJECTS\nproject_id;cost\n1;-10\nVOTES\nvoter_id;vote\n", "negative"),
        (
            "META\nkey;value\nbudget;100\nPROJECTS\nproject_id;cost\n1;10\n1;20\nVOTES\nvoter_id;vote\n",
            "line 7: project '1' appears twice",
        ),
        ("META\nkey;value\nbudget;100\nPROJECTS\nproject_id;name\n", "line 5: the PROJECTS header lacks cost"),
        ("META\nkey;value\nbudget;100\nPROJECTS\nproject_id;cost\n1;10\n", "VOTES section is missing"),
        ("META\nkey;value\ndescription;x\nPROJECTS\nproject_id;cost\nVOTES\nvoter_id;vote\n", "META has no budget"),
        ("META\nkey;value\nbudget;100\nPROJECTS\nproject_id;cost\n1;10\nVOTES\n", "VOTES has no header"),
        (_with_votes("a;1,3\n"), "line 10: voter 'a' votes for unknown project '3'"),
        (_with_votes("a;1\na;2\n"), "line 11: voter 'a' appears twice"),
        (_with_votes("a;1;x\n"), "line 10: 3 fields, but the VOTES header has 2"),
        (_with_votes("a\n"), "line 10: 1 fields"),
        (_with_votes("a;1,2;3\n", "voter_id;vote;points"), "line 10: 2 projects but 1 points"),
        (_with_votes("a;1;x\n", "voter_id;vote;points"), "line 10: points"),
        (_with_votes('a;"1\n'), "line 10: unexpected end of data"),
        (_with_votes('a;"1"x\n'), "line 10: ';' expected"),
        ("META\nkey;value\nbudget;100\nMETA\n", "line 4: section META appears twice"),
    ],
)
def test_malformed_input_is_refused_with_the_line(text, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        parse_pb(text)


def test_amounts_with_decimals_are_read_exactly():
    text = "META\nkey;value\nbudget;1647263.73\nPROJECTS\nproject_id;cost\n1;0.1\n2;20.00\nVOTES\nvoter_id;vote\n"
    pb = parse_pb(text)
    assert pb.budget == Decimal("1647263.73") and isinstance(pb.budget, Decimal)
    assert pb.projects[0].cost == Decimal("0.1")
    assert pb.projects[1].cost == 20 and type(pb.projects[1].cost) is int  # whole amounts stay int
    with pytest.raises(ValueError, match="META budget: '1647263.73' is not a whole amount"):
        pb.require_whole_amounts()
    with pytest.raises(ValueError, match="cost of project '1': '0.1' is not a whole amount"):
        parse_pb(text.replace("1647263.73", "100")).require_whole_amounts()
    assert "budget;1647263.73\n" in dumps_pb(pb) and "\n1;0.1\n" in dumps_pb(pb)
    assert parse_pb(dumps_pb(pb)).projects == pb.projects
    whole = parse_pb("META\nkey;value\nbudget;100.0\nPROJECTS\nproject_id;cost\nVOTES\nvoter_id;vote\n")
    assert whole.budget == 100 and type(whole.budget) is int
    whole.require_whole_amounts()
    with pytest.raises(ValueError, match="META budget: '-5' is negative"):
        _ = parse_pb(text.replace("1647263.73", "-5")).budget
    with pytest.raises(ValueError, match="META budget: 'lots' is not a number"):
        _ = parse_pb(text.replace("1647263.73", "lots")).budget


def test_a_project_named_twice_on_a_ballot_counts_once():
    text = _with_votes("a;1,2,1\nb;2\nc;2,2\n")
    pb = parse_pb(text)
    assert [v.vote for v in pb.votes] == [("1", "2"), ("2",), ("2",)]
    assert pb.repeated_ballots == 2
    points = parse_pb(_with_votes("a;2,1,2;1,3,2\n", "voter_id;vote;points"))
    # cumulative points for a repeated project add up, as the files' own score columns count them
    assert points.votes[0].vote == ("2", "1") and points.votes[0].points == (3, 3)
    assert points.repeated_ballots == 1


def test_read_pb_names_the_file(tmp_path):
    path = tmp_path / "broken.pb"
    path.write_text(_with_votes("a;9\n"), encoding="utf-8")
    with pytest.raises(ValueError, match=r"^broken.pb: line 10: voter 'a' votes for unknown project '9'"):
        read_pb(path)
    path.write_bytes(b"META\nkey;value\nbudget;\xff\n")
    with pytest.raises(ValueError, match=r"^broken.pb: not UTF-8"):
        read_pb(path)


def test_tolerates_blank_lines_spaces_a_bom_and_trailing_empty_fields(tmp_path):
    text = "META\nkey; value\nbudget; 100\n\nPROJECTS\nproject_id; cost\n1; 10;\nVOTES\nvoter_id;vote\na; 1\n"
    path = tmp_path / "bom.pb"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    pb = read_pb(path)
    assert pb.budget == 100
    assert pb.projects == (PbProject("1", 10),)
    assert pb.votes == (PbVote("a", ("1",)),)
