"""Värdering (the seven-step edition's step 5): the room agrees an estimated size per item.

For each benefit and cost of the draft that is not valued in money, a phone votes its
*uppskattad storlek* in points: Ingen 0, Liten 1, Måttlig 2, Stor 3. The screen shows the
distribution per item (the differences between people's judgements are kept, never averaged
away); the console shows the same and records the facilitator's choice per item in the draft:
valued in money (only Finansiell and Omfördelning; the figures come from the calculation
blocks), in points (the agreed point) or not valued. The calculation counts money only: an
item valued in points is listed with its points beside the money result, never summed in.

Stored rows (``answer_mode = "custom"``): ``data = {"node", "title", "points"}`` with
``ref_id`` = the node; one current vote per participant and item (a changed vote supersedes
the earlier one, which stays stored).
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext
from pydantic import Field

from ..draft.models import Node
from ..draft.vocabulary import SIZE_SCORES
from ._draft import about, analysis_of, item_of, latest_per_item, live_items
from .base import ActivityKind, ConfigField, Context, Entry, InputError, Row, Schema, _l, _pl
from .sorting import ITEM_TYPES, agreement_level, with_an_item_type

#: The points as the method names them (Swedish in both languages, like the categories).
POINT_NAMES = {0: "Ingen", 1: "Liten", 2: "Måttlig", 3: "Stor"}


# --- tallying (pure, tested directly) -----------------------------------------------------


def tally(points: list[int]) -> dict[str, Any]:
    """Distribution of one item's current votes: counts per point, the most voted point (None
    on a tie or without votes), its share, the agreement level and the spread (lowest and
    highest point given), so a split room shows as split."""
    counts = [0 for _ in SIZE_SCORES]
    for p in points:
        if p in SIZE_SCORES:
            counts[p] += 1
    n = sum(counts)
    best = max(counts) if n else 0
    leaders = [p for p, c in enumerate(counts) if n and c == best]
    given = [p for p, c in enumerate(counts) if c]
    top_share = round(best / n, 4) if n else None
    return {
        "n": n,
        "counts": counts,
        "top": leaders[0] if len(leaders) == 1 else None,
        "tie": len(leaders) > 1,
        "top_share": top_share,
        "agreement": agreement_level(top_share),
        "low": min(given) if given else None,
        "high": max(given) if given else None,
    }


# --- the kind ------------------------------------------------------------------------------


class ValuationConfig(Schema):
    include_nytta: bool = True
    include_konsekvenskostnad: bool = True
    include_genomforandekostnad: bool = True


class Vote(Schema):
    node: int = Field(ge=1)
    points: int = Field(ge=0, le=3)


def node_types(config: ValuationConfig) -> tuple[str, ...]:
    return tuple(t for t in ITEM_TYPES if getattr(config, f"include_{t}", True))


def votable(analysis: Any, config: ValuationConfig) -> list[Node]:
    """The items the room votes points on: every benefit and cost of the activity's kinds that
    the facilitator has not valued in money."""
    return [n for n in live_items(analysis, node_types(config)) if n.valuation != "money"]


def decision_of(node: Node) -> dict[str, Any]:
    return {"valuation": node.valuation, "size_score": node.size_score}


class Valuation(ActivityKind):
    key = "valuation"
    # In the nine steps the valuation is chosen while sorting (step 4): the editor lists it there.
    step = 4
    label = _l("Valuation in points per item")
    description = _l(
        "Everyone gives each nytta and kostnad not valued in money its estimated size in points: "
        "Ingen 0, Liten 1, Måttlig 2, Stor 3. The screen shows how the votes spread; you record the agreed "
        "point, or money, or not valued, in the analysis."
    )
    default_title = _l("Valuation in points")
    answer_mode = "custom"
    results_hidden_default = True
    phone_results = "on_reveal"
    uses_draft = True
    Config = ValuationConfig
    config_fields = [
        ConfigField("include_nytta", _l("Include nyttor"), "bool"),
        ConfigField("include_konsekvenskostnad", _l("Include konsekvenskostnader"), "bool"),
        ConfigField("include_genomforandekostnad", _l("Include genomförandekostnader"), "bool"),
    ]
    js_strings = {
        "points_q": _l("How large is it?"),
        "points_help": _l("Estimated size, without money: Ingen 0, Liten 1, Måttlig 2, Stor 3."),
        "point_0": _l("Ingen 0"),
        "point_1": _l("Liten 1"),
        "point_2": _l("Måttlig 2"),
        "point_3": _l("Stor 3"),
        "your_vote": _l("Your vote: %(point)s"),
        "n_voted": _l("You have valued %(n)s of %(total)s."),
        "all_done": _l("All items are valued. You can still change your votes."),
        "no_items": _l("There are no nyttor or kostnader to value in points."),
        "no_analysis": _l("The workshop has no draft analysis yet."),
        "no_votes": _l("No votes yet"),
        "voters": _pl("%(n)s voted", "%(n)s voted"),
        "agreement_high": _l("High agreement"),
        "agreement_medium": _l("Medium agreement"),
        "agreement_low": _l("Low agreement"),
        "spread": _l("Votes from %(low)s to %(high)s"),
        "tie": _l("tie"),
        "most": _l("Most votes: %(point)s"),
        "decision": _l("Decision"),
        "decided": _l("Recorded"),
        "not_decided": _l("Not recorded"),
        "valuation": _l("Värdering"),
        "val_money": _l("In money (in the calculation)"),
        "val_size": _l("In points"),
        "val_none": _l("Not valued"),
        "points": _l("Agreed point"),
        "choose": _l("— choose —"),
        "size_required": _l("Choose the agreed point: Ingen, Liten, Måttlig or Stor."),
        "money_only": _l("Only Finansiell and Omfördelning can be valued in money."),
        "save_decision": _l("Record in the analysis"),
        "saved_decision": _l("Recorded in the analysis."),
        "prefilled": _l("Prefilled from the most votes: check and record."),
        "unsaved": _l("Unsaved changes"),
        "in_money": _l("in money"),
        "summary_items": _pl("%(n)s item", "%(n)s items"),
        "summary_voted": _l("%(n)s with votes"),
        "summary_decided": _pl("%(n)s item recorded", "%(n)s items recorded"),
        "money_items": _pl(
            "%(n)s item is valued in money and left out of the vote.",
            "%(n)s items are valued in money and left out of the vote.",
        ),
        "legend": _l("Points"),
        "no_category": _l("Not sorted into a category yet: it is counted once it has one."),
    }

    def validate_config(self, payload: Any) -> dict[str, Any]:
        return with_an_item_type(super().validate_config(payload))

    # --- input ----------------------------------------------------------------------------
    def input_model(self, config: ValuationConfig) -> type[Schema]:
        return Vote

    def prepare(self, config: ValuationConfig, payload: Any, ctx: Context) -> Entry:
        data = self.validate_input(config, payload)
        analysis = ctx.analysis()
        node = item_of(analysis, data["node"], node_types(config))
        if node.valuation == "money":
            message = gettext("This item is valued in money: its figures come from the calculation.")
            raise InputError("invalid", message, {"node": message})
        # One vote per item and phone: the earlier one steps back (its row stays stored).
        return Entry(
            {"node": node.id, "title": node.title, "points": data["points"]},
            ref_id=node.id,
            supersedes=about(ctx.mine, node.id),
        )

    # --- results --------------------------------------------------------------------------
    def phone_content(self, act: Any, config: ValuationConfig, draft: Any = None) -> dict[str, Any]:
        analysis = analysis_of(draft)
        return {
            "items": [
                {"id": n.id, "title": n.title, "description": n.description or "", "type": n.node_type}
                for n in votable(analysis, config)
            ]
        }

    def empty(self, ready: bool) -> dict[str, Any]:
        return {
            "ready": ready,
            "items": [],
            "money_items": 0,
            "summary": {"items": 0, "voted": 0, "decided": 0, "voters": 0},
        }

    def aggregate(self, config: ValuationConfig, rows: list[Row]) -> dict[str, Any]:
        return self.empty(False)

    def aggregate_for(self, act: Any, config: ValuationConfig, rows: list[Row], draft: Any = None) -> dict[str, Any]:
        analysis = analysis_of(draft)
        if analysis is None:
            return self.empty(False)
        every = live_items(analysis, node_types(config))
        items = [n for n in every if n.valuation != "money"]
        votes = latest_per_item(rows, analysis, {n.id for n in items})
        out = []
        voters: set[int] = set()
        for n in items:
            mine = votes.get(n.id, {})
            voters |= set(mine)
            out.append(
                {
                    "id": n.id,
                    "title": n.title,
                    "description": n.description or "",
                    "type": n.node_type,
                    "category": n.category,
                    **tally([int(r.data.get("points", -1)) for r in mine.values()]),
                    "decision": decision_of(n),
                    "decided": n.valuation == "size" and n.size_score is not None,
                }
            )
        agg = self.empty(True)
        agg.update(
            {
                "items": out,
                "money_items": len(every) - len(items),
                "summary": {
                    "items": len(out),
                    "voted": sum(1 for i in out if i["n"]),
                    "decided": sum(1 for i in out if i["decided"]),
                    "voters": len(voters),
                },
            }
        )
        return agg

    def summary(self, config: ValuationConfig, aggregate: dict[str, Any]) -> list[tuple[str, Any]]:
        lines: list[tuple[str, Any]] = []
        for it in aggregate.get("items", []):
            counts = it.get("counts") or [0, 0, 0, 0]
            spread = ", ".join(f"{POINT_NAMES[p]} {p}: {c}" for p, c in enumerate(counts))
            lines.append((it.get("title", ""), spread))
        return lines

    # --- CSV ------------------------------------------------------------------------------
    def csv_header(self, config: ValuationConfig) -> list[str]:
        return ["node", "title", "points"]

    def csv_cells(self, config: ValuationConfig, row: Row) -> list[Any]:
        d = row.data or {}
        return [d.get("node", ""), d.get("title", ""), d.get("points", "")]


KIND = Valuation()
