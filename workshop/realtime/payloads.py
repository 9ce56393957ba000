"""What each kind of screen is sent: the snapshot on connect and the live updates after it.

Documented in ``docs/protocol.md``; keep the two in step.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select, text

from .. import checklist, cooperative
from ..activities import get_kind
from ..draft.snapshot import draft_snapshot
from ..extensions import db
from ..formatting import local_zone
from ..models import Activity, Participant, Workshop, utcnow
from ..responses import load_rows, load_tally, own_responses
from .fastjson import canonical
from .phone_view import ActivityView, PhoneView, phone_view

# --- versions ------------------------------------------------------------------------------
#
# Several processes recompute and send results; two of them can read the same activity at
# nearly the same time and their messages can arrive in either order. Every state and results
# payload therefore carries ``version``: a string that orders the database reads it was made
# from (compare as strings; a larger one was read later). A client keeps what it has when a
# payload with a smaller version arrives. The version is read *before* the data, so a payload
# holds at least everything committed before its version; the read that follows the last
# change always carries the largest version, so every screen ends on the complete total.
#
# PostgreSQL: the position of the reading statement's snapshot, (xmax, fewer transactions in
# progress), which only grows, across processes and restarts. SQLite (one machine): the clock.

_local_lock = threading.Lock()
_local_last = 0


def read_version() -> str:
    bind = db.session.get_bind()
    if bind.dialect.name == "postgresql":
        snap = db.session.execute(text("SELECT pg_current_snapshot()::text")).scalar_one()
        _xmin, xmax, xip = snap.split(":")
        running = len([x for x in xip.split(",") if x])
        return f"{int(xmax):020d}.{999_999_999 - running:09d}"
    global _local_last
    with _local_lock:
        _local_last = max(time.time_ns(), _local_last + 1)
        return f"{_local_last:020d}.000000000"


def fresh_version() -> str:
    """Read the version, then forget what the session had loaded, so that every object read
    after this call is at least as new as the version it will be sent with."""
    version = read_version()
    session = db.session
    if not (session.new or session.dirty or session.deleted):
        session.expire_all()
    return version


def _iso(dt) -> str | None:
    return dt.isoformat() if dt is not None else None


def activity_public(act: Activity) -> dict[str, Any]:
    kind = get_kind(act.kind)
    return {
        "id": act.id,
        "kind": act.kind,
        "title": act.title,
        "config": act.config,
        "position": act.position,
        "locked": act.locked,
        "results_hidden": act.results_hidden,
        "revealed": act.revealed,
        "results_visible": act.results_visible,
        "timer_seconds": act.timer_seconds,
        "timer_ends_at": _iso(act.timer_ends_at),
        "timer_closes": act.timer_closes is not False,
        # The votes split by the voter's perspective: on, and whether the kind has votes to split.
        "split_voters": bool(act.split_voters) and kind.splits,
        "splits": kind.splits,
        "generation": act.generation,
        "phone_results": kind.phone_results,
        "answer_mode": kind.answer_mode,
        # The longest text each phone field takes (the kind's input schema says).
        "limits": kind.text_limits(kind.config(act.config)),
    }


def phone_activities(ws: Workshop) -> list[Activity]:
    """Live: only the current activity. Self-paced: every unlocked one, in order."""
    if ws.is_self_paced:
        return [a for a in ws.activities if not a.locked]
    return [a for a in ws.activities if a.id == ws.current_activity_id]


def workshop_state(ws: Workshop, role: str, version: str | None = None) -> dict[str, Any]:
    if version is None:
        version = fresh_version()
    acts = phone_activities(ws) if role == "phone" else list(ws.activities)
    if role == "screen":
        acts = [a for a in acts if a.id == ws.current_activity_id]
    out = {
        "id": ws.id,
        "title": ws.title,
        "language": ws.language,
        "mode": ws.mode,
        "status": ws.status,
        "open_until": _iso(ws.open_until),
        "timezone": local_zone().key,
        "accepts_input": ws.accepts_input(),
        "join_code": ws.join_code,
        "ask_nickname": ws.ask_nickname,
        "ask_perspective": ws.ask_perspective,
        "perspectives": ws.perspectives or [],
        "current_activity_id": ws.current_activity_id,
        "activity_count": len(ws.activities),
        "current_index": next((i for i, a in enumerate(ws.activities) if a.id == ws.current_activity_id), None),
        "activities": [activity_public(a) for a in acts],
        "server_now": _iso(utcnow()),
        "version": version,
    }
    if role == "console":
        # What must be ready before the room arrives, checked against the real state.
        out["checklist"] = checklist.for_workshop(ws)
    elif role == "phone":
        # Texts that speak of "A and B" are only shown when both alternatives are written.
        out["has_alternatives"] = has_alternatives(ws)
    return out


def has_alternatives(ws: Workshop) -> bool:
    """Both Alternativ A and Alternativ B are written in the workshop's draft."""
    from ..draft.models import Analysis

    row = db.session.execute(
        select(Analysis.alternative_a, Analysis.alternative_b).where(Analysis.workshop_id == ws.id)
    ).first()
    return row is not None and all(v is not None and str(v).strip() for v in row)


def phone_may_see(act: Activity) -> bool:
    """Whether phones are sent the figures. One rule for every kind: never while the
    facilitator has hidden the results; kinds whose phones always see the list (Q&A) see it
    otherwise; the others once the facilitator has shown the results."""
    rule = get_kind(act.kind).phone_results
    if rule == "never" or act.revealed is False:
        return False
    return rule == "always" or act.revealed is True


def pending_count(rows) -> int:
    """Inputs awaiting the facilitator's review (moderated kinds)."""
    return sum(r.weight for r in rows if r.status == "pending")


def results_for(
    act: Activity,
    version: str | None = None,
    split: bool = False,
) -> dict[str, dict[str, Any] | None]:
    """One read of the stored inputs, shaped for each audience: console, screen, phone.

    ``split``: the console's payload carries the votes split by the voter's perspective even
    when the activity does not show it (the results export always lists it).

    It gives way (``workshop.cooperative``) every few hundred rows read and between the
    steps, so that thousands of stored inputs do not hold the event loop while phones wait
    for their acks."""
    if version is None:
        version = fresh_version()
    kind = get_kind(act.kind)
    config = kind.config(act.config)
    split_on = (split or bool(act.split_voters)) and kind.splits
    all_rows = (
        load_tally(act, by_perspective=split_on) if kind.tally else load_rows(act, include_hidden=True, cooperate=True)
    )
    cooperative.give_way()
    visible = [r for r in all_rows if r.status == "visible"]
    # Kinds that show the draft read one snapshot per draft revision (built once, shared).
    draft = draft_snapshot(act.workshop_id) if kind.uses_draft else None
    aggregate = kind.aggregate_for(act, config, visible, draft)
    # The votes per voter's perspective, small groups hidden (``activities._split``): for the
    # console and the presenter only; phones never get it.
    by_voter = kind.split(act, config, visible, aggregate, draft, act.workshop.perspectives or []) if split_on else None
    cooperative.give_way()
    # The same counts for every audience: who answered (pending answers included) and how
    # many answers await review, so "5 answers · 2 awaiting review" reads alike everywhere.
    base = {
        "activity_id": act.id,
        "generation": act.generation,
        "responders": kind.responders(all_rows),
        "pending": pending_count(all_rows),
        "version": version,
    }
    console = {**base, "visible": True, "aggregate": aggregate, "items": kind.console_items(config, all_rows)}
    cooperative.give_way()
    # Hidden results are not sent at all, whatever the kind draws them from.
    screen = {**base, "visible": act.results_visible, "aggregate": aggregate if act.results_visible else None}
    if by_voter is not None:
        console["split"] = by_voter
        if act.results_visible and act.split_voters:
            screen["split"] = by_voter
    phone_sees = phone_may_see(act)
    phone: dict[str, Any] = {
        **base,
        "visible": phone_sees,
        "aggregate": kind.phone_aggregate(config, aggregate) if phone_sees else None,
    }
    content = kind.phone_content(act, config, draft)
    if content is not None:
        phone["content"] = content
        # Phones keep the content they got: a results message whose content is unchanged
        # goes out without it, carrying this key (``Broadcaster._send_phones``).
        phone["content_key"] = content_key(content)
        # The questions themselves (no answers): a screen may show the one put on it at once,
        # before the results are shown.
        screen["content"] = content
    return {"console": console, "screen": screen, "phone": phone}


def content_key(content: Any) -> str:
    """A short digest of a kind's phone ``content``: equal content, equal key, in every process."""
    return hashlib.blake2b(canonical(content), digest_size=12).hexdigest()


def participant_count(ws_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Participant).where(Participant.workshop_id == ws_id)) or 0


def _people(ws_id: int, ids: set[int] | None = None) -> list[dict[str, Any]]:
    stmt = (
        select(Participant.id, Participant.nickname, Participant.perspective)
        .where(Participant.workshop_id == ws_id)
        .order_by(Participant.id)
    )
    if ids is not None:
        stmt = stmt.where(Participant.id.in_(sorted(ids)))
    return [{"id": i, "nickname": n, "perspective": p} for i, n, p in db.session.execute(stmt)]


def per_perspective(ws_id: int) -> dict[str, int]:
    rows = db.session.execute(
        select(Participant.perspective, func.count())
        .where(Participant.workshop_id == ws_id)
        .group_by(Participant.perspective)
    ).all()
    per: dict[str, int] = {}
    for p, n in rows:
        per[p or ""] = per.get(p or "", 0) + n
    return per


def presence(ws: Workshop, detailed: bool) -> dict[str, Any]:
    """The count (screen), or the count, the whole list and the count per perspective
    (console snapshot only: afterwards the console gets ``participants_changed``)."""
    out: dict[str, Any] = {"participants": participant_count(ws.id)}
    if detailed:
        out["list"] = _people(ws.id)
        out["per_perspective"] = per_perspective(ws.id)
    return out


def participants_changed(ws_id: int, changed: set[int]) -> dict[str, Any]:
    """For the console after joins: only the participants who joined or changed their
    nickname or perspective since the last message, and the totals. A room of thousands
    costs the console one row per join, not the whole list per join."""
    return {
        "participants": participant_count(ws_id),
        "per_perspective": per_perspective(ws_id),
        "changed": _people(ws_id, changed) if changed else [],
    }


def phone_snapshot(
    ws: Workshop | PhoneView,
    participant: Any,
    phone_results: Callable[[Activity | ActivityView, str], dict[str, Any] | None] | None = None,
    version: str | None = None,
) -> dict[str, Any]:
    """``ws``: the workshop, or its phones' view (``phone_view``) read by the caller;
    ``participant``: anything with ``id``, ``nickname`` and ``perspective``.

    ``phone_results(act, version)`` gives the phones' results payload of one activity; the
    broadcaster passes its recent one (``Broadcaster.phone_results``) so that a snapshot does
    not read every stored input again. ``version``: read by the caller before it loaded
    ``ws`` and ``participant`` (a phone connecting), so nothing needs to be read again."""
    if version is None:
        version = fresh_version()
    view = ws if isinstance(ws, PhoneView) else phone_view(ws)
    compute = phone_results or _fresh_phone_results
    return {
        "role": "phone",
        "workshop": view.state_for(version),
        "participant": {"id": participant.id, "nickname": participant.nickname, "perspective": participant.perspective},
        "mine": {str(k): v for k, v in own_responses(participant).items()},
        "results": {str(a.id): r for a in view.activities if (r := compute(a, version))},
    }


def live_activity(act: Activity | ActivityView) -> Activity | None:
    """The activity's row for a view of it (None when it was deleted meanwhile)."""
    return act if isinstance(act, Activity) else db.session.get(Activity, act.id)


def _fresh_phone_results(act: Activity | ActivityView, version: str) -> dict[str, Any] | None:
    live = live_activity(act)
    return results_for(live, version)["phone"] if live is not None else None


def screen_snapshot(ws: Workshop) -> dict[str, Any]:
    version = fresh_version()
    current = next((a for a in ws.activities if a.id == ws.current_activity_id), None)
    return {
        "role": "screen",
        "workshop": workshop_state(ws, "screen", version),
        "presence": presence(ws, detailed=False),
        "results": {str(current.id): results_for(current, version)["screen"]} if current else {},
    }


def console_snapshot(ws: Workshop) -> dict[str, Any]:
    from ..draft.serialize import analysis_dict
    from ..draft.service import analysis_for

    version = fresh_version()
    analysis = analysis_for(ws, create=False)
    return {
        "role": "console",
        "workshop": workshop_state(ws, "console", version),
        "presence": presence(ws, detailed=True),
        "results": {str(a.id): results_for(a, version)["console"] for a in ws.activities},
        "draft": analysis_dict(analysis) if analysis is not None else None,
    }
