"""Sortering: how the group sorted each benefit and cost in step 4 and what was decided.

One row per benefit and cost the group voted on or whose decision has a motivation: the
group's votes, the agreement, whether it was in the gråzon (no clear majority: a tie, or under
half of the votes for one category), the decision (category, valuation, perspective) and its
motivation. The gråzon items come first. Written only when there is something to show.
"""

from __future__ import annotations

from flask_babel import gettext

from ....draft.report import decision_text, sorting_votes, votes_text
from ....draft.vocabulary import NODE_TYPE_LABELS
from .._context import Context, label
from .._layout import SORTING
from ..cells import F_BOLD, F_MUTED, F_TITLE, FILL_HEAD


def write(ctx: Context) -> None:
    votes = sorting_votes(ctx.workshop, ctx.a)
    items = [
        n
        for n in ctx.a.nodes
        if n.status == "visible"
        and not n.merged_into_id
        and (n.is_benefit or n.is_cost)
        and (n.id in votes or n.motivation)
    ]
    if not items:
        return
    items.sort(key=lambda n: not (votes.get(n.id) or {}).get("grey_zone"))  # stable: gråzon first
    b = ctx.book
    ws = b.sheet(SORTING)
    b.text(ws, 1, 1, SORTING, F_TITLE)
    b.text(
        ws,
        2,
        1,
        gettext(
            "Step 4: the group's votes per benefit and cost, the gråzon (no clear majority: a tie, or under half of "
            "the votes for one category) and the decision with its motivation."
        ),
        F_MUTED,
    )
    heads = [
        gettext("Title"),
        gettext("Kind"),
        gettext("The group's votes"),
        gettext("Agreement"),
        gettext("Gråzon"),
        gettext("Decision"),
        gettext("Motivation"),
    ]
    for col, heading in enumerate(heads, start=1):
        b.text(ws, 4, col, heading, F_BOLD, FILL_HEAD)
    agreement = {
        "high": gettext("High agreement"),
        "medium": gettext("Medium agreement"),
        "low": gettext("Low agreement"),
    }
    row = 5
    for n in items:
        v = votes.get(n.id)
        grey = bool(v and v["grey_zone"])
        b.text(ws, row, 1, n.title, wrap=True)
        b.text(ws, row, 2, label(NODE_TYPE_LABELS, n.node_type))
        b.text(ws, row, 3, votes_text(v), wrap=True)
        b.text(ws, row, 4, agreement.get((v or {}).get("agreement") or "", "–"))
        b.text(ws, row, 5, gettext("Yes") if grey else "–", F_BOLD if grey else None)
        b.text(ws, row, 6, decision_text(n), wrap=True)
        motivation = n.motivation or (gettext("No motivation written yet.") if grey else "")
        b.text(ws, row, 7, motivation, F_MUTED if not n.motivation and grey else None, wrap=True)
        row += 1
    for letter, width in zip("ABCDEFG", (40, 20, 34, 18, 10, 34, 60)):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A5"
