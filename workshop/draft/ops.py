"""One entry point for every edit of the draft analysis, used by the facilitator's socket.

``apply(ws, op, args)`` validates, changes, commits and returns what the client needs (the
new id, for instance). Each op is a named function with the schema of its arguments; the
schema checks the shape (which keys, ``data`` an object), the service's editing rules check
the values, both with the validation toolkit's sentences. Unknown ops and foreign ids are
refused with an ``InputError``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from flask_babel import gettext
from pydantic import Field

from ..extensions import db
from ..models import Workshop
from ..validation import InputError, Schema, parse
from . import service as s
from .models import Analysis, Node

# An id is looked up, not parsed: whatever is not the id of an item of this analysis (a
# string, a float, an id beyond 64 bits, another workshop's id) is refused by the lookup as an
# unknown item, the same answer for all of them.
Ref = Annotated[Any, Field(description="id of an item, question or factor of this analysis")]
# The fields to change; which keys and values are allowed is the service's rule (``data`` is
# shared with the activities and the template loader, which call the service directly).
Data = dict[str, Any]


class DataArgs(Schema):
    data: Data


class IdArgs(Schema):
    id: Ref


class IdDataArgs(Schema):
    id: Ref
    data: Data


class NodeDataArgs(Schema):
    node_id: Ref
    data: Data


class MergeArgs(Schema):
    id: Ref
    target: Ref


class LinkArgs(Schema):
    from_: Ref = Field(alias="from")
    to: Ref


Result = dict[str, Any] | None


def frame_update(a: Analysis, args: DataArgs) -> Result:
    """Facts, alternatives and frame (step 1). The frame's perspectives are also the list a
    phone picks from when joining: one list, written here (see ``service.share_perspectives``)."""
    s.update_frame(a, args.data)
    if "perspectives" in args.data:
        s.share_perspectives(a)
    return None


def uncertainty_set(a: Analysis, args: DataArgs) -> Result:
    """Osäkerhet: the facilitator records the level and motivation of one area."""
    s.set_uncertainty(a, args.data)
    return None


def _size_given(node: Node, data: Data) -> None:
    """Choosing "uppskattad storlek" means giving the size: the facilitator's choice is
    refused (and rolled back) without one, whichever screen made it."""
    if ("valuation" in data or "size_score" in data) and node.valuation == "size" and node.size_score is None:
        message = gettext("Choose the estimated size: Ingen, Liten, Måttlig or Stor.")
        raise InputError("invalid", message, {"size_score": message})


def node_add(a: Analysis, args: DataArgs) -> Result:
    node = s.add_node(a, args.data)
    _size_given(node, args.data)
    return {"id": node.id}


class AfterArgs(Schema):
    from_: Ref = Field(alias="from")
    data: Data


def node_add_after(a: Analysis, args: AfterArgs) -> Result:
    """A new item that ``from`` leads to, and the link, in one step (an effect's candidate
    nytta, konsekvenskostnad or risk in the effect chain)."""
    source = s.node_of(a, args.from_)
    node = s.add_node(a, args.data)
    _size_given(node, args.data)
    s.add_link(a, source.id, node.id)
    return {"id": node.id}


def node_update(a: Analysis, args: IdDataArgs) -> Result:
    node = s.node_of(a, args.id)
    s.set_node_fields(node, args.data)
    _size_given(node, args.data)
    return None


def node_delete(a: Analysis, args: IdArgs) -> Result:
    s.delete_node(a, args.id)
    return None


def node_merge(a: Analysis, args: MergeArgs) -> Result:
    """Fold a duplicate into another item; answers the item it ended in."""
    return {"id": s.merge_nodes(a, args.id, args.target).id}


def link_add(a: Analysis, args: LinkArgs) -> Result:
    return {"id": s.add_link(a, args.from_, args.to).id}


def link_delete(a: Analysis, args: LinkArgs) -> Result:
    s.delete_link(a, args.from_, args.to)
    return None


def block_set(a: Analysis, args: NodeDataArgs) -> Result:
    s.set_block(a, args.node_id, args.data)
    return None


def row_add(a: Analysis, args: NodeDataArgs) -> Result:
    return {"id": s.add_row(a, args.node_id, args.data).id}


def row_update(a: Analysis, args: IdDataArgs) -> Result:
    s.update_row(a, args.id, args.data)
    return None


def row_delete(a: Analysis, args: IdArgs) -> Result:
    s.delete_row(a, args.id)
    return None


def factor_add(a: Analysis, args: DataArgs) -> Result:
    return {"id": s.add_factor(a, args.data).id}


def factor_update(a: Analysis, args: IdDataArgs) -> Result:
    s.update_factor(a, args.id, args.data)
    return None


def factor_delete(a: Analysis, args: IdArgs) -> Result:
    s.delete_factor(a, args.id)
    return None


@dataclass(frozen=True)
class Op:
    """A draft operation: the schema of its arguments and the function that applies them."""

    args: type[Schema]
    run: Callable[[Analysis, Any], Result]


OPS: dict[str, Op] = {
    "frame.update": Op(DataArgs, frame_update),
    "uncertainty.set": Op(DataArgs, uncertainty_set),
    "node.add": Op(DataArgs, node_add),
    "node.add_after": Op(AfterArgs, node_add_after),
    "node.update": Op(IdDataArgs, node_update),
    "node.delete": Op(IdArgs, node_delete),
    "node.merge": Op(MergeArgs, node_merge),
    "link.add": Op(LinkArgs, link_add),
    "link.delete": Op(LinkArgs, link_delete),
    "block.set": Op(NodeDataArgs, block_set),
    "row.add": Op(NodeDataArgs, row_add),
    "row.update": Op(IdDataArgs, row_update),
    "row.delete": Op(IdArgs, row_delete),
    "factor.add": Op(DataArgs, factor_add),
    "factor.update": Op(IdDataArgs, factor_update),
    "factor.delete": Op(IdArgs, factor_delete),
}


def apply(ws: Workshop, op: Any, args: Any) -> dict[str, Any]:
    """Validate ``args`` for ``op``, apply it to the workshop's draft and commit (or roll
    back everything on a refusal)."""
    entry = OPS.get(op) if isinstance(op, str) else None
    if entry is None:
        raise InputError("invalid", gettext("Unknown action."))
    parsed = parse(entry.args, args)
    analysis = s.analysis_for(ws)
    try:
        out = entry.run(analysis, parsed) or {}
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return out
