"""The facilitator answers a participant's request (export, delete), and the retention rule
deletes every participant's inputs some months after the workshop closes — never the draft
analysis."""

from __future__ import annotations

import json
from datetime import timedelta

import nyttoverkstad_integration_helpers as h  # loaded by conftest.py

TEXT = ("open_text", "Vad vill ni uppnå?", {"max_entries": 5, "max_length": 280, "premoderate": False})


def _results(app, act_id):
    from workshop.extensions import db
    from workshop.models import Activity
    from workshop.realtime.payloads import results_for

    with app.test_request_context():
        return results_for(db.session.get(Activity, act_id))["console"]


def _pid(app, nickname):
    from sqlalchemy import select

    from workshop.extensions import db
    from workshop.models import Participant

    with app.app_context():
        return db.session.scalar(select(Participant.id).where(Participant.nickname == nickname))


def test_export_and_delete_one_participant(app, facilitator):
    ws_id, code, (mc, text) = h.setup_workshop(app, activities=(h.MC, TEXT), mode="self_paced")
    anna, _ = h.phone(app, app.test_client(), code, nickname="Anna")
    bo, _ = h.phone(app, app.test_client(), code, nickname="Bo")
    assert h.vote(anna, mc, "a1", (0,))["ok"] and h.vote(bo, mc, "b1", (1,))["ok"]
    secret = "Mitt svar om schemat"
    assert h.vote(anna, text, "a2", payload={"text": secret})["ok"]
    pid = _pid(app, "Anna")

    c = app.test_client()
    h.login(c)
    page = c.get(f"/f/w/{ws_id}/participants?q=ann").get_data(as_text=True)
    assert f"D-{pid}" in page and "<td>Anna</td>" in page and "<td>Bo</td>" not in page
    by_ref = c.get(f"/f/w/{ws_id}/participants?q=d-{pid}").get_data(as_text=True)
    assert "<td>Anna</td>" in by_ref and "<td>Bo</td>" not in by_ref

    r = c.get(f"/f/w/{ws_id}/participants/{pid}.json")
    assert r.status_code == 200 and "attachment" in r.headers["Content-Disposition"]
    doc = json.loads(r.get_data(as_text=True))
    assert doc["participant"]["nickname"] == "Anna" and doc["participant"]["reference"] == f"D-{pid}"
    assert secret in json.dumps(doc, ensure_ascii=False) and len(doc["inputs"]) == 2
    assert "token" not in json.dumps(doc)

    # Without the confirmation nothing is deleted.
    page = c.post(f"/f/w/{ws_id}/participants/{pid}/delete", data={}, follow_redirects=True)
    assert "Kryssa i rutan" in page.get_data(as_text=True)
    assert _results(app, mc)["responders"] == 2
    page = c.post(f"/f/w/{ws_id}/participants/{pid}/delete", data={"confirm": "1"}, follow_redirects=True)
    assert f"Raderat: svaren från deltagare D-{pid}" in page.get_data(as_text=True)
    assert _results(app, mc)["responders"] == 1 and _results(app, text)["responders"] == 0
    assert secret not in repr(h.response_rows(app))
    doc = json.loads(c.get(f"/f/w/{ws_id}/participants/{pid}.json").get_data(as_text=True))
    assert doc["participant"]["nickname"] == "" and all(i["content"] == {} for i in doc["inputs"])

    # Another workshop's participant is not reachable through this workshop.
    other_ws, other_code, _ = h.setup_workshop(app, activities=(h.MC,))
    h.phone(app, app.test_client(), other_code, nickname="Cilla")
    assert c.get(f"/f/w/{ws_id}/participants/{_pid(app, 'Cilla')}.json").status_code == 404
    assert c.post(f"/f/w/{ws_id}/participants/{_pid(app, 'Cilla')}/delete", data={"confirm": "1"}).status_code == 404


def test_retention_deletes_inputs_months_after_closing_and_keeps_the_draft(app, facilitator):
    from workshop import retention
    from workshop.draft.service import analysis_for
    from workshop.extensions import db
    from workshop.models import Workshop, utcnow

    ws_id, code, (mc, text) = h.setup_workshop(app, activities=(h.MC, TEXT), mode="self_paced")
    keep_id, keep_code, (keep_mc,) = h.setup_workshop(app, activities=(h.MC,))
    anna, _ = h.phone(app, app.test_client(), code, nickname="Anna")
    assert h.vote(anna, mc, "a1", (0,))["ok"]
    assert h.vote(anna, text, "a2", payload={"text": "Färre resor till kontoret"})["ok"]
    bo, _ = h.phone(app, app.test_client(), keep_code, nickname="Bo")
    assert h.vote(bo, keep_mc, "b1", (1,))["ok"]

    c = app.test_client()
    h.login(c)
    form = {"title": "Veckans workshop", "language": "sv", "mode": "self_paced", "retention_months": "3"}
    assert c.post(f"/f/w/{ws_id}", data=form).status_code == 302
    assert "minst 1" in c.post(f"/f/w/{ws_id}", data={**form, "retention_months": "0"}).get_data(as_text=True)
    with app.app_context():
        analysis = analysis_for(db.session.get(Workshop, ws_id))
        analysis.name_of_change = "Digitala nyckellås"
        db.session.commit()
    assert c.post(f"/f/w/{ws_id}/archive").status_code == 302

    with app.app_context():
        ws = db.session.get(Workshop, ws_id)
        closed = ws.closed_at
        assert closed is not None and ws.retention_months == 3
        due = retention.deletion_due(ws)
        assert due == retention.add_months(closed, 3)
        # Not yet: a day before.
        assert retention.purge_due(due - timedelta(days=1)) == []
    assert _results(app, mc)["responders"] == 1
    with app.app_context():
        assert retention.purge_due(due + timedelta(minutes=1)) == [ws_id]
        assert db.session.get(Workshop, ws_id).inputs_deleted_at is not None
        assert retention.purge_due(utcnow() + timedelta(days=4000)) == []  # once; the other keeps its inputs
        assert analysis_for(db.session.get(Workshop, ws_id)).name_of_change == "Digitala nyckellås"
    assert _results(app, mc)["responders"] == 0 and _results(app, text)["responders"] == 0
    assert "Färre resor" not in repr(h.response_rows(app))
    assert _results(app, keep_mc)["responders"] == 1
    page = c.get(f"/f/w/{ws_id}").get_data(as_text=True)
    assert "Svaren raderades" in page
