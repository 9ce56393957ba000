"""Field types shared by socket payloads, draft operations and forms."""

from __future__ import annotations

import math
from datetime import date
from functools import cache
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, StringConstraints
from pydantic_core import PydanticCustomError

from .messages import NUMBER_TEXT, NUMBER_TOO_LARGE, REFUSED
from .number import MAX_FIGURE, NumberTextError, swedish_number


def refuse(message: Any) -> PydanticCustomError:
    """An error to raise from a validator when the mistake deserves its own sentence
    ("Give the workshop a title.") rather than the generic one for its type."""
    return PydanticCustomError(REFUSED, "{message}", {"message": str(message)})


def has_lone_surrogate(text: str) -> bool:
    """A UTF-16 surrogate left alone (JSON's "\\ud800"): not a character, and no database or
    file can store it. A proper pair arrives as one character, so any surrogate here is alone."""
    return any("\ud800" <= c <= "\udfff" for c in text)


def _storable(text: str) -> str:
    if has_lone_surrogate(text):
        from flask_babel import gettext

        raise refuse(gettext("The text contains characters that are not allowed."))
    return text


@cache
def Text(limit: int, required: bool = False) -> Any:  # noqa: N802 - used like a type
    """Text trimmed of surrounding spaces, at most ``limit`` characters (and not empty if
    ``required``); text that cannot be stored (a lone surrogate) is refused."""
    return Annotated[
        str,
        StringConstraints(strip_whitespace=True, max_length=limit, min_length=1 if required else None),
        AfterValidator(_storable),
    ]


def _read_figure(value: Any) -> Any:
    """Typed text through :func:`swedish_number`; numbers pass on to the float check."""
    if isinstance(value, str):
        try:
            return float(swedish_number(value))
        except NumberTextError:
            raise PydanticCustomError(NUMBER_TEXT, "not a number") from None
    return value


def _finite(value: float) -> float:
    if not math.isfinite(value):
        raise PydanticCustomError(NUMBER_TEXT, "not a number")
    if abs(value) > MAX_FIGURE:
        raise PydanticCustomError(NUMBER_TOO_LARGE, "number too large")
    return value


#: A figure: a JSON number, or text typed the Swedish (or English) way, as a float.
Figure = Annotated[float, BeforeValidator(_read_figure), AfterValidator(_finite)]


def _read_day(value: Any) -> Any:
    """A date field's text (``2027-03-31``, what ``<input type=date>`` sends) as a date."""
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            from flask_babel import gettext

            raise refuse(gettext("Give the date as YYYY-MM-DD, for example 2027-03-31.")) from None
    return value


#: A calendar day: a ``date``, or its ISO text as a date field sends it.
Day = Annotated[date, BeforeValidator(_read_day)]

__all__ = ["Day", "Figure", "Text", "refuse"]
