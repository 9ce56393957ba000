"""Step 6 Formulera frågor: break each money-valued item into questions and a formula.

Every item valued in money (``valuation == "money"``, category Finansiell or Omfördelning)
gets a calculation block: rows are the questions ("Hur många…?", "Hur lång tid…?",
"Vad kostar…?") with their units, and a formula over the row names and the shared factors
(``analysis.factors``, e.g. ``sjukskoterska`` = 453 kr/h) gives the yearly value.

Phones suggest questions for an item: ``{"node", "text" (≤ 200), "unit" (≤ 30)}``. Stored rows
(``answer_mode = "custom"``, appended up to ``max_suggestions`` per participant):
``data = {"node", "title", "text", "unit"}``, ``ref_id`` = the node. The facilitator adds a
suggestion to the block as a row from the console (draft op ``row.add`` with the name
``suggest_name`` proposes) and marks it ``answered`` (= added); the block's formula is edited
with ``block.set``, whose parser errors the console shows.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Annotated, Any

from flask_babel import gettext, ngettext
from pydantic import Field, StringConstraints

from ..draft.models import MONEY_CATEGORIES, Node
from ._draft import analysis_of, item_of, live_items
from ._text import clean_line, clean_part
from .base import ActivityKind, ConfigField, Context, Entry, InputError, Limit, Row, Schema, _l, _pl, normalise_text

TEXT_MAX = 200
UNIT_MAX = 30
NAME_MAX = 40

# --- a row name from a question -----------------------------------------------------------

# Words that carry no meaning in a variable name (checked before å/ä/ö are folded, so "år"
# stays while "är" goes).
STOPWORDS = frozenset(
    """hur vad vilken vilket vilka många mycket lång långt länge kostar kosta kostade är var tar tog en ett det den de
    som att i på av för med till om per och eller man vi ni du dom görs gör gjorde finns fanns har hade blir kan ska
    skulle varje vid från hos alla totalt sig sin sitt sina oss er deras vår våra er ert era""".split()
)
LEADS = (
    (("hur", "många"), "antal"),
    (("hur", "lång", "tid"), "tid"),
    (("hur", "länge"), "tid"),
    (("vad", "kostar"), "kostnad"),
    (("vad", "kostade"), "kostnad"),
    (("hur", "ofta"), "ganger"),
)


def fold(text: str) -> str:
    """Lowercase ASCII: "Besök på året" -> "besok pa aret"."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).encode("ascii", "ignore").decode()


def suggest_name(text: str, taken: Iterable[str] = (), max_words: int = 3) -> str:
    """A formula name for a question: lowercase ASCII snake_case, unique among ``taken``.

    "Hur många besök görs per år?" -> "antal_besok_ar"; "Hur lång tid tar ett besök?" ->
    "tid_besok"; "Vad kostar en licens per månad?" -> "kostnad_licens_manad"."""
    words = re.findall(r"[^\W_]+", text.lower())
    prefix = ""
    for lead, name in LEADS:
        if tuple(words[: len(lead)]) == lead:
            prefix = name
            words = words[len(lead) :]
            break
    content = []
    for w in words:
        f = fold(w)
        if w in STOPWORDS or not f or f == prefix or f in content:
            continue
        content.append(f)
        if len(content) >= max_words:
            break
    parts = ([prefix] if prefix else []) + content
    base = "_".join(parts)[:NAME_MAX].strip("_") or "rad"
    if not base[0].isalpha():
        base = "v_" + base
    base = base[:NAME_MAX]
    taken_set = set(taken)
    if base not in taken_set:
        return base
    n = 2
    while f"{base}_{n}" in taken_set:
        n += 1
    return f"{base}_{n}"


# --- the formula, readable ----------------------------------------------------------------

_TOKEN = re.compile(
    r"\s*(?:(?P<num>(?:\d+(?:[ \u00a0\u202f\u2009]\d{3})*(?:\.\d+)?|\.\d+))"
    r"|(?P<name>[A-Za-z_åäöÅÄÖ][A-Za-z0-9_åäöÅÄÖ]*)"
    r"|(?P<op>[-+*/×·⋅÷−–])|(?P<paren>[()])|(?P<sep>[,;]))"
)
_OP_SHOWN = {"*": "×", "·": "×", "⋅": "×", "×": "×", "/": "÷", "÷": "÷", "-": "−", "−": "−", "–": "−", "+": "+"}
FUNCTIONS = ("min", "max", "round")


def formula_tokens(formula: str, names: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The formula as tokens for display: names carry their label, unit and kind (row/factor).

    ``names``: name -> {"label", "unit", "kind", "value"?}. A formula that does not tokenise
    (it should not happen: the draft service parses every saved formula) comes back as one
    text token."""
    out: list[dict[str, Any]] = []
    pos, text = 0, formula or ""
    while pos < len(text):
        if not text[pos:].strip():
            break
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            return [{"t": "text", "v": text}]
        pos = m.end()
        if m.group("num") is not None:
            out.append({"t": "num", "v": m.group("num")})
        elif m.group("name") is not None:
            name = m.group("name")
            if name.lower() in FUNCTIONS and text[pos:].lstrip().startswith("("):
                out.append({"t": "func", "v": name.lower()})
            else:
                info = names.get(name) or {}
                tok = {
                    "t": "name",
                    "v": name,
                    "label": info.get("label") or "",
                    "unit": info.get("unit") or "",
                    "kind": info.get("kind", "unknown"),
                }
                if info.get("kind") == "factor":
                    tok["value"] = info.get("value")
                out.append(tok)
        elif m.group("op") is not None:
            out.append({"t": "op", "v": _OP_SHOWN.get(m.group("op"), m.group("op"))})
        elif m.group("paren") is not None:
            out.append({"t": "paren", "v": m.group("paren")})
        else:
            out.append({"t": "sep", "v": ","})
    return out


def readable_formula(formula: str, names: dict[str, dict[str, Any]]) -> str:
    """ "antal * minuter / 60 * sjukskoterska" -> "[Antal besök] × [Minuter per besök] ÷ 60 × [Sjuksköterska]"."""
    parts: list[str] = []
    for tok in formula_tokens(formula, names):
        if tok["t"] == "name":
            parts.append(f"[{tok['label']}]" if tok["label"] else tok["v"])
        elif tok["t"] in ("op",):
            parts.append(f" {tok['v']} ")
        elif tok["t"] == "sep":
            parts.append(", ")
        else:
            parts.append(tok["v"])
    return "".join(parts).replace("( ", "(").strip()


# --- the kind ------------------------------------------------------------------------------


class QuestionsConfig(Schema):
    include_benefits: bool = True
    include_costs: bool = True
    max_suggestions: int = Field(default=10, ge=1, le=50)


class Suggestion(Schema):
    node: int = Field(ge=1)
    text: Annotated[str, StringConstraints(min_length=1, max_length=TEXT_MAX)]
    unit: Annotated[str, StringConstraints(max_length=UNIT_MAX)] = ""


def item_types(config: QuestionsConfig) -> tuple[str, ...]:
    types: tuple[str, ...] = ()
    if config.include_benefits:
        types += ("nytta",)
    if config.include_costs:
        types += ("konsekvenskostnad", "genomforandekostnad")
    return types


def money_items(analysis: Any, config: QuestionsConfig) -> list[Node]:
    return [
        n for n in live_items(analysis, item_types(config)) if n.valuation == "money" and n.category in MONEY_CATEGORIES
    ]


def parked_costs(analysis: Any) -> list[Node]:
    """Costs of carrying out the change parked while brainstorming (step 2): candidates the
    facilitator confirms here as genomförandekostnader (category, one-off or recurring) or sends
    back. They are not counted until confirmed."""
    if analysis is None:
        return []
    return [n for n in analysis.nodes if n.status == "parked" and not n.merged_into_id]


def factor_names(analysis: Any) -> dict[str, dict[str, Any]]:
    return {f.name: {"label": f.label, "unit": f.unit, "kind": "factor", "value": f.likely} for f in analysis.factors}


def row_names(node: Node) -> dict[str, dict[str, Any]]:
    rows = node.block.rows if node.block is not None else []
    return {r.name: {"label": r.label, "unit": r.unit, "kind": "row"} for r in rows}


class Questions(ActivityKind):
    key = "questions"
    # The method's step this kind carries out (the editor lists the steps in order).
    step = 6
    label = _l("Step 6: Formulera frågor")
    description = _l(
        "Break each nytta and kostnad valued in money into questions (Hur många…? Hur lång tid…? Vad kostar…?). "
        "Phones suggest questions; you add them as rows of the calculation block and write the formula."
    )
    default_title = _l("Formulera frågor")
    answer_mode = "custom"
    results_hidden_default = False
    phone_results = "never"
    uses_draft = True
    Config = QuestionsConfig
    config_fields = [
        ConfigField("include_benefits", _l("Include nyttor valued in money"), "bool"),
        ConfigField("include_costs", _l("Include kostnader valued in money"), "bool"),
        ConfigField("max_suggestions", _l("Questions each participant may suggest"), "int", min=1, max=50),
    ]
    js_strings = {
        "no_items": _l("No nytta or kostnad is valued in money yet. Sort them first (step 4)."),
        "no_analysis": _l("The workshop has no draft analysis yet."),
        "questions": _l("Questions"),
        "no_questions": _l("No questions yet."),
        "suggest": _l("Suggest a question"),
        "question": _l("Question"),
        "question_help": _l(
            "For example: Hur många besök görs per år? Hur lång tid tar ett besök? Vad kostar en licens?"
        ),
        "unit": _l("Unit"),
        "unit_help": _l("For example: st/år, minuter, kr, kr/timme, mil"),
        "send": _l("Suggest"),
        "sent": _l("Your question is sent."),
        "starters": _l("Start with"),
        "s_many": _l("Hur många "),
        "s_time": _l("Hur lång tid tar "),
        "s_cost": _l("Vad kostar "),
        "s_often": _l("Hur ofta "),
        "empty": _l("Write your question first."),
        "duplicate": _l("That question is already there."),
        "left": _l("You can suggest %(n)s more."),
        "limit": _l("You have suggested as many questions as allowed here."),
        "yours": _l("Your suggestion"),
        "suggested": _l("suggested"),
        "in_block": _l("In the calculation block"),
        "suggestions": _l("Suggestions"),
        "no_suggestions": _l("No suggestions yet."),
        "add_row": _l("Add as row"),
        "n_added": _l("Added as rows: %(n)s"),
        "no_new_suggestions": _l("No new suggestions."),
        "hide": _l("Hide"),
        "name": _l("Name in the formula"),
        "label": _l("Question"),
        "add": _l("Add"),
        "rows": _l("Rows (questions)"),
        "new_row": _l("New row"),
        "delete": _l("Delete"),
        "save": _l("Save"),
        "formula": _l("Formula for the yearly value (kr)"),
        "formula_heading": _l("Calculation"),
        "hours_formula": _l("Hours per year (for Omfördelning, optional)"),
        "save_formula": _l("Save formula"),
        "formula_saved": _l("Formula saved."),
        "row_saved": _l("Row saved."),
        "names": _l("Available names (click to insert)"),
        "names_rows": _l("Rows"),
        "names_factors": _l("Delade faktorer"),
        "templates": _l("Typical formulas"),
        "t_time": _l("Time freed"),
        "t_training": _l("Training"),
        "t_expenses": _l("Expenses"),
        "t_licences": _l("Licences per month"),
        "t_travel": _l("Travel"),
        "no_formula": _l("No formula yet"),
        "yearly_value": _l("Yearly value ="),
        "summary_items": _pl("%(n)s item valued in money", "%(n)s items valued in money"),
        "summary_rows": _pl("%(n)s question", "%(n)s questions"),
        "summary_formulas": _l("%(n)s with a formula"),
        "summary_suggestions": _pl("%(n)s new suggestion", "%(n)s new suggestions"),
        "n_suggestions": _pl("%(n)s new", "%(n)s new"),
        "n_rows": _l("Questions: %(n)s"),
        "has_formula": _l("formula ✓"),
        "pick_item": _l("Items valued in money"),
        "insert_template": _l("Insert template"),
        "cat_finansiell": _l("Finansiell"),
        "cat_omfordelning": _l("Omfördelning"),
        "type_nytta": _l("Nytta"),
        "type_konsekvenskostnad": _l("Konsekvenskostnad"),
        "type_genomforandekostnad": _l("Genomförandekostnad"),
        "parked_heading": _l("Parked in step 2: costs of carrying out the change"),
        "parked_help": _l(
            "Raised while the room brainstormed effects. Confirm each as a genomförandekostnad valued in money "
            "(it then gets a calculation block here), or send it back to the effects."
        ),
        "category": _l("Category"),
        "cost_kind": _l("Paid"),
        "one_off": _l("One-off"),
        "running": _l("Recurring"),
        "confirm": _l("Confirm as genomförandekostnad"),
        "confirm_label": _l("Confirm as genomförandekostnad: %(text)s"),
        "send_back": _l("Back to the effects"),
    }

    def validate_config(self, payload: Any) -> dict[str, Any]:
        cfg = super().validate_config(payload)
        if not (cfg["include_benefits"] or cfg["include_costs"]):
            message = gettext("Include at least one kind of item.")
            raise InputError("invalid", message, {"include_benefits": message})
        return cfg

    # --- input ----------------------------------------------------------------------------
    def input_model(self, config: QuestionsConfig) -> type[Schema]:
        return Suggestion

    def check_input(self, config: QuestionsConfig, data: dict[str, Any]) -> dict[str, Any]:
        text, unit = clean_line(data["text"]), clean_part(data.get("unit") or "", "unit")
        if not text:
            message = gettext("This field cannot be empty.")
            raise InputError("invalid", message, {"text": message})
        return {"node": data["node"], "text": text, "unit": unit}

    def prepare(self, config: QuestionsConfig, payload: Any, ctx: Context) -> Entry:
        data = self.validate_input(config, payload)
        analysis = ctx.analysis()
        items = money_items(analysis, config)
        node = item_of(analysis, data["node"], item_types(config))
        if node not in items:
            message = gettext("Only items valued in money (Finansiell or Omfördelning) get questions.")
            raise InputError("not_money", message, {"node": message})
        key = normalise_text(data["text"])
        existing = {normalise_text(r.label) for r in (node.block.rows if node.block else [])}
        existing |= {normalise_text((r.data or {}).get("text", "")) for r in ctx.current_about(node.id)}
        if key in existing:
            message = gettext("That question is already there.")
            raise InputError("duplicate", message, {"text": message})
        return Entry(
            {**data, "title": node.title},
            ref_id=node.id,
            limit=Limit(
                config.max_suggestions,
                ngettext(
                    "You have already suggested %(n)s question, the most allowed here.",
                    "You have already suggested %(n)s questions, the most allowed here.",
                    config.max_suggestions,
                    n=config.max_suggestions,
                ),
            ),
        )

    # --- results --------------------------------------------------------------------------
    def phone_content(self, act: Any, config: QuestionsConfig, draft: Any = None) -> dict[str, Any]:
        from ..responses import load_rows

        analysis = analysis_of(draft)
        items = money_items(analysis, config)
        per_item: dict[int, list[Row]] = {}
        ids = {n.id for n in items}
        for r in load_rows(act):
            if r.ref_id in ids and not r.answered:
                per_item.setdefault(r.ref_id, []).append(r)
        return {
            "items": [
                {
                    "id": n.id,
                    "title": n.title,
                    "type": n.node_type,
                    "category": n.category,
                    "rows": [{"label": r.label or r.name, "unit": r.unit} for r in (n.block.rows if n.block else [])],
                    "suggestions": [
                        {"text": r.data.get("text", ""), "unit": r.data.get("unit", "")} for r in per_item.get(n.id, [])
                    ],
                }
                for n in items
            ],
        }

    def aggregate(self, config: QuestionsConfig, rows: list[Row]) -> dict[str, Any]:
        return {
            "ready": False,
            "parked": [],
            "items": [],
            "factors": [],
            "summary": {"items": 0, "rows": 0, "formulas": 0, "suggestions": 0},
        }

    def aggregate_for(self, act: Any, config: QuestionsConfig, rows: list[Row], draft: Any = None) -> dict[str, Any]:
        analysis = analysis_of(draft)
        if analysis is None:
            return self.aggregate(config, rows)
        items = money_items(analysis, config)
        factors = factor_names(analysis)
        ids = {n.id for n in items}
        by_item: dict[int, list[Row]] = {}
        for r in sorted(rows, key=lambda r: r.id):
            if r.ref_id in ids:
                by_item.setdefault(r.ref_id, []).append(r)
        out: list[dict[str, Any]] = []
        for n in items:
            names = {**factors, **row_names(n)}
            block = n.block
            taken = set(names)
            suggestions = []
            for r in by_item.get(n.id, []):
                text = r.data.get("text", "")
                name = suggest_name(text, taken)
                if not r.answered:
                    taken.add(name)
                suggestions.append(
                    {"id": r.id, "text": text, "unit": r.data.get("unit", ""), "added": bool(r.answered), "name": name}
                )
            formula = block.formula if block else ""
            hours = block.hours_formula if block else ""
            out.append(
                {
                    "id": n.id,
                    "title": n.title,
                    "type": n.node_type,
                    "category": n.category,
                    "rows": [
                        {"id": r.id, "name": r.name, "label": r.label, "unit": r.unit}
                        for r in (block.rows if block else [])
                    ],
                    "formula": formula,
                    "hours_formula": hours,
                    "formula_tokens": formula_tokens(formula, names),
                    "hours_tokens": formula_tokens(hours, names),
                    "readable": readable_formula(formula, names),
                    "suggestions": suggestions,
                }
            )
        return {
            "ready": True,
            "parked": [{"id": n.id, "title": n.title, "cause": n.cause} for n in parked_costs(analysis)],
            "items": out,
            "factors": [
                {"name": f.name, "label": f.label, "unit": f.unit, "value": f.likely} for f in analysis.factors
            ],
            "summary": {
                "items": len(out),
                "rows": sum(len(i["rows"]) for i in out),
                "formulas": sum(1 for i in out if i["formula"]),
                "suggestions": sum(1 for i in out for s in i["suggestions"] if not s["added"]),
            },
        }

    # --- CSV ------------------------------------------------------------------------------
    def csv_header(self, config: QuestionsConfig) -> list[str]:
        return ["node", "title", "text", "unit", "added"]

    def csv_cells(self, config: QuestionsConfig, row: Row) -> list[Any]:
        d = row.data or {}
        return [
            d.get("node", ""),
            d.get("title", ""),
            d.get("text", ""),
            d.get("unit", ""),
            "yes" if row.answered else "no",
        ]


KIND = Questions()
