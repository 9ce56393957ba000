"""Text cleaning and text input schemas shared by the kinds that take text."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Annotated, Any

from flask_babel import gettext
from pydantic import BeforeValidator, StringConstraints, create_model

from .base import InputError, Schema


def _refuse_control(text: str) -> str:
    # Cc: control characters; Cs: a lone surrogate, which no database can store.
    if any(unicodedata.category(c) in ("Cc", "Cs") and c != "\n" for c in text):
        raise InputError(
            "invalid",
            gettext("The text contains characters that are not allowed."),
            {"text": gettext("The text contains characters that are not allowed.")},
        )
    return text


def clean_line(text: str) -> str:
    """One line: runs of whitespace (newlines, tabs) become one space; control characters refused."""
    return _refuse_control(" ".join(text.split()))


def clean_paragraphs(text: str) -> str:
    """Several lines allowed: tabs become spaces, line ends trimmed, at most one empty line in a row."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    text = "\n".join(line.rstrip() for line in text.split("\n")).strip()
    text = re.sub(r"\n{3,}", "\n\n", text)
    return _refuse_control(text)


def _collapse(value: Any) -> Any:
    return " ".join(value.split()) if isinstance(value, str) else value


def text_model(
    name: str, max_length: int, single_line: bool = False, extra: dict[str, Any] | None = None
) -> type[Schema]:
    """An input schema ``{"text": str}`` whose length limit follows the activity's settings.

    ``single_line`` collapses whitespace before the length is checked, so stray spaces or a
    pasted line break never make a short word "too long".
    """
    return _text_model(name, max_length, single_line, tuple(sorted((extra or {}).items())))


@lru_cache(maxsize=256)
def _text_model(name: str, max_length: int, single_line: bool, extra: tuple) -> type[Schema]:
    text_type: Any = Annotated[str, StringConstraints(min_length=1, max_length=max_length)]
    if single_line:
        text_type = Annotated[text_type, BeforeValidator(_collapse)]
    return create_model(name, __base__=Schema, text=(text_type, ...), **dict(extra))


def sort_console_items(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Awaiting approval first (the facilitator acts on those), then newest first."""
    return sorted(items, key=lambda i: (i["status"] != "pending", -i["id"]))


def clean_part(value: str, field: str) -> str:
    """One line of text; a refusal names the gap it is about."""
    try:
        return clean_line(value)
    except InputError as exc:
        raise InputError(exc.code, exc.message, {field: exc.message}) from None
