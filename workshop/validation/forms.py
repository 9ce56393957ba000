"""HTML forms into the ``dict`` a :class:`~workshop.validation.Schema` validates.

A form sends every field as text (and leaves unticked checkboxes out). :func:`form_data`
undoes only that — how each field *arrives* — and leaves every rule to the schema, so a form
and a socket payload that carry the same thing are refused with the same sentences. Figures
are read here (by :func:`~workshop.validation.number_value`) only for ``"integer"`` fields,
whose schemas want a true ``int``; a refusal names the field, so the page shows it beside it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from .number import number_value

Widget = Literal["text", "checkbox", "lines", "integer", "raw"]


def form_value(widget: Widget, raw: str | None, field: str) -> Any:
    """One field's value as the schema expects it."""
    if widget == "checkbox":
        return bool(raw)
    if widget == "lines":
        return [line.strip() for line in (raw or "").splitlines() if line.strip()]
    if widget == "integer":
        # An empty field stays None: the schema says whether that is allowed.
        return number_value(raw, field, required=False, integral=True)
    if widget == "raw":
        return raw
    return (raw or "").strip()


def form_data(form: Mapping[str, str], widgets: Mapping[str, Widget], prefix: str = "") -> dict[str, Any]:
    """``{name: value}`` for each field named in ``widgets``, read from ``form[prefix + name]``.

    Text fields that are absent become "" (a form that lost a field is treated as one left
    empty); ``"raw"`` fields keep ``None`` when absent so a schema default applies."""
    out: dict[str, Any] = {}
    for name, widget in widgets.items():
        raw = form.get(prefix + name)
        if widget == "raw" and raw is None:
            continue
        out[name] = form_value(widget, raw, name)
    return out


__all__ = ["Widget", "form_data", "form_value"]
