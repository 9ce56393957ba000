"""Faktorer: the shared factors (timkostnad and the like) whose cells the blocks' formulas read."""

from __future__ import annotations

from flask_babel import gettext

from .._context import Context
from .._layout import C_LABEL, C_NAME, C_SOURCE, C_TYPE, C_UNIT, FACTORS
from ..cells import F_BOLD, F_MUTED, F_TITLE, FILL_HEAD


def write(ctx: Context) -> None:
    """The sheet, with ``ctx.factor_rows`` filled in (name -> row) for the formulas that follow."""
    b = ctx.book
    ws = b.sheet(FACTORS)
    b.text(ws, 1, 1, gettext("Shared factors"), F_TITLE)
    b.text(ws, 2, 1, gettext("Values used by many blocks; the blocks' formulas refer to these cells."), F_MUTED)
    heads = [
        gettext("Factor"),
        gettext("Name"),
        gettext("Unit"),
        gettext("Lowest"),
        gettext("Likely"),
        gettext("Highest"),
        gettext("Source"),
        gettext("Year"),
    ]
    for col, heading in enumerate(heads, start=1):
        b.text(ws, 4, col, heading, F_BOLD, FILL_HEAD)
    row = 5
    for f in ctx.a.factors:
        ctx.factor_rows[f.name] = row
        b.text(ws, row, C_LABEL, f.label)
        b.text(ws, row, C_NAME, f.name)
        b.text(ws, row, C_UNIT, f.unit)
        ctx.estimate_cells(ws, row, f.low, f.likely, f.high)
        b.text(ws, row, C_SOURCE, f.source)
        b.num(ws, row, C_TYPE, f.year)
        row += 1
    for letter, width in zip("ABCDEFGH", (40, 26, 10, 12, 12, 12, 50, 8)):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A5"
