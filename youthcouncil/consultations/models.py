"""Consultation requests (høringer), the council's discussion, draft versions, decisions and the city's decision."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from youthcouncil.db import utcnow
from youthcouncil.errors import DomainError
from youthcouncil.extensions import db
from youthcouncil.i18n import lazy_gettext as _l
from youthcouncil.i18n import to_oslo

if TYPE_CHECKING:
    from youthcouncil.accounts.models import User

SUMMARY_MAX = 600
COMMENT_MAX = 2000
MAX_ATTACHMENTS = 5


class Status(enum.StrEnum):
    """The steps of a request, in order. ``withdrawn`` ends it early."""

    sent = "sent"  # the clerk sent it; the clerk may still correct it
    opened = "opened"  # the council opened it; no more corrections
    discussion = "discussion"  # the first comment or draft exists
    voting = "voting"  # an adoption vote is open on one draft version
    adopted = "adopted"  # the council adopted a response (a vedtak)
    declined = "declined"  # the council decided not to respond, with a reason
    response_sent = "response_sent"  # the adopted response is in the clerk's inbox
    decided = "decided"  # the clerk recorded the city council's decision
    withdrawn = "withdrawn"  # the clerk withdrew the request


#: Steps where the council works on the request.
WORKING = (Status.opened, Status.discussion, Status.voting)
#: Steps shown in the public archive.
PUBLIC_STATUSES = (Status.response_sent, Status.decided)
STATUS_ORDER = (
    Status.sent,
    Status.opened,
    Status.discussion,
    Status.voting,
    Status.adopted,
    Status.response_sent,
    Status.decided,
)


class ConsultationError(DomainError):
    """A consultation rule said no (see DomainError); ``status`` is the HTTP status the page answers with."""

    def __init__(self, message, field: str | None = None, status: int = 422):
        super().__init__(message, field)
        self.status = status


class Consultation(db.Model):
    __tablename__ = "consultations"
    __table_args__ = (
        sa.CheckConstraint(f"length(summary) <= {SUMMARY_MAX}", name="summary_short"),
        sa.CheckConstraint("length(summary) > 0", name="summary_required"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    #: The city's case number (saksnummer), e.g. 2026/1234.
    case_number: Mapped[str] = mapped_column(sa.String(40))
    case_text: Mapped[str] = mapped_column(sa.Text)
    #: The required plain-language summary for 10–17-year-olds.
    summary: Mapped[str] = mapped_column(sa.Text)
    #: Optional specific questions the clerk wants answered.
    questions: Mapped[str] = mapped_column(sa.Text, default="")
    #: The response deadline (høringsfrist): the end of the chosen day in Oslo, stored in UTC.
    deadline: Mapped[datetime]
    status: Mapped[Status] = mapped_column(
        sa.Enum(Status, name="consultation_status", native_enum=False, length=20), default=Status.sent, index=True
    )
    #: The clerk (saksbehandler) who sent it; only this clerk follows it.
    clerk_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    opened_at: Mapped[Optional[datetime]]
    withdrawn_at: Mapped[Optional[datetime]]
    #: A member the chair named to write the draft together with the chair and the deputy.
    writer_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    #: The draft version under an open adoption vote (frozen while the vote is open).
    voting_version_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("consultation_versions.id", ondelete="SET NULL", use_alter=True)
    )
    voting_motion_id: Mapped[Optional[int]]
    #: The decision (vedtak) that adopted the response.
    adopted_decision_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("consultation_decisions.id", ondelete="SET NULL", use_alter=True)
    )
    sent_at: Mapped[Optional[datetime]]
    sent_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    #: Why the council decided not to respond (shown to the clerk).
    declined_reason: Mapped[str] = mapped_column(sa.Text, default="")
    declined_at: Mapped[Optional[datetime]]
    #: What the city council decided, and how the youth council's response was used.
    city_decision: Mapped[str] = mapped_column(sa.Text, default="")
    city_usage: Mapped[str] = mapped_column(sa.Text, default="")
    city_decided_at: Mapped[Optional[datetime]]

    clerk: Mapped[Optional[User]] = relationship(foreign_keys=[clerk_id])
    writer: Mapped[Optional[User]] = relationship(foreign_keys=[writer_id])
    sent_by: Mapped[Optional[User]] = relationship(foreign_keys=[sent_by_id])
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="consultation", order_by="Attachment.id", cascade="all, delete-orphan"
    )
    versions: Mapped[list[DraftVersion]] = relationship(
        back_populates="consultation",
        order_by="DraftVersion.number",
        foreign_keys="DraftVersion.consultation_id",
        cascade="all, delete-orphan",
    )
    voting_version: Mapped[Optional[DraftVersion]] = relationship(foreign_keys=[voting_version_id], post_update=True)
    adopted_decision: Mapped[Optional[Decision]] = relationship(foreign_keys=[adopted_decision_id], post_update=True)
    decisions: Mapped[list[Decision]] = relationship(
        back_populates="consultation",
        foreign_keys="Decision.consultation_id",
        order_by="Decision.id",
        cascade="all, delete-orphan",
    )

    @property
    def is_correctable(self) -> bool:
        return self.status == Status.sent

    @property
    def is_working(self) -> bool:
        return self.status in WORKING

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_STATUSES

    @property
    def latest_version(self) -> DraftVersion | None:
        return self.versions[-1] if self.versions else None

    @property
    def adopted_version(self) -> DraftVersion | None:
        return self.adopted_decision.version if self.adopted_decision else None

    @property
    def is_finished(self) -> bool:
        return self.status in (Status.response_sent, Status.decided, Status.declined, Status.withdrawn)

    def is_overdue(self, now: datetime) -> bool:
        """Past the deadline without a response or a decision not to respond. The pages show the deadline as a day,
        so it has passed once that day has ended in Oslo (not at the 23:59 stored, a minute before the day ends)."""
        past = to_oslo(now).date() > to_oslo(self.deadline).date()
        return past and self.status in (Status.sent, *WORKING, Status.adopted)

    # --- The steps. Each moves the status and refuses a move the status does not allow. -----------------------

    def require_working(self) -> None:
        """The council is working on the request: opened, in discussion or voting."""
        if self.status == Status.sent:
            raise ConsultationError(_l("The council has not opened this request yet."))
        if self.status not in WORKING:
            raise ConsultationError(_l("The council's work on this request is finished."))

    def open(self, now: datetime) -> None:
        """The council opens the request: the clerk can no longer correct it."""
        if self.status != Status.sent:
            raise ConsultationError(_l("This request is already opened."))
        self.status = Status.opened
        self.opened_at = now

    def start_discussion(self) -> None:
        """A first comment or draft: an opened request is in discussion now (a later step stays where it is)."""
        self.require_working()
        if self.status == Status.opened:
            self.status = Status.discussion

    def require_vote_can_start(self) -> None:
        if self.status == Status.voting:
            raise ConsultationError(_l("A vote is already open."), "version_id")
        self.require_working()

    def start_vote(self, version: DraftVersion, motion_id: int) -> None:
        """The council votes on ``version`` (motion ``motion_id``); the draft is frozen until the vote ends."""
        self.require_vote_can_start()
        if version.consultation_id != self.id:
            raise ConsultationError(_l("Choose the version to vote on."), "version_id")
        self.status = Status.voting
        self.voting_version_id = version.id
        self.voting_motion_id = motion_id

    def end_vote(self, decision: Decision) -> None:
        """The vote ended with ``decision``: the response is adopted, or drafting goes on.

        Never refused: the council's decision stands. (A request is voting exactly while its motion is open, since
        withdrawing and declining are refused during a vote.)
        """
        self.voting_version_id = None
        self.voting_motion_id = None
        if decision.adopted:
            self.status = Status.adopted
            self.adopted_decision = decision
        else:
            self.status = Status.discussion

    def stop_vote(self) -> None:
        """The chair stopped the vote without a decision: drafting goes on."""
        if self.status == Status.voting:
            self.status = Status.discussion
            self.voting_version_id = None
            self.voting_motion_id = None

    def send_response(self, by_id: int, now: datetime) -> None:
        if self.status != Status.adopted or self.adopted_decision is None:
            raise ConsultationError(_l("Only an adopted response can be sent."))
        self.status = Status.response_sent
        self.sent_at = now
        self.sent_by_id = by_id

    def decline(self, reason: str, now: datetime) -> None:
        """The council decides not to respond; the clerk sees the reason."""
        if self.status == Status.voting:
            raise ConsultationError(_l("A vote is open. Close it first."), "reason")
        if self.status not in (Status.sent, *WORKING, Status.adopted):
            raise ConsultationError(_l("This request is finished."), "reason")
        self.status = Status.declined
        self.declined_reason = reason
        self.declined_at = now

    @property
    def can_be_withdrawn(self) -> bool:
        return not self.is_finished and self.status != Status.voting

    def withdraw(self, now: datetime) -> None:
        if self.is_finished:
            raise ConsultationError(_l("This request is finished, so it cannot be withdrawn."))
        if self.status == Status.voting:
            raise ConsultationError(_l("The council is voting on a response now. Try again when the vote is closed."))
        self.status = Status.withdrawn
        self.withdrawn_at = now

    def record_city_decision(self, decision: str, usage: str, now: datetime) -> bool:
        """What the city council decided, and how the response was used (it can be corrected). True the first time."""
        if self.status not in (Status.response_sent, Status.decided):
            raise ConsultationError(
                _l("You can record the city's decision when the council has sent its response."), "decision"
            )
        first_time = self.status == Status.response_sent
        self.city_decision = decision
        self.city_usage = usage
        self.city_decided_at = now
        self.status = Status.decided
        return first_time


class Attachment(db.Model):
    """A PDF stored outside static/ under a random internal name; served only to logged-in users."""

    __tablename__ = "consultation_attachments"
    __table_args__ = (sa.CheckConstraint("size_bytes > 0", name="not_empty"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(sa.ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    #: The file name the clerk uploaded (shown, and used for the download, after cleaning).
    filename: Mapped[str] = mapped_column(sa.String(200))
    #: The random name on disk in UPLOAD_FOLDER; never derived from what the user sent.
    stored_name: Mapped[str] = mapped_column(sa.String(80), unique=True)
    size_bytes: Mapped[int]
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    consultation: Mapped[Consultation] = relationship(back_populates="attachments")


class Comment(db.Model):
    __tablename__ = "consultation_comments"
    __table_args__ = (sa.CheckConstraint(f"length(body) <= {COMMENT_MAX}", name="body_short"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(sa.ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    #: Replies go one level deep: a reply's parent is always a top-level comment.
    parent_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("consultation_comments.id", ondelete="CASCADE"))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    hidden_at: Mapped[Optional[datetime]]
    hidden_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    hidden_reason: Mapped[str] = mapped_column(sa.Text, default="")
    #: Set when the author's personal data was minimised: the text is gone, a neutral marker stays.
    removed_at: Mapped[Optional[datetime]]

    consultation: Mapped[Consultation] = relationship()
    author: Mapped[Optional[User]] = relationship(foreign_keys=[author_id])
    replies: Mapped[list[Comment]] = relationship(order_by="Comment.id", back_populates="parent")
    parent: Mapped[Optional[Comment]] = relationship(remote_side=[id], back_populates="replies")
    supports: Mapped[list[CommentSupport]] = relationship(back_populates="comment", cascade="all, delete-orphan")

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None


class CommentSupport(db.Model):
    """A member supports a point; once per member per comment (held by the database)."""

    __tablename__ = "consultation_comment_supports"
    __table_args__ = (sa.UniqueConstraint("comment_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(sa.ForeignKey("consultation_comments.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    comment: Mapped[Comment] = relationship(back_populates="supports")


class DraftVersion(db.Model):
    """Every save of the draft response is a new version; versions are never changed."""

    __tablename__ = "consultation_versions"
    __table_args__ = (
        sa.UniqueConstraint("consultation_id", "number"),
        sa.CheckConstraint("number >= 1", name="number_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(sa.ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    body: Mapped[str] = mapped_column(sa.Text)
    author_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    consultation: Mapped[Consultation] = relationship(back_populates="versions", foreign_keys=[consultation_id])
    author: Mapped[Optional[User]] = relationship(foreign_keys=[author_id])


class Decision(db.Model):
    """A vedtak: the result of an adoption vote on one version, with the counts (adopted or not)."""

    __tablename__ = "consultation_decisions"
    __table_args__ = (
        sa.UniqueConstraint("motion_id"),
        sa.CheckConstraint("yes >= 0 AND no >= 0 AND abstain >= 0", name="counts_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(sa.ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int] = mapped_column(sa.ForeignKey("consultation_versions.id", ondelete="RESTRICT"))
    motion_id: Mapped[int]
    adopted: Mapped[bool]
    quorum_met: Mapped[bool]
    yes: Mapped[int]
    no: Mapped[int]
    abstain: Mapped[int]
    participants: Mapped[int]
    eligible: Mapped[int]
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)

    consultation: Mapped[Consultation] = relationship(back_populates="decisions", foreign_keys=[consultation_id])
    version: Mapped[DraftVersion] = relationship(foreign_keys=[version_id])
