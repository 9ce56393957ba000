"""Reading an activity's inputs incrementally (``responses.current_inputs``): a process keeps
what it last read of each activity and reads only the rows written since (their
``revision``). Every way inputs change must reach such a reader exactly as a fresh read sees
them, and nothing a transaction wrote may stay behind when it rolls back.
"""

from __future__ import annotations

import secrets
from typing import Any

import pytest
from sqlalchemy import select

from workshop import responses
from workshop.extensions import db
from workshop.inputs import Item, write_batch
from workshop.models import Activity, Participant, Response, User
from workshop.responses import (
    approve_all,
    forget_participant,
    forget_participants,
    load_rows,
    moderate,
    reset_activity,
)

QNA = ("qna", "Frågor till nämnden", {"premoderate": True, "max_questions": 5})
MC = ("multiple_choice", "Använder ni metoden?", {"options": ["Ja", "Nej"], "multiple": False, "max_choices": 1})


@pytest.fixture
def user(db_session, facilitator):
    return db_session.get(User, facilitator)


def _ws(user, activities):
    from workshop import workshops as core

    ws = core.create_workshop(user, "Användarforum", mode="self_paced")
    acts = [core.add_activity(ws, kind, t, cfg) for kind, t, cfg in activities]
    ws.status = "open"
    db.session.commit()
    return ws, acts


def _participant(ws, nickname: str = "") -> Participant:
    p = Participant(workshop_id=ws.id, token=secrets.token_urlsafe(24), nickname=nickname)
    db.session.add(p)
    db.session.commit()
    return p


def _write(act, *inputs: tuple[Participant, dict[str, Any]]) -> list[int]:
    items = [Item(p.id, act.workshop_id, act.id, secrets.token_hex(8), payload) for p, payload in inputs]
    write_batch(db.session, items)
    assert all(i.error is None for i in items), [i.error.as_dict() for i in items if i.error]
    return [i.outcome.response_id for i in items]


def _seen(act) -> list[tuple]:
    """What a reader gets, every status, as plain tuples."""
    db.session.expire_all()
    fresh = db.session.get(Activity, act.id)
    return [
        (r.id, r.participant_id, r.data, r.status, r.ref_id, r.merged_into_id, r.answered, r.nickname, r.generation)
        for r in load_rows(fresh, include_hidden=True)
    ]


def _afresh(act) -> list[tuple]:
    """What a reader that never read the activity before gets."""
    kept = dict(responses._kept)
    responses._kept.clear()
    try:
        return _seen(act)
    finally:
        responses._kept.clear()
        responses._kept.update(kept)


def _same(act) -> list[tuple]:
    kept = _seen(act)
    assert kept == _afresh(act)
    return kept


def test_every_change_to_inputs_reaches_a_reader_that_kept_them(user):
    ws, (qna, mc) = _ws(user, [QNA, MC])
    anna, bo, cia = (_participant(ws, n) for n in ("Anna", "Bo", "Cia"))
    assert _same(qna) == []

    q1, q2, q3 = _write(qna, (anna, {"action": "ask", "text": "Vad kostar det?"}),
                        (bo, {"action": "ask", "text": "Vem gör det?"}),
                        (cia, {"action": "ask", "text": "Vad kostar det egentligen?"}))  # fmt: skip
    assert [r[3] for r in _same(qna)] == ["pending"] * 3
    assert approve_all(qna) == 3
    assert [r[3] for r in _same(qna)] == ["visible"] * 3

    (up,) = _write(qna, (bo, {"action": "upvote", "question": q1, "on": True}))
    assert up in [r[0] for r in _same(qna)]
    (down,) = _write(qna, (bo, {"action": "upvote", "question": q1, "on": False}))  # supersedes the upvote
    ids = [r[0] for r in _same(qna)]
    assert down in ids and up not in ids

    moderate(qna, q2, "hide")
    assert dict((r[0], r[3]) for r in _same(qna))[q2] == "hidden"
    moderate(qna, q3, "merge", q1)
    assert dict((r[0], r[5]) for r in _same(qna))[q3] == q1
    moderate(qna, q1, "answered")
    assert dict((r[0], r[6]) for r in _same(qna))[q1] is True
    moderate(qna, q2, "delete")
    assert dict((r[0], r[3]) for r in _same(qna))[q2] == "deleted"

    # An answer changed as an ORM object, outside the moderation helpers.
    obj = db.session.get(Response, q2)
    obj.status = "visible"
    db.session.commit()
    assert dict((r[0], r[3]) for r in _same(qna))[q2] == "visible"

    # A vote changed: the earlier one stops counting.
    (v1,) = _write(mc, (anna, {"choices": [0]}))
    assert [r[0] for r in _same(mc)] == [v1]
    (v2,) = _write(mc, (anna, {"choices": [1]}))
    assert [r[0] for r in _same(mc)] == [v2]

    forget_participant(db.session.get(Participant, bo.id))
    assert bo.id not in [r[1] for r in _same(qna)]
    forget_participants(ws.id)
    assert _same(qna) == [] and _same(mc) == []

    (again,) = _write(mc, (cia, {"choices": [0]}))  # a new phone's vote after all that
    assert [r[0] for r in _same(mc)] == [again]
    reset_activity(db.session.get(Activity, mc.id))
    assert _same(mc) == []


def test_a_reader_reads_only_what_changed_since_it_last_read(user, monkeypatch):
    ws, (qna, _mc) = _ws(user, [QNA, MC])
    people = [_participant(ws) for _ in range(30)]
    _write(qna, *[(p, {"action": "ask", "text": f"Fråga {i}"}) for i, p in enumerate(people)])
    approve_all(qna)
    assert len(_seen(qna)) == 30

    read: list[int] = []
    real = responses._read
    monkeypatch.setattr(responses, "_read", lambda *a, **k: (lambda out: read.append(len(out)) or out)(real(*a, **k)))
    assert len(_seen(qna)) == 30 and read == []  # nothing written since: nothing read
    _write(qna, (people[0], {"action": "upvote", "question": _seen(qna)[1][0], "on": True}))
    assert len(_seen(qna)) == 31
    assert read == [1]


def test_what_a_transaction_wrote_is_not_kept_when_it_rolls_back(user):
    ws, (qna, _mc) = _ws(user, [QNA, MC])
    anna = _participant(ws)
    (q1,) = _write(qna, (anna, {"action": "ask", "text": "Första"}))
    assert [r[0] for r in _seen(qna)] == [q1]

    db.session.add(
        Response(activity_id=qna.id, participant_id=anna.id, client_id="x1", data={"text": "Aldrig"}, status="visible")
    )
    db.session.flush()
    assert len(load_rows(db.session.get(Activity, qna.id), include_hidden=True)) == 2  # its own write
    db.session.rollback()
    assert [r[0] for r in _same(qna)] == [q1]

    # The same revision written again by another transaction is read, not taken as known.
    (q2,) = _write(qna, (anna, {"action": "ask", "text": "Andra"}))
    assert [r[0] for r in _same(qna)] == [q1, q2]


def test_an_activity_removed_and_its_id_given_again_is_read_afresh(user):
    from workshop import workshops as core

    ws, (qna, mc) = _ws(user, [QNA, MC])
    anna = _participant(ws)
    _write(mc, (anna, {"choices": [0]}))
    assert len(_seen(mc)) == 1
    old_id = mc.id
    responses._kept.clear()
    assert len(_seen(mc)) == 1  # kept at the removed activity's revision
    core.delete_activity(db.session.get(Activity, mc.id))
    db.session.commit()
    new = core.add_activity(db.session.get(type(ws), ws.id), *MC)
    db.session.commit()
    assert db.session.scalar(select(Activity.inputs_revision).where(Activity.id == new.id)) == 0
    assert _same(new) == []
    # Written to as often as the removed one, so that it has the same revision too.
    (vote,) = _write(new, (anna, {"choices": [1]}))
    if new.id == old_id:  # SQLite gives the highest id again
        assert [r[0] for r in _seen(new)] == [vote]
    assert [r[0] for r in _same(new)] == [vote]
