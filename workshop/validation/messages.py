"""Refusals and the translated sentence for each kind of mistake.

Every refused input, whichever way it came (a phone's socket payload, a draft operation from
the console, an HTML form), ends as an :class:`InputError`: a stable ``code`` for programs, a
translated ``message`` for people and, per field, the sentence shown next to that field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext, ngettext
from pydantic import ValidationError

#: Error type of :func:`workshop.validation.types.refuse`: the sentence travels in ``ctx``.
REFUSED = "refused"
#: Error types of :data:`workshop.validation.types.Figure` (typed figures).
NUMBER_TEXT = "number_text"
NUMBER_TOO_LARGE = "number_too_large"


class InputError(Exception):
    """A refused input: ``code`` is stable for clients, ``message`` is translated for people."""

    def __init__(self, code: str, message: str, fields: dict[str, str] | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.fields = fields or {}

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.fields:
            out["fields"] = self.fields
        return out


def number_message() -> str:
    """What a typed figure that cannot be read gets, with an example of the Swedish way."""
    return gettext("Write a number, for example 400 or 0,5.")


def too_large_message() -> str:
    return gettext("The number is too large.")


def field_message(err: Mapping[str, Any]) -> str:
    """Translate one pydantic error into a sentence a participant understands."""
    kind = err.get("type", "")
    ctx = err.get("ctx") or {}
    if kind == REFUSED:
        return str(ctx.get("message") or gettext("Invalid value."))
    if kind == NUMBER_TEXT:
        return number_message()
    if kind == NUMBER_TOO_LARGE:
        return too_large_message()
    if kind in {"missing"}:
        return gettext("This field is required.")
    if kind == "string_too_short":
        if ctx.get("min_length", 1) <= 1:
            return gettext("This field cannot be empty.")
        return ngettext(
            "Too short: at least %(n)s character.",
            "Too short: at least %(n)s characters.",
            ctx.get("min_length") or 0,
            n=ctx.get("min_length"),
        )
    if kind == "string_too_long":
        return ngettext(
            "Too long: at most %(n)s character.",
            "Too long: at most %(n)s characters.",
            ctx.get("max_length") or 0,
            n=ctx.get("max_length"),
        )
    if kind in {"too_short"}:
        return gettext("Give at least %(n)s.", n=ctx.get("min_length"))
    if kind in {"too_long"}:
        return gettext("Give at most %(n)s.", n=ctx.get("max_length"))
    if kind in {"greater_than_equal", "greater_than"}:
        return gettext("Must be at least %(n)s.", n=ctx.get("ge", ctx.get("gt")))
    if kind in {"less_than_equal", "less_than"}:
        return gettext("Must be at most %(n)s.", n=ctx.get("le", ctx.get("lt")))
    if kind == "extra_forbidden":
        return gettext("Unknown field.")
    if kind.startswith("int") or kind.startswith("float"):
        return gettext("Must be a number.")
    if kind.startswith("bool"):
        return gettext("Must be yes or no.")
    if kind.startswith("string"):
        return gettext("Must be text.")
    if kind.startswith("list"):
        return gettext("Must be a list.")
    if kind in {"dict_type", "model_type"}:
        return gettext("The input must be an object.")
    if kind in {"literal_error", "enum"}:
        return gettext("Not one of the allowed values.")
    return gettext("Invalid value.")


def validation_error(exc: ValidationError) -> InputError:
    """All of pydantic's findings as one refusal: the first sentence on top, each field's own."""
    fields: dict[str, str] = {}
    for err in exc.errors(include_url=False):
        loc = ".".join(str(p) for p in err.get("loc", ())) or "_"
        fields.setdefault(loc, field_message(err))
    first = next(iter(fields.values()), gettext("Invalid value."))
    return InputError("invalid", first, fields)


__all__ = ["InputError", "field_message", "number_message", "too_large_message", "validation_error"]
