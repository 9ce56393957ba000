"""The app's own working parts, one of each per app: the broadcaster, the input writer and
the rate limits.

Flask extensions in the usual shape: made here once, bound to an app by ``init_app`` in the
factory (``workshop.app``), and reached by the code that uses them::

    from workshop.runtime import broadcaster
    broadcaster().mark(activity_id)

Calling the extension gives the current app's object: a process may hold several apps (the
tests make one per test), each with its own broadcaster loop, writer and counters, which is
also where ``app.extensions`` keeps them. These live apart from ``workshop.extensions``
(the database, Socket.IO, …) because the working parts themselves import those: together
they would import each other.
"""

from __future__ import annotations

from typing import Generic, TypeVar

from flask import Flask, current_app

from .extensions import socketio
from .inputs import InputWriter
from .ratelimit import RateLimits
from .realtime.broadcaster import Broadcaster

T = TypeVar("T")


class _PerApp(Generic[T]):
    """An extension whose object is made per app and kept in ``app.extensions[key]``."""

    key: str

    def __call__(self) -> T:
        """The current app's object."""
        return current_app.extensions[self.key]

    def of(self, app: Flask) -> T:
        """``app``'s object, outside an app context (the factory, the CLI)."""
        return app.extensions[self.key]


class Broadcasting(_PerApp[Broadcaster]):
    """The coalescing broadcaster (``workshop.realtime.broadcaster``)."""

    key = "broadcaster"

    def init_app(self, app: Flask) -> None:
        settings = app.extensions["settings"]
        app.extensions[self.key] = Broadcaster(
            app, socketio, interval=settings.broadcast_interval, phone_interval=settings.phone_broadcast_interval
        )


class InputWriting(_PerApp[InputWriter]):
    """The group-commit writer of phone inputs (``workshop.inputs``). ``background``:
    one writer task batches what queues up (the serving process, gevent); otherwise each
    input is written on the caller's thread (threaded test servers, CLI commands)."""

    key = "input_writer"

    def init_app(self, app: Flask, background: bool) -> None:
        app.extensions[self.key] = InputWriter(app, socketio, background=background)


class Limiting(_PerApp[RateLimits]):
    """Rate limits on joining, logging in and inputs (``workshop.ratelimit``)."""

    key = "limits"

    def init_app(self, app: Flask) -> None:
        settings = app.extensions["settings"]
        app.extensions[self.key] = RateLimits(
            settings.ratelimit_storage,
            {
                "join": settings.rate_limit_join,
                "join_new": settings.rate_limit_join_new,
                # A mark, not a budget: this address has reached this workshop (12 h).
                "join_known": "1/12hour",
                "login": settings.rate_limit_login,
                "login_address": settings.rate_limit_login_address,
                "login_account": settings.rate_limit_login_account,
                # A browser that logged in to the account before: its own budget, apart from guessers'.
                "login_device": settings.rate_limit_login,
                "phone_connect": settings.rate_limit_phone_connect,
                "phone_snapshot": settings.rate_limit_phone_snapshot,
                "submit": settings.rate_limit_submit,
                "submit_address": settings.rate_limit_submit_address,
            },
        )


broadcaster = Broadcasting()
input_writer = InputWriting()
limits = Limiting()

__all__ = ["broadcaster", "input_writer", "limits"]
