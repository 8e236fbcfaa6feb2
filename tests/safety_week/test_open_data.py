"""Open data: the exported PrefLib file counts to the same winner with `flask tally`; imports show their errors
next to the file field; a late or retried vote is answered kindly."""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.conftest import count
from tests.factories import make_member
from tests.safety_week import builders
from youthcouncil.db import utcnow
from youthcouncil.safety_week import open_data, results, services
from youthcouncil.safety_week.models import Ballot, Method, ThemeRound
from youthcouncil.secret_ballot import SealedBallot


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def _tally(app, tmp_path, name: str, text: str, method: str) -> dict:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["tally", str(path), "--method", method])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.mark.parametrize("method", [Method.irv, Method.approval])
def test_downloaded_file_counts_to_the_same_winner_with_flask_tally(app, db, world, client, tmp_path, method):
    # IRV: round 1 A 4, B 3, C 1 of 8 (no majority); C is out, its ballot is exhausted; round 2 A 4 of 7 wins.
    # Approval: A 5, B 4, C 3 ticks. No tie anywhere, so no lot (the lot's seed is checked below).
    orders = ([0], [0, 1], [0, 2], [0], [1, 0], [1, 2], [1], [2])
    voters = list(world.members) + [make_member(world.term, world.schools[0]) for _ in range(4)]
    round_, themes = builders.voting_round(world, method=method)
    for member, order in zip(voters, orders, strict=True):
        builders.vote(round_, member, *[themes[i] for i in order])
    builders.move_to(round_, "counting")
    with app.test_request_context():
        services.count_round(round_)
    db.session.commit()
    expected = results.compute_result(round_)
    assert not expected.lot_used
    response = client.get(f"/safety-week/rounds/{round_.id}/export")  # the public download
    assert response.status_code == 200
    name = re.search(r'filename="([^"]+)"', response.headers["Content-Disposition"]).group(1)
    tallied = _tally(app, tmp_path, name, response.get_data(as_text=True), method.value)
    assert tallied["ballots"] == 8
    assert tallied["winner"] == expected.winner.title == "Trygg på nett"
    if method == Method.irv:
        assert len(tallied["rounds"]) == len(expected.rounds) == 2
        for ours, theirs in zip(expected.rounds, tallied["rounds"], strict=True):
            assert {bar.theme.title: bar.votes for bar in ours.bars} == theirs["counts"]
            assert ours.exhausted == theirs["exhausted"]
        assert tallied["rounds"][0]["eliminated"] == "Ingen mobbing"


@pytest.mark.parametrize("method", [Method.irv, Method.approval])
def test_a_lot_is_drawn_again_the_same_way_from_the_seed_in_the_file(app, db, world, tmp_path, in_request, method):
    from youthcouncil.voting.tally import tally_file

    orders = ([0, 1], [0, 2], [1, 2], [2, 1])  # IRV: B and C tie for fewest in round 1; approval: B and C tie
    round_, themes = builders.voting_round(world, method=method)
    for member, order in zip(world.members, orders, strict=True):
        builders.vote(round_, member, *[themes[i] for i in order])
    builders.move_to(round_, "counting")
    services.count_round(round_)
    expected = results.compute_result(round_)
    assert expected.lot_used
    name, text = open_data.export_preflib(round_)
    assert f"# LOT SEED: {round_.lot_seed}" in text
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    assert tally_file(path, method.value, seed=round_.lot_seed)["winner"] == expected.winner.title
    # Imported again, the round keeps the seed, so its result page shows the same winner.
    again = open_data.import_preflib(text, file_name=name, year=1999, title="Again", method=method)
    assert again.lot_seed == round_.lot_seed
    assert results.compute_result(again).winner.title == expected.winner.title


def test_two_themes_with_the_same_title_still_export_a_file_tally_can_count(app, db, world, tmp_path, in_request):
    round_, themes = builders.voting_round(world, titles=("Trygg på nett", "Trygg på nett", "Vennskap"))
    for member, order in zip(world.members, ([0], [0], [1], [2]), strict=True):
        builders.vote(round_, member, *[themes[i] for i in order])
    builders.move_to(round_, "counting")
    services.count_round(round_)
    name, text = open_data.export_preflib(round_)
    tallied = _tally(app, tmp_path, name, text, "irv")
    assert tallied["winner"] == "Trygg på nett"
    assert sorted(tallied["rounds"][0]["counts"]) == ["Trygg på nett", "Trygg på nett (2)", "Vennskap"]


def test_a_bad_import_file_is_explained_next_to_the_file_field(app, db, world, client, login_as):
    login_as("coordinator")
    cases = [
        (b"nonsense", "x.soi"),
        (b"# ALTERNATIVE NAME 1: Bare ett\n2: 1\n", "one.soi"),
        ("# ALTERNATIVE NAME 1: Å\n1: 1\n".encode("latin-1"), "latin.soi"),
    ]
    for body, file_name in cases:
        response = client.post(
            "/safety-week/import",
            data={
                "csrf_token": client.csrf_token("/safety-week/import"),
                "year": "2017",
                "title": "Trygghetsuka 2017",
                "method": "irv",
                "file": (io.BytesIO(body), file_name),
            },
            content_type="multipart/form-data",
        )
        assert response.status_code == 422, file_name
        html = response.get_data(as_text=True)
        error = re.search(r'<p class="error" id="file-error">([^<]+)</p>', html)
        assert error, file_name
        assert 'aria-describedby="file-error"' in html or 'file-error"' in html.split('id="file"')[1][:200]
        assert 'value="Trygghetsuka 2017"' in html  # the other fields keep what was typed
    no_file = client.post(
        "/safety-week/import",
        data={
            "csrf_token": client.csrf_token("/safety-week/import"),
            "year": "2017",
            "title": "T",
            "method": "irv",
        },
        content_type="multipart/form-data",
    )
    assert no_file.status_code == 422 and 'id="file-error"' in no_file.get_data(as_text=True)
    assert count(db, ThemeRound) == 0


def _vote_page(client, round_id):
    html = client.get(f"/safety-week/rounds/{round_id}/vote").get_data(as_text=True)
    return re.search(r'name="idempotency_key"[^>]*value="([^"]+)"', html).group(1)


def test_a_ballot_sent_one_second_after_the_close_is_refused_kindly(app, db, world, client, login_as):
    round_, themes = builders.voting_round(world)
    db.session.commit()
    login_as("member")
    key = _vote_page(client, round_.id)
    token = client.csrf_token(f"/safety-week/rounds/{round_.id}/vote")
    round_.voting_closes_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = client.post(
        f"/safety-week/rounds/{round_.id}/vote",
        data={"csrf_token": token, "idempotency_key": key, f"rank-{themes[0].id}": "1"},
    )
    assert response.status_code == 422
    shown = text_of(response)
    assert "could not be counted" in shown or "kunne ikke telles" in shown
    assert count(db, Ballot) == 0 and count(db, SealedBallot) == 0


def test_a_retry_after_the_close_of_a_ballot_that_got_in_says_that_vote_counts(app, db, world, client, login_as):
    """The connection dropped on the last second: the ballot was stored, the retry arrives after the close. The form
    keys went with the links at the close, so the answer cannot be the receipt; it says an earlier vote counts."""
    round_, themes = builders.voting_round(world)
    db.session.commit()
    login_as("member")
    key = _vote_page(client, round_.id)
    data = {"idempotency_key": key, f"rank-{themes[1].id}": "1"}
    assert client.submit(f"/safety-week/rounds/{round_.id}/vote", data).status_code == 303
    round_.voting_closes_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    token = client.csrf_token(f"/safety-week/rounds/{round_.id}/vote")
    retry = client.post(f"/safety-week/rounds/{round_.id}/vote", data={"csrf_token": token, **data})
    assert retry.status_code == 422
    assert "that vote counts" in text_of(retry) or "den stemmen" in text_of(retry)
    with app.test_request_context():
        services.count_round(round_)
    db.session.commit()
    assert db.session.scalars(sa.select(Ballot.ranking)).all() == [[[themes[1].id]]]


def test_the_export_never_says_who_voted_what_and_the_links_are_gone(app, db, world, client, login_as):
    round_, themes = builders.voting_round(world)
    db.session.commit()
    login_as("member")
    key = _vote_page(client, round_.id)
    client.submit(f"/safety-week/rounds/{round_.id}/vote", {"idempotency_key": key, f"rank-{themes[2].id}": "1"})
    user = world.users["member"]
    builders.move_to(round_, "counting")
    with app.test_request_context():
        services.count_round(round_)
    db.session.commit()
    exported = client.get(f"/safety-week/rounds/{round_.id}/export").get_data(as_text=True)
    assert user.username not in exported and user.first_name not in exported
    assert count(db, SealedBallot) == 0 and db.session.scalars(sa.select(Ballot.ranking)).all() == [[[themes[2].id]]]


def _closed(app, world, method, orders, titles=("Trygg på nett", "Trygg i trafikken", "Ingen mobbing")):
    round_, themes = builders.voting_round(world, method=method, titles=titles)
    for member, order in zip(world.members, orders, strict=False):
        builders.vote(round_, member, *[themes[i] for i in order])
    builders.move_to(round_, "counting")
    with app.test_request_context():
        services.count_round(round_)
    return round_, themes


def test_approval_result_page_says_why_the_winner_won(app, db, world, client):
    plain, _ = _closed(app, world, Method.approval, ([0, 1], [1], [1, 2]))
    tied, _ = _closed(app, world, Method.approval, ([0, 1], [0], [1]))
    db.session.commit()
    page = text_of(client.get(f"/safety-week/rounds/{plain.id}/result"))
    assert "«Trygg i trafikken» har flest kryss og vinner." in page
    assert "3 av 4 medlemmer stemte (75 %)" in page
    assert "Det trengtes ingen loddtrekning." in page
    page = text_of(client.get(f"/safety-week/rounds/{tied.id}/result"))
    assert "«Trygg på nett» og «Trygg i trafikken» har flest kryss. Det ble trukket lodd:" in page
    db.session.refresh(tied)
    assert tied.lot_seed in page


def test_irv_result_page_shows_rounds_exhausted_ballots_and_the_one_on_one_check(app, db, world, client):
    # Round 1: A 1, B 1, C 2 of 4, no majority; A and B tie for fewest with no earlier round, so a lot decides.
    # Whichever goes, a ballot that named only eliminated themes is exhausted in a later round.
    round_, themes = _closed(app, world, Method.irv, ([0], [1, 0], [2, 1], [2]))
    db.session.commit()
    page = text_of(client.get(f"/safety-week/rounds/{round_.id}/result"))
    assert "Runde 1" in page and "Runde 2" in page
    assert "har like få stemmer. Det ble trukket lodd" in page  # round 1 has no earlier round to look back to
    assert "også i rundene før" not in page.split("Runde 2")[0]
    assert re.search(r"\d stemmer? teller ikke lenger: alle temaene på (den|dem) er ute\.", page)
    assert "Sjekk én mot én" in page
    assert "4 av 4 medlemmer stemte" in page
    assert "“" not in page  # bokmål quotation marks only


def test_the_same_page_sent_again_with_other_choices_is_not_dropped_silently(app, db, world, client, login_as):
    round_, themes = builders.voting_round(world)
    db.session.commit()
    login_as("member")
    key = _vote_page(client, round_.id)
    url = f"/safety-week/rounds/{round_.id}/vote"
    assert client.submit(url, {"idempotency_key": key, f"rank-{themes[0].id}": "1"}).status_code == 303
    # Back button, other choice, same page (same key): refused kindly, the new choice kept on a fresh form.
    again = client.submit(url, {"idempotency_key": key, f"rank-{themes[2].id}": "1"})
    assert again.status_code == 422
    html = again.get_data(as_text=True)
    assert "allerede brukt" in text_of(again) or "already used" in text_of(again)
    assert re.search(rf'id="rank-{themes[2].id}"[^>]*value="1"', html, re.S)
    fresh = re.search(r'name="idempotency_key"[^>]*value="([^"]+)"', html).group(1)
    assert fresh != key
    assert services.own_current_ranking(round_, world.users["member"]) == [[themes[0].id]]
    db.session.commit()
    assert client.submit(url, {"idempotency_key": fresh, f"rank-{themes[2].id}": "1"}).status_code == 303
    assert services.own_current_ranking(round_, world.users["member"]) == [[themes[2].id]]
    assert count(db, SealedBallot) == 1
