"""Review checks: LIX by hand, harmless file names, escaping, what a clerk may see on every URL (motions too), the
print view, the English UI, and the ``notify`` command end to end for every consultation event."""

from __future__ import annotations

import io
import re
import smtplib
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
import sqlalchemy as sa

from tests.conftest import count, log_in
from tests.consultations.builders import PDF, FakeFile, make_decided, make_opened, make_request, make_sent
from tests.factories import make_user
from youthcouncil.consultations import adoption, readability, services
from youthcouncil.consultations.models import Attachment, Consultation, Status
from youthcouncil.db import utcnow
from youthcouncil.i18n import to_oslo


@pytest.fixture
def request_ctx(app):
    with app.test_request_context("/"):
        yield


# --- Readability ---------------------------------------------------------------------------------------------


def test_lix_matches_a_hand_computed_example():
    text = "Kommunen planlegger en ny skatepark ved skolen. Hva synes dere om forslaget?"
    # Words: Kommunen planlegger en ny skatepark ved skolen | Hva synes dere om forslaget = 7 + 5 = 12.
    # Long (more than 6 letters): Kommunen(8) planlegger(10) skatepark(9) forslaget(9) = 4; "skolen" has 6: not long.
    # LIX = 12 / 2 + 100 * 4 / 12 = 6 + 33.33 = 39.33 -> 39
    result = readability.lix(text)
    assert (result.words, result.sentences, result.long_words, result.lix) == (12, 2, 4, 39)
    assert result.is_hard  # above 35: the gentle warning


def test_lix_counts_letters_not_hyphens_and_rounds_half_up():
    # "e-sport" has 7 characters but only 6 letters: not a long word.
    assert readability.lix("Vi liker e-sport").long_words == 0
    # 3 words, 2 sentences, 0 long -> 1.5 -> 2 (not banker's rounding)
    assert readability.lix("Vi leker. Hei du.").lix == 2
    # Sentences end at . ! ? and : (as in Björnsson's LIX), not at a semicolon or a comma.
    assert readability.lix("Vi leker; det er gøy, sant?").sentences == 1
    assert readability.lix("Se her: det er gøy! Ikke sant?").sentences == 3


# --- Uploads: names that try to escape or inject -------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "../../../etc/passwd.pdf",
        "..\\..\\windows\\evil.pdf",
        '<img src=x onerror="alert(1)">.pdf',
        "<script>alert(1)</script>",
    ],
)
def test_a_file_name_with_a_path_or_html_is_harmless(app, client, login_as, db, world, name):
    login_as("clerk")
    deadline = (to_oslo(utcnow()).date() + timedelta(days=30)).isoformat()
    data = {
        "title": "Navn",
        "case_number": "2026/1",
        "case_text": "Tekst.",
        "summary": "Kort. Enkelt.",
        "questions": "",
        "deadline": deadline,
        "attachments": (io.BytesIO(PDF), name),
    }
    response = client.submit("/consultations/new", data, page="/consultations/new", content_type="multipart/form-data")
    assert response.status_code == 303
    attachment = db.session.scalars(sa.select(Attachment)).one()
    assert "/" not in attachment.filename and "\\" not in attachment.filename
    assert "<" not in attachment.filename and ">" not in attachment.filename and ".." not in attachment.filename
    assert attachment.filename.endswith(".pdf")
    stored = services.attachment_path(attachment)
    assert stored.parent == services.upload_folder() and re.fullmatch(r"[0-9a-f]{40}", stored.name)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<script>alert" not in page and "<img src=x" not in page
    download = client.get(f"/consultations/{attachment.consultation_id}/attachments/{attachment.id}")
    assert download.status_code == 200 and download.data == PDF
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment") and "/" not in disposition and "<" not in disposition
    assert download.headers["X-Content-Type-Options"] == "nosniff"


def test_user_text_is_escaped_everywhere(client, login_as, db, world, request_ctx):
    evil = '<script>alert("x")</script>'
    consultation = make_opened(world, title=f"Tittel {evil}", summary=f"Kort {evil}")
    services.add_comment(consultation, world.users["member"], f"Kommentar {evil}")
    services.save_draft(consultation, world.chair, f"Svar {evil}\nlinje to")
    db.session.commit()
    cid = consultation.id
    login_as("member")
    for url in (f"/consultations/{cid}", f"/consultations/{cid}/versions", "/consultations/", "/home"):
        page = client.get(url).get_data(as_text=True)
        assert evil not in page, url
        assert "&lt;script&gt;" in page, url


def test_support_is_refused_once_the_councils_work_is_finished(client, db, world, request_ctx):
    consultation = make_opened(world)
    comment = services.add_comment(consultation, world.users["member"], "Et godt poeng.")
    services.decline_to_respond(consultation, world.chair, "Ikke vår sak.")
    db.session.commit()
    log_in(client, world.members[1])
    response = client.submit(
        f"/consultations/comments/{comment.id}/support", page=f"/consultations/{consultation.id}", follow_redirects=True
    )
    assert response.status_code == 200 and "arbeid med denne høringen er ferdig" in response.get_data(as_text=True)
    assert comment.supports == []


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


def test_a_clerk_never_sees_discussion_or_drafts_on_any_url(app, client, db, world, request_ctx):
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


def test_the_public_sees_only_the_vote_that_adopted_a_sent_response(client, db, world, request_ctx):
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


# --- Status line ----------------------------------------------------------------------------------------------


def test_the_status_line_and_overdue_flag_are_shown_to_clerk_and_council(client, db, world, request_ctx):
    consultation = make_request(world.clerk, days=1)
    db.session.commit()
    cid = consultation.id
    # Move the deadline into the past (as if the days went by).
    consultation.deadline = utcnow() - timedelta(days=2)
    db.session.commit()
    for user in (world.clerk, world.users["member"]):
        log_in(client, user)
        page = client.get(f"/consultations/{cid}").get_data(as_text=True)
        assert "Fristen er ute" in page, user.first_name
        listing = client.get("/consultations/").get_data(as_text=True)
        assert "Fristen er ute" in listing
    labels = [label for label, _state in services.steps(make_decided(world))]
    assert labels == [
        "Sendt",
        "Åpnet",
        "Til diskusjon",
        "Avstemning",
        "Vedtatt",
        "Høringssvar sendt",
        "Kommunens vedtak registrert",
    ]


# --- Print view ------------------------------------------------------------------------------------------------


def test_the_print_view_has_the_letter_facts_and_no_navigation(app, client, db, world, request_ctx):
    consultation = make_sent(world, case_number="2026/4711")
    db.session.commit()
    log_in(client, world.clerk)
    page = client.get(f"/consultations/{consultation.id}/print").get_data(as_text=True)
    decided = to_oslo(consultation.adopted_decision.decided_at)
    assert "Testvik kommune" in page and "2026/4711" in page
    assert f"{decided.day}. " in page and str(decided.year) in page
    assert re.search(r"Vedtatt av ungdomsrådet [^:]+: 4 ja, 0 nei, 0 avstår", page)
    assert "<nav" not in page and "main-nav" not in page
    css = app.static_folder + "/css/consultations.css"
    with open(css, encoding="utf-8") as handle:
        stylesheet = handle.read()
    assert re.search(r"@media print\s*{[^}]*\.cs-print-back\s*{\s*display:\s*none", stylesheet)


# --- English --------------------------------------------------------------------------------------------------


NORWEGIAN = re.compile(
    r"[æøåÆØÅ]|\b(og|ikke|til|av|på|som|har|kan|du|dere|sak|høring\w*|vedtak\w*|Saksnummer)\b", re.IGNORECASE
)


def _main(html: str) -> str:
    start = html.find("<main")
    end = html.find("</main>")
    return html[start:end] if start >= 0 else html


def test_the_english_ui_has_no_norwegian_text(app, client, db, world, request_ctx):
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
    checked = 0
    for role, urls in pages.items():
        if role == "anonymous":
            with client.session_transaction() as session:
                session.clear()
        else:
            log_in(client, world.users[role])
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, (role, url)
            text = re.sub(r"<[^>]+>", " ", _main(response.get_data(as_text=True)))
            text = text.replace("2026/0001", "")
            found = [m.group(0) for m in NORWEGIAN.finditer(text)]
            assert not found, (role, url, found, text[:3000])
            checked += 1
    assert checked == 26


# --- notify, end to end --------------------------------------------------------------------------------------


class FakeSMTP:
    sent: list = []
    fail = False

    def __init__(self, host, port, timeout=None):
        if type(self).fail:
            raise smtplib.SMTPConnectError(421, b"try later")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def starttls(self):
        pass

    def login(self, user, password):
        pass

    def send_message(self, mail):
        type(self).sent.append(mail)


@pytest.fixture
def outbox_dir(app, tmp_path):
    old = {key: app.config.get(key) for key in ("INSTANCE_PATH", "SMTP_HOST")}
    app.config["INSTANCE_PATH"] = str(tmp_path)
    app.config["SMTP_HOST"] = ""
    yield tmp_path / "outbox"
    app.config.update(old)


def test_notify_command_end_to_end_for_every_consultation_event(app, db, world, outbox_dir, monkeypatch):
    from youthcouncil.motions.services import cast_vote, close_motion
    from youthcouncil.notifications import cli as notify_cli
    from youthcouncil.notifications import services as notifications
    from youthcouncil.notifications.models import Notification, OutboxMessage

    clerk = make_user("clerk", first_name="Eva", email="eva@example.org")
    coordinator = make_user("coordinator", first_name="Ida", email="ida@example.org")
    member = world.users["member"]
    db.session.commit()
    start = utcnow()
    clock = {"now": start}
    monkeypatch.setattr(notify_cli, "utcnow", lambda: clock["now"])
    monkeypatch.setattr(notifications, "utcnow", lambda: clock["now"])
    runner = app.test_cli_runner()

    def run(at: timedelta) -> str:
        clock["now"] = start + at
        result = runner.invoke(args=["notify"])
        assert result.exit_code == 0, result.output
        db.session.expire_all()
        return result.output

    def mails() -> list:
        return [message_from_bytes(p.read_bytes(), policy=policy.default) for p in sorted(outbox_dir.glob("*.eml"))]

    def notes(kind: str, user) -> int:
        return count(db, Notification, Notification.kind == kind, Notification.user_id == user.id)

    # 1. A new request, deadline in 10 days.
    with app.test_request_context("/"):
        consultation = make_request(clerk, days=10, title="Ny skatepark")
    db.session.commit()
    assert "1 sent" in run(timedelta(0))  # only Ida (an adult with an address); children get in-app only
    sent = mails()
    assert [m["To"] for m in sent] == ["ida@example.org"] and "Ny skatepark" in sent[0].get_content()
    assert notes("consultation.new", member) == 1 and notes("consultation.new", coordinator) == 1
    assert notes("consultation.new", world.coordinator) == 1 and notes("consultation.new", clerk) == 0
    assert all(m["To"] in ("eva@example.org", "ida@example.org") for m in sent)  # never a child
    # Idempotent: a second run sends nothing and writes nothing.
    assert "0 sent" in run(timedelta(minutes=5))
    assert len(mails()) == 1 and notes("consultation.new", member) == 1

    # 2. Seven days before the deadline, then two days before: once each.
    assert "1 sent" in run(timedelta(days=3))
    assert notes("consultation.reminder", member) == 1
    assert (
        "7"
        in db.session.scalars(
            sa.select(Notification.text).where(
                Notification.kind == "consultation.reminder", Notification.user_id == member.id
            )
        ).one()
    )
    assert "0 sent" in run(timedelta(days=3, hours=1))
    assert notes("consultation.reminder", member) == 1
    assert "1 sent" in run(timedelta(days=8))
    assert notes("consultation.reminder", member) == 2
    assert "0 sent" in run(timedelta(days=8, minutes=10))
    assert len(mails()) == 3

    # 3. The vote opens; 4. the response is sent (to the clerk); 5. the city's decision is recorded.
    with app.test_request_context("/"):
        services.open_request(consultation, world.chair)
        services.save_draft(consultation, world.chair, "Vi støtter parken.")
        motion = adoption.open_adoption_vote(consultation, world.chair, consultation.latest_version)
    db.session.commit()
    assert "1 sent" in run(timedelta(days=8, hours=1))
    assert notes("consultation.vote", member) == 1 and notes("consultation.vote", clerk) == 0
    assert "/motions/" in mails()[-1].get_content()
    with app.test_request_context("/"):
        for voter in world.members:
            cast_vote(motion, voter, "yes")
        close_motion(motion, by=world.chair)
        services.send_response(consultation, world.chair)
    db.session.commit()
    assert "1 sent" in run(timedelta(days=8, hours=2))
    last = mails()[-1]
    assert last["To"] == "eva@example.org" and "2026/0001" in last.get_content()
    assert notes("consultation.response", clerk) == 1 and notes("consultation.response", member) == 0
    with app.test_request_context("/"):
        services.record_city_decision(consultation, clerk, "Parken bygges.", "Lyset kom med.")
    db.session.commit()

    # A failing SMTP server: retried with backoff, the user's request never waited for it.
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    FakeSMTP.fail, FakeSMTP.sent = True, []
    app.config["SMTP_HOST"] = "smtp.example.org"
    at = timedelta(days=20)
    assert "1 to retry" in run(at)
    assert notes("consultation.city_decision", member) == 1  # in-app at once, for everyone
    message = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.sent_at.is_(None))).one()
    assert message.attempts == 1 and "try later" in message.last_error
    assert message.next_attempt_at == start + at + timedelta(minutes=1)
    assert "0 sent, 0 to retry" in run(at + timedelta(seconds=30))  # not due yet: not tried again
    assert "1 to retry" in run(at + timedelta(minutes=1))
    db.session.refresh(message)
    assert message.attempts == 2 and message.next_attempt_at == start + at + timedelta(minutes=1 + 2)
    FakeSMTP.fail = False
    assert "1 sent" in run(at + timedelta(minutes=3))
    assert [m["To"] for m in FakeSMTP.sent] == ["ida@example.org"]
    assert "Ny skatepark" in FakeSMTP.sent[0].get_content()
    assert "0 sent" in run(at + timedelta(hours=1))
    assert count(db, OutboxMessage, OutboxMessage.sent_at.is_(None)) == 0
    assert count(db, Consultation) == 1
