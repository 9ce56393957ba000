"""The phones' results for snapshots (``Broadcaster.phone_results``) are computed once per
interval, also for kinds that show the draft: the draft's revision is part of what the copy
is kept for, so a change of the draft (which marks nothing) is never served stale."""

from __future__ import annotations

import secrets

from workshop.extensions import db
from workshop.inputs import submit
from workshop.models import Activity, Participant
from workshop.runtime import broadcaster


def _effect(p: Participant, act_id: int, text: str) -> None:
    submit(p, act_id, secrets.token_hex(8), {"text": text, "polarity": "positive"})


def test_draft_kinds_phone_results_are_kept_until_the_draft_changes(app, make_workshop):
    ws_id, _code, ids = make_workshop(activities=[("effects", "Hitta effekterna", {"dot_votes": 3})], mode="self_paced")
    with app.test_request_context():
        p = Participant(workshop_id=ws_id, token=secrets.token_urlsafe(24))
        db.session.add(p)
        db.session.commit()
        _effect(p, ids[0], "Kortare väntetid")
        b = broadcaster()
        act = db.session.get(Activity, ids[0])
        first = b.phone_results(act, "1")
        assert first is not None and "Kortare väntetid" in str(first.get("content"))
        assert b.phone_results(db.session.get(Activity, ids[0]), "2") is first  # one computation a second
        # A new card on the draft: no mark (the handler's ``mark`` is not called here), a new revision.
        _effect(p, ids[0], "Färre resor")
        again = b.phone_results(db.session.get(Activity, ids[0]), "3")
        assert again is not first
        assert "Färre resor" in str(again.get("content"))


def test_a_large_phones_payload_goes_out_at_most_as_often_as_the_rooms_network_carries(app, make_workshop):
    """Phones share the room's network: after a payload larger than ``PHONE_LARGE`` the next
    phones' round of the activity waits its size at ``PHONE_BYTES_PER_SECOND``; a small one
    keeps the usual interval. Screens are not slowed."""
    from workshop.realtime import broadcaster as bmod

    ws_id, _code, ids = make_workshop(activities=[("open_text", "Tankar", {})], mode="self_paced")
    with app.test_request_context():
        b = broadcaster()
        act = db.session.get(Activity, ids[0])
        sent: list[int] = []
        real_emit = b.socketio.emit

        def emit(event, payload, **kw):
            if kw.get("namespace") == "/phone":
                sent.append(len(str(payload)))
            return real_emit(event, payload, **kw)

        b.socketio.emit = emit
        try:
            b._send_phones(act, {"activity_id": act.id, "aggregate": {"n": 1}, "version": "1"}, 100.0)
            assert b._phone_last[act.id] == 100.0  # a small payload: the usual interval
            big = {"activity_id": act.id, "aggregate": {"texts": ["x" * 1000] * 200}, "version": "2"}
            b._send_phones(act, big, 200.0)
            wait = 200_000 / bmod.PHONE_BYTES_PER_SECOND - b.phone_interval  # 200 KB at the phones' rate
            assert b._phone_last[act.id] - 200.0 >= wait > 4
            assert len(sent) == 2
        finally:
            b.socketio.emit = real_emit
