"""Värdering in points: one vote (0–3) per phone and item, items valued in money left out,
the distribution and agreement per item, the facilitator's recorded point from the draft."""

from __future__ import annotations

import secrets

import pytest

from workshop.activities import InputError, get_kind
from workshop.activities.valuation import tally
from workshop.draft.snapshot import draft_snapshot
from workshop.extensions import db
from workshop.inputs import submit
from workshop.models import Activity, Participant, Response, Workshop
from workshop.responses import load_rows

KIND = get_kind("valuation")


def op(ws, name, **args):
    from workshop.draft.ops import apply

    return apply(ws, name, args)


@pytest.fixture
def setup(app, make_workshop):
    with app.test_request_context():
        ws_id, _code, ids = make_workshop(activities=[("valuation", "Värdering", {})], mode="self_paced")
        ws = db.session.get(Workshop, ws_id)
        nodes = {
            key: op(ws, "node.add", data=data)["id"]
            for key, data in {
                "q": {"node_type": "nytta", "title": "Tryggare brukare", "category": "kvalitet"},
                "m": {"node_type": "nytta", "title": "Frigjord tid", "category": "omfordelning", "valuation": "money"},
                "k": {"node_type": "konsekvenskostnad", "title": "Oro", "category": "kvalitet"},
                "r": {"node_type": "risk", "title": "Batterier"},
            }.items()
        }
        yield ws, ids[0], nodes


def join(ws_id: int) -> Participant:
    p = Participant(workshop_id=ws_id, token=secrets.token_urlsafe(24))
    db.session.add(p)
    db.session.commit()
    return p


def vote(p, act_id, node, points):
    return submit(p, act_id, secrets.token_hex(8), {"node": node, "points": points})


def aggregate(act_id: int) -> dict:
    act = db.session.get(Activity, act_id)
    return KIND.aggregate_for(act, KIND.config(act.config), load_rows(act), draft_snapshot(act.workshop_id))


def test_tally_keeps_the_spread():
    assert tally([]) == {
        "n": 0,
        "counts": [0, 0, 0, 0],
        "top": None,
        "tie": False,
        "top_share": None,
        "agreement": None,
        "low": None,
        "high": None,
    }
    t = tally([3, 3, 3, 1])
    assert (t["counts"], t["top"], t["agreement"], t["low"], t["high"]) == ([0, 1, 0, 3], 3, "high", 1, 3)
    t = tally([0, 2])
    assert (t["top"], t["tie"], t["agreement"]) == (None, True, "medium")


def test_phones_vote_points_on_items_not_valued_in_money(setup):
    ws, act_id, nodes = setup
    act = db.session.get(Activity, act_id)
    content = KIND.phone_content(act, KIND.config(act.config), draft_snapshot(ws.id))
    assert [i["title"] for i in content["items"]] == ["Tryggare brukare", "Oro"]
    a, b, c = join(ws.id), join(ws.id), join(ws.id)
    vote(a, act_id, nodes["q"], 3)
    vote(b, act_id, nodes["q"], 2)
    vote(c, act_id, nodes["q"], 3)
    vote(a, act_id, nodes["q"], 1)  # a changed vote replaces the earlier one
    agg = aggregate(act_id)
    q = next(i for i in agg["items"] if i["id"] == nodes["q"])
    assert q["counts"] == [0, 1, 1, 1] and q["n"] == 3 and q["tie"]
    assert agg["money_items"] == 1 and agg["summary"]["voters"] == 3
    assert db.session.query(Response).count() == 4


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"node": 1, "points": 4}, "points"),
        ({"node": 1, "points": -1}, "points"),
        ({"node": 1, "points": "2"}, "points"),
        ({"node": 1}, "points"),
        ({"node": "1", "points": 2}, "node"),
    ],
)
def test_bad_votes_are_refused(setup, payload, field):
    ws, act_id, _nodes = setup
    with pytest.raises(InputError) as err:
        submit(join(ws.id), act_id, "c1", payload)
    assert field in err.value.fields
    assert db.session.query(Response).count() == 0


def test_money_items_risks_and_foreign_ids_are_refused(setup):
    ws, act_id, nodes = setup
    p = join(ws.id)
    with pytest.raises(InputError) as err:
        vote(p, act_id, nodes["m"], 2)
    assert "node" in err.value.fields and "pengar" in err.value.message
    for node in (nodes["r"], 999999):
        with pytest.raises(InputError):
            vote(p, act_id, node, 2)
    assert db.session.query(Response).count() == 0


def test_the_recorded_point_comes_from_the_draft(setup):
    ws, act_id, nodes = setup
    op(ws, "node.update", id=nodes["q"], data={"valuation": "size", "size_score": 2})
    agg = aggregate(act_id)
    q = next(i for i in agg["items"] if i["id"] == nodes["q"])
    assert q["decision"] == {"valuation": "size", "size_score": 2} and q["decided"]
    assert agg["summary"]["decided"] == 1
    # Valued in money by the facilitator: it leaves the vote.
    op(ws, "node.update", id=nodes["k"], data={"category": "finansiell", "valuation": "money"})
    assert [i["title"] for i in aggregate(act_id)["items"]] == ["Tryggare brukare"]
