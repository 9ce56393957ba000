"""The database of an app: engine options per database, SQLite's pragmas, and migrating on
start when several processes may start at once."""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from collections.abc import Callable
from typing import Any

import orjson
from flask import Flask
from sqlalchemy import event, text
from sqlalchemy.engine import make_url

from .config import Settings
from .extensions import db

log = logging.getLogger(__name__)

# Any fixed number: the PostgreSQL advisory lock that lets one process at a time migrate.
MIGRATION_LOCK = 0x6E766D6967  # "nvmig"


def engine_options(settings: Settings) -> dict[str, Any]:
    """Pool settings per database. PostgreSQL: a bounded pool per process (under gevent many
    greenlets share it; one waiting longer than ``db_pool_timeout`` gets a clear
    "unavailable" answer), pre-ping so a restarted server is noticed at checkout, a connect
    time-out so a stopped server fails fast instead of holding phones. SQLite (a file, no
    server to restart) is not pinged: a ping was one more statement on every checkout, i.e.
    on every join and every phone connecting."""
    options: dict[str, Any] = {"json_deserializer": read_json}
    if make_url(settings.database_url).get_backend_name() == "postgresql":
        options.update(
            pool_pre_ping=True,
            pool_size=settings.db_pool_size,
            max_overflow=settings.db_max_overflow,
            pool_timeout=settings.db_pool_timeout,
            pool_recycle=1800,
            connect_args={"connect_timeout": settings.db_connect_timeout, "application_name": "nyttoverkstad"},
        )
    return options


# 19 digits in a row may be an integer wider than 64 bits, which orjson would read as a float.
_LONG_DIGITS = re.compile(r"[0-9]{19}")
_LONG_DIGITS_BYTES = re.compile(rb"[0-9]{19}")


def read_json(text: str | bytes) -> Any:
    """Stored JSON (inputs, configurations…) as read from the database: orjson reads it
    several times faster than the standard library, which matters where thousands of stored
    inputs are read at once (a results round, the input writer's look-up of a phone's earlier
    figures). Where orjson would read differently (an integer wider than 64 bits: any run of
    19 digits) or refuses (NaN, Infinity, a lone surrogate), the standard library reads it,
    exactly as before."""
    wide = _LONG_DIGITS_BYTES.search(text) if isinstance(text, bytes) else _LONG_DIGITS.search(text)
    if wide is None:
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError:
            pass
    return json.loads(text)


def init_app(app: Flask, settings: Settings) -> None:
    """Bind ``db`` to the app (its URI and engine options are in ``app.config``)."""
    _private_sqlite_file(settings.database_url)
    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "connect", _sqlite_pragmas(settings.sqlite_busy_timeout * 1000))


def _private_sqlite_file(url: str) -> None:
    """Create a new SQLite file readable by its owner only (0600); SQLite gives its -wal and
    -shm files the same permissions. An existing file is left as its owner set it."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return
    try:
        fd = os.open(parsed.database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except (FileExistsError, FileNotFoundError):
        return
    os.close(fd)


_automatic_checkpoints = True


def automatic_checkpoints(on: bool) -> None:
    """Whether SQLite connections opened from now on checkpoint by themselves every 1 000 pages
    (the default); ``workshop serve`` checkpoints on a thread instead (``checkpoint``) and
    leaves its connections only a safety net."""
    global _automatic_checkpoints
    _automatic_checkpoints = on


def _sqlite_pragmas(busy_ms: float) -> Callable[[Any, Any], None]:
    def on_connect(dbapi_connection: Any, connection_record: Any) -> None:
        """WAL lets readers run beside the writer; NORMAL sync keeps every commit through a
        process crash (kill -9) at a fraction of FULL's cost; busy_timeout waits for a locked
        file (and ``responses.submit`` retries an input beyond that)."""
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute(f"PRAGMA busy_timeout={int(busy_ms)}")
        cur.execute("PRAGMA foreign_keys=ON")
        if not _automatic_checkpoints:
            from .checkpoint import SAFETY_PAGES

            cur.execute(f"PRAGMA wal_autocheckpoint={SAFETY_PAGES}")
        cur.close()

    return on_connect


def check_psycopg_under_gevent(async_mode: str) -> None:
    """psycopg 3 cooperates with gevent only if it was imported after the monkey-patch (it then
    waits with the patched ``select``); a C wait would stop every other phone during a query."""
    if async_mode != "gevent":
        return
    waiting = sys.modules.get("psycopg.waiting")
    if waiting is not None and getattr(waiting, "wait", None) is getattr(waiting, "wait_c", object()):
        log.error(
            "psycopg was imported before gevent patched the standard library: every query will "
            "block the whole process. Start with `workshop serve` (it patches first)."
        )


def upgrade_schema() -> None:
    """Apply migrations (in an app context). Several processes may start at once: on
    PostgreSQL an advisory lock, on SQLite a lock file, lets one migrate while the others
    wait, then find nothing left to do."""
    from .migrate import upgrade

    if db.engine.dialect.name == "sqlite":
        # Two processes on one SQLite file (a second `workshop serve`, a CLI command while the
        # server starts): a lock file next to the database lets one migrate at a time.
        path = db.engine.url.database
        if not path or path == ":memory:":
            upgrade()
            return
        try:
            import fcntl
        except ImportError:  # Windows: one process is all SQLite is for anyway
            upgrade()
            return
        with open(f"{path}.migrate-lock", "a") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                upgrade()
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)
        return
    if db.engine.dialect.name != "postgresql":
        upgrade()
        return
    with db.engine.connect() as lock_conn:
        lock_conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": MIGRATION_LOCK})
        try:
            upgrade()
        finally:
            lock_conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": MIGRATION_LOCK})
            lock_conn.commit()
