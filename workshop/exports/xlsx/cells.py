"""Cells of the workbook: the styles, and :class:`Book`, which writes every cell the safe way.

* Text cells hold participant text, which is never interpreted: openpyxl would turn text
  starting with "=" into a formula and "#N/A" into an error value, so every text cell's type is
  forced to string, and text starting with = + - − @ or a tab/CR also gets Excel's "quote
  prefix" so re-editing the cell keeps it text.
* Number cells never hold inf or NaN (Excel has no such values): a number that is not finite
  leaves the cell empty.
* Formula cells remember the engine's figure for the cell; :meth:`Book.save` writes it into the
  file as the formula's cached value (see ``_cached``), so viewers that do not recalculate show
  the figures too.
"""

from __future__ import annotations

import io
import math
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.worksheet import Worksheet

from ..common import clean
from ._cached import patch_cached_values

FORMULA_START = ("=", "+", "-", "\u2212", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")

FONT = "Calibri"  # the workbook's default font: styled cells keep it
F_TITLE = Font(name=FONT, bold=True, size=16)
F_HEAD = Font(name=FONT, bold=True, size=12)
F_BOLD = Font(name=FONT, bold=True)
F_MUTED = Font(name=FONT, italic=True, color="4D5566")
F_HELPER = Font(name=FONT, size=8, color="8A93A6")
FILL_INPUT = PatternFill("solid", fgColor="FFF4C2")
FILL_HEAD = PatternFill("solid", fgColor="E8EDF5")
FILL_RESULT = PatternFill("solid", fgColor="EEF3FA")
THIN = Side(style="thin", color="C5CCD8")
BOX = Border(top=THIN, bottom=THIN, left=THIN, right=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")


class Book:
    """An openpyxl workbook plus the cached value of every formula written into it."""

    def __init__(self) -> None:
        self.wb = Workbook()
        self.cached: dict[tuple[str, str], Any] = {}
        self.formula_cells: set[tuple[str, str]] = set()

    def sheet(self, title: str) -> Worksheet:
        """A new sheet (the workbook's first, empty sheet is reused for the first one)."""
        if self.wb.worksheets and self.wb.worksheets[0].title == "Sheet":
            ws = self.wb.worksheets[0]
            ws.title = title
            return ws
        return self.wb.create_sheet(title)

    @staticmethod
    def text(
        ws: Worksheet,
        row: int,
        col: int,
        value: Any,
        font: Font | None = None,
        fill: PatternFill | None = None,
        wrap: bool = False,
    ) -> Cell:
        """A string cell, whatever the text looks like."""
        cell = ws.cell(row=row, column=col)
        text = clean(value)
        if text:
            cell.value = text
            cell.data_type = "s"  # never a formula ("=…") or an error value ("#N/A")
            if text.startswith(FORMULA_START):
                cell.quotePrefix = True
        if font is not None:
            cell.font = font
        if fill is not None:
            cell.fill = fill
        if wrap:
            cell.alignment = WRAP
        return cell

    @staticmethod
    def num(
        ws: Worksheet, row: int, col: int, value: float | int | None, fmt: str | None = None, input_cell: bool = False
    ) -> Cell:
        """A number cell (empty for None, inf or NaN); ``input_cell`` paints it as an input."""
        cell = ws.cell(row=row, column=col)
        if value is not None and not (isinstance(value, float) and not math.isfinite(value)):
            cell.value = value
        if fmt:
            cell.number_format = fmt
        if input_cell:
            cell.fill = FILL_INPUT
        return cell

    def formula(self, ws: Worksheet, row: int, col: int, expr: str, cached: Any, fmt: str | None = None) -> Cell:
        """A formula cell (``expr`` without "="); ``cached`` is the engine's figure for it."""
        cell = ws.cell(row=row, column=col)
        cell.value = "=" + expr
        key = (ws.title, cell.coordinate)
        self.cached[key] = cached
        self.formula_cells.add(key)
        if fmt:
            cell.number_format = fmt
        return cell

    def save(self) -> bytes:
        """The xlsx file, with the cached values in it."""
        buf = io.BytesIO()
        self.wb.save(buf)
        return patch_cached_values(buf.getvalue(), self.cached)
