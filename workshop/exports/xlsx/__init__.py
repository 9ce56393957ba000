"""The nyttokalkyl as an Excel workbook with live formulas (openpyxl) and cached results.

Sheets, as the method's own spreadsheet has them: **Start** (facts, frame, perspectives,
alternatives), **Värde nyttor** and **Värde kostnader** (one block per item valued in money),
**Ej värderade** (items with an estimated size), **Resultat** (measures, shares, uncertainty,
per-year table, chart), **Sortering** (step 4: the group's votes, the gråzon, decisions and
motivations), **Osäkerhet** (the qualitative uncertainty per area, only when areas are
recorded) and **Faktorer** (the shared factors the blocks' formulas read).

Where things live:

- ``formulas`` — our formula language (the engine parser's syntax tree) as Excel formula text
- ``cells`` — styles and :class:`~.cells.Book`, which writes text, number and formula cells safely
- ``sheets/`` — one module per sheet or family: ``start``, ``factors``, ``values`` (Värde nyttor
  and kostnader), ``not_valued``, ``result``, ``uncertainty``
- ``_layout`` — sheet names, columns, row markers and the result cells (docs/exports.md)
- ``_context`` — the analysis and the engine's results every sheet reads
- ``_cached`` — the engine's figures as the formula cells' cached values (openpyxl cannot)

Kalkylränta and konvention (A/B) are input cells on Start that every discount factor reads; a
missing lowest or highest value falls back to the likely one (the cell holds ``=E12``). The
workbook keeps ``fullCalcOnLoad`` so Excel recalculates on open.
"""

from __future__ import annotations

from ...draft.models import Analysis
from ...models import Workshop
from ..common import clean
from ._context import Context
from ._layout import (  # noqa: F401  (the workbook's positions, for tests and docs)
    BENEFITS,
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
    C_Y1,
    CATEGORY_CELLS,
    COSTS,
    DISCOUNT_ROW,
    FACTORS,
    FIRST_BLOCK_ROW,
    HOURS_CELLS,
    M_HOURS,
    M_HOURS_SUM,
    M_SUM,
    M_SUM_DISC,
    M_VALUE,
    M_YEARLY,
    MEASURE_CELLS,
    NOT_VALUED,
    RESULT,
    SHARE_CELLS,
    START,
    START_CONV_ROW,
    START_RATE_ROW,
    UNCERTAINTY_CELLS,
    YEAR_ROW,
)
from .cells import FORMULA_START, Book  # noqa: F401
from .formulas import divides_by_variable, formula_tree, to_excel  # noqa: F401
from .sheets import factors, followup, not_valued, result, sorting, start, uncertainty, values


def _build(ws: Workshop, analysis: Analysis) -> Book:
    ctx = Context(ws, analysis)
    start.write(ctx)
    # Faktorer is written before the blocks (they refer to it) and moved to the end.
    factors.write(ctx)
    values.write(ctx, BENEFITS, "benefit")
    values.write(ctx, COSTS, "cost")
    not_valued.write(ctx)
    result.write(ctx)
    uncertainty.write(ctx)  # only with areas recorded (the seven-step edition)
    sorting.write(ctx)  # only when the group sorted or a decision is motivated
    followup.write(ctx)  # only once a version is decided
    wb = ctx.book.wb
    wb.move_sheet(FACTORS, offset=len(wb.sheetnames) - 1 - wb.sheetnames.index(FACTORS))
    wb.active = wb.sheetnames.index(RESULT)
    for sheet in wb.worksheets:
        sheet.sheet_view.tabSelected = sheet.title == RESULT
    props = wb.properties
    props.creator = "Nyttoverkstad"
    props.lastModifiedBy = "Nyttoverkstad"
    props.title = clean(analysis.name_of_change or ws.title)[:250]
    wb.calculation.fullCalcOnLoad = True
    return ctx.book


def render(ws: Workshop, analysis: Analysis) -> bytes:
    """The workbook's bytes."""
    return _build(ws, analysis).save()


def written_formula_cells(ws: Workshop, analysis: Analysis) -> tuple[bytes, set[tuple[str, str]]]:
    """The file and the (sheet, cell) of every formula the workbook got (for tests)."""
    book = _build(ws, analysis)
    return book.save(), set(book.formula_cells)
