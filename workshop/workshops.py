"""Creating and editing workshops and their activities (the facilitator's editor uses these)."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any, Literal

from flask import current_app
from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l
from pydantic import AfterValidator, Field, StringConstraints, field_validator
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from .activities import all_kinds, get_kind
from .extensions import db
from .formatting import from_local
from .models import Activity, Participant, Response, User, Workshop, utcnow
from .validation import InputError, Schema, form_data, number_value, parse, refuse
from .validation.forms import Widget

MODES = ("live", "self_paced")
LANGUAGES = ("sv", "en")
MAX_ACTIVITIES = 100
MAX_PERSPECTIVES = 20
PERSPECTIVE_MAX = 120


# --- a workshop's settings: one schema for the editor's form, imports and copies ------------


def _title_given(title: str) -> str:
    if not title:
        raise refuse(_l("Give the workshop a title."))
    return title


def _perspectives(items: list[str]) -> list[str]:
    """Empty lines dropped, at most twenty (the phone's choice list stays short)."""
    return [p for p in items if p][:MAX_PERSPECTIVES]


class WorkshopSettings(Schema):
    """What the facilitator sets for a workshop (``Workshop`` documents each column)."""

    title: Annotated[str, StringConstraints(max_length=200), AfterValidator(_title_given)] = Field(
        "", validate_default=True
    )
    language: Literal[LANGUAGES] = "sv"  # type: ignore[valid-type]
    mode: Literal[MODES] = "live"  # type: ignore[valid-type]
    open_until: datetime | None = None
    ask_nickname: bool = True
    ask_perspective: bool = False
    perspectives: Annotated[list[str], AfterValidator(_perspectives)] = Field(default_factory=list)
    retention_months: Annotated[int, Field(ge=1, le=120)] | None = None


class WorkshopForm(WorkshopSettings):
    """The editor's form: the same settings, with the closing time as the browser sends it."""

    @field_validator("open_until", mode="before")
    @classmethod
    def _local_time(cls, value: Any) -> Any:
        # <input type="datetime-local"> sends "2026-05-04T16:00": local time (``WORKSHOP_TIMEZONE``),
        # stored as UTC.
        if not isinstance(value, str):
            return value
        if not value.strip():
            return None
        try:
            when = datetime.fromisoformat(value.strip())
        except ValueError:
            raise refuse(_l("Give the closing time as a date and time.")) from None
        return from_local(when)


class TemplateWorkshopForm(WorkshopForm):
    """Starting from a template: an empty title means the template's own."""

    title: Annotated[str, StringConstraints(max_length=200)] = ""


WORKSHOP_WIDGETS: dict[str, Widget] = {
    "title": "text",
    "language": "raw",
    "mode": "raw",
    "open_until": "text",
    "ask_nickname": "checkbox",
    "ask_perspective": "checkbox",
    "perspectives": "lines",
    "retention_months": "integer",
}


def workshop_form(form: Mapping[str, str], title_optional: bool = False) -> dict[str, Any]:
    """The workshop editor's form as settings for :func:`create_workshop` or an update.

    Perspectives are clipped to 120 characters each; asking for a perspective needs at least
    one to choose from."""
    data = form_data(form, WORKSHOP_WIDGETS)
    data["perspectives"] = [p[:PERSPECTIVE_MAX] for p in data["perspectives"]]
    data["ask_perspective"] = data["ask_perspective"] and bool(data["perspectives"])
    return parse(TemplateWorkshopForm if title_optional else WorkshopForm, data).model_dump()


DEFAULT_RETENTION = object()


def default_retention_months() -> int | None:
    """The installation's default retention (``RETENTION_MONTHS``), for a new workshop."""
    return current_app.extensions["settings"].retention_months or None


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
    retention_months: int | None | object = DEFAULT_RETENTION,
) -> Workshop:
    if retention_months is DEFAULT_RETENTION:
        retention_months = default_retention_months()
    settings = parse(
        WorkshopSettings,
        {
            "title": "" if title is None else title,
            "language": language,
            "mode": mode,
            "open_until": open_until,
            "ask_nickname": ask_nickname,
            "ask_perspective": ask_perspective,
            "perspectives": list(perspectives or []),
            "retention_months": retention_months,
        },
    )
    for _attempt in range(20):
        ws = Workshop(
            owner=owner,
            **settings.model_dump(),
            join_code=new_join_code(),
            presenter_key=new_presenter_key(),
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


# How each kind of setting arrives from the activity editor's generic form.
_CONFIG_WIDGETS: dict[str, Widget] = {"bool": "checkbox", "lines": "lines", "int": "integer"}


def activity_form(kind: Any, form: Mapping[str, str]) -> dict[str, Any]:
    """The activity editor's form as the arguments of :func:`update_activity`.

    Settings arrive as ``cfg_<name>`` and become the ``dict`` the kind's settings schema
    validates; the timer is typed in minutes, the Swedish way ("1,5")."""
    widgets = {f.name: _CONFIG_WIDGETS.get(f.type, "text") for f in kind.config_fields}
    minutes = number_value(form.get("timer_minutes"), "timer_minutes", required=False)
    return {
        "title": form.get("title", ""),
        "config": form_data(form, widgets, prefix="cfg_"),
        "results_hidden": bool(form.get("results_hidden")),
        "timer_seconds": None if minutes is None else int(round(minutes * 60)),
    }


def activity_menu(ws: Workshop) -> tuple[list[tuple[str, list[Any]]], str]:
    """The editor's "Add an activity" list: (group label, kinds) pairs — the polls in their
    order, then the method's steps by number, then the follow-up after the decision — and the kind chosen by default: the step after
    the last one the workshop has, or the first poll for a workshop without method steps."""
    registry = all_kinds()
    kinds = list(registry.values())
    polls = sorted((k for k in kinds if k.step is None and not k.after_decision), key=lambda k: (k.order, k.key))
    steps = sorted((k for k in kinds if k.step is not None), key=lambda k: (k.step, k.key))
    after = sorted((k for k in kinds if k.step is None and k.after_decision), key=lambda k: (k.order, k.key))
    groups = [(gettext("Polls"), polls), (gettext("The method's steps"), steps), (gettext("After the decision"), after)]
    done: list[int] = [
        step for a in ws.activities if a.kind in registry and (step := registry[a.kind].step) is not None
    ]
    default = polls[0].key if polls else kinds[0].key
    if done:
        later = [k for k in steps if k.step is not None and k.step > max(done)]
        missing = [k for k in steps if k.step not in done]
        default = (later or missing or steps)[0].key
    return groups, default


def add_activity(
    ws: Workshop,
    kind_key: str,
    title: str | None = None,
    config: Any = None,
    results_hidden: bool | None = None,
    timer_seconds: int | None = None,
) -> Activity:
    kind = get_kind(kind_key)
    if len(ws.activities) >= MAX_ACTIVITIES:
        raise InputError(
            "invalid",
            ngettext(
                "A workshop holds at most %(n)s activity.",
                "A workshop holds at most %(n)s activities.",
                MAX_ACTIVITIES,
                n=MAX_ACTIVITIES,
            ),
        )
    cfg = kind.validate_config(config) if config is not None else kind.default_config()
    position = (max((a.position for a in ws.activities), default=-1)) + 1
    act = Activity(
        workshop=ws,
        kind=kind.key,
        title=_clean_title(title if title is not None else str(kind.default_title)),
        config=cfg,
        position=position,
        results_hidden=kind.results_hidden_default if results_hidden is None else results_hidden,
        timer_seconds=_clean_timer(
            timer_seconds if timer_seconds is not None else getattr(kind, "default_timer_seconds", None)
        ),
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
        raise InputError(
            "invalid", gettext("Write a question or a title."), {"title": gettext("This field cannot be empty.")}
        )
    if len(title) > 300:
        message = ngettext("Too long: at most %(n)s character.", "Too long: at most %(n)s characters.", 300, n=300)
        raise InputError("invalid", message, {"title": message})
    return title


def _clean_timer(seconds: int | None) -> int | None:
    if seconds in (None, 0):
        return None
    if not isinstance(seconds, int) or not 10 <= seconds <= 7 * 24 * 3600:
        raise InputError("invalid", gettext("The timer must be between 10 seconds and 7 days."))
    return seconds


def update_activity(
    act: Activity, title: str, config: Any, results_hidden: bool, timer_seconds: int | None
) -> Activity:
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
    copy.checklist = list(ws.checklist) if ws.checklist else None
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


def new_presenter_key() -> str:
    return secrets.token_urlsafe(24)


def rotate_keys(ws: Workshop, presenter: bool = True, review: bool = True) -> None:
    """New secrets for the presenter address and/or the results link: the old ones stop working
    (a results link that was turned off is made again)."""
    if presenter:
        ws.presenter_key = new_presenter_key()
    if review:
        ws.results_key = secrets.token_urlsafe(24)
    db.session.commit()


def revoke_results_link(ws: Workshop) -> None:
    """Turn the read-only results link off: nobody can open it until a new one is made."""
    ws.results_key = None
    db.session.commit()


def is_method_workshop(ws: Workshop) -> bool:
    """A workshop of the method (it feeds a draft analysis), as opposed to a plain poll deck."""
    from .draft.models import Analysis

    if any(get_kind(a.kind).uses_draft for a in ws.activities if a.kind in all_kinds()):
        return True
    return db.session.scalar(select(Analysis.id).where(Analysis.workshop_id == ws.id)) is not None


def archive_workshop(ws: Workshop) -> None:
    """Archive: phones can no longer join, and the presenter address and review link close
    (their keys are replaced, so reopening does not bring the old links back)."""
    ws.status = "archived"
    ws.closed_at = utcnow()
    rotate_keys(ws)


def reopen_workshop(ws: Workshop) -> None:
    """Back from the archive; draws a new code if another open workshop took the old one."""
    ws.status = "open"
    ws.closed_at = None
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
    return db.session.scalars(select(Workshop).where(Workshop.join_code == code, Workshop.status == "open")).first()


def workshop_counts(ws_ids: list[int]) -> dict[int, dict[str, int]]:
    """Participants and responses per workshop, for the dashboard, in two queries."""
    if not ws_ids:
        return {}
    parts = dict(
        db.session.execute(
            select(Participant.workshop_id, func.count())
            .where(Participant.workshop_id.in_(ws_ids))
            .group_by(Participant.workshop_id)
        ).all()
    )
    resp = dict(
        db.session.execute(
            select(Activity.workshop_id, func.count(Response.id))
            .join(Response, Response.activity_id == Activity.id)
            .where(
                Activity.workshop_id.in_(ws_ids), Response.current.is_(True), Response.generation == Activity.generation
            )
            .group_by(Activity.workshop_id)
        ).all()
    )
    return {i: {"participants": parts.get(i, 0), "responses": resp.get(i, 0)} for i in ws_ids}
