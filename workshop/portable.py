"""A workshop and its draft analysis as one JSON document, and back.

The same schema serves three purposes: the machine-readable export, import, and the
templates in ``workshop/template_library/`` (a template is simply an export without
participants' inputs). Nodes are referred to by local refs ("n1", "n2", …) so an export →
import → export round trip gives an identical document. Documented in ``docs/json-schema.md``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flask_babel import gettext

from .activities import InputError, get_kind
from .draft import service
from .draft.models import Analysis, Node
from .extensions import db
from .models import User, Workshop
from .workshops import add_activity, create_workshop

FORMAT = "nyttoverkstad"
SCHEMA_VERSION = 1
LIBRARY = Path(__file__).parent / "template_library"

FACT_KEYS = ("name_of_change", "organisation", "area", "purpose", "geography", "status_text", "version", "contact_role")
NODE_KEYS = ("node_type", "title", "description", "cause", "perspective", "polarity", "category", "valuation",
             "size_score", "cost_kind", "motivation", "pattern", "direct_value", "year_profile", "status")
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
            "activities": [
                {"kind": a.kind, "title": a.title, "config": a.config, "results_hidden": a.results_hidden,
                 "timer_seconds": a.timer_seconds}
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
        "frame": {"start_year": a.start_year, "horizon": a.horizon, "discount_rate": a.discount_rate,
                  "convention": a.convention, "perspectives": a.perspectives or []},
        "alternatives": {"a": a.alternative_a, "b": a.alternative_b, "comparison": a.comparison or []},
        "method_notes": a.method_notes,
        "valuation_notes": a.valuation_notes,
        "nodes": nodes,
        "links": sorted(
            ({"from": refs[link.from_id], "to": refs[link.to_id]} for link in a.links if link.from_id in refs and link.to_id in refs),
            key=lambda x: (int(x["from"][1:]), int(x["to"][1:])),
        ),
        "factors": [{k: getattr(f, k) for k in FACTOR_KEYS} for f in a.factors],
    }


def dumps(doc: dict[str, Any]) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


# --- import -------------------------------------------------------------------------------

def _bad(msg: str) -> InputError:
    return InputError("invalid", msg)


def import_document(owner: User, doc: Any, title: str | None = None) -> Workshop:
    """Create a new workshop (and its draft) from a document. All or nothing."""
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise _bad(gettext("This is not a Nyttoverkstad file."))
    if doc.get("schema_version") != SCHEMA_VERSION:
        raise _bad(gettext("Unsupported file version."))
    w = doc.get("workshop")
    if not isinstance(w, dict):
        raise _bad(gettext("The file has no workshop."))
    try:
        ws = create_workshop(
            owner,
            title or w.get("title") or "",
            language=w.get("language", "sv"),
            mode=w.get("mode", "live"),
            ask_nickname=bool(w.get("ask_nickname", True)),
            ask_perspective=bool(w.get("ask_perspective", False)),
            perspectives=[p for p in w.get("perspectives", []) if isinstance(p, str)],
        )
        for entry in w.get("activities") or []:
            if not isinstance(entry, dict):
                raise _bad(gettext("Invalid value."))
            get_kind(entry.get("kind", ""))
            add_activity(ws, entry["kind"], entry.get("title"), entry.get("config"),
                         results_hidden=entry.get("results_hidden"), timer_seconds=entry.get("timer_seconds"))
        if doc.get("analysis") is not None:
            _import_analysis(ws, doc["analysis"])
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


def _import_analysis(ws: Workshop, data: Any) -> Analysis:
    if not isinstance(data, dict):
        raise _bad(gettext("Invalid value."))
    a = service.analysis_for(ws)
    if data.get("factors") is not None:
        # The document's factors replace the library copy, so the round trip is exact;
        # a template without factors keeps the shipped library.
        for f in list(a.factors):
            a.factors.remove(f)
        db.session.flush()
    frame = data.get("frame") or {}
    service.update_frame(a, {
        **{k: v for k, v in (data.get("facts") or {}).items() if k in FACT_KEYS},
        **{k: frame[k] for k in ("start_year", "horizon", "discount_rate", "convention", "perspectives") if k in frame},
        "alternative_a": (data.get("alternatives") or {}).get("a", ""),
        "alternative_b": (data.get("alternatives") or {}).get("b", ""),
        "comparison": (data.get("alternatives") or {}).get("comparison", []),
        "method_notes": data.get("method_notes", ""),
        "valuation_notes": data.get("valuation_notes", ""),
    })
    for f in data.get("factors") or []:
        service.add_factor(a, {k: f.get(k) for k in FACTOR_KEYS if k in f})
    ids: dict[str, Node] = {}
    merges: list[tuple[Node, str]] = []
    for entry in data.get("nodes") or []:
        if not isinstance(entry, dict) or not isinstance(entry.get("ref"), str) or entry["ref"] in ids:
            raise _bad(gettext("Invalid value."))
        fields = {k: entry[k] for k in NODE_KEYS if k in entry}
        node = service.add_node(a, fields)
        ids[entry["ref"]] = node
        if entry.get("merged_into"):
            merges.append((node, entry["merged_into"]))
        block = entry.get("block")
        if block:
            for row in block.get("rows") or []:
                service.add_row(a, node.id, {k: row.get(k) for k in ROW_KEYS if k in row})
            service.set_block(a, node.id, {k: block.get(k) or "" for k in ("formula", "hours_formula", "notes")})
    for node, ref in merges:
        if ref not in ids:
            raise _bad(gettext("Invalid value."))
        node.merged_into_id = ids[ref].id
    for link in data.get("links") or []:
        if not isinstance(link, dict) or link.get("from") not in ids or link.get("to") not in ids:
            raise _bad(gettext("Invalid value."))
        service.add_link(a, ids[link["from"]].id, ids[link["to"]].id)
    db.session.flush()
    return a


# --- the template library ------------------------------------------------------------------

def library() -> list[dict[str, Any]]:
    """Templates shipped with the product: key, title and description per language."""
    out = []
    for path in sorted(LIBRARY.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        meta = doc.get("template") or {}
        out.append({"key": path.stem, "title": meta.get("title", {}), "description": meta.get("description", {}),
                    "order": meta.get("order", 99)})
    return sorted(out, key=lambda t: (t["order"], t["key"]))


def load_template(key: str) -> dict[str, Any]:
    if not key or len(key) > 100 or not key.replace("_", "").replace("-", "").isalnum():
        raise _bad(gettext("Unknown template."))
    path = LIBRARY / f"{key}.json"
    if not path.is_file():
        raise _bad(gettext("Unknown template."))
    return json.loads(path.read_text(encoding="utf-8"))
