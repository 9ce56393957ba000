"""Tally kinds (``ActivityKind.tally``): live results read (status, answer, count) groups
(``responses.load_tally``) instead of every row. For any set of answers the result must be the
one the rows give: the same aggregate over the visible answers and the same responder count.
"""

from __future__ import annotations

import secrets
from collections import Counter
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import update

from workshop.activities import all_kinds, get_kind
from workshop.activities.base import Row
from workshop.extensions import db
from workshop.inputs import Item, write_batch
from workshop.models import Participant, Response, User
from workshop.responses import load_rows, load_tally, reset_activity

TALLY_KINDS = ("multiple_choice", "scale", "ranking", "points")
PHONES = 5

# Few options, so that identical answers (weights above 1) are common.
CASES: dict[str, tuple[dict[str, Any], Any]] = {
    "multiple_choice": (
        {"options": ["A", "B", "C", "D"], "multiple": True, "max_choices": 3},
        st.lists(st.integers(0, 3), min_size=1, max_size=3, unique=True).map(lambda c: {"choices": c}),
    ),
    "scale": (
        {"max": 5, "label_low": "Låg", "label_high": "Hög"},
        st.integers(1, 5).map(lambda v: {"value": v}),
    ),
    "ranking": (
        {"options": ["Tid", "Pengar", "Trygghet"]},
        st.permutations([0, 1, 2]).map(lambda o: {"order": list(o)}),
    ),
    "points": (
        {"options": ["Tid", "Pengar", "Trygghet"], "budget": 15},
        st.lists(st.integers(0, 5), min_size=3, max_size=3).filter(lambda p: sum(p) > 0).map(lambda p: {"points": p}),
    ),
}
STATUSES = st.sampled_from(["visible", "visible", "visible", "hidden", "pending", "deleted"])


# --- the registry --------------------------------------------------------------------------------


def test_every_tally_kind_keeps_one_answer_per_phone():
    tally = {key for key, kind in all_kinds().items() if kind.tally}
    assert set(TALLY_KINDS) <= tally
    for key in sorted(tally):
        assert all_kinds()[key].answer_mode == "replace", key


SAMPLES = {
    "multiple_choice": [{"choices": [0, 2]}, {"choices": [1]}],
    "scale": [{"value": 2}, {"value": 5}],
    "ranking": [{"order": [2, 0, 1]}, {"order": [0, 1, 2]}],
    "points": [{"points": [5, 3, 0]}, {"points": [0, 0, 10]}],
}


@pytest.mark.parametrize("key", TALLY_KINDS)
def test_a_weighted_row_counts_as_that_many_answers(app, key):
    kind = get_kind(key)
    config = kind.config(CASES[key][0])
    a, b = SAMPLES[key]
    weighted = [Row(id=1, participant_id=0, data=a, weight=3), Row(id=2, participant_id=0, data=b, weight=2)]
    plain = [Row(id=i, participant_id=i, data=d) for i, d in enumerate([a, a, a, b, b], start=1)]
    with app.test_request_context():
        assert kind.aggregate(config, weighted) == kind.aggregate(config, plain)
        assert kind.aggregate(config, weighted) != kind.aggregate(config, plain[:4])
    assert kind.responders(weighted) == kind.responders(plain) == 5
    assert kind.responders(weighted + [Row(id=3, participant_id=0, data=a, status="deleted", weight=4)]) == 5


# --- against the database --------------------------------------------------------------------------


def _setup(user, key):
    from workshop import workshops as core

    ws = core.create_workshop(user, f"Tally {key}")
    act = core.add_activity(ws, key, "Fråga", CASES[key][0])
    phones = []
    for _ in range(PHONES):
        p = Participant(workshop_id=ws.id, token=secrets.token_urlsafe(24))
        db.session.add(p)
        phones.append(p)
    db.session.commit()
    return ws, act, [p.id for p in phones]


def _write(act, kind, config, answers):
    items = [Item(pid, act.workshop_id, act.id, secrets.token_hex(6), data) for pid, data in answers]
    write_batch(db.session, items)
    assert all(i.outcome is not None and not i.outcome.duplicate for i in items), [i.error for i in items]


def _set_status(act, pid, status):
    t = Response.__table__.c
    with db.engine.begin() as conn:
        conn.execute(
            update(Response.__table__)
            .where(
                t.activity_id == act.id,
                t.generation == act.generation,
                t.current.is_(True),
                t.participant_id == pid,
            )
            .values(status=status)
        )


@pytest.mark.parametrize("key", TALLY_KINDS)
def test_tally_aggregate_equals_the_row_aggregate(db_session, facilitator, key):
    kind = get_kind(key)
    ws, act, pids = _setup(db_session.get(User, facilitator), key)
    config = kind.config(act.config)
    payload = CASES[key][1]
    seen: Counter = Counter()

    # Answers drawn from a small pool per example, so that phones often give the same answer.
    answer_lists = st.lists(payload, min_size=1, max_size=4).flatmap(
        lambda pool: st.lists(st.tuples(st.integers(0, PHONES - 1), st.sampled_from(pool)), max_size=14)
    )

    @settings(max_examples=50, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        answers=answer_lists,
        cuts=st.lists(st.booleans(), min_size=14, max_size=14),
        statuses=st.lists(STATUSES, min_size=PHONES, max_size=PHONES),
    )
    def check(answers, cuts, statuses):
        reset_activity(act)  # a new generation: the earlier examples' answers no longer count
        answers = [(pids[i], kind.validate_input(config, p)) for i, p in answers]
        # Stored in a few batches (a cut starts a new one), changed answers among them.
        batch: list = []
        for (pid, data), cut in zip(answers, cuts):
            if cut and batch:
                _write(act, kind, config, batch)
                batch = []
            batch.append((pid, data))
        if batch:
            _write(act, kind, config, batch)
        latest = {pid: data for pid, data in answers}  # the phone's last answer is its current one
        status = dict(zip(pids, statuses))
        for pid in latest:
            if status[pid] != "visible":
                _set_status(act, pid, status[pid])

        tally = load_tally(act)
        rows = load_rows(act, include_hidden=True)
        visible = [r for r in rows if r.status == "visible"]
        from_tally = kind.aggregate(config, [t for t in tally if t.status == "visible"])
        assert from_tally == kind.aggregate(config, visible)
        assert kind.responders(tally) == kind.responders(rows)
        if all(r.status == "visible" for r in rows):
            assert kind.aggregate(config, tally) == kind.aggregate(config, visible)

        # And both are what the answers say, worked out here without the database.
        expected = [Row(id=0, participant_id=pid, data=d) for pid, d in latest.items() if status[pid] == "visible"]
        assert from_tally == kind.aggregate(config, expected)
        assert kind.responders(tally) == sum(1 for pid in latest if status[pid] != "deleted")
        assert sum(t.weight for t in tally) == len(latest)
        assert sorted(r.participant_id for r in rows) == sorted(latest)
        # One group per distinct (status, answer).
        assert len(tally) == len({(status[pid], repr(d)) for pid, d in latest.items()})
        seen["examples"] += 1
        seen["grouped"] += any(t.weight > 1 for t in tally)
        seen["changed"] += len(answers) > len(latest)
        seen["not visible"] += any(r.status != "visible" for r in rows)

    check()
    # The property was tried on what matters: grouped answers, changed answers, moderated ones.
    assert seen["examples"] >= 40 and seen["grouped"] and seen["changed"] and seen["not visible"], seen


def test_the_same_answer_by_either_road_is_one_group(db_session, facilitator):
    """The slow road (``submit``, ORM) and the writer (Core insert) store an answer as the same
    JSON text, so the two count as one group of two."""
    from workshop.inputs import submit

    kind = get_kind("multiple_choice")
    ws, act, pids = _setup(db_session.get(User, facilitator), "multiple_choice")
    config = kind.config(act.config)
    submit(db.session.get(Participant, pids[0]), act.id, "s1", {"choices": [2, 0]})
    _write(
        act,
        kind,
        config,
        [
            (pids[1], kind.validate_input(config, {"choices": [0, 2]})),
            (pids[2], kind.validate_input(config, {"choices": [1]})),
        ],
    )
    tally = load_tally(act)
    assert [(t.status, t.data, t.weight) for t in tally] == [
        ("visible", {"choices": [0, 2]}, 2),
        ("visible", {"choices": [1]}, 1),
    ]
    assert kind.aggregate(config, tally)["counts"] == [2, 1, 2, 0]
    assert kind.responders(tally) == 3
