#!/usr/bin/env python
"""Load benchmark: N simulated phones vote over websockets; prints figures, not a test.

What it does, per server under test:
  1. starts the server (ours: ``workshop serve`` on a fresh temporary data folder with the
     embedded SQLite; with ``--processes N``, N of them on a fresh PostgreSQL database sharing
     one Redis channel, as a scale-out runs; or uses ``--target``), creates a facilitator
     account and a workshop with one multiple-choice activity through the ordinary HTTP forms;
  2. connects one presenter screen (/screen) and N phones (POST /api/join, then /phone over a
     websocket with python-socketio's asyncio client);
  3. has every phone vote V times, spread evenly over S seconds (or all at once, ``--burst``),
     a random option each time and a fresh client_id per vote;
  4. measures ack latency, throughput, how long after the last ack the presenter shows the
     complete expected totals, votes lost, and the server's RSS (/proc/<pid>/status VmRSS).

The same load generator then drives bench/bare_server.py (a minimal Flask-SocketIO gevent
server that counts votes in memory) and our figures are printed as ratios to it.

Everything runs on 127.0.0.1, is bounded in count and time and stops by itself.
The file-descriptor limit (RLIMIT_NOFILE) is raised here; the servers started from here
inherit it. See bench/README.md for how to read the output.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import multiprocessing as mp
import os
import random
import re
import resource
import secrets
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH_EMAIL = "bench@example.se"
BENCH_PASSWORD = "bench-lösenord-2024"
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE_KIB = 1024


# --- small helpers -----------------------------------------------------------------------


def raise_nofile(wanted: int) -> tuple[int, int]:
    """Raise the soft file-descriptor limit (children, i.e. the servers, inherit it)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else max(soft, wanted)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kib(pids: list[int]) -> int | None:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            return None
    return total if pids else None


def cpu_seconds(pids: list[int]) -> float | None:
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        total += (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime + stime
    return total if pids else None


def host_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine, all cores, from /proc/stat."""
    v = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = v[3] + (v[4] if len(v) > 4 else 0)
    return (sum(v[:8]) - idle) / CLK_TCK, sum(v[:8]) / CLK_TCK


def max_pause_ms(probes: list[Path], start: float, end: float) -> float | None:
    """The longest event-loop pause any server's probe saw between two monotonic times
    (None: no probe ran; 0: none over the probe's 20 ms reporting threshold)."""
    seen, worst = False, 0.0
    for path in probes:
        try:
            lines = path.read_text().splitlines()
        except OSError:
            continue
        for raw in lines:
            try:
                rec = json.loads(raw)
            except ValueError:
                continue
            seen = True
            if "pause_ms" in rec and start <= rec["at"] <= end + rec["pause_ms"] / 1000:
                worst = max(worst, rec["pause_ms"])
    return worst if seen else None


def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    values = sorted(values)
    k = (len(values) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def timeline(pairs: list[tuple[float, float]], step: float = 0.5) -> list[dict[str, Any]]:
    """Ack latency by when the vote was sent (``--timeline``): where in the run the slow acks
    were, a steady queue or a few stalls."""
    bins: dict[int, list[float]] = {}
    for sent, x in pairs:
        bins.setdefault(int(sent // step), []).append(x)
    return [
        {
            "from_s": round(k * step, 2),
            "n": len(v),
            "p50": r1(pct(v, 0.5) * 1000, 1),
            "p95": r1(pct(v, 0.95) * 1000, 1),
            "max": r1(max(v) * 1000, 1),
        }
        for k, v in sorted(bins.items())
    ]


def r1(x: float | None, nd: int = 1) -> float | None:
    return None if x is None else round(x, nd)


# --- servers -----------------------------------------------------------------------------


class Server:
    """A server process started by the benchmark, stopped by it."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], url: str, log_path: Path):
        self.name, self.argv, self.env, self.url, self.log_path = name, argv, env, url, log_path
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 90) -> Server:
        return self.launch().wait_ready(timeout)

    @property
    def probe_path(self) -> Path:
        """Where the server's event-loop probe writes its pauses (WORKSHOP_LOOP_PROBE)."""
        return self.log_path.with_suffix(".pauses")

    def launch(self) -> Server:
        log = open(self.log_path, "ab")
        env = {**self.env, "WORKSHOP_LOOP_PROBE": str(self.probe_path)}
        self.proc = subprocess.Popen(self.argv, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
        return self

    def wait_ready(self, timeout: float = 90) -> Server:
        import urllib.request

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} server exited:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=1) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{self.name} server did not start:\n{self.log_tail()}")

    def log_tail(self, n: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-n:]
        except OSError:
            return ""

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


def workshop_cmd() -> list[str]:
    exe = Path(sys.executable).with_name("workshop")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "workshop.cli"]


def clean_env(data_dir: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "MESSAGE_QUEUE_URL", "RATELIMIT_STORAGE_URL", "SECRET_KEY", "WORKSHOP_ACCESS_LOG"}
    }
    env.update(
        WORKSHOP_DATA_DIR=str(data_dir),
        RATE_LIMIT_JOIN="1000000/minute",
        RATE_LIMIT_SUBMIT="1000000/minute",
        RATE_LIMIT_SUBMIT_ADDRESS="1000000/minute",
        RATE_LIMIT_JOIN_NEW="1000000/minute",
    )
    return env


@dataclass
class Target:
    name: str
    urls: list[str]  # phones are spread over these; setup and the presenter use urls[0]
    join_code: str
    workshop_id: int
    activity_id: int
    presenter_key: str
    options: int
    pids: list[int] = field(default_factory=list)  # server processes measured for RSS and CPU
    # Where each phone's stored vote is checked: the SQLite file, or a PostgreSQL URL.
    db_path: Path | None = None
    db_url: str | None = None
    probes: list[Path] = field(default_factory=list)  # event-loop probe files of the servers


# --- facilitator setup over HTTP ---------------------------------------------------------


def _csrf(html: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    if not m:
        raise RuntimeError("no csrf_token in page")
    return m.group(1)


async def setup_workshop(url: str, email: str, password: str, options: int) -> tuple[int, int, str, str]:
    """Log in, create a workshop with one multiple-choice activity. Returns (workshop_id,
    activity_id, join_code, presenter_key). A fresh install's first account needs the one-time
    code ``workshop serve`` printed: create it there (or with ``workshop create-user``) first."""
    import aiohttp

    jar = aiohttp.CookieJar(unsafe=True)  # cookies for a bare IP address
    async with aiohttp.ClientSession(cookie_jar=jar, timeout=aiohttp.ClientTimeout(total=30)) as s:
        async with s.get(url + "/login") as r:
            html, where = await r.text(), str(r.url)
        if urlsplit(where).path.endswith("/setup"):
            raise RuntimeError(
                f"{url} has no account yet: open the setup address its `workshop serve` printed, "
                "or run `workshop create-user` there, then pass --email/--password"
            )
        form = {"csrf_token": _csrf(html), "email": email, "password": password}
        async with s.post(url + "/login", data=form) as r:
            where = str(r.url)
        if not where.rstrip("/").endswith("/f"):
            raise RuntimeError(f"login as {email} failed (ended on {where})")
        async with s.get(url + "/f/new") as r:
            html = await r.text()
        form = {"csrf_token": _csrf(html), "title": "Lasttest", "language": "sv", "mode": "live"}
        async with s.post(url + "/f/new", data=form) as r:
            html, where = await r.text(), str(r.url)
        m = re.search(r"/f/w/(\d+)$", where)
        if not m:
            raise RuntimeError(f"workshop not created (ended on {where})")
        wid = int(m.group(1))
        async with s.post(
            f"{url}/f/w/{wid}/activities", data={"csrf_token": _csrf(html), "kind": "multiple_choice"}
        ) as r:
            html, where = await r.text(), str(r.url)
        m = re.search(rf"/f/w/{wid}/a/(\d+)$", where)
        if not m:
            raise RuntimeError(f"activity not created (ended on {where})")
        aid = int(m.group(1))
        form = {
            "csrf_token": _csrf(html),
            "title": "Vilket alternativ?",
            "cfg_max_choices": "1",
            "cfg_options": "\n".join(f"Alternativ {i + 1}" for i in range(options)),
        }
        async with s.post(f"{url}/f/w/{wid}/a/{aid}", data=form) as r:
            where = str(r.url)
        if f"/a/{aid}" in where:
            raise RuntimeError("activity settings were refused")
        async with s.get(f"{url}/f/w/{wid}") as r:
            html = await r.text()
        code = re.search(r"/j/(\d{8})", html)
        key = re.search(rf"/present/{wid}/([A-Za-z0-9_\-]+)", html)
        if not code or not key:
            raise RuntimeError("join code or presenter link not found on the editor page")
        return wid, aid, code.group(1), key.group(1)


def serve_embedded(tmp: Path) -> tuple[Server, Path]:
    """``workshop serve`` on a fresh data folder ``tmp/ours`` (embedded SQLite) with the bench's
    account; returns the started server and the data folder."""
    data = tmp / "ours"
    data.mkdir()
    env = clean_env(data)
    subprocess.run(
        [*workshop_cmd(), "create-user", "--email", BENCH_EMAIL, "--password", BENCH_PASSWORD],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = Server(
        "ours", [*workshop_cmd(), "serve", "--host", "127.0.0.1", "--port", str(port)], env, url, tmp / "ours.log"
    ).start()
    return server, data


def start_ours(tmp: Path, options: int) -> tuple[Server, Target]:
    server, data = serve_embedded(tmp)
    url = server.url
    wid, aid, code, key = asyncio.run(setup_workshop(url, BENCH_EMAIL, BENCH_PASSWORD, options))
    return server, Target(
        "ours",
        [url],
        code,
        wid,
        aid,
        key,
        options,
        [server.proc.pid],
        data / "nyttoverkstad.sqlite3",
        probes=[server.probe_path],
    )


def create_database(admin_url: str) -> str:
    """A fresh, empty PostgreSQL database on the server of ``admin_url``; returns its URL."""
    import psycopg

    name = f"nv_bench_{secrets.token_hex(6)}"
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=10) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlsplit(admin_url)._replace(path="/" + name).geturl()


def drop_database(admin_url: str, url: str) -> None:
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    assert name.startswith("nv_bench_")  # never anything this benchmark did not create
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=10) as conn:
        # FORCE: a server that did not stop in time must not keep the database alive.
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def start_scaled(tmp: Path, args, db_url: str, servers: list[Server]) -> Target:
    """``args.processes`` × ``workshop serve`` on one PostgreSQL database and one Redis channel.

    Each server is appended to ``servers`` before it is started, so the caller stops every
    process that was launched, however far this got."""
    n = args.processes
    env = clean_env(tmp / "setup")
    # One channel per run: another deployment (or another run) on the same Redis must not
    # receive our results. One SECRET_KEY, as in production: a login counts on every process.
    env.update(
        DATABASE_URL=db_url,
        MESSAGE_QUEUE_URL=args.redis,
        RATELIMIT_STORAGE_URL=args.redis,
        MESSAGE_QUEUE_CHANNEL=f"nv-bench-{secrets.token_hex(6)}",
        SECRET_KEY=secrets.token_urlsafe(32),
    )
    done = subprocess.run(
        [*workshop_cmd(), "create-user", "--email", BENCH_EMAIL, "--password", BENCH_PASSWORD],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if done.returncode:  # a database that refuses us shows here first: say why
        raise RuntimeError(f"workshop create-user failed:\n{(done.stdout + done.stderr)[-3000:]}")
    for i in range(1, n + 1):
        data = tmp / f"ours{i}"
        data.mkdir()
        port = free_port()
        argv = [*workshop_cmd(), "serve", "--host", "127.0.0.1", "--port", str(port)]
        servers.append(
            Server(
                f"ours{i}",
                argv,
                {**env, "WORKSHOP_DATA_DIR": str(data)},
                f"http://127.0.0.1:{port}",
                tmp / f"ours{i}.log",
            )
        )
    # The first one applies any pending migration; the others then find the schema current
    # instead of queueing on the migration lock, and may start together.
    servers[0].start(60)
    for s in servers[1:]:
        s.launch()
    for s in servers[1:]:
        s.wait_ready(60)
    urls = [s.url for s in servers]
    wid, aid, code, key = asyncio.run(setup_workshop(urls[0], BENCH_EMAIL, BENCH_PASSWORD, args.options))
    return Target(
        f"ours×{n}",
        urls,
        code,
        wid,
        aid,
        key,
        args.options,
        [s.proc.pid for s in servers],
        db_url=db_url,
        probes=[s.probe_path for s in servers],
    )


def redis_ping(url: str) -> None:
    """Fail before anything is started: servers without their queue would run, but lose results."""
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=5).ping()
    except Exception as exc:
        raise RuntimeError(f"Redis at {url} does not answer: {exc}") from None


def start_bare(tmp: Path, options: int) -> tuple[Server, Target]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = Server(
        "bare",
        [sys.executable, str(ROOT / "bench" / "bare_server.py"), "--port", str(port), "--options", str(options)],
        dict(os.environ),
        url,
        tmp / "bare.log",
    ).start()
    return server, Target(
        "bare", [url], "12345678", 1, 1, "bare", options, [server.proc.pid], probes=[server.probe_path]
    )


# --- the phones: one asyncio process per worker -------------------------------------------


@dataclass
class WorkerCfg:
    urls: list[str]
    join_code: str
    activity_id: int
    options: int
    indices: list[int]  # global phone numbers this worker simulates
    phones: int
    votes: int
    seconds: float
    burst: bool
    ack_timeout: float
    connect_timeout: float
    concurrency: int
    seed: int
    client: str = "raw"
    arrive: float = 0.0  # > 0: phone g arrives (joins, then connects) at g * arrive / phones


class Phone:
    __slots__ = (
        "g",
        "url",
        "token",
        "pid",
        "sio",
        "error",
        "snapshot",
        "dropped",
        "best",
        "connect_s",
        "unsure",
        "arrived",
        "snapshot_at",
        "connected_at",
    )

    def __init__(self, g: int, url: str):
        self.g, self.url = g, url
        self.token = self.pid = self.sio = self.error = None
        self.snapshot = self.dropped = False
        self.best: tuple[int, int, str] | None = None  # (response_id, choice, client_id) of the last stored vote
        self.connect_s: float | None = None
        self.unsure = False  # a vote of this phone got no ack: what the store holds is unknown
        self.arrived = self.snapshot_at = self.connected_at = None  # monotonic times (--arrive)


def worker_entry(conn, cfg: WorkerCfg) -> None:
    try:
        asyncio.run(_worker(conn, cfg))
    except Exception as exc:  # report, never hang the parent
        try:
            conn.send(("error", f"{type(exc).__name__}: {exc}"))
        except Exception:
            pass


async def _recv(conn, timeout: float):
    loop = asyncio.get_running_loop()
    ready = await loop.run_in_executor(None, conn.poll, timeout)
    if not ready:
        raise TimeoutError("no message from the other side")
    return conn.recv()


def quiet_clients() -> None:
    """The client libraries log every dropped connection; the benchmark counts them instead."""
    import logging

    for name in ("engineio.client", "socketio.client"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


async def _worker(conn, cfg: WorkerCfg) -> None:
    import aiohttp
    import socketio

    quiet_clients()

    rng = random.Random(cfg.seed)
    http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0), timeout=aiohttp.ClientTimeout(total=60))
    phones = [Phone(g, cfg.urls[g % len(cfg.urls)]) for g in cfg.indices]
    sem = asyncio.Semaphore(cfg.concurrency)
    t_start = time.monotonic()

    async def join(p: Phone) -> None:
        async with sem:
            try:
                async with http.post(p.url + "/api/join", json={"code": cfg.join_code}) as r:
                    data = await r.json(content_type=None)
                if r.status == 200 and data.get("ok"):
                    p.token, p.pid = data["token"], data["participant"]["id"]
                else:
                    p.error = f"join:{(data.get('error') or {}).get('code', r.status)}"
            except Exception as exc:
                p.error = f"join:{type(exc).__name__}"

    async def connect(p: Phone) -> None:
        if p.token is None:
            return
        if cfg.client == "raw":
            return await connect_raw(p)
        async with sem:
            sio = socketio.AsyncClient(reconnection=False, http_session=http, handle_sigint=False)

            def on_snapshot(_data, p=p):
                p.snapshot = True

            def on_disconnect(*_a, p=p):
                if not p.dropped:
                    p.dropped = time.monotonic()

            sio.on("snapshot", on_snapshot, namespace="/phone")
            sio.on("disconnect", on_disconnect, namespace="/phone")
            t = time.monotonic()
            try:
                await sio.connect(
                    p.url,
                    auth={"token": p.token},
                    transports=["websocket"],
                    namespaces=["/phone"],
                    wait_timeout=cfg.connect_timeout,
                )
                p.sio, p.connect_s = sio, time.monotonic() - t
            except Exception as exc:
                p.error = f"connect:{type(exc).__name__}"
                try:
                    await sio.disconnect()
                except Exception:
                    pass

    async def connect_raw(p: Phone) -> None:
        from rawsio import RawSocketIO

        async with sem:
            sio = RawSocketIO(p.url, "/phone")

            def on_snapshot(_data, p=p):
                p.snapshot = True
                p.snapshot_at = p.snapshot_at or time.monotonic()

            def on_disconnect(p=p):
                if not p.dropped:
                    p.dropped = time.monotonic()

            sio.on("snapshot", on_snapshot)
            sio.on_disconnect = on_disconnect
            t = time.monotonic()
            try:
                await sio.connect({"token": p.token}, timeout=cfg.connect_timeout)
                p.connected_at = time.monotonic()
                p.sio, p.connect_s = sio, p.connected_at - t
            except Exception as exc:
                p.error = f"connect:{type(exc).__name__}"
                await sio.disconnect()

    arrivals: dict[str, Any] = {}
    if cfg.arrive > 0:
        # Open loop: phone g arrives at its time whatever happened to the others (a hall
        # scanning the QR code), joins, then connects at once; nothing waits for a free slot.
        sem = asyncio.Semaphore(len(phones) + 1)
        t_arr = time.monotonic() + 0.5

        async def arrive(p: Phone) -> None:
            await asyncio.sleep(max(0.0, t_arr + p.g * cfg.arrive / cfg.phones - time.monotonic()))
            p.arrived = time.monotonic()
            await join(p)
            await connect(p)

        await asyncio.gather(*(arrive(p) for p in phones))
        deadline = time.monotonic() + cfg.connect_timeout
        while time.monotonic() < deadline and any(p.sio is not None and not p.snapshot for p in phones):
            await asyncio.sleep(0.05)
        conn_at = [p.connected_at - t_arr for p in phones if p.connected_at is not None]
        snap_at = [p.snapshot_at - t_arr for p in phones if p.snapshot_at is not None]
        waits = [p.snapshot_at - p.arrived for p in phones if p.snapshot_at is not None and p.arrived is not None]
        arrivals = {
            "last_connect_s": max(conn_at) if conn_at else None,
            "last_snapshot_s": max(snap_at) if snap_at else None,
            "wait_s": waits,
        }
    else:
        await asyncio.gather(*(join(p) for p in phones))
        await asyncio.gather(*(connect(p) for p in phones))
    await asyncio.sleep(0.2)  # let the last snapshots arrive
    # Thousands of long-lived client objects make every full garbage collection a pause of
    # the whole loop, which would show up as ack latency; they live until the end anyway.
    gc.collect()
    gc.freeze()
    conn.send(
        (
            "ready",
            {
                "joined": sum(p.token is not None for p in phones),
                "connected": sum(p.sio is not None for p in phones),
                "snapshots": sum(p.snapshot for p in phones),
                "errors": dict(Counter(p.error for p in phones if p.error)),
                "connect_s": [p.connect_s for p in phones if p.connect_s is not None],
                "setup_s": time.monotonic() - t_start,
                "arrivals": arrivals,
            },
        )
    )

    cmd, t0 = await _recv(conn, 600)
    assert cmd == "go"
    for p in phones:
        p.dropped = False
    # Vote k = j*N + g of phone g happens at t0 + k*S/(N*V): evenly spread, each phone's
    # votes S/V apart. In a burst every vote is due at t0.
    total = cfg.phones * cfg.votes
    plan = sorted(
        (
            ((t0 if cfg.burst else t0 + (j * cfg.phones + p.g) * cfg.seconds / total), j, p)
            for p in phones
            for j in range(cfg.votes)
        ),
        key=lambda v: (v[0], v[1], v[2].g),
    )
    st = {"sent": 0, "acked": 0, "not_connected": 0, "timeouts": 0, "errors": Counter(), "refused": Counter()}
    lat: list[float] = []
    sent_at: list[float] = []  # of each acknowledged vote, seconds from t0 (``--timeline``)
    late: list[float] = []
    first_send = last_ack = last_send = None
    cpu0 = time.process_time()

    async def vote(p: Phone, j: int, due: float) -> None:
        nonlocal first_send, last_ack, last_send
        if p.sio is None or not p.sio.connected:
            st["not_connected"] += 1
            return
        choice = rng.randrange(cfg.options)
        cid = f"v{p.g}.{j}.{secrets.token_hex(3)}"
        t = time.monotonic()
        late.append(t - due)
        first_send = t if first_send is None else first_send
        last_send = t
        st["sent"] += 1
        try:
            ack = await p.sio.call(
                "submit",
                {"activity_id": cfg.activity_id, "client_id": cid, "payload": {"choices": [choice]}},
                namespace="/phone",
                timeout=cfg.ack_timeout,
            )
        except (TimeoutError, socketio.exceptions.TimeoutError):
            st["timeouts"] += 1
            p.unsure = True
            return
        except Exception as exc:
            st["errors"][type(exc).__name__] += 1
            p.unsure = True
            return
        t1 = time.monotonic()
        if isinstance(ack, dict) and ack.get("ok"):
            st["acked"] += 1
            lat.append(t1 - t)
            sent_at.append(t - t0)
            last_ack = t1 if last_ack is None else max(last_ack, t1)
            rid = ack.get("response_id")
            if ack.get("duplicate"):
                st["errors"]["duplicate"] += 1  # never expected: every client_id is fresh
            elif p.best is None or rid > p.best[0]:
                p.best = (rid, choice, cid)
        else:
            code = ((ack or {}).get("error") or {}).get("code", "?") if isinstance(ack, dict) else "?"
            st["refused"][code] += 1

    # The generator's own loop: a probe that sleeps 10 ms and notes how late it wakes (a burst
    # of messages to every phone, say, is thousands of reads here at once).
    pauses: list[float] = []

    async def probe() -> None:
        while True:
            t = time.monotonic()
            await asyncio.sleep(0.01)
            pauses.append(time.monotonic() - t - 0.01)

    probing = asyncio.create_task(probe())
    tasks = []
    i = 0
    while i < len(plan):
        now = time.monotonic()
        due = plan[i][0]
        if due > now:
            await asyncio.sleep(due - now)
            continue
        while i < len(plan) and plan[i][0] <= now:
            d, j, p = plan[i]
            tasks.append(asyncio.create_task(vote(p, j, d)))
            i += 1
    await asyncio.gather(*tasks)
    probing.cancel()
    cpu1 = time.process_time()
    conn.send(
        (
            "done",
            {
                "sent": st["sent"],
                "acked": st["acked"],
                "not_connected": st["not_connected"],
                "timeouts": st["timeouts"],
                "errors": dict(st["errors"]),
                "refused": dict(st["refused"]),
                "lat": lat,
                "sent_at": sent_at,
                "late": late,
                "pauses": pauses,
                "first_send": first_send,
                "last_send": last_send,
                "last_ack": last_ack,
                "cpu_s": cpu1 - cpu0,
                "dropped": sum(bool(p.dropped) for p in phones),
                "dropped_at": sorted(p.dropped - t0 for p in phones if p.dropped),
                "best": [(p.pid, p.best[1], p.best[2], p.unsure) for p in phones if p.best is not None],
                "unsure": [p.pid for p in phones if p.best is None and p.sio is not None],
            },
        )
    )

    cmd, _ = await _recv(conn, 600)

    async def close(p: Phone) -> None:
        async with sem:
            try:
                await p.sio.disconnect()
            except Exception:
                pass

    await asyncio.gather(*(close(p) for p in phones if p.sio is not None))
    await http.close()
    conn.send(("closed", None))


# --- the presenter screen, in the main process --------------------------------------------


class Presenter:
    def __init__(self, target: Target):
        import socketio

        self.t = target
        self.sio = socketio.AsyncClient(reconnection=False, handle_sigint=False)
        self.seen: list[tuple[float, list[int], int]] = []  # (monotonic time, counts, voters)
        self.dropped_at: float | None = None
        self.sio.on("results", self._on_results, namespace="/screen")
        self.sio.on("disconnect", self._on_disconnect, namespace="/screen")

    def _on_disconnect(self, *_args) -> None:
        self.dropped_at = self.dropped_at or time.monotonic()

    def _on_results(self, data: dict) -> None:
        if isinstance(data, dict) and data.get("activity_id") == self.t.activity_id and data.get("aggregate"):
            agg = data["aggregate"]
            self.seen.append((time.monotonic(), list(agg.get("counts", [])), agg.get("voters", -1)))

    async def connect(self) -> None:
        await self.sio.connect(
            self.t.urls[0],
            auth={"workshop_id": self.t.workshop_id, "key": self.t.presenter_key},
            transports=["websocket"],
            namespaces=["/screen"],
            wait_timeout=30,
        )

    def complete_at(self, expected: list[int], after: float) -> float | None:
        for t, counts, _voters in self.seen:
            if t >= after and counts == expected:
                return t
        return None

    async def final_counts(self) -> list[int] | None:
        """The stored totals as a fresh snapshot shows them (reconnects if the screen dropped)."""
        try:
            if not self.sio.connected:
                await self.sio.disconnect()
                await self.connect()
            ack = await self.sio.call("snapshot", {}, namespace="/screen", timeout=30)
            return ack["snapshot"]["results"][str(self.t.activity_id)]["aggregate"]["counts"]
        except Exception:
            return None

    async def close(self) -> None:
        await self.sio.disconnect()


def _rows(db: Path | str, sql: str, params: tuple) -> list[tuple]:
    """One read of the store: a SQLite file (Path, opened read-only) or a PostgreSQL URL (str).
    The statements are written once, with ``?`` placeholders, so both stores get the same check."""
    if isinstance(db, Path):
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
        try:
            return conn.execute(sql, params).fetchall()
        finally:
            conn.close()
    import psycopg

    with psycopg.connect(db, connect_timeout=10) as conn:
        return conn.execute(sql.replace("?", "%s"), params).fetchall()


def stored_count(db: Path | str, activity_id: int) -> int:
    """Every vote the server stored for the activity, current or replaced."""
    return _rows(db, "SELECT count(*) FROM responses WHERE activity_id = ?", (activity_id,))[0][0]


def stored_votes(db: Path | str, activity_id: int) -> dict[int, list[str]]:
    """participant id -> client_ids of its current votes (more than one would be a double count)."""
    gen = _rows(db, "SELECT generation FROM activities WHERE id = ?", (activity_id,))[0][0]
    # A bare boolean test: "current = 1" would be refused by PostgreSQL's boolean column.
    rows = _rows(
        db,
        "SELECT participant_id, client_id FROM responses WHERE activity_id = ? AND generation = ? AND current",
        (activity_id, gen),
    )
    out: dict[int, list[str]] = {}
    for pid, cid in rows:
        out.setdefault(pid, []).append(cid)
    return out


# --- profiles of the servers (py-spy) --------------------------------------------------------


class Profile:
    """``--profile DIR``: py-spy records each server process during one phase (joins, votes)
    into ``DIR/<target>-<phase>-<pid>.txt`` (collapsed stacks, one line per stack with its
    sample count; ``bench/profile_summary.py`` reads them)."""

    @staticmethod
    def start(args, t: Target, phase: str) -> list[subprocess.Popen]:
        if not args.profile:
            return []
        exe = Path(sys.executable).with_name("py-spy")
        out = Path(args.profile)
        out.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^a-z0-9]+", "", t.name.lower()) or "server"
        procs = []
        for pid in t.pids:
            argv = [str(exe), "record", "--pid", str(pid), "--rate", str(args.profile_rate), "--format", "raw"]
            argv += ["--output", str(out / f"{name}-{phase}-{pid}.txt"), "--nonblocking"]
            procs.append(subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        time.sleep(0.5)  # attached before the phase starts
        return procs

    @staticmethod
    def stop(procs: list[subprocess.Popen]) -> None:
        for p in procs:
            p.send_signal(signal.SIGINT)
        for p in procs:
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                p.kill()


# --- one run against one target -------------------------------------------------------------


async def run_target(t: Target, args) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    presenter = Presenter(t)
    await presenter.connect()
    await asyncio.sleep(0.5)
    rss_before = rss_kib(t.pids)

    n = args.phones
    workers = max(1, min(args.workers, n))
    pipes, procs = [], []
    for w in range(workers):
        parent, child = ctx.Pipe()
        cfg = WorkerCfg(
            t.urls,
            t.join_code,
            t.activity_id,
            t.options,
            list(range(w, n, workers)),
            n,
            args.votes,
            args.seconds,
            args.burst,
            args.ack_timeout,
            args.connect_timeout,
            max(1, args.concurrency // workers),
            args.seed * 1000 + w,
            args.client,
            args.arrive,
        )
        proc = ctx.Process(target=worker_entry, args=(child, cfg), daemon=True)
        proc.start()
        # The worker has its own copy now. Holding ours open would keep the pipe alive after a
        # worker dies (Ctrl-C, a crash): the wait for its next message would then sit out its
        # whole time-out before the servers are stopped and the database dropped.
        child.close()
        pipes.append(parent)
        procs.append(proc)

    async def gather_msgs(kind: str, timeout: float) -> list[dict]:
        msgs = await asyncio.gather(*(_recv(p, timeout) for p in pipes))
        for m in msgs:
            if m[0] == "error":
                raise RuntimeError(f"load worker failed: {m[1]}")
            if m[0] != kind:
                raise RuntimeError(f"expected {kind}, got {m[0]}")
        return [m[1] for m in msgs]

    try:
        t_conn = time.monotonic()
        prof = Profile.start(args, t, "join")
        jcpu0 = cpu_seconds(t.pids)
        ready = await gather_msgs("ready", args.connect_timeout * 4 + 60 + n / 50)
        connect_wall = time.monotonic() - t_conn
        join_pause = max_pause_ms(t.probes, t_conn, time.monotonic())
        jcpu1 = cpu_seconds(t.pids)
        Profile.stop(prof)
        await asyncio.sleep(1.0)
        rss_conn = rss_kib(t.pids)
        connected = sum(r["connected"] for r in ready)

        t0 = time.monotonic() + 1.0
        for p in pipes:
            p.send(("go", t0))
        prof = Profile.start(args, t, "votes")
        await asyncio.sleep(max(0.0, t0 - time.monotonic()))
        cpu0, host0 = cpu_seconds(t.pids), host_cpu()
        done = await gather_msgs("done", args.seconds + args.ack_timeout + 60)
        cpu1, host1 = cpu_seconds(t.pids), host_cpu()
        Profile.stop(prof)
        t_done = time.monotonic()
        vote_pause = max_pause_ms(t.probes, t0, t_done)

        lat = [x for d in done for x in d["lat"]]
        late = [x for d in done for x in d["late"]]
        sent = sum(d["sent"] for d in done)
        acked = sum(d["acked"] for d in done)
        timeouts = sum(d["timeouts"] for d in done)
        errors = sum((Counter(d["errors"]) for d in done), Counter())
        refused = sum((Counter(d["refused"]) for d in done), Counter())
        last_acks = [d["last_ack"] for d in done if d["last_ack"] is not None]
        first_sends = [d["first_send"] for d in done if d["first_send"] is not None]
        last_sends = [d["last_send"] for d in done if d["last_send"] is not None]
        last_ack = max(last_acks) if last_acks else None
        first_send = min(first_sends) if first_sends else None
        last_send = max(last_sends) if last_sends else None
        best = [b for d in done for b in d["best"]]
        expected = [0] * t.options
        for _pid, choice, _cid, _unsure in best:
            expected[choice] += 1
        unacked = timeouts + sum(v for k, v in errors.items() if k != "duplicate")

        # The presenter: when did it first show the complete expected totals?
        # With votes whose ack never came the expected totals are unknown: no lag then.
        shown = None
        if last_send is not None and unacked == 0:
            deadline = time.monotonic() + args.settle
            while time.monotonic() < deadline:
                shown = presenter.complete_at(expected, last_send)
                if shown is not None:
                    break
                await asyncio.sleep(0.05)
        final = await presenter.final_counts()
        rss_end = rss_kib(t.pids)

        # Lost: never acked, or acked but not what the store holds.
        missing = extra = 0
        check = "counts"
        processed = acked
        stored_late = None
        store = t.db_url or (t.db_path if t.db_path is not None and t.db_path.exists() else None)
        if store is not None:
            check = "per-phone"
            stored = stored_votes(store, t.activity_id)
            processed = stored_count(store, t.activity_id)
            # Votes the server stored although their ack never came back in time.
            stored_late = max(0, processed - acked)
            for pid, _choice, cid, unsure in best:
                cids = stored.get(pid, [])
                extra += max(0, len(cids) - 1)
                # A phone with an unanswered vote may rightly hold that later vote instead.
                if cid not in cids and not unsure:
                    missing += 1
        elif final is not None and unacked == 0:
            missing = sum(max(0, e - g) for e, g in zip(expected, final))
            extra = sum(max(0, g - e) for e, g in zip(expected, final))
        lost = unacked + missing

        span = (last_ack - first_send) if (last_ack and first_send) else None
        out = {
            "target": t.name,
            "urls": t.urls,
            "mode": "burst" if args.burst else "spread",
            "phones": n,
            "joined": sum(r["joined"] for r in ready),
            "connected": connected,
            "snapshots": sum(r["snapshots"] for r in ready),
            "connect_errors": dict(sum((Counter(r["errors"]) for r in ready), Counter())),
            "connect_wall_s": r1(connect_wall, 2),
            # Server CPU per phone while they joined and connected (the HTTP join, the socket, the snapshot).
            "join_cpu_ms_per_phone": r1(
                (jcpu1 - jcpu0) / connected * 1000 if (jcpu0 is not None and jcpu1 is not None and connected) else None,
                2,
            ),
            "arrive_s": args.arrive or None,
            "arrive_last_connect_s": r1(
                max(
                    (r["arrivals"]["last_connect_s"] for r in ready if r["arrivals"].get("last_connect_s")),
                    default=None,
                ),
                2,
            ),
            "arrive_last_snapshot_s": r1(
                max(
                    (r["arrivals"]["last_snapshot_s"] for r in ready if r["arrivals"].get("last_snapshot_s")),
                    default=None,
                ),
                2,
            ),
            "arrive_wait_ms": (
                lambda xs: (
                    {q: r1(pct(xs, v) * 1000) for q, v in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99))} if xs else None
                )
            )([x for r in ready for x in r["arrivals"].get("wait_s", [])]),
            "connect_p95_ms": r1(
                pct([x for r in ready for x in r["connect_s"]], 0.95) * 1000
                if any(r["connect_s"] for r in ready)
                else None
            ),
            "planned": n * args.votes,
            "sent": sent,
            "acked": acked,
            "refused": dict(refused),
            "unacked": unacked,
            "unacked_detail": {"timeouts": timeouts, **{k: v for k, v in errors.items()}},
            "missing": missing,
            "extra": extra,
            "lost": lost,
            "stored_late": stored_late,
            "check": check,
            "expected_counts": expected,
            "final_counts": final,
            "ack_ms": {
                "p50": r1(pct(lat, 0.5) and pct(lat, 0.5) * 1000, 2),
                "p95": r1(pct(lat, 0.95) and pct(lat, 0.95) * 1000, 2),
                "p99": r1(pct(lat, 0.99) and pct(lat, 0.99) * 1000, 2),
                "max": r1(max(lat) * 1000 if lat else None, 2),
                "mean": r1(statistics.fmean(lat) * 1000 if lat else None, 2),
            },
            "timeline": timeline([(s, x) for d in done for s, x in zip(d["sent_at"], d["lat"])]),
            "votes_per_s": r1(acked / span if span else None),
            "offered_per_s": None if args.burst else r1(n * args.votes / args.seconds),
            "span_s": r1(span, 2),
            "presenter_lag_ms": r1((shown - last_ack) * 1000 if (shown is not None and last_ack is not None) else None),
            "presenter_updates": len(presenter.seen),
            "rss_before_mib": r1(rss_before / 1024 if rss_before else None),
            "rss_connected_mib": r1(rss_conn / 1024 if rss_conn else None),
            "rss_mib": r1(rss_end / 1024 if rss_end else None),
            "rss_per_phone_kib": r1(
                (rss_conn - rss_before) / connected if (rss_conn and rss_before and connected) else None
            ),
            "server_cpu_pct": r1(
                (cpu1 - cpu0) / (t_done - t0) * 100 if (cpu0 is not None and cpu1 is not None) else None, 0
            ),
            "client_cpu_pct": r1(max(d["cpu_s"] for d in done) / (t_done - t0) * 100, 0),
            # Server CPU per vote it handled (stored votes where the database is at hand, else acked).
            "server_cpu_ms_per_vote": r1(
                (cpu1 - cpu0) / processed * 1000 if (cpu0 is not None and processed) else None, 2
            ),
            # Cores kept busy by everything else on the machine (other jobs share the 2 cores).
            "other_cores": r1(
                (host1[0] - host0[0] - (cpu1 - cpu0 if cpu0 is not None else 0) - sum(d["cpu_s"] for d in done))
                / (t_done - t0),
                2,
            ),
            "loadavg": os.getloadavg()[0],
            # The longest time the server's event loop was held (no phone answered meanwhile).
            "loop_pause_max_ms": {"join": join_pause, "votes": vote_pause},
            "send_late_p99_ms": r1(pct(late, 0.99) * 1000 if late else None),
            "client_pause_max_ms": r1(max((x for d in done for x in d["pauses"]), default=0.0) * 1000),
            "dropped": sum(d["dropped"] for d in done),
            "dropped_at_s": (lambda xs: [r1(pct(xs, q), 2) for q in (0, 0.5, 1)] if xs else None)(
                [x for d in done for x in d["dropped_at"]]
            ),
            "presenter_dropped_at_s": r1(presenter.dropped_at - t0, 2) if presenter.dropped_at else None,
            "workers": workers,
        }
        for p in pipes:
            p.send(("close", None))
        await gather_msgs("closed", 120)
        return out
    finally:
        for proc in procs:
            proc.join(timeout=5)
            if proc.is_alive():
                proc.terminate()
        try:
            await presenter.close()
        except Exception:
            pass


# --- output -------------------------------------------------------------------------------


def fmt(v: Any, unit: str = "") -> str:
    return "n/a" if v is None else f"{v}{unit}"


def line(f: dict[str, Any]) -> str:
    a = f["ack_ms"]
    refused = sum(f["refused"].values())
    extras = (
        (f" (stored_late={f['stored_late']})" if f.get("stored_late") else "")
        + (f" refused={refused}" if refused else "")
        + (f" extra={f['extra']}" if f["extra"] else "")
        + (f" dropped={f['dropped']}" if f["dropped"] else "")
    )
    arrive = ""
    if f.get("arrive_s"):
        w = f.get("arrive_wait_ms") or {}
        arrive = (
            f" | arrive={f['arrive_s']}s snapshots={f['snapshots']} refused={sum(f['connect_errors'].values())} "
            f"last_connect={fmt(f['arrive_last_connect_s'], 's')} last_snapshot={fmt(f['arrive_last_snapshot_s'], 's')} "
            f"join_to_snapshot_ms p50={fmt(w.get('p50'))} p95={fmt(w.get('p95'))} p99={fmt(w.get('p99'))}"
        )
    return (
        f"{f['target']}: phones={f['phones']} connected={f['connected']} acked={f['acked']}/{f['planned']} "
        f"lost={f['lost']}{extras} ack_ms p50={fmt(a['p50'])} p95={fmt(a['p95'])} p99={fmt(a['p99'])} "
        f"votes/s={fmt(f['votes_per_s'])} presenter_lag_ms={fmt(f['presenter_lag_ms'])} "
        f"rss={fmt(f['rss_mib'], 'MiB')} rss/phone={fmt(f['rss_per_phone_kib'], 'KiB')} "
        f"| server_cpu={fmt(f['server_cpu_pct'], '%')} client_cpu={fmt(f['client_cpu_pct'], '%')} "
        f"cpu_ms/vote={fmt(f['server_cpu_ms_per_vote'])} send_late_p99_ms={fmt(f['send_late_p99_ms'])} "
        f"client_pause_max_ms={fmt(f['client_pause_max_ms'])} "
        f"loop_pause_max_ms={fmt(f['loop_pause_max_ms']['votes'])} "
        f"connect={fmt(f['connect_wall_s'], 's')} cpu_ms/join={fmt(f['join_cpu_ms_per_phone'])} other_cores={fmt(f['other_cores'])}{arrive}"
    )


def ratios(ours: dict[str, Any], bare: dict[str, Any]) -> dict[str, float | None]:
    def ratio(a, b):
        return round(a / b, 2) if (a is not None and b) else None

    return {
        "ack_p95": ratio(ours["ack_ms"]["p95"], bare["ack_ms"]["p95"]),
        "ack_p99": ratio(ours["ack_ms"]["p99"], bare["ack_ms"]["p99"]),
        "cpu_per_vote": ratio(ours["server_cpu_ms_per_vote"], bare["server_cpu_ms_per_vote"]),
        "connect": ratio(ours["connect_wall_s"], bare["connect_wall_s"]),
        # --arrive: our last snapshot against the bare server's last connect.
        "arrive": ratio(ours.get("arrive_last_snapshot_s"), bare.get("arrive_last_connect_s")),
        "votes_per_s": ratio(ours["votes_per_s"], bare["votes_per_s"]),
        "rss_per_phone": ratio(ours["rss_per_phone_kib"], bare["rss_per_phone_kib"]),
    }


# --- main ---------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None):
    ap = argparse.ArgumentParser(description="Load benchmark: simulated phones vote over websockets.")
    ap.add_argument("--phones", type=int, default=1000)
    ap.add_argument("--votes", type=int, default=5, help="votes per phone")
    ap.add_argument("--seconds", type=float, default=10, help="spread the votes evenly over this many seconds")
    ap.add_argument("--burst", action="store_true", help="send every vote at the same instant instead")
    ap.add_argument(
        "--arrive",
        type=float,
        default=0.0,
        metavar="S",
        help="open-loop arrivals: phone g joins and connects at g*S/N seconds, whatever the others "
        "are doing (default 0: joins and connects --concurrency at a time, as fast as the server goes)",
    )
    ap.add_argument(
        "--client",
        choices=("raw", "python-socketio"),
        default="raw",
        help="phones' socket client: the minimal one in bench/rawsio.py (default; cheap enough that the "
        "server is the bottleneck) or python-socketio's AsyncClient (the old generator, for comparison)",
    )
    ap.add_argument("--skip-bare", action="store_true", help="do not run the bare reference server")
    ap.add_argument("--skip-ours", action="store_true", help="run only the bare reference server")
    ap.add_argument(
        "--target",
        help="already-running server(s): URL or comma-separated URLs (phones spread over "
        "them; setup and presenter use the first), e.g. a two-process scale-out",
    )
    ap.add_argument(
        "--server-pid",
        type=int,
        action="append",
        default=[],
        help="with --target: server process id(s) to measure RSS and CPU of (repeatable)",
    )
    ap.add_argument(
        "--processes",
        type=int,
        default=0,
        help="start this many server processes on a fresh PostgreSQL database with Redis as the "
        "message queue (0: one process on the embedded SQLite)",
    )
    ap.add_argument(
        "--postgres",
        default="postgresql://postgres@127.0.0.1:5432/postgres",
        help="with --processes: PostgreSQL server (a URL of a database on it that may create others)",
    )
    ap.add_argument(
        "--redis",
        default="redis://127.0.0.1:6379/0",
        help="with --processes: Redis for the message queue and the rate-limit counters",
    )
    ap.add_argument(
        "--email",
        default=os.environ.get("BENCH_EMAIL", BENCH_EMAIL),
        help="with --target: facilitator account (create it with the setup code `workshop serve` prints)",
    )
    ap.add_argument("--password", default=os.environ.get("BENCH_PASSWORD", BENCH_PASSWORD))
    ap.add_argument("--options", type=int, default=4, help="options in the multiple-choice activity")
    ap.add_argument("--workers", type=int, default=1, help="load-generator processes (each one asyncio loop)")
    ap.add_argument("--concurrency", type=int, default=100, help="joins/connects in flight at once")
    ap.add_argument("--ack-timeout", type=float, default=30, help="a vote not acked within this is lost")
    ap.add_argument("--connect-timeout", type=float, default=30)
    ap.add_argument("--settle", type=float, default=15, help="how long to wait for the presenter's complete total")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", action="store_true", help="also print the figures as one JSON object")
    ap.add_argument("--timeline", action="store_true", help="also print ack latency per half second of the run")
    ap.add_argument("--profile", metavar="DIR", help="record each server with py-spy while phones join and vote")
    ap.add_argument("--profile-rate", type=int, default=200, help="py-spy samples per second")
    ap.add_argument("--keep", action="store_true", help="keep the temporary data folder and server logs")
    args = ap.parse_args(argv)
    if not (1 <= args.phones <= 10000 and 1 <= args.votes <= 100 and 0 < args.seconds <= 600):
        ap.error("bounded: 1..10000 phones, 1..100 votes, 0..600 seconds")
    if args.target:
        for u in args.target.split(","):
            host = re.match(r"^https?://([^/:]+|\[[^\]]+\])", u.strip())
            if (
                not host
                or host.group(1) not in {"127.0.0.1", "localhost", "[::1]"}
                and not host.group(1).startswith("127.")
            ):
                ap.error("--target must be a loopback address (127.0.0.0/8, localhost, [::1])")
    if not 0 <= args.processes <= 8:
        ap.error("bounded: 0..8 processes")
    if args.processes and args.target:
        ap.error("--processes starts its own servers; --target uses running ones: not both")
    if args.processes:
        for opt, url, schemes in (
            ("--postgres", args.postgres, {"postgresql", "postgres"}),
            ("--redis", args.redis, {"redis"}),
        ):
            parts = urlsplit(url)
            # No host is a local socket; otherwise loopback only, as for --target.
            host = parts.hostname or ""
            if parts.scheme not in schemes or host and host not in {"localhost", "::1"} and not host.startswith("127."):
                ap.error(f"{opt} must be a {'/'.join(sorted(schemes))}:// URL of a loopback address")
    return args


def _terminated(_signum, _frame) -> None:
    # Unwind like Ctrl-C, so the servers stop and the benchmark's database is dropped.
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    quiet_clients()
    signal.signal(signal.SIGTERM, _terminated)
    nofile = raise_nofile(args.phones * 2 + 512)
    tmp = Path(tempfile.mkdtemp(prefix="nv-bench-"))
    figures: dict[str, Any] = {
        "args": {k: v for k, v in vars(args).items() if k not in {"password"}},
        "nofile": nofile,
        "results": [],
    }
    runs: list[str] = ([] if args.skip_ours else ["ours"]) + ([] if args.skip_bare else ["bare"])
    lines: list[str] = []
    try:
        for name in runs:
            servers: list[Server] = []
            database = None
            try:
                if name == "ours" and args.target:
                    urls = [u.strip().rstrip("/") for u in args.target.split(",")]
                    wid, aid, code, key = asyncio.run(setup_workshop(urls[0], args.email, args.password, args.options))
                    target = Target("ours", urls, code, wid, aid, key, args.options, list(args.server_pid))
                elif name == "ours" and args.processes:
                    redis_ping(args.redis)
                    database = create_database(args.postgres)
                    target = start_scaled(tmp, args, database, servers)
                elif name == "ours":
                    server, target = start_ours(tmp, args.options)
                    servers.append(server)
                else:
                    server, target = start_bare(tmp, args.options)
                    servers.append(server)
                f = asyncio.run(asyncio.wait_for(run_target(target, args), timeout=args.seconds + 1800))
                if any(s.proc.poll() is not None for s in servers):
                    f["server_died"] = True
                figures["results"].append(f)
                lines.append(line(f))
                print(lines[-1], flush=True)
                if args.timeline:
                    print(
                        "  timeline (sent from, votes, ack p50/p95/max ms): "
                        + "  ".join(f"{b['from_s']}s {b['n']} {b['p50']}/{b['p95']}/{b['max']}" for b in f["timeline"]),
                        flush=True,
                    )
            finally:
                for s in servers:
                    s.stop()
                if database is not None:
                    try:
                        drop_database(args.postgres, database)
                    except Exception as exc:  # report it, without hiding why the run ended
                        print(f"could not drop {database}: {exc}", file=sys.stderr)
        if len(figures["results"]) == 2:
            rt = ratios(*figures["results"])
            figures["ratios_ours_to_bare"] = rt
            lines.append(
                f"{figures['results'][0]['target']}/bare: ack_p95={fmt(rt['ack_p95'], 'x')} "
                f"ack_p99={fmt(rt['ack_p99'], 'x')} votes/s={fmt(rt['votes_per_s'], 'x')} "
                f"cpu_ms/vote={fmt(rt['cpu_per_vote'], 'x')} connect={fmt(rt['connect'], 'x')} "
                f"rss/phone={fmt(rt['rss_per_phone'], 'x')}"
                + (f" last_snapshot/bare_last_connect={fmt(rt['arrive'], 'x')}" if rt["arrive"] is not None else "")
            )
            print(lines[-1], flush=True)
        if args.json:
            print(json.dumps(figures, ensure_ascii=False), flush=True)
        return 0
    finally:
        if args.keep:
            print(f"kept: {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
