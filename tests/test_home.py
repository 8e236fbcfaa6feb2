"""The home page shows each role what needs them, and no empty boxes."""

import re

from tests.budget import builders as budget_builders
from tests.safety_week import builders as sw_builders
from youthcouncil.budget.models import Phase


def _cards(html: str) -> list[str]:
    return re.findall(r'<section class="card[^"]*">(.*?)</section>', html, flags=re.S)


def test_no_role_sees_a_panel_with_only_a_heading(client, db, world, login_as):
    sw_builders.voting_round(world)
    budget_builders.make_year(Phase.voting)
    db.session.commit()
    for role in ("member", "chair", "school_rep", "clerk", "coordinator"):
        login_as(role)
        for card in _cards(client.get("/home").get_data(as_text=True)):
            text = re.sub(r"<h2>.*?</h2>", "", card, flags=re.S)
            assert re.sub(r"<[^>]+>|\s", "", text), f"{role} sees an empty panel: {card[:120]}"


def test_coordinator_sees_how_many_have_voted(client, db, world, login_as):
    sw_builders.voting_round(world)
    db.session.commit()
    login_as("coordinator")
    assert "medlemmer har stemt" in client.get("/home").get_data(as_text=True)


def test_clerks_and_school_reps_are_not_shown_the_theme_round(client, db, world, login_as):
    sw_builders.voting_round(world)
    db.session.commit()
    for role in ("clerk", "school_rep"):
        login_as(role)
        html = client.get("/home").get_data(as_text=True)
        assert "Trygghetsuka:" not in html, role
