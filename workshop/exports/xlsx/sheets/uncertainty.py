"""Osäkerhet: the qualitative uncertainty per area (level and motivation), as recorded. Only
written when the analysis has areas: the nine-step edition's workbook keeps its five sheets."""

from __future__ import annotations

from flask_babel import gettext

from ....draft.report import uncertainty_areas
from .._context import Context
from .._layout import UNCERTAINTY
from ..cells import F_BOLD, F_MUTED, F_TITLE, FILL_HEAD


def write(ctx: Context) -> None:
    areas = uncertainty_areas(ctx.a)
    if not areas:
        return
    b = ctx.book
    ws = b.sheet(UNCERTAINTY)
    b.text(ws, 1, 1, UNCERTAINTY, F_TITLE)
    b.text(
        ws,
        2,
        1,
        gettext("Uncertainty per area (qualitative): the levels are words, not figures, and are never added up."),
        F_MUTED,
    )
    for col, heading in enumerate((gettext("Area"), gettext("Uncertainty"), gettext("Motivation")), start=1):
        b.text(ws, 4, col, heading, F_BOLD, FILL_HEAD)
    for row, area in enumerate(areas, start=5):
        b.text(ws, row, 1, area["area"], wrap=True)
        b.text(ws, row, 2, area["level_label"] or "–")
        b.text(ws, row, 3, area["motivation"], wrap=True)
    for letter, width in zip("ABC", (40, 16, 90), strict=True):
        ws.column_dimensions[letter].width = width
