"""One batch of phone inputs, stored in one transaction under the rules every kind shares.

Decides only on what it reads in the transaction, never on process memory, so it is as right
in a scale-out as in one process: on PostgreSQL the batch's participants are locked first, in
id order (two writers never deadlock, and one phone's inputs are stored one at a time); on
SQLite the one writer of a process runs the batch without yielding.

Per input, in this order (protocol §7): a bad client id or activity id is refused; an input
already stored (same participant and ``client_id``) is answered with the stored one, whatever
changed since; an unknown participant or activity, a closed workshop, a locked or not current
activity refuse; then the kind prepares the entry (``ActivityKind.prepare``), which may refuse;
the entry's limit is counted over the phone's current entries; what it supersedes steps back.
Plain rows are inserted together; an entry that also changes the draft analysis is written
first, with its draft change, in the same transaction.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TypeAlias, cast

from sqlalchemy import Table, bindparam, insert, select, text, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, scoped_session

from .. import caps
from ..activities import InputError, get_kind
from ..activities.base import SUPERSEDE_ALL, ActivityKind, Entry, Row
from ..draft.models import Analysis
from ..models import Activity, Participant, Response, UTCDateTime, Workshop, utcnow
from .revision import raise_revisions
from .rules import (
    Stored,
    bad_client_id,
    client_id_ok,
    closed_error,
    closed_reason,
    db_id,
    speaking,
    unknown_activity,
    unknown_participant,
)

# What a batch is written with: the writer's own plain session, or the app's ``db.session``
# (a scoped session that passes every call used here on to the session of the context).
DbSession: TypeAlias = "Session | scoped_session[Any]"
# What a batch is written through: the app's session (threaded servers, scripts, tests), or
# the background writer's own connection, which needs no ORM session unless a draft node comes.
Target: TypeAlias = "Session | scoped_session[Any] | Connection"


@dataclass
class Item:
    """One input on its way to storage; the writer fills ``outcome`` or ``error``."""

    participant_id: int
    workshop_id: int
    activity_id: Any
    client_id: Any
    payload: Any
    # The phone's language (its workshop's): refusals are worded in it. None: as the context is.
    language: str | None = None
    # The rate limits the input counts against, as ``RateLimits.allow_many`` takes them
    # (``(rule, *key)`` each); counted by the writer, a batch at a time.
    limits: tuple[tuple[str, ...], ...] = ()
    outcome: Stored | None = None
    error: InputError | None = None
    done: Any = field(default=None, repr=False)


class DraftRefused(Exception):
    """A draft change refused an input inside a batch of several: the batch is rolled back and
    each input is stored on its own, so only that one is refused."""


# Built once: constructing a statement costs more than running it on a small batch.
_T = cast(Table, Response.__table__)  # a declarative class mapped to one table
_ACTIVITIES = (
    select(
        Activity.id,
        Activity.workshop_id,
        Activity.kind,
        Activity.config,
        Activity.generation,
        Activity.locked,
        Activity.timer_ends_at,
        Activity.timer_closes,
        Workshop.status,
        Workshop.open_until,
        Workshop.mode,
        Workshop.current_activity_id,
    )
    .join(Workshop, Workshop.id == Activity.workshop_id)
    .where(Activity.id.in_(bindparam("ids", expanding=True)))
)
_PARTICIPANTS = (
    select(Participant.id).where(Participant.id.in_(bindparam("ids", expanding=True))).order_by(Participant.id)
)
_LOCK_PARTICIPANTS = _PARTICIPANTS.with_for_update()
# Inputs already stored are looked up by participant only and matched on client id here:
# "participant IN (…) AND client_id IN (…)" made SQLite probe every pair, quadratic in the
# batch, while a phone has only its own few inputs.
_PRIOR_KEYS = select(_T.c.participant_id, _T.c.client_id, _T.c.id).where(
    _T.c.participant_id.in_(bindparam("pids", expanding=True))
)
_PRIORS = select(_T.c.id, _T.c.data, _T.c.status, _T.c.activity_id).where(_T.c.id.in_(bindparam("ids", expanding=True)))
_ENTRY = select(_T.c.id, _T.c.participant_id, _T.c.data, _T.c.status, _T.c.ref_id).where(
    _T.c.id == bindparam("id"),
    _T.c.activity_id == bindparam("aid"),
    _T.c.generation == bindparam("gen"),
    _T.c.current.is_(True),
    _T.c.status != "deleted",
)
_ABOUT = (
    select(_T.c.id, _T.c.participant_id, _T.c.data, _T.c.status, _T.c.ref_id)
    .where(
        _T.c.activity_id == bindparam("aid"),
        _T.c.generation == bindparam("gen"),
        _T.c.ref_id == bindparam("ref"),
        _T.c.current.is_(True),
        _T.c.status != "deleted",
    )
    .order_by(_T.c.id)
)
# One statement per activity, not per phone (an index covers all four columns).
_SUPERSEDE_ALL = (
    update(_T)
    .where(
        _T.c.activity_id == bindparam("aid"),
        _T.c.generation == bindparam("gen"),
        _T.c.current.is_(True),
        _T.c.participant_id.in_(bindparam("who", expanding=True)),
    )
    .values(current=False, revision=bindparam("rev"))
)
# The analysis' perspectives alone: a phone's effect checks its "for whom" against them without
# reading the whole draft (a new draft revision with every effect: a read per batch otherwise).
_PERSPECTIVES = select(Analysis.perspectives).where(Analysis.workshop_id == bindparam("wid"))

_SUPERSEDE_IDS = (
    update(_T).where(_T.c.id.in_(bindparam("ids", expanding=True))).values(current=False, revision=bindparam("rev"))
)
_INSERT = insert(_T).returning(_T.c.id, sort_by_parameter_order=True)
# On PostgreSQL a batch goes in as one array per column: one statement text whatever the
# batch's size, which psycopg parses once and prepares (the VALUES list SQLAlchemy writes for a
# batch is a new text of some 300 placeholders each time: parsing it was a tenth of a scale-out
# server's CPU). Ids come from the sequence in the order of the SELECT: the batch's order,
# the assumption SQLAlchemy's own sorted RETURNING makes on PostgreSQL.
_PG_COLUMNS = (
    ("activity_id", "integer"),
    ("participant_id", "integer"),
    ("client_id", "varchar"),
    ("generation", "integer"),
    ("data", "json"),
    ("status", "varchar"),
    ("current", "boolean"),
    ("ref_id", "integer"),
    ("merged_into_id", "integer"),
    ("answered", "boolean"),
    ("created_at", "timestamp"),
    ("revision", "integer"),
)
_PG_INSERT = text(
    "INSERT INTO responses ({names}) SELECT {names} FROM unnest({arrays}) WITH ORDINALITY AS u({names}, n) "
    "ORDER BY n RETURNING id".format(
        names=", ".join(name for name, _ in _PG_COLUMNS),
        arrays=", ".join(f"CAST(:{name} AS {kind}[])" for name, kind in _PG_COLUMNS),
    )
)


def _insert_pg(conn: Connection, rows: list[dict[str, Any]]) -> list[int]:
    """``_INSERT`` on PostgreSQL: the rows' ids, in the rows' order."""
    params: dict[str, list[Any]] = {name: [] for name, _ in _PG_COLUMNS}
    for row in rows:
        for name, _ in _PG_COLUMNS:
            params[name].append(row[name])
    params["data"] = [json.dumps(d) for d in params["data"]]
    params["created_at"] = [UTCDateTime().process_bind_param(t, conn.dialect) for t in params["created_at"]]
    return sorted(conn.execute(_PG_INSERT, params).scalars())


def reads_mine(kind: ActivityKind) -> bool:
    """Kinds whose ``prepare`` looks at the phone's entries (all but the plain one-answer kinds)."""
    return kind.answer_mode != "replace" or type(kind).prepare is not ActivityKind.prepare


class _Context:
    """``activities.base.Context`` for one input of the batch."""

    def __init__(self, batch: _Batch, item: Item, act: Any):
        self._batch = batch
        self.participant_id = item.participant_id
        self.activity_id = act.id
        self.workshop_id = act.workshop_id
        self.generation = act.generation

    @property
    def mine(self) -> list[Row]:
        return self._batch.mine(self.activity_id, self.participant_id, self.generation)

    def analysis(self) -> Any:
        return self._batch.analysis(self.workshop_id)

    def perspectives(self) -> list[str]:
        return self._batch.perspectives(self.workshop_id)

    def current_about(self, ref_id: int) -> list[Row]:
        rows = self._batch.conn.execute(_ABOUT, {"aid": self.activity_id, "gen": self.generation, "ref": ref_id})
        out = [
            Row(id=r.id, participant_id=r.participant_id, data=r.data, status=r.status, ref_id=r.ref_id) for r in rows
        ]
        # Entries of this batch not yet inserted count too.
        out += [
            p.row
            for p in self._batch.pending
            if p.row.ref_id == ref_id
            and p.item.activity_id == self.activity_id
            and p.current
            and p.row.status != "deleted"
        ]
        return out

    def entry(self, response_id: Any) -> Row | None:
        if db_id(response_id) is None:
            return None
        r = self._batch.conn.execute(
            _ENTRY, {"id": response_id, "aid": self.activity_id, "gen": self.generation}
        ).first()
        if r is None:
            return None
        return Row(id=r.id, participant_id=r.participant_id, data=r.data, status=r.status, ref_id=r.ref_id)


@dataclass
class _Pending:
    item: Item
    row: Row  # as the kinds see it; ``row.id`` is negative until inserted
    values: dict[str, Any]
    current: bool = True
    draft: bool = False  # storing it changed the draft analysis


class _Batch:
    def __init__(self, target: Target):
        # Core statements run on a connection, not through the ORM session: an ORM-enabled
        # execute costs several times more, and these read plain columns.
        self.session: DbSession | None = None if isinstance(target, Connection) else target
        self.conn = target if isinstance(target, Connection) else target.connection()
        self.now = utcnow()
        self._mine: dict[tuple[int, int, int], list[Row]] = {}
        self._analyses: dict[int, Any] = {}
        self._perspectives: dict[int, list[str]] = {}
        self.pending: list[_Pending] = []
        # (activity, participant, generation) -> its pending entries, so that superseding them
        # all does not scan the whole batch (quadratic in a batch of hundreds of votes).
        self._current: dict[tuple[int, int, int], list[_Pending]] = {}
        self._by_placeholder: dict[int, _Pending] = {}
        self._next_placeholder = -1
        self._supersede_all: dict[tuple[int, int], list[int]] = {}  # (activity, generation) -> participants
        self._supersede_ids: dict[int, list[int]] = {}  # activity -> stored rows it supersedes
        self._revisions: dict[int, int] = {}  # activity -> the inputs revision this batch writes
        # Activity -> its current entries (every phone's) as ``_load_mine`` read them.
        self.entries: dict[int, int] = {}
        self.written: list[tuple[Item, _Pending]] = []

    # --- reads for the kinds' context --------------------------------------------------------
    def mine(self, aid: int, pid: int, gen: int) -> list[Row]:
        key = (aid, pid, gen)
        if key not in self._mine:
            self._load_mine({aid}, {pid})
            self._mine.setdefault(key, [])
        return self._mine[key]

    def _load_mine(self, aids: set[int], pids: set[int], cooperate: bool = False) -> None:
        """The phones' current entries in the activities, from what this process keeps of each
        activity's inputs (``responses.current_inputs``: only what changed since is read).
        ``cooperate``: a long read is streamed in chunks, giving way between them. Only where
        nothing is written yet and SQLite is the store: SQLite takes its write lock at the
        first write, so the other work that runs meanwhile is never held up by this batch (a
        PostgreSQL batch has already locked its participants' rows)."""
        from ..responses import current_inputs

        cooperate = cooperate and self.conn.dialect.name == "sqlite" and not self.pending
        for aid in sorted(aids):
            inputs = current_inputs(self.conn, aid, cooperate)
            if inputs is None:
                continue
            self.entries[aid] = len(inputs.rows)
            for pid in pids:
                self._mine[(aid, pid, inputs.generation)] = inputs.of(pid)

    def analysis(self, workshop_id: int) -> Any:
        """The draft as screens read it (``DraftSnapshot``: one read per draft revision)."""
        if workshop_id not in self._analyses:
            from ..draft.snapshot import draft_snapshot

            snap = draft_snapshot(workshop_id)
            self._analyses[workshop_id] = snap.analysis if snap is not None else None
        return self._analyses[workshop_id]

    def perspectives(self, workshop_id: int) -> list[str]:
        """The labels of the draft's perspectives: from the draft if this batch has read it,
        else the one column."""
        from ..activities._draft import labels_of, perspective_labels

        if workshop_id in self._analyses:
            return perspective_labels(self._analyses[workshop_id])
        if workshop_id not in self._perspectives:
            self._perspectives[workshop_id] = labels_of(self.conn.execute(_PERSPECTIVES, {"wid": workshop_id}).scalar())
        return self._perspectives[workshop_id]

    # --- writing -----------------------------------------------------------------------------
    def add(self, item: Item, act: Any, entry: Entry) -> _Pending:
        key = (act.id, item.participant_id, act.generation)
        mine = self._mine.get(key)
        values = {
            "activity_id": act.id,
            "participant_id": item.participant_id,
            "client_id": item.client_id,
            "generation": act.generation,
            "data": entry.data,
            "status": entry.status,
            "current": True,
            "ref_id": entry.ref_id,
            "merged_into_id": None,
            "answered": False,
            "created_at": self.now,
            "revision": 0,  # the activity's new inputs revision, given at ``flush``
        }
        row = Row(
            id=self._next_placeholder,
            participant_id=item.participant_id,
            data=entry.data,
            status=entry.status,
            ref_id=entry.ref_id,
            created_at=self.now,
        )
        self._next_placeholder -= 1
        if entry.supersedes == SUPERSEDE_ALL:
            for p in self._current.pop(key, ()):
                p.current = False
                p.values["current"] = False
            self._supersede_all.setdefault((act.id, act.generation), []).append(item.participant_id)
            if mine is not None:
                mine.clear()
        else:
            # A string is only ever SUPERSEDE_ALL, handled above: what is left are ids.
            gone = set(cast(Iterable[int], entry.supersedes))
            for rid in gone:
                earlier = self._by_placeholder.get(rid)
                if earlier is None:
                    self._supersede_ids.setdefault(act.id, []).append(rid)
                elif earlier.row.id < 0:
                    earlier.current = False
                    earlier.values["current"] = False
                else:  # inserted already (before a draft change): by its real id
                    self._supersede_ids.setdefault(act.id, []).append(earlier.row.id)
            if mine is not None and gone:
                mine[:] = [r for r in mine if r.id not in gone]
        pending = _Pending(item, row, values)
        self.pending.append(pending)
        self._current.setdefault(key, []).append(pending)
        self._by_placeholder[row.id] = pending
        if mine is not None:
            mine.append(row)
        return pending

    def commit(self) -> None:
        """Commit. On SQLite under ``workshop serve`` the commit only appends to the log: the
        copying back into the database file, which waits for the disk, runs on a thread of its
        own (``workshop.checkpoint``)."""
        (self.session or self.conn).commit()

    def rollback(self) -> None:
        (self.session or self.conn).rollback()

    def add_to_draft(self, workshop_id: int, fields: dict[str, Any], response_id: int) -> None:
        """Add the node in this transaction. On the writer's own connection an ORM session joins
        the connection's transaction for it (and is the app's ``db.session`` meanwhile, which
        the draft service uses); it neither commits nor rolls back: the batch does."""
        if self.session is not None:
            _add_to_draft(self.session, workshop_id, fields, response_id)
            return
        from ..extensions import db

        session = Session(bind=self.conn)  # joins the open transaction: never commits it, close() leaves it
        db.session.registry.set(session)  # type: ignore[arg-type]  # a plain Session on purpose
        try:
            _add_to_draft(session, workshop_id, fields, response_id)
        finally:
            session.close()
            db.session.registry.clear()

    def flush(self) -> None:
        """Write what is pending: supersede first (it targets stored rows only), then insert.
        Every row written carries its activity's new inputs revision (raised once a batch)."""
        todo = [p for p in self.pending if p.row.id < 0]
        touched = {aid for aid, _ in self._supersede_all} | set(self._supersede_ids)
        touched |= {p.values["activity_id"] for p in todo}
        self._revisions.update(raise_revisions(self.conn, touched - set(self._revisions)))
        for (aid, gen), who in self._supersede_all.items():
            self.conn.execute(_SUPERSEDE_ALL, {"aid": aid, "gen": gen, "who": who, "rev": self._revisions[aid]})
        self._supersede_all.clear()
        for aid, rids in sorted(self._supersede_ids.items()):
            self.conn.execute(_SUPERSEDE_IDS, {"ids": sorted(set(rids)), "rev": self._revisions[aid]})
        self._supersede_ids.clear()
        if not todo:
            return
        for p in todo:
            p.values["revision"] = self._revisions[p.values["activity_id"]]
        rows = [p.values for p in todo]
        if self.conn.dialect.name == "postgresql":
            ids = _insert_pg(self.conn, rows)
        else:
            ids = list(self.conn.execute(_INSERT, rows).scalars())
        for p, rid in zip(todo, ids):
            self._by_placeholder[rid] = p
            p.row.id = rid


def _limit_reached(entry: Entry, mine: list[Row]) -> bool:
    """Whether the phone has used up the entry's limit (entries it supersedes do not count)."""
    limit = entry.limit
    if limit is None:
        return False
    if entry.supersedes == SUPERSEDE_ALL:  # the phone keeps only this one
        return limit.most <= 0
    gone = set(entry.supersedes)
    used = {
        key
        for r in mine
        if r.status != "deleted" and r.id not in gone
        for key in [r.id if limit.counts is None else limit.counts(r)]
        if key is not None
    }
    return len(used) >= limit.most


def _add_to_draft(session: DbSession, workshop_id: int, fields: dict[str, Any], response_id: int) -> None:
    """The node an input brings to the draft analysis (made on the first one), in the batch's
    transaction; the session is the app's ``db.session`` for the batch (see ``writer``)."""
    from ..draft.service import add_node, analysis_for

    workshop = session.get(Workshop, workshop_id)
    assert workshop is not None  # the batch read this workshop's activity in the same transaction
    analysis = analysis_for(workshop, create=True)
    assert analysis is not None  # create=True makes it when missing
    add_node(analysis, fields, source_response_id=response_id)
    session.flush()


def write_batch(session: Target, items: list[Item]) -> None:
    """Store ``items`` in one transaction and set each one's ``outcome`` or ``error``.

    Raises on a database error, and ``DraftRefused`` when a draft change refused one input of
    several (nothing is committed then; the caller stores each input on its own)."""
    b = _Batch(session)
    conn = b.conn
    live: list[Item] = []
    for item in items:
        speaking(item.language)
        if not client_id_ok(item.client_id):
            item.error = bad_client_id()
        elif db_id(item.activity_id) is None:
            item.error = unknown_activity()
        else:
            live.append(item)
    if not live:
        b.rollback()
        return
    pids = sorted({i.participant_id for i in live})
    if conn.dialect.name == "postgresql":
        known = set(conn.execute(_LOCK_PARTICIPANTS, {"ids": pids}).scalars())
    elif len(live) > 1:
        # SQLite: a batch of several trusts its participants (the foreign key refuses a gone
        # one, and then each input is stored on its own, where it is looked up and explained).
        known = set(pids)
    else:
        known = set(conn.execute(_PARTICIPANTS, {"ids": pids}).scalars())
    wanted = {(i.participant_id, i.client_id) for i in live}
    prior_ids = {(p, c): rid for p, c, rid in conn.execute(_PRIOR_KEYS, {"pids": pids}) if (p, c) in wanted}
    priors = {}
    if prior_ids:  # a resend: rare, read what it is answered with
        stored = {r.id: r for r in conn.execute(_PRIORS, {"ids": sorted(prior_ids.values())})}
        priors = {key: stored[rid] for key, rid in prior_ids.items()}
    acts = {r.id: r for r in conn.execute(_ACTIVITIES, {"ids": sorted({i.activity_id for i in live})})}
    kinds: dict[int, tuple[ActivityKind, Any]] = {}
    for act in acts.values():
        try:
            kind = get_kind(act.kind)
        except InputError:
            continue
        kinds[act.id] = (kind, kind.config(act.config))
    readers = [i for i in live if i.activity_id in kinds and reads_mine(kinds[i.activity_id][0])]
    if readers:  # one read for the batch, not one per input
        # A stream of estimates: each phone's earlier figures, up to thousands of rows.
        b._load_mine({i.activity_id for i in readers}, {i.participant_id for i in readers}, cooperate=True)
        for i in readers:
            b._mine.setdefault((i.activity_id, i.participant_id, acts[i.activity_id].generation), [])

    # Entries that add to an activity (not one answer per phone) stop at the activity's cap:
    # counted as ``_load_mine`` read them, before this batch wrote anything.
    entries = dict(b.entries)

    first: dict[tuple[int, str], Item] = {}  # an input sent twice within this batch
    copies: list[tuple[Item, Item]] = []
    for item in live:
        speaking(item.language)
        key = (item.participant_id, item.client_id)
        prior = priors.get(key)
        if prior is not None:
            item.outcome = Stored(prior.id, True, prior.data, prior.status, prior.activity_id)
            continue
        if key in first:
            copies.append((item, first[key]))
            continue
        if item.participant_id not in known:
            item.error = unknown_participant()
            continue
        a = acts.get(item.activity_id)
        if a is None or a.workshop_id != item.workshop_id or a.id not in kinds:
            item.error = unknown_activity()
            continue
        reason = closed_reason(
            status=a.status,
            open_until=a.open_until,
            mode=a.mode,
            current_activity_id=a.current_activity_id,
            activity_id=a.id,
            locked=a.locked,
            timer_ends_at=a.timer_ends_at,
            timer_closes=a.timer_closes,
            now=b.now,
        )
        if reason is not None:
            item.error = closed_error(reason)
            continue
        kind, config = kinds[a.id]
        ctx = _Context(b, item, a)
        try:
            entry = kind.prepare(config, item.payload, ctx)
            if entry.limit is not None and _limit_reached(entry, ctx.mine):
                raise InputError("limit", entry.limit.message)
            if entry.supersedes != SUPERSEDE_ALL:
                grows = 1 - len(set(entry.supersedes))
                if grows > 0 and entries.get(a.id, 0) + grows > caps.ACTIVITY_ENTRIES_MAX:
                    raise caps.activity_full()
                entries[a.id] = entries.get(a.id, 0) + grows
        except InputError as err:
            item.error = err
            continue
        first[key] = item
        if entry.draft_node is None:
            b.written.append((item, b.add(item, a, entry)))
            continue
        # The draft change needs the stored entry's id: write what is pending, then this one.
        b.flush()
        pending = b.add(item, a, entry)
        b.flush()
        try:
            b.add_to_draft(a.workshop_id, entry.draft_node, pending.row.id)
        except InputError as err:
            if len(items) > 1:
                raise DraftRefused() from err
            b.rollback()
            item.error = err
            item.outcome = None
            return
        pending.draft = True
        b.written.append((item, pending))
    if b.written:
        b.flush()
        b.commit()
        for item, p in b.written:
            item.outcome = Stored(p.row.id, False, p.values["data"], p.values["status"], item.activity_id, p.draft)
    else:
        b.rollback()  # nothing to write: end the reads' transaction
    for item, original in copies:
        if original.outcome is not None:
            o = original.outcome
            item.outcome = Stored(o.response_id, True, o.data, o.status, o.activity_id)
        else:
            item.error = original.error


__all__ = ["DraftRefused", "Item", "reads_mine", "write_batch"]
