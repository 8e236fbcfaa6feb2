from __future__ import annotations

from flask import Response, abort, flash, make_response, render_template, request, url_for
from flask_login import current_user

from youthcouncil import audit
from youthcouncil.accounts.qr import activation_link, qr_svg_data_uri
from youthcouncil.auth import PUBLIC, Role, access
from youthcouncil.confirm import confirmation_page
from youthcouncil.db import utcnow
from youthcouncil.extensions import db, htmx
from youthcouncil.i18n import gettext as _
from youthcouncil.i18n import lazy_gettext as _l
from youthcouncil.i18n import ngettext, to_oslo
from youthcouncil.inputs import parse_id
from youthcouncil.membership import bp, nominations, permissions, schools, services, terms
from youthcouncil.membership.forms import (
    ConsentForm,
    NominationForm,
    RejectForm,
    RepForm,
    SchoolForm,
    TermForm,
)
from youthcouncil.membership.models import Membership, Nomination, NominationStatus, Office, School, Term
from youthcouncil.web import EmptyForm, attach_error, nav_item, see_other

nav_item("membership.public_roster", _l("The council"), PUBLIC, 10)
nav_item("membership.roster", _l("Members"), [Role.member, Role.chair, Role.clerk, Role.coordinator], 12)
nav_item("membership.nominations", _l("Nominations"), [Role.school_rep, Role.coordinator], 14)
nav_item("membership.school_list", _l("Schools"), [Role.coordinator], 70)
nav_item("membership.term_list", _l("Terms"), [Role.coordinator], 72)
nav_item("membership.audit_log", _l("Audit log"), [Role.coordinator], 88)
bp.add_app_template_global(permissions, "membership_permissions")

STATUS_LABELS = {
    NominationStatus.pending: _l("Waiting for the coordinator"),
    NominationStatus.approved: _l("Approved"),
    NominationStatus.rejected: _l("Not approved"),
    NominationStatus.withdrawn: _l("Withdrawn"),
}


def _render_form(template: str, form, **context):
    # 200 even with errors: htmx swaps it in, and browsers log a 4xx as a console error.
    return render_template(template, form=form, **context)


# --- Public and member roster -------------------------------------------------------------------------------


@bp.route("/council")
@access(PUBLIC)
def public_roster():
    term = services.current_term()
    members = terms.public_roster(term) if term else []
    return render_template("membership/roster_public.html", term=term, members=members)


@bp.route("/membership/roster")
@access(Role.member, Role.chair, Role.clerk, Role.coordinator)
def roster():
    if not permissions.can_see_full_roster(current_user):
        abort(403)
    term = services.current_term()
    pages = terms.roster_page(term, request.args.get("page", type=parse_id) or 1) if term else None
    return render_template(
        "membership/roster.html",
        term=term,
        pages=pages,
        memberships=pages.items if pages else [],
        Office=Office,
    )


@bp.route("/membership/memberships/<int:membership_id>/office", methods=["POST"])
@access(Role.coordinator)
def set_office(membership_id: int):
    membership = db.get_or_404(Membership, membership_id)
    if not permissions.can_set_office(current_user, membership):
        abort(403)
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        office = Office(request.form.get("office", ""))
    except ValueError:
        abort(400)
    try:
        terms.set_office(membership, office, by=current_user)
    except services.MembershipError as error:
        flash(str(error), "error")
        return see_other("membership.roster")
    db.session.commit()
    flash(_("The roles are saved."), "success")
    return see_other("membership.roster")


# --- Schools and school reps --------------------------------------------------------------------------------


@bp.route("/membership/schools")
@access(Role.coordinator)
def school_list():
    if not permissions.can_manage_schools(current_user):
        abort(403)
    term = services.current_term()
    return render_template(
        "membership/school_list.html", schools=schools.schools(), term=term, seats_left=terms.seats_left
    )


@bp.route("/membership/schools/new", methods=["GET", "POST"])
@access(Role.coordinator)
def school_create():
    if not permissions.can_manage_schools(current_user):
        abort(403)
    form = SchoolForm()
    if request.method == "GET":
        form.seats.data, form.deputy_seats.data = 1, 1
    if form.validate_on_submit():
        try:
            school = schools.create_school(form.name.data, form.seats.data, form.deputy_seats.data, by=current_user)
        except services.MembershipError as error:
            attach_error(form, error, "name")
        else:
            db.session.commit()
            flash(_("%(name)s is added.", name=school.name), "success")
            return see_other("membership.school_list")
    return _render_form("membership/school_form.html", form, school=None)


@bp.route("/membership/schools/<int:school_id>", methods=["GET", "POST"])
@access(Role.coordinator)
def school_edit(school_id: int):
    school = db.get_or_404(School, school_id)
    if not permissions.can_manage_schools(current_user):
        abort(403)
    form = SchoolForm(obj=school)
    if form.validate_on_submit():
        try:
            schools.update_school(school, form.name.data, form.seats.data, form.deputy_seats.data, by=current_user)
        except services.MembershipError as error:
            attach_error(form, error, "name")
        else:
            db.session.commit()
            flash(_("The school is saved."), "success")
            return see_other("membership.school_list")
    return _render_form(
        "membership/school_form.html",
        form,
        school=school,
        reps=schools.school_reps(school),
    )


@bp.route("/membership/schools/<int:school_id>/reps/new", methods=["GET", "POST"])
@access(Role.coordinator)
def rep_create(school_id: int):
    school = db.get_or_404(School, school_id)
    if not permissions.can_manage_schools(current_user):
        abort(403)
    form = RepForm()
    if form.validate_on_submit():
        try:
            issued = schools.create_school_rep(
                school, form.first_name.data, form.last_name.data, form.username.data, by=current_user
            )
        except services.MembershipError as error:
            attach_error(form, error, None)
        else:
            db.session.commit()
            flash(_("The school rep account for %(name)s is created.", name=issued.user.display_name), "success")
            link = activation_link(issued.code)
            response = make_response(
                render_template("membership/rep_code.html", issued=issued, link=link, qr=qr_svg_data_uri(link))
            )
            response.headers["Cache-Control"] = "no-store"
            return response
    return _render_form("membership/rep_form.html", form, school=school)


# --- Terms --------------------------------------------------------------------------------------------------


@bp.route("/membership/terms")
@access(Role.coordinator)
def term_list():
    if not permissions.can_manage_terms(current_user):
        abort(403)
    return render_template("membership/term_list.html", terms=terms.terms(), current=services.current_term())


def _term_form_defaults(form: TermForm, term: Term) -> None:
    form.name.data = term.name
    form.starts_on.data = term.starts_on
    form.ends_on.data = term.ends_on
    form.nomination_deadline.data = to_oslo(term.nomination_deadline).date()


@bp.route("/membership/terms/new", methods=["GET", "POST"])
@access(Role.coordinator)
def term_create():
    if not permissions.can_manage_terms(current_user):
        abort(403)
    form = TermForm()
    if form.validate_on_submit():
        try:
            term = terms.create_term(
                form.name.data, form.starts_on.data, form.ends_on.data, form.nomination_deadline.data, by=current_user
            )
        except services.MembershipError as error:
            attach_error(form, error, "name")
        else:
            db.session.commit()
            flash(_("The term %(name)s is created.", name=term.name), "success")
            return see_other("membership.term_list")
    return _render_form("membership/term_form.html", form, term=None)


@bp.route("/membership/terms/<int:term_id>", methods=["GET", "POST"])
@access(Role.coordinator)
def term_edit(term_id: int):
    term = db.get_or_404(Term, term_id)
    if not permissions.can_manage_terms(current_user):
        abort(403)
    form = TermForm()
    if request.method == "GET":
        _term_form_defaults(form, term)
    if form.validate_on_submit():
        try:
            terms.update_term(
                term,
                form.name.data,
                form.starts_on.data,
                form.ends_on.data,
                form.nomination_deadline.data,
                by=current_user,
            )
        except services.MembershipError as error:
            attach_error(form, error, "name")
        else:
            db.session.commit()
            flash(_("The term is saved."), "success")
            return see_other("membership.term_list")
    return _render_form(
        "membership/term_form.html",
        form,
        term=term,
        schools=schools.schools(),
    )


@bp.route("/membership/terms/<int:term_id>/delete", methods=["POST"])
@access(Role.coordinator)
def term_delete(term_id: int):
    term = db.get_or_404(Term, term_id)
    if not permissions.can_delete_term(current_user, term):
        abort(403)
    page = confirmation_page(
        _("Delete the term %(name)s?", name=term.name),
        _("The term is removed as if it had never been made. The current term does not change."),
        _("Delete the term"),
        cancel_url=url_for("membership.term_edit", term_id=term.id),
    )
    if page:
        return page
    name = term.name
    try:
        terms.delete_term(term, by=current_user)
    except services.MembershipError as error:
        db.session.rollback()
        flash(str(error), "error")
        return see_other("membership.term_edit", term_id=term_id)
    db.session.commit()
    flash(_("The term %(name)s is deleted.", name=name), "success")
    return see_other("membership.term_list")


@bp.route("/membership/terms/<int:term_id>/close", methods=["POST"])
@access(Role.coordinator)
def term_close(term_id: int):
    term = db.get_or_404(Term, term_id)
    if not permissions.can_close_term(current_user, term):
        abort(403)
    seated = terms.active_membership_count(term)
    consequence = ngettext(
        "%(num)d membership ends now and the member is logged out.",
        "%(num)d memberships end now and the members are logged out.",
        seated,
    )
    waiting = terms.pending_nomination_count(term)
    if waiting:
        consequence += " " + ngettext(
            "%(num)d nomination still waiting is rejected because the term is closed; the school rep sees why.",
            "%(num)d nominations still waiting are rejected because the term is closed; the school reps see why.",
            waiting,
        )
    page = confirmation_page(
        _("Close the term %(name)s?", name=term.name),
        consequence,
        _("Close the term"),
        cancel_url=url_for("membership.term_edit", term_id=term.id),
    )
    if page:
        return page
    try:
        count = terms.close_term(term, by=current_user)
    except services.MembershipError as error:
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("The term is closed. %(count)s memberships ended.", count=count), "success")
    return see_other("membership.term_list")


# --- Nominations --------------------------------------------------------------------------------------------


@bp.route("/membership/nominations", endpoint="nominations")
@access(Role.school_rep, Role.coordinator)
def nomination_overview():
    """A school rep's overview of their school; the coordinator's list of nominations to review."""
    if permissions.can_manage_schools(current_user):
        return render_template(
            "membership/review_queue.html",
            pending=nominations.pending_nominations(),
            terms=terms.open_terms(),
            schools=schools.schools(),
            reject_form_for=lambda n: _queue_reject_form(n, formdata=None),
        )
    school = current_user.school
    overview = [
        (
            term,
            nominations.school_nominations(term, school),
            nominations.places_left(term, school),
            nominations.nomination_is_open(term),
        )
        for term in terms.open_terms()
    ]
    return render_template(
        "membership/rep_overview.html",
        school=school,
        overview=overview,
        closed=nominations.closed_terms_nominated(school),
        labels=STATUS_LABELS,
    )


def _load_term_and_school(term_id: int, school_id: int) -> tuple[Term, School]:
    term = db.get_or_404(Term, term_id)
    school = db.get_or_404(School, school_id)
    return term, school


@bp.route("/membership/terms/<int:term_id>/schools/<int:school_id>")
@access(Role.school_rep, Role.coordinator)
def school_nominations(term_id: int, school_id: int):
    term, school = _load_term_and_school(term_id, school_id)
    if not permissions.can_view_school_nominations(current_user, school):
        abort(403)
    return render_template(
        "membership/school_nominations.html",
        term=term,
        school=school,
        nominations=nominations.school_nominations(term, school),
        intended=nominations.intended_seats(term, school),
        places_left=nominations.places_left(term, school),
        seats_left=terms.seats_left,
        is_open=nominations.nomination_is_open(term),
        labels=STATUS_LABELS,
        form=EmptyForm(),
    )


def _candidate(form: NominationForm) -> nominations.Candidate:
    return nominations.Candidate(
        first_name=form.first_name.data or "",
        last_name=form.last_name.data or "",
        grade=form.grade.data or "",
        birth_year=form.birth_year.data,
        birth_month=form.birth_month.data,
        why_me=form.why_me.data or "",
        position=form.position.data,
    )


@bp.route("/membership/terms/<int:term_id>/schools/<int:school_id>/nominate", methods=["GET", "POST"])
@access(Role.school_rep)
def nomination_create(term_id: int, school_id: int):
    term, school = _load_term_and_school(term_id, school_id)
    if not permissions.can_nominate(current_user, school):
        abort(403)
    form = NominationForm()
    if form.validate_on_submit():
        try:
            nomination = nominations.nominate(term, school, _candidate(form), by=current_user)
        except services.MembershipError as error:
            attach_error(form, error, None)
        else:
            db.session.commit()
            flash(_("%(name)s is nominated.", name=nomination.first_name), "success")
            return see_other("membership.school_nominations", term_id=term.id, school_id=school.id)
    return _render_form(
        "membership/nomination_form.html",
        form,
        term=term,
        school=school,
        nomination=None,
        places_left=nominations.places_left(term, school),
        is_open=nominations.nomination_is_open(term),
    )


@bp.route("/membership/nominations/<int:nomination_id>/edit", methods=["GET", "POST"])
@access(Role.school_rep)
def nomination_edit(nomination_id: int):
    nomination = db.get_or_404(Nomination, nomination_id)
    if not permissions.can_view_school_nominations(current_user, nomination.school):
        abort(403)
    if not permissions.can_change_nomination(current_user, nomination):
        flash(_("The coordinator has already decided on this nomination."), "info")
        return see_other("membership.school_nominations", term_id=nomination.term_id, school_id=nomination.school_id)
    form = NominationForm(obj=nomination)
    if request.method == "GET":
        form.birth_year.data = None
    if form.validate_on_submit():
        try:
            nominations.update_nomination(nomination, _candidate(form), by=current_user)
        except services.MembershipError as error:
            attach_error(form, error, None)
        else:
            db.session.commit()
            flash(_("The nomination is saved."), "success")
            return see_other(
                "membership.school_nominations", term_id=nomination.term_id, school_id=nomination.school_id
            )
    return _render_form(
        "membership/nomination_form.html",
        form,
        term=nomination.term,
        school=nomination.school,
        nomination=nomination,
        places_left=None,
        is_open=nominations.nomination_is_open(nomination.term),
    )


@bp.route("/membership/nominations/<int:nomination_id>/withdraw", methods=["POST"])
@access(Role.school_rep)
def nomination_withdraw(nomination_id: int):
    nomination = db.get_or_404(Nomination, nomination_id)
    if not permissions.can_view_school_nominations(current_user, nomination.school):
        abort(403)
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    if not permissions.can_change_nomination(current_user, nomination):
        flash(_("The coordinator has already decided on this nomination."), "info")
    else:
        nominations.withdraw_nomination(nomination, by=current_user)
        db.session.commit()
        flash(_("The nomination of %(name)s is withdrawn.", name=nomination.first_name), "success")
    return see_other("membership.school_nominations", term_id=nomination.term_id, school_id=nomination.school_id)


def _from_queue() -> bool:
    """The decision was taken in the review queue (with or without JavaScript), not on the school's page."""
    return request.form.get("back") == "queue"


def _queue_reject_form(nomination: Nomination, **kwargs) -> RejectForm:
    # Each queue item has its own reason field (unique ids on a page with many nominations).
    return RejectForm(prefix=f"n{nomination.id}", **kwargs)


def _after_decision(nomination: Nomination, message: str, category: str, *, error: str | None = None, form=None):
    """htmx swaps the queue item in place; without JavaScript the message is flashed and the page loads again."""
    if _from_queue() and htmx and htmx.target == f"queue-{nomination.id}":
        decided = not nomination.is_pending
        return render_template(
            "membership/_queue_item.html",
            n=nomination,
            done=message if decided or category == "info" else None,
            error=error,
            reject_form=form or _queue_reject_form(nomination, formdata=None),
        )
    flash(message, category)
    if _from_queue():
        return see_other("membership.nominations")
    return see_other("membership.school_nominations", term_id=nomination.term_id, school_id=nomination.school_id)


@bp.route("/membership/nominations/<int:nomination_id>/approve", methods=["POST"])
@access(Role.coordinator)
def nomination_approve(nomination_id: int):
    nomination = db.get_or_404(Nomination, nomination_id)
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    if not permissions.can_review_nomination(current_user, nomination):
        return _after_decision(nomination, _("This nomination is already decided."), "info")
    try:
        nominations.approve_nomination(nomination, by=current_user)
    except services.MembershipError as error:
        db.session.rollback()
        return _after_decision(nomination, str(error), "error", error=str(error))
    db.session.commit()
    message = _("%(name)s is approved and has an account.", name=nomination.display_name)
    return _after_decision(nomination, message, "success")


@bp.route("/membership/nominations/<int:nomination_id>/reject", methods=["GET", "POST"])
@access(Role.coordinator)
def nomination_reject(nomination_id: int):
    nomination = db.get_or_404(Nomination, nomination_id)
    if not permissions.can_review_nomination(current_user, nomination):
        if request.method == "POST" and not EmptyForm().validate_on_submit():
            abort(400)
        return _after_decision(nomination, _("This nomination is already decided."), "info")
    form = _queue_reject_form(nomination) if _from_queue() else RejectForm()
    if form.validate_on_submit():
        try:
            nominations.reject_nomination(nomination, form.reason.data, by=current_user)
        except services.MembershipError as error:
            attach_error(form, error, "reason")
        else:
            db.session.commit()
            message = _("The nomination is not approved. The school rep sees your reason.")
            return _after_decision(nomination, message, "success")
    if _from_queue() and htmx and htmx.target == f"queue-{nomination.id}":
        return render_template("membership/_queue_item.html", n=nomination, done=None, error=None, reject_form=form)
    return _render_form("membership/nomination_reject.html", form, nomination=nomination)


@bp.route("/membership/nominations/<int:nomination_id>/consent", methods=["GET", "POST"])
@access(Role.school_rep, Role.coordinator)
def nomination_consent(nomination_id: int):
    nomination = db.get_or_404(Nomination, nomination_id)
    if not permissions.can_view_school_nominations(current_user, nomination.school):
        abort(403)
    if not permissions.can_record_consent(current_user, nomination):
        if request.method == "POST" and not EmptyForm().validate_on_submit():
            abort(400)
        flash(_("No consent is needed here, or it is already recorded."), "info")
        return see_other("membership.school_nominations", term_id=nomination.term_id, school_id=nomination.school_id)
    form = ConsentForm()
    if request.method == "GET":
        form.given_on.data = services.today_in_oslo()
    if form.validate_on_submit():
        try:
            nominations.record_consent(nomination, form.given_on.data, by=current_user)
        except services.MembershipError as error:
            attach_error(form, error, "given_on")
        else:
            db.session.commit()
            flash(_("The guardian's consent is recorded."), "success")
            return see_other(
                "membership.school_nominations", term_id=nomination.term_id, school_id=nomination.school_id
            )
    return _render_form("membership/nomination_consent.html", form, nomination=nomination)


# --- Activation sheets --------------------------------------------------------------------------------------


@bp.route("/membership/terms/<int:term_id>/schools/<int:school_id>/sheets", methods=["GET", "POST"])
@access(Role.coordinator)
def activation_sheets(term_id: int, school_id: int):
    """GET explains and offers the button; POST makes fresh codes and shows the sheets once, ready to print."""
    term, school = _load_term_and_school(term_id, school_id)
    if not permissions.can_print_sheets(current_user, school):
        abort(403)
    ready, waiting = nominations.members_waiting_for_sheets(term, school)
    form = EmptyForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        try:
            issued = nominations.issue_activation_sheets(term, school, by=current_user)
        except services.MembershipError as error:
            flash(str(error), "error")
            return see_other("membership.activation_sheets", term_id=term.id, school_id=school.id)
        db.session.commit()
        sheets = []
        for code in issued:
            link = activation_link(code.code)
            sheets.append({"issued": code, "link": link, "qr": qr_svg_data_uri(link)})
        response = make_response(
            render_template("membership/activation_sheets.html", term=term, school=school, sheets=sheets)
        )
        response.headers["Cache-Control"] = "no-store"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response
    return render_template(
        "membership/activation_sheets_start.html", term=term, school=school, ready=ready, waiting=waiting, form=form
    )


# --- Audit log ----------------------------------------------------------------------------------------------


@bp.route("/membership/audit")
@access(Role.coordinator)
def audit_log():
    if not permissions.can_read_audit_log(current_user):
        abort(403)
    events = audit.audit_page(request.args.get("page", type=parse_id) or 1)
    return render_template("membership/audit_log.html", events=events)


@bp.route("/membership/audit.csv")
@access(Role.coordinator)
def audit_export():
    if not permissions.can_read_audit_log(current_user):
        abort(403)
    stamp = to_oslo(utcnow()).strftime("%Y%m%d")
    return Response(
        audit.audit_csv(),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f"attachment; filename=audit-{stamp}.csv",
            "Cache-Control": "no-store",
        },
    )
