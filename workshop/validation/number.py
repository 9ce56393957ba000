"""The one reader of figures people type: Swedish first, English tolerated.

Swedish users write "1 234,5" (a space, often a non-breaking or narrow one, between thousands
and a decimal comma); phones' numeric pads and English habits give "1234.5". Both are read
the same, by Babel's ``parse_decimal`` for the sv_SE locale, after three normalisations:

* every kind of space (plain, non-breaking U+00A0, narrow U+202F, thin U+2009, figure U+2007)
  and the apostrophe ("1'000") become the locale's group separator;
* the minus sign U+2212 ("−30", as Swedish typography and copied figures have it) becomes "-";
* a period is a decimal point, never a thousands separator: Swedish does not group thousands
  with a period, and "1.5" on an English keyboard means one and a half. So **"1.234" is
  1.234**, and "1,234" is 1.234 too (a decimal comma). A text with both a comma and a period
  ("1,234.5") is refused rather than guessed.

Babel's strict mode then checks the grouping: "1 234" and "12 345 678,5" pass, "1 2 3" and
"1 23" are refused as typos. Only ASCII digits are read: "nan", "inf", "1e5", "0x10" and
digits of other scripts are refused, so a phone cannot smuggle in a value no person typed.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from babel.numbers import NumberFormatError, parse_decimal
from flask_babel import gettext

from .messages import InputError, too_large_message

LOCALE = "sv_SE"
GROUP = "\u00a0"  # sv_SE's group separator
_SPACES = re.compile("[ \u00a0\u202f\u2009\u2007'\u2019]+")
_MINUSES = "-\u2212"
# After normalising: digits in groups, at most one decimal mark, digits after it.
_SHAPE = re.compile(r"(?:[0-9]+(?:\u00a0[0-9]+)*(?:[.,][0-9]*)?|[.,][0-9]+)")
#: Largest figure a typed value may have (well inside a float's exact integers).
MAX_FIGURE = 1e15


class NumberTextError(ValueError):
    """A text that is not a figure; ``reason`` is "empty" or "format"."""

    def __init__(self, text: str, reason: str):
        super().__init__(f"not a number ({reason}): {text!r}")
        self.text = text
        self.reason = reason


def swedish_number(text: str) -> Decimal:
    """The value of a typed figure, exactly (a ``Decimal``). See the module's doc for what is
    read; anything else raises :class:`NumberTextError`."""
    if not isinstance(text, str):
        raise TypeError("swedish_number reads text")
    body = _SPACES.sub(GROUP, text).strip(GROUP + " \t\r\n")
    if not body:
        raise NumberTextError(text, "empty")
    negative = False
    if body[0] in _MINUSES or body[0] == "+":
        negative = body[0] in _MINUSES
        body = body[1:].lstrip(GROUP)
    if not _SHAPE.fullmatch(body):
        raise NumberTextError(text, "format")
    if "." in body:
        # The period is a decimal point (one mark at most, the shape saw to that).
        body = body.replace(".", ",")
    try:
        value = parse_decimal(body, locale=LOCALE, strict=True)
    except NumberFormatError:
        raise NumberTextError(text, "format") from None
    return -value if negative else value


def number_value(
    value: Any, field: str = "value", *, required: bool = True, limit: float = MAX_FIGURE, integral: bool = False
) -> float | int | None:
    """A figure from JSON or a form field: numbers as they are, text read by
    :func:`swedish_number` (through the :data:`~workshop.validation.types.Figure` type, so the
    sentences are those of any schema field). Empty text and ``None`` are ``None`` unless
    ``required``. Refusals are :class:`InputError`s keyed by ``field``.

    With ``integral`` a whole figure comes back as ``int`` (for settings typed as int)."""
    # Imported here: ``types`` builds its Figure on this module's reader.
    from .schema import check
    from .types import Figure

    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            msg = gettext("This field is required.")
            raise InputError("invalid", msg, {field: msg})
        return None
    number = check(Figure, value, field)
    if abs(number) > limit:
        msg = too_large_message()
        raise InputError("invalid", msg, {field: msg})
    if integral and number.is_integer():
        return int(number)
    return number


def check_order(low: float | None, likely: float | None, high: float | None) -> None:
    """Lowest ≤ likely ≤ highest, for the figures given (``None`` = not given); the refusal
    names the field that breaks the order (lowest when it is above likely, else highest)."""
    msg = gettext("Lowest must not be above likely, nor likely above highest.")
    if low is not None and likely is not None and low > likely:
        raise InputError("invalid", msg, {"low": msg})
    if likely is not None and high is not None and likely > high:
        raise InputError("invalid", msg, {"high": msg})
    if low is not None and high is not None and low > high:
        raise InputError("invalid", msg, {"low": msg})


__all__ = ["MAX_FIGURE", "NumberTextError", "check_order", "number_value", "swedish_number"]
