"""A room of many phones gets its results slice by slice (``Broadcaster._fan_out``): every
phone is in one slice of its workshop's room, so every phone gets the round, once."""

from __future__ import annotations

import nyttoverkstad_integration_helpers as h  # loaded by conftest.py

PHONE = h.PHONE


def test_every_phone_gets_a_sliced_round_once(app, make_workshop, monkeypatch):
    from workshop.models import Workshop
    from workshop.realtime import PHONE_SLICES
    from workshop.realtime import broadcaster as broadcaster_module
    from workshop.runtime import broadcaster

    # Slices from the first phone on: the same road 5 000 phones take.
    monkeypatch.setattr(broadcaster_module, "PHONE_SLICE_FROM", 1)
    ws_id, code, (act,) = make_workshop()
    h.update_row(app, Workshop, ws_id, current_activity_id=act)
    phones = [h.phone(app, app.test_client(), code) for _ in range(PHONE_SLICES + 3)]
    with app.app_context():
        from workshop.extensions import db
        from workshop.models import Participant

        ids = set(db.session.scalars(db.select(Participant.id).where(Participant.workshop_id == ws_id)))
    assert len({pid % PHONE_SLICES for pid in ids}) == PHONE_SLICES, "phones in every slice"
    ack = h.vote(phones[0][0], act, "s1", (1,))
    assert ack["ok"], ack
    with app.app_context():
        bc = broadcaster()
        bc.phone_interval = 0
        bc.flush()
        bc.flush()

    got: dict[int, list] = {n: [] for n in range(len(phones))}

    def everyone() -> bool:  # reading takes the events: keep what came
        for n, (tc, _) in enumerate(phones):
            got[n] += [r for r in h.events(tc, PHONE, "results") if r["activity_id"] == act]
        return all(got.values())

    assert h.wait_for(everyone, timeout=10), {n: len(v) for n, v in got.items()}
    for sent in got.values():
        assert len(sent) == 1, sent
        assert sent[0]["responders"] == 1
