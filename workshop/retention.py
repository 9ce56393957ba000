"""Retention: a workshop's participants' inputs are deleted a set number of months after it
closes (``Workshop.retention_months``; the default for new workshops is ``RETENTION_MONTHS``).

A workshop closes when it is archived or when its closing time passes, whichever is first.
Deleting the inputs empties them the way a participant's own "Radera mina svar" does
(``responses.forget_participants``): they stop counting and lose their content, nicknames and
perspectives are cleared. The draft analysis is the facilitator's own text and stays whole, with
every figure they adopted. ``workshop purge`` runs it by hand; ``workshop serve`` runs it every
hour."""

from __future__ import annotations

import calendar
import logging
from datetime import datetime

from sqlalchemy import select

from .extensions import db
from .models import Workshop, utcnow
from .responses import forget_participants

log = logging.getLogger(__name__)
INTERVAL_SECONDS = 3600


def add_months(when: datetime, months: int) -> datetime:
    """``when`` plus whole calendar months; the 31st becomes the month's last day."""
    month0 = when.month - 1 + months
    year, month = when.year + month0 // 12, month0 % 12 + 1
    return when.replace(year=year, month=month, day=min(when.day, calendar.monthrange(year, month)[1]))


def closed_since(ws: Workshop, now: datetime) -> datetime | None:
    """When ``ws`` closed for participants (archived, or its closing time passed), or None."""
    moments = []
    if ws.status == "archived":
        moments.append(ws.closed_at or ws.updated_at)
    if ws.open_until is not None and ws.open_until <= now:
        moments.append(ws.open_until)
    return min(moments) if moments else None


def deletion_due(ws: Workshop, now: datetime | None = None) -> datetime | None:
    """When the inputs of ``ws`` are (or were) due for deletion; None when the workshop keeps
    them, is still open, or they are gone already."""
    now = now or utcnow()
    if not ws.retention_months or ws.inputs_deleted_at is not None:
        return None
    closed = closed_since(ws, now)
    return add_months(closed, ws.retention_months) if closed is not None else None


def delete_inputs(ws: Workshop, now: datetime | None = None) -> list[int]:
    """Delete the participants' inputs of ``ws`` now; the activities whose results changed."""
    changed = forget_participants(ws.id)
    ws.inputs_deleted_at = now or utcnow()
    db.session.commit()
    return changed


def purge_due(now: datetime | None = None) -> list[int]:
    """Delete the inputs of every workshop whose retention has run out; their ids."""
    now = now or utcnow()
    done = []
    candidates = db.session.scalars(
        select(Workshop).where(Workshop.retention_months.is_not(None), Workshop.inputs_deleted_at.is_(None))
    ).all()
    for ws in candidates:
        due = deletion_due(ws, now)
        if due is not None and due <= now:
            delete_inputs(ws, now)
            log.info("retention: deleted the participants' inputs of workshop %s (due %s)", ws.id, due)
            done.append(ws.id)
    return done
