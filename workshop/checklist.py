"""What a workshop needs before the room arrives: the checklist the console opens with.

A template names its checklist as data (``workshop.checklist`` in the template file: a list of
rule keys); the rules live here, once, for every template. Each rule reads the workshop's real
state — the draft analysis, the workshop's settings, an activity's settings — so an item is
done when the thing is filled in, never because someone ticked it, and it says where it is
filled in (``target``: a page and an anchor the console turns into a link).

The console shows the items not done first and folds the list away once everything is done;
``evaluate`` is all it needs, recomputed whenever the draft or the workshop changes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from .draft.checks import frame_gaps

# Labels that only name the kind of perspective ("Den egna organisationen"): the method wants
# a concrete label ("Solstad kommun"). "Samhället" is itself concrete, so it is not listed.
GENERIC_PERSPECTIVE_LABELS = frozenset(
    " ".join(s.split()).casefold()
    for s in (
        "Den egna organisationen",
        "Egna organisationen",
        "Egen organisation",
        "Invånare, patienter, brukare",
        "Invånare/patienter/brukare",
        "Invånare",
        "Närstående",
        "Andra organisationer",
        "Andra organisationer, huvudmän",
        "Andra organisationer/huvudmän",
        "The own organisation",
        "Residents, patients, service users",
        "Relatives",
        "Other organisations",
        "Other organisations, principals",
    )
)
# The effects kind's setting that says when dot voting opens (a date and time).
# The effects kind's settings that decide when dot voting opens: a time, or opened already.
DOTS_OPEN_SETTINGS = ("dots_open_at", "dots_open")


@dataclass(frozen=True)
class Rule:
    """One item of a checklist: its label, whether the workshop has it, where it is filled in
    (``page``: "draft", "workshop" or "activity:<kind>"; ``anchor``: a place on that page) and,
    optionally, what is still missing (a short text)."""

    label: Any
    done: Callable[[Any, Any], bool]
    page: str
    anchor: str = ""
    missing: Callable[[Any, Any], str] | None = None


def _text(value: Any) -> bool:
    return value is not None and bool(str(value).strip())


def _generic(label: str) -> bool:
    return " ".join(label.split()).casefold() in GENERIC_PERSPECTIVE_LABELS


def _perspectives(analysis: Any) -> list[dict[str, Any]]:
    return [p for p in (getattr(analysis, "perspectives", None) or []) if isinstance(p, dict)]


def perspectives_concrete(analysis: Any) -> bool:
    """Every perspective of the frame has a label of its own, not the name of its kind."""
    labels = [str(p.get("label") or "").strip() for p in _perspectives(analysis)]
    return bool(labels) and all(label and not _generic(label) for label in labels)


def _generic_labels(ws: Any, analysis: Any) -> str:
    return ", ".join(str(p.get("label") or "") for p in _perspectives(analysis) if _generic(str(p.get("label") or "")))


def _frame_missing(ws: Any, analysis: Any) -> str:
    return ", ".join(g["label"] for g in frame_gaps(analysis)) if analysis is not None else ""


def _dot_setting(ws: Any) -> bool:
    """Decided: an effects activity with dots says when they open, or no activity uses dots."""
    with_dots = [a for a in ws.activities if a.kind == "effects" and int((a.config or {}).get("dot_votes") or 0) > 0]
    return not with_dots or any(any((a.config or {}).get(key) for key in DOTS_OPEN_SETTINGS) for a in with_dots)


RULES: dict[str, Rule] = {
    # The change in one sentence: the name of the change on the draft.
    "change": Rule(
        _l("The change, in one sentence"),
        lambda ws, a: a is not None and _text(a.name_of_change),
        "draft",
        "sec-facts",
    ),
    # Alternativ A and Alternativ B, one sentence each.
    "alternatives": Rule(
        _l("Alternativ A and Alternativ B, one sentence each"),
        lambda ws, a: a is not None and _text(a.alternative_a) and _text(a.alternative_b),
        "draft",
        "sec-alternatives",
    ),
    # The whole frame of step 1 (what the files say "not given" for otherwise).
    "frame": Rule(
        _l("The frame: the change, alternatives, organisation, geography, start year, perspectives"),
        lambda ws, a: a is not None and not frame_gaps(a),
        "draft",
        "sec-facts",
        _frame_missing,
    ),
    "perspectives": Rule(
        _l("Perspectives with concrete labels (“Solstad kommun”, not “the own organisation”)"),
        lambda ws, a: perspectives_concrete(a),
        "draft",
        "sec-facts",
        _generic_labels,
    ),
    "closing_date": Rule(
        _l("The closing date: when the workshop stops taking contributions"),
        lambda ws, a: ws.open_until is not None,
        "workshop",
        "open_until",
    ),
    "dot_voting": Rule(
        _l("When dot voting opens"),
        lambda ws, a: _dot_setting(ws),
        "activity:effects",
    ),
}


def known(keys: Any) -> list[str]:
    """``keys`` as a checklist: a list of rule keys, each once; anything else is refused."""
    from .validation import InputError

    if keys is None:
        return []
    if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
        raise InputError("invalid", gettext("Invalid value."))
    unknown = [k for k in keys if k not in RULES]
    if unknown:
        raise InputError("invalid", gettext("Unknown checklist item: %(key)s", key=unknown[0]))
    return list(dict.fromkeys(keys))


def evaluate(ws: Any, analysis: Any) -> list[dict[str, Any]]:
    """The workshop's checklist, in the template's order: ``[{key, label, done, page,
    anchor, activity_id, missing}]``. Unknown keys (a rule since removed) are left out."""
    out = []
    for key in ws.checklist or []:
        rule = RULES.get(key)
        if rule is None:
            continue
        done = bool(rule.done(ws, analysis))
        activity_id = None
        if rule.page.startswith("activity:"):
            kind = rule.page.split(":", 1)[1]
            activity_id = next((act.id for act in ws.activities if act.kind == kind), None)
        out.append(
            {
                "key": key,
                "label": str(rule.label),
                "done": done,
                "page": rule.page.split(":", 1)[0],
                "anchor": rule.anchor,
                "activity_id": activity_id,
                "missing": rule.missing(ws, analysis) if (rule.missing and not done) else "",
            }
        )
    return out


def for_workshop(ws: Any) -> list[dict[str, Any]]:
    """``evaluate`` with the workshop's own draft (read, never created here)."""
    if not ws.checklist:
        return []
    from .draft.service import analysis_for

    return evaluate(ws, analysis_for(ws, create=False))
