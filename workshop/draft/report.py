"""The report's content, in the layout practitioners recognise (method.md), as plain data.

One builder for every output (the web report and review link now; Word and slides later), so
the sections, their order and their figures cannot drift apart between formats. No
participant identities: who took part is reported as counts per perspective.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from flask_babel import gettext, ngettext
from sqlalchemy import func, select

from ..extensions import db
from ..models import Activity, Participant, Response, Workshop
from .compute import compute, omfordelning_summary
from .models import Analysis, Node
from .serialize import merged_variants, node_dict, variant_dict
from .vocabulary import (
    CATEGORY_LABELS,
    NODE_TYPE_LABELS,
    PERSPECTIVE_KIND_LABELS,
    SIZE_LABELS,
    UNCERTAINTY_LEVEL_LABELS,
    VALUATION_LABELS,
    points_text,
)

SECTION_TYPES = (
    ("nytta", "benefits"),
    ("konsekvenskostnad", "consequence_costs"),
    ("genomforandekostnad", "implementation_costs"),
    ("risk", "risks"),
    ("hinder", "obstacles"),
    ("mojlighet", "opportunities"),
)


def not_recorded() -> str:
    """What the report says about participation when Nyttoverkstad recorded none."""
    return gettext(
        "Nyttoverkstad has no record of who took part or of inputs for this analysis (it was imported or "
        "written in directly), so the report gives no participation figures."
    )


def participation(ws: Workshop) -> dict[str, Any]:
    """Who took part, as counts only, and which activities ran when."""
    per = Counter(
        p or ""
        for (p,) in db.session.execute(select(Participant.perspective).where(Participant.workshop_id == ws.id)).all()
    )
    inputs = dict(
        db.session.execute(
            select(Response.activity_id, func.count(Response.id))
            .join(Activity, Activity.id == Response.activity_id)
            .where(Activity.workshop_id == ws.id, Response.generation == Activity.generation)
            .group_by(Response.activity_id)
        ).all()
    )
    first_last = db.session.execute(
        select(func.min(Response.created_at), func.max(Response.created_at))
        .join(Activity, Activity.id == Response.activity_id)
        .where(Activity.workshop_id == ws.id)
    ).one()
    # Whether Nyttoverkstad recorded the work at all: an imported analysis (or one typed in on
    # the draft page) has no participants and no inputs, and the report says so rather than
    # "0 participants took part" in a workshop that never ran here.
    recorded = bool(per) or any(inputs.values())
    return {
        "recorded": recorded,
        "note": "" if recorded else not_recorded(),
        "participants": sum(per.values()),
        "per_perspective": sorted(((k, v) for k, v in per.items()), key=lambda kv: (-kv[1], kv[0])),
        "activities": [{"title": a.title, "kind": a.kind, "inputs": inputs.get(a.id, 0)} for a in ws.activities],
        "first_input": first_last[0],
        "last_input": first_last[1],
        "mode": ws.mode,
    }


def sorting_votes(ws: Workshop, analysis: Analysis) -> dict[int, dict[str, Any]]:
    """How the room sorted each benefit and cost in step 4, by item id: the tally of the votes
    that count in the workshop's Sortera activities (the same figures the console shows, from
    ``activities.sorting``), with its ``grey_zone`` flag. Items nobody voted on are absent; when
    several Sortera activities voted on an item, the last one in the workshop's order counts."""
    from types import SimpleNamespace

    from ..activities.sorting import KIND as SORTING
    from ..activities.sorting import SortingConfig
    from ..responses import load_rows

    out: dict[int, dict[str, Any]] = {}
    if analysis is None or analysis.id is None or ws is None or ws.id is None:
        return out
    draft = SimpleNamespace(analysis=analysis)
    for act in ws.activities:
        if act.kind != SORTING.key:
            continue
        config = SORTING.config(act.config)
        assert isinstance(config, SortingConfig)
        agg = SORTING.aggregate_for(act, config, load_rows(act), draft)
        for it in agg["items"]:
            if it["n"]:
                out[it["id"]] = it
    return out


def votes_text(votes: dict[str, Any] | None) -> str:
    """The group's votes on one item in words: "Omfördelning 2, Kvalitet 2 (4 votes; tie)"."""
    if not votes or not votes.get("n"):
        return gettext("No votes")
    order = list(CATEGORY_LABELS)
    counts = sorted(((c, k) for c, k in votes["categories"].items() if k), key=lambda ck: (-ck[1], order.index(ck[0])))
    text = ", ".join(f"{CATEGORY_LABELS[c]} {k}" for c, k in counts)
    n = votes["n"]
    extra = ngettext("%(n)s vote", "%(n)s votes", n, n=n)
    if votes.get("tie"):
        extra += "; " + gettext("tie")
    money = votes.get("money") or {}
    if money.get("yes"):
        extra += "; " + gettext("in money: %(yes)s yes, %(no)s no", yes=money.get("yes", 0), no=money.get("no", 0))
    return f"{text} ({extra})"


def decision_text(n: Node) -> str:
    """The facilitator's decision on one item: "Omfördelning · Valued in money · Solstad kommun"."""
    if n.category is None:
        return gettext("Not decided")
    valuation = str(VALUATION_LABELS.get(n.valuation, ""))
    if n.valuation == "size" and n.size_score is not None:
        valuation += f": {SIZE_LABELS[n.size_score]}"
    parts = [str(CATEGORY_LABELS[n.category]), valuation, n.perspective or ""]
    return " · ".join(p for p in parts if p)


def _item(
    n: Node,
    result_items: dict[str, Any],
    votes: dict[int, dict[str, Any]] | None = None,
    variants: dict[int, list[Node]] | None = None,
) -> dict[str, Any]:
    d = node_dict(n)
    # Merged duplicates keep their wording: listed with the item they were merged into.
    d["variants"] = [variant_dict(v) for v in (variants or {}).get(n.id, [])]
    v = (votes or {}).get(n.id)
    d["votes"] = v
    d["votes_text"] = votes_text(v) if v else ""
    d["grey_zone"] = bool(v and v["grey_zone"])
    d["decided"] = n.category is not None
    d["decision_text"] = decision_text(n) if (n.is_benefit or n.is_cost) else ""
    d["type_label"] = str(NODE_TYPE_LABELS.get(n.node_type, n.node_type))
    d["category_label"] = str(CATEGORY_LABELS[n.category]) if n.category else ""
    d["valuation_label"] = str(VALUATION_LABELS.get(n.valuation, ""))
    d["size_label"] = points_text(n.size_score) if n.valuation == "size" and n.size_score is not None else ""
    r = result_items.get(str(n.id))
    d["yearly_value"] = r["yearly_value"] if r else None
    d["total"] = r["total"] if r else None
    d["total_discounted"] = r["total_discounted"] if r else None
    return d


def points_items(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The counted benefits and costs not valued in money, beside the money result: each with its
    estimated size in points (or "not valued"), largest first, benefits before costs. The
    points are never added up, neither to each other nor to the money."""
    out = [
        {
            **nv,
            "category_label": str(CATEGORY_LABELS[nv["category"]]) if nv.get("category") in CATEGORY_LABELS else "",
            "points_text": points_text(nv.get("size_score")),
        }
        for nv in result.get("not_valued", [])
    ]
    return sorted(
        out, key=lambda i: (i["kind"] != "benefit", -(i["size_score"] if i["size_score"] is not None else -1))
    )


def uncertainty_areas(analysis: Analysis) -> list[dict[str, str]]:
    """Osäkerhet per area as recorded, the level in words ("" while not judged)."""
    return [
        {
            "area": str(r.get("area", "")),
            "level": str(r.get("level") or ""),
            "level_label": str(UNCERTAINTY_LEVEL_LABELS[r["level"]])
            if r.get("level") in UNCERTAINTY_LEVEL_LABELS
            else "",
            "motivation": str(r.get("motivation") or ""),
        }
        for r in (analysis.uncertainty or [])
        if isinstance(r, dict) and r.get("area")
    ]


def build(ws: Workshop, analysis: Analysis) -> dict[str, Any]:
    result = compute(analysis).to_dict()
    by_id = {it["id"]: it for it in result["items"]}
    visible = [n for n in analysis.nodes if n.status == "visible"]
    variants = merged_variants(analysis)
    votes = sorting_votes(ws, analysis)
    sections = {
        key: [_item(n, by_id, votes, variants) for n in visible if n.node_type == t] for t, key in SECTION_TYPES
    }
    # Step 4's gråzon: the benefits and costs the room could not sort clearly, with the
    # facilitator's decision and its motivation (the method asks for one for each of them).
    grey_zone = [it for t, key in SECTION_TYPES[:3] for it in sections[key] if it["grey_zone"]]
    titles = {n.id: n.title for n in analysis.nodes}
    blocks = [
        {
            "item": _item(n, by_id),
            "formula": n.block.formula,
            "hours_formula": n.block.hours_formula,
            "rows": node_dict(n)["block"]["rows"],
        }
        for n in visible
        if n.block is not None and n.valuation == "money"
    ]
    sources = sorted(
        {r["source"] for b in blocks for r in b["rows"] if r["source"]}
        | {(n.direct_value or {}).get("source", "") for n in visible if (n.direct_value or {}).get("source")}
    )
    used_names = set()
    for b in blocks:
        for text in (b["formula"], b["hours_formula"]):
            used_names.update(_names(text))
    factors = [f for f in analysis.factors if f.name in used_names]
    return {
        "workshop": ws,
        "analysis": analysis,
        "facts": {
            "organisation": analysis.organisation,
            "area": analysis.area,
            "name_of_change": analysis.name_of_change,
            "geography": analysis.geography,
            "status": analysis.status_text,
            "date": analysis.updated_at,
            "version": analysis.version,
            "contact_role": analysis.contact_role,
        },
        "perspectives": [
            {"label": p.get("label", ""), "kind": str(PERSPECTIVE_KIND_LABELS.get(p.get("kind", ""), ""))}
            for p in (analysis.perspectives or [])
        ],
        "participation": participation(ws),
        "sections": sections,
        "grey_zone": grey_zone,
        "sorted_by_room": bool(votes),
        "changes": [_item(n, by_id) for n in visible if n.node_type == "forandring"],
        "effects": [_item(n, by_id, votes, variants) for n in visible if n.node_type == "effekt"],
        "goals": [_item(n, by_id) for n in visible if n.node_type == "verksamhetsmal"],
        "links": [
            {"from": titles.get(link.from_id, "?"), "to": titles.get(link.to_id, "?")}
            for link in analysis.links
            if link.from_id in titles and link.to_id in titles
        ],
        "blocks": blocks,
        "factors": factors,
        "sources": sources,
        "result": result,
        "points_items": points_items(result),
        "uncertainty_areas": uncertainty_areas(analysis),
        "omfordelning": omfordelning_summary(result["omfordelning"], analysis.horizon),
    }


def _names(text: str) -> set[str]:
    from ..calculation.formula import FormulaError, parse

    if not text:
        return set()
    try:
        return set(parse(text).names)
    except FormulaError:
        return set()
