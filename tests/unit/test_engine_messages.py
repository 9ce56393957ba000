"""The engine's problems reach people as Swedish sentences naming the item, never a raw code
or the engine's English."""

from __future__ import annotations

import re

import pytest

from workshop.extensions import db
from workshop.models import Workshop


def op(ws_id: int, name: str, **args):
    from workshop.draft.ops import apply

    return apply(db.session.get(Workshop, ws_id), name, args)


def test_the_draft_says_which_item_lacks_what(app, make_workshop):
    from workshop.draft.serialize import analysis_dict
    from workshop.draft.service import analysis_for

    ws_id, _code, _ids = make_workshop(activities=())
    with app.test_request_context():
        money = {"category": "finansiell", "valuation": "money"}
        op(ws_id, "node.add", data={"node_type": "nytta", "title": "Färre låsbyten", **money})
        k = op(ws_id, "node.add", data={"node_type": "genomforandekostnad", "title": "Licenser", **money})["id"]
        op(ws_id, "row.add", node_id=k, data={"name": "antal", "label": "Hur många lås?"})
        op(ws_id, "block.set", node_id=k, data={"formula": "antal * 100"})
        m = op(ws_id, "node.add", data={"node_type": "nytta", "title": "Kortare restid", **money})["id"]
        op(ws_id, "row.add", node_id=m, data={"name": "n", "label": "Hur många?", "likely": 0})
        op(ws_id, "block.set", node_id=m, data={"formula": "1 / n"})
        res = analysis_dict(analysis_for(db.session.get(Workshop, ws_id)))["result"]
        messages = [e["message"] for e in res["errors"]]
        assert "Nyttan ”Färre låsbyten” saknar årligt värde." in messages
        assert "Kostnaden ”Licenser” saknar värde för antal." in messages
        assert "Nyttan ”Kortare restid”: formeln delar med noll." in messages
        for text in messages + [i["error_message"] for i in res["items"] if i["error"]]:
            assert not re.search(r"\b(no usable|the item has|division_by_zero|missing_value|divides)\b", text), text
        by_title = {i["title"]: i for i in res["items"]}
        assert by_title["Licenser"]["error_message"] == "Kostnaden ”Licenser” saknar värde för antal."
        # The figures stay the engine's: the items with problems count as 0.
        assert res["undiscounted"]["benefits"] == 0 and res["undiscounted"]["costs"] == 0


@pytest.mark.parametrize("formula", ["timmar * (", "timmar 2", "round(1, 2, 3)"])
def test_an_unreadable_formula_is_refused_in_swedish(app, make_workshop, formula):
    from workshop.validation import InputError

    ws_id, _code, _ids = make_workshop(activities=())
    with app.test_request_context():
        n = op(
            ws_id,
            "node.add",
            data={"node_type": "nytta", "title": "Tid", "category": "omfordelning", "valuation": "money"},
        )["id"]
        op(ws_id, "row.add", node_id=n, data={"name": "timmar", "label": "Timmar?"})
        with pytest.raises(InputError) as refused:
            op(ws_id, "block.set", node_id=n, data={"formula": formula})
        message = refused.value.message
        assert message.startswith("Formeln går inte att läsa"), message
        assert not re.search(r"unexpected|character|takes|argument|token", message), message
