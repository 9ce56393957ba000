"""The strict schema every input is validated with, and the two ways to run it."""

from __future__ import annotations

from typing import Any, TypeVar

from flask_babel import gettext
from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError

from .messages import InputError, validation_error

M = TypeVar("M", bound=BaseModel)
_STRICT = ConfigDict(strict=True, str_strip_whitespace=True)


class Schema(BaseModel):
    """Strict base for settings and inputs: unknown fields and silent coercion are refused."""

    model_config = ConfigDict(extra="forbid", strict=True, str_strip_whitespace=True)


def parse(model: type[M], payload: Any) -> M:
    """Validate a whole input (a ``dict``) against ``model``; refusals as :class:`InputError`."""
    if not isinstance(payload, dict):
        raise InputError("invalid", gettext("The input must be an object."))
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        raise validation_error(exc) from None


_ADAPTERS: dict[Any, TypeAdapter] = {}


def check(type_: Any, value: Any, field: str) -> Any:
    """Validate one value against a field type, with the same rules (strict, spaces trimmed)
    and the same sentences as a :class:`Schema` field; a refusal names ``field``.

    For rules that check one key at a time (the draft's "only the keys given change")."""
    adapter = _ADAPTERS.get(type_)
    if adapter is None:
        adapter = _ADAPTERS[type_] = TypeAdapter(type_, config=_STRICT)
    try:
        return adapter.validate_python(value)
    except ValidationError as exc:
        err = validation_error(exc)
        raise InputError(err.code, err.message, {field: err.message}) from None


__all__ = ["Schema", "check", "parse"]
