"""Telling a failure of the database itself from a bug, and saying so without flooding the log.

The HTTP error pages, the socket handlers, the input writer and the broadcaster all ask the
same question when a statement fails — is the database away (down, restarting, locked, pool
exhausted), so the caller should say "try again" and keep what it has, or is this a bug? —
so the answer lives here, below all of them.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from flask_babel import gettext
from sqlalchemy import exc as sa_exc

from .activities.base import InputError

log = logging.getLogger(__name__)


def unavailable(exc: BaseException) -> bool:
    """True for a failure of the database itself (down, restarting, locked, pool exhausted),
    as opposed to a bug: the phone keeps the input and sends it again."""
    orig = getattr(exc, "orig", None)
    if orig is not None and type(orig).__module__.startswith("sqlite3"):
        # SQLite reports a typo in SQL as an OperationalError too: only a busy or unreachable
        # file is worth sending again.
        text = str(orig).lower()
        return any(w in text for w in ("locked", "busy", "unable to open", "disk i/o"))
    if isinstance(exc, (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError)):
        return True
    if isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated:
        return True
    return type(exc).__module__.startswith("psycopg") and type(exc).__name__ in ("OperationalError", "InterfaceError")


_last_warned: dict[str, float] = {}


def warn_throttled(key: str, message: str, *args: Any, every: float = 10.0) -> None:
    """Log a warning at most once per ``every`` seconds per ``key``: a database outage must
    not bury the log under one line per phone and retry."""
    now = time.monotonic()
    if now - _last_warned.get(key, -every) >= every:
        _last_warned[key] = now
        log.warning(message, *args)


__all__ = ["unavailable", "unavailable_error", "warn_throttled"]


def unavailable_error() -> InputError:
    """What a phone is told when its input could not be stored because the database is away."""
    return InputError(
        "unavailable",
        gettext("The server cannot store answers just now. Your answer is kept and sent again in a moment."),
    )
