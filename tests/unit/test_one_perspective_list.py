"""One perspective list: the frame's concrete perspectives are what a phone picks when joining,
what "För vem?" offers in step 2 and what the sorting offers in step 4."""

from __future__ import annotations

from workshop.activities import get_kind
from workshop.draft.snapshot import draft_snapshot
from workshop.extensions import db
from workshop.models import Activity, Workshop

FRAME = [
    {"kind": "egen_organisation", "label": "Solstads kommun"},
    {"kind": "invanare", "label": "Brukare i hemtjänsten"},
]


def op(ws_id: int, name: str, **args):
    from workshop.draft.ops import apply

    return apply(db.session.get(Workshop, ws_id), name, args)


def test_the_frame_perspectives_are_the_join_list_and_the_steps_lists(app, make_workshop):
    ws_id, code, ids = make_workshop(
        activities=[("effects", "Hitta effekterna", {}), ("sorting", "Sortera", {})],
        ask_perspective=True,
        perspectives=["Den egna organisationen", "Samhället"],
    )
    with app.test_request_context():
        op(ws_id, "frame.update", data={"perspectives": FRAME})
        ws = db.session.get(Workshop, ws_id)
        assert ws.perspectives == ["Solstads kommun", "Brukare i hemtjänsten"]
        labels = [p["label"] for p in FRAME]
        snap = draft_snapshot(ws_id)
        effects, sorting = (db.session.get(Activity, i) for i in ids)
        kind = get_kind("effects")
        assert kind.phone_content(effects, kind.config(effects.config), snap)["perspectives"] == labels
        kind = get_kind("sorting")
        assert kind.phone_content(sorting, kind.config(sorting.config), snap)["perspectives"] == labels
    client = app.test_client()
    ok = client.post("/api/join", json={"code": code, "nickname": "Kalle", "perspective": "Brukare i hemtjänsten"})
    assert ok.status_code == 200 and ok.get_json()["participant"]["perspective"] == "Brukare i hemtjänsten"
    # The generic label the workshop started with is no longer offered.
    old = client.post("/api/join", json={"code": code, "nickname": "Lisa", "perspective": "Samhället"})
    assert old.status_code == 400


def test_other_frame_edits_leave_the_join_list_alone(app, make_workshop):
    ws_id, _code, _ids = make_workshop(activities=(), ask_perspective=True, perspectives=["Hemtjänsten"])
    with app.test_request_context():
        op(ws_id, "frame.update", data={"geography": "Solstad"})
        assert db.session.get(Workshop, ws_id).perspectives == ["Hemtjänsten"]
