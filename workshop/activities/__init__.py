"""Registry of activity kinds. Each module in this package defines one ``ActivityKind``.

Discovery is by module, so adding a kind means adding a file here (and its JS module in
``static/js/kinds/``) and nothing else.
"""

from __future__ import annotations

import importlib
import pkgutil

from .base import ActivityKind, InputError

_KINDS: dict[str, ActivityKind] = {}


def _discover() -> None:
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if info.name.startswith("_") or info.name == "base":
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        kind = getattr(module, "KIND", None)
        if isinstance(kind, ActivityKind):
            if kind.key in _KINDS:
                raise RuntimeError(f"two activity kinds named {kind.key!r}")
            _KINDS[kind.key] = kind


def all_kinds() -> dict[str, ActivityKind]:
    if not _KINDS:
        _discover()
    return _KINDS


def get_kind(key: str) -> ActivityKind:
    try:
        return all_kinds()[key]
    except KeyError:
        from flask_babel import gettext

        raise InputError("unknown_kind", gettext("Unknown activity type.")) from None


__all__ = ["ActivityKind", "InputError", "all_kinds", "get_kind"]
