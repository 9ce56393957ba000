"""What a phone is told of its workshop, built once per state revision.

Thousands of phones connect within seconds when a hall scans the QR code, and each one's
snapshot carries the workshop's state: its settings and every activity the phone may show.
Reading and shaping those per phone was most of a connect's database work. Now the state is
built once per ``Workshop.state_revision`` and kept: every change of what phones are told (the
workshop's columns, any of its activities, whether its draft's Alternativ A and B are written)
bumps the revision in the same transaction (the session hook below), so a change made by any
process of a scale-out is seen by all, and a phone reading the revision reads at least that
state.

What changes with the clock (whether input is accepted before ``open_until``, the server's
time) and the version are added per snapshot.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from itertools import chain
from typing import Any

from sqlalchemy import event, inspect, update
from sqlalchemy.orm import Session

from ..extensions import db
from ..models import Activity, Workshop, utcnow


@dataclass(frozen=True)
class ActivityView:
    """What decides an activity's phone payload, read from one revision (never a live row)."""

    id: int
    workshop_id: int
    kind: str
    generation: int
    revealed: bool | None
    results_hidden: bool
    locked: bool
    config: dict[str, Any]


@dataclass(frozen=True)
class PhoneView:
    workshop_id: int
    # The workshop's presenter key, random per workshop: SQLite may give a deleted
    # workshop's id to a new one (and tests run many databases in one process).
    identity: str
    revision: int
    status: str
    open_until: datetime | None
    # ``payloads.workshop_state(ws, "phone")`` without what each snapshot adds itself.
    state: dict[str, Any]
    # The activities phones may show now (``payloads.phone_activities``), in order.
    activities: tuple[ActivityView, ...]

    def state_for(self, version: str) -> dict[str, Any]:
        return {
            **self.state,
            "accepts_input": Workshop.open_for_input(self.status, self.open_until),
            "server_now": utcnow().isoformat(),
            "version": version,
        }


_cache: dict[int, PhoneView] = {}
_lock = threading.Lock()
_MAX = 2000  # workshops kept; a process serving more starts over (each rebuild is one read)


def phone_view(ws: Workshop) -> PhoneView:
    """The phones' view of ``ws`` at its ``state_revision`` (as loaded), built on first use."""
    return _kept(ws.id, ws.presenter_key, ws.state_revision) or _keep(_build(ws))


def phone_view_of(workshop_id: int, identity: str, revision: int) -> PhoneView | None:
    """The same for a caller that read only the workshop's id and revision (a phone
    connecting): the workshop is loaded only when no view of that revision is kept. None
    when the workshop is gone."""
    kept = _kept(workshop_id, identity, revision)
    if kept is not None:
        return kept
    ws = db.session.get(Workshop, workshop_id)
    return _keep(_build(ws)) if ws is not None else None


def _kept(workshop_id: int, identity: str, revision: int) -> PhoneView | None:
    cached = _cache.get(workshop_id)
    # A copy at least as new as what the caller read: a change after the caller's read may
    # already be in it, never one missing from it.
    if cached is not None and cached.identity == identity and cached.revision >= revision:
        return cached
    return None


def _keep(view: PhoneView) -> PhoneView:
    with _lock:
        current = _cache.get(view.workshop_id)
        if current is None or current.identity != view.identity or current.revision <= view.revision:
            if len(_cache) >= _MAX:
                _cache.clear()
            _cache[view.workshop_id] = view
    return view


def _build(ws: Workshop) -> PhoneView:
    # The activities are read after the workshop's revision (the same revision or a newer
    # one): a view is never older than the revision it is kept under.
    from .payloads import phone_activities, workshop_state

    state = workshop_state(ws, "phone", version="")
    for key in ("accepts_input", "server_now", "version"):
        state.pop(key, None)
    acts = tuple(
        ActivityView(
            id=a.id,
            workshop_id=a.workshop_id,
            kind=a.kind,
            generation=a.generation,
            revealed=a.revealed,
            results_hidden=a.results_hidden,
            locked=a.locked,
            config=a.config,
        )
        for a in phone_activities(ws)
    )
    return PhoneView(ws.id, ws.presenter_key, ws.state_revision, ws.status, ws.open_until, state, acts)


# --- the revision follows every change ------------------------------------------------------


def _alternatives_changed(obj: Any, session: Session) -> bool:
    if obj in session.new or obj in session.deleted:
        return True
    attrs = inspect(obj).attrs
    return attrs.alternative_a.history.has_changes() or attrs.alternative_b.history.has_changes()


@event.listens_for(Session, "before_flush")
def _bump_state_revision(session: Session, _ctx: Any, _instances: Any) -> None:
    from ..draft.models import Analysis

    touched: set[int] = set()
    for obj in chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, Workshop):
            # A new workshop starts at 0 with its first state; nobody has read it yet.
            if obj.id is not None and obj not in session.new and session.is_modified(obj):
                touched.add(obj.id)
        elif isinstance(obj, Activity):
            if obj in session.dirty and not session.is_modified(obj):
                continue
            wid = obj.workshop_id if obj.workshop_id is not None else getattr(obj.workshop, "id", None)
            if wid is not None:
                touched.add(wid)
        elif isinstance(obj, Analysis):
            if obj.workshop_id is not None and _alternatives_changed(obj, session):
                touched.add(obj.workshop_id)
    for wid in sorted(touched):
        session.execute(
            update(Workshop)
            .where(Workshop.id == wid)
            # ``updated_at`` tells when the workshop's own settings changed: kept as it is.
            .values(state_revision=Workshop.state_revision + 1, updated_at=Workshop.updated_at)
            .execution_options(synchronize_session=False)
        )


__all__ = ["ActivityView", "PhoneView", "phone_view", "phone_view_of"]
