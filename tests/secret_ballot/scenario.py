"""Nine members vote over HTTP in a theme round, a budget vote (drafts first) and a secret motion; three change their
votes; then the coordinator and the chair close all three over HTTP. What the test knows on the way (each member's
last choices, the vote keys that existed while voting was open) is kept for the attacker checks."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from itertools import permutations
from pathlib import Path

import sqlalchemy as sa

from tests import factories
from tests.budget import builders as budget_builders
from tests.motions import builders as motion_builders
from tests.safety_week import builders as sw_builders
from youthcouncil.budget.models import BudgetYear, Phase
from youthcouncil.db import utcnow
from youthcouncil.extensions import db

VOTERS = 9
CHANGERS = 3
IDEMPOTENCY_RE = re.compile(r'name="idempotency_key"[^>]*value="([^"]*)"')
CHOICES = ("yes", "no", "abstain")


@dataclass
class Played:
    round_id: int
    year_id: int
    motion_id: int
    voter_ids: list[int]
    theme_ids: list[int]
    event_ids: list[int]
    #: Each voter's last choices: ranking of theme ids, ticked event ids (sorted), motion choice.
    ranking: dict[int, list[int]] = field(default_factory=dict)
    ticks: dict[int, list[int]] = field(default_factory=dict)
    choice: dict[int, str] = field(default_factory=dict)
    #: The order in which members sent their last theme ballot.
    last_theme_order: list[int] = field(default_factory=list)
    #: Bytes of every file in VOTE_KEY_DIR while voting was open (the test's knowledge, not the attacker's).
    keys_seen: set[bytes] = field(default_factory=set)
    files_before: set[Path] = field(default_factory=set)
    #: PostgreSQL only: the WAL position before the first vote and before the first close.
    wal_start: str | None = None
    wal_before_close: str | None = None


def _login(app, user):
    client = app.test_client()
    response = client.submit("/login", {"username": user.username, "passphrase": factories.PASSPHRASE}, page="/login")
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return client


def _idempotency_key(client, page: str) -> str:
    match = IDEMPOTENCY_RE.search(client.get(page).get_data(as_text=True))
    assert match, f"no idempotency key on {page}"
    return match.group(1)


def _vote_theme(client, played: Played, ranking: list[int]) -> None:
    page = f"/safety-week/rounds/{played.round_id}/vote"
    data = {f"rank-{theme}": str(place) for place, theme in enumerate(ranking, start=1)}
    data["idempotency_key"] = _idempotency_key(client, page)
    response = client.submit(page, data, page=page)
    assert response.status_code == 303, response.get_data(as_text=True)[:800]


def _vote_budget(client, played: Played, draft: list[int], ticks: list[int]) -> None:
    page = f"/budget/years/{played.year_id}/vote"
    response = client.submit(f"{page}/save", {"event": [str(e) for e in draft]}, page=page)
    assert response.status_code == 303, response.get_data(as_text=True)[:800]
    data = {"event": [str(e) for e in ticks], "idempotency_key": _idempotency_key(client, page)}
    response = client.submit(f"{page}/submit", data, page=page)
    assert response.status_code == 303, response.get_data(as_text=True)[:800]


def _vote_motion(client, played: Played, choice: str) -> None:
    page = f"/motions/{played.motion_id}"
    response = client.submit(f"{page}/vote", {"choice": choice}, page=page)
    assert response.status_code == 303, response.get_data(as_text=True)[:800]


def _wal_lsn() -> str | None:
    if db.engine.dialect.name != "postgresql":
        return None
    with db.engine.connect() as connection:
        return connection.exec_driver_sql("SELECT pg_current_wal_insert_lsn()::text").scalar()


def play(app) -> Played:
    world = factories.make_world(extra_members=VOTERS - 2)
    round_, themes = sw_builders.voting_round(
        world, titles=("Trygg på nett", "Trygg i trafikken", "Ingen mobbing", "Trygg i mørket")
    )
    year = budget_builders.make_year(Phase.voting, total=100_000)
    events = [
        budget_builders.make_event(year, cost, title=f"Arrangement {n}")
        for n, cost in enumerate((10_000, 20_000, 30_000, 40_000))
    ]
    motion = motion_builders.make_motion(world, secret=True, title="Hemmelig avstemning")
    db.session.commit()
    voters = world.members[:VOTERS]
    played = Played(
        round_id=round_.id,
        year_id=year.id,
        motion_id=motion.id,
        voter_ids=[user.id for user in voters],
        theme_ids=[theme.id for theme in themes],
        event_ids=[event.id for event in events],
    )
    db.session.commit()
    played.files_before = _key_files(app)
    played.wal_start = _wal_lsn()
    rankings = [list(p) for p in permutations(played.theme_ids)]
    subsets = [[e for bit, e in enumerate(played.event_ids) if mask >> bit & 1] for mask in range(1, 16)]
    subsets = [
        s for s in subsets if sum((10_000, 20_000, 30_000, 40_000)[played.event_ids.index(e)] for e in s) <= 100_000
    ]
    clients = {}
    for n, user in enumerate(voters):
        client = clients[user.id] = _login(app, user)
        played.ranking[user.id] = rankings[n * 2]
        _vote_theme(client, played, played.ranking[user.id])
        played.last_theme_order.append(user.id)
        played.ticks[user.id] = sorted(subsets[n])
        _vote_budget(client, played, draft=subsets[(n + 5) % len(subsets)], ticks=played.ticks[user.id])
        played.choice[user.id] = CHOICES[n % 3]
        _vote_motion(client, played, played.choice[user.id])
        _remember_keys(app, played)
    for n, user in enumerate(voters[:CHANGERS]):  # three members change their minds
        client = clients[user.id]
        played.ranking[user.id] = rankings[n * 2 + 1]
        _vote_theme(client, played, played.ranking[user.id])
        played.last_theme_order.remove(user.id)
        played.last_theme_order.append(user.id)
        played.ticks[user.id] = sorted(subsets[-1 - n])
        _vote_budget(client, played, draft=subsets[n], ticks=played.ticks[user.id])
        played.choice[user.id] = CHOICES[(n + 1) % 3]
        _vote_motion(client, played, played.choice[user.id])
    _remember_keys(app, played)
    played.wal_before_close = _wal_lsn()
    _close_all(app, world, played)
    return played


def _key_folder(app) -> Path:
    return Path(app.config.get("VOTE_KEY_DIR") or Path(app.instance_path) / "vote-keys")


def _key_files(app) -> set[Path]:
    folder = _key_folder(app)
    return {path for path in folder.iterdir() if path.is_file()} if folder.is_dir() else set()


def _remember_keys(app, played: Played) -> None:
    """The keys of this scenario's votes (files made since it started), as the server held them while open."""
    played.keys_seen |= {path.read_bytes() for path in _key_files(app) - played.files_before}


def _close_all(app, world, played: Played) -> None:
    coordinator = _login(app, world.coordinator)
    page = f"/safety-week/rounds/{played.round_id}"
    response = coordinator.submit(f"{page}/phase", {"action": "close_voting", "confirm": "y"}, page=page)
    assert response.status_code == 303
    # The budget vote ends by the clock; then the coordinator closes and counts it.
    db.session.execute(
        sa.update(BudgetYear).where(BudgetYear.id == played.year_id).values(voting_ends=utcnow() - timedelta(seconds=1))
    )
    db.session.commit()
    page = f"/budget/years/{played.year_id}"
    response = coordinator.submit(f"{page}/phase", {"action": "end_voting", "confirm": "y"}, page=page)
    assert response.status_code == 303
    chair = _login(app, world.chair)
    page = f"/motions/{played.motion_id}"
    response = chair.submit(f"{page}/close", {"confirm": "y"}, page=page)
    assert response.status_code == 303
    db.session.commit()
