"""The draft analysis as screens read it: built once per revision, shared by every kind.

Several activities show the draft at once (the wall of effects, sorting, estimates, the
result) and the console shows the draft itself. Each used to read the draft and run the
calculation on its own, several times per round. Now the broadcaster asks for
``draft_snapshot(workshop_id)``: the analysis with everything screens read loaded once, and its
calculation computed on first use, kept until the draft's ``revision`` changes. Every change of
a draft object bumps the revision in the same transaction (a session hook below), so a change
made by any process of a scale-out is seen by all.

The snapshot's objects are detached from any session: read them, never change them.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy import bindparam, event, select, update
from sqlalchemy.orm import Session, selectinload

from .. import cooperative
from ..extensions import db
from .models import Analysis, Block, BlockRow, Factor, Link, Node


class DraftSnapshot:
    """One revision of a workshop's draft analysis, with its calculation on demand."""

    def __init__(self, analysis: Analysis, revision: int):
        self.analysis = analysis
        self.revision = revision
        self.key = analysis.review_key
        self._results: dict[bool, Any] = {}
        self._lock = threading.Lock()

    def result(self, sensitivity: bool = True) -> Any:
        """The engine's result for this revision (computed once)."""
        with self._lock:
            if sensitivity not in self._results:
                from .compute import compute

                self._results[sensitivity] = compute(self.analysis, sensitivity=sensitivity)
            return self._results[sensitivity]


_cache: dict[int, DraftSnapshot] = {}
_cache_lock = threading.Lock()
# The review key is random per analysis: a deleted workshop's id reused by SQLite never finds
# the old draft's snapshot.
_REVISION = select(Analysis.id, Analysis.revision, Analysis.review_key).where(Analysis.workshop_id == bindparam("wid"))


# Inside ``one_read_per_round()``: the snapshot each workshop got first, kept to its end.
_round: ContextVar[dict[int, DraftSnapshot | None] | None] = ContextVar("draft_round", default=None)


@contextmanager
def one_read_per_round() -> Iterator[None]:
    """Within: each workshop's draft is read at most once (the first ``draft_snapshot`` call
    reads it, later ones get the same snapshot), for a broadcaster round. A change committed
    meanwhile marks the draft again, so the next round sends it; versions read after the
    snapshot still order the payloads (a newer round reads a newer snapshot)."""
    token = _round.set({})
    try:
        yield
    finally:
        _round.reset(token)


def draft_snapshot(workshop_id: int) -> DraftSnapshot | None:
    """The current revision of the workshop's draft, or None when it has no draft yet."""
    pinned = _round.get()
    if pinned is not None:
        if workshop_id not in pinned:
            # A broadcaster round reads only: its read may give way.
            pinned[workshop_id] = _current(workshop_id, cooperate=True)
        return pinned[workshop_id]
    return _current(workshop_id)


def _current(workshop_id: int, cooperate: bool = False) -> DraftSnapshot | None:
    row = db.session.execute(_REVISION, {"wid": workshop_id}).first()
    if row is None:
        return None
    cached = _cache.get(workshop_id)
    if cached is not None and (cached.analysis.id, cached.revision, cached.key) == (
        row.id,
        row.revision,
        row.review_key,
    ):
        return cached
    snap = _load(row.id, cooperate)
    if snap is None:
        return None
    with _cache_lock:
        current = _cache.get(workshop_id)
        if (
            current is None
            or (current.analysis.id, current.key) != (snap.analysis.id, snap.key)
            or current.revision <= snap.revision
        ):
            _cache[workshop_id] = snap
    return snap


# Set in the ``info`` of the session ``_load`` reads in: it gives way while it builds objects.
_COOPERATE = "nyttoverkstad.cooperate"


def _give_way_while_loading(_target: Any, context: Any) -> None:
    """Every object a broadcaster round's read of the draft builds: a 900-item draft is some
    thousands of objects, tens of milliseconds in one piece otherwise
    (``workshop.cooperative``). Only there: elsewhere the caller may hold a write transaction,
    and SQLite's one writer would hold up every other while it waits."""
    if context.session is not None and context.session.info.get(_COOPERATE):
        cooperative.give_way()


for _model in (Node, Block, BlockRow, Link, Factor):
    event.listen(_model, "load", _give_way_while_loading)


def _load(analysis_id: int, cooperate: bool = False) -> DraftSnapshot | None:
    """Read the analysis and everything screens read of it in a session of its own, then
    detach. ``cooperate``: give way while the objects are built (a broadcaster round)."""
    with Session(db.engine, expire_on_commit=False, info={_COOPERATE: cooperate}) as session:
        analysis = session.scalars(
            select(Analysis)
            .where(Analysis.id == analysis_id)
            .options(
                selectinload(Analysis.nodes).selectinload(Node.block).selectinload(Block.rows),
                selectinload(Analysis.links),
                selectinload(Analysis.factors),
            )
        ).first()
        if analysis is None:
            return None
        snap = DraftSnapshot(analysis, analysis.revision)
        session.expunge_all()
    return snap


def forget(workshop_id: int | None = None) -> None:
    """Drop cached snapshots (tests; a workshop deleted)."""
    with _cache_lock:
        if workshop_id is None:
            _cache.clear()
        else:
            _cache.pop(workshop_id, None)


# --- the revision follows every change ------------------------------------------------------


def _analysis_id(obj: Any, session: Session) -> int | None:
    if isinstance(obj, Analysis):
        return obj.id
    if isinstance(obj, (Node, Link, Factor)):
        if obj.analysis_id is not None:
            return obj.analysis_id
        return obj.analysis.id if obj.analysis is not None else None
    if isinstance(obj, Block):
        node = obj.node if obj.node is not None else (session.get(Node, obj.node_id) if obj.node_id else None)
        return node.analysis_id if node is not None else None
    if isinstance(obj, BlockRow):
        block = obj.block if obj.block is not None else (session.get(Block, obj.block_id) if obj.block_id else None)
        return _analysis_id(block, session) if block is not None else None
    return None


@event.listens_for(Session, "before_flush")
def _bump_revision(session: Session, _ctx: Any, _instances: Any) -> None:
    touched: set[int] = set()
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        if isinstance(obj, (Analysis, Node, Link, Factor, Block, BlockRow)):
            if isinstance(obj, Analysis) and obj in session.dirty and not session.is_modified(obj):
                continue
            aid = _analysis_id(obj, session)
            if aid is not None:
                touched.add(aid)
    for aid in sorted(touched):
        session.execute(
            update(Analysis)
            .where(Analysis.id == aid)
            .values(revision=Analysis.revision + 1)
            .execution_options(synchronize_session=False)
        )


__all__ = ["DraftSnapshot", "draft_snapshot", "forget"]
