"""Fixtures for tests that need the machine's PostgreSQL and Redis (marker ``services``).

- Each test gets a database of its own (CREATE DATABASE nv_test_<random>, dropped after) and a
  Redis pub/sub channel of its own, so runs in parallel never see each other's messages.
- Unreachable services skip these tests on a developer's machine, and FAIL them under
  REQUIRE_ALL_TESTS=1 (CI), where a missing service must not pass silently.
- A test stops and starts the machine's PostgreSQL: every test here holds one machine-wide lock
  for its duration, so a restart never lands in the middle of another service test (pytest-xdist
  runs two workers), and a test that stopped a service leaves it running again. (No test outside
  this folder uses PostgreSQL. Redis is restarted only as a private redis-server on its own port,
  because tests elsewhere use the machine's Redis for rate-limit counters.)
"""

from __future__ import annotations

import fcntl
import importlib.util
import os
import sys
from pathlib import Path

import pytest

LOCK_FILE = Path(os.environ.get("NV_SERVICES_LOCK", "/tmp/nyttoverkstad-services-tests.lock"))


def load():
    name = "nyttoverkstad_services_svc"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name("svc.py"))
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


svc = load()


def _missing(what: str) -> None:
    message = f"{what} is not reachable (start it: see .ci/run)"
    if os.environ.get("REQUIRE_ALL_TESTS") == "1":
        pytest.fail(message + " — REQUIRE_ALL_TESTS=1 forbids skipping", pytrace=False)
    pytest.skip(message)


@pytest.fixture(autouse=True)
def services_lock():
    LOCK_FILE.parent.mkdir(parents=True, exist_ok=True)
    with open(LOCK_FILE, "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        pg_was_up, redis_was_up = svc.pg_up(), svc.redis_up()
        try:
            yield
        finally:
            # A test that stopped a service (and failed before starting it again) leaves it
            # running, as it found it.
            try:
                if pg_was_up and not svc.pg_up():
                    svc.pg_start()
                if redis_was_up and not svc.redis_up():
                    svc.redis_start()
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)


@pytest.fixture
def postgres():
    """The URL of a fresh, empty database on the machine's PostgreSQL."""
    if not svc.pg_up():
        _missing("PostgreSQL at 127.0.0.1:5432")
    url = svc.create_database()
    try:
        yield url
    finally:
        if not svc.pg_up():
            svc.pg_start()
        svc.drop_database(url)


@pytest.fixture
def redis_service():
    if not svc.redis_up():
        _missing("Redis at 127.0.0.1:6379")
    return svc.REDIS_URL


@pytest.fixture
def scale_out(tmp_path, postgres, redis_service):
    """Two ``workshop serve`` processes started at the same moment on one fresh PostgreSQL
    database and one Redis channel; a facilitator account exists."""
    dep = svc.Deployment(tmp_path, postgres, queue=True)
    try:
        dep.start(2)
        dep.create_user()
        yield dep
    finally:
        dep.close()
