"""Open data: a decided round as a pabulib .pb file (no personal data), and a .pb file imported as a past round."""

from __future__ import annotations

from datetime import datetime, time

from youthcouncil import audit
from youthcouncil.budget.ballot import ballots_for_count
from youthcouncil.budget.ledger import create_grant
from youthcouncil.budget.models import (
    BallotChoice,
    BudgetBallot,
    BudgetYear,
    Event,
    Feasibility,
    GrantSource,
    Phase,
    Rule,
)
from youthcouncil.budget.services import BudgetError, ballot_events
from youthcouncil.db import utcnow
from youthcouncil.extensions import db
from youthcouncil.i18n import OSLO
from youthcouncil.i18n import lazy_gettext as _l
from youthcouncil.voting import pabulib, pb, pb_report

RULE_NAMES = {Rule.greedy: pb.GREEDY, Rule.mes: pb.EQUAL_SHARES_ADD1}


def rule_name(year: BudgetYear) -> str:
    if year.outcome and year.outcome.get("rule"):
        return year.outcome["rule"]
    if year.rule == Rule.mes and year.comparison:
        return pb.EQUAL_SHARES_ADD1_COMPARISON
    return RULE_NAMES[year.rule]


def export_pb(year: BudgetYear, municipality: str = "") -> str:
    """The .pb text of a counted round: projects with votes and `selected`, anonymous ballots numbered 1, 2, 3…"""
    if year.phase() not in (Phase.counted, Phase.decided):
        raise BudgetError(_l("Only a counted budget round can be exported."))
    events = ballot_events(year)
    meta = {
        "description": f"Youth council events budget {year.name}",
        "country": "Norway",
        "unit": municipality,
        "instance": year.name,
        "num_projects": str(len(events)),
        "num_votes": "0",
        "budget": str((year.outcome or {}).get("budget", year.total)),
        "vote_type": "approval",
        "rule": rule_name(year),
        "date_begin": year.voting_starts.astimezone(OSLO).strftime("%d.%m.%Y"),
        "date_end": year.voting_ends.astimezone(OSLO).strftime("%d.%m.%Y"),
        "currency": "NOK",
    }
    projects = tuple(
        pabulib.PbProject(
            project_id=str(event.id),
            cost=event.cost,
            name=event.title,
            selected=1 if event.funded else 0,
            extra={"votes": str(event.votes or 0)},
        )
        for event in events
    )
    # Ballots sorted by their content: the order says nothing about who voted when.
    votes = tuple(pabulib.PbVote(voter_id="x", vote=tuple(choice)) for choice in ballots_for_count(year))
    data = pabulib.without_personal_data(pabulib.PbFile(meta=meta, projects=projects, votes=votes))
    return pabulib.dumps_pb(data, vote_columns=())


def _meta_date(text: str | None) -> datetime | None:
    for fmt in ("%d.%m.%Y", "%Y-%m-%d", "%Y"):
        try:
            return datetime.combine(datetime.strptime((text or "").strip(), fmt).date(), time(12), OSLO)
        except ValueError:
            continue
    return None


def import_pb(text: str, *, name: str | None = None, by=None) -> BudgetYear:
    """Store a .pb file as a past, decided round: its projects, its ballots (approval), its official outcome."""
    try:
        data = pabulib.parse_pb(text)
        data.require_whole_amounts()  # the app's money is whole kroner
        budget = data.budget
        scores = pb_report.scores_of(data)
    except (ValueError, KeyError) as error:
        raise BudgetError(_l("This is not a .pb file we can read: %(problem)s", problem=str(error)), "file") from None
    if budget <= 0:
        raise BudgetError(_l("The file has no budget."), "file")
    official = any(project.selected is not None for project in data.projects)
    result = None
    if data.rule or not official:
        try:
            result = pb_report.outcome(data, data.rule or pb.GREEDY)
        except ValueError:
            result = None
    funded_ids = (
        {p.project_id for p in data.projects if p.selected in (1, 2)}
        if official
        else set(result.selected if result else ())
    )
    if sum(data.project(pid).cost for pid in funded_ids) > budget:
        raise BudgetError(_l("The funded projects in the file cost more than its budget."), "file")
    ends = _meta_date(data.meta.get("date_end")) or utcnow()
    begins = _meta_date(data.meta.get("date_begin")) or ends
    if begins >= ends:
        begins = ends.replace(hour=0, minute=0)
        if begins >= ends:
            ends = ends.replace(hour=23, minute=0)
    title = (name or "").strip() or data.meta.get("instance") or data.meta.get("description") or "pabulib"
    rule_text = (data.rule or "").lower()
    year = BudgetYear(
        name=title[:80],
        total=budget,
        proposing_starts=begins,
        feasibility_starts=begins,
        voting_starts=begins,
        voting_ends=ends,
        rule=Rule.mes if rule_text.startswith("equalshares") else Rule.greedy,
        comparison="comparison" in rule_text,
        imported=True,
        closed_at=utcnow(),
        created_by_id=getattr(by, "id", None),
    )
    db.session.add(year)
    db.session.flush()
    events: dict[str, Event] = {}
    ranked = sorted(data.projects, key=lambda p: (p.project_id not in funded_ids, -scores.get(p.project_id, 0), p.cost))
    for rank, project in enumerate(ranked, start=1):
        outcome = result.outcome(project.project_id) if result else None
        funded = project.project_id in funded_ids
        if funded:
            reason = pb.FUNDED
        elif outcome is not None and not outcome.funded:
            reason = outcome.reason
        else:
            reason = pb.NO_VOTES if not scores.get(project.project_id) else pb.NOT_ENOUGH_MONEY_LEFT
        event = Event(
            year=year,
            title=(project.name or project.extra.get("title") or project.project_id)[:120],
            description="",
            estimated_cost=project.cost,
            month=ends.astimezone(OSLO).month,
            feasibility=Feasibility.feasible,
            pb_project_id=project.project_id,
            votes=scores.get(project.project_id, 0),
            funded=funded,
            outcome_reason=reason,
            outcome_money_left=outcome.money_left if outcome is not None and not funded else None,
            outcome_rank=rank,
        )
        db.session.add(event)
        events[project.project_id] = event
    db.session.flush()
    if data.vote_type == "approval":
        for vote in data.votes:
            ballot = BudgetBallot(year_id=year.id)
            ballot.choices = [BallotChoice(event_id=events[pid].id) for pid in dict.fromkeys(vote.vote)]
            db.session.add(ballot)
    for project in data.projects:
        if project.project_id in funded_ids and project.cost > 0:
            create_grant(year, events[project.project_id], project.cost, source=GrantSource.imported, by=by)
    year.outcome = {
        "rule": data.rule or (result.rule if result else pb.GREEDY),
        "budget": budget,
        "total_cost": sum(data.project(pid).cost for pid in funded_ids),
        "voters": len(data.votes),
        "comparison": None,
    }
    db.session.flush()
    audit.record(by, "budget_year.imported", year, {"projects": len(events), "votes": len(data.votes)})
    return year
