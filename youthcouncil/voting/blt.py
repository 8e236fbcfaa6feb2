"""Read OpenSTV ``.blt`` ballot files (as published for US instant-runoff elections).

Layout: optional ``#`` comment lines; ``candidates seats``; optionally a line of withdrawn candidates as negative
numbers (kept in ``withdrawn``; ``tally_file`` strikes them from the ballots before counting); one line per ballot
``weight r1 r2 ... 0``; a line ``0``; one quoted name per candidate; a quoted title.

Ranks on a ballot line: a candidate number (1-based); ``-`` a skipped rank (dropped: later ranks move up);
``a=b`` an overvote (a rank naming several candidates); ``-=-`` an overvote whose names were not recorded. Since
such a ballot stops counting in instant-runoff as soon as it reaches that rank, the reader ends the ballot there
(``unnamed_overvotes`` counts those ballots). A name repeated lower down a ballot is kept as marked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

Ranking = tuple[frozenset[int], ...]

_QUOTED = re.compile(r'"([^"]*)"')


@dataclass(frozen=True)
class BltElection:
    title: str
    seats: int
    candidates: dict[int, str]  # 1-based number -> name, in file order
    withdrawn: tuple[int, ...]
    ballots: list[tuple[Ranking, int]]  # one entry per ballot line, in file order; blank ballots included
    unnamed_overvotes: int  # ballots cut short at an overvote without names (``-=-``)

    @property
    def total_ballots(self) -> int:
        return sum(count for _, count in self.ballots)


def _parse_rank(token: str, line: int, candidates: int) -> frozenset[int] | None:
    """The candidates marked at this rank; empty for a skipped rank; None for an overvote without names."""
    parts = token.split("=")
    if len(parts) > 1 and "-" in parts:
        return None
    if parts == ["-"]:
        return frozenset()
    marked = set()
    for part in parts:
        if not part.isdigit():
            raise ValueError(f"line {line}: {token!r} is not a candidate number, '-' or 'a=b'")
        number = int(part)
        if not 1 <= number <= candidates:
            raise ValueError(f"line {line}: candidate {number} does not exist (there are {candidates})")
        marked.add(number)
    return frozenset(marked)


def parse_blt(text: str) -> BltElection:
    """Parse .blt text; ValueError naming the line for anything malformed."""
    lines = [(number, raw.strip()) for number, raw in enumerate(text.splitlines(), start=1)]
    lines = [(number, line) for number, line in lines if line and not line.startswith("#")]
    if not lines:
        raise ValueError("empty .blt file")
    number, first = lines[0]
    try:
        candidates, seats = (int(field) for field in first.split())
    except ValueError:
        raise ValueError(f"line {number}: expected 'candidates seats', got {first!r}") from None
    at = 1
    withdrawn: tuple[int, ...] = ()
    if at < len(lines) and lines[at][1].startswith("-") and re.fullmatch(r"-\d+(\s+-\d+)*", lines[at][1]):
        withdrawn = tuple(-int(field) for field in lines[at][1].split())
        for candidate in withdrawn:
            if not 1 <= candidate <= candidates:
                raise ValueError(
                    f"line {lines[at][0]}: withdrawn candidate {candidate} does not exist (there are {candidates})"
                )
        at += 1

    ballots: list[tuple[Ranking, int]] = []
    unnamed = 0
    while True:
        if at >= len(lines):
            raise ValueError("the file ends before the '0' line that closes the ballots")
        number, line = lines[at]
        at += 1
        if line == "0":
            break
        fields = line.split()
        if fields[0].startswith("("):  # an optional ballot id
            fields = fields[1:]
        if len(fields) < 2 or fields[-1] != "0":
            raise ValueError(f"line {number}: a ballot must be 'weight rank rank ... 0', got {line!r}")
        if not fields[0].isdigit():
            raise ValueError(f"line {number}: the ballot weight must be a whole number, got {fields[0]!r}")
        ranks: list[frozenset[int]] = []
        for token in fields[1:-1]:
            rank = _parse_rank(token, number, candidates)
            if rank is None:
                unnamed += int(fields[0])
                break
            if rank:
                ranks.append(rank)
        ballots.append((tuple(ranks), int(fields[0])))

    strings = [name for _, line in lines[at:] for name in _QUOTED.findall(line)]
    if len(strings) < candidates:
        raise ValueError(f"expected {candidates} quoted candidate names after the ballots, found {len(strings)}")
    names = {i + 1: strings[i] for i in range(candidates)}
    title = strings[candidates] if len(strings) > candidates else ""
    return BltElection(title, seats, names, withdrawn, ballots, unnamed)


def read_blt(path: str | Path) -> BltElection:
    path = Path(path)
    try:
        return parse_blt(path.read_text(encoding="utf-8"))
    except ValueError as error:
        raise ValueError(f"{path.name}: {error}") from None
