"""The secret-ballot module: links, sealing, the vote key's life, the close, and the one-transaction rule."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import count
from tests.threads import at_once
from youthcouncil import secret_ballot
from youthcouncil.audit import AuditEvent
from youthcouncil.secret_ballot import BallotBox, CastResult, SealedBallot, VoteKey, VoteKeyError


def _box(vote_id: int, purpose: str = "theme") -> BallotBox:
    return secret_ballot.db.session.scalars(
        sa.select(BallotBox).where(BallotBox.purpose == purpose, BallotBox.vote_id == vote_id)
    ).one()


def _key_file(app, box: BallotBox) -> Path:
    return Path(app.config["VOTE_KEY_DIR"]) / f"{box.key_id}.key"


def _key_files(app) -> set[str]:
    folder = Path(app.config["VOTE_KEY_DIR"])
    return {path.name for path in folder.glob("*.key")} if folder.is_dir() else set()


def test_links_differ_by_purpose_vote_member_and_key():
    key = VoteKey("theme", 7, 1, b"k" * 32)
    links = {
        key.link(3),
        key.link(4),
        VoteKey("budget", 7, 1, b"k" * 32).link(3),
        VoteKey("motion", 7, 1, b"k" * 32).link(3),
        VoteKey("theme", 8, 1, b"k" * 32).link(3),
        VoteKey("theme", 7, 1, b"j" * 32).link(3),
    }
    assert len(links) == 6 and all(len(link) == 64 for link in links)
    assert key.link(3) == VoteKey("theme", 7, 2, b"k" * 32).link(3)  # the same member finds the same row again


def test_sealed_choices_are_not_readable_and_all_have_one_size():
    key = VoteKey("theme", 7, 1, os.urandom(32))
    small = key.seal("ballot", "l1", {"choices": [[1]]})
    large = key.seal("ballot", "l1", {"choices": [[n] for n in range(100, 160)]})
    assert len(small) == len(large)
    assert b"choices" not in small and b"[[1]]" not in small
    assert key.open("ballot", "l1", small) == {"choices": [[1]]}
    with pytest.raises(VoteKeyError):  # bound to its row: moved to another member's link, it does not open
        key.open("ballot", "l2", small)
    with pytest.raises(VoteKeyError):
        VoteKey("theme", 7, 1, os.urandom(32)).open("ballot", "l1", small)


def test_one_row_per_member_and_a_form_sent_again_counts_once(app, db, world):
    member = world.users["member"]
    assert secret_ballot.cast("theme", 1, member.id, [[1], [2]], idempotency_key="form-1") is CastResult.stored
    db.session.commit()
    assert secret_ballot.cast("theme", 1, member.id, [[2]], idempotency_key="form-2") is CastResult.stored
    db.session.commit()
    assert secret_ballot.cast("theme", 1, member.id, [[2]], idempotency_key="form-2") is CastResult.repeated
    # A late retry of the first form does not undo the newer vote; the same form with other choices changes nothing.
    assert secret_ballot.cast("theme", 1, member.id, [[1], [2]], idempotency_key="form-1") is CastResult.repeated
    assert secret_ballot.cast("theme", 1, member.id, [[3]], idempotency_key="form-2") is CastResult.key_reused
    db.session.commit()
    assert secret_ballot.own_ballot("theme", 1, member.id) == [[2]]
    assert secret_ballot.turnout("theme", 1) == 1 and count(db, SealedBallot) == 1
    assert secret_ballot.has_voted("theme", 1, member.id) and not secret_ballot.has_voted("theme", 1, member.id + 1)
    assert secret_ballot.own_ballot("budget", 1, member.id) is None  # another purpose is another vote


def test_the_database_keeps_one_ballot_and_one_draft_per_link(app, db, world):
    secret_ballot.cast("budget", 1, world.users["member"].id, [1])
    db.session.commit()
    row = db.session.scalars(sa.select(SealedBallot)).one()
    for kind in ("ballot", "maybe"):
        with pytest.raises(sa.exc.IntegrityError), db.session.begin_nested():
            db.session.add(
                SealedBallot(box_id=row.box_id, kind=kind, link=row.link if kind == "ballot" else "x", sealed=b"")
            )
            db.session.flush()


def test_a_draft_is_sealed_and_the_ballot_replaces_it(app, db, world):
    member, chair = world.users["member"], world.users["chair"]
    secret_ballot.save_draft("budget", 5, member.id, [3, 4])
    db.session.commit()
    secret_ballot.save_draft("budget", 5, chair.id, [4])
    db.session.commit()
    assert secret_ballot.own_draft("budget", 5, member.id).choices == [3, 4]
    assert set(secret_ballot.drafts("budget", 5, [member.id, chair.id])) == {member.id, chair.id}
    secret_ballot.cast("budget", 5, member.id, [3])
    db.session.commit()
    assert secret_ballot.own_draft("budget", 5, member.id) is None
    assert set(secret_ballot.drafts("budget", 5, [member.id, chair.id])) == {chair.id}
    assert secret_ballot.turnout("budget", 5) == 1


def test_nothing_else_is_written_in_the_transaction_of_a_ballot(app, db, world):
    member = world.users["member"]
    db.session.add(AuditEvent(actor_id=member.id, action="test.before"))
    with pytest.raises(RuntimeError, match="transaction of its own"):
        secret_ballot.cast("motion", 1, member.id, "yes")
    db.session.rollback()
    secret_ballot.cast("motion", 1, member.id, "yes")
    db.session.add(AuditEvent(actor_id=member.id, action="test.after"))
    with pytest.raises(RuntimeError, match="nothing else"):
        db.session.flush()
    db.session.rollback()
    secret_ballot.save_draft("budget", 1, member.id, [1])
    with pytest.raises(RuntimeError, match="nothing else"):
        db.session.execute(sa.update(AuditEvent).values(action="x"))
    db.session.rollback()
    # The next transaction is free again.
    db.session.add(AuditEvent(actor_id=member.id, action="test.later"))
    db.session.commit()


def test_the_close_gives_every_ballot_in_a_random_order_and_keeps_nothing_linked(app, db, world):
    users = [world.users["member"], world.users["chair"], *world.members[2:]]
    for number, user in enumerate(users):
        secret_ballot.cast("theme", 3, user.id, [[number]])
        db.session.commit()
    secret_ballot.save_draft("budget", 3, users[0].id, [1])
    db.session.commit()
    orders = set()
    for _attempt in range(20):
        choices = secret_ballot.close("theme", 3)
        assert sorted(choices) == [[[n]] for n in range(len(users))]
        orders.add(json.dumps(choices))
        db.session.rollback()
    assert len(orders) > 1  # 20 closes of 4 ballots in the same order would be a 1 in 24^19 chance
    secret_ballot.close("theme", 3)
    db.session.commit()
    box = _box(3)
    assert box.closed and count(db, SealedBallot, SealedBallot.box_id == box.id) == 0
    assert count(db, SealedBallot) == 1  # the other vote's draft is untouched
    assert secret_ballot.own_ballot("theme", 3, users[0].id) is None and secret_ballot.turnout("theme", 3) == 0
    with pytest.raises(secret_ballot.VoteClosedError):
        secret_ballot.cast("theme", 3, users[0].id, [[1]])


def test_the_key_is_destroyed_after_the_close_commits_and_never_before(app, db, world):
    member = world.users["member"]
    secret_ballot.cast("motion", 9, member.id, "no")
    db.session.commit()
    box = _box(9, "motion")
    key_file = _key_file(app, box)
    assert key_file.stat().st_mode & 0o777 == 0o600 and len(key_file.read_bytes()) == 32
    assert secret_ballot.close("motion", 9) == ["no"]
    assert key_file.exists()  # not committed yet
    db.session.rollback()
    assert key_file.exists() and secret_ballot.own_ballot("motion", 9, member.id) == "no"
    secret_ballot.close("motion", 9)
    db.session.commit()
    assert not key_file.exists()
    db.session.expire_all()
    assert _box(9, "motion").scrubbed


def test_a_lost_or_foreign_key_is_refused_and_never_replaced(app, db, world):
    member, chair = world.users["member"], world.users["chair"]
    secret_ballot.cast("theme", 4, member.id, [[1]])
    db.session.commit()
    key_file = _key_file(app, _box(4))
    good = key_file.read_bytes()
    key_file.write_bytes(os.urandom(32))  # a foreign key, e.g. from another server's folder
    for attempt in (
        lambda: secret_ballot.cast("theme", 4, chair.id, [[1]]),
        lambda: secret_ballot.own_ballot("theme", 4, member.id),
        lambda: secret_ballot.has_voted("theme", 4, member.id),
        lambda: secret_ballot.close("theme", 4),
    ):
        with pytest.raises(VoteKeyError):
            attempt()
        db.session.rollback()
    key_file.unlink()  # lost
    with pytest.raises(VoteKeyError):
        secret_ballot.cast("theme", 4, chair.id, [[1]])
    db.session.rollback()
    assert not key_file.exists() and count(db, BallotBox) == 1  # no new key was made
    key_file.write_bytes(good)  # restored from the backup
    secret_ballot.cast("theme", 4, chair.id, [[1]])
    db.session.commit()
    assert secret_ballot.turnout("theme", 4) == 2


def test_25_members_voting_at_once_make_one_key_and_25_ballots(app, db, world):
    from tests.factories import make_member

    members = [make_member(world.term, world.schools[0]).id for _ in range(25)]
    db.session.commit()
    before = _key_files(app)
    outcomes = at_once(app, 25, lambda i: secret_ballot.cast("budget", 77, members[i], [i]).value)
    assert outcomes == ["stored"] * 25, outcomes
    box = _box(77, "budget")
    assert _key_files(app) - before == {f"{box.key_id}.key"}  # the losers of the race dropped their keys
    assert count(db, BallotBox) == 1 and secret_ballot.turnout("budget", 77) == 25
    assert sorted(secret_ballot.close("budget", 77)) == [[i] for i in range(25)]
    db.session.rollback()


def test_32_submissions_of_one_member_at_once_leave_one_ballot(app, db, world):
    member = world.users["member"].id
    db.session.commit()
    outcomes = at_once(app, 32, lambda i: secret_ballot.cast("theme", 88, member, [[i]], idempotency_key=f"k{i}").value)
    assert outcomes == ["stored"] * 32, outcomes
    assert count(db, SealedBallot) == 1 and secret_ballot.turnout("theme", 88) == 1
    assert secret_ballot.own_ballot("theme", 88, member) in [[[i]] for i in range(32)]


def test_32_retries_of_one_form_store_it_once(app, db, world):
    member = world.users["member"].id
    db.session.commit()
    outcomes = at_once(app, 32, lambda i: secret_ballot.cast("theme", 89, member, [[5]], idempotency_key="same").value)
    assert sorted(outcomes) == ["repeated"] * 31 + ["stored"], outcomes
    assert count(db, SealedBallot) == 1


def test_the_sweep_removes_stray_keys_after_an_hour_and_keeps_open_votes_keys(app, db, world):
    secret_ballot.cast("theme", 6, world.users["member"].id, [[1]])
    db.session.commit()
    folder = Path(app.config["VOTE_KEY_DIR"])
    open_key = _key_file(app, _box(6))
    old_stray, new_stray = folder / ("a" * 32 + ".key"), folder / ("b" * 32 + ".key")
    for path in (old_stray, new_stray):
        path.write_bytes(os.urandom(32))
    two_hours_ago = time.time() - 7200
    for path in (old_stray, open_key):
        os.utime(path, (two_hours_ago, two_hours_ago))
    db.session.commit()
    secret_ballot.sweep()
    assert open_key.exists() and new_stray.exists() and not old_stray.exists()
    new_stray.unlink()


def test_errors_do_not_carry_the_statements_values(app, db, world):
    with pytest.raises(sa.exc.IntegrityError) as raised:
        db.session.add(SealedBallot(box_id=2**31 - 1, kind="ballot", link="a-voter-link-" + "0" * 51, sealed=b"x"))
        db.session.flush()
    assert "a-voter-link" not in str(raised.value) and "parameters hidden" in str(raised.value)
    db.session.rollback()
