"""Multiple choice: one option, or several up to a limit."""

from __future__ import annotations

from typing import Annotated, Any

from flask_babel import gettext
from pydantic import Field, StringConstraints

from .base import ActivityKind, Cell, ConfigField, InputError, Row, Schema, SplitRow, _l

Option = Annotated[str, StringConstraints(min_length=1, max_length=120, strip_whitespace=True)]


class MultipleChoiceConfig(Schema):
    options: list[Option] = Field(default_factory=lambda: ["", ""], min_length=2, max_length=12)
    multiple: bool = False
    max_choices: int = Field(default=3, ge=1, le=12)


class Answer(Schema):
    choices: list[Annotated[int, Field(ge=0, le=11)]] = Field(min_length=1, max_length=12)


class MultipleChoice(ActivityKind):
    key = "multiple_choice"
    # Place among the polls in the editor's list.
    order = 1
    label = _l("Multiple choice")
    description = _l("Vote on options; one answer or several.")
    default_title = _l("What do you think?")
    answer_mode = "replace"
    tally = True
    splits = True
    results_hidden_default = False
    Config = MultipleChoiceConfig
    js_strings = {
        "choose_up_to": _l("Choose up to %(n)s."),
        "pick_one": _l("Choose an option first."),
    }
    config_fields = [
        ConfigField("options", _l("Options (one per line)"), "lines", min=2, max=12),
        ConfigField("multiple", _l("Allow several answers"), "bool"),
        ConfigField("max_choices", _l("At most this many answers"), "int", min=1, max=12),
    ]

    def default_config(self) -> dict[str, Any]:
        return {
            "options": [gettext("Option %(n)s", n=1), gettext("Option %(n)s", n=2)],
            "multiple": False,
            "max_choices": 2,
        }

    def validate_config(self, payload: Any) -> dict[str, Any]:
        cfg = super().validate_config(payload)
        if cfg["max_choices"] > len(cfg["options"]):
            cfg["max_choices"] = len(cfg["options"])
        return cfg

    def input_model(self, config: MultipleChoiceConfig) -> type[Schema]:
        return Answer

    def check_input(self, config: MultipleChoiceConfig, data: dict[str, Any]) -> dict[str, Any]:
        choices = data["choices"]
        n = len(config.options)
        if any(c >= n for c in choices) or len(set(choices)) != len(choices):
            raise InputError("invalid", gettext("Not one of the allowed values."))
        limit = config.max_choices if config.multiple else 1
        if len(choices) > limit:
            raise InputError("invalid", gettext("Choose at most %(n)s.", n=limit))
        return {"choices": sorted(choices)}

    def aggregate(self, config: MultipleChoiceConfig, rows: list[Row]) -> dict[str, Any]:
        counts = [0] * len(config.options)
        for row in rows:
            for c in row.data.get("choices", []):
                if 0 <= c < len(counts):
                    counts[c] += row.weight
        return {"options": list(config.options), "counts": counts, "voters": sum(r.weight for r in rows)}

    def summary(self, config: MultipleChoiceConfig, aggregate: dict[str, Any]) -> list[tuple[str, Any]]:
        return list(zip(aggregate["options"], aggregate["counts"], strict=True))

    def split_rows(self, config: MultipleChoiceConfig, aggregate: dict[str, Any]) -> list[SplitRow]:
        return [SplitRow(str(i), option) for i, option in enumerate(aggregate["options"])]

    def split_cells(self, config: MultipleChoiceConfig, aggregate: dict[str, Any]) -> dict[str, Cell]:
        voters = aggregate["voters"]
        return {
            str(i): Cell(count, voters, count / voters if voters else None)
            for i, count in enumerate(aggregate["counts"])
        }

    def csv_header(self, config: MultipleChoiceConfig) -> list[str]:
        return ["choices"]

    def csv_cells(self, config: MultipleChoiceConfig, row: Row) -> list[Any]:
        opts = config.options
        return ["; ".join(opts[c] for c in row.data.get("choices", []) if c < len(opts))]


KIND = MultipleChoice()
