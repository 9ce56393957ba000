"""Osäkerhet (the seven-step edition's step 6): the room judges the uncertainty of each area.

The method assesses uncertainty qualitatively, per area, without a scale of figures. The
activity lists areas (the benefits, the costs, the data behind the figures, the carrying
out…; the facilitator edits them). Per area a phone says how uncertain it finds it — låg,
medel or hög — and, if it likes, why. The screen shows how the judgements spread per area;
the console shows the same with the reasons given and records the facilitator's wording in
the draft: a level and a motivation per area (``uncertainty.set``), which the report, the
presentation, the spreadsheet and the JSON file carry.

Stored rows (``answer_mode = "custom"``): ``data = {"area", "index", "level", "comment"}``:
``area`` is the area's text when the phone answered (areas can be edited while the room
answers: an input belongs to the area with the same text), ``index`` its place then. One
current judgement per participant and area: a new one supersedes the earlier (stored still).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from flask_babel import gettext
from pydantic import Field, StringConstraints

from ..draft.vocabulary import UNCERTAINTY_AREAS_MAX, UNCERTAINTY_LEVEL_LABELS, UNCERTAINTY_LEVELS
from ._draft import analysis_of
from .base import (
    ActivityKind,
    ConfigField,
    Context,
    Entry,
    InputError,
    Row,
    Schema,
    _l,
    _pl,
    check_unique,
    normalise_text,
)
from .sorting import agreement_level

COMMENT_MAX = 500
#: Reasons the console shows per area (the newest first).
COMMENTS_SHOWN = 20

Area = Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]


class UncertaintyConfig(Schema):
    areas: list[Area] = Field(default_factory=list, min_length=1, max_length=UNCERTAINTY_AREAS_MAX)
    ask_comment: bool = True


class Judgement(Schema):
    index: int = Field(ge=0, le=UNCERTAINTY_AREAS_MAX - 1)
    level: Literal["low", "medium", "high"]
    comment: str = Field(default="", max_length=COMMENT_MAX)


def default_areas() -> list[str]:
    return [
        gettext("The benefits"),
        gettext("The costs"),
        gettext("The data and assumptions behind the figures"),
        gettext("Carrying out the change"),
    ]


def tally(levels: list[str]) -> dict[str, Any]:
    """Judgements of one area: counts per level, the most given (None on a tie) and the
    agreement; nothing is averaged (the levels are words, not figures)."""
    counts = {lv: 0 for lv in UNCERTAINTY_LEVELS}
    for lv in levels:
        if lv in counts:
            counts[lv] += 1
    n = sum(counts.values())
    best = max(counts.values()) if n else 0
    leaders = [lv for lv, c in counts.items() if n and c == best]
    top_share = round(best / n, 4) if n else None
    return {
        "n": n,
        "counts": counts,
        "top": leaders[0] if len(leaders) == 1 else None,
        "tie": len(leaders) > 1,
        "top_share": top_share,
        "agreement": agreement_level(top_share),
    }


def recorded(analysis: Any) -> dict[str, dict[str, str]]:
    """The facilitator's recorded judgement per area, keyed by the area's normalised text."""
    if analysis is None:
        return {}
    return {
        normalise_text(str(r.get("area", ""))): {"level": r.get("level") or "", "motivation": r.get("motivation") or ""}
        for r in (analysis.uncertainty or [])
        if isinstance(r, dict)
    }


class Uncertainty(ActivityKind):
    key = "uncertainty"
    # Uncertainty is part of the result in the nine steps (step 8): the editor lists it there.
    step = 8
    label = _l("Uncertainty per area")
    description = _l(
        "Everyone judges how uncertain each area is (low, medium, high) and may say why. The screen shows "
        "how the judgements spread; you record a level and a motivation per area in the analysis. "
        "Qualitative: no figures are computed from it."
    )
    default_title = _l("Uncertainty per area")
    answer_mode = "custom"
    results_hidden_default = True
    phone_results = "on_reveal"
    uses_draft = True
    Config = UncertaintyConfig
    config_fields = [
        ConfigField("areas", _l("Areas (one per line)"), "lines", min=1, max=UNCERTAINTY_AREAS_MAX),
        ConfigField("ask_comment", _l("Ask why (a short motivation)"), "bool"),
    ]
    js_strings = {
        "level_low": _l("Low"),
        "level_medium": _l("Medium"),
        "level_high": _l("High"),
        "level_q": _l("How uncertain is it?"),
        "comment": _l("Why? (optional)"),
        "send": _l("Send"),
        "saved": _l("Saved: %(level)s"),
        "n_done": _l("You have judged %(n)s of %(total)s."),
        "no_votes": _l("No judgements yet"),
        "voters": _pl("%(n)s answered", "%(n)s answered"),
        "agreement_high": _l("High agreement"),
        "agreement_medium": _l("Medium agreement"),
        "agreement_low": _l("Low agreement"),
        "reasons": _l("Reasons given"),
        "no_reasons": _l("No reasons given yet."),
        "decision": _l("Recorded in the analysis"),
        "not_decided": _l("Not recorded"),
        "level": _l("Uncertainty"),
        "choose": _l("— choose —"),
        "motivation": _l("Motivation"),
        "motivation_help": _l("Why this level: what makes the area certain or uncertain, and what would reduce it."),
        "save_decision": _l("Record in the analysis"),
        "saved_decision": _l("Recorded in the analysis."),
        "prefilled": _l("Prefilled from the most answers: check, write the motivation and record."),
        "unsaved": _l("Unsaved changes"),
        "pick_level": _l("Choose a level first."),
        "summary_areas": _pl("%(n)s area", "%(n)s areas"),
        "summary_decided": _pl("%(n)s area recorded", "%(n)s areas recorded"),
        "qualitative": _l("Qualitative: the levels are words, not figures, and are never added up."),
    }

    def default_config(self) -> dict[str, Any]:
        return {"areas": default_areas(), "ask_comment": True}

    def validate_config(self, payload: Any) -> dict[str, Any]:
        cfg = super().validate_config(payload)
        check_unique(cfg["areas"])
        return cfg

    def text_models(self, config: Any) -> list[type[Schema]]:
        return [Judgement]

    # --- input ----------------------------------------------------------------------------
    def input_model(self, config: UncertaintyConfig) -> type[Schema]:
        return Judgement

    def check_input(self, config: UncertaintyConfig, data: dict[str, Any]) -> dict[str, Any]:
        if data["index"] >= len(config.areas):
            message = gettext("That area does not exist.")
            raise InputError("invalid", message, {"index": message})
        comment = " ".join((data.get("comment") or "").split())
        if comment and not config.ask_comment:
            message = gettext("This activity does not ask why.")
            raise InputError("invalid", message, {"comment": message})
        return {"index": data["index"], "level": data["level"], "comment": comment}

    def prepare(self, config: UncertaintyConfig, payload: Any, ctx: Context) -> Entry:
        data = self.validate_input(config, payload)
        area = config.areas[data["index"]]
        key = normalise_text(area)
        earlier = [r.id for r in ctx.mine if normalise_text(str((r.data or {}).get("area", ""))) == key]
        return Entry({"area": area, **data}, supersedes=earlier)

    # --- results --------------------------------------------------------------------------
    def phone_content(self, act: Any, config: UncertaintyConfig, draft: Any = None) -> dict[str, Any]:
        return {"areas": list(config.areas), "levels": list(UNCERTAINTY_LEVELS)}

    def aggregate(self, config: UncertaintyConfig, rows: list[Row]) -> dict[str, Any]:
        return self.aggregate_for(None, config, rows)

    def aggregate_for(self, act: Any, config: UncertaintyConfig, rows: list[Row], draft: Any = None) -> dict[str, Any]:
        decisions = recorded(analysis_of(draft))
        areas = list(config.areas)
        keys = [normalise_text(a) for a in areas]
        latest: dict[str, dict[int, Row]] = {k: {} for k in keys}
        for r in sorted(rows, key=lambda r: r.id):
            if r.status == "deleted":
                continue
            k = normalise_text(str((r.data or {}).get("area", "")))
            if k in latest:
                latest[k][r.participant_id] = r
        out = []
        voters: set[int] = set()
        for area, k in zip(areas, keys, strict=True):
            mine = latest[k]
            voters |= set(mine)
            comments = [
                {"level": r.data.get("level"), "text": r.data.get("comment")}
                for r in sorted(mine.values(), key=lambda r: -r.id)
                if r.data.get("comment")
            ]
            decision = decisions.get(k, {"level": "", "motivation": ""})
            out.append(
                {
                    "area": area,
                    **tally([str(r.data.get("level")) for r in mine.values()]),
                    "comments": comments[:COMMENTS_SHOWN],
                    "comments_total": len(comments),
                    "decision": decision,
                    "decided": bool(decision["level"]),
                }
            )
        return {
            "ready": True,
            "areas": out,
            "levels": list(UNCERTAINTY_LEVELS),
            "summary": {
                "areas": len(out),
                "answered": sum(1 for a in out if a["n"]),
                "decided": sum(1 for a in out if a["decided"]),
                "voters": len(voters),
            },
        }

    def summary(self, config: UncertaintyConfig, aggregate: dict[str, Any]) -> list[tuple[str, Any]]:
        return [
            (a["area"], ", ".join(f"{UNCERTAINTY_LEVEL_LABELS[lv]}: {a['counts'][lv]}" for lv in UNCERTAINTY_LEVELS))
            for a in aggregate.get("areas", [])
        ]

    # --- CSV ------------------------------------------------------------------------------
    def csv_header(self, config: UncertaintyConfig) -> list[str]:
        return ["area", "level", "comment"]

    def csv_cells(self, config: UncertaintyConfig, row: Row) -> list[Any]:
        d = row.data or {}
        return [d.get("area", ""), d.get("level", ""), d.get("comment", "")]


KIND = Uncertainty()
