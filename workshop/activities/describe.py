"""Step 5 Beskriv: the room describes each benefit with the method's sentence pattern.

    **Rubrik på nyttan.** Genom att ___ händer ___ och ___ leder till att ___.

A phone fills the pattern for one item (``{"node", "rubrik", "genom_att", "hander", "och",
"leder_till", "refs"}``; each part at most 300 characters, the rubrik and at least one more
part required) and may refer to other items ("se även …") instead of repeating them.

Stored rows (``answer_mode = "custom"``): ``data = {"node", "title", "rubrik", "genom_att",
"hander", "och", "leder_till", "refs"}`` with ``ref_id`` = the node. One current draft per
participant and item: a new draft for the same item replaces the participant's earlier one.
Drafts from several people stand side by side in the console; the facilitator picks one,
edits it and saves it to the draft analysis (``node.update`` with ``pattern`` and
``description``). ``assemble`` builds the sentence; the report uses it too and
``static/js/kinds/describe.js`` mirrors it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any

from flask_babel import gettext
from pydantic import Field, StringConstraints

from ._draft import about, analysis_of, item_error, item_of, latest_per_item, live_items
from ._text import clean_part
from .base import ActivityKind, ConfigField, Context, Entry, InputError, Row, Schema, _l, _pl

PART_MAX = 300
MAX_REFS = 10
PARTS = ("rubrik", "genom_att", "hander", "och", "leder_till")
# Items a description may refer to ("se även"): every benefit and cost.
REFERABLE_TYPES = ("nytta", "konsekvenskostnad", "genomforandekostnad")
LATEST_DRAFTS = 12


# --- the sentence (mirrored in describe.js: keep the two in step) -------------------------


def _part(value: Any) -> str:
    """One filled-in gap: one line, no trailing full stop (the pattern adds its own)."""
    text = " ".join(str(value or "").split())
    while text.endswith("."):
        text = text[:-1].rstrip()
    return text


def heading(pattern: dict[str, Any]) -> str:
    """The rubrik with its full stop: "Färre resor." (kept as is when it ends in ! ? or …)."""
    text = " ".join(str(pattern.get("rubrik") or "").split())
    if text.endswith(("!", "?", "…")):
        return text
    text = _part(text)
    return text + "." if text else ""


def sentence(pattern: dict[str, Any]) -> str:
    """The sentence after the rubrik: "Genom att A händer B och C leder till att D."

    Empty gaps are left out so the rest still reads as Swedish: without the "och" part it
    becomes "Genom att A händer B, vilket leder till att D."; without "Genom att" it starts
    "Det händer B …"."""
    g, h, o, lt = (_part(pattern.get(k)) for k in ("genom_att", "hander", "och", "leder_till"))
    effects = [e for e in (h, o) if e]
    text = ""
    if effects:
        text = f"Genom att {g} händer {effects[0]}" if g else f"Det händer {effects[0]}"
        if len(effects) == 2:
            text += f" och {effects[1]}"
            if lt:
                text += f" leder till att {lt}"
        elif lt:
            text += f", vilket leder till att {lt}"
    elif g and lt:
        text = f"Genom att {g} leder det till att {lt}"
    elif g:
        text = f"Genom att {g}"
    elif lt:
        text = f"Det leder till att {lt}"
    return text + "." if text else ""


def see_also(titles: Iterable[str]) -> str:
    names = [" ".join(str(t).split()) for t in titles if str(t or "").strip()]
    return f"Se även: {', '.join(names)}." if names else ""


def assemble(pattern: dict[str, Any], refs: Iterable[str] = (), bold: bool = False) -> str:
    """The whole description: "Rubrik. Genom att … leder till att …. Se även: X, Y."

    ``refs`` are the titles of the items referred to; ``bold`` marks the rubrik as
    **Markdown** bold (for the report)."""
    head = heading(pattern)
    if bold and head:
        head = f"**{head}**"
    return " ".join(p for p in (head, sentence(pattern), see_also(refs)) if p)


# --- the kind ------------------------------------------------------------------------------


class DescribeConfig(Schema):
    include_costs: bool = False


Part = Annotated[str, StringConstraints(max_length=PART_MAX)]


class Draft(Schema):
    node: int = Field(ge=1)
    rubrik: Annotated[str, StringConstraints(min_length=1, max_length=PART_MAX)]
    genom_att: Part = ""
    hander: Part = ""
    och: Part = ""
    leder_till: Part = ""
    refs: list[Annotated[int, Field(ge=1)]] = Field(default_factory=list, max_length=MAX_REFS)


def item_types(config: DescribeConfig) -> tuple[str, ...]:
    return ("nytta", "konsekvenskostnad", "genomforandekostnad") if config.include_costs else ("nytta",)


def pattern_of(data: dict[str, Any]) -> dict[str, str]:
    return {k: data.get(k) or "" for k in PARTS}


class Describe(ActivityKind):
    key = "describe"
    # The method's step this kind carries out (the editor lists the steps in order).
    step = 5
    label = _l("Step 5: Beskriv")
    description = _l(
        "Everyone describes the nyttor with the sentence pattern “Rubrik. Genom att … händer … och … leder till att …”. "
        "You pick the best draft per item, edit it and save it in the analysis."
    )
    default_title = _l("Beskriv nyttorna")
    answer_mode = "custom"
    results_hidden_default = False
    phone_results = "never"
    uses_draft = True
    Config = DescribeConfig
    config_fields = [
        ConfigField(
            "include_costs",
            _l("Describe the kostnader too"),
            "bool",
            help=_l("Konsekvenskostnader and genomförandekostnader are described with the same pattern."),
        ),
    ]
    js_strings = {
        "w_rubrik": _l("Rubrik på nyttan"),
        "w_genom_att": _l("Genom att"),
        "w_hander": _l("händer"),
        "w_och": _l("och"),
        "w_leder_till": _l("leder till att"),
        "h_rubrik": _l("A short heading for the nytta."),
        "h_genom_att": _l("the change, or the parts of it that matter here"),
        "h_hander": _l("an effect"),
        "h_och": _l("another effect (optional)"),
        "h_leder_till": _l("the nytta"),
        "pattern_help": _l("Fill in the gaps in plain language. The heading and at least one more part are needed."),
        "preview": _l("Preview"),
        "preview_empty": _l("Your sentence appears here as you write."),
        "refs": _l("See also (instead of repeating)"),
        "refs_help": _l("Tick other items this one builds on."),
        "pick_item": _l("Choose an item to describe"),
        "items": _l("Items"),
        "send": _l("Send the description"),
        "update": _l("Send a new version"),
        "sent": _l("Your description is sent. You can describe another item."),
        "need_more": _l("Write the heading and at least one more part."),
        "too_long": _pl("Too long: at most %(n)s character.", "Too long: at most %(n)s characters."),
        "described_by_you": _l("You have sent a description"),
        "chosen": _l("Chosen description"),
        "no_items": _l("There are no nyttor to describe yet."),
        "drafts": _l("Drafts"),
        "n_drafts": _l("Drafts: %(n)s"),
        "no_drafts": _l("No drafts yet."),
        "use": _l("Use this draft"),
        "editor": _l("Description to save"),
        "save": _l("Save in the analysis"),
        "saved": _l("Saved in the analysis."),
        "hide": _l("Hide draft"),
        "by": _l("by %(name)s"),
        "anonymous": _l("anonymous"),
        "not_described": _l("Not described yet"),
        "described": _l("Described"),
        "summary_described": _pl("%(described)s of %(n)s described", "%(described)s of %(n)s described"),
        "summary_drafts": _pl("%(n)s draft", "%(n)s drafts"),
        "latest_drafts": _l("Latest drafts"),
        "draft_count": _l("Draft · %(n)s in all"),
        "no_analysis": _l("The workshop has no draft analysis yet."),
        "back": _l("All items"),
        "unsaved": _l("Unsaved changes"),
        "type_nytta": _l("Nytta"),
        "type_konsekvenskostnad": _l("Konsekvenskostnad"),
        "type_genomforandekostnad": _l("Genomförandekostnad"),
    }

    # --- input ----------------------------------------------------------------------------
    def input_model(self, config: DescribeConfig) -> type[Schema]:
        return Draft

    def check_input(self, config: DescribeConfig, data: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {"node": data["node"]}
        for key in PARTS:
            out[key] = clean_part(data.get(key) or "", key)
        if not out["rubrik"]:
            message = gettext("This field cannot be empty.")
            raise InputError("invalid", message, {"rubrik": message})
        if not any(out[k] for k in PARTS[1:]):
            message = gettext("Write the heading and at least one more part of the sentence.")
            raise InputError("invalid", message, {"genom_att": message})
        refs: list[int] = []
        for r in data.get("refs") or []:
            if r != data["node"] and r not in refs:
                refs.append(r)
        out["refs"] = refs
        return out

    def prepare(self, config: DescribeConfig, payload: Any, ctx: Context) -> Entry:
        data = self.validate_input(config, payload)
        analysis = ctx.analysis()
        node = item_of(analysis, data["node"], item_types(config))
        referable = {n.id for n in live_items(analysis, REFERABLE_TYPES)}
        if any(r not in referable for r in data["refs"]):
            raise item_error("refs")
        # The phone's latest draft per item is its draft: the earlier one steps back.
        return Entry({**data, "title": node.title}, ref_id=node.id, supersedes=about(ctx.mine, node.id))

    # --- results --------------------------------------------------------------------------
    def phone_content(self, act: Any, config: DescribeConfig, draft: Any = None) -> dict[str, Any]:
        analysis = analysis_of(draft)
        return {
            "items": [
                {
                    "id": n.id,
                    "title": n.title,
                    "type": n.node_type,
                    "description": n.description or "",
                    "pattern": n.pattern or {},
                }
                for n in live_items(analysis, item_types(config))
            ],
            "referable": [
                {"id": n.id, "title": n.title, "type": n.node_type} for n in live_items(analysis, REFERABLE_TYPES)
            ],
        }

    def aggregate(self, config: DescribeConfig, rows: list[Row]) -> dict[str, Any]:
        return {"ready": False, "items": [], "summary": {"items": 0, "described": 0, "drafts": 0}}

    def aggregate_for(self, act: Any, config: DescribeConfig, rows: list[Row], draft: Any = None) -> dict[str, Any]:
        analysis = analysis_of(draft)
        if analysis is None:
            return self.aggregate(config, rows)
        items = live_items(analysis, item_types(config))
        titles = {n.id: n.title for n in live_items(analysis, REFERABLE_TYPES)}
        per_item = latest_per_item(rows, analysis, {n.id for n in items})
        out = []
        for n in items:
            drafts = sorted(per_item.get(n.id, {}).values(), key=lambda r: -r.id)
            listed = []
            for r in drafts[:LATEST_DRAFTS]:
                refs = [{"id": i, "title": titles[i]} for i in r.data.get("refs") or [] if i in titles]
                pattern = pattern_of(r.data)
                listed.append(
                    {
                        "id": r.id,
                        "pattern": pattern,
                        "refs": refs,
                        "text": assemble(pattern, [x["title"] for x in refs]),
                    }
                )
            pattern = {k: v for k, v in (n.pattern or {}).items() if k in PARTS}
            out.append(
                {
                    "id": n.id,
                    "title": n.title,
                    "type": n.node_type,
                    "chosen": {"pattern": pattern, "description": n.description or ""} if pattern else None,
                    "drafts": listed,
                    "n": len(drafts),
                }
            )
        return {
            "ready": True,
            "items": out,
            "referable": [{"id": i, "title": t} for i, t in titles.items()],
            "summary": {
                "items": len(out),
                "described": sum(1 for i in out if i["chosen"]),
                "drafts": sum(i["n"] for i in out),
            },
        }

    def console_items(self, config: DescribeConfig, rows: list[Row]) -> list[dict[str, Any]]:
        """Who wrote which draft (the console only; the aggregate carries no names)."""
        return [
            {
                "id": r.id,
                "node": (r.data or {}).get("node"),
                "nickname": r.nickname,
                "perspective": r.perspective,
                "status": r.status,
            }
            for r in rows
            if r.status != "deleted"
        ]

    # --- CSV ------------------------------------------------------------------------------
    def csv_header(self, config: DescribeConfig) -> list[str]:
        return ["node", "title", *PARTS, "refs", "text"]

    def csv_cells(self, config: DescribeConfig, row: Row) -> list[Any]:
        d = row.data or {}
        return [
            d.get("node", ""),
            d.get("title", ""),
            *(d.get(k, "") for k in PARTS),
            " ".join(str(r) for r in d.get("refs") or []),
            assemble(pattern_of(d)),
        ]


KIND = Describe()
