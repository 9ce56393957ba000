"""Follow-up (nyttorealisering): "Har det hänt?" per benefit of a decided version.

Started from the follow-up page of a decided analysis (``workshop/followup``), which fills in
the benefits to ask about; a facilitator may also type them in the editor. Each phone answers
per item: has it happened (ja / delvis / nej / vet inte), optionally an estimate of the realised
figure and its source — the mechanics of step 7: one current answer per phone and item (a new
one replaces the earlier, which stays stored), aggregated live with the same statistics (median
and quartiles, ``workshop.draft.spread``). The facilitator takes a figure into the realised
values on the follow-up page; nothing here writes the analysis.

Stored rows: ``data = {"item", "happened", "value", "source"}``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from flask_babel import gettext
from pydantic import Field, StringConstraints

from ..draft import spread as stats
from ..validation import Figure
from .base import ActivityKind, Cell, ConfigField, Context, Entry, InputError, Row, Schema, SplitRow, _l, _pl

MAX_ITEMS = 50
TITLE_MAX = 300
SOURCE_MAX = 300
HAPPENED = ("yes", "partly", "no", "unknown")

ItemTitle = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=TITLE_MAX)]


class FollowupConfig(Schema):
    # The benefits asked about, in order (one per line in the editor).
    items: list[ItemTitle] = Field(default_factory=list, max_length=MAX_ITEMS)
    # Set when started from a decided version: the version's number and its item ids, in the
    # order of ``items`` (so the console can take a figure into that item's realised values).
    version: int | None = Field(default=None, ge=1)
    item_ids: list[Annotated[str, StringConstraints(max_length=40)]] = Field(default_factory=list, max_length=MAX_ITEMS)
    # The unit of the figure asked for, per item (e.g. "kr per år"); may be shorter than items.
    units: list[Annotated[str, StringConstraints(max_length=40)]] = Field(default_factory=list, max_length=MAX_ITEMS)


class Answer(Schema):
    item: int = Field(ge=0, lt=MAX_ITEMS)
    happened: Literal["yes", "partly", "no", "unknown"]
    value: Figure | None = None
    source: Annotated[str, StringConstraints(strip_whitespace=True, max_length=SOURCE_MAX)] = ""


class FollowupCheck(ActivityKind):
    key = "followup_check"
    label = _l("Follow-up: has it happened?")
    description = _l(
        "After the decision: per benefit, has it happened (yes, partly, no, don't know), "
        "with an estimate of the realised figure and its source."
    )
    default_title = _l("Has it happened?")
    order = 50
    after_decision = True
    answer_mode = "custom"
    results_hidden_default = False
    phone_results = "on_reveal"
    Config = FollowupConfig
    # Split: per benefit, how many of each group answered "Ja" (the rule per benefit).
    splits = True
    split_measure = "yes"
    js_strings = {
        "happened": _l("Has it happened?"),
        "yes": _l("Yes"),
        "partly": _l("Partly"),
        "no": _l("No"),
        "unknown": _l("Don't know"),
        "figure": _l("Your estimate of the realised figure (optional)"),
        "source": _l("Source (optional)"),
        "pick_one": _l("Choose an answer first."),
        "answers": _pl("%(n)s answer", "%(n)s answers"),
        "median": _l("Median"),
        "spread": _l("Middle half"),
        "no_items": _l("No benefits to ask about yet."),
        "take": _l("Take into the realised values"),
        "few": _l("too few answers"),
    }
    config_fields = [
        ConfigField(
            "items",
            _l("Benefits to ask about (one per line)"),
            "lines",
            help=_l("Filled in when the follow-up is started from a decided analysis."),
            min=0,
            max=MAX_ITEMS,
        ),
    ]

    def input_model(self, config: FollowupConfig) -> type[Schema]:
        return Answer

    def check_input(self, config: FollowupConfig, data: dict[str, Any]) -> dict[str, Any]:
        if data["item"] >= len(config.items):
            message = gettext("That benefit is not asked about here.")
            raise InputError("invalid", message, {"item": message})
        return data

    def prepare(self, config: FollowupConfig, payload: Any, ctx: Context) -> Entry:
        """One answer; it replaces the phone's earlier answer about the same benefit."""
        data = self.validate_input(config, payload)
        earlier = [r.id for r in ctx.mine if (r.data or {}).get("item") == data["item"]]
        return Entry(data, supersedes=earlier)

    def responders(self, rows: list[Row]) -> int:
        return len({r.participant_id for r in rows if r.status != "deleted"})

    def aggregate(self, config: FollowupConfig, rows: list[Row]) -> dict[str, Any]:
        per: list[dict[str, Any]] = []
        for i, title in enumerate(config.items):
            mine = [r for r in rows if r.status != "deleted" and (r.data or {}).get("item") == i]
            counts = {h: sum(1 for r in mine if r.data.get("happened") == h) for h in HAPPENED}
            values = [float(r.data["value"]) for r in mine if isinstance(r.data.get("value"), (int, float))]
            spread = stats.spread(values) if values else None
            sources = sorted({str(r.data.get("source") or "").strip() for r in mine} - {""})
            per.append(
                {
                    "index": i,
                    "title": title,
                    "item_id": config.item_ids[i] if i < len(config.item_ids) else None,
                    "unit": config.units[i] if i < len(config.units) else "",
                    "answers": len(mine),
                    "counts": counts,
                    "figures": len(values),
                    "spread": spread.as_dict() if spread is not None else None,
                    "sources": sources[:20],
                }
            )
        return {"items": per, "version": config.version}

    def summary(self, config: FollowupConfig, aggregate: dict[str, Any]) -> list[tuple[str, Any]]:
        names = {
            "yes": gettext("Yes"),
            "partly": gettext("Partly"),
            "no": gettext("No"),
            "unknown": gettext("Don't know"),
        }
        lines: list[tuple[str, Any]] = []
        for item in aggregate["items"]:
            for h in HAPPENED:
                lines.append((f"{item['title']}: {names[h]}", item["counts"][h]))
            if item["spread"]:
                lines.append((f"{item['title']}: {gettext('Median')}", item["spread"]["median"]))
        return lines

    def split_rows(self, config: FollowupConfig, aggregate: dict[str, Any]) -> list[SplitRow]:
        return [SplitRow(str(i["index"]), i["title"], i["unit"] or "") for i in aggregate["items"]]

    def split_cells(self, config: FollowupConfig, aggregate: dict[str, Any]) -> dict[str, Cell]:
        return {
            str(i["index"]): Cell(
                i["counts"]["yes"], i["answers"], i["counts"]["yes"] / i["answers"] if i["answers"] else None
            )
            for i in aggregate["items"]
        }

    def csv_header(self, config: FollowupConfig) -> list[str]:
        return ["benefit", "happened", "value", "source"]

    def csv_cells(self, config: FollowupConfig, row: Row) -> list[Any]:
        d = row.data or {}
        i = d.get("item")
        title = config.items[i] if isinstance(i, int) and 0 <= i < len(config.items) else ""
        return [title, d.get("happened", ""), d.get("value", ""), d.get("source", "")]


KIND = FollowupCheck()
