"""URL converters of the app."""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter, Map


class DbIdConverter(IntegerConverter):
    """``<int:…>`` URL segments: database ids, so never beyond 2**63 - 1 (a bigger number is
    a plain 404, not an OverflowError from the database driver)."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any):
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(map, *args, **kwargs)


def init_app(app: Flask) -> None:
    """Register the converters; before the blueprints, whose rules use them."""
    app.url_map.converters["int"] = DbIdConverter
