"""Compute the outcome of a pabulib file: the engine behind ``flask pb-outcome FILE [--rule ...]``."""

from __future__ import annotations

from pathlib import Path

from youthcouncil.voting import pb
from youthcouncil.voting.pabulib import PbFile, read_pb

RULES = (pb.GREEDY, pb.GREEDY_THRESHOLD, pb.EQUAL_SHARES_ADD1, pb.EQUAL_SHARES_ADD1_COMPARISON)
_ALIASES = {"mes": pb.EQUAL_SHARES_ADD1}


def projects_of(data: PbFile) -> list[pb.Project]:
    return [pb.Project(p.project_id, p.cost, p.name) for p in data.projects]


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
                raise ValueError(f"voter {vote.voter_id!r}: a {vote_type} vote needs points")
            ballots.append(dict(zip(vote.vote, vote.points, strict=True)))
        return pb.points_scores(projects, ballots)
    if vote_type == "ordinal":
        scoring = data.meta.get("scoring_fn", "").strip().lower()
        if scoring not in ("", "borda"):
            raise ValueError(f"unsupported scoring_fn {data.meta['scoring_fn']!r} (only Borda is supported)")
        max_length = int(data.meta.get("max_length") or len(projects))
        return pb.points_scores(projects, (pb.borda_points(vote.vote, max_length) for vote in data.votes))
    raise ValueError(f"unsupported vote_type {vote_type!r}")


def outcome(data: PbFile, rule: str | None = None) -> pb.PBResult:
    """The outcome of `data` under `rule` (default: the file's META rule)."""
    name = (rule or data.rule or "").strip()
    name = _ALIASES.get(name.lower(), name)
    projects = projects_of(data)
    if name == pb.GREEDY:
        return pb.greedy(projects, data.budget, scores_of(data))
    if name == pb.GREEDY_THRESHOLD:
        threshold = data.meta.get("min_project_score_threshold")
        if threshold is None:
            raise ValueError("greedy-threshold needs min_project_score_threshold in META")
        return pb.greedy(projects, data.budget, scores_of(data), threshold=int(threshold))
    if name in (pb.EQUAL_SHARES_ADD1, pb.EQUAL_SHARES_ADD1_COMPARISON):
        if data.vote_type != "approval":
            raise ValueError(f"equal shares is only supported for approval votes, not {data.vote_type!r}")
        return pb.equal_shares(
            projects,
            data.budget,
            (vote.vote for vote in data.votes),
            comparison=name == pb.EQUAL_SHARES_ADD1_COMPARISON,
        )
    raise ValueError(f"unknown rule {name!r}; choose one of {', '.join(RULES)} (or mes)")


def pb_outcome_file(path: str | Path, rule: str | None = None) -> dict[str, object]:
    """``{"rule", "budget", "selected", "total_cost"}`` for a .pb file.

    `selected` lists the funded project ids as strings in the order the file lists its projects.
    """
    data = read_pb(path)
    result = outcome(data, rule)
    funded = set(result.selected)
    return {
        "rule": result.rule,
        "budget": result.budget,
        "selected": [p.project_id for p in data.projects if p.project_id in funded],
        "total_cost": result.total_cost,
    }
