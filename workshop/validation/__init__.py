"""One validation toolkit for every way input reaches the product.

Socket payloads (activity settings and inputs), the facilitator's draft operations and the
HTML forms are all checked the same way: the input becomes a plain ``dict``, a pydantic
:class:`Schema` validates it, and a refusal is an :class:`InputError` whose messages come from
one table of translated sentences (:func:`field_message`). People see the same sentence for the
same mistake wherever they make it.

A package rather than one module because its parts have different reach:

* ``messages`` — :class:`InputError` and the translated sentence for each kind of mistake;
* ``schema``   — the strict :class:`Schema` base, :func:`parse` and :func:`check` (one value);
* ``number``   — :func:`swedish_number`, the one reader of typed figures ("1 234,5", "1234.5");
* ``types``    — pydantic field types built on the above (text with a limit, figures, refusals
  with their own sentence) for draft operations and forms;
* ``forms``    — HTML form data to the ``dict`` a schema validates.
"""

from __future__ import annotations

from .forms import form_data
from .messages import InputError, field_message, validation_error
from .number import NumberTextError, check_order, number_value, swedish_number
from .schema import Schema, check, parse
from .types import Day, Figure, Text, refuse

__all__ = [
    "Day",
    "Figure",
    "InputError",
    "NumberTextError",
    "Schema",
    "Text",
    "check",
    "check_order",
    "field_message",
    "form_data",
    "number_value",
    "parse",
    "refuse",
    "swedish_number",
    "validation_error",
]
