"""Reader and writer for pabulib's ``.pb`` participatory-budgeting files.

A file has three sections, each a line with its name (``META``, ``PROJECTS``, ``VOTES``), a header row and
data rows, ``;``-separated with CSV quoting. Line ends may be CRLF, LF or mixed. Unknown columns are kept
(``extra``) so a file can be read and written back. Malformed input raises ValueError naming the line
(``read_pb`` adds the file name).

Amounts (budget, costs) are read exactly: an ``int`` when whole ("1200", "1200.0"), else a ``Decimal``
("1647263.73"), never a float. A ballot that names a project more than once counts it once, where it first
appears (for cumulative and scoring ballots its points are added up, as the files' own ``score`` columns
do); ``PbFile.repeated_ballots`` says how many ballots did that.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path

SECTIONS = ("META", "PROJECTS", "VOTES")
# Voter columns that describe a person; open-data exports leave them out.
PERSONAL_VOTE_COLUMNS = frozenset({"age", "sex", "gender", "voting_method", "district", "neighborhood", "education"})


Amount = int | Decimal  # money as the file writes it: whole amounts as int, others as an exact Decimal


@dataclass(frozen=True)
class PbProject:
    project_id: str
    cost: Amount
    name: str = ""
    selected: int | None = None  # the official outcome: 1 funded, 0 not, 2 funded from extra money
    extra: Mapping[str, str] = field(default_factory=dict)  # other columns, e.g. votes, score, category


@dataclass(frozen=True)
class PbVote:
    voter_id: str
    vote: tuple[str, ...]  # project ids; for ordinal ballots in order of preference
    points: tuple[int, ...] | None = None  # cumulative/scoring ballots, one per project in `vote`
    extra: Mapping[str, str] = field(default_factory=dict)  # e.g. age, sex, voting_method


@dataclass(frozen=True)
class PbFile:
    meta: Mapping[str, str]
    projects: tuple[PbProject, ...]
    votes: tuple[PbVote, ...]
    repeated_ballots: int = 0  # ballots that named a project more than once (each such project counted once)

    @property
    def budget(self) -> Amount:
        budget = _amount(self.meta.get("budget", ""), "META budget")
        if budget < 0:
            raise ValueError(f"META budget: {self.meta['budget']!r} is negative")
        return budget

    def require_whole_amounts(self) -> None:
        """ValueError naming the first amount with a fraction (the app's own money is whole kroner)."""
        if not isinstance(self.budget, int):
            raise ValueError(f"META budget: {self.meta['budget']!r} is not a whole amount")
        for project in self.projects:
            if not isinstance(project.cost, int):
                raise ValueError(f"cost of project {project.project_id!r}: {str(project.cost)!r} is not a whole amount")

    @property
    def vote_type(self) -> str:
        return self.meta.get("vote_type", "approval").strip().lower()

    @property
    def rule(self) -> str | None:
        return self.meta.get("rule") or None

    def project(self, project_id: str) -> PbProject:
        for project in self.projects:
            if project.project_id == project_id:
                return project
        raise KeyError(project_id)


# -------------------------------------------------------------------------------------------- reading


def _amount(text: str, what: str) -> Amount:
    """An exact amount: "1200" and "1200.0" give int 1200, "1647263.73" gives Decimal("1647263.73")."""
    text = text.strip()
    try:
        return int(text)
    except ValueError:
        pass
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{what}: {text!r} is not a number") from None
    if not value.is_finite():
        raise ValueError(f"{what}: {text!r} is not a number")
    if value == value.to_integral_value():
        return int(value)
    return value


def _int(text: str, what: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise ValueError(f"{what}: {text!r} is not a whole number") from None


def _split_list(text: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in text.split(",") if item.strip())


def read_pb(path: str | Path) -> PbFile:
    """Read a .pb file (UTF-8, a byte-order mark is allowed); errors start with the file's name."""
    path = Path(path)
    try:
        with open(path, encoding="utf-8-sig", newline="") as stream:
            return parse_pb(stream.read())
    except UnicodeDecodeError as error:
        raise ValueError(f"{path.name}: not UTF-8 text ({error.reason} at byte {error.start})") from None
    except ValueError as error:
        raise ValueError(f"{path.name}: {error}") from None


def parse_pb(text: str) -> PbFile:
    """Parse the contents of a .pb file."""
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=";", strict=True)
    section: str | None = None
    header: list[str] = []
    meta: dict[str, str] = {}
    projects: dict[str, PbProject] = {}
    votes: dict[str, PbVote] = {}
    repeated = 0
    seen: set[str] = set()
    expect_header = False
    try:
        for row in rows:
            line = rows.line_num
            cells = [cell.strip() for cell in row]
            if not any(cells):
                continue
            if cells[0].upper() in SECTIONS and not any(cells[1:]):
                section = cells[0].upper()
                if section in seen:
                    raise ValueError(f"line {line}: section {section} appears twice")
                seen.add(section)
                expect_header = True
                continue
            if section is None:
                raise ValueError(f"line {line}: expected a section name (META, PROJECTS or VOTES)")
            if expect_header:
                header = [cell.lower() for cell in cells]
                _check_header(section, header, line)
                expect_header = False
                continue
            if len(cells) != len(header):
                if len(cells) < len(header) or any(cells[len(header) :]):
                    raise ValueError(f"line {line}: {len(cells)} fields, but the {section} header has {len(header)}")
                cells = cells[: len(header)]
            values = dict(zip(header, cells, strict=True))
            if section == "META":
                meta[values["key"]] = values["value"]
            elif section == "PROJECTS":
                project = _project(values, line)
                if project.project_id in projects:
                    raise ValueError(f"line {line}: project {project.project_id!r} appears twice")
                projects[project.project_id] = project
            else:
                vote, had_repeats = _vote(values, line, projects)
                repeated += had_repeats
                if vote.voter_id in votes:
                    raise ValueError(f"line {line}: voter {vote.voter_id!r} appears twice")
                votes[vote.voter_id] = vote
    except csv.Error as error:
        raise ValueError(f"line {rows.line_num}: {error}") from None
    if expect_header:
        raise ValueError(f"section {section} has no header row")
    for required in SECTIONS:
        if required not in seen:
            raise ValueError(f"the {required} section is missing")
    if "budget" not in meta:
        raise ValueError("META has no budget")
    return PbFile(meta=meta, projects=tuple(projects.values()), votes=tuple(votes.values()), repeated_ballots=repeated)


_REQUIRED_COLUMNS = {"META": ("key", "value"), "PROJECTS": ("project_id", "cost"), "VOTES": ("voter_id", "vote")}


def _check_header(section: str, header: list[str], line: int) -> None:
    missing = [column for column in _REQUIRED_COLUMNS[section] if column not in header]
    if missing:
        raise ValueError(f"line {line}: the {section} header lacks {', '.join(missing)}")
    if len(set(header)) != len(header):
        raise ValueError(f"line {line}: the {section} header names a column twice")


def _project(values: dict[str, str], line: int) -> PbProject:
    project_id = values["project_id"]
    if not project_id:
        raise ValueError(f"line {line}: empty project_id")
    cost = _amount(values["cost"], f"line {line}: cost of project {project_id!r}")
    if cost < 0:
        raise ValueError(f"line {line}: cost of project {project_id!r} is negative")
    selected_text = values.get("selected", "")
    selected = _int(selected_text, f"line {line}: selected") if selected_text else None
    extra = {k: v for k, v in values.items() if k not in ("project_id", "cost", "name", "selected")}
    return PbProject(project_id, cost, values.get("name", ""), selected, extra)


def _vote(values: dict[str, str], line: int, projects: Mapping[str, PbProject]) -> tuple[PbVote, bool]:
    """The vote on this line, and whether it named a project more than once (merged into its first place)."""
    voter_id = values["voter_id"]
    if not voter_id:
        raise ValueError(f"line {line}: empty voter_id")
    vote = _split_list(values["vote"])
    for project_id in vote:
        if project_id not in projects:
            raise ValueError(f"line {line}: voter {voter_id!r} votes for unknown project {project_id!r}")
    points: tuple[int, ...] | None = None
    if values.get("points"):
        points = tuple(_int(p, f"line {line}: points") for p in _split_list(values["points"]))
        if len(points) != len(vote):
            raise ValueError(f"line {line}: {len(vote)} projects but {len(points)} points")
    repeated = len(set(vote)) != len(vote)
    if repeated:
        merged: dict[str, int] = {}
        for at, project_id in enumerate(vote):
            merged[project_id] = merged.get(project_id, 0) + (points[at] if points is not None else 0)
        vote = tuple(merged)
        points = tuple(merged.values()) if points is not None else None
    extra = {k: v for k, v in values.items() if k not in ("voter_id", "vote", "points")}
    return PbVote(voter_id, vote, points, extra), repeated


# -------------------------------------------------------------------------------------------- writing


def without_personal_data(pb: PbFile) -> PbFile:
    """A copy fit for open data: no voter columns besides the vote, and voters renumbered 1, 2, 3, ..."""
    votes = tuple(PbVote(str(number), vote.vote, vote.points, {}) for number, vote in enumerate(pb.votes, start=1))
    return replace(pb, votes=votes)


def _columns(first: Iterable[str], records: Iterable[Mapping[str, str]]) -> list[str]:
    columns = list(first)
    for record in records:
        for column in record:
            if column not in columns:
                columns.append(column)
    return columns


def dumps_pb(pb: PbFile, *, vote_columns: Iterable[str] | None = None) -> str:
    """The .pb text of `pb` (LF line ends). `vote_columns` limits the extra voter columns written."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    meta = dict(pb.meta)
    meta["num_projects"] = str(len(pb.projects))
    meta["num_votes"] = str(len(pb.votes))
    writer.writerow(["META"])
    writer.writerow(["key", "value"])
    writer.writerows(meta.items())

    writer.writerow(["PROJECTS"])
    has_name = any(project.name for project in pb.projects)
    has_selected = any(project.selected is not None for project in pb.projects)
    fixed = ["project_id", "cost"] + (["name"] if has_name else []) + (["selected"] if has_selected else [])
    columns = _columns(fixed, (project.extra for project in pb.projects))
    writer.writerow(columns)
    for project in pb.projects:
        row = {"project_id": project.project_id, "cost": str(project.cost), "name": project.name}
        row["selected"] = "" if project.selected is None else str(project.selected)
        writer.writerow([row[c] if c in row else project.extra.get(c, "") for c in columns])

    writer.writerow(["VOTES"])
    has_points = any(vote.points is not None for vote in pb.votes)
    extra_columns = _columns((), (vote.extra for vote in pb.votes))
    if vote_columns is not None:
        wanted = set(vote_columns)
        extra_columns = [c for c in extra_columns if c in wanted]
    columns = ["voter_id", "vote"] + (["points"] if has_points else []) + extra_columns
    writer.writerow(columns)
    for vote in pb.votes:
        row = {"voter_id": vote.voter_id, "vote": ",".join(vote.vote)}
        row["points"] = "" if vote.points is None else ",".join(str(p) for p in vote.points)
        writer.writerow([row[c] if c in row else vote.extra.get(c, "") for c in columns])
    return out.getvalue()


def write_pb(pb: PbFile, path: str | Path, *, vote_columns: Iterable[str] | None = None) -> None:
    with open(path, "w", encoding="utf-8", newline="") as stream:
        stream.write(dumps_pb(pb, vote_columns=vote_columns))
