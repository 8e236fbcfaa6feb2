"""The ``notify`` command end to end, for every consultation event."""

from __future__ import annotations

import smtplib
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
import sqlalchemy as sa

from tests.conftest import count
from tests.consultations.builders import make_request
from tests.factories import make_user
from youthcouncil.consultations import adoption, services
from youthcouncil.consultations.models import Consultation
from youthcouncil.db import utcnow


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
        db.session.rollback()  # `flask notify` starts outside a transaction, as in production
        result = runner.invoke(args=["notify"])
        assert result.exit_code == 0, result.output
        db.session.expire_all()
        return result.output

    def mails() -> list:
        return [
            message_from_bytes(p.read_bytes(), policy=policy.default)
            for p in sorted(outbox_dir.glob("*.eml"), key=lambda p: int(p.stem))
        ]  # named by id: 9 before 10

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
