"""Open text: free answers shown as cards, optionally approved by the facilitator first.

Duplicates are not counted automatically (two people rarely write the same sentence); the
facilitator merges them, and a merged answer adds to its target's count instead of showing
as a card of its own.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext
from pydantic import Field

from ._text import clean_paragraphs, sort_console_items, text_model
from .base import ActivityKind, ConfigField, InputError, Row, Schema, _l, text_items

MAX_CARDS = 200


def fold_merged(rows: list[Row]) -> tuple[list[Row], dict[int, int]]:
    """Visible rows that stand on their own, and how many visible rows were merged into each.

    A row merged into something that is not itself visible (hidden, deleted, awaiting
    approval) counts nowhere: it is, by the facilitator's word, the same as its target.
    """
    visible = [r for r in rows if r.status == "visible"]
    own = [r for r in visible if not r.merged_into_id]
    ids = {r.id for r in own}
    merged: dict[int, int] = {}
    for r in visible:
        if r.merged_into_id and r.merged_into_id in ids:
            merged[r.merged_into_id] = merged.get(r.merged_into_id, 0) + 1
    return own, merged


# --- the kind ------------------------------------------------------------------------------


class OpenTextConfig(Schema):
    max_entries: int = Field(default=3, ge=1, le=20)
    max_length: int = Field(default=280, ge=10, le=1000)
    premoderate: bool = False


class OpenText(ActivityKind):
    key = "open_text"
    # Place among the polls in the editor's list.
    order = 4
    label = _l("Open text")
    description = _l("Free-text answers shown as cards; you can approve them before they are shown.")
    default_title = _l("What should we keep in mind?")
    answer_mode = "append"
    results_hidden_default = False
    phone_results = "on_reveal"
    moderated = True
    Config = OpenTextConfig
    config_fields = [
        ConfigField("max_entries", _l("Answers per participant"), "int", min=1, max=20),
        ConfigField("max_length", _l("Longest answer (characters)"), "int", min=10, max=1000),
        ConfigField(
            "premoderate",
            _l("Approve answers before they are shown"),
            "bool",
            help=_l("New answers wait in the console until you approve them."),
        ),
    ]
    js_strings = {
        "label": _l("Your answer"),
        "placeholder": _l("Write your answer here"),
        "left": _l("You can send %(left)s more."),
        "limit_reached": _l("You have sent all your answers. Thank you!"),
        "empty": _l("Write something first."),
        "premoderated": _l("The facilitator reviews answers before they are shown."),
        "showing": _l("Showing %(n)s of %(total)s"),
        "no_answers": _l("No answers yet."),
        "merged_into": _l("Merged into: %(text)s"),
        "same_as": _l("%(n)s with the same answer"),
        "all_answers": _l("Everyone's answers"),
    }

    def input_model(self, config: OpenTextConfig) -> type[Schema]:
        return text_model("OpenTextAnswer", config.max_length)

    def check_input(self, config: OpenTextConfig, data: dict[str, Any]) -> dict[str, Any]:
        text = clean_paragraphs(data["text"])
        if not text:
            raise InputError(
                "invalid", gettext("This field cannot be empty."), {"text": gettext("This field cannot be empty.")}
            )
        return {"text": text}

    def max_entries(self, config: OpenTextConfig) -> int | None:
        return config.max_entries

    def initial_status(self, config: OpenTextConfig, data: dict[str, Any]) -> str:
        return "pending" if config.premoderate else "visible"

    def aggregate(self, config: OpenTextConfig, rows: list[Row]) -> dict[str, Any]:
        own, merged = fold_merged(rows)
        cards = [
            {"id": r.id, "text": r.data.get("text", ""), "count": 1 + merged.get(r.id, 0)}
            for r in sorted(own, key=lambda r: r.id, reverse=True)
        ]
        return {
            "entries": cards[:MAX_CARDS],
            # Cards before the cut, and every visible answer including merged duplicates.
            "total": len(cards),
            "answers": sum(c["count"] for c in cards),
        }

    def console_items(self, config: OpenTextConfig, rows: list[Row]) -> list[dict[str, Any]]:
        return sort_console_items(text_items(rows))

    def summary(self, config: OpenTextConfig, aggregate: dict[str, Any]) -> list[tuple[str, Any]]:
        return [(c["text"], c["count"]) for c in aggregate["entries"]]

    def csv_header(self, config: OpenTextConfig) -> list[str]:
        return ["text", "merged_into"]

    def csv_cells(self, config: OpenTextConfig, row: Row) -> list[Any]:
        return [row.data.get("text", ""), row.merged_into_id or ""]


KIND = OpenText()
