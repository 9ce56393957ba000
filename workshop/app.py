"""Application factory: one place that wires the core, the blueprints and the socket layer."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask, g, render_template, request
from flask_babel import get_locale
from flask_compress import Compress
from sqlalchemy import event
from sqlalchemy.engine import Engine

from .config import Settings
from .extensions import babel, csrf, db, login_manager, socketio
from .i18n import js_strings, select_locale
from .models import User
from .draft import models as _draft_models  # noqa: F401  (registers the draft tables)
from .ratelimit import RateLimits
from .realtime.broadcaster import Broadcaster
from .security import add_security_headers

ROOT = Path(__file__).resolve().parent.parent
log = logging.getLogger(__name__)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """WAL lets readers run beside the writer; NORMAL sync keeps every commit through a
    process crash (kill -9) at a fraction of FULL's cost; busy_timeout retries a locked file."""
    module = type(dbapi_connection).__module__
    if "sqlite" not in module:
        return
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def create_app(settings: Settings | None = None, async_mode: str = "threading", migrate: bool = True) -> Flask:
    settings = settings or Settings.from_env()
    app = Flask(
        __name__,
        static_folder=str(ROOT / "static"),
        static_url_path="/static",
        template_folder="templates",
    )
    app.config.update(
        SECRET_KEY=settings.secret_key,
        SQLALCHEMY_DATABASE_URI=settings.database_url,
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True},
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=settings.secure_cookies,
        PERMANENT_SESSION_LIFETIME=60 * 60 * 24 * 30,
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,
        BABEL_DEFAULT_LOCALE="sv",
        BABEL_TRANSLATION_DIRECTORIES=str(Path(__file__).parent / "translations"),
        WTF_CSRF_TIME_LIMIT=None,
        TESTING=settings.testing,
    )
    app.extensions["settings"] = settings

    # Phones on a conference Wi-Fi: compress pages, JS and CSS (the socket traffic is
    # handled below Flask by Engine.IO and is not touched).
    app.config.update(
        COMPRESS_MIMETYPES=["text/html", "text/css", "application/javascript", "text/javascript",
                            "application/json", "image/svg+xml", "text/csv"],
        COMPRESS_ALGORITHM=["br", "gzip"],
        COMPRESS_MIN_SIZE=512,
    )
    Compress(app)
    db.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    login_manager.init_app(app)
    login_manager.login_view = "facilitator.login"
    login_manager.login_message = None

    @login_manager.user_loader
    def load_user(user_id: str):
        return db.session.get(User, int(user_id)) if user_id.isdigit() else None

    # Import the socket handlers before init_app: Flask-SocketIO keeps handlers declared while it has
    # no server and replays them on every init_app; declared later they reach only that one server.
    from facilitator import sockets as _facilitator_sockets  # noqa: F401  (registers handlers)
    from participant import sockets as _participant_sockets  # noqa: F401

    socketio.init_app(
        app,
        async_mode=async_mode,
        message_queue=settings.message_queue,
        cors_allowed_origins=settings.cors_origins,
        # Phones on flaky networks: notice a dead link within ~45 s, not minutes.
        ping_interval=20,
        ping_timeout=25,
        max_http_buffer_size=64 * 1024,
        logger=False,
        engineio_logger=False,
    )
    app.extensions["limits"] = RateLimits(
        settings.ratelimit_storage,
        {"join": settings.rate_limit_join, "submit": settings.rate_limit_submit, "login": "10/minute"},
    )
    app.extensions["broadcaster"] = Broadcaster(
        app, socketio, interval=settings.broadcast_interval, phone_interval=settings.phone_broadcast_interval
    )

    from facilitator import bp as facilitator_bp
    from participant import bp as participant_bp

    app.register_blueprint(facilitator_bp)
    app.register_blueprint(participant_bp)
    app.after_request(add_security_headers)

    from .formatting import register_filters

    register_filters(app)

    @app.context_processor
    def inject_globals():
        return {"current_locale": str(get_locale()), "js_strings": js_strings}

    @app.errorhandler(404)
    def not_found(_e):
        return render_template("error.html", code=404), 404

    @app.errorhandler(429)
    def too_many(_e):
        return render_template("error.html", code=429), 429

    @app.errorhandler(500)
    def server_error(_e):
        return render_template("error.html", code=500), 500

    @app.before_request
    def _locale_from_query():
        # Touch the selector early so ?lang= sticks even on pages that render no text first.
        if "lang" in request.args:
            g.pop("locale", None)

    if migrate:
        from .migrate import upgrade

        with app.app_context():
            upgrade()
    return app


def broadcaster() -> Broadcaster:
    from flask import current_app

    return current_app.extensions["broadcaster"]


def limits() -> RateLimits:
    from flask import current_app

    return current_app.extensions["limits"]
