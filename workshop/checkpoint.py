"""SQLite's checkpoints, off the event loop (``workshop serve`` on the embedded default).

In WAL mode a commit appends pages to the write-ahead log; now and then those pages are copied
back into the database file and the disk is flushed: a *checkpoint*. Left to itself SQLite does
that inside whichever commit takes the log past 1 000 pages. Under ``workshop serve`` that
commit runs on the event loop, so every phone would wait while megabytes are written and the
disk flushes. Handing each commit to a thread instead (what the input writer did before) cost
about a tenth of a vote's CPU time in thread hand-overs, and under load the writer waited for its
turn of the loop after every commit: the acknowledgements of a full room waited with it.

So the serving process turns the automatic checkpoint down on its connections
(``PRAGMA wal_autocheckpoint`` at ``SAFETY_PAGES``, see ``database``: only if this task stops)
and a thread of its own checkpoints every ``INTERVAL`` seconds, PASSIVE: it copies what no
reader still needs and never waits for a reader or the writer. SQLite starts the log over only
when a write begins right after a checkpoint that copied everything, which commits landing
during the checkpoint prevent under a stream of votes: once the log file is past
``TRUNCATE_BYTES`` the checkpoint is TRUNCATE, which copies the little left, empties the file and
holds new writes meanwhile, waiting at most ``TRUNCATE_WAIT_MS`` for readers (else it is tried
again next time). Commits stay durable as before (each is in the log, which SQLite reads back
after a crash); only the copying moves. Another process on the same file (a CLI command) keeps
SQLite's automatic checkpoint.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

log = logging.getLogger(__name__)

INTERVAL = 0.5
TRUNCATE_BYTES = 64 * 1024 * 1024
TRUNCATE_WAIT_MS = 20
# The automatic checkpoint of the serving process's connections: a safety net only (400 MiB).
SAFETY_PAGES = 100_000
# A log file this large is reported (the task cannot keep up, or a reader holds it).
WARN_BYTES = 4 * TRUNCATE_BYTES


def checkpoint(path: str, busy_ms: int, mode: str = "PASSIVE") -> tuple[int, int, int]:
    """One checkpoint of the database at ``path`` on a connection of its own: (busy, frames in
    the log, frames copied back). The file must exist (it is never created here)."""
    if mode not in ("PASSIVE", "TRUNCATE"):
        raise ValueError(mode)
    conn = sqlite3.connect(f"file:{quote(path)}?mode=rw", uri=True, timeout=busy_ms / 1000, isolation_level=None)
    try:
        row = conn.execute(f"PRAGMA wal_checkpoint({mode})").fetchone()
        return int(row[0]), int(row[1]), int(row[2])
    finally:
        conn.close()


def log_bytes(path: str) -> int:
    try:
        return os.path.getsize(path + "-wal")
    except OSError:
        return 0


class Checkpointer:
    """The serving process's checkpoints: ``run`` forever as a background task; each
    checkpoint runs through ``offload`` (gevent's thread pool), off the event loop."""

    def __init__(self, path: str, busy_ms: int, sleep: Callable[[float], Any], offload: Callable[..., Any]):
        self.path = path
        self.busy_ms = busy_ms
        self._sleep = sleep
        self._offload = offload
        self.runs = 0
        self.last: tuple[int, int, int] | None = None
        self._warned = 0.0

    def once(self) -> tuple[int, int, int]:
        size = log_bytes(self.path)
        if size >= TRUNCATE_BYTES:
            result = self._offload(lambda: checkpoint(self.path, TRUNCATE_WAIT_MS, "TRUNCATE"))
        else:
            result = self._offload(lambda: checkpoint(self.path, self.busy_ms))
        self.runs += 1
        self.last = result
        if size >= WARN_BYTES and time.monotonic() - self._warned > 60:
            self._warned = time.monotonic()
            log.warning("SQLite log is %d MiB: checkpoints do not keep up or a reader holds it", size >> 20)
        return result

    def run(self) -> None:
        while True:
            self._sleep(INTERVAL)
            try:
                self.once()
            except Exception:  # a locked or missing file: try again next time
                log.exception("SQLite checkpoint failed")


def start(app: Any, socketio: Any) -> Checkpointer | None:
    """Under ``workshop serve`` on SQLite: turn the automatic checkpoint down to its safety net
    on the app's connections and start the checkpoint task. Nothing on another database."""
    from . import database
    from .extensions import db

    with app.app_context():
        engine = db.engine
        if engine.dialect.name != "sqlite" or not engine.url.database or engine.url.database == ":memory:":
            return None
        database.automatic_checkpoints(False)
        engine.dispose()  # connections opened so far checkpoint every 1 000 pages: new ones will not
        path = engine.url.database
    import gevent

    pool = gevent.get_hub().threadpool
    busy_ms = int(app.extensions["settings"].sqlite_busy_timeout * 1000)
    worker = Checkpointer(path, busy_ms, socketio.sleep, pool.apply)
    socketio.start_background_task(worker.run)
    app.extensions["checkpointer"] = worker
    return worker


__all__ = ["Checkpointer", "checkpoint", "start"]
