"""One participant's data, for the facilitator answering a request from that person: what is
stored (an export) and deleting it (the same as the participant's own "Radera mina svar")."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from .extensions import db
from .models import Activity, Participant, Response, Workshop


def reference(p: Participant) -> str:
    """How the facilitator and the participant name one participant: ``D-<id>``."""
    return f"D-{p.id}"


def listing(ws: Workshop, query: str = "") -> list[dict[str, Any]]:
    """The workshop's participants with their number of stored inputs, newest first; ``query``
    matches a nickname (part of it) or a reference."""
    counts = dict(
        db.session.execute(
            select(Response.participant_id, func.count())
            .join(Participant, Participant.id == Response.participant_id)
            .where(Participant.workshop_id == ws.id, Response.status != "deleted")
            .group_by(Response.participant_id)
        ).all()
    )
    stmt = select(Participant).where(Participant.workshop_id == ws.id).order_by(Participant.id.desc())
    q = (query or "").strip()
    if q:
        ref = q.upper().removeprefix("D-")
        if ref.isdigit():
            stmt = stmt.where(Participant.id == int(ref))
        else:
            stmt = stmt.where(func.lower(Participant.nickname).contains(q.lower()))
    return [
        {"participant": p, "reference": reference(p), "inputs": counts.get(p.id, 0)}
        for p in db.session.scalars(stmt.limit(500))
    ]


def participant_of(ws: Workshop, participant_id: int) -> Participant | None:
    p = db.session.get(Participant, participant_id)
    return p if p is not None and p.workshop_id == ws.id else None


def export(ws: Workshop, p: Participant) -> dict[str, Any]:
    """Everything stored about ``p``: the join (nickname, perspective, time) and every input,
    as the kind stored it. The phone's secret token is not included."""
    rows = db.session.execute(
        select(Response, Activity.title, Activity.kind)
        .join(Activity, Activity.id == Response.activity_id)
        .where(Response.participant_id == p.id)
        .order_by(Response.id)
    ).all()
    return {
        "format": "nyttoverkstad-participant",
        "workshop": {"id": ws.id, "title": ws.title},
        "participant": {
            "reference": reference(p),
            "nickname": p.nickname,
            "perspective": p.perspective,
            "joined_at": p.created_at.isoformat(),
        },
        "inputs": [
            {
                "activity": title,
                "kind": kind,
                "stored_at": r.created_at.isoformat(),
                "status": r.status,
                "counts": bool(r.current) and r.status != "deleted",
                "content": r.data,
            }
            for r, title, kind in rows
        ],
    }
