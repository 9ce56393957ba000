"""Uppföljning: the latest decided version against what happened, with live formulas.

Per item valued in money, three rows: the decided estimate per year (frozen figures), the
realised values (input cells: filled where something was measured, empty elsewhere) and the
year's counted value ``=IF(ISBLANK(realised), estimate, realised)``. Below: benefits and costs
per year, estimate and outcome, accumulated, discounted with the version's own rate and
convention (input cells on this sheet: the decided version may differ from the draft on Start),
and the measures. Every cached value is the follow-up engine's
(``workshop.calculation.outcome``), and LibreOffice recalculates to the same figures
(tests/integration/test_followup_xlsx.py).
"""

from __future__ import annotations

from flask_babel import gettext
from openpyxl.utils import get_column_letter

from ....followup import service as followup
from ...common import category_word, word
from .._context import Context
from .._layout import MONEY, RATIO
from ..cells import F_BOLD, F_MUTED, F_TITLE, FILL_HEAD, FILL_INPUT, FILL_RESULT
from ..formulas import text_literal

SHEET = "Uppföljning"
C_TITLE, C_KIND, C_CAT, C_ROW, C_Y1 = 1, 2, 3, 4, 5
FIRST = 10
RATE_ROW, CONV_ROW = 5, 6


def write(ctx: Context) -> None:
    if ctx.a.id is None:
        return
    versions = followup.versions(ctx.a)
    if not versions:
        return
    version = versions[-1]
    cmp = followup.comparison(version)
    settings = cmp.settings
    h = settings.horizon
    b = ctx.book
    ws = b.sheet(SHEET)
    est_word, real_word, counted_word = gettext("Estimate"), gettext("Realised (fill in)"), gettext("Counted")
    benefit_word, cost_word = gettext("Benefit"), gettext("Cost")

    b.text(ws, 1, 1, SHEET, F_TITLE)
    decided = gettext(
        "Version %(number)s: %(label)s, decided %(date)s",
        number=version.number,
        label=version.label,
        date=version.decided_on.isoformat(),
    )
    b.text(ws, 2, 1, decided + (f" ({version.decided_by})" if version.decided_by else ""), F_BOLD)
    b.text(
        ws,
        3,
        1,
        gettext(
            "Type what happened in the yellow rows (kr that year); an empty cell keeps the decided estimate. "
            "The decided estimate never changes."
        ),
        F_MUTED,
    )
    b.text(ws, RATE_ROW, 1, gettext("Discount rate (kalkylränta)"), F_BOLD)
    b.num(ws, RATE_ROW, 2, settings.discount_rate, "0.0%", input_cell=True)
    b.text(ws, CONV_ROW, 1, gettext("Convention (A or B)"), F_BOLD)
    b.text(ws, CONV_ROW, 2, settings.convention).fill = FILL_INPUT
    rate, conv = f"$B${RATE_ROW}", f"$B${CONV_ROW}"

    def ycol(t: int) -> str:
        return get_column_letter(C_Y1 + t - 1)

    c_sum = C_Y1 + h
    head = FIRST - 1
    for col, text in ((C_TITLE, gettext("Item")), (C_KIND, gettext("Kind")), (C_CAT, gettext("Category")), (C_ROW, "")):
        b.text(ws, head, col, text, F_BOLD, FILL_HEAD)
    for t in range(1, h + 1):
        b.text(ws, head, C_Y1 + t - 1, word("year_n", n=t), F_BOLD, FILL_HEAD)
    b.text(ws, head, c_sum, gettext("Sum"), F_BOLD, FILL_HEAD)

    row = FIRST
    for o in cmp.items:
        kind = benefit_word if o.kind == "benefit" else cost_word
        est_r, real_r, cnt_r = row, row + 1, row + 2
        for r, label in ((est_r, est_word), (real_r, real_word), (cnt_r, counted_word)):
            b.text(ws, r, C_TITLE, o.title if r == est_r else "", F_BOLD if r == est_r else None, wrap=True)
            b.text(ws, r, C_KIND, kind)
            b.text(ws, r, C_CAT, category_word(o.category))
            b.text(ws, r, C_ROW, label)
        for t in range(1, h + 1):
            col = C_Y1 + t - 1
            L = ycol(t)
            b.num(ws, est_r, col, o.estimate_by_year[t - 1], MONEY)
            real = o.outcome_by_year[t - 1] if t in o.realised_years else None
            b.num(ws, real_r, col, real, MONEY, input_cell=True)
            b.formula(
                ws, cnt_r, col, f"IF(ISBLANK({L}{real_r}),{L}{est_r},{L}{real_r})", o.outcome_by_year[t - 1], MONEY
            )
        first, last = ycol(1), ycol(h)
        b.formula(ws, est_r, c_sum, f"SUM({first}{est_r}:{last}{est_r})", sum(o.estimate_by_year), MONEY)
        b.formula(ws, cnt_r, c_sum, f"SUM({first}{cnt_r}:{last}{cnt_r})", sum(o.outcome_by_year), MONEY)
        row += 3
    last_item = max(row - 1, FIRST)

    # --- per year -------------------------------------------------------------------------
    t0 = row + 1
    rows = {
        "disc": t0 + 1,
        "b_est": t0 + 2,
        "b_out": t0 + 3,
        "c_est": t0 + 4,
        "c_out": t0 + 5,
        "acc_b_est": t0 + 6,
        "acc_c_est": t0 + 7,
        "acc_b_out": t0 + 8,
        "acc_c_out": t0 + 9,
        "over_est": t0 + 10,
        "over_out": t0 + 11,
    }
    labels = {
        "disc": gettext("Discount factor"),
        "b_est": gettext("Benefits, estimate"),
        "b_out": gettext("Benefits, outcome"),
        "c_est": gettext("Costs, estimate"),
        "c_out": gettext("Costs, outcome"),
        "acc_b_est": gettext("Accumulated benefits, estimate"),
        "acc_c_est": gettext("Accumulated costs, estimate"),
        "acc_b_out": gettext("Accumulated benefits, outcome"),
        "acc_c_out": gettext("Accumulated costs, outcome"),
        "over_est": gettext("Benefits exceed costs, estimate (year)"),
        "over_out": gettext("Benefits exceed costs, outcome (year)"),
    }
    b.text(ws, t0, 1, gettext("Per year, undiscounted"), F_BOLD, FILL_HEAD)
    for t in range(1, h + 1):
        b.text(ws, t0, C_Y1 + t - 1, word("year_n", n=t), F_BOLD, FILL_HEAD)
    for key, r in rows.items():
        b.text(ws, r, 1, labels[key])
    und_e, und_o = cmp.estimate["undiscounted"], cmp.outcome["undiscounted"]
    weights = [
        1.0 / (1 + settings.discount_rate) ** (t - (1 if settings.convention == "A" else 0)) for t in range(1, h + 1)
    ]
    span = f"$B${FIRST}:$B${last_item}"
    rspan = f"$D${FIRST}:$D${last_item}"
    for t in range(1, h + 1):
        col, L = C_Y1 + t - 1, ycol(t)
        b.formula(
            ws, rows["disc"], col, f'IF({conv}="B",1/(1+{rate})^{t},1/(1+{rate})^{t - 1})', weights[t - 1], "0.0000"
        )
        for key, kind, marker, series in (
            ("b_est", benefit_word, est_word, und_e.benefits_by_year),
            ("b_out", benefit_word, counted_word, und_o.benefits_by_year),
            ("c_est", cost_word, est_word, und_e.costs_by_year),
            ("c_out", cost_word, counted_word, und_o.costs_by_year),
        ):
            rng = f"{L}${FIRST}:{L}${last_item}"
            expr = f"SUMIFS({rng},{span},{text_literal(kind)},{rspan},{text_literal(marker)})"
            b.formula(ws, rows[key], col, expr, series[t - 1], MONEY)
        for acc, src, series in (
            ("acc_b_est", "b_est", und_e.accumulated_benefits),
            ("acc_c_est", "c_est", und_e.accumulated_costs),
            ("acc_b_out", "b_out", und_o.accumulated_benefits),
            ("acc_c_out", "c_out", und_o.accumulated_costs),
        ):
            b.formula(ws, rows[acc], col, f"SUM(${ycol(1)}{rows[src]}:{L}{rows[src]})", series[t - 1], MONEY)
        for over, (ab, ac), m in (
            ("over_est", ("acc_b_est", "acc_c_est"), und_e),
            ("over_out", ("acc_b_out", "acc_c_out"), und_o),
        ):
            A, C = f"{L}{rows[ab]}", f"{L}{rows[ac]}"
            cached = t if _exceeds(m, t) else ""
            b.formula(ws, rows[over], col, f'IF({A}-{C}>1E-9*MAX(ABS({A}),ABS({C}),1),{t},"")', cached)

    # --- the measures ---------------------------------------------------------------------
    m0 = rows["over_out"] + 2
    b.text(ws, m0, 1, gettext("Measure"), F_BOLD, FILL_HEAD)
    b.text(ws, m0, 2, gettext("Estimate (decided)"), F_BOLD, FILL_HEAD)
    b.text(ws, m0, 3, gettext("Outcome so far"), F_BOLD, FILL_HEAD)
    first, last = ycol(1), ycol(h)
    never, cannot = word("never"), word("cannot")

    def sumrow(key: str) -> str:
        return f"SUM({first}{rows[key]}:{last}{rows[key]})"

    def sumdisc(key: str) -> str:
        return f"SUMPRODUCT({first}{rows[key]}:{last}{rows[key]},{first}{rows['disc']}:{last}{rows['disc']})"

    measures = [
        (
            gettext("Total net benefit, undiscounted"),
            lambda s: f"{sumrow('b_' + s)}-{sumrow('c_' + s)}",
            "nettonytta",
            "undiscounted",
            MONEY,
        ),
        (
            gettext("Total net benefit, discounted"),
            lambda s: f"{sumdisc('b_' + s)}-{sumdisc('c_' + s)}",
            "nettonytta",
            "discounted",
            MONEY,
        ),
        (
            gettext("Net benefit per krona invested, undiscounted"),
            lambda s: (
                f"IF({sumrow('c_' + s)}=0,{text_literal(cannot)},({sumrow('b_' + s)}-{sumrow('c_' + s)})/{sumrow('c_' + s)})"
            ),
            "per_krona",
            "undiscounted",
            RATIO,
        ),
        (
            gettext("Year benefits exceed costs, undiscounted"),
            lambda s: (
                f"IF(COUNT({first}{rows['over_' + s]}:{last}{rows['over_' + s]})=0,{text_literal(never)},"
                f"MIN({first}{rows['over_' + s]}:{last}{rows['over_' + s]}))"
            ),
            "break_even_year",
            "undiscounted",
            None,
        ),
    ]
    for i, (label, make, attr, basis, fmt) in enumerate(measures, start=1):
        r = m0 + i
        b.text(ws, r, 1, label, F_BOLD)
        for c, s, side in ((2, "est", cmp.estimate), (3, "out", cmp.outcome)):
            value = getattr(side[basis], attr)
            if value is None:
                value = never if attr == "break_even_year" else cannot
            cell = b.formula(ws, r, c, make(s), value, fmt)
            cell.fill = FILL_RESULT
    for letter, width in zip("ABCD", (44, 12, 16, 18)):
        ws.column_dimensions[letter].width = width
    for t in range(1, h + 2):
        ws.column_dimensions[get_column_letter(C_Y1 + t - 1)].width = 15
    ws.freeze_panes = ws.cell(row=FIRST, column=C_Y1)


def _exceeds(m, t: int) -> bool:
    """Accumulated benefits strictly above accumulated costs in year t (as the engine decides)."""
    a, c = m.accumulated_benefits[t - 1], m.accumulated_costs[t - 1]
    return a - c > 1e-9 * max(abs(a), abs(c), 1.0)
