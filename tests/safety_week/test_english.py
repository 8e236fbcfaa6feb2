"""With yc_lang=en the safety-week pages hold no Norwegian text: every string goes through the catalogue."""

from __future__ import annotations

import re

import pytest

from tests.conftest import log_in
from tests.language import norwegian_in
from tests.safety_week import builders
from youthcouncil.safety_week.models import Method, ProposalStatus

TITLES = ("Safe online", "Safe in traffic", "No bullying")


@pytest.mark.parametrize("method", [Method.irv, Method.approval])
def test_every_page_is_english_with_the_english_cookie(app, db, world, client, method):
    # A closed round with a tie settled by the lot, plus a round in voting, plus one in proposing.
    closed, themes = builders.voting_round(world, method=method, titles=TITLES)
    for member, order in zip(world.members, ([0, 1], [1, 0], [2], [0]), strict=True):
        builders.vote(closed, member, *[themes[i] for i in order])
    builders.move_to(closed, "counting")
    from youthcouncil.safety_week import services

    with app.test_request_context():
        services.count_round(closed)
    voting, voting_themes = builders.voting_round(world, method=method, titles=TITLES)
    proposing = builders.make_round(world)
    declined = builders.add_proposal(proposing, world.users["member"], "Candy", status=ProposalStatus.declined)
    declined.decline_reason = "Thank you! It fits better another time."
    for number, round_ in enumerate((closed, voting, proposing)):
        round_.title = f"Safety week test {number}"
    db.session.commit()
    client.set_cookie("yc_lang", "en")
    pages = {
        "anonymous": [
            f"/safety-week/rounds/{closed.id}/result",
            "/safety-week/results",
            f"/safety-week/rounds/{voting.id}/result",
        ],
        "member": [
            "/home",
            "/safety-week/",
            f"/safety-week/rounds/{voting.id}",
            f"/safety-week/rounds/{voting.id}/vote",
            f"/safety-week/rounds/{proposing.id}",
            f"/safety-week/rounds/{proposing.id}/propose",
            f"/safety-week/proposals/{declined.id}",
            f"/safety-week/rounds/{closed.id}/vote",
        ],
        "coordinator": [
            "/home",
            f"/safety-week/rounds/{voting.id}",
            "/safety-week/rounds/new",
            "/safety-week/import",
            f"/safety-week/rounds/{proposing.id}/edit",
            f"/safety-week/proposals/{declined.id}",
            f"/safety-week/rounds/{closed.id}/result",
        ],
    }
    found = {}
    for role, urls in pages.items():
        if role != "anonymous":
            log_in(client, world.users[role])
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            assert '<html lang="en">' in response.get_data(as_text=True)
            if words := norwegian_in(response.get_data(as_text=True)):
                found[f"{role} {url}"] = words
    # The member's vote receipt, too.
    log_in(client, world.users["member"])
    page = client.get(f"/safety-week/rounds/{voting.id}/vote").get_data(as_text=True)
    key = re.search(r'name="idempotency_key"[^>]*value="([^"]+)"', page).group(1)
    data = {"idempotency_key": key}
    if method == Method.approval:
        data["theme"] = str(voting_themes[0].id)
    else:
        data[f"rank-{voting_themes[0].id}"] = "1"
    receipt = client.submit(f"/safety-week/rounds/{voting.id}/vote", data, follow_redirects=True)
    assert "Your vote is registered" in receipt.get_data(as_text=True)
    if words := norwegian_in(receipt.get_data(as_text=True)):
        found["receipt"] = words
    assert not found, found
    # The same check finds the bokmål page, so it can fail.
    client.set_cookie("yc_lang", "nb")
    assert norwegian_in(client.get(f"/safety-week/rounds/{voting.id}").get_data(as_text=True))
