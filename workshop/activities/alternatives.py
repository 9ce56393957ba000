"""Step 1 · Formulera alternativen: Alternativ A (nollalternativet) against Alternativ B.

The facilitator writes A, B, the comparison rows and the frame (the name of the change,
organisation, area, geography, start year, purpose, status, the perspectives with concrete
labels, horizon and discount rate) straight into the draft analysis (``frame.update``, the
draft page's write path) from the console; nothing about them is stored in the activity.
Phones see A, B and the comparison table (``phone_content``) and, per row, can question it
— "Är detta verkligen olika?" — and comment.

Stored rows (``answer_mode = "custom"``): ``data = {"row", "aspect", "flag", "comment"}``.
``row`` is the index the phone saw and ``aspect`` the row's aspect at that moment: rows can
be edited, moved and removed while the room answers, so an input belongs to the current row
with the same aspect (the one at ``row`` if several share it); an input whose aspect is gone
is kept but shown apart in the console. A participant's latest input for a row is their
flag for it (one current flag per participant and row); earlier inputs without a comment
stop being current, inputs with a comment stay so the comment stays.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext, ngettext
from pydantic import Field

from ..draft.checks import frame_gaps
from ._draft import analysis_of
from ._text import clean_paragraphs
from .base import (
    ActivityKind,
    ConfigField,
    Context,
    Entry,
    InputError,
    Limit,
    Row,
    Schema,
    _l,
    _pl,
    normalise_text,
    parse,
)

COMMENT_MAX = 500
COMMENTS_SHOWN = 5


class AlternativesConfig(Schema):
    allow_comments: bool = True
    max_comments: int = Field(default=10, ge=1, le=50)
    show_frame: bool = True


class Flag(Schema):
    row: int = Field(ge=0, le=49)
    flag: bool
    comment: str = Field(default="", max_length=COMMENT_MAX)


def row_for(rows: list[dict[str, Any]], data: dict[str, Any]) -> int | None:
    """The current comparison row an input belongs to (see the module docstring)."""
    want = normalise_text(str(data.get("aspect", "")))
    same = [i for i, r in enumerate(rows) if normalise_text(str(r.get("aspect", ""))) == want]
    if not same:
        return None
    index = data.get("row")
    return index if index in same else same[0]


def _comparison(analysis: Any) -> list[dict[str, Any]]:
    if analysis is None:
        return []
    return [
        {"aspect": r.get("aspect", ""), "a": r.get("a", ""), "b": r.get("b", "")} for r in (analysis.comparison or [])
    ]


def frame_of(analysis: Any) -> dict[str, Any]:
    if analysis is None:
        return {"perspectives": [], "horizon": 6, "discount_rate": 0.03, "convention": "A", "start_year": None}
    return {
        "perspectives": [{"kind": p.get("kind"), "label": p.get("label", "")} for p in (analysis.perspectives or [])],
        "horizon": analysis.horizon,
        "discount_rate": analysis.discount_rate,
        "convention": analysis.convention,
        "start_year": analysis.start_year,
    }


# The facts of the frame the console edits (text fields of ``Analysis``; the start year is in
# ``frame_of``).
FACT_KEYS = ("name_of_change", "organisation", "area", "geography", "purpose", "status_text", "contact_role")


def facts_of(analysis: Any) -> dict[str, str]:
    return {k: (getattr(analysis, k, "") or "") if analysis is not None else "" for k in FACT_KEYS}


class Alternatives(ActivityKind):
    key = "alternatives"
    # The method's step this kind carries out (the editor lists the steps in order).
    step = 1
    label = _l("Step 1 · Formulera alternativen")
    description = _l(
        "Compare Alternativ A (nollalternativet, the reference point) with Alternativ B (the change) in a table, "
        "and set the frame. Participants question rows: “Är detta verkligen olika?”"
    )
    default_title = _l("Formulera alternativen")
    answer_mode = "custom"
    results_hidden_default = False
    phone_results = "never"
    moderated = True
    uses_draft = True
    Config = AlternativesConfig
    config_fields = [
        ConfigField("allow_comments", _l("Participants may comment on the rows"), "bool"),
        ConfigField("max_comments", _l("Comments per participant"), "int", min=1, max=50),
        ConfigField("show_frame", _l("Show the frame (perspectives, horizon, discount rate) on the phones"), "bool"),
    ]
    js_strings = {
        # phone
        "alt_a": _l("Alternativ A"),
        "alt_b": _l("Alternativ B"),
        "alt_a_help": _l("nollalternativet: the reference point, often today"),
        "alt_b_help": _l("the change"),
        "comparison": _l("How A and B differ"),
        "aspect": _l("Aspect"),
        "no_rows": _l("The facilitator has not written the comparison yet."),
        "not_written": _l("Not written yet."),
        "flag": _l("Är detta verkligen olika?"),
        "flag_on": _l("You question this row. Tap again to take it back."),
        "flag_help": _l("Tap if you doubt that A and B really differ here."),
        "comment": _l("Comment"),
        "comment_label": _l("Your comment on “%(aspect)s”"),
        "send_comment": _l("Send comment"),
        "comment_sent": _l("Your comment is sent."),
        "flag_saved": _l("Saved."),
        "your_comments": _l("Your comments"),
        "comments_left": _pl("You can write %(n)s more comment.", "You can write %(n)s more comments."),
        "comments_off": _l("Comments are turned off."),
        "empty_comment": _l("Write your comment first."),
        "frame": _l("The frame of the analysis"),
        "perspectives": _l("Perspectives"),
        "horizon": _l("Horizon"),
        "horizon_years": _pl("%(n)s year", "%(n)s years"),
        "discount_rate": _l("Discount rate"),
        "convention": _l("Discounting convention"),
        "convention_a": _l("A: year 1 is not discounted, year t divided by (1+r)^(t−1)"),
        "convention_b": _l("B: year t divided by (1+r)^t"),
        # presenter and console
        "flags": _l("Är detta verkligen olika?"),
        "n_flags": _pl("%(n)s questions it", "%(n)s question it"),
        "n_comments": _pl("%(n)s comment", "%(n)s comments"),
        "latest_comments": _l("Latest comments"),
        "no_comparison": _l("Add the comparison rows in the console."),
        "edit_heading": _l("Alternatives and comparison"),
        "frame_heading": _l("Frame"),
        "feedback_heading": _l("What the room says"),
        "a_label": _l("Alternativ A (nollalternativet: the reference point, often today)"),
        "b_label": _l("Alternativ B (the change)"),
        "add_row": _l("Add row"),
        "new_aspect": _l("Aspect, e.g. Who opens the door"),
        "remove_row": _l("Remove row %(n)s"),
        "move_up": _l("Move row %(n)s up"),
        "perspective_kind": _l("Kind"),
        "perspective_label": _l("Concrete label, e.g. Solstad kommun"),
        "add_perspective": _l("Add perspective"),
        "remove_perspective": _l("Remove perspective %(label)s"),
        "perspective_hint": _l("Staff groups belong under their organisation; samhället is not a catch-all."),
        "horizon_label": _l("Horizon (years, 1–30)"),
        "rate_label": _l("Discount rate (%)"),
        "saved": _l("Saved."),
        "saving": _l("Saving…"),
        "orphans": _l("On rows that were changed or removed"),
        "no_feedback": _l("No questions or comments yet."),
        "row_n": _l("Row %(n)s"),
        "hidden_comment": _l("hidden"),
        "no_analysis": _l("The draft analysis is created when you edit it."),
        "facts_heading": _l("The analysis"),
        "f_name_of_change": _l("Name of the change"),
        "f_organisation": _l("Organisation"),
        "f_area": _l("Area"),
        "f_geography": _l("Geography"),
        "f_purpose": _l("Purpose of the analysis"),
        "f_status_text": _l("Status"),
        "f_start_year": _l("Start year"),
        "f_contact_role": _l("Contact (role)"),
        "h_name_of_change": _l("e.g. Digitala nyckellås i hemtjänsten"),
        "h_organisation": _l("e.g. Solstads kommun"),
        "h_geography": _l("e.g. the whole municipality"),
        "h_start_year": _l("The calendar year of year 1, e.g. 2026"),
        "gaps": _l("Not given yet (the documents say “not given”):"),
        "confirm_remove": _l("Remove this row? Questions and comments on it are kept but shown apart."),
    }

    # --- input ----------------------------------------------------------------------------
    def input_model(self, config: AlternativesConfig) -> type[Schema]:
        return Flag

    def prepare(self, config: AlternativesConfig, payload: Any, ctx: Context) -> Entry:
        data = parse(Flag, payload).model_dump()
        comment = clean_paragraphs(data["comment"])
        rows = _comparison(ctx.analysis())
        if data["row"] >= len(rows):
            raise InputError(
                "unknown_row", gettext("That row does not exist."), {"row": gettext("That row does not exist.")}
            )
        if comment and not config.allow_comments:
            raise InputError(
                "invalid", gettext("Comments are turned off."), {"comment": gettext("Comments are turned off.")}
            )
        aspect = rows[data["row"]]["aspect"]
        stored = {"row": data["row"], "aspect": aspect, "flag": data["flag"], "comment": comment}
        # One current flag per participant and row: earlier bare flags for this row step back.
        earlier = [
            r.id for r in ctx.mine if not (r.data or {}).get("comment") and row_for(rows, r.data or {}) == data["row"]
        ]
        limit = None
        if comment:
            limit = Limit(
                config.max_comments,
                ngettext(
                    "You have already written %(n)s comment, the most allowed here.",
                    "You have already written %(n)s comments, the most allowed here.",
                    config.max_comments,
                    n=config.max_comments,
                ),
                counts=lambda r: r.id if (r.data or {}).get("comment") else None,
            )
        return Entry(stored, supersedes=earlier, limit=limit)

    # --- results --------------------------------------------------------------------------
    def phone_content(self, act: Any, config: AlternativesConfig, draft: Any = None) -> dict[str, Any]:
        analysis = analysis_of(draft)
        out: dict[str, Any] = {
            "a": analysis.alternative_a if analysis else "",
            "b": analysis.alternative_b if analysis else "",
            "rows": _comparison(analysis),
            "allow_comments": bool(config.allow_comments),
            "max_comments": config.max_comments,
        }
        if config.show_frame:
            out["frame"] = frame_of(analysis)
        return out

    def aggregate(self, config: AlternativesConfig, rows: list[Row]) -> dict[str, Any]:
        return self._aggregate(config, None, rows, rows)

    def aggregate_for(self, act: Any, config: AlternativesConfig, rows: list[Row], draft: Any = None) -> dict[str, Any]:
        from ..responses import load_rows

        # Flags count whatever happened to a comment; hidden comments are not shown.
        return self._aggregate(config, analysis_of(draft), rows, load_rows(act, include_hidden=True))

    def _aggregate(
        self, config: AlternativesConfig, analysis: Any, visible: list[Row], every: list[Row]
    ) -> dict[str, Any]:
        table = _comparison(analysis)
        latest: dict[tuple[int, int], Row] = {}
        for r in every:
            index = row_for(table, r.data)
            if index is None:
                continue
            key = (r.participant_id, index)
            if key not in latest or r.id > latest[key].id:
                latest[key] = r
        flags = [0] * len(table)
        for (_pid, index), r in latest.items():
            if r.data.get("flag") is True:
                flags[index] += 1
        comments: list[list[dict[str, Any]]] = [[] for _ in table]
        orphans = 0
        for r in sorted(visible, key=lambda r: -r.id):
            text = r.data.get("comment") or ""
            if not text:
                continue
            index = row_for(table, r.data)
            if index is None:
                orphans += 1
                continue
            comments[index].append({"id": r.id, "text": text})
        return {
            "has_analysis": analysis is not None,
            "a": analysis.alternative_a if analysis else "",
            "b": analysis.alternative_b if analysis else "",
            "rows": [
                {
                    **row,
                    "index": i,
                    "flags": flags[i],
                    "comment_count": len(comments[i]),
                    "comments": comments[i][:COMMENTS_SHOWN],
                }
                for i, row in enumerate(table)
            ],
            "frame": frame_of(analysis),
            "facts": facts_of(analysis),
            "gaps": frame_gaps(analysis) if analysis is not None else [],
            "flagged_rows": sum(1 for n in flags if n),
            "questioners": len({pid for (pid, _i), r in latest.items() if r.data.get("flag") is True}),
            "orphan_comments": orphans,
        }

    def console_items(self, config: AlternativesConfig, rows: list[Row]) -> list[dict[str, Any]]:
        """Every comment, newest first, for moderation; the console places them on their rows."""
        items = []
        for r in sorted(rows, key=lambda r: -r.id):
            if r.status == "deleted" or not r.data.get("comment"):
                continue
            items.append(
                {
                    "id": r.id,
                    "text": r.data["comment"],
                    "row": r.data.get("row"),
                    "aspect": r.data.get("aspect", ""),
                    "flag": bool(r.data.get("flag")),
                    "status": r.status,
                    "nickname": r.nickname,
                    "perspective": r.perspective,
                }
            )
        return items

    # --- CSV ------------------------------------------------------------------------------
    def csv_header(self, config: AlternativesConfig) -> list[str]:
        return ["row", "aspect", "flag", "comment"]

    def csv_cells(self, config: AlternativesConfig, row: Row) -> list[Any]:
        d = row.data
        return [d.get("row", ""), d.get("aspect", ""), "yes" if d.get("flag") else "no", d.get("comment", "")]


KIND = Alternatives()
