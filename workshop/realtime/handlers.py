"""Shared shape of every socket event handler: authorise, run, answer with an ack.

Handlers stay thin: they look up who is calling, hand the payload to a core function and turn
its outcome into ``{"ok": true, ...}`` or ``{"ok": false, "error": {"code", "message"}}``.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from flask import current_app, g, request
from flask_babel import gettext
from flask_socketio import ConnectionRefusedError

from ..activities import InputError
from ..db_errors import unavailable, unavailable_error, warn_throttled
from ..extensions import db, socketio
from . import connections
from .connections import Conn

log = logging.getLogger(__name__)


def server_error() -> InputError:
    return InputError("server", gettext("The server could not handle that. Nothing was lost; try again."))


def _cleanup() -> None:
    """Roll back and release the session even when the connection is gone."""
    try:
        db.session.rollback()
    except Exception:
        pass


def ok(**data: Any) -> dict[str, Any]:
    return {"ok": True, **data}


def fail(err: InputError) -> dict[str, Any]:
    return {"ok": False, "error": err.as_dict()}


def event(role: str) -> Callable:
    """Wrap a handler ``fn(conn, payload)``: it runs only for a connection of ``role``."""

    def wrap(fn: Callable[[Conn, Any], dict[str, Any] | None]) -> Callable:
        @functools.wraps(fn)
        def handler(*args: Any) -> dict[str, Any]:
            payload = args[0] if args else None
            # Flask-SocketIO sets ``sid`` and ``namespace`` on the request; Flask's types do not know them.
            conn = connections.get(request.namespace, request.sid)  # type: ignore[attr-defined]
            if conn is None or conn.role != role:
                g.locale = "sv"
                return fail(InputError("forbidden", gettext("Not allowed.")))
            g.locale = conn.language
            try:
                return fn(conn, payload) or ok()
            except InputError as err:
                _cleanup()
                return fail(err)
            except Exception as exc:
                _cleanup()
                if unavailable(exc):
                    warn_throttled("db", "database unavailable (socket event %s): %s", fn.__name__, exc)
                    return fail(unavailable_error())
                log.exception("socket handler %s failed", fn.__name__)
                return fail(server_error())
            finally:
                try:
                    db.session.remove()
                except Exception:
                    pass

        return handler

    return wrap


def field(payload: Any, name: str, default: Any = None) -> Any:
    if not isinstance(payload, dict):
        raise InputError("invalid", gettext("The input must be an object."))
    return payload.get(name, default)


def settings():
    return current_app.extensions["settings"]


@socketio.on_error_default
def _unhandled(exc: BaseException):
    """A handler that is not wrapped by ``event`` failed (a connect handler while the database
    restarts, say). A connection is refused with a reason the client can show and act on
    ({"code": "unavailable"|"server", "message"}); any other event gets an error ack."""
    _cleanup()
    try:
        db.session.remove()
    except Exception:
        pass
    if not getattr(g, "locale", None):
        g.locale = "sv"
    err = unavailable_error() if unavailable(exc) else server_error()
    message = (getattr(request, "event", None) or {}).get("message")
    if unavailable(exc):
        warn_throttled("db", "database unavailable (socket %s): %s", message, exc)
    else:
        log.error("socket handler failed", exc_info=exc)
    if message == "connect":
        raise ConnectionRefusedError(err.message, err.as_dict())
    return fail(err)
