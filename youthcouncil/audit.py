"""The audit log: who did what, when. Never holds ballots or who voted what."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from youthcouncil.db import utcnow
from youthcouncil.extensions import db


class AuditEvent(db.Model):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    #: A dotted verb such as ``nomination.approved``.
    action: Mapped[str] = mapped_column(sa.String(60), index=True)
    subject_type: Mapped[Optional[str]] = mapped_column(sa.String(40))
    subject_id: Mapped[Optional[int]]
    details: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)

    actor = relationship("User", foreign_keys=[actor_id])


def record(actor, action: str, subject=None, details: dict[str, Any] | None = None) -> AuditEvent:
    """Add an audit event to the current transaction (it commits with the change it describes)."""
    event = AuditEvent(
        actor_id=getattr(actor, "id", None),
        action=action,
        subject_type=type(subject).__name__ if subject is not None else None,
        subject_id=getattr(subject, "id", None),
        details=details or {},
    )
    db.session.add(event)
    return event
