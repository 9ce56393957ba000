"""How a results round reaches a room of thousands of phones (``Broadcaster._send_phones`` and
``_fan_out``): a few hundred at once as before; from ``PHONE_SLICE_FROM`` on slice by slice,
spread over the time ``PHONE_SENDS_PER_SECOND`` allows, and the next round waits as long."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest

from workshop.realtime import PHONE, PHONE_SLICES, connections, room, slice_room
from workshop.realtime import broadcaster as module
from workshop.realtime.broadcaster import Broadcaster
from workshop.realtime.connections import Conn


class FakeSocketIO:
    def __init__(self):
        self.emitted: list[tuple[str, str, dict]] = []
        self.slept: list[float] = []
        self.tasks: list[tuple] = []
        self.server = None  # no message queue
        self.on_sleep = None

    def emit(self, event, payload, to=None, namespace=None):
        self.emitted.append((event, to, payload))

    def sleep(self, seconds):
        self.slept.append(seconds)
        if self.on_sleep is not None:
            self.on_sleep(len(self.slept))

    def start_background_task(self, fn, *args):
        self.tasks.append((fn, args))


@pytest.fixture
def phones():
    """Register ``n`` phone connections of workshop 7 (removed afterwards)."""
    made: list[str] = []

    def connect(n: int, workshop_id: int = 7) -> None:
        for i in range(n):
            sid = f"fan-{workshop_id}-{len(made)}"
            connections.register(PHONE, sid, Conn("phone", workshop_id, participant_id=i))
            made.append(sid)

    yield connect
    for sid in made:
        connections.drop(PHONE, sid)


def _act(aid=3, workshop_id=7):
    return SimpleNamespace(id=aid, workshop_id=workshop_id)


def _payload(n: int) -> dict:
    return {"activity_id": 3, "generation": 0, "responders": n, "version": f"v{n}", "visible": False}


def _send(bc, n: int, now: float) -> None:
    bc._remember_phone = lambda act, payload: None  # no app state needed here
    bc._send_phones(_act(), _payload(n), now)


def test_a_room_of_a_few_hundred_gets_the_round_at_once_every_second(phones):
    phones(300)
    sio = FakeSocketIO()
    bc = Broadcaster(None, sio)
    _send(bc, 1, now=100.0)
    assert sio.emitted == [("results", room(7), _payload(1))]
    assert sio.tasks == []
    assert bc._phone_last[3] == 100.0  # the next round a phone_interval later, as before


def test_a_full_auditorium_gets_it_slice_by_slice_over_two_seconds(phones):
    phones(5000)
    sio = FakeSocketIO()
    bc = Broadcaster(None, sio)
    _send(bc, 1, now=100.0)
    assert sio.emitted == []  # not on the broadcaster's round: in a task of its own
    # No next phones' round until this one is out (it says when it is).
    assert bc._phone_last[3] == pytest.approx(100.0 + 2 * 5000 / module.PHONE_SENDS_PER_SECOND)
    ((fn, args),) = sio.tasks
    fn(*args)
    # Out: the next round may follow at once (the time was spent spreading this one).
    assert bc._phone_last[3] == pytest.approx(time.monotonic() - bc.phone_interval, abs=0.5)
    assert [to for _, to, _ in sio.emitted] == [slice_room(7, k) for k in range(PHONE_SLICES)]
    assert all(p == _payload(1) for _, _, p in sio.emitted)
    gap = 5000 / module.PHONE_SENDS_PER_SECOND / PHONE_SLICES
    assert sio.slept == pytest.approx([gap] * (PHONE_SLICES - 1))


def test_a_newer_round_takes_over_from_one_still_going_out(phones):
    phones(5000)
    sio = FakeSocketIO()
    bc = Broadcaster(None, sio)
    _send(bc, 1, now=100.0)
    first = sio.tasks[0]
    # Three slices out, then a newer payload (a reset, results shown) starts its own round.
    sio.on_sleep = lambda n: _send(bc, 2, now=101.0) if n == 3 else None
    first[0](*first[1])
    assert [p["responders"] for _, _, p in sio.emitted] == [1, 1, 1]
    sio.on_sleep = None
    second = sio.tasks[1]
    second[0](*second[1])
    assert [p["responders"] for _, _, p in sio.emitted[3:]] == [2] * PHONE_SLICES


def test_an_unchanged_payload_is_not_sent_again(phones):
    phones(5000)
    sio = FakeSocketIO()
    bc = Broadcaster(None, sio)
    _send(bc, 1, now=100.0)
    _send(bc, 1, now=103.0)
    assert len(sio.tasks) == 1


def test_the_room_is_counted_per_workshop_and_namespace(phones):
    base = connections.count(PHONE, 7)
    phones(3, workshop_id=7)
    phones(2, workshop_id=8)
    assert connections.count(PHONE, 7) == base + 3
    assert connections.count(PHONE, 8) == 2
    assert connections.count("/screen", 7) == 0
    # Registered again for another workshop (not done today, but kept right): moved, not doubled.
    connections.register(PHONE, "fan-7-0", Conn("phone", 8, participant_id=0))
    assert connections.count(PHONE, 7) == base + 2 and connections.count(PHONE, 8) == 3
    connections.drop(PHONE, "fan-7-0")
    connections.drop(PHONE, "fan-7-0")  # twice: nothing more
    assert connections.count(PHONE, 8) == 2


def test_a_round_the_message_queue_did_not_take_is_sent_again(phones):
    phones(5000)
    sio = FakeSocketIO()
    bc = Broadcaster(None, sio)
    failures = iter([0, 1])  # before the slices, after them: one publish failed
    bc._queue_failures = lambda: next(failures)
    _send(bc, 1, now=100.0)
    fn, args = sio.tasks[0]
    fn(*args)
    assert 3 in bc._phone_due and 3 not in bc._phone_sent
    bc._queue_failures = lambda: 0
    _send(bc, 1, now=102.0)  # the same payload goes again
    assert len(sio.tasks) == 2


def test_through_a_message_queue_a_small_workshop_gets_one_message(phones, monkeypatch):
    """With a queue the other processes' phones count: the workshop's participants decide."""
    sio = FakeSocketIO()
    bc = Broadcaster(None, sio)
    bc._queue = lambda: SimpleNamespace(publish_failures=0)
    monkeypatch.setattr(module, "participant_count", lambda wid: 12)
    _send(bc, 1, now=100.0)
    assert sio.emitted == [("results", room(7), _payload(1))] and sio.tasks == []
    monkeypatch.setattr(module, "participant_count", lambda wid: 900)
    _send(bc, 2, now=102.0)
    assert len(sio.tasks) == 1
