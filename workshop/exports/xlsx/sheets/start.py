"""Start: facts about the analysis, its frame (the discount rate and convention are the input
cells every discount factor reads), perspectives, alternatives and how the file works."""

from __future__ import annotations

from datetime import UTC, datetime

from flask_babel import gettext
from openpyxl.styles import Alignment
from openpyxl.worksheet.datavalidation import DataValidation

from ....draft.checks import not_given, or_not_given
from ....draft.vocabulary import PERSPECTIVE_KIND_LABELS
from ...common import clean
from .._context import Context, label
from .._layout import PERCENT, START, START_CONV_ROW, START_RATE_ROW
from ..cells import F_BOLD, F_HEAD, F_MUTED, F_TITLE, FILL_HEAD, FILL_INPUT


def write(ctx: Context) -> None:
    b, a = ctx.book, ctx.a
    ws = b.sheet(START)
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 62
    ws.column_dimensions["C"].width = 48
    b.text(ws, 1, 1, gettext("Nyttokalkyl: %(name)s", name=clean(a.name_of_change or ctx.workshop.title)), F_TITLE)
    b.text(
        ws,
        2,
        1,
        gettext("Exported from Nyttoverkstad on %(date)s.", date=datetime.now(UTC).strftime("%Y-%m-%d")),
        F_MUTED,
    )
    b.text(ws, 4, 1, gettext("Facts about the analysis"), F_HEAD)
    facts = [
        (gettext("Organisation"), a.organisation),
        (gettext("Area"), a.area),
        (gettext("Change"), a.name_of_change),
        (gettext("Geography"), a.geography),
        (gettext("Status"), a.status_text),
        (gettext("Date"), a.updated_at.strftime("%Y-%m-%d") if a.updated_at else ""),
        (gettext("Version"), a.version),
        (gettext("Contact (role)"), a.contact_role),
    ]
    for i, (heading, value) in enumerate(facts):
        b.text(ws, 5 + i, 1, heading, F_BOLD)
        b.text(ws, 5 + i, 2, or_not_given(value), wrap=True)
    b.text(ws, 14, 1, gettext("Purpose"), F_BOLD)
    b.text(ws, 14, 2, a.purpose or not_given(), wrap=True)

    b.text(ws, 16, 1, gettext("Frame"), F_HEAD)
    b.text(ws, 17, 1, gettext("Start year"), F_BOLD)
    if a.start_year is None:
        b.text(ws, 17, 2, not_given())
    else:
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
    b.text(
        ws,
        START_CONV_ROW,
        3,
        gettext("A: year 1 is not discounted, year t is divided by (1+r)^(t−1). B: year t is divided by (1+r)^t."),
        F_MUTED,
        wrap=True,
    )
    b.text(ws, 21, 1, gettext("All amounts in today’s prices (no inflation)."), F_MUTED)

    row = 23
    b.text(ws, row, 1, gettext("Perspectives"), F_HEAD)
    row += 1
    for p in a.perspectives or []:
        b.text(ws, row, 1, p.get("label", ""))
        b.text(ws, row, 2, label(PERSPECTIVE_KIND_LABELS, p.get("kind")))
        row += 1
    if not a.perspectives:
        b.text(ws, row, 1, not_given())
        row += 1
    row += 1
    b.text(ws, row, 1, gettext("Alternatives"), F_HEAD)
    row += 1
    b.text(ws, row, 1, gettext("Alternative A (reference)"), F_BOLD)
    b.text(ws, row, 2, a.alternative_a or not_given(), wrap=True)
    row += 1
    b.text(ws, row, 1, gettext("Alternative B (the change)"), F_BOLD)
    b.text(ws, row, 2, a.alternative_b or not_given(), wrap=True)
    row += 1
    if a.comparison:
        row += 1
        for col, heading in enumerate((gettext("Aspect"), gettext("Alternative A"), gettext("Alternative B")), start=1):
            b.text(ws, row, col, heading, F_BOLD, FILL_HEAD)
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
        gettext(
            "Yellow cells are inputs: change a value and every result follows (Excel and LibreOffice recalculate)."
        ),
        gettext(
            "Each benefit and cost valued in money has a block on “Värde nyttor” or “Värde kostnader”: its questions "
            "with lowest, likely and highest value (columns D–F), its formula as a spreadsheet formula over those "
            "cells and the shared factors on “Faktorer”, its year profile and its value per year."
        ),
        gettext(
            "“Resultat” adds up the blocks with SUMIF over column H (what a row is), I (category) and J "
            "(perspective code)."
        ),
        gettext("The sensitivity table on “Resultat” was computed when the file was exported and does not change."),
    ):
        row += 1
        b.text(ws, row, 1, line, wrap=False)
