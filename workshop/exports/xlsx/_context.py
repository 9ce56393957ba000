"""What every sheet of the workbook reads: the analysis, the engine's results and the positions
other sheets have already written (factor rows, the last row of each value sheet).

One :class:`Context` is made per export; the sheet modules write into ``ctx.book`` in the order
``build`` calls them (Faktorer before the value sheets that refer to it, the value sheets before
Resultat, which sums over them).
"""

from __future__ import annotations

from typing import cast

from flask_babel import gettext
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ...calculation import engine
from ...calculation.model import Scenario
from ...draft.compute import counted_nodes, engine_item, factor_values, settings_of
from ...draft.models import Analysis
from ...models import Workshop
from ..common import word
from ._layout import C_HIGH, C_LIKELY, C_LOW, C_Y1, CONV_REF, RATE_REF
from .cells import FILL_INPUT, Book


def _scenario_results(analysis: Analysis, items: list[engine.Item]) -> dict[str, engine.Result]:
    """The engine's result with every scenario's values behind the main figures."""
    factors = factor_values(analysis)
    settings = settings_of(analysis)
    return {
        s: engine.compute(items, factors, settings, scenario=cast(Scenario, s), sensitivity=(s == "likely"))
        for s in engine.SCENARIOS
    }


def error_text(error: engine.ItemError | None) -> str:
    """Why an item counts as 0, in the workshop's language."""
    code = error.code if error is not None else None
    names = ", ".join(error.names) if error is not None else ""
    texts = {
        "missing_value": gettext("a value is missing: %(names)s", names=names),
        "unknown_name": gettext("unknown name in the formula: %(names)s", names=names),
        "division_by_zero": gettext("the formula divides by zero"),
        "syntax": gettext("the formula cannot be read"),
        "not_allowed": gettext("the formula uses something not allowed"),
        "not_finite": gettext("the result is not a finite number"),
        "too_long": gettext("the formula is too long"),
        "too_complex": gettext("the formula is nested too deeply"),
        "bad_row_name": gettext("a question has an invalid name"),
        "duplicate_row": gettext("two questions have the same name"),
    }
    return texts.get(code or "", gettext("The formula cannot be computed."))


class Context:
    """The analysis, its results and the shared positions, for the sheet modules."""

    def __init__(self, ws_model: Workshop, analysis: Analysis) -> None:
        self.workshop = ws_model
        self.a = analysis
        self.book = Book()
        self.items = [engine_item(n) for n in counted_nodes(analysis)]
        self.results = _scenario_results(analysis, self.items)
        self.result = self.results["likely"]
        self.res = self.result.to_dict()
        self.horizon = analysis.horizon
        self.nodes = {str(n.id): n for n in analysis.nodes}
        self.money = [i for i in self.items if i.valued_in_money]
        self.factor_rows: dict[str, int] = {}  # shared factor name -> its row on Faktorer
        self.persp_codes: dict[str, str] = {}  # perspective label -> P1, P2 … (column J of the value sheets)
        for item in self.money:
            self.persp_codes.setdefault(item.perspective, f"P{len(self.persp_codes) + 1}")
        self.item_results = {s: {r.id: r for r in res.items} for s, res in self.results.items()}
        self.errors: dict[tuple[str, str], engine.ItemError] = {}  # (item id, field) -> its error in every scenario
        for e in self.result.errors:
            if e.scenario is None:
                self.errors.setdefault((e.item_id, e.field), e)
        # (item id, field) -> the error of a scenario whose figures overflowed (the sheet would say #NUM!)
        self.overflows = {
            (e.item_id, e.field): e for e in self.result.errors if e.scenario is not None and e.code == "not_finite"
        }
        self.last_row: dict[str, int] = {}  # value sheet title -> last row the SUMIFs on Resultat read

    def year_col(self, t: int) -> int:
        """Column of year t on the value sheets."""
        return C_Y1 + t - 1

    def year_label(self, t: int) -> str:
        start = self.a.start_year
        return f"{word('year_n', n=t)} ({start + t - 1})" if start else word("year_n", n=t)

    def disc_expr(self, t: int) -> str:
        """The discount factor of year t, from the rate and convention cells on Start."""
        return f'IF({CONV_REF}="B",1/(1+{RATE_REF})^{t},1/(1+{RATE_REF})^{t - 1})'

    def estimate_cells(
        self, ws: Worksheet, row: int, low: float | None, likely: float | None, high: float | None
    ) -> None:
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


def label(mapping: dict, key: object) -> str:
    """The vocabulary's label for ``key`` ("" for a key it does not know)."""
    return str(mapping[key]) if key in mapping else ""
