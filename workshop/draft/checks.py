"""Checks of the effect chain that screens show beside it (reading the draft, never editing it)."""

from __future__ import annotations

from collections import deque
from typing import Any

from flask_babel import gettext, lazy_gettext

from .models import Analysis

# The frame a complete document names (method.md, "Facts about the analysis" and
# "Utgångspunkter"), in the order the draft page and step 1's console show it.
FRAME_FACTS = (
    ("name_of_change", lazy_gettext("Name of the change")),
    ("organisation", lazy_gettext("Organisation")),
    ("area", lazy_gettext("Area")),
    ("geography", lazy_gettext("Geography")),
    ("start_year", lazy_gettext("Start year")),
    ("purpose", lazy_gettext("Purpose of the analysis")),
    ("status_text", lazy_gettext("Status")),
    ("perspectives", lazy_gettext("Perspectives")),
    ("alternative_a", lazy_gettext("Alternative A")),
    ("alternative_b", lazy_gettext("Alternative B")),
)


def not_given() -> str:
    """What a document says where the frame is empty: never a made-up value."""
    return gettext("not given")


def or_not_given(value: object) -> str:
    """``value`` as text, or "ej angivet" when it is empty."""
    text = "" if value is None else " ".join(str(value).split())
    return text or not_given()


def frame_gaps(analysis: Analysis) -> list[dict[str, str]]:
    """The parts of the frame still empty, ``[{"key", "label"}]``: what the draft page and the
    export buttons say is missing before a file is made."""
    gaps = []
    for key, label in FRAME_FACTS:
        value = getattr(analysis, key, None)
        if key == "perspectives":
            empty = not any(str(p.get("label") or "").strip() for p in (value or []))
        else:
            empty = value is None or not str(value).strip()
        if empty:
            gaps.append({"key": key, "label": str(label)})
    return gaps


def chain_checks(analysis: Analysis) -> list[dict[str, Any]]:
    """Hints for the effect chain (method.md): every benefit and consequence cost should
    trace back to an effect; a jump straight from the change to a benefit suggests a gap.

    Linear in items and links, without recursion, whatever the chain's shape (cycles, a
    line of thousands of items, many paths through layers): the console opens with these
    hints, so they must never be what keeps an analysis from opening.
    """
    nodes = {n.id: n for n in analysis.nodes if n.status == "visible"}
    incoming: dict[int, list[int]] = {}
    outgoing: dict[int, list[int]] = {}
    for link in analysis.links:
        if link.from_id in nodes and link.to_id in nodes and link.from_id != link.to_id:
            incoming.setdefault(link.to_id, []).append(link.from_id)
            outgoing.setdefault(link.from_id, []).append(link.to_id)
    reached = _downstream_of(outgoing, [nid for nid, n in nodes.items() if n.node_type == "effekt"])

    hints = []
    for n in nodes.values():
        if n.node_type in ("nytta", "konsekvenskostnad"):
            if n.id not in reached:
                hints.append(
                    {
                        "code": "no_effect",
                        "node_id": n.id,
                        "message": gettext("“%(title)s” does not trace back to an effect.", title=n.title),
                    }
                )
            if any(nodes[s].node_type == "forandring" for s in incoming.get(n.id, [])):
                hints.append(
                    {
                        "code": "jump",
                        "node_id": n.id,
                        "message": gettext(
                            "“%(title)s” follows straight from the change: is an effect missing in between?",
                            title=n.title,
                        ),
                    }
                )
        if n.node_type == "mojlighet" and n.valuation == "money":
            hints.append(
                {
                    "code": "opportunity",
                    "node_id": n.id,
                    "message": gettext(
                        "“%(title)s” is an opportunity: it needs a further decision and is never counted.",
                        title=n.title,
                    ),
                }
            )
    return hints


def _downstream_of(outgoing: dict[int, list[int]], sources: list[int]) -> set[int]:
    """Every node one or more arrows after any of ``sources``: a breadth-first walk that
    visits each node and arrow once (a node traces back to an effect exactly when it is
    downstream of one)."""
    reached: set[int] = set()
    queue = deque(sources)
    while queue:
        for nxt in outgoing.get(queue.popleft(), ()):
            if nxt not in reached:
                reached.add(nxt)
                queue.append(nxt)
    return reached
