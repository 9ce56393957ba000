"""A participant deletes their own answers from the phone: they stop counting at once, their
content is gone from storage, a resend is answered and not stored again, and the other phones'
answers are untouched."""

from __future__ import annotations

import nyttoverkstad_integration_helpers as h  # loaded by conftest.py

PHONE = h.PHONE
TEXT = ("open_text", "Vad vill ni uppnå?", {"max_entries": 5, "max_length": 280, "premoderate": False})


def _results(app, act_id):
    from workshop.extensions import db
    from workshop.models import Activity
    from workshop.realtime.payloads import results_for

    with app.test_request_context():
        return results_for(db.session.get(Activity, act_id))["console"]


def test_forget_me_deletes_this_phones_answers_only(app, facilitator):
    ws_id, code, (mc, text) = h.setup_workshop(app, activities=(h.MC, TEXT), mode="self_paced")
    anna, _ = h.phone(app, app.test_client(), code, nickname="Anna")
    bo, _ = h.phone(app, app.test_client(), code, nickname="Bo")
    assert h.vote(anna, mc, "a1", (0,))["ok"]
    assert h.vote(bo, mc, "b1", (1,))["ok"]
    secret = "Mitt hemliga svar om chefen"
    assert h.vote(anna, text, "a2", payload={"text": secret})["ok"]
    assert _results(app, mc)["responders"] == 2

    assert h.assert_error(anna.emit("forget", {}, namespace=PHONE, callback=True), "invalid")
    ack = anna.emit("forget", {"confirm": True}, namespace=PHONE, callback=True)
    assert ack == {"ok": True}, ack
    assert _results(app, mc)["responders"] == 1
    assert _results(app, text)["responders"] == 0
    rows = h.response_rows(app)
    assert secret not in repr(rows)
    from workshop.extensions import db
    from workshop.models import Participant

    with app.app_context():
        assert sorted(p.nickname for p in db.session.query(Participant)) == ["", "Bo"]
    # A resend from the outbox is answered, and nothing is counted again.
    again = h.vote(anna, mc, "a1", (0,))
    assert again["ok"] and again["duplicate"]
    assert _results(app, mc)["responders"] == 1
    # Bo's answer stands; Anna may answer anew.
    assert h.vote(anna, mc, "a3", (2,))["ok"]
    assert _results(app, mc)["responders"] == 2
