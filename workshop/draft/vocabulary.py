"""The method's words, in one place: labels for node types, categories, perspectives,
valuation, sizes and result measures. Swedish texts in the catalogue follow method.md exactly."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

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
CATEGORY_LABELS = {
    "finansiell": _l("Financial"),
    "omfordelning": _l("Redistribution"),
    "kvalitet": _l("Quality"),
    "miljo": _l("Environment"),
}
PERSPECTIVE_KIND_LABELS = {
    "egen_organisation": _l("The own organisation"),
    "invanare": _l("Residents, patients, service users"),
    "narstaende": _l("Relatives"),
    "andra_organisationer": _l("Other organisations, principals"),
    "samhallet": _l("Society"),
}
VALUATION_LABELS = {
    "money": _l("Valued in money"),
    "size": _l("Estimated size"),
    "none": _l("Not valued"),
}
SIZE_LABELS = {0: _l("None"), 1: _l("Small"), 2: _l("Moderate"), 3: _l("Large")}
COST_KIND_LABELS = {"one_off": _l("One-off"), "running": _l("Recurring")}
POLARITY_LABELS = {"positive": _l("Positive"), "negative": _l("Negative")}
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
    for group, labels in {
        "node_type": NODE_TYPE_LABELS, "category": CATEGORY_LABELS, "perspective_kind": PERSPECTIVE_KIND_LABELS,
        "valuation": VALUATION_LABELS, "size": SIZE_LABELS, "cost_kind": COST_KIND_LABELS,
        "polarity": POLARITY_LABELS, "measure": MEASURE_LABELS, "reading": READING_LABELS,
    }.items():
        for key, label in labels.items():
            out[f"vocab.{group}.{key}"] = str(label)
    return out
