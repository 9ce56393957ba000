"""The serving process's garbage-collection policy (``workshop.gc_policy``): when the quiet-time
full collection is due, and what a full collection leaves behind (everything frozen).

These tests change the interpreter's collector; the ``gc_state`` fixture puts it back
(unfrozen, the thresholds as they were, no callback of ours left) for the tests after them.
"""

from __future__ import annotations

import gc
import time

import pytest

from workshop import gc_policy
from workshop.gc_policy import MAINTENANCE_SECONDS, MAX_WITHOUT_FULL, QUIET_SECONDS, THRESHOLDS, GcPolicy


@pytest.fixture
def gc_state():
    thresholds = gc.get_threshold()
    callbacks = list(gc.callbacks)
    enabled = gc.isenabled()
    try:
        yield
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)
        gc.callbacks[:] = callbacks
        if enabled:
            gc.enable()
        assert gc.get_freeze_count() == 0


class Clock:
    """A policy whose last input and last full collection are set by the test."""

    def __init__(self, last_full: float, last_input: float):
        self.last_input = last_input
        self.policy = GcPolicy(sleep=lambda _s: None, last_input=lambda: self.last_input)
        self.policy.last_full = last_full


def test_the_constants_are_the_measured_ones():
    assert (QUIET_SECONDS, MAINTENANCE_SECONDS, MAX_WITHOUT_FULL) == (3.0, 60.0, 600.0)
    assert THRESHOLDS == (5_000, 5, 100)


@pytest.mark.parametrize(
    "since_full, since_input, due",
    [
        # quiet (no input for QUIET_SECONDS): due once MAINTENANCE_SECONDS have passed
        (59.0, 10.0, False),
        (60.0, 10.0, True),
        (60.0, 3.0, True),
        (300.0, 1000.0, True),
        # not quiet: only after MAX_WITHOUT_FULL
        (60.0, 2.9, False),
        (599.0, 0.0, False),
        (599.9, 2.0, False),
        (600.0, 0.0, True),
        (900.0, 0.5, True),
        # just after a full collection nothing is due however quiet
        (0.0, 1000.0, False),
        (1.0, 5.0, False),
    ],
)
def test_due(since_full, since_input, due):
    now = 10_000.0
    c = Clock(last_full=now - since_full, last_input=now - since_input)
    assert c.policy.due(now) is due


def test_due_follows_the_latest_input():
    c = Clock(last_full=1_000.0, last_input=1_000.0)
    assert c.policy.due(1_070.0) is True
    c.last_input = 1_068.0  # a vote 2 s ago
    assert c.policy.due(1_070.0) is False
    assert c.policy.due(1_071.0) is True  # 3 s quiet


def test_a_new_policy_waits_a_full_interval():
    policy = GcPolicy(sleep=lambda _s: None, last_input=lambda: 0.0)
    now = time.monotonic()
    assert policy.full_collections == 0 and policy.last_pause_ms == 0.0
    assert abs(policy.last_full - now) < 1.0
    assert policy.due(now) is False
    assert policy.due(policy.last_full + MAINTENANCE_SECONDS + 0.001) is True  # (float sum: not exactly 60 s)


def test_full_collection_leaves_everything_frozen(gc_state):
    marker = [object()]  # a tracked, long-lived container
    assert gc.is_tracked(marker)
    policy = GcPolicy(sleep=lambda _s: None, last_input=lambda: 0.0)
    policy.last_full = 0.0
    before = time.monotonic()

    policy.full_collection()

    assert gc.get_freeze_count() > 0
    assert not any(o is marker for o in gc.get_objects())  # frozen: no collection walks it
    assert policy.full_collections == 1
    assert policy.last_full >= before
    assert policy.last_pause_ms >= 0.0
    assert policy.due(time.monotonic()) is False

    policy.full_collection()
    assert policy.full_collections == 2
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    assert any(o is marker for o in gc.get_objects())


def test_install_freezes_sets_thresholds_and_freezes_after_every_full_collection(gc_state):
    policy = GcPolicy(sleep=lambda _s: None, last_input=lambda: 0.0)
    policy.install()
    assert gc.get_threshold() == THRESHOLDS
    assert gc.callbacks[-1] == policy._after_collection
    assert gc.get_freeze_count() > 0

    gc.unfreeze()
    gc.collect(1)  # a younger collection freezes nothing
    assert gc.get_freeze_count() == 0
    gc.collect(2)  # an automatic or explicit full collection: what survived is frozen
    assert gc.get_freeze_count() > 0
    assert policy.full_collections == 0  # that counter is the maintenance's own


class Stop(Exception):
    pass


def test_run_collects_when_due_and_survives_a_failure(gc_state, monkeypatch):
    sleeps: list[float] = []

    def sleep(seconds):
        sleeps.append(seconds)
        if len(sleeps) > 3:
            raise Stop

    policy = GcPolicy(sleep=sleep, last_input=lambda: 0.0)
    policy.last_full = time.monotonic() - MAX_WITHOUT_FULL - 1
    with pytest.raises(Stop):
        policy.run()
    assert sleeps == [1.0, 1.0, 1.0, 1.0]
    assert policy.full_collections == 1  # due once; afterwards it has just collected

    gc.unfreeze()
    sleeps.clear()
    calls = []

    def broken():
        calls.append(1)
        raise RuntimeError("no clock")

    failing = GcPolicy(sleep=sleep, last_input=broken)
    failing.last_full = time.monotonic() - MAX_WITHOUT_FULL - 1
    monkeypatch.setattr(gc_policy.log, "exception", lambda *a, **k: None)
    with pytest.raises(Stop):
        failing.run()
    assert len(calls) == 3  # the loop went on after each failure
    assert failing.full_collections == 0
