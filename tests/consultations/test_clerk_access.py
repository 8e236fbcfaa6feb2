"""What a clerk may never see, on any URL (motions too), and what the public sees of the adoption vote."""

from __future__ import annotations

from tests.conftest import log_in
from tests.consultations.builders import PDF, FakeFile, make_opened, make_sent
from tests.factories import make_user
from youthcouncil.consultations import adoption, services
from youthcouncil.consultations.models import Status

# --- A clerk on every URL ------------------------------------------------------------------------------------


SECRETS = ("HEMMELIG-KOMMENTAR", "HEMMELIG-UTKAST-EN", "HEMMELIG-UTKAST-TO", "HEMMELIG-UTKAST-ANNEN")


def _clerk_world(world):
    """Mine: a failed vote on draft one, then draft two (discussion). Another clerk's: open vote, with a PDF."""
    from youthcouncil.motions.services import close_motion

    mine = make_opened(world, title="Min sak", files=[FakeFile("min.pdf", PDF)])
    services.add_comment(mine, world.users["member"], "HEMMELIG-KOMMENTAR om lys")
    services.save_draft(mine, world.chair, "HEMMELIG-UTKAST-EN")
    failed = adoption.open_adoption_vote(mine, world.chair, mine.latest_version)
    close_motion(failed, by=world.chair)  # nobody voted: not adopted, drafting continues
    services.save_draft(mine, world.chair, "HEMMELIG-UTKAST-TO")
    other_clerk = make_user("clerk", first_name="Per")
    theirs = make_opened(world, title="Andres sak", files=[FakeFile("andre.pdf", PDF)])
    theirs.clerk_id = other_clerk.id
    services.save_draft(theirs, world.chair, "HEMMELIG-UTKAST-ANNEN")
    open_vote = adoption.open_adoption_vote(theirs, world.chair, theirs.latest_version)
    return mine, failed, theirs, open_vote


def test_a_clerk_never_sees_discussion_or_drafts_on_any_url(app, client, db, world, in_request):
    mine, failed, theirs, open_vote = _clerk_world(world)
    db.session.commit()
    assert mine.status == Status.discussion
    ids = {
        "consultation_id": [mine.id, theirs.id],
        "attachment_id": [a.id for a in mine.attachments + theirs.attachments],
        "version_id": [v.id for v in mine.versions + theirs.versions],
        "comment_id": [c.id for c in services.threads(mine)],
        "motion_id": [failed.id, open_vote.id],
    }
    log_in(client, world.clerk)
    seen = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] not in ("consultations", "motions") or "GET" not in rule.methods:
            continue
        combos = [{}]
        for arg in rule.arguments:
            combos = [dict(c, **{arg: value}) for c in combos for value in ids[arg]]
        for values in combos:
            with app.test_request_context("/"):
                from flask import url_for

                url = url_for(rule.endpoint, **values)
            response = client.get(url)
            body = response.get_data(as_text=True) if response.mimetype != "application/pdf" else ""
            for secret in SECRETS:
                assert secret not in body, (url, response.status_code)
            seen += 1
    assert seen > 20
    # The specific refusals.
    assert client.get(f"/motions/{failed.id}").status_code == 403  # a failed vote on an unsent draft
    assert client.get(f"/motions/{open_vote.id}").status_code == 403
    other_attachment = theirs.attachments[0]
    assert client.get(f"/consultations/{theirs.id}/attachments/{other_attachment.id}").status_code == 403
    assert client.get(f"/consultations/{mine.id}/attachments/{other_attachment.id}").status_code == 404
    assert client.get(f"/consultations/{theirs.id}").status_code == 403
    assert client.get(f"/consultations/{mine.id}/print").status_code == 404
    # The sender sees the status of their own request.
    page = client.get(f"/consultations/{mine.id}").get_data(as_text=True)
    assert 'aria-current="step"' in page and "diskusjon" in page.lower()


def test_the_public_sees_only_the_vote_that_adopted_a_sent_response(client, db, world, in_request):
    from youthcouncil.motions.services import close_motion

    consultation = make_opened(world)
    services.save_draft(consultation, world.chair, "Første utkast")
    failed = adoption.open_adoption_vote(consultation, world.chair, consultation.latest_version)
    close_motion(failed, by=world.chair)
    db.session.commit()
    assert client.get(f"/motions/{failed.id}").status_code == 302  # anonymous: to the login page
    log_in(client, world.users["member"])
    assert client.get(f"/motions/{failed.id}").status_code == 200  # the council sees its own votes
    sent = make_sent(world, title="Sendt sak")
    motion_id = sent.adopted_decision.motion_id
    db.session.commit()
    with client.session_transaction() as session:
        session.clear()
    page = client.get(f"/motions/{motion_id}")
    assert page.status_code == 200
    assert f"/consultations/archive/{sent.id}" in page.get_data(as_text=True)  # the public link, not the council's
    assert client.get(f"/motions/{failed.id}").status_code == 302
