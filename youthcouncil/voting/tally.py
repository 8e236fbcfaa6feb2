"""Count a ballot file with one method and return plain JSON-ready data (for the ``flask tally`` command).

``tally_file(path, method)`` returns ``{"method", "ballots", "withdrawn", "winner", "ranking", "rounds"}``:

* ``ballots``: the number of ballots in the file (the sum of the counts, blank ballots included);
* ``withdrawn``: the names of candidates the file marks as withdrawn (a ``.blt`` line of negative numbers). They are
  struck from every ballot before counting, in every method, so their ballots pass to the next preference (a ballot
  naming only withdrawn candidates counts as blank); they are in no count and not in ``ranking``;
* ``winner`` (or null) and ``ranking`` use the candidates' names from the file;
* ``rounds``: for ``irv`` one entry per round, ``{"counts": {name: votes}, "exhausted": n, "eliminated": name or
  null, "reason": code}`` (reason codes as in ``ranked.py``: fewest_votes, tie_earlier_round, tie_lot, majority,
  no_valid_ballots); for ``approval`` and ``plurality`` a single entry with every candidate's count, the ballots
  that counted for nobody as ``exhausted``, ``eliminated`` null and the reason the winner won (most_votes or
  tie_lot); for ``schulze`` an empty list (a pairwise count has no rounds).

Lots are drawn with ``DEFAULT_SEED`` ("youthcouncil") unless a ``seed`` is given.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from youthcouncil.voting.blt import read_blt
from youthcouncil.voting.preflib import DATA_TYPES, read_preflib
from youthcouncil.voting.ranked import (
    DEFAULT_SEED,
    Ranking,
    approval,
    instant_runoff,
    plurality,
    schulze,
    without_candidates,
)

METHODS = ("irv", "schulze", "approval", "plurality")


def load_ballot_file(path: str | Path) -> tuple[dict[int, str], list[tuple[Ranking, int]], tuple[int, ...]]:
    """Candidates (number -> name), ballots and withdrawn candidates from a .blt or PrefLib .soc/.soi/.toc/.toi file.

    The ballots are as marked: withdrawn candidates are still on them (``tally_file`` strikes them out).
    """
    path = Path(path)
    extension = path.suffix.lower().lstrip(".")
    if extension == "blt":
        election = read_blt(path)
        return election.candidates, election.ballots, election.withdrawn
    if extension in DATA_TYPES:
        data = read_preflib(path)
        return data.alternatives, data.ballots, ()  # PrefLib files have no withdrawn candidates
    raise ValueError(f"{path.name}: unknown ballot file type; expected .blt, .soc, .soi, .toc or .toi")


def tally_file(path: str | Path, method: str, *, seed: int | str = DEFAULT_SEED) -> dict[str, Any]:
    """Count the file with ``method`` (irv, schulze, approval or plurality); see the module docstring."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; expected one of {', '.join(METHODS)}")
    names, marked, withdrawn = load_ballot_file(path)
    if len(set(names.values())) != len(names):
        raise ValueError(f"{Path(path).name}: two candidates share a name, so results by name would be ambiguous")
    candidates = [c for c in names if c not in withdrawn]
    ballots = without_candidates(marked, withdrawn)

    def name(candidate: int | None) -> str | None:
        return None if candidate is None else names[candidate]

    rounds: list[dict[str, Any]] = []
    if method == "irv":
        result = instant_runoff(ballots, candidates, seed=seed)
        winner, ranking, total = result.winner, result.ranking, result.total_ballots
        rounds = [
            {
                "counts": {names[c]: votes for c, votes in r.counts.items()},
                "exhausted": r.exhausted,
                "eliminated": name(r.eliminated),
                "reason": r.reason,
            }
            for r in result.rounds
        ]
    elif method == "schulze":
        outcome = schulze(ballots, candidates, seed=seed)
        winner, ranking, total = outcome.winner, outcome.ranking, outcome.total_ballots
    else:
        count = (approval if method == "approval" else plurality)(ballots, candidates, seed=seed)
        winner, ranking, total = count.winner, count.ranking, count.total_ballots
        rounds = [
            {
                "counts": {names[c]: votes for c, votes in count.counts.items()},
                "exhausted": count.uncounted,
                "eliminated": None,
                "reason": count.reason,
            }
        ]
    return {
        "method": method,
        "ballots": total,
        "withdrawn": [names[c] for c in names if c in withdrawn],
        "winner": name(winner),
        "ranking": [names[c] for c in ranking],
        "rounds": rounds,
    }
