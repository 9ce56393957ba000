"""Fixtures of the fuzz sample: a filled world built once per session, copied per module.

The machinery is fuzzlib.py (shared with bench/fuzz.py, which runs >= 10 000 cases). Here a
smaller, derandomized sample runs in the suite: same strategies, same checks.
"""

from __future__ import annotations

import importlib.util
import sqlite3
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, settings

HERE = Path(__file__).resolve().parent


def load_fuzzlib():
    name = "nyttoverkstad_fuzzlib"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, HERE / "fuzzlib.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


# Stable in CI: the same examples every run, no example database, no shrinking (the world
# is stateful, so a failing case is reported as found), no deadline (1 MB payloads).
SUITE = settings(
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
    print_blob=False,
)


@pytest.fixture(scope="session")
def fuzzlib():
    return load_fuzzlib()


@pytest.fixture(scope="session")
def world_template(tmp_path_factory, migrated_db, fuzzlib):
    """A world's database filled once (users, workshops, every kind, a draft, inputs)."""
    from workshop.extensions import db

    folder = tmp_path_factory.mktemp("fuzz-template")
    app = fuzzlib.make_app(folder, migrated_db)
    world = fuzzlib.World(app)
    meta = dict(world.meta)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    copy = folder / "world.sqlite3"
    src, dst = sqlite3.connect(folder / "nyttoverkstad.sqlite3"), sqlite3.connect(copy)
    src.backup(dst)
    src.close()
    dst.close()
    return copy, meta


_worlds: dict[str, object] = {}


@pytest.fixture
def world(request, tmp_path_factory, world_template, migrated_db, fuzzlib):
    """The module's world: a copy of the template, rebuilt when another test's app replaced
    the shared Socket.IO server (tests of other modules may run in between under xdist)."""
    key = request.module.__name__
    w = _worlds.get(key)
    if w is None or w.stale():
        path, meta = world_template
        folder = tmp_path_factory.mktemp("fuzz-world")
        setup = fuzzlib.SetupWorld(fuzzlib.make_app(folder / "setup", migrated_db))
        fuzzlib.migrated_copy(folder, path)
        w = fuzzlib.World(fuzzlib.make_app(folder), setup, meta)
        _worlds[key] = w
    w.heal()
    return w


@pytest.fixture
def sample(fuzzlib, world):
    """``sample(endpoint, examples)``: see ``run_sample``."""
    return lambda endpoint, examples, probe_every=25: run_sample(fuzzlib, world, endpoint, examples, probe_every)


def run_sample(fuzzlib, world, endpoint: str, examples: int, probe_every: int = 25):
    """Run ``examples`` generated cases against ``endpoint``; fail on any problem that is not
    a known (reported, xfail-pinned) finding. Returns the checker (counts, problems)."""
    from hypothesis import given

    checker = fuzzlib.Checker(world, probe_every=probe_every)
    strategy, run = (
        fuzzlib.socket_endpoint(world, endpoint)
        if endpoint in fuzzlib.SOCKET_ENDPOINTS
        else fuzzlib.http_endpoint(world, endpoint)
    )
    new: list = []

    @settings(SUITE, max_examples=examples)
    @given(strategy)
    def case(value):
        world.heal()
        found = run(checker, value)
        fresh = [p for p in found if p.known_as() is None]
        new.extend(fresh)
        assert not fresh, "\n".join(p.short() for p in fresh)

    case()
    # the cases really reached the app
    assert sum(checker.counts.values()) >= examples * 0.5, checker.counts
    # and what was accepted left every view working
    late = [p for p in checker.probe(endpoint, "after the sample") if p.known_as() is None]
    assert not late, "\n".join(p.short() for p in late)
    return checker
