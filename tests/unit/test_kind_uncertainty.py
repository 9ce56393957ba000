"""Osäkerhet per area: one judgement (low/medium/high, an optional why) per phone and area,
counts per level without averaging, the recorded level and motivation from the draft."""

from __future__ import annotations

import secrets

import pytest

from workshop.activities import InputError, get_kind
from workshop.activities.uncertainty import tally
from workshop.draft.snapshot import draft_snapshot
from workshop.extensions import db
from workshop.inputs import submit
from workshop.models import Activity, Participant, Response, Workshop
from workshop.responses import load_rows

KIND = get_kind("uncertainty")
AREAS = ["Nyttorna", "Kostnaderna", "Underlaget"]


def op(ws, name, **args):
    from workshop.draft.ops import apply

    return apply(ws, name, args)


@pytest.fixture
def setup(app, make_workshop):
    with app.test_request_context():
        ws_id, _code, ids = make_workshop(
            activities=[("uncertainty", "Osäkerhet", {"areas": AREAS, "ask_comment": True})], mode="self_paced"
        )
        yield db.session.get(Workshop, ws_id), ids[0]


def join(ws_id: int) -> Participant:
    p = Participant(workshop_id=ws_id, token=secrets.token_urlsafe(24))
    db.session.add(p)
    db.session.commit()
    return p


def judge(p, act_id, index, level, comment=""):
    return submit(p, act_id, secrets.token_hex(8), {"index": index, "level": level, "comment": comment})


def aggregate(act_id: int) -> dict:
    act = db.session.get(Activity, act_id)
    return KIND.aggregate_for(act, KIND.config(act.config), load_rows(act), draft_snapshot(act.workshop_id))


def test_settings(app):
    with app.test_request_context():
        assert len(KIND.default_config()["areas"]) == 4
        for bad in (
            {"areas": []},
            {"areas": ["A", " a "]},
            {"areas": ["x" * 201]},
            {"areas": [f"{i}" for i in range(31)]},
        ):
            with pytest.raises(InputError):
                KIND.validate_config(bad)


def test_tally_counts_words_not_figures():
    t = tally(["high", "high", "low"])
    assert t["counts"] == {"low": 1, "medium": 0, "high": 2} and t["top"] == "high" and t["agreement"] == "medium"
    assert tally(["low", "high"])["top"] is None


def test_judgements_per_area_and_a_change_replaces(setup):
    ws, act_id = setup
    a, b = join(ws.id), join(ws.id)
    judge(a, act_id, 0, "high", "  Osäkra   tidsvinster ")
    judge(b, act_id, 0, "medium")
    judge(a, act_id, 0, "medium", "Efter diskussion")
    judge(a, act_id, 2, "low")
    agg = aggregate(act_id)
    first = agg["areas"][0]
    assert first["area"] == "Nyttorna" and first["counts"] == {"low": 0, "medium": 2, "high": 0}
    assert first["comments"] == [{"level": "medium", "text": "Efter diskussion"}]
    assert agg["areas"][2]["counts"]["low"] == 1 and agg["summary"]["answered"] == 2
    assert db.session.query(Response).count() == 4


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"index": 3, "level": "low"}, "index"),
        ({"index": 0, "level": "låg"}, "level"),
        ({"index": 0, "level": "low", "comment": "x" * 501}, "comment"),
        ({"index": "0", "level": "low"}, "index"),
    ],
)
def test_bad_judgements_are_refused(setup, payload, field):
    ws, act_id = setup
    with pytest.raises(InputError) as err:
        submit(join(ws.id), act_id, "c1", payload)
    assert field in err.value.fields
    assert db.session.query(Response).count() == 0


def test_the_recorded_judgement_comes_from_the_draft(setup):
    ws, act_id = setup
    op(ws, "uncertainty.set", data={"area": "kostnaderna", "level": "low", "motivation": "Offert finns."})
    agg = aggregate(act_id)
    assert agg["areas"][1]["decision"] == {"level": "low", "motivation": "Offert finns."}
    assert agg["areas"][1]["decided"] and agg["summary"]["decided"] == 1
    assert KIND.summary(KIND.config({"areas": AREAS}), agg)[1] == ("Kostnaderna", "Låg: 0, Medel: 0, Hög: 0")
