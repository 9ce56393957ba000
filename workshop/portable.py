"""A workshop and its draft analysis as one JSON document, and back.

The same schema serves three purposes: the machine-readable export, import, and the
templates in ``workshop/template_library/`` (a template is simply an export without
participants' inputs). Nodes are referred to by local refs ("n1", "n2", …) so an export →
import → export round trip gives an identical document. Documented in ``docs/json-schema.md``.
"""

from __future__ import annotations

import gc
import json
from collections import ChainMap
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from flask_babel import gettext, ngettext
from sqlalchemy import Table, bindparam, delete, func, insert, select, update

from . import caps, checklist
from .activities import InputError, get_kind
from .calculation.factors import load_factors
from .cooperative import give_way
from .draft import service
from .draft.models import Analysis, Block, BlockRow, Factor, Link, Node
from .extensions import db
from .followup import service as followup
from .models import User, Workshop
from .workshops import add_activity, create_workshop

FORMAT = "nyttoverkstad"
SCHEMA_VERSION = 2
#: Versions an import reads: 1 had no decided versions (``analysis.versions``).
READABLE_VERSIONS = (1, 2)
LIBRARY = Path(__file__).parent / "template_library"
# Languages a library template gives its texts in (``{"sv": …, "en": …}``).
TEMPLATE_LANGUAGES = ("sv", "en")

FACT_KEYS = ("name_of_change", "organisation", "area", "purpose", "geography", "status_text", "version", "contact_role")
# What a document carries of a node: its fields, less the position (the order in the list says it).
NODE_KEYS = tuple(f for f in service.NODE_FIELDS if f != "position")
ROW_KEYS = ("name", "label", "unit", "low", "likely", "high", "source", "proposal")
FACTOR_KEYS = ("name", "label", "unit", "low", "likely", "high", "source", "year")


# --- export -------------------------------------------------------------------------------


def export_document(ws: Workshop, kind: str = "analysis") -> dict[str, Any]:
    analysis = service.analysis_for(ws, create=False)
    doc: dict[str, Any] = {
        "format": FORMAT,
        "schema_version": SCHEMA_VERSION,
        "kind": kind,
        "workshop": {
            "title": ws.title,
            "language": ws.language,
            "mode": ws.mode,
            "ask_nickname": ws.ask_nickname,
            "ask_perspective": ws.ask_perspective,
            "perspectives": list(ws.perspectives or []),
            "checklist": list(ws.checklist or []),
            "activities": [
                {
                    "kind": a.kind,
                    "title": a.title,
                    "config": a.config,
                    "results_hidden": a.results_hidden,
                    "timer_seconds": a.timer_seconds,
                }
                for a in ws.activities
            ],
        },
        "analysis": export_analysis(analysis) if analysis is not None else None,
    }
    return doc


def export_analysis(a: Analysis) -> dict[str, Any]:
    refs = {n.id: f"n{i + 1}" for i, n in enumerate(a.nodes)}
    nodes = []
    for n in a.nodes:
        entry: dict[str, Any] = {"ref": refs[n.id]}
        for key in NODE_KEYS:
            entry[key] = getattr(n, key)
        entry["merged_into"] = refs.get(n.merged_into_id) if n.merged_into_id else None
        entry["block"] = None
        if n.block is not None:
            entry["block"] = {
                "formula": n.block.formula,
                "hours_formula": n.block.hours_formula,
                "notes": n.block.notes,
                "rows": [{k: getattr(r, k) for k in ROW_KEYS} for r in n.block.rows],
            }
        nodes.append(entry)
    return {
        "facts": {k: getattr(a, k) for k in FACT_KEYS},
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
        "nodes": nodes,
        "links": sorted(
            (
                {"from": refs[link.from_id], "to": refs[link.to_id]}
                for link in a.links
                if link.from_id in refs and link.to_id in refs
            ),
            key=lambda x: (int(x["from"][1:]), int(x["to"][1:])),
        ),
        "factors": [{k: getattr(f, k) for k in FACTOR_KEYS} for f in a.factors],
        "versions": followup.export_versions(a) if a.id is not None else [],
    }


def dumps(doc: dict[str, Any]) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


# --- caps -----------------------------------------------------------------------------------

#: Caps on an imported document, in one place; docs/json-schema.md lists them with the text
#: lengths (those are the draft page's own, checked entry by entry). Each is checked on the
#: document's counts alone before anything is built, so a document over a cap costs nothing.
#: They are about ten times the largest real analyses, and keep the worst document allowed
#: within a few seconds of work that never holds the server (see ``import_document``).
LIMITS: dict[str, int] = {
    "bytes": 4 * 1024 * 1024,  # the file itself
    "activities": 100,  # = workshops.MAX_ACTIVITIES
    "workshop_perspectives": 20,  # perspectives a participant picks from when joining
    "workshop_perspective_chars": 120,
    "nodes": caps.ANALYSIS_ITEMS_MAX,  # the draft's own cap on items
    "links": 5000,
    "factors": 1000,
    "rows": 5000,  # questions in all calculation blocks together
    "rows_per_block": 50,  # = the draft's own cap per block
    "comparison": 50,  # rows of the A/B comparison table
    "perspectives": 30,  # the frame's perspectives
    "uncertainty": 30,  # areas of the uncertainty assessment (Osäkerhet)
    "year_profile": 30,  # year factors of one item (the horizon is at most 30)
    "versions": 50,  # decided versions of the analysis
    "measurements": 10000,  # in all versions together
    "plans": caps.ANALYSIS_ITEMS_MAX,  # in all versions together
}


def _what(key: str) -> str:
    return {
        "activities": gettext("activities"),
        "workshop_perspectives": gettext("perspectives to choose from when joining"),
        "nodes": gettext("items"),
        "links": gettext("links"),
        "factors": gettext("shared factors"),
        "rows": gettext("questions in calculation blocks"),
        "rows_per_block": gettext("questions in one calculation block"),
        "comparison": gettext("rows in the comparison table"),
        "perspectives": gettext("perspectives"),
        "uncertainty": gettext("areas in the uncertainty assessment"),
        "year_profile": gettext("year factors in one item"),
        "versions": gettext("decided versions"),
        "measurements": gettext("follow-up measurements"),
        "plans": gettext("follow-up plans"),
    }[key]


def _over(key: str, count: int) -> InputError:
    return _bad(
        gettext(
            "The file has too many %(what)s: %(count)s, at most %(n)s.", what=_what(key), count=count, n=LIMITS[key]
        )
    )


def check_size(n_bytes: int) -> None:
    """Refuse a file over the byte cap (before reading or parsing it)."""
    if n_bytes > LIMITS["bytes"]:
        raise _bad(gettext("The file is too large: at most %(n)s MB.", n=LIMITS["bytes"] // (1024 * 1024)))


def read_document(raw: bytes) -> Any:
    """The document in an uploaded or opened file: size checked first, then parsed."""
    check_size(len(raw))
    # Parsed JSON holds no cycles: collecting while it is built (hundreds of thousands of new
    # objects) would only walk the server's objects again and again, with everyone waiting.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise _bad(gettext("The file is not valid JSON.")) from None
    finally:
        if collecting:
            gc.enable()


def _list(value: Any) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _bad(gettext("This is not a Nyttoverkstad file."))
    return value


def _dict(value: Any) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _bad(gettext("This is not a Nyttoverkstad file."))
    return value


def check_limits(doc: Any) -> None:
    """Every collection of ``doc`` within ``LIMITS``: counts only, no entry is checked yet."""
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise _bad(gettext("This is not a Nyttoverkstad file."))
    if doc.get("schema_version") not in READABLE_VERSIONS:
        raise _bad(gettext("Unsupported file version."))
    w = doc.get("workshop")
    if not isinstance(w, dict):
        raise _bad(gettext("The file has no workshop."))
    counts = {
        "activities": len(_list(w.get("activities"))),
        "workshop_perspectives": len(_list(w.get("perspectives"))),
    }
    if any(isinstance(p, str) and len(p) > LIMITS["workshop_perspective_chars"] for p in _list(w.get("perspectives"))):
        raise _bad(
            ngettext(
                "Too long: at most %(n)s character.",
                "Too long: at most %(n)s characters.",
                LIMITS["workshop_perspective_chars"],
                n=LIMITS["workshop_perspective_chars"],
            )
        )
    a = doc.get("analysis")
    if a is not None:
        a = _dict(a)
        nodes = _list(a.get("nodes"))
        blocks = [_dict(n.get("block")) for n in nodes if isinstance(n, dict)]
        rows = [len(_list(b.get("rows"))) for b in blocks]
        counts.update(
            {
                "nodes": len(nodes),
                "links": len(_list(a.get("links"))),
                "factors": len(_list(a.get("factors"))),
                "rows": sum(rows),
                "rows_per_block": max(rows, default=0),
                "comparison": len(_list(_dict(a.get("alternatives")).get("comparison"))),
                "perspectives": len(_list(_dict(a.get("frame")).get("perspectives"))),
                "uncertainty": len(_list(a.get("uncertainty"))),
                "year_profile": max(
                    (len(_list(n.get("year_profile"))) for n in nodes if isinstance(n, dict)), default=0
                ),
                "versions": len(_list(a.get("versions"))),
                "measurements": sum(len(_list(_dict(v).get("measurements"))) for v in _list(a.get("versions"))),
                "plans": sum(len(_list(_dict(v).get("plans"))) for v in _list(a.get("versions"))),
            }
        )
    for key, count in counts.items():
        if count > LIMITS[key]:
            raise _over(key, count)


# --- import -------------------------------------------------------------------------------


def _bad(msg: str) -> InputError:
    return InputError("invalid", msg)


# An import gives way to the server's other requests between entries (``workshop.cooperative``:
# measured in time, not entries, since one entry can be a block of fifty questions); never
# inside a transaction (SQLite's one writer would hold up every other).


def import_document(owner: User, doc: Any, title: str | None = None) -> Workshop:
    """Create a new workshop (and its draft) from a document. All or nothing.

    Three stages keep a big document from holding the one server process: the caps
    (``LIMITS``) on counts alone; then every entry checked and its rows built in memory,
    giving way to other requests as it goes; only then the writes, a few statements for the
    whole analysis (nothing per entry that grows with the document)."""
    check_limits(doc)
    if isinstance(doc.get("template"), dict):
        # A template file from the library, uploaded as it is: its texts in one language.
        lang = doc["workshop"].get("language")
        lang = lang if lang in TEMPLATE_LANGUAGES else "sv"
        doc = {**doc, "workshop": {**in_language(doc["workshop"], lang), "language": lang}}
    w = doc["workshop"]
    plan = _plan_analysis(doc["analysis"]) if doc.get("analysis") is not None else None
    try:
        ws = create_workshop(
            owner,
            title or w.get("title") or "",
            language=w.get("language", "sv"),
            mode=w.get("mode", "live"),
            ask_nickname=bool(w.get("ask_nickname", True)),
            ask_perspective=bool(w.get("ask_perspective", False)),
            perspectives=[p for p in w.get("perspectives") or [] if isinstance(p, str)],
        )
        # What must be ready before the room arrives (the template's checklist, by rule key).
        ws.checklist = checklist.known(w.get("checklist")) or None
        for entry in w.get("activities") or []:
            if not isinstance(entry, dict):
                raise _bad(gettext("Invalid value."))
            get_kind(entry.get("kind", ""))
            add_activity(
                ws,
                entry["kind"],
                entry.get("title"),
                entry.get("config"),
                results_hidden=entry.get("results_hidden"),
                timer_seconds=entry.get("timer_seconds"),
            )
            give_way()  # each activity is its own transaction: others may come in between
        if plan is not None:
            analysis = plan.write(ws)
            versions = _list(doc["analysis"].get("versions"))
            if versions:
                followup.import_versions(analysis, versions)
        db.session.commit()
        return ws
    except Exception as exc:
        db.session.rollback()
        # create_workshop and add_activity commit on their own: remove what was made.
        leftover = db.session.get(Workshop, ws.id) if "ws" in locals() and ws.id else None
        if leftover is not None:
            a = service.analysis_for(leftover, create=False)
            if a is not None:
                db.session.delete(a)
            db.session.delete(leftover)
            db.session.commit()
        if isinstance(exc, InputError):
            raise
        # A value of the wrong type somewhere in the file (a number for a title, a list for
        # an object): the file is not one of ours, whatever the exact exception.
        raise _bad(gettext("This is not a Nyttoverkstad file.")) from exc


def _in_entry(label: str, exc: InputError) -> InputError:
    """Say which entry of the file a refusal is about."""
    return InputError(exc.code, f"{label}: {exc.message}", exc.fields)


@dataclass
class _AnalysisPlan:
    """A document's analysis checked and built in memory, not yet stored."""

    frame: dict[str, Any]
    factors: list[Factor] | None
    nodes: list[Node]
    merges: list[tuple[Node, str]]
    links: list[tuple[str, str]]
    refs: dict[str, Node]

    def write(self, ws: Workshop) -> Analysis:
        """Store the plan in short transactions of at most ``WRITE_CHUNK`` rows, giving way
        between them: SQLite has one writer, and a transaction held across a pause would make
        every other writer wait. A failure part way is undone by ``import_document``."""
        a = service.analysis_for(ws)
        if self.factors is not None:
            # The document's factors replace the library copy, so the round trip is exact;
            # a template without factors keeps the shipped library.
            db.session.execute(delete(Factor).where(Factor.analysis_id == a.id))
        service.update_frame(a, self.frame)
        db.session.commit()
        _insert(Factor, (_values(f, analysis_id=a.id) for f in self.factors or []))
        start = (db.session.scalar(select(func.max(Node.position)).where(Node.analysis_id == a.id)) or -1) + 1
        _insert(Node, (_values(n, analysis_id=a.id, position=start + i) for i, n in enumerate(self.nodes)))
        ids = dict(db.session.execute(select(Node.position, Node.id).where(Node.analysis_id == a.id)).all())
        node_id = {id(n): ids[start + i] for i, n in enumerate(self.nodes)}
        with_block = [n for n in self.nodes if n.block is not None]
        _insert(Block, (_values(n.block, node_id=node_id[id(n)]) for n in with_block))
        block_id = dict(
            db.session.execute(
                select(Block.node_id, Block.id).join(Node, Block.node_id == Node.id).where(Node.analysis_id == a.id)
            ).all()
        )
        _insert(
            BlockRow,
            (
                _values(r, block_id=block_id[node_id[id(n)]])
                for n in with_block
                if n.block is not None
                for r in n.block.rows
            ),
        )
        node_table = cast(Table, Node.__table__)
        merged = update(node_table).where(node_table.c.id == bindparam("b_id"))
        _insert(
            Node,
            ({"b_id": node_id[id(n)], "merged_into_id": node_id[id(self.refs[ref])]} for n, ref in self.merges),
            merged,
        )
        link = Link()
        _insert(
            Link,
            (
                _values(link, analysis_id=a.id, from_id=node_id[id(self.refs[f])], to_id=node_id[id(self.refs[t])])
                for f, t in self.links
            ),
        )
        db.session.expire_all()
        return a


# Rows per INSERT and transaction when an import stores its analysis (a few milliseconds each).
WRITE_CHUNK = 50


def _values(obj: Any, **given: Any) -> dict[str, Any]:
    """The INSERT values of a row built in memory: what was set, else the column's default."""
    out = {}
    for column in obj.__table__.columns:
        if column.primary_key:
            continue
        key = column.key
        if key in given:
            value = given[key]
        else:
            value = obj.__dict__.get(key)
            if value is None and column.default is not None:
                value = column.default.arg(None) if column.default.is_callable else column.default.arg
        out[key] = value
    return out


def _insert(model: Any, rows: Iterable[dict[str, Any]], statement: Any = None) -> None:
    """Run ``statement`` (an INSERT into ``model``'s table) for ``rows``, ``WRITE_CHUNK`` at a
    time, each chunk its own transaction; the chunks are made between transactions, giving way."""
    statement = insert(model.__table__) if statement is None else statement
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == WRITE_CHUNK:
            db.session.execute(statement, chunk)
            db.session.commit()
            chunk = []
        give_way()
    if chunk:
        db.session.execute(statement, chunk)
        db.session.commit()


def _plan_analysis(data: Any) -> _AnalysisPlan:
    """Check every entry of the analysis like the draft page would, building the rows in
    memory: linear in the document (names in sets, no search per entry)."""
    if not isinstance(data, dict):
        raise _bad(gettext("Invalid value."))
    facts = data.get("facts") or {}
    frame = data.get("frame") or {}
    alternatives = data.get("alternatives") or {}
    if not all(isinstance(part, dict) for part in (facts, frame, alternatives)):
        raise _bad(gettext("Invalid value."))
    plan = _AnalysisPlan(
        frame={
            **{k: v for k, v in facts.items() if k in FACT_KEYS},
            **{
                k: frame[k]
                for k in ("start_year", "horizon", "discount_rate", "convention", "perspectives")
                if k in frame
            },
            "alternative_a": alternatives.get("a", ""),
            "alternative_b": alternatives.get("b", ""),
            "comparison": alternatives.get("comparison", []),
            "method_notes": data.get("method_notes", ""),
            "valuation_notes": data.get("valuation_notes", ""),
            "uncertainty": data.get("uncertainty") or [],
        },
        factors=None,
        nodes=[],
        merges=[],
        links=[],
        refs={},
    )
    # Validate the frame now, on a throwaway analysis, so a bad frame costs no writes.
    service.update_frame(Analysis(), plan.frame)
    factor_names: dict[str, None]
    if data.get("factors") is not None:
        plan.factors = []
        taken: set[str] = set()
        for i, f in enumerate(data["factors"]):
            if not isinstance(f, dict):
                raise _bad(gettext("Invalid value."))
            try:
                factor = service.new_factor({k: f.get(k) for k in FACTOR_KEYS if k in f}, taken, i)
            except InputError as exc:
                raise _in_entry(gettext("Factor %(name)s", name=str(f.get("name"))[:60]), exc) from None
            taken.add(factor.name)
            plan.factors.append(factor)
            give_way()
        factor_names = dict.fromkeys(taken)
    else:
        factor_names = dict.fromkeys(f.id for f in load_factors())
    for entry in data.get("nodes") or []:
        if not isinstance(entry, dict) or not isinstance(entry.get("ref"), str) or entry["ref"] in plan.refs:
            raise _bad(gettext("Invalid value."))
        try:
            node = _plan_node(entry, factor_names)
        except InputError as exc:
            raise _in_entry(gettext("Item %(ref)s", ref=entry["ref"][:20]), exc) from None
        plan.refs[entry["ref"]] = node
        plan.nodes.append(node)
        if entry.get("merged_into"):
            plan.merges.append((node, entry["merged_into"]))
        give_way()
    for _node, ref in plan.merges:
        if ref not in plan.refs:
            raise _bad(gettext("Invalid value."))
    seen: set[tuple[str, str]] = set()
    for link in data.get("links") or []:
        if not isinstance(link, dict) or link.get("from") not in plan.refs or link.get("to") not in plan.refs:
            raise _bad(gettext("Invalid value."))
        pair = (link["from"], link["to"])
        if pair[0] == pair[1]:
            raise _in_entry(gettext("Item %(ref)s", ref=pair[0][:20]), _bad(gettext("An item cannot lead to itself.")))
        if pair not in seen:  # a repeated arrow is the same arrow
            seen.add(pair)
            plan.links.append(pair)
        give_way()
    return plan


def _plan_node(entry: dict[str, Any], factor_names: dict[str, None]) -> Node:
    """One item as ``service.add_node`` and the block editing would make it, not stored."""
    node = Node(node_type="effekt", title="", valuation="none")
    service.set_node_fields(node, {"node_type": "effekt", **{k: entry[k] for k in NODE_KEYS if k in entry}})
    block = entry.get("block")
    if block:
        if not isinstance(block, dict):
            raise _bad(gettext("Invalid value."))
        service.check_block_allowed(node)
        node.block = Block(formula="", hours_formula="")
        taken: set[str] = set()
        for pos, row in enumerate(_list(block.get("rows"))):
            if not isinstance(row, dict):
                raise _bad(gettext("Invalid value."))
            made = service.new_row({k: row.get(k) for k in ROW_KEYS if k in row}, taken, pos)
            taken.add(made.name)
            node.block.rows.append(made)
            give_way()
        # Rows shadow factors of the same name; the names are looked up, never copied.
        names = ChainMap(dict.fromkeys(taken), factor_names)
        service.set_block_fields(
            node.block, {k: block.get(k) or "" for k in ("formula", "hours_formula", "notes")}, names
        )
    return node


# --- the template library ------------------------------------------------------------------


def library() -> list[dict[str, Any]]:
    """Templates shipped with the product: key, title and description per language."""
    out = []
    for path in sorted(LIBRARY.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        meta = doc.get("template") or {}
        out.append(
            {
                "key": path.stem,
                "title": meta.get("title", {}),
                "description": meta.get("description", {}),
                "order": meta.get("order", 99),
            }
        )
    return sorted(out, key=lambda t: (t["order"], t["key"]))


def load_template(key: str, language: str = "sv") -> dict[str, Any]:
    """A template as an importable document in ``language``: every text of the workshop that
    the template gives per language (``{"sv": …, "en": …}``) is taken in that language."""
    if not key or len(key) > 100 or not key.replace("_", "").replace("-", "").isalnum():
        raise _bad(gettext("Unknown template."))
    path = LIBRARY / f"{key}.json"
    if not path.is_file():
        raise _bad(gettext("Unknown template."))
    doc = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(doc.get("workshop"), dict):
        doc["workshop"] = in_language(doc["workshop"], language)
        doc["workshop"]["language"] = language
    return doc


def in_language(value: Any, language: str) -> Any:
    """``value`` with each ``{"sv": …, "en": …}`` text replaced by the one in ``language``."""
    if isinstance(value, dict):
        if value and set(value) <= set(TEMPLATE_LANGUAGES) and all(isinstance(v, str) for v in value.values()):
            return value.get(language) or value.get("sv", "")
        return {k: in_language(v, language) for k, v in value.items()}
    if isinstance(value, list):
        return [in_language(v, language) for v in value]
    return value
