"""Who is told what about a consultation: in-app notifications for everyone, e-mail for adults (outbox)."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from youthcouncil.accounts.models import AccountType, User
from youthcouncil.consultations.models import WORKING, Consultation, Status
from youthcouncil.extensions import db
from youthcouncil.i18n import N_, to_oslo
from youthcouncil.links import site_path
from youthcouncil.membership.models import Membership
from youthcouncil.membership.services import current_term
from youthcouncil.notifications import signals as notification_signals
from youthcouncil.notifications.services import notify, vote_over


def _detail(consultation: Consultation) -> str:
    return site_path("consultations.consultation_detail", consultation_id=consultation.id)


def council_and_coordinators() -> list[User]:
    """The current term's active members (deputies too) and the coordinators."""
    term = current_term()
    people: list[User] = []
    if term is not None:
        people += list(
            db.session.scalars(
                sa.select(User)
                .join(Membership, Membership.user_id == User.id)
                .where(Membership.term_id == term.id, Membership.active.is_(True), User.active.is_(True))
            )
        )
    people += list(
        db.session.scalars(sa.select(User).where(User.account_type == AccountType.coordinator, User.active.is_(True)))
    )
    return people


def _deadline(consultation: Consultation) -> str:
    return to_oslo(consultation.deadline).strftime("%d.%m.%Y")


def request_sent(consultation: Consultation) -> None:
    notify(
        council_and_coordinators(),
        kind="consultation.new",
        message=N_("New consultation request: “%(title)s”. Deadline %(deadline)s."),
        params={"title": consultation.title, "deadline": _deadline(consultation)},
        link=_detail(consultation),
        dedupe_key=f"consultation:{consultation.id}:new",
    )


def vote_closed(consultation: Consultation, motion) -> None:
    """The adoption vote is over (decided or stopped): its "vote now" messages no longer call to action."""
    vote_over(
        kind="consultation.vote",
        link=site_path("motions.motion_detail", motion_id=motion.id),
        message=N_("The vote on the response to “%(title)s” is over."),
        params={"title": consultation.title},
    )


def vote_opened(consultation: Consultation, motion) -> None:
    notify(
        council_and_coordinators(),
        kind="consultation.vote",
        message=N_("Vote now: should the council adopt the response to “%(title)s”?"),
        params={"title": consultation.title},
        link=site_path("motions.motion_detail", motion_id=motion.id),
        dedupe_key=f"consultation:{consultation.id}:vote:{motion.id}",
    )


def response_sent(consultation: Consultation) -> None:
    notify(
        [consultation.clerk],
        kind="consultation.response",
        message=N_("The youth council has sent its response to “%(title)s” (case %(case)s)."),
        params={"title": consultation.title, "case": consultation.case_number},
        link=_detail(consultation),
        dedupe_key=f"consultation:{consultation.id}:response",
    )


def declined(consultation: Consultation) -> None:
    notify(
        [consultation.clerk],
        kind="consultation.declined",
        message=N_("The youth council will not respond to “%(title)s” (case %(case)s). The reason is on the page."),
        params={"title": consultation.title, "case": consultation.case_number},
        link=_detail(consultation),
        dedupe_key=f"consultation:{consultation.id}:declined",
    )


def city_decided(consultation: Consultation) -> None:
    notify(
        council_and_coordinators(),
        kind="consultation.city_decision",
        message=N_("The city council has decided on “%(title)s”. See how your response was used."),
        params={"title": consultation.title},
        link=_detail(consultation),
        dedupe_key=f"consultation:{consultation.id}:city",
    )


REMINDER_DAYS = (7, 2)


@notification_signals.due_now.connect
def _remind_of_deadlines(sender, *, now, **kwargs) -> None:
    deadline_reminders(now)


def deadline_reminders(now: datetime) -> None:
    """Run by ``flask notify``: remind the council 7 and 2 days before the deadline (once each, by dedupe key)."""
    today = to_oslo(now).date()
    open_requests = db.session.scalars(
        sa.select(Consultation).where(
            Consultation.status.in_([Status.sent, *WORKING, Status.adopted]),
            Consultation.deadline > now,
            Consultation.deadline <= now + timedelta(days=max(REMINDER_DAYS) + 1),
        )
    )
    for consultation in open_requests:
        deadline_day = to_oslo(consultation.deadline).date()
        left = (deadline_day - today).days
        # A request sent with 5 days left gets no "7 days" reminder next to the news of it, only the 2-day one.
        at_start = (deadline_day - to_oslo(consultation.created_at).date()).days
        for days in sorted(REMINDER_DAYS):
            if left <= days:
                if at_start <= days:
                    break
                if left <= 0:
                    message = N_("The deadline to respond to “%(title)s” is today.")
                elif left == 1:
                    message = N_("1 day left to respond to “%(title)s”.")
                else:
                    message = N_("%(days)s days left to respond to “%(title)s”.")
                notify(
                    council_and_coordinators(),
                    kind="consultation.reminder",
                    message=message,
                    params={"days": left, "title": consultation.title},
                    link=_detail(consultation),
                    dedupe_key=f"consultation:{consultation.id}:reminder:{days}",
                )
                break
