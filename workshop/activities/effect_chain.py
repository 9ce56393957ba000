"""Step 3 · Rita en effektkedja: förändring → effekt → nytta (and negative effects → kostnad, risk).

The chain is the draft analysis's nodes and links, shown two ways — as a table first (the
method's tip) and as a diagram laid out by ``workshop.draft.layout.chain_layout`` — and
edited by the facilitator in the console with the draft ops (``node.add``, ``node.update``,
``node.delete``, ``link.add``, ``link.delete``). The chain checks of
``draft.checks.chain_checks`` are shown beside it.

Phones propose links, "X leder till Y", between items already in the draft. Stored rows
(``answer_mode = "custom"``): ``data = {"from", "to"}``; proposing the same link again
replaces one's earlier proposal of it. The console lists proposals with how many made them
and accepts one with ``link.add``; a proposal whose link is in the chain no longer shows.
"""

from __future__ import annotations

from typing import Annotated, Any

from flask_babel import gettext, ngettext
from pydantic import Field

from ._draft import analysis_of
from .base import ActivityKind, ConfigField, Context, Entry, InputError, Limit, Row, Schema, _l, _pl, parse

MAX_NODES_LISTED = 400
MAX_PROPOSALS_LISTED = 100


#: What the room's effects lead to, in the method's words: a positive effect to a nytta, a
#: negative one to a konsekvenskostnad or a risk (the first is proposed, the other offered).
CANDIDATE_TYPES: dict[str, tuple[str, ...]] = {
    "positive": ("nytta",),
    "negative": ("konsekvenskostnad", "risk"),
}
MAX_SKIPPED = 1000


class EffectChainConfig(Schema):
    max_proposals: int = Field(default=15, ge=1, le=50)
    show_chain: bool = True
    # Effects whose candidate the facilitator set aside (draft node ids).
    skipped: list[Annotated[int, Field(ge=1)]] = Field(default_factory=list, max_length=MAX_SKIPPED)


class Proposal(Schema):
    from_: int = Field(alias="from", ge=1)
    to: int = Field(ge=1)


def _resolve(nodes: dict[int, Any], node_id: Any) -> Any:
    node = nodes.get(node_id)
    for _ in range(20):
        if node is None or not node.merged_into_id:
            return node
        node = nodes.get(node.merged_into_id)
    return None


def _standing(node: Any) -> bool:
    return node is not None and node.status == "visible" and not node.merged_into_id


def chain_nodes(analysis: Any) -> list[Any]:
    if analysis is None:
        return []
    return [n for n in analysis.nodes if _standing(n)]


def chain_links(analysis: Any, ids: set[int]) -> list[dict[str, int]]:
    if analysis is None:
        return []
    links = [(lk.from_id, lk.to_id, lk.id or 0) for lk in analysis.links if lk.from_id in ids and lk.to_id in ids]
    return [{"from": a, "to": b} for a, b, _i in sorted(links, key=lambda x: x[2])]


def candidates(analysis: Any, skipped: Any = ()) -> list[dict[str, Any]]:
    """The room's effects as candidates for the chain's next link: each standing effect with a
    polarity that does not yet lead to an item of the kinds its polarity calls for (positive →
    nytta; negative → konsekvenskostnad or risk), unless the facilitator set it aside.

    ``types`` lists the kinds to choose from, the proposed one first. The facilitator confirms a
    candidate into the draft as a new item the effect leads to (``node.add_after``)."""
    if analysis is None:
        return []
    aside = set(skipped or ())
    standing = {n.id: n for n in chain_nodes(analysis)}
    leads: dict[int, set[str]] = {}
    for lk in analysis.links:
        target = standing.get(lk.to_id)
        if lk.from_id in standing and target is not None:
            leads.setdefault(lk.from_id, set()).add(target.node_type)
    out = []
    for n in standing.values():
        types = CANDIDATE_TYPES.get(n.polarity or "")
        if n.node_type != "effekt" or not types or n.id in aside or leads.get(n.id, set()) & set(types):
            continue
        out.append(
            {
                "effect": n.id,
                "title": n.title,
                "perspective": n.perspective or "",
                "polarity": n.polarity,
                "types": list(types),
            }
        )
    return out


def column_labels() -> dict[str, str]:
    from ..draft.vocabulary import NODE_TYPE_LABELS as L

    return {
        "forandring": str(L["forandring"]),
        "effekt": str(L["effekt"]),
        "nytta": f"{L['nytta']} / {L['konsekvenskostnad']}",
        "ovrigt": f"{L['verksamhetsmal']}, {L['risk']}, {L['hinder']}, {L['mojlighet']}",
        "genomforandekostnad": str(L["genomforandekostnad"]),
    }


class EffectChain(ActivityKind):
    key = "effect_chain"
    # The method's step this kind carries out (the editor lists the steps in order).
    step = 3
    label = _l("Step 3 · Rita en effektkedja")
    description = _l(
        "Link förändring → effekt → nytta (and negative effects → konsekvenskostnad or risk). A table first, then the "
        "diagram; participants propose links “X leder till Y”."
    )
    default_title = _l("Rita en effektkedja")
    answer_mode = "custom"
    results_hidden_default = False
    phone_results = "never"
    uses_draft = True
    Config = EffectChainConfig
    config_fields = [
        ConfigField("max_proposals", _l("Link proposals per participant"), "int", min=1, max=50),
        ConfigField("show_chain", _l("Show the chain's links on the phones"), "bool"),
    ]
    js_strings = {
        # phone
        "propose_heading": _l("Propose a link"),
        "propose_help": _l("Pick what leads to what. The facilitator decides what goes into the chain."),
        "from": _l("This…"),
        "to": _l("…leder till"),
        "choose": _l("Choose…"),
        "propose": _l("Propose link"),
        "proposed": _l("Proposed: %(from)s → %(to)s"),
        "same": _l("Pick two different items."),
        "pick_both": _l("Pick both items first."),
        "exists": _l("That link is already in the chain."),
        "left": _pl("You can propose %(n)s more link.", "You can propose %(n)s more links."),
        "limit_reached": _l("You have proposed as many links as allowed here."),
        "yours": _l("Your proposals"),
        "in_chain": _l("in the chain"),
        "current_chain": _l("The chain so far"),
        "no_links": _l("No links yet."),
        "no_items": _l("The draft has no items to link yet."),
        "removed_item": _l("(removed item)"),
        # shared
        "link_text": _l("%(from)s → %(to)s"),
        "diagram_label": _pl("Effect chain with %(n)s link", "Effect chain with %(n)s links"),
        "diagram_empty": _l("The effect chain is empty."),
        "links_heading": _l("Links"),
        "leads_to": _l("leder till"),
        # console
        "view_table": _l("Table"),
        "view_diagram": _l("Diagram"),
        "table_caption": _l("Each effect with what causes it and what it leads to"),
        "col_causes": _l("Caused by"),
        "col_effect": _l("Effekt"),
        "col_leads_to": _l("Leder till"),
        "other_items": _l("The other items and what they lead to"),
        "add_cause": _l("Add a cause of “%(title)s”"),
        "add_consequence": _l("Add what “%(title)s” leads to"),
        "remove_link": _l("Remove link %(from)s → %(to)s"),
        "rename": _l("Rename %(title)s"),
        "delete_item": _l("Delete %(title)s"),
        "confirm_delete": _l("Delete “%(title)s” and its links?"),
        "add_item_heading": _l("Add an item"),
        "item_kind": _l("Kind"),
        "item_title": _l("Title"),
        "add_item": _l("Add item"),
        "add_link_heading": _l("Add a link"),
        "add_link": _l("Add link"),
        "all_links": _l("All links"),
        "checks_heading": _l("Chain checks"),
        "checks_ok": _l("No remarks: every nytta and konsekvenskostnad traces back to an effekt."),
        "chain_empty": _l("The chain is empty: there are no items in the draft yet."),
        "chain_not_drawn": _l("The chain is not drawn yet: no links between the items."),
        "chain_no_items": _l("No nytta or konsekvenskostnad in the chain yet."),
        # candidates from the room's effects (step 2)
        "candidates_heading": _l("From the room's effects"),
        "candidates_help": _l(
            "Positive effects lead to a nytta, negative ones to a konsekvenskostnad or a risk. Confirm each one, or all at "
            "once: the new item goes into the draft, linked from its effect."
        ),
        "candidate_from": _l("From the effect: %(title)s"),
        "candidate_title": _l("Title of the new item from “%(title)s”"),
        "candidate_kind": _l("Kind of item from “%(title)s”"),
        "confirm": _l("Confirm"),
        "confirm_label": _l("Confirm: “%(title)s” leads to a new item"),
        "confirm_all": _pl("Confirm the %(n)s candidate", "Confirm all %(n)s candidates"),
        "skip": _l("Set aside"),
        "skip_label": _l("Set aside: the candidate from “%(title)s”"),
        "n_skipped": _pl("%(n)s candidate set aside", "%(n)s candidates set aside"),
        "unskip": _l("Show them again"),
        "no_candidates": _l("Every effect with a polarity already leads somewhere."),
        "confirmed": _pl("%(n)s item added to the draft.", "%(n)s items added to the draft."),
        "proposals_heading": _l("Proposals from the room"),
        "no_proposals": _l("No open proposals."),
        "n_proposed": _pl("%(n)s proposed", "%(n)s proposed"),
        "accept": _l("Accept"),
        "dismiss": _l("Dismiss"),
        "accept_label": _l("Accept %(from)s → %(to)s"),
        "dismiss_label": _l("Dismiss %(from)s → %(to)s"),
        "diagram_help": _l("Click an item, then the item it leads to, to add a link. Esc cancels."),
        "picked": _l("“%(title)s” picked: now click what it leads to."),
        "linked": _l("Link added: %(from)s → %(to)s"),
        "aside_note": _l("Genomförandekostnad is shown beside the chain, not inside it."),
        "no_effects": _l("No effects yet. Add them in step 2 or here."),
        "saved": _l("Saved."),
        "none": _l("—"),
    }

    # --- input ----------------------------------------------------------------------------
    def input_model(self, config: EffectChainConfig) -> type[Schema]:
        return Proposal

    def validate_input(self, config: EffectChainConfig, payload: Any) -> dict[str, Any]:
        data = parse(Proposal, payload)
        return {"from": data.from_, "to": data.to}

    def prepare(self, config: EffectChainConfig, payload: Any, ctx: Context) -> Entry:
        data = self.validate_input(config, payload)
        analysis = ctx.analysis()
        nodes = {n.id: n for n in analysis.nodes} if analysis is not None else {}
        a, b = _resolve(nodes, data["from"]), _resolve(nodes, data["to"])
        if not _standing(a) or not _standing(b):
            raise InputError("unknown_item", gettext("That item does not exist."))
        if a.id == b.id:
            raise InputError("invalid", gettext("An item cannot lead to itself."))
        if any(lk.from_id == a.id and lk.to_id == b.id for lk in analysis.links):
            raise InputError("exists", gettext("That link is already in the chain."))
        # Proposing the same link again replaces the earlier proposal (and is not counted twice).
        again = [r.id for r in ctx.mine if (r.data or {}).get("from") == a.id and (r.data or {}).get("to") == b.id]
        return Entry(
            {"from": a.id, "to": b.id},
            supersedes=again,
            limit=Limit(
                config.max_proposals,
                ngettext(
                    "You have already proposed %(n)s link, the most allowed here.",
                    "You have already proposed %(n)s links, the most allowed here.",
                    config.max_proposals,
                    n=config.max_proposals,
                ),
            ),
        )

    # --- results --------------------------------------------------------------------------
    def aggregate(self, config: EffectChainConfig, rows: list[Row]) -> dict[str, Any]:
        return self._aggregate(None, rows, config)

    def aggregate_for(self, act: Any, config: EffectChainConfig, rows: list[Row], draft: Any = None) -> dict[str, Any]:
        return self._aggregate(analysis_of(draft), rows, config)

    def _aggregate(self, analysis: Any, rows: list[Row], config: EffectChainConfig | None = None) -> dict[str, Any]:
        from ..draft.checks import chain_checks
        from ..draft.layout import chain_layout

        standing = chain_nodes(analysis)
        ids = {n.id for n in standing}
        nodes = [{"id": n.id, "node_type": n.node_type, "title": n.title, "polarity": n.polarity} for n in standing]
        links = chain_links(analysis, ids)
        linked = {(lk["from"], lk["to"]) for lk in links}
        every = {n.id: n for n in analysis.nodes} if analysis is not None else {}
        groups: dict[tuple[int, int], dict[str, Any]] = {}
        for r in rows:
            a, b = _resolve(every, r.data.get("from")), _resolve(every, r.data.get("to"))
            if not _standing(a) or not _standing(b) or a.id == b.id or (a.id, b.id) in linked:
                continue
            g = groups.setdefault(
                (a.id, b.id), {"from": a.id, "to": b.id, "count": 0, "voters": set(), "response_ids": []}
            )
            g["voters"].add(r.participant_id)
            g["response_ids"].append(r.id)
        proposals = sorted(
            (
                {"from": g["from"], "to": g["to"], "count": len(g["voters"]), "response_ids": g["response_ids"]}
                for g in groups.values()
            ),
            key=lambda p: (-p["count"], min(p["response_ids"])),
        )
        return {
            "has_analysis": analysis is not None,
            "nodes": nodes,
            "links": links,
            "layout": chain_layout(nodes, links, labels=column_labels()),
            "checks": chain_checks(analysis) if analysis is not None else [],
            "proposals": proposals[:MAX_PROPOSALS_LISTED],
            "open_proposals": len(proposals),
            "candidates": candidates(analysis, config.skipped if config is not None else ())[:MAX_NODES_LISTED],
            "skipped": len(config.skipped) if config is not None else 0,
        }

    def phone_content(self, act: Any, config: EffectChainConfig, draft: Any = None) -> dict[str, Any]:
        analysis = analysis_of(draft)
        standing = chain_nodes(analysis)[:MAX_NODES_LISTED]
        ids = {n.id for n in standing}
        return {
            "nodes": [{"id": n.id, "node_type": n.node_type, "title": n.title} for n in standing],
            "links": chain_links(analysis, ids) if config.show_chain else [],
            "show_chain": bool(config.show_chain),
        }

    # --- CSV ------------------------------------------------------------------------------
    def csv_header(self, config: EffectChainConfig) -> list[str]:
        return ["from_id", "from", "to_id", "to"]

    def csv_cells(self, config: EffectChainConfig, row: Row) -> list[Any]:
        from ..draft.models import Node
        from ..extensions import db

        def title(node_id: Any) -> str:
            node = db.session.get(Node, node_id) if isinstance(node_id, int) else None
            return node.title if node is not None else ""

        a, b = row.data.get("from"), row.data.get("to")
        return [a, title(a), b, title(b)]


KIND = EffectChain()
