"""Stored phone inputs: reading them back for aggregation, the facilitator's moderation and a
new round. Storing them is ``workshop.inputs``."""

from __future__ import annotations

import json
import weakref
from collections import OrderedDict
from typing import Any, cast

from flask_babel import gettext
from sqlalchemy import Table, Text, bindparam, func, select, update
from sqlalchemy import cast as sql_cast
from sqlalchemy.engine import Connection, Engine

from . import cooperative
from .activities import InputError
from .activities.base import Row
from .extensions import db
from .inputs.revision import OF_ITS_ACTIVITY, WROTE_INPUTS, raise_revisions
from .inputs.rules import db_id
from .models import Activity, Participant, Response


class CurrentInputs:
    """The current inputs of one activity's present generation as this process last read them
    (every status), in id order, and by participant. Rows are shared: never change one.

    Kept per activity and brought up to date by reading only the rows written since (the
    activity's ``inputs_revision``; ``inputs.revision``): a results round over 15 000 estimates
    reads the few hundred that changed, not all of them again."""

    __slots__ = ("created_at", "generation", "revision", "rows", "by_participant")

    def __init__(self, created_at: Any, generation: int, revision: int):
        self.created_at = created_at
        self.generation = generation
        self.revision = revision
        self.rows: dict[int, Row] = {}
        self.by_participant: dict[int, dict[int, Row]] = {}

    def copy(self) -> CurrentInputs:
        other = CurrentInputs(self.created_at, self.generation, self.revision)
        other.rows = dict(self.rows)
        other.by_participant = {pid: dict(rows) for pid, rows in self.by_participant.items()}
        return other

    def apply(self, changed: list[tuple[Row, bool]]) -> None:
        """Rows read again (with whether each is current): each replaces its earlier state, or
        leaves when it no longer counts."""
        last = next(reversed(self.rows), 0)
        unordered = False
        for row, current in changed:
            if current and row.generation == self.generation:
                if row.id not in self.rows and row.id < last:
                    unordered = True
                self.rows[row.id] = row
                self.by_participant.setdefault(row.participant_id, {})[row.id] = row
                last = max(last, row.id)
            elif self.rows.pop(row.id, None) is not None:
                mine = self.by_participant[row.participant_id]
                del mine[row.id]
                if not mine:
                    del self.by_participant[row.participant_id]
        if unordered:  # a row stored after a later one became visible: id order again
            self.rows = dict(sorted(self.rows.items()))
            self.by_participant = {pid: dict(sorted(rows.items())) for pid, rows in self.by_participant.items()}

    def of(self, participant_id: int) -> list[Row]:
        return list(self.by_participant.get(participant_id, {}).values())


# Per engine (tests run many databases in one process), the most recently read activities.
_KEPT_ACTIVITIES = 32
_kept: weakref.WeakKeyDictionary[Engine, OrderedDict[int, CurrentInputs]] = weakref.WeakKeyDictionary()

_A = cast(Table, Activity.__table__)
_R = cast(Table, Response.__table__)
_P = cast(Table, Participant.__table__)
_STATE = select(_A.c.created_at, _A.c.generation, _A.c.inputs_revision).where(_A.c.id == bindparam("aid"))
_COLUMNS = (
    _R.c.id,
    _R.c.participant_id,
    _R.c.data,
    _R.c.status,
    _R.c.ref_id,
    _R.c.merged_into_id,
    _R.c.answered,
    _R.c.created_at,
    _P.c.nickname,
    _P.c.perspective,
    _R.c.generation,
    _R.c.current,
)
_ROWS = select(*_COLUMNS).join(_P, _P.c.id == _R.c.participant_id)
_ALL = _ROWS.where(
    _R.c.activity_id == bindparam("aid"), _R.c.generation == bindparam("gen"), _R.c.current.is_(True)
).order_by(_R.c.id)
_CHANGED = _ROWS.where(_R.c.activity_id == bindparam("aid"), _R.c.revision > bindparam("rev")).order_by(_R.c.id)
# Every round's standing inputs, by round and then oldest first.
_HISTORY = _ROWS.where(_R.c.activity_id == bindparam("aid"), _R.c.current.is_(True)).order_by(_R.c.generation, _R.c.id)


def _read(conn: Connection, stmt: Any, params: dict[str, Any], cooperate: bool) -> list[tuple[Row, bool]]:
    if cooperate:
        # Streamed in chunks: otherwise every row is decoded before the first one comes back.
        stmt = stmt.execution_options(yield_per=cooperative.GIVE_WAY_ROWS)
    out = []
    for i, r in enumerate(conn.execute(stmt, params), 1):
        out.append(
            (
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
                ),
                bool(r[11]),
            )
        )
        if cooperate and i % cooperative.GIVE_WAY_ROWS == 0:
            cooperative.give_way()
    return out


def _session_connection() -> Connection:
    """The app session's connection, once it has written what it holds (as a query through the
    session would)."""
    if db.session.autoflush:
        db.session.flush()
    return db.session.connection()


def current_inputs(conn: Connection, activity_id: int, cooperate: bool = False) -> CurrentInputs | None:
    """The activity's current inputs as of ``conn``'s transaction (None: no such activity):
    what changed since this process last read them is read and applied. ``cooperate``: read in
    streamed chunks, giving way between them (a results round in the serving process).

    What a transaction that has written inputs reads is its own until it commits: it is
    answered from a copy and not kept."""
    state = conn.execute(_STATE, {"aid": activity_id}).first()
    if state is None:
        return None
    created_at, generation, revision = state
    keep = not conn.info.get(WROTE_INPUTS)
    kept = _kept.setdefault(conn.engine, OrderedDict())
    known = kept.get(activity_id)
    if known is not None and (known.created_at, known.generation) == (created_at, generation):
        if known.revision == revision:  # nothing written since, by anyone (this transaction too)
            kept.move_to_end(activity_id)
            return known
        if known.revision < revision:
            base = known.revision
            changed = _read(conn, _CHANGED, {"aid": activity_id, "rev": base}, cooperate)
            if not keep:
                mine = known.copy()
                mine.apply(changed)
                mine.revision = revision
                return mine
            # Another reader may have brought it further while this one gave way.
            known = kept.get(activity_id)
            if known is not None and known.generation == generation:
                if base <= known.revision < revision:
                    known.apply(changed)
                    known.revision = revision
                    kept.move_to_end(activity_id)
                    return known
                if known.revision == revision:
                    return known
    fresh = CurrentInputs(created_at, generation, revision)
    fresh.apply(_read(conn, _ALL, {"aid": activity_id, "gen": generation}, cooperate))
    known = kept.get(activity_id)
    newer = (
        known is not None
        and (known.created_at, known.generation) == (created_at, generation)
        and known.revision > revision
    )
    if keep and not newer:  # a reader whose transaction began earlier does not take it back
        kept[activity_id] = fresh
        kept.move_to_end(activity_id)
        while len(kept) > _KEPT_ACTIVITIES:
            kept.popitem(last=False)
    return fresh


def load_rows(act: Activity, include_hidden: bool = False, cooperate: bool = False) -> list[Row]:
    """Current inputs of the activity's present generation, oldest first. ``cooperate``: read
    in streamed chunks, giving way between them (a results round in the serving process).

    Plain rows, not ORM objects, and only what changed since the last read
    (``current_inputs``): this runs a few times a second per busy activity."""
    inputs = current_inputs(_session_connection(), act.id, cooperate)
    if inputs is None:
        return []
    if include_hidden:
        return list(inputs.rows.values())
    return [r for r in inputs.rows.values() if r.status == "visible"]


def load_history(act: Activity) -> list[Row]:
    """Every round's standing inputs (each phone's latest in each round, every status), by
    round and then oldest first: what an export lists. Rounds before a reset are kept here
    although they no longer count (``Row.generation`` says which round)."""
    return [row for row, _current in _read(_session_connection(), _HISTORY, {"aid": act.id}, cooperate=False)]


def load_tally(act: Activity, by_perspective: bool = False) -> list[Row]:
    """The current answers of a tally kind grouped by (status, answer), with their counts as
    ``weight``: the database counts, Python sees a handful of rows however many voted.

    Grouped on the stored JSON text (identical answers are stored identically: the validated
    dict is serialised the same way every time); ``id`` is the group's first answer.
    ``by_perspective`` (the votes split by the voter's perspective): grouped by the voter's
    perspective too, which ``Row.perspective`` then carries; still one read, a few groups
    more."""
    text = sql_cast(Response.data, Text)
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
        raise_revisions(db.session, [act.id])
        db.session.execute(
            update(Response)
            .where(Response.merged_into_id == resp.id)
            .values(merged_into_id=final, revision=OF_ITS_ACTIVITY)
        )
    db.session.commit()  # the answer itself gets its revision as it is flushed (``inputs.revision``)


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
        .values(status="visible", revision=raise_revisions(db.session, [act.id])[act.id])
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
    # The participants first, then their activities, then the inputs: the writer's order.
    db.session.execute(
        update(Participant).where(Participant.workshop_id == workshop_id).values(nickname="", perspective="")
    )
    acts = list(db.session.scalars(select(Response.activity_id).where(Response.participant_id.in_(people)).distinct()))
    raise_revisions(db.session, acts)
    db.session.execute(
        update(Response)
        .where(Response.participant_id.in_(people))
        .values(status="deleted", current=False, data={}, revision=OF_ITS_ACTIVITY)
    )
    db.session.commit()
    return acts


def forget_participant(participant: Participant) -> list[int]:
    """A participant's own "delete my answers": every input of theirs stops counting and loses
    its content (the row stays, empty and deleted, so a resent input is answered rather than
    stored again), and their nickname and perspective are cleared. What the facilitator already
    adopted into the draft analysis stays: it is the analysis' own text now. Returns the
    activities whose results change."""
    participant.nickname = ""
    participant.perspective = ""
    db.session.flush()  # the participant first, then their activities, then the inputs: the writer's order
    acts = list(
        db.session.scalars(select(Response.activity_id).where(Response.participant_id == participant.id).distinct())
    )
    raise_revisions(db.session, acts)
    db.session.execute(
        update(Response)
        .where(Response.participant_id == participant.id)
        .values(status="deleted", current=False, data={}, revision=OF_ITS_ACTIVITY)
    )
    db.session.commit()
    return acts
