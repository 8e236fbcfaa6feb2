"""Compute the outcome of a pabulib file: the engine behind ``flask pb-outcome FILE [--rule ...] [--tie ...]``.

Amounts are counted exactly: a file's decimal amounts (``Decimal``) become ``Fraction``s for the rules, so a
budget of 1647263.73 is that, not a float near it. Errors are ValueErrors that name the file's field (``META
min_project_score_threshold``, ``line 12: cost of project '7'``); ``pb_outcome_file`` puts the file name first.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from youthcouncil.voting import pb
from youthcouncil.voting.pabulib import Amount, PbFile, read_pb

RULES = (pb.GREEDY, pb.GREEDY_THRESHOLD, pb.EQUAL_SHARES_ADD1, pb.EQUAL_SHARES_ADD1_COMPARISON)
_ALIASES = {"mes": pb.EQUAL_SHARES_ADD1}


def exact(amount: Amount) -> pb.Amount:
    """A file's amount as the rules take it: whole amounts stay int, decimals become an exact Fraction."""
    return Fraction(amount) if isinstance(amount, Decimal) else amount


def projects_of(data: PbFile) -> list[pb.Project]:
    return [pb.Project(p.project_id, exact(p.cost), p.name) for p in data.projects]


def _meta_whole_number(data: PbFile, key: str) -> int | None:
    """A META field that must be a whole number >= 0 (None when absent or empty)."""
    text = data.meta.get(key, "").strip()
    if not text:
        return None
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"META {key}: {text!r} is not a whole number") from None
    if value < 0:
        raise ValueError(f"META {key}: {text!r} is negative")
    return value


def scores_of(data: PbFile) -> dict[str, int]:
    """Each project's score as the file's vote type defines it.

    approval / choose-1: number of votes; cumulative / scoring: sum of points; ordinal: Borda points by
    rank, the first choice getting max_length points (or the number of projects when there is no
    max_length), each later choice one less.
    """
    projects = projects_of(data)
    vote_type = data.vote_type
    if vote_type in ("approval", "choose-1"):
        return pb.approval_scores(projects, (vote.vote for vote in data.votes))
    if vote_type in ("cumulative", "scoring"):
        ballots = []
        for vote in data.votes:
            if vote.points is None:
                if not vote.vote:
                    continue  # an empty ballot gives nobody points
                raise ValueError(f"voter {vote.voter_id!r}: a {vote_type} vote needs points")
            ballots.append(dict(zip(vote.vote, vote.points, strict=True)))
        return pb.points_scores(projects, ballots)
    if vote_type == "ordinal":
        scoring = data.meta.get("scoring_fn", "").strip().lower()
        if scoring not in ("", "borda"):
            raise ValueError(f"META scoring_fn: {data.meta['scoring_fn']!r} is not supported (only Borda is)")
        max_length = _meta_whole_number(data, "max_length") or len(projects)
        ballots_points = []
        for vote in data.votes:
            if len(vote.vote) > max_length:
                raise ValueError(
                    f"voter {vote.voter_id!r} ranks {len(vote.vote)} projects, more than META max_length {max_length}"
                )
            ballots_points.append(pb.borda_points(vote.vote, max_length))
        return pb.points_scores(projects, ballots_points)
    raise ValueError(f"META vote_type: {data.meta.get('vote_type')!r} is not supported")


def outcome(data: PbFile, rule: str | None = None, *, tie: str = pb.TIE_COST) -> pb.PBResult:
    """The outcome of `data` under `rule` (default: the file's META rule); `tie` as in ``pb.greedy``."""
    name = (rule or data.rule or "").strip()
    name = _ALIASES.get(name.lower(), name)
    projects = projects_of(data)
    budget = exact(data.budget)
    if name == pb.GREEDY:
        return pb.greedy(projects, budget, scores_of(data), tie=tie)
    if name == pb.GREEDY_THRESHOLD:
        threshold = _meta_whole_number(data, "min_project_score_threshold")
        if threshold is None:
            raise ValueError("greedy-threshold needs META min_project_score_threshold")
        return pb.greedy(projects, budget, scores_of(data), threshold=threshold, tie=tie)
    if name in (pb.EQUAL_SHARES_ADD1, pb.EQUAL_SHARES_ADD1_COMPARISON):
        if data.vote_type not in ("approval", "choose-1"):
            raise ValueError(
                f"equal shares is only supported for approval votes, not META vote_type {data.vote_type!r}"
            )
        return pb.equal_shares(
            projects,
            budget,
            (vote.vote for vote in data.votes),
            comparison=name == pb.EQUAL_SHARES_ADD1_COMPARISON,
            tie=tie,
        )
    where = "" if rule else "META rule: "
    raise ValueError(f"{where}unknown rule {name!r}; choose one of {', '.join(RULES)} (or mes)")


def json_amount(amount: pb.Amount) -> int | float | str:
    """An amount for JSON: an int when whole; else a number whose text is the exact decimal ("1647263.73"),
    or the exact fraction as a string in the (never seen) case that no short decimal writes it."""
    if isinstance(amount, int) or amount.denominator == 1:
        return int(amount)
    number = float(amount)
    if Fraction(repr(number)) == amount:
        return number
    return str(amount)


def pb_outcome_file(path: str | Path, rule: str | None = None, *, tie: str = pb.TIE_COST) -> dict[str, object]:
    """``{"rule", "tie", "budget", "selected", "total_cost", "repeated_ballots"}`` for a .pb file.

    `selected` lists the funded project ids as strings in the order the file lists its projects.
    `repeated_ballots` is the number of ballots that named a project more than once (it counted once).
    """
    path = Path(path)
    data = read_pb(path)
    try:
        result = outcome(data, rule, tie=tie)
    except ValueError as error:
        raise ValueError(f"{path.name}: {error}") from None
    funded = set(result.selected)
    return {
        "rule": result.rule,
        "tie": tie,
        "budget": json_amount(result.budget),
        "selected": [p.project_id for p in data.projects if p.project_id in funded],
        "total_cost": json_amount(result.total_cost),
        "repeated_ballots": data.repeated_ballots,
    }
