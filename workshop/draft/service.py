"""Editing the draft analysis, with the method's rules enforced in one place.

The facilitator's draft page, the method's activities and the template loader all go
through these functions, so a rule ("only Finansiell and Omfördelning can be valued in
money", "opportunities are never counted") cannot be bypassed by one of them.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection
from typing import Any, Literal, TypeVar, overload

from flask_babel import gettext, ngettext
from sqlalchemy import func, inspect, select

from ..calculation.formula import FormulaError, is_valid_name, parse
from ..extensions import db
from ..models import Workshop
from ..responses import db_id
from ..validation import InputError, Text, check, number_value
from .models import Analysis, Block, BlockRow, Factor, Link, Node
from .vocabulary import (
    BENEFIT_TYPES,
    CATEGORIES,
    CONVENTIONS,
    COST_KINDS,
    COST_TYPES,
    MONEY_CATEGORIES,
    NO_PERSPECTIVE_TYPES,
    NODE_STATUSES,
    NODE_TYPES,
    PERSPECTIVE_KINDS,
    POLARITIES,
    SIZE_SCORES,
    UNCERTAINTY_AREAS_MAX,
    UNCERTAINTY_LEVELS,
    VALUATIONS,
)

T = TypeVar("T")

TEXT_MAX = 300
LONG_TEXT_MAX = 5000


# --- small validators ---------------------------------------------------------------------
# The draft changes one key at a time ("only the keys given change"), so each value is checked
# on its own, with the validation toolkit's types and sentences (the same a form or a phone's
# payload gets for the same mistake).


def _text(value: Any, limit: int = TEXT_MAX, required: bool = False, field: str = "title") -> str:
    """Text trimmed, at most ``limit`` characters; ``None`` is empty text."""
    return check(Text(limit, required), "" if value is None else value, field)


@overload
def _number(value: Any, field: str, allow_none: Literal[False]) -> float: ...
@overload
def _number(value: Any, field: str, allow_none: bool = True) -> float | None: ...
def _number(value: Any, field: str, allow_none: bool = True) -> float | None:
    """A figure: a JSON number or text typed the Swedish way ("1 700,5"); "" and ``None``
    are no figure, refused unless ``allow_none``."""
    return number_value(value, field, required=not allow_none)


def _choice(value: Any, allowed: tuple, field: str, allow_none: bool = True):
    """One of ``allowed`` (a vocabulary's keys); "" and ``None`` are no choice if ``allow_none``."""
    if value in (None, "") and allow_none:
        return None
    return check(Literal[allowed], value, field)


# --- the analysis -------------------------------------------------------------------------


@overload
def analysis_for(ws: Workshop, create: Literal[True] = True) -> Analysis: ...
@overload
def analysis_for(ws: Workshop, create: bool) -> Analysis | None: ...
def analysis_for(ws: Workshop, create: bool = True) -> Analysis | None:
    """The workshop's draft analysis; made on first use with the shipped factor library."""
    found = db.session.scalars(select(Analysis).where(Analysis.workshop_id == ws.id)).first()
    if found is not None or not create:
        return found
    analysis = new_analysis(ws)
    db.session.add(analysis)
    db.session.flush()
    return analysis


def analysis_to_show(ws: Workshop) -> Analysis:
    """The workshop's draft, or — while none is stored — the draft it would start as, made in
    memory and never stored: a page or a download shows a draft without writing one (a GET
    never writes); the first change to the draft stores it."""
    return analysis_for(ws, create=False) or new_analysis(ws)


def new_analysis(ws: Workshop) -> Analysis:
    """A draft as a workshop starts it: the workshop's title as the name of the change, the
    organisation's own factor library above the shipped one. Not in the session: the caller
    adds it to store it."""
    from ..library.factors import starting_factors

    analysis = _unsaved(
        Analysis, workshop_id=ws.id, name_of_change=ws.title[:300], review_key=secrets.token_urlsafe(24)
    )
    org = ws.owner.organisation if ws.owner is not None else None
    for pos, f in enumerate(starting_factors(org.id if org else None, org.name if org else "")):
        analysis.factors.append(
            _unsaved(
                Factor,
                name=f.id,
                label=f.label,
                unit=f.unit,
                likely=f.value,
                low=f.value,
                high=f.value,
                source=f.source,
                year=f.year,
                from_library=True,
                position=pos,
            )
        )
    return analysis


def _unsaved(model: type[T], **values: Any) -> T:
    """A row with its columns' defaults filled in now rather than at INSERT, so an object that
    is only shown reads as the stored one would."""
    for column in model.__table__.columns:  # type: ignore[attr-defined]
        default = column.default
        if column.key not in values and default is not None and not column.primary_key:
            values[column.key] = default.arg(None) if default.is_callable else default.arg
    return model(**values)


FRAME_TEXT = {
    "name_of_change": TEXT_MAX,
    "organisation": 200,
    "area": 200,
    "purpose": LONG_TEXT_MAX,
    "geography": 200,
    "status_text": 100,
    "version": 40,
    "contact_role": 200,
    "alternative_a": LONG_TEXT_MAX,
    "alternative_b": LONG_TEXT_MAX,
    "method_notes": LONG_TEXT_MAX,
    "valuation_notes": LONG_TEXT_MAX,
}


def update_frame(analysis: Analysis, data: Any) -> None:
    """Facts, alternatives and frame (step 1). Only the keys given change."""
    if not isinstance(data, dict):
        raise InputError("invalid", gettext("The input must be an object."))
    unknown = (
        set(data)
        - set(FRAME_TEXT)
        - {"start_year", "horizon", "discount_rate", "convention", "comparison", "perspectives", "uncertainty"}
    )
    if unknown:
        raise InputError("invalid", gettext("Unknown field."), {k: gettext("Unknown field.") for k in unknown})
    for key, limit in FRAME_TEXT.items():
        if key in data:
            setattr(analysis, key, _text(data[key], limit, field=key))
    if "start_year" in data:
        year = _number(data["start_year"], "start_year")
        if year is not None and not (1990 <= year <= 2100 and year == int(year)):
            raise InputError(
                "invalid",
                gettext("Give a year between 1990 and 2100."),
                {"start_year": gettext("Give a year between 1990 and 2100.")},
            )
        analysis.start_year = int(year) if year is not None else None
    if "horizon" in data:
        h = _number(data["horizon"], "horizon", allow_none=False)
        if not (1 <= h <= 30 and h == int(h)):
            raise InputError(
                "invalid",
                gettext("The horizon must be 1 to 30 years."),
                {"horizon": gettext("The horizon must be 1 to 30 years.")},
            )
        analysis.horizon = int(h)
    if "discount_rate" in data:
        r = _number(data["discount_rate"], "discount_rate", allow_none=False)
        if not 0 <= r <= 0.5:
            raise InputError(
                "invalid",
                gettext("The discount rate must be between 0 and 50 %."),
                {"discount_rate": gettext("The discount rate must be between 0 and 50 %.")},
            )
        analysis.discount_rate = r
    if "convention" in data:
        analysis.convention = _choice(data["convention"], CONVENTIONS, "convention", allow_none=False)
    if "comparison" in data:
        rows = data["comparison"]
        if not isinstance(rows, list) or len(rows) > 50:
            raise InputError("invalid", gettext("Must be a list."))
        analysis.comparison = [
            {
                "aspect": _text(r.get("aspect"), 200, field="aspect"),
                "a": _text(r.get("a"), 1000, field="a"),
                "b": _text(r.get("b"), 1000, field="b"),
            }
            for r in rows
            if isinstance(r, dict)
        ]
    if "perspectives" in data:
        rows = data["perspectives"]
        if not isinstance(rows, list) or len(rows) > 30:
            raise InputError("invalid", gettext("Must be a list."))
        analysis.perspectives = [
            {
                "kind": _choice(r.get("kind"), PERSPECTIVE_KINDS, "kind", allow_none=False),
                "label": _text(r.get("label"), 200, required=True, field="label"),
            }
            for r in rows
            if isinstance(r, dict)
        ]

    if "uncertainty" in data:
        rows = data["uncertainty"]
        if not isinstance(rows, list) or len(rows) > UNCERTAINTY_AREAS_MAX:
            raise InputError("invalid", gettext("Must be a list."))
        cleaned: list[dict[str, str]] = []
        for r in rows:
            if isinstance(r, dict):
                entry = uncertainty_entry(r)
                if not any(_same_area(entry["area"], e["area"]) for e in cleaned):
                    cleaned.append(entry)
        analysis.uncertainty = cleaned


UNCERTAINTY_AREA_MAX = 200


def _same_area(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def uncertainty_entry(data: dict[str, Any]) -> dict[str, str]:
    """One area of the uncertainty assessment: its name, the level (or none yet) and why."""
    return {
        "area": _text(data.get("area"), UNCERTAINTY_AREA_MAX, required=True, field="area"),
        "level": _choice(data.get("level"), UNCERTAINTY_LEVELS, "level") or "",
        "motivation": _text(data.get("motivation"), LONG_TEXT_MAX, field="motivation"),
    }


def set_uncertainty(analysis: Analysis, data: Any) -> dict[str, str]:
    """Record the room's judgement of one area (Osäkerhet): the area's entry is replaced, or
    added at the end; the other areas are untouched, so two areas saved at once both stay."""
    if not isinstance(data, dict):
        raise InputError("invalid", gettext("The input must be an object."))
    entry = uncertainty_entry(data)
    rows = [dict(r) for r in (analysis.uncertainty or [])]
    for i, r in enumerate(rows):
        if _same_area(str(r.get("area", "")), entry["area"]):
            rows[i] = entry
            break
    else:
        if len(rows) >= UNCERTAINTY_AREAS_MAX:
            message = ngettext(
                "The uncertainty assessment holds at most %(n)s area.",
                "The uncertainty assessment holds at most %(n)s areas.",
                UNCERTAINTY_AREAS_MAX,
                n=UNCERTAINTY_AREAS_MAX,
            )
            raise InputError("invalid", message, {"area": message})
        rows.append(entry)
    analysis.uncertainty = rows
    return entry


def share_perspectives(analysis: Analysis) -> None:
    """The workshop's join list becomes the frame's concrete perspective labels, so the
    perspective a phone picks when joining is one the analysis knows (steps 2 and 4 offer
    the same labels). Asking stays as the facilitator set it."""
    from ..workshops import MAX_PERSPECTIVES, PERSPECTIVE_MAX

    ws = db.session.get(Workshop, analysis.workshop_id) if analysis.workshop_id else None
    if ws is None:
        return
    labels: list[str] = []
    for p in analysis.perspectives or []:
        label = str(p.get("label") or "")[:PERSPECTIVE_MAX]
        if label and label not in labels:
            labels.append(label)
    ws.perspectives = labels[:MAX_PERSPECTIVES]


# --- nodes --------------------------------------------------------------------------------

NODE_FIELDS = (
    "node_type",
    "title",
    "description",
    "cause",
    "perspective",
    "polarity",
    "category",
    "valuation",
    "size_score",
    "cost_kind",
    "motivation",
    "pattern",
    "direct_value",
    "year_profile",
    "status",
    "position",
)
PATTERN_KEYS = ("rubrik", "genom_att", "hander", "och", "leder_till")


def _apply_rules(node: Node) -> None:
    """Bring a node in line with the method: categories, valuation, what counts."""
    counted = node.node_type in BENEFIT_TYPES + COST_TYPES
    if not counted:
        # Risks, obstacles, opportunities (and non-item nodes) have no category or valuation.
        node.category = None
        node.valuation = "none"
        node.size_score = None
        if node.node_type in NO_PERSPECTIVE_TYPES:
            node.perspective = ""
    if node.valuation == "money" and node.category not in MONEY_CATEGORIES:
        raise InputError(
            "invalid",
            gettext("Only Finansiell and Omfördelning can be valued in money."),
            {"valuation": gettext("Only Finansiell and Omfördelning can be valued in money.")},
        )
    if node.valuation != "size":
        node.size_score = None if node.valuation == "money" or not counted else node.size_score
    if node.node_type != "genomforandekostnad":
        node.cost_kind = None


def set_node_fields(node: Node, data: dict[str, Any]) -> None:
    unknown = set(data) - set(NODE_FIELDS)
    if unknown:
        raise InputError("invalid", gettext("Unknown field."), {k: gettext("Unknown field.") for k in unknown})
    if "node_type" in data:
        node.node_type = _choice(data["node_type"], NODE_TYPES, "node_type", allow_none=False)
    if "title" in data:
        node.title = _text(data["title"], required=True)
    for key in ("description", "cause", "motivation"):
        if key in data:
            setattr(node, key, _text(data[key], LONG_TEXT_MAX, field=key))
    if "perspective" in data:
        node.perspective = _text(data["perspective"], 200, field="perspective")
    if "polarity" in data:
        node.polarity = _choice(data["polarity"], POLARITIES, "polarity")
    if "category" in data:
        node.category = _choice(data["category"], CATEGORIES, "category")
    if "valuation" in data:
        node.valuation = _choice(data["valuation"], VALUATIONS, "valuation", allow_none=False)
    if "size_score" in data:
        node.size_score = _choice(data["size_score"], SIZE_SCORES, "size_score")
    if "cost_kind" in data:
        node.cost_kind = _choice(data["cost_kind"], COST_KINDS, "cost_kind")
    if "status" in data:
        node.status = _choice(data["status"], NODE_STATUSES, "status", allow_none=False)
    if "position" in data:
        node.position = int(_number(data["position"], "position", allow_none=False))
    if "pattern" in data:
        p = data["pattern"]
        if not isinstance(p, dict) or set(p) - set(PATTERN_KEYS):
            raise InputError("invalid", gettext("Unknown field."))
        node.pattern = {k: _text(p.get(k), 1000, field=k) for k in PATTERN_KEYS if p.get(k)}
    if "direct_value" in data:
        d = data["direct_value"] or {}
        if not isinstance(d, dict) or set(d) - {"low", "likely", "high", "source"}:
            raise InputError("invalid", gettext("Unknown field."))
        node.direct_value = (
            {}
            if not d
            else {
                "low": _number(d.get("low"), "low"),
                "likely": _number(d.get("likely"), "likely"),
                "high": _number(d.get("high"), "high"),
                "source": _text(d.get("source"), LONG_TEXT_MAX, field="source"),
            }
        )
    if "year_profile" in data:
        prof = data["year_profile"] or []
        if not isinstance(prof, list) or len(prof) > 30:
            raise InputError("invalid", gettext("Must be a list."), {"year_profile": gettext("Must be a list.")})
        values = [_number(v, "year_profile", allow_none=False) for v in prof]
        if any(v < 0 or v > 100 for v in values):
            raise InputError(
                "invalid",
                gettext("Year factors must be between 0 and 100."),
                {"year_profile": gettext("Year factors must be between 0 and 100.")},
            )
        node.year_profile = values
    _apply_rules(node)


def add_node(analysis: Analysis, data: dict[str, Any], source_response_id: int | None = None) -> Node:
    if not isinstance(data, dict):
        raise InputError("invalid", gettext("The input must be an object."))
    from ..caps import check_draft_room

    # Phones' items stop well before the analysis is full: the facilitator can always add.
    check_draft_room(analysis, source_response_id)
    last = db.session.scalar(select(func.max(Node.position)).where(Node.analysis_id == analysis.id))
    node = Node(
        node_type="effekt",
        title="",
        valuation="none",
        source_response_id=source_response_id,
        position=(-1 if last is None else last) + 1,
    )
    set_node_fields(node, {"node_type": "effekt", **data})
    if analysis.id is not None and "nodes" in inspect(analysis).unloaded:
        # An effect from a phone: stored without reading every item of the analysis (with
        # their blocks) into this transaction first.
        node.analysis_id = analysis.id
        db.session.add(node)
    else:
        analysis.nodes.append(node)
    db.session.flush()
    return node


def node_of(analysis: Analysis, node_id: Any) -> Node:
    node = db.session.get(Node, node_id) if db_id(node_id) is not None else None
    if node is None or node.analysis_id != analysis.id:
        raise InputError("unknown_item", gettext("That item does not exist."))
    return node


def merge_nodes(analysis: Analysis, node_id: Any, target_id: Any) -> Node:
    """Fold a duplicate into another item: its links move over, it is hidden and remembered."""
    node, target = node_of(analysis, node_id), node_of(analysis, target_id)
    final = node_of(analysis, target.merged_into_id) if target.merged_into_id else target
    if final.id == node.id:
        raise InputError("invalid", gettext("An item cannot be merged into itself."))
    # One pass over the links, whatever their number (a set, not a search per link).
    kept = [link for link in analysis.links if node.id not in (link.from_id, link.to_id)]
    pairs = {(link.from_id, link.to_id) for link in kept}
    for link in analysis.links:
        if node.id in (link.from_id, link.to_id):
            pair = (
                final.id if link.from_id == node.id else link.from_id,
                final.id if link.to_id == node.id else link.to_id,
            )
            if pair[0] != pair[1] and pair not in pairs:
                pairs.add(pair)
                kept.append(Link(from_id=pair[0], to_id=pair[1]))
    analysis.links = kept
    node.merged_into_id = final.id
    node.status = "hidden"
    for other in analysis.nodes:
        if other.merged_into_id == node.id:
            other.merged_into_id = final.id
    db.session.flush()
    return final


def delete_node(analysis: Analysis, node_id: Any) -> None:
    node = node_of(analysis, node_id)
    analysis.links = [link for link in analysis.links if node.id not in (link.from_id, link.to_id)]
    analysis.nodes.remove(node)
    db.session.flush()


# --- links --------------------------------------------------------------------------------


def _link_exists(analysis: Analysis, a: int, b: int) -> bool:
    return any(link.from_id == a and link.to_id == b for link in analysis.links)


def add_link(analysis: Analysis, from_id: Any, to_id: Any) -> Link:
    a, b = node_of(analysis, from_id), node_of(analysis, to_id)
    if a.id == b.id:
        raise InputError("invalid", gettext("An item cannot lead to itself."))
    if _link_exists(analysis, a.id, b.id):
        return next(link for link in analysis.links if link.from_id == a.id and link.to_id == b.id)
    link = Link(from_id=a.id, to_id=b.id)
    analysis.links.append(link)
    db.session.flush()
    return link


def delete_link(analysis: Analysis, from_id: Any, to_id: Any) -> None:
    a, b = node_of(analysis, from_id), node_of(analysis, to_id)
    for link in list(analysis.links):
        if link.from_id == a.id and link.to_id == b.id:
            analysis.links.remove(link)
    db.session.flush()


# --- calculation blocks --------------------------------------------------------------------


def block_for(analysis: Analysis, node_id: Any) -> Block:
    node = node_of(analysis, node_id)
    check_block_allowed(node)
    if node.block is None:
        node.block = Block(formula="", hours_formula="")
        db.session.flush()
    return node.block


def check_block_allowed(node: Node) -> None:
    if node.node_type not in BENEFIT_TYPES + COST_TYPES:
        raise InputError("invalid", gettext("Only benefits and costs have calculation blocks."))


def known_names(analysis: Analysis, block: Block) -> set[str]:
    return {r.name for r in block.rows} | {f.name for f in analysis.factors}


def check_formula(text: str, names: Collection[str], field: str = "formula") -> str:
    text = _text(text, 500, field=field)
    if not text:
        return ""
    try:
        formula = parse(text)
        formula.check_names(names)
    except FormulaError as exc:
        raise InputError("formula", _formula_message(exc), {field: _formula_message(exc)}) from None
    return text


def _formula_message(exc: FormulaError) -> str:
    code = getattr(exc, "code", "syntax")
    names = ", ".join(sorted(getattr(exc, "names", ()) or ()))
    if code == "unknown_name":
        return gettext("Unknown name in the formula: %(names)s", names=names)
    if code == "division_by_zero":
        return gettext("The formula divides by zero.")
    if code == "too_long":
        return gettext("The formula is too long.")
    if code == "too_complex":
        return gettext("The formula is nested too deeply.")
    if code == "not_allowed":
        return gettext("Only numbers, names, + − × ÷, parentheses, min, max and round are allowed.")
    # The parser's own detail is English for logs; people get the place, in their language.
    position = getattr(exc, "position", None)
    if isinstance(position, int):
        return gettext("The formula cannot be read at character %(n)s.", n=position + 1)
    return gettext("The formula cannot be read.")


def set_block(analysis: Analysis, node_id: Any, data: dict[str, Any]) -> Block:
    block = block_for(analysis, node_id)
    set_block_fields(block, data, known_names(analysis, block))
    db.session.flush()
    return block


def set_block_fields(block: Block, data: Any, names: Collection[str]) -> None:
    """Formula, hours formula and notes of a block, the formulas checked against ``names``
    (a set or a mapping: the block's rows and the analysis' factors)."""
    if not isinstance(data, dict) or set(data) - {"formula", "hours_formula", "notes"}:
        raise InputError("invalid", gettext("Unknown field."))
    if "formula" in data:
        block.formula = check_formula(data["formula"], names)
    if "hours_formula" in data:
        block.hours_formula = check_formula(data["hours_formula"], names, "hours_formula")
    if "notes" in data:
        block.notes = _text(data["notes"], LONG_TEXT_MAX, field="notes")


ROW_FIELDS = ("name", "label", "unit", "low", "likely", "high", "source", "proposal", "position")


def _set_values(obj: Any, data: dict[str, Any]) -> None:
    for key in ("low", "likely", "high", "proposal"):
        if key in data and hasattr(obj, key):
            setattr(obj, key, _number(data[key], key))
    if "label" in data:
        obj.label = _text(data["label"], TEXT_MAX, field="label")
    if "unit" in data:
        obj.unit = _text(data["unit"], 40, field="unit")
    if "source" in data:
        obj.source = _text(data["source"], LONG_TEXT_MAX, field="source")
    if "position" in data:
        obj.position = int(_number(data["position"], "position", allow_none=False))


def _check_name(name: Any, taken: set[str]) -> str:
    name = _text(name, 60, required=True, field="name")
    if not is_valid_name(name):
        msg = gettext("A name is letters, digits and _ and starts with a letter, e.g. antal_besok.")
        raise InputError("invalid", msg, {"name": msg})
    if name in taken:
        msg = gettext("The name %(name)s is already used.", name=name)
        raise InputError("invalid", msg, {"name": msg})
    return name


def add_row(analysis: Analysis, node_id: Any, data: dict[str, Any]) -> BlockRow:
    block = block_for(analysis, node_id)
    if not isinstance(data, dict) or set(data) - set(ROW_FIELDS):
        raise InputError("invalid", gettext("Unknown field."))
    if len(block.rows) >= 50:
        raise InputError(
            "invalid", ngettext("A block holds at most %(n)s row.", "A block holds at most %(n)s rows.", 50, n=50)
        )
    row = new_row(data, {r.name for r in block.rows}, max((r.position for r in block.rows), default=-1) + 1)
    block.rows.append(row)
    db.session.flush()
    return row


def new_row(data: dict[str, Any], taken: set[str], position: int) -> BlockRow:
    """A question of a block, checked, not yet in one; its name must not be in ``taken``."""
    row = BlockRow(name=_check_name(data.get("name"), taken), position=position)
    _set_values(row, {k: v for k, v in data.items() if k != "name"})
    return row


def row_of(analysis: Analysis, row_id: Any) -> BlockRow:
    row = db.session.get(BlockRow, row_id) if db_id(row_id) is not None else None
    if row is None or row.block.node.analysis_id != analysis.id:
        raise InputError("unknown_row", gettext("That question does not exist."))
    return row


def update_row(analysis: Analysis, row_id: Any, data: dict[str, Any]) -> BlockRow:
    row = row_of(analysis, row_id)
    if not isinstance(data, dict) or set(data) - set(ROW_FIELDS):
        raise InputError("invalid", gettext("Unknown field."))
    if "name" in data and data["name"] != row.name:
        old = row.name
        row.name = _check_name(data["name"], {r.name for r in row.block.rows if r.id != row.id})
        # Keep the formula working: rename the name where it stands alone.
        row.block.formula = _rename(row.block.formula, old, row.name)
        row.block.hours_formula = _rename(row.block.hours_formula, old, row.name)
    _set_values(row, {k: v for k, v in data.items() if k != "name"})
    db.session.flush()
    return row


def _rename(formula: str, old: str, new: str) -> str:
    import re

    return re.sub(rf"(?<![\wåäöÅÄÖ]){re.escape(old)}(?![\wåäöÅÄÖ])", new, formula or "")


def delete_row(analysis: Analysis, row_id: Any) -> None:
    row = row_of(analysis, row_id)
    row.block.rows.remove(row)
    db.session.flush()


# --- shared factors -----------------------------------------------------------------------


def factor_of(analysis: Analysis, factor_id: Any) -> Factor:
    f = db.session.get(Factor, factor_id) if db_id(factor_id) is not None else None
    if f is None or f.analysis_id != analysis.id:
        raise InputError("unknown_factor", gettext("That factor does not exist."))
    return f


def add_factor(analysis: Analysis, data: dict[str, Any]) -> Factor:
    f = new_factor(
        data, {x.name for x in analysis.factors}, max((x.position for x in analysis.factors), default=-1) + 1
    )
    analysis.factors.append(f)
    db.session.flush()
    return f


def new_factor(data: Any, taken: set[str], position: int) -> Factor:
    """A shared factor, checked, not yet in an analysis; its name must not be in ``taken``
    (an import builds many at once, so the caller keeps the names)."""
    if not isinstance(data, dict) or set(data) - {"name", "label", "unit", "low", "likely", "high", "source", "year"}:
        raise InputError("invalid", gettext("Unknown field."))
    f = Factor(name=_check_name(data.get("name"), taken), position=position)
    _set_values(f, data)
    if "year" in data:
        y = _number(data["year"], "year")
        f.year = int(y) if y is not None else None
    return f


def update_factor(analysis: Analysis, factor_id: Any, data: dict[str, Any]) -> Factor:
    f = factor_of(analysis, factor_id)
    if not isinstance(data, dict) or set(data) - {"label", "unit", "low", "likely", "high", "source", "year"}:
        raise InputError("invalid", gettext("Unknown field."))
    _set_values(f, data)
    if "year" in data:
        y = _number(data["year"], "year")
        f.year = int(y) if y is not None else None
    db.session.flush()
    return f


def delete_factor(analysis: Analysis, factor_id: Any) -> None:
    f = factor_of(analysis, factor_id)
    used = [
        n.title
        for n in analysis.nodes
        if n.block and f.name in (_names(n.block.formula) | _names(n.block.hours_formula))
    ]
    if used:
        raise InputError("in_use", gettext("The factor is used by: %(items)s", items=", ".join(used[:5])))
    analysis.factors.remove(f)
    db.session.flush()


def _names(text: str) -> set[str]:
    if not text:
        return set()
    try:
        return set(parse(text).names)
    except FormulaError:
        return set()
