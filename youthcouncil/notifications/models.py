"""In-app notifications for everyone, and the e-mail outbox for adults, both written with the event."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from youthcouncil.db import utcnow
from youthcouncil.extensions import db

#: A message that failed this many times is not tried again (its last error is kept).
MAX_ATTEMPTS = 10


class Notification(db.Model):
    __tablename__ = "notifications"
    __table_args__ = (
        # notify(..., dedupe_key=...) twice for the same user adds nothing the second time.
        sa.UniqueConstraint("user_id", "dedupe_key"),
        sa.Index("ix_notifications_user_unread", "user_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: What happened, for filtering and tests: e.g. "consultation.new", "motion.opened".
    kind: Mapped[str] = mapped_column(sa.String(60))
    #: The message rendered in bokmål (the default language) when it was written.
    text: Mapped[str] = mapped_column(sa.Text)
    #: The English msgid and its parameters, so that the page renders it in the reader's language.
    message_id: Mapped[Optional[str]] = mapped_column(sa.Text)
    params: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    #: A path inside the site (e.g. "/consultations/12").
    link: Mapped[Optional[str]] = mapped_column(sa.String(300))
    dedupe_key: Mapped[Optional[str]] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    read_at: Mapped[Optional[datetime]]

    user = relationship("User")

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class OutboxMessage(db.Model):
    """An e-mail waiting to be sent by ``flask --app youthcouncil notify`` (never sent inside a user's request)."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        sa.UniqueConstraint("dedupe_key"),
        sa.CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        sa.Index("ix_outbox_messages_due", "sent_at", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    dedupe_key: Mapped[Optional[str]] = mapped_column(sa.String(220))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Sending tries so far (a try counts from the moment a worker claims the message).
    attempts: Mapped[int] = mapped_column(default=0)
    #: Not before this time; while a worker holds the message it is pushed ahead by the claim lease.
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[Optional[datetime]]
    last_error: Mapped[Optional[str]] = mapped_column(sa.Text)

    @property
    def gave_up(self) -> bool:
        return self.sent_at is None and self.attempts >= MAX_ATTEMPTS
