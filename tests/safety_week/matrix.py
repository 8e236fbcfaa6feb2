"""URL values for every safety-week endpoint with URL parameters (the access matrix walks every role over them)."""

from tests.safety_week import builders


def url_values(world) -> dict[str, dict]:
    # A round in the voting phase (its proposals kept); the proposal belongs to world's "member".
    round_, themes = builders.voting_round(world)
    proposal = themes[0]
    closed, _themes = builders.closed_round(world)
    return {
        "safety_week.round_detail": {"round_id": round_.id},
        "safety_week.round_edit": {"round_id": round_.id},
        "safety_week.round_phase": {"round_id": round_.id},
        "safety_week.propose": {"round_id": round_.id},
        "safety_week.vote": {"round_id": round_.id},
        "safety_week.round_result": {"round_id": closed.id},
        "safety_week.round_export": {"round_id": closed.id},
        "safety_week.proposal_detail": {"proposal_id": proposal.id},
        "safety_week.proposal_edit": {"proposal_id": proposal.id},
        "safety_week.proposal_withdraw": {"proposal_id": proposal.id},
        "safety_week.proposal_review": {"proposal_id": proposal.id},
    }
