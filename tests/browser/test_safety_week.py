"""The theme round on a phone: propose, review, rank by tapping, change a vote, close, see the rounds."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.safety_week import builders
from youthcouncil.safety_week.models import Proposal

pytestmark = pytest.mark.browser


def test_theme_round_on_a_phone(page, login, logout, axe_check, app, db, world):
    round_ = builders.make_round(world)
    db.session.commit()
    members = world.members

    # Two members propose.
    for member, title in ((members[0], "Trygg på nett"), (members[1], "Trygg i trafikken")):
        login(page, member.username)
        page.goto(f"/safety-week/rounds/{round_.id}/propose")
        axe_check(page)
        page.fill("input[name=title]", title)
        page.click("form button.button-primary")
        page.wait_for_url("**/safety-week/proposals/*")
        logout(page)
    builders.add_proposal(round_, members[2], "Ingen mobbing")
    db.session.commit()
    proposal_ids = [p.id for p in db.session.scalars(sa.select(Proposal).where(Proposal.round_id == round_.id))]
    db.session.commit()
    assert len(proposal_ids) == 3

    # The coordinator keeps all three.
    login(page, world.coordinator.username)
    page.goto(f"/safety-week/rounds/{round_.id}")
    axe_check(page)
    for proposal_id in proposal_ids:
        page.goto(f"/safety-week/rounds/{round_.id}")
        page.locator(f"a[href='/safety-week/proposals/{proposal_id}/review']").click()
        page.check("input[name=decision][value=keep]")
        axe_check(page)
        page.click("form button.button-primary")
        page.wait_for_url(f"**/safety-week/rounds/{round_.id}")
    logout(page)
    builders.move_to(round_, "voting")
    db.session.commit()

    # Three members rank by tapping; the first one changes the vote afterwards.
    orders = (["Ingen mobbing", "Trygg på nett"], ["Trygg på nett"], ["Trygg i trafikken", "Ingen mobbing"])
    for member, order in zip(members[:3], orders, strict=True):
        login(page, member.username)
        page.goto(f"/safety-week/rounds/{round_.id}/vote")
        axe_check(page)
        for title in order:
            page.locator("button.sw-tap", has_text=title).click()
        page.click("button.sw-submit")
        page.wait_for_selector("#receipt")
        assert "registrert" in page.inner_text("#receipt")
        logout(page)
    login(page, members[0].username)
    page.goto(f"/safety-week/rounds/{round_.id}/vote")
    page.click("button[data-sw=undo]")
    page.locator("button.sw-tap", has_text="Trygg i trafikken").click()
    page.click("button.sw-submit")
    page.wait_for_selector("#receipt")
    logout(page)

    # The coordinator closes voting; the rounds are shown to everyone.
    login(page, world.coordinator.username)
    page.goto(f"/safety-week/rounds/{round_.id}")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("button[value=close_voting]").click()
    page.wait_for_url(f"**/safety-week/rounds/{round_.id}/result")
    logout(page)
    page.goto(f"/safety-week/rounds/{round_.id}/result")
    assert page.locator(".sw-round").count() >= 1
    assert "Temaet for trygghetsuka er" in page.inner_text("main")
    axe_check(page)
