"""Helpers of the method kinds, which read the workshop's draft analysis."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar, Literal

from flask_babel import gettext

from ..draft.models import Node
from .base import Context, Entry, InputError, Row, Schema


def analysis_of(draft: Any):
    """The analysis of a ``DraftSnapshot``, or ``None`` when the workshop has no draft yet."""
    return draft.analysis if draft is not None else None


def live_items(analysis: Any, types: Iterable[str]) -> list[Node]:
    """Visible, unmerged nodes of ``types``, in the draft's order."""
    if analysis is None:
        return []
    wanted = set(types)
    return [n for n in analysis.nodes if n.status == "visible" and not n.merged_into_id and n.node_type in wanted]


def item_error(field: str = "node") -> InputError:
    message = gettext("That item does not exist.")
    return InputError("unknown_item", message, {field: message})


def item_of(analysis: Any, node_id: Any, types: Iterable[str], field: str = "node") -> Node:
    """The node an input is about: one of this activity's items, in this workshop's draft.

    A node of another workshop's analysis, a hidden or merged node or a node of another
    type is refused the same way as an id that does not exist."""
    if analysis is None or not isinstance(node_id, int) or isinstance(node_id, bool):
        raise item_error(field)
    found = next((n for n in live_items(analysis, types) if n.id == node_id), None)
    if found is None:
        raise item_error(field)
    return found


def final_node(by_id: dict[int, Node], node_id: Any) -> int | None:
    """Follow merges, so votes on a duplicate count for the item it was merged into."""
    seen: set[int] = set()
    node = by_id.get(node_id) if isinstance(node_id, int) else None
    while node is not None and node.merged_into_id and node.id not in seen:
        seen.add(node.id)
        node = by_id.get(node.merged_into_id)
    return node.id if node is not None else None


def latest_per_item(rows: list[Row], analysis: Any, item_ids: set[int]) -> dict[int, dict[int, Row]]:
    """The latest current row per (item, participant), merged duplicates folded in."""
    by_id = {n.id: n for n in analysis.nodes} if analysis is not None else {}
    out: dict[int, dict[int, Row]] = {}
    for r in sorted(rows, key=lambda r: r.id):
        target = final_node(by_id, (r.data or {}).get("node"))
        if target in item_ids:
            out.setdefault(target, {})[r.participant_id] = r
    return out


def about(mine: list[Row], node_id: int) -> list[int]:
    """The phone's current entries about ``node_id``: a new one on the same item replaces them."""
    return [r.id for r in mine if r.ref_id == node_id]


def perspective_labels(analysis: Any) -> list[str]:
    return labels_of(analysis.perspectives if analysis is not None else None)


def labels_of(perspectives: Any) -> list[str]:
    """The labels of an analysis' ``perspectives`` column (a list of {kind, label})."""
    return [p.get("label", "") for p in (perspectives or []) if isinstance(p, dict) and p.get("label")]


class NoInput:
    """Mixin for the method's read-only activities: phones never send anything."""

    answer_mode: ClassVar[Literal["replace", "append", "custom"]] = "custom"

    def input_model(self, config: Schema) -> type[Schema]:
        raise InputError("no_input", gettext("This activity takes no answers."))

    def validate_input(self, config: Schema, payload: Any) -> dict[str, Any]:
        raise InputError("no_input", gettext("This activity takes no answers."))

    def prepare(self, config: Schema, payload: Any, ctx: Context) -> Entry:
        raise InputError("no_input", gettext("This activity takes no answers."))

    def responders(self, rows: list[Row]) -> int:
        return 0

    def csv_header(self, config: Schema) -> list[str]:
        return []

    def csv_cells(self, config: Schema, row: Row) -> list[Any]:
        return []
