"""The group writer for phone inputs (``workshop.input_writer``): ``write_batch`` stores a batch
in one transaction with the same rules as ``responses.submit``; ``InputWriter.try_store`` takes
the fast road or answers None so the caller takes the slow one.

Every refusal on the fast road is "outcome None and nothing stored": the slow road then stores
or explains the input on its own.
"""

from __future__ import annotations

import importlib.util
import secrets
import sys
import time
import types
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from workshop.activities import get_kind
from workshop.extensions import db
from workshop.input_writer import InputWriter, Item, write_batch
from workshop.models import Activity, Participant, Response, User, Workshop, utcnow
from workshop.responses import Stored, load_rows, submit

MC = ("multiple_choice", "Använder ni metoden?", {"options": ["Ja", "Nej", "Vet inte"], "multiple": False, "max_choices": 1})
MC2 = ("multiple_choice", "Andra frågan", {"options": ["A", "B"], "multiple": False, "max_choices": 1})
WORDS = ("word_cloud", "Ett ord", {"max_entries": 2, "max_length": 25})
TEXTS = ("open_text", "Tankar", {"max_entries": 1, "max_length": 280, "premoderate": True})
EFFECTS = ("effects", "Hitta effekterna", {})


# --- helpers ---------------------------------------------------------------------------------

@pytest.fixture
def user(db_session, facilitator):
    return db_session.get(User, facilitator)


def _ws(user, activities=(MC,), mode="live", title="Användarforum"):
    from workshop import workshops as core

    ws = core.create_workshop(user, title, mode=mode)
    acts = [core.add_activity(ws, kind, t, cfg) for kind, t, cfg in activities]
    return ws, acts


def _participant(ws) -> Participant:
    p = Participant(workshop_id=ws.id, token=secrets.token_urlsafe(24))
    db.session.add(p)
    db.session.commit()
    return p


def _item(p, act, client_id: str, payload: Any, *, workshop_id: int | None = None) -> Item:
    """An input validated the way ``try_store`` validates it, against the stored settings."""
    kind = get_kind(act.kind)
    cfg = kind.config(act.config)
    data = kind.validate_input(cfg, payload)
    return Item(p.id, act.workshop_id if workshop_id is None else workshop_id, act.id, client_id, data,
                kind.initial_status(cfg, data), kind.answer_mode, kind.max_entries(cfg), dict(act.config or {}))


def _write(*items: Item) -> list[Stored | None]:
    with db.engine.connect() as conn:
        write_batch(conn, list(items))
    return [i.outcome for i in items]


def _stored() -> list[Any]:
    """Every committed response, read on a connection of its own."""
    r = Response.__table__.c
    with db.engine.connect() as conn:
        return conn.execute(
            select(r.id, r.activity_id, r.participant_id, r.client_id, r.generation, r.data, r.current, r.status)
            .order_by(r.id)
        ).all()


def _current_per_slot() -> Counter:
    return Counter((r.activity_id, r.participant_id, r.generation) for r in _stored() if r.current)


def _update(model, row_id: int, **values: Any) -> None:
    obj = db.session.get(model, row_id)
    for k, v in values.items():
        setattr(obj, k, v)
    db.session.commit()


# --- write_batch: storing ----------------------------------------------------------------------

def test_a_batch_stores_every_input_and_returns_the_stored_ids(user):
    ws, (act,) = _ws(user)
    ps = [_participant(ws) for _ in range(3)]
    outcomes = _write(*[_item(p, act, f"c{i}", {"choices": [i]}) for i, p in enumerate(ps)])

    rows = _stored()
    assert [(r.activity_id, r.participant_id, r.client_id, r.generation, r.data, r.current, r.status) for r in rows] == [
        (act.id, ps[0].id, "c0", 0, {"choices": [0]}, True, "visible"),
        (act.id, ps[1].id, "c1", 0, {"choices": [1]}, True, "visible"),
        (act.id, ps[2].id, "c2", 0, {"choices": [2]}, True, "visible"),
    ]
    assert outcomes == [Stored(r.id, False, r.data, "visible", act.id, False) for r in rows]
    assert len({o.response_id for o in outcomes}) == 3
    assert [r.data for r in load_rows(act)] == [{"choices": [0]}, {"choices": [1]}, {"choices": [2]}]


def test_an_input_already_stored_is_answered_with_the_stored_one(user):
    ws, (act,) = _ws(user)
    p, q = _participant(ws), _participant(ws)
    first = submit(p, act.id, "c1", {"choices": [1]})  # the slow road stored it earlier

    # A resend, even with another payload, is the stored input; another phone's "c1" is its own.
    outcomes = _write(_item(p, act, "c1", {"choices": [0]}), _item(q, act, "c1", {"choices": [2]}))

    rows = _stored()
    assert [(r.participant_id, r.client_id, r.data, r.current) for r in rows] == [
        (p.id, "c1", {"choices": [1]}, True), (q.id, "c1", {"choices": [2]}, True)]
    assert outcomes == [Stored(first.response_id, True, {"choices": [1]}, "visible", act.id),
                        Stored(rows[1].id, False, {"choices": [2]}, "visible", act.id, False)]

    # A phone whose ack was lost resends after the activity was locked: still its stored answer.
    _update(Activity, act.id, locked=True)
    (again,) = _write(_item(p, act, "c1", {"choices": [1]}))
    assert again == Stored(first.response_id, True, {"choices": [1]}, "visible", act.id)
    assert len(_stored()) == 2


def test_the_same_input_twice_in_one_batch_is_stored_once(user):
    ws, (act,) = _ws(user)
    p = _participant(ws)
    outcomes = _write(_item(p, act, "c1", {"choices": [0]}), _item(p, act, "c1", {"choices": [2]}))

    (row,) = _stored()
    assert (row.client_id, row.data, row.current) == ("c1", {"choices": [0]}, True)
    assert outcomes == [Stored(row.id, False, {"choices": [0]}, "visible", act.id, False),
                        Stored(row.id, True, {"choices": [0]}, "visible", act.id)]


def test_several_answers_of_one_phone_in_one_batch_only_the_last_is_current(user):
    ws, (act,) = _ws(user)
    p, q = _participant(ws), _participant(ws)
    outcomes = _write(
        _item(p, act, "p1", {"choices": [0]}),
        _item(q, act, "q1", {"choices": [1]}),
        _item(p, act, "p2", {"choices": [1]}),
        _item(p, act, "p3", {"choices": [2]}),
    )

    rows = _stored()
    assert [(r.participant_id, r.client_id, r.current) for r in rows] == [
        (p.id, "p1", False), (q.id, "q1", True), (p.id, "p2", False), (p.id, "p3", True)]
    # Every one of them was stored (the history is whole) and acknowledged as new.
    assert [(o.response_id, o.duplicate, o.data) for o in outcomes] == [(r.id, False, r.data) for r in rows]
    assert [(r.participant_id, r.data) for r in load_rows(act)] == [(q.id, {"choices": [1]}), (p.id, {"choices": [2]})]
    assert set(_current_per_slot().values()) == {1}


def test_a_replace_answer_supersedes_the_stored_current_one(user):
    from workshop.responses import reset_activity

    ws, (a, b) = _ws(user, activities=(MC, MC2), mode="self_paced")
    p, q = _participant(ws), _participant(ws)
    submit(p, a.id, "s1", {"choices": [0]})
    submit(q, a.id, "q1", {"choices": [1]})
    submit(p, b.id, "pb", {"choices": [1]})
    _write(_item(p, a, "b1", {"choices": [1]}))  # batch after slow road
    _write(_item(p, a, "b2", {"choices": [2]}))  # batch after batch

    rows = _stored()
    assert [(r.activity_id, r.participant_id, r.client_id, r.current) for r in rows] == [
        (a.id, p.id, "s1", False), (a.id, q.id, "q1", True), (b.id, p.id, "pb", True),
        (a.id, p.id, "b1", False), (a.id, p.id, "b2", True)]
    assert _current_per_slot() == Counter({(a.id, p.id, 0): 1, (a.id, q.id, 0): 1, (b.id, p.id, 0): 1})

    # After a reset the new generation has its own current answer; the old generation is left as it was.
    reset_activity(a)
    (new,) = _write(_item(p, a, "g1", {"choices": [0]}))
    rows = _stored()
    assert (rows[-1].id, rows[-1].generation, rows[-1].current) == (new.response_id, 1, True)
    assert _current_per_slot() == Counter({(a.id, p.id, 0): 1, (a.id, q.id, 0): 1, (b.id, p.id, 0): 1, (a.id, p.id, 1): 1})
    assert [(r.participant_id, r.data) for r in load_rows(a)] == [(p.id, {"choices": [0]})]


def test_append_stops_at_the_entry_limit(user):
    from workshop.responses import moderate

    ws, (act,) = _ws(user, activities=(WORDS,))
    p, q = _participant(ws), _participant(ws)
    w0 = submit(p, act.id, "w0", {"text": "Trygghet"})
    outcomes = _write(
        _item(p, act, "w1", {"text": "Tid"}),
        _item(p, act, "w2", {"text": "Tillit"}),  # p's third: over the limit of 2
        _item(q, act, "q1", {"text": "Mod"}),
        _item(q, act, "q2", {"text": "Tempo"}),
        _item(q, act, "q3", {"text": "Ro"}),  # q's third
    )
    rows = _stored()
    assert [(r.participant_id, r.client_id, r.current) for r in rows] == [
        (p.id, "w0", True), (p.id, "w1", True), (q.id, "q1", True), (q.id, "q2", True)]
    assert outcomes == [Stored(rows[1].id, False, {"text": "Tid"}, "visible", act.id, False), None,
                        Stored(rows[2].id, False, {"text": "Mod"}, "visible", act.id, False),
                        Stored(rows[3].id, False, {"text": "Tempo"}, "visible", act.id, False), None]

    # A deleted entry frees its place, as on the slow road.
    moderate(db.session.get(Activity, act.id), w0.response_id, "delete")
    (again,) = _write(_item(p, act, "w2", {"text": "Tillit"}))
    assert again is not None and again.duplicate is False and again.data == {"text": "Tillit"}
    (still_full,) = _write(_item(p, act, "w3", {"text": "Lugn"}))
    assert still_full is None
    assert len(_stored()) == 5


def test_premoderated_entries_are_pending_and_count_toward_the_limit(user):
    ws, (act,) = _ws(user, activities=(TEXTS,))
    p = _participant(ws)
    first, second = _write(_item(p, act, "t1", {"text": "Vem betalar?"}), _item(p, act, "t2", {"text": "Och när?"}))
    (row,) = _stored()
    assert first == Stored(row.id, False, {"text": "Vem betalar?"}, "pending", act.id, False)
    assert second is None
    assert row.status == "pending"
    (later,) = _write(_item(p, act, "t3", {"text": "En till"}))
    assert later is None and len(_stored()) == 1


# --- write_batch: refusals (outcome None, nothing stored) --------------------------------------

def _close(s):
    _update(Workshop, s["ws"].id, status="archived")


def _expire(s):
    _update(Workshop, s["ws"].id, open_until=utcnow() - timedelta(seconds=1))


def _lock(s):
    _update(Activity, s["a"].id, locked=True)


def _change_settings(s):
    from workshop import workshops as core

    core.update_activity(db.session.get(Activity, s["a"].id), "Använder ni metoden?",
                         {"options": ["Ja", "Nej", "Kanske"], "multiple": False, "max_choices": 1}, False, None)


REFUSALS = {
    # name: (prepare after the item was validated, which item)
    "closed workshop": (_close, "a"),
    "open_until passed": (_expire, "a"),
    "locked activity": (_lock, "a"),
    "not the current activity (live)": (None, "b"),
    "settings changed since validation": (_change_settings, "a"),
    "activity of another workshop": (None, "foreign"),
    "activity that does not exist": (None, "missing"),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_refused_input_goes_the_slow_road_and_stores_nothing(user, case):
    prepare, which = REFUSALS[case]
    ws, (a, b) = _ws(user, activities=(MC, MC2))
    other, (c,) = _ws(user, title="Annan")
    p, r = _participant(ws), _participant(other)
    s = {"ws": ws, "a": a}
    if which == "a":
        refused = _item(p, a, "x1", {"choices": [0]})
    elif which == "b":
        refused = _item(p, b, "x1", {"choices": [0]})
    elif which == "foreign":
        refused = _item(p, c, "x1", {"choices": [0]}, workshop_id=ws.id)
    else:
        refused = _item(p, a, "x1", {"choices": [0]})
        refused.activity_id = 10**9
    control = _item(r, c, "ok1", {"choices": [1]})
    if prepare:
        prepare(s)

    outcomes = _write(refused, control)

    rows = _stored()
    assert [(row.activity_id, row.participant_id, row.client_id) for row in rows] == [(c.id, r.id, "ok1")]
    assert outcomes == [None, Stored(rows[0].id, False, {"choices": [1]}, "visible", c.id, False)]


def test_self_paced_accepts_an_activity_that_is_not_current(user):
    ws, (a, b) = _ws(user, activities=(MC, MC2), mode="self_paced")
    p = _participant(ws)
    (out,) = _write(_item(p, b, "sp1", {"choices": [1]}))
    (row,) = _stored()
    assert out == Stored(row.id, False, {"choices": [1]}, "visible", b.id, False)


def test_a_refused_batch_commits_nothing(user):
    ws, (a, b) = _ws(user, activities=(MC, MC2))
    p = _participant(ws)
    assert _write(_item(p, b, "n1", {"choices": [0]}), _item(p, b, "n2", {"choices": [1]})) == [None, None]
    assert _stored() == []


def test_a_database_error_sends_the_whole_batch_the_slow_road(app, user):
    from sqlalchemy.exc import IntegrityError

    ws, (act,) = _ws(user)
    p = _participant(ws)
    good = _item(p, act, "g1", {"choices": [0]})
    ghost = _item(p, act, "g2", {"choices": [1]})
    ghost.participant_id = 10**9  # no such participant: the foreign key refuses the insert
    with pytest.raises(IntegrityError):
        _write(good, ghost)
    assert _stored() == []

    writer = InputWriter(app, None, background=False)
    good, ghost = _item(p, act, "g1", {"choices": [0]}), _item(p, act, "g2", {"choices": [1]})
    ghost.participant_id = 10**9
    writer._run_batch([good, ghost])
    assert (good.outcome, ghost.outcome) == (None, None)
    assert _stored() == []
    assert writer.stats() == {"batches": 1, "items": 2, "slow": 0}


def test_write_batch_ends_its_transaction_even_when_it_writes_nothing(user):
    """The background writer reuses one connection: a batch of resends only must not leave a
    transaction (on PostgreSQL: the participants' row locks) open until the next batch."""
    ws, (act,) = _ws(user)
    p = _participant(ws)
    first = submit(p, act.id, "c1", {"choices": [1]})
    with db.engine.connect() as conn:
        dup = _item(p, act, "c1", {"choices": [1]})
        write_batch(conn, [dup])
        assert dup.outcome == Stored(first.response_id, True, {"choices": [1]}, "visible", act.id)
        assert conn.in_transaction() is False
        refused = _item(p, act, "c2", {"choices": [2]})
        _update(Activity, act.id, locked=True)
        write_batch(conn, [refused])
        assert refused.outcome is None and conn.in_transaction() is False


def test_the_background_writer_keeps_its_connection_and_replaces_it_after_a_failure(app, user):
    ws, (act,) = _ws(user)
    p, q = _participant(ws), _participant(ws)
    writer = InputWriter(app, None, background=True)
    try:
        a, b = _item(p, act, "b1", {"choices": [0]}), _item(q, act, "b2", {"choices": [1]})
        writer._run_batch([a])
        conn = writer._conn
        writer._run_batch([b])
        assert writer._conn is conn and conn.in_transaction() is False
        rows = _stored()
        assert [a.outcome, b.outcome] == [Stored(r.id, False, r.data, "visible", act.id, False) for r in rows]

        ghost = _item(p, act, "g1", {"choices": [2]})
        ghost.participant_id = 10**9  # the foreign key refuses it: the batch goes the slow road
        writer._run_batch([ghost])
        assert ghost.outcome is None and writer._conn is None

        c = _item(p, act, "b3", {"choices": [2]})
        writer._run_batch([c])
        assert c.outcome is not None and c.outcome.duplicate is False
        assert writer._conn is not None and writer._conn is not conn
        assert [(r.client_id, r.current) for r in _stored()] == [("b1", False), ("b2", True), ("b3", True)]
        assert writer.stats() == {"batches": 4, "items": 4, "slow": 0}
    finally:
        writer._drop_connection()


# --- InputWriter.try_store -------------------------------------------------------------------------

@pytest.fixture
def writer(app):
    return InputWriter(app, None, background=False)


def test_try_store_stores_a_valid_vote_and_answers_a_resend_with_it(user, writer):
    ws, (act,) = _ws(user, activities=(("multiple_choice", "Flera", {"options": ["A", "B", "C"], "multiple": True, "max_choices": 2}),))
    p = _participant(ws)
    out = writer.try_store(p.id, ws.id, act.id, "c1", {"choices": [2, 0]})
    (row,) = _stored()
    assert out == Stored(row.id, False, {"choices": [0, 2]}, "visible", act.id, False)
    assert (row.participant_id, row.client_id, row.data, row.current) == (p.id, "c1", {"choices": [0, 2]}, True)
    again = writer.try_store(p.id, ws.id, act.id, "c1", {"choices": [1]})
    assert again == Stored(row.id, True, {"choices": [0, 2]}, "visible", act.id)
    assert len(_stored()) == 1
    assert writer.stats() == {"batches": 2, "items": 2, "slow": 0}


BAD_PAYLOADS = [None, "Ja", [0], {}, {"choices": []}, {"choices": [3]}, {"choices": [0, 1]}, {"choices": ["0"]},
                {"choices": [True]}, {"choices": [0], "extra": 1}]
BAD_CLIENT_IDS = ["", "x" * 65, None, 7, "a\tb", b"c1"]


def test_try_store_refuses_invalid_payloads_and_bad_client_ids(user, writer):
    ws, (act,) = _ws(user)
    p = _participant(ws)
    for payload in BAD_PAYLOADS:
        assert writer.try_store(p.id, ws.id, act.id, "c1", payload) is None, payload
    for client_id in BAD_CLIENT_IDS:
        assert writer.try_store(p.id, ws.id, act.id, client_id, {"choices": [0]}) is None, client_id
    assert _stored() == []
    # None of them reached the writer; each one was sent down the slow road (and counted).
    assert writer.stats() == {"batches": 0, "items": 0, "slow": len(BAD_PAYLOADS) + len(BAD_CLIENT_IDS)}
    # Positive control: the same phone, activity and a good input are stored.
    assert writer.try_store(p.id, ws.id, act.id, "c1", {"choices": [0]}) is not None
    assert len(_stored()) == 1


def test_try_store_refuses_a_bad_or_unknown_activity_id(user, writer):
    ws, (act,) = _ws(user)
    p = _participant(ws)
    for activity_id in [None, True, 0, -1, 2**63, str(act.id), float(act.id), [act.id], 10**9]:
        assert writer.try_store(p.id, ws.id, activity_id, "c1", {"choices": [0]}) is None, activity_id
    assert _stored() == []
    assert writer.stats()["batches"] == 0


def test_try_store_refuses_another_workshops_activity(user, writer):
    ws, (act,) = _ws(user)
    other, (foreign,) = _ws(user, title="Annan")
    p = _participant(ws)
    assert writer.try_store(p.id, ws.id, foreign.id, "c1", {"choices": [0]}) is None
    assert _stored() == []
    assert writer.stats()["batches"] == 0


def test_try_store_leaves_custom_kinds_to_the_slow_road(user, writer):
    ws, (act,) = _ws(user, activities=(EFFECTS,), mode="self_paced")
    p = _participant(ws)
    payload = {"text": "Kortare väntetid", "polarity": "positive"}
    assert writer.try_store(p.id, ws.id, act.id, "e1", payload) is None
    assert _stored() == [] and writer.stats()["batches"] == 0
    # The input itself was fine: the slow road stores it.
    stored = submit(p, act.id, "e1", payload)
    assert stored.duplicate is False and [r.id for r in _stored()] == [stored.response_id]


def test_try_store_over_the_limit_or_on_a_locked_activity_is_slow(user, writer):
    ws, (act,) = _ws(user, activities=(("word_cloud", "Ett ord", {"max_entries": 1, "max_length": 25}),))
    p = _participant(ws)
    first = writer.try_store(p.id, ws.id, act.id, "w1", {"text": "Trygghet"})
    assert first is not None and first.duplicate is False
    assert writer.try_store(p.id, ws.id, act.id, "w2", {"text": "Tid"}) is None
    q = _participant(ws)
    _update(Activity, act.id, locked=True)
    assert writer.try_store(q.id, ws.id, act.id, "q1", {"text": "Mod"}) is None
    assert [r.client_id for r in _stored()] == ["w1"]
    assert writer.stats() == {"batches": 3, "items": 3, "slow": 2}


def test_try_store_with_settings_changed_since_they_were_cached(user, writer, monkeypatch):
    from workshop import input_writer
    from workshop import workshops as core

    ws, (act,) = _ws(user)
    p = _participant(ws)
    assert writer.try_store(p.id, ws.id, act.id, "c1", {"choices": [0]}) is not None  # caches the settings
    core.update_activity(db.session.get(Activity, act.id), "Använder ni metoden?",
                         {"options": ["Ja", "Nej"], "multiple": False, "max_choices": 1}, False, None)
    # Valid under the cached settings, but they changed: the slow road decides.
    assert writer.try_store(p.id, ws.id, act.id, "c2", {"choices": [1]}) is None
    assert [r.client_id for r in _stored()] == ["c1"]
    assert writer.stats()["slow"] == 1

    # Once the cached copy expires the new settings are read and the fast road works again.
    real = time.monotonic
    monkeypatch.setattr(input_writer, "time", types.SimpleNamespace(monotonic=lambda: real() + input_writer.SETTINGS_TTL + 1))
    out = writer.try_store(p.id, ws.id, act.id, "c3", {"choices": [1]})
    rows = _stored()
    assert out == Stored(rows[-1].id, False, {"choices": [1]}, "visible", act.id, False)
    assert [(r.client_id, r.current) for r in rows] == [("c1", False), ("c3", True)]
    assert writer.try_store(p.id, ws.id, act.id, "c4", {"choices": [2]}) is None  # option 3 is gone


# --- through the socket handler ------------------------------------------------------------------

def _helpers():
    name = "nyttoverkstad_integration_helpers"
    if name not in sys.modules:
        path = Path(__file__).resolve().parents[1] / "integration" / "helpers.py"
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def test_a_socket_vote_takes_the_fast_road_with_the_same_ack(app, make_workshop, monkeypatch):
    h = _helpers()
    ws_id, code, ids = make_workshop()
    writer = app.extensions["input_writer"]
    broadcaster = app.extensions["broadcaster"]
    tc, _ = h.phone(app, app.test_client(), code)
    h.flush(app)
    assert broadcaster.stats()["dirty"] == 0

    ack = h.vote(tc, ids[0], "v1", (2,))
    rows = h.response_rows(app)
    assert ack == {"ok": True, "response_id": rows[0][0], "duplicate": False, "data": {"choices": [2]}, "status": "visible"}
    assert writer.stats() == {"batches": 1, "items": 1, "slow": 0}
    assert broadcaster.stats()["dirty"] == 1
    h.flush(app)

    again = h.vote(tc, ids[0], "v1", (0,))
    assert again == {"ok": True, "response_id": rows[0][0], "duplicate": True, "data": {"choices": [2]}, "status": "visible"}
    # A resend changes no result, but the results are sent again: the process that stored it
    # may have died before sending them.
    assert broadcaster.stats()["dirty"] == 1

    # The slow road (what every input took before the writer) acknowledges the same way.
    fast_ack = h.vote(tc, ids[0], "v2", (1,))
    monkeypatch.setattr(writer, "try_store", lambda *args: None)
    slow_ack = h.vote(tc, ids[0], "v3", (1,))
    monkeypatch.undo()
    assert fast_ack["response_id"] < slow_ack["response_id"]
    assert {**fast_ack, "response_id": 0} == {**slow_ack, "response_id": 0} == {
        "ok": True, "response_id": 0, "duplicate": False, "data": {"choices": [1]}, "status": "visible"}
    rows = h.response_rows(app)
    assert [(r[3], r[6]) for r in rows] == [("v1", False), ("v2", False), ("v3", True)]

    # A refusal still comes back with its code, through the slow road.
    h.update_row(app, Activity, ids[0], locked=True)
    h.assert_error(h.vote(tc, ids[0], "v4", (0,)), "locked")
    assert writer.stats() == {"batches": 4, "items": 4, "slow": 1}
    assert len(h.response_rows(app)) == 3
