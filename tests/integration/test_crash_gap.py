"""A process that dies between committing inputs and its next results round (kill -9) leaves
the presenters on other processes with an old total; no process would recompute. A phone that
(re)connects anywhere makes that process send the current results again."""

from __future__ import annotations

import nyttoverkstad_integration_helpers as h  # loaded by conftest.py


def test_a_phone_connecting_resends_the_current_results(app, make_workshop):
    from workshop.extensions import db
    from workshop.models import Participant, Response, Workshop

    ws_id, code, ids = make_workshop()
    screen = h.screen(app, ws_id)
    phone_client = app.test_client()
    joined = h.join(phone_client, code)
    h.flush(app)
    h.events(screen, h.SCREEN)  # drain

    # Inputs another process committed and then died before sending (written straight to the
    # database: no broadcast is due on this process).
    with app.app_context():
        ws = db.session.get(Workshop, ws_id)
        ws.current_activity_id = ids[0]
        p = db.session.get(Participant, joined["participant"]["id"])
        db.session.add(
            Response(activity_id=ids[0], participant_id=p.id, client_id="died-1", data={"choices": [1]}, generation=0)
        )
        db.session.commit()
    h.flush(app)
    assert h.events(screen, h.SCREEN, "results") == []  # nothing was due

    tc = h.socket_client(app, h.PHONE, {"token": joined["token"]}, phone_client)
    assert tc.is_connected(h.PHONE)
    h.flush(app)
    results = h.events(screen, h.SCREEN, "results")
    assert results and results[-1]["responders"] == 1, results
