"""Every string the browser code needs, translated for the current request: the core's
(``workshop.i18n``), the draft analysis' vocabulary, and each activity kind's own.

A module of its own above all three, so that the kinds can use ``workshop.i18n`` (its plural
marker) without ``i18n`` having to know the kinds. Pages embed the result as JSON
(``js_strings()`` in templates/base.html); ``t(key)`` in static/js/core.js reads it.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from .activities import all_kinds
from .draft import vocabulary
from .i18n import BASE_JS_STRINGS, COUNT_JS_STRINGS, DRAFT_JS_STRINGS, Plural


def js_strings() -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in BASE_JS_STRINGS.items():
        _add(out, key, value)
    out.update(vocabulary.js_strings())
    out.update({k: str(v) for k, v in DRAFT_JS_STRINGS.items()})
    for key, value in COUNT_JS_STRINGS.items():
        _add(out, key, value)
    out.update({k: str(v) for k, v in FOCUS_JS_STRINGS.items()})
    for kind in all_kinds().values():
        out[f"kind.{kind.key}"] = str(kind.label)
        for key, value in getattr(kind, "js_strings", {}).items():
            _add(out, f"{kind.key}.{key}", value)
    return out


def _add(out: dict[str, str], key: str, value: Any) -> None:
    """A plural string becomes two keys: ``key`` (other) and ``key#one``."""
    if isinstance(value, Plural):
        out[f"{key}#one"], out[key] = value.forms()
    else:
        out[key] = str(value)


# Keyboard and screen-reader strings of the console and the phone (static/js/keys.js, phone.js).
FOCUS_JS_STRINGS = {
    "keys.on": _l("The keys steer the room now."),
    "keys.paused": _l("Keys paused: a button or field has focus (Esc on a button gives them back)."),
    "phone.now": _l("Now: %(title)s"),
}
