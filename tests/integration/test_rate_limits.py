"""Rate limits with the ``limits`` library (workshop/ratelimit.py): join-code guessing per
address, vote spam per phone, and counters shared across processes through Redis
(RATELIMIT_STORAGE_URL=redis://127.0.0.1:6379/N), so a scale-out cannot be used to multiply
an attacker's budget.

test_http_security.py::test_join_rate_limit and test_socket_errors.py::test_submit_rate_limit
cover the basic refusals; this file covers wrong codes, what the limit keys on, windows,
the Redis storage across two app instances, and what the limits still let through.
"""

from __future__ import annotations

import os
import secrets
import time
import uuid
from pathlib import Path

import pytest

import nyttoverkstad_integration_helpers as h  # loaded by conftest.py

PHONE = h.PHONE
REDIS_URL = os.environ.get("RATELIMIT_TEST_REDIS", "redis://127.0.0.1:6379/13")


def _app(tmp_path, name, migrated_db=None, **overrides):
    from workshop.app import create_app
    from workshop.config import Settings

    folder = tmp_path / name
    folder.mkdir(parents=True, exist_ok=True)
    if migrated_db is not None:
        import shutil

        shutil.copyfile(migrated_db, folder / "nyttoverkstad.sqlite3")
    settings = Settings.from_env(folder, testing=True, **{"rate_limit_submit": "1000/second",
                                                          "rate_limit_join": "1000/second", **overrides})
    app = create_app(settings, async_mode="threading", migrate=migrated_db is None)
    app.config["WTF_CSRF_ENABLED"] = False
    return app


def _addr() -> str:
    """A fresh client address per test (so counters in a shared Redis never collide)."""
    return f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{1 + secrets.randbelow(250)}"


def _participants(app):
    from sqlalchemy import func, select

    from workshop.extensions import db
    from workshop.models import Participant

    with app.app_context():
        n = db.session.scalar(select(func.count()).select_from(Participant))
        db.session.remove()
        return n


def _wrong_code(right: str) -> str:
    while True:
        code = str(10_000_000 + secrets.randbelow(90_000_000))
        if code != right:
            return code


# --- join-code guessing ---------------------------------------------------------------------------

def test_wrong_codes_count_and_then_even_the_right_code_is_refused(tmp_path, migrated_db):
    app = _app(tmp_path, "guess", migrated_db, rate_limit_join="5/minute")
    _, code, _ = h.setup_workshop(app)
    c, addr = app.test_client(), _addr()
    for _ in range(5):
        r = c.post("/api/join", json={"code": _wrong_code(code)}, environ_base={"REMOTE_ADDR": addr})
        assert r.status_code == 404 and r.get_json()["error"]["code"] == "unknown_code"
    r = c.post("/api/join", json={"code": code}, environ_base={"REMOTE_ADDR": addr})
    assert r.status_code == 429, r.status_code
    body = r.get_json()
    assert body["ok"] is False and body["error"]["code"] == "rate_limited" and body["error"]["message"]
    assert _participants(app) == 0  # the guess that would have hit got nothing
    # a guess in the body's other fields or a garbage body counts just the same
    r = c.post("/api/join", data="{", content_type="application/json", environ_base={"REMOTE_ADDR": addr})
    assert r.status_code == 429
    # another address is not affected
    r = c.post("/api/join", json={"code": code}, environ_base={"REMOTE_ADDR": _addr()})
    assert r.status_code == 200


def test_join_limit_window_moves(tmp_path, migrated_db):
    """A moving window: after it passes, the same address may try again."""
    app = _app(tmp_path, "window", migrated_db, rate_limit_join="3/2second")
    _, code, _ = h.setup_workshop(app)
    c, addr = app.test_client(), _addr()
    statuses = [c.post("/api/join", json={"code": _wrong_code(code)}, environ_base={"REMOTE_ADDR": addr}).status_code
                for _ in range(4)]
    assert statuses == [404, 404, 404, 429]
    time.sleep(2.2)
    assert c.post("/api/join", json={"code": code}, environ_base={"REMOTE_ADDR": addr}).status_code == 200


def test_join_limit_keys_on_the_proxied_address_only_when_proxies_are_trusted(tmp_path, migrated_db):
    """X-Forwarded-For cannot be used to get a fresh budget per request unless the deployment
    says a proxy sets it (TRUSTED_PROXIES); behind one trusted proxy each phone counts alone."""
    plain = _app(tmp_path, "plain", migrated_db, rate_limit_join="2/minute")
    _, code, _ = h.setup_workshop(plain)
    c, addr = plain.test_client(), _addr()
    got = [c.post("/api/join", json={"code": _wrong_code(code)},
                  headers={"X-Forwarded-For": _addr()}, environ_base={"REMOTE_ADDR": addr}).status_code for _ in range(3)]
    assert got == [404, 404, 429]

    proxied = _app(tmp_path, "proxied", migrated_db, rate_limit_join="2/minute", trusted_proxies=1)
    _, code2, _ = h.setup_workshop(proxied)
    c2, proxy = proxied.test_client(), _addr()
    phone_a, phone_b = _addr(), _addr()
    got = [c2.post("/api/join", json={"code": _wrong_code(code2)}, headers={"X-Forwarded-For": phone_a},
                   environ_base={"REMOTE_ADDR": proxy}).status_code for _ in range(3)]
    assert got == [404, 404, 429]
    r = c2.post("/api/join", json={"code": code2}, headers={"X-Forwarded-For": phone_b}, environ_base={"REMOTE_ADDR": proxy})
    assert r.status_code == 200


# --- vote spam ------------------------------------------------------------------------------------

def test_vote_spam_is_limited_per_phone_and_refusals_store_nothing(tmp_path, migrated_db):
    app = _app(tmp_path, "spam", migrated_db, rate_limit_submit="5/minute")
    _, code, ids = h.setup_workshop(app)
    client = app.test_client()
    spammer, _ = h.phone(app, client, code)
    honest, _ = h.phone(app, client, code)
    acks = [h.vote(spammer, ids[0], f"s{i}", (i % 3,)) for i in range(8)]
    assert [a["ok"] for a in acks] == [True] * 5 + [False] * 3
    for a in acks[5:]:
        h.assert_error(a, "rate_limited")
    before = h.response_rows(app)
    # a resend of an input already stored is also refused once over the limit, but keeps its data
    h.assert_error(h.vote(spammer, ids[0], "s0", (0,)), "rate_limited")
    assert h.response_rows(app) == before
    assert h.vote(honest, ids[0], "h1", (1,))["ok"] is True


def test_a_new_socket_does_not_reset_the_phones_budget(tmp_path, migrated_db):
    """The limit keys on the participant, not the connection: reconnecting gives nothing."""
    app = _app(tmp_path, "reconnect", migrated_db, rate_limit_submit="3/minute")
    _, code, ids = h.setup_workshop(app)
    first, joined = h.phone(app, app.test_client(), code)
    assert all(h.vote(first, ids[0], f"a{i}", (0,))["ok"] for i in range(3))
    first.disconnect(PHONE)
    again = h.socket_client(app, PHONE, {"token": joined["token"]}, app.test_client())
    assert again.is_connected(PHONE)
    h.assert_error(h.vote(again, ids[0], "a3", (1,)), "rate_limited")


def test_vote_spam_is_also_limited_per_address(tmp_path, migrated_db):
    """A script at one address joins 50 phones and sends 2 answers from each. With a per-address
    submit limit (RATE_LIMIT_SUBMIT_ADDRESS, set high in production — a room behind one NAT is
    one address — and low here) the script is stopped at that limit."""
    app = _app(tmp_path, "peraddr", migrated_db, rate_limit_join="1000/minute", rate_limit_submit="2/minute",
               rate_limit_submit_address="20/minute")
    _, code, ids = h.setup_workshop(app)
    c = app.test_client()
    addr = _addr()
    phones = []
    for _ in range(50):
        r = c.post("/api/join", json={"code": code}, environ_base={"REMOTE_ADDR": addr})
        assert r.status_code == 200
        phones.append(_phone_from(app, r.get_json()["token"], addr))
    stored = sum(h.vote(p, ids[0], f"x{i}-{j}", (j,))["ok"] for i, p in enumerate(phones) for j in range(2))
    assert stored == 20, stored


def _phone_from(app, token, addr):
    """A phone socket whose requests come from ``addr``."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = addr
    tc = h.socket_client(app, PHONE, {"token": token}, client)
    assert tc.is_connected(PHONE)
    return tc


# --- across processes (Redis storage) ---------------------------------------------------------------

def _redis_or_skip():
    import socket

    try:
        import redis  # noqa: F401
    except ImportError:
        pytest.skip("the redis client package is not installed (pip install -e .[scale])")
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        pytest.skip("Redis is not running on 127.0.0.1:6379 (.ci/run starts it)")


@pytest.mark.services
def test_join_limit_is_shared_across_two_app_instances_through_redis(tmp_path, migrated_db):
    """Two app instances (as two server processes would) share one Redis counter: guesses on
    the first use up the budget on the second."""
    _redis_or_skip()
    rule = f"{4 + secrets.randbelow(3)}/minute"
    n = int(rule.split("/")[0])
    a = _app(tmp_path, "one", migrated_db, rate_limit_join=rule, ratelimit_storage=REDIS_URL)
    b = _app(tmp_path, "two", migrated_db, rate_limit_join=rule, ratelimit_storage=REDIS_URL)
    _, code_b, _ = h.setup_workshop(b)
    addr = _addr()
    ca, cb = a.test_client(), b.test_client()
    for _ in range(n - 1):
        assert ca.post("/api/join", json={"code": _wrong_code(code_b)}, environ_base={"REMOTE_ADDR": addr}).status_code == 404
    assert cb.post("/api/join", json={"code": _wrong_code(code_b)}, environ_base={"REMOTE_ADDR": addr}).status_code == 404
    # the budget is gone on both
    assert cb.post("/api/join", json={"code": code_b}, environ_base={"REMOTE_ADDR": addr}).status_code == 429
    assert ca.post("/api/join", json={"code": code_b}, environ_base={"REMOTE_ADDR": addr}).status_code == 429
    # the counters really are in Redis
    import redis

    keys = redis.Redis.from_url(REDIS_URL).keys(f"*join*{addr}*")
    assert keys, "no join counter for this address in Redis"


@pytest.mark.services
def test_submit_limit_is_shared_across_two_app_instances_through_redis(tmp_path, migrated_db):
    """One participant (the same database, as in a scale-out) voting through two processes
    gets one budget, not two."""
    _redis_or_skip()
    from workshop.models import Participant

    rule = "3/minute"
    a = _app(tmp_path, "one", migrated_db, rate_limit_submit=rule, ratelimit_storage=REDIS_URL)
    _, code, ids = h.setup_workshop(a)
    token = h.join(a.test_client(), code)["token"]
    # a participant id no earlier run used, so the shared counter starts at zero
    fresh_id = 1_000_000 + secrets.randbelow(10**9)
    h.update_row(a, Participant, 1, id=fresh_id)
    # the second instance uses the same database file, like two processes on one PostgreSQL
    b_settings_dir = Path(a.extensions["settings"].data_dir)
    from workshop.app import create_app
    from workshop.config import Settings

    b = create_app(Settings.from_env(b_settings_dir, testing=True, rate_limit_submit=rule,
                                     rate_limit_join="1000/second", ratelimit_storage=REDIS_URL),
                   async_mode="threading", migrate=False)
    on_a = h.socket_client(a, PHONE, {"token": token}, a.test_client())
    acks = [h.vote(on_a, ids[0], f"r-{uuid.uuid4().hex[:8]}", (0,)) for _ in range(2)]
    assert all(x["ok"] for x in acks), acks
    on_b = h.socket_client(b, PHONE, {"token": token}, b.test_client())
    assert h.vote(on_b, ids[0], f"r-{uuid.uuid4().hex[:8]}", (1,))["ok"] is True
    h.assert_error(h.vote(on_b, ids[0], f"r-{uuid.uuid4().hex[:8]}", (2,)), "rate_limited")
    h.assert_error(h.vote(on_a, ids[0], f"r-{uuid.uuid4().hex[:8]}", (2,)), "rate_limited")


def test_memory_storage_is_per_process(tmp_path, migrated_db):
    """Control for the Redis tests: with the default memory:// storage two instances count
    separately (so the sharing above is Redis's doing)."""
    rule = "2/minute"
    a = _app(tmp_path, "m1", migrated_db, rate_limit_join=rule)
    b = _app(tmp_path, "m2", migrated_db, rate_limit_join=rule)
    _, code_b, _ = h.setup_workshop(b)
    addr = _addr()
    for _ in range(2):
        a.test_client().post("/api/join", json={"code": "1"}, environ_base={"REMOTE_ADDR": addr})
    assert b.test_client().post("/api/join", json={"code": code_b}, environ_base={"REMOTE_ADDR": addr}).status_code == 200


def test_a_limiter_whose_storage_is_down_lets_the_workshop_go_on(tmp_path, migrated_db):
    """Redis away must not stop a workshop: the limiter fails open (documented choice)."""
    app = _app(tmp_path, "down", migrated_db, rate_limit_join="1/minute", ratelimit_storage="redis://127.0.0.1:1/0")
    _, code, _ = h.setup_workshop(app)
    c = app.test_client()
    assert [c.post("/api/join", json={"code": code}).status_code for _ in range(3)] == [200, 200, 200]


# --- what the default limits mean -------------------------------------------------------------------

def test_default_limits(tmp_path):
    """The defaults the report's arithmetic uses (join 30/minute per address, submit
    60/10 seconds per phone)."""
    from workshop.config import Settings

    s = Settings.from_env(tmp_path / "defaults")
    assert s.rate_limit_join == "30/minute" and s.rate_limit_submit == "60/10second"


def test_a_room_behind_one_address_can_join(tmp_path, migrated_db):
    from workshop.config import Settings

    app = _app(tmp_path, "room", migrated_db, rate_limit_join=Settings.from_env(tmp_path / "d").rate_limit_join)
    _, code, _ = h.setup_workshop(app)
    c, addr = app.test_client(), _addr()
    statuses = [c.post("/api/join", json={"code": code}, environ_base={"REMOTE_ADDR": addr}).status_code
                for _ in range(200)]
    assert statuses.count(200) == 200, statuses.count(429)
