"""The one write path of phone inputs (``workshop.inputs``): ``write_batch`` stores a batch in
one transaction under the rules every kind shares; ``InputWriter`` feeds it (group commit) and
stores input by input when a batch fails. Refusals are answered with their code; nothing of a
refused input is stored.
"""

from __future__ import annotations

import importlib.util
import secrets
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from workshop.extensions import db
from workshop.inputs import InputWriter, Item, Stored, submit, write_batch
from workshop.models import Activity, Participant, Response, User, Workshop, utcnow
from workshop.responses import load_rows

MC = (
    "multiple_choice",
    "Använder ni metoden?",
    {"options": ["Ja", "Nej", "Vet inte"], "multiple": False, "max_choices": 1},
)
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


def _item(p, act, client_id: Any, payload: Any, *, workshop_id: int | None = None) -> Item:
    return Item(p.id, act.workshop_id if workshop_id is None else workshop_id, act.id, client_id, payload)


def _write(*items: Item) -> list[Stored | str]:
    """Each input's answer: what was stored, or the refusal's code."""
    write_batch(db.session, list(items))
    return [i.outcome if i.error is None else i.error.code for i in items]


def _stored() -> list[Any]:
    """Every committed response, read on a connection of its own."""
    r = Response.__table__.c
    with db.engine.connect() as conn:
        return conn.execute(
            select(
                r.id, r.activity_id, r.participant_id, r.client_id, r.generation, r.data, r.current, r.status
            ).order_by(r.id)
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
    assert [
        (r.activity_id, r.participant_id, r.client_id, r.generation, r.data, r.current, r.status) for r in rows
    ] == [
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
        (p.id, "c1", {"choices": [1]}, True),
        (q.id, "c1", {"choices": [2]}, True),
    ]
    assert outcomes == [
        Stored(first.response_id, True, {"choices": [1]}, "visible", act.id),
        Stored(rows[1].id, False, {"choices": [2]}, "visible", act.id, False),
    ]

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
    assert outcomes == [
        Stored(row.id, False, {"choices": [0]}, "visible", act.id, False),
        Stored(row.id, True, {"choices": [0]}, "visible", act.id),
    ]


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
        (p.id, "p1", False),
        (q.id, "q1", True),
        (p.id, "p2", False),
        (p.id, "p3", True),
    ]
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
        (a.id, p.id, "s1", False),
        (a.id, q.id, "q1", True),
        (b.id, p.id, "pb", True),
        (a.id, p.id, "b1", False),
        (a.id, p.id, "b2", True),
    ]
    assert _current_per_slot() == Counter({(a.id, p.id, 0): 1, (a.id, q.id, 0): 1, (b.id, p.id, 0): 1})

    # After a reset the new generation has its own current answer; the old generation is left as it was.
    reset_activity(a)
    (new,) = _write(_item(p, a, "g1", {"choices": [0]}))
    rows = _stored()
    assert (rows[-1].id, rows[-1].generation, rows[-1].current) == (new.response_id, 1, True)
    assert _current_per_slot() == Counter(
        {(a.id, p.id, 0): 1, (a.id, q.id, 0): 1, (b.id, p.id, 0): 1, (a.id, p.id, 1): 1}
    )
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
        (p.id, "w0", True),
        (p.id, "w1", True),
        (q.id, "q1", True),
        (q.id, "q2", True),
    ]
    assert outcomes == [
        Stored(rows[1].id, False, {"text": "Tid"}, "visible", act.id, False),
        "limit",
        Stored(rows[2].id, False, {"text": "Mod"}, "visible", act.id, False),
        Stored(rows[3].id, False, {"text": "Tempo"}, "visible", act.id, False),
        "limit",
    ]

    # A deleted entry frees its place.
    moderate(db.session.get(Activity, act.id), w0.response_id, "delete")
    (again,) = _write(_item(p, act, "w2", {"text": "Tillit"}))
    assert isinstance(again, Stored) and again.duplicate is False and again.data == {"text": "Tillit"}
    assert _write(_item(p, act, "w3", {"text": "Lugn"})) == ["limit"]
    assert len(_stored()) == 5


def test_premoderated_entries_are_pending_and_count_toward_the_limit(user):
    ws, (act,) = _ws(user, activities=(TEXTS,))
    p = _participant(ws)
    first, second = _write(_item(p, act, "t1", {"text": "Vem betalar?"}), _item(p, act, "t2", {"text": "Och när?"}))
    (row,) = _stored()
    assert first == Stored(row.id, False, {"text": "Vem betalar?"}, "pending", act.id, False)
    assert second == "limit"
    assert row.status == "pending"
    assert _write(_item(p, act, "t3", {"text": "En till"})) == ["limit"]
    assert len(_stored()) == 1


# --- write_batch: refusals (answered with their code, nothing stored) ----------------------------


def _close(s):
    _update(Workshop, s["ws"].id, status="archived")


def _expire(s):
    _update(Workshop, s["ws"].id, open_until=utcnow() - timedelta(seconds=1))


def _lock(s):
    _update(Activity, s["a"].id, locked=True)


REFUSALS = {
    # name: (prepare before the batch, which item, the code it is answered with)
    "closed workshop": (_close, "a", "closed"),
    "open_until passed": (_expire, "a", "closed"),
    "locked activity": (_lock, "a", "locked"),
    "not the current activity (live)": (None, "b", "not_current"),
    "activity of another workshop": (None, "foreign", "unknown_activity"),
    "activity that does not exist": (None, "missing", "unknown_activity"),
    "participant that does not exist": (None, "ghost", "unknown_participant"),
    "invalid payload": (None, "invalid", "invalid"),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_a_refused_input_is_answered_with_its_code_and_stores_nothing(app, user, case):
    prepare, which, code = REFUSALS[case]
    ws, (a, b) = _ws(user, activities=(MC, MC2))
    other, (c,) = _ws(user, title="Annan")
    p, r = _participant(ws), _participant(other)
    s = {"ws": ws, "a": a}
    refused = _item(p, a, "x1", {"choices": [0]})
    if which == "b":
        refused = _item(p, b, "x1", {"choices": [0]})
    elif which == "foreign":
        refused = _item(p, c, "x1", {"choices": [0]}, workshop_id=ws.id)
    elif which == "missing":
        refused.activity_id = 10**9
    elif which == "ghost":
        refused.participant_id = 10**9
    elif which == "invalid":
        refused.payload = {"choices": [7]}
    control = _item(r, c, "ok1", {"choices": [1]})
    if prepare:
        prepare(s)

    # Through the writer: a participant gone on SQLite fails the batch at its foreign key, and
    # the writer then stores each input on its own, which looks the participant up.
    writer = InputWriter(app, None, background=False)
    writer._run([refused, control], db.session)
    outcomes = [i.outcome if i.error is None else i.error.code for i in (refused, control)]

    rows = _stored()
    assert [(row.activity_id, row.participant_id, row.client_id) for row in rows] == [(c.id, r.id, "ok1")]
    assert outcomes == [code, Stored(rows[0].id, False, {"choices": [1]}, "visible", c.id, False)]


def test_settings_changed_since_the_last_batch_are_the_ones_applied(user):
    from workshop import workshops as core

    ws, (act,) = _ws(user)
    p = _participant(ws)
    assert isinstance(_write(_item(p, act, "c1", {"choices": [2]}))[0], Stored)
    core.update_activity(
        db.session.get(Activity, act.id),
        "Använder ni metoden?",
        {"options": ["Ja", "Nej"], "multiple": False, "max_choices": 1},
        False,
        None,
    )
    assert _write(_item(p, act, "c2", {"choices": [2]})) == ["invalid"]  # option 3 is gone
    assert isinstance(_write(_item(p, act, "c3", {"choices": [1]}))[0], Stored)
    assert [(r.client_id, r.current) for r in _stored()] == [("c1", False), ("c3", True)]


def test_self_paced_accepts_an_activity_that_is_not_current(user):
    ws, (a, b) = _ws(user, activities=(MC, MC2), mode="self_paced")
    p = _participant(ws)
    (out,) = _write(_item(p, b, "sp1", {"choices": [1]}))
    (row,) = _stored()
    assert out == Stored(row.id, False, {"choices": [1]}, "visible", b.id, False)


def test_a_refused_batch_commits_nothing(user):
    ws, (a, b) = _ws(user, activities=(MC, MC2))
    p = _participant(ws)
    assert _write(_item(p, b, "n1", {"choices": [0]}), _item(p, b, "n2", {"choices": [1]})) == [
        "not_current",
        "not_current",
    ]
    assert _stored() == []


BAD_CLIENT_IDS = ["", "x" * 65, None, 7, "a\tb", b"c1"]
BAD_ACTIVITY_IDS = [None, True, 0, -1, 2**63, "1", 1.0, [1]]


def test_bad_client_ids_and_activity_ids_are_refused_before_any_read(user):
    ws, (act,) = _ws(user)
    p = _participant(ws)
    items = [_item(p, act, cid, {"choices": [0]}) for cid in BAD_CLIENT_IDS]
    for aid in BAD_ACTIVITY_IDS:
        item = _item(p, act, "c1", {"choices": [0]})
        item.activity_id = aid
        items.append(item)
    assert _write(*items) == ["invalid"] * len(BAD_CLIENT_IDS) + ["unknown_activity"] * len(BAD_ACTIVITY_IDS)
    assert _stored() == []


# --- the two behaviours every road keeps (protocol §7) -------------------------------------------


def _resend_after(s, how):
    if how == "locked":
        _update(Activity, s["act"].id, locked=True)
    elif how == "closed":
        _update(Workshop, s["ws"].id, status="archived")
    elif how == "settings changed":
        from workshop import workshops as core

        core.update_activity(
            db.session.get(Activity, s["act"].id),
            "Ny fråga",
            {"options": ["X", "Y"], "multiple": False, "max_choices": 1},
            False,
            None,
        )
    elif how == "limit reached":
        pass  # one answer per phone: the stored one is the phone's whole allowance


@pytest.mark.parametrize("road", ["batch", "alone", "writer"])
@pytest.mark.parametrize("how", ["locked", "closed", "settings changed", "limit reached"])
def test_a_resend_is_answered_with_the_stored_input_whatever_changed(app, user, road, how):
    kinds = {"limit reached": (("word_cloud", "Ett ord", {"max_entries": 1, "max_length": 25}), {"text": "Tid"})}
    spec, payload = kinds.get(how, (MC, {"choices": [2]}))
    ws, (act,) = _ws(user, activities=(spec,))
    p = _participant(ws)
    first = submit(p, act.id, "c1", payload)
    _resend_after({"ws": ws, "act": act}, how)
    resend_payload = {"text": "Något annat"} if "text" in payload else {"choices": [0]}
    if road == "batch":
        (out,) = _write(_item(p, act, "c1", resend_payload))
    elif road == "alone":
        out = submit(p, act.id, "c1", resend_payload)
    else:
        out = InputWriter(app, None, background=False).store(p.id, ws.id, act.id, "c1", resend_payload)
    assert out == Stored(first.response_id, True, first.data, first.status, act.id)
    assert len(_stored()) == 1


def test_single_choice_refuses_two_choices_and_no_kind_counts_an_option_twice(user):
    # Single choice whose "at most" setting says 3 (left from when it allowed several): still one.
    single_spec = ("multiple_choice", "En", {"options": ["A", "B", "C"], "multiple": False, "max_choices": 3})
    multi = ("multiple_choice", "Flera", {"options": ["A", "B", "C"], "multiple": True, "max_choices": 3})
    ranking = ("ranking", "Ordna", {"options": ["A", "B", "C"]})
    ws, (single, many, rank) = _ws(user, activities=(single_spec, multi, ranking), mode="self_paced")
    p = _participant(ws)
    assert _write(_item(p, single, "s1", {"choices": [0, 1]})) == ["invalid"]
    assert _write(_item(p, many, "m1", {"choices": [1, 1]})) == ["invalid"]
    assert _write(_item(p, rank, "r1", {"order": [0, 0, 1]})) == ["invalid"]
    assert _stored() == []
    # Positive controls: the same phone with proper answers is stored.
    assert isinstance(_write(_item(p, single, "s2", {"choices": [1]}))[0], Stored)
    assert isinstance(_write(_item(p, many, "m2", {"choices": [2, 0]}))[0], Stored)


# --- method kinds on the same road ---------------------------------------------------------------


@pytest.mark.parametrize("road", ["session", "writer's connection"])
def test_an_effect_and_its_card_on_the_wall_are_stored_in_one_batch_with_votes(user, road):
    from workshop.draft.models import Analysis

    ws, (eff, mc) = _ws(user, activities=(EFFECTS, MC), mode="self_paced")
    ws_id = ws.id  # read now: the write below may leave the test's session with other objects
    p, q = _participant(ws), _participant(ws)
    items = [
        _item(q, mc, "v1", {"choices": [0]}),
        _item(p, eff, "e1", {"text": "Kortare väntetid", "polarity": "positive"}),
        _item(q, mc, "v2", {"choices": [1]}),
    ]
    if road == "session":
        outcomes = _write(*items)
    else:  # the background writer's own connection: an ORM session joins it for the card only
        with db.engine.connect() as conn:
            write_batch(conn, items)
            assert conn.in_transaction() is False
        outcomes = [i.outcome if i.error is None else i.error.code for i in items]
        db.session.expire_all()
    assert all(isinstance(o, Stored) for o in outcomes), outcomes
    assert [o.changed_draft for o in outcomes] == [False, True, False]
    rows = _stored()
    assert [(r.client_id, r.current) for r in rows] == [("v1", False), ("e1", True), ("v2", True)]
    analysis = db.session.scalars(select(Analysis).where(Analysis.workshop_id == ws_id)).one()
    assert [(n.title, n.source_response_id) for n in analysis.nodes] == [("Kortare väntetid", outcomes[1].response_id)]


def test_a_draft_change_refused_in_a_batch_refuses_only_that_input(app, user, monkeypatch):
    from workshop.draft import service

    ws, (eff, mc) = _ws(user, activities=(EFFECTS, MC), mode="self_paced")
    p, q = _participant(ws), _participant(ws)

    def full(*args, **kwargs):
        from workshop.activities import InputError

        raise InputError("invalid", "full")

    monkeypatch.setattr(service, "add_node", full)
    writer = InputWriter(app, None, background=False)
    vote = _item(q, mc, "v1", {"choices": [0]})
    effect = _item(p, eff, "e1", {"text": "Kortare väntetid", "polarity": "positive"})
    writer._run([vote, effect], db.session)
    assert isinstance(vote.outcome, Stored) and effect.error is not None and effect.error.message == "full"
    assert [r.client_id for r in _stored()] == ["v1"]
    assert writer.stats() == {"batches": 1, "items": 2, "alone": 2}


# --- the writer ----------------------------------------------------------------------------------


def test_a_database_error_stores_each_input_of_the_batch_on_its_own(app, user, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from workshop.inputs import writer as writer_module

    ws, (act,) = _ws(user)
    p, q = _participant(ws), _participant(ws)
    real = writer_module.write_batch
    calls = []

    def flaky(session, items):
        calls.append(len(items))
        if len(items) > 1:
            raise OperationalError("INSERT", {}, Exception("server closed the connection"))
        return real(session, items)

    monkeypatch.setattr(writer_module, "write_batch", flaky)
    writer = InputWriter(app, None, background=False)
    a, b = _item(p, act, "g1", {"choices": [0]}), _item(q, act, "g2", {"choices": [1]})
    writer._run([a, b], db.session)
    assert calls == [2, 1, 1]
    assert isinstance(a.outcome, Stored) and isinstance(b.outcome, Stored)
    assert [r.client_id for r in _stored()] == ["g1", "g2"]


def test_write_batch_ends_its_transaction_even_when_it_writes_nothing(user):
    """The background writer reuses one connection: a batch of resends only must not leave a
    transaction (on PostgreSQL: the participants' row locks) open until the next batch."""
    from sqlalchemy.orm import Session

    ws, (act,) = _ws(user)
    p = _participant(ws)
    first = submit(p, act.id, "c1", {"choices": [1]})
    with db.engine.connect() as conn:
        session = Session(bind=conn)
        dup = _item(p, act, "c1", {"choices": [1]})
        write_batch(session, [dup])
        assert dup.outcome == Stored(first.response_id, True, {"choices": [1]}, "visible", act.id)
        assert conn.in_transaction() is False
        refused = _item(p, act, "c2", {"choices": [2]})
        _update(Activity, act.id, locked=True)
        write_batch(session, [refused])
        assert refused.error.code == "locked" and conn.in_transaction() is False
        session.close()


def test_the_background_writer_keeps_its_connection_and_replaces_it_after_a_failure(app, user, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from workshop.inputs import writer as writer_module

    ws, (act,) = _ws(user)
    p, q = _participant(ws), _participant(ws)
    writer = InputWriter(app, None, background=True)
    try:
        a, b = _item(p, act, "b1", {"choices": [0]}), _item(q, act, "b2", {"choices": [1]})
        with app.app_context():
            writer._run([a], writer._connection())
        conn = writer._conn
        with app.app_context():
            writer._run([b], writer._connection())
        assert writer._conn is conn and conn.in_transaction() is False
        rows = _stored()
        assert [a.outcome, b.outcome] == [Stored(r.id, False, r.data, "visible", act.id, False) for r in rows]

        real = writer_module.write_batch
        monkeypatch.setattr(
            writer_module,
            "write_batch",
            lambda *args: (_ for _ in ()).throw(OperationalError("SELECT", {}, Exception("connection lost"))),
        )
        ghost = _item(p, act, "g1", {"choices": [2]})
        with app.app_context():
            writer._run([ghost], writer._connection())
        assert ghost.outcome is None and ghost.error.code == "unavailable" and writer._conn is None
        monkeypatch.setattr(writer_module, "write_batch", real)

        c = _item(p, act, "b3", {"choices": [2]})
        with app.app_context():
            writer._run([c], writer._connection())
        assert c.outcome is not None and c.outcome.duplicate is False
        assert writer._conn is not None and writer._conn is not conn
        assert [(r.client_id, r.current) for r in _stored()] == [("b1", False), ("b2", True), ("b3", True)]
    finally:
        writer._drop_connection()


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


def test_a_socket_vote_and_a_method_input_are_acknowledged_after_the_writer(app, make_workshop):
    h = _helpers()
    ws_id, code, ids = make_workshop()
    writer = app.extensions["input_writer"]
    broadcaster = app.extensions["broadcaster"]
    tc, _ = h.phone(app, app.test_client(), code)
    h.flush(app)
    assert broadcaster.stats()["dirty"] == 0

    ack = h.vote(tc, ids[0], "v1", (2,))
    rows = h.response_rows(app)
    assert ack == {
        "ok": True,
        "response_id": rows[0][0],
        "duplicate": False,
        "data": {"choices": [2]},
        "status": "visible",
    }
    assert writer.stats() == {"batches": 1, "items": 1, "alone": 0}
    assert broadcaster.stats()["dirty"] == 1
    h.flush(app)

    again = h.vote(tc, ids[0], "v1", (0,))
    assert again == {
        "ok": True,
        "response_id": rows[0][0],
        "duplicate": True,
        "data": {"choices": [2]},
        "status": "visible",
    }
    # A resend changes no result, but the results are sent again: the process that stored it
    # may have died before sending them.
    assert broadcaster.stats()["dirty"] == 1

    # A refusal comes back with its code.
    h.update_row(app, Activity, ids[0], locked=True)
    h.assert_error(h.vote(tc, ids[0], "v4", (0,)), "locked")
    assert writer.stats() == {"batches": 3, "items": 3, "alone": 0}


def test_the_writer_counts_a_batchs_rate_limits_in_one_call_and_stores_none_over_them(app, user, monkeypatch):
    """Each input counts against the limits the socket layer names (per phone, per address),
    the whole batch in one call to the limiter: with Redis one round trip, not one per vote."""
    from workshop.ratelimit import RateLimits

    ws, (act,) = _ws(user)
    p, q = _participant(ws), _participant(ws)
    limiter = RateLimits("memory://", {"submit": "2/minute", "submit_address": "100/minute"})
    calls = []
    many = limiter.allow_many
    monkeypatch.setattr(limiter, "allow_many", lambda inputs: calls.append(len(inputs)) or many(inputs))
    monkeypatch.setitem(app.extensions, "limits", limiter)

    def item(who, cid):
        it = _item(who, act, cid, {"choices": [0]})
        it.limits = (("submit", str(who.id)), ("submit_address", "10.0.0.1"))
        return it

    batch = [item(p, "a1"), item(p, "a2"), item(p, "a3"), item(q, "b1")]
    InputWriter(app, None, background=False)._run(batch, db.session)
    assert calls == [4]
    assert [i.error.code if i.error else "stored" for i in batch] == ["stored", "stored", "rate_limited", "stored"]
    assert sorted(r.client_id for r in _stored()) == ["a1", "a2", "b1"]


def test_refusals_from_the_writer_are_worded_in_the_phones_language(app, user):
    """The serving process's writer answers outside any request: each input's refusal is worded
    in its workshop's language, whatever the batch holds."""
    from flask import g

    ws, (act,) = _ws(user)
    ws_en, (act_en,) = _ws(user, title="Forum")
    ws_en.language = "en"
    _update(Activity, act.id, locked=True)
    _update(Activity, act_en.id, locked=True)
    p, e = _participant(ws), _participant(ws_en)
    db.session.commit()
    sv, en = _item(p, act, "s1", {"choices": [0]}), _item(e, act_en, "e1", {"choices": [0]})
    sv.language, en.language = "sv", "en"
    with app.app_context():  # as the writer runs: no request, no locale of its own
        assert getattr(g, "locale", None) is None
        with db.engine.connect() as conn:
            write_batch(conn, [en, sv])
    assert (en.error.code, en.error.message) == ("locked", "This activity is locked.")
    assert (sv.error.code, sv.error.message) == ("locked", "Aktiviteten är låst.")


def test_a_writer_that_does_not_answer_gets_one_input_stored_beside_it_at_a_time(app, user, monkeypatch):
    """After WAIT_SECONDS without an answer the input is stored on its own, one at a time: while
    that lane is taken the phone is told to send again (its outbox does), so a slow writer is
    never buried under competing transactions that empty the connection pool."""
    import queue
    import threading
    from types import SimpleNamespace

    from workshop.activities import InputError
    from workshop.inputs import writer as writer_module

    ws, (act,) = _ws(user)
    p = _participant(ws)
    eio = SimpleNamespace(create_event=threading.Event)
    stuck = InputWriter(app, SimpleNamespace(server=SimpleNamespace(eio=eio)), background=True)
    stuck._queue = queue.Queue()  # nobody takes from it: the writer never answers
    monkeypatch.setattr(writer_module, "WAIT_SECONDS", 0.05)

    stuck._alone_lane.acquire()  # another phone's input is being stored beside the writer
    with pytest.raises(InputError) as refused:
        stuck.store(p.id, ws.id, act.id, "c1", {"choices": [1]})
    assert refused.value.code == "unavailable"
    assert _stored() == []
    stuck._alone_lane.release()

    out = stuck.store(p.id, ws.id, act.id, "c1", {"choices": [1]})  # the phone sends it again
    assert isinstance(out, Stored) and not out.duplicate
    assert len(_stored()) == 1 and stuck.stats()["alone"] == 1


def test_a_batch_reads_its_phones_earlier_inputs_in_chunks_giving_way_between_them(user, monkeypatch):
    """Thousands of earlier figures (an estimates round) were read in one piece while every
    other phone waited; now they are streamed, with a break every ``GIVE_WAY_ROWS`` rows, and
    every one of them still counts (here: toward the limit of words). A process that has read
    them before reads only what changed since (``responses.current_inputs``): here it starts
    afresh, as after a restart."""
    from workshop import cooperative, responses

    ws, (act,) = _ws(user, activities=(("word_cloud", "Ord", {"max_entries": 10, "max_length": 25}),))
    people = [_participant(ws) for _ in range(70)]
    full, last = people[:-1], people[-1]
    _write(*[_item(p, act, f"{p.id}-{n}", {"text": f"ord{n}"}) for p in full for n in range(10)])
    _write(*[_item(last, act, f"{last.id}-{n}", {"text": f"ord{n}"}) for n in range(9)])
    assert len(_stored()) == 69 * 10 + 9 > cooperative.GIVE_WAY_ROWS

    breaks = []
    monkeypatch.setattr(cooperative, "give_way", lambda: breaks.append(1))
    responses._kept.clear()
    outcomes = _write(*[_item(p, act, f"{p.id}-new", {"text": "sist"}) for p in people])
    assert breaks, "the earlier inputs were read in one piece"
    assert outcomes[:-1] == ["limit"] * 69  # every earlier word was read
    assert isinstance(outcomes[-1], Stored) and outcomes[-1].duplicate is False
