"""Time the Method of Equal Shares with add1 completion.

Runs on the real Wieliczka 2023 Green Budget file (6,586 voters x 64 projects) and on a generated, seeded
election of 20,000 voters x 100 projects. Prints the best of 3 runs (time.perf_counter) and the peak
memory of one run (tracemalloc). Run from the repository root:

    .venv/bin/python bench/bench_mes.py
"""

from __future__ import annotations

import random
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from youthcouncil.voting.pabulib import read_pb
from youthcouncil.voting.pb import PBResult, Project, equal_shares

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "pabulib"
WIELICZKA = DATA / "Poland_Wieliczka_2023_Green_Budget.pb"


def generated(voters: int = 20_000, projects: int = 100, seed: int = 2024) -> tuple[list[Project], int, list[set[str]]]:
    rng = random.Random(seed)
    items = [Project(f"p{k}", rng.randrange(5_000, 400_000, 100)) for k in range(projects)]
    # skewed popularity, as in real votes: a few projects draw most approvals
    weights = [1 / (k + 1) ** 0.8 for k in range(projects)]
    ids = [p.id for p in items]
    ballots = []
    for _ in range(voters):
        size = rng.randint(1, 8)
        ballots.append(set(rng.choices(ids, weights=weights, k=size)))
    budget = sum(p.cost for p in items) // 4
    return items, budget, ballots


def measure(name: str, run: Callable[[], PBResult]) -> None:
    times = []
    result = None
    for _ in range(3):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    tracemalloc.start()
    run()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert result is not None
    print(
        f"{name}: best of 3 {min(times):.3f} s (runs {', '.join(f'{t:.3f}' for t in times)}), "
        f"peak memory {peak / 1e6:.1f} MB, {len(result.selected)} projects funded, "
        f"{result.total_cost:,} of {result.budget:,} spent, share per voter {float(result.share_per_voter or 0):.2f}"
    )


def main() -> None:
    if WIELICZKA.exists():
        data = read_pb(WIELICZKA)
        projects = [Project(p.project_id, p.cost, p.name) for p in data.projects]
        ballots = [vote.vote for vote in data.votes]
        measure("Wieliczka 2023 (6,586 x 64)", lambda: equal_shares(projects, data.budget, ballots))
    else:
        print(f"skipped Wieliczka: {WIELICZKA} is missing")
    items, budget, generated_ballots = generated()
    measure("generated (20,000 x 100, seed 2024)", lambda: equal_shares(items, budget, generated_ballots))


if __name__ == "__main__":
    main()
