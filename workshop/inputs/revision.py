"""An activity's inputs revision: every transaction that writes stored inputs (the writer's
batch, moderation, approving, forgetting) raises the revision of each activity it touches and
gives the rows it writes that revision (``Response.revision``). A reader that remembers the
revision it last read then reads only what changed since (``workshop.responses``).

The raise is an ``UPDATE … RETURNING`` of the activity's row: on PostgreSQL it holds that row
locked until the transaction ends, so revisions become visible in the order they were given,
and a reader that saw revision R has seen every row written at R or before. SQLite has one
writer at a time anyway.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import chain
from typing import Any, cast

from sqlalchemy import Table, bindparam, event, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from ..models import Activity, Response

_A = cast(Table, Activity.__table__)
_R = cast(Table, Response.__table__)

_RAISE = (
    update(_A)
    .where(_A.c.id.in_(bindparam("ids", expanding=True)))
    .values(inputs_revision=_A.c.inputs_revision + 1)
    .returning(_A.c.id, _A.c.inputs_revision)
)

# A row's activity's revision, for statements that write rows of several activities at once
# (after ``raise_revisions`` of those activities, in the same transaction).
OF_ITS_ACTIVITY = select(_A.c.inputs_revision).where(_A.c.id == _R.c.activity_id).scalar_subquery()


# Set on a connection whose transaction has written inputs until it ends: what it reads of
# them is not yet everyone's, so readers do not keep it (``workshop.responses``).
WROTE_INPUTS = "nyttoverkstad.wrote_inputs"


def raise_revisions(target: Any, activity_ids: Iterable[int]) -> dict[int, int]:
    """Raise the inputs revision of each activity (a connection or a session, in the caller's
    transaction) and return the new revisions by activity id."""
    ids = sorted(set(activity_ids))  # one order everywhere: no two writers wait for each other
    if not ids:
        return {}
    conn = target if isinstance(target, Connection) else target.connection()
    conn.info[WROTE_INPUTS] = True
    return {aid: rev for aid, rev in conn.execute(_RAISE, {"ids": ids})}


@event.listens_for(Engine, "commit")
@event.listens_for(Engine, "rollback")
def _transaction_ended(conn: Connection) -> None:
    conn.info.pop(WROTE_INPUTS, None)


@event.listens_for(Session, "before_flush")
def _revision_of_changed_rows(session: Session, _ctx: Any, _instances: Any) -> None:
    """Inputs written as ORM objects (moderating one answer) get their activity's new revision
    in the same flush: no such write can be missed by a reader. Statements that write many rows
    at once set ``revision`` themselves (``OF_ITS_ACTIVITY``)."""
    changed: list[tuple[Response, int]] = []
    for obj in chain(session.new, session.dirty):
        if isinstance(obj, Response) and (obj in session.new or session.is_modified(obj)):
            aid = obj.activity_id
            if aid is not None:  # else its activity is new in this flush: nobody has read it yet
                changed.append((obj, aid))
    if not changed:
        return
    revisions = raise_revisions(session.connection(), {aid for _, aid in changed})
    for obj, aid in changed:
        obj.revision = revisions[aid]


__all__ = ["OF_ITS_ACTIVITY", "WROTE_INPUTS", "raise_revisions"]
