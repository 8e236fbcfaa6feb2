"""PrefLib .soc/.soi/.toc/.toi: reading, validation messages, writing and round trips."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from youthcouncil.voting.preflib import (
    format_preflib,
    narrowest_data_type,
    parse_preflib,
    read_preflib,
    write_preflib,
)

SAMPLE = """\
# FILE NAME: sample.toi
# TITLE: Which theme for the summer?
# DESCRIPTION:\x20
# DATA TYPE: toi
# NUMBER ALTERNATIVES: 4
# NUMBER VOTERS: 6
# NUMBER UNIQUE ORDERS: 3
# ALTERNATIVE NAME 1: Skate park
# ALTERNATIVE NAME 2: Library
# ALTERNATIVE NAME 3: Football
# ALTERNATIVE NAME 4: Theatre
3: 1,{2,3},4
2: 2
1: {3,4}
"""

A, B, C, D = (frozenset([i]) for i in (1, 2, 3, 4))


def test_reads_header_alternatives_and_orders():
    data = parse_preflib(SAMPLE)
    assert data.alternatives == {1: "Skate park", 2: "Library", 3: "Football", 4: "Theatre"}
    assert data.metadata["TITLE"] == "Which theme for the summer?"
    assert data.metadata["DESCRIPTION"] == ""
    assert data.data_type == "toi" and data.voters == 6
    assert data.ballots == [((A, frozenset({2, 3}), D), 3), ((B,), 2), ((frozenset({3, 4}),), 1)]


def test_writing_what_was_read_gives_the_same_text():
    data = parse_preflib(SAMPLE)
    assert format_preflib(data.alternatives, data.ballots, data.metadata) == SAMPLE


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("3: 1,{2,3},4", "3: 1,{2,3},7"), "line 12: alternative 7 is not in the header"),
        (("3: 1,{2,3},4", "3: 1,{2,3},1"), "line 12: alternative 1 appears twice in one order"),
        (("3: 1,{2,3},4", "3: 1,{2,3,4"), "line 12: unbalanced braces"),
        (("3: 1,{2,3},4", "3 1,2"), "line 12: expected 'count: order'"),
        (("3: 1,{2,3},4", "3: 1,,4"), "line 12: empty rank"),
        (("3: 1,{2,3},4", "3: 1,x"), "line 12: 'x' is not an alternative number"),
        (("3: 1,{2,3},4", "3: {}"), "line 12: '{}' is not an alternative number"),
        (("3: 1,{2,3},4", "3: "), "line 12: the order is empty"),
        (("3: 1,{2,3},4", "0: 1"), "line 12: an order must have a count of at least 1"),
        (("2: 2\n", "2: 2\n# TITLE: late\n"), "line 14: header line after the first order"),
        (("# DESCRIPTION: \n", "# DESCRIPTION\n"), "line 3: expected '# KEY: value'"),
        (("# ALTERNATIVE NAME 4: Theatre", "# ALTERNATIVE NAME 3: Theatre"), "line 11: alternative 3 is named twice"),
        (("# TITLE: Which", "# DATA TYPE: soc\n# TITLE: Which"), "line 5: header 'DATA TYPE' appears twice"),
        (("NUMBER VOTERS: 6", "NUMBER VOTERS: 7"), "NUMBER VOTERS: 7, but the file has 6"),
        (("UNIQUE ORDERS: 3", "UNIQUE ORDERS: 4"), "NUMBER UNIQUE ORDERS: 4, but the file has 3"),
        (("ALTERNATIVES: 4", "ALTERNATIVES: 5"), "NUMBER ALTERNATIVES: 5, but the file has 4"),
        (("DATA TYPE: toi", "DATA TYPE: soi"), "data type soi does not fit the orders, which need toi"),
        (("DATA TYPE: toi", "DATA TYPE: xyz"), "unknown PrefLib data type 'xyz'"),
    ],
)
def test_malformed_files_are_refused_with_the_line(change, message):
    old, new = change
    assert old in SAMPLE
    with pytest.raises(ValueError) as error:
        parse_preflib(SAMPLE.replace(old, new, 1))
    assert message in str(error.value)


def test_old_format_without_alternative_names_is_refused():
    with pytest.raises(ValueError, match=r"line 2: no '# ALTERNATIVE NAME n: \.\.\.' lines before the orders"):
        parse_preflib("# TITLE: x\n1: 1\n")
    with pytest.raises(ValueError, match="no '# ALTERNATIVE NAME"):
        parse_preflib("# TITLE: x\n")


def test_type_check_can_be_switched_off():
    lax = SAMPLE.replace("DATA TYPE: toi", "DATA TYPE: soc").replace("VOTERS: 6", "VOTERS: 60")
    assert parse_preflib(lax, check_type=False).voters == 6


def test_the_file_extension_must_fit(tmp_path):
    path = tmp_path / "sample.soi"
    path.write_text(SAMPLE.replace("DATA TYPE: toi", "DATA TYPE: soi"))
    with pytest.raises(ValueError, match=r"sample.soi: data type soi does not fit the orders, which need toi"):
        read_preflib(path)


@pytest.mark.parametrize(
    ("ballots", "expected"),
    [
        ([((A, B, C), 1), ((C, B, A), 2)], "soc"),
        ([((A, B, C), 1), ((C,), 2)], "soi"),
        ([((A, frozenset({2, 3})), 1), ((C, B, A), 2)], "toc"),
        ([((A, frozenset({2, 3})), 1), ((C,), 2)], "toi"),
    ],
)
def test_narrowest_data_type(ballots, expected, tmp_path):
    alternatives = {1: "a", 2: "b", 3: "c"}
    assert narrowest_data_type(ballots, alternatives) == expected
    path = tmp_path / "out.toi"
    assert write_preflib(path, alternatives, ballots, {"TITLE": "t"}) == "toi"  # the extension's type is kept
    assert format_preflib(alternatives, ballots).splitlines()[2] == f"# DATA TYPE: {expected}"


def test_writer_merges_sorts_and_fills_the_counts(tmp_path):
    alternatives = {1: "Skate park", 2: "Library"}
    path = tmp_path / "themes.soi"
    written = write_preflib(path, alternatives, [((A,), 1), ((B, A), 2), ((A,), 3)], {"TITLE": "Themes"})
    assert written == "soi"
    assert path.read_text() == (
        "# FILE NAME: themes.soi\n"
        "# TITLE: Themes\n"
        "# DATA TYPE: soi\n"
        "# NUMBER ALTERNATIVES: 2\n"
        "# NUMBER VOTERS: 6\n"
        "# NUMBER UNIQUE ORDERS: 2\n"
        "# ALTERNATIVE NAME 1: Skate park\n"
        "# ALTERNATIVE NAME 2: Library\n"
        "4: 1\n"
        "2: 2,1\n"
    )
    assert read_preflib(path).ballots == [((A,), 4), ((B, A), 2)]


def test_writer_refuses_what_the_format_cannot_hold(tmp_path):
    alternatives = {1: "a", 2: "b"}
    with pytest.raises(ValueError, match="does not fit"):
        write_preflib(tmp_path / "x.soc", alternatives, [((A,), 1)])
    with pytest.raises(ValueError, match="unknown alternatives"):
        format_preflib(alternatives, [((A, C), 1)])
    with pytest.raises(ValueError, match="twice"):
        format_preflib(alternatives, [((A, frozenset({1, 2})), 1)])
    with pytest.raises(ValueError, match="empty order"):
        format_preflib(alternatives, [((), 1)])
    with pytest.raises(ValueError, match="unknown PrefLib data type"):
        format_preflib(alternatives, [((A,), 1)], data_type="csv")


@st.composite
def profiles(draw):
    alternatives = {i: f"Option {i}" for i in range(1, draw(st.integers(1, 12)) + 1)}
    ballots = []
    for _ in range(draw(st.integers(1, 8))):
        order = draw(st.permutations(list(alternatives)))[: draw(st.integers(1, len(alternatives)))]
        ranks: list[set[int]] = []
        for alternative in order:
            if ranks and draw(st.booleans()):
                ranks[-1].add(alternative)
            else:
                ranks.append({alternative})
        ballots.append((tuple(frozenset(rank) for rank in ranks), draw(st.integers(1, 50))))
    return alternatives, ballots


@settings(max_examples=100, deadline=None)
@given(profiles())
def test_round_trip_keeps_every_vote(profile):
    alternatives, ballots = profile
    text = format_preflib(alternatives, ballots, {"TITLE": "random"})
    data = parse_preflib(text)  # also checks the written type and the NUMBER lines
    assert data.alternatives == alternatives
    merged: dict = {}
    for ranking, count in ballots:
        merged[ranking] = merged.get(ranking, 0) + count
    assert dict(data.ballots) == merged
    assert [count for _, count in data.ballots] == sorted(merged.values(), reverse=True)
    assert data.data_type == narrowest_data_type(ballots, alternatives)
    assert format_preflib(data.alternatives, data.ballots, data.metadata) == text
