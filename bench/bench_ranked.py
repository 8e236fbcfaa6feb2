"""Time instant-runoff and Schulze on 100,000 ballots x 10 candidates (targets: under 1 s each; the worst-case
Schulze, ~98,600 distinct complete rankings, 0.5 s or less).

Usage: .venv/bin/python bench/bench_ranked.py [ballots] [candidates]

Ballots are seeded and roughly realistic: candidates differ in popularity (Plackett-Luce draws), most voters rank
only a few of them, and about 1 in 100 ballots has an overvote (two names at one rank). A second, worst-case run
gives every ballot a random complete ranking, so almost no two ballots are alike.
"""

import random
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

from youthcouncil.voting.ranked import instant_runoff, schulze  # noqa: E402

Ballots = list[tuple[tuple[frozenset[int], ...], int]]


def make_ballots(count: int, candidates: int, seed: int = 2026) -> Ballots:
    rng = random.Random(seed)
    popularity = [rng.paretovariate(1.5) for _ in range(candidates)]
    lengths = list(range(1, candidates + 1))
    length_weights = [1 / length for length in lengths]  # short ballots are the most common
    ballots = []
    for _ in range(count):
        length = rng.choices(lengths, length_weights)[0]
        pool = list(range(candidates))
        weights = popularity[:]
        order = []
        for _ in range(length):
            picked = rng.choices(range(len(pool)), weights)[0]
            order.append(pool.pop(picked))
            weights.pop(picked)
        ranks = [frozenset([c]) for c in order]
        if len(ranks) >= 2 and rng.random() < 0.01:
            at = rng.randrange(len(ranks) - 1)
            ranks[at : at + 2] = [ranks[at] | ranks[at + 1]]
        ballots.append((tuple(ranks), 1))
    return ballots


def make_distinct_full_rankings(count: int, candidates: int, seed: int = 2026) -> Ballots:
    """The worst case for aggregation: (almost) every ballot a different complete ranking."""
    rng = random.Random(seed)
    ballots = []
    for _ in range(count):
        order = list(range(candidates))
        rng.shuffle(order)
        ballots.append((tuple(frozenset([c]) for c in order), 1))
    return ballots


def best_of(runs: int, function, *args) -> tuple[float, float]:
    """Best wall-clock and best CPU time (the machine may be shared: CPU time is the steadier figure)."""
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        function(*args)
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return min(wall), min(cpu)


def peak_memory(function, *args) -> int:
    tracemalloc.start()
    function(*args)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    candidates = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    names = list(range(candidates))
    print(f"Python {sys.version.split()[0]}")
    for label, ballots in (
        ("realistic", make_ballots(count, candidates)),
        ("worst case", make_distinct_full_rankings(count, candidates)),
    ):
        distinct = len({ranking for ranking, _ in ballots})
        print(f"{label}: {count:,} ballots ({distinct:,} distinct) x {candidates} candidates")
        for method_label, method in (("instant-runoff", instant_runoff), ("Schulze", schulze)):
            seconds, cpu = best_of(3, method, ballots, names)
            peak = peak_memory(method, ballots, names)
            target = 0.5 if (label, method_label) == ("worst case", "Schulze") else 1.0
            verdict = "ok" if cpu <= target else "OVER"
            print(
                f"  {method_label:15} best of 3: {seconds:6.3f} s ({cpu:6.3f} s CPU; target {target} s: {verdict})"
                f"   peak extra memory: {peak / 2**20:6.1f} MiB"
            )
        irv = instant_runoff(ballots, names)
        winner = schulze(ballots, names).winner
        print(f"  instant-runoff: {len(irv.rounds)} rounds, winner {irv.winner}; Schulze winner {winner}")


if __name__ == "__main__":
    main()
