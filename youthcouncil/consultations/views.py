"""Consultation pages: load -> check -> call a service -> flash -> redirect (303)."""

from __future__ import annotations

import io

from flask import abort, current_app, flash, make_response, render_template, request, send_file, url_for
from flask_login import current_user

from youthcouncil.accounts.models import User
from youthcouncil.auth import PUBLIC, Role, access
from youthcouncil.confirm import confirmation_page
from youthcouncil.consultations import bp, permissions, services
from youthcouncil.consultations.adoption import current_motion, open_adoption_vote
from youthcouncil.consultations.forms import (
    CityDecisionForm,
    CommentForm,
    CompareForm,
    DeclineForm,
    DraftForm,
    EditRequestForm,
    HideForm,
    OpenVoteForm,
    RequestForm,
    WriterForm,
)
from youthcouncil.consultations.models import Attachment, Comment, Consultation, ConsultationError, DraftVersion, Status
from youthcouncil.consultations.readability import LIX_WARN, lix
from youthcouncil.db import utcnow
from youthcouncil.errors import refused_for_text, text_too_long_page
from youthcouncil.extensions import db
from youthcouncil.i18n import gettext as _
from youthcouncil.i18n import lazy_gettext as _l
from youthcouncil.inputs import parse_id
from youthcouncil.membership.services import current_term, the_municipality, voting_members
from youthcouncil.web import EmptyForm, attach_error, nav_item, render_page_or_fragment, see_other

nav_item("consultations.consultation_list", _l("Consultations"), [Role.member, Role.clerk, Role.coordinator], 30)
nav_item("consultations.archive", _l("Responses"), PUBLIC, 60)

COUNCIL = (Role.member, Role.coordinator)
VIEWERS = (Role.member, Role.clerk, Role.coordinator)


def _load(consultation_id: int) -> Consultation:
    return db.get_or_404(Consultation, consultation_id)


def _check(allowed: bool) -> None:
    if not allowed:
        abort(403)


def _fail(error: ConsultationError, endpoint: str = "consultations.consultation_detail", **values):
    """A step that is not possible now: say why and go back to the request."""
    db.session.rollback()
    flash(str(error), "error")
    return see_other(endpoint, **values)


def _require_valid_post(form) -> None:
    if not form.validate_on_submit():
        abort(400)


bp.add_app_template_global(permissions, "consultations_permissions")


@bp.context_processor
def _helpers():
    return {
        "status_label": services.status_label,
        "Status": Status,
        "days_left_of": services.days_left,
        "text": services.escape_text,
    }


# --- Lists ------------------------------------------------------------------------------------------------------


@bp.route("/consultations/")
@access(*VIEWERS)
def consultation_list():
    if permissions.can_see_council_requests(current_user):
        items = services.council_requests()
        mine = False
    else:
        items = services.requests_of_clerk(current_user)
        mine = True
    return render_template("consultations/consultation_list.html", items=items, mine=mine, now=utcnow())


@bp.route("/consultations/archive")
@access(PUBLIC)
def archive():
    return render_template("consultations/archive.html", items=services.public_archive())


@bp.route("/consultations/archive/<int:consultation_id>")
@access(PUBLIC)
def archive_detail(consultation_id: int):
    consultation = _load(consultation_id)
    if not permissions.can_see_in_archive(current_user, consultation):
        abort(404)
    return render_template(
        "consultations/archive_detail.html",
        c=consultation,
        decision=consultation.adopted_decision,
        municipality=the_municipality(),
    )


# --- The clerk's request ----------------------------------------------------------------------------------------


def _render_request_form(form, consultation=None, status: int = 200, readability=None):
    template = "consultations/request_form.html"
    summary = form.summary.data or (consultation.summary if consultation else "")
    return render_template(
        template,
        form=form,
        c=consultation,
        readability=readability or lix(summary or ""),
        lix_warn=LIX_WARN,
    ), status


@bp.route("/consultations/new", methods=["GET", "POST"])
@access(Role.clerk)
def request_create():
    _check(permissions.can_send_request(current_user))
    form = RequestForm()
    if form.validate_on_submit():
        try:
            consultation = services.create_request(
                current_user,
                title=form.title.data,
                case_number=form.case_number.data,
                case_text=form.case_text.data,
                summary=form.summary.data,
                questions=form.questions.data or "",
                deadline=form.deadline.data,
                files=request.files.getlist(form.attachments.name),
            )
        except ConsultationError as error:
            db.session.rollback()
            attach_error(form, error, "title")
            return _render_request_form(form, status=error.status)
        warning = services.deadline_warning(form.deadline.data)
        db.session.commit()
        flash(_("The request is sent to the youth council."), "success")
        if warning:
            flash(warning, "warning")
        return see_other("consultations.consultation_detail", consultation_id=consultation.id)
    return _render_request_form(form, status=422 if form.errors else 200)


@bp.route("/consultations/readability")
@access(Role.clerk)
def readability():
    """The LIX hint for a summary being typed (htmx swaps it in; without JS the hint shows after a save)."""
    text = request.args.get("summary", "")[:5000]
    return render_page_or_fragment(
        "consultations/readability.html",
        "consultations/_readability.html",
        "lix-hint",
        readability=lix(text),
        lix_warn=LIX_WARN,
        length=len(text.strip()),
    )


@bp.route("/consultations/<int:consultation_id>/edit", methods=["GET", "POST"])
@access(Role.clerk)
def request_edit(consultation_id: int):
    consultation = _load(consultation_id)
    _check(permissions.can_correct_request(current_user, consultation))
    if not consultation.is_correctable:
        flash(_("The council has opened this request, so it can no longer be changed."), "error")
        return see_other("consultations.consultation_detail", consultation_id=consultation.id)
    form = EditRequestForm(obj=None if request.method == "POST" else consultation)
    if request.method == "GET":
        form.deadline.data = services.deadline_day(consultation)
    if form.validate_on_submit():
        remove_ids = [number for number in map(parse_id, request.form.getlist("remove")) if number is not None]
        try:
            services.update_request(
                consultation,
                current_user,
                title=form.title.data,
                case_number=form.case_number.data,
                case_text=form.case_text.data,
                summary=form.summary.data,
                questions=form.questions.data or "",
                deadline=form.deadline.data,
                files=request.files.getlist(form.attachments.name),
                remove_ids=remove_ids,
            )
        except ConsultationError as error:
            db.session.rollback()
            attach_error(form, error, "title")
            return _render_request_form(form, consultation, status=error.status)
        warning = services.deadline_warning(form.deadline.data)
        db.session.commit()
        flash(_("The request is updated."), "success")
        if warning:
            flash(warning, "warning")
        return see_other("consultations.consultation_detail", consultation_id=consultation.id)
    return _render_request_form(form, consultation, status=422 if form.errors else 200)


@bp.route("/consultations/<int:consultation_id>/withdraw", methods=["POST"])
@access(Role.clerk)
def request_withdraw(consultation_id: int):
    consultation = _load(consultation_id)
    _check(permissions.can_withdraw_request(current_user, consultation))
    _require_valid_post(EmptyForm())
    if consultation.can_be_withdrawn:
        page = confirmation_page(
            _("Withdraw the request “%(title)s”?", title=consultation.title),
            services.withdrawal_consequence(consultation),
            _("Withdraw the request"),
            cancel_url=url_for("consultations.consultation_detail", consultation_id=consultation.id),
        )
        if page:
            return page
    try:
        services.withdraw_request(consultation, current_user)
    except ConsultationError as error:
        return _fail(error, consultation_id=consultation.id)
    db.session.commit()
    flash(_("The request is withdrawn."), "success")
    return see_other("consultations.consultation_detail", consultation_id=consultation.id)


@bp.route("/consultations/<int:consultation_id>/attachments/<int:attachment_id>")
@access(*VIEWERS)
def attachment_download(consultation_id: int, attachment_id: int):
    consultation = _load(consultation_id)
    _check(permissions.can_view_attachment(current_user, consultation))
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or attachment.consultation_id != consultation.id:
        abort(404)
    path = services.attachment_path(attachment)
    if not path.is_file():
        abort(404)
    # Read into memory (at most 10 MB) so that no file handle outlives the request.
    response = send_file(
        io.BytesIO(path.read_bytes()),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=attachment.filename,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


# --- The request page: the clerk's view, or the council's ---------------------------------------------------------


@bp.route("/consultations/<int:consultation_id>")
@access(*VIEWERS)
def consultation_detail(consultation_id: int):
    consultation = _load(consultation_id)
    _check(permissions.can_view_request(current_user, consultation))
    now = utcnow()
    common = dict(
        c=consultation,
        now=now,
        days_left=services.days_left(consultation, now),
        steps=services.steps(consultation),
        form=EmptyForm(),
        decision=consultation.adopted_decision,
    )
    if not permissions.can_view_discussion(current_user, consultation):
        return render_template("consultations/request_clerk.html", **common)
    return _render_council_page(consultation, common)


def _render_council_page(consultation, common, comment_form=None, status: int = 200):
    versions = consultation.versions
    # The comment the form replies to: the posted one when the form comes back, else the page's ?reply=.
    reply_to = services.reply_target(
        consultation, comment_form.parent_id.data if comment_form is not None else request.args.get("reply")
    )
    vote_form = OpenVoteForm()
    vote_form.version_id.choices = [(v.id, _("Version %(n)s", n=v.number)) for v in reversed(versions)]
    return render_template(
        "consultations/consultation_detail.html",
        threads=services.threads(consultation),
        comment_form=comment_form or CommentForm(),
        reply_to=reply_to,
        vote_form=vote_form,
        motion=current_motion(consultation),
        latest=consultation.latest_version,
        **common,
    ), status


@bp.route("/consultations/<int:consultation_id>/open", methods=["POST"])
@access(Role.chair, Role.coordinator)
def request_open(consultation_id: int):
    consultation = _load(consultation_id)
    _check(permissions.can_open_request(current_user, consultation))
    _require_valid_post(EmptyForm())
    try:
        services.open_request(consultation, current_user)
    except ConsultationError as error:
        return _fail(error, consultation_id=consultation.id)
    db.session.commit()
    flash(_("The request is open. The council can discuss it now."), "success")
    return see_other("consultations.consultation_detail", consultation_id=consultation.id)


# --- Discussion -------------------------------------------------------------------------------------------------


@bp.route("/consultations/<int:consultation_id>/comments", methods=["POST"])
@access(Role.member)
def comment_add(consultation_id: int):
    consultation = _load(consultation_id)
    _check(permissions.can_comment(current_user, consultation))
    form = CommentForm()
    if form.validate_on_submit():
        try:
            parent = services.parent_for_reply(consultation, form.parent_id.data)
            comment = services.add_comment(consultation, current_user, form.body.data, parent=parent)
        except ConsultationError as error:
            db.session.rollback()
            attach_error(form, error, "body")
        else:
            db.session.commit()
            flash(_("Thank you! Your comment is posted."), "success")
            return see_other(
                "consultations.consultation_detail", consultation_id=consultation.id, _anchor=f"comment-{comment.id}"
            )
    now = utcnow()
    common = dict(
        c=consultation,
        now=now,
        days_left=services.days_left(consultation, now),
        steps=services.steps(consultation),
        form=EmptyForm(),
        decision=consultation.adopted_decision,
    )
    return _render_council_page(consultation, common, comment_form=form, status=422)


@bp.route("/consultations/comments/<int:comment_id>/support", methods=["POST"])
@access(Role.member)
def comment_support(comment_id: int):
    comment = db.get_or_404(Comment, comment_id)
    _check(permissions.can_support_comment(current_user, comment))
    _require_valid_post(EmptyForm())
    support = request.form.get("support")
    if support not in ("yes", "no"):
        abort(400)
    try:
        services.set_support(comment, current_user, support == "yes")
    except ConsultationError as error:
        return _fail(error, consultation_id=comment.consultation_id)
    db.session.commit()
    flash(_("You support this point.") if support == "yes" else _("You no longer support this point."), "success")
    return see_other(
        "consultations.consultation_detail", consultation_id=comment.consultation_id, _anchor=f"comment-{comment.id}"
    )


@bp.route("/consultations/comments/<int:comment_id>/hide", methods=["GET", "POST"])
@access(Role.coordinator)
def comment_hide(comment_id: int):
    comment = db.get_or_404(Comment, comment_id)
    _check(permissions.can_hide_comment(current_user, comment))
    form = HideForm()
    if form.validate_on_submit():
        try:
            services.hide_comment(comment, current_user, form.reason.data)
        except ConsultationError as error:
            db.session.rollback()
            attach_error(form, error, "reason")
        else:
            db.session.commit()
            flash(_("The comment is hidden."), "success")
            return see_other("consultations.consultation_detail", consultation_id=comment.consultation_id)
    return render_template("consultations/comment_hide.html", form=form, comment=comment), (422 if form.errors else 200)


@bp.route("/consultations/comments/<int:comment_id>/unhide", methods=["POST"])
@access(Role.coordinator)
def comment_unhide(comment_id: int):
    comment = db.get_or_404(Comment, comment_id)
    _check(permissions.can_unhide_comment(current_user, comment))
    _require_valid_post(EmptyForm())
    try:
        services.unhide_comment(comment, current_user)
    except ConsultationError as error:
        return _fail(error, consultation_id=comment.consultation_id)
    db.session.commit()
    flash(_("The comment is shown again."), "success")
    return see_other(
        "consultations.consultation_detail", consultation_id=comment.consultation_id, _anchor=f"comment-{comment.id}"
    )


# --- Draft response ---------------------------------------------------------------------------------------------


@bp.route("/consultations/<int:consultation_id>/draft", methods=["GET", "POST"])
@access(Role.member)
def draft_edit(consultation_id: int):
    consultation = _load(consultation_id)
    _check(permissions.can_edit_draft(current_user, consultation))
    latest = consultation.latest_version
    form = DraftForm()
    if request.method == "GET" and latest is not None:
        form.body.data = latest.body
    if form.validate_on_submit():
        try:
            version = services.save_draft(consultation, current_user, form.body.data)
        except ConsultationError as error:
            db.session.rollback()
            attach_error(form, error, "body")
        else:
            db.session.commit()
            flash(_("Saved as version %(n)s.", n=version.number), "success")
            return see_other("consultations.consultation_detail", consultation_id=consultation.id)
    writer_form = WriterForm()
    writer_form.writer.choices = [(0, _("— nobody —"))] + [(u.id, u.first_name) for u in _members()]
    writer_form.writer.data = consultation.writer_id or 0
    return render_template(
        "consultations/draft_form.html",
        form=form,
        c=consultation,
        latest=latest,
        writer_form=writer_form,
    ), (422 if form.errors else 200)


def _members():
    term = current_term()
    return voting_members(term) if term is not None else []


@bp.route("/consultations/<int:consultation_id>/writer", methods=["POST"])
@access(Role.chair)
def writer_set(consultation_id: int):
    consultation = _load(consultation_id)
    _check(permissions.can_name_writer(current_user, consultation))
    form = WriterForm()
    _require_valid_post(form)
    member = db.session.get(User, form.writer.data) if form.writer.data else None
    try:
        services.name_writer(consultation, current_user, member)
    except ConsultationError as error:
        return _fail(error, "consultations.draft_edit", consultation_id=consultation.id)
    db.session.commit()
    flash(_("The writer is saved."), "success")
    return see_other("consultations.draft_edit", consultation_id=consultation.id)


@bp.route("/consultations/<int:consultation_id>/versions")
@access(*COUNCIL)
def version_list(consultation_id: int):
    consultation = _load(consultation_id)
    _check(permissions.can_view_discussion(current_user, consultation))
    versions = consultation.versions
    form = CompareForm(request.args)
    choices = [(v.id, _("Version %(n)s", n=v.number)) for v in versions]
    form.a.choices = form.b.choices = choices
    old = services.version_of(consultation, form.a.data if request.args.get("a") else None)
    new = services.version_of(consultation, form.b.data if request.args.get("b") else None)
    if old is None and new is None and len(versions) >= 2:
        old, new = versions[-2], versions[-1]
        form.a.data, form.b.data = old.id, new.id
    diff = services.compare_versions(old, new) if old is not None and new is not None else None
    return render_template(
        "consultations/version_list.html",
        c=consultation,
        versions=versions,
        form=form,
        old=old,
        new=new,
        diff=diff,
    )


@bp.route("/consultations/<int:consultation_id>/versions/<int:version_id>")
@access(*COUNCIL)
def version_detail(consultation_id: int, version_id: int):
    consultation = _load(consultation_id)
    _check(permissions.can_view_discussion(current_user, consultation))
    version = db.session.get(DraftVersion, version_id)
    if version is None or version.consultation_id != consultation.id:
        abort(404)
    return render_template("consultations/version_detail.html", c=consultation, version=version)


# --- Adoption vote, sending, declining --------------------------------------------------------------------------


@bp.route("/consultations/<int:consultation_id>/vote", methods=["POST"])
@access(Role.chair)
def vote_open(consultation_id: int):
    consultation = _load(consultation_id)
    _check(permissions.can_open_vote(current_user, consultation))
    form = OpenVoteForm()
    _require_valid_post(form)
    version = services.version_of(consultation, form.version_id.data)
    try:
        motion = open_adoption_vote(consultation, current_user, version, secret=bool(form.secret.data))
    except ConsultationError as error:
        return _fail(error, consultation_id=consultation.id)
    db.session.commit()
    flash(_("The vote is open. Members can vote on their phones now."), "success")
    return see_other("motions.motion_detail", motion_id=motion.id)


@bp.route("/consultations/<int:consultation_id>/send", methods=["POST"])
@access(Role.chair)
def response_send(consultation_id: int):
    consultation = _load(consultation_id)
    _check(permissions.can_send_response(current_user, consultation))
    _require_valid_post(EmptyForm())
    page = confirmation_page(
        _("Send the response to the clerk?"),
        _(
            "The clerk gets the adopted response now, and anyone can read it in the public archive. The response "
            "cannot be changed after this."
        ),
        _("Send the response"),
        cancel_url=url_for("consultations.consultation_detail", consultation_id=consultation.id),
    )
    if page:
        return page
    try:
        services.send_response(consultation, current_user)
    except ConsultationError as error:
        return _fail(error, consultation_id=consultation.id)
    db.session.commit()
    flash(_("The response is sent to the clerk."), "success")
    return see_other("consultations.consultation_detail", consultation_id=consultation.id)


@bp.route("/consultations/<int:consultation_id>/decline", methods=["GET", "POST"])
@access(Role.chair)
def request_decline(consultation_id: int):
    consultation = _load(consultation_id)
    _check(permissions.can_decline_request(current_user, consultation))
    form = DeclineForm()
    if form.validate_on_submit():
        try:
            services.decline_to_respond(consultation, current_user, form.reason.data)
        except ConsultationError as error:
            db.session.rollback()
            attach_error(form, error, "reason")
        else:
            db.session.commit()
            flash(_("The clerk is told that the council will not respond."), "success")
            return see_other("consultations.consultation_detail", consultation_id=consultation.id)
    return render_template("consultations/decline_form.html", form=form, c=consultation), (422 if form.errors else 200)


# --- The clerk records the city's decision; print view ----------------------------------------------------------


@bp.route("/consultations/<int:consultation_id>/city-decision", methods=["GET", "POST"])
@access(Role.clerk)
def city_decision(consultation_id: int):
    consultation = _load(consultation_id)
    _check(permissions.can_record_city_decision(current_user, consultation))
    form = CityDecisionForm()
    if request.method == "GET" and consultation.city_decision:
        form.decision.data, form.usage.data = consultation.city_decision, consultation.city_usage
    if form.validate_on_submit():
        try:
            services.record_city_decision(consultation, current_user, form.decision.data, form.usage.data)
        except ConsultationError as error:
            db.session.rollback()
            attach_error(form, error, "decision")
        else:
            db.session.commit()
            flash(_("The city's decision is recorded. The council is told."), "success")
            return see_other("consultations.consultation_detail", consultation_id=consultation.id)
    return render_template("consultations/city_decision_form.html", form=form, c=consultation), (
        422 if form.errors else 200
    )


@bp.route("/consultations/<int:consultation_id>/print")
@access(*VIEWERS)
def response_print(consultation_id: int):
    consultation = _load(consultation_id)
    _check(permissions.can_view_request(current_user, consultation))
    if not permissions.can_view_response(current_user, consultation):
        abort(404)
    return render_template(
        "consultations/response_print.html",
        c=consultation,
        decision=consultation.adopted_decision,
        municipality=the_municipality(),
        municipality_name=current_app.config["MUNICIPALITY_NAME"],
    )


@bp.errorhandler(413)
def _too_big(error):
    """More than the whole upload limit: a friendly page; the browser's Back button still holds the typed text. A
    too long text (over ``MAX_FORM_MEMORY_SIZE``) says so instead."""
    if refused_for_text():
        return text_too_long_page()
    return make_response(render_template("consultations/too_big.html"), 413)
