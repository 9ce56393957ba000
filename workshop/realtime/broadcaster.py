"""Coalescing broadcaster: inputs only mark an activity dirty; a background loop recomputes.

A vote therefore costs one commit and a set insertion. A few times a second the loop reads
each dirty activity once from the database and sends the result to the screens that show it.
Phones get results (when they may see them) at a slower pace, so a vote never fans out to
every phone. Recomputing from stored data keeps every process of a scale-out in agreement.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from typing import Any

from ..extensions import db
from ..models import Activity, Workshop
from . import CONSOLE, PHONE, SCREEN, room
from .payloads import presence, results_for, workshop_state

log = logging.getLogger(__name__)


class Broadcaster:
    def __init__(self, app, socketio, interval: float = 0.25, phone_interval: float = 1.0):
        self.app = app
        self.socketio = socketio
        self.interval = interval
        self.phone_interval = phone_interval
        self._lock = threading.Lock()
        self._dirty: set[int] = set()
        self._phone_due: set[int] = set()
        self._phone_last: dict[int, float] = {}
        # What phones were last sent per activity: an unchanged payload is not sent again.
        self._phone_sent: dict[int, str] = {}
        self._presence: set[int] = set()
        self._drafts: set[int] = set()
        self._started = False
        self.flushes = 0

    # --- called on the hot path: cheap ---------------------------------------------------
    def mark(self, activity_id: int) -> None:
        with self._lock:
            self._dirty.add(activity_id)

    def mark_presence(self, workshop_id: int) -> None:
        with self._lock:
            self._presence.add(workshop_id)

    def mark_draft(self, workshop_id: int) -> None:
        """The draft analysis changed: resend it to the console, recompute method activities."""
        with self._lock:
            self._drafts.add(workshop_id)

    # --- background loop -----------------------------------------------------------------
    def start(self) -> None:
        if self._started:
            return
        self._started = True
        self.socketio.start_background_task(self._run)

    def _run(self) -> None:
        while True:
            self.socketio.sleep(self.interval)
            try:
                with self.app.app_context():
                    self.flush()
            except Exception:  # keep the loop alive whatever one flush hits
                log.exception("broadcast flush failed")
                with self.app.app_context():
                    db.session.rollback()

    def flush(self) -> int:
        """Send what is due. Returns how many activities were recomputed (for tests)."""
        now = time.monotonic()
        with self._lock:
            dirty, self._dirty = self._dirty, set()
            presence_ids, self._presence = self._presence, set()
            draft_ids, self._drafts = self._drafts, set()
            phone_ready = {a for a in self._phone_due if now - self._phone_last.get(a, 0) >= self.phone_interval}
            self._phone_due -= phone_ready
        for wid in draft_ids:
            dirty |= self._send_draft(wid)
        todo = dirty | phone_ready
        for aid in todo:
            act = db.session.get(Activity, aid)
            if act is None:
                continue
            self._send_results(act, to_screens=aid in dirty, to_phones=aid in phone_ready, now=now)
        for wid in presence_ids:
            ws = db.session.get(Workshop, wid)
            if ws is not None:
                self.socketio.emit("presence", presence(ws, detailed=True), to=room(wid), namespace=CONSOLE)
                self.socketio.emit("presence", presence(ws, detailed=False), to=room(wid), namespace=SCREEN)
        db.session.remove()
        self.flushes += 1
        return len(todo)

    def _send_results(self, act: Activity, to_screens: bool, to_phones: bool, now: float) -> None:
        res = results_for(act)
        r = room(act.workshop_id)
        if to_screens:
            self.socketio.emit("results", res["console"], to=r, namespace=CONSOLE)
            self.socketio.emit("results", res["screen"], to=r, namespace=SCREEN)
            if res["phone"] is not None:
                with self._lock:
                    self._phone_due.add(act.id)
        if to_phones and res["phone"] is not None:
            self._send_phones(act, res["phone"], now)

    def _send_phones(self, act: Activity, payload: dict[str, Any], now: float, force: bool = False) -> None:
        digest = json.dumps(payload, sort_keys=True, default=str)
        if not force and self._phone_sent.get(act.id) == digest:
            return
        self._phone_sent[act.id] = digest
        self._phone_last[act.id] = now
        self.socketio.emit("results", payload, to=room(act.workshop_id), namespace=PHONE)

    def _send_draft(self, workshop_id: int) -> set[int]:
        """Emit the draft to the console; return the activities that show draft data."""
        from ..activities import get_kind
        from ..draft.models import Analysis
        from ..draft.serialize import analysis_dict
        from sqlalchemy import select

        ws = db.session.get(Workshop, workshop_id)
        if ws is None:
            return set()
        analysis = db.session.scalars(select(Analysis).where(Analysis.workshop_id == workshop_id)).first()
        if analysis is not None:
            self.socketio.emit("draft", analysis_dict(analysis), to=room(workshop_id), namespace=CONSOLE)
        return {a.id for a in ws.activities if get_kind(a.kind).uses_draft}

    # --- facilitator changes: rare, sent at once ------------------------------------------
    def push_state(self, ws: Workshop, activity: Activity | None = None) -> None:
        """Send the new workshop state to every screen, then fresh results for ``activity``."""
        r = room(ws.id)
        self.socketio.emit("state", workshop_state(ws, "console"), to=r, namespace=CONSOLE)
        self.socketio.emit("state", workshop_state(ws, "screen"), to=r, namespace=SCREEN)
        self.socketio.emit("state", workshop_state(ws, "phone"), to=r, namespace=PHONE)
        acts = [activity] if activity is not None else [a for a in ws.activities if a.id == ws.current_activity_id]
        for act in acts:
            if act is None:
                continue
            res = results_for(act)
            self.socketio.emit("results", res["console"], to=r, namespace=CONSOLE)
            self.socketio.emit("results", res["screen"], to=r, namespace=SCREEN)
            if res["phone"] is not None:
                self._send_phones(act, res["phone"], time.monotonic(), force=True)

    def stats(self) -> dict[str, Any]:
        return {"flushes": self.flushes, "dirty": len(self._dirty)}
