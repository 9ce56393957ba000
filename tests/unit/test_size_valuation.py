"""Step 4 and the draft page: "uppskattad storlek" is saved with its size or not at all."""

from __future__ import annotations

import pytest

from workshop.extensions import db
from workshop.models import Workshop
from workshop.validation import InputError


def op(ws_id: int, name: str, **args):
    from workshop.draft.ops import apply

    return apply(db.session.get(Workshop, ws_id), name, args)


def node(ws_id: int, node_id: int):
    from workshop.draft.models import Node

    db.session.expire_all()
    return db.session.get(Node, node_id)


def test_a_size_valuation_needs_the_size(app, make_workshop):
    ws_id, _code, _ids = make_workshop(activities=())
    with app.test_request_context():
        nid = op(ws_id, "node.add", data={"node_type": "nytta", "title": "Tryggare brukare", "category": "kvalitet"})[
            "id"
        ]
        # The console's decision with the pre-selected "uppskattad storlek" and no size: refused, nothing saved.
        with pytest.raises(InputError) as refused:
            op(ws_id, "node.update", id=nid, data={"category": "kvalitet", "valuation": "size", "size_score": None})
        assert "size_score" in refused.value.fields
        assert "Ingen, Liten, Måttlig" in refused.value.message
        assert node(ws_id, nid).valuation == "none"
        with pytest.raises(InputError):
            op(ws_id, "node.update", id=nid, data={"valuation": "size"})
        with pytest.raises(InputError):
            op(
                ws_id,
                "node.add",
                data={"node_type": "nytta", "title": "X", "category": "kvalitet", "valuation": "size"},
            )
        # With the size it is saved; taking the size away again is refused.
        op(ws_id, "node.update", id=nid, data={"valuation": "size", "size_score": 2})
        assert (node(ws_id, nid).valuation, node(ws_id, nid).size_score) == ("size", 2)
        with pytest.raises(InputError):
            op(ws_id, "node.update", id=nid, data={"size_score": None})
        assert node(ws_id, nid).size_score == 2
        # Other valuations need no size.
        op(ws_id, "node.update", id=nid, data={"valuation": "none", "size_score": None})
        assert node(ws_id, nid).valuation == "none"
