"""Värde nyttor and Värde kostnader: one block per item valued in money.

A block has the item's questions (rows) with lowest, likely and highest values (D, E, F), its
formula as a spreadsheet formula over those cells and the shared factors on Faktorer (rows
shadow factors, as in the engine), its year profile, its value per year and its totals. A formula
that divides by something other than a constant, or overflows in some scenario, is wrapped in
IFERROR(…, 0): the engine counts an item that divides by zero or overflows as 0. Each result row
is marked in column H (what the row is), I (its category) and J (its perspective code), which the
SUMIFs on Resultat read.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from flask_babel import gettext
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ....calculation import engine
from ....calculation.formula import FormulaError
from ....draft.vocabulary import CATEGORY_LABELS, NODE_TYPE_LABELS
from ...common import clean
from .._context import Context, error_text, label
from .._layout import (
    C_CAT,
    C_HIGH,
    C_LABEL,
    C_LIKELY,
    C_LOW,
    C_NAME,
    C_PERSP,
    C_SOURCE,
    C_TYPE,
    C_UNIT,
    DISCOUNT_ROW,
    FACTOR,
    FACTORS,
    FIRST_BLOCK_ROW,
    HOURS,
    M_HOURS,
    M_HOURS_SUM,
    M_SUM,
    M_SUM_DISC,
    M_VALUE,
    M_YEARLY,
    MONEY,
    SCENARIO_COL,
    YEAR_ROW,
)
from ..cells import F_BOLD, F_HEAD, F_HELPER, F_MUTED, F_TITLE, FILL_HEAD, FILL_RESULT
from ..formulas import divides_by_variable, formula_tree, names_in, to_excel


def write(ctx: Context, title: str, kind: str) -> None:
    """The sheet of the benefits (``kind`` "benefit") or the costs ("cost")."""
    b = ctx.book
    ws = b.sheet(title)
    H = ctx.horizon
    b.text(ws, 1, 1, title, F_TITLE)
    b.text(ws, YEAR_ROW, 1, gettext("Columns D–F: lowest, likely and highest value. Yellow cells are inputs."), F_MUTED)
    for t in range(1, H + 1):
        b.text(ws, YEAR_ROW, ctx.year_col(t), ctx.year_label(t), F_BOLD, FILL_HEAD)
        b.formula(ws, DISCOUNT_ROW, ctx.year_col(t), ctx.disc_expr(t), ctx.result.discount_factors[t - 1], FACTOR)
    b.text(
        ws,
        DISCOUNT_ROW,
        1,
        gettext("Discount factor per year (from the discount rate and convention on Start)"),
        F_MUTED,
    )
    for col, heading in ((C_TYPE, gettext("Row")), (C_CAT, gettext("Category")), (C_PERSP, gettext("Persp."))):
        b.text(ws, YEAR_ROW, col, heading, F_HELPER)
    row = FIRST_BLOCK_ROW
    items = [i for i in ctx.money if i.kind == kind]
    if not items:
        b.text(ws, row, 1, gettext("Nothing valued in money yet."), F_MUTED)
        row += 1
    for item in items:
        row = _block(ctx, ws, item, row) + 1
    ctx.last_row[title] = max(row, FIRST_BLOCK_ROW + 1)
    widths = {
        C_LABEL: 46,
        C_NAME: 18,
        C_UNIT: 9,
        C_LOW: 13,
        C_LIKELY: 13,
        C_HIGH: 13,
        C_SOURCE: 34,
        C_TYPE: 11,
        C_CAT: 11,
        C_PERSP: 7,
    }
    for col, width in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = width
    for t in range(1, H + 1):
        ws.column_dimensions[get_column_letter(ctx.year_col(t))].width = 13
    ws.freeze_panes = "B4"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _markers(ctx: Context, ws: Worksheet, row: int, marker: str, item: engine.Item) -> None:
    b = ctx.book
    b.text(ws, row, C_TYPE, marker, F_HELPER)
    b.text(ws, row, C_CAT, item.category, F_HELPER)
    b.text(ws, row, C_PERSP, ctx.persp_codes[item.perspective], F_HELPER)


def _block(ctx: Context, ws: Worksheet, item: engine.Item, row: int) -> int:
    """One item's block; returns the row after it."""
    b = ctx.book
    node = ctx.nodes.get(item.id)
    H = ctx.horizon
    b.text(ws, row, 1, item.title, F_HEAD)
    meta = [
        label(NODE_TYPE_LABELS, node.node_type) if node is not None else "",
        label(CATEGORY_LABELS, item.category),
        item.perspective,
    ]
    if node is not None and node.cost_kind:
        meta.append(gettext("one-off") if node.cost_kind == "one_off" else gettext("recurring"))
    b.text(ws, row + 1, 1, " · ".join(clean(m) for m in meta if m), F_MUTED)
    row += 2
    heads = [
        gettext("Question"),
        gettext("Name"),
        gettext("Unit"),
        gettext("Lowest"),
        gettext("Likely"),
        gettext("Highest"),
        gettext("Source"),
    ]
    for col, heading in enumerate(heads, start=1):
        b.text(ws, row, col, heading, F_BOLD, FILL_HEAD)
    row += 1

    rows_at: dict[str, int] = {}
    if item.block is not None:
        for r in item.block.rows:
            if r.name not in rows_at:
                rows_at[r.name] = row
            b.text(ws, row, C_LABEL, r.label, wrap=True)
            b.text(ws, row, C_NAME, r.name)
            b.text(ws, row, C_UNIT, r.unit)
            ctx.estimate_cells(ws, row, r.low, r.likely, r.high)
            b.text(ws, row, C_SOURCE, r.source, wrap=True)
            row += 1
    else:
        d = (node.direct_value if node is not None else None) or {}
        direct_row = row
        b.text(ws, row, C_LABEL, gettext("Value per year (typed directly)"))
        b.text(ws, row, C_UNIT, gettext("kr/year"))
        est = item.direct or engine.Estimate()
        ctx.estimate_cells(ws, row, est.low, est.likely, est.high)
        b.text(ws, row, C_SOURCE, d.get("source", ""), wrap=True)
        row += 1

    results = {s: ctx.item_results[s].get(item.id) for s in engine.SCENARIOS}

    # The yearly value per scenario.
    if item.block is not None:
        b.text(ws, row, C_LABEL, gettext("Formula (kr per year)"), F_MUTED)
        b.text(ws, row, C_NAME, item.block.formula, F_MUTED)
        row += 1
        value_row = row
        _formula_row(
            ctx,
            ws,
            row,
            item,
            item.block.formula,
            rows_at,
            "value",
            {s: (res.yearly_value if (res := results[s]) else 0.0) for s in results},
        )
    else:
        value_row = row
        likely_ref = f"{get_column_letter(C_LIKELY)}{direct_row}"
        missing = item.direct is None or not item.direct.complete
        for s, col in SCENARIO_COL.items():
            ref = f"{get_column_letter(col)}{direct_row}"
            expr = f"IF(COUNT({likely_ref})<1,0,{ref})" if missing else ref
            b.formula(ws, row, col, expr, res.yearly_value if (res := results[s]) else 0.0, MONEY)
    b.text(ws, value_row, C_LABEL, gettext("Value per year (kr)"), F_BOLD)
    for col in SCENARIO_COL.values():
        ws.cell(row=value_row, column=col).fill = FILL_RESULT
        ws.cell(row=value_row, column=col).font = F_BOLD
    _markers(ctx, ws, value_row, M_VALUE, item)
    row += 1

    # Hours (Omfördelning with an hours formula).
    hours_row = None
    if item.block is not None and item.block.hours_formula and item.category == "omfordelning":
        b.text(ws, row, C_LABEL, gettext("Hours formula"), F_MUTED)
        b.text(ws, row, C_NAME, item.block.hours_formula, F_MUTED)
        row += 1
        hours_row = row
        _formula_row(
            ctx,
            ws,
            row,
            item,
            item.block.hours_formula,
            rows_at,
            "hours",
            {s: (res.hours_per_year or 0.0) if (res := results[s]) else 0.0 for s in results},
            fmt=HOURS,
        )
        b.text(ws, row, C_LABEL, gettext("Hours per year"), F_BOLD)
        _markers(ctx, ws, row, M_HOURS, item)
        row += 1

    # Year profile and value per year.
    first, last = get_column_letter(ctx.year_col(1)), get_column_letter(ctx.year_col(H))
    profile_row = row
    b.text(ws, row, C_LABEL, gettext("Year profile (share of the yearly value)"))
    for t, f in enumerate(item.profile(H), start=1):
        b.num(ws, row, ctx.year_col(t), f, "0.##", input_cell=True)
    row += 1
    likely = results["likely"]
    b.text(ws, row, C_LABEL, gettext("Value per year, likely (kr)"), F_BOLD)
    value_ref = f"${get_column_letter(C_LIKELY)}${value_row}"
    for t in range(1, H + 1):
        col = get_column_letter(ctx.year_col(t))
        b.formula(
            ws, row, ctx.year_col(t), f"{value_ref}*{col}{profile_row}", likely.by_year[t - 1] if likely else 0.0, MONEY
        )
    _markers(ctx, ws, row, M_YEARLY, item)
    row += 1
    profile = f"${first}${profile_row}:${last}${profile_row}"
    discount = f"${first}${DISCOUNT_ROW}:${last}${DISCOUNT_ROW}"
    b.text(ws, row, C_LABEL, gettext("Total over the horizon (kr)"))
    for s, col in SCENARIO_COL.items():
        letter = get_column_letter(col)
        b.formula(ws, row, col, f"{letter}{value_row}*SUM({profile})", res.total if (res := results[s]) else 0.0, MONEY)
    _markers(ctx, ws, row, M_SUM, item)
    row += 1
    b.text(ws, row, C_LABEL, gettext("Total over the horizon, discounted (kr)"))
    for s, col in SCENARIO_COL.items():
        letter = get_column_letter(col)
        b.formula(
            ws,
            row,
            col,
            f"{letter}{value_row}*SUMPRODUCT({profile},{discount})",
            res.total_discounted if (res := results[s]) else 0.0,
            MONEY,
        )
    _markers(ctx, ws, row, M_SUM_DISC, item)
    row += 1
    if hours_row is not None:
        b.text(ws, row, C_LABEL, gettext("Hours over the horizon"))
        b.formula(
            ws,
            row,
            C_LIKELY,
            f"{get_column_letter(C_LIKELY)}{hours_row}*SUM({profile})",
            (likely.hours_total or 0.0) if likely else 0.0,
            HOURS,
        )
        _markers(ctx, ws, row, M_HOURS_SUM, item)
        row += 1
    return row


def _formula_row(
    ctx: Context,
    ws: Worksheet,
    row: int,
    item: engine.Item,
    text: str,
    rows_at: dict[str, int],
    fld: Literal["value", "hours"],
    cached: dict[str, float],
    fmt: str = MONEY,
) -> None:
    """Three cells (D, E, F) with the block's formula over the scenario's column."""
    b = ctx.book
    error = ctx.errors.get((item.id, fld))
    try:
        tree = formula_tree(text)
        names = names_in(tree)
        unknown = [n for n in names if n not in rows_at and n not in ctx.factor_rows]
    except FormulaError:
        tree, names, unknown = None, (), []
    if tree is None or unknown or (error is not None and error.code != "missing_value"):
        # The engine counts this item as 0: so does the sheet, with the reason beside it.
        for col in SCENARIO_COL.values():
            b.num(ws, row, col, 0, fmt)
        b.text(ws, row, C_SOURCE, gettext("Counts as 0: %(reason)s", reason=error_text(error)), F_MUTED)
        return

    def ref_in(col: int) -> Callable[[str], str]:
        letter = get_column_letter(col)

        def ref(name: str) -> str:
            if name in rows_at:
                return f"{letter}{rows_at[name]}"
            return f"{FACTORS}!{letter}{ctx.factor_rows[name]}"

        return ref

    guard = ""
    if error is not None:  # a value is missing: 0 until every likely value is filled in
        likely_refs = ",".join(ref_in(C_LIKELY)(n) for n in names)
        guard = f"COUNT({likely_refs})<{len(names)}"
    overflow = ctx.overflows.get((item.id, fld))
    if overflow is not None:  # too large in some scenario: 0 there, as in the engine (Excel: #NUM!)
        b.text(ws, row, C_SOURCE, gettext("Counts as 0: %(reason)s", reason=error_text(overflow)), F_MUTED)
    for s, col in SCENARIO_COL.items():
        expr = to_excel(tree, ref_in(col))
        if divides_by_variable(tree) or overflow is not None:
            expr = f"IFERROR({expr},0)"
        if guard:
            expr = f"IF({guard},0,{expr})"
        b.formula(ws, row, col, expr, cached[s], fmt)
