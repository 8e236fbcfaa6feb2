from tests.budget.builders import decided_year, make_event, make_year
from youthcouncil.budget.ledger import request_grant
from youthcouncil.budget.models import Phase


def url_values(world) -> dict[str, dict]:
    proposing = make_year(Phase.proposing, name="Åpen")
    pending = make_event(proposing, 5_000, title="Venter", proposer=world.users["member"])
    voting = make_year(Phase.voting, name="Stemming")
    make_event(voting, 5_000)
    decided, events = decided_year(world)
    grant = events[0].grant
    request = request_grant(
        decided, proposer=world.users["member"], title="Ekstra", description="Mer", amount=1_000, month=6
    )
    return {
        "budget.year_edit": {"year_id": proposing.id},
        "budget.year_detail": {"year_id": decided.id},
        "budget.event_propose": {"year_id": proposing.id},
        "budget.event_detail": {"event_id": pending.id},
        "budget.event_check": {"event_id": pending.id},
        "budget.vote": {"year_id": voting.id},
        "budget.vote_save": {"year_id": voting.id},
        "budget.vote_submit": {"year_id": voting.id},
        "budget.year_phase": {"year_id": voting.id},
        "budget.year_result": {"year_id": decided.id},
        "budget.year_confirm": {"year_id": decided.id},
        "budget.ledger": {"year_id": decided.id},
        "budget.spending_record": {"grant_id": grant.id},
        "budget.request_new": {"year_id": decided.id},
        "budget.request_to_vote": {"request_id": request.id},
        "budget.spending_csv": {"year_id": decided.id},
        "budget.spending_spreadsheet": {"year_id": decided.id},
        "budget.year_export_pb": {"year_id": decided.id},
    }
