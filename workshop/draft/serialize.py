"""The draft analysis as plain data: for the facilitator's page, the screens and the exports."""

from __future__ import annotations

from typing import Any

from .checks import chain_checks, frame_gaps
from .compute import compute, explain
from .models import Analysis, Node

SCHEMA_VERSION = 1


def merged_variants(a: Any) -> dict[int, list[Node]]:
    """The items merged into each item, oldest first: a merge keeps every wording a participant
    gave (and their judgement: a variant may say negative where the item says positive)."""
    out: dict[int, list[Node]] = {}
    if a is None:
        return out
    for n in a.nodes:
        if n.merged_into_id:
            out.setdefault(n.merged_into_id, []).append(n)
    for nodes in out.values():
        nodes.sort(key=lambda n: (n.position, n.id))
    return out


def variant_dict(n: Node) -> dict[str, Any]:
    """One merged wording, as the screens and files show it."""
    return {
        "id": n.id,
        "title": n.title,
        "cause": n.cause,
        "perspective": n.perspective,
        "polarity": n.polarity,
        "response_id": n.source_response_id,
    }


def node_dict(n: Node) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": n.id,
        "node_type": n.node_type,
        "title": n.title,
        "description": n.description,
        "cause": n.cause,
        "perspective": n.perspective,
        "polarity": n.polarity,
        "category": n.category,
        "valuation": n.valuation,
        "size_score": n.size_score,
        "cost_kind": n.cost_kind,
        "motivation": n.motivation,
        "pattern": n.pattern or {},
        "direct_value": n.direct_value or {},
        "year_profile": n.year_profile or [],
        "status": n.status,
        "merged_into": n.merged_into_id,
        "position": n.position,
        "block": None,
    }
    if n.block is not None:
        out["block"] = {
            "formula": n.block.formula,
            "hours_formula": n.block.hours_formula,
            "notes": n.block.notes,
            "rows": [
                {
                    "id": r.id,
                    "name": r.name,
                    "label": r.label,
                    "unit": r.unit,
                    "low": r.low,
                    "likely": r.likely,
                    "high": r.high,
                    "source": r.source,
                    "proposal": r.proposal,
                    "position": r.position,
                }
                for r in n.block.rows
            ],
        }
    return out


def analysis_dict(
    a: Analysis, with_result: bool = True, sensitivity: bool = True, result: Any = None
) -> dict[str, Any]:
    variants = merged_variants(a)
    out: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "id": a.id,
        "facts": {
            "name_of_change": a.name_of_change,
            "organisation": a.organisation,
            "area": a.area,
            "purpose": a.purpose,
            "geography": a.geography,
            "status_text": a.status_text,
            "version": a.version,
            "contact_role": a.contact_role,
        },
        "frame": {
            "start_year": a.start_year,
            "horizon": a.horizon,
            "discount_rate": a.discount_rate,
            "convention": a.convention,
            "perspectives": a.perspectives or [],
        },
        "alternatives": {"a": a.alternative_a, "b": a.alternative_b, "comparison": a.comparison or []},
        "method_notes": a.method_notes,
        "valuation_notes": a.valuation_notes,
        "uncertainty": a.uncertainty or [],
        "nodes": [{**node_dict(n), "variants": [variant_dict(v) for v in variants.get(n.id, [])]} for n in a.nodes],
        "links": [{"from": link.from_id, "to": link.to_id} for link in a.links],
        "factors": [
            {
                "id": f.id,
                "name": f.name,
                "label": f.label,
                "unit": f.unit,
                "low": f.low,
                "likely": f.likely,
                "high": f.high,
                "source": f.source,
                "year": f.year,
                "from_library": f.from_library,
            }
            for f in a.factors
        ],
        "checks": chain_checks(a),
        "frame_gaps": frame_gaps(a),
    }
    if with_result:
        out["result"] = explain((result if result is not None else compute(a, sensitivity=sensitivity)).to_dict())
    return out
