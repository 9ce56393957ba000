"""Stored phone inputs: reading them back for aggregation, the facilitator's moderation and a
new round. Storing them is ``workshop.inputs``."""

from __future__ import annotations

import json
from typing import Any

from flask_babel import gettext
from sqlalchemy import Text, cast, func, select, update

from . import cooperative
from .activities import InputError
from .activities.base import Row
from .extensions import db
from .inputs.rules import db_id
from .models import Activity, Participant, Response

# The columns a Row is made of, in Row's order (plus the round for the history).
_ROW_COLUMNS = (
    Response.id,
    Response.participant_id,
    Response.data,
    Response.status,
    Response.ref_id,
    Response.merged_into_id,
    Response.answered,
    Response.created_at,
    Participant.nickname,
    Participant.perspective,
    Response.generation,
)


def _rows(stmt, cooperate: bool = False) -> list[Row]:
    out = []
    if cooperate:
        # Streamed in chunks: otherwise every row is decoded before the first one comes back.
        stmt = stmt.execution_options(yield_per=cooperative.GIVE_WAY_ROWS)
    for i, r in enumerate(db.session.execute(stmt), 1):
        out.append(
            Row(
                id=r[0],
                participant_id=r[1],
                data=r[2],
                status=r[3],
                ref_id=r[4],
                merged_into_id=r[5],
                answered=r[6],
                created_at=r[7],
                nickname=r[8],
                perspective=r[9],
                generation=r[10],
            )
        )
        if cooperate and i % cooperative.GIVE_WAY_ROWS == 0:
            cooperative.give_way()
    return out


def load_rows(act: Activity, include_hidden: bool = False, cooperate: bool = False) -> list[Row]:
    """Current inputs of the activity's present generation, oldest first. ``cooperate``: read
    in streamed chunks, giving way between them (a results round in the serving process).

    Plain columns, not ORM objects: this runs a few times a second per busy activity, and
    building (and tracking) one object per vote was most of the broadcaster's cost."""
    stmt = (
        select(*_ROW_COLUMNS)
        .join(Participant, Participant.id == Response.participant_id)
        .where(Response.activity_id == act.id, Response.generation == act.generation, Response.current.is_(True))
        .order_by(Response.id)
    )
    if not include_hidden:
        stmt = stmt.where(Response.status == "visible")
    return _rows(stmt, cooperate)


def load_history(act: Activity) -> list[Row]:
    """Every round's standing inputs (each phone's latest in each round, every status), by
    round and then oldest first: what an export lists. Rounds before a reset are kept here
    although they no longer count (``Row.generation`` says which round)."""
    stmt = (
        select(*_ROW_COLUMNS)
        .join(Participant, Participant.id == Response.participant_id)
        .where(Response.activity_id == act.id, Response.current.is_(True))
        .order_by(Response.generation, Response.id)
    )
    return _rows(stmt)


def load_tally(act: Activity, by_perspective: bool = False) -> list[Row]:
    """The current answers of a tally kind grouped by (status, answer), with their counts as
    ``weight``: the database counts, Python sees a handful of rows however many voted.

    Grouped on the stored JSON text (identical answers are stored identically: the validated
    dict is serialised the same way every time); ``id`` is the group's first answer.
    ``by_perspective`` (the votes split by the voter's perspective): grouped by the voter's
    perspective too, which ``Row.perspective`` then carries; still one read, a few groups
    more."""
    text = cast(Response.data, Text)
    cols: list[Any] = [func.min(Response.id), Response.status, text, func.count()]
    groups: list[Any] = [Response.status, text]
    if by_perspective:
        cols.append(Participant.perspective)
        groups.append(Participant.perspective)
    stmt = (
        select(*cols)
        .where(Response.activity_id == act.id, Response.generation == act.generation, Response.current.is_(True))
        .group_by(*groups)
        .order_by(func.min(Response.id))
    )
    if by_perspective:
        stmt = stmt.join(Participant, Participant.id == Response.participant_id)
    return [
        Row(
            id=r[0],
            participant_id=0,
            data=json.loads(r[2]),
            status=r[1],
            weight=r[3],
            perspective=(r[4] or "") if by_perspective else "",
        )
        for r in db.session.execute(stmt)
    ]


def own_responses(participant: Participant) -> dict[int, list[dict[str, Any]]]:
    """What a phone has answered, per activity, so a reload shows its earlier answers."""
    # Columns, not ORM objects: a phone connecting reads these, thousands at once.
    stmt = (
        select(Response.activity_id, Response.id, Response.client_id, Response.data, Response.status)
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
    for activity_id, rid, client_id, data, status in db.session.execute(stmt):
        out.setdefault(activity_id, []).append({"id": rid, "client_id": client_id, "data": data, "status": status})
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
        db.session.execute(update(Response).where(Response.merged_into_id == resp.id).values(merged_into_id=final))
    db.session.commit()


def approve_all(act: Activity) -> int:
    """Approve every answer of this activity (this generation) awaiting review, in one
    statement. Returns how many were approved."""
    result = db.session.execute(
        update(Response)
        .where(
            Response.activity_id == act.id,
            Response.generation == act.generation,
            Response.status == "pending",
        )
        .values(status="visible")
    )
    db.session.commit()
    return int(getattr(result, "rowcount", 0) or 0)


def reset_activity(act: Activity) -> None:
    """Start over: earlier answers stay stored but no longer count (a new generation)."""
    act.generation += 1
    act.revealed = None
    act.timer_ends_at = None
    db.session.commit()


__all__ = [
    "approve_all",
    "db_id",
    "load_history",
    "load_rows",
    "load_tally",
    "moderate",
    "own_responses",
    "reset_activity",
]


def forget_participants(workshop_id: int) -> list[int]:
    """Every participant of a workshop forgotten at once (the retention rule): the same as
    :func:`forget_participant` for each, in two statements. Commits."""
    people = select(Participant.id).where(Participant.workshop_id == workshop_id).scalar_subquery()
    acts = list(db.session.scalars(select(Response.activity_id).where(Response.participant_id.in_(people)).distinct()))
    db.session.execute(
        update(Response).where(Response.participant_id.in_(people)).values(status="deleted", current=False, data={})
    )
    db.session.execute(
        update(Participant).where(Participant.workshop_id == workshop_id).values(nickname="", perspective="")
    )
    db.session.commit()
    return acts


def forget_participant(participant: Participant) -> list[int]:
    """A participant's own "delete my answers": every input of theirs stops counting and loses
    its content (the row stays, empty and deleted, so a resent input is answered rather than
    stored again), and their nickname and perspective are cleared. What the facilitator already
    adopted into the draft analysis stays: it is the analysis' own text now. Returns the
    activities whose results change."""
    acts = list(
        db.session.scalars(select(Response.activity_id).where(Response.participant_id == participant.id).distinct())
    )
    db.session.execute(
        update(Response)
        .where(Response.participant_id == participant.id)
        .values(status="deleted", current=False, data={})
    )
    participant.nickname = ""
    participant.perspective = ""
    db.session.commit()
    return acts
