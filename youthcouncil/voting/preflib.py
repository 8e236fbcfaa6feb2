"""Read and write PrefLib ordinal files (.soc, .soi, .toc, .toi), the format of preflib.org since 2022.

A file is a header of ``# KEY: value`` lines (``# ALTERNATIVE NAME 1: Andy Montroll`` names alternative 1), then
one row per distinct order: ``count: 1,2,{3,4},5`` where ``{...}`` holds alternatives tied at one rank.

* soc: strict and complete orders      * soi: strict, possibly incomplete
* toc: complete, ties allowed          * toi: incomplete, ties allowed
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

Ranking = tuple[frozenset[int], ...]

DATA_TYPES = ("soc", "soi", "toc", "toi")

# The header keys in the order PrefLib writes them; the counts are filled in by the writer.
HEADER_ORDER = (
    "FILE NAME",
    "TITLE",
    "DESCRIPTION",
    "DATA TYPE",
    "MODIFICATION TYPE",
    "RELATES TO",
    "RELATED FILES",
    "PUBLICATION DATE",
    "MODIFICATION DATE",
)
COUNT_KEYS = ("NUMBER ALTERNATIVES", "NUMBER VOTERS", "NUMBER UNIQUE ORDERS")

_HEADER = re.compile(r"#\s*(?P<key>[^:]+?)\s*:(?P<value>.*)\Z")
_ALTERNATIVE = re.compile(r"ALTERNATIVE NAME (\d+)\Z")
_ROW = re.compile(r"(?P<count>\d+)\s*:\s*(?P<order>.*)\Z")
_ID = re.compile(r"\d+\Z")


@dataclass(frozen=True)
class PrefLibData:
    metadata: dict[str, str]  # header values by key, in file order, without the ALTERNATIVE NAME lines
    alternatives: dict[int, str]  # id -> name, in id order
    ballots: list[tuple[Ranking, int]]  # one entry per row, in file order

    @property
    def data_type(self) -> str:
        return self.metadata.get("DATA TYPE", "").strip().lower()

    @property
    def voters(self) -> int:
        return sum(count for _, count in self.ballots)


def narrowest_data_type(ballots: Iterable[tuple[Ranking, int]], alternatives: Iterable[int]) -> str:
    """soc if every order is strict and complete, else soi if strict, toc if complete, else toi."""
    everyone = frozenset(alternatives)
    strict = complete = True
    for ranking, _ in ballots:
        if any(len(rank) != 1 for rank in ranking):
            strict = False
        if frozenset().union(*ranking) != everyone:
            complete = False
    if strict:
        return "soc" if complete else "soi"
    return "toc" if complete else "toi"


def fits_data_type(data_type: str, narrowest: str) -> bool:
    """Can orders whose narrowest type is ``narrowest`` be stored as ``data_type``?"""
    wider = {"soc": DATA_TYPES, "soi": ("soi", "toi"), "toc": ("toc", "toi"), "toi": ("toi",)}
    return data_type in wider[narrowest]


def _parse_order(text: str, line: int, alternatives: Mapping[int, str]) -> Ranking:
    ranks: list[frozenset[int]] = []
    seen: set[int] = set()
    for part in re.findall(r"\{[^{}]*\}|[^,{}]+|[{}]", text):
        part = part.strip()
        if part in ("{", "}"):
            raise ValueError(f"line {line}: unbalanced braces in {text!r}")
        inner = part[1:-1] if part.startswith("{") else part
        names = [token.strip() for token in inner.split(",")]
        if any(not _ID.match(token) for token in names):
            raise ValueError(f"line {line}: {part!r} is not an alternative number or a {{...}} tie of them")
        ids = [int(token) for token in names]
        for alternative in ids:
            if alternative not in alternatives:
                raise ValueError(f"line {line}: alternative {alternative} is not in the header")
            if alternative in seen:
                raise ValueError(f"line {line}: alternative {alternative} appears twice in one order")
            seen.add(alternative)
        ranks.append(frozenset(ids))
    if not ranks:
        raise ValueError(f"line {line}: the order is empty")
    if re.search(r",\s*,|\A\s*,|,\s*\Z", text):
        raise ValueError(f"line {line}: empty rank in {text!r}")
    return tuple(ranks)


def parse_preflib(text: str, *, data_type: str | None = None, check_type: bool = True) -> PrefLibData:
    """Parse PrefLib text. ``data_type`` (e.g. from the file extension) overrides the ``DATA TYPE`` header.

    With ``check_type`` the orders must fit the data type, and the NUMBER ... header lines must match the rows.
    Raises ValueError naming the line for anything malformed.
    """
    metadata: dict[str, str] = {}
    alternatives: dict[int, str] = {}
    ballots: list[tuple[Ranking, int]] = []
    rows_seen = False
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            if rows_seen:
                raise ValueError(f"line {number}: header line after the first order")
            header = _HEADER.match(line)
            if not header:
                raise ValueError(f"line {number}: expected '# KEY: value', got {raw!r}")
            key, value = header["key"].upper(), header["value"].strip()
            if alternative := _ALTERNATIVE.match(key):
                alternative_id = int(alternative[1])
                if alternative_id in alternatives:
                    raise ValueError(f"line {number}: alternative {alternative_id} is named twice")
                alternatives[alternative_id] = value
            elif key in metadata:
                raise ValueError(f"line {number}: header {key!r} appears twice")
            else:
                metadata[key] = value
            continue
        if not alternatives:
            raise ValueError(
                f"line {number}: no '# ALTERNATIVE NAME n: ...' lines before the orders"
                " (is this a PrefLib file in the format used since 2022?)"
            )
        rows_seen = True
        row = _ROW.match(line)
        if not row:
            raise ValueError(f"line {number}: expected 'count: order' (e.g. '3: 1,{{2,4}},3'), got {raw!r}")
        count = int(row["count"])
        if count == 0:
            raise ValueError(f"line {number}: an order must have a count of at least 1")
        ballots.append((_parse_order(row["order"], number, alternatives), count))

    declared = (data_type or metadata.get("DATA TYPE", "")).strip().lower()
    if declared and declared not in DATA_TYPES:
        raise ValueError(f"unknown PrefLib data type {declared!r}; expected one of {', '.join(DATA_TYPES)}")
    if not alternatives:
        raise ValueError("no '# ALTERNATIVE NAME n: ...' lines (is this a PrefLib file in the format used since 2022?)")
    alternatives = dict(sorted(alternatives.items()))
    if check_type:
        expected = {
            "NUMBER ALTERNATIVES": len(alternatives),
            "NUMBER VOTERS": sum(count for _, count in ballots),
            "NUMBER UNIQUE ORDERS": len(ballots),
        }
        for key, actual in expected.items():
            if key in metadata and metadata[key] != str(actual):
                raise ValueError(f"header says {key}: {metadata[key]}, but the file has {actual}")
        if declared:
            narrowest = narrowest_data_type(ballots, alternatives)
            if not fits_data_type(declared, narrowest):
                raise ValueError(f"data type {declared} does not fit the orders, which need {narrowest}")
    return PrefLibData(metadata, alternatives, ballots)


def read_preflib(path: str | Path, *, check_type: bool = True) -> PrefLibData:
    """Read a .soc/.soi/.toc/.toi file; the extension, if one of those, must fit the orders."""
    path = Path(path)
    extension = path.suffix.lower().lstrip(".")
    declared = extension if extension in DATA_TYPES else None
    try:
        return parse_preflib(path.read_text(encoding="utf-8"), data_type=declared, check_type=check_type)
    except ValueError as error:
        raise ValueError(f"{path.name}: {error}") from None


def _format_order(ranking: Ranking) -> str:
    return ",".join(
        str(next(iter(rank))) if len(rank) == 1 else "{" + ",".join(map(str, sorted(rank))) + "}" for rank in ranking
    )


def format_preflib(
    alternatives: Mapping[int, str],
    ballots: Iterable[tuple[Ranking, int]],
    metadata: Mapping[str, str] | None = None,
    *,
    data_type: str | None = None,
) -> str:
    """PrefLib text for these orders: identical orders merged, rows by count (most first, then first appearance).

    ``data_type`` (or ``metadata['DATA TYPE']``) is used if the orders fit it, else ValueError; without either,
    the narrowest type that fits. The NUMBER ... lines are computed; other metadata keys are written in PrefLib
    order, unknown keys after the standard ones.
    """
    metadata = dict(metadata or {})
    merged: Counter[Ranking] = Counter()
    for ranking, count in ballots:
        if type(count) is not int or count < 0:
            raise ValueError(f"a count must be a whole number >= 0, got {count!r}")
        cleaned = tuple(frozenset(rank) for rank in ranking if rank)
        named = [alternative for rank in cleaned for alternative in rank]
        if len(named) != len(set(named)):
            raise ValueError(f"order {ranking!r} names an alternative twice")
        if unknown := set(named) - set(alternatives):
            raise ValueError(f"order {ranking!r} names unknown alternatives {sorted(unknown)}")
        if not cleaned:
            raise ValueError("an empty order cannot be written in PrefLib format")
        merged[cleaned] += count
    rows = sorted(((ranking, count) for ranking, count in merged.items() if count), key=lambda row: -row[1])
    narrowest = narrowest_data_type(rows, alternatives)
    wanted = (data_type or metadata.get("DATA TYPE") or narrowest).strip().lower()
    if wanted not in DATA_TYPES:
        raise ValueError(f"unknown PrefLib data type {wanted!r}")
    if not fits_data_type(wanted, narrowest):
        raise ValueError(f"data type {wanted} does not fit the orders, which need {narrowest}")
    metadata["DATA TYPE"] = wanted
    metadata.pop("NUMBER ALTERNATIVES", None)
    metadata.pop("NUMBER VOTERS", None)
    metadata.pop("NUMBER UNIQUE ORDERS", None)
    counts = {
        "NUMBER ALTERNATIVES": len(alternatives),
        "NUMBER VOTERS": sum(count for _, count in rows),
        "NUMBER UNIQUE ORDERS": len(rows),
    }
    keys = [key for key in HEADER_ORDER if key in metadata or key in ("FILE NAME", "TITLE")]
    keys += [key for key in metadata if key not in HEADER_ORDER]
    lines = [f"# {key}: {metadata.get(key, '')}" for key in keys]
    lines += [f"# {key}: {value}" for key, value in counts.items()]
    lines += [f"# ALTERNATIVE NAME {alternative}: {alternatives[alternative]}" for alternative in sorted(alternatives)]
    lines += [f"{count}: {_format_order(ranking)}" for ranking, count in rows]
    return "\n".join(lines) + "\n"


def write_preflib(
    path: str | Path,
    alternatives: Mapping[int, str],
    ballots: Iterable[tuple[Ranking, int]],
    metadata: Mapping[str, str] | None = None,
) -> str:
    """Write a PrefLib file; the data type is the extension's if it is .soc/.soi/.toc/.toi. Returns the type."""
    path = Path(path)
    metadata = dict(metadata or {})
    metadata.setdefault("FILE NAME", path.name)
    extension = path.suffix.lower().lstrip(".")
    text = format_preflib(alternatives, ballots, metadata, data_type=extension if extension in DATA_TYPES else None)
    path.write_text(text, encoding="utf-8")
    return parse_preflib(text, check_type=False).data_type
