"""Giving way (workshop.cooperative): on gevent's loop, long work waits one turn of the loop
once 5 ms have passed since its last break, and not before; elsewhere it never waits."""

from __future__ import annotations

from workshop import cooperative


class Clock:
    def __init__(self):
        self.now = 100.0
        self.sleeps: list[float] = []

    def perf_counter(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += 0.002  # others ran meanwhile


def test_on_the_event_loop_work_gives_way_every_five_ms(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(cooperative, "time", clock)
    monkeypatch.setattr(cooperative, "_cooperative", True)
    monkeypatch.setattr(cooperative, "_next_break", 0.0)
    given = cooperative.given()
    cooperative.give_way()  # the first call: a break is due
    assert clock.sleeps == [0.001]
    for _ in range(4):  # 4 ms of work, one call per ms: no break yet
        clock.now += 0.001
        cooperative.give_way()
    assert len(clock.sleeps) == 1
    clock.now += 0.0015  # past 5 ms since the break
    cooperative.give_way()
    assert len(clock.sleeps) == 2
    assert abs(cooperative.given() - given - 0.004) < 1e-9  # two breaks of 2 ms each


def test_without_gevent_it_never_waits(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(cooperative, "time", clock)
    monkeypatch.setattr(cooperative, "_cooperative", None)  # found out afresh: tests do not patch
    monkeypatch.setattr(cooperative, "_next_break", 0.0)
    for _ in range(10):
        clock.now += 0.01
        cooperative.give_way()
    assert clock.sleeps == []
    assert cooperative.cooperative() is False
