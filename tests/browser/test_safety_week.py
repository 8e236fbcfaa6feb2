"""The theme round on a phone: propose, review, rank by tapping, change a vote, close, see the rounds."""

from __future__ import annotations

import os
import re

import pytest
import sqlalchemy as sa

from tests.safety_week import builders
from youthcouncil.safety_week import services
from youthcouncil.safety_week.models import Proposal, ThemeRound

pytestmark = pytest.mark.browser


def _to_round(page, tap, round_id: int) -> None:
    """The menu's Safety week, then the round."""
    tap(page, page.locator("nav.main-nav").get_by_role("link", name="Trygghetsuka"))
    tap(page, page.locator(f"main a[href='/safety-week/rounds/{round_id}']").first)


def test_theme_round_on_a_phone(page, login, logout, tap, confirm, axe_check, assert_styled, app, db, world):
    round_ = builders.make_round(world)
    db.session.commit()
    members = world.members
    round_id = round_.id

    # Two members propose, from the home page.
    for member, title in ((members[0], "Trygg på nett"), (members[1], "Trygg i trafikken")):
        login(page, member.username)
        tap(page, page.locator(f"main a[href='/safety-week/rounds/{round_id}/propose']"))
        assert_styled(page)
        axe_check(page)
        page.fill("input[name=title]", title)
        tap(page, page.locator("form button.button-primary"))
        page.wait_for_url("**/safety-week/proposals/*")
        logout(page)
    builders.add_proposal(round_, members[2], "Ingen mobbing")
    db.session.commit()
    proposal_ids = [p.id for p in db.session.scalars(sa.select(Proposal).where(Proposal.round_id == round_.id))]
    db.session.commit()
    assert len(proposal_ids) == 3

    # The coordinator keeps all three.
    login(page, world.coordinator.username)
    _to_round(page, tap, round_id)
    axe_check(page)
    for proposal_id in proposal_ids:
        tap(page, page.locator(f"a[href='/safety-week/proposals/{proposal_id}/review']"))
        page.check("input[name=decision][value=keep]")
        axe_check(page)
        tap(page, page.locator("form button.button-primary"))
        page.wait_for_url(f"**/safety-week/rounds/{round_id}")
    logout(page)
    builders.move_to(round_, "voting")
    db.session.commit()

    # Three members rank by tapping; the first one changes the vote afterwards.
    orders = (["Ingen mobbing", "Trygg på nett"], ["Trygg på nett"], ["Trygg i trafikken", "Ingen mobbing"])
    for member, order in zip(members[:3], orders, strict=True):
        login(page, member.username)
        tap(page, page.locator(f"main a[href='/safety-week/rounds/{round_id}/vote']"))
        axe_check(page)
        for title in order:
            page.locator("button.sw-tap", has_text=title).click()
        tap(page, page.locator("button.sw-submit"), full_load=True)
        page.wait_for_selector("#receipt")
        # The time is on the answer only (the ballot itself is stored without one), in the receipt, which has the
        # focus; changing the vote is folded away below it.
        assert "registrert kl." in page.inner_text("#receipt") and "registrert" not in page.inner_text("#flash")
        assert page.evaluate("document.activeElement.id") == "receipt"
        assert not page.locator("button.sw-submit").is_visible()
        logout(page)
    login(page, members[0].username)
    tap(page, page.locator(f"main a[href='/safety-week/rounds/{round_id}/vote']"))
    assert "Du har stemt." in page.inner_text("#receipt")
    page.locator(".change-vote summary").click()
    page.click("button[data-sw=undo]")
    page.locator("button.sw-tap", has_text="Trygg i trafikken").click()
    tap(page, page.locator("button.sw-submit"), full_load=True)
    page.wait_for_selector("#receipt")
    logout(page)

    # The coordinator closes voting; the rounds are shown to everyone.
    login(page, world.coordinator.username)
    _to_round(page, tap, round_id)
    tap(page, page.locator("button[value=close_voting]"))
    confirm(page, "3 av 4 medlemmer har stemt")
    page.wait_for_url(f"**/safety-week/rounds/{round_id}/result")
    logout(page)
    tap(page, page.locator("nav.main-nav").get_by_role("link", name="Temaresultater"))
    tap(page, page.locator(f"main a[href='/safety-week/rounds/{round_id}/result']"))
    assert page.locator(".sw-round").count() >= 1
    assert "Temaet for trygghetsuka er" in page.inner_text("main")
    axe_check(page)


def _shot(page, name: str) -> None:
    """With SW_SHOTS=<dir>, keep a full-page phone screenshot to look at (the test does not need it)."""
    folder = os.environ.get("SW_SHOTS")
    if folder:
        page.screenshot(path=f"{folder}/{name}.png", full_page=True)


def _tab_to(page, selector: str, limit: int = 60) -> None:
    """Press Tab until the element matching ``selector`` has the focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_ballot_reached_by_a_link_taps_with_the_keyboard_and_undoes(
    page, login, logout, tap, back, confirm, axe_check, assert_styled, assert_words_whole, app, db, world
):
    round_, themes = builders.voting_round(
        world, titles=("Trygg på nett", "Trygg i trafikken og på bussen hjem fra skolen om kvelden", "Ingen mobbing")
    )
    round_id, ids = round_.id, [t.id for t in themes]
    member, member_id = world.members[0].username, world.members[0].id
    db.session.commit()

    login(page, member)
    _shot(page, "sw-01-home")
    # Arrive by clicking the home page's link: hx-boost swaps only the body, so the ballot's script and CSS must
    # come with the body, or the member gets the plain number fields (and the result page wrong bar widths).
    tap(page, page.locator(f"main a[href='/safety-week/rounds/{round_id}/vote']"))
    page.wait_for_url(f"**/safety-week/rounds/{round_id}/vote")
    taps = page.locator("button.sw-tap")
    taps.first.wait_for(state="visible")
    assert_styled(page)
    assert not page.locator(".sw-rank-select").first.is_visible()
    assert page.locator("button[data-sw=undo]").is_visible()
    _shot(page, "sw-02-vote-before")
    axe_check(page)
    page.set_viewport_size({"width": 320, "height": 700})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert_words_whole(page)
    page.set_viewport_size({"width": 360, "height": 740})

    # Keyboard only: Tab to the themes, Enter picks the 1st, Space the 2nd, Enter again the 3rd, Undo takes it back.
    _tab_to(page, f"button.sw-tap[data-theme='{ids[2]}']")
    page.keyboard.press("Enter")
    _tab_to(page, f"button.sw-tap[data-theme='{ids[0]}']")
    page.keyboard.press("Space")
    _tab_to(page, f"button.sw-tap[data-theme='{ids[1]}']")
    page.keyboard.press("Enter")
    assert page.locator(f"button.sw-tap[data-theme='{ids[1]}']").get_attribute("aria-pressed") == "true"
    _tab_to(page, "button[data-sw=undo]")
    page.keyboard.press("Enter")
    assert page.locator(f"button.sw-tap[data-theme='{ids[1]}']").get_attribute("aria-pressed") == "false"
    assert page.locator(f"button.sw-tap[data-theme='{ids[2]}'] .sw-place").inner_text().startswith("1")
    assert page.locator(f"button.sw-tap[data-theme='{ids[0]}'] .sw-place").inner_text().startswith("2")
    assert "Ingen mobbing" in page.inner_text(".sw-live")
    _shot(page, "sw-03-vote-tapped")
    axe_check(page)
    _tab_to(page, "button.sw-submit")
    page.keyboard.press("Enter")  # the ballot is a plain form post (hx-boost="false")
    page.wait_for_selector("#receipt")
    assert re.search(r"registrert kl\. \d\d:\d\d", page.inner_text("#receipt"))  # the time: on the answer only
    _shot(page, "sw-04-receipt")
    axe_check(page)
    assert _own_ranking(db, round_id, member_id) == [[ids[2]], [ids[0]]]
    # The page remembers the vote after a reload, and after a boosted link away and the back button (htmx
    # restores the page by swapping the body again, so the script must set the ballot up once more).
    page.reload()
    assert "Du har stemt." in page.inner_text("#receipt")
    page.locator(".change-vote summary").click()  # changing the vote: a secondary action
    assert page.locator(f"button.sw-tap[data-theme='{ids[2]}']").get_attribute("aria-pressed") == "true"
    tap(page, page.locator(f"main a[href='/safety-week/rounds/{round_id}']"))
    page.wait_for_url(f"**/safety-week/rounds/{round_id}")
    back(page)
    page.wait_for_url(f"**/safety-week/rounds/{round_id}/vote")
    page.locator(".change-vote summary").click()
    page.locator("button.sw-tap").first.wait_for(state="visible")
    assert page.locator(f"button.sw-tap[data-theme='{ids[2]}']").get_attribute("aria-pressed") == "true"
    assert not page.locator(".sw-rank-select").first.is_visible()
    logout(page)

    # The rest vote; the coordinator sees the round page and closes voting.
    round_ = db.session.get(ThemeRound, round_id)
    themes = [db.session.get(Proposal, i) for i in ids]
    for voter, order in ((world.members[1], [1, 2]), (world.members[2], [0]), (world.members[3], [1, 0])):
        builders.vote(round_, voter, *[themes[i] for i in order])
    db.session.commit()
    login(page, world.coordinator.username)
    _to_round(page, tap, round_id)
    _shot(page, "sw-05-round-coordinator")
    assert "4 av 4" in page.inner_text(".sw-coordinator")
    tap(page, page.locator("button[value=close_voting]"))
    axe_check(page)
    confirm(page, "4 av 4 medlemmer har stemt", "Ingen kan stemme etter dette.")
    page.wait_for_url(f"**/safety-week/rounds/{round_id}/result")

    # Reach the result by a boosted link too: the bars must have their widths (from the one stylesheet).
    tap(page, page.locator("nav.main-nav").get_by_role("link", name="Trygghetsuka"))
    tap(page, page.locator(f"main a[href='/safety-week/rounds/{round_id}/result']"))
    page.wait_for_url(f"**/safety-week/rounds/{round_id}/result")
    page.locator(".sw-round").first.wait_for()
    first_round = page.locator(".sw-round").first
    widths = first_round.locator(".bar-fill").evaluate_all(
        "fills => fills.map(f => f.getBoundingClientRect().width / f.parentElement.getBoundingClientRect().width)"
    )
    counts = [int(re.match(r"\d+", text).group(0)) for text in first_round.locator(".sw-bar-count").all_inner_texts()]
    assert len(widths) == 3 and sum(counts) == 4
    for width, votes in zip(widths, counts, strict=True):
        assert abs(width - votes / 4) < 0.03, (widths, counts)
    text = page.inner_text("main")
    assert "Temaet for trygghetsuka er" in text and "Runde 2" in text and "4 av 4" in text
    assert "«" in text and "“" not in text  # Norwegian quotation marks around the themes
    _shot(page, "sw-06-result")
    axe_check(page)
    # At 320 px nothing sticks out sideways (long theme names wrap, counts stay whole).
    page.set_viewport_size({"width": 320, "height": 700})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    tap(page, page.locator("nav.main-nav").get_by_role("link", name="Trygghetsuka"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 320


def _own_ranking(db, round_id: int, user_id: int):
    """The member's sealed ballot, read through their link as their own vote page does (the ballot is sealed)."""
    from youthcouncil.accounts.models import User

    ranking = services.own_current_ranking(db.session.get(ThemeRound, round_id), db.session.get(User, user_id))
    db.session.commit()
    return ranking


def test_ballot_works_without_javascript(_browser, live_server, login, app, db, world):
    round_, themes = builders.voting_round(world)
    round_id, ids = round_.id, [t.id for t in themes]
    member = world.members[1].username
    db.session.commit()
    context = _browser.new_context(
        viewport={"width": 360, "height": 740},
        is_mobile=True,
        has_touch=True,
        base_url=live_server.url,
        locale="nb-NO",
        timezone_id="Europe/Oslo",
        java_script_enabled=False,
    )
    try:
        page = context.new_page()
        login(page, member)
        page.click(f"main a[href='/safety-week/rounds/{round_id}/vote']")  # without JavaScript: a full page load
        page.wait_for_url(f"**/safety-week/rounds/{round_id}/vote")
        # The number fields are the ballot; the tap buttons and Undo (which need the script) stay hidden.
        assert page.locator(f"input#rank-{ids[0]}").is_visible()
        assert not page.locator("button.sw-tap").first.is_visible()
        assert not page.locator("button[data-sw=undo]").is_visible()
        page.fill(f"input#rank-{ids[1]}", "1")
        page.fill(f"input#rank-{ids[2]}", "2")
        _shot(page, "sw-07-nojs-vote")
        page.click("button.sw-submit")
        page.wait_for_selector("#receipt")
        # The time is on the answer only (the ballot itself is stored without one), in the receipt.
        assert "registrert kl." in page.inner_text("#receipt")
        # Changing the vote opens without JavaScript too; the themes stand in the chosen order.
        page.click(".change-vote summary")
        assert page.locator(f"input#rank-{ids[1]}").input_value() == "1"
        order = page.locator("input.sw-rank-select").evaluate_all("els => els.map(el => el.id)")
        assert order == [f"rank-{ids[1]}", f"rank-{ids[2]}", f"rank-{ids[0]}"]
        # Two themes at one place: refused next to the ballot, nothing stored beyond the first vote.
        page.fill(f"input#rank-{ids[0]}", "1")
        page.click("button.sw-submit")
        assert "samme plass" in page.inner_text("#ballot-error")
        _shot(page, "sw-08-nojs-error")
    finally:
        context.close()
    assert _own_ranking(db, round_id, world.members[1].id) == [[ids[1]], [ids[2]]]


@pytest.mark.parametrize("method", ["irv", "approval"])
def test_switching_the_language_mid_ballot_keeps_the_unsent_taps(page, login, tap, app, db, world, method):
    """The language switch loads the page again (a full POST): the themes tapped but not sent are still chosen,
    in the same order, and sending them votes for them. They come back once, to the same person only."""
    from youthcouncil.safety_week.models import Method

    round_, themes = builders.voting_round(world, method=Method(method))
    round_id, ids = round_.id, [t.id for t in themes]
    member_id = world.members[0].id
    db.session.commit()
    login(page, world.members[0].username)
    tap(page, page.locator(f"main a[href='/safety-week/rounds/{round_id}/vote']"))
    page.wait_for_url(f"**/safety-week/rounds/{round_id}/vote")
    if method == "irv":
        chosen = [page.locator(f"button.sw-tap[data-theme='{ids[i]}']") for i in (2, 0)]
    else:
        chosen = [page.locator(f"input[name=theme][value='{ids[i]}']") for i in (2, 0)]
    for choice in chosen:
        choice.click()
    tap(page, page.locator(".lang-switch button"), full_load=True)
    assert page.locator("html").get_attribute("lang") == "en"
    page.wait_for_url(f"**/safety-week/rounds/{round_id}/vote")
    if method == "irv":
        assert page.locator(f"button.sw-tap[data-theme='{ids[2]}'] .sw-place").inner_text().startswith("1")
        assert page.locator(f"button.sw-tap[data-theme='{ids[0]}'] .sw-place").inner_text().startswith("2")
        assert page.locator(f"button.sw-tap[data-theme='{ids[1]}']").get_attribute("aria-pressed") == "false"
    else:
        assert [c.is_checked() for c in chosen] == [True, True]
        assert not page.locator(f"input[name=theme][value='{ids[1]}']").is_checked()
    # Once: a reload shows the page as the server sends it (nothing chosen yet).
    page.reload()
    if method == "irv":
        assert page.locator("button.sw-tap[aria-pressed='true']").count() == 0
    else:
        assert page.locator("input[name=theme]:checked").count() == 0
    for choice in chosen:
        choice.click()
    tap(page, page.locator(".lang-switch button"), full_load=True)
    page.locator("button.sw-submit").click()
    page.wait_for_selector("#receipt")
    expected = [[ids[2]], [ids[0]]] if method == "irv" else [[ids[0], ids[2]]]
    ranking = _own_ranking(db, round_id, member_id)
    assert [sorted(group) for group in ranking] == [sorted(group) for group in expected]
