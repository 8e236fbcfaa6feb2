"""The pages as members, the coordinator and the public use them: real forms with CSRF, what the user sees."""

from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa

from tests import factories
from tests.conftest import count, log_in
from tests.safety_week import builders
from youthcouncil.safety_week import results, services
from youthcouncil.safety_week.models import Method, Proposal, ProposalStatus, ThemeRound
from youthcouncil.secret_ballot import SealedBallot


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def key_on(page_html: str) -> str:
    return re.search(r'name="idempotency_key"[^>]*value="([^"]+)"', page_html).group(1)


def test_coordinator_creates_a_round_with_oslo_times(app, db, world, client, login_as):
    login_as("coordinator")
    response = client.submit(
        "/safety-week/rounds/new",
        {
            "year": "2031",
            "title": "Trygghetsuka 2031",
            "method": "irv",
            "proposing_opens_at": "2031-01-05T08:00",
            "proposing_closes_at": "2031-01-20T23:59",
            "voting_opens_at": "2031-01-25T08:00",
            "voting_closes_at": "2031-02-01T15:00",
        },
        page="/safety-week/rounds/new",
    )
    assert response.status_code == 303
    round_ = db.session.scalars(sa.select(ThemeRound)).one()
    assert round_.voting_closes_at.hour == 14  # 15:00 in Oslo in winter is 14:00 UTC
    page = client.get(f"/safety-week/rounds/{round_.id}")
    assert "If there is a tie" in text_of(page) or "Hvis det blir likt" in text_of(page)


def test_round_form_errors_are_shown_next_to_the_field(app, db, world, client, login_as):
    login_as("coordinator")
    response = client.submit(
        "/safety-week/rounds/new",
        {
            "year": "2031",
            "title": "T",
            "method": "irv",
            "proposing_opens_at": "2031-01-20T08:00",
            "proposing_closes_at": "2031-01-05T23:59",
            "voting_opens_at": "2031-01-25T08:00",
            "voting_closes_at": "2031-02-01T15:00",
        },
        page="/safety-week/rounds/new",
    )
    assert response.status_code == 422
    assert 'id="proposing_closes_at-error"' in response.get_data(as_text=True)
    assert count(db, ThemeRound) == 0


def test_a_proposal_sent_twice_is_one_proposal(app, db, world, client, login_as):
    """A double tap (or a resend after no answer on a slow network) used to take two of the member's three slots."""
    round_ = builders.make_round(world)
    db.session.commit()
    login_as("member")
    url = f"/safety-week/rounds/{round_.id}/propose"
    token = client.csrf_token(url)
    form = {"title": "Trygg på nett", "why": "Fordi", "csrf_token": token}
    first, second = client.post(url, data=form), client.post(url, data={**form, "title": " trygg på  NETT"})
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert count(db, Proposal) == 1
    # Another reason is another proposal, as before.
    assert client.post(url, data={**form, "why": "Fordi nettet er stort"}).status_code == 303
    assert count(db, Proposal) == 2


def test_member_proposes_edits_and_withdraws(app, db, world, client, login_as):
    round_ = builders.make_round(world)
    db.session.commit()
    login_as("member")
    response = client.submit(f"/safety-week/rounds/{round_.id}/propose", {"title": "Trygg på nett", "why": "Fordi"})
    assert response.status_code == 303
    proposal = db.session.scalars(sa.select(Proposal)).one()
    page = client.get(f"/safety-week/rounds/{round_.id}")
    assert "Trygg på nett" in text_of(page)
    client.submit(f"/safety-week/proposals/{proposal.id}/edit", {"title": "Trygg på nettet", "why": ""})
    db.session.refresh(proposal)
    assert proposal.title == "Trygg på nettet"
    # Withdrawing asks first (server-side): the first tap changes nothing and says what will happen.
    response = client.submit(f"/safety-week/proposals/{proposal.id}/withdraw")
    assert response.status_code == 200 and 'name="confirm"' in response.get_data(as_text=True)
    assert "Trekke temaet ditt «Trygg på nettet»?" in text_of(response)
    db.session.refresh(proposal)
    assert proposal.status != ProposalStatus.withdrawn
    client.submit(f"/safety-week/proposals/{proposal.id}/withdraw", {"confirm": "y"})
    db.session.refresh(proposal)
    assert proposal.status == ProposalStatus.withdrawn


def test_too_long_title_is_refused_with_the_value_kept(app, db, world, client, login_as):
    round_ = builders.make_round(world)
    db.session.commit()
    login_as("member")
    response = client.submit(f"/safety-week/rounds/{round_.id}/propose", {"title": "x" * 81, "why": "keep me"})
    assert response.status_code == 422
    assert "keep me" in response.get_data(as_text=True)
    assert count(db, Proposal) == 0


def test_a_late_proposal_is_refused_kindly(app, db, world, client, login_as):
    round_ = builders.make_round(world)
    db.session.commit()
    login_as("member")
    token = client.csrf_token(f"/safety-week/rounds/{round_.id}/propose")
    builders.move_to(round_, "review")
    db.session.commit()
    response = client.post(
        f"/safety-week/rounds/{round_.id}/propose", data={"title": "Late", "why": "", "csrf_token": token}
    )
    assert response.status_code == 422
    assert "Thank you for trying" in text_of(response) or "takk" in text_of(response).lower()
    assert count(db, Proposal) == 0


def test_another_member_cannot_change_my_proposal(app, db, world, client, login_as):
    round_ = builders.make_round(world)
    proposal = builders.add_proposal(round_, world.users["member"], "Mitt tema")
    db.session.commit()
    login_as("chair")
    client.submit(f"/safety-week/proposals/{proposal.id}/edit", {"title": "Hijack", "why": ""})
    client.submit(f"/safety-week/proposals/{proposal.id}/withdraw", {"confirm": "y"})
    db.session.refresh(proposal)
    assert proposal.title == "Mitt tema" and proposal.status == ProposalStatus.proposed


def test_decline_reason_is_for_the_proposer_only(app, db, world, client, login_as):
    round_ = builders.make_round(world)
    proposal = builders.add_proposal(round_, world.users["member"], "Tema")
    db.session.commit()
    login_as("coordinator")
    response = client.submit(
        f"/safety-week/proposals/{proposal.id}/review",
        {"decision": "decline", "reason": "Takk! Vi hadde dette i fjor.", "merge_into": "0"},
    )
    assert response.status_code == 303
    login_as("member")
    assert "Vi hadde dette i fjor" in text_of(client.get(f"/safety-week/proposals/{proposal.id}"))
    assert "Vi hadde dette i fjor" in text_of(client.get("/home")) or "Tema" in text_of(client.get("/home"))
    login_as("chair")
    assert "Vi hadde dette i fjor" not in text_of(client.get(f"/safety-week/proposals/{proposal.id}"))


def test_coordinator_merges_two_duplicates(app, db, world, client, login_as):
    round_ = builders.make_round(world)
    a = builders.add_proposal(round_, world.users["member"], "Nettvett")
    b = builders.add_proposal(round_, world.users["chair"], "Trygg på nett")
    db.session.commit()
    login_as("coordinator")
    response = client.submit(
        f"/safety-week/proposals/{a.id}/review",
        {"decision": "merge", "merge_into": str(b.id), "merged_title": "Trygg og snill på nett"},
    )
    assert response.status_code == 303
    db.session.refresh(a)
    db.session.refresh(b)
    assert a.status == ProposalStatus.merged and b.status == ProposalStatus.kept
    login_as("member")
    assert "Trygg og snill på nett" in text_of(client.get(f"/safety-week/proposals/{a.id}"))


def _vote_form(client, round_id: int) -> tuple[str, str]:
    page = client.get(f"/safety-week/rounds/{round_id}/vote").get_data(as_text=True)
    return key_on(page), page


def test_member_votes_without_javascript_and_gets_a_receipt(app, db, world, client, login_as):
    round_, themes = builders.voting_round(world)
    db.session.commit()
    login_as("member")
    home = text_of(client.get("/home"))
    assert "not voted yet" in home or "ikke stemt" in home
    key, page = _vote_form(client, round_.id)
    assert f'name="rank-{themes[0].id}"' in page  # the no-JS number fields
    response = client.submit(
        f"/safety-week/rounds/{round_.id}/vote",
        {
            "idempotency_key": key,
            f"rank-{themes[2].id}": "1",
            f"rank-{themes[0].id}": "2",
        },
        follow_redirects=True,
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    # The receipt comes first, once, with the time; it takes the focus and is announced (role=status).
    opening = r'<section class="receipt" id="receipt" role="status"[^>]*autofocus>'
    receipt = re.search(opening + r"(.*?)</section>", html, re.S)
    assert receipt and re.search(r"Stemmen din er registrert kl\. \d\d:\d\d\.", receipt.group(1))
    assert html.count("registrert") == 1 and "Du har stemt" not in html
    # It lists the member's order; changing the vote is a secondary action, folded away below it.
    assert re.search(r'<ol class="receipt-choices">\s*<li>Ingen mobbing</li><li>Trygg på nett</li>', receipt.group(1))
    assert html.index('id="receipt"') < html.index('<details class="change-vote">') < html.index('class="sw-ballot"')
    assert "Send den nye stemmen min" in html
    assert services.own_current_ranking(round_, world.users["member"]) == [[themes[2].id], [themes[0].id]]
    # The member sees their own current ranking (and only through their own session), in the chosen order.
    again = client.get(f"/safety-week/rounds/{round_.id}/vote").get_data(as_text=True)
    assert re.search(rf'id="rank-{themes[2].id}"[^>]*value="1"', again, re.S)
    assert again.index(f'id="rank-{themes[2].id}"') < again.index(f'id="rank-{themes[0].id}"')
    assert again.index(f'id="rank-{themes[0].id}"') < again.index(f'id="rank-{themes[1].id}"')
    assert "Du har stemt." in again and "autofocus" not in again.split('id="receipt"')[1].split(">")[0]
    home = text_of(client.get("/home"))
    assert "not voted yet" not in home and "ikke stemt" not in home


def test_a_retried_form_shows_the_receipt_and_makes_one_ballot(app, db, world, client, login_as):
    round_, themes = builders.voting_round(world)
    db.session.commit()
    login_as("member")
    key, _page = _vote_form(client, round_.id)
    data = {"idempotency_key": key, f"rank-{themes[0].id}": "1"}
    first = client.submit(f"/safety-week/rounds/{round_.id}/vote", data)
    second = client.submit(f"/safety-week/rounds/{round_.id}/vote", data, follow_redirects=True)
    assert first.status_code == 303 and second.status_code == 200
    assert re.search(r"registrert kl\. \d\d:\d\d", text_of(second))
    assert count(db, SealedBallot) == 1


def test_two_themes_with_the_same_place_are_refused(app, db, world, client, login_as):
    round_, themes = builders.voting_round(world)
    db.session.commit()
    login_as("member")
    key, _page = _vote_form(client, round_.id)
    response = client.submit(
        f"/safety-week/rounds/{round_.id}/vote",
        {
            "idempotency_key": key,
            f"rank-{themes[0].id}": "1",
            f"rank-{themes[1].id}": "1",
        },
    )
    assert response.status_code == 422
    assert count(db, SealedBallot) == 0


@pytest.mark.parametrize("places", [("1", "1", "3"), ("2", "9", "")], ids=["same place", "place too high"])
def test_a_refused_ballot_keeps_the_places_the_member_typed(app, db, world, client, login_as, places):
    """A member who voted before and now sends a ballot with a mistake sees what she just typed, not her old vote."""
    round_, themes = builders.voting_round(world)
    builders.vote(round_, world.users["member"], themes[2], themes[1])
    db.session.commit()
    login_as("member")
    key, _page = _vote_form(client, round_.id)
    sent = {f"rank-{theme.id}": place for theme, place in zip(themes, places, strict=True)}
    response = client.submit(f"/safety-week/rounds/{round_.id}/vote", {"idempotency_key": key, **sent})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="ballot-error"' in page
    kept = dict(re.findall(r'name="(rank-\d+)"[^>]*value="([^"]*)"', page))
    assert kept == sent
    assert services.own_current_ranking(round_, world.users["member"]) == [[themes[2].id], [themes[1].id]]


def test_a_refused_approval_ballot_keeps_the_ticks(app, db, world, client, login_as):
    round_, themes = builders.voting_round(world, method=Method.approval)
    db.session.commit()
    login_as("member")
    client.get(f"/safety-week/rounds/{round_.id}/vote")
    # The form without its idempotency key: the service refuses it.
    response = client.submit(f"/safety-week/rounds/{round_.id}/vote", {"theme": [str(themes[1].id)]})
    assert response.status_code == 422
    ticked = re.findall(r'name="theme" value="(\d+)" checked', response.get_data(as_text=True))
    assert ticked == [str(themes[1].id)]


def test_approval_ballot_with_ticks(app, db, world, client, login_as):
    round_, themes = builders.voting_round(world, method=Method.approval)
    db.session.commit()
    login_as("member")
    key, page = _vote_form(client, round_.id)
    assert 'type="checkbox" name="theme"' in page
    client.post(
        f"/safety-week/rounds/{round_.id}/vote",
        data={
            "csrf_token": client.csrf_token(f"/safety-week/rounds/{round_.id}/vote"),
            "idempotency_key": key,
            "theme": [str(themes[0].id), str(themes[2].id)],
        },
    )
    assert services.own_current_ranking(round_, world.users["member"]) == [sorted([themes[0].id, themes[2].id])]


def test_a_vote_after_the_close_is_refused_kindly(app, db, world, client, login_as):
    round_, themes = builders.voting_round(world)
    db.session.commit()
    login_as("member")
    key, page = _vote_form(client, round_.id)
    token = client.csrf_token(f"/safety-week/rounds/{round_.id}/vote")
    builders.move_to(round_, "counting")
    db.session.commit()
    response = client.post(
        f"/safety-week/rounds/{round_.id}/vote",
        data={"csrf_token": token, "idempotency_key": key, f"rank-{themes[0].id}": "1"},
    )
    assert response.status_code == 422
    assert count(db, SealedBallot) == 0


def test_no_url_shows_another_members_ballot(app, db, world, client, login_as):
    round_, themes = builders.voting_round(world)
    builders.vote(round_, world.users["member"], themes[2], themes[1])
    db.session.commit()
    login_as("chair")
    page = client.get(f"/safety-week/rounds/{round_.id}/vote").get_data(as_text=True)
    assert re.findall(r'name="rank-\d+"[^>]*value="([^"]*)"', page) == ["", "", ""]  # nobody else's places
    assert "registrert" not in page and "registered" not in page
    # No endpoint takes a ballot or voter id, and the result/export wait for the count.
    assert not [
        r
        for r in app.url_map.iter_rules()
        if r.endpoint.startswith("safety_week.") and ({"ballot_id", "voter_id", "user_id"} & set(r.arguments))
    ]
    assert client.get(f"/safety-week/rounds/{round_.id}/export").status_code == 404
    pending = text_of(client.get(f"/safety-week/rounds/{round_.id}/result"))
    assert "Trygg på nett" not in pending and "Ingen mobbing" not in pending
    login_as("coordinator")
    coordinator_page = text_of(client.get(f"/safety-week/rounds/{round_.id}"))
    assert "1 of 4" in coordinator_page or "1 av 4" in coordinator_page
    assert "Mia" not in coordinator_page


def test_coordinator_closes_voting_and_the_public_sees_the_result(app, db, world, client, login_as):
    round_, themes = builders.voting_round(world)
    for member, order in zip(world.members, ([0, 1], [1, 0], [2, 1], [0]), strict=True):
        builders.vote(round_, member, *[themes[i] for i in order])
    db.session.commit()
    login_as("coordinator")
    client.set_cookie("yc_lang", "en")
    url, page = f"/safety-week/rounds/{round_.id}/phase", f"/safety-week/rounds/{round_.id}"
    # The first tap only asks, with the figures: who has voted and how long voting had left.
    response = client.submit(url, {"action": "close_voting"}, page=page)
    assert response.status_code == 200
    assert "4 of 4 members have voted; 3 days are left. Nobody can vote after this." in text_of(response)
    db.session.refresh(round_)
    assert not round_.is_closed
    response = client.submit(url, {"action": "close_voting", "confirm": "y"}, page=page)
    assert response.status_code == 303 and response.headers["Location"].endswith("/result")
    client.set_cookie("yc_lang", "nb")
    login_as("anonymous")
    assert round_.title in text_of(client.get("/safety-week/results"))
    page = text_of(client.get(f"/safety-week/rounds/{round_.id}/result"))
    db.session.refresh(round_)
    assert round_.lot_seed in page
    assert "Trygg på nett" in page and ("Round 2" in page or "Runde 2" in page)
    assert "4 of 4" in page or "4 av 4" in page
    for member in world.members:
        assert member.first_name not in page
    exported = client.get(f"/safety-week/rounds/{round_.id}/export")
    assert exported.status_code == 200 and "attachment" in exported.headers["Content-Disposition"]
    assert "# ALTERNATIVE NAME 1: Trygg på nett" in exported.get_data(as_text=True)


def test_coordinator_imports_a_preflib_file(app, db, world, client, login_as):
    login_as("coordinator")
    body = "# ALTERNATIVE NAME 1: Vennskap\n# ALTERNATIVE NAME 2: Trafikk\n3: 1,2\n1: 2\n"
    response = client.post(
        "/safety-week/import",
        data={
            "csrf_token": client.csrf_token("/safety-week/import"),
            "year": "2018",
            "title": "Trygghetsuka 2018",
            "method": "irv",
            "file": (io.BytesIO(body.encode()), "old.soi"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    round_ = db.session.scalars(sa.select(ThemeRound)).one()
    assert results.compute_result(round_).winner.title == "Vennskap"
    broken = client.post(
        "/safety-week/import",
        data={
            "csrf_token": client.csrf_token("/safety-week/import"),
            "year": "2017",
            "title": "X",
            "method": "irv",
            "file": (io.BytesIO(b"nonsense"), "x.soi"),
        },
        content_type="multipart/form-data",
    )
    assert broken.status_code == 422 and count(db, ThemeRound) == 1


def test_member_cannot_reach_coordinator_pages(app, db, world, client):
    round_, themes = builders.voting_round(world)
    db.session.commit()
    log_in(client, world.users["member"])
    assert client.get(f"/safety-week/proposals/{themes[0].id}/review").status_code == 403
    assert client.get(f"/safety-week/rounds/{round_.id}/edit").status_code == 403
    assert client.submit(f"/safety-week/rounds/{round_.id}/phase", {"action": "close_voting"}).status_code == 403
    db.session.refresh(round_)
    assert not round_.is_closed


def test_the_ranked_ballot_grows_linearly_with_the_themes(app, db, world, client, login_as):
    """One number field per theme, not a list of every place in every theme (30 themes made 78 KB)."""

    def ballot_size(count: int) -> tuple[int, str]:
        round_, _themes = builders.voting_round(world, titles=[f"Tema {i}" for i in range(count)])
        db.session.commit()
        page = client.get(f"/safety-week/rounds/{round_.id}/vote").get_data(as_text=True)
        form = re.search(r'<form method="post"[^>]*class="sw-ballot".*?</form>', page, re.S).group(0)
        return len(form), form

    # Each member proposes at most three themes: enough proposers for 30.
    world.members.extend(factories.make_member(world.term, world.schools[0]) for _ in range(8))
    login_as("member")
    small, _form = ballot_size(5)
    large, form = ballot_size(30)
    assert "<option" not in form
    assert len(re.findall(r'<input type="number" id="rank-\d+" name="rank-\d+"', form)) == 30
    per_theme_small, per_theme_large = small / 5, large / 30
    assert per_theme_large < per_theme_small * 1.2, (small, large)


def test_a_ballot_sent_again_from_many_tabs_keeps_one_row(app, db, world, client, login_as):
    """Issue 10 §4: 64 tabs used to make 64 rows. The secret-ballot box keeps one sealed row per member, replaced
    by each new form; the last one sent counts."""
    round_, themes = builders.voting_round(world)
    db.session.commit()
    login_as("member")
    keys = [_vote_form(client, round_.id)[0] for _tab in range(8)]
    assert len(set(keys)) == 8  # each tab is a form of its own
    for n, key in enumerate(keys):
        first, second = themes[n % 3], themes[(n + 1) % 3]
        data = {"idempotency_key": key, f"rank-{first.id}": "1", f"rank-{second.id}": "2"}
        assert client.submit(f"/safety-week/rounds/{round_.id}/vote", data).status_code == 303
    assert count(db, SealedBallot) == 1
    last = len(keys) - 1
    expected = [[themes[last % 3].id], [themes[(last + 1) % 3].id]]
    assert services.own_current_ranking(round_, world.users["member"]) == expected
