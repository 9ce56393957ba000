"""The method's words, in one place: the allowed values (keys) of node types, categories,
perspectives, valuation, sizes, cost kinds and polarity, each beside its label, and the labels of
the result measures. Swedish texts in the catalogue follow method.md exactly.

Each vocabulary is defined once, as a ``*_LABELS`` mapping from key to label; the tuple of keys
(``NODE_TYPES``, ``CATEGORIES``…) is read from it, so a key cannot exist without a label or the
other way round. Models, editing rules, activity kinds, the engine and the exports import the
keys from here; stored values are these keys (ASCII, no Swedish letters), labels are looked up
when shown. Nothing here needs an app: labels are lazy and translated when turned into text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l

# Kinds of chain node, as the method names them. One thing per node.
NODE_TYPE_LABELS = {
    "forandring": _l("Change"),
    "effekt": _l("Effect"),
    "nytta": _l("Benefit"),
    "konsekvenskostnad": _l("Consequence cost"),
    "genomforandekostnad": _l("Implementation cost"),
    "risk": _l("Risk"),
    "hinder": _l("Obstacle"),
    "mojlighet": _l("Opportunity"),
    "verksamhetsmal": _l("Organisational goal"),
}
NODE_TYPES: tuple[str, ...] = tuple(NODE_TYPE_LABELS)
#: Counted items: benefits, and the two kinds of cost.
BENEFIT_TYPES: tuple[str, ...] = ("nytta",)
COST_TYPES: tuple[str, ...] = ("konsekvenskostnad", "genomforandekostnad")
ITEM_TYPES: tuple[str, ...] = BENEFIT_TYPES + COST_TYPES
#: Everything else takes no category or valuation; opportunities are never counted.
UNCATEGORISED_TYPES: tuple[str, ...] = tuple(t for t in NODE_TYPES if t not in ITEM_TYPES)
#: Risks, obstacles and opportunities take no perspective either.
NO_PERSPECTIVE_TYPES: tuple[str, ...] = ("risk", "hinder", "mojlighet")

CATEGORY_LABELS = {
    "finansiell": _l("Financial"),
    "omfordelning": _l("Redistribution"),
    "kvalitet": _l("Quality"),
    "miljo": _l("Environment"),
}
CATEGORIES: tuple[str, ...] = tuple(CATEGORY_LABELS)
#: Only these categories can be valued in money (Värdering i kronor).
MONEY_CATEGORIES: tuple[str, ...] = ("finansiell", "omfordelning")
# The categories as method terms, Swedish in both languages (exports and the phones' sorting
# use them: msgids in Swedish, as in the calculate kind).
CATEGORY_TERMS = {
    "finansiell": _l("Finansiell"),
    "omfordelning": _l("Omfördelning"),
    "kvalitet": _l("Kvalitet"),
    "miljo": _l("Miljö"),
}

PERSPECTIVE_KIND_LABELS = {
    "egen_organisation": _l("The own organisation"),
    "invanare": _l("Residents, patients, service users"),
    "narstaende": _l("Relatives"),
    "andra_organisationer": _l("Other organisations, principals"),
    "samhallet": _l("Society"),
}
PERSPECTIVE_KINDS: tuple[str, ...] = tuple(PERSPECTIVE_KIND_LABELS)

VALUATION_LABELS = {
    "money": _l("Valued in money"),
    "size": _l("Estimated size"),
    "none": _l("Not valued"),
}
VALUATIONS: tuple[str, ...] = tuple(VALUATION_LABELS)
# Uppskattad storlek: Ingen 0, Liten 1, Måttlig 2, Stor 3.
SIZE_LABELS = {0: _l("None"), 1: _l("Small"), 2: _l("Moderate"), 3: _l("Large")}
SIZE_SCORES: tuple[int, ...] = tuple(SIZE_LABELS)
#: Osäkerhet (the seven-step edition's step 6): the uncertainty of an area, judged by the room in
#: words, each with a motivation; no figures, no sum.
UNCERTAINTY_LEVEL_LABELS = {"low": _l("Low"), "medium": _l("Medium"), "high": _l("High")}
UNCERTAINTY_LEVELS: tuple[str, ...] = tuple(UNCERTAINTY_LEVEL_LABELS)
#: Areas an uncertainty assessment holds at most.
UNCERTAINTY_AREAS_MAX = 30


def points_text(score: int | None) -> str:
    """An estimated size as the exports show it beside the money result: the word and the
    points, "Måttlig (2)"; an item without a size is "not valued", never "0 kr"."""
    if score is None or score not in SIZE_LABELS:
        return str(VALUATION_LABELS["none"])
    return f"{SIZE_LABELS[score]} ({score})"


# Implementation costs only: paid once, or every year.
COST_KIND_LABELS = {"one_off": _l("One-off"), "running": _l("Recurring")}
COST_KINDS: tuple[str, ...] = tuple(COST_KIND_LABELS)
# Effects only: positive effects lead to benefits, negative ones to costs or risks.
POLARITY_LABELS = {"positive": _l("Positive"), "negative": _l("Negative")}
POLARITIES: tuple[str, ...] = tuple(POLARITY_LABELS)
#: Discounting: A divides year t by (1+r)^(t-1) (year 1 not discounted), B by (1+r)^t.
CONVENTIONS: tuple[str, ...] = ("A", "B")
#: A node the facilitator hid (or merged into another) stays stored but is not shown or counted.
#: "parked": a cost of carrying out the change raised while brainstorming effects (step 2), kept
#: on the parking list and not counted until the facilitator confirms it in step 6.
NODE_STATUSES: tuple[str, ...] = ("visible", "hidden", "parked")

MEASURE_LABELS = {
    "nettonytta": _l("Total net benefit"),
    "per_krona": _l("Net benefit per krona invested"),
    "break_even_year": _l("The year accumulated benefits exceed accumulated costs"),
    "never": _l("never"),
    "cannot_compute": _l("cannot be computed"),
    "benefits": _l("Benefits"),
    "costs": _l("Costs"),
    "undiscounted": _l("Undiscounted"),
    "discounted": _l("Discounted"),
    "low": _l("All lowest values"),
    "likely": _l("All likely values"),
    "high": _l("All highest values"),
    "hours": _l("hours"),
    "arsarbetare": _l("full-time equivalents"),
}
READING_LABELS = {
    "negative": _l("Negative: the costs are larger than the benefits"),
    "zero": _l("Zero: benefits and costs are equal"),
    "small_margin": _l("Positive with a small margin"),
    "good": _l("Positive"),
}


def js_strings() -> dict[str, str]:
    """The same words for the browser, keyed as ``vocab.<group>.<key>``."""
    out: dict[str, str] = {}
    groups: dict[str, Mapping[Any, object]] = {
        "node_type": NODE_TYPE_LABELS,
        "category": CATEGORY_LABELS,
        "perspective_kind": PERSPECTIVE_KIND_LABELS,
        "valuation": VALUATION_LABELS,
        "size": SIZE_LABELS,
        "uncertainty": UNCERTAINTY_LEVEL_LABELS,
        "cost_kind": COST_KIND_LABELS,
        "polarity": POLARITY_LABELS,
        "measure": MEASURE_LABELS,
        "reading": READING_LABELS,
    }
    for group, labels in groups.items():
        for key, label in labels.items():
            out[f"vocab.{group}.{key}"] = str(label)
    return out
