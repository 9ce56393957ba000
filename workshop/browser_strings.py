"""Every string the browser code needs, translated for the current request: the core's
(``workshop.i18n``), the draft analysis' vocabulary, and each activity kind's own.

A module of its own above all three, so that the kinds can use ``workshop.i18n`` (its plural
marker) without ``i18n`` having to know the kinds. Pages embed the result as JSON
(``js_strings()`` in templates/base.html); ``t(key)`` in static/js/core.js reads it.

The facilitator's pages get all of them. A phone gets only what the phone draws
(``phone_strings``): the core's strings but the console's and the keyboard help, the counts,
and the strings of the kinds its workshop holds (with the kinds whose modules those import,
and the vocabulary when their code uses it). A kind added while the phone is open has its
strings fetched with its module (``kind_strings``, GET /api/strings/<lang>/<kind>.json).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import lazy_gettext as _l

from . import checklist
from .activities import all_kinds
from .assets import assets
from .draft import vocabulary
from .i18n import BASE_JS_STRINGS, COUNT_JS_STRINGS, DRAFT_JS_STRINGS, Plural

# Core strings only the console and the presenter window show.
NOT_ON_PHONES = ("console.", "keys.")


def js_strings() -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in BASE_JS_STRINGS.items():
        _add(out, key, value)
    out.update(vocabulary.js_strings())
    out.update({k: str(v) for k, v in DRAFT_JS_STRINGS.items()})
    for key, value in COUNT_JS_STRINGS.items():
        _add(out, key, value)
    out.update({k: str(v) for k, v in FOCUS_JS_STRINGS.items()})
    # The console's checklist: one label per rule (workshop/checklist.py).
    out.update({f"console.checklist.{key}": str(rule.label) for key, rule in checklist.RULES.items()})
    for kind in all_kinds().values():
        out[f"kind.{kind.key}"] = str(kind.label)
        _add_kind(out, kind)
    return out


def phone_kinds(kinds: Iterable[str]) -> list[str]:
    """The kinds whose strings a phone showing ``kinds`` needs: those and the kinds whose
    modules theirs import, known kinds only, each once."""
    known = all_kinds()
    out: list[str] = []
    for kind in kinds:
        if kind in known:
            out.extend(k for k in assets().kind_closure(kind) if k in known and k not in out)
    return out


def phone_strings(kinds: Iterable[str]) -> dict[str, str]:
    """What the phone page embeds for a workshop holding ``kinds`` (see the module's doc)."""
    out: dict[str, str] = {}
    for key, value in BASE_JS_STRINGS.items():
        if not key.startswith(NOT_ON_PHONES):
            _add(out, key, value)
    for key, value in COUNT_JS_STRINGS.items():
        _add(out, key, value)
    out.update({k: str(v) for k, v in FOCUS_JS_STRINGS.items() if not k.startswith(NOT_ON_PHONES)})
    out.update(kind_strings(phone_kinds(kinds)))
    return out


def kind_strings(kinds: Iterable[str]) -> dict[str, str]:
    """The strings of ``kinds`` (already closed over their imports, see ``phone_kinds``) and
    the vocabulary if their code uses it."""
    known = all_kinds()
    out: dict[str, str] = {}
    for key in kinds:
        _add_kind(out, known[key])
        if assets().uses(key, "vocab."):
            out.update(vocabulary.js_strings())
    return out


def _add_kind(out: dict[str, str], kind: Any) -> None:
    for key, value in getattr(kind, "js_strings", {}).items():
        _add(out, f"{kind.key}.{key}", value)


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
    "phone.forgotten": _l("Your answers are deleted."),
}
