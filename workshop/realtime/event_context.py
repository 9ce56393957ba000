"""What Flask does for each socket event, made cheap without changing what handlers see.

Flask-SocketIO runs every event in a request context built from the connection's WSGI
environ (the same dict for every event of a connection). Building one costs, per event:

- **opening the cookie session**: a new signing serializer (itsdangerous probes it with a JSON
  dump) and the cookie verified. Flask-SocketIO then replaces that session at once with its
  own copy made on the connection's first event (``environ["saved_session"]``), so for every
  later event the work is thrown away. ``SessionInterface`` hands that copy over directly, and
  keeps one serializer per key set for HTTP requests as well.
- **routing the URL**: the URL map bound to the environ and ``/socket.io/`` matched (it
  matches nothing). ``EventApp`` keeps the bound adapter in the environ, so a connection binds
  once, and remembers that its path matched no route.

Measured with py-spy under 2000 voting phones (bench/README.md): together about 17 % of the
server's CPU per vote before. HTTP requests are untouched but for the cached serializer
(each has its own environ).
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from werkzeug.exceptions import NotFound
from werkzeug.routing import MapAdapter

_ADAPTER = "nyttoverkstad.url_adapter"


class SessionInterface(SecureCookieSessionInterface):
    """Flask's cookie session; a socket event gets its connection's session copy directly."""

    def __init__(self) -> None:
        self._serializers: dict[tuple, Any] = {}

    def get_signing_serializer(self, app: Flask) -> Any:
        key = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        serializer = self._serializers.get(key)
        if serializer is None:
            serializer = super().get_signing_serializer(app)
            if len(self._serializers) > 8:  # keys change only in tests
                self._serializers.clear()
            self._serializers[key] = serializer
        return serializer

    def open_session(self, app: Flask, request: Any) -> Any:
        saved = request.environ.get("saved_session")
        if saved is not None:
            # Flask-SocketIO's copy for this connection, which it puts in place right after.
            return saved
        return super().open_session(app, request)


class _KnownMiss:
    """A connection's bound URL adapter whose path is known to match no route."""

    def __init__(self, adapter: MapAdapter) -> None:
        self._adapter = adapter

    def match(self, *args: Any, **kwargs: Any) -> Any:
        if not args and kwargs == {"return_rule": True}:
            raise NotFound()
        return self._adapter.match(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._adapter, name)


class EventApp(Flask):
    """The app class: a socket connection's URL adapter is bound once, not once per event."""

    session_interface = SessionInterface()

    def create_url_adapter(self, request: Any) -> Any:
        if request is None or "saved_session" not in request.environ:
            return super().create_url_adapter(request)
        # A socket event (its connection's session copy exists): same environ, same answer.
        cached = request.environ.get(_ADAPTER)
        if cached is not None:
            return cached
        adapter = super().create_url_adapter(request)
        if adapter is None:
            return None
        try:
            adapter.match(return_rule=True)
            cached = adapter
        except NotFound:
            cached = _KnownMiss(adapter)
        except Exception:
            return adapter
        request.environ[_ADAPTER] = cached
        return cached
