"""Open data: a counted round as a PrefLib file (no personal data), and a PrefLib file imported as a past round."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from youthcouncil.audit import record
from youthcouncil.db import utcnow
from youthcouncil.extensions import db
from youthcouncil.i18n import lazy_gettext as _l
from youthcouncil.safety_week.models import TITLE_MAX, Ballot, Method, Proposal, ProposalStatus, ThemeRound
from youthcouncil.safety_week.services import SafetyWeekError, candidates, check_round_title, counted_ballots
from youthcouncil.voting import preflib, ranked


def export_preflib(round_: ThemeRound) -> tuple[str, str]:
    """(file name, text) of a counted round as a PrefLib file: theme titles and rankings, nothing personal."""
    if not round_.is_closed:
        raise SafetyWeekError(_l("The round is not counted yet."))
    themes = candidates(round_)
    number = {p.id: i for i, p in enumerate(themes, start=1)}
    alternatives: dict[int, str] = {}
    for theme in themes:
        # Two kept themes may share a title; a PrefLib reader (and `flask tally`) needs distinct names.
        name, copy = theme.title, 1
        while name in alternatives.values():
            copy += 1
            name = f"{theme.title} ({copy})"
        alternatives[number[theme.id]] = name
    ballots = [
        (tuple(frozenset(number[c] for c in rank) for rank in ranking), weight)
        for ranking, weight in counted_ballots(round_)
        if ranking
    ]
    data_type = preflib.narrowest_data_type(ballots, alternatives) if ballots else "soi"
    if data_type == "soc":
        data_type = "soi"  # members may rank only some themes; say so even if everyone ranked all
    elif data_type == "toc":
        data_type = "toi"
    name = f"safety-week-{round_.year}.{data_type}"
    metadata = {
        "FILE NAME": name,
        "TITLE": round_.title,
        "DESCRIPTION": "Safety-week theme vote of the youth council"
        + (" (approval: each ballot's one rank holds the approved themes)" if round_.method == Method.approval else ""),
        "PUBLICATION DATE": round_.closed_at.date().isoformat(),
        # The seed of the lot: `tally_file(path, method, seed=...)` draws any lot exactly as the result page did.
        "LOT SEED": round_.lot_seed or ranked.DEFAULT_SEED,
    }
    return name, preflib.format_preflib(alternatives, ballots, metadata, data_type=data_type)


def _seed_from(metadata: dict[str, str]) -> str:
    """The lot's seed written in a file we exported (so a re-import counts the same); else a fresh one."""
    seed = (metadata.get("LOT SEED") or "").strip()
    return seed if 0 < len(seed) <= 64 else secrets.token_hex(8)


def import_preflib(
    text: str, *, file_name: str, year: int, title: str, method: Method, by=None, now: datetime | None = None
) -> ThemeRound:
    """A past round from a PrefLib file: one kept theme per alternative, the orders as ballots, counted at once."""
    now = now or utcnow()
    title = check_round_title(title)
    extension = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    try:
        data = preflib.parse_preflib(text, data_type=extension if extension in preflib.DATA_TYPES else None)
    except ValueError as error:
        raise SafetyWeekError(_l("This file could not be read: %(error)s", error=str(error)), "file") from None
    if len(data.alternatives) < 2:
        raise SafetyWeekError(_l("The file must name at least two themes."), "file")
    if any(len(name.strip()) > TITLE_MAX or not name.strip() for name in data.alternatives.values()):
        raise SafetyWeekError(_l("Each theme's name must be 1 to %(max)s characters.", max=TITLE_MAX), "file")
    if db.session.scalar(sa.select(ThemeRound.id).where(ThemeRound.year == year)) is not None:
        raise SafetyWeekError(_l("There is already a round for %(year)s.", year=year), "year")
    day = timedelta(days=1)
    round_ = ThemeRound(
        term_id=None,
        year=year,
        title=title,
        method=Method(method),
        proposing_opens_at=now - 4 * day,
        proposing_closes_at=now - 3 * day,
        voting_opens_at=now - 2 * day,
        voting_closes_at=now - day,
        imported=True,
        closed_at=now,
        lot_seed=_seed_from(data.metadata),
        created_by_id=getattr(by, "id", None),
    )
    db.session.add(round_)
    db.session.flush()
    themes = {}
    for alternative, name in data.alternatives.items():
        themes[alternative] = Proposal(
            round=round_, title=" ".join(name.split()), status=ProposalStatus.kept, reviewed_at=now
        )
        db.session.add(themes[alternative])
    db.session.flush()
    for ranking, count in data.ballots:
        stored = [sorted(themes[a].id for a in rank) for rank in ranking if rank]
        if round_.method == Method.approval:
            stored = [sorted(theme for rank in stored for theme in rank)] if stored else []
        db.session.add(Ballot(round_id=round_.id, ranking=stored, weight=count))
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise SafetyWeekError(_l("There is already a round for %(year)s.", year=year), "year") from None
    record(by, "safety_week.round_imported", round_, {"year": year, "ballots": data.voters})
    return round_
