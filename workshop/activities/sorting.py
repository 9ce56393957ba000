"""Step 4 Sortera: the room sorts every benefit and cost of the draft analysis.

For each item (visible ``nytta``, ``konsekvenskostnad`` and ``genomforandekostnad`` nodes of
the workshop's draft) a phone votes a category (Finansiell, Omfördelning, Kvalitet, Miljö),
whether to value it in money (only Finansiell and Omfördelning may be) and a perspective (one
of the analysis's perspective labels). Risks, obstacles and opportunities take no category,
so they are never listed.

Stored rows (``answer_mode = "custom"``, see ``store``): ``data = {"node", "title",
"category", "money", "perspective"}`` with ``ref_id`` = the node. One current vote per
participant and item: a changed vote is a new row and the participant's earlier row for that
item stops being ``current``.

The aggregate counts, per item, the category, money and perspective votes, the majority, an
agreement level (share of the top category) and a grey-zone flag, and carries the
facilitator's recorded decision from the draft. It goes to the presenter and (on reveal) to
phones, so it carries no identities.

The helpers it shares with the other method kinds of steps 5 and 6 are in ``_draft``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from flask_babel import gettext
from pydantic import Field, StringConstraints

from ..draft.models import CATEGORIES, MONEY_CATEGORIES, Node
from ..draft.vocabulary import CATEGORY_TERMS
from ._draft import about, analysis_of, item_of, latest_per_item, live_items, perspective_labels
from .base import ActivityKind, Cell, ConfigField, Context, Entry, InputError, Row, Schema, SplitRow, _l, _pl

# Agreement level from the share of the most voted category.
HIGH_AGREEMENT = 0.75
MEDIUM_AGREEMENT = 0.5
ITEM_TYPES = ("nytta", "konsekvenskostnad", "genomforandekostnad")


def with_an_item_type(cfg: dict[str, Any]) -> dict[str, Any]:
    """A config that includes at least one kind of item (``include_nytta`` …), else refused;
    the kinds that put the draft's items to the room (sorting, valuation) share it."""
    if not any(cfg[f"include_{t}"] for t in ITEM_TYPES):
        message = gettext("Include at least one kind of item.")
        raise InputError("invalid", message, {"include_nytta": message})
    return cfg


# --- tallying (pure, tested directly) -----------------------------------------------------


def agreement_level(top_share: float | None) -> str | None:
    if top_share is None:
        return None
    if top_share >= HIGH_AGREEMENT:
        return "high"
    if top_share >= MEDIUM_AGREEMENT:
        return "medium"
    return "low"


def _top(counts: dict[str, int]) -> tuple[str | None, int, bool]:
    """The most voted key, its count and whether another key ties with it."""
    best = max(counts.values(), default=0)
    if best == 0:
        return None, 0, False
    leaders = [k for k, v in counts.items() if v == best]
    return (leaders[0] if len(leaders) == 1 else None), best, len(leaders) > 1


def tally(votes: list[dict[str, Any]], labels: list[str]) -> dict[str, Any]:
    """Distribution, majority and agreement of one item's current votes.

    ``money_majority`` looks only at the votes that put the item in Finansiell or
    Omfördelning (the others cannot value it in money): True/False, or None on a tie."""
    categories = {c: 0 for c in CATEGORIES}
    money = {"yes": 0, "no": 0}
    money_among_money_cats = {"yes": 0, "no": 0}
    perspectives = {label: 0 for label in labels}
    no_perspective = 0
    for v in votes:
        cat = v.get("category")
        if cat in categories:
            categories[cat] += 1
        key = "yes" if v.get("money") is True else "no"
        money[key] += 1
        if cat in MONEY_CATEGORIES:
            money_among_money_cats[key] += 1
        p = v.get("perspective")
        if p:
            perspectives[p] = perspectives.get(p, 0) + 1
        else:
            no_perspective += 1
    n = len(votes)
    top_cat, top_n, tie = _top(categories)
    top_share = round(top_n / n, 4) if n else None
    my, mn = money_among_money_cats["yes"], money_among_money_cats["no"]
    money_majority = None if my == mn else my > mn
    top_persp, _, _ = _top(perspectives)
    return {
        "n": n,
        "categories": categories,
        "money": money,
        "perspectives": [{"label": k, "n": v} for k, v in perspectives.items()],
        "no_perspective": no_perspective,
        "majority": {"category": top_cat, "money": money_majority, "perspective": top_persp},
        "top_share": top_share,
        "tie": tie,
        "agreement": agreement_level(top_share),
        "grey_zone": bool(n) and (tie or (top_share or 0) < MEDIUM_AGREEMENT),
    }


def majority_text(categories: dict[str, int]) -> str | None:
    """The most voted category as the method's word (tied ones joined by " / "), or None."""
    best = max(categories.values(), default=0)
    if not best:
        return None
    return " / ".join(str(CATEGORY_TERMS[k]) for k, v in categories.items() if v == best and k in CATEGORY_TERMS)


# --- the kind ------------------------------------------------------------------------------


class SortingConfig(Schema):
    include_nytta: bool = True
    include_konsekvenskostnad: bool = True
    include_genomforandekostnad: bool = True
    ask_money: bool = True
    ask_perspective: bool = True


Perspective = Annotated[str, StringConstraints(max_length=200)]


class Vote(Schema):
    node: int = Field(ge=1)
    category: Literal["finansiell", "omfordelning", "kvalitet", "miljo"]
    money: bool = False
    perspective: Perspective | None = None


def node_types(config: SortingConfig) -> tuple[str, ...]:
    return tuple(t for t in ITEM_TYPES if getattr(config, f"include_{t}", True))


def decision_of(node: Node) -> dict[str, Any]:
    return {
        "category": node.category,
        "valuation": node.valuation,
        "size_score": node.size_score,
        "perspective": node.perspective or "",
        "motivation": node.motivation or "",
    }


class Sorting(ActivityKind):
    key = "sorting"
    # The method's step this kind carries out (the editor lists the steps in order).
    step = 4
    label = _l("Step 4: Sortera")
    description = _l(
        "Everyone sorts each nytta and kostnad of the draft: category, valued in money or not, perspektiv. "
        "Items without a clear majority are in the gråzon: discuss them and record your choice."
    )
    default_title = _l("Sortera nyttor och kostnader")
    answer_mode = "custom"
    results_hidden_default = True
    phone_results = "on_reveal"
    uses_draft = True
    Config = SortingConfig
    # Split: per item, each group's majority category and its share (the rule per item:
    # an item's figure for a group needs three of the group's votes on that item).
    splits = True
    split_measure = "majority"
    config_fields = [
        ConfigField("include_nytta", _l("Include nyttor"), "bool"),
        ConfigField("include_konsekvenskostnad", _l("Include konsekvenskostnader"), "bool"),
        ConfigField("include_genomforandekostnad", _l("Include genomförandekostnader"), "bool"),
        ConfigField(
            "ask_money",
            _l("Ask whether to value each item in money"),
            "bool",
            help=_l("Only Finansiell and Omfördelning can be valued in money."),
        ),
        ConfigField("ask_perspective", _l("Ask for the perspektiv (who gets the nytta or bears the cost)"), "bool"),
    ]
    js_strings = {
        # method vocabulary (Swedish in both languages)
        "cat_finansiell": _l("Finansiell"),
        "cat_omfordelning": _l("Omfördelning"),
        "cat_kvalitet": _l("Kvalitet"),
        "cat_miljo": _l("Miljö"),
        "cat_help_finansiell": _l("Changes real payments (postage, licence fees)."),
        "cat_help_omfordelning": _l("Frees or uses resources such as working time, not taken home as money."),
        "cat_help_kvalitet": _l("Better (or worse) quality for someone."),
        "cat_help_miljo": _l("Effects on the environment."),
        "type_nytta": _l("Nytta"),
        "type_konsekvenskostnad": _l("Konsekvenskostnad"),
        "type_genomforandekostnad": _l("Genomförandekostnad"),
        "category": _l("Kategori"),
        "money_q": _l("Value it in money?"),
        "money_yes": _l("Yes, in money"),
        "money_no": _l("No"),
        "money_only": _l("Only Finansiell and Omfördelning can be valued in money."),
        "perspective": _l("Perspektiv: who gets the nytta or bears the cost?"),
        "perspective_short": _l("Perspektiv"),
        "no_perspective": _l("Don't know"),
        "progress": _l("%(n)s of %(total)s"),
        "prev": _l("Previous"),
        "next": _l("Skip"),
        "forward": _l("Next"),
        "save_next": _l("Save and next"),
        "save": _l("Save"),
        "overview": _l("Overview"),
        "back_to_item": _l("Back to the item"),
        "voted": _l("Voted"),
        "not_voted": _l("Not voted"),
        "n_voted": _l("You have sorted %(n)s of %(total)s."),
        "pick_category": _l("Choose a category first."),
        "saved_item": _l("Saved."),
        "all_done": _l("All items are sorted. You can still change your votes."),
        "no_items": _l("There are no nyttor or kostnader to sort yet."),
        "group_votes": _l("The group's votes"),
        "in_money": _l("in money"),
        "not_money": _l("not in money"),
        "voters": _pl("%(n)s voted", "%(n)s voted"),
        "agreement_high": _l("High agreement"),
        "agreement_medium": _l("Medium agreement"),
        "agreement_low": _l("Low agreement"),
        "share_top": _l("%(pct)s chose %(cat)s"),
        "grey_zone": _l("Gråzon: discuss and motivate the choice"),
        "grey_short": _l("Gråzon"),
        "tie": _l("tie"),
        "no_votes": _l("No votes yet"),
        "summary_items": _pl("%(n)s item", "%(n)s items"),
        "summary_voted": _l("%(n)s with votes"),
        "summary_grey": _l("%(n)s in the gråzon"),
        "summary_decided": _pl("%(n)s decided", "%(n)s decided"),
        "grey_first": _l("Gråzon first"),
        "decision": _l("Decision"),
        "decided": _l("Decided"),
        "not_decided": _l("Not decided"),
        "valuation": _l("Värdering"),
        "val_money": _l("Valued in money"),
        "val_size": _l("Uppskattad storlek"),
        "val_none": _l("Not valued"),
        "size_score": _l("Size"),
        "size_required": _l("Choose the estimated size: Ingen, Liten, Måttlig or Stor."),
        "size_0": _l("Ingen (0)"),
        "size_1": _l("Liten (1)"),
        "size_2": _l("Måttlig (2)"),
        "size_3": _l("Stor (3)"),
        "choose": _l("— choose —"),
        "motivation": _l("Motivation"),
        "motivation_help": _l("Why this choice? Write it down, especially for items in the gråzon."),
        "save_decision": _l("Save decision"),
        "saved_decision": _l("Decision saved in the analysis."),
        "prefilled": _l("Prefilled from the majority: check and save."),
        "unsaved": _l("Unsaved changes"),
        "majority": _l("Majority"),
        "money_votes": _l("Money: %(yes)s yes, %(no)s no"),
        "no_analysis": _l("The workshop has no draft analysis yet."),
        "your_vote": _l("Your vote"),
        "change": _l("Change"),
    }

    def validate_config(self, payload: Any) -> dict[str, Any]:
        return with_an_item_type(super().validate_config(payload))

    # --- input ----------------------------------------------------------------------------
    def input_model(self, config: SortingConfig) -> type[Schema]:
        return Vote

    def check_input(self, config: SortingConfig, data: dict[str, Any]) -> dict[str, Any]:
        perspective = " ".join((data.get("perspective") or "").split()) or None
        if data["money"] and not config.ask_money:
            message = gettext("This activity does not ask about money.")
            raise InputError("invalid", message, {"money": message})
        if perspective and not config.ask_perspective:
            message = gettext("This activity does not ask for a perspektiv.")
            raise InputError("invalid", message, {"perspective": message})
        if data["money"] and data["category"] not in MONEY_CATEGORIES:
            message = gettext("Only Finansiell and Omfördelning can be valued in money.")
            raise InputError("invalid", message, {"money": message})
        return {"node": data["node"], "category": data["category"], "money": data["money"], "perspective": perspective}

    def prepare(self, config: SortingConfig, payload: Any, ctx: Context) -> Entry:
        data = self.validate_input(config, payload)
        analysis = ctx.analysis()
        node = item_of(analysis, data["node"], node_types(config))
        if data["perspective"] and data["perspective"] not in perspective_labels(analysis):
            message = gettext("Not one of the analysis's perspektiv.")
            raise InputError("invalid", message, {"perspective": message})
        # One vote per item and phone: the earlier one steps back (its row stays stored).
        return Entry({**data, "title": node.title}, ref_id=node.id, supersedes=about(ctx.mine, node.id))

    # --- results --------------------------------------------------------------------------
    def phone_content(self, act: Any, config: SortingConfig, draft: Any = None) -> dict[str, Any]:
        analysis = analysis_of(draft)
        return {
            "items": [
                {"id": n.id, "title": n.title, "description": n.description or "", "type": n.node_type}
                for n in live_items(analysis, node_types(config))
            ],
            "perspectives": perspective_labels(analysis),
            "categories": list(CATEGORIES),
            "money_categories": list(MONEY_CATEGORIES),
        }

    def aggregate(self, config: SortingConfig, rows: list[Row]) -> dict[str, Any]:
        # Without the activity there is no draft to sort against.
        return self.empty(False)

    def empty(self, ready: bool) -> dict[str, Any]:
        return {
            "ready": ready,
            "items": [],
            "perspectives": [],
            "categories": list(CATEGORIES),
            "money_categories": list(MONEY_CATEGORIES),
            "summary": {"items": 0, "voted": 0, "grey": 0, "decided": 0, "voters": 0},
        }

    def aggregate_for(self, act: Any, config: SortingConfig, rows: list[Row], draft: Any = None) -> dict[str, Any]:
        analysis = analysis_of(draft)
        if analysis is None:
            return self.empty(False)
        items = live_items(analysis, node_types(config))
        labels = perspective_labels(analysis)
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
                    **tally([r.data for r in mine.values()], labels),
                    "decision": decision_of(n),
                    "decided": n.category is not None,
                }
            )
        agg = self.empty(True)
        agg.update(
            {
                "items": out,
                "perspectives": labels,
                "summary": {
                    "items": len(out),
                    "voted": sum(1 for i in out if i["n"]),
                    "grey": sum(1 for i in out if i["grey_zone"]),
                    "decided": sum(1 for i in out if i["decided"]),
                    "voters": len(voters),
                },
            }
        )
        return agg

    def split_rows(self, config: SortingConfig, aggregate: dict[str, Any]) -> list[SplitRow]:
        return [SplitRow(str(i["id"]), i["title"]) for i in aggregate["items"]]

    def split_cells(self, config: SortingConfig, aggregate: dict[str, Any]) -> dict[str, Cell]:
        return {str(i["id"]): Cell(majority_text(i["categories"]), i["n"], i["top_share"]) for i in aggregate["items"]}

    def split_voters(self, aggregate: dict[str, Any], rows: list[Row]) -> int:
        return int(aggregate["summary"]["voters"])

    # --- CSV ------------------------------------------------------------------------------
    def csv_header(self, config: SortingConfig) -> list[str]:
        return ["node", "title", "category", "money", "perspective"]

    def csv_cells(self, config: SortingConfig, row: Row) -> list[Any]:
        d = row.data or {}
        return [
            d.get("node", ""),
            d.get("title", ""),
            d.get("category", ""),
            "yes" if d.get("money") else "no",
            d.get("perspective") or "",
        ]


KIND = Sorting()
