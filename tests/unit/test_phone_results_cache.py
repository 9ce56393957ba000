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
