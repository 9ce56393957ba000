"""Storing phone inputs exactly once, and reading them back for aggregation.

The rule the realtime layer relies on: ``submit`` returns only after the input is committed,
and a second call with the same (participant, client_id) returns the stored answer instead of
counting it again. That makes a phone's resend after a reconnect harmless.
"""

from __future__ import annotations

import json
import random
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext
from sqlalchemy import Text, cast, func, select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from .activities import InputError, get_kind
from .activities.base import Row
from .extensions import db
from .models import Activity, Participant, Response, Workshop, utcnow

CLIENT_ID_MAX = 64
DB_ID_MAX = 2**63 - 1


def db_id(value: Any) -> int | None:
    """An id the database can look up, else None (bools, floats, out-of-range ints)."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= DB_ID_MAX:
        return value
    return None


@dataclass
class Stored:
    response_id: int
    duplicate: bool
    data: dict[str, Any]
    status: str
    activity_id: int | None = None
    uses_draft: bool = False


def client_id_ok(client_id: Any) -> bool:
    return isinstance(client_id, str) and 1 <= len(client_id) <= CLIENT_ID_MAX and client_id.isprintable()


def _check_client_id(client_id: Any) -> str:
    if not client_id_ok(client_id):
        raise InputError("invalid", gettext("Every input needs an id of 1 to 64 characters."))
    return client_id


def closed_reason(*, status: str, open_until: datetime | None, mode: str, current_activity_id: int | None,
                  activity_id: int, locked: bool, now: datetime | None = None) -> str | None:
    """Why phones may not answer the activity right now (an error code), or None if they may.

    On plain values so that the group writer (``input_writer``), which reads columns rather
    than objects, applies exactly the same rule as ``activity_open_for``."""
    if not Workshop.open_for_input(status, open_until, now):
        return "closed"
    if locked:
        return "locked"
    if mode != "self_paced" and current_activity_id != activity_id:
        return "not_current"
    return None


def activity_open_for(ws: Workshop, act: Activity) -> None:
    """Raise unless phones may answer ``act`` right now."""
    reason = closed_reason(status=ws.status, open_until=ws.open_until, mode=ws.mode,
                           current_activity_id=ws.current_activity_id, activity_id=act.id, locked=act.locked)
    if reason == "closed":
        raise InputError("closed", gettext("The workshop is closed for answers."))
    if reason == "locked":
        raise InputError("locked", gettext("This activity is locked."))
    if reason == "not_current":
        raise InputError("not_current", gettext("This activity is not open right now."))


# A writer that finds SQLite locked (another process writing, a backup, a long transaction)
# waits ``busy_timeout`` inside SQLite, then is tried again here, cooperatively, for this long.
LOCKED_RETRY_SECONDS = 12.0


def _locked(exc: OperationalError) -> bool:
    text = str(exc.orig if exc.orig is not None else exc).lower()
    return "database is locked" in text or "database is busy" in text or "database table is locked" in text


def submit(participant: Participant, activity_id: Any, client_id: Any, payload: Any) -> Stored:
    """Store one input exactly once and return it; see the module docstring."""
    deadline = time.monotonic() + LOCKED_RETRY_SECONDS
    delay = 0.02
    while True:
        try:
            return _submit(participant, activity_id, client_id, payload)
        except OperationalError as exc:
            db.session.rollback()
            if not _locked(exc) or time.monotonic() + delay > deadline:
                raise
            # time.sleep is gevent's under ``workshop serve``: other phones go on meanwhile.
            time.sleep(delay * (0.5 + random.random()))
            delay = min(delay * 2, 0.5)


def _submit(participant: Participant, activity_id: Any, client_id: Any, payload: Any) -> Stored:
    client_id = _check_client_id(client_id)
    if db_id(activity_id) is None:
        raise InputError("unknown_activity", gettext("Unknown activity."))
    if db.session.get_bind().dialect.name == "postgresql":
        # One phone's inputs are stored one at a time: two concurrent answers of one phone
        # must not both stay "current" (replace) or pass the entries limit (append). SQLite
        # has a single writer and needs no lock.
        db.session.execute(select(Participant.id).where(Participant.id == participant.id).with_for_update())
    # A retry of an input already stored: answer as the first time, count nothing.
    prior = db.session.scalars(
        select(Response).where(Response.participant_id == participant.id, Response.client_id == client_id)
    ).first()
    if prior is not None:
        return Stored(prior.id, True, prior.data, prior.status, prior.activity_id)

    act = db.session.get(Activity, activity_id)
    if act is None or act.workshop_id != participant.workshop_id:
        raise InputError("unknown_activity", gettext("Unknown activity."))
    ws = act.workshop
    activity_open_for(ws, act)
    kind = get_kind(act.kind)
    config = kind.config(act.config)
    if kind.answer_mode == "custom":
        resp = kind.store(db.session, act, participant, config, client_id, payload)  # type: ignore[attr-defined]
    else:
        data = kind.validate_input(config, payload)
        base = select(Response).where(
            Response.activity_id == act.id,
            Response.participant_id == participant.id,
            Response.generation == act.generation,
            Response.current.is_(True),
        )
        if kind.answer_mode == "replace":
            db.session.execute(
                update(Response)
                .where(
                    Response.activity_id == act.id,
                    Response.participant_id == participant.id,
                    Response.generation == act.generation,
                    Response.current.is_(True),
                )
                .values(current=False)
                .execution_options(synchronize_session=False)
            )
        else:
            limit = kind.max_entries(config)
            if limit is not None:
                used = len(db.session.scalars(base.where(Response.status != "deleted")).all())
                if used >= limit:
                    raise InputError("limit", gettext("You have already sent %(n)s answers, the most allowed here.", n=limit))
        resp = Response(
            activity_id=act.id,
            participant_id=participant.id,
            client_id=client_id,
            generation=act.generation,
            data=data,
            status=kind.initial_status(config, data),
        )
        db.session.add(resp)
    try:
        db.session.flush()
        kind.after_store(db.session, act, participant, resp)
        # Read before the commit expires them: afterwards each attribute is another SELECT.
        stored = Stored(resp.id, False, resp.data, resp.status, act.id, kind.uses_draft)
        db.session.commit()
    except IntegrityError:
        # Two copies of the same input raced; the first one won and is the answer.
        db.session.rollback()
        prior = db.session.scalars(
            select(Response).where(Response.participant_id == participant.id, Response.client_id == client_id)
        ).first()
        if prior is None:
            raise
        return Stored(prior.id, True, prior.data, prior.status, prior.activity_id)
    return stored


def load_rows(act: Activity, include_hidden: bool = False) -> list[Row]:
    """Current inputs of the activity's present generation, oldest first.

    Plain columns, not ORM objects: this runs a few times a second per busy activity, and
    building (and tracking) one object per vote was most of the broadcaster's cost."""
    stmt = (
        select(
            Response.id, Response.participant_id, Response.data, Response.status, Response.ref_id,
            Response.merged_into_id, Response.answered, Response.created_at,
            Participant.nickname, Participant.perspective,
        )
        .join(Participant, Participant.id == Response.participant_id)
        .where(Response.activity_id == act.id, Response.generation == act.generation, Response.current.is_(True))
        .order_by(Response.id)
    )
    if not include_hidden:
        stmt = stmt.where(Response.status == "visible")
    return [
        Row(id=r[0], participant_id=r[1], data=r[2], status=r[3], ref_id=r[4], merged_into_id=r[5],
            answered=r[6], created_at=r[7], nickname=r[8], perspective=r[9])
        for r in db.session.execute(stmt)
    ]


def load_tally(act: Activity) -> list[Row]:
    """The current answers of a tally kind grouped by (status, answer), with their counts as
    ``weight``: the database counts, Python sees a handful of rows however many voted.

    Grouped on the stored JSON text (identical answers are stored identically: the validated
    dict is serialised the same way every time); ``id`` is the group's first answer."""
    text = cast(Response.data, Text)
    stmt = (
        select(func.min(Response.id), Response.status, text, func.count())
        .where(Response.activity_id == act.id, Response.generation == act.generation, Response.current.is_(True))
        .group_by(Response.status, text)
        .order_by(func.min(Response.id))
    )
    return [Row(id=r[0], participant_id=0, data=json.loads(r[2]), status=r[1], weight=r[3])
            for r in db.session.execute(stmt)]


def own_responses(participant: Participant) -> dict[int, list[dict[str, Any]]]:
    """What a phone has answered, per activity, so a reload shows its earlier answers."""
    stmt = (
        select(Response)
        .join(Activity, Activity.id == Response.activity_id)
        .where(
            Response.participant_id == participant.id,
            Response.current.is_(True),
            Response.generation == Activity.generation,
            Response.status != "deleted",
        )
        .order_by(Response.id)
    )
    out: dict[int, list[dict[str, Any]]] = {}
    for r in db.session.scalars(stmt):
        out.setdefault(r.activity_id, []).append(
            {"id": r.id, "client_id": r.client_id, "data": r.data, "status": r.status}
        )
    return out


MODERATION_ACTIONS = ("approve", "hide", "show", "delete", "merge", "answered", "unanswered")


def moderate(act: Activity, response_id: Any, action: str, target_id: Any = None) -> None:
    """Facilitator moderation of one text. Deleting keeps the row (status) for the record."""
    if action not in MODERATION_ACTIONS:
        raise InputError("invalid", gettext("Unknown action."))
    resp = db.session.get(Response, response_id) if db_id(response_id) is not None else None
    if resp is None or resp.activity_id != act.id:
        raise InputError("unknown_response", gettext("That answer does not exist."))
    if action in ("approve", "show"):
        resp.status = "visible"
    elif action == "hide":
        resp.status = "hidden"
    elif action == "delete":
        resp.status = "deleted"
    elif action in ("answered", "unanswered"):
        resp.answered = action == "answered"
    elif action == "merge":
        target = db.session.get(Response, target_id) if db_id(target_id) is not None else None
        if target is None or target.activity_id != act.id or target.id == resp.id:
            raise InputError("unknown_response", gettext("That answer does not exist."))
        # Merge into the target's own target, so chains never form.
        final = target.merged_into_id or target.id
        if final == resp.id:
            raise InputError("invalid", gettext("An answer cannot be merged into itself."))
        resp.merged_into_id = final
        db.session.execute(
            update(Response).where(Response.merged_into_id == resp.id).values(merged_into_id=final)
        )
    db.session.commit()


def reset_activity(act: Activity) -> None:
    """Start over: earlier answers stay stored but no longer count (a new generation)."""
    act.generation += 1
    act.revealed = False
    act.timer_ends_at = None
    db.session.commit()


__all__ = ["Stored", "activity_open_for", "client_id_ok", "closed_reason", "db_id", "load_rows", "load_tally", "moderate", "own_responses", "reset_activity", "submit", "utcnow"]
