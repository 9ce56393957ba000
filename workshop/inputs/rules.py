"""The rules of accepting an input that do not depend on the kind, on plain values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import g
from flask_babel import gettext, refresh

from ..activities import InputError
from ..models import Activity, Workshop, timer_closed

CLIENT_ID_MAX = 64
DB_ID_MAX = 2**63 - 1


@dataclass
class Stored:
    """The answer to a phone: the stored input (``duplicate`` when it was stored before).

    ``changed_draft``: storing it also changed the draft analysis (the console's draft and the
    method activities follow)."""

    response_id: int
    duplicate: bool
    data: dict[str, Any]
    status: str
    activity_id: int | None = None
    changed_draft: bool = False


def db_id(value: Any) -> int | None:
    """An id the database can look up, else None (bools, floats, out-of-range ints)."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= DB_ID_MAX:
        return value
    return None


def client_id_ok(client_id: Any) -> bool:
    return isinstance(client_id, str) and 1 <= len(client_id) <= CLIENT_ID_MAX and client_id.isprintable()


def bad_client_id() -> InputError:
    return InputError("invalid", gettext("Every input needs an id of 1 to 64 characters."))


def unknown_activity() -> InputError:
    return InputError("unknown_activity", gettext("Unknown activity."))


def unknown_participant() -> InputError:
    return InputError("unknown_participant", gettext("Join the workshop with its code first."))


def closed_reason(
    *,
    status: str,
    open_until: datetime | None,
    mode: str,
    current_activity_id: int | None,
    activity_id: int,
    locked: bool,
    timer_ends_at: datetime | None = None,
    timer_closes: bool | None = True,
    now: datetime | None = None,
) -> str | None:
    """Why phones may not answer the activity right now (an error code), or None if they may.

    A countdown that closes input (the default; not one that is only a signal) refuses every
    input from the moment it ends until the facilitator adds time, reopens or resets."""
    if not Workshop.open_for_input(status, open_until, now):
        return "closed"
    if locked:
        return "locked"
    if mode != "self_paced" and current_activity_id != activity_id:
        return "not_current"
    if timer_closed(timer_ends_at, timer_closes, now):
        return "time_up"
    return None


def speaking(language: str | None) -> None:
    """Word what follows in ``language`` (a phone's workshop language): the writer answers
    phones of several workshops in one batch, outside their requests. None: as it is."""
    if language is None or getattr(g, "locale", None) == language:
        return
    g.locale = language
    refresh()  # Flask-Babel keeps the locale it chose for the context


def rate_limited() -> InputError:
    return InputError("rate_limited", gettext("Too many answers in a short time. Wait a moment."))


def closed_error(reason: str) -> InputError:
    if reason == "closed":
        return InputError("closed", gettext("The workshop is closed for answers."))
    if reason == "locked":
        return InputError("locked", gettext("This activity is locked."))
    if reason == "time_up":
        return InputError("time_up", gettext("Time is up."))
    return InputError("not_current", gettext("This activity is not open right now."))


def activity_open_for(ws: Workshop, act: Activity) -> None:
    """Raise unless phones may answer ``act`` right now."""
    reason = closed_reason(
        status=ws.status,
        open_until=ws.open_until,
        mode=ws.mode,
        current_activity_id=ws.current_activity_id,
        activity_id=act.id,
        locked=act.locked,
        timer_ends_at=act.timer_ends_at,
        timer_closes=act.timer_closes,
    )
    if reason is not None:
        raise closed_error(reason)
