"""Error pages: what a person, or the phone's HTTP API, is told when a request fails.

People get the error page in their language; ``/api/`` callers get JSON of the shape every
answer of the app has (``{"ok": false, "error": {"code", "message"}}``). A database that is
away (down, restarting, locked beyond the wait) is a 503 with ``Retry-After``, never a bare 500.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from .db_errors import unavailable, warn_throttled
from .extensions import db

log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    app.register_error_handler(403, forbidden)
    app.register_error_handler(404, not_found)
    app.register_error_handler(413, too_large)
    app.register_error_handler(429, too_many)
    app.register_error_handler(500, server_error)
    for exc_type in (OperationalError, InterfaceError, PoolTimeout):
        app.register_error_handler(exc_type, database_error)


def forbidden(_e: Exception) -> ResponseReturnValue:
    return render_template("error.html", code=403), 403


def not_found(_e: Exception) -> ResponseReturnValue:
    return render_template("error.html", code=404), 404


def too_large(_e: Exception) -> ResponseReturnValue:
    if request.path.startswith("/api/"):
        return jsonify(ok=False, error={"code": "too_large", "message": gettext("The input is too large.")}), 413
    return render_template("error.html", code=413), 413


def too_many(_e: Exception) -> ResponseReturnValue:
    return render_template("error.html", code=429), 429


def server_error(_e: Exception) -> ResponseReturnValue:
    return render_template("error.html", code=500), 500


def database_error(exc: Exception) -> ResponseReturnValue:
    """The database is down, restarting or locked beyond the wait: say so (503, retry).
    JSON for the phone's API, the error page for people. SQLite also calls some bugs an
    OperationalError: those stay a 500."""
    if not unavailable(exc):
        log.error("request %s failed", request.path, exc_info=exc)
        return render_template("error.html", code=500), 500
    warn_throttled("db", "database unavailable (%s): %s", request.path, exc)
    try:
        db.session.rollback()
    except Exception:
        pass
    message = gettext("The server cannot store answers just now. Try again in a moment.")
    if request.path.startswith("/api/"):
        body: Response | str = jsonify(ok=False, error={"code": "unavailable", "message": message})
    else:
        body = render_template("error.html", code=503)
    return body, 503, {"Retry-After": "2"}
