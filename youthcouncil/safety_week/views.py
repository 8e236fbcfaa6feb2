from __future__ import annotations

from flask import abort, flash, make_response, render_template, request, url_for
from flask_login import current_user

from youthcouncil.auth import ANY_USER, PUBLIC, Role, access
from youthcouncil.confirm import confirmation_page
from youthcouncil.db import utcnow
from youthcouncil.extensions import db
from youthcouncil.i18n import format_time, time_left, to_oslo
from youthcouncil.i18n import gettext as _
from youthcouncil.i18n import lazy_gettext as _l
from youthcouncil.inputs import parse_id
from youthcouncil.safety_week import bp, permissions, services
from youthcouncil.safety_week.forms import (
    BallotForm,
    ImportForm,
    PhaseForm,
    ProposalForm,
    ReviewForm,
    RoundForm,
)
from youthcouncil.safety_week.models import Method, Phase, Proposal, ThemeRound
from youthcouncil.safety_week.open_data import export_preflib, import_preflib
from youthcouncil.safety_week.results import compute_result
from youthcouncil.safety_week.services import SafetyWeekError
from youthcouncil.web import attach_error, nav_item, see_other

# Clerks and school reps take no part in the theme round; they find the results among the public pages.
nav_item("safety_week.index", _l("Safety week"), [Role.member, Role.chair, Role.coordinator], 20)
nav_item("safety_week.results", _l("Theme results"), PUBLIC, 22)


def _round_or_404(round_id: int) -> ThemeRound:
    return db.get_or_404(ThemeRound, round_id)


def _proposal_or_404(proposal_id: int) -> Proposal:
    return db.get_or_404(Proposal, proposal_id)


def _dates(form: RoundForm) -> services.RoundDates:
    return services.RoundDates(
        proposing_opens_at=form.proposing_opens_at.data,
        proposing_closes_at=form.proposing_closes_at.data,
        voting_opens_at=form.voting_opens_at.data,
        voting_closes_at=form.voting_closes_at.data,
    )


# --- Rounds -------------------------------------------------------------------------------------------------


@bp.route("/safety-week/")
@access(ANY_USER)
def index():
    return render_template(
        "safety_week/round_list.html", rounds=services.rounds_newest_first(), current=services.current_round()
    )


@bp.route("/safety-week/results")
@access(PUBLIC)
def results():
    return render_template("safety_week/results.html", rounds=services.closed_rounds())


@bp.route("/safety-week/rounds/new", methods=["GET", "POST"])
@access(Role.coordinator)
def round_create():
    if not permissions.can_create_round(current_user):
        abort(403)
    form = RoundForm()
    if request.method == "GET":
        year = services.first_free_year(to_oslo(utcnow()).year)
        form.year.data = year
        form.title.data = _("Safety week %(year)s", year=year)
    if form.validate_on_submit():
        try:
            round_ = services.create_round(
                year=form.year.data,
                title=form.title.data,
                dates=_dates(form),
                method=Method(form.method.data),
                by=current_user,
            )
        except SafetyWeekError as error:
            attach_error(form, error, "title")
        else:
            db.session.commit()
            flash(_("The round is created."), "success")
            return see_other("safety_week.round_detail", round_id=round_.id)
    return render_template("safety_week/round_form.html", form=form, round=None), 422 if form.errors else 200


@bp.route("/safety-week/rounds/<int:round_id>")
@access(ANY_USER)
def round_detail(round_id: int):
    round_ = _round_or_404(round_id)
    if not permissions.can_see_round(current_user, round_):
        abort(403)
    return render_template(
        "safety_week/round_detail.html",
        round=round_,
        phase=round_.phase(),
        proposals=services.visible_proposals(round_),
        mine=services.proposals_of(round_, current_user),
        to_review=services.proposals_to_review(round_),
        voted=services.has_voted(round_, current_user),
        turnout=services.turnout(round_) if permissions.can_change_phase(current_user, round_) else None,
        phase_form=PhaseForm(),
    )


@bp.route("/safety-week/rounds/<int:round_id>/edit", methods=["GET", "POST"])
@access(Role.coordinator)
def round_edit(round_id: int):
    round_ = _round_or_404(round_id)
    if not permissions.can_edit_round(current_user, round_):
        # Only coordinators get here (see @access); the round's phase is what says no.
        flash(_("Voting has opened: the round can no longer be changed."), "info")
        return see_other("safety_week.round_detail", round_id=round_.id)
    form = RoundForm(obj=round_ if request.method == "GET" else None)
    if request.method == "GET":
        form.method.data = round_.method.value
    if form.validate_on_submit():
        try:
            services.update_round(
                round_, title=form.title.data, dates=_dates(form), method=Method(form.method.data), by=current_user
            )
        except SafetyWeekError as error:
            db.session.rollback()
            attach_error(form, error, "title")
        else:
            db.session.commit()
            flash(_("The round is saved."), "success")
            return see_other("safety_week.round_detail", round_id=round_.id)
    return render_template("safety_week/round_form.html", form=form, round=round_), 422 if form.errors else 200


def _phase_done(round_, action: str) -> str:
    """What the coordinator's phase button did; after counting, which theme won."""
    if round_.is_closed:
        winner = compute_result(round_).winner
        if winner is None:
            return _("The votes are counted. No theme won: nobody voted.")
        return _("The votes are counted. The theme of the safety week is “%(title)s”.", title=winner.title)
    messages = {
        "open_proposing": _("Proposing is open."),
        "close_proposing": _("Proposing is closed. Review the proposals before voting opens."),
        "open_voting": _("Voting is open."),
    }
    return messages.get(action, _("Done: the round's phase is updated."))


@bp.route("/safety-week/rounds/<int:round_id>/phase", methods=["POST"])
@access(Role.coordinator)
def round_phase(round_id: int):
    round_ = _round_or_404(round_id)
    if not permissions.can_change_phase(current_user, round_):
        flash(_("This round is finished."), "info")
        return see_other("safety_week.round_detail", round_id=round_.id)
    form = PhaseForm()
    action = request.form.get("action", "")
    if form.validate_on_submit() and action in services.PHASE_ACTIONS:
        if action == "close_voting" and round_.phase() == Phase.voting:
            page = _confirm_close_voting(round_)
            if page:
                return page
        try:
            services.change_phase(round_, action, by=current_user)
        except SafetyWeekError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(_phase_done(round_, action), "success")
    if round_.is_closed:
        return see_other("safety_week.round_result", round_id=round_.id)
    return see_other("safety_week.round_detail", round_id=round_.id)


def _confirm_close_voting(round_: ThemeRound):
    now = utcnow()
    voted, eligible = services.turnout(round_)
    return confirmation_page(
        _("Close voting now and count?"),
        _(
            "%(voted)s of %(eligible)s members have voted; %(left)s. Nobody can vote after this.",
            voted=voted,
            eligible=eligible,
            left=time_left(round_.voting_closes_at, now),
        ),
        _("Close voting now and count"),
        cancel_url=url_for("safety_week.round_detail", round_id=round_.id),
    )


# --- Proposals ----------------------------------------------------------------------------------------------


@bp.route("/safety-week/rounds/<int:round_id>/propose", methods=["GET", "POST"])
@access(Role.member)
def propose(round_id: int):
    round_ = _round_or_404(round_id)
    form = ProposalForm()
    if request.method == "POST" and form.validate_on_submit():
        # The phase and the limit are checked by the service, so a late form gets a kind message, not a 403.
        try:
            proposal = services.propose(round_, current_user, title=form.title.data, why=form.why.data)
        except SafetyWeekError as error:
            db.session.rollback()
            attach_error(form, error, "title")
        else:
            db.session.commit()
            flash(_("Thank you! Your theme is proposed."), "success")
            return see_other("safety_week.proposal_detail", proposal_id=proposal.id)
    elif request.method == "GET" and not permissions.can_propose(current_user, round_):
        return render_template("safety_week/proposal_closed.html", round=round_, phase=round_.phase())
    status = 422 if form.errors else 200
    return render_template("safety_week/proposal_form.html", form=form, round=round_, proposal=None), status


@bp.route("/safety-week/proposals/<int:proposal_id>")
@access(ANY_USER)
def proposal_detail(proposal_id: int):
    proposal = _proposal_or_404(proposal_id)
    if not permissions.can_see_proposal(current_user, proposal):
        abort(403)
    return render_template(
        "safety_week/proposal_detail.html",
        proposal=proposal,
        round=proposal.round,
        merged_from=services.merged_from(proposal),
    )


def _not_yours(proposal: Proposal):
    """Someone else's proposal: nothing changes; say so kindly and show the proposal (if they may see it)."""
    if not permissions.can_see_proposal(current_user, proposal):
        abort(404)
    flash(_("Only the member who proposed this theme can change it."), "info")
    return see_other("safety_week.proposal_detail", proposal_id=proposal.id)


@bp.route("/safety-week/proposals/<int:proposal_id>/edit", methods=["GET", "POST"])
@access(Role.member)
def proposal_edit(proposal_id: int):
    proposal = _proposal_or_404(proposal_id)
    if not permissions.is_proposer(current_user, proposal):
        return _not_yours(proposal)
    form = ProposalForm(obj=proposal if request.method == "GET" else None)
    if request.method == "POST" and form.validate_on_submit():
        try:
            services.edit_proposal(proposal, current_user, title=form.title.data, why=form.why.data)
        except SafetyWeekError as error:
            db.session.rollback()
            attach_error(form, error, "title")
        else:
            db.session.commit()
            flash(_("Your theme is saved."), "success")
            return see_other("safety_week.proposal_detail", proposal_id=proposal.id)
    elif request.method == "GET" and not permissions.can_edit_proposal(current_user, proposal):
        flash(_("This proposal can no longer be changed."), "info")
        return see_other("safety_week.proposal_detail", proposal_id=proposal.id)
    status = 422 if form.errors else 200
    return render_template("safety_week/proposal_form.html", form=form, round=proposal.round, proposal=proposal), status


@bp.route("/safety-week/proposals/<int:proposal_id>/withdraw", methods=["POST"])
@access(Role.member)
def proposal_withdraw(proposal_id: int):
    proposal = _proposal_or_404(proposal_id)
    if not permissions.is_proposer(current_user, proposal):
        return _not_yours(proposal)
    if not permissions.can_withdraw_proposal(current_user, proposal):
        flash(_("This proposal can no longer be withdrawn."), "info")
        return see_other("safety_week.proposal_detail", proposal_id=proposal.id)
    if not PhaseForm().validate_on_submit():
        return see_other("safety_week.round_detail", round_id=proposal.round_id)
    page = confirmation_page(
        _("Withdraw your theme “%(title)s”?", title=proposal.title),
        _(
            "It is taken off the list of themes and cannot be put back. "
            "Until proposing closes, you can propose another theme."
        ),
        _("Withdraw the theme"),
        cancel_url=url_for("safety_week.proposal_detail", proposal_id=proposal.id),
    )
    if page:
        return page
    try:
        services.withdraw_proposal(proposal, current_user)
    except SafetyWeekError as error:
        db.session.rollback()
        flash(str(error), "error")
        return see_other("safety_week.proposal_detail", proposal_id=proposal.id)
    db.session.commit()
    flash(_("Your theme is withdrawn."), "success")
    return see_other("safety_week.round_detail", round_id=proposal.round_id)


@bp.route("/safety-week/proposals/<int:proposal_id>/review", methods=["GET", "POST"])
@access(Role.coordinator)
def proposal_review(proposal_id: int):
    proposal = _proposal_or_404(proposal_id)
    round_ = proposal.round
    if not permissions.can_review_proposal(current_user, proposal):
        flash(_("This proposal can no longer be reviewed: voting has opened, or it was withdrawn."), "info")
        return see_other("safety_week.proposal_detail", proposal_id=proposal.id)
    others = [p for p in services.visible_proposals(round_) if p.id != proposal.id and p.is_live]
    form = ReviewForm()
    form.merge_into.choices = [(0, _("— choose —"))] + [(p.id, p.title) for p in others]
    if form.validate_on_submit():
        try:
            if form.decision.data == "keep":
                services.keep_proposal(proposal, by=current_user)
                message = _("The theme is kept. It goes to the vote.")
            elif form.decision.data == "merge":
                into = db.session.get(Proposal, form.merge_into.data or 0)
                if into is None or into.id not in {p.id for p in others}:
                    raise SafetyWeekError(_l("Choose the proposal it says the same as."), "merge_into")
                services.merge_proposals(proposal, into, title=form.merged_title.data, by=current_user)
                message = _("The two proposals are merged. Both proposers got a message.")
            else:
                services.decline_proposal(proposal, form.reason.data, by=current_user)
                message = _("The proposal is declined. The proposer can read your reason.")
        except SafetyWeekError as error:
            db.session.rollback()
            attach_error(form, error, "decision")
        else:
            db.session.commit()
            flash(message, "success")
            return see_other("safety_week.round_detail", round_id=round_.id)
    status = 422 if form.errors else 200
    return render_template("safety_week/proposal_review.html", form=form, proposal=proposal, round=round_), status


# --- Voting -------------------------------------------------------------------------------------------------


def _places_from_request(round_: ThemeRound) -> dict[int, str]:
    """What the member sent for each theme, as typed: ``rank-<id>`` places, or "1" for each ``theme`` tick
    (approval). Shown again when the ballot is refused, so nothing they chose is lost."""
    themes = services.candidates(round_)
    if round_.method == Method.approval:
        ticked = set(request.form.getlist("theme"))
        return {p.id: "1" for p in themes if str(p.id) in ticked}
    places: dict[int, str] = {}
    for p in themes:
        value = request.form.get(f"rank-{p.id}", "").strip()
        if value:
            places[p.id] = value
    return places


def _ranking_of(round_: ThemeRound, places: dict[int, str]) -> list[int]:
    """The ranked theme ids, best first, from the places the member sent (``_places_from_request``)."""
    if round_.method == Method.approval:
        return list(places)  # in the ballot's order
    themes = services.candidates(round_)
    numbers: dict[int, int] = {}
    for theme, value in places.items():
        place = parse_id(value)
        if place is None or not 1 <= place <= len(themes):
            raise SafetyWeekError(_l("Give each theme you rank a place from 1 to %(max)s.", max=len(themes)), "ranking")
        numbers[theme] = place
    if len(set(numbers.values())) != len(numbers):
        raise SafetyWeekError(_l("Two themes have the same place. Give each theme its own place."), "ranking")
    return sorted(numbers, key=numbers.get)


def _places_of(ranking: list[list[int]] | None) -> dict[int, str]:
    if ranking is None:
        return {}
    return {theme: str(i) for i, rank in enumerate(ranking, start=1) for theme in rank}


def _in_chosen_order(themes: list[Proposal], places: dict[int, str]) -> list[Proposal]:
    """The ranked themes first, 1st choice on top, then the rest as listed (a sorted sort keeps their order)."""

    def place(theme: Proposal) -> int:
        chosen = parse_id(places.get(theme.id, ""))
        return chosen if chosen is not None else len(themes) + 1

    return sorted(themes, key=place)


@bp.route("/safety-week/rounds/<int:round_id>/vote", methods=["GET", "POST"])
@access(Role.member)
def vote(round_id: int):
    # With its themes, in one query; a vote locks the round at once (the service would lock it anyway).
    round_ = services.round_with_proposals(round_id, for_update=request.method == "POST") or abort(404)
    phase = round_.phase()
    eligible = services.is_eligible_voter(current_user, round_)
    form = BallotForm()
    error = None
    places: dict[int, str] | None = None
    if request.method == "POST" and form.validate_on_submit():
        places = _places_from_request(round_)
        try:
            chosen = _ranking_of(round_, places)
            receipt = services.submit_ballot(round_, current_user, chosen, form.idempotency_key.data)
        except SafetyWeekError as problem:
            db.session.rollback()
            error = str(problem)
        else:
            db.session.commit()
            flash(_("Your vote is registered at %(time)s.", time=format_time(receipt.voted_at)), "receipt")
            # round_id, not round_.id: the committed round is expired, and reading it would open a new transaction.
            return see_other("safety_week.vote", round_id=round_id)
    # The member's own current choices, found through the keyed link: nobody else's ballot can be reached.
    own = services.own_current_ranking(round_, current_user) or []
    if places is None:
        places = _places_of(own)
    themes = services.candidates(round_)
    by_id = {theme.id: theme for theme in themes}
    form.idempotency_key.data = services.new_idempotency_key()
    status = 422 if error else 200
    return render_template(
        "safety_week/vote.html",
        round=round_,
        phase=phase,
        eligible=eligible,
        themes=_in_chosen_order(themes, places),
        my_choices=[by_id[theme] for rank in own for theme in rank if theme in by_id],
        places=places,
        voted=services.has_voted(round_, current_user),
        form=form,
        error=error,
    ), status


# --- Results and open data ----------------------------------------------------------------------------------


@bp.route("/safety-week/rounds/<int:round_id>/result")
@access(PUBLIC)
def round_result(round_id: int):
    round_ = _round_or_404(round_id)
    if not permissions.can_see_result(current_user, round_):
        return render_template("safety_week/result_pending.html", round=round_, phase=round_.phase())
    return render_template("safety_week/result.html", round=round_, result=compute_result(round_), Phase=Phase)


@bp.route("/safety-week/rounds/<int:round_id>/export")
@access(PUBLIC)
def round_export(round_id: int):
    round_ = _round_or_404(round_id)
    if not permissions.can_export_round(current_user, round_):
        abort(404)
    name, text = export_preflib(round_)
    response = make_response(text)
    response.headers["Content-Type"] = "text/plain; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.route("/safety-week/import", methods=["GET", "POST"])
@access(Role.coordinator)
def round_import():
    if not permissions.can_import_round(current_user):
        abort(403)
    form = ImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        if not upload or not getattr(upload, "filename", ""):
            form.file.errors = [_("Choose a file.")]
        else:
            raw = upload.read(5 * 1024 * 1024 + 1)
            try:
                if len(raw) > 5 * 1024 * 1024:
                    raise SafetyWeekError(_l("The file is too big (at most 5 MB)."), "file")
                try:
                    text = raw.decode("utf-8-sig")
                except UnicodeDecodeError:
                    raise SafetyWeekError(_l("The file must be UTF-8 text."), "file") from None
                round_ = import_preflib(
                    text,
                    file_name=upload.filename,
                    year=form.year.data,
                    title=form.title.data,
                    method=Method(form.method.data),
                    by=current_user,
                )
            except SafetyWeekError as error:
                db.session.rollback()
                attach_error(form, error, "file")
            else:
                db.session.commit()
                flash(_("The round is imported."), "success")
                return see_other("safety_week.round_result", round_id=round_.id)
    status = 422 if form.errors else 200
    return render_template("safety_week/import_form.html", form=form), status


bp.add_app_template_global(permissions, "safety_week_permissions")


@bp.context_processor
def _template_helpers():
    return {"ordinal": ordinal, "place_names": place_names}


def place_names(count: int) -> list[str]:
    """ "1st choice", "2nd choice", … for the tap-to-rank script (one list for the whole ballot)."""
    return [_("%(place)s choice", place=ordinal(n)) for n in range(1, count + 1)]


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd… (bokmål: 1., 2., 3.)."""
    if n == 1:
        return _("1st")
    if n == 2:
        return _("2nd")
    if n == 3:
        return _("3rd")
    return _("%(n)sth", n=n)
