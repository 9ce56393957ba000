"""Ej värderade: benefits and costs not valued in money, with their estimated size, and the ones
not sorted into a category yet."""

from __future__ import annotations

from flask_babel import gettext

from ....draft.compute import counted_nodes
from ....draft.vocabulary import CATEGORY_LABELS, NODE_TYPE_LABELS, VALUATION_LABELS, points_text
from .._context import Context, label
from .._layout import NOT_VALUED
from ..cells import F_BOLD, F_HEAD, F_MUTED, F_TITLE, FILL_HEAD


def write(ctx: Context) -> None:
    b = ctx.book
    ws = b.sheet(NOT_VALUED)
    b.text(ws, 1, 1, NOT_VALUED, F_TITLE)
    b.text(
        ws,
        2,
        1,
        gettext(
            "Benefits and costs not valued in money, with their estimated size (Ingen 0, Liten 1, Måttlig 2, Stor 3)."
        ),
        F_MUTED,
    )
    heads = [
        gettext("Title"),
        gettext("Kind"),
        gettext("Category"),
        gettext("Perspective"),
        gettext("Valuation"),
        gettext("Estimated size"),
        gettext("Score (0–3)"),
        gettext("Description"),
    ]
    for col, heading in enumerate(heads, start=1):
        b.text(ws, 4, col, heading, F_BOLD, FILL_HEAD)
    row = 5
    for nv in ctx.result.not_valued:
        node = ctx.nodes.get(nv.id)
        b.text(ws, row, 1, nv.title, wrap=True)
        b.text(ws, row, 2, label(NODE_TYPE_LABELS, node.node_type) if node is not None else "")
        b.text(ws, row, 3, label(CATEGORY_LABELS, nv.category))
        b.text(ws, row, 4, nv.perspective)
        b.text(ws, row, 5, label(VALUATION_LABELS, node.valuation) if node is not None else "")
        b.text(ws, row, 6, points_text(nv.size_score))
        b.num(ws, row, 7, nv.size_score)
        b.text(ws, row, 8, node.description if node is not None else "", wrap=True)
        row += 1
    if not ctx.result.not_valued:
        b.text(ws, row, 1, gettext("None recorded."), F_MUTED)
        row += 1
    counted = {n.id for n in counted_nodes(ctx.a)}
    unsorted = [n for n in ctx.a.nodes if n.status == "visible" and n.id not in counted and (n.is_benefit or n.is_cost)]
    if unsorted:
        row += 1
        b.text(ws, row, 1, gettext("Not sorted into a category yet (not counted)"), F_HEAD)
        row += 1
        for n in unsorted:
            b.text(ws, row, 1, n.title, wrap=True)
            b.text(ws, row, 2, label(NODE_TYPE_LABELS, n.node_type))
            b.text(ws, row, 8, n.description, wrap=True)
            row += 1
    for letter, width in zip("ABCDEFGH", (44, 22, 16, 24, 20, 16, 11, 60)):
        ws.column_dimensions[letter].width = width
