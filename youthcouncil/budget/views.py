from __future__ import annotations

import csv
import io
import secrets

from flask import Response, abort, current_app, flash, render_template, request, url_for
from flask_babel import format_date
from flask_login import current_user

from youthcouncil.auth import PUBLIC, Role, access
from youthcouncil.budget import bp, open_data, permissions
from youthcouncil.budget.ballot import (
    count_voters,
    has_voted,
    my_selection,
    save_draft,
    selection_cost,
    submit_ballot,
)
from youthcouncil.budget.forms import (
    MONTHS,
    BallotForm,
    CheckForm,
    EventForm,
    GrantRequestForm,
    ImportForm,
    SpendingForm,
    YearForm,
)
from youthcouncil.budget.ledger import put_request_to_vote, record_spending, request_grant
from youthcouncil.budget.models import BudgetYear, Event, Feasibility, Grant, GrantRequest, Phase, Rule
from youthcouncil.budget.money import kroner, kroner_parts
from youthcouncil.budget.outcome import PHASE_ACTIONS, change_phase, confirm_outcome
from youthcouncil.budget.permissions import (
    can_cast_ballot,
    can_change_phase,
    can_check_event,
    can_confirm_outcome,
    can_download_spending,
    can_edit_year,
    can_export_year,
    can_import_round,
    can_manage_budget,
    can_propose_event,
    can_propose_on_behalf,
    can_put_request_to_vote,
    can_record_spending,
    can_request_grant,
    can_view_budget,
    can_view_event,
    can_view_result,
    can_vote,
)
from youthcouncil.budget.services import (
    BudgetError,
    all_years,
    ballot_events,
    check_event,
    create_year,
    open_requests,
    proposals_to_check,
    propose_event,
    public_years,
    result_rows,
    update_year,
)
from youthcouncil.confirm import confirmation_page
from youthcouncil.db import utcnow
from youthcouncil.exports import csv_safe
from youthcouncil.extensions import db, htmx
from youthcouncil.i18n import format_moment, format_time, ngettext
from youthcouncil.i18n import gettext as _
from youthcouncil.i18n import lazy_gettext as _l
from youthcouncil.inputs import parse_id
from youthcouncil.membership.services import the_municipality
from youthcouncil.web import EmptyForm, attach_error, nav_item, see_other

nav_item("budget.index", _l("Budget"), [Role.member, Role.chair, Role.coordinator], 40)
nav_item("budget.spending", _l("Spending"), PUBLIC, 75)

COUNCIL = (Role.member, Role.chair, Role.coordinator)


def _year_or_404(year_id: int) -> BudgetYear:
    return db.get_or_404(BudgetYear, year_id)


bp.add_app_template_filter(kroner, "kroner")
bp.add_app_template_global(permissions, "budget_permissions")


@bp.app_template_filter("budget_date")
def _date_filter(value):
    """A day in the reader's language: "10. mai 2027" / "May 10, 2027"."""
    return format_date(value, "medium") if value else ""


bp.add_app_template_global(MONTHS, "budget_months")


# --- Years -----------------------------------------------------------------------------------------------------


@bp.route("/budget/")
@access(*COUNCIL)
def index():
    if not can_view_budget(current_user):
        abort(403)
    return render_template("budget/year_list.html", years=all_years(), to_check=proposals_to_check())


@bp.route("/budget/years/new", methods=["GET", "POST"])
@access(Role.coordinator)
def year_create():
    if not can_manage_budget(current_user):
        abort(403)
    form = YearForm()
    if form.validate_on_submit():
        try:
            year = create_year(
                name=form.name.data,
                total=form.total.data,
                proposing_starts=form.proposing_starts.data,
                feasibility_starts=form.feasibility_starts.data,
                voting_starts=form.voting_starts.data,
                voting_ends=form.voting_ends.data,
                decided_by=form.decided_by.data,
                rule=Rule(form.rule.data),
                comparison=form.comparison.data,
                created_by=current_user,
            )
        except BudgetError as error:
            attach_error(form, error, "name")
        else:
            db.session.commit()
            flash(_("The budget year is open."), "success")
            return see_other("budget.year_detail", year_id=year.id)
    return render_template("budget/year_form.html", form=form, year=None), 422 if form.errors else 200


@bp.route("/budget/years/<int:year_id>/edit", methods=["GET", "POST"])
@access(Role.coordinator)
def year_edit(year_id: int):
    year = _year_or_404(year_id)
    if not can_edit_year(current_user, year):
        abort(403)
    form = YearForm(obj=year if request.method == "GET" else None)
    if request.method == "GET":
        form.rule.data = year.rule.value
    if form.validate_on_submit():
        changes = dict(
            name=form.name.data,
            total=form.total.data,
            proposing_starts=form.proposing_starts.data,
            feasibility_starts=form.feasibility_starts.data,
            voting_starts=form.voting_starts.data,
            voting_ends=form.voting_ends.data,
            decided_by=form.decided_by.data,
            rule=Rule(form.rule.data),
            comparison=form.comparison.data,
        )
        try:
            update_year(year, by=current_user, **changes)
        except BudgetError as error:
            db.session.rollback()
            attach_error(form, error, "name")
        else:
            db.session.commit()
            flash(_("The budget year is saved."), "success")
            return see_other("budget.year_detail", year_id=year.id)
    return render_template("budget/year_form.html", form=form, year=year), 422 if form.errors else 200


@bp.route("/budget/years/<int:year_id>")
@access(*COUNCIL)
def year_detail(year_id: int):
    year = _year_or_404(year_id)
    if not can_view_budget(current_user):
        abort(403)
    phase = year.phase()
    events = [event for event in year.events if not event.mid_year]
    voted = has_voted(year, current_user) if phase == Phase.voting else False
    return render_template(
        "budget/year_detail.html",
        year=year,
        phase=phase,
        events=events,
        voted=voted,
        voters=count_voters(year),
    )


# --- Proposals and feasibility -----------------------------------------------------------------------------------


@bp.route("/budget/years/<int:year_id>/propose", methods=["GET", "POST"])
@access(Role.member, Role.coordinator)
def event_propose(year_id: int):
    year = _year_or_404(year_id)
    if not can_propose_event(current_user, year) and request.method == "GET":
        flash(_("Proposing is closed for this budget year."), "warning")
        return see_other("budget.year_detail", year_id=year.id)
    form = EventForm()
    coordinator = can_propose_on_behalf(current_user)
    if form.validate_on_submit():
        try:
            event = propose_event(
                year,
                proposer=current_user,
                title=form.title.data,
                description=form.description.data,
                estimated_cost=form.estimated_cost.data,
                month=form.month.data,
                on_behalf_of=form.on_behalf_of.data if coordinator else None,
            )
        except BudgetError as error:
            attach_error(form, error, "title")
        else:
            db.session.commit()
            flash(_("Thank you! Your event is proposed. The coordinator will check it."), "success")
            return see_other("budget.event_detail", event_id=event.id)
    status = 422 if form.errors else 200
    return render_template("budget/event_form.html", form=form, year=year, coordinator=coordinator), status


@bp.route("/budget/events/<int:event_id>")
@access(*COUNCIL)
def event_detail(event_id: int):
    event = db.get_or_404(Event, event_id)
    if not can_view_event(current_user, event):
        abort(403)
    return render_template(
        "budget/event_detail.html",
        event=event,
        year=event.year,
    )


@bp.route("/budget/events/<int:event_id>/check", methods=["GET", "POST"])
@access(Role.coordinator)
def event_check(event_id: int):
    event = db.get_or_404(Event, event_id)
    if not can_check_event(current_user, event):
        abort(403)
    form = CheckForm(
        verdict=event.feasibility.value if event.feasibility != Feasibility.pending else None,
        approved_cost=event.approved_cost,
        note=event.feasibility_note,
    )
    if form.validate_on_submit():
        try:
            check_event(
                event,
                by=current_user,
                verdict=Feasibility(form.verdict.data),
                approved_cost=form.approved_cost.data,
                note=form.note.data,
            )
        except BudgetError as error:
            db.session.rollback()
            attach_error(form, error, "verdict")
        else:
            db.session.commit()
            flash(_("The feasibility check is saved."), "success")
            return see_other("budget.year_detail", year_id=event.year_id)
    return render_template("budget/event_check.html", form=form, event=event), 422 if form.errors else 200


# --- Voting ----------------------------------------------------------------------------------------------------


def _posted_ids() -> list[str]:
    return request.form.getlist("event")


def _ballot_page(year: BudgetYear, selection: list[int], source: str | None, error: str | None = None, status=200):
    events = ballot_events(year)
    form = BallotForm(idempotency_key=secrets.token_urlsafe(24))
    context = dict(
        year=year,
        events=events,
        selection=selection,
        source=source,
        error=error,
        form=form,
        cost=selection_cost(year, selection),
        available=year.total - year.granted_total,
        voted=has_voted(year, current_user),
    )
    context["money_pattern"], context["money_group"] = kroner_parts()
    if htmx and htmx.target == "ballot-status":
        return render_template("budget/_ballot_status.html", fragment=True, **context), status
    return render_template("budget/vote.html", **context), status


def _selection_from_post() -> list[int]:
    return [number for number in map(parse_id, _posted_ids()) if number is not None]


@bp.route("/budget/years/<int:year_id>/vote")
@access(Role.member)
def vote(year_id: int):
    year = _year_or_404(year_id)
    if not can_cast_ballot(current_user):
        abort(403)
    if not can_vote(current_user, year):
        flash(_("Voting is not open for this budget year."), "warning")
        return see_other("budget.year_detail", year_id=year.id)
    selection, source = my_selection(year, current_user)
    return _ballot_page(year, selection, source)


@bp.route("/budget/years/<int:year_id>/vote/save", methods=["POST"])
@access(Role.member)
def vote_save(year_id: int):
    year = _year_or_404(year_id)
    form = BallotForm()
    if not form.validate_on_submit():
        abort(400)
    if not can_cast_ballot(current_user):
        abort(403)
    try:
        save_draft(year, current_user, _posted_ids())
    except BudgetError as error:
        db.session.rollback()
        return _ballot_page(year, _selection_from_post(), "posted", error=str(error), status=422)
    db.session.commit()
    if htmx and htmx.target == "ballot-status":
        selection, source = my_selection(year, current_user)
        return _ballot_page(year, selection, source)
    flash(_("Saved. Your vote is not submitted yet."), "info")
    return see_other("budget.vote", year_id=year.id)


@bp.route("/budget/years/<int:year_id>/vote/submit", methods=["POST"])
@access(Role.member)
def vote_submit(year_id: int):
    year = _year_or_404(year_id)
    form = BallotForm()
    if not form.validate_on_submit():
        abort(400)
    if not can_cast_ballot(current_user):
        abort(403)
    try:
        counted = submit_ballot(year, current_user, _posted_ids(), form.idempotency_key.data)
    except BudgetError as error:
        db.session.rollback()
        return _ballot_page(year, _selection_from_post(), "posted", error=str(error), status=422)
    db.session.commit()
    if counted:
        flash(_("Your vote is registered at %(time)s.", time=format_time(utcnow())), "receipt")
    else:
        flash(_("Your vote was already submitted. It counts once."), "info")
    return see_other("budget.vote", year_id=year.id)


# --- Close, count, result, confirm -------------------------------------------------------------------------------


def _phase_step(year: BudgetYear, action: str) -> tuple[str, str, str, bool]:
    """What the confirmation page says for a phase button: title, what happens, the button, and whether it cannot
    be undone."""
    if action == "open_proposing":
        return (
            _("Open proposing now?"),
            _(
                "Members can propose events from now on. The rest of the plan stays: the feasibility check starts "
                "%(when)s.",
                when=format_moment(year.feasibility_starts, "short"),
            ),
            _("Open proposing now"),
            False,
        )
    if action == "close_proposing":
        return (
            _("Close proposing now?"),
            _(
                "Members can no longer propose events, and you check the proposals. Voting is still planned to open "
                "%(when)s.",
                when=format_moment(year.voting_starts, "short"),
            ),
            _("Close proposing now"),
            False,
        )
    if action == "open_voting":
        return (
            _("Open voting now?"),
            ngettext(
                "Voting opens now with %(num)d event on the ballot and ends as planned, %(end)s. The outcome rule "
                "is locked from now on.",
                "Voting opens now with %(num)d events on the ballot and ends as planned, %(end)s. The outcome rule "
                "is locked from now on.",
                len(ballot_events(year)),
                end=format_moment(year.voting_ends, "short"),
            ),
            _("Open voting now"),
            True,
        )
    return (
        _("End voting now and count?"),
        ngettext(
            "Voting ends now and the votes are counted. %(num)d member has voted. Nobody can vote after this, and it "
            "cannot be undone.",
            "Voting ends now and the votes are counted. %(num)d members have voted. Nobody can vote after this, and "
            "it cannot be undone.",
            count_voters(year),
        ),
        _("End voting now and count"),
        True,
    )


@bp.route("/budget/years/<int:year_id>/phase", methods=["POST"])
@access(Role.coordinator)
def year_phase(year_id: int):
    """The coordinator's phase buttons: each asks first (what it does), then moves that one date to now."""
    year = _year_or_404(year_id)
    if not can_change_phase(current_user, year):
        abort(403)
    action = request.form.get("action", "")
    if action not in PHASE_ACTIONS:
        abort(400)
    title, consequence, button, danger = _phase_step(year, action)
    page = confirmation_page(
        title, consequence, button, danger=danger, cancel_url=url_for("budget.year_detail", year_id=year.id)
    )
    if page:
        return page
    try:
        change_phase(year, action, by=current_user)
    except BudgetError as error:
        db.session.rollback()
        flash(str(error), "error")
        return see_other("budget.year_detail", year_id=year.id)
    db.session.commit()
    if action == "end_voting":
        funded = [event.title for event in result_rows(year) if event.funded]
        if funded:
            flash(
                _(
                    "Voting is closed and counted. Funded: %(events)s. The chair can now confirm it.",
                    events=", ".join(funded),
                ),
                "success",
            )
        else:
            flash(_("Voting is closed and counted. No event got money."), "success")
        return see_other("budget.year_result", year_id=year.id)
    messages = {
        "open_proposing": _("Proposing is open."),
        "close_proposing": _("Proposing is closed. Check the proposals before voting opens."),
        "open_voting": _("Voting is open until %(end)s.", end=format_moment(year.voting_ends, "short")),
    }
    flash(messages[action], "success")
    return see_other("budget.year_detail", year_id=year.id)


@bp.route("/budget/years/<int:year_id>/result")
@access(PUBLIC)
def year_result(year_id: int):
    year = _year_or_404(year_id)
    if not can_view_result(current_user, year):
        return render_template("budget/result_pending.html", year=year), 404
    return render_template(
        "budget/result.html",
        year=year,
        rows=result_rows(year),
    )


@bp.route("/budget/years/<int:year_id>/confirm", methods=["POST"])
@access(Role.chair)
def year_confirm(year_id: int):
    year = _year_or_404(year_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if not can_confirm_outcome(current_user, year):
        # Only the chair gets here (see @access); the year's phase is what says no.
        flash(_("There is no counted outcome waiting to be confirmed."), "warning")
        return see_other("budget.year_detail", year_id=year.id)
    funded = [event for event in result_rows(year) if event.funded]
    page = confirmation_page(
        _("Confirm the outcome?"),
        ngettext(
            "%(num)d event gets its grant in the ledger, %(total)s in all, and the members are told the outcome. "
            "A confirmed outcome cannot be undone.",
            "%(num)d events get their grants in the ledger, %(total)s in all, and the members are told the outcome. "
            "A confirmed outcome cannot be undone.",
            len(funded),
            total=kroner(sum(event.cost for event in funded)),
        ),
        _("Confirm the outcome"),
        danger=False,
        cancel_url=url_for("budget.year_result", year_id=year.id),
    )
    if page:
        return page
    try:
        grants = confirm_outcome(year, by=current_user)
    except BudgetError as error:
        db.session.rollback()
        flash(str(error), "error")
        return see_other("budget.year_result", year_id=year.id)
    db.session.commit()
    flash(_("The outcome is confirmed. %(count)s events got a grant.", count=len(grants)), "success")
    return see_other("budget.ledger", year_id=year.id)


# --- Ledger, spending, mid-year grants --------------------------------------------------------------------------


@bp.route("/budget/years/<int:year_id>/ledger")
@access(*COUNCIL)
def ledger(year_id: int):
    year = _year_or_404(year_id)
    if not can_view_budget(current_user):
        abort(403)
    return render_template("budget/ledger.html", year=year, requests=open_requests(year))


@bp.route("/budget/grants/<int:grant_id>/spending", methods=["GET", "POST"])
@access(Role.coordinator)
def spending_record(grant_id: int):
    grant = db.get_or_404(Grant, grant_id)
    if not can_record_spending(current_user, grant):
        abort(403)
    form = SpendingForm()
    if form.validate_on_submit():
        try:
            record_spending(
                grant,
                amount=form.amount.data,
                spent_on=form.spent_on.data,
                what_for=form.what_for.data,
                by=current_user,
            )
        except BudgetError as error:
            db.session.rollback()
            attach_error(form, error, "amount")
        else:
            db.session.commit()
            flash(_("The spending is recorded."), "success")
            return see_other("budget.ledger", year_id=grant.year_id)
    return render_template("budget/spending_form.html", form=form, grant=grant), 422 if form.errors else 200


@bp.route("/budget/years/<int:year_id>/requests/new", methods=["GET", "POST"])
@access(Role.member)
def request_new(year_id: int):
    year = _year_or_404(year_id)
    if not can_request_grant(current_user, year):
        abort(403)
    form = GrantRequestForm()
    if form.validate_on_submit():
        try:
            request_grant(
                year,
                proposer=current_user,
                title=form.title.data,
                description=form.description.data,
                amount=form.amount.data,
                month=form.month.data,
            )
        except BudgetError as error:
            db.session.rollback()
            attach_error(form, error, "title")
        else:
            db.session.commit()
            flash(_("Your request is sent. The council decides it with a vote."), "success")
            return see_other("budget.ledger", year_id=year.id)
    return render_template("budget/request_form.html", form=form, year=year), 422 if form.errors else 200


@bp.route("/budget/requests/<int:request_id>/to-vote", methods=["POST"])
@access(Role.chair, Role.coordinator)
def request_to_vote(request_id: int):
    grant_request = db.get_or_404(GrantRequest, request_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if not can_put_request_to_vote(current_user, grant_request):
        abort(403)
    try:
        motion = put_request_to_vote(grant_request, by=current_user)
    except BudgetError as error:
        db.session.rollback()
        flash(str(error), "error")
        return see_other("budget.ledger", year_id=grant_request.year_id)
    db.session.commit()
    flash(_("The council can now vote on the request."), "success")
    return see_other("motions.motion_detail", motion_id=motion.id)


# --- Public pages and open data ----------------------------------------------------------------------------------


@bp.route("/budget/spending")
@access(PUBLIC)
def spending():
    years = public_years()
    chosen = request.args.get("year", type=parse_id)
    year = next((y for y in years if y.id == chosen), years[0] if years else None)
    return render_template("budget/spending.html", years=years, year=year)


@bp.route("/budget/years/<int:year_id>/spending-spreadsheet.csv")
@access(PUBLIC)
def spending_spreadsheet(year_id: int):
    """The spending for a spreadsheet (Excel with Norwegian settings): semicolons, a byte-order mark so that Excel
    reads UTF-8, headers in the reader's language, one meaning per column. ``spending.csv`` is the open data."""
    year = _year_or_404(year_id)
    if not can_download_spending(current_user, year):
        abort(404)
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    name = csv_safe(year.name)
    writer.writerow(
        [_("Budget year"), _("Event"), _("Month"), _("Granted (NOK)"), _("Spent (NOK)"), _("Left of the grant (NOK)")]
    )
    for grant in year.grants:
        month = str(MONTHS[grant.event.month - 1])
        writer.writerow([name, csv_safe(grant.event.title), month, grant.amount, grant.spent_total, grant.remaining])
    writer.writerow(
        [name, _("Sum of the grants"), "", year.granted_total, year.spent_total, year.granted_total - year.spent_total]
    )
    response = Response(out.getvalue(), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    filename = _("budget-%(id)s-spending.csv", id=year.id)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.route("/budget/years/<int:year_id>/spending.csv")
@access(PUBLIC)
def spending_csv(year_id: int):
    """Open data for programs: English column names, commas, one row per grant, then TOTAL and BUDGET rows (kept as
    it has always been, so that those who read it keep working)."""
    year = _year_or_404(year_id)
    if not can_download_spending(current_user, year):
        abort(404)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    name = csv_safe(year.name)
    writer.writerow(["budget_year", "event", "month", "granted_nok", "spent_nok", "remaining_nok"])
    for grant in year.grants:
        writer.writerow(
            [name, csv_safe(grant.event.title), grant.event.month, grant.amount, grant.spent_total, grant.remaining]
        )
    writer.writerow([name, "TOTAL", "", year.granted_total, year.spent_total, year.granted_total - year.spent_total])
    writer.writerow([name, "BUDGET", "", year.total, "", year.total - year.granted_total])
    response = Response(out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="budget-{year.id}-spending.csv"'
    return response


@bp.route("/budget/years/<int:year_id>/round.pb")
@access(PUBLIC)
def year_export_pb(year_id: int):
    year = _year_or_404(year_id)
    if not can_export_year(current_user, year):
        abort(404)
    municipality = the_municipality()
    text = open_data.export_pb(year, municipality.name if municipality else current_app.config["MUNICIPALITY_NAME"])
    response = Response(text, mimetype="text/plain")
    response.headers["Content-Disposition"] = f'attachment; filename="budget-{year.id}.pb"'
    return response


#: The largest .pb file we import (real city files are well under 1 MB).
IMPORT_LIMIT = 5 * 1024 * 1024


@bp.route("/budget/import", methods=["GET", "POST"])
@access(Role.coordinator)
def year_import():
    if not can_import_round(current_user):
        abort(403)
    form = ImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        if not upload or not getattr(upload, "filename", ""):
            form.file.errors = list(form.file.errors) + [_("Choose a .pb file.")]
        else:
            raw = upload.read(IMPORT_LIMIT + 1)
            text = None
            if len(raw) > IMPORT_LIMIT:
                form.file.errors = list(form.file.errors) + [_("The file is too big: at most 5 MB.")]
            else:
                try:
                    text = raw.decode("utf-8-sig")
                except UnicodeDecodeError:
                    form.file.errors = list(form.file.errors) + [_("The file must be UTF-8 text.")]
            if text is not None:
                try:
                    year = open_data.import_pb(text, name=form.name.data, by=current_user)
                except BudgetError as error:
                    db.session.rollback()
                    attach_error(form, error, "file")
                else:
                    db.session.commit()
                    flash(_("The past round is imported."), "success")
                    return see_other("budget.year_result", year_id=year.id)
    return render_template("budget/import_form.html", form=form), 422 if form.errors else 200
