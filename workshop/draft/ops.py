"""One entry point for every edit of the draft analysis, used by the facilitator's socket.

``apply(ws, op, args)`` validates, changes, commits and returns what the client needs (the
new id, for instance). Unknown ops and foreign ids are refused with an ``InputError``.
"""

from __future__ import annotations

from typing import Any, Callable

from flask_babel import gettext

from ..activities.base import InputError
from ..extensions import db
from ..models import Workshop
from . import service as s
from .models import Analysis


def _arg(args: Any, name: str) -> Any:
    if not isinstance(args, dict):
        raise InputError("invalid", gettext("The input must be an object."))
    return args.get(name)


def _data(args: Any) -> dict[str, Any]:
    data = _arg(args, "data")
    if not isinstance(data, dict):
        raise InputError("invalid", gettext("The input must be an object."))
    return data


OPS: dict[str, Callable[[Analysis, Any], dict[str, Any] | None]] = {
    "frame.update": lambda a, args: s.update_frame(a, _data(args)),
    "node.add": lambda a, args: {"id": s.add_node(a, _data(args)).id},
    "node.update": lambda a, args: s.set_node_fields(s.node_of(a, _arg(args, "id")), _data(args)),
    "node.delete": lambda a, args: s.delete_node(a, _arg(args, "id")),
    "node.merge": lambda a, args: {"id": s.merge_nodes(a, _arg(args, "id"), _arg(args, "target")).id},
    "link.add": lambda a, args: {"id": s.add_link(a, _arg(args, "from"), _arg(args, "to")).id},
    "link.delete": lambda a, args: s.delete_link(a, _arg(args, "from"), _arg(args, "to")),
    "block.set": lambda a, args: s.set_block(a, _arg(args, "node_id"), _data(args)) and None,
    "row.add": lambda a, args: {"id": s.add_row(a, _arg(args, "node_id"), _data(args)).id},
    "row.update": lambda a, args: s.update_row(a, _arg(args, "id"), _data(args)) and None,
    "row.delete": lambda a, args: s.delete_row(a, _arg(args, "id")),
    "factor.add": lambda a, args: {"id": s.add_factor(a, _data(args)).id},
    "factor.update": lambda a, args: s.update_factor(a, _arg(args, "id"), _data(args)) and None,
    "factor.delete": lambda a, args: s.delete_factor(a, _arg(args, "id")),
}


def apply(ws: Workshop, op: Any, args: Any) -> dict[str, Any]:
    fn = OPS.get(op) if isinstance(op, str) else None
    if fn is None:
        raise InputError("invalid", gettext("Unknown action."))
    analysis = s.analysis_for(ws)
    try:
        out = fn(analysis, args) or {}
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return out
