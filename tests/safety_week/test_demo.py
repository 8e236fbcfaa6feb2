from youthcouncil.safety_week import results, services
from youthcouncil.safety_week.models import Phase


def test_demo_has_a_voting_round_last_years_result_and_next_years_open_for_proposals(app, db):
    from youthcouncil.demo import seed_core
    from youthcouncil.safety_week.demo import seed

    demo = seed_core()
    seed(demo)
    db.session.commit()
    rounds = services.rounds_newest_first()
    assert [r.phase() for r in rounds] == [Phase.proposing, Phase.voting, Phase.closed]
    assert len(services.visible_proposals(rounds[0])) == 1
    assert services.voting_round_now() == rounds[1]  # what a member's home page shows first
    assert services.voter_count(rounds[1]) == 8
    result = results.compute_result(rounds[2])
    assert result.winner is not None and len(result.rounds) >= 2
