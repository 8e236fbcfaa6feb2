"""With English chosen the consultation pages hold no bokmål."""

from __future__ import annotations

from tests.conftest import log_in
from tests.consultations.builders import make_opened, make_request
from tests.language import norwegian_in
from youthcouncil.consultations import adoption, services


def test_the_english_ui_has_no_norwegian_text(app, client, db, world, in_request):
    from youthcouncil.motions.services import cast_vote, close_motion

    english = dict(case_text="The whole case.", summary="The city wants a skate park. What do you think?")
    working = make_opened(world, title="Skate park", **english)
    services.add_comment(working, world.users["member"], "We need light in the evening.")
    top = services.threads(working)[0]
    services.add_comment(working, world.members[1], "Yes, and benches.", parent=top)
    services.save_draft(working, world.chair, "The youth council supports the park.")
    services.save_draft(working, world.chair, "The youth council supports the park.\nWith light.")
    voting = make_opened(world, title="Bus times", **english)
    services.save_draft(voting, world.chair, "More buses please.")
    motion = adoption.open_adoption_vote(voting, world.chair, voting.latest_version)
    done = make_opened(world, title="Football pitch", **english)
    services.save_draft(done, world.chair, "We want a pitch with lights.")
    vote = adoption.open_adoption_vote(done, world.chair, done.latest_version)
    for voter in world.members:
        cast_vote(vote, voter, "yes")
    close_motion(vote, by=world.chair)
    services.send_response(done, world.chair)
    services.record_city_decision(done, world.clerk, "The pitch is built.", "Your idea about lights was used.")
    declined = make_opened(world, title="Parking rules", **english)
    services.decline_to_respond(declined, world.chair, "Not about young people.")
    hidden = services.add_comment(working, world.members[2], "Rude words.")
    services.hide_comment(hidden, world.coordinator, "Not kind.")
    fresh = make_request(world.clerk, title="New library", **english)
    db.session.commit()
    for c in (working, done):  # English case numbers too
        assert c.case_number == "2026/0001"
    client.set_cookie("yc_lang", "en")
    pages = {
        "member": [
            f"/consultations/{working.id}",
            f"/consultations/{working.id}/versions",
            f"/consultations/{working.id}/versions/{working.versions[0].id}",
            f"/motions/{motion.id}",
            "/consultations/",
            f"/consultations/{done.id}",
            f"/consultations/{declined.id}",
            "/home",
        ],
        "chair": [
            f"/consultations/{working.id}",
            f"/consultations/{working.id}/draft",
            f"/consultations/{working.id}/decline",
            f"/motions/{motion.id}/hand-count",
        ],
        "coordinator": [f"/consultations/{working.id}", f"/consultations/comments/{top.id}/hide"],
        "clerk": [
            "/consultations/",
            "/consultations/new",
            f"/consultations/{fresh.id}",
            f"/consultations/{fresh.id}/edit",
            f"/consultations/{done.id}",
            f"/consultations/{done.id}/city-decision",
            f"/consultations/{done.id}/print",
            f"/consultations/{declined.id}",
            "/consultations/readability?summary=Hello.",
            "/home",
        ],
        "anonymous": ["/consultations/archive", f"/consultations/archive/{done.id}"],
    }
    checked, failures = 0, []
    for role, urls in pages.items():
        if role == "anonymous":
            with client.session_transaction() as session:
                session.clear()
        else:
            log_in(client, world.users[role])
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, (role, url)
            if found := norwegian_in(response.get_data(as_text=True)):
                failures.append(f"{role} {url}: {found}")
            checked += 1
    assert checked == 26
    assert not failures, "\n".join(failures)
    # The same check finds the bokmål page, so it can fail.
    client.set_cookie("yc_lang", "nb")
    assert norwegian_in(client.get(f"/consultations/archive/{done.id}").get_data(as_text=True))
