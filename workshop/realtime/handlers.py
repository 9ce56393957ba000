"""Shared shape of every socket event handler: authorise, run, answer with an ack.

Handlers stay thin: they look up who is calling, hand the payload to a core function and turn
its outcome into ``{"ok": true, ...}`` or ``{"ok": false, "error": {"code", "message"}}``.
"""

from __future__ import annotations

import functools
import logging
from typing import Any, Callable

from flask import current_app, g, request
from flask_babel import gettext

from ..activities import InputError
from ..extensions import db
from . import connections
from .connections import Conn

log = logging.getLogger(__name__)


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
            conn = connections.get(request.namespace, request.sid)
            if conn is None or conn.role != role:
                g.locale = "sv"
                return fail(InputError("forbidden", gettext("Not allowed.")))
            g.locale = conn.language
            try:
                return fn(conn, payload) or ok()
            except InputError as err:
                db.session.rollback()
                return fail(err)
            except Exception:
                db.session.rollback()
                log.exception("socket handler %s failed", fn.__name__)
                return fail(InputError("server", gettext("The server could not handle that. Nothing was lost; try again.")))
            finally:
                db.session.remove()

        return handler

    return wrap


def field(payload: Any, name: str, default: Any = None) -> Any:
    if not isinstance(payload, dict):
        raise InputError("invalid", gettext("The input must be an object."))
    return payload.get(name, default)


def settings():
    return current_app.extensions["settings"]
