"""Notifications: written in the same transaction as the event; e-mail is sent later by the ``notify`` command.

``notify`` only adds rows to the session (the caller's transaction commits them with the event). Nothing here
talks to a mail server inside a user's request: ``deliver_due`` runs from the CLI (cron, every few minutes).
"""

from __future__ import annotations

import ipaddress
import logging
import smtplib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime as email_date
from email.utils import make_msgid, parseaddr
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from sqlalchemy.exc import IntegrityError

from youthcouncil.db import utcnow
from youthcouncil.extensions import db
from youthcouncil.i18n import gettext
from youthcouncil.links import public_base_url, public_url_of
from youthcouncil.notifications import signals
from youthcouncil.notifications.models import MAX_ATTEMPTS, Notification, OutboxMessage

log = logging.getLogger(__name__)

#: How long a claimed message is held by the worker that claimed it before another worker may try it again.
CLAIM_LEASE = timedelta(minutes=10)
BACKOFF_CAP = timedelta(hours=6)
#: Read notifications and sent (or given-up) e-mails are deleted after this long: keep minors' data no longer
#: than needed.
KEEP_READ_NOTIFICATIONS = timedelta(days=180)
KEEP_FINISHED_MAIL = timedelta(days=30)
DEFAULT_LANGUAGE = "nb"

# --- Writing ------------------------------------------------------------------------------------------------


def render(message_id: str, params: dict[str, Any] | None, *, fallback: str | None = None) -> str:
    """The message in the current language; the stored text if the msgid or its parameters no longer fit."""
    try:
        return gettext(message_id, **(params or {}))
    except (KeyError, TypeError, ValueError):
        return fallback if fallback is not None else message_id


def render_in(language: str, message_id: str, params: dict[str, Any] | None) -> str:
    with force_locale(language):
        return render(message_id, params)


def _json_safe(params: dict[str, Any]) -> dict[str, Any]:
    safe = {}
    for key, value in (params or {}).items():
        if isinstance(value, (str, int, float, bool)) or value is None:
            safe[key] = value
        elif isinstance(value, datetime):
            safe[key] = value.isoformat()
        else:
            safe[key] = str(value)
    return safe


def notify(
    users: Iterable,
    *,
    kind: str,
    message: str,
    params: dict[str, Any] | None = None,
    link: str | None = None,
    dedupe_key: str | None = None,
) -> int:
    """Tell users something: an in-app notification each, and an e-mail in the outbox for those with an address.

    ``message`` is the English msgid, marked with ``N_(...)`` (``youthcouncil.i18n``) so that it is in the
    catalogue, with ``%(name)s`` placeholders filled from ``params``; it is stored as it is and shown in each
    reader's language.
    With ``dedupe_key``, a user who already got a notification with that key gets nothing new (idempotent, also
    under concurrent calls: the database holds one row per user and key). Returns how many notifications were
    added. Adds to the current transaction; the caller commits with the event.
    """
    if not isinstance(message, str):
        raise TypeError("notify() takes the msgid marked with N_(...), not a translated or lazy string")
    message_id = message
    params = _json_safe(params or {})
    people = {user.id: user for user in users if user is not None and user.id is not None}
    if not people:
        return 0
    if dedupe_key:
        already = set(
            db.session.scalars(
                sa.select(Notification.user_id).where(
                    Notification.dedupe_key == dedupe_key, Notification.user_id.in_(list(people))
                )
            )
        )
        people = {uid: user for uid, user in people.items() if uid not in already}
    if not people:
        return 0
    text = render_in(DEFAULT_LANGUAGE, message_id, params)
    subject = _subject(text)
    added = 0
    now = utcnow()
    for user in people.values():
        note = Notification(
            user_id=user.id,
            kind=kind,
            text=text,
            message_id=message_id,
            params=params,
            link=link,
            dedupe_key=dedupe_key,
            created_at=now,
        )
        email = getattr(user, "email", None)
        mail = None
        # Only adults get e-mail; a member (a child) never does, whatever the account holds.
        if email and getattr(user, "active", True) and getattr(user, "may_have_email", False):
            mail = OutboxMessage(
                to_address=email,
                subject=subject,
                body=_body(user, text, link),
                dedupe_key=f"{dedupe_key}:to:{user.id}" if dedupe_key else None,
                created_at=now,
                attempts=0,
                next_attempt_at=now,
            )
        try:
            with db.session.begin_nested():
                db.session.add(note)
                if mail is not None:
                    db.session.add(mail)
                db.session.flush()
        except IntegrityError:
            # Another request wrote the same (user, key) at the same moment: that one counts.
            continue
        added += 1
    return added


def _council_name() -> str:
    with force_locale(DEFAULT_LANGUAGE):
        return gettext("Youth council")


def _subject(text: str) -> str:
    """The message's first line, after the council's name unless the line already starts with it."""
    prefix = _council_name()
    first_line = text.strip().splitlines()[0] if text.strip() else ""
    subject = first_line if first_line.casefold().startswith(prefix.casefold()) else f"{prefix}: {first_line}"
    return subject if len(subject) <= 200 else subject[:197] + "…"


def mail_sender() -> str:
    """MAIL_FROM; else the council's name at ``noreply@`` the host people reach the app at (``localhost`` while
    that is an IP address or a single name, as on a developer's machine)."""
    configured = current_app.config.get("MAIL_FROM")
    if configured:
        return configured
    host = (urlsplit(public_base_url()).hostname or "").rstrip(".")
    try:
        ipaddress.ip_address(host)
        host = "localhost"
    except ValueError:
        if "." not in host:
            host = "localhost"
    return str(Address(_council_name(), "noreply", host))


def mail_settings() -> str:
    """One line for the start-up output: who e-mails come from and where they go."""
    sender = mail_sender()
    if current_app.config.get("SMTP_HOST"):
        where = f"sent through {current_app.config['SMTP_HOST']}:{current_app.config['SMTP_PORT']}"
    else:
        where = f"written to {outbox_folder()} as .eml files (set SMTP_HOST to send them)"
    return f"E-mail (adults only) from {sender}, {where}"


def _body(user, text: str, link: str | None) -> str:
    with force_locale(DEFAULT_LANGUAGE):
        lines = [gettext("Hi, %(name)s!", name=user.first_name), "", text]
        if link:
            lines += ["", gettext("Read more: %(url)s", url=public_url_of(link))]
        lines += ["", "—", gettext("This message was sent by the youth council's web site.")]
    return "\n".join(lines) + "\n"


@dataclass
class DueCheckReport:
    ran: int = 0
    failed: list[str] = field(default_factory=list)


def run_due_checks(now: datetime | None = None) -> DueCheckReport:
    """Run every receiver of ``signals.due_now``, each in its own transaction (one failing does not stop the others)."""
    now = now or utcnow()
    report = DueCheckReport()
    for check in list(signals.due_now.receivers_for(None)):
        name = f"{check.__module__}.{getattr(check, '__qualname__', repr(check))}"
        try:
            check(None, now=now)
            db.session.commit()
            report.ran += 1
        except Exception as error:  # noqa: BLE001 - a broken check must not stop the mail from going out
            db.session.rollback()
            log.exception("due check %s failed", name)
            report.failed.append(f"{name}: {error}")
    return report


def vote_over(*, kind: str, link: str, message: str, params: dict[str, Any] | None = None) -> int:
    """A vote that messages of ``kind`` pointing to ``link`` asked members to take part in is over: those messages
    say so instead (``message``, an N_-marked msgid) and no longer count as new. Returns how many changed."""
    params = _json_safe(params or {})
    result = db.session.execute(
        sa.update(Notification)
        .where(Notification.kind == kind, Notification.link == link)
        .values(
            message_id=message,
            params=params,
            text=render_in(DEFAULT_LANGUAGE, message, params),
            read_at=sa.func.coalesce(Notification.read_at, utcnow()),
        )
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


# --- Reading ------------------------------------------------------------------------------------------------


def notifications_for(user, limit: int = 100) -> list[Notification]:
    return list(
        db.session.scalars(
            sa.select(Notification)
            .where(Notification.user_id == user.id)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(limit)
        )
    )


_UNREAD = sa.select(sa.func.count()).where(  # built once: every page with the menu asks
    Notification.user_id == sa.bindparam("user_id"), Notification.read_at.is_(None)
)


def unread_count(user) -> int:
    if user is None or getattr(user, "id", None) is None:
        return 0
    return db.session.scalar(_UNREAD, {"user_id": user.id}) or 0


def mark_read(user, notification_id: int | None = None) -> int:
    """Mark one of the user's notifications (or all of them) as read; returns how many changed."""
    where = [Notification.user_id == user.id, Notification.read_at.is_(None)]
    if notification_id is not None:
        where.append(Notification.id == notification_id)
    result = db.session.execute(
        sa.update(Notification).where(*where).values(read_at=utcnow()).execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


# --- Delivering ---------------------------------------------------------------------------------------------


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0  # will be tried again later
    gave_up: int = 0  # failed for the last time
    skipped: int = 0  # another worker claimed it first
    errors: list[str] = field(default_factory=list)

    @property
    def claimed(self) -> int:
        return self.sent + self.failed + self.gave_up


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8 … minutes after the 1st, 2nd, 3rd … failed try, at most 6 hours."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), BACKOFF_CAP)


def due_query(now: datetime, batch: int) -> sa.Select:
    return (
        sa.select(OutboxMessage.id)
        .where(
            OutboxMessage.sent_at.is_(None),
            OutboxMessage.attempts < MAX_ATTEMPTS,
            OutboxMessage.next_attempt_at <= now,
        )
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(batch)
    )


def _claim(message_id: int, now: datetime) -> OutboxMessage | None:
    """Take one message with a conditional UPDATE; of two workers, exactly one gets a row back."""
    result = db.session.execute(
        sa.update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.sent_at.is_(None),
            OutboxMessage.attempts < MAX_ATTEMPTS,
            OutboxMessage.next_attempt_at <= now,
        )
        .values(attempts=OutboxMessage.attempts + 1, next_attempt_at=now + CLAIM_LEASE)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    if result.rowcount != 1:
        return None
    message = db.session.get(OutboxMessage, message_id, populate_existing=True)
    return message


def email_message(message: OutboxMessage) -> EmailMessage:
    mail = EmailMessage()
    sender = mail_sender()
    mail["From"] = sender
    mail["To"] = message.to_address
    mail["Subject"] = message.subject
    mail["Date"] = email_date(message.created_at)
    mail["Message-ID"] = make_msgid(domain=parseaddr(sender)[1].rpartition("@")[2] or None)
    mail.set_content(message.body)
    return mail


def _send_smtp(mail: EmailMessage) -> None:
    config = current_app.config
    with smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=30) as smtp:
        if config.get("SMTP_STARTTLS"):
            smtp.starttls()
        if config.get("SMTP_USERNAME"):
            smtp.login(config["SMTP_USERNAME"], config.get("SMTP_PASSWORD", ""))
        smtp.send_message(mail)


def outbox_folder() -> Path:
    return Path(current_app.config["INSTANCE_PATH"]) / "outbox"


def _write_eml(message: OutboxMessage, mail: EmailMessage) -> None:
    folder = outbox_folder()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{message.id}.eml"
    temporary = path.with_suffix(".eml.tmp")
    temporary.write_bytes(bytes(mail))
    temporary.replace(path)


def send(message: OutboxMessage) -> None:
    """Send one message: SMTP when SMTP_HOST is configured, else an .eml file in instance/outbox/."""
    mail = email_message(message)
    if current_app.config.get("SMTP_HOST"):
        _send_smtp(mail)
    else:
        _write_eml(message, mail)


def deliver_due(now: datetime | None = None, *, batch: int = 50) -> DeliveryReport:
    """Send up to ``batch`` due messages. Commits per message; safe to run in several workers at once."""
    now = now or utcnow()
    report = DeliveryReport()
    ids = list(db.session.scalars(due_query(now, batch)))
    db.session.commit()
    for message_id in ids:
        message = _claim(message_id, now)
        if message is None:
            report.skipped += 1
            continue
        try:
            send(message)
        except Exception as error:  # noqa: BLE001 - any failure to send is retried later
            db.session.rollback()
            text = f"{type(error).__name__}: {error}"[:2000]
            gave_up = message.attempts >= MAX_ATTEMPTS
            db.session.execute(
                sa.update(OutboxMessage)
                .where(OutboxMessage.id == message.id, OutboxMessage.sent_at.is_(None))
                .values(last_error=text, next_attempt_at=now + backoff(message.attempts))
                .execution_options(synchronize_session=False)
            )
            db.session.commit()
            report.errors.append(f"#{message.id} to {message.to_address}: {text}")
            if gave_up:
                report.gave_up += 1
            else:
                report.failed += 1
            log.warning("sending outbox message %s failed (try %s): %s", message.id, message.attempts, text)
        else:
            db.session.execute(
                sa.update(OutboxMessage)
                .where(OutboxMessage.id == message.id)
                .values(sent_at=utcnow(), last_error=None)
                .execution_options(synchronize_session=False)
            )
            db.session.commit()
            report.sent += 1
    db.session.expire_all()
    return report


def prune(now: datetime | None = None) -> tuple[int, int]:
    """Delete old read notifications and old finished e-mails; returns (notifications, e-mails) deleted."""
    now = now or utcnow()
    notes = (
        db.session.execute(
            sa.delete(Notification)
            .where(Notification.read_at.is_not(None), Notification.read_at < now - KEEP_READ_NOTIFICATIONS)
            .execution_options(synchronize_session=False)
        ).rowcount
        or 0
    )
    mails = (
        db.session.execute(
            sa.delete(OutboxMessage)
            .where(
                OutboxMessage.created_at < now - KEEP_FINISHED_MAIL,
                sa.or_(OutboxMessage.sent_at.is_not(None), OutboxMessage.attempts >= MAX_ATTEMPTS),
            )
            .execution_options(synchronize_session=False)
        ).rowcount
        or 0
    )
    db.session.commit()
    return notes, mails
