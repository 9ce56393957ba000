"""Creating and editing workshops and their activities (the facilitator's editor uses these)."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from flask_babel import gettext
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from .activities import InputError, get_kind
from .extensions import db
from .models import Activity, Participant, Response, User, Workshop

MODES = ("live", "self_paced")
LANGUAGES = ("sv", "en")
MAX_ACTIVITIES = 100


def new_join_code() -> str:
    # 8 digits, no leading zero so it never loses a digit when typed into a number field.
    return str(secrets.randbelow(90_000_000) + 10_000_000)


def create_workshop(
    owner: User,
    title: str,
    language: str = "sv",
    mode: str = "live",
    open_until: datetime | None = None,
    ask_nickname: bool = True,
    ask_perspective: bool = False,
    perspectives: list[str] | None = None,
) -> Workshop:
    title = (title or "").strip()
    if not title:
        raise InputError("invalid", gettext("Give the workshop a title."))
    if len(title) > 200:
        raise InputError("invalid", gettext("Too long: at most %(n)s characters.", n=200))
    if language not in LANGUAGES:
        raise InputError("invalid", gettext("Not one of the allowed values."))
    if mode not in MODES:
        raise InputError("invalid", gettext("Not one of the allowed values."))
    for _attempt in range(20):
        ws = Workshop(
            owner=owner,
            title=title,
            language=language,
            mode=mode,
            open_until=open_until,
            ask_nickname=ask_nickname,
            ask_perspective=ask_perspective,
            perspectives=[p for p in (perspectives or []) if p.strip()][:20],
            join_code=new_join_code(),
            presenter_key=secrets.token_urlsafe(24),
            status="open",
        )
        db.session.add(ws)
        try:
            db.session.commit()
            return ws
        except IntegrityError:
            # Join code collided with another open workshop: draw again.
            db.session.rollback()
    raise RuntimeError("could not draw a free join code")


def add_activity(ws: Workshop, kind_key: str, title: str | None = None, config: Any = None,
                 results_hidden: bool | None = None, timer_seconds: int | None = None) -> Activity:
    kind = get_kind(kind_key)
    if len(ws.activities) >= MAX_ACTIVITIES:
        raise InputError("invalid", gettext("A workshop holds at most %(n)s activities.", n=MAX_ACTIVITIES))
    cfg = kind.validate_config(config) if config is not None else kind.default_config()
    position = (max((a.position for a in ws.activities), default=-1)) + 1
    act = Activity(
        workshop=ws,
        kind=kind.key,
        title=_clean_title(title if title is not None else str(kind.default_title)),
        config=cfg,
        position=position,
        results_hidden=kind.results_hidden_default if results_hidden is None else results_hidden,
        timer_seconds=_clean_timer(timer_seconds if timer_seconds is not None else getattr(kind, "default_timer_seconds", None)),
    )
    db.session.add(act)
    db.session.flush()
    if kind.uses_draft:
        from .draft.service import analysis_for

        analysis_for(ws)
    if ws.current_activity_id is None:
        ws.current_activity_id = act.id
    db.session.commit()
    return act


def _clean_title(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise InputError("invalid", gettext("Write a question or a title."), {"title": gettext("This field cannot be empty.")})
    if len(title) > 300:
        raise InputError("invalid", gettext("Too long: at most %(n)s characters.", n=300), {"title": gettext("Too long: at most %(n)s characters.", n=300)})
    return title


def _clean_timer(seconds: int | None) -> int | None:
    if seconds in (None, 0):
        return None
    if not isinstance(seconds, int) or not 10 <= seconds <= 7 * 24 * 3600:
        raise InputError("invalid", gettext("The timer must be between 10 seconds and 7 days."))
    return seconds


def update_activity(act: Activity, title: str, config: Any, results_hidden: bool, timer_seconds: int | None) -> Activity:
    kind = get_kind(act.kind)
    act.config = kind.validate_config(config)
    act.title = _clean_title(title)
    act.results_hidden = bool(results_hidden)
    act.timer_seconds = _clean_timer(timer_seconds)
    db.session.commit()
    return act


def move_activity(act: Activity, delta: int) -> None:
    acts = list(act.workshop.activities)
    i = acts.index(act)
    j = max(0, min(len(acts) - 1, i + delta))
    if i == j:
        return
    acts.insert(j, acts.pop(i))
    for pos, a in enumerate(acts):
        a.position = pos
    db.session.commit()


def delete_activity(act: Activity) -> None:
    ws = act.workshop
    was_current = ws.current_activity_id == act.id
    ws.activities.remove(act)
    db.session.delete(act)
    db.session.flush()
    if was_current:
        ws.current_activity_id = ws.activities[0].id if ws.activities else None
    for pos, a in enumerate(ws.activities):
        a.position = pos
    db.session.commit()


def duplicate_workshop(ws: Workshop, owner: User) -> Workshop:
    """A fresh copy: same settings and activities, no participants or answers."""
    copy = create_workshop(
        owner,
        gettext("Copy of %(title)s", title=ws.title)[:200],
        language=ws.language,
        mode=ws.mode,
        open_until=ws.open_until,
        ask_nickname=ws.ask_nickname,
        ask_perspective=ws.ask_perspective,
        perspectives=list(ws.perspectives or []),
    )
    for act in ws.activities:
        db.session.add(
            Activity(
                workshop=copy,
                kind=act.kind,
                title=act.title,
                config=dict(act.config),
                position=act.position,
                results_hidden=act.results_hidden,
                timer_seconds=act.timer_seconds,
            )
        )
    db.session.flush()
    copy.current_activity_id = copy.activities[0].id if copy.activities else None
    db.session.commit()
    return copy


def archive_workshop(ws: Workshop) -> None:
    ws.status = "archived"
    db.session.commit()


def reopen_workshop(ws: Workshop) -> None:
    """Back from the archive; draws a new code if another open workshop took the old one."""
    ws.status = "open"
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        for _ in range(20):
            ws.status = "open"
            ws.join_code = new_join_code()
            try:
                db.session.commit()
                return
            except IntegrityError:
                db.session.rollback()
        raise


def find_open_workshop(code: str) -> Workshop | None:
    code = "".join(ch for ch in str(code or "") if ch.isdigit())
    if len(code) != 8:
        return None
    return db.session.scalars(
        select(Workshop).where(Workshop.join_code == code, Workshop.status == "open")
    ).first()


def workshop_counts(ws_ids: list[int]) -> dict[int, dict[str, int]]:
    """Participants and responses per workshop, for the dashboard, in two queries."""
    if not ws_ids:
        return {}
    parts = dict(
        db.session.execute(
            select(Participant.workshop_id, func.count()).where(Participant.workshop_id.in_(ws_ids)).group_by(Participant.workshop_id)
        ).all()
    )
    resp = dict(
        db.session.execute(
            select(Activity.workshop_id, func.count(Response.id))
            .join(Response, Response.activity_id == Activity.id)
            .where(Activity.workshop_id.in_(ws_ids), Response.current.is_(True), Response.generation == Activity.generation)
            .group_by(Activity.workshop_id)
        ).all()
    )
    return {i: {"participants": parts.get(i, 0), "responses": resp.get(i, 0)} for i in ws_ids}
