"""URL converters of the app, and the addresses it shows to people.

Addresses people type or scan (the QR code, "Gå med på …", the review link) come from the
configured ``PUBLIC_URL`` when it is set, never from the request's ``Host`` header: a request
with a forged Host must not make the presenter show, or the QR code carry, another site.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app, request, url_for
from werkzeug.routing import IntegerConverter, Map


class DbIdConverter(IntegerConverter):
    """``<int:…>`` URL segments: database ids, so never beyond 2**63 - 1 (a bigger number is
    a plain 404, not an OverflowError from the database driver)."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any):
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(map, *args, **kwargs)


def public_url_for(endpoint: str, **values: Any) -> str:
    """The full address of ``endpoint`` as people should use it: under ``PUBLIC_URL`` when it
    is configured, else the address this request came in on."""
    base = current_app.extensions["settings"].public_url
    if base:
        return base.rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def public_host() -> str:
    """Host (and port) to show on the presenter: "Gå med på <host>"."""
    base = current_app.extensions["settings"].public_url
    return urlsplit(base).netloc if base else request.host


def init_app(app: Flask) -> None:
    """Register the converters (before the blueprints, whose rules use them) and the address
    helpers for templates."""
    app.url_map.converters["int"] = DbIdConverter
    app.jinja_env.globals.update(public_url_for=public_url_for, public_host=public_host)
