"""Scale-out on real services: two ``workshop serve`` processes share one PostgreSQL database and
one Redis message queue (and Redis rate-limit counters). Phones on one process and the presenter
and console on the other see the same totals, reveals, activity changes and moderation."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests


def _svc():
    name = "nyttoverkstad_services_svc"  # the module tests/services/conftest.py loads
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name("svc.py"))
        sys.modules[name] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(sys.modules[name])
    return sys.modules[name]


svc = _svc()

pytestmark = pytest.mark.services

MC = (
    "multiple_choice",
    "Använder ni metoden?",
    {"options": ["Ja", "Nej", "Vet inte"], "multiple": False, "max_choices": 1},
)
TEXT = ("open_text", "Vad vill ni uppnå?", {"max_entries": 5, "max_length": 280, "premoderate": False})


def _tally(choices, n=3):
    return [choices.count(i) for i in range(n)]


def test_two_processes_agree_on_everything(scale_out):
    dep = scale_out
    a, b = dep.nodes
    w = dep.setup_workshop([MC, TEXT])
    mc, text = w["ids"]

    # The facilitator logs in on process A; the cookie works on B too (one SECRET_KEY).
    console = svc.Console(b.url, w["ws_id"], dep.login(a)).connect()
    screen_a = svc.Screen(a.url, w["ws_id"], w["key"]).connect()
    screen_b = svc.Screen(b.url, w["ws_id"], w["key"], transports=["polling"]).connect()
    specs = [(a, i) for i in range(10)] + [(b, i) for i in range(10, 16)]
    phones = svc.in_parallel(
        lambda s: svc.Phone(
            s[0].url, w["code"], f"Deltagare {s[1]}", transports=["polling"] if s[1] % 2 else ["websocket"]
        ).connect(),
        specs,
    )
    on_a, on_b = phones[:10], phones[10:]
    clients = [console, screen_a, screen_b, *phones]
    try:
        assert len({p.participant_id for p in phones}) == len(phones)
        assert {p.transport() for p in phones} == {"polling", "websocket"}

        # 1. Votes on both processes: every screen shows the same exact totals.
        choices = [i % 3 if i < 12 else 0 for i in range(len(phones))]
        for p, c in zip(phones, choices):
            p.submit(mc, {"choices": [c]})
        assert svc.wait_for(lambda: all(not p.pending() for p in phones)), "unacknowledged votes"
        assert all(not p.refused and not p.transient for p in phones), [p.refused or p.transient for p in phones]
        expected = _tally(choices)
        for who in (screen_a, screen_b, console):
            assert svc.wait_for(lambda: (who.aggregate(mc) or {}).get("counts") == expected), (
                who.namespace,
                who.latest(mc),
                expected,
            )
            assert who.latest(mc)["responders"] == len(phones)
        # Results were hidden from phones (not shown yet): no figures reached them.
        assert all((p.results.get(mc) or {}).get("aggregate") is None for p in phones)

        # 2. A reveal from the console on B reaches the phones on A (state and results).
        ack = console.call("set", {"activity_id": mc, "flag": "results_visible", "value": True})
        assert ack["ok"] is True, ack
        for p in phones:
            assert svc.wait_for(
                lambda: next((x["revealed"] for x in (p.state or {}).get("activities", []) if x["id"] == mc), False)
            ), p.state
            assert svc.wait_for(lambda: (p.aggregate(mc) or {}).get("counts") == expected), p.latest(mc)

        # 3. The console moves on: phones on A and the presenter on A follow.
        ack = console.call("goto", {"activity_id": text})
        assert ack["ok"] is True, ack
        for who in (*on_a, screen_a, *on_b):
            assert svc.wait_for(lambda: (who.state or {}).get("current_activity_id") == text), who.state

        # 4. Texts from phones on both processes; moderation on B reaches the screen on A.
        sent = {}
        for i, p in enumerate(on_a[:4] + on_b[:3]):
            cid = p.submit(text, {"text": f"Mål nummer {i}"})
            sent[cid] = p
        assert svc.wait_for(lambda: all(cid in p.acks for cid, p in sent.items())), "texts not acknowledged"
        n = len(sent)
        for who in (screen_a, screen_b):
            assert svc.wait_for(lambda: (who.aggregate(text) or {}).get("answers") == n), who.latest(text)
        assert svc.wait_for(lambda: len((console.latest(text) or {}).get("items") or []) == n)
        hidden_cid = next(iter(sent))
        hidden_id = sent[hidden_cid].acks[hidden_cid]["response_id"]
        ack = console.call("moderate", {"activity_id": text, "response_id": hidden_id, "action": "hide"})
        assert ack["ok"] is True, ack
        for who in (screen_a, screen_b):
            assert svc.wait_for(lambda: (who.aggregate(text) or {}).get("answers") == n - 1), who.latest(text)
            assert all(e["id"] != hidden_id for e in who.aggregate(text)["entries"])
        assert svc.wait_for(
            lambda: any(
                it["id"] == hidden_id and it["status"] == "hidden"
                for it in (console.latest(text) or {}).get("items") or []
            )
        )

        # 5. Every payload carried a version; what each screen shows is the newest it received.
        for who in (screen_a, screen_b, console):
            with who.lock:
                got = [r for r in who.received if r["activity_id"] == text]
                assert got and all(isinstance(r.get("version"), str) for r in got)
                assert who.results[text]["version"] == max(r["version"] for r in got)
        # And what is stored agrees with what is shown.
        assert dep.sql("SELECT count(*) FROM responses WHERE activity_id = :a AND current", a=mc) == [(len(phones),)]
        # psycopg waits cooperatively under gevent in the real servers (see app._check_psycopg_under_gevent).
        for node in (a, b):
            assert "psycopg was imported before gevent" not in node.log_tail(100_000)
    finally:
        svc.close_all(clients)


def test_stale_results_from_another_process_do_not_replace_newer_ones(tmp_path, postgres):
    """Two processes read one activity around the same vote; the later read has the larger
    version whichever arrives last, so a client that keeps the larger one shows the full count."""
    from workshop.extensions import db
    from workshop.inputs import submit
    from workshop.models import Activity, Participant
    from workshop.realtime.payloads import read_version, results_for

    dep = svc.Deployment(tmp_path, postgres, queue=False)
    subprocess.run(
        [sys.executable, "-m", "workshop.cli", "db", "upgrade"],
        check=True,
        capture_output=True,
        env={**os.environ, "DATABASE_URL": postgres, "WORKSHOP_DATA_DIR": str(tmp_path / "cli")},
    )
    dep.create_user()
    w = dep.setup_workshop([MC])
    mc = w["ids"][0]
    try:
        with dep.app.test_request_context():
            people = []
            for i in range(2):
                p = Participant(workshop_id=w["ws_id"], token=f"tok{i}-{os.getpid()}", nickname=f"P{i}")
                db.session.add(p)
                people.append(p)
            db.session.commit()
            submit(people[0], mc, "a", {"choices": [0]})
            v0 = read_version()
            early = results_for(db.session.get(Activity, mc))["console"]  # "process 1" reads
            submit(people[1], mc, "b", {"choices": [1]})  # a vote lands
            late = results_for(db.session.get(Activity, mc))["console"]  # "process 2" reads
            assert v0 <= early["version"] < late["version"]
            assert early["aggregate"]["counts"] == [1, 0, 0] and late["aggregate"]["counts"] == [1, 1, 0]
            # Delivered in the wrong order: the client keeps the later read.
            shown = None
            for res in (late, early):
                if svc.newer(shown, res):
                    shown = res
            assert shown["aggregate"]["counts"] == [1, 1, 0]
            # Reads with nothing committed in between never go backwards.
            again = [read_version() for _ in range(5)]
            assert again == sorted(again) and again[0] >= late["version"]
            db.session.remove()
    finally:
        dep.close()


def test_schema_and_join_codes_on_postgresql(tmp_path, postgres, monkeypatch):
    """Processes started together migrate once (advisory lock); join codes are unique among open
    workshops on PostgreSQL too (the partial unique index), archived ones keep theirs."""
    env = {**os.environ, "DATABASE_URL": postgres}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "workshop.cli", "db", "upgrade"],
            env={**env, "WORKSHOP_DATA_DIR": str(tmp_path / f"d{i}")},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for i in range(3)
    ]
    outs = [(p.wait(120), p.stdout.read().decode(errors="replace")) for p in procs]
    assert all(rc == 0 for rc, _ in outs), outs
    dep = svc.Deployment(tmp_path, postgres, queue=False)
    try:
        assert len(dep.sql("SELECT version_num FROM alembic_version")) == 1
        ((indexdef,),) = dep.sql("SELECT indexdef FROM pg_indexes WHERE indexname = 'uq_workshops_open_join_code'")
        assert "UNIQUE" in indexdef and "WHERE" in indexdef and "'open'" in indexdef, indexdef

        from workshop import workshops as core
        from workshop.extensions import db
        from workshop.models import User, Workshop

        dep.create_user()
        draws = iter(["12345678", "12345678", "87654321", "12345678"])
        monkeypatch.setattr(core, "new_join_code", lambda: next(draws))
        with dep.app.test_request_context():
            user = db.session.query(User).one()
            first = core.create_workshop(user, "Första")
            second = core.create_workshop(user, "Andra")  # drew a taken code, drew again
            assert (first.join_code, second.join_code) == ("12345678", "87654321")
            core.archive_workshop(first)
            third = core.create_workshop(user, "Tredje")  # the archived workshop's code is free again
            assert third.join_code == "12345678"
            open_codes = [c for (c,) in db.session.query(Workshop.join_code).filter(Workshop.status == "open")]
            assert sorted(open_codes) == ["12345678", "87654321"]
            db.session.remove()
    finally:
        dep.close()


def test_one_phone_answering_twice_at_once_keeps_one_answer(tmp_path, postgres):
    """On PostgreSQL two answers of one phone can be stored at the same moment (two processes,
    or two greenlets); a row lock on the participant keeps exactly one current answer."""
    from workshop.extensions import db
    from workshop.inputs import submit
    from workshop.models import Participant

    subprocess.run(
        [sys.executable, "-m", "workshop.cli", "db", "upgrade"],
        check=True,
        capture_output=True,
        env={**os.environ, "DATABASE_URL": postgres, "WORKSHOP_DATA_DIR": str(tmp_path / "cli")},
    )
    dep = svc.Deployment(tmp_path, postgres, queue=False)
    dep.create_user()
    w = dep.setup_workshop([MC])
    mc = w["ids"][0]
    people = 8
    with dep.app.test_request_context():
        for i in range(people):
            db.session.add(Participant(workshop_id=w["ws_id"], token=f"t{i}-{os.getpid()}-{time.time_ns()}"))
        db.session.commit()
        ids = [p.id for p in db.session.query(Participant).filter_by(workshop_id=w["ws_id"])]
        db.session.remove()
    barrier = threading.Barrier(people * 3)
    errors = []

    def answer(pid, n):
        with dep.app.test_request_context():
            try:
                p = db.session.get(Participant, pid)
                barrier.wait(30)
                submit(p, mc, f"c{n}", {"choices": [n % 3]})
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=answer, args=(pid, n)) for pid in ids for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    try:
        assert not errors, errors
        rows = dep.sql(
            "SELECT participant_id, count(*) FROM responses WHERE activity_id = :a AND current GROUP BY participant_id",
            a=mc,
        )
        assert sorted(rows) == [(pid, 1) for pid in sorted(ids)], rows
        assert dep.sql("SELECT count(*) FROM responses WHERE activity_id = :a", a=mc) == [(people * 3,)]
    finally:
        dep.close()


def test_psycopg_waits_cooperatively_under_gevent(postgres):
    """psycopg 3 (>= 3.1.14) picks a wait function that gevent has patched when it is imported
    after the monkey-patch, as ``workshop serve`` does: six half-second queries take about half
    a second together, not three."""
    url = postgres.replace("postgresql+psycopg://", "postgresql://")
    script = f"""
from gevent import monkey; monkey.patch_all()
import time, gevent, psycopg, psycopg.waiting as w
assert w.wait is not getattr(w, "wait_c", None), "C wait function chosen under gevent"
conns = [psycopg.connect({url!r}) for _ in range(6)]
def q(c):
    c.execute("SELECT pg_sleep(0.5)")
t = time.monotonic()
gevent.joinall([gevent.spawn(q, c) for c in conns], raise_error=True)
print(round(time.monotonic() - t, 3))
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    elapsed = float(out.stdout.strip().splitlines()[-1])
    assert elapsed < 1.6, f"queries ran one after another ({elapsed} s)"


def _nginx_conf(tmp: Path, listen_port: int, ports: list[int]) -> Path:
    """deploy/nginx.conf as shipped, with the test's ports, plain HTTP on localhost, inside a
    minimal main configuration."""
    import re

    site = (svc.ROOT / "deploy" / "nginx.conf").read_text()
    site = re.sub(r"# --- redirect \(begin\).*?# --- redirect \(end\)", "", site, flags=re.S)
    site = re.sub(r"# --- TLS \(begin\).*?# --- TLS \(end\)", f"listen 127.0.0.1:{listen_port};", site, flags=re.S)
    site = site.replace("127.0.0.1:5001", f"127.0.0.1:{ports[0]}").replace("127.0.0.1:5002", f"127.0.0.1:{ports[1]}")
    (tmp / "site.conf").write_text(site)
    for d in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp / d).mkdir(exist_ok=True)
    main = f"""
daemon off;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 2048; }}
http {{
    access_log {tmp}/access.log;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    include {tmp}/site.conf;
}}
"""
    (tmp / "nginx.conf").write_text(main)
    return tmp / "nginx.conf"


def test_through_the_shipped_nginx_configuration(tmp_path, postgres, redis_service):
    """deploy/nginx.conf in front of two processes: websocket phones are spread over both,
    long-polling phones stay with the process that holds their session (sticky on ?k=, or on
    the address without it), everything agrees; the join limit counts per phone address across
    both processes (Redis storage) and trusts exactly one X-Forwarded-For hop."""
    import random
    import shutil
    import socket as socketlib

    import redis

    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if nginx is None:
        if os.environ.get("REQUIRE_ALL_TESTS") == "1":
            pytest.fail("nginx is not installed (.ci/run installs it)", pytrace=False)
        pytest.skip("nginx is not installed")
    window = random.randint(50, 59)  # a limit of its own: no counts left over from another run
    for key in redis.Redis.from_url(svc.REDIS_URL).scan_iter(f"*join*{window}*"):
        redis.Redis.from_url(svc.REDIS_URL).delete(key)
    dep = svc.Deployment(
        tmp_path,
        postgres,
        queue=True,
        extra_env={"TRUSTED_PROXIES": "1", "WORKSHOP_ACCESS_LOG": "1", "RATE_LIMIT_JOIN": f"24 per {window} seconds"},
    )
    proxy = None
    clients = []
    try:
        a, b = dep.start(2)
        dep.create_user()
        port = svc.free_port()
        (tmp_path / "nginx").mkdir()
        conf = _nginx_conf(tmp_path / "nginx", port, [a.port, b.port])
        proxy = subprocess.Popen(
            [nginx, "-p", str(tmp_path / "nginx"), "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
        )
        url = f"http://127.0.0.1:{port}"

        def listening():
            with socketlib.socket() as s:
                return s.connect_ex(("127.0.0.1", port)) == 0

        assert svc.wait_for(listening, 15), (tmp_path / "nginx" / "error.log").read_text()
        w = dep.setup_workshop([MC])
        mc = w["ids"][0]
        console = svc.Console(url, w["ws_id"], dep.login(svc.Node(tmp_path / "via-nginx", {}, port=port))).connect()
        screen = svc.Screen(url, w["ws_id"], w["key"], transports=["polling"]).connect()
        clients += [console, screen]
        # websocket only; polling with a page key; polling without one (address hash); and
        # python-socketio's default, polling with a key that then upgrades to a websocket.
        kinds = ["websocket"] * 6 + ["polling-k"] * 6 + ["polling"] * 3 + ["upgrade-k"] * 3
        phones = []
        for i, kind in enumerate(kinds):
            p = svc.Phone(
                url,
                w["code"],
                f"P{i}",
                transports={"websocket": ["websocket"], "upgrade-k": None}.get(kind, ["polling"]),
            )
            if kind.endswith("-k"):
                p.url = f"{url}/?k=tab{i}-{os.getpid()}"
            phones.append(p)
        svc.in_parallel(lambda p: p.connect(), phones)
        clients += phones
        choices = [i % 3 for i in range(len(phones))]
        for p, c in zip(phones, choices):
            p.submit(mc, {"choices": [c]})
        assert svc.wait_for(lambda: all(not p.outbox for p in phones)), [p.refused or p.transient for p in phones]
        assert all(not p.transient and not p.refused for p in phones)
        expected = [choices.count(i) for i in range(3)]
        assert svc.wait_for(lambda: (screen.aggregate(mc) or {}).get("counts") == expected), screen.latest(mc)
        assert console.call("set", {"activity_id": mc, "flag": "results_visible", "value": True})["ok"]
        for kind, p in zip(kinds, phones):
            assert svc.wait_for(lambda: (p.aggregate(mc) or {}).get("counts") == expected), (kind, p.latest(mc))
        assert {p.transport() for p, k in zip(phones, kinds) if k == "upgrade-k"} == {"websocket"}
        # No long-polling session was lost to a wrong process: each phone connected just once.
        assert all(p.connects == 1 for p in phones), list(zip(kinds, [p.connects for p in phones]))
        # Both processes carried socket traffic. A websocket's request is logged when it closes,
        # and long-polling goes where its key hashes (both nodes, or by chance one): so the
        # phones close first, and then each process must have served some of them.
        svc.close_all(phones)
        for node in (a, b):
            assert svc.wait_for(lambda n=node: n.log_tail(2_000_000).count("/socket.io/") > 0, 15), node.name

        # Only failed guesses count against the join limit (24 per window here): a made-up
        # X-Forwarded-For does not buy more guesses, whatever address it claims.
        wrong = ("1" if w["code"][0] != "1" else "2") + w["code"][1:]
        answers = [
            requests.post(
                url + "/api/join", json={"code": wrong}, timeout=15, headers={"X-Forwarded-For": f"203.0.113.{i}"}
            ).status_code
            for i in range(30)
        ]
        assert answers.count(404) == 24 and answers.count(429) == 6, answers
    finally:
        svc.close_all(clients)
        if proxy is not None:
            proxy.terminate()
            proxy.wait(10)
        dep.close()
