from __future__ import annotations

from flask import abort, flash, render_template, request, url_for
from flask_login import current_user

from youthcouncil.auth import PUBLIC, Role, access
from youthcouncil.confirm import confirmation_page
from youthcouncil.db import utcnow
from youthcouncil.extensions import db, login_manager
from youthcouncil.i18n import format_time
from youthcouncil.i18n import gettext as _
from youthcouncil.motions import bp, permissions, services
from youthcouncil.motions.forms import HandCountForm
from youthcouncil.motions.models import Choice, Motion
from youthcouncil.motions.permissions import can_manage_motion, can_see_motion, can_see_votes, can_vote_on_motion
from youthcouncil.motions.wording import (
    CHOICE_LABELS,
    YOU_VOTED,
    cancel_consequence,
    close_consequence,
    hand_count_consequence,
    outcome_category,
    outcome_sentence,
    status_label,
)
from youthcouncil.web import EmptyForm, attach_error, render_page_or_fragment, see_other


def _load(motion_id: int) -> Motion:
    return db.get_or_404(Motion, motion_id)


def _detail_context(motion: Motion) -> dict:
    return {
        "motion": motion,
        "vote": services.vote_of(motion, current_user) if current_user.is_authenticated else None,
        "subject_url": services.subject_url(motion, current_user),
        "votes": services.named_votes(motion) if can_see_votes(current_user, motion) else None,
        "voted_count": services.voted_count(motion) if motion.is_open else None,
        "result": motion.result,
        "form": EmptyForm(),
    }


@bp.route("/motions/<int:motion_id>")
@access(PUBLIC)
def motion_detail(motion_id: int):
    motion = _load(motion_id)
    if not can_see_motion(current_user, motion):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        abort(403)
    return render_page_or_fragment(
        "motions/motion_detail.html",
        "motions/_motion_vote.html",
        f"motion-{motion.id}-vote",
        **_detail_context(motion),
    )


@bp.route("/motions/<int:motion_id>/vote", methods=["POST"])
@access(Role.member)
def motion_vote(motion_id: int):
    motion = _load(motion_id)
    if not can_see_motion(current_user, motion):
        abort(403)
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    if not can_vote_on_motion(current_user, motion):
        if motion.is_open:
            abort(403)
        flash(_("This vote is closed. Your vote was not counted."), "error")
        return see_other("motions.motion_detail", motion_id=motion.id)
    try:
        services.cast_vote(motion, current_user, request.form.get("choice", ""))
    except services.MotionError as error:
        db.session.rollback()
        flash(error.message, "error")
        return see_other("motions.motion_detail", motion_id=motion.id)
    db.session.commit()
    flash(_("Your vote is registered at %(time)s.", time=format_time(utcnow())), "receipt")
    return see_other("motions.motion_detail", motion_id=motion.id)


@bp.route("/motions/<int:motion_id>/close", methods=["POST"])
@access(Role.chair)
def motion_close(motion_id: int):
    motion = _load(motion_id)
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    if not motion.is_open:
        flash(_("This vote is already closed."), "info")
        return see_other("motions.motion_detail", motion_id=motion.id)
    if not can_manage_motion(current_user, motion):
        abort(403)
    page = confirmation_page(
        _("Close the vote and count?"),
        close_consequence(motion, services.voted_count(motion)),
        _("Close the vote and count"),
        danger=False,
        cancel_url=url_for("motions.motion_detail", motion_id=motion.id),
    )
    if page:
        return page
    try:
        result = services.close_motion(motion, by=current_user)
    except services.MotionError as error:
        db.session.rollback()
        flash(error.message, "error")
        return see_other("motions.motion_detail", motion_id=motion.id)
    db.session.commit()
    flash(_("The vote is closed. %(outcome)s", outcome=outcome_sentence(result)), outcome_category(result))
    return see_other("motions.motion_detail", motion_id=motion.id)


@bp.route("/motions/<int:motion_id>/cancel", methods=["POST"])
@access(Role.chair)
def motion_cancel(motion_id: int):
    motion = _load(motion_id)
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    if not motion.is_open:
        flash(_("This vote is already closed."), "info")
        return see_other("motions.motion_detail", motion_id=motion.id)
    if not can_manage_motion(current_user, motion):
        abort(403)
    page = confirmation_page(
        _("Stop the vote?"),
        cancel_consequence(motion, services.voted_count(motion)),
        _("Stop the vote"),
        cancel_url=url_for("motions.motion_detail", motion_id=motion.id),
    )
    if page:
        return page
    try:
        services.cancel_motion(motion, by=current_user)
    except services.MotionError as error:
        db.session.rollback()
        flash(error.message, "error")
        return see_other("motions.motion_detail", motion_id=motion.id)
    db.session.commit()
    flash(_("The vote is stopped. Nothing was decided."), "success")
    return see_other("motions.motion_detail", motion_id=motion.id)


@bp.route("/motions/<int:motion_id>/hand-count", methods=["GET", "POST"])
@access(Role.chair)
def motion_hand_count(motion_id: int):
    motion = _load(motion_id)
    if not motion.is_open:
        flash(_("This vote is already closed."), "info")
        return see_other("motions.motion_detail", motion_id=motion.id)
    if not can_manage_motion(current_user, motion):
        abort(403)
    form = HandCountForm()
    if form.validate_on_submit():
        counts = dict(yes=form.yes.data, no=form.no.data, abstain=form.abstain.data, present=form.present.data)
        try:
            # The count decides the motion for good: the chair sees the figures and the outcome first.
            page = confirmation_page(
                _("Close the vote with this hand count?"),
                hand_count_consequence(counts, services.hand_count_outcome(motion, **counts)),
                _("Save the count and close the vote"),
                cancel_url=url_for("motions.motion_hand_count", motion_id=motion.id),
            )
            if page:
                return page
            result = services.record_hand_count(motion, **counts, by=current_user)
        except services.MotionError as error:
            db.session.rollback()
            attach_error(form, error, "present")
        else:
            db.session.commit()
            flash(_("The hand count is saved. %(outcome)s", outcome=outcome_sentence(result)), outcome_category(result))
            return see_other("motions.motion_detail", motion_id=motion.id)
    # Errors re-render with 200 (htmx swaps it like any page; a 4xx would count as a failed request there).
    return render_template(
        "motions/motion_hand_count.html",
        motion=motion,
        form=form,
        subject_url=services.subject_url(motion, current_user),
    )


bp.add_app_template_global(permissions, "motions_permissions")


@bp.record_once
def _motion_helpers(state) -> None:
    """For templates/motions/_motion_panel.html, which other domains' pages include: template globals."""
    state.app.jinja_env.globals.update(
        Choice=Choice,
        choice_labels=CHOICE_LABELS,
        you_voted=YOU_VOTED,
        motion_status_label=status_label,
        motion_outcome_sentence=outcome_sentence,
        vote_of=services.vote_of,
        motion_title=services.motion_title,
    )
