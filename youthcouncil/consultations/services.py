"""Every step of a consultation, from the clerk's request to the city's decision. Views, CLI and tests call these.

Next to this module: ``adoption`` (the council's vote on a draft, through the motions domain), ``readability``
(LIX) and ``notices`` (who is told what); the status moves are methods of ``models.Consultation``.
"""

from __future__ import annotations

import difflib
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from markupsafe import Markup, escape
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, selectinload

from youthcouncil.audit import record
from youthcouncil.auth import Role, has_role
from youthcouncil.consultations import notices
from youthcouncil.consultations.models import (
    COMMENT_MAX,
    MAX_ATTACHMENTS,
    STATUS_ORDER,
    SUMMARY_MAX,
    WORKING,
    Attachment,
    Comment,
    CommentSupport,
    Consultation,
    ConsultationError,
    DraftVersion,
    Status,
)
from youthcouncil.db import utcnow
from youthcouncil.extensions import db
from youthcouncil.i18n import OSLO, to_oslo
from youthcouncil.i18n import gettext as _
from youthcouncil.i18n import lazy_gettext as _l
from youthcouncil.inputs import parse_id
from youthcouncil.membership.services import current_term, is_voting_member

MAX_FILE_BYTES = 10 * 1024 * 1024
PDF_MAGIC = b"%PDF-"
#: Deadlines closer than this are allowed, but the clerk is warned.
SHORT_DEADLINE = timedelta(weeks=3)


# --- Time -------------------------------------------------------------------------------------------------------


def deadline_from_date(day: date) -> datetime:
    """The deadline is the end of the chosen day in Oslo."""
    return datetime.combine(day, time(23, 59), OSLO)


def deadline_day(consultation: Consultation) -> date:
    return to_oslo(consultation.deadline).date()


def days_left(consultation: Consultation, now: datetime | None = None) -> int:
    """Whole days from today (Oslo) to the deadline day; 0 on the day itself, negative when overdue."""
    today = to_oslo(now or utcnow()).date()
    return (deadline_day(consultation) - today).days


def deadline_warning(day: date, now: datetime | None = None) -> str | None:
    today = to_oslo(now or utcnow()).date()
    if day - today < SHORT_DEADLINE:
        return _(
            "The deadline is less than 3 weeks away. The council meets about once a month, "
            "so it may not manage to adopt a response in time."
        )
    return None


# --- Attachments ------------------------------------------------------------------------------------------------


def upload_folder() -> Path:
    folder = Path(current_app.config["UPLOAD_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _clean_filename(name: str) -> str:
    name = Path(name or "").name.replace("\\", "/").split("/")[-1]
    name = re.sub(r"[^\w.\- ()]", "_", name, flags=re.UNICODE).strip(" .") or "vedlegg"
    if not name.lower().endswith(".pdf"):
        name += ".pdf"
    return name[-120:]


@dataclass
class Upload:
    filename: str
    content: bytes


def read_uploads(files, already: int = 0) -> list[Upload]:
    """Check the chosen files (werkzeug FileStorage) before anything is stored. Empty file inputs are skipped."""
    chosen = [f for f in files if f is not None and (f.filename or "").strip()]
    if already + len(chosen) > MAX_ATTACHMENTS:
        raise ConsultationError(
            _l("You can attach at most %(max)s PDF files. Choose fewer files.", max=MAX_ATTACHMENTS), "attachments"
        )
    uploads = []
    for storage in chosen:
        content = storage.stream.read(MAX_FILE_BYTES + 1)
        name = _clean_filename(storage.filename)
        if len(content) > MAX_FILE_BYTES:
            raise ConsultationError(
                _l("%(name)s is bigger than 10 MB. Make the PDF smaller or split it.", name=name), "attachments", 413
            )
        if not content:
            raise ConsultationError(_l("%(name)s is empty. Choose the right file.", name=name), "attachments")
        if not content.startswith(PDF_MAGIC):
            raise ConsultationError(
                _l("%(name)s is not a PDF file. Save it as PDF and try again.", name=name), "attachments"
            )
        uploads.append(Upload(filename=name, content=content))
    return uploads


#: Keys in ``db.session.info``: files written in this transaction, and files to delete once it commits.
_FILES_WRITTEN = "consultations.files_written"
_FILES_TO_DELETE = "consultations.files_to_delete"


def _store(consultation: Consultation, uploads: list[Upload]) -> None:
    """Write the files now (the commit must find them there); if the transaction does not commit, they go again."""
    folder = upload_folder()
    written = db.session.info.setdefault(_FILES_WRITTEN, [])
    for upload in uploads:
        stored_name = secrets.token_hex(20)
        path = folder / stored_name
        written.append(path)
        path.write_bytes(upload.content)
        consultation.attachments.append(
            Attachment(filename=upload.filename, stored_name=stored_name, size_bytes=len(upload.content))
        )


def _delete_when_committed(attachment: Attachment) -> None:
    """A removed attachment's file goes only once the removal is committed (a rollback keeps it, with its row)."""
    db.session.info.setdefault(_FILES_TO_DELETE, []).append(attachment_path(attachment))


@sa.event.listens_for(Session, "after_commit")
def _files_follow_the_commit(session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint: the real commit is still to come
    session.info.pop(_FILES_WRITTEN, None)
    for path in session.info.pop(_FILES_TO_DELETE, []):
        path.unlink(missing_ok=True)


@sa.event.listens_for(Session, "after_transaction_end")
def _files_follow_a_rollback(session, transaction) -> None:
    """The outermost transaction ended without a commit (rolled back, or the session closed): files written for it
    go, files it meant to delete stay."""
    if transaction.parent is not None:
        return
    for path in session.info.pop(_FILES_WRITTEN, []):
        path.unlink(missing_ok=True)
    session.info.pop(_FILES_TO_DELETE, None)


def attachment_path(attachment: Attachment) -> Path:
    return upload_folder() / attachment.stored_name


# --- The clerk's request ----------------------------------------------------------------------------------------


def _check_request_fields(title: str, case_number: str, case_text: str, summary: str, deadline: date | None) -> None:
    if not title.strip():
        raise ConsultationError(_l("Write a title."), "title")
    if not case_number.strip():
        raise ConsultationError(_l("Write the case number."), "case_number")
    if not case_text.strip():
        raise ConsultationError(_l("Write the case text."), "case_text")
    if not summary.strip():
        raise ConsultationError(_l("Write a short summary in plain words for the council."), "summary")
    length = len(summary.strip())
    if length > SUMMARY_MAX:
        raise ConsultationError(
            _l("The summary can be at most %(max)s characters. Now it is %(n)s.", max=SUMMARY_MAX, n=length),
            "summary",
        )
    if deadline is None:
        raise ConsultationError(_l("Choose the deadline."), "deadline")
    if deadline < to_oslo(utcnow()).date():
        raise ConsultationError(_l("The deadline cannot be in the past."), "deadline")


def create_request(
    clerk,
    *,
    title: str,
    case_number: str,
    case_text: str,
    summary: str,
    questions: str = "",
    deadline: date | None,
    files=(),
) -> Consultation:
    """A clerk sends a request (høring) to the council; every member is told."""
    if not has_role(clerk, Role.clerk):
        raise ConsultationError(_l("Only clerks can send requests."))
    _check_request_fields(title, case_number, case_text, summary, deadline)
    uploads = read_uploads(files)
    consultation = Consultation(
        title=title.strip(),
        case_number=case_number.strip(),
        case_text=case_text.strip(),
        summary=summary.strip(),
        questions=(questions or "").strip(),
        deadline=deadline_from_date(deadline),
        clerk_id=clerk.id,
        status=Status.sent,
    )
    db.session.add(consultation)
    _store(consultation, uploads)
    db.session.flush()
    record(clerk, "consultation.sent", consultation, {"case_number": consultation.case_number})

    notices.request_sent(consultation)
    return consultation


def lock_consultation(consultation: Consultation) -> Consultation:
    """Re-read the row, on PostgreSQL with FOR UPDATE, so that two people cannot move it at once."""
    db.session.flush()
    # OF consultations: one read with its adopted decision (joined) is refreshed the same way, and PostgreSQL cannot
    # lock the nullable side of that outer join.
    db.session.refresh(consultation, with_for_update={"of": Consultation})
    return consultation


def update_request(
    consultation: Consultation,
    clerk,
    *,
    title: str,
    case_number: str,
    case_text: str,
    summary: str,
    questions: str = "",
    deadline: date | None,
    files=(),
    remove_ids=(),
) -> Consultation:
    """The clerk corrects the request until the council opens it."""
    lock_consultation(consultation)
    if not consultation.is_correctable:
        raise ConsultationError(_l("The council has opened this request, so it can no longer be changed."))
    _check_request_fields(title, case_number, case_text, summary, deadline)
    removing = [a for a in consultation.attachments if a.id in set(remove_ids)]
    uploads = read_uploads(files, already=len(consultation.attachments) - len(removing))
    for attachment in removing:
        consultation.attachments.remove(attachment)
        _delete_when_committed(attachment)
    consultation.title = title.strip()
    consultation.case_number = case_number.strip()
    consultation.case_text = case_text.strip()
    consultation.summary = summary.strip()
    consultation.questions = (questions or "").strip()
    consultation.deadline = deadline_from_date(deadline)
    consultation.updated_at = utcnow()
    _store(consultation, uploads)
    db.session.flush()
    record(clerk, "consultation.corrected", consultation)
    return consultation


def withdraw_request(consultation: Consultation, clerk) -> None:
    lock_consultation(consultation)
    consultation.withdraw(utcnow())
    record(clerk, "consultation.withdrawn", consultation)


def withdrawal_consequence(consultation: Consultation) -> str:
    """What withdrawing the request now stops, with its figures (for the confirmation page)."""
    if consultation.is_correctable:
        return _("The council has not opened it yet. It leaves the council's list and cannot be sent again.")
    comments = db.session.scalar(
        sa.select(sa.func.count()).select_from(Comment).where(Comment.consultation_id == consultation.id)
    )
    return _(
        "The council has worked on it: %(comments)s comments and %(versions)s versions of a response. "
        "The work stops and no response is sent.",
        comments=comments,
        versions=len(consultation.versions),
    )


def open_request(consultation: Consultation, user) -> None:
    """The council (chair or coordinator) opens the request: discussion starts and the clerk can no longer edit."""
    lock_consultation(consultation)
    consultation.open(utcnow())
    record(user, "consultation.opened", consultation)


# --- Discussion -------------------------------------------------------------------------------------------------


#: A comment sent again with the same words within this time is the same comment sent twice.
RESEND_WINDOW = timedelta(minutes=10)


def reply_target(consultation: Consultation, value) -> Comment | None:
    """The comment a reply with ``value`` (a ``?reply=`` or form value) may go to: a comment of this request that
    the page shows (not hidden, not removed); None when ``value`` names no such comment."""
    comment_id = parse_id(value)
    comment = db.session.get(Comment, comment_id) if comment_id is not None else None
    if comment is None or comment.consultation_id != consultation.id or comment.is_hidden or comment.is_removed:
        return None
    return comment


def parent_for_reply(consultation: Consultation, value) -> Comment | None:
    """The posted ``parent_id``: None for a new comment (blank), the comment for a reply, and a refusal when it
    names no comment one may reply to (never a silent new comment in place of the reply)."""
    if not (value or "").strip():
        return None
    parent = reply_target(consultation, value)
    if parent is None:
        raise ConsultationError(
            _l(
                "The comment you replied to is not on this page. Your text is still here: post it as a new "
                "comment, or tap Reply on another comment."
            ),
            "body",
        )
    return parent


def add_comment(consultation: Consultation, author, body: str, parent: Comment | None = None) -> Comment:
    consultation.require_working()
    body = (body or "").strip()
    if not body:
        raise ConsultationError(_l("Write something first."), "body")
    if len(body) > COMMENT_MAX:
        raise ConsultationError(
            _l("A comment can be at most %(max)s characters. Now it is %(n)s.", max=COMMENT_MAX, n=len(body)), "body"
        )
    if parent is not None:
        if parent.consultation_id != consultation.id:
            raise ConsultationError(_l("You can only reply to a comment on this request."), "body")
        # Replies go one level deep: a reply to a reply joins the same thread.
        if parent.parent_id is not None:
            parent = parent.parent
    lock_consultation(consultation)  # so that the same comment sent twice at once is found by the second
    resent = db.session.scalars(
        sa.select(Comment).where(
            Comment.consultation_id == consultation.id,
            Comment.author_id == author.id,
            Comment.parent_id == parent.id if parent is not None else Comment.parent_id.is_(None),
            Comment.body == body,
            Comment.removed_at.is_(None),
            Comment.created_at >= utcnow() - RESEND_WINDOW,
        )
    ).first()
    if resent is not None:
        # The same form sent again (a double tap, a resend after no answer on a slow network): one comment.
        return resent
    comment = Comment(consultation=consultation, author_id=author.id, body=body, parent=parent)
    db.session.add(comment)
    consultation.start_discussion()
    db.session.flush()
    return comment


def set_support(comment: Comment, user, support: bool) -> None:
    """The user supports the point (``support``) or no longer does. Asking again, as a double tap or two taps at
    the same moment do, changes nothing: the answer is what the button said, not the opposite of the last one."""
    comment.consultation.require_working()
    if comment.author_id == user.id:
        raise ConsultationError(_l("You cannot support your own comment."))
    if comment.is_hidden or comment.is_removed:
        raise ConsultationError(_l("This comment is hidden."))
    mine = (CommentSupport.comment_id == comment.id, CommentSupport.user_id == user.id)
    if not support:
        # A statement, not ``session.delete``: two taps at once both find the row, and only one can delete it.
        db.session.execute(sa.delete(CommentSupport).where(*mine))
        return
    if db.session.scalars(sa.select(CommentSupport).where(*mine)).first() is not None:
        return
    try:
        with db.session.begin_nested():
            db.session.add(CommentSupport(comment_id=comment.id, user_id=user.id))
    except IntegrityError:
        pass  # supported twice at the same moment: the database kept one


def support_count(comment: Comment) -> int:
    return len(comment.supports)


def supported_by(comment: Comment, user) -> bool:
    return any(s.user_id == user.id for s in comment.supports)


def hide_comment(comment: Comment, coordinator, reason: str) -> None:
    reason = (reason or "").strip()
    if not reason:
        raise ConsultationError(_l("Write why the comment is hidden."), "reason")
    # Two coordinators at once: the second waits for the first and then sees the comment hidden.
    db.session.refresh(comment, with_for_update=True)
    if comment.is_hidden:
        raise ConsultationError(_l("This comment is already hidden."), "reason")
    comment.hidden_at = utcnow()
    comment.hidden_by_id = coordinator.id
    comment.hidden_reason = reason[:500]
    record(
        coordinator,
        "consultation.comment_hidden",
        comment,
        {"reason": comment.hidden_reason, "consultation_id": comment.consultation_id},
    )


def unhide_comment(comment: Comment, coordinator) -> None:
    """Undo a hide: the comment shows again; the log keeps both steps and the reason it was hidden for."""
    db.session.refresh(comment, with_for_update=True)
    if not comment.is_hidden or comment.is_removed:
        raise ConsultationError(_l("This comment is not hidden."))
    reason = comment.hidden_reason
    comment.hidden_at = None
    comment.hidden_by_id = None
    comment.hidden_reason = ""
    record(
        coordinator,
        "consultation.comment_shown",
        comment,
        {"reason": reason, "consultation_id": comment.consultation_id},
    )


def threads(consultation: Consultation) -> list[Comment]:
    """Top-level comments, oldest first; each has ``replies``."""
    return list(
        db.session.scalars(
            sa.select(Comment)
            .where(Comment.consultation_id == consultation.id, Comment.parent_id.is_(None))
            .order_by(Comment.id)
            # What the page shows of each comment and reply, read with them (not one query per comment).
            .options(
                joinedload(Comment.author),
                selectinload(Comment.supports),
                selectinload(Comment.replies).options(
                    joinedload(Comment.author), selectinload(Comment.supports), selectinload(Comment.replies)
                ),
            )
        ).unique()
    )


# --- Draft response ---------------------------------------------------------------------------------------------


def name_writer(consultation: Consultation, chair, member) -> None:
    """The chair names a member to write the draft (or nobody)."""
    if member is not None and not is_voting_member(member, current_term()):
        raise ConsultationError(_l("Choose a member of the council."), "writer")
    consultation.writer_id = member.id if member is not None else None
    record(chair, "consultation.writer_named", consultation, {"writer_id": consultation.writer_id})


def save_draft(consultation: Consultation, author, body: str) -> DraftVersion:
    """Every save is a new version with its author and time."""
    lock_consultation(consultation)
    if consultation.status == Status.voting:
        raise ConsultationError(_l("The draft is frozen while the council votes on it."), "body")
    consultation.require_working()
    body = (body or "").strip()
    if not body:
        raise ConsultationError(_l("Write the response first."), "body")
    latest = consultation.latest_version
    if latest is not None and latest.body == body:
        raise ConsultationError(_l("Nothing changed since the last version."), "body")
    number = (
        db.session.scalar(
            sa.select(sa.func.max(DraftVersion.number)).where(DraftVersion.consultation_id == consultation.id)
        )
        or 0
    ) + 1
    version = DraftVersion(consultation_id=consultation.id, number=number, body=body, author_id=author.id)
    try:
        with db.session.begin_nested():
            db.session.add(version)
            db.session.flush()
    except IntegrityError as error:
        raise ConsultationError(
            _l("Someone saved at the same moment. Look at the newest version and try again."), "body", 409
        ) from error
    db.session.expire(consultation, ["versions"])
    consultation.start_discussion()
    db.session.flush()
    record(author, "consultation.draft_saved", consultation, {"version": number})
    return version


def compare_versions(old: DraftVersion, new: DraftVersion) -> Markup:
    """A line-by-line comparison, escaped and rendered on the server."""
    rows = []
    for line in difflib.ndiff(old.body.splitlines(), new.body.splitlines()):
        tag, text = line[:2], line[2:]
        if tag == "? ":
            continue
        if tag == "+ ":
            rows.append(Markup('<ins class="diff-add">{}</ins>').format(text or "\u00a0"))
        elif tag == "- ":
            rows.append(Markup('<del class="diff-del">{}</del>').format(text or "\u00a0"))
        else:
            rows.append(Markup('<span class="diff-same">{}</span>').format(text or "\u00a0"))
    return Markup('<div class="diff">') + Markup("").join(rows) + Markup("</div>") if rows else Markup("")


def version_of(consultation: Consultation, version_id: int | None) -> DraftVersion | None:
    if not version_id:
        return None
    version = db.session.get(DraftVersion, version_id)
    if version is None or version.consultation_id != consultation.id:
        return None
    return version


# --- Sending, declining, the city's decision --------------------------------------------------------------------


def send_response(consultation: Consultation, chair) -> None:
    lock_consultation(consultation)
    consultation.send_response(chair.id, utcnow())
    record(chair, "consultation.response_sent", consultation)

    notices.response_sent(consultation)


def decline_to_respond(consultation: Consultation, chair, reason: str) -> None:
    """The council decides not to respond; the clerk sees the reason."""
    lock_consultation(consultation)
    reason = (reason or "").strip()
    if not reason:
        raise ConsultationError(_l("Write why the council will not respond."), "reason")
    consultation.decline(reason[:2000], utcnow())
    record(chair, "consultation.declined", consultation)

    notices.declined(consultation)


def record_city_decision(consultation: Consultation, clerk, decision: str, usage: str) -> None:
    """The clerk records what the city council decided and how the youth council's response was used."""
    lock_consultation(consultation)
    decision, usage = (decision or "").strip(), (usage or "").strip()
    if not decision:
        raise ConsultationError(_l("Write what the city council decided."), "decision")
    if not usage:
        raise ConsultationError(_l("Write one or two sentences on how the response was used."), "usage")
    if len(usage) > 600:
        raise ConsultationError(_l("Keep it to one or two sentences (at most 600 characters)."), "usage")
    first_time = consultation.record_city_decision(decision[:4000], usage, utcnow())
    record(clerk, "consultation.city_decision", consultation)
    if first_time:
        notices.city_decided(consultation)


# --- Lists ------------------------------------------------------------------------------------------------------


def requests_of_clerk(clerk) -> list[Consultation]:
    return list(
        db.session.scalars(
            sa.select(Consultation)
            .where(Consultation.clerk_id == clerk.id)
            .order_by(Consultation.created_at.desc())
            .options(joinedload(Consultation.adopted_decision))  # the list shows the adoption vote's counts
        )
    )


def council_requests() -> list[Consultation]:
    # The list shows the adoption vote's counts: read with the consultations, not one query per row.
    query = sa.select(Consultation).order_by(Consultation.deadline).options(joinedload(Consultation.adopted_decision))
    return list(db.session.scalars(query))


_OPEN_FOR_COUNCIL = (  # built once: every member's home page asks
    sa.select(Consultation)
    .where(Consultation.status.in_([Status.sent, *WORKING, Status.adopted]))
    .order_by(Consultation.deadline)
)


def open_for_council() -> list[Consultation]:
    return list(db.session.scalars(_OPEN_FOR_COUNCIL))


def public_archive() -> list[Consultation]:
    return list(
        db.session.scalars(
            sa.select(Consultation)
            .where(Consultation.status.in_([Status.response_sent, Status.decided]))
            .order_by(Consultation.sent_at.desc())
        )
    )


STATUS_LABELS = {
    Status.sent: _l("Sent"),
    Status.opened: _l("Opened"),
    Status.discussion: _l("In discussion"),
    Status.voting: _l("Voting"),
    Status.adopted: _l("Adopted"),
    Status.declined: _l("Declined"),
    Status.response_sent: _l("Response sent"),
    Status.decided: _l("City decision recorded"),
    Status.withdrawn: _l("Withdrawn"),
}


def status_label(status: Status) -> str:
    return str(STATUS_LABELS[status])


def steps(consultation: Consultation) -> list[tuple[str, str]]:
    """The status steps with "done", "current" or "todo", for the progress list."""
    if consultation.status in (Status.declined, Status.withdrawn):
        return [(status_label(Status.sent), "done"), (status_label(consultation.status), "current")]
    current = STATUS_ORDER.index(consultation.status)
    return [
        (status_label(step), "done" if i < current else "current" if i == current else "todo")
        for i, step in enumerate(STATUS_ORDER)
    ]


def escape_text(text: str) -> Markup:
    """Plain text with line breaks kept, escaped."""
    return Markup("<br>").join(escape(line) for line in (text or "").splitlines())
