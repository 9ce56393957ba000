"""Resultat: the measures, shares, hours, uncertainty, breakdowns, per-year table and chart.

Every figure is a formula: SUMIF/SUMIFS over the blocks' marked rows on the value sheets
(column H says what a row is, I its category, J its perspective as a code P1, P2 …), so nothing
participant-written is ever part of a formula, and the per-year table adds the years up with
the discount factors read from Start. Only the sensitivity table is computed at export. Where the
figures are is fixed in ``_layout`` (``MEASURE_CELLS`` and the like).
"""

from __future__ import annotations

from flask_babel import gettext, ngettext
from openpyxl.chart import LineChart, Reference
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter

from ....calculation import engine
from ...common import READINGS, clean, word
from .._context import Context
from .._layout import (
    BENEFITS,
    C_CAT,
    C_LIKELY,
    C_PERSP,
    C_TYPE,
    COSTS,
    FACTOR,
    FIRST_BLOCK_ROW,
    HOURS,
    M_HOURS_SUM,
    M_SUM,
    M_SUM_DISC,
    M_YEARLY,
    MONEY,
    PERCENT,
    RATIO,
    RESULT,
    SCENARIO_COL,
)
from ..cells import F_BOLD, F_HEAD, F_MUTED, F_TITLE, FILL_HEAD, FILL_RESULT
from ..formulas import quote_sheet, text_literal

# Columns of the per-year table.
YC = {
    k: i
    for i, k in enumerate(
        (
            "year",
            "cal",
            "disc",
            "b",
            "c",
            "net",
            "acc_b",
            "acc_c",
            "b_d",
            "c_d",
            "acc_b_d",
            "acc_c_d",
            "over",
            "over_d",
        ),
        start=1,
    )
}
BOTH = (
    (BENEFITS, M_SUM, "und", "benefit"),
    (BENEFITS, M_SUM_DISC, "disc", "benefit"),
    (COSTS, M_SUM, "und", "cost"),
    (COSTS, M_SUM_DISC, "disc", "cost"),
)


def write(ctx: Context) -> None:
    _Result(ctx).write()


def col(key: str) -> str:
    """Column letter of the per-year table's ``key``."""
    return get_column_letter(YC[key])


class _Result:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.b = ctx.book
        self.ws = self.b.sheet(RESULT)
        self.res = ctx.res
        self.m = {"und": ctx.res["undiscounted"], "disc": ctx.res["discounted"]}
        H = ctx.horizon
        # The per-year table goes below the perspectives: its header row, first and last year, total.
        self.y0 = 36 + max(1, len(ctx.persp_codes)) + 3
        self.first, self.last = self.y0 + 1, self.y0 + H
        self.total_row = self.last + 1

    def span(self, key: str) -> str:
        return f"{col(key)}{self.first}:{col(key)}{self.last}"

    def range_of(self, sheet: str, column: int) -> str:
        letter = get_column_letter(column)
        return f"{quote_sheet(sheet)}!${letter}${FIRST_BLOCK_ROW}:${letter}${self.ctx.last_row[sheet]}"

    def sumif(self, sheet: str, marker: str, column: int, **criteria: str) -> str:
        parts = [self.range_of(sheet, column), self.range_of(sheet, C_TYPE), text_literal(marker)]
        for key, value in criteria.items():
            parts += [self.range_of(sheet, C_CAT if key == "category" else C_PERSP), text_literal(value)]
        return f"SUMIFS({','.join(parts)})"

    def write(self) -> None:
        b, ws = self.b, self.ws
        b.text(ws, 1, 1, RESULT, F_TITLE)
        b.text(
            ws,
            2,
            1,
            ngettext(
                "%(n)s year; discount rate and convention are set on the sheet Start.",
                "%(n)s years; discount rate and convention are set on the sheet Start.",
                self.ctx.horizon,
                n=self.ctx.horizon,
            ),
            F_MUTED,
        )
        self.measures()
        self.shares()
        self.hours()
        self.uncertainty()
        self.breakdowns()
        self.per_year()
        self.sensitivity()
        for letter, width in zip("ABCDEFGHIJKLMN", (46, 18, 18, 16, 16, 16, 17, 17, 16, 16, 17, 17, 13, 13)):
            ws.column_dimensions[letter].width = width
        self.chart()
        ws.freeze_panes = "A4"

    def measures(self) -> None:
        b, ws = self.b, self.ws
        b.text(ws, 4, 1, gettext("Measure"), F_BOLD, FILL_HEAD)
        b.text(ws, 4, 2, word("undiscounted"), F_BOLD, FILL_HEAD)
        b.text(ws, 4, 3, word("discounted"), F_BOLD, FILL_HEAD)
        b.text(ws, 5, 1, word("benefits"))
        b.text(ws, 6, 1, word("costs"))
        b.text(ws, 7, 1, word("nettonytta"), F_BOLD)
        b.text(ws, 8, 1, word("per_krona"), F_BOLD)
        b.text(ws, 9, 1, gettext("Reading"))
        b.text(ws, 10, 1, word("break_even"), F_BOLD, wrap=True)
        never, cannot = word("never"), word("cannot")
        r = {k: clean(str(v)) for k, v in READINGS.items()}
        for c, m, (bk, ck, overk) in (
            (2, self.m["und"], ("b", "c", "over")),
            (3, self.m["disc"], ("b_d", "c_d", "over_d")),
        ):
            L = get_column_letter(c)
            b.formula(ws, 5, c, f"{col(bk)}{self.total_row}", m["benefits"], MONEY)
            b.formula(ws, 6, c, f"{col(ck)}{self.total_row}", m["costs"], MONEY)
            b.formula(ws, 7, c, f"{L}5-{L}6", m["nettonytta"], MONEY).font = F_BOLD
            b.formula(
                ws,
                8,
                c,
                f"IF({L}6=0,{text_literal(cannot)},{L}7/{L}6)",
                m["per_krona"] if m["per_krona"] is not None else cannot,
                RATIO,
            ).font = F_BOLD
            reading_expr = (
                f'IF({L}6=0,"",IF({L}8<0,{text_literal(r["negative"])},'
                f"IF({L}8=0,{text_literal(r['zero'])},"
                f"IF({L}8<0.5,{text_literal(r['small_margin'])},{text_literal(r['good'])}))))"
            )
            b.formula(ws, 9, c, reading_expr, r[m["reading"]] if m["reading"] else "")
            b.formula(
                ws,
                10,
                c,
                f"IF(COUNT({self.span(overk)})=0,{text_literal(never)},MIN({self.span(overk)}))",
                m["break_even_year"] if m["break_even_year"] is not None else never,
            ).font = F_BOLD
            for rr in range(5, 11):
                ws.cell(row=rr, column=c).fill = FILL_RESULT
                ws.cell(row=rr, column=c).alignment = Alignment(horizontal="right", wrap_text=True, vertical="top")
        ws.row_dimensions[9].height = 30
        ws.row_dimensions[10].height = 30

    def shares(self) -> None:
        b, ws = self.b, self.ws
        b.text(ws, 12, 1, gettext("Shares"), F_BOLD, FILL_HEAD)
        b.text(ws, 12, 2, word("undiscounted"), F_BOLD, FILL_HEAD)
        b.text(ws, 12, 3, word("discounted"), F_BOLD, FILL_HEAD)
        share_rows = [
            (13, "finansiell", "benefit"),
            (14, "omfordelning", "benefit"),
            (15, "finansiell", "cost"),
            (16, "omfordelning", "cost"),
        ]
        for r, cat, kind in share_rows:
            of = gettext("of the benefits") if kind == "benefit" else gettext("of the costs")
            b.text(ws, r, 1, f"{word(cat)} {of}")
            sheet = BENEFITS if kind == "benefit" else COSTS
            for c, m, marker in ((2, self.m["und"], M_SUM), (3, self.m["disc"], M_SUM_DISC)):
                L = get_column_letter(c)
                total = f"{L}{5 if kind == 'benefit' else 6}"
                share = m["benefit_shares" if kind == "benefit" else "cost_shares"].get(cat)
                b.formula(
                    ws,
                    r,
                    c,
                    f'IF({total}=0,"",{self.sumif(sheet, marker, C_LIKELY, category=cat)}/{total})',
                    share if share is not None else "",
                    PERCENT,
                )

    def hours(self) -> None:
        """Omfördelning in hours and årsarbetare."""
        b, ws = self.b, self.ws
        omf = self.res["omfordelning"]
        b.text(ws, 18, 1, gettext("Omfördelning in time"), F_BOLD, FILL_HEAD)
        b.text(ws, 18, 2, gettext("Hours"), F_BOLD, FILL_HEAD)
        b.text(ws, 18, 3, word("arsarbetare"), F_BOLD, FILL_HEAD)
        for r, heading, sheet, hours, fte in (
            (
                19,
                gettext("Freed (benefits), whole horizon"),
                BENEFITS,
                omf["benefit_hours"],
                omf["benefit_arsarbetare"],
            ),
            (20, gettext("Consumed (costs), whole horizon"), COSTS, omf["cost_hours"], omf["cost_arsarbetare"]),
        ):
            b.text(ws, r, 1, heading)
            b.formula(ws, r, 2, self.sumif(sheet, M_HOURS_SUM, C_LIKELY, category="omfordelning"), hours, HOURS)
            b.formula(ws, r, 3, f"B{r}/{engine.HOURS_PER_YEAR}", fte, RATIO)

    def uncertainty(self) -> None:
        """All lowest / all likely / all highest values."""
        b, ws = self.b, self.ws
        cannot = word("cannot")
        b.text(ws, 22, 1, gettext("Uncertainty"), F_BOLD, FILL_HEAD)
        for i, s in enumerate(engine.SCENARIOS):
            b.text(
                ws,
                22,
                2 + i,
                word({"low": "all_low", "likely": "all_likely", "high": "all_high"}[s]),
                F_BOLD,
                FILL_HEAD,
            )
        r = 23
        for discounted, marker in ((False, M_SUM), (True, M_SUM_DISC)):
            tag = word("discounted") if discounted else word("undiscounted")
            labels = [
                f"{word('benefits')} ({tag})",
                f"{word('costs')} ({tag})",
                f"{word('nettonytta')} ({tag})",
                f"{word('per_krona')} ({tag})",
            ]
            for j, heading in enumerate(labels):
                b.text(ws, r + j, 1, heading, F_BOLD if j >= 2 else None)
            for i, s in enumerate(engine.SCENARIOS):
                c = 2 + i
                L = get_column_letter(c)
                head = self.res["uncertainty"][s]["discounted" if discounted else "undiscounted"]
                scol = SCENARIO_COL[s]
                b.formula(ws, r, c, self.sumif(BENEFITS, marker, scol), head["benefits"], MONEY)
                b.formula(ws, r + 1, c, self.sumif(COSTS, marker, scol), head["costs"], MONEY)
                b.formula(ws, r + 2, c, f"{L}{r}-{L}{r + 1}", head["nettonytta"], MONEY)
                b.formula(
                    ws,
                    r + 3,
                    c,
                    f"IF({L}{r + 1}=0,{text_literal(cannot)},{L}{r + 2}/{L}{r + 1})",
                    head["per_krona"] if head["per_krona"] is not None else cannot,
                    RATIO,
                )
            r += 4

    def breakdowns(self) -> None:
        """By category and by perspective."""
        b, ws = self.b, self.ws
        r = 32
        heads = [
            gettext("Category"),
            word("benefits"),
            f"{word('benefits')} ({word('discounted')})",
            word("costs"),
            f"{word('costs')} ({word('discounted')})",
        ]
        for c, heading in enumerate(heads, start=1):
            b.text(ws, r, c, heading, F_BOLD, FILL_HEAD)
        for j, cat in enumerate(("finansiell", "omfordelning")):
            rr = r + 1 + j
            b.text(ws, rr, 1, word(cat))
            for c, (sheet, marker, m, kind) in enumerate(BOTH, start=2):
                b.formula(
                    ws,
                    rr,
                    c,
                    self.sumif(sheet, marker, C_LIKELY, category=cat),
                    self.m[m]["by_category"][kind].get(cat, 0.0),
                    MONEY,
                )
        r = 36
        heads[0] = gettext("Perspective")
        for c, heading in enumerate(heads, start=1):
            b.text(ws, r, c, heading, F_BOLD, FILL_HEAD)
        for j, (persp, code) in enumerate(self.ctx.persp_codes.items()):
            rr = r + 1 + j
            b.text(ws, rr, 1, persp or gettext("(no perspective)"))
            for c, (sheet, marker, m, kind) in enumerate(BOTH, start=2):
                b.formula(
                    ws,
                    rr,
                    c,
                    self.sumif(sheet, marker, C_LIKELY, perspective=code),
                    self.m[m]["by_perspective"][kind].get(persp, 0.0),
                    MONEY,
                )
        if not self.ctx.persp_codes:
            b.text(ws, r + 1, 1, "–")

    def per_year(self) -> None:
        b, ws, ctx = self.b, self.ws, self.ctx
        und, disc = self.m["und"], self.m["disc"]
        y0, first, H = self.y0, self.first, ctx.horizon
        b.text(ws, y0 - 1, 1, gettext("Per year"), F_HEAD)
        heads = {
            "year": gettext("Year"),
            "cal": gettext("Calendar year"),
            "disc": gettext("Discount factor"),
            "b": word("benefits"),
            "c": word("costs"),
            "net": gettext("Net"),
            "acc_b": word("acc_benefits"),
            "acc_c": word("acc_costs"),
            "b_d": f"{word('benefits')} ({word('discounted')})",
            "c_d": f"{word('costs')} ({word('discounted')})",
            "acc_b_d": f"{word('acc_benefits')} ({word('discounted')})",
            "acc_c_d": f"{word('acc_costs')} ({word('discounted')})",
            "over": gettext("Benefits exceed costs (year)"),
            "over_d": gettext("Benefits exceed costs, discounted (year)"),
        }
        for key, heading in heads.items():
            cell = b.text(ws, y0, YC[key], heading, F_BOLD, FILL_HEAD)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[y0].height = 45
        factors = ctx.result.discount_factors
        for t in range(1, H + 1):
            r = y0 + t
            ycol = get_column_letter(ctx.year_col(t))
            b.num(ws, r, YC["year"], t)
            if ctx.a.start_year:
                b.num(ws, r, YC["cal"], ctx.a.start_year + t - 1)
            b.formula(ws, r, YC["disc"], ctx.disc_expr(t), factors[t - 1], FACTOR)
            for key, sheet, series in (("b", BENEFITS, und["benefits_by_year"]), ("c", COSTS, und["costs_by_year"])):
                rng = f"{quote_sheet(sheet)}!{ycol}${FIRST_BLOCK_ROW}:{ycol}${ctx.last_row[sheet]}"
                b.formula(
                    ws, r, YC[key], f'SUMIF({self.range_of(sheet, C_TYPE)},"{M_YEARLY}",{rng})', series[t - 1], MONEY
                )
            b.formula(
                ws,
                r,
                YC["net"],
                f"{col('b')}{r}-{col('c')}{r}",
                und["benefits_by_year"][t - 1] - und["costs_by_year"][t - 1],
                MONEY,
            )
            b.formula(
                ws, r, YC["acc_b"], f"SUM({col('b')}${first}:{col('b')}{r})", und["accumulated_benefits"][t - 1], MONEY
            )
            b.formula(
                ws, r, YC["acc_c"], f"SUM({col('c')}${first}:{col('c')}{r})", und["accumulated_costs"][t - 1], MONEY
            )
            b.formula(ws, r, YC["b_d"], f"{col('b')}{r}*{col('disc')}{r}", disc["benefits_by_year"][t - 1], MONEY)
            b.formula(ws, r, YC["c_d"], f"{col('c')}{r}*{col('disc')}{r}", disc["costs_by_year"][t - 1], MONEY)
            b.formula(
                ws,
                r,
                YC["acc_b_d"],
                f"SUM({col('b_d')}${first}:{col('b_d')}{r})",
                disc["accumulated_benefits"][t - 1],
                MONEY,
            )
            b.formula(
                ws,
                r,
                YC["acc_c_d"],
                f"SUM({col('c_d')}${first}:{col('c_d')}{r})",
                disc["accumulated_costs"][t - 1],
                MONEY,
            )
            for key, (ab, ac), m in (("over", ("acc_b", "acc_c"), und), ("over_d", ("acc_b_d", "acc_c_d"), disc)):
                A, C = f"{col(ab)}{r}", f"{col(ac)}{r}"
                exceeds = engine._greater(m["accumulated_benefits"][t - 1], m["accumulated_costs"][t - 1])
                # Strictly greater, beyond float noise (as the engine): equal totals do not count.
                b.formula(
                    ws,
                    r,
                    YC[key],
                    f'IF({A}-{C}>1E-9*MAX(ABS({A}),ABS({C}),1),{col("year")}{r},"")',
                    t if exceeds else "",
                )
        b.text(ws, self.total_row, 1, gettext("Total"), F_BOLD)
        for key, value in (
            ("b", und["benefits"]),
            ("c", und["costs"]),
            ("net", und["nettonytta"]),
            ("b_d", disc["benefits"]),
            ("c_d", disc["costs"]),
        ):
            b.formula(ws, self.total_row, YC[key], f"SUM({self.span(key)})", value, MONEY).font = F_BOLD

    def sensitivity(self) -> None:
        """The tornado's figures, as computed at export."""
        b, ws = self.b, self.ws
        r = self.total_row + 3
        b.text(ws, r, 1, gettext("Sensitivity (computed at export; does not follow changes in this file)"), F_HEAD)
        r += 1
        heads = [
            gettext("Input"),
            gettext("Item"),
            gettext("Lowest"),
            gettext("Likely"),
            gettext("Highest"),
            gettext("Net benefit at lowest"),
            gettext("Net benefit at highest"),
        ]
        for c, heading in enumerate(heads, start=1):
            b.text(ws, r, c, heading, F_BOLD, FILL_HEAD)
        titles = {i["id"]: i["title"] for i in self.res["items"]}
        for e in (self.res["sensitivity"] or [])[:15]:
            r += 1
            b.text(ws, r, 1, e["label"] or e["name"])
            b.text(
                ws,
                r,
                2,
                titles.get(e["item_id"], gettext("Shared factor")) if e["item_id"] else gettext("Shared factor"),
            )
            b.num(ws, r, 3, e["low"])
            b.num(ws, r, 4, e["likely"])
            b.num(ws, r, 5, e["high"])
            b.num(ws, r, 6, e["nettonytta_low"], MONEY)
            b.num(ws, r, 7, e["nettonytta_high"], MONEY)

    def chart(self) -> None:
        """Accumulated benefits and costs per year (undiscounted), live from the per-year table."""
        chart = LineChart()
        chart.title = gettext("Accumulated benefits and costs per year")
        chart.y_axis.title = "kr"
        chart.x_axis.title = gettext("Year")
        chart.height = 8.5
        chart.width = 17
        data = Reference(self.ws, min_col=YC["acc_b"], max_col=YC["acc_c"], min_row=self.y0, max_row=self.last)
        chart.add_data(data, titles_from_data=True)
        chart.set_categories(Reference(self.ws, min_col=YC["year"], min_row=self.first, max_row=self.last))
        chart.x_axis.delete = False
        chart.y_axis.delete = False
        chart.y_axis.number_format = MONEY
        chart.legend.position = "b"
        for series, colour in zip(chart.series, ("1D4F91", "C2410C")):
            series.graphicalProperties.line.solidFill = colour
            series.graphicalProperties.line.width = 38100
            series.smooth = False
        chart.series[1].graphicalProperties.line.dashStyle = "dash"
        self.ws.add_chart(chart, "E4")
