"""Group commit for phone inputs: the votes that queue up while one batch is written go
into the next batch, stored with a few Core statements and one commit.

Why: when a full auditorium votes at once, a transaction per vote of half a dozen ORM
statements cost about 2.6 ms of CPU per vote here — five times what the socket framework
itself needs — and the acks queued up behind it. One writer per process takes everything that
has arrived, stores it in one transaction and then acknowledges each input. The rule of
``responses`` still holds: an input is acknowledged only after the commit that holds it, and
an input sent again (same participant and ``client_id``) is answered with the stored one and
counted once.

Only the plain kinds (one answer that replaces the last, or a few entries up to a limit) take
this road, and only the ordinary case. Anything else makes the item *slow*: an input that
does not validate, an activity that is closed, locked or not current, settings that changed
since they were cached, an entry limit reached, or any database error. The handler then runs
``responses.submit`` for that input alone — the one place that knows every rule and phrases
every error — so the fast road never has to decide anything hard.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update

from .activities import InputError, get_kind
from .activities.base import ActivityKind
from .extensions import db
from .models import Activity, Participant, Response, Workshop, utcnow
from .responses import Stored, client_id_ok, closed_reason, db_id

log = logging.getLogger(__name__)

# Settings of an activity are read again after this long (the writer also checks them against
# the database in every batch, so a stale copy only sends an input down the slow road).
SETTINGS_TTL = 2.0
MAX_BATCH = 500
# Under a stream of votes (the last batch ended less than BUSY_GAP ago) the writer waits
# LINGER before taking what has queued: a few ms on the ack, a few times fewer commits.
LINGER = 0.003
BUSY_GAP = 0.05
WAIT_SECONDS = 20.0


@dataclass
class Item:
    """One input on its way to the writer."""

    participant_id: int
    workshop_id: int
    activity_id: int
    client_id: str
    data: dict[str, Any]
    status: str
    mode: str  # replace | append
    limit: int | None
    config: dict[str, Any]  # the settings ``data`` was validated against
    outcome: Stored | None = None  # None once written: take the slow road
    done: Any = field(default=None, repr=False)


@dataclass(frozen=True)
class _Settings:
    workshop_id: int
    kind: ActivityKind
    raw: dict[str, Any]
    config: Any
    expires: float


def fast_kind(kind: ActivityKind) -> bool:
    """Kinds whose inputs are plain rows: no custom store, no hook, no draft analysis."""
    return (kind.answer_mode in ("replace", "append") and not kind.uses_draft
            and type(kind).after_store is ActivityKind.after_store)


class InputWriter:
    """The per-process writer. ``background``: a single writer task batches inputs (gevent
    under ``workshop serve``); otherwise each input is its own batch, written by the caller
    (threaded test servers, where a task per process would add nothing)."""

    def __init__(self, app, socketio, background: bool, max_batch: int = MAX_BATCH):
        self.app = app
        self.socketio = socketio
        self.background = background
        self.max_batch = max_batch
        self._settings: dict[int, _Settings] = {}
        self._refreshing: set[int] = set()
        self._lock = threading.Lock()
        self._queue = None
        self._conn = None
        self.batches = 0
        self.items = 0
        self.slow = 0
        # time.monotonic() of the latest phone input or connection: housekeeping that pauses
        # the process (a full garbage collection) waits until phones have been quiet a moment.
        self.last_input = time.monotonic()

    # --- the handler's side --------------------------------------------------------------
    def try_store(self, participant_id: int, workshop_id: int, activity_id: Any, client_id: Any,
                  payload: Any) -> Stored | None:
        """Store the input on the fast road, or return None: the caller takes the slow one."""
        self.last_input = time.monotonic()
        stored = self._try_store(participant_id, workshop_id, activity_id, client_id, payload)
        if stored is None:
            self.slow += 1
        return stored

    def touch(self) -> None:
        """A phone did something (connected): not a quiet moment."""
        self.last_input = time.monotonic()

    def _try_store(self, participant_id: int, workshop_id: int, activity_id: Any, client_id: Any,
                   payload: Any) -> Stored | None:
        if not client_id_ok(client_id) or db_id(activity_id) is None:
            return None
        s = self._settings_for(activity_id)
        if s is None or s.workshop_id != workshop_id or not fast_kind(s.kind):
            return None
        try:
            data = s.kind.validate_input(s.config, payload)
        except InputError:
            return None  # the slow road looks for a stored copy first, then says what is wrong
        item = Item(participant_id, workshop_id, activity_id, client_id, data,
                    s.kind.initial_status(s.config, data), s.kind.answer_mode, s.kind.max_entries(s.config), s.raw)
        self._write(item)
        return item.outcome

    def _settings_for(self, activity_id: int) -> _Settings | None:
        now = time.monotonic()
        s = self._settings.get(activity_id)
        if s is not None and (s.expires > now or activity_id in self._refreshing):
            # While one phone re-reads expired settings the others go on with the copy they
            # have (the writer checks it against the database anyway). On PostgreSQL the read
            # yields: without this, every vote arriving meanwhile read them too, and a hall's
            # worth of reads at once emptied the connection pool.
            return s
        self._refreshing.add(activity_id)
        try:
            with db.engine.connect() as conn:
                row = conn.execute(
                    select(Activity.workshop_id, Activity.kind, Activity.config).where(Activity.id == activity_id)
                ).first()
        finally:
            self._refreshing.discard(activity_id)
        if row is None:
            return None
        try:
            kind = get_kind(row.kind)
        except Exception:
            return None
        s = _Settings(row.workshop_id, kind, row.config or {}, kind.config(row.config), now + SETTINGS_TTL)
        self._settings[activity_id] = s
        return s

    def _write(self, item: Item) -> None:
        if not self.background:
            with self._lock:
                self._run_batch([item])
            return
        if self._queue is None:
            self._start()
        item.done = self.socketio.server.eio.create_event()
        self._queue.put(item)
        if not item.done.wait(timeout=WAIT_SECONDS):
            # Never leave a phone hanging on a stuck writer: the slow road stores it (or finds
            # it stored, should the writer get to it after all — the input is stored once).
            log.error("input writer: no answer within %s s; input goes the slow road", WAIT_SECONDS)
            item.outcome = None

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
                    self._run_batch(batch)
            except Exception:  # never leave a phone waiting: its input goes the slow road
                log.exception("input writer: batch of %d failed", len(batch))
            finally:
                for item in batch:
                    item.done.set()
                last_batch = time.monotonic()

    def _run_batch(self, items: list[Item]) -> None:
        self.batches += 1
        self.items += len(items)
        try:
            if self.background:
                # The writer keeps its own connection: SQLite's page cache stays warm only
                # on the connection that made the last change (a pooled one would be another).
                if self._conn is None:
                    self._conn = db.engine.connect()
                write_batch(self._conn, items)
            else:
                with db.engine.connect() as conn:
                    write_batch(conn, items)
        except Exception as exc:
            self._drop_connection()
            # Locked, unreachable, a race with another process, a participant gone: each input
            # is stored on its own by the slow road, which retries and explains.
            from .realtime.handlers import unavailable, warn_throttled

            for item in items:
                item.outcome = None
            if not unavailable(exc):
                log.warning("input writer: batch of %d goes the slow road: %s", len(items), exc)
            else:
                warn_throttled("db-writer", "input writer: database unavailable: %s", exc)

    def _drop_connection(self) -> None:
        if self._conn is not None:
            try:
                self._conn.invalidate()
                self._conn.close()
            except Exception:
                pass
            self._conn = None

    def stats(self) -> dict[str, int]:
        return {"batches": self.batches, "items": self.items, "slow": self.slow}


# Built once: constructing a statement costs more than running it on a small batch.
_T = Response.__table__
_ACTIVITIES = (
    select(Activity.id, Activity.workshop_id, Activity.config, Activity.generation, Activity.locked,
           Workshop.status, Workshop.open_until, Workshop.mode, Workshop.current_activity_id)
    .join(Workshop, Workshop.id == Activity.workshop_id)
    .where(Activity.id.in_(bindparam("ids", expanding=True)))
)
_LOCK_PARTICIPANTS = (
    select(Participant.id).where(Participant.id.in_(bindparam("ids", expanding=True)))
    .order_by(Participant.id).with_for_update()
)
# Inputs already stored are looked up by participant only and matched on client id here:
# "participant IN (…) AND client_id IN (…)" made SQLite probe every pair, quadratic in the
# batch (5 ms for 200 votes), while a phone has only its own few inputs (0.4 ms).
_PRIOR_KEYS = select(_T.c.participant_id, _T.c.client_id, _T.c.id).where(
    _T.c.participant_id.in_(bindparam("pids", expanding=True)))
_PRIORS = select(_T.c.id, _T.c.data, _T.c.status, _T.c.activity_id).where(_T.c.id.in_(bindparam("ids", expanding=True)))
_USED = (
    select(_T.c.activity_id, _T.c.participant_id, _T.c.generation, func.count())
    .where(_T.c.activity_id.in_(bindparam("aids", expanding=True)), _T.c.participant_id.in_(bindparam("pids", expanding=True)),
           _T.c.current.is_(True), _T.c.status != "deleted")
    .group_by(_T.c.activity_id, _T.c.participant_id, _T.c.generation)
)
# One statement per activity, not per phone (an index covers all four columns).
_SUPERSEDE = (
    update(_T)
    .where(_T.c.activity_id == bindparam("aid"), _T.c.generation == bindparam("gen"), _T.c.current.is_(True),
           _T.c.participant_id.in_(bindparam("who", expanding=True)))
    .values(current=False)
)
_INSERT = insert(_T).returning(_T.c.id, sort_by_parameter_order=True)


def write_batch(conn, items: list[Item]) -> None:
    """Store ``items`` in one transaction on ``conn`` and set each one's ``outcome``.

    Decides only on what it reads from the database, never on process memory, so it is as
    correct in a scale-out as on one process: on PostgreSQL the batch's participants are
    locked first (the slow road takes the same lock); on SQLite the one writer of a gevent
    process runs the batch without yielding, so nothing of this process comes in between.
    Raises on a database error (nothing is committed then)."""
    now = utcnow()
    act_ids = sorted({i.activity_id for i in items})
    pids = sorted({i.participant_id for i in items})
    acts = {r.id: r for r in conn.execute(_ACTIVITIES, {"ids": act_ids})}
    if conn.dialect.name == "postgresql":
        # Same lock as the slow road takes, in id order so two writers never deadlock.
        conn.execute(_LOCK_PARTICIPANTS, {"ids": pids})
    wanted = {(i.participant_id, i.client_id) for i in items}
    prior_ids = {(p, c): rid for p, c, rid in conn.execute(_PRIOR_KEYS, {"pids": pids}) if (p, c) in wanted}
    priors = {}
    if prior_ids:  # a resend: rare, read what it is answered with
        stored = {r.id: r for r in conn.execute(_PRIORS, {"ids": sorted(prior_ids.values())})}
        priors = {key: stored[rid] for key, rid in prior_ids.items()}
    limited = [i for i in items if i.mode == "append" and i.limit is not None]
    used: dict[tuple[int, int, int], int] = {}
    if limited:
        params = {"aids": sorted({i.activity_id for i in limited}), "pids": sorted({i.participant_id for i in limited})}
        for r in conn.execute(_USED, params):
            used[(r[0], r[1], r[2])] = r[3]

    rows: list[dict[str, Any]] = []
    written: list[Item] = []
    first: dict[tuple[int, str], Item] = {}  # an input sent twice within this batch
    copies: list[tuple[Item, Item]] = []
    supersede: dict[tuple[int, int], list[int]] = {}  # (activity, generation) -> participants
    latest: dict[tuple[int, int, int], int] = {}  # (activity, participant, generation) -> row index
    for item in items:
        key = (item.participant_id, item.client_id)
        prior = priors.get(key)
        if prior is not None:
            item.outcome = Stored(prior.id, True, prior.data, prior.status, prior.activity_id)
            continue
        if key in first:
            copies.append((item, first[key]))
            continue
        a = acts.get(item.activity_id)
        if a is None or a.workshop_id != item.workshop_id or (a.config or {}) != item.config:
            continue
        if closed_reason(status=a.status, open_until=a.open_until, mode=a.mode, current_activity_id=a.current_activity_id,
                         activity_id=a.id, locked=a.locked, now=now) is not None:
            continue
        slot = (a.id, item.participant_id, a.generation)
        if item.limit is not None and item.mode == "append":
            if used.get(slot, 0) >= item.limit:
                continue
            used[slot] = used.get(slot, 0) + 1
        if item.mode == "replace":
            if slot in latest:
                # Two answers of one phone in one batch: the later one is the current one.
                rows[latest[slot]]["current"] = False
            else:
                supersede.setdefault((slot[0], slot[2]), []).append(slot[1])
            latest[slot] = len(rows)
        first[key] = item
        written.append(item)
        rows.append({"activity_id": a.id, "participant_id": item.participant_id, "client_id": item.client_id,
                     "generation": a.generation, "data": item.data, "status": item.status, "current": True,
                     "ref_id": None, "merged_into_id": None, "answered": False, "created_at": now})
    for (aid, gen), who in supersede.items():
        conn.execute(_SUPERSEDE, {"aid": aid, "gen": gen, "who": who})
    if rows:
        ids = conn.execute(_INSERT, rows).scalars().all()
        conn.commit()
        for item, row, rid in zip(written, rows, ids):
            item.outcome = Stored(rid, False, row["data"], row["status"], row["activity_id"], False)
    else:
        conn.rollback()  # nothing to write: end the reads' transaction
    for item, original in copies:
        if original.outcome is not None:
            o = original.outcome
            item.outcome = Stored(o.response_id, True, o.data, o.status, o.activity_id)


__all__ = ["InputWriter", "Item", "fast_kind", "write_batch"]
