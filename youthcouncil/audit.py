"""The audit log: who did what, when. Never holds ballots or who voted what."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship, selectinload

from youthcouncil.db import utcnow
from youthcouncil.exports import csv_safe
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


#: Events on one page of the audit log.
PER_PAGE = 100


def _newest_first() -> sa.Select:
    return (
        sa.select(AuditEvent)
        .options(selectinload(AuditEvent.actor))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    )


def audit_page(page: int):
    """One page of the log, newest first (a page past the end is empty, not an error)."""
    return db.paginate(_newest_first(), page=max(1, page), per_page=PER_PAGE, error_out=False)


def _csv_cell(value) -> str:
    """Every cell as text, made inert for spreadsheets."""
    return csv_safe("" if value is None else str(value))


def audit_csv() -> str:
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL)
    writer.writerow(["at_utc", "actor", "action", "subject_type", "subject_id", "details"])
    for event in db.session.scalars(_newest_first()):
        writer.writerow(
            [
                _csv_cell(event.at.isoformat()),
                _csv_cell(event.actor.username if event.actor else ""),
                _csv_cell(event.action),
                _csv_cell(event.subject_type),
                _csv_cell(event.subject_id),
                _csv_cell(json.dumps(event.details, ensure_ascii=False, sort_keys=True)),
            ]
        )
    return out.getvalue()
