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

import nyttoverkstad_integration_helpers as h  # loaded by conftest.py
import pytest

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
    settings = Settings.from_env(
        folder, testing=True, **{"rate_limit_submit": "1000/second", "rate_limit_join": "1000/second", **overrides}
    )
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


def test_wrong_codes_count_and_then_a_code_this_address_never_reached_is_refused(tmp_path, migrated_db):
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
    statuses = [
        c.post("/api/join", json={"code": _wrong_code(code)}, environ_base={"REMOTE_ADDR": addr}).status_code
        for _ in range(4)
    ]
    assert statuses == [404, 404, 404, 429]
    time.sleep(2.2)
    assert c.post("/api/join", json={"code": code}, environ_base={"REMOTE_ADDR": addr}).status_code == 200


def test_join_limit_keys_on_the_proxied_address_only_when_proxies_are_trusted(tmp_path, migrated_db):
    """X-Forwarded-For cannot be used to get a fresh budget per request unless the deployment
    says a proxy sets it (TRUSTED_PROXIES); behind one trusted proxy each phone counts alone."""
    plain = _app(tmp_path, "plain", migrated_db, rate_limit_join="2/minute")
    _, code, _ = h.setup_workshop(plain)
    c, addr = plain.test_client(), _addr()
    got = [
        c.post(
            "/api/join",
            json={"code": _wrong_code(code)},
            headers={"X-Forwarded-For": _addr()},
            environ_base={"REMOTE_ADDR": addr},
        ).status_code
        for _ in range(3)
    ]
    assert got == [404, 404, 429]

    proxied = _app(tmp_path, "proxied", migrated_db, rate_limit_join="2/minute", trusted_proxies=1)
    _, code2, _ = h.setup_workshop(proxied)
    c2, proxy = proxied.test_client(), _addr()
    phone_a, phone_b = _addr(), _addr()
    got = [
        c2.post(
            "/api/join",
            json={"code": _wrong_code(code2)},
            headers={"X-Forwarded-For": phone_a},
            environ_base={"REMOTE_ADDR": proxy},
        ).status_code
        for _ in range(3)
    ]
    assert got == [404, 404, 429]
    r = c2.post(
        "/api/join", json={"code": code2}, headers={"X-Forwarded-For": phone_b}, environ_base={"REMOTE_ADDR": proxy}
    )
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
    app = _app(
        tmp_path,
        "peraddr",
        migrated_db,
        rate_limit_join="1000/minute",
        rate_limit_submit="2/minute",
        rate_limit_submit_address="20/minute",
    )
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
        assert (
            ca.post("/api/join", json={"code": _wrong_code(code_b)}, environ_base={"REMOTE_ADDR": addr}).status_code
            == 404
        )
    assert (
        cb.post("/api/join", json={"code": _wrong_code(code_b)}, environ_base={"REMOTE_ADDR": addr}).status_code == 404
    )
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

    b = create_app(
        Settings.from_env(
            b_settings_dir,
            testing=True,
            rate_limit_submit=rule,
            rate_limit_join="1000/second",
            ratelimit_storage=REDIS_URL,
        ),
        async_mode="threading",
        migrate=False,
    )
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
    assert (
        b.test_client().post("/api/join", json={"code": code_b}, environ_base={"REMOTE_ADDR": addr}).status_code == 200
    )


def test_a_limiter_whose_storage_is_down_lets_the_workshop_go_on(tmp_path, migrated_db):
    """Redis away must not stop a workshop: the limiter fails open (documented choice)."""
    app = _app(tmp_path, "down", migrated_db, rate_limit_join="1/minute", ratelimit_storage="redis://127.0.0.1:1/0")
    _, code, _ = h.setup_workshop(app)
    c = app.test_client()
    assert [c.post("/api/join", json={"code": code}).status_code for _ in range(3)] == [200, 200, 200]


# --- what the default limits mean -------------------------------------------------------------------


def test_default_limits(tmp_path):
    """The defaults docs/configuration.md's arithmetic uses: 30 wrong codes an hour per
    address (720 a day: with 1 000 open workshops among 10^8 codes, 139 days per address for
    an expected hit), submit 60/10 seconds per phone."""
    from limits import parse

    from workshop.config import Settings

    s = Settings.from_env(tmp_path / "defaults")
    assert s.rate_limit_join == "30/hour" and s.rate_limit_submit == "60/10second"
    join = parse(s.rate_limit_join)
    per_day = join.amount * 86_400 / join.get_expiry()
    assert 10**8 / (1000 * per_day) > 100  # days to an expected hit, 1 000 workshops open


def test_a_room_behind_one_address_can_join(tmp_path, migrated_db):
    from workshop.config import Settings

    app = _app(tmp_path, "room", migrated_db, rate_limit_join=Settings.from_env(tmp_path / "d").rate_limit_join)
    _, code, _ = h.setup_workshop(app)
    c, addr = app.test_client(), _addr()
    statuses = [
        c.post("/api/join", json={"code": code}, environ_base={"REMOTE_ADDR": addr}).status_code for _ in range(200)
    ]
    assert statuses.count(200) == 200, statuses.count(429)


# --- correct codes pass; guessers learn nothing (issue: lockout and bypass) ---------------------------


def _join(c, code, addr, **body):
    return c.post("/api/join", json={"code": code, **body}, environ_base={"REMOTE_ADDR": addr})


def test_a_guesser_at_the_halls_address_cannot_lock_the_hall_out(tmp_path, migrated_db):
    """One phone in the hall types wrong codes until the address is over the limit: the rest
    of the hall (same address) still joins with the right code; the guesser, over the limit,
    gets no answer about a workshop this address never reached."""
    app = _app(tmp_path, "hall", migrated_db, rate_limit_join="5/minute")
    _, code, _ = h.setup_workshop(app)
    _, other_code, _ = h.setup_workshop(app, title="Another room")
    c, hall = app.test_client(), _addr()
    assert _join(c, code, hall).status_code == 200  # the first phone in the room
    for _ in range(5):
        assert _join(c, _wrong_code(code), hall).status_code == 404
    assert _join(c, _wrong_code(code), hall).status_code == 429
    # the next phones of the hall, with the code on the screen
    assert [_join(c, code, hall).status_code for _ in range(3)] == [200, 200, 200]
    assert c.get(f"/w/{code}", environ_base={"REMOTE_ADDR": hall}).status_code == 200
    # a real code this address never reached is refused like a wrong one: no oracle
    assert _join(c, other_code, hall).status_code == 429
    assert c.get(f"/w/{other_code}", environ_base={"REMOTE_ADDR": hall}).status_code == 429
    assert _participants(app) == 4


def test_the_screen_in_the_hall_lets_the_first_phone_in(tmp_path, migrated_db):
    """The presenter screen (or console) shown from the hall's address counts as reaching the
    workshop: a guesser who starts before anyone joined still cannot lock the hall out."""
    app = _app(tmp_path, "screenfirst", migrated_db, rate_limit_join="3/minute")
    ws_id, code, _ = h.setup_workshop(app)
    hall = _addr()
    flask_client = app.test_client()
    flask_client.environ_base["REMOTE_ADDR"] = hall
    screen = h.socket_client(app, h.SCREEN, {"workshop_id": ws_id, "key": h.presenter_key(app, ws_id)}, flask_client)
    assert screen.is_connected(h.SCREEN)
    c = app.test_client()
    for _ in range(4):
        _join(c, _wrong_code(code), hall)
    assert _join(c, _wrong_code(code), hall).status_code == 429
    assert _join(c, code, hall).status_code == 200


def test_a_phone_rejoins_with_its_token_over_the_limit(tmp_path, migrated_db):
    app = _app(tmp_path, "rejoin", migrated_db, rate_limit_join="2/minute")
    _, code, _ = h.setup_workshop(app)
    phone_addr, c = _addr(), app.test_client()
    token = _join(c, code, _addr()).get_json()["token"]
    for _ in range(3):
        _join(c, _wrong_code(code), phone_addr)
    assert _join(c, code, phone_addr).status_code == 429  # no token: unknown here
    r = _join(c, code, phone_addr, token=token)
    assert r.status_code == 200 and r.get_json()["token"] == token


@pytest.mark.parametrize("route", ["/w/{}", "/j/{}", "/qr/{}.svg"])
def test_every_route_that_tells_whether_a_code_exists_counts(tmp_path, migrated_db, route):
    """GET /w/<code>, /j/<code> and /qr/<code>.svg answer 404 for a wrong code: each is a
    guess, counted with the joins' budget, and refused (429) once it is spent."""
    app = _app(tmp_path, "routes", migrated_db, rate_limit_join="4/minute")
    _, code, _ = h.setup_workshop(app)
    c, addr = app.test_client(), _addr()
    got = [c.get(route.format(_wrong_code(code)), environ_base={"REMOTE_ADDR": addr}).status_code for _ in range(5)]
    assert got == [404] * 4 + [429], got
    # the budget is the same one the join uses: the right code is now refused at this address
    assert c.get(route.format(code), environ_base={"REMOTE_ADDR": addr}).status_code == 429
    assert _join(c, code, addr).status_code == 429
    # and a right code from elsewhere is answered
    assert c.get(route.format(code), environ_base={"REMOTE_ADDR": _addr()}).status_code in (200, 302)


def test_the_routes_share_one_budget(tmp_path, migrated_db):
    app = _app(tmp_path, "mixed", migrated_db, rate_limit_join="4/minute")
    _, code, _ = h.setup_workshop(app)
    c, addr = app.test_client(), _addr()
    env = {"REMOTE_ADDR": addr}
    got = [
        c.get(f"/w/{_wrong_code(code)}", environ_base=env).status_code,
        c.get(f"/j/{_wrong_code(code)}", environ_base=env).status_code,
        c.get(f"/qr/{_wrong_code(code)}.svg", environ_base=env).status_code,
        _join(c, _wrong_code(code), addr).status_code,
        c.get(f"/w/{_wrong_code(code)}", environ_base=env).status_code,
    ]
    assert got == [404, 404, 404, 404, 429], got


# --- one client cannot mint a crowd ---------------------------------------------------------------


def test_new_participants_per_address_are_limited(tmp_path, migrated_db):
    """Before: every join from one address made a participant (≈1 200 a minute). Now new
    participants count per address (RATE_LIMIT_JOIN_NEW); a rejoin with a token does not."""
    app = _app(tmp_path, "mint", migrated_db, rate_limit_join_new="10/minute")
    _, code, _ = h.setup_workshop(app)
    c, addr = app.test_client(), _addr()
    answers = [_join(c, code, addr) for _ in range(12)]
    assert [r.status_code for r in answers] == [200] * 10 + [429] * 2
    assert answers[-1].get_json()["error"]["code"] == "rate_limited" and answers[-1].get_json()["error"]["message"]
    assert _participants(app) == 10
    token = answers[0].get_json()["token"]
    assert _join(c, code, addr, token=token, nickname="Kim").status_code == 200
    assert _join(c, code, _addr()).status_code == 200
    assert _participants(app) == 11


def test_default_join_new_limit_lets_a_large_hall_in():
    from limits import parse

    from workshop.config import Settings

    item = parse(Settings.rate_limit_join_new)
    # a hall of 5 000 phones behind one address, one in five joining twice
    assert item.amount >= 6000 and item.get_expiry() <= 3600


# --- phones: sockets and snapshots per token ---------------------------------------------------------


def test_one_token_holds_a_bounded_number_of_sockets(tmp_path, migrated_db):
    """Before: one token held 200 sockets. Now PHONE_SOCKETS_MAX (4) per participant."""
    app = _app(tmp_path, "sockets", migrated_db)
    _, code, _ = h.setup_workshop(app)
    token = h.join(app.test_client(), code)["token"]
    socks = [h.socket_client(app, PHONE, {"token": token}, app.test_client()) for _ in range(6)]
    connected = [s.is_connected(PHONE) for s in socks]
    assert connected == [True] * 4 + [False] * 2, connected
    assert socks[4].refusal(PHONE)["data"]["code"] == "rate_limited"
    socks[0].disconnect(PHONE)
    again = h.socket_client(app, PHONE, {"token": token}, app.test_client())
    assert again.is_connected(PHONE)
    # another phone is not affected
    other, _ = h.phone(app, app.test_client(), code)
    assert other.is_connected(PHONE)


def test_connects_per_token_are_limited(tmp_path, migrated_db):
    app = _app(tmp_path, "connects", migrated_db, rate_limit_phone_connect="5/minute")
    _, code, _ = h.setup_workshop(app)
    token = h.join(app.test_client(), code)["token"]
    for _ in range(5):
        s = h.socket_client(app, PHONE, {"token": token}, app.test_client())
        assert s.is_connected(PHONE)
        s.disconnect(PHONE)
    s = h.socket_client(app, PHONE, {"token": token}, app.test_client())
    assert not s.is_connected(PHONE) and s.refusal(PHONE)["data"]["code"] == "rate_limited"
    assert s.refusal(PHONE)["data"]["message"]
    other, _ = h.phone(app, app.test_client(), code)
    assert other.is_connected(PHONE)


def test_snapshot_requests_per_token_are_limited(tmp_path, migrated_db):
    """Before: 15 snapshots a second from one phone slowed every other phone's ack."""
    app = _app(tmp_path, "snaps", migrated_db, rate_limit_phone_snapshot="3/minute")
    _, code, ids = h.setup_workshop(app)
    noisy, _ = h.phone(app, app.test_client(), code)
    quiet, _ = h.phone(app, app.test_client(), code)
    acks = [noisy.emit("snapshot", {}, namespace=PHONE, callback=True) for _ in range(5)]
    assert [a["ok"] for a in acks] == [True] * 3 + [False] * 2
    h.assert_error(acks[-1], "rate_limited")
    assert quiet.emit("snapshot", {}, namespace=PHONE, callback=True)["ok"] is True
    assert h.vote(noisy, ids[0], "n1", (0,))["ok"] is True  # answering is not affected


def test_default_phone_limits_leave_room_for_reconnects():
    """A phone reconnecting with socket.io's back-off (1 s doubling to 5 s) connects at most
    about 12 times a minute."""
    from limits import parse

    from workshop.config import Settings

    connect = parse(Settings.rate_limit_phone_connect)
    assert connect.amount * 60 / connect.get_expiry() >= 2 * 12
    snap = parse(Settings.rate_limit_phone_snapshot)
    assert snap.amount * 60 / snap.get_expiry() <= 60  # at most one a second on average


# --- failed logins: correct passwords pass ----------------------------------------------------------


def _login(c, addr, password, email="anna@solstad.se"):
    return c.post("/login", data={"email": email, "password": password}, environ_base={"REMOTE_ADDR": addr})


def _logged_in(r) -> bool:
    return r.status_code == 302 and "/login" not in r.headers["Location"]


def test_wrong_passwords_do_not_lock_out_the_facilitators_browser(tmp_path, migrated_db):
    """Before: ten wrong passwords from an address locked everyone there out, the right
    password too. Now a browser that has logged in to the account before has its own budget."""
    app = _app(tmp_path, "login", migrated_db)
    h.setup_workshop(app)
    office = _addr()
    mine = app.test_client()
    assert _logged_in(_login(mine, office, h.PASSWORD))
    mine.get("/logout")
    guesser = app.test_client()
    for i in range(12):
        r = _login(guesser, office, f"wrong-{i}")
        assert r.status_code == 200 and not _logged_in(r)
    # the guesser is over the limit: even the right password gets no answer from this browser
    r = _login(guesser, office, h.PASSWORD)
    assert r.status_code == 200 and not _logged_in(r)
    # the facilitator's own browser, same address, right password: in
    assert _logged_in(_login(mine, office, h.PASSWORD))


def test_wrong_passwords_elsewhere_do_not_lock_out_a_new_browser(tmp_path, migrated_db):
    app = _app(tmp_path, "login2", migrated_db)
    h.setup_workshop(app)
    guesser, attacker = app.test_client(), _addr()
    for i in range(12):
        _login(guesser, attacker, f"wrong-{i}")
    assert not _logged_in(_login(guesser, attacker, h.PASSWORD))
    assert _logged_in(_login(app.test_client(), _addr(), h.PASSWORD))


def test_password_guessing_is_bounded_per_account(tmp_path, migrated_db):
    """Guesses spread over many addresses count for the account (RATE_LIMIT_LOGIN_ACCOUNT):
    then new browsers anywhere are refused unchecked, and a known browser still logs in."""
    app = _app(tmp_path, "login3", migrated_db, rate_limit_login_account="20/day")
    h.setup_workshop(app)
    known = app.test_client()
    assert _logged_in(_login(known, _addr(), h.PASSWORD))
    known.get("/logout")
    for i in range(20):
        _login(app.test_client(), _addr(), f"wrong-{i}")
    assert not _logged_in(_login(app.test_client(), _addr(), h.PASSWORD))
    assert _logged_in(_login(known, _addr(), h.PASSWORD))


def test_a_known_browser_has_a_budget_of_its_own(tmp_path, migrated_db):
    """The device cookie does not give a guesser unlimited tries: it has the per-account
    budget, and it counts only for the account it was issued for."""
    app = _app(tmp_path, "login4", migrated_db, rate_limit_login="5/minute")
    h.setup_workshop(app)
    h.setup_workshop(app, email="bertil@norrby.se")
    c, addr = app.test_client(), _addr()
    assert _logged_in(_login(c, addr, h.PASSWORD))
    c.get("/logout")
    for i in range(5):
        _login(c, addr, f"wrong-{i}")
    assert not _logged_in(_login(c, addr, h.PASSWORD))
    # anna's cookie is nothing for bertil's account: counted as a new browser there
    assert _logged_in(_login(c, _addr(), h.PASSWORD, email="bertil@norrby.se"))


# --- the console is sent changes, not the list -------------------------------------------------------


def test_the_console_gets_who_joined_not_the_whole_list(tmp_path, migrated_db):
    """Before: every join sent the console the whole participant list. Now the snapshot has
    the list and later joins send ``participants_changed`` with only the new rows."""
    app = _app(tmp_path, "presence", migrated_db)
    ws_id, code, _ = h.setup_workshop(app, ask_perspective=True, perspectives=["Boende", "Kommun"])
    c = app.test_client()
    for nick in ("Kim", "Ali"):
        h.join(c, code, nickname=nick, perspective="Boende")
    h.flush(app)
    console = h.console(app, ws_id)
    screen = h.screen(app, ws_id)
    snap = h.events(console, h.CONSOLE, "snapshot")[-1]
    assert [p["nickname"] for p in snap["presence"]["list"]] == ["Kim", "Ali"]
    h.events(screen, h.SCREEN)
    joined = h.join(c, code, nickname="Eva", perspective="Kommun")
    h.join(c, code, nickname="Sam")
    h.flush(app)
    got = h.events(console, h.CONSOLE)
    assert "presence" not in [name for name, _ in got]
    deltas = [arg for name, arg in got if name == "participants_changed"]
    assert len(deltas) == 1, got
    d = deltas[0]
    assert "list" not in d
    assert [p["nickname"] for p in d["changed"]] == ["Eva", "Sam"]
    assert d["participants"] == 4 and d["per_perspective"] == {"Boende": 2, "Kommun": 1, "": 1}
    assert h.events(screen, h.SCREEN, "presence") == [{"participants": 4}]
    # a rejoin that changes the nickname sends that one row again
    h.join(c, code, token=joined["token"], nickname="Eva B")
    h.flush(app)
    d = h.events(console, h.CONSOLE, "participants_changed")[-1]
    assert d["changed"] == [{"id": joined["participant"]["id"], "nickname": "Eva B", "perspective": "Kommun"}]
    assert d["participants"] == 4


# --- participants' items never fill the analysis the facilitator needs --------------------------------

EFFECTS = ("effects", "Hitta effekterna", {"max_entries": 50})


def _effect(tc, client_id, text):
    return tc.emit(
        "submit",
        {
            "activity_id": _effect.act,
            "client_id": client_id,
            "payload": {"action": "add", "text": text, "polarity": "positive"},
        },
        namespace=PHONE,
        callback=True,
    )


def test_phones_items_stop_before_the_facilitators_room(tmp_path, migrated_db, monkeypatch):
    """Before: joined phones filled the analysis' 2 000 items and the facilitator's own edits
    failed. Now phones' items stop at PHONE_ITEMS_MAX (and PHONE_ITEMS_EACH per participant)
    with a clear message, and the facilitator adds up to ANALYSIS_ITEMS_MAX. Small caps here,
    the same code paths as the real ones."""
    from workshop import caps

    monkeypatch.setattr(caps, "ANALYSIS_ITEMS_MAX", 8)
    monkeypatch.setattr(caps, "PHONE_ITEMS_MAX", 5)
    monkeypatch.setattr(caps, "PHONE_ITEMS_EACH", 3)
    app = _app(tmp_path, "caps", migrated_db)
    ws_id, code, ids = h.setup_workshop(app, activities=[EFFECTS], mode="self_paced")
    _effect.act = ids[0]
    a, _ = h.phone(app, app.test_client(), code)
    b, _ = h.phone(app, app.test_client(), code)
    acks = [_effect(a, f"a{i}", f"Effekt A{i}") for i in range(4)]
    assert [x["ok"] for x in acks] == [True] * 3 + [False]
    err = h.assert_error(acks[-1], "full")
    acks = [_effect(b, f"b{i}", f"Effekt B{i}") for i in range(3)]
    assert [x["ok"] for x in acks] == [True, True, False]  # 5 items from phones in all
    h.assert_error(acks[-1], "full")
    assert err["message"] != acks[-1]["error"]["message"]  # "you" vs "participants"
    console = h.console(app, ws_id)
    adds = [
        console.emit(
            "draft", {"op": "node.add", "args": {"data": {"title": f"Egen {i}"}}}, namespace=h.CONSOLE, callback=True
        )
        for i in range(4)
    ]
    assert [x["ok"] for x in adds] == [True, True, True, False]  # 8 in all: the analysis' own cap
    h.assert_error(adds[-1], "full")


def test_the_real_caps_leave_the_facilitator_room():
    from workshop import caps

    assert caps.ANALYSIS_ITEMS_MAX == 2000
    assert caps.ANALYSIS_ITEMS_MAX - caps.PHONE_ITEMS_MAX >= 500
    assert caps.PHONE_ITEMS_EACH < caps.PHONE_ITEMS_MAX


def test_an_activity_holds_at_most_activity_entries_max(tmp_path, migrated_db, monkeypatch):
    """Entries of one activity from all phones together stop at caps.ACTIVITY_ENTRIES_MAX."""
    from workshop import caps

    monkeypatch.setattr(caps, "ACTIVITY_ENTRIES_MAX", 4)
    app = _app(tmp_path, "actcap", migrated_db)
    _, code, ids = h.setup_workshop(app, activities=[("open_text", "Vad tycker ni?", {"max_entries": 3})])
    phones = [h.phone(app, app.test_client(), code)[0] for _ in range(2)]
    acks = [
        h.vote(p, ids[0], f"t{i}-{j}", payload={"text": f"Svar {i} {j}"})
        for i, p in enumerate(phones)
        for j in range(3)
    ]
    assert [x["ok"] for x in acks] == [True] * 4 + [False] * 2, acks
    h.assert_error(acks[-1], "full")


def test_a_snapshot_from_the_broadcasters_copy_holds_every_stored_vote(tmp_path, migrated_db):
    """Snapshots use the phones' payload computed at most PHONE_BROADCAST_INTERVAL ago; a vote
    stored in between drops that copy, so the next snapshot counts it."""
    from workshop.models import Activity

    app = _app(tmp_path, "snapcopy", migrated_db, phone_broadcast_interval=60.0)
    _, code, ids = h.setup_workshop(app)
    h.update_row(app, Activity, ids[0], revealed=True)
    a, _ = h.phone(app, app.test_client(), code)
    b, _ = h.phone(app, app.test_client(), code)

    def counts(tc):
        ack = tc.emit("snapshot", {}, namespace=PHONE, callback=True)
        return ack["snapshot"]["results"][str(ids[0])]["aggregate"]["counts"]

    assert counts(a) == [0, 0, 0]
    assert h.vote(b, ids[0], "b1", (1,))["ok"] is True
    assert counts(a) == [0, 1, 0]
    assert counts(b) == [0, 1, 0]
    # a hidden activity's figures are not sent (the count is)
    h.update_row(app, Activity, ids[0], revealed=False)
    ack = a.emit("snapshot", {}, namespace=PHONE, callback=True)
    hidden = ack["snapshot"]["results"][str(ids[0])]
    assert hidden["aggregate"] is None and hidden["responders"] == 1


@pytest.mark.services
def test_a_reached_workshop_is_remembered_across_two_app_instances_through_redis(tmp_path, migrated_db):
    """The mark "this address reached this workshop" lives in the shared storage too: a hall
    whose first phone joined through one process passes through the other once over the limit."""
    _redis_or_skip()
    a = _app(tmp_path, "one", None, rate_limit_join="3/minute", ratelimit_storage=REDIS_URL)
    _, code, _ = h.setup_workshop(a)
    b_dir = Path(a.extensions["settings"].data_dir)
    from workshop.app import create_app
    from workshop.config import Settings

    b = create_app(
        Settings.from_env(b_dir, testing=True, rate_limit_join="3/minute", ratelimit_storage=REDIS_URL),
        async_mode="threading",
        migrate=False,
    )
    hall = _addr()
    assert _join(a.test_client(), code, hall).status_code == 200
    for _ in range(3):
        assert _join(b.test_client(), _wrong_code(code), hall).status_code == 404
    assert _join(b.test_client(), _wrong_code(code), hall).status_code == 429
    assert _join(b.test_client(), code, hall).status_code == 200


# --- several rules in one call (a vote: per phone and per address) ---------------------------------


def _allow_each_rules(limits_cls, storage: str):
    tag = secrets.token_hex(4)
    return limits_cls(storage, {"phone": "2/minute", "address": "3/minute"}), f"p-{tag}", f"a-{tag}"


def _count_round_trips(rl) -> list[int]:
    """Wrap ``rl``'s Redis script: the list returned grows by one per call."""
    calls: list[int] = []
    script = rl._acquire_many

    def counting(*args, **kwargs):
        calls.append(1)
        return script(*args, **kwargs)

    rl._acquire_many = counting
    return calls


def _check_allow_each(rl, phone: str, address: str) -> None:
    hits = (("phone", phone), ("address", address))
    assert rl.allow_each(*hits) and rl.allow_each(*hits)
    # the phone's budget is used up: refused, and the address is not charged for it
    assert rl.allow_each(*hits) is False
    assert not rl.over("address", address)
    assert rl.seen("phone", phone) and rl.seen("address", address)
    # the same counters as ``allow``: one more hit fills the address
    assert rl.allow("address", address) is True
    assert rl.over("address", address)
    assert rl.allow_each(("address", address), ("phone", f"{phone}-other")) is False
    assert not rl.seen("phone", f"{phone}-other")  # stopped at the first full rule


def test_allow_each_counts_in_order_and_stops_at_the_first_full_rule_in_memory():
    from workshop.ratelimit import RateLimits

    _check_allow_each(*_allow_each_rules(RateLimits, "memory://"))


@pytest.mark.services
def test_allow_each_through_redis_is_one_round_trip_with_the_same_counters():
    _redis_or_skip()
    from workshop.ratelimit import RateLimits

    rl, phone, address = _allow_each_rules(RateLimits, REDIS_URL)
    assert rl._acquire_many is not None
    calls = _count_round_trips(rl)
    _check_allow_each(rl, phone, address)
    assert len(calls) == 4  # one per allow_each, whatever the number of rules


def _check_allow_many(rl, phone: str, address: str) -> None:
    """A batch of votes counted at once reads as the same votes counted one by one."""
    one, two, three = ((("phone", p), ("address", address)) for p in (phone, f"{phone}-2", f"{phone}-3"))
    assert rl.allow_many([]) == []
    # phone 2/minute, address 3/minute: the third vote of the first phone is refused without
    # charging the address, the second phone's vote fills the address, the third phone is refused.
    assert rl.allow_many([one, one, one, two, three]) == [True, True, False, True, False]
    assert rl.over("address", address)
    assert rl.seen("phone", f"{phone}-3")  # counted in order: its own rule, then the full address
    assert rl.allow_many([two]) == [False]


def test_allow_many_counts_a_batch_as_one_by_one_in_memory():
    from workshop.ratelimit import RateLimits

    _check_allow_many(*_allow_each_rules(RateLimits, "memory://"))


@pytest.mark.services
def test_allow_many_through_redis_is_one_round_trip_for_the_batch():
    _redis_or_skip()
    from workshop.ratelimit import RateLimits

    rl, phone, address = _allow_each_rules(RateLimits, REDIS_URL)
    calls = _count_round_trips(rl)
    _check_allow_many(rl, phone, address)
    assert len(calls) == 2  # one per batch (an empty batch asks nothing)
