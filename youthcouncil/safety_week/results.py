"""The result of a counted round, explained: the rounds of instant-runoff or the approval ticks, the lot, the
head-to-head check."""

from __future__ import annotations

from dataclasses import dataclass, field

from youthcouncil.safety_week.models import Method, Proposal, ThemeRound
from youthcouncil.safety_week.services import candidates, counted_ballots
from youthcouncil.voting import ranked


@dataclass
class Bar:
    theme: Proposal
    votes: int
    percent: int  # of the round's continuing ballots, for the bar's width
    winner: bool = False
    eliminated: bool = False


@dataclass
class RoundView:
    number: int
    bars: list[Bar]
    exhausted: int
    continuing: int
    eliminated: Proposal | None
    winner: Proposal | None
    reason: str
    tied: list[Proposal] = field(default_factory=list)


@dataclass
class Result:
    method: Method
    winner: Proposal | None
    reason: str
    ballots: int
    eligible: int | None
    rounds: list[RoundView]
    approval_bars: list[Bar]
    beats_everyone: bool | None
    loses_to: list[Proposal]
    ties_with: list[Proposal]
    condorcet: Proposal | None
    seed: str | None
    lot_used: bool
    #: Approval: every theme with the most ticks (more than one when a lot picked the winner).
    top_tied: list[Proposal] = field(default_factory=list)


def _percent(votes: int, total: int) -> int:
    return round(100 * votes / total) if total else 0


def compute_result(round_: ThemeRound) -> Result:
    """Count the round with the shared engine (same ballots and seed, same result, every time)."""
    themes = candidates(round_)
    by_id = {p.id: p for p in themes}
    order = [p.id for p in themes]
    ballots = counted_ballots(round_)
    total = sum(weight for _ranking, weight in ballots)
    seed = round_.lot_seed or ranked.DEFAULT_SEED
    eligible = None if round_.imported else round_.eligible_count
    rounds: list[RoundView] = []
    approval_bars: list[Bar] = []
    top_tied: list[Proposal] = []
    lot_used = False
    if round_.method == Method.approval:
        outcome = ranked.approval(ballots, order, seed=seed)
        winner_id, reason = outcome.winner, outcome.reason
        lot_used = outcome.lot_seed is not None
        top_tied = [by_id[c] for c in outcome.tied_winners] if lot_used else []
        approval_bars = [
            Bar(by_id[c], outcome.counts[c], _percent(outcome.counts[c], total), winner=c == winner_id)
            for c in outcome.ranking or order
        ]
    else:
        outcome = ranked.instant_runoff(ballots, order, seed=seed)
        winner_id, reason = outcome.winner, outcome.reason
        for irv_round in outcome.rounds:
            lot_used = lot_used or irv_round.lot_seed is not None
            bars = [
                Bar(
                    by_id[c],
                    votes,
                    _percent(votes, irv_round.continuing_total),
                    winner=c == irv_round.winner,
                    eliminated=c == irv_round.eliminated,
                )
                for c, votes in sorted(irv_round.counts.items(), key=lambda item: (-item[1], order.index(item[0])))
            ]
            rounds.append(
                RoundView(
                    number=irv_round.number,
                    bars=bars,
                    exhausted=irv_round.exhausted,
                    continuing=irv_round.continuing_total,
                    eliminated=by_id.get(irv_round.eliminated),
                    winner=by_id.get(irv_round.winner),
                    reason=irv_round.reason,
                    tied=[by_id[c] for c in irv_round.tied],
                )
            )
    beats_everyone, loses_to, ties_with, condorcet = None, [], [], None
    if winner_id is not None and len(order) > 1 and round_.method == Method.irv:
        check = ranked.head_to_head(ballots, order, winner_id)
        beats_everyone = check.beats_everyone
        loses_to = [by_id[c] for c in check.loses_to]
        ties_with = [by_id[c] for c in check.ties_with]
        found = ranked.condorcet_winner(ballots, order)
        condorcet = by_id.get(found) if found is not None else None
    return Result(
        method=round_.method,
        winner=by_id.get(winner_id),
        reason=reason,
        ballots=total,
        eligible=eligible,
        rounds=rounds,
        approval_bars=approval_bars,
        beats_everyone=beats_everyone,
        loses_to=loses_to,
        ties_with=ties_with,
        condorcet=condorcet,
        seed=round_.lot_seed,
        lot_used=lot_used,
        top_tied=top_tied,
    )
