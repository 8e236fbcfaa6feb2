"""The council's work: discussion, support, moderation, drafts and versions, the adoption vote, sending,
declining, the city's decision, the public archive — and what a clerk may never see."""

import pytest
import sqlalchemy as sa

from tests.conftest import count, log_in
from tests.consultations.builders import (
    make_adopted,
    make_decided,
    make_discussed,
    make_opened,
    make_request,
    make_sent,
    make_voting,
)
from tests.threads import at_once
from youthcouncil.accounts.models import User
from youthcouncil.audit import AuditEvent
from youthcouncil.consultations import adoption, services
from youthcouncil.consultations.models import Comment, CommentSupport, ConsultationError, Decision, DraftVersion, Status

REPLYING = "Du svarer på en kommentar."  # "You are replying to a comment."


def test_a_comment_sent_twice_is_one_comment(client, login_as, db, world):
    """A double tap without JavaScript, or a resend after no answer on a slow network, posted it twice."""
    consultation = make_opened(world)
    db.session.commit()
    url = f"/consultations/{consultation.id}"
    login_as("member")
    token = client.csrf_token(url)
    form = {"body": "Bussen må gå oftere.", "csrf_token": token}
    first, second = client.post(f"{url}/comments", data=form), client.post(f"{url}/comments", data=form)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert count(db, Comment) == 1
    # A reply with the same words is another comment, and so is a second comment from another member.
    parent = db.session.scalars(sa.select(Comment)).one()
    assert client.post(f"{url}/comments", data={**form, "parent_id": str(parent.id)}).status_code == 303
    login_as("chair")
    client.submit(f"{url}/comments", {"body": "Bussen må gå oftere."}, page=url)
    assert count(db, Comment) == 3


def test_members_comment_and_reply_one_level_deep(client, login_as, db, world):
    consultation = make_opened(world)
    db.session.commit()
    url = f"/consultations/{consultation.id}"
    login_as("member")
    response = client.submit(f"{url}/comments", {"body": "<script>alert(1)</script> Lys!"}, page=url)
    assert response.status_code == 303
    first = db.session.scalars(sa.select(Comment)).one()
    client.submit(f"{url}/comments", {"body": "Svar", "parent_id": str(first.id)}, page=url)
    reply = db.session.scalars(sa.select(Comment).where(Comment.parent_id == first.id)).one()
    client.submit(f"{url}/comments", {"body": "Svar på svar", "parent_id": str(reply.id)}, page=url)
    deeper = db.session.scalars(sa.select(Comment).where(Comment.body == "Svar på svar")).one()
    assert deeper.parent_id == first.id  # still one level deep
    page = client.get(url).get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Lys!" in page and "<script>alert(1)" not in page
    db.session.expire_all()
    assert consultation.status == Status.discussion


def _reply_targets(world, db):
    """A request with a comment, a hidden comment and a removed comment, and another request with a comment."""
    consultation, other = make_opened(world), make_opened(world, title="Et annet høringsbrev")
    member = world.users["member"]
    shown = services.add_comment(consultation, member, "Et poeng")
    hidden = services.add_comment(consultation, member, "Skjult")
    services.hide_comment(hidden, world.users["coordinator"], "Personopplysninger")
    removed = services.add_comment(consultation, member, "Fjernet")
    removed.removed_at, removed.body = removed.created_at, ""
    elsewhere = services.add_comment(other, member, "Et annet sted")
    db.session.commit()
    return consultation, shown, [hidden.id, removed.id, elsewhere.id, shown.id + 1000]


def test_the_page_offers_a_reply_only_to_a_comment_the_reader_sees_on_this_request(client, login_as, db, world):
    consultation, shown, not_targets = _reply_targets(world, db)
    url = f"/consultations/{consultation.id}"
    login_as("chair")
    page = client.get(f"{url}?reply={shown.id}").get_data(as_text=True)
    assert REPLYING in page and f'name="parent_id" value="{shown.id}"' in page
    for reply in ["²", "", "abc", "0", *map(str, not_targets)]:
        page = client.get(f"{url}?reply={reply}").get_data(as_text=True)
        assert REPLYING not in page, reply
        assert 'name="parent_id" value=""' in page, reply


def test_a_reply_to_a_comment_that_is_not_there_is_not_posted_as_a_new_comment(client, login_as, db, world):
    consultation, shown, not_targets = _reply_targets(world, db)
    url = f"/consultations/{consultation.id}"
    login_as("chair")
    before = count(db, Comment)
    for parent_id in ["²", "abc", *map(str, not_targets)]:
        response = client.submit(f"{url}/comments", {"body": "Mitt svar", "parent_id": parent_id}, page=url)
        assert response.status_code == 422, parent_id
        page = response.get_data(as_text=True)
        assert "Kommentaren du svarte på, finnes ikke på denne siden" in page, parent_id
        # The text is kept, and the form is now the plain one: sending it again posts a new comment.
        assert "Mitt svar</textarea>" in page and 'name="parent_id" value=""' in page, parent_id
        assert REPLYING not in page
    assert count(db, Comment) == before
    # A reply that was refused for its text goes on being a reply.
    response = client.submit(f"{url}/comments", {"body": " ", "parent_id": str(shown.id)}, page=url)
    assert response.status_code == 422
    assert f'name="parent_id" value="{shown.id}"' in response.get_data(as_text=True)
    assert client.submit(f"{url}/comments", {"body": "Svar", "parent_id": str(shown.id)}, page=url).status_code == 303
    assert count(db, Comment, Comment.parent_id == shown.id) == 1


def test_a_comment_is_at_most_2000_characters(client, login_as, db, world):
    consultation = make_opened(world)
    db.session.commit()
    login_as("member")
    url = f"/consultations/{consultation.id}"
    response = client.submit(f"{url}/comments", {"body": "x" * 2001}, page=url)
    assert response.status_code == 422
    assert count(db, Comment) == 0


def test_support_once_per_member_held_by_the_database(app, db, world, in_request):
    consultation = make_opened(world)
    comment = services.add_comment(consultation, world.chair, "Et poeng")
    db.session.commit()
    member = world.users["member"]
    services.set_support(comment, member, True)
    db.session.commit()
    with pytest.raises(sa.exc.IntegrityError):
        db.session.add(CommentSupport(comment_id=comment.id, user_id=member.id))
        db.session.flush()
    db.session.rollback()
    services.set_support(comment, member, False)
    db.session.commit()
    assert count(db, CommentSupport) == 0
    with pytest.raises(ConsultationError):
        services.set_support(comment, world.chair, True)


def test_a_double_tap_on_a_support_button_does_what_the_button_says(client, login_as, db, world):
    consultation = make_opened(world)
    comment = services.add_comment(consultation, world.chair, "Et poeng")
    db.session.commit()
    url, page = f"/consultations/comments/{comment.id}/support", f"/consultations/{consultation.id}"
    login_as("member")
    assert 'name="support" value="yes"' in client.get(page).get_data(as_text=True)
    for _ in range(2):  # the second tap arrives after the first was answered
        assert client.submit(url, {"support": "yes"}, page=page).status_code == 303
    assert count(db, CommentSupport, CommentSupport.comment_id == comment.id) == 1
    assert 'name="support" value="no"' in client.get(page).get_data(as_text=True)
    for _ in range(2):
        assert client.submit(url, {"support": "no"}, page=page).status_code == 303
    assert count(db, CommentSupport, CommentSupport.comment_id == comment.id) == 0
    assert client.submit(url, {}, page=page).status_code == 400  # a support button always says which


@pytest.mark.parametrize("support, rows", [(True, 1), (False, 0)], ids=["support", "take-back"])
def test_eight_taps_at_the_same_moment_all_succeed_and_leave_what_they_asked_for(app, db, world, support, rows):
    consultation = make_opened(world)
    comment = services.add_comment(consultation, world.chair, "Et poeng")
    member = world.users["member"]
    if not support:
        services.set_support(comment, member, True)
    db.session.commit()
    comment_id, member_id = comment.id, member.id

    def tap(i: int) -> str:
        services.set_support(db.session.get(Comment, comment_id), db.session.get(User, member_id), support)
        return "ok"

    # at_once ends the test's own transaction first: reading the ids above began one, and on SQLite that holds
    # the write lock, so every thread would wait 15 s and fail with "database is locked".
    outcomes = at_once(app, 8, tap)
    assert outcomes == ["ok"] * 8, outcomes
    assert count(db, CommentSupport, CommentSupport.comment_id == comment_id) == rows


def test_coordinator_hides_a_comment_with_a_reason_in_the_audit_log(client, login_as, db, world):
    consultation = make_discussed(world)
    comment = db.session.scalars(sa.select(Comment)).first()
    db.session.commit()
    login_as("coordinator")
    url = f"/consultations/comments/{comment.id}/hide"
    assert client.submit(url, {"reason": ""}, page=url).status_code == 422
    response = client.submit(url, {"reason": "Personangrep"}, page=url)
    assert response.status_code == 303
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "consultation.comment_hidden")).one()
    assert event.details["reason"] == "Personangrep"
    login_as("member")
    page = client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert comment.body not in page


def test_a_comment_hidden_by_mistake_can_be_shown_again_and_both_steps_are_logged(client, login_as, db, world):
    consultation = make_discussed(world)
    comment = db.session.scalars(sa.select(Comment)).first()
    db.session.commit()
    detail = f"/consultations/{consultation.id}"
    login_as("coordinator")
    client.submit(f"/consultations/comments/{comment.id}/hide", {"reason": "Feil kommentar"}, page=detail)
    page = client.get(detail).get_data(as_text=True)
    assert f'action="/consultations/comments/{comment.id}/unhide"' in page and "Vis igjen" in page
    response = client.submit(f"/consultations/comments/{comment.id}/unhide", page=detail, follow_redirects=True)
    assert "Kommentaren vises igjen." in response.get_data(as_text=True)
    db.session.expire_all()
    assert not comment.is_hidden and comment.hidden_reason == "" and comment.hidden_by_id is None
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "consultation.comment_shown")).one()
    assert event.details["reason"] == "Feil kommentar"
    again = client.submit(f"/consultations/comments/{comment.id}/unhide", page=detail, follow_redirects=True)
    assert "Kommentaren er ikke skjult." in again.get_data(as_text=True)
    login_as("member")
    assert comment.body in client.get(detail).get_data(as_text=True)
    assert client.submit(f"/consultations/comments/{comment.id}/unhide", page=detail).status_code == 403


def test_two_coordinators_hiding_one_comment_at_once_hide_it_once(app, db, world):
    """Both saw the comment shown; the second waits for the first and is told it is hidden: one reason, one event."""
    import threading

    make_discussed(world)
    comment_id = db.session.scalars(sa.select(Comment.id)).first()
    coordinator_id = world.coordinator.id
    db.session.commit()
    all_have_read = threading.Barrier(4)

    def hide(i: int) -> str:
        db.session().expire_on_commit = False  # keep what was read, as a view that loaded the comment does
        comment = db.session.get(Comment, comment_id)
        coordinator = db.session.get(User, coordinator_id)
        assert not comment.is_hidden
        db.session.commit()  # end the read (SQLite would otherwise hold its write lock here)
        all_have_read.wait(timeout=60)
        services.hide_comment(comment, coordinator, f"Grunn {i}")
        return "hidden"

    outcomes = at_once(app, 4, hide)
    assert outcomes.count("hidden") == 1, outcomes
    assert all(o.startswith("error: ConsultationError") for o in outcomes if o != "hidden"), outcomes
    assert count(db, AuditEvent, AuditEvent.action == "consultation.comment_hidden") == 1


def test_drafts_are_versions_and_can_be_compared(client, login_as, db, world):
    consultation = make_opened(world)
    db.session.commit()
    login_as("chair")
    url = f"/consultations/{consultation.id}/draft"
    client.submit(url, {"body": "Linje en\nLinje to"}, page=url)
    client.submit(url, {"body": "Linje en\nLinje <b>tre</b>"}, page=url)
    versions = db.session.scalars(sa.select(DraftVersion).order_by(DraftVersion.number)).all()
    assert [(v.number, v.author_id) for v in versions] == [(1, world.chair.id), (2, world.chair.id)]
    page = client.get(
        f"/consultations/{consultation.id}/versions", query_string={"a": versions[0].id, "b": versions[1].id}
    ).get_data(as_text=True)
    assert '<del class="diff-del">Linje to</del>' in page
    assert '<ins class="diff-add">Linje &lt;b&gt;tre&lt;/b&gt;</ins>' in page
    # A member who is not the writer cannot edit; once named, they can.
    login_as("member")
    assert client.get(url).status_code == 403
    login_as("chair")
    client.submit(f"/consultations/{consultation.id}/writer", {"writer": str(world.users["member"].id)}, page=url)
    login_as("member")
    assert client.get(url).status_code == 200


def test_the_vote_adopts_the_response_and_records_a_decision(db, world, in_request):
    from youthcouncil.motions.services import cast_vote, close_motion

    consultation, motion = make_voting(world)
    version = consultation.voting_version
    # Frozen while the vote is open.
    with pytest.raises(ConsultationError):
        services.save_draft(consultation, world.chair, "Noe helt annet")
    for member, choice in zip(world.members, ["yes", "yes", "no", "abstain"], strict=True):
        cast_vote(motion, member, choice)
    close_motion(motion, by=world.chair)
    db.session.commit()
    decision = db.session.scalars(sa.select(Decision)).one()
    assert (decision.yes, decision.no, decision.abstain, decision.participants, decision.eligible) == (2, 1, 1, 4, 4)
    assert decision.adopted and consultation.status == Status.adopted
    assert consultation.adopted_decision == decision and decision.version_id == version.id


def test_a_failed_vote_lets_drafting_continue(db, world, in_request):
    from youthcouncil.motions.services import cast_vote, close_motion

    consultation, motion = make_voting(world)
    cast_vote(motion, world.members[0], "yes")  # 1 of 4 took part: no quorum
    close_motion(motion, by=world.chair)
    assert consultation.status == Status.discussion and consultation.adopted_decision is None
    services.save_draft(consultation, world.chair, "Bedre utkast")
    assert consultation.latest_version.number == 2


def test_hand_count_quorum_and_tie(db, world, in_request):
    from youthcouncil.motions.services import record_hand_count

    consultation, motion = make_voting(world)
    record_hand_count(motion, yes=1, no=1, abstain=0, present=2, by=world.chair)
    assert consultation.status == Status.discussion  # yes must be more than no


def test_chair_sends_and_the_clerk_sees_the_response_and_counts_but_never_the_discussion(client, login_as, db, world):
    consultation = make_adopted(world)
    db.session.commit()
    draft_body = consultation.latest_version.body
    url = f"/consultations/{consultation.id}"

    login_as("clerk")
    page = client.get(url).get_data(as_text=True)
    assert draft_body not in page and "Vi trenger lys om kvelden." not in page
    assert client.get(f"{url}/print").status_code == 404

    login_as("chair")
    asked = client.submit(f"{url}/send", page=url)
    assert asked.status_code == 200 and 'name="confirm"' in asked.get_data(as_text=True)
    assert "Saksbehandleren får det vedtatte høringssvaret nå" in asked.get_data(as_text=True)
    unticked = client.submit(f"{url}/send", {"confirm": ""}, page=url)
    assert unticked.status_code == 422
    db.session.expire_all()
    assert consultation.status == Status.adopted and consultation.sent_at is None
    assert client.submit(f"{url}/send", {"confirm": "y"}, page=url).status_code == 303
    db.session.expire_all()
    assert consultation.status == Status.response_sent

    login_as("clerk")
    page = client.get(url).get_data(as_text=True)
    assert draft_body in page and "Vi trenger lys om kvelden." not in page  # the response, never the discussion
    printed = client.get(f"{url}/print").get_data(as_text=True)
    assert consultation.case_number in printed and "Testvik kommune" in printed and draft_body in printed
    assert "4" in printed
    home = client.get("/home").get_data(as_text=True)
    assert consultation.title in home


def test_a_clerk_cannot_read_drafts_or_versions_by_guessing_ids(client, login_as, db, world):
    consultation = make_discussed(world)
    other = make_discussed(world, title="Annen sak")
    db.session.commit()
    version = consultation.latest_version
    login_as("clerk")
    for url in (
        f"/consultations/{consultation.id}/versions",
        f"/consultations/{consultation.id}/versions/{version.id}",
        f"/consultations/{other.id}/versions/{version.id}",
        f"/consultations/{consultation.id}/draft",
    ):
        assert client.get(url).status_code == 403, url
    login_as("member")
    # A version of another request, by id, is not found under this request.
    assert client.get(f"/consultations/{other.id}/versions/{version.id}").status_code == 404


def test_the_council_can_decline_with_a_reason_the_clerk_sees(client, login_as, db, world):
    consultation = make_opened(world)
    db.session.commit()
    login_as("chair")
    url = f"/consultations/{consultation.id}/decline"
    assert client.submit(url, {"reason": ""}, page=url).status_code == 422
    assert client.submit(url, {"reason": "Saken gjelder ikke unge."}, page=url).status_code == 303
    login_as("clerk")
    assert "Saken gjelder ikke unge." in client.get(f"/consultations/{consultation.id}").get_data(as_text=True)


def test_clerk_records_the_city_decision_members_are_told_and_the_archive_shows_it(client, login_as, db, world):
    from youthcouncil.notifications.models import Notification

    consultation = make_sent(world)
    db.session.commit()
    url = f"/consultations/{consultation.id}/city-decision"
    login_as("clerk")
    response = client.submit(url, {"decision": "Parken bygges.", "usage": "Lys om kvelden kom med."}, page=url)
    assert response.status_code == 303
    db.session.expire_all()
    assert consultation.status == Status.decided
    assert (
        count(
            db,
            Notification,
            Notification.kind == "consultation.city_decision",
            Notification.user_id == world.users["member"].id,
        )
        == 1
    )
    login_as("anonymous")
    page = client.get(f"/consultations/archive/{consultation.id}").get_data(as_text=True)
    for text in (consultation.summary, consultation.adopted_version.body, "Parken bygges.", "Lys om kvelden kom med."):
        assert text in page
    assert "Vi trenger lys om kvelden." not in page  # never the discussion
    assert "Testesen" not in page  # never a child's last name


def test_the_archive_does_not_show_unsent_requests(client, db, world):
    adopted = make_adopted(world)
    db.session.commit()
    assert client.get(f"/consultations/archive/{adopted.id}").status_code == 404
    assert adopted.title not in client.get("/consultations/archive").get_data(as_text=True)


def test_status_steps_and_overdue_flag(db, world, in_request):
    from datetime import timedelta

    from youthcouncil.db import utcnow

    consultation = make_request(world.clerk, days=1)
    assert not consultation.is_overdue(utcnow())
    assert consultation.is_overdue(utcnow() + timedelta(days=3))
    assert services.days_left(consultation) == 1
    decided = make_decided(world)
    assert [state for _label, state in services.steps(decided)][-1] == "current"
    assert not decided.is_overdue(utcnow() + timedelta(days=300))


def test_deadline_reminders_are_sent_once(db, world, in_request):
    from datetime import timedelta

    from youthcouncil.consultations.notices import deadline_reminders
    from youthcouncil.db import utcnow
    from youthcouncil.notifications.models import Notification

    make_opened(world, days=6)
    db.session.commit()
    reminders = (Notification.kind == "consultation.reminder", Notification.user_id == world.users["member"].id)
    deadline_reminders(utcnow())
    assert count(db, Notification, *reminders) == 0  # sent with 6 days left: no "7 days" reminder on top of the news
    deadline_reminders(utcnow() + timedelta(days=4))
    deadline_reminders(utcnow() + timedelta(days=4, hours=1))
    assert count(db, Notification, *reminders) == 1  # the 2-day reminder, once
    make_opened(world, days=9, title="Lang frist")
    db.session.commit()
    deadline_reminders(utcnow() + timedelta(days=2))
    deadline_reminders(utcnow() + timedelta(days=2, hours=1))
    assert count(db, Notification, *reminders) == 2  # its 7-day reminder, once


def test_retention_removes_comment_text_but_keeps_adopted_responses(db, world, in_request):
    from youthcouncil.consultations.retention import minimise_personal_data

    consultation = make_decided(world)
    member = world.users["member"]
    assert minimise_personal_data([member.id]) == 1
    db.session.expire_all()
    comment = db.session.scalars(sa.select(Comment).where(Comment.author_id == member.id)).one()
    assert comment.body == "" and comment.is_removed
    assert consultation.adopted_version.body == "Ungdomsrådet støtter skateparken."
    assert minimise_personal_data([member.id]) == 0


def test_withdrawn_request_can_not_be_opened(client, db, world):
    consultation = make_request(world.clerk)
    db.session.commit()
    log_in(client, world.clerk)
    page = f"/consultations/{consultation.id}"
    client.submit(f"/consultations/{consultation.id}/withdraw", {"confirm": "y"}, page=page)
    log_in(client, world.chair)
    client.submit(f"/consultations/{consultation.id}/open", page=f"/consultations/{consultation.id}")
    db.session.expire_all()
    assert consultation.status == Status.withdrawn


def test_a_cancelled_vote_lets_drafting_continue(db, world, in_request):
    from youthcouncil.motions.services import cancel_motion

    consultation, motion = make_voting(world)
    cancel_motion(motion, by=world.chair)
    assert consultation.status == Status.discussion and consultation.voting_version_id is None
    services.save_draft(consultation, world.chair, "Nytt forsøk")


def test_two_votes_cannot_be_open_at_once(db, world, in_request):
    consultation, _motion = make_voting(world)
    services.status_label(consultation.status)
    with pytest.raises(ConsultationError):
        adoption.open_adoption_vote(consultation, world.chair, consultation.versions[0])


def test_support_is_refused_once_the_councils_work_is_finished(client, db, world, in_request):
    consultation = make_opened(world)
    comment = services.add_comment(consultation, world.users["member"], "Et godt poeng.")
    services.decline_to_respond(consultation, world.chair, "Ikke vår sak.")
    db.session.commit()
    log_in(client, world.members[1])
    response = client.submit(
        f"/consultations/comments/{comment.id}/support",
        {"support": "yes"},
        page=f"/consultations/{consultation.id}",
        follow_redirects=True,
    )
    assert response.status_code == 200 and "arbeid med denne høringen er ferdig" in response.get_data(as_text=True)
    assert comment.supports == []
