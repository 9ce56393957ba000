"""Backup and restore of the whole database, for the embedded SQLite and for PostgreSQL.

``workshop backup FILE`` writes one file; ``workshop restore FILE`` puts it back:

* SQLite: SQLite's online backup API copies a consistent snapshot while the server runs (each
  acknowledged input is in it or not, never half); the file is itself a SQLite database.
  Restore copies it back with the same API, after checking that it is one of ours.
* PostgreSQL: ``pg_dump --format=custom`` (a consistent snapshot too) and ``pg_restore --clean
  --single-transaction``: a restore that fails changes nothing.

A restore replaces everything: stop the server (every process) first, and start it again
after; it then migrates the restored schema forward if the backup is older.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"


class BackupError(Exception):
    """A backup or restore that cannot be done, with a sentence that says why."""


def _kind(database_url: str) -> str:
    backend = make_url(database_url).get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise BackupError(f"Backups are made of SQLite and PostgreSQL databases, not {backend}.")
    return backend


def _sqlite_path(database_url: str) -> Path:
    path = make_url(database_url).database
    if not path or path == ":memory:":
        raise BackupError("An in-memory database cannot be backed up.")
    return Path(path)


def _libpq(database_url: str) -> str:
    """The SQLAlchemy URL as libpq takes it (no ``+driver``)."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed (Debian: apt install postgresql-client).")
    return found


def _run(args: list[str]) -> None:
    done = subprocess.run(args, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError((done.stderr or done.stdout).strip()[-2000:] or f"{args[0]} failed")


def backup(database_url: str, out: Path | str) -> str:
    """Write a backup of the database to ``out``; returns what was done, for the command line."""
    out = Path(out)
    if out.exists():
        raise BackupError(f"{out} exists already: choose a new file name.")
    if _kind(database_url) == "sqlite":
        src = _sqlite_path(database_url)
        if not src.exists():
            raise BackupError(f"There is no database at {src}.")
        with sqlite3.connect(f"file:{src}?mode=ro", uri=True) as source, sqlite3.connect(out) as target:
            source.backup(target)
        out.chmod(0o600)
        return f"SQLite database {src} backed up to {out}."
    _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={out}", _libpq(database_url)])
    out.chmod(0o600)
    return f"PostgreSQL database backed up to {out}."


def _check_ours(path: Path) -> None:
    """A SQLite file made by ``backup``: it has the product's schema."""
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as con:
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not a readable SQLite database: {exc}") from None
    if not {"alembic_version", "workshops", "users"} <= tables:
        raise BackupError(f"{path} is not a Nyttoverkstad backup (its tables are not ours).")


def restore(database_url: str, src: Path | str) -> str:
    """Replace the database's whole content with the backup ``src``."""
    src = Path(src)
    if not src.is_file():
        raise BackupError(f"There is no file {src}.")
    head = src.read_bytes()[:16]
    kind = _kind(database_url)
    if kind == "sqlite":
        if not head.startswith(SQLITE_MAGIC):
            raise BackupError(f"{src} is not a SQLite backup; this server runs on SQLite.")
        _check_ours(src)
        target = _sqlite_path(database_url)
        target.parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(f"file:{src}?mode=ro", uri=True) as source, sqlite3.connect(target) as dest:
            source.backup(dest)
        target.chmod(0o600)
        return f"{target} restored from {src}."
    if not head.startswith(PG_MAGIC):
        raise BackupError(
            f"{src} is not a PostgreSQL backup (pg_dump's custom format); this server runs on PostgreSQL."
        )
    _run(
        [
            _tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            f"--dbname={_libpq(database_url)}",
            str(src),
        ]
    )
    return f"PostgreSQL database restored from {src}."
