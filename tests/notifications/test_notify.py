from __future__ import annotations

import smtplib
import threading
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from tests.conftest import count
from tests.factories import make_user
from tests.threads import at_once
from youthcouncil.accounts.models import User
from youthcouncil.db import utcnow
from youthcouncil.i18n import N_
from youthcouncil.notifications import services, signals
from youthcouncil.notifications.models import MAX_ATTEMPTS, Notification, OutboxMessage

#: A msgid that has a bokmål translation in the notifications catalogue.
HELLO = N_("Hi, %(name)s!")


@pytest.fixture
def outbox_dir(app, tmp_path):
    """Point the instance path (where .eml files go) at a fresh folder; no SMTP."""
    old = dict(app.config)
    app.config["INSTANCE_PATH"] = str(tmp_path)
    app.config["SMTP_HOST"] = ""
    yield tmp_path / "outbox"
    app.config.update(INSTANCE_PATH=old["INSTANCE_PATH"], SMTP_HOST=old["SMTP_HOST"])


@pytest.fixture
def adult(db, world):
    user = make_user("clerk", first_name="Eva", email="eva@example.org")
    db.session.commit()
    return user


def test_notify_writes_in_app_for_everyone_and_email_for_adults(db, world, adult):
    added = services.notify(
        [world.users["member"], adult], kind="test.hello", message=HELLO, params={"name": "Ola"}, link="/home"
    )
    db.session.commit()
    assert added == 2
    notes = db.session.scalars(sa.select(Notification).order_by(Notification.user_id)).all()
    assert {n.text for n in notes} == {"Hei, Ola!"}
    assert notes[0].message_id == "Hi, %(name)s!" and notes[0].params == {"name": "Ola"}
    mails = db.session.scalars(sa.select(OutboxMessage)).all()
    assert [m.to_address for m in mails] == ["eva@example.org"]
    assert "Hei, Ola!" in mails[0].body and "/home" in mails[0].body


def test_notify_takes_the_marked_msgid_not_a_translated_string(db, world):
    """The msgid is stored so that each reader sees the message in their language; a lazy or translated string
    would hide it (reading it back out of a LazyString means reaching into its private fields)."""
    with pytest.raises(TypeError):
        services.notify([world.users["member"]], kind="k", message=_l("Hi, %(name)s!"), params={"name": "A"})


def test_dedupe_key_makes_notify_idempotent_per_user(db, world, adult):
    key = "consultation:12:reminder7"
    assert services.notify([adult], kind="k", message=HELLO, params={"name": "A"}, dedupe_key=key) == 1
    db.session.commit()
    assert (
        services.notify([adult, world.users["member"]], kind="k", message=HELLO, params={"name": "A"}, dedupe_key=key)
        == 1
    )  # only the member is new
    db.session.commit()
    assert (
        services.notify([adult, world.users["member"]], kind="k", message=HELLO, params={"name": "A"}, dedupe_key=key)
        == 0
    )
    db.session.commit()
    assert count(db, Notification) == 2
    assert count(db, OutboxMessage) == 1


def test_concurrent_notify_with_one_key_writes_once(app, db, world, adult):
    adult_id = adult.id

    def send(i: int) -> int:
        user = db.session.get(User, adult_id)
        return services.notify([user], kind="k", message=HELLO, params={"name": "A"}, dedupe_key="race")

    outcomes = at_once(app, 8, send)
    assert sorted(outcomes) == ["0"] * 7 + ["1"], outcomes  # one thread added it; seven found it there
    assert count(db, Notification) == 1 and count(db, OutboxMessage) == 1


def test_delivery_without_smtp_writes_eml_files_once(db, world, adult, outbox_dir):
    services.notify([adult], kind="k", message=HELLO, params={"name": "Eva"}, link="/notifications")
    db.session.commit()
    report = services.deliver_due()
    assert (report.sent, report.failed) == (1, 0)
    files = list(outbox_dir.glob("*.eml"))
    assert len(files) == 1
    mail = message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert mail["To"] == "eva@example.org"
    assert mail["Subject"] == "Ungdomsrådet: Hei, Eva!"
    assert "Hei, Eva!" in mail.get_content()
    message = db.session.scalars(sa.select(OutboxMessage)).one()
    assert message.sent_at is not None and message.attempts == 1
    assert services.deliver_due().sent == 0  # idempotent: nothing more to send


class BrokenSMTP:
    calls = 0

    def __init__(self, *args, **kwargs):
        type(self).calls += 1
        raise smtplib.SMTPConnectError(421, b"try later")


def test_smtp_failure_is_retried_with_backoff_then_given_up(app, db, world, adult, monkeypatch, outbox_dir):
    monkeypatch.setattr(smtplib, "SMTP", BrokenSMTP)
    app.config["SMTP_HOST"] = "smtp.example.org"
    services.notify([adult], kind="k", message=HELLO, params={"name": "Eva"})
    db.session.commit()
    now = utcnow()
    report = services.deliver_due(now)
    assert (report.sent, report.failed) == (0, 1)
    message = db.session.scalars(sa.select(OutboxMessage)).one()
    assert message.attempts == 1 and "try later" in message.last_error
    assert message.next_attempt_at == now + timedelta(minutes=1)
    assert services.deliver_due(now + timedelta(seconds=30)).claimed == 0  # not due yet

    delays = []
    moment = now
    for attempt in range(2, MAX_ATTEMPTS + 1):
        moment = message.next_attempt_at
        report = services.deliver_due(moment)
        db.session.refresh(message)
        delays.append(message.next_attempt_at - moment)
        assert message.attempts == attempt
    assert delays[:4] == [timedelta(minutes=m) for m in (2, 4, 8, 16)]
    assert max(delays) <= timedelta(hours=6)
    assert report.gave_up == 1 and message.gave_up and message.last_error
    assert services.deliver_due(moment + timedelta(days=2)).claimed == 0  # no 11th try
    assert BrokenSMTP.calls >= MAX_ATTEMPTS
    assert not list(outbox_dir.glob("*.eml"))


def test_a_failed_send_never_reaches_the_users_request(client, db, world, adult, login_as, monkeypatch):
    monkeypatch.setattr(smtplib, "SMTP", BrokenSMTP)
    before = BrokenSMTP.calls
    services.notify([world.users["member"]], kind="k", message=HELLO, params={"name": "Mia"})
    db.session.commit()
    login_as("member")
    assert client.get("/notifications").status_code == 200
    assert BrokenSMTP.calls == before


def test_two_workers_never_send_one_message_twice(app, db, world, outbox_dir, monkeypatch):
    users = [make_user("coordinator", email=f"c{i}@example.org") for i in range(12)]
    db.session.flush()
    services.notify(users, kind="k", message=HELLO, params={"name": "X"})
    db.session.commit()
    sent = []
    lock = threading.Lock()
    original = services.send

    def counting_send(message):
        with lock:
            sent.append(message.id)
        original(message)

    monkeypatch.setattr(services, "send", counting_send)
    outcomes = at_once(app, 4, lambda i: services.deliver_due(batch=50).sent)
    assert not [o for o in outcomes if o.startswith("error")], outcomes
    assert sum(int(o) for o in outcomes) == 12, outcomes  # the four workers sent 12 between them
    assert sorted(sent) == sorted(set(sent)) and len(sent) == 12
    assert count(db, OutboxMessage, OutboxMessage.sent_at.is_(None)) == 0


def test_every_domain_with_something_due_listens_to_the_notify_run(app):
    listening = {f"{receiver.__module__}.{receiver.__name__}" for receiver in signals.due_now.receivers_for(None)}
    assert {
        "youthcouncil.budget.ballot._remind_of_drafts",
        "youthcouncil.consultations.notices._remind_of_deadlines",
        "youthcouncil.safety_week.services._count_rounds_whose_voting_closed",
    } <= listening


def test_notify_command_runs_due_checks_then_delivers(app, db, world, adult, outbox_dir):
    calls = []

    def check(sender, *, now, **kwargs):
        calls.append(now)
        services.notify([adult], kind="reminder", message=HELLO, params={"name": "Eva"}, dedupe_key="reminder:1")

    def broken(sender, **kwargs):
        raise RuntimeError("this check is broken")

    runner = app.test_cli_runner()
    with signals.due_now.connected_to(broken), signals.due_now.connected_to(check):
        result = runner.invoke(args=["notify"])
        assert result.exit_code == 0, result.output
        assert "1 sent" in result.output
        assert "1 failed" in result.output and "this check is broken" in result.output  # the others still ran
        result = runner.invoke(args=["notify"])
        assert "0 sent" in result.output  # the reminder is not sent twice
    assert len(calls) == 2
    assert len(list(outbox_dir.glob("*.eml"))) == 1


def test_prune_deletes_old_read_notifications_and_finished_mail_only(db, world, adult):
    services.notify([adult, world.users["member"]], kind="k", message=HELLO, params={"name": "A"})
    db.session.commit()
    later = utcnow() + timedelta(days=200)
    assert services.prune(later) == (0, 0)  # unread and unsent: kept
    services.mark_read(world.users["member"])
    db.session.execute(sa.update(Notification).values(read_at=utcnow()))
    db.session.execute(sa.update(OutboxMessage).values(sent_at=utcnow()))
    db.session.commit()
    assert services.prune(utcnow()) == (0, 0)  # too new
    assert services.prune(later) == (2, 1)
