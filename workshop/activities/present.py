"""Step 9 Dokumentera och presentera: the draft analysis as a short slideshow.

Read-only: no phone input (phones get a thank-you screen with the result in brief). The
facilitator steps through the sections from the console; the current section is a setting of
the activity (``config.section``, changed live with the console's ``configure``), so the
presenter follows and a reconnecting screen shows the same slide.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from ..draft.models import BENEFIT_TYPES, COST_TYPES
from ._draft import NoInput
from .base import ActivityKind, ConfigField, Row, Schema, _l, _pl
from .calculate import SIZE_NAMES, result_summary

#: The slides, in order.
SECTIONS = ("title", "alternatives", "benefits", "result", "uncertainty", "next")
LIST_MAX = 40


class PresentConfig(Schema):
    section: int = Field(default=0, ge=0, le=len(SECTIONS) - 1)
    next_steps: str = Field(default="", max_length=2000)


def _node(n: Any) -> dict[str, Any]:
    return {
        "id": n.id,
        "type": n.node_type,
        "title": n.title,
        "category": n.category,
        "perspective": n.perspective,
        "valuation": n.valuation,
        "size": SIZE_NAMES.get(n.size_score) if n.size_score is not None else None,
        "cost_kind": n.cost_kind,
        "rubrik": (n.pattern or {}).get("rubrik", ""),
    }


def presentation(draft: Any, next_steps: str = "") -> dict[str, Any]:
    analysis = draft.analysis
    """Everything the slides show, from the stored draft (visible items only)."""
    visible = [n for n in analysis.nodes if n.status == "visible"]

    def of(*types: str) -> list[dict[str, Any]]:
        return [_node(n) for n in visible if n.node_type in types][:LIST_MAX]

    benefits_by_category: dict[str, list[dict[str, Any]]] = {
        c: [] for c in ("finansiell", "omfordelning", "kvalitet", "miljo")
    }
    uncategorised: list[dict[str, Any]] = []
    for n in visible:
        if n.node_type in BENEFIT_TYPES:
            target = benefits_by_category.get(n.category or "")
            (target if target is not None else uncategorised).append(_node(n))
    change = next((n.title for n in visible if n.node_type == "forandring"), "")
    result = result_summary(draft, top=3)
    return {
        "empty": False,
        "sections": list(SECTIONS),
        "facts": {
            "name_of_change": analysis.name_of_change,
            "organisation": analysis.organisation,
            "area": analysis.area,
            "purpose": analysis.purpose,
            "geography": analysis.geography,
            "status_text": analysis.status_text,
            "version": analysis.version,
            "change": change,
        },
        "alternatives": {
            "a": analysis.alternative_a,
            "b": analysis.alternative_b,
            "comparison": (analysis.comparison or [])[:12],
        },
        "perspectives": analysis.perspectives or [],
        "effects": of("effekt"),
        "effect_count": sum(1 for n in visible if n.node_type == "effekt"),
        "benefits": {k: v[:LIST_MAX] for k, v in benefits_by_category.items()},
        "benefits_uncategorised": uncategorised[:LIST_MAX],
        "costs": of(*COST_TYPES),
        "risks": of("risk"),
        "obstacles": of("hinder"),
        "opportunities": of("mojlighet"),
        "goals": of("verksamhetsmal"),
        "result": result,
        "next_steps": [line.strip() for line in next_steps.splitlines() if line.strip()],
    }


class Present(NoInput, ActivityKind):
    key = "present"
    # The method's step this kind carries out (the editor lists the steps in order).
    step = 9
    label = _l("Dokumentera och presentera")
    description = _l(
        "Step 9: the analysis as a short presentation — the change, the alternatives, benefits by category, "
        "the result, uncertainty and next steps. You step through the parts from the console."
    )
    default_title = _l("Nyttoanalysen i korthet")
    results_hidden_default = False
    phone_results = "never"
    uses_draft = True
    Config = PresentConfig
    config_fields = [
        ConfigField(
            "next_steps",
            _l("Next steps (one per line)"),
            "textarea",
            help=_l("Shown on the last part, beside the risks, obstacles and opportunities to follow up."),
        ),
    ]
    js_strings = {
        "section.title": _l("The change"),
        "section.alternatives": _l("Alternativ A and B"),
        "section.benefits": _l("Effekter and nyttor"),
        "section.result": _l("The result in brief"),
        "section.uncertainty": _l("Uncertainty"),
        "section.next": _l("Next steps"),
        "part": _l("Part %(i)s of %(n)s"),
        "prev": _l("Previous part"),
        "next": _l("Next part"),
        "go_to": _l("Go to a part"),
        "alt_a": _l("Alternativ A (the reference)"),
        "alt_b": _l("Alternativ B (the change)"),
        "aspect": _l("Aspect"),
        "not_written": _l("Not written yet."),
        "effects_n": _pl("%(n)s effekt found", "%(n)s effekter found"),
        "costs": _l("Kostnader"),
        "no_items": _l("None yet."),
        "valued_money": _l("valued in money"),
        "perspectives": _l("Perspektiv"),
        "organisation": _l("Organisation"),
        "purpose": _l("Purpose"),
        "geography": _l("Geography"),
        "horizon": _pl("%(n)s year from %(y)s", "%(n)s years from %(y)s"),
        "horizon_plain": _pl("%(n)s year", "%(n)s years"),
        "risks": _l("Risker"),
        "obstacles": _l("Hinder"),
        "opportunities": _l("Möjligheter (need a further decision)"),
        "next_steps": _l("Next steps"),
        "not_valued": _l("Not valued in money"),
        "thanks": _l("Thank you for taking part!"),
        "phone_summary": _l("This is where the analysis stands now."),
        "no_draft": _l("The draft analysis is empty so far."),
        "benefits_n": _pl("%(n)s nytta", "%(n)s nyttor"),
    }

    def aggregate(self, config: PresentConfig, rows: list[Row]) -> dict[str, Any]:
        return {"empty": True, "sections": list(SECTIONS)}

    def aggregate_for(self, act: Any, config: PresentConfig, rows: list[Row], draft: Any = None) -> dict[str, Any]:
        if draft is None:
            return self.aggregate(config, rows)
        return presentation(draft, config.next_steps)

    def phone_content(self, act: Any, config: PresentConfig, draft: Any = None) -> dict[str, Any]:
        """A thank-you screen's worth: the change and the headline figures."""
        if draft is None:
            return {"empty": True}
        analysis = draft.analysis
        res = result_summary(draft, top=0, sensitivity=False)
        head = {k: res["discounted"][k] for k in ("nettonytta", "per_krona", "reading", "break_even_year")}
        return {
            "empty": False,
            "name_of_change": analysis.name_of_change,
            "benefits": sum(1 for n in analysis.nodes if n.status == "visible" and n.node_type in BENEFIT_TYPES),
            "discounted": head,
            "settings": res["settings"],
            "money": res["counts"]["money"],
        }


KIND = Present()
