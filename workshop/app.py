"""Application factory: one place that wires the core, the blueprints and the socket layer."""

from __future__ import annotations

import logging
from pathlib import Path

from werkzeug.routing import IntegerConverter
from flask import Flask, g, jsonify, render_template, request
from flask_babel import get_locale, gettext
from flask_compress import Compress
from sqlalchemy import event, text
from sqlalchemy.engine import make_url

from .config import Settings
from .extensions import babel, csrf, db, login_manager, socketio
from .i18n import js_strings, select_locale
from .input_writer import InputWriter
from .models import User
from .draft import models as _draft_models  # noqa: F401  (registers the draft tables)
from .ratelimit import RateLimits
from .realtime.broadcaster import Broadcaster
from .security import SECURITY_HEADERS, add_security_headers

ROOT = Path(__file__).resolve().parent.parent
log = logging.getLogger(__name__)


# Any fixed number: the PostgreSQL advisory lock that lets one process at a time migrate.
MIGRATION_LOCK = 0x6E766D6967  # "nvmig"


def _sqlite_pragmas(busy_ms: int):
    def on_connect(dbapi_connection, connection_record):
        """WAL lets readers run beside the writer; NORMAL sync keeps every commit through a
        process crash (kill -9) at a fraction of FULL's cost; busy_timeout waits for a locked
        file (and ``responses.submit`` retries an input beyond that)."""
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute(f"PRAGMA busy_timeout={int(busy_ms)}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    return on_connect


def engine_options(settings: Settings) -> dict:
    """Pool settings per database. PostgreSQL: a bounded pool per process (under gevent many
    greenlets share it; one waiting longer than ``db_pool_timeout`` gets a clear
    "unavailable" answer), pre-ping so a restarted server is noticed at checkout, a connect
    time-out so a stopped server fails fast instead of holding phones."""
    options: dict = {"pool_pre_ping": True}
    if make_url(settings.database_url).get_backend_name() == "postgresql":
        options.update(
            pool_size=settings.db_pool_size,
            max_overflow=settings.db_max_overflow,
            pool_timeout=settings.db_pool_timeout,
            pool_recycle=1800,
            connect_args={"connect_timeout": settings.db_connect_timeout,
                          "application_name": "nyttoverkstad"},
        )
    return options


def _check_psycopg_under_gevent(async_mode: str) -> None:
    """psycopg 3 cooperates with gevent only if it was imported after the monkey-patch (it then
    waits with the patched ``select``); a C wait would stop every other phone during a query."""
    if async_mode != "gevent":
        return
    import sys

    waiting = sys.modules.get("psycopg.waiting")
    if waiting is not None and getattr(waiting, "wait", None) is getattr(waiting, "wait_c", object()):
        log.error("psycopg was imported before gevent patched the standard library: every query will "
                  "block the whole process. Start with `workshop serve` (it patches first).")


def _upgrade_schema(settings: Settings) -> None:
    """Apply migrations. Several processes may start at once: on PostgreSQL an advisory lock, on
    SQLite a lock file, lets one migrate while the others wait, then find nothing left to do."""
    from .migrate import upgrade

    if db.engine.dialect.name == "sqlite":
        # Two processes on one SQLite file (a second `workshop serve`, a CLI command while the
        # server starts): a lock file next to the database lets one migrate at a time.
        path = db.engine.url.database
        if not path or path == ":memory:":
            upgrade()
            return
        try:
            import fcntl
        except ImportError:  # Windows: one process is all SQLite is for anyway
            upgrade()
            return
        with open(f"{path}.migrate-lock", "a") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                upgrade()
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)
        return
    if db.engine.dialect.name != "postgresql":
        upgrade()
        return
    with db.engine.connect() as lock_conn:
        lock_conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": MIGRATION_LOCK})
        try:
            upgrade()
        finally:
            lock_conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": MIGRATION_LOCK})
            lock_conn.commit()


def create_app(settings: Settings | None = None, async_mode: str = "threading", migrate: bool = True) -> Flask:
    from .portable import LIMITS as DOCUMENT_LIMITS

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
        SQLALCHEMY_ENGINE_OPTIONS=engine_options(settings),
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
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "connect", _sqlite_pragmas(settings.sqlite_busy_timeout * 1000))

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

    @login_manager.user_loader
    def load_user(user_id: str):
        return db.session.get(User, int(user_id)) if user_id.isdigit() else None

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
        client_manager=make_manager(settings.message_queue, settings.message_queue_channel,
                                    settings.message_queue_timeout),
        cors_allowed_origins=settings.cors_origins,
        # Phones on flaky networks: notice a dead link within ~45 s, not minutes.
        ping_interval=20,
        ping_timeout=25,
        max_http_buffer_size=64 * 1024,
        logger=False,
        engineio_logger=False,
    )
    _refuse_reserved_events(socketio.server)
    _refuse_malformed_connects(socketio.server)
    app.extensions["limits"] = RateLimits(
        settings.ratelimit_storage,
        {"join": settings.rate_limit_join, "submit": settings.rate_limit_submit, "login": "10/minute",
         "submit_address": settings.rate_limit_submit_address},
    )
    # Phones' votes: one writer per process stores what queued up in one commit (gevent);
    # threaded test servers write each input on the caller's thread.
    app.extensions["input_writer"] = InputWriter(app, socketio, background=async_mode != "threading")
    app.extensions["broadcaster"] = Broadcaster(
        app, socketio, interval=settings.broadcast_interval, phone_interval=settings.phone_broadcast_interval
    )

    from facilitator import bp as facilitator_bp
    from participant import bp as participant_bp

    # <int:…> in URLs: at most a 64-bit database id, else a plain 404 (not an OverflowError).
    app.url_map.converters["int"] = DbIdConverter
    app.register_blueprint(facilitator_bp)
    app.register_blueprint(participant_bp)
    app.after_request(add_security_headers)
    # Engine.IO answers /socket.io/ below Flask: give those answers the same headers.
    app.wsgi_app = HeadersEverywhere(app.wsgi_app)

    from .formatting import register_filters

    register_filters(app)

    @app.context_processor
    def inject_globals():
        return {"current_locale": str(get_locale()), "js_strings": js_strings}

    @app.errorhandler(404)
    def not_found(_e):
        return render_template("error.html", code=404), 404

    @app.errorhandler(413)
    def too_large(_e):
        if request.path.startswith("/api/"):
            return jsonify(ok=False, error={"code": "too_large", "message": gettext("The input is too large.")}), 413
        return render_template("error.html", code=413), 413

    @app.errorhandler(429)
    def too_many(_e):
        return render_template("error.html", code=429), 429

    @app.errorhandler(500)
    def server_error(_e):
        return render_template("error.html", code=500), 500

    from sqlalchemy.exc import InterfaceError, OperationalError
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    def unavailable(exc):
        # The database is down, restarting or locked beyond the wait: say so (503, retry),
        # never a bare 500. JSON for the phone's API, the error page for people.
        from .realtime.handlers import unavailable as is_unavailable
        from .realtime.handlers import warn_throttled

        if not is_unavailable(exc):  # a bug that SQLite also calls OperationalError
            log.error("request %s failed", request.path, exc_info=exc)
            return render_template("error.html", code=500), 500
        warn_throttled("db", "database unavailable (%s): %s", request.path, exc)
        try:
            db.session.rollback()
        except Exception:
            pass
        message = gettext("The server cannot store answers just now. Try again in a moment.")
        if request.path.startswith("/api/"):
            resp = jsonify(ok=False, error={"code": "unavailable", "message": message})
        else:
            resp = app.make_response((render_template("error.html", code=503), 503))
        resp.status_code = 503
        resp.headers["Retry-After"] = "2"
        return resp

    for exc_type in (OperationalError, InterfaceError, PoolTimeout):
        app.register_error_handler(exc_type, unavailable)

    @app.before_request
    def _locale_from_query():
        # Touch the selector early so ?lang= sticks even on pages that render no text first.
        if "lang" in request.args:
            g.pop("locale", None)

    if settings.trusted_proxies > 0:
        # Behind nginx: the phone's address (rate limits), scheme (Secure cookies, origin check)
        # and host come from X-Forwarded-*, set by that many proxies and no more.
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_port=n)

    _check_psycopg_under_gevent(async_mode)
    if migrate:
        with app.app_context():
            _upgrade_schema(settings)
    return app


class DbIdConverter(IntegerConverter):
    """``<int:…>`` URL segments: database ids, so never beyond 2**63 - 1."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(map, *args, **kwargs)


class HeadersEverywhere:
    """WSGI middleware: the security headers also on responses Flask does not make."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        def start(status, headers, exc_info=None):
            present = {k.lower() for k, _ in headers}
            headers = list(headers) + [(k, v) for k, v in SECURITY_HEADERS if k.lower() not in present]
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, start)


def _refuse_reserved_events(server) -> None:
    """An event a client names "connect", "disconnect" or "*" (or sends without a name) would
    reach python-socketio's connect/disconnect/catch-all handlers: answer it as refused."""
    from socketio import packet

    handle = server._handle_event

    def guarded(eio_sid, namespace, id, data):
        if not data or not isinstance(data[0], str) or data[0] in ("connect", "disconnect", "*"):
            if id is not None:
                server._send_packet(eio_sid, server.packet_class(
                    packet.ACK, namespace=namespace or "/", id=id,
                    data=[{"ok": False, "error": {"code": "forbidden", "message": "Not allowed."}}]))
            return None
        return handle(eio_sid, namespace, id, data)

    server._handle_event = guarded


def _refuse_malformed_connects(server) -> None:
    """A CONNECT packet python-socketio cannot decode (a payload that is a bare number such as
    ``0.0``: its decoder reads the leading digits as an ack id and fails on the rest) raised
    inside Engine.IO's message handler and left the client without an answer. Refuse it the
    way every refused connection is answered. Other undecodable packets keep today's
    behaviour: dropped by the decoder, the connection goes on (tests/fuzz pins that)."""
    from socketio import packet

    handle = server._handle_eio_message

    def guarded(eio_sid, data):
        try:
            return handle(eio_sid, data)
        except ValueError:  # json.JSONDecodeError included; handlers' own errors never get here
            if not (isinstance(data, str) and data.startswith("0")):
                raise
            namespace = data[1:].split(",", 1)[0] if data[1:2] == "/" else "/"
            message = "Malformed Socket.IO packet."
            server._send_packet(eio_sid, server.packet_class(
                packet.CONNECT_ERROR, namespace=namespace,
                data={"message": message, "data": {"code": "invalid", "message": message}}))
            return None

    server._handle_eio_message = guarded


def broadcaster() -> Broadcaster:
    from flask import current_app

    return current_app.extensions["broadcaster"]


def input_writer() -> InputWriter:
    from flask import current_app

    return current_app.extensions["input_writer"]


def limits() -> RateLimits:
    from flask import current_app

    return current_app.extensions["limits"]
