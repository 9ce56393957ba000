"""A workshop open for days, seen from the console: who has contributed to each activity (as
counts per perspective, never names) and what is new since the facilitator's last visit.

A visit is a console opened after a pause: opening it again within ``VISIT_GAP`` continues the
same visit, so reloading the page does not swallow the news the facilitator came to read. The
page reads (``last_visit``); the console's socket, on connecting, records (``record_visit``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from babel.dates import format_datetime
from flask_babel import get_locale
from sqlalchemy import func, select

from .extensions import db
from .formatting import local_time
from .models import Activity, ConsoleVisit, Participant, Response, Workshop, utcnow

VISIT_GAP = timedelta(minutes=30)


def last_visit(ws: Workshop, user_id: int, now: datetime | None = None) -> datetime | None:
    """The visit before the one happening now (what news are counted from), or None on the
    first: read only, so the console page (a GET) never writes."""
    now = now or utcnow()
    visit = db.session.get(ConsoleVisit, (ws.id, user_id))
    if visit is None:
        return None
    return visit.seen_at if now - visit.seen_at >= VISIT_GAP else visit.previous_at


def record_visit(ws: Workshop, user_id: int, now: datetime | None = None) -> datetime | None:
    """Record that the facilitator is here now (the console's socket connects); return the
    visit before this one, as ``last_visit`` reads it."""
    now = now or utcnow()
    visit = db.session.get(ConsoleVisit, (ws.id, user_id))
    if visit is None:
        db.session.add(ConsoleVisit(workshop_id=ws.id, user_id=user_id, seen_at=now, previous_at=None))
        db.session.commit()
        return None
    if now - visit.seen_at >= VISIT_GAP:
        visit.previous_at = visit.seen_at
    visit.seen_at = now
    db.session.commit()
    return visit.previous_at


@dataclass
class ActivityProgress:
    activity_id: int
    title: str
    kind: str
    # (perspective label, people) in the workshop's order of perspectives; "" = none chosen.
    per_perspective: list[tuple[str, int]] = field(default_factory=list)
    contributors: int = 0
    new: int = 0


def progress(ws: Workshop, since: datetime | None) -> list[ActivityProgress]:
    """Per activity (current round only, deleted inputs left out): how many people of each
    perspective contributed, and how many inputs arrived after ``since``."""
    acts = list(ws.activities)
    counted = (
        select(Response.activity_id, Participant.perspective, func.count(func.distinct(Response.participant_id)))
        .join(Participant, Participant.id == Response.participant_id)
        .join(Activity, Activity.id == Response.activity_id)
        .where(Activity.workshop_id == ws.id, Response.generation == Activity.generation, Response.status != "deleted")
        .group_by(Response.activity_id, Participant.perspective)
    )
    people: dict[int, dict[str, int]] = {}
    for act_id, perspective, n in db.session.execute(counted):
        per = people.setdefault(act_id, {})
        per[perspective or ""] = per.get(perspective or "", 0) + n
    new: dict[int, int] = {}
    if since is not None:
        fresh = (
            select(Response.activity_id, func.count())
            .join(Activity, Activity.id == Response.activity_id)
            .where(
                Activity.workshop_id == ws.id,
                Response.generation == Activity.generation,
                Response.status != "deleted",
                Response.created_at > since,
            )
            .group_by(Response.activity_id)
        )
        new = {act_id: n for act_id, n in db.session.execute(fresh)}
    order = {label: i for i, label in enumerate(ws.perspectives or [])}
    out = []
    for act in acts:
        per = people.get(act.id, {})
        ranked = sorted(per.items(), key=lambda kv: (kv[0] == "", order.get(kv[0], len(order)), kv[0]))
        out.append(
            ActivityProgress(
                activity_id=act.id,
                title=act.title,
                kind=act.kind,
                per_perspective=ranked,
                contributors=sum(per.values()),
                new=new.get(act.id, 0),
            )
        )
    return out


def when(moment: datetime | None, now: datetime | None = None) -> str:
    """A past moment as people say it: "tisdag 14:05" within a week, "tisdag 3 december 14:05"
    before that (local zone, the page's language)."""
    local = local_time(moment)
    if local is None:
        return ""
    today = local_time(now or utcnow())
    pattern = "EEEE HH:mm" if today is not None and (today - local) < timedelta(days=6) else "EEEE d MMMM HH:mm"
    return format_datetime(local, pattern, locale=str(get_locale() or "sv"))


def console_context(ws: Workshop, user_id: int) -> dict[str, Any]:
    """What the console page shows of a self-paced workshop: the progress per activity and
    when the facilitator was last here (the visit is recorded when the console connects)."""
    since = last_visit(ws, user_id)
    return {"since": since, "since_text": when(since), "rows": progress(ws, since)}
