"""The live state a facilitator steers: which activity is shown, locks, reveals, timers.

Stored in the database (not in a process) so every server process and every reconnecting
screen agrees on it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask_babel import gettext

from .activities import InputError, get_kind
from .extensions import db
from .models import Activity, Workshop, utcnow
from .responses import reset_activity


def activity_of(ws: Workshop, activity_id: Any) -> Activity:
    if isinstance(activity_id, int) and not isinstance(activity_id, bool):  # never True or 1.0 for 1
        for act in ws.activities:
            if act.id == activity_id:
                return act
    raise InputError("unknown_activity", gettext("Unknown activity."))


def goto(ws: Workshop, activity_id: Any) -> Activity:
    act = activity_of(ws, activity_id)
    ws.current_activity_id = act.id
    db.session.commit()
    return act


def step(ws: Workshop, delta: int) -> Activity | None:
    acts = list(ws.activities)
    if not acts:
        return None
    idx = next((i for i, a in enumerate(acts) if a.id == ws.current_activity_id), None)
    # Nothing shown yet: the first step lands on the first activity.
    idx = 0 if idx is None else max(0, min(len(acts) - 1, idx + delta))
    ws.current_activity_id = acts[idx].id
    db.session.commit()
    return acts[idx]


FLAGS = ("locked", "results_visible", "results_hidden", "timer_closes", "split_voters")
TIMER_MIN, TIMER_MAX = 10, 7 * 24 * 3600


def set_flag(ws: Workshop, activity_id: Any, flag: str, value: Any) -> Activity:
    """Lock input, show or hide the results (presenter and phones alike, every kind), change
    whether results start hidden, whether the countdown closes input, or whether the votes are
    split by the voter's perspective (kinds with votes)."""
    act = activity_of(ws, activity_id)
    if flag not in FLAGS or not isinstance(value, bool):
        raise InputError("invalid", gettext("Invalid value."))
    if flag == "split_voters" and value and not get_kind(act.kind).splits:
        raise InputError("invalid", gettext("This activity has no votes to split."))
    if flag == "results_visible":
        act.revealed = value  # the facilitator's choice; a reset returns to the setting
    else:
        setattr(act, flag, value)
    db.session.commit()
    return act


def _seconds(seconds: Any) -> int:
    if not isinstance(seconds, int) or isinstance(seconds, bool) or not TIMER_MIN <= seconds <= TIMER_MAX:
        raise InputError("invalid", gettext("The timer must be between 10 seconds and 7 days."))
    return seconds


def start_timer(ws: Workshop, activity_id: Any, seconds: Any, closes: Any = None) -> Activity:
    """Count down from now. ``closes`` (True/False, None keeps the activity's setting): when
    the time is up phones may no longer answer, or the timer is only a signal."""
    act = activity_of(ws, activity_id)
    if seconds is None:
        seconds = act.timer_seconds or 60
    seconds = _seconds(seconds)
    if closes is not None:
        if not isinstance(closes, bool):
            raise InputError("invalid", gettext("Invalid value."))
        act.timer_closes = closes
    act.timer_ends_at = utcnow() + timedelta(seconds=seconds)
    db.session.commit()
    return act


def extend_timer(ws: Workshop, activity_id: Any, seconds: Any) -> Activity:
    """Add time: to a running countdown, or from now to one that has ended (which reopens
    input) or was not running."""
    act = activity_of(ws, activity_id)
    seconds = _seconds(seconds)
    now = utcnow()
    base = act.timer_ends_at if act.timer_ends_at is not None and act.timer_ends_at > now else now
    if base + timedelta(seconds=seconds) > now + timedelta(seconds=TIMER_MAX):
        raise InputError("invalid", gettext("The timer must be between 10 seconds and 7 days."))
    act.timer_ends_at = base + timedelta(seconds=seconds)
    db.session.commit()
    return act


def stop_timer(ws: Workshop, activity_id: Any) -> Activity:
    """Stop the countdown, running or ended: input is open again (unless locked)."""
    act = activity_of(ws, activity_id)
    act.timer_ends_at = None
    db.session.commit()
    return act


def reset(ws: Workshop, activity_id: Any) -> Activity:
    act = activity_of(ws, activity_id)
    reset_activity(act)
    return act
