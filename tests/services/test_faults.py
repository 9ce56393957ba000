"""Faults with real processes: kill -9 in a burst, Redis and PostgreSQL restarting under load,
a network that blocks websockets, SQLite locked by another writer.

The phones here are python-socketio clients with the product's outbox (svc.Phone): an input
stays in the outbox until acknowledged and is sent again, with the same client_id, after a
reconnect or after an "unavailable" answer, as static/js/phone.js does.
"""

from __future__ import annotations

import importlib.util
import itertools
import socket
import sqlite3
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
import socketio


def _svc():
    name = "nyttoverkstad_services_svc"  # the module tests/services/conftest.py loads
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name("svc.py"))
        sys.modules[name] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(sys.modules[name])
    return sys.modules[name]


svc = _svc()
pytestmark = pytest.mark.services

TEXT = ("open_text", "Vad vill ni uppnå?", {"max_entries": 20, "max_length": 280, "premoderate": False})
MC = (
    "multiple_choice",
    "Använder ni metoden?",
    {"options": ["Ja", "Nej", "Vet inte"], "multiple": False, "max_choices": 1},
)


def _exactly_once(dep, activity_id: int, phones) -> list[tuple[int, str]]:
    """Every input any phone submitted is stored exactly once, and nothing else is."""
    stored = dep.stored(activity_id)
    assert len(stored) == len(set(stored)), "an input was stored twice"
    submitted = {(p.participant_id, cid) for p in phones for cid in p.acks}
    for p in phones:
        assert not p.outbox, f"phone {p.participant_id} still holds {len(p.outbox)} unacknowledged inputs"
        assert not p.refused, p.refused
    assert set(stored) == submitted
    return stored


# --- kill -9 -----------------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
def killable(request, tmp_path):
    """(deployment, node to kill, node the presenter watches): SQLite single node (the default
    install) or the PostgreSQL + Redis scale-out."""
    if request.param == "sqlite":
        dep = svc.Deployment(tmp_path, None, queue=False)
        (node,) = dep.start(1)
        dep.create_user()
        try:
            yield dep, node, None
        finally:
            dep.close()
    else:
        dep = request.getfixturevalue("scale_out")
        yield dep, dep.nodes[0], dep.nodes[1]


def test_kill_9_in_a_burst_loses_nothing_acknowledged_and_counts_resends_once(killable):
    dep, victim, survivor = killable
    w = dep.setup_workshop([TEXT])
    act = w["ids"][0]
    watch = survivor or victim
    screen = svc.Screen(watch.url, w["ws_id"], w["key"]).connect()
    phones = svc.in_parallel(
        lambda i: svc.Phone(victim.url, w["code"], f"P{i}", transports=["polling"] if i % 3 == 0 else None).connect(),
        range(12),
    )
    try:
        # Everyone sends 15 answers at once; the server is killed the moment the 12th is
        # acknowledged (from the acknowledgement itself, so a fast writer cannot finish first).
        per_phone = 15
        acks = itertools.count(1)

        def kill_at_twelfth(_cid):
            if next(acks) == 12:
                victim.proc.kill()

        for p in phones:
            p.on_ack = kill_at_twelfth
        burst = threading.Thread(
            target=lambda: [
                p.submit(act, {"text": f"Svar {k} från {p.participant_id}"}) for k in range(per_phone) for p in phones
            ]
        )
        burst.start()
        assert svc.wait_for(lambda: victim.proc.poll() is not None, 30, interval=0.01), "no acks before the kill"
        victim.kill()
        burst.join(30)
        acked_at_kill = {p.participant_id: set(p.acks) for p in phones}
        assert sum(len(p.outbox) for p in phones) > 0, "nothing was in flight at the kill"
        assert victim.proc.returncode == -9

        restarted = dep.restart(victim)
        # The phones reconnect by themselves, resync (snapshot) and send their outbox again.
        assert svc.wait_for(lambda: all(p.connects >= 2 and not p.outbox for p in phones), 60), [
            (p.connects, len(p.outbox)) for p in phones
        ]
        for p in phones:
            mine = {m["client_id"] for m in p.snapshots[-1]["mine"].get(str(act), [])}
            assert acked_at_kill[p.participant_id] <= mine, "an acknowledged answer was missing after the restart"
        stored = _exactly_once(dep, act, phones)
        assert len(stored) == per_phone * len(phones)
        # The presenter (reconnected too, on SQLite) counts every answer once.
        if survivor is None:
            assert svc.wait_for(lambda: screen.connects >= 2, 30)
        assert svc.wait_for(lambda: (screen.aggregate(act) or {}).get("answers") == len(stored), 30), (
            screen.latest(act),
            {"received": [(r.get("version"), (r.get("aggregate") or {}).get("answers")) for r in screen.received]},
            {"dropped": screen.dropped, "connects": screen.connects},
            [(n.name, n.log_tail(3000)) for n in dep.nodes],
        )
        assert restarted.proc.poll() is None
    finally:
        svc.close_all([screen, *phones])


# --- Redis, then PostgreSQL, restarting under load ---------------------------------------------


class Load:
    """Phones answering all the time, round robin, until stopped (or paused)."""

    def __init__(self, phones, act: int, interval: float = 0.05, per_phone: int = 19):
        self.phones, self.act, self.interval, self.per_phone = phones, act, interval, per_phone
        self.go = threading.Event()
        self.stop = threading.Event()
        self.counts = {p.participant_id: 0 for p in phones}
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        i = 0
        while not self.stop.is_set():
            if not self.go.wait(0.1):
                continue
            p = self.phones[i % len(self.phones)]
            i += 1
            if self.counts[p.participant_id] < self.per_phone:
                self.counts[p.participant_id] += 1
                p.submit(self.act, {"text": f"Last {i}"})
            time.sleep(self.interval)

    def acks(self) -> int:
        return sum(len(p.acks) for p in self.phones)


def _converged(dep, act, screens, phones, timeout=40):
    assert svc.wait_for(lambda: all(not p.outbox for p in phones), timeout), [len(p.outbox) for p in phones]
    total = len(dep.stored(act))
    for s in screens:
        assert svc.wait_for(lambda: (s.aggregate(act) or {}).get("answers") == total, timeout), (
            s.url,
            s.latest(act),
            total,
        )
    return total


@pytest.fixture
def scale_out_own_redis(tmp_path, postgres, redis_service):
    """The scale-out on a Redis of its own (the same redis-server, on another port), so that
    stopping it does not pull Redis from under other tests running at the same time."""
    own = svc.PrivateRedis(tmp_path).start()
    dep = svc.Deployment(tmp_path, postgres, queue=True, redis_url=own.url)
    try:
        dep.start(2)
        dep.create_user()
        yield dep, own
    finally:
        dep.close()
        own.stop()


def test_redis_then_postgresql_restart_under_load(scale_out_own_redis):
    dep, own_redis = scale_out_own_redis
    a, b = dep.nodes
    w = dep.setup_workshop([TEXT])
    act = w["ids"][0]
    screens = [svc.Screen(a.url, w["ws_id"], w["key"]).connect(), svc.Screen(b.url, w["ws_id"], w["key"]).connect()]
    phones = svc.in_parallel(
        lambda i: svc.Phone(
            (a, b)[i % 2].url, w["code"], f"P{i}", transports=["polling"] if i % 4 == 1 else None
        ).connect(),
        range(12),
    )
    late = svc.Phone(a.url, w["code"], "Sen")  # joined now, connects while PostgreSQL is down
    load = Load(phones, act)
    load.thread.start()
    try:
        load.go.set()
        assert svc.wait_for(lambda: load.acks() >= 10, 20)

        # Redis goes away: votes are still stored and acknowledged (they go to PostgreSQL).
        own_redis.stop()
        before = load.acks()
        time.sleep(2.0)
        assert load.acks() >= before + 10, "votes stalled while Redis was down"
        # The last votes are made while Redis is down (their results could not be published)...
        load.go.clear()
        assert svc.wait_for(lambda: all(not p.outbox for p in phones)), "votes unacknowledged while Redis was down"
        own_redis.start()
        # ...yet once it is back, with no new vote, both presenters show the full total.
        _converged(dep, act, screens, phones)
        load.go.set()

        # PostgreSQL goes away: phones are told plainly ("unavailable"), keep their inputs, and
        # everything is stored once it is back.
        svc.pg_stop()
        assert svc.wait_for(lambda: any(e["error"]["code"] == "unavailable" for p in phones for e in p.transient), 20)
        r = requests.post(a.url + "/api/join", json={"code": w["code"]}, timeout=20)
        assert r.status_code == 503 and r.json()["error"]["code"] == "unavailable", (r.status_code, r.text[:300])
        assert r.json()["error"]["message"]
        page = requests.get(b.url + f"/w/{w['code']}", timeout=20)  # a person's page: the error page, 503
        assert page.status_code == 503 and page.headers.get("Retry-After") and "<html" in page.text.lower()
        refused = socketio.Client(reconnection=False)
        errors = []
        refused.on("connect_error", lambda data=None: errors.append(data), namespace="/phone")
        with pytest.raises(socketio.exceptions.ConnectionError):
            refused.connect(b.url, namespaces=["/phone"], auth={"token": late.token}, wait_timeout=15)
        assert errors and (errors[0].get("data") or {}).get("code") == "unavailable", errors
        assert (errors[0].get("data") or {}).get("message")
        time.sleep(1.0)
        svc.pg_start()
        late.connect()  # works again, by itself, with the same token
        time.sleep(1.5)
        load.stop.set()
        load.thread.join(10)

        total = _converged(dep, act, screens, phones)
        _exactly_once(dep, act, phones)
        assert total == sum(load.counts.values())
        codes = {e["error"]["code"] for p in phones for e in p.transient}
        assert codes == {"unavailable"}, codes  # clear, and never a bare "server" error
        assert all(e["error"]["message"] for p in phones for e in p.transient)
        # The processes lived through both restarts.
        assert a.proc.poll() is None and b.proc.poll() is None
    finally:
        load.stop.set()
        svc.close_all([*screens, *phones, late])


# --- a network that blocks websockets ----------------------------------------------------------


class NoWebsocketProxy:
    """A TCP proxy in front of a server that refuses every websocket upgrade, like some venue
    and corporate networks do; plain HTTP (long-polling) passes."""

    def __init__(self, target_port: int):
        self.target = ("127.0.0.1", target_port)
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.refused = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client):
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = client.recv(65536)
            if not chunk:
                client.close()
                return
            head += chunk
        if b"upgrade: websocket" in head.lower():
            self.refused += 1
            client.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            client.close()
            return
        upstream = socket.create_connection(self.target)
        upstream.sendall(head)

        def pipe(src, dst):
            try:
                while data := src.recv(65536):
                    dst.sendall(data)
            except OSError:
                pass
            finally:
                for s in (src, dst):
                    try:
                        s.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass

        threading.Thread(target=pipe, args=(upstream, client), daemon=True).start()
        pipe(client, upstream)

    def close(self):
        self.sock.close()


def test_phone_on_a_network_that_blocks_websockets(tmp_path):
    """The default install behind a network that refuses websocket upgrades: a phone that tries
    to upgrade stays on long-polling, one that only polls works too; both answer, get the
    facilitator's reveal and the results."""
    dep = svc.Deployment(tmp_path, None, queue=False)
    (node,) = dep.start(1)
    dep.create_user()
    w = dep.setup_workshop([MC])
    mc = w["ids"][0]
    proxy = NoWebsocketProxy(node.port)
    console = svc.Console(node.url, w["ws_id"], dep.login(node)).connect()
    upgrading = svc.Phone(proxy.url, w["code"], "Uppgraderar").connect()  # polling, then tries websocket
    polling = svc.Phone(proxy.url, w["code"], "Pollar", transports=["polling"]).connect()
    try:
        for p, choice in ((upgrading, 0), (polling, 1)):
            p.submit(mc, {"choices": [choice]})
        assert svc.wait_for(lambda: len(upgrading.acks) == 1 and len(polling.acks) == 1), (
            upgrading.refused,
            polling.refused,
        )
        assert svc.wait_for(lambda: proxy.refused >= 1, 10), "the client never tried a websocket"
        assert upgrading.transport() == "polling" and polling.transport() == "polling"
        assert console.call("set", {"activity_id": mc, "flag": "results_visible", "value": True})["ok"]
        for p in (upgrading, polling):
            assert svc.wait_for(lambda: (p.aggregate(mc) or {}).get("counts") == [1, 1, 0]), p.latest(mc)
        # A phone that changes its answer over polling: replaced, counted once.
        polling.submit(mc, {"choices": [0]})
        assert svc.wait_for(lambda: (console.aggregate(mc) or {}).get("counts") == [2, 0, 0]), console.latest(mc)
    finally:
        svc.close_all([console, upgrading, polling])
        proxy.close()
        dep.close()


# --- SQLite locked by another writer -----------------------------------------------------------


def test_sqlite_locked_by_another_writer_is_retried_never_an_error(tmp_path):
    """Two server processes on one SQLite file (and, for 1.5 s, a third writer holding the write
    lock, longer than SQLite's busy timeout): every input is stored and acknowledged, none gets
    an error, nothing is counted twice."""
    dep = svc.Deployment(tmp_path, None, queue=False, shared_data_dir=True, extra_env={"SQLITE_BUSY_TIMEOUT": "0.3"})
    a, b = dep.start(2)
    dep.create_user()
    w = dep.setup_workshop([TEXT])
    act = w["ids"][0]
    phones = svc.in_parallel(lambda i: svc.Phone((a, b)[i % 2].url, w["code"], f"P{i}").connect(), range(16))
    try:
        # Both processes write at once.
        for k in range(3):
            for p in phones:
                p.submit(act, {"text": f"Före {k}"})
        # Another writer holds the lock past the busy timeout while both processes get inputs.
        locker = sqlite3.connect(tmp_path / "data" / "nyttoverkstad.sqlite3", isolation_level=None, timeout=30)
        locker.execute("BEGIN IMMEDIATE")
        for k in range(2):
            for p in phones:
                p.submit(act, {"text": f"Under {k}"})
        time.sleep(1.5)
        locker.execute("COMMIT")
        locker.close()
        assert svc.wait_for(lambda: all(not p.outbox for p in phones), 40), [len(p.outbox) for p in phones]
        errors = [e for p in phones for e in p.transient]
        assert errors == [], errors[:3]  # retried inside the server: no "server", no "unavailable"
        stored = _exactly_once(dep, act, phones)
        assert len(stored) == 5 * len(phones)
        for node in (a, b):
            assert "Traceback" not in node.log_tail(200_000), node.log_tail()
    finally:
        svc.close_all(phones)
        dep.close()


# --- the broadcaster keeps what it could not send ---------------------------------------------


def test_broadcaster_keeps_what_was_due_when_a_round_fails(tmp_path, monkeypatch):
    """A round that hits a database error, or whose messages the queue did not take, sends the
    same things again on the next round; a queue that comes back triggers a resend of the state
    of every workshop with connections here. (In-process, deterministic; the restart test above
    shows the same end to end.)"""
    from sqlalchemy.exc import OperationalError

    import workshop.realtime.broadcaster as bmod
    from workshop.app import create_app
    from workshop.config import Settings
    from workshop.realtime import connections
    from workshop.realtime.connections import Conn

    app = create_app(Settings.from_env(tmp_path, testing=True), async_mode="threading")
    dep = svc.Deployment(tmp_path, None, queue=False)
    dep._app = app
    dep.create_user()
    w = dep.setup_workshop([MC])
    act, wid = w["ids"][0], w["ws_id"]
    bc = app.extensions["broadcaster"]
    # Not what this test is about: a round slowed by a busy machine would otherwise make the
    # next one wait its turn (the pacing of heavy rounds).
    monkeypatch.setattr(bmod, "HEAVY_ROUND", float("inf"))
    sent = []
    monkeypatch.setattr(bc.socketio, "emit", lambda event, data, **kw: sent.append((event, kw.get("namespace"))))

    # 1. The database fails in the middle of a round.
    real_results = bmod.results_for

    def down(*_a, **_k):
        raise OperationalError("SELECT", {}, Exception("server closed the connection unexpectedly"))

    bc.mark(act)
    bc.mark_presence(wid)
    monkeypatch.setattr(bmod, "results_for", down)
    with app.app_context(), pytest.raises(OperationalError):
        bc.flush()
    assert ("results", "/screen") not in sent
    monkeypatch.setattr(bmod, "results_for", real_results)
    with app.app_context():
        bc.flush()
    assert ("results", "/screen") in sent and ("presence", "/screen") in sent

    # 2. The queue does not take a round's messages: they are sent again on the next one.
    sent.clear()
    failures = iter([0, 1, 1, 1, 1, 1, 1, 1])
    monkeypatch.setattr(bc, "_queue_failures", lambda: next(failures, 1))
    bc.mark(act)
    with app.app_context():
        bc.flush()
    first = sent.count(("results", "/screen"))
    with app.app_context():
        bc.flush()
    assert first == 1 and sent.count(("results", "/screen")) == 2

    # 3. The queue is back after an outage: state and results of workshops with connections here.
    sent.clear()
    monkeypatch.setattr(bc, "_queue_reconnected", lambda: True)
    connections.register("/screen", "sid-test", Conn("screen", wid))
    try:
        with app.app_context():
            bc.flush()
        assert ("state", "/phone") in sent and ("state", "/screen") in sent and ("results", "/screen") in sent
    finally:
        connections.drop("/screen", "sid-test")
        with app.app_context():
            from workshop.extensions import db

            db.session.remove()
            db.engine.dispose()


def test_processes_started_together_on_one_sqlite_file_migrate_once(tmp_path):
    """Two server processes (or a CLI command) starting at once on one SQLite file: a lock file
    lets one create the schema while the others wait (without it one fails: "table already exists")."""
    import os
    import subprocess

    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "workshop.cli", "db", "upgrade"],
            env={**env, "WORKSHOP_DATA_DIR": str(tmp_path)},
            cwd=svc.ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for _ in range(3)
    ]
    outs = [(p.wait(120), p.stdout.read().decode(errors="replace")[-1500:]) for p in procs]
    assert all(rc == 0 for rc, _ in outs), outs
    db = sqlite3.connect(tmp_path / "nyttoverkstad.sqlite3")
    assert len(db.execute("SELECT version_num FROM alembic_version").fetchall()) == 1
    db.close()
