"""Group commit: one writer per process takes every input that queued up, stores the batch in
one transaction (``batch.write_batch``) and then answers each phone.

Why: when a full auditorium votes at once, a transaction per vote cost about five times what the
socket framework itself needs, and the acks queued up behind it. Under ``workshop serve``
(gevent) a single writer task batches; in threaded test servers each input is its own batch,
written on the caller's thread. When a batch fails (a database error, SQLite locked by another
process, a race with another process, a draft change refusing one input of several) nothing of
it is committed and each input is stored on its own, with retries while the database is locked:
the rules are the same on both roads because both are ``write_batch``.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from typing import Any

from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError

from ..activities import InputError
from ..db_errors import unavailable, unavailable_error, warn_throttled
from ..extensions import db
from .batch import DbSession, Item, Target, write_batch
from .rules import Stored, rate_limited, speaking

log = logging.getLogger(__name__)

MAX_BATCH = 500
# Under a stream of votes (the last batch ended less than BUSY_GAP ago) the writer waits
# LINGER before taking what has queued: a few ms on the ack, a few times fewer commits.
LINGER = 0.003
BUSY_GAP = 0.05
WAIT_SECONDS = 20.0
# A writer that finds SQLite locked (another process writing, a backup, a long transaction)
# waits ``busy_timeout`` inside SQLite, then is tried again here, cooperatively, for this long.
LOCKED_RETRY_SECONDS = 12.0


def _locked(exc: BaseException) -> bool:
    if not isinstance(exc, OperationalError):
        return False
    text = str(exc.orig if exc.orig is not None else exc).lower()
    return "database is locked" in text or "database is busy" in text or "database table is locked" in text


def _answer(item: Item) -> Stored:
    if item.error is not None:
        raise item.error
    if item.outcome is None:
        raise RuntimeError("input writer gave no answer")
    return item.outcome


def store_alone(session: DbSession, item: Item) -> None:
    """Store one input in its own transaction, retrying while SQLite is locked; raises on any
    other database error (the socket layer answers "unavailable")."""
    deadline = time.monotonic() + LOCKED_RETRY_SECONDS
    delay = 0.02
    while True:
        item.outcome = item.error = None
        try:
            write_batch(session, [item])
            return
        except Exception as exc:
            session.rollback()
            if not _locked(exc) or time.monotonic() + delay > deadline:
                raise
            # time.sleep is gevent's under ``workshop serve``: other phones go on meanwhile.
            time.sleep(delay * (0.5 + random.random()))
            delay = min(delay * 2, 0.5)


def submit(participant: Any, activity_id: Any, client_id: Any, payload: Any) -> Stored:
    """Store one input of ``participant`` now, on the caller's session, and return it (raises
    ``InputError`` when refused). For the CLI, scripts and tests; phones go through the writer."""
    item = Item(participant.id, participant.workshop_id, activity_id, client_id, payload)
    store_alone(db.session, item)
    return _answer(item)


class InputWriter:
    """The per-process writer; ``init_app`` binds it to the app and its socket server."""

    def __init__(self, app: Any = None, socketio: Any = None, background: bool = False, max_batch: int = MAX_BATCH):
        self.background = background
        self.max_batch = max_batch
        self._lock = threading.Lock()
        self._queue: Any = None
        self._conn: Any = None
        # One lane beside a writer that does not answer: one input at a time is stored there.
        self._alone_lane = threading.Lock()
        self.batches = 0
        self.items = 0
        self.alone = 0
        # time.monotonic() of the latest phone input or connection: housekeeping that pauses
        # the process (a full garbage collection) waits until phones have been quiet a moment.
        self.last_input = time.monotonic()
        if app is not None:
            self.init_app(app, socketio, background)

    def init_app(self, app: Any, socketio: Any, background: bool | None = None) -> None:
        self.app = app
        self.socketio = socketio
        if background is not None:
            self.background = background
        app.extensions["input_writer"] = self

    # --- the handler's side --------------------------------------------------------------
    def store(
        self,
        participant_id: int,
        workshop_id: int,
        activity_id: Any,
        client_id: Any,
        payload: Any,
        language: str | None = None,
        limits: tuple[tuple[str, ...], ...] = (),
    ) -> Stored:
        """Store one phone input and return it once committed; raises ``InputError`` when refused
        (also when one of ``limits``, counted with the batch, is reached: ``rate_limited``).
        Refusals are worded in ``language``."""
        self.last_input = time.monotonic()
        item = Item(participant_id, workshop_id, activity_id, client_id, payload, language, limits)
        if not self.background:
            with self._lock:
                self._run([item], db.session)
            return _answer(item)
        if self._queue is None:
            self._start()
        item.done = self.socketio.server.eio.create_event()
        self._queue.put(item)
        if not item.done.wait(timeout=WAIT_SECONDS):
            # Never leave a phone hanging on a stuck writer: store it here (or find it stored,
            # should the writer get to it after all — an input is stored once). One at a
            # time: a writer that is only slow (a burst of heavy inputs) would otherwise get
            # hundreds of competing transactions, each holding a pooled connection, until the
            # pool ran dry and the writer itself waited for one. The others are told to send
            # again ("unavailable": the phone's outbox does); the writer still has them queued.
            if not self._alone_lane.acquire(blocking=False):
                warn_throttled("writer", "input writer: no answer within %s s; the phone sends again", WAIT_SECONDS)
                raise unavailable_error()
            try:
                log.error("input writer: no answer within %s s; the input is stored on its own", WAIT_SECONDS)
                item.outcome = item.error = None
                self.alone += 1
                store_alone(db.session, item)
            finally:
                self._alone_lane.release()
        return _answer(item)

    def touch(self) -> None:
        """A phone did something (connected): not a quiet moment."""
        self.last_input = time.monotonic()

    # --- the writer's side ---------------------------------------------------------------
    def _start(self) -> None:
        with self._lock:
            if self._queue is None:
                self._queue = self.socketio.server.eio.create_queue()
                self._empty = self.socketio.server.eio.get_queue_empty_exception()
                self.socketio.start_background_task(self._loop)

    def _loop(self) -> None:
        last_batch = 0.0
        while True:
            batch: list[Item] = []
            try:
                batch.append(self._queue.get())
                if time.monotonic() - last_batch < BUSY_GAP:
                    # Votes are streaming in: wait a moment so this commit carries more of them.
                    self.socketio.sleep(LINGER)
                while len(batch) < self.max_batch:
                    try:
                        batch.append(self._queue.get_nowait())
                    except self._empty:
                        break
                with self.app.app_context():
                    self._run(batch, self._connection())
            except Exception:  # never leave a phone waiting
                log.exception("input writer: batch of %d failed", len(batch))
                with self.app.app_context():
                    for item in batch:
                        if item.outcome is None and item.error is None:
                            speaking(item.language)
                            item.error = unavailable_error()
            finally:
                for item in batch:
                    item.done.set()
                last_batch = time.monotonic()

    def _connection(self) -> Connection:
        """The writer keeps its own connection: SQLite's page cache stays warm only on the
        connection that made the last change (a pooled one would be another). A batch is
        written on it with Core statements; an ORM session joins it only for a draft node."""
        if self._conn is None:
            self._conn = db.engine.connect()
        return self._conn

    def _within_limits(self, items: list[Item]) -> list[Item]:
        """Count the batch's inputs against their rate limits (one round trip to a shared
        store for the whole batch, not one per input); refuse those over a limit."""
        counted = [i for i in items if i.limits]
        if not counted:
            return items
        allowed = self.app.extensions["limits"].allow_many([i.limits for i in counted])
        for item, ok in zip(counted, allowed):
            if not ok:
                speaking(item.language)
                item.error = rate_limited()
        return [i for i in items if i.error is None]

    def _run(self, items: list[Item], target: Target) -> None:
        items = self._within_limits(items)
        if not items:
            return
        self.batches += 1
        self.items += len(items)
        try:
            write_batch(target, items)
            return
        except Exception as exc:
            try:
                target.rollback()
            except Exception:  # a dead connection: dropped below
                pass
            if self.background:
                self._drop_connection()
            if unavailable(exc) and not _locked(exc):
                warn_throttled("db-writer", "input writer: database unavailable: %s", exc)
            elif len(items) > 1:
                log.info("input writer: batch of %d is stored input by input: %s", len(items), exc)
        finally:
            if self.background:
                db.session.remove()
        # Each input on its own (locked: retried; a race: the resend finds the stored copy).
        for item in items:
            item.outcome = item.error = None
            self.alone += 1
            try:
                store_alone(db.session, item)
            except InputError as err:
                item.error = err
            except Exception as exc:
                db.session.rollback()
                speaking(item.language)
                item.error = unavailable_error()
                log.warning("input writer: input not stored: %s", exc)
            finally:
                if self.background:
                    db.session.remove()

    def _drop_connection(self) -> None:
        if self._conn is not None:
            try:
                self._conn.invalidate()
                self._conn.close()
            except Exception:
                pass
            self._conn = None

    def stats(self) -> dict[str, int]:
        return {"batches": self.batches, "items": self.items, "alone": self.alone}


__all__ = ["InputWriter", "store_alone", "submit"]
