"""Coalescing broadcaster: inputs only mark an activity dirty; a background loop recomputes.

A vote therefore costs one commit and a set insertion. A few times a second the loop reads
each dirty activity once from the database and sends the result to the screens that show it.
Phones get results (when they may see them) at a slower pace, so a vote never fans out to
every phone. Recomputing from stored data keeps every process of a scale-out in agreement.

In a scale-out the process that stored a vote recomputes and emits through the message queue
to every process's rooms; payloads carry a ``version`` (see ``payloads``) so a client drops one
that was read before what it already shows. Nothing marked is dropped on a failure: when the
database or the queue fails, what was due goes back into the sets and is tried again on the
next round, and when the queue comes back after an outage this process re-sends the current
state and results of every workshop it has connections for (the others may have published
while it was not listening).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from .. import checklist, cooperative
from ..activities import get_kind
from ..draft.snapshot import one_read_per_round
from ..extensions import db
from ..models import Activity, Workshop
from . import CONSOLE, PHONE, PHONE_SLICES, SCREEN, connections, room, slice_room
from .fastjson import canonical
from .payloads import (
    fresh_version,
    live_activity,
    participant_count,
    participants_changed,
    results_for,
    workshop_state,
)
from .phone_view import ActivityView

log = logging.getLogger(__name__)

# An activity whose results took longer than this to compute (thousands of estimates) is
# recomputed at most as often as it leaves the loop as long again for everything else.
HEAVY_ROUND = 0.05
# Phones share the room's network: a results payload larger than PHONE_LARGE (an estimates
# round's spreads, a long list of effects) goes to the phones at most as often as sending it
# at PHONE_BYTES_PER_SECOND to each of them allows, not once a second: 300 phones × 200 KB a
# second is more than a room's wireless network carries.
PHONE_LARGE = 64 * 1024
PHONE_BYTES_PER_SECOND = 32 * 1024
# A results message to a room of thousands of phones is thousands of socket writes (some
# 20-40 µs each): 5 000 phones at once held every acknowledgement for 200-300 ms, the time
# the loop took to catch up with the votes that arrived meanwhile. So an activity's phones get
# at most PHONE_SENDS_PER_SECOND messages a second: from PHONE_SLICE_FROM phones on (with a
# message queue: participants of the workshop) a round goes out slice by slice (``realtime.PHONE_SLICES``) spread
# over that time, and the next round waits until it is done (5 000 phones: a round every 2 s,
# some 10 % of a core; a room of a few hundred: at once and every second, as before).
PHONE_SLICE_FROM = 500
PHONE_SENDS_PER_SECOND = 2500


def _clock() -> tuple[float, float]:
    """Now, and the time given way so far: what ``_pace`` measures a piece of work from."""
    return time.perf_counter(), cooperative.given()


def _pace(not_before: dict[int, float], key: int, started: tuple[float, float]) -> None:
    """After a piece of work begun at ``started``: if its own time (others' turns left out) was
    over ``HEAVY_ROUND``, ``key`` waits as long before it is done again."""
    took = time.perf_counter() - started[0] - (cooperative.given() - started[1])
    if took > HEAVY_ROUND:
        not_before[key] = time.monotonic() + took
    else:
        not_before.pop(key, None)


class Broadcaster:
    def __init__(self, app, socketio, interval: float = 0.25, phone_interval: float = 1.0):
        self.app = app
        self.socketio = socketio
        self.interval = interval
        self.phone_interval = phone_interval
        self._lock = threading.Lock()
        self._dirty: set[int] = set()
        # Activities whose results screens and consoles get again (phones keep their pace).
        self._resend: set[int] = set()
        self._phone_due: set[int] = set()
        self._phone_last: dict[int, float] = {}
        # What phones were last sent per activity: an unchanged payload is not sent again.
        self._phone_sent: dict[int, bytes] = {}
        # The ``content_key`` of the content last sent in full to each activity's phones.
        self._phone_content: dict[int, str] = {}
        # Activity id -> the number of its latest phones' round sent slice by slice (``_fan_out``).
        self._fan_outs: dict[int, int] = {}
        # The phones' results last computed per activity, for snapshots: (when, state, payload).
        self._phone_recent: dict[int, tuple[float, tuple, dict[str, Any]]] = {}
        # Workshop id -> participants who joined or changed since the last presence message.
        self._presence: dict[int, set[int]] = {}
        self._drafts: set[int] = set()
        # Workshop id -> whether phones were last told that Alternativ A and B are written.
        self._alternatives: dict[int, bool] = {}
        # Workshops whose state must be sent again (a push that the queue did not take).
        self._states: set[int] = set()
        self._started = False
        # Activity id -> monotonic time before which its results are not recomputed (heavy ones).
        self._not_before: dict[int, float] = {}
        self._draft_not_before: dict[int, float] = {}  # the same pacing for a big draft
        self._seen_reconnects = 0
        self._failing_since: float | None = None
        self.flushes = 0
        self.failures = 0

    # --- called on the hot path: cheap ---------------------------------------------------
    def mark(self, activity_id: int) -> None:
        with self._lock:
            self._dirty.add(activity_id)
            self._phone_recent.pop(activity_id, None)

    def resend(self, activity_id: int) -> None:
        """Send ``activity_id``'s results to screens and consoles again on the next round,
        without dropping what phones were last sent (a phone connecting calls this: cheap,
        and coalesced with everything else due)."""
        with self._lock:
            self._resend.add(activity_id)

    def mark_presence(self, workshop_id: int, participant_id: int | None = None) -> None:
        with self._lock:
            changed = self._presence.setdefault(workshop_id, set())
            if participant_id is not None:
                changed.add(participant_id)

    def mark_draft(self, workshop_id: int) -> None:
        """The draft analysis changed: resend it to the console, recompute method activities."""
        with self._lock:
            self._drafts.add(workshop_id)

    def mark_state(self, workshop_id: int) -> None:
        """Send the workshop's state (and its current activity's results) on the next round."""
        with self._lock:
            self._states.add(workshop_id)

    # --- the message queue's health ------------------------------------------------------
    def _queue(self):
        mgr = getattr(self.socketio.server, "manager", None) if self.socketio.server else None
        return mgr if hasattr(mgr, "publish_failures") else None

    def _queue_failures(self) -> int:
        q = self._queue()
        return q.publish_failures if q is not None else 0

    def _queue_reconnected(self) -> bool:
        q = self._queue()
        if q is None or q.reconnects == self._seen_reconnects:
            return False
        self._seen_reconnects = q.reconnects
        return True

    # --- background loop -----------------------------------------------------------------
    def start(self) -> None:
        if self._started:
            return
        self._started = True
        self.socketio.start_background_task(self._run)

    def _run(self) -> None:
        while True:
            # While the database is away, try again once a second rather than four times.
            self.socketio.sleep(self.interval if self._failing_since is None else max(self.interval, 1.0))
            try:
                # One read of each draft per round: under a stream of effects every input is a
                # new revision, and the round's parts (draft, phones' state, results) would
                # each read the whole analysis again.
                with self.app.app_context(), one_read_per_round():
                    self.flush()
                if self._failing_since is not None:
                    log.warning("broadcast: working again after %.1f s", time.monotonic() - self._failing_since)
                    self._failing_since = None
            except Exception as exc:  # keep the loop alive whatever one flush hits
                from .handlers import unavailable

                self.failures += 1
                if self._failing_since is None:
                    self._failing_since = time.monotonic()
                    if unavailable(exc):
                        log.warning("broadcast: database unavailable (%s); what was due is kept and sent again", exc)
                    else:
                        log.exception("broadcast flush failed; what was due is kept and sent again")
                try:
                    with self.app.app_context():
                        db.session.rollback()
                        db.session.remove()
                except Exception:
                    pass

    def flush(self) -> int:
        """Send what is due. Returns how many activities were recomputed (for tests).

        If the database or the message queue fails, everything not yet sent is marked again
        (and the exception, if any, re-raised) so the next round sends it."""
        now = time.monotonic()
        if self._queue_reconnected():
            self._resync_local()
        with self._lock:
            dirty, self._dirty = self._dirty, set()
            resend, self._resend = self._resend - dirty, set()
            presence_ids, self._presence = self._presence, {}
            draft_ids, self._drafts = self._drafts, set()
            state_ids, self._states = self._states, set()
            phone_ready = {a for a in self._phone_due if now - self._phone_last.get(a, 0) >= self.phone_interval}
            self._phone_due -= phone_ready
        pending_drafts, pending_states = set(draft_ids), set(state_ids)
        pending_presence = dict(presence_ids)
        pending_acts = dirty | phone_ready | resend
        recomputed = 0
        try:
            # A big draft waits its turn too (marked again: sent on a later round).
            later = {wid for wid in draft_ids if self._draft_not_before.get(wid, 0.0) > now}
            if later:
                with self._lock:
                    self._drafts |= later
                draft_ids -= later
                pending_drafts -= later
            for wid in draft_ids:
                failures = self._queue_failures()
                started = _clock()
                extra = self._send_draft(wid)
                _pace(self._draft_not_before, wid, started)
                dirty |= extra
                pending_acts |= extra
                if self._queue_failures() == failures:
                    pending_drafts.discard(wid)
            for wid in state_ids:
                failures = self._queue_failures()
                ws = db.session.get(Workshop, wid)
                if ws is not None:
                    self.push_state(ws)
                if self._queue_failures() == failures:
                    pending_states.discard(wid)
            todo = dirty | phone_ready | resend
            # A heavy activity waits its turn (still marked: it is sent on a later round).
            waiting = {aid for aid in todo if self._not_before.get(aid, 0.0) > now}
            if waiting:
                with self._lock:
                    self._dirty |= waiting & dirty
                    self._resend |= waiting & resend
                    self._phone_due |= waiting & phone_ready
                pending_acts -= waiting
                todo -= waiting
            for aid in todo:
                failures = self._queue_failures()
                started = _clock()
                version = fresh_version()
                act = db.session.get(Activity, aid)
                if act is not None:
                    self._send_results(
                        act,
                        to_screens=aid in dirty or aid in resend,
                        to_phones=aid in phone_ready,
                        now=now,
                        version=version,
                        phones_follow=aid in dirty,
                    )
                    recomputed += 1
                _pace(self._not_before, aid, started)
                if self._queue_failures() == failures:
                    pending_acts.discard(aid)
                cooperative.give_way()
            for wid, changed in presence_ids.items():
                failures = self._queue_failures()
                ws = db.session.get(Workshop, wid)
                if ws is not None:
                    delta = participants_changed(wid, changed)
                    self.socketio.emit("participants_changed", delta, to=room(wid), namespace=CONSOLE)
                    self.socketio.emit(
                        "presence", {"participants": delta["participants"]}, to=room(wid), namespace=SCREEN
                    )
                if self._queue_failures() == failures:
                    pending_presence.pop(wid, None)
        finally:
            # Whatever was not sent in full goes back for the next round (phones included:
            # a failed send to screens must reach the phones' schedule again too).
            if pending_acts or pending_drafts or pending_states or pending_presence:
                with self._lock:
                    self._dirty |= pending_acts
                    self._drafts |= pending_drafts
                    self._states |= pending_states
                    for wid, changed in pending_presence.items():
                        self._presence.setdefault(wid, set()).update(changed)
                    for aid in pending_acts & phone_ready:
                        self._phone_sent.pop(aid, None)
                        self._phone_content.pop(aid, None)
            try:
                db.session.remove()
            except Exception:  # a dead connection; the pool replaces it
                pass
        self.flushes += 1
        return recomputed

    def _resync_local(self) -> None:
        """The queue is back after an outage: send again the state of every workshop this
        process has connections for, through the queue, so every process catches up."""
        from . import connections

        ids = connections.workshop_ids()
        if ids:
            log.warning("message queue back: re-sending the state of %d workshop(s)", len(ids))
        with self._lock:
            self._states |= ids
        # Phones on other processes may have missed content sent meanwhile.
        self._phone_content.clear()

    def _send_results(
        self,
        act: Activity,
        to_screens: bool,
        to_phones: bool,
        now: float,
        version: str | None = None,
        phones_follow: bool = True,
    ) -> None:
        res = results_for(act, version)
        self._remember_phone(act, res["phone"])
        r = room(act.workshop_id)
        if to_screens:
            self.socketio.emit("results", res["console"], to=r, namespace=CONSOLE)
            self.socketio.emit("results", res["screen"], to=r, namespace=SCREEN)
            if res["phone"] is not None and phones_follow:
                with self._lock:
                    self._phone_due.add(act.id)
        if to_phones and res["phone"] is not None:
            self._send_phones(act, res["phone"], now)

    # --- snapshots: what phones were last sent, not a fresh read per snapshot ---------------
    @staticmethod
    def _phone_state(act: Activity | ActivityView) -> tuple:
        """What besides the stored inputs decides the phones' payload: the activity's state
        and, for kinds that show the draft, the draft's revision (one small read)."""
        draft = None
        if get_kind(act.kind).uses_draft:
            from ..draft.snapshot import draft_snapshot

            snap = draft_snapshot(act.workshop_id)
            draft = (snap.analysis.id, snap.revision, snap.key) if snap is not None else None
        return (
            act.generation,
            act.revealed,
            act.results_hidden,
            act.locked,
            canonical(act.config),
            draft,
        )

    def phone_results(self, act: Activity | ActivityView, version: str) -> dict[str, Any] | None:
        """The phones' results payload of ``act`` for a snapshot. Computed at most once per
        ``phone_interval`` per activity however many phones ask: a reconnect wave or a phone
        asking for snapshots in a loop costs one read of the inputs a second, not one each.

        Exact in one process (every change there ``mark``s the activity, which drops the
        copy); in a scale-out a copy can miss a change made on another process within the
        last interval, so serving one also schedules the phones' round, which sends the fresh
        payload when it differs."""
        now = time.monotonic()
        # The draft changes without a mark: its revision is part of the state.
        state = self._phone_state(act)
        with self._lock:
            hit = self._phone_recent.get(act.id)
            if hit is not None and hit[1] == state and now - hit[0] < self.phone_interval:
                if self._queue() is not None:
                    self._phone_due.add(act.id)
                return hit[2]
        live = live_activity(act)
        if live is None:  # deleted since the view was read
            return None
        payload = results_for(live, version)["phone"]
        self._remember_phone(live, payload)
        return payload

    def _remember_phone(self, act: Activity, payload: dict[str, Any] | None) -> None:
        if payload is None:
            return
        with self._lock:
            self._phone_recent[act.id] = (time.monotonic(), self._phone_state(act), payload)

    def _send_phones(self, act: Activity, payload: dict[str, Any], now: float, force: bool = False) -> None:
        # Snapshots are served the whole payload, content included.
        self._remember_phone(act, payload)
        # The kind's content (the 600 questions of an estimates round: 60 KiB) rarely changes
        # while the counts change with every answer: phones keep the content they got, and a
        # payload whose content this process last sent to the room goes without it (its
        # ``content_key`` says which content it goes with).
        key = payload.get("content_key")
        if key is not None and self._phone_content.get(act.id) == key:
            payload = {k: v for k, v in payload.items() if k != "content"}
        # The version changes with every read; what phones see is the rest.
        digest = canonical({k: v for k, v in payload.items() if k != "version"})
        if not force and self._phone_sent.get(act.id) == digest:
            return
        self._phone_sent[act.id] = digest
        # The next phones' round of this activity waits the usual interval, or longer after a
        # large payload (``PHONE_LARGE``) or to many phones (``PHONE_SENDS_PER_SECOND``).
        # Through a message queue every process sends to its own phones: how many those are
        # is not known here, so the workshop's participants are counted instead.
        queued = self._queue() is not None
        phones = participant_count(act.workshop_id) if queued else connections.count(PHONE, act.workshop_id)
        spread = phones / PHONE_SENDS_PER_SECOND
        wait = spread
        if len(digest) > PHONE_LARGE:
            wait = max(wait, len(digest) / PHONE_BYTES_PER_SECOND)
        self._fan_outs[act.id] = n = self._fan_outs.get(act.id, 0) + 1
        if phones < PHONE_SLICE_FROM:
            self._phone_last[act.id] = now + max(0.0, wait - self.phone_interval)
            failures = self._queue_failures()
            self.socketio.emit("results", payload, to=room(act.workshop_id), namespace=PHONE)
            self._sent_content(act.id, key, payload, self._queue_failures() == failures)
            return
        # Not before this round is out (``_fan_out`` says when; twice the time it should take
        # if it never does), so that a round always reaches the last slices.
        self._phone_last[act.id] = now + 2 * wait
        self.socketio.start_background_task(
            self._fan_out, act.id, act.workshop_id, payload, key, spread / PHONE_SLICES, max(0.0, wait - spread), n
        )

    def _fan_out(
        self, aid: int, workshop_id: int, payload: dict[str, Any], key: str | None, gap: float, rest: float, n: int
    ) -> None:
        """Send ``payload`` to the workshop's phones slice by slice, ``gap`` seconds apart (a
        background task); the activity's next phones' round may follow ``rest`` seconds after
        the last slice. A newer round of the same activity (one forced by a change of state)
        takes over: this one stops, and the newer payload goes to every slice. A message the
        queue did not take sends the round again on a later one."""
        failures = self._queue_failures()
        for k in range(PHONE_SLICES):
            if k and gap > 0.001:
                self.socketio.sleep(gap)
            elif k:
                cooperative.one_turn()
            if self._fan_outs.get(aid) != n:
                return
            self.socketio.emit("results", payload, to=slice_room(workshop_id, k), namespace=PHONE)
        whole = self._queue_failures() == failures
        with self._lock:
            if self._fan_outs.get(aid) != n:
                return
            self._phone_last[aid] = time.monotonic() + rest - self.phone_interval
            if not whole:
                self._phone_sent.pop(aid, None)
                self._phone_due.add(aid)
        self._sent_content(aid, key, payload, whole)

    def _sent_content(self, aid: int, key: str | None, payload: dict[str, Any], whole: bool) -> None:
        """Remember which content the activity's phones have (``whole``: every message was
        taken by the queue, if there is one)."""
        if key is not None and "content" in payload and whole:
            self._phone_content[aid] = key
        elif "content" in payload:  # not taken by the queue: send it in full next time
            self._phone_content.pop(aid, None)

    def _send_draft(self, workshop_id: int) -> set[int]:
        """Emit the draft to the console; return the activities that show draft data."""
        from ..activities import get_kind
        from ..draft.serialize import analysis_dict
        from ..draft.snapshot import draft_snapshot

        ws = db.session.get(Workshop, workshop_id)
        if ws is None:
            return set()
        # The same snapshot (and calculation) the method activities read in this round.
        draft = draft_snapshot(workshop_id)
        if draft is not None:
            # Reading, calculating and shaping a 300-item draft take some 20 ms each: phones
            # are answered between them.
            cooperative.give_way()
            result = draft.result()
            cooperative.give_way()
            payload = analysis_dict(draft.analysis, result=result)
            cooperative.give_way()
            self.socketio.emit("draft", payload, to=room(workshop_id), namespace=CONSOLE)
            if ws.checklist:
                items = checklist.evaluate(ws, draft.analysis)
                self.socketio.emit("checklist", {"items": items}, to=room(workshop_id), namespace=CONSOLE)
            # Phones word their help by whether A and B exist: a new state when that changes.
            given = bool((draft.analysis.alternative_a or "").strip() and (draft.analysis.alternative_b or "").strip())
            # Unknown here (a fresh process): phones were told at connect; only "written" may be news.
            known = self._alternatives.get(workshop_id)
            if known != given and (known is not None or given):
                self._alternatives[workshop_id] = given
                self.socketio.emit("state", workshop_state(ws, "phone"), to=room(workshop_id), namespace=PHONE)
        return {a.id for a in ws.activities if get_kind(a.kind).uses_draft}

    # --- facilitator changes: rare, sent at once ------------------------------------------
    def push_state(self, ws: Workshop, activity: Activity | None = None) -> str:
        """Send the new workshop state to every screen, then fresh results for ``activity``;
        return the version the state was sent with.

        Called after the change is committed. Emits go through the message queue to every
        process; if the queue does not take them, the broadcaster sends them again."""
        failures = self._queue_failures()
        wid = ws.id
        activity_id = activity.id if activity is not None else None
        version = fresh_version()  # (expires ws and activity: read again below, after the version)
        r = room(wid)
        self.socketio.emit("state", workshop_state(ws, "console", version), to=r, namespace=CONSOLE)
        self.socketio.emit("state", workshop_state(ws, "screen", version), to=r, namespace=SCREEN)
        self.socketio.emit("state", workshop_state(ws, "phone", version), to=r, namespace=PHONE)
        wanted = {activity_id} if activity_id is not None else {ws.current_activity_id}
        for act in [a for a in ws.activities if a.id in wanted]:
            res = results_for(act, version)
            self.socketio.emit("results", res["console"], to=r, namespace=CONSOLE)
            self.socketio.emit("results", res["screen"], to=r, namespace=SCREEN)
            if res["phone"] is not None:
                self._send_phones(act, res["phone"], time.monotonic(), force=True)
        if self._queue_failures() != failures:
            self.mark_state(wid)
            if activity_id is not None:
                self.mark(activity_id)
        return version

    def stats(self) -> dict[str, Any]:
        q = self._queue()
        return {
            "flushes": self.flushes,
            "dirty": len(self._dirty),
            "failures": self.failures,
            "queue": q.status() if q is not None else None,
        }
