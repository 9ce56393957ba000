"""100 points: each participant shares a budget of points among the options.

The budget need not be used up (a participant may keep some back), but at least one point must
be given and never more than the budget. Results: the total per option, its share of all points
given, and the mean per participant.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Any, TypeGuard

from flask_babel import gettext, ngettext
from pydantic import Field, StringConstraints

from .base import ActivityKind, Cell, ConfigField, InputError, Row, Schema, SplitRow, _l, _pl, check_unique

MIN_OPTIONS = 2
MAX_OPTIONS = 12
MIN_BUDGET = 10
MAX_BUDGET = 1000

Option = Annotated[str, StringConstraints(min_length=1, max_length=120, strip_whitespace=True)]


class PointsConfig(Schema):
    options: list[Option] = Field(min_length=MIN_OPTIONS, max_length=MAX_OPTIONS)
    budget: int = Field(default=100, ge=MIN_BUDGET, le=MAX_BUDGET)


class Answer(Schema):
    points: list[Annotated[int, Field(ge=0, le=MAX_BUDGET)]] = Field(min_length=MIN_OPTIONS, max_length=MAX_OPTIONS)


def _round(numerator: float, denominator: int, places: str = "0.01") -> float:
    """Half-up, as people round by hand (12.345 -> 12.35)."""
    q = Decimal(str(numerator)) / Decimal(denominator)
    return float(q.quantize(Decimal(places), rounding=ROUND_HALF_UP))


def fits(points: Any, n: int) -> TypeGuard[list[int]]:
    return (
        isinstance(points, list)
        and len(points) == n
        and all(isinstance(p, int) and not isinstance(p, bool) and p >= 0 for p in points)
    )


class Points(ActivityKind):
    key = "points"
    # Place among the polls in the editor's list.
    order = 6
    label = _l("100 points")
    description = _l("Share a budget of points among the options to show what matters most.")
    default_title = _l("Share 100 points among the options")
    answer_mode = "replace"
    tally = True
    # Split: each group's mean points per option, with its share of the group's points.
    splits = True
    split_measure = "mean_points"
    split_digits = 1
    results_hidden_default = True
    phone_results = "on_reveal"
    Config = PointsConfig
    js_strings = {
        "help": _pl(
            "Share up to %(n)s point among the options. You need not use it.",
            "Share up to %(n)s points among the options. You need not use them all.",
        ),
        "left": _pl("%(left)s of %(n)s point left", "%(left)s of %(n)s points left"),
        "over": _pl("%(n)s point too many", "%(n)s points too many"),
        "over_hint": _l("Take away points before you send."),
        "none": _l("Give at least one point before you send."),
        "bad_number": _l("Use whole numbers of 0 or more."),
        "all_used": _l("All points are used."),
        "add": _l("Add %(n)s to “%(item)s”"),
        "remove": _l("Take %(n)s from “%(item)s”"),
        "points_for": _l("Points for “%(item)s”"),
        "total": _l("%(n)s p"),
        "mean": _l("mean %(n)s"),
        "note": _pl("%(n)s participant · %(budget)s points each", "%(n)s participants · %(budget)s points each"),
        "results": _l("Results"),
    }
    config_fields = [
        ConfigField(
            "options",
            _l("Options (one per line)"),
            "lines",
            help=_l("From 2 to 12 options."),
            min=MIN_OPTIONS,
            max=MAX_OPTIONS,
        ),
        ConfigField(
            "budget", _l("Points per participant"), "int", help=_l("From 10 to 1000."), min=MIN_BUDGET, max=MAX_BUDGET
        ),
    ]

    def default_config(self) -> dict[str, Any]:
        return {"options": [gettext("Option %(n)s", n=i) for i in (1, 2, 3)], "budget": 100}

    def validate_config(self, payload: Any) -> dict[str, Any]:
        cfg = super().validate_config(payload)
        check_unique(cfg["options"])
        return cfg

    def input_model(self, config: PointsConfig) -> type[Schema]:
        return Answer

    def check_input(self, config: PointsConfig, data: dict[str, Any]) -> dict[str, Any]:
        points = data["points"]
        n = len(config.options)
        if len(points) != n:
            message = ngettext(
                "Give one number for the %(n)s option.", "Give one number for each of the %(n)s options.", n, n=n
            )
            raise InputError("invalid", message, {"points": message})
        used = sum(points)
        if used > config.budget:
            message = ngettext(
                "You have given %(n)s point but only %(budget)s are available.",
                "You have given %(n)s points but only %(budget)s are available.",
                used,
                n=used,
                budget=config.budget,
            )
            raise InputError("over_budget", message, {"points": message})
        if used == 0:
            message = gettext("Give at least one point.")
            raise InputError("invalid", message, {"points": message})
        return {"points": list(points)}

    def aggregate(self, config: PointsConfig, rows: list[Row]) -> dict[str, Any]:
        options = list(config.options)
        n = len(options)
        totals = [0] * n
        participants = 0
        for row in rows:
            points = row.data.get("points")
            # Answers to an earlier option list (edited afterwards) do not line up: skip them.
            if not fits(points, n):
                continue
            participants += row.weight
            for i, p in enumerate(points):
                totals[i] += p * row.weight
        given = sum(totals)
        return {
            "options": options,
            "budget": config.budget,
            "totals": totals,
            "means": [_round(t, participants) if participants else None for t in totals],
            "shares": [_round(100 * t, given, "0.1") if given else 0.0 for t in totals],
            "given": given,
            "participants": participants,
        }

    def summary(self, config: PointsConfig, aggregate: dict[str, Any]) -> list[tuple[str, Any]]:
        return [
            (gettext("%(option)s (%(share)s %% of the points)", option=o, share=s), t)
            for o, t, s in zip(aggregate["options"], aggregate["totals"], aggregate["shares"], strict=True)
        ]

    def split_rows(self, config: PointsConfig, aggregate: dict[str, Any]) -> list[SplitRow]:
        return [SplitRow(str(i), option) for i, option in enumerate(aggregate["options"])]

    def split_cells(self, config: PointsConfig, aggregate: dict[str, Any]) -> dict[str, Cell]:
        n = aggregate["participants"]
        return {
            str(i): Cell(mean, n, share / 100 if n else None)
            for i, (mean, share) in enumerate(zip(aggregate["means"], aggregate["shares"], strict=True))
        }

    def csv_header(self, config: PointsConfig) -> list[str]:
        return [f"points: {option}" for option in config.options]

    def csv_cells(self, config: PointsConfig, row: Row) -> list[Any]:
        points = row.data.get("points")
        n = len(config.options)
        if not fits(points, n):
            return [""] * n
        return list(points)


KIND = Points()
