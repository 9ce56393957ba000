"""The nyttokalkyl as an Excel workbook with live formulas (openpyxl) and cached results.

Sheets, as the method's own spreadsheet has them: **Start** (facts, frame, perspectives,
alternatives), **Värde nyttor** and **Värde kostnader** (one block per item valued in money),
**Ej värderade** (items with an estimated size), **Resultat** (measures, shares, uncertainty,
per-year table, chart) and **Faktorer** (the shared factors the blocks' formulas read).

Live formulas
-------------
A block's formula in our language (``antal * (min_A - min_B) / 60 * timkostnad``) is parsed
with the same parser as the engine (``workshop.analysis.formula``) and written out as an
Excel formula over cell references: a row's name becomes the cell of that row in the column of
the scenario (D lowest, E likely, F highest), a shared factor becomes its cell on Faktorer
(rows shadow factors, as in the engine); ``+ - * /``, parentheses, ``min``, ``max`` and
``round`` map to Excel's operators, MIN, MAX and ROUND (which rounds half away from zero, like
the engine). A formula that divides by something other than a constant is wrapped in
IFERROR(…, 0): the engine counts an item that divides by zero as 0. A missing lowest or highest
value falls back to the likely one (the cell holds ``=E12``). Every figure on Resultat is a
SUMIF/SUMIFS over the blocks' marked rows (column H says what a row is, I its category, J its
perspective as a code P1, P2 …), so nothing participant-written is ever part of a formula.
Kalkylränta and konvention (A/B) are input cells on Start that every discount factor reads.

Cached values
-------------
openpyxl writes a formula cell without its value, so viewers that do not recalculate (file
previews, some web viewers, Python readers) would show nothing. After openpyxl has written
the file, :func:`patch_cached_values` opens each worksheet's XML and puts the engine's figure
into the formula cell's ``<v>`` element (``t="str"`` for text results). The workbook keeps
``fullCalcOnLoad`` so Excel recalculates on open all the same.

Participant text is always written as a string cell (never interpreted): openpyxl would turn
text starting with "=" into a formula and "#N/A" into an error value, so every text cell's
type is forced to string, and text starting with = + - − @ or a tab/CR also gets Excel's
"quote prefix" so re-editing the cell keeps it text.
"""

from __future__ import annotations

import io
import math
import zipfile
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from flask_babel import gettext
from lxml import etree
from openpyxl import Workbook
from openpyxl.chart import LineChart, Reference
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from ..analysis import engine
from ..analysis.formula import MAX_DEPTH, FormulaError, _Parser, _tokenize
from ..draft.compute import counted_nodes, engine_item, factor_values, settings_of
from ..draft.models import Analysis
from ..draft.vocabulary import (
    CATEGORY_LABELS,
    NODE_TYPE_LABELS,
    PERSPECTIVE_KIND_LABELS,
    SIZE_LABELS,
    VALUATION_LABELS,
)
from ..models import Workshop
from .common import READINGS, clean, word

# Sheet names users know from the method's spreadsheet (fixed, in Swedish).
START, BENEFITS, COSTS, NOT_VALUED, RESULT, FACTORS = (
    "Start", "Värde nyttor", "Värde kostnader", "Ej värderade", "Resultat", "Faktorer")

# Columns of the value sheets (and Faktorer, so a name resolves to the same columns).
C_LABEL, C_NAME, C_UNIT, C_LOW, C_LIKELY, C_HIGH, C_SOURCE, C_TYPE, C_CAT, C_PERSP, C_Y1 = range(1, 12)
SCENARIO_COL = {"low": C_LOW, "likely": C_LIKELY, "high": C_HIGH}
FIRST_BLOCK_ROW = 5
YEAR_ROW, DISCOUNT_ROW = 2, 3
# Row markers in column H (ASCII codes, the criteria of SUMIF on Resultat).
M_VALUE, M_YEARLY, M_SUM, M_SUM_DISC, M_HOURS, M_HOURS_SUM = (
    "varde", "arsvarde", "summa", "summa_disk", "timmar", "timmar_summa")

# Start: where the frame's input cells are.
START_RATE_ROW, START_CONV_ROW = 19, 20
RATE_REF = f"{START}!$B${START_RATE_ROW}"
CONV_REF = f"{START}!$B${START_CONV_ROW}"

FORMULA_START = ("=", "+", "-", "\u2212", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")

# Where the result measures are on Resultat (documented in docs/exports.md; tests read them).
MEASURE_CELLS = {  # key of engine.Measures -> (undiscounted, discounted)
    "benefits": ("B5", "C5"), "costs": ("B6", "C6"), "nettonytta": ("B7", "C7"), "per_krona": ("B8", "C8"),
    "reading": ("B9", "C9"), "break_even_year": ("B10", "C10"),
}
SHARE_CELLS = {  # (kind, category) -> (undiscounted, discounted)
    ("benefit", "finansiell"): ("B13", "C13"), ("benefit", "omfordelning"): ("B14", "C14"),
    ("cost", "finansiell"): ("B15", "C15"), ("cost", "omfordelning"): ("B16", "C16"),
}
HOURS_CELLS = {"benefit_hours": "B19", "benefit_arsarbetare": "C19", "cost_hours": "B20", "cost_arsarbetare": "C20"}
UNCERTAINTY_CELLS = {  # (scenario, discounted, key) -> cell
    (s, d, key): f"{'BCD'[i]}{23 + 4 * d + j}"
    for i, s in enumerate(("low", "likely", "high")) for d in (0, 1)
    for j, key in enumerate(("benefits", "costs", "nettonytta", "per_krona"))
}
CATEGORY_CELLS = {  # (kind, category, discounted) -> cell
    (kind, cat, d): f"{'BCDE'[2 * (kind == 'cost') + d]}{33 + j}"
    for kind in ("benefit", "cost") for d in (0, 1) for j, cat in enumerate(("finansiell", "omfordelning"))
}

MONEY = "#,##0"
HOURS = "#,##0.0"
RATIO = "0.00"
PERCENT = "0.0%"
FACTOR = "0.0000"

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


def _q(sheet: str) -> str:
    """A sheet name as it goes into a reference."""
    return f"'{sheet}'" if any(not (ch.isalnum() or ch == "_") for ch in sheet) else sheet


def _str_literal(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


# --- our formula language -> Excel ----------------------------------------------------------

def formula_tree(text: str) -> tuple:
    """The parse tree of a block formula (the engine's own parser; raises FormulaError)."""
    return _Parser(_tokenize(text), MAX_DEPTH).parse()


def _num_literal(value: float) -> str:
    if float(value).is_integer() and abs(value) < 1e15:
        out = str(int(value))
    else:
        out = repr(float(value)).upper()
    return f"({out})" if out.startswith("-") else out


def to_excel(tree: tuple, ref: Callable[[str], str]) -> str:
    """Excel formula text (without "=") for a parse tree; ``ref`` maps a name to a cell reference."""
    kind = tree[0]
    if kind == "num":
        return _num_literal(tree[1])
    if kind == "name":
        return ref(tree[1])
    if kind == "neg":
        inner = tree[1]
        text = to_excel(inner, ref)
        return f"-({text})" if inner[0] in ("sum", "prod") else f"-{text}"
    if kind == "sum":
        parts = []
        for i, (sign, child) in enumerate(tree[1]):
            text = to_excel(child, ref)
            if child[0] == "sum":
                text = f"({text})"
            parts.append(text if i == 0 and sign == "+" else f"{sign}{text}")
        return "".join(parts)
    if kind == "prod":
        parts = []
        for i, (op, child) in enumerate(tree[1]):
            text = to_excel(child, ref)
            if child[0] in ("sum", "prod") or (child[0] == "neg" and i > 0):
                text = f"({text})"
            parts.append(text if i == 0 else f"{op}{text}")
        return "".join(parts)
    if kind == "call":
        name, args = tree[1], tree[2]
        return f"{name.upper()}({','.join(to_excel(a, ref) for a in args)})"
    raise ValueError(f"unknown node {kind!r}")


def divides_by_variable(tree: tuple) -> bool:
    """True when the formula divides by anything but a non-zero constant."""
    kind = tree[0]
    if kind == "prod":
        for i, (op, child) in enumerate(tree[1]):
            if i and op == "/" and not (child[0] == "num" and child[1] != 0):
                return True
        return any(divides_by_variable(c) for _op, c in tree[1])
    if kind == "sum":
        return any(divides_by_variable(c) for _s, c in tree[1])
    if kind == "neg":
        return divides_by_variable(tree[1])
    if kind == "call":
        return any(divides_by_variable(a) for a in tree[2])
    return False


def tree_names(tree: tuple) -> list[str]:
    out: list[str] = []

    def walk(node: tuple) -> None:
        kind = node[0]
        if kind == "name" and node[1] not in out:
            out.append(node[1])
        elif kind == "neg":
            walk(node[1])
        elif kind in ("sum", "prod"):
            for _x, child in node[1]:
                walk(child)
        elif kind == "call":
            for child in node[2]:
                walk(child)

    walk(tree)
    return out


# --- the workbook with its cached values ----------------------------------------------------

class Book:
    """An openpyxl workbook plus the cached value of every formula written into it."""

    def __init__(self) -> None:
        self.wb = Workbook()
        self.cached: dict[tuple[str, str], Any] = {}
        self.formula_cells: set[tuple[str, str]] = set()

    def sheet(self, title: str):
        if self.wb.worksheets and self.wb.worksheets[0].title == "Sheet":
            ws = self.wb.worksheets[0]
            ws.title = title
            return ws
        return self.wb.create_sheet(title)

    @staticmethod
    def text(ws, row: int, col: int, value: Any, font: Font | None = None, fill: PatternFill | None = None,
             wrap: bool = False):
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
    def num(ws, row: int, col: int, value: float | int | None, fmt: str | None = None, input_cell: bool = False):
        cell = ws.cell(row=row, column=col)
        if value is not None and not (isinstance(value, float) and not math.isfinite(value)):
            cell.value = value
        if fmt:
            cell.number_format = fmt
        if input_cell:
            cell.fill = FILL_INPUT
        return cell

    def formula(self, ws, row: int, col: int, expr: str, cached: Any, fmt: str | None = None):
        cell = ws.cell(row=row, column=col)
        cell.value = "=" + expr
        key = (ws.title, cell.coordinate)
        self.cached[key] = cached
        self.formula_cells.add(key)
        if fmt:
            cell.number_format = fmt
        return cell

    def save(self) -> bytes:
        buf = io.BytesIO()
        self.wb.save(buf)
        return patch_cached_values(buf.getvalue(), self.cached)


# --- cached values into the written file ----------------------------------------------------

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"


def _sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet title -> part name in the package (through workbook.xml and its relationships)."""
    book = etree.fromstring(zf.read("xl/workbook.xml"))
    rels = etree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels.iter(f"{{{NS_PKG_REL}}}Relationship")}
    out = {}
    for sheet in book.iter(f"{{{NS_MAIN}}}sheet"):
        target = targets[sheet.get(f"{{{NS_REL}}}id")]
        out[sheet.get("name")] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return out


def _set_cached(cell: etree._Element, value: Any) -> None:
    f = cell.find(f"{{{NS_MAIN}}}f")
    v = cell.find(f"{{{NS_MAIN}}}v")
    if v is None:
        v = etree.Element(f"{{{NS_MAIN}}}v")
        f.addnext(v)
    if isinstance(value, bool):
        cell.set("t", "b")
        v.text = "1" if value else "0"
    elif isinstance(value, (int, float)) and math.isfinite(value):
        cell.attrib.pop("t", None)
        v.text = str(int(value)) if isinstance(value, int) else repr(float(value))
    else:
        cell.set("t", "str")
        v.text = clean(value)


def patch_cached_values(data: bytes, cached: dict[tuple[str, str], Any]) -> bytes:
    """Put ``cached[(sheet title, "B7")]`` into each formula cell's ``<v>`` of a written xlsx."""
    src = zipfile.ZipFile(io.BytesIO(data))
    parts = _sheet_parts(src)
    by_part: dict[str, dict[str, Any]] = {}
    for (title, coord), value in cached.items():
        by_part.setdefault(parts[title], {})[coord] = value
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            values = by_part.get(info.filename)
            if values:
                root = etree.fromstring(body)
                for cell in root.iter(f"{{{NS_MAIN}}}c"):
                    if cell.find(f"{{{NS_MAIN}}}f") is not None and cell.get("r") in values:
                        _set_cached(cell, values[cell.get("r")])
                body = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            dst.writestr(info, body)
    return out.getvalue()


# --- building the workbook ------------------------------------------------------------------

def _label(mapping: dict, key: Any) -> str:
    return str(mapping[key]) if key in mapping else ""


def _scenario_results(analysis: Analysis) -> dict[str, engine.Result]:
    """The engine's result with every scenario's values behind the main figures."""
    items = [engine_item(n) for n in counted_nodes(analysis)]
    factors = factor_values(analysis)
    settings = settings_of(analysis)
    return {s: engine.compute(items, factors, settings, scenario=s, sensitivity=(s == "likely"))
            for s in engine.SCENARIOS}


class _Writer:
    def __init__(self, ws_model: Workshop, analysis: Analysis) -> None:
        self.workshop = ws_model
        self.a = analysis
        self.book = Book()
        self.results = _scenario_results(analysis)
        self.result = self.results["likely"]
        self.res = self.result.to_dict()
        self.horizon = analysis.horizon
        self.nodes = {str(n.id): n for n in analysis.nodes}
        self.items = [engine_item(n) for n in counted_nodes(analysis)]
        self.money = [i for i in self.items if i.valued_in_money]
        self.factor_rows: dict[str, int] = {}
        self.factors = {f.name: f for f in analysis.factors}
        self.persp_codes: dict[str, str] = {}
        for item in self.money:
            self.persp_codes.setdefault(item.perspective, f"P{len(self.persp_codes) + 1}")
        self.item_results = {s: {r.id: r for r in res.items} for s, res in self.results.items()}
        self.errors = {}
        for e in self.result.errors:
            if e.scenario is None:
                self.errors.setdefault((e.item_id, e.field), e)
        self.last_row: dict[str, int] = {}

    # ---------------------------------------------------------------- helpers
    def year_col(self, t: int) -> int:
        return C_Y1 + t - 1

    def year_label(self, t: int) -> str:
        start = self.a.start_year
        return f"{word('year_n', n=t)} ({start + t - 1})" if start else word("year_n", n=t)

    def disc_expr(self, t: int) -> str:
        return f'IF({CONV_REF}="B",1/(1+{RATE_REF})^{t},1/(1+{RATE_REF})^{t - 1})'

    # ---------------------------------------------------------------- Start
    def start_sheet(self) -> None:
        b, a = self.book, self.a
        ws = b.sheet(START)
        ws.column_dimensions["A"].width = 34
        ws.column_dimensions["B"].width = 62
        ws.column_dimensions["C"].width = 48
        b.text(ws, 1, 1, gettext("Nyttokalkyl: %(name)s", name=clean(a.name_of_change or self.workshop.title)), F_TITLE)
        b.text(ws, 2, 1, gettext("Exported from Nyttoverkstad on %(date)s.",
                                 date=datetime.now(timezone.utc).strftime("%Y-%m-%d")), F_MUTED)
        b.text(ws, 4, 1, gettext("Facts about the analysis"), F_HEAD)
        facts = [
            (gettext("Organisation"), a.organisation), (gettext("Area"), a.area),
            (gettext("Change"), a.name_of_change), (gettext("Geography"), a.geography),
            (gettext("Status"), a.status_text),
            (gettext("Date"), a.updated_at.strftime("%Y-%m-%d") if a.updated_at else ""),
            (gettext("Version"), a.version), (gettext("Contact (role)"), a.contact_role),
        ]
        for i, (label, value) in enumerate(facts):
            b.text(ws, 5 + i, 1, label, F_BOLD)
            b.text(ws, 5 + i, 2, value, wrap=True)
        b.text(ws, 14, 1, gettext("Purpose"), F_BOLD)
        b.text(ws, 14, 2, a.purpose, wrap=True)

        b.text(ws, 16, 1, gettext("Frame"), F_HEAD)
        b.text(ws, 17, 1, gettext("Start year"), F_BOLD)
        b.num(ws, 17, 2, a.start_year)
        b.text(ws, 18, 1, gettext("Horizon (years)"), F_BOLD)
        b.num(ws, 18, 2, a.horizon)
        b.text(ws, 18, 3, gettext("Fixed in this file: the sheets have one column per year."), F_MUTED)
        b.text(ws, START_RATE_ROW, 1, gettext("Discount rate (kalkylränta)"), F_BOLD)
        b.num(ws, START_RATE_ROW, 2, a.discount_rate, PERCENT, input_cell=True)
        b.text(ws, START_CONV_ROW, 1, gettext("Convention (A or B)"), F_BOLD)
        conv = b.text(ws, START_CONV_ROW, 2, a.convention, fill=FILL_INPUT)
        conv.alignment = Alignment(horizontal="left")
        dv = DataValidation(type="list", formula1='"A,B"', allow_blank=False)
        ws.add_data_validation(dv)
        dv.add(f"B{START_CONV_ROW}")
        b.text(ws, START_CONV_ROW, 3, gettext("A: year 1 is not discounted, year t is divided by (1+r)^(t−1). "
                                              "B: year t is divided by (1+r)^t."), F_MUTED, wrap=True)
        b.text(ws, 21, 1, gettext("All amounts in today’s prices (no inflation)."), F_MUTED)

        row = 23
        b.text(ws, row, 1, gettext("Perspectives"), F_HEAD)
        row += 1
        for p in self.a.perspectives or []:
            b.text(ws, row, 1, p.get("label", ""))
            b.text(ws, row, 2, _label(PERSPECTIVE_KIND_LABELS, p.get("kind")))
            row += 1
        if not self.a.perspectives:
            b.text(ws, row, 1, "–")
            row += 1
        row += 1
        b.text(ws, row, 1, gettext("Alternatives"), F_HEAD)
        row += 1
        b.text(ws, row, 1, gettext("Alternative A (reference)"), F_BOLD)
        b.text(ws, row, 2, a.alternative_a, wrap=True)
        row += 1
        b.text(ws, row, 1, gettext("Alternative B (the change)"), F_BOLD)
        b.text(ws, row, 2, a.alternative_b, wrap=True)
        row += 1
        if a.comparison:
            row += 1
            for col, label in enumerate((gettext("Aspect"), gettext("Alternative A"), gettext("Alternative B")), start=1):
                b.text(ws, row, col, label, F_BOLD, FILL_HEAD)
            row += 1
            for r in a.comparison:
                b.text(ws, row, 1, r.get("aspect"), wrap=True)
                b.text(ws, row, 2, r.get("a"), wrap=True)
                b.text(ws, row, 3, r.get("b"), wrap=True)
                row += 1
        row += 1
        for heading, text in ((gettext("Method"), a.method_notes), (gettext("Valuation"), a.valuation_notes)):
            if text:
                b.text(ws, row, 1, heading, F_BOLD)
                b.text(ws, row, 2, text, wrap=True)
                row += 1
        row += 1
        b.text(ws, row, 1, gettext("How this file works"), F_HEAD)
        for line in (
            gettext("Yellow cells are inputs: change a value and every result follows (Excel and LibreOffice recalculate)."),
            gettext("Each benefit and cost valued in money has a block on “Värde nyttor” or “Värde kostnader”: its questions "
                    "with lowest, likely and highest value (columns D–F), its formula as a spreadsheet formula over those "
                    "cells and the shared factors on “Faktorer”, its year profile and its value per year."),
            gettext("“Resultat” adds up the blocks with SUMIF over column H (what a row is), I (category) and J "
                    "(perspective code)."),
            gettext("The sensitivity table on “Resultat” was computed when the file was exported and does not change."),
        ):
            row += 1
            b.text(ws, row, 1, line, wrap=False)

    # ---------------------------------------------------------------- Faktorer
    def factor_sheet(self) -> None:
        b = self.book
        ws = b.sheet(FACTORS)
        b.text(ws, 1, 1, gettext("Shared factors"), F_TITLE)
        b.text(ws, 2, 1, gettext("Values used by many blocks; the blocks' formulas refer to these cells."), F_MUTED)
        heads = [gettext("Factor"), gettext("Name"), gettext("Unit"), gettext("Lowest"), gettext("Likely"),
                 gettext("Highest"), gettext("Source"), gettext("Year")]
        for col, label in enumerate(heads, start=1):
            b.text(ws, 4, col, label, F_BOLD, FILL_HEAD)
        row = 5
        for f in self.a.factors:
            self.factor_rows[f.name] = row
            b.text(ws, row, C_LABEL, f.label)
            b.text(ws, row, C_NAME, f.name)
            b.text(ws, row, C_UNIT, f.unit)
            self._estimate_cells(ws, row, f.low, f.likely, f.high)
            b.text(ws, row, C_SOURCE, f.source)
            b.num(ws, row, C_TYPE, f.year)
            row += 1
        for col, width in zip("ABCDEFGH", (40, 26, 10, 12, 12, 12, 50, 8)):
            ws.column_dimensions[col].width = width
        ws.freeze_panes = "A5"

    def _estimate_cells(self, ws, row: int, low: float | None, likely: float | None, high: float | None) -> None:
        """Lowest, likely, highest: inputs; a missing lowest/highest reads the likely cell."""
        b = self.book
        b.num(ws, row, C_LIKELY, likely, input_cell=True)
        likely_ref = f"{get_column_letter(C_LIKELY)}{row}"
        for col, value in ((C_LOW, low), (C_HIGH, high)):
            if value is not None or likely is None:
                b.num(ws, row, col, value, input_cell=True)
            else:
                cell = b.formula(ws, row, col, likely_ref, float(likely))
                cell.fill = FILL_INPUT

    # ---------------------------------------------------------------- value sheets
    def value_sheet(self, title: str, kind: str) -> None:
        b = self.book
        ws = b.sheet(title)
        H = self.horizon
        b.text(ws, 1, 1, title, F_TITLE)
        b.text(ws, YEAR_ROW, 1, gettext("Columns D–F: lowest, likely and highest value. Yellow cells are inputs."), F_MUTED)
        for t in range(1, H + 1):
            b.text(ws, YEAR_ROW, self.year_col(t), self.year_label(t), F_BOLD, FILL_HEAD)
            b.formula(ws, DISCOUNT_ROW, self.year_col(t), self.disc_expr(t), self.result.discount_factors[t - 1], FACTOR)
        b.text(ws, DISCOUNT_ROW, 1, gettext("Discount factor per year (from the discount rate and convention on Start)"),
               F_MUTED)
        for col, label in ((C_TYPE, gettext("Row")), (C_CAT, gettext("Category")), (C_PERSP, gettext("Persp."))):
            b.text(ws, YEAR_ROW, col, label, F_HELPER)
        row = FIRST_BLOCK_ROW
        items = [i for i in self.money if i.kind == kind]
        if not items:
            b.text(ws, row, 1, gettext("Nothing valued in money yet."), F_MUTED)
            row += 1
        for item in items:
            row = self.block(ws, item, row) + 1
        self.last_row[title] = max(row, FIRST_BLOCK_ROW + 1)
        widths = {C_LABEL: 46, C_NAME: 18, C_UNIT: 9, C_LOW: 13, C_LIKELY: 13, C_HIGH: 13, C_SOURCE: 34,
                  C_TYPE: 11, C_CAT: 11, C_PERSP: 7}
        for col, width in widths.items():
            ws.column_dimensions[get_column_letter(col)].width = width
        for t in range(1, H + 1):
            ws.column_dimensions[get_column_letter(self.year_col(t))].width = 13
        ws.freeze_panes = "B4"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True

    def _markers(self, ws, row: int, marker: str, item: engine.Item) -> None:
        b = self.book
        b.text(ws, row, C_TYPE, marker, F_HELPER)
        b.text(ws, row, C_CAT, item.category, F_HELPER)
        b.text(ws, row, C_PERSP, self.persp_codes[item.perspective], F_HELPER)

    def block(self, ws, item: engine.Item, row: int) -> int:
        """One item's block; returns the row after it."""
        b = self.book
        node = self.nodes.get(item.id)
        H = self.horizon
        b.text(ws, row, 1, item.title, F_HEAD)
        meta = [_label(NODE_TYPE_LABELS, node.node_type) if node is not None else "",
                _label(CATEGORY_LABELS, item.category), item.perspective]
        if node is not None and node.cost_kind:
            meta.append(gettext("one-off") if node.cost_kind == "one_off" else gettext("recurring"))
        b.text(ws, row + 1, 1, " · ".join(clean(m) for m in meta if m), F_MUTED)
        row += 2
        heads = [gettext("Question"), gettext("Name"), gettext("Unit"), gettext("Lowest"), gettext("Likely"),
                 gettext("Highest"), gettext("Source")]
        for col, label in enumerate(heads, start=1):
            b.text(ws, row, col, label, F_BOLD, FILL_HEAD)
        row += 1

        rows_at: dict[str, int] = {}
        if item.block is not None:
            for r in item.block.rows:
                if r.name not in rows_at:
                    rows_at[r.name] = row
                b.text(ws, row, C_LABEL, r.label, wrap=True)
                b.text(ws, row, C_NAME, r.name)
                b.text(ws, row, C_UNIT, r.unit)
                self._estimate_cells(ws, row, r.low, r.likely, r.high)
                b.text(ws, row, C_SOURCE, r.source, wrap=True)
                row += 1
        else:
            d = (node.direct_value if node is not None else None) or {}
            direct_row = row
            b.text(ws, row, C_LABEL, gettext("Value per year (typed directly)"))
            b.text(ws, row, C_UNIT, gettext("kr/year"))
            est = item.direct or engine.Estimate()
            self._estimate_cells(ws, row, est.low, est.likely, est.high)
            b.text(ws, row, C_SOURCE, d.get("source", ""), wrap=True)
            row += 1

        results = {s: self.item_results[s].get(item.id) for s in engine.SCENARIOS}

        # The yearly value per scenario.
        value_row = row
        if item.block is not None:
            b.text(ws, row - 0, C_LABEL, gettext("Formula (kr per year)"), F_MUTED)
            b.text(ws, row, C_NAME, item.block.formula, F_MUTED)
            row += 1
            value_row = row
            self._formula_row(ws, row, item, item.block.formula, rows_at, "value",
                              {s: (results[s].yearly_value if results[s] else 0.0) for s in results})
        else:
            value_row = row
            likely_ref = f"{get_column_letter(C_LIKELY)}{direct_row}"
            missing = item.direct is None or not item.direct.complete
            for s, col in SCENARIO_COL.items():
                ref = f"{get_column_letter(col)}{direct_row}"
                expr = f"IF(COUNT({likely_ref})<1,0,{ref})" if missing else ref
                b.formula(ws, row, col, expr, results[s].yearly_value if results[s] else 0.0, MONEY)
        b.text(ws, value_row, C_LABEL, gettext("Value per year (kr)"), F_BOLD)
        for col in SCENARIO_COL.values():
            ws.cell(row=value_row, column=col).fill = FILL_RESULT
            ws.cell(row=value_row, column=col).font = F_BOLD
        self._markers(ws, value_row, M_VALUE, item)
        row += 1

        # Hours (Omfördelning with an hours formula).
        hours_row = None
        if item.block is not None and item.block.hours_formula and item.category == "omfordelning":
            b.text(ws, row, C_LABEL, gettext("Hours formula"), F_MUTED)
            b.text(ws, row, C_NAME, item.block.hours_formula, F_MUTED)
            row += 1
            hours_row = row
            self._formula_row(ws, row, item, item.block.hours_formula, rows_at, "hours",
                              {s: (results[s].hours_per_year or 0.0) if results[s] else 0.0 for s in results},
                              fmt=HOURS)
            b.text(ws, row, C_LABEL, gettext("Hours per year"), F_BOLD)
            self._markers(ws, row, M_HOURS, item)
            row += 1

        # Year profile and value per year.
        first, last = get_column_letter(self.year_col(1)), get_column_letter(self.year_col(H))
        profile_row = row
        b.text(ws, row, C_LABEL, gettext("Year profile (share of the yearly value)"))
        for t, f in enumerate(item.profile(H), start=1):
            b.num(ws, row, self.year_col(t), f, "0.##", input_cell=True)
        row += 1
        likely = results["likely"]
        b.text(ws, row, C_LABEL, gettext("Value per year, likely (kr)"), F_BOLD)
        value_ref = f"${get_column_letter(C_LIKELY)}${value_row}"
        for t in range(1, H + 1):
            col = get_column_letter(self.year_col(t))
            b.formula(ws, row, self.year_col(t), f"{value_ref}*{col}{profile_row}",
                      likely.by_year[t - 1] if likely else 0.0, MONEY)
        self._markers(ws, row, M_YEARLY, item)
        row += 1
        profile = f"${first}${profile_row}:${last}${profile_row}"
        discount = f"${first}${DISCOUNT_ROW}:${last}${DISCOUNT_ROW}"
        b.text(ws, row, C_LABEL, gettext("Total over the horizon (kr)"))
        for s, col in SCENARIO_COL.items():
            letter = get_column_letter(col)
            b.formula(ws, row, col, f"{letter}{value_row}*SUM({profile})", results[s].total if results[s] else 0.0, MONEY)
        self._markers(ws, row, M_SUM, item)
        row += 1
        b.text(ws, row, C_LABEL, gettext("Total over the horizon, discounted (kr)"))
        for s, col in SCENARIO_COL.items():
            letter = get_column_letter(col)
            b.formula(ws, row, col, f"{letter}{value_row}*SUMPRODUCT({profile},{discount})",
                      results[s].total_discounted if results[s] else 0.0, MONEY)
        self._markers(ws, row, M_SUM_DISC, item)
        row += 1
        if hours_row is not None:
            b.text(ws, row, C_LABEL, gettext("Hours over the horizon"))
            b.formula(ws, row, C_LIKELY, f"{get_column_letter(C_LIKELY)}{hours_row}*SUM({profile})",
                      (likely.hours_total or 0.0) if likely else 0.0, HOURS)
            self._markers(ws, row, M_HOURS_SUM, item)
            row += 1
        return row

    def _formula_row(self, ws, row: int, item: engine.Item, text: str, rows_at: dict[str, int], fld: str,
                     cached: dict[str, float], fmt: str = MONEY) -> None:
        """Three cells (D, E, F) with the block's formula over the scenario's column."""
        b = self.book
        error = self.errors.get((item.id, fld))
        try:
            tree = formula_tree(text)
            names = tree_names(tree)
            unknown = [n for n in names if n not in rows_at and n not in self.factor_rows]
        except FormulaError:
            tree, names, unknown = None, [], []
        if tree is None or unknown or (error is not None and error.code != "missing_value"):
            # The engine counts this item as 0: so does the sheet, with the reason beside it.
            for col in SCENARIO_COL.values():
                b.num(ws, row, col, 0, fmt)
            message = error.message if error is not None else gettext("The formula cannot be computed.")
            b.text(ws, row, C_SOURCE, gettext("Counts as 0: %(reason)s", reason=message), F_MUTED)
            return

        def ref_in(col: int) -> Callable[[str], str]:
            letter = get_column_letter(col)

            def ref(name: str) -> str:
                if name in rows_at:
                    return f"{letter}{rows_at[name]}"
                return f"{FACTORS}!{letter}{self.factor_rows[name]}"

            return ref

        guard = ""
        if error is not None:  # a value is missing: 0 until every likely value is filled in
            likely_refs = ",".join(ref_in(C_LIKELY)(n) for n in names)
            guard = f"COUNT({likely_refs})<{len(names)}"
        for s, col in SCENARIO_COL.items():
            expr = to_excel(tree, ref_in(col))
            if divides_by_variable(tree):
                expr = f"IFERROR({expr},0)"
            if guard:
                expr = f"IF({guard},0,{expr})"
            b.formula(ws, row, col, expr, cached[s], fmt)

    # ---------------------------------------------------------------- Ej värderade
    def not_valued_sheet(self) -> None:
        b = self.book
        ws = b.sheet(NOT_VALUED)
        b.text(ws, 1, 1, NOT_VALUED, F_TITLE)
        b.text(ws, 2, 1, gettext("Benefits and costs not valued in money, with their estimated size "
                                 "(Ingen 0, Liten 1, Måttlig 2, Stor 3)."), F_MUTED)
        heads = [gettext("Title"), gettext("Kind"), gettext("Category"), gettext("Perspective"), gettext("Valuation"),
                 gettext("Estimated size"), gettext("Score (0–3)"), gettext("Description")]
        for col, label in enumerate(heads, start=1):
            b.text(ws, 4, col, label, F_BOLD, FILL_HEAD)
        row = 5
        for nv in self.result.not_valued:
            node = self.nodes.get(nv.id)
            b.text(ws, row, 1, nv.title, wrap=True)
            b.text(ws, row, 2, _label(NODE_TYPE_LABELS, node.node_type) if node is not None else "")
            b.text(ws, row, 3, _label(CATEGORY_LABELS, nv.category))
            b.text(ws, row, 4, nv.perspective)
            b.text(ws, row, 5, _label(VALUATION_LABELS, node.valuation) if node is not None else "")
            b.text(ws, row, 6, _label(SIZE_LABELS, nv.size_score) if nv.size_score is not None else "–")
            b.num(ws, row, 7, nv.size_score)
            b.text(ws, row, 8, node.description if node is not None else "", wrap=True)
            row += 1
        if not self.result.not_valued:
            b.text(ws, row, 1, gettext("None recorded."), F_MUTED)
            row += 1
        counted = {n.id for n in counted_nodes(self.a)}
        unsorted = [n for n in self.a.nodes if n.status == "visible" and n.id not in counted
                    and (n.is_benefit or n.is_cost)]
        if unsorted:
            row += 1
            b.text(ws, row, 1, gettext("Not sorted into a category yet (not counted)"), F_HEAD)
            row += 1
            for n in unsorted:
                b.text(ws, row, 1, n.title, wrap=True)
                b.text(ws, row, 2, _label(NODE_TYPE_LABELS, n.node_type))
                b.text(ws, row, 8, n.description, wrap=True)
                row += 1
        for col, width in zip("ABCDEFGH", (44, 22, 16, 24, 20, 16, 11, 60)):
            ws.column_dimensions[col].width = width

    # ---------------------------------------------------------------- Resultat
    def _range(self, sheet: str, col: int) -> str:
        letter = get_column_letter(col)
        return f"{_q(sheet)}!${letter}${FIRST_BLOCK_ROW}:${letter}${self.last_row[sheet]}"

    def _sumif(self, sheet: str, marker: str, col: int, **criteria: str) -> str:
        parts = [self._range(sheet, col), self._range(sheet, C_TYPE), _str_literal(marker)]
        for key, value in criteria.items():
            parts += [self._range(sheet, C_CAT if key == "category" else C_PERSP), _str_literal(value)]
        return f"SUMIFS({','.join(parts)})"

    def result_sheet(self) -> None:
        b, res = self.book, self.res
        ws = b.sheet(RESULT)
        H = self.horizon
        und, disc = res["undiscounted"], res["discounted"]
        b.text(ws, 1, 1, RESULT, F_TITLE)
        b.text(ws, 2, 1, gettext("%(h)s years; discount rate and convention are set on the sheet Start.", h=H), F_MUTED)

        # The per-year table further down: where its columns are.
        y0 = 36 + max(1, len(self.persp_codes)) + 3  # header row of the per-year table (after the perspectives)
        first, last = y0 + 1, y0 + H
        total_row = last + 1
        YC = {k: i for i, k in enumerate(("year", "cal", "disc", "b", "c", "net", "acc_b", "acc_c", "b_d", "c_d",
                                          "acc_b_d", "acc_c_d", "over", "over_d"), start=1)}

        def col(key: str) -> str:
            return get_column_letter(YC[key])

        def span(key: str) -> str:
            return f"{col(key)}{first}:{col(key)}{last}"

        # Measures.
        b.text(ws, 4, 1, gettext("Measure"), F_BOLD, FILL_HEAD)
        b.text(ws, 4, 2, word("undiscounted"), F_BOLD, FILL_HEAD)
        b.text(ws, 4, 3, word("discounted"), F_BOLD, FILL_HEAD)
        rows = {"benefits": 5, "costs": 6, "net": 7, "per": 8, "reading": 9, "year": 10}
        b.text(ws, 5, 1, word("benefits"))
        b.text(ws, 6, 1, word("costs"))
        b.text(ws, 7, 1, word("nettonytta"), F_BOLD)
        b.text(ws, 8, 1, word("per_krona"), F_BOLD)
        b.text(ws, 9, 1, gettext("Reading"))
        b.text(ws, 10, 1, word("break_even"), F_BOLD, wrap=True)
        never, cannot = word("never"), word("cannot")
        for c, m, (bk, ck, overk) in ((2, und, ("b", "c", "over")), (3, disc, ("b_d", "c_d", "over_d"))):
            L = get_column_letter(c)
            b.formula(ws, 5, c, f"{col(bk)}{total_row}", m["benefits"], MONEY)
            b.formula(ws, 6, c, f"{col(ck)}{total_row}", m["costs"], MONEY)
            b.formula(ws, 7, c, f"{L}5-{L}6", m["nettonytta"], MONEY).font = F_BOLD
            b.formula(ws, 8, c, f"IF({L}6=0,{_str_literal(cannot)},{L}7/{L}6)",
                      m["per_krona"] if m["per_krona"] is not None else cannot, RATIO).font = F_BOLD
            r = {k: clean(str(v)) for k, v in READINGS.items()}
            reading_expr = (f'IF({L}6=0,"",IF({L}8<0,{_str_literal(r["negative"])},IF({L}8=0,{_str_literal(r["zero"])},'
                            f'IF({L}8<0.5,{_str_literal(r["small_margin"])},{_str_literal(r["good"])}))))')
            b.formula(ws, 9, c, reading_expr, r[m["reading"]] if m["reading"] else "")
            b.formula(ws, 10, c, f"IF(COUNT({span(overk)})=0,{_str_literal(never)},MIN({span(overk)}))",
                      m["break_even_year"] if m["break_even_year"] is not None else never).font = F_BOLD
            for rr in rows.values():
                ws.cell(row=rr, column=c).fill = FILL_RESULT
                ws.cell(row=rr, column=c).alignment = Alignment(horizontal="right", wrap_text=True, vertical="top")
        ws.row_dimensions[9].height = 30
        ws.row_dimensions[10].height = 30

        # Shares.
        b.text(ws, 12, 1, gettext("Shares"), F_BOLD, FILL_HEAD)
        b.text(ws, 12, 2, word("undiscounted"), F_BOLD, FILL_HEAD)
        b.text(ws, 12, 3, word("discounted"), F_BOLD, FILL_HEAD)
        share_rows = [(13, "finansiell", "benefit"), (14, "omfordelning", "benefit"),
                      (15, "finansiell", "cost"), (16, "omfordelning", "cost")]
        for r, cat, kind in share_rows:
            of = gettext("of the benefits") if kind == "benefit" else gettext("of the costs")
            b.text(ws, r, 1, f"{word(cat)} {of}")
            sheet = BENEFITS if kind == "benefit" else COSTS
            for c, m, marker in ((2, und, M_SUM), (3, disc, M_SUM_DISC)):
                L = get_column_letter(c)
                total = f"{L}{5 if kind == 'benefit' else 6}"
                share = m["benefit_shares" if kind == "benefit" else "cost_shares"].get(cat)
                b.formula(ws, r, c, f'IF({total}=0,"",{self._sumif(sheet, marker, C_LIKELY, category=cat)}/{total})',
                          share if share is not None else "", PERCENT)

        # Omfördelning in hours.
        omf = res["omfordelning"]
        b.text(ws, 18, 1, gettext("Omfördelning in time"), F_BOLD, FILL_HEAD)
        b.text(ws, 18, 2, gettext("Hours"), F_BOLD, FILL_HEAD)
        b.text(ws, 18, 3, word("arsarbetare"), F_BOLD, FILL_HEAD)
        for r, label, sheet, hours, fte in (
            (19, gettext("Freed (benefits), whole horizon"), BENEFITS, omf["benefit_hours"], omf["benefit_arsarbetare"]),
            (20, gettext("Consumed (costs), whole horizon"), COSTS, omf["cost_hours"], omf["cost_arsarbetare"]),
        ):
            b.text(ws, r, 1, label)
            b.formula(ws, r, 2, self._sumif(sheet, M_HOURS_SUM, C_LIKELY, category="omfordelning"), hours, HOURS)
            b.formula(ws, r, 3, f"B{r}/{engine.HOURS_PER_YEAR}", fte, RATIO)

        # Uncertainty: all lowest / all likely / all highest values.
        b.text(ws, 22, 1, gettext("Uncertainty"), F_BOLD, FILL_HEAD)
        for i, s in enumerate(engine.SCENARIOS):
            b.text(ws, 22, 2 + i, word({"low": "all_low", "likely": "all_likely", "high": "all_high"}[s]), F_BOLD, FILL_HEAD)
        r = 23
        for discounted, marker in ((False, M_SUM), (True, M_SUM_DISC)):
            tag = word("discounted") if discounted else word("undiscounted")
            labels = [f"{word('benefits')} ({tag})", f"{word('costs')} ({tag})", f"{word('nettonytta')} ({tag})",
                      f"{word('per_krona')} ({tag})"]
            for j, label in enumerate(labels):
                b.text(ws, r + j, 1, label, F_BOLD if j >= 2 else None)
            for i, s in enumerate(engine.SCENARIOS):
                c = 2 + i
                L = get_column_letter(c)
                head = res["uncertainty"][s]["discounted" if discounted else "undiscounted"]
                scol = SCENARIO_COL[s]
                b.formula(ws, r, c, self._sumif(BENEFITS, marker, scol), head["benefits"], MONEY)
                b.formula(ws, r + 1, c, self._sumif(COSTS, marker, scol), head["costs"], MONEY)
                b.formula(ws, r + 2, c, f"{L}{r}-{L}{r + 1}", head["nettonytta"], MONEY)
                b.formula(ws, r + 3, c, f"IF({L}{r + 1}=0,{_str_literal(cannot)},{L}{r + 2}/{L}{r + 1})",
                          head["per_krona"] if head["per_krona"] is not None else cannot, RATIO)
            r += 4

        # By category and by perspective.
        r = 32
        heads = [gettext("Category"), word("benefits"), f"{word('benefits')} ({word('discounted')})",
                 word("costs"), f"{word('costs')} ({word('discounted')})"]
        for c, label in enumerate(heads, start=1):
            b.text(ws, r, c, label, F_BOLD, FILL_HEAD)
        for j, cat in enumerate(("finansiell", "omfordelning")):
            rr = r + 1 + j
            b.text(ws, rr, 1, word(cat))
            for c, sheet, marker, m, kind in ((2, BENEFITS, M_SUM, und, "benefit"), (3, BENEFITS, M_SUM_DISC, disc, "benefit"),
                                              (4, COSTS, M_SUM, und, "cost"), (5, COSTS, M_SUM_DISC, disc, "cost")):
                b.formula(ws, rr, c, self._sumif(sheet, marker, C_LIKELY, category=cat),
                          m["by_category"][kind].get(cat, 0.0), MONEY)
        r = 36
        heads[0] = gettext("Perspective")
        for c, label in enumerate(heads, start=1):
            b.text(ws, r, c, label, F_BOLD, FILL_HEAD)
        for j, (label, code) in enumerate(self.persp_codes.items()):
            rr = r + 1 + j
            b.text(ws, rr, 1, label or gettext("(no perspective)"))
            for c, sheet, marker, m, kind in ((2, BENEFITS, M_SUM, und, "benefit"), (3, BENEFITS, M_SUM_DISC, disc, "benefit"),
                                              (4, COSTS, M_SUM, und, "cost"), (5, COSTS, M_SUM_DISC, disc, "cost")):
                b.formula(ws, rr, c, self._sumif(sheet, marker, C_LIKELY, perspective=code),
                          m["by_perspective"][kind].get(label, 0.0), MONEY)
        if not self.persp_codes:
            b.text(ws, r + 1, 1, "–")

        # The per-year table.
        b.text(ws, y0 - 1, 1, gettext("Per year"), F_HEAD)
        heads = {
            "year": gettext("Year"), "cal": gettext("Calendar year"), "disc": gettext("Discount factor"),
            "b": word("benefits"), "c": word("costs"), "net": gettext("Net"),
            "acc_b": word("acc_benefits"), "acc_c": word("acc_costs"),
            "b_d": f"{word('benefits')} ({word('discounted')})", "c_d": f"{word('costs')} ({word('discounted')})",
            "acc_b_d": f"{word('acc_benefits')} ({word('discounted')})",
            "acc_c_d": f"{word('acc_costs')} ({word('discounted')})",
            "over": gettext("Benefits exceed costs (year)"),
            "over_d": gettext("Benefits exceed costs, discounted (year)"),
        }
        for key, label in heads.items():
            cell = b.text(ws, y0, YC[key], label, F_BOLD, FILL_HEAD)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[y0].height = 45
        factors = self.result.discount_factors
        for t in range(1, H + 1):
            r = y0 + t
            ycol = get_column_letter(self.year_col(t))
            b.num(ws, r, YC["year"], t)
            if self.a.start_year:
                b.num(ws, r, YC["cal"], self.a.start_year + t - 1)
            b.formula(ws, r, YC["disc"], self.disc_expr(t), factors[t - 1], FACTOR)
            for key, sheet, series in (("b", BENEFITS, und["benefits_by_year"]), ("c", COSTS, und["costs_by_year"])):
                rng = f"{_q(sheet)}!{ycol}${FIRST_BLOCK_ROW}:{ycol}${self.last_row[sheet]}"
                b.formula(ws, r, YC[key], f'SUMIF({self._range(sheet, C_TYPE)},"{M_YEARLY}",{rng})', series[t - 1], MONEY)
            b.formula(ws, r, YC["net"], f"{col('b')}{r}-{col('c')}{r}",
                      und["benefits_by_year"][t - 1] - und["costs_by_year"][t - 1], MONEY)
            b.formula(ws, r, YC["acc_b"], f"SUM({col('b')}${first}:{col('b')}{r})", und["accumulated_benefits"][t - 1], MONEY)
            b.formula(ws, r, YC["acc_c"], f"SUM({col('c')}${first}:{col('c')}{r})", und["accumulated_costs"][t - 1], MONEY)
            b.formula(ws, r, YC["b_d"], f"{col('b')}{r}*{col('disc')}{r}", disc["benefits_by_year"][t - 1], MONEY)
            b.formula(ws, r, YC["c_d"], f"{col('c')}{r}*{col('disc')}{r}", disc["costs_by_year"][t - 1], MONEY)
            b.formula(ws, r, YC["acc_b_d"], f"SUM({col('b_d')}${first}:{col('b_d')}{r})",
                      disc["accumulated_benefits"][t - 1], MONEY)
            b.formula(ws, r, YC["acc_c_d"], f"SUM({col('c_d')}${first}:{col('c_d')}{r})",
                      disc["accumulated_costs"][t - 1], MONEY)
            for key, (ab, ac), m in (("over", ("acc_b", "acc_c"), und), ("over_d", ("acc_b_d", "acc_c_d"), disc)):
                A, C = f"{col(ab)}{r}", f"{col(ac)}{r}"
                exceeds = engine._greater(m["accumulated_benefits"][t - 1], m["accumulated_costs"][t - 1])
                # Strictly greater, beyond float noise (as the engine): equal totals do not count.
                b.formula(ws, r, YC[key], f'IF({A}-{C}>1E-9*MAX(ABS({A}),ABS({C}),1),{col("year")}{r},"")',
                          t if exceeds else "")
        b.text(ws, total_row, 1, gettext("Total"), F_BOLD)
        for key, value in (("b", und["benefits"]), ("c", und["costs"]), ("net", und["nettonytta"]),
                           ("b_d", disc["benefits"]), ("c_d", disc["costs"])):
            b.formula(ws, total_row, YC[key], f"SUM({span(key)})", value, MONEY).font = F_BOLD

        # Sensitivity, as computed at export.
        r = total_row + 3
        b.text(ws, r, 1, gettext("Sensitivity (computed at export; does not follow changes in this file)"), F_HEAD)
        r += 1
        heads = [gettext("Input"), gettext("Item"), gettext("Lowest"), gettext("Likely"), gettext("Highest"),
                 gettext("Net benefit at lowest"), gettext("Net benefit at highest")]
        for c, label in enumerate(heads, start=1):
            b.text(ws, r, c, label, F_BOLD, FILL_HEAD)
        titles = {i["id"]: i["title"] for i in res["items"]}
        for e in (res["sensitivity"] or [])[:15]:
            r += 1
            b.text(ws, r, 1, e["label"] or e["name"])
            b.text(ws, r, 2, titles.get(e["item_id"], gettext("Shared factor")) if e["item_id"] else gettext("Shared factor"))
            b.num(ws, r, 3, e["low"])
            b.num(ws, r, 4, e["likely"])
            b.num(ws, r, 5, e["high"])
            b.num(ws, r, 6, e["nettonytta_low"], MONEY)
            b.num(ws, r, 7, e["nettonytta_high"], MONEY)

        for c, width in zip("ABCDEFGHIJKLMN", (46, 18, 18, 16, 16, 16, 17, 17, 16, 16, 17, 17, 13, 13)):
            ws.column_dimensions[c].width = width

        # The chart: accumulated benefits and costs per year (undiscounted), live from the table.
        chart = LineChart()
        chart.title = gettext("Accumulated benefits and costs per year")
        chart.y_axis.title = "kr"
        chart.x_axis.title = gettext("Year")
        chart.height = 8.5
        chart.width = 17
        data = Reference(ws, min_col=YC["acc_b"], max_col=YC["acc_c"], min_row=y0, max_row=last)
        chart.add_data(data, titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=YC["year"], min_row=first, max_row=last))
        chart.x_axis.delete = False
        chart.y_axis.delete = False
        chart.y_axis.number_format = MONEY
        chart.legend.position = "b"
        colours = ("1D4F91", "C2410C")
        for series, colour in zip(chart.series, colours):
            series.graphicalProperties.line.solidFill = colour
            series.graphicalProperties.line.width = 38100
            series.smooth = False
        chart.series[1].graphicalProperties.line.dashStyle = "dash"
        ws.add_chart(chart, "E4")
        ws.freeze_panes = "A4"

    def build(self) -> bytes:
        self.start_sheet()
        # Faktorer is written before the blocks (they refer to it) and moved to the end.
        self.factor_sheet()
        self.value_sheet(BENEFITS, "benefit")
        self.value_sheet(COSTS, "cost")
        self.not_valued_sheet()
        self.result_sheet()
        wb = self.book.wb
        wb.move_sheet(FACTORS, offset=len(wb.sheetnames) - 1 - wb.sheetnames.index(FACTORS))
        wb.active = wb.sheetnames.index(RESULT)
        for sheet in wb.worksheets:
            sheet.sheet_view.tabSelected = sheet.title == RESULT
        props = wb.properties
        props.creator = "Nyttoverkstad"
        props.lastModifiedBy = "Nyttoverkstad"
        props.title = clean(self.a.name_of_change or self.workshop.title)[:250]
        wb.calculation.fullCalcOnLoad = True
        return self.book.save()


def render(ws: Workshop, analysis: Analysis) -> bytes:
    return _Writer(ws, analysis).build()


def written_formula_cells(ws: Workshop, analysis: Analysis) -> tuple[bytes, set[tuple[str, str]]]:
    """The file and the (sheet, cell) of every formula this module wrote (for tests)."""
    w = _Writer(ws, analysis)
    return w.build(), set(w.book.formula_cells)
