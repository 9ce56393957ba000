"""Application factory: one place that wires the core, the blueprints and the socket layer.

It only binds extensions and registers what other modules define; nothing imports back into
it. Where things live: the database (``database``), error pages (``errors``), security headers
(``security``), URL converters (``routing``), the per-app working parts — broadcaster, input
writer, rate limits — (``runtime``), and the guards on python-socketio
(``realtime.socketio_patches``).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from flask import Flask, g, request
from flask_babel import get_locale
from flask_compress import Compress

from . import assets, database, errors, login_sessions, oidc, routing, security
from .browser_strings import js_strings
from .config import Settings
from .draft import models as _draft_models  # noqa: F401  (registers the draft tables)
from .extensions import babel, csrf, login_manager, socketio
from .followup import models as _followup_models  # noqa: F401  (registers the follow-up tables)
from .i18n import select_locale
from .library import models as _library_models  # noqa: F401  (registers the library tables)
from .realtime import fastjson, socketio_patches
from .realtime.event_context import EventApp
from .runtime import broadcaster, input_writer, limits

ROOT = Path(__file__).resolve().parent.parent


def create_app(settings: Settings | None = None, async_mode: str = "threading", migrate: bool = True) -> Flask:
    """An app for ``settings``. ``async_mode="gevent"`` is the serving process (``workshop
    serve``): its input writer batches in a task of its own and its broadcaster loop runs from
    here on. Threaded apps (tests, CLI commands) write each input on the caller's thread and
    send results when ``broadcaster().flush()`` is called."""

    from .portable import LIMITS as DOCUMENT_LIMITS

    settings = settings or Settings.from_env()
    background = async_mode != "threading"
    app = EventApp(
        __name__,
        static_folder=str(ROOT / "static"),
        static_url_path="/static",
        template_folder="templates",
    )
    app.config.update(
        SECRET_KEY=settings.secret_key,
        SQLALCHEMY_DATABASE_URI=settings.database_url,
        SQLALCHEMY_ENGINE_OPTIONS=database.engine_options(settings),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=settings.secure_cookies,
        PERMANENT_SESSION_LIFETIME=60 * 60 * 24 * 30,
        REMEMBER_COOKIE_DURATION=timedelta(days=max(settings.remember_days, 1)),
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
        COMPRESS_MIMETYPES=[
            "text/html",
            "text/css",
            "application/javascript",
            "text/javascript",
            "application/json",
            "image/svg+xml",
            "text/csv",
        ],
        COMPRESS_ALGORITHM=["br", "gzip"],
        COMPRESS_MIN_SIZE=512,
    )
    Compress(app)
    assets.init_app(app)  # one stylesheet per page type, long-cached addresses
    database.init_app(app, settings)

    @app.before_request
    def room_for_an_imported_document() -> None:
        """The one larger request: an imported document, with room for one just over its
        cap (so it is told the cap, not given a bare 413). Before the CSRF check, which is
        the first to read the form."""
        if request.endpoint == "facilitator.import_workshop":
            request.max_content_length = DOCUMENT_LIMITS["bytes"] + 64 * 1024

    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    login_manager.init_app(app)
    login_manager.login_view = "facilitator.login"
    login_manager.login_message = None
    login_manager.user_loader(login_sessions.load)
    oidc.init_app(app)
    app.after_request(_touch_login)

    _init_sockets(app, settings, async_mode)
    limits.init_app(app)
    input_writer.init_app(app, background=background)
    broadcaster.init_app(app)

    from facilitator import bp as facilitator_bp
    from participant import bp as participant_bp

    routing.init_app(app)
    app.register_blueprint(facilitator_bp)
    app.register_blueprint(participant_bp)
    security.init_app(app)
    errors.init_app(app)

    from .formatting import register_filters

    register_filters(app)
    app.context_processor(_template_globals)
    app.before_request(_locale_from_query)

    if settings.trusted_proxies > 0:
        # Behind nginx: the phone's address (rate limits), scheme (Secure cookies, origin check)
        # and host come from X-Forwarded-*, set by that many proxies and no more.
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_port=n)  # type: ignore[method-assign]

    database.check_psycopg_under_gevent(async_mode)
    if migrate:
        with app.app_context():
            database.upgrade_schema()
    if background:
        broadcaster.of(app).start()  # after the migrations: its loop reads the database
    return app


def _init_sockets(app: Flask, settings: Settings, async_mode: str) -> None:
    # Import the socket handlers before init_app: Flask-SocketIO keeps handlers declared while it has
    # no server and replays them on every init_app; declared later they reach only that one server.
    from facilitator import sockets as _facilitator_sockets  # noqa: F401  (registers handlers)
    from participant import sockets as _participant_sockets  # noqa: F401

    from .realtime import handlers as _handlers  # noqa: F401  (error handling for every socket event)
    from .realtime.queue import make_manager

    socketio.init_app(
        app,
        async_mode=async_mode,
        # Passed every time, also as None: the SocketIO singleton keeps options between apps.
        client_manager=make_manager(
            settings.message_queue, settings.message_queue_channel, settings.message_queue_timeout
        ),
        cors_allowed_origins=settings.cors_origins,
        # Phones on flaky networks: notice a dead link within ~45 s, not minutes.
        ping_interval=20,
        ping_timeout=25,
        max_http_buffer_size=64 * 1024,
        logger=False,
        engineio_logger=False,
        json=fastjson,
        serializer=fastjson.JsonPacket,
    )
    socketio_patches.install(socketio.server)


def _touch_login(response):
    login_sessions.touch()
    return response


def _template_globals() -> dict[str, object]:
    return {"current_locale": str(get_locale()), "js_strings": js_strings}


def _locale_from_query() -> None:
    # Touch the selector early so ?lang= sticks even on pages that render no text first.
    if "lang" in request.args:
        g.pop("locale", None)
