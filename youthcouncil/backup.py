"""``flask backup`` writes one archive of the database and the uploads; ``flask restore FILE`` brings it back.

The archive (``youthcouncil-<UTC time>.tar.gz``, mode 0600: it holds minors' personal data) contains:

- ``database.sqlite3`` or ``database.pgdump``: a consistent snapshot, taken while the app runs and writes. SQLite:
  ``VACUUM INTO`` in one read transaction, which builds a fresh file from the live rows only (no free pages, no old
  row versions from the ``-wal``; the output inherits the connection's ``secure_delete``, so the new pages start
  zeroed). PostgreSQL: ``pg_dump --format=custom`` run in a snapshot exported from a read-only repeatable-read
  transaction, in which the manifest's row counts and schema revision are read too.
- ``uploads/``: every file in ``UPLOAD_FOLDER`` (the consultations' PDFs), copied after the snapshot. Files are
  written before the row naming them commits and never change, so every attachment in the snapshot has its file,
  unless a clerk removed it in the seconds between the snapshot and the copy.
- ``manifest.json``: when, which backend, the schema revision, the rows in each table and the files.

Never in it: the per-vote keys (``VOTE_KEY_DIR``: with them, a backup taken while a secret vote is open would tie
each sealed ballot to its member) and ``instance/secret_key`` (the operator keeps ``SECRET_KEY`` apart). Nothing is
written to the database by a backup.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import IO

import click
import sqlalchemy as sa
from flask import current_app

from youthcouncil.db import utcnow
from youthcouncil.extensions import db
from youthcouncil.migrate import head_revisions

FORMAT = "youthcouncil-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE_MEMBERS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
UPLOADS = "uploads"
ARCHIVE_GLOB = "youthcouncil-*.tar.gz"
#: The schema revision table: not content, so a database holding only it counts as empty.
ALEMBIC_TABLE = "alembic_version"
#: Debian's PostgreSQL layout: /usr/lib/postgresql/<major>/bin.
PG_LIB = Path("/usr/lib/postgresql")
_PG_LIST_TABLE = re.compile(r"^\d+; \d+ \d+ TABLE (\S+) (\S+) ")


class BackupError(click.ClickException):
    """A backup or restore cannot go on; the message says why and what to do."""


class DatabaseNotEmpty(BackupError):
    def __init__(self, rows: int):
        super().__init__(
            f"The database already holds {rows} rows; a restore would replace them all. Stop the app, then restore "
            f"with --force (or answer yes when asked)."
        )
        self.rows = rows


@dataclass
class Manifest:
    created_at: str
    backend: str
    schema_revision: str | None
    #: Rows per table in the snapshot; a restore checks that the database holds exactly these afterwards.
    tables: dict[str, int]
    upload_files: int = 0
    upload_bytes: int = 0

    @property
    def rows(self) -> int:
        return sum(self.tables.values())

    def to_json(self) -> bytes:
        return json.dumps(
            {
                "format": FORMAT,
                "version": FORMAT_VERSION,
                "created_at": self.created_at,
                "database": {
                    "backend": self.backend,
                    "file": DATABASE_MEMBERS[self.backend],
                    "schema_revision": self.schema_revision,
                    "tables": self.tables,
                },
                "uploads": {"files": self.upload_files, "bytes": self.upload_bytes},
                "not_included": ["VOTE_KEY_DIR (the per-vote keys)", "SECRET_KEY"],
            },
            indent=2,
            ensure_ascii=False,
        ).encode()

    @classmethod
    def from_json(cls, data: bytes) -> Manifest:
        try:
            raw = json.loads(data)
            if raw.get("format") != FORMAT:
                raise ValueError("not a youthcouncil backup")
            if raw.get("version") != FORMAT_VERSION:
                raise ValueError(f"backup format version {raw.get('version')} (this app reads {FORMAT_VERSION})")
            database = raw["database"]
            if database["backend"] not in DATABASE_MEMBERS:
                raise ValueError(f"unknown database backend {database['backend']!r}")
            return cls(
                created_at=raw["created_at"],
                backend=database["backend"],
                schema_revision=database["schema_revision"],
                tables={str(k): int(v) for k, v in database["tables"].items()},
                upload_files=int(raw["uploads"]["files"]),
                upload_bytes=int(raw["uploads"]["bytes"]),
            )
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise BackupError(f"The backup's manifest cannot be read: {error}.") from error


@dataclass
class BackupReport:
    path: Path
    manifest: Manifest
    #: Older archives deleted by ``keep``.
    removed: list[Path] = field(default_factory=list)


@dataclass
class RestoreReport:
    manifest: Manifest
    upload_files: int
    #: Files in UPLOAD_FOLDER that the backup does not have (left alone).
    other_files: int
    head_revisions: tuple[str, ...]


# --- Where things are ---------------------------------------------------------------------------------------


def _backend() -> str:
    name = db.engine.dialect.name
    if name not in DATABASE_MEMBERS:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {name}.")
    return name


def upload_folder() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"])


def _never_backed_up() -> list[Path]:
    """The per-vote keys and the generated secret key: never copied, even when they sit inside UPLOAD_FOLDER."""
    instance = Path(current_app.config["INSTANCE_PATH"])
    key_dir = current_app.config.get("VOTE_KEY_DIR") or instance / "vote-keys"
    return [Path(key_dir).resolve(), (instance / "secret_key").resolve()]


def _is_under(path: Path, others: list[Path]) -> bool:
    return any(path == other or other in path.parents for other in others)


def default_backup_folder() -> Path:
    return Path(current_app.config["INSTANCE_PATH"]) / "backups"


def find_pg_tool(name: str) -> str:
    """``pg_dump``/``pg_restore`` on PATH, else the newest one under /usr/lib/postgresql/*/bin (Debian's layout)."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(
        PG_LIB.glob(f"*/bin/{name}"),
        key=lambda path: int(path.parts[-3]) if path.parts[-3].isdigit() else 0,
    )
    if candidates:
        return str(candidates[-1])
    raise BackupError(
        f"{name} was not found on PATH or in /usr/lib/postgresql/*/bin. Install the PostgreSQL client tools "
        f"of the server's major version or newer (Debian: apt-get install postgresql-client-15), then try again."
    )


def _libpq() -> tuple[str, dict[str, str]]:
    """The database as a libpq URI for pg_dump/pg_restore; the password goes in PGPASSWORD, not on the command line."""
    url = db.engine.url
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    uri = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return uri, env


def _run(command: list[str], env: dict[str, str]) -> str:
    # The command is built from fixed arguments, the configured database and paths we chose; no shell.
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed (exit {result.returncode}): {result.stderr.strip()}")
    return result.stdout


# --- Reading a database -------------------------------------------------------------------------------------


def table_rows(connection: sa.Connection) -> dict[str, int]:
    """Rows per table of the connected database (its default schema), by table name."""
    names = sorted(sa.inspect(connection).get_table_names())
    return {name: connection.scalar(sa.select(sa.func.count()).select_from(sa.table(name))) or 0 for name in names}


def _schema_revision(connection: sa.Connection, tables: dict[str, int]) -> str | None:
    if ALEMBIC_TABLE not in tables:
        return None
    versions = connection.scalars(sa.select(sa.column("version_num")).select_from(sa.table(ALEMBIC_TABLE))).all()
    return ",".join(sorted(versions)) or None


def content_rows(tables: dict[str, int]) -> int:
    return sum(rows for name, rows in tables.items() if name != ALEMBIC_TABLE)


def current_tables() -> dict[str, int]:
    with db.engine.connect() as connection:
        return table_rows(connection)


# --- Backup -------------------------------------------------------------------------------------------------


def _snapshot_sqlite(target: Path) -> tuple[str | None, dict[str, int]]:
    if db.engine.url.database in (None, "", ":memory:"):
        raise BackupError("An in-memory SQLite database cannot be backed up.")
    raw = db.engine.raw_connection()
    try:
        connection = raw.driver_connection
        # The output database inherits secure_delete from this connection, so its new pages start zeroed.
        connection.execute("PRAGMA secure_delete=ON")
        connection.execute("VACUUM INTO ?", (str(target),))
    finally:
        raw.close()
    engine = sa.create_engine(f"sqlite:///{target}", poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            if connection.exec_driver_sql("PRAGMA quick_check").scalar() != "ok":
                raise BackupError("The snapshot failed SQLite's quick_check; nothing was written.")
            tables = table_rows(connection)
            return _schema_revision(connection, tables), tables
    finally:
        engine.dispose()


def _snapshot_postgresql(target: Path) -> tuple[str | None, dict[str, int]]:
    pg_dump = find_pg_tool("pg_dump")
    uri, env = _libpq()
    with db.engine.connect() as connection:
        connection.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        with connection.begin():
            # pg_dump reads in this transaction's snapshot, so the counts below describe exactly what it dumps.
            snapshot = connection.scalar(sa.text("SELECT pg_export_snapshot()"))
            tables = table_rows(connection)
            revision = _schema_revision(connection, tables)
            _run([pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={target}", f"--dbname={uri}"], env)
    return revision, tables


def _upload_files(folder: Path) -> Iterator[tuple[Path, PurePosixPath]]:
    """Regular files under UPLOAD_FOLDER with their names in the archive; symbolic links and the keys left out."""
    if not folder.is_dir():
        return
    excluded = _never_backed_up()
    for root, dirs, files in os.walk(folder):
        here = Path(root)
        dirs[:] = sorted(
            d for d in dirs if not (here / d).is_symlink() and not _is_under((here / d).resolve(), excluded)
        )
        for name in sorted(files):
            path = here / name
            if path.is_symlink() or _is_under(path.resolve(), excluded):
                continue
            yield path, PurePosixPath(UPLOADS, *path.relative_to(folder).parts)


def _add_file(archive: tarfile.TarFile, path: Path, name: str) -> int | None:
    """Add one file as a private member; None when it vanished since it was listed."""
    try:
        stream = path.open("rb")
    except FileNotFoundError:
        return None
    with stream:
        info = archive.gettarinfo(arcname=name, fileobj=stream)
        if not info.isfile():
            return None
        info.mode, info.uid, info.gid, info.uname, info.gname = 0o600, 0, 0, "", ""
        archive.addfile(info, stream)
        return info.size


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), 0o600, int(utcnow().timestamp())
    archive.addfile(info, io.BytesIO(data))


def _archive_path(output: Path, now: datetime) -> tuple[Path, bool]:
    """The file to write and whether ``output`` is a folder (a dated name inside) rather than a file name."""
    if output.is_dir() or not output.name.endswith(".tar.gz"):
        output.mkdir(parents=True, exist_ok=True, mode=0o700)
        stem = f"youthcouncil-{now:%Y%m%dT%H%M%SZ}"
        path, n = output / f"{stem}.tar.gz", 1
        while path.exists():
            n += 1
            path = output / f"{stem}-{n}.tar.gz"
        return path, True
    if output.exists():
        raise BackupError(f"{output} already exists; choose a new file name or a folder.")
    output.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    return output, False


def create_backup(output: Path | None = None, keep: int | None = None) -> BackupReport:
    """Write the archive (atomically: it appears complete or not at all) and, with ``keep``, prune older ones."""
    backend = _backend()
    now = datetime.now(UTC)
    output = output or default_backup_folder()
    if _is_under(output.resolve(), [upload_folder().resolve()]):
        raise BackupError("Write backups outside UPLOAD_FOLDER, or each backup would carry the ones before it.")
    path, in_folder = _archive_path(output, now)
    if keep is not None and not in_folder:
        raise BackupError("--keep needs a folder as the output, not a file name.")
    partial = path.with_name(f".{path.name}.partial")
    work = Path(tempfile.mkdtemp(prefix=".youthcouncil-backup-", dir=path.parent))
    try:
        snapshot = work / DATABASE_MEMBERS[backend]
        take = _snapshot_sqlite if backend == "sqlite" else _snapshot_postgresql
        revision, tables = take(snapshot)
        manifest = Manifest(created_at=now.isoformat(), backend=backend, schema_revision=revision, tables=tables)
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as stream:
            with tarfile.open(fileobj=stream, mode="w:gz") as archive:
                _add_file(archive, snapshot, DATABASE_MEMBERS[backend])
                snapshot.unlink()  # the only other copy of the data, gone as soon as it is in the archive
                for file, name in _upload_files(upload_folder()):
                    size = _add_file(archive, file, str(name))
                    if size is not None:
                        manifest.upload_files += 1
                        manifest.upload_bytes += size
                _add_bytes(archive, MANIFEST, manifest.to_json())
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(partial, path)
        _fsync_folder(path.parent)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report = BackupReport(path=path, manifest=manifest)
    if keep is not None:
        report.removed = _prune(path.parent, keep)
    return report


def _fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _prune(folder: Path, keep: int) -> list[Path]:
    archives = sorted(folder.glob(ARCHIVE_GLOB), key=lambda p: (p.stat().st_mtime, p.name), reverse=True)
    removed = archives[keep:]
    for old in removed:
        old.unlink()
    return removed


# --- Restore ------------------------------------------------------------------------------------------------


def _open_member(archive: tarfile.TarFile, name: str, missing: str) -> IO[bytes]:
    try:
        stream = archive.extractfile(archive.getmember(name))
    except KeyError:
        raise BackupError(missing) from None
    if stream is None:  # a folder or a link under that name
        raise BackupError(missing)
    return stream


def read_manifest(archive_path: Path) -> Manifest:
    """The archive's manifest, after checking that it is a backup this database can take."""
    try:
        with tarfile.open(archive_path, "r:gz") as archive:
            missing = f"{archive_path} is not a youthcouncil backup (no {MANIFEST})."
            with _open_member(archive, MANIFEST, missing) as stream:
                manifest = Manifest.from_json(stream.read())
    except (tarfile.TarError, OSError, EOFError) as error:
        raise BackupError(f"{archive_path} cannot be read as a backup archive: {error}") from error
    backend = _backend()
    if manifest.backend != backend:
        raise BackupError(
            f"This is a backup of a {manifest.backend} database, and DATABASE_URL names a {backend} one. "
            f"Restore it into a {manifest.backend} database."
        )
    return manifest


def _upload_target(name: str) -> PurePosixPath | None:
    """The path inside UPLOAD_FOLDER for an archive member, or None for anything that is not a plain upload."""
    path = PurePosixPath(name)
    if path.is_absolute() or len(path.parts) < 2 or path.parts[0] != UPLOADS:
        return None
    relative = PurePosixPath(*path.parts[1:])
    if any(part in ("", ".", "..") for part in relative.parts):
        return None
    return relative


def _restore_sqlite(snapshot: Path) -> None:
    source = sqlite3.connect(f"file:{snapshot}?mode=ro", uri=True)
    try:
        if source.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise BackupError("The backup's database failed SQLite's quick_check; nothing was restored.")
        raw = db.engine.raw_connection()
        try:
            # Page by page through SQLite's locks, in one write transaction: the database is replaced completely
            # or not at all, and a running server sees the new contents, never a half-copied file.
            source.backup(raw.driver_connection)
        finally:
            raw.close()
    finally:
        source.close()


def _restore_postgresql(dump: Path) -> None:
    pg_restore = find_pg_tool("pg_restore")
    uri, env = _libpq()
    listed = {
        (match.group(1), match.group(2))
        for line in _run([pg_restore, "--list", str(dump)], env).splitlines()
        if (match := _PG_LIST_TABLE.match(line))
    }
    with db.engine.begin() as connection:
        schema = connection.scalar(sa.text("SELECT current_schema()"))
        # Tables the backup lacks (from a newer schema) would survive --clean and stop a later `db upgrade`.
        quote = connection.dialect.identifier_preparer.quote
        for name in sorted(set(sa.inspect(connection).get_table_names()) - {n for s, n in listed if s == schema}):
            connection.execute(sa.text(f"DROP TABLE IF EXISTS {quote(name)} CASCADE"))
    _run(
        [
            pg_restore, "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
            "--exit-on-error", f"--dbname={uri}", str(dump),
        ],
        env,
    )  # fmt: skip
    with db.engine.begin() as connection:
        connection.execute(sa.text("ANALYZE"))


def restore_backup(archive_path: Path, *, replace: bool = False) -> RestoreReport:
    """Make the database the archive's snapshot and put its uploads back; a database with rows only if ``replace``."""
    manifest = read_manifest(archive_path)
    existing = content_rows(current_tables())
    if existing and not replace:
        raise DatabaseNotEmpty(existing)
    member_name = DATABASE_MEMBERS[manifest.backend]
    folder = upload_folder()
    work = Path(tempfile.mkdtemp(prefix="youthcouncil-restore-"))
    restored_files: set[PurePosixPath] = set()
    try:
        with tarfile.open(archive_path, "r:gz") as archive:
            snapshot = work / member_name
            source = _open_member(archive, member_name, f"The backup has no {member_name}.")
            with source, snapshot.open("wb") as target:
                shutil.copyfileobj(source, target)
            db.session.remove()
            db.engine.dispose()
            (_restore_sqlite if manifest.backend == "sqlite" else _restore_postgresql)(snapshot)
            db.engine.dispose()
            for member in archive:
                relative = _upload_target(member.name)
                if relative is None or not member.isfile():
                    continue
                target = folder.joinpath(*relative.parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                draft = target.with_name(f".{target.name}.restoring")
                with archive.extractfile(member) as source, draft.open("wb") as stream:
                    shutil.copyfileobj(source, stream)
                os.replace(draft, target)
                restored_files.add(relative)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    restored = current_tables()
    if restored != manifest.tables:
        differing = sorted(
            name for name in set(restored) | set(manifest.tables) if restored.get(name) != manifest.tables.get(name)
        )
        raise BackupError(
            f"The database was restored but does not match the backup's manifest (tables: {', '.join(differing)})."
        )
    if len(restored_files) != manifest.upload_files:
        raise BackupError(f"The backup lists {manifest.upload_files} uploads but holds {len(restored_files)}.")
    others = sum(1 for _path, name in _upload_files(folder) if PurePosixPath(*name.parts[1:]) not in restored_files)
    return RestoreReport(
        manifest=manifest, upload_files=len(restored_files), other_files=others, head_revisions=_head_revisions()
    )


def _head_revisions() -> tuple[str, ...]:
    return head_revisions(current_app)


# --- Commands -----------------------------------------------------------------------------------------------


def _size(n: int) -> str:
    for unit in ("bytes", "kB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


@click.command("backup")
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path),
    default=None,
    help="A folder (the archive gets a dated name inside) or a new file name ending in .tar.gz. "
    "Default: INSTANCE_PATH/backups/.",
)
@click.option(
    "--keep",
    type=click.IntRange(min=1),
    default=None,
    help="Then delete the oldest youthcouncil-*.tar.gz in that folder so that this many remain.",
)
def backup_command(output: Path | None, keep: int | None) -> None:
    """Write a consistent snapshot of the database and the uploads into one archive (safe while the app runs)."""
    report = create_backup(output, keep)
    manifest = report.manifest
    click.echo(f"Backup written: {report.path} ({_size(report.path.stat().st_size)})")
    click.echo(
        f"  database: {manifest.backend}, schema revision {manifest.schema_revision or 'none'}, "
        f"{len(manifest.tables)} tables, {manifest.rows} rows"
    )
    click.echo(f"  uploads: {manifest.upload_files} files ({_size(manifest.upload_bytes)})")
    click.echo("  not included: the vote keys (VOTE_KEY_DIR) and SECRET_KEY; keep SECRET_KEY safe elsewhere")
    for old in report.removed:
        click.echo(f"  deleted older backup {old.name} (--keep {keep})")


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that already holds data, without asking.")
def restore_command(file: Path, force: bool) -> None:
    """Bring back a backup written by `flask backup` into this instance's database and UPLOAD_FOLDER."""
    try:
        report = restore_backup(file, replace=force)
    except DatabaseNotEmpty as error:
        click.echo(
            f"The database already holds {error.rows} rows. Restoring replaces all of them with the backup "
            f"of {read_manifest(file).created_at}. Stop the app first.",
            err=True,
        )
        click.confirm("Replace the database?", default=False, abort=True, err=True)
        report = restore_backup(file, replace=True)
    manifest = report.manifest
    click.echo(
        f"Restored the backup of {manifest.created_at}: {len(manifest.tables)} tables, {manifest.rows} rows "
        f"(checked against its manifest), {report.upload_files} uploads."
    )
    if report.other_files:
        click.echo(f"  {report.other_files} files in UPLOAD_FOLDER are not in the backup and were left alone.")
    if manifest.schema_revision and manifest.schema_revision not in report.head_revisions:
        click.echo(
            f"  The backup's schema revision is {manifest.schema_revision}; this app's is "
            f"{', '.join(report.head_revisions)}. Run `flask --app youthcouncil db upgrade` before starting it."
        )
    click.echo("  Set the same SECRET_KEY as before; the vote keys of votes open at backup time are not in it.")
