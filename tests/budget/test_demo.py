def test_demo_seeds(app, db):
    import sqlalchemy as sa

    from youthcouncil.budget.models import BudgetYear, Phase
    from youthcouncil.demo import seed_demo

    seed_demo()
    db.session.commit()
    years = db.session.scalars(sa.select(BudgetYear).order_by(BudgetYear.id)).all()
    assert [y.phase() for y in years] == [Phase.decided, Phase.voting]
    assert years[0].spent_total > 0
