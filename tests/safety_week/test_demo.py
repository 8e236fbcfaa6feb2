from youthcouncil.safety_week import results, services
from youthcouncil.safety_week.models import Phase


def test_demo_has_a_voting_round_and_last_years_result(app, db):
    from youthcouncil.demo import seed_core
    from youthcouncil.safety_week.demo import seed

    demo = seed_core()
    seed(demo)
    db.session.commit()
    rounds = services.rounds_newest_first()
    assert [r.phase() for r in rounds] == [Phase.voting, Phase.closed]
    assert services.voter_count(rounds[0]) == 8
    result = results.compute_result(rounds[1])
    assert result.winner is not None and len(result.rounds) >= 2
