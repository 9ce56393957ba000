"""Scale: one value from 1 to N between two end labels ("Instämmer inte alls" … "Instämmer helt").

Results start hidden so that the first answers shown on the screen do not anchor the rest of
the room. A participant may change their answer; only the latest one counts.
"""

from __future__ import annotations

import statistics
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Any, TypeGuard

from flask_babel import gettext
from pydantic import Field, StringConstraints

from .base import ActivityKind, Cell, ConfigField, InputError, Row, Schema, SplitRow, _l, _pl

MAX_STEPS = 10
LABEL_MAX = 60

Label = Annotated[str, StringConstraints(max_length=LABEL_MAX, strip_whitespace=True)]


class ScaleConfig(Schema):
    max: int = Field(default=5, ge=2, le=MAX_STEPS)
    label_low: Label = ""
    label_high: Label = ""


class Answer(Schema):
    value: int = Field(ge=1, le=MAX_STEPS)


def round2(numerator: float, denominator: int) -> float:
    """Half-up to two decimals, as people round by hand (3.125 -> 3.13, not 3.12)."""
    q = Decimal(str(numerator)) / Decimal(denominator)
    return float(q.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _valid_value(value: Any, top: int) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= top


class Scale(ActivityKind):
    key = "scale"
    # Place among the polls in the editor's list.
    order = 2
    label = _l("Scale")
    description = _l("Answer on a scale from 1 to N, for example how much you agree.")
    default_title = _l("How much do you agree?")
    answer_mode = "replace"
    tally = True
    splits = True
    results_hidden_default = True
    phone_results = "on_reveal"
    Config = ScaleConfig
    js_strings = {
        "pick_one": _l("Choose a value first."),
        "your_choice": _l("Your choice: %(v)s"),
        "mean": _l("Mean"),
        "median": _l("Median"),
        "answers": _pl("%(n)s answer", "%(n)s answers"),
        "value_count": _pl("%(v)s: %(n)s answer", "%(v)s: %(n)s answers"),
        "results": _l("Results"),
    }
    config_fields = [
        ConfigField(
            "max",
            _l("Highest value on the scale"),
            "int",
            help=_l("From 2 to 10. The scale starts at 1."),
            min=2,
            max=MAX_STEPS,
        ),
        ConfigField(
            "label_low", _l("Label for the lowest value"), "text", help=_l("At most 60 characters."), max=LABEL_MAX
        ),
        ConfigField(
            "label_high", _l("Label for the highest value"), "text", help=_l("At most 60 characters."), max=LABEL_MAX
        ),
    ]

    def default_config(self) -> dict[str, Any]:
        return {"max": 5, "label_low": gettext("Do not agree at all"), "label_high": gettext("Agree completely")}

    def input_model(self, config: ScaleConfig) -> type[Schema]:
        return Answer

    def check_input(self, config: ScaleConfig, data: dict[str, Any]) -> dict[str, Any]:
        value = data["value"]
        if value > config.max:
            message = gettext("Choose a value from 1 to %(n)s.", n=config.max)
            raise InputError("invalid", message, {"value": message})
        return {"value": value}

    def aggregate(self, config: ScaleConfig, rows: list[Row]) -> dict[str, Any]:
        top = config.max
        distribution = [0] * top
        values: list[int] = []
        for row in rows:
            v = row.data.get("value")
            # An answer outside a scale shortened after it was given no longer fits: skip it.
            if _valid_value(v, top):
                distribution[v - 1] += row.weight
                values.extend([v] * row.weight)
        count = len(values)
        return {
            "max": top,
            "label_low": config.label_low,
            "label_high": config.label_high,
            "distribution": distribution,
            "count": count,
            "mean": round2(sum(values), count) if count else None,
            "median": float(statistics.median(values)) if count else None,
        }

    def summary(self, config: ScaleConfig, aggregate: dict[str, Any]) -> list[tuple[str, Any]]:
        lines: list[tuple[str, Any]] = [(gettext("Mean"), aggregate["mean"]), (gettext("Median"), aggregate["median"])]
        for value, count in enumerate(aggregate["distribution"], start=1):
            label = str(value)
            if value == 1 and aggregate["label_low"]:
                label = f"1 ({aggregate['label_low']})"
            elif value == aggregate["max"] and aggregate["label_high"]:
                label = f"{value} ({aggregate['label_high']})"
            lines.append((label, count))
        return lines

    def split_rows(self, config: ScaleConfig, aggregate: dict[str, Any]) -> list[SplitRow]:
        top = aggregate["max"]
        notes = {1: aggregate["label_low"] or "", top: aggregate["label_high"] or ""}
        return [SplitRow(str(v), str(v), notes.get(v, "")) for v in range(1, top + 1)]

    def split_cells(self, config: ScaleConfig, aggregate: dict[str, Any]) -> dict[str, Cell]:
        count = aggregate["count"]
        return {
            str(v): Cell(n, count, n / count if count else None)
            for v, n in enumerate(aggregate["distribution"], start=1)
        }

    def csv_header(self, config: ScaleConfig) -> list[str]:
        return ["value"]

    def csv_cells(self, config: ScaleConfig, row: Row) -> list[Any]:
        v = row.data.get("value")
        return [v if _valid_value(v, MAX_STEPS) else ""]


KIND = Scale()
