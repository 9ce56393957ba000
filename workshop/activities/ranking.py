"""Ranking: every participant puts all options in order, most important first.

Scored with the Borda count: with n options, the option in place p (0-based) gets n − p points,
so the top gets n and the last 1. The average rank (1 = top) is reported beside it because it
is the number people read most easily; the two order the options the same way.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Any, TypeGuard

from flask_babel import gettext, ngettext
from pydantic import Field, StringConstraints

from .base import ActivityKind, Cell, ConfigField, InputError, Row, Schema, SplitRow, _l, _pl, check_unique

MIN_OPTIONS = 2
MAX_OPTIONS = 10

Option = Annotated[str, StringConstraints(min_length=1, max_length=120, strip_whitespace=True)]


class RankingConfig(Schema):
    options: list[Option] = Field(min_length=MIN_OPTIONS, max_length=MAX_OPTIONS)


class Answer(Schema):
    order: list[Annotated[int, Field(ge=0, le=MAX_OPTIONS - 1)]] = Field(min_length=MIN_OPTIONS, max_length=MAX_OPTIONS)


def round2(numerator: float, denominator: int) -> float:
    """Half-up to two decimals, as people round by hand (1.125 -> 1.13)."""
    q = Decimal(str(numerator)) / Decimal(denominator)
    return float(q.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def is_permutation(order: Any, n: int) -> TypeGuard[list[int]]:
    return (
        isinstance(order, list)
        and all(isinstance(i, int) and not isinstance(i, bool) for i in order)
        and sorted(order) == list(range(n))
    )


class Ranking(ActivityKind):
    key = "ranking"
    # Place among the polls in the editor's list.
    order = 5
    label = _l("Ranking")
    description = _l("Put all options in order of importance; the results show the common order.")
    default_title = _l("What matters most?")
    answer_mode = "replace"
    tally = True
    # Split: each group's average place per option (1 = first).
    splits = True
    split_measure = "mean_rank"
    split_digits = 2
    results_hidden_default = True
    phone_results = "on_reveal"
    Config = RankingConfig
    js_strings = {
        "help": _l("Put the most important first. Use the arrow buttons to move an option."),
        "move_up": _l("Move “%(item)s” up"),
        "move_down": _l("Move “%(item)s” down"),
        "moved": _l("“%(item)s” is now number %(pos)s of %(n)s."),
        "position": _l("Number %(pos)s"),
        "send": _l("Send ranking"),
        "unsaved": _l("Your changes are not sent yet."),
        "avg_rank": _l("average rank %(n)s"),
        "points": _l("%(n)s p"),
        "rankings": _pl("%(n)s ranking", "%(n)s rankings"),
        "results": _l("Results"),
    }
    config_fields = [
        ConfigField(
            "options",
            _l("Options to rank (one per line)"),
            "lines",
            help=_l("From 2 to 10 options."),
            min=MIN_OPTIONS,
            max=MAX_OPTIONS,
        ),
    ]

    def default_config(self) -> dict[str, Any]:
        return {"options": [gettext("Option %(n)s", n=i) for i in (1, 2, 3)]}

    def validate_config(self, payload: Any) -> dict[str, Any]:
        cfg = super().validate_config(payload)
        check_unique(cfg["options"])
        return cfg

    def input_model(self, config: RankingConfig) -> type[Schema]:
        return Answer

    def check_input(self, config: RankingConfig, data: dict[str, Any]) -> dict[str, Any]:
        order = data["order"]
        n = len(config.options)
        if len(order) != n:
            message = ngettext("Rank the %(n)s option.", "Rank all %(n)s options.", n, n=n)
            raise InputError("invalid", message, {"order": message})
        if not is_permutation(order, n):
            message = gettext("Each option must appear exactly once in the ranking.")
            raise InputError("invalid", message, {"order": message})
        return {"order": list(order)}

    def aggregate(self, config: RankingConfig, rows: list[Row]) -> dict[str, Any]:
        options = list(config.options)
        n = len(options)
        scores = [0] * n
        rank_sums = [0] * n
        firsts = [0] * n
        rankings = 0
        for row in rows:
            order = row.data.get("order")
            # A ranking of an earlier option list (edited afterwards) cannot be scored fairly.
            if not is_permutation(order, n):
                continue
            w = row.weight
            rankings += w
            for pos, option in enumerate(order):
                scores[option] += (n - pos) * w
                rank_sums[option] += (pos + 1) * w
            firsts[order[0]] += w
        items: list[dict[str, Any]] = [
            {
                "index": i,
                "option": options[i],
                "score": scores[i],
                "average_rank": round2(rank_sums[i], rankings) if rankings else None,
                "first": firsts[i],
            }
            for i in range(n)
        ]
        items.sort(key=lambda item: (-item["score"], item["index"]))
        return {"items": items, "rankings": rankings, "max_score": n * rankings}

    def summary(self, config: RankingConfig, aggregate: dict[str, Any]) -> list[tuple[str, Any]]:
        """Options best first, each with its score (n points for a first place, 1 for the last)."""
        return [
            (
                gettext("%(option)s (average rank %(rank)s)", option=i["option"], rank=i["average_rank"] or "–"),
                i["score"],
            )
            for i in aggregate["items"]
        ]

    def split_rows(self, config: RankingConfig, aggregate: dict[str, Any]) -> list[SplitRow]:
        # Best first, as the room's result lists them.
        return [SplitRow(str(i["index"]), i["option"]) for i in aggregate["items"]]

    def split_cells(self, config: RankingConfig, aggregate: dict[str, Any]) -> dict[str, Cell]:
        n = aggregate["rankings"]
        return {str(i["index"]): Cell(i["average_rank"], n) for i in aggregate["items"]}

    def csv_header(self, config: RankingConfig) -> list[str]:
        return ["order", *[f"rank: {option}" for option in config.options]]

    def csv_cells(self, config: RankingConfig, row: Row) -> list[Any]:
        options = list(config.options)
        order = row.data.get("order")
        if not is_permutation(order, len(options)):
            return [str(order), *([""] * len(options))]
        ranks = {option: pos + 1 for pos, option in enumerate(order)}
        return [" > ".join(options[i] for i in order), *[ranks[i] for i in range(len(options))]]


KIND = Ranking()
