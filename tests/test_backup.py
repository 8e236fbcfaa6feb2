"""flask backup / restore: a consistent snapshot plus the uploads, restored row for row into a fresh instance.

On PostgreSQL (DATABASE_URL set) every fresh instance is a new database on the same server.
"""

from __future__ import annotations

import io
import os
import sqlite3
import tarfile
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests import factories
from tests.consultations.builders import PDF, FakeFile, make_request
from youthcouncil import backup
from youthcouncil.audit import AuditEvent, record
from youthcouncil.membership.models import School

ON_POSTGRES = (os.environ.get("DATABASE_URL") or "").startswith("postgresql")


def _fresh_database_url(tmp_path: Path, name: str) -> str:
    configured = os.environ.get("DATABASE_URL")
    if not configured:
        return f"sqlite:///{tmp_path / name / 'youthcouncil.sqlite3'}"
    url = sa.make_url(configured)
    database = f"{url.database}_{name}{os.environ.get('PYTEST_XDIST_WORKER', '')}"
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        connection.execute(sa.text(f'CREATE DATABASE "{database}"'))
    engine.dispose()
    return url.set(database=database).render_as_string(hide_password=False)


@pytest.fixture
def fresh_instance(tmp_path):
    """``fresh_instance("name")``: a new app with its own instance folder and an empty database (no tables)."""
    from youthcouncil import create_app
    from youthcouncil.config import TestConfig
    from youthcouncil.extensions import db

    made = []

    def make(name: str):
        instance = tmp_path / name
        app = create_app(TestConfig(database_url=_fresh_database_url(tmp_path, name), instance_path=str(instance)))
        made.append(app)
        return app

    yield make
    for app in made:
        with app.app_context():
            db.session.remove()
            url = db.engine.url
            db.engine.dispose()
        if url.get_backend_name() == "postgresql":
            engine = sa.create_engine(url.set(database=os.environ["DATABASE_URL"].rsplit("/", 1)[1]))
            with engine.execution_options(isolation_level="AUTOCOMMIT").connect() as connection:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
            engine.dispose()


def _all_rows(engine: sa.Engine) -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order."""
    with engine.connect() as connection:
        metadata = sa.MetaData()
        metadata.reflect(connection)
        rows = {}
        for name, table in metadata.tables.items():
            order = list(table.primary_key.columns) or list(table.columns)
            rows[name] = [tuple(row) for row in connection.execute(sa.select(table).order_by(*order))]
        return rows


def _members(archive_path: Path) -> dict[str, bytes]:
    with tarfile.open(archive_path, "r:gz") as archive:
        return {member.name: archive.extractfile(member).read() for member in archive if member.isfile()}


@pytest.fixture
def filled(app, db):
    """The demo data (every domain) plus a consultation request with two PDFs in UPLOAD_FOLDER."""
    from youthcouncil.accounts.services import find_user

    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    files = [FakeFile("kart.pdf", PDF + b"kart"), FakeFile("plan.pdf", PDF + b"plan" * 1000)]
    with app.test_request_context():
        make_request(find_user("saksbehandler1"), files=files)
    db.session.commit()
    return app


def test_restore_into_a_fresh_instance_brings_back_every_row_and_every_upload(filled, db, tmp_path, fresh_instance):
    report = backup.create_backup(tmp_path / "backups")
    source_rows = _all_rows(db.engine)
    uploads = Path(filled.config["UPLOAD_FOLDER"])
    stored = {path.name: path.read_bytes() for path in uploads.iterdir()}
    assert len(stored) >= 2
    assert report.manifest.tables == {name: len(rows) for name, rows in source_rows.items()}
    assert report.manifest.upload_files == len(stored)
    assert report.path.stat().st_mode & 0o777 == 0o600
    # Not a comparison of two empty databases: most domains' tables hold rows.
    assert sum(1 for rows in source_rows.values() if rows) >= 20 and sum(map(len, source_rows.values())) > 400

    fresh = fresh_instance("restored")
    with fresh.app_context():
        restored = backup.restore_backup(report.path)
        assert restored.upload_files == len(stored)
        restored_rows = _all_rows(db.engine)
        assert set(restored_rows) == set(source_rows)
        for name, rows in source_rows.items():
            assert restored_rows[name] == rows, f"table {name} differs after the restore"
        restored_uploads = Path(fresh.config["UPLOAD_FOLDER"])
        assert restored_uploads != uploads
        assert {path.name: path.read_bytes() for path in restored_uploads.iterdir()} == stored
        # The instance works on: new rows get new ids (PostgreSQL's sequences came back too).
        event = record(None, "backup.restored")
        db.session.commit()
        assert event.id > max(row[0] for row in source_rows["audit_events"])
        db.session.remove()


def test_a_backup_taken_while_another_thread_writes_is_one_moment(app, db, tmp_path, fresh_instance):
    """Each write adds a school and an audit event in one transaction: the snapshot holds both or neither."""
    factories.make_municipality()
    # Enough data that taking the snapshot takes a while, with the writer going on meanwhile.
    db.session.execute(
        sa.insert(AuditEvent), [{"action": "backup.bulk", "details": {"text": "x" * 500}} for _ in range(5000)]
    )
    db.session.commit()
    stop, first = threading.Event(), threading.Event()
    committed = [0]
    errors: list[BaseException] = []

    def write() -> None:
        from youthcouncil.extensions import db as database

        with app.app_context():
            try:
                while not stop.is_set():
                    n = committed[0]
                    factories.make_school(name=f"Probe {n}")
                    record(None, "backup.probe", details={"n": n})
                    database.session.commit()
                    committed[0] = n + 1
                    first.set()
            except BaseException as error:  # noqa: BLE001 - reported below
                errors.append(error)
                first.set()
            finally:
                database.session.remove()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        assert first.wait(30)
        before = committed[0]
        report = backup.create_backup(tmp_path / "backups")
        after = committed[0]
    finally:
        stop.set()
        writer.join(60)
    assert not errors, errors
    assert after > before, "the writer committed nothing while the backup ran"

    with fresh_instance("during-writes").app_context():
        backup.restore_backup(report.path)
        schools = db.session.scalars(sa.select(School.name).where(School.name.like("Probe %"))).all()
        probes = db.session.scalars(sa.select(AuditEvent.details).where(AuditEvent.action == "backup.probe")).all()
        db.session.remove()
    numbers = sorted(int(name.split()[1]) for name in schools)
    assert numbers == sorted(details["n"] for details in probes)
    assert numbers == list(range(len(numbers)))
    assert before <= len(numbers) <= after


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite's VACUUM INTO")
def test_the_sqlite_snapshot_is_a_fresh_file_without_deleted_rows(app, db, tmp_path):
    marker = "ERASED-BALLOT-LINK-7f3a9c"
    for n in range(200):
        record(None, "backup.erased", details={"link": f"{marker}-{n:03d}"})
    record(None, "backup.kept", details={"note": "still here"})
    db.session.commit()
    db.session.execute(sa.delete(AuditEvent).where(AuditEvent.action == "backup.erased"))
    db.session.commit()
    database = Path(db.engine.url.database)
    on_disk = database.read_bytes() + Path(f"{database}-wal").read_bytes()
    assert marker.encode() in on_disk  # the deleted rows are still in the -wal: the snapshot must not take them

    report = backup.create_backup(tmp_path / "backups")
    snapshot = _members(report.path)["database.sqlite3"]
    assert marker.encode() not in snapshot
    assert b"still here" in snapshot
    path = tmp_path / "snapshot.sqlite3"
    path.write_bytes(snapshot)
    connection = sqlite3.connect(path)
    try:
        assert connection.execute("PRAGMA freelist_count").fetchone()[0] == 0
        page_count, page_size = (connection.execute(f"PRAGMA {p}").fetchone()[0] for p in ("page_count", "page_size"))
        assert page_count * page_size == len(snapshot)
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one file, no -wal beside it
    finally:
        connection.close()


def test_the_vote_keys_and_the_secret_key_are_never_in_a_backup(app, db, tmp_path, monkeypatch):
    # The worst case: UPLOAD_FOLDER is the instance folder itself, so the keys sit among the uploads.
    instance = tmp_path / "instance"
    keys = instance / "vote-keys"
    keys.mkdir(parents=True)
    vote_key, secret_key = os.urandom(32), b"generated-secret-key-abcdef123456"
    (keys / "a1b2c3").write_bytes(vote_key)
    (instance / "secret_key").write_bytes(secret_key)
    (instance / "0f0f0f").write_bytes(PDF)
    monkeypatch.setitem(app.config, "INSTANCE_PATH", str(instance))
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(instance))
    monkeypatch.setitem(app.config, "VOTE_KEY_DIR", str(keys))

    report = backup.create_backup(tmp_path / "backups")
    members = _members(report.path)
    assert set(members) == {"manifest.json", backup.DATABASE_MEMBERS[db.engine.dialect.name], "uploads/0f0f0f"}
    raw = b"".join(members.values())
    assert vote_key not in raw and secret_key not in raw
    assert report.manifest.upload_files == 1


def test_restore_refuses_a_database_with_rows_unless_forced_or_confirmed(app, db, tmp_path, fresh_instance):
    factories.make_world()
    db.session.commit()
    report = backup.create_backup(tmp_path / "backups")
    fresh = fresh_instance("twice")
    with fresh.app_context():
        backup.restore_backup(report.path)
        record(None, "backup.after-restore")
        db.session.commit()
        db.session.remove()
        with pytest.raises(backup.DatabaseNotEmpty):
            backup.restore_backup(report.path)

        runner = fresh.test_cli_runner()
        refused = runner.invoke(args=["restore", str(report.path)])  # no answer: no
        assert refused.exit_code == 1 and "already holds" in refused.output and "Aborted" in refused.output
        declined = runner.invoke(args=["restore", str(report.path)], input="n\n")
        assert declined.exit_code == 1
        assert db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "backup.after-restore")) == 1
        db.session.remove()

        confirmed = runner.invoke(args=["restore", str(report.path)], input="y\n")
        assert confirmed.exit_code == 0, confirmed.output
        assert db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "backup.after-restore")) == 0
        db.session.remove()
        record(None, "backup.after-restore")
        db.session.commit()
        db.session.remove()
        forced = runner.invoke(args=["restore", "--force", str(report.path)])
        assert forced.exit_code == 0, forced.output
        assert "checked against its manifest" in forced.output
        assert db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "backup.after-restore")) == 0
        db.session.remove()


def test_backup_command_names_what_it_wrote_and_keeps_the_newest(app, db, tmp_path):
    folder = tmp_path / "nightly"
    runner = app.test_cli_runner()
    outputs = [runner.invoke(args=["backup", "--output", str(folder), "--keep", "2"]) for _ in range(3)]
    assert [result.exit_code for result in outputs] == [0, 0, 0], outputs[-1].output
    written = [Path(result.output.split("Backup written: ")[1].split(" (")[0]) for result in outputs]
    assert sorted(folder.glob("youthcouncil-*.tar.gz")) == sorted(written[1:])
    assert f"deleted older backup {written[0].name}" in outputs[2].output
    assert "not included: the vote keys (VOTE_KEY_DIR) and SECRET_KEY" in outputs[0].output
    assert not list(folder.glob(".*"))  # no partial files or work folders left behind
    inside = runner.invoke(args=["backup", "--output", str(Path(app.config["UPLOAD_FOLDER"]) / "backups")])
    assert inside.exit_code != 0 and "outside UPLOAD_FOLDER" in inside.output


def test_restore_writes_uploads_only_inside_upload_folder(app, db, tmp_path, fresh_instance):
    report = backup.create_backup(tmp_path / "backups")
    members = _members(report.path)
    evil = tmp_path / "evil.tar.gz"
    with tarfile.open(evil, "w:gz") as archive:
        for name, data in [*members.items(), ("uploads/../../escaped", b"x"), ("uploads/ok", PDF)]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    listed = report.manifest.upload_files
    fresh = fresh_instance("evil")
    with fresh.app_context():
        with pytest.raises(backup.BackupError, match=f"lists {listed} uploads but holds {listed + 1}"):
            backup.restore_backup(evil)
        db.session.remove()
    assert (Path(fresh.config["UPLOAD_FOLDER"]) / "ok").read_bytes() == PDF
    assert not (tmp_path / "escaped").exists() and not list(tmp_path.rglob("escaped"))


def test_a_file_that_is_no_backup_is_refused_plainly(app, tmp_path):
    not_a_backup = tmp_path / "notes.tar.gz"
    with tarfile.open(not_a_backup, "w:gz") as archive:
        info = tarfile.TarInfo("notes.txt")
        archive.addfile(info, io.BytesIO(b""))
    result = app.test_cli_runner().invoke(args=["restore", str(not_a_backup)])
    assert result.exit_code != 0 and "is not a youthcouncil backup" in result.output
    garbage = tmp_path / "garbage.tar.gz"
    garbage.write_bytes(b"not gzip")
    result = app.test_cli_runner().invoke(args=["restore", str(garbage)])
    assert result.exit_code != 0 and "cannot be read as a backup archive" in result.output


def test_a_missing_pg_dump_is_named(monkeypatch, tmp_path):
    monkeypatch.setattr(backup.shutil, "which", lambda name: None)
    monkeypatch.setattr(backup, "PG_LIB", tmp_path)
    with pytest.raises(backup.BackupError, match=r"pg_dump was not found .* postgresql-client"):
        backup.find_pg_tool("pg_dump")
    newest = tmp_path / "16" / "bin" / "pg_dump"
    for version in ("9", "16", "15"):
        (tmp_path / version / "bin").mkdir(parents=True)
        (tmp_path / version / "bin" / "pg_dump").touch()
    assert backup.find_pg_tool("pg_dump") == str(newest)
