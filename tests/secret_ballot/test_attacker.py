"""The attacker of issue 10: after the close, a copy of the database files, the instance folder and SECRET_KEY must
not tie any ballot (theme round, budget vote and its drafts, secret motion) to any member.

The attacker computes every voter link they can with what they hold and searches every byte; reads the tables
(SQLite: a copy of the database file and its -wal; PostgreSQL: every row version still in the heap, with its xmin
and xmax, and the write-ahead log) and tries the known ways in: a row naming the voter next to the choices, a row
naming the voter written in the ballot's transaction, times and row order, an audit-log entry.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import shutil
import sqlite3
from collections import Counter, defaultdict
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.secret_ballot import scenario
from youthcouncil.extensions import db

HEX64 = re.compile(rb"[0-9a-f]{64}")
#: Tables that hold choices in the clear (a budget ballot's choices are rows of their own).
PLAINTEXT_BALLOT_TABLE = re.compile(r"ballot|draft")
#: Holding only AES-GCM ciphertext and key names (see test_module): no choice can be read from them.
SEALED_TABLES = {"sealed_ballots", "ballot_boxes"}
#: The rows of the votes themselves (a theme round, a budget year, a motion).
VOTE_TABLES = {"sw_rounds", "budget_years", "motions"}


def _candidate_keys(app) -> list[bytes]:
    """Every key the attacker holds: SECRET_KEY, and each small file of the instance folder, as bytes and text."""
    keys = [app.config["SECRET_KEY"].encode()]
    for path in Path(app.instance_path).rglob("*"):
        if path.is_file() and path.stat().st_size <= 4096:
            data = path.read_bytes()
            keys += [data, data.strip()]
    return [key for key in dict.fromkeys(keys) if key]


def _attacker_links(app, played: scenario.Played) -> set[bytes]:
    """Every voter link the attacker can compute: each key, each vote, each member, each way we ever linked."""
    try:
        from youthcouncil.secret_ballot import VoteKey
    except ImportError:  # the code before the secret-ballot module
        VoteKey = None  # noqa: N806
    messages = []
    for user_id in played.voter_ids:
        for purpose, vote_id in (("theme", played.round_id), ("budget", played.year_id), ("motion", played.motion_id)):
            messages += [f"{vote_id}:{user_id}", f"{purpose}:{vote_id}:{user_id}"]
    links = set()
    for key in _candidate_keys(app):
        for message in messages:
            links.add(hmac.new(key, message.encode(), hashlib.sha256).hexdigest().encode())
        if VoteKey is not None and len(key) == 32:
            for user_id in played.voter_ids:
                for purpose, vote_id in (
                    ("theme", played.round_id),
                    ("budget", played.year_id),
                    ("motion", played.motion_id),
                ):
                    links.add(VoteKey(purpose, vote_id, 0, key).link(user_id).encode())
    return links


def _find_secrets(blob: bytes, links: set[bytes], keys: set[bytes]) -> list[str]:
    # Links were only ever stored as hex text.
    found = [f"link {m.group().decode()[:12]}…" for m in HEX64.finditer(blob) if m.group() in links]
    for key in keys:
        if key in blob or key.hex().encode() in blob:
            found.append("a vote key")
    return found


def _assert_results_are_right(played: scenario.Played) -> None:
    """The closes really counted what the members sent (so the checks below look at a real vote)."""
    from youthcouncil.budget.models import BudgetYear
    from youthcouncil.motions.models import Motion

    db.session.expire_all()
    motion = db.session.get(Motion, played.motion_id)
    expected = {c: list(played.choice.values()).count(c) for c in scenario.CHOICES}
    assert (motion.yes, motion.no, motion.abstain) == (expected["yes"], expected["no"], expected["abstain"])
    assert db.session.get(BudgetYear, played.year_id).outcome["voters"] == scenario.VOTERS


def _named_ids(row: dict, user_columns: list[str], voters: set[int]) -> set[int]:
    return {row[c] for c in user_columns if row.get(c) in voters}


def _json(value):
    if not isinstance(value, str):
        return None
    try:
        return json.loads(value)
    except ValueError:
        return None


def _check_rows(
    tables: dict[str, tuple[list[str], list[dict]]], user_columns: dict[str, list[str]], played
) -> list[str]:
    """The attacks on the tables' rows, the same on both backends. ``tables``: name -> (columns, rows in order)."""
    voters = set(played.voter_ids)
    problems = []
    for name, (_columns, rows) in tables.items():
        for row in rows:
            for voter in _named_ids(row, user_columns.get(name, []), voters):
                # A row naming a member next to that member's choices.
                for column, value in row.items():
                    parsed = _json(value)
                    if parsed in (played.ranking[voter], [[t] for t in played.ranking[voter]], played.ticks[voter]):
                        problems.append(f"{name}.{column} names member {voter} next to their choices")
                    if row.get("motion_id") == played.motion_id and value == played.choice[voter]:
                        problems.append(f"{name}.{column} names member {voter} next to their secret-motion choice")
                # An audit-log entry or a message about the member's vote.
                action = str(row.get("action") or row.get("kind") or "")
                if re.search(r"vote|ballot|draft", action) and not re.search(r"closed|counted|result|decided", action):
                    problems.append(f"{name} row {action!r} names member {voter} as having voted")
    # Times and row order of the theme ballots.
    ranking_tables = defaultdict(list)
    for name, (columns, rows) in tables.items():
        for row in rows:
            for column in columns:
                parsed = _json(row[column])
                if isinstance(parsed, list) and any(parsed == [[t] for t in r] for r in played.ranking.values()):
                    ranking_tables[name].append((row, [rank[0] for rank in parsed]))
    for name, found in ranking_tables.items():
        times = {
            column: {row[column] for row, _r in found}
            for column in tables[name][0]
            if re.search(r"_at$|time|date", column)
        }
        for column, values in times.items():
            if len(values - {None}) > 1:
                problems.append(f"{name}.{column} gives each theme ballot its own time")
        in_rows = [ranking for _row, ranking in found]
        last_order = [played.ranking[v] for v in played.last_theme_order]
        if in_rows == last_order:
            problems.append(f"{name} keeps the theme ballots in the order the members voted")
    return problems


# --- SQLite ---------------------------------------------------------------------------------------------------


def _sqlite_attack(app, played, tmp_path) -> list[str]:
    database = Path(db.engine.url.database)
    files = [path for path in (database, Path(f"{database}-wal"), Path(f"{database}-shm")) if path.exists()]
    links, keys = _attacker_links(app, played), played.keys_seen
    problems = []
    for path in files + [p for p in Path(app.instance_path).rglob("*") if p.is_file() and p not in files]:
        problems += [f"{path.name}: {what}" for what in _find_secrets(path.read_bytes(), links, keys)]
    wal = Path(f"{database}-wal")
    if wal.exists() and wal.stat().st_size:
        # Its frames are the page images of each commit, in order: the history of the vote, voter by voter.
        problems.append(f"the -wal file still holds {wal.stat().st_size} bytes of page history")
    # The attacker's copy: the database file with its -wal, opened as the next SQLite would.
    for path in files:
        shutil.copy(path, tmp_path / path.name.replace(database.name, "copy.sqlite3"))
    connection = sqlite3.connect(tmp_path / "copy.sqlite3")
    connection.row_factory = sqlite3.Row
    tables, user_columns = {}, {}
    for (name,) in connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    ):
        rows = [dict(row) for row in connection.execute(f'SELECT * FROM "{name}" ORDER BY rowid')]  # noqa: S608
        columns = [info[1] for info in connection.execute(f'PRAGMA table_info("{name}")')]
        tables[name] = (columns, rows)
        user_columns[name] = [
            fk[3] for fk in connection.execute(f'PRAGMA foreign_key_list("{name}")') if fk[2] == "users"
        ]
        if name == "users":
            user_columns[name].append("id")
    connection.close()
    return problems + _check_rows(tables, user_columns, played)


# --- PostgreSQL -------------------------------------------------------------------------------------------------


def _pg(connection, sql: str, **params):
    return connection.exec_driver_sql(sql, params or None)


def _relations(connection) -> dict[int, str]:
    """relfilenode -> the table it belongs to (its own file, its indexes, TOAST and owned sequences)."""
    rows = _pg(
        connection,
        "SELECT c.relfilenode, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = 'public' AND c.relkind = 'r'"
        " UNION SELECT i.relfilenode, t.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid"
        "  JOIN pg_class t ON t.oid = x.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace"
        "  WHERE n.nspname = 'public'"
        " UNION SELECT s.relfilenode, t.relname FROM pg_class t JOIN pg_class s ON s.oid = t.reltoastrelid"
        "  JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname = 'public'"
        " UNION SELECT s.relfilenode, t.relname FROM pg_depend d JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'"
        "  JOIN pg_class t ON t.oid = d.refobjid JOIN pg_namespace n ON n.oid = t.relnamespace"
        "  WHERE n.nspname = 'public' AND d.deptype IN ('a', 'i')",
    ).all()
    return {relfilenode: name for relfilenode, name in rows}


def _wal_attack(connection, played, relations: dict[int, str]) -> list[str]:
    """While voting was open: no ballot in the clear, and no transaction that stored a ballot wrote anything else.

    The WAL keeps every record in commit order with the commit's time: a ballot stored in the transaction of a row
    naming its voter (or locking one, as a foreign-key check does) is tied to that voter for as long as it is kept.
    """
    records = _pg(
        connection,
        "SELECT xid::text::bigint, resource_manager, record_type, block_ref"
        " FROM pg_get_wal_records_info(%(a)s::pg_lsn, %(b)s::pg_lsn)"
        " WHERE resource_manager IN ('Heap', 'Heap2', 'Btree', 'Sequence')",
        a=played.wal_start,
        b=played.wal_before_close,
    ).all()
    written = defaultdict(set)
    problems = set()
    for xid, manager, record_type, block_ref in records:
        for relfilenode in re.findall(r"rel \d+/\d+/(\d+)", block_ref or ""):
            table = relations.get(int(relfilenode))
            if table is None or not xid:
                continue
            if record_type.startswith("LOCK") and table in VOTE_TABLES:
                continue  # the vote's own row, locked so that a close waits for ballots being stored: names nobody
            written[xid].add(table)
            in_the_clear = PLAINTEXT_BALLOT_TABLE.search(table) and table not in SEALED_TABLES
            if (
                in_the_clear
                and manager.startswith("Heap")
                and not record_type.startswith(("LOCK", "PRUNE", "VISIBLE", "DELETE"))
            ):
                problems.add(f"pg_wal: {table} was written in the clear while voting was open ({record_type})")
    for tables in written.values():
        ballots = {t for t in tables if PLAINTEXT_BALLOT_TABLE.search(t) or t in SEALED_TABLES}
        if ballots and tables - ballots:
            problems.add(
                f"pg_wal: a transaction storing {sorted(ballots)} also wrote or locked {sorted(tables - ballots)}"
            )
    return sorted(problems)


def _heap_attack(connection, played) -> list[str]:
    """Every row version still in the heap (pageinspect): a ballot and a row naming a voter with the same xid."""
    voters = set(played.voter_ids)
    tables = [name for (name,) in _pg(connection, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
    ballot_xids: dict[int, int] = defaultdict(int)
    named_xids: dict[int, set] = defaultdict(set)
    for table in tables:
        user_attnums = [
            attnum
            for (attnum,) in _pg(
                connection,
                "SELECT unnest(conkey) FROM pg_constraint WHERE contype = 'f' AND conrelid = %(t)s::regclass"
                " AND confrelid = 'users'::regclass",
                t=table,
            )
        ]
        if table == "users":
            user_attnums.append(1)
        pages = _pg(
            connection, "SELECT pg_relation_size(%(t)s::regclass) / current_setting('block_size')::int", t=table
        ).scalar()
        is_ballot = PLAINTEXT_BALLOT_TABLE.search(table) and table != "ballot_boxes"
        for block in range(pages):
            items = _pg(
                connection,
                "SELECT t_xmin::text::bigint, t_xmax::text::bigint, t_attrs FROM heap_page_item_attrs("
                "get_raw_page(%(t)s, %(b)s), %(t)s::regclass, false) WHERE t_xmin IS NOT NULL",
                t=table,
                b=block,
            ).all()
            for xmin, xmax, attrs in items:
                xids = {x for x in (xmin, xmax) if x}
                if is_ballot:
                    for x in xids:
                        ballot_xids[x] += 1
                for attnum in user_attnums:
                    value = attrs[attnum - 1] if attrs and len(attrs) >= attnum else None
                    if value is not None and int.from_bytes(bytes(value)[:4], "little") in voters:
                        for x in xids:
                            named_xids[x].add(table)
    problems = []
    for xid, tables_naming in named_xids.items():
        # A close writes (or deletes) every ballot of its vote at once, next to the closer's audit entry.
        if 0 < ballot_xids.get(xid, 0) < scenario.VOTERS:
            problems.append(
                f"heap: {ballot_xids[xid]} ballot row version(s) share xid {xid} with {sorted(tables_naming)}"
            )
    return problems


def _postgres_attack(app, played) -> list[str]:
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        if not _pg(connection, "SELECT rolsuper FROM pg_roles WHERE rolname = current_user").scalar():
            pytest.skip("reading the data directory and pg_wal needs a PostgreSQL superuser")
        try:
            _pg(connection, "CREATE EXTENSION IF NOT EXISTS pageinspect")
            _pg(connection, "CREATE EXTENSION IF NOT EXISTS pg_walinspect")
        except sa.exc.DBAPIError as error:
            pytest.skip(f"pageinspect / pg_walinspect are not in this PostgreSQL build: {error}")
        # The WAL written so far reaches the files, then every dirty page does (as in a copy of a stopped server).
        _pg(connection, "SELECT pg_switch_wal()")
        relations = _relations(connection)
        problems = _wal_attack(connection, played, relations)
        links, keys = _attacker_links(app, played), played.keys_seen
        # Read the WAL before the checkpoint, which may recycle the files that hold the vote.
        for path, blob in _wal_since(connection, played.wal_start):
            problems += [f"{path}: {what}" for what in _find_secrets(blob, links, keys)]
        _pg(connection, "CHECKPOINT")
        database_oid = _pg(connection, "SELECT oid FROM pg_database WHERE datname = current_database()").scalar()
        paths = [
            f"base/{database_oid}/{name}" for (name,) in _pg(connection, f"SELECT pg_ls_dir('base/{database_oid}')")
        ]
        for path in paths:
            # missing_ok: PostgreSQL removes files of its own while we read (pg_internal.init, dropped relations).
            # (PostgreSQL 15 has missing_ok only in the form with offset and length.)
            blob = _pg(
                connection,
                "SELECT pg_read_binary_file(%(p)s::text, 0, s.size, true) FROM pg_stat_file(%(p)s::text, true) s",
                p=path,
            ).scalar()
            if blob:
                problems += [f"{path}: {what}" for what in _find_secrets(bytes(blob), links, keys)]
        for path in (p for p in Path(app.instance_path).rglob("*") if p.is_file()):
            problems += [f"instance/{path.name}: {what}" for what in _find_secrets(path.read_bytes(), links, keys)]
        problems += _heap_attack(connection, played)
        # The live rows, with their system columns, through the same checks as on SQLite.
        tables, user_columns = {}, {}
        for (name,) in _pg(connection, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"):
            result = _pg(connection, f'SELECT * FROM "{name}" ORDER BY ctid')  # noqa: S608
            columns = list(result.keys())
            tables[name] = (columns, [{c: _text(v) for c, v in zip(columns, row, strict=True)} for row in result])
            user_columns[name] = [
                column
                for (column,) in _pg(
                    connection,
                    "SELECT a.attname FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid"
                    " AND a.attnum = ANY(c.conkey) WHERE c.contype = 'f' AND c.conrelid = %(t)s::regclass"
                    " AND c.confrelid = 'users'::regclass",
                    t=name,
                )
            ] + (["id"] if name == "users" else [])
    return problems + _check_rows(tables, user_columns, played)


def _wal_since(connection, start: str):
    """The WAL bytes written since ``start``, file by file. (Older WAL, and the recycled files ahead of the write
    position, hold earlier tests' votes, whose ids this test's ids may repeat: a new test database starts at 1.)"""
    first, first_offset = _pg(
        connection, "SELECT file_name, file_offset FROM pg_walfile_name_offset(%(l)s::pg_lsn)", l=start
    ).one()
    last, last_offset = _pg(
        connection, "SELECT file_name, file_offset FROM pg_walfile_name_offset(pg_current_wal_insert_lsn())"
    ).one()
    names = _pg(
        connection,
        "SELECT name FROM pg_ls_waldir() WHERE length(name) = 24 AND name >= %(a)s AND name <= %(b)s ORDER BY name",
        a=first,
        b=last,
    ).all()
    assert names and names[0][0] == first, f"the WAL file {first} of the vote is gone: {names}"
    for (name,) in names:
        blob = bytes(_pg(connection, "SELECT pg_read_binary_file(%(p)s::text)", p=f"pg_wal/{name}").scalar())
        end = last_offset if name == last else len(blob)  # past it: a recycled file's old contents
        yield f"pg_wal/{name}", blob[first_offset if name == first else 0 : end]


def _text(value):
    return json.dumps(value) if isinstance(value, (list, dict)) else value


def test_after_the_close_nobody_holding_the_files_can_tie_a_ballot_to_a_member(app, db, tmp_path):
    played = scenario.play(app)
    _assert_results_are_right(played)
    if db.engine.dialect.name == "sqlite":
        problems = _sqlite_attack(app, played, tmp_path)
    else:
        problems = _postgres_attack(app, played)
    assert problems == [], _summary(problems)


def _summary(problems: list[str]) -> str:
    kinds = Counter(re.sub(r"[0-9a-f]{12}…|\b\d+\b|[0-9A-F]{24}", "#", problem) for problem in problems)
    return "\n".join(f"{n:4} × {kind}" for kind, n in kinds.most_common())
