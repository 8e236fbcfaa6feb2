from __future__ import annotations

import re

import pytest

from tests.conftest import count, log_in
from tests.factories import make_member, make_term
from tests.motions.builders import SUBJECT, make_motion, vote
from youthcouncil.motions import services, signals
from youthcouncil.motions.models import Choice, MotionStatus, MotionVote


def _page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_a_member_votes_and_changes_the_vote_on_the_page(client, db, world, login_as):
    motion = make_motion(world)
    db.session.commit()
    login_as("member")
    url = f"/motions/{motion.id}"
    html = _page(client, url)
    assert "Should we plant trees by the school?" in html
    assert 'name="choice" value="yes"' in html and 'value="abstain"' in html

    response = client.submit(f"{url}/vote", {"choice": "yes"}, page=url)
    assert response.status_code == 303 and response.headers["Location"].endswith(url)
    html = _page(client, url)
    # The receipt first, each thing said once (the time, the choice); it takes the focus; changing is folded away.
    receipt = html[html.index('<section class="receipt"') : html.index("</section>", html.index('id="receipt"'))]
    assert re.search(r"Stemmen din er registrert kl\. \d\d:\d\d\.", receipt) and "autofocus" in receipt
    assert "Du stemte ja. Du kan endre stemmen til avstemningen er slutt." in receipt
    assert html.count("Du stemte ja.") == 1 and html.count("registrert") == 1
    assert html.index('id="receipt"') < html.index('<details class="change-vote">') < html.index('name="choice"')
    assert "Du har stemt." in _page(client, url)  # a later visit: no time, no focus

    client.submit(f"{url}/vote", {"choice": "no"}, page=url)
    db.session.expire_all()
    assert services.vote_of(motion, world.users["member"]).choice == Choice.no
    assert count(db, MotionVote, MotionVote.motion_id == motion.id) == 1


def test_a_crafted_choice_is_refused_kindly(client, db, world, login_as):
    motion = make_motion(world)
    db.session.commit()
    login_as("member")
    response = client.submit(f"/motions/{motion.id}/vote", {"choice": "maybe"}, page=f"/motions/{motion.id}")
    assert response.status_code == 303
    html = _page(client, f"/motions/{motion.id}")
    assert "Velg ja, nei eller avstår." in html
    assert count(db, MotionVote) == 0


def test_the_home_page_lists_open_motions_until_the_member_votes(client, db, world, login_as):
    motion = make_motion(world, title="Paint the youth club")
    db.session.commit()
    login_as("member")
    html = _page(client, "/home")
    assert "Paint the youth club" in html and f"/motions/{motion.id}" in html
    client.submit(f"/motions/{motion.id}/vote", {"choice": "abstain"}, page=f"/motions/{motion.id}")
    assert "Paint the youth club" not in _page(client, "/home")


def test_the_chair_closes_a_phone_vote_and_everybody_sees_the_plain_result(client, db, world, login_as, app):
    motion = make_motion(world)
    for member, choice in zip(world.members[:3], ["yes", "yes", "no"], strict=True):
        vote(motion, member, choice)
    login_as("chair")
    url = f"/motions/{motion.id}"
    # The first tap only asks, with the figures; the vote stays open.
    response = client.submit(f"{url}/close", page=url)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "3 av 4 medlemmer har stemt. Ingen kan stemme etter dette." in html and 'name="confirm"' in html
    db.session.expire_all()
    assert motion.status == MotionStatus.open
    # Sent without the tick: asked again.
    assert client.submit(f"{url}/close", {"confirm": ""}, page=url).status_code == 422
    response = client.submit(f"{url}/close", {"confirm": "y"}, page=url)
    assert response.status_code == 303
    db.session.expire_all()
    assert motion.status == MotionStatus.closed and motion.adopted is True
    assert 'class="flash flash-success"' in _page(client, url)  # adopted: the green style

    anonymous = app.test_client()
    html = anonymous.get(url).get_data(as_text=True)
    assert "Vedtatt: flere stemte ja enn nei." in html
    assert "<dt>Ja</dt><dd>2</dd>" in html and "<dt>Nei</dt><dd>1</dd>" in html  # the public sees the counts
    assert "Mia" not in html and "Hvem stemte hva" not in html  # and not the children's names
    login_as("member")
    html = _page(client, url)
    assert "Hvem stemte hva" in html and "Mia" in html  # a named vote: the council sees who voted what
    assert "Testesen" not in html  # never a last name


def test_a_secret_vote_never_shows_who_voted_what(client, db, world, login_as):
    motion = make_motion(world, secret=True)
    vote(motion, world.users["member"], "no")
    login_as("chair")
    html = _page(client, f"/motions/{motion.id}")
    assert "Hemmelig avstemning" in html
    assert "Hvem stemte hva" not in html
    client.submit(f"/motions/{motion.id}/close", {"confirm": "y"}, page=f"/motions/{motion.id}")
    html = _page(client, f"/motions/{motion.id}")
    assert "Hvem stemte hva" not in html and "Mia" not in html


def test_hand_count_errors_show_next_to_the_field_and_keep_the_numbers(client, db, world, login_as):
    motion = make_motion(world)
    db.session.commit()
    login_as("chair")
    url = f"/motions/{motion.id}/hand-count"
    response = client.submit(url, {"yes": "3", "no": "1", "abstain": "0", "present": "3"}, page=url)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="present-error"' in html and "minst 4" in html
    assert 'value="3"' in html and 'value="1"' in html
    response = client.submit(url, {"yes": "2", "no": "1", "abstain": "0", "present": "9"}, page=url)
    assert response.status_code == 200 and "bare 4 stemmeberettigede" in response.get_data(as_text=True)
    response = client.submit(url, {"yes": "two", "no": "1", "abstain": "0", "present": "3"}, page=url)
    assert response.status_code == 200 and 'id="yes-error"' in response.get_data(as_text=True)
    db.session.expire_all()
    assert motion.status == MotionStatus.open


def test_a_hand_count_asks_first_with_the_figures_and_the_outcome_and_keeps_them(client, db, world, login_as):
    motion = make_motion(world)
    db.session.commit()
    login_as("chair")
    url = f"/motions/{motion.id}/hand-count"
    counts = {"yes": "1", "no": "2", "abstain": "0", "present": "3"}
    asked = client.submit(url, counts, page=url)
    html = asked.get_data(as_text=True)
    assert asked.status_code == 200 and 'name="confirm"' in html
    assert "Ja 1, nei 2, avstår 0, 3 av 4 stemmeberettigede til stede. Ikke vedtatt: flere stemte nei enn ja." in html
    for name, value in counts.items():  # the page posts the typed figures back with the tick
        assert f'<input type="hidden" name="{name}" value="{value}">' in html
    unticked = client.submit(url, {**counts, "confirm": ""}, page=url)
    assert unticked.status_code == 422
    db.session.expire_all()
    assert motion.status == MotionStatus.open and motion.method is None
    assert client.submit(url, {**counts, "confirm": "y"}, page=url).status_code == 303
    db.session.expire_all()
    assert (motion.method, motion.yes, motion.no, motion.adopted) == ("hand_count", 1, 2, False)


def test_hand_count_with_quorum_adopts(client, db, world, login_as):
    seen = []

    def decided(sender, *, motion, result, **kwargs):
        seen.append((motion.id, result.reason))

    motion = make_motion(world)
    db.session.commit()
    login_as("chair")
    url = f"/motions/{motion.id}/hand-count"
    counts = {"yes": "2", "no": "1", "abstain": "0", "present": "3"}
    with signals.motion_decided.connected_to(decided, sender=SUBJECT):
        response = client.submit(url, {**counts, "confirm": "y"}, page=url)
    assert response.status_code == 303
    db.session.expire_all()
    assert (motion.method, motion.yes, motion.no, motion.present, motion.adopted) == ("hand_count", 2, 1, 3, True)
    assert seen[-1] == (motion.id, "adopted")
    html = _page(client, f"/motions/{motion.id}")
    assert "Telt med hender på et møte" in html


def test_a_motion_not_adopted_is_never_shown_in_the_green_success_style(client, db, world, login_as):
    motion = make_motion(world)
    for member, choice in zip(world.members[:3], ["yes", "no", "no"], strict=True):
        vote(motion, member, choice)
    login_as("chair")
    url = f"/motions/{motion.id}"
    response = client.submit(f"{url}/close", {"confirm": "y"}, page=url, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Ikke vedtatt: flere stemte nei enn ja." in html
    assert "flash-success" not in html and "notice-ok" not in html and "badge-ok" not in html
    assert '<p class="flash flash-info">Avstemningen er avsluttet. Ikke vedtatt' in html
    assert '<span class="badge badge-bad">Ikke vedtatt</span>' in html


def test_hand_count_without_quorum_is_not_adopted(client, db, world, login_as):
    motion = make_motion(world)
    db.session.commit()
    login_as("chair")
    url = f"/motions/{motion.id}/hand-count"
    response = client.submit(url, {"yes": "1", "no": "0", "abstain": "0", "present": "1", "confirm": "y"}, page=url)
    assert response.status_code == 303
    db.session.expire_all()
    assert motion.quorum_met is False and motion.adopted is False
    html = _page(client, f"/motions/{motion.id}")
    assert "Ikke vedtatt: for få medlemmer var med (1 av 4; 2 trengtes)." in html


def test_the_chair_can_stop_a_vote(client, db, world, login_as):
    motion = make_motion(world)
    services.cast_vote(motion, world.users["member"], "yes")
    db.session.commit()
    login_as("chair")
    url = f"/motions/{motion.id}"
    response = client.submit(f"{url}/cancel", page=url)
    assert response.status_code == 200  # asked first: nothing stopped yet
    assert "1 av 4 medlemmer har stemt. Stemmene blir slettet, og ingenting blir bestemt." in response.get_data(
        as_text=True
    )
    db.session.expire_all()
    assert motion.status == MotionStatus.open
    client.submit(f"{url}/cancel", {"confirm": "y"}, page=url)
    db.session.expire_all()
    assert motion.status == MotionStatus.cancelled and count(db, MotionVote) == 0


@pytest.mark.parametrize("role", ["member", "coordinator", "clerk"])
def test_only_the_chair_closes_or_counts(client, db, world, login_as, role):
    motion = make_motion(world)
    db.session.commit()
    login_as(role)
    assert client.submit(f"/motions/{motion.id}/close", page="/home").status_code == 403
    assert client.get(f"/motions/{motion.id}/hand-count").status_code == 403
    db.session.expire_all()
    assert motion.status == MotionStatus.open


def test_a_chair_of_another_term_cannot_manage_or_vote_by_id(client, db, world):
    old_term = make_term(world.municipality, starts_on=world.term.starts_on.replace(year=world.term.starts_on.year - 3))
    db.session.flush()
    motion = make_motion(world)
    db.session.commit()
    from youthcouncil.membership.models import Office

    outsider = make_member(old_term, world.schools[0], office=Office.chair)
    db.session.commit()
    log_in(client, outsider)
    assert client.submit(f"/motions/{motion.id}/vote", {"choice": "yes"}, page="/").status_code == 403
    assert client.submit(f"/motions/{motion.id}/close", page="/").status_code == 403
    assert count(db, MotionVote) == 0


def test_open_motions_are_not_public(client, db, world, login_as):
    motion = make_motion(world)
    db.session.commit()
    response = client.get(f"/motions/{motion.id}")
    assert response.status_code in (302, 303) and "/login" in response.headers["Location"]
    login_as("clerk")
    assert client.get(f"/motions/{motion.id}").status_code == 403
    assert client.get("/motions/999999").status_code == 404


def test_the_motion_panel_partial_renders_for_other_pages(app, db, world):
    from flask import render_template

    motion = make_motion(world)
    db.session.commit()
    with app.test_request_context("/"):
        from flask_login import login_user

        login_user(world.users["member"])
        html = render_template("motions/_motion_panel.html", motion=motion)
    assert f"/motions/{motion.id}" in html and "Du har ikke stemt ennå." in html
