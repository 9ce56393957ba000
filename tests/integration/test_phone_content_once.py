"""A kind's phone ``content`` (the questions, the rows to compare…) goes to the room's phones
once; later results with the same content carry only its ``content_key`` (docs/protocol.md
§5.3). Snapshots always carry the content, and a new content goes out in full."""

from __future__ import annotations

import nyttoverkstad_integration_helpers as h  # loaded by conftest.py

PHONE = h.PHONE
ROWS = [
    {"aspect": "Vem öppnar dörren", "a": "Personal med nyckel", "b": "Personal med mobil"},
    {"aspect": "Nyckelhantering", "a": "Nycklar hämtas på kontoret", "b": "Inga fysiska nycklar"},
]


def _frame(app, ws_id, rows):
    from workshop.draft.ops import apply
    from workshop.extensions import db
    from workshop.models import Workshop

    with app.test_request_context():
        apply(
            db.session.get(Workshop, ws_id),
            "frame.update",
            {"data": {"alternative_a": "Fysiska nycklar", "alternative_b": "Digitala lås", "comparison": rows}},
        )
        db.session.commit()
        db.session.remove()


def _comment(tc, act_id, n):
    ack = tc.emit(
        "submit",
        {"activity_id": act_id, "client_id": f"c{n}", "payload": {"row": 0, "flag": True, "comment": f"Bra {n}"}},
        namespace=PHONE,
        callback=True,
    )
    assert ack["ok"], ack


def _round(app):
    """A results round for screens, then the phones' own round (they keep their pace)."""
    from workshop.runtime import broadcaster

    with app.app_context():
        bc = broadcaster()
        bc.phone_interval = 0
        bc.flush()
        bc.flush()


def test_the_content_goes_once_then_only_its_key_and_a_new_content_in_full(app, make_workshop):
    from workshop.models import Workshop

    ws_id, code, (act,) = make_workshop(activities=[("alternatives", "Jämför", {"max_comments": 20})])
    h.update_row(app, Workshop, ws_id, current_activity_id=act)
    _frame(app, ws_id, ROWS)
    watcher, _ = h.phone(app, app.test_client(), code)
    snap = h.events(watcher, PHONE, "snapshot")[-1]["results"][str(act)]
    assert snap["content"]["rows"][0]["aspect"] == "Vem öppnar dörren"
    key = snap["content_key"]

    other, _ = h.phone(app, app.test_client(), code)
    sent = []
    for n in range(3):
        _comment(other, act, n)
        _round(app)
        sent += [r for r in h.events(watcher, PHONE, "results") if r["activity_id"] == act]
    assert [r["responders"] for r in sent][-1] == 1
    with_content = [r for r in sent if "content" in r]
    assert len(with_content) <= 1, "the unchanged content went out more than once"
    assert sent[-1]["content_key"] == key and "content" not in sent[-1]

    # A phone connecting now gets the content in its snapshot.
    late, _ = h.phone(app, app.test_client(), code)
    late_snap = h.events(late, PHONE, "snapshot")[-1]["results"][str(act)]
    assert late_snap["content_key"] == key and late_snap["content"] == snap["content"]

    # New rows: the next results carry the new content in full, with a new key.
    _frame(app, ws_id, [*ROWS, {"aspect": "Kostnad", "a": "Låssmed", "b": "Licens per lås"}])
    _comment(other, act, 9)
    _round(app)
    newest = [r for r in h.events(watcher, PHONE, "results") if r["activity_id"] == act][-1]
    assert newest["content_key"] != key
    assert [r["aspect"] for r in newest["content"]["rows"]][-1] == "Kostnad"
