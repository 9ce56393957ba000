"""Helpers for the service tests: the machine's PostgreSQL and Redis, server processes that
share them, and socket clients that behave like the product's phones, presenter and console.

Loaded by path from the test modules (see ``load`` in conftest.py), so the name cannot collide
with another helper module elsewhere in the tree.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests
import socketio

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "hemligt-lösen-1"
PG_ADMIN = os.environ.get("NV_TEST_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("NV_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
WAIT = 20.0  # generous: a loaded 2-core machine


def wait_for(predicate: Callable[[], Any], timeout: float = WAIT, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return bool(predicate())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- the machine's services ------------------------------------------------------------------


def pg_cluster() -> str:
    versions = sorted(os.listdir("/etc/postgresql")) if os.path.isdir("/etc/postgresql") else []
    return versions[-1] if versions else ""


def pg_up() -> bool:
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
        return True
    except Exception:
        return False


def redis_up() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2, socket_timeout=2).ping())
    except Exception:
        return False


def pg_ctl(action: str) -> None:
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", pg_cluster(), "main", action],
        check=True,
        capture_output=True,
        timeout=60,
    )


def pg_stop() -> None:
    pg_ctl("stop")
    assert wait_for(lambda: not pg_up(), 20), "PostgreSQL did not stop"


def pg_start() -> None:
    if not pg_up():
        try:
            pg_ctl("start")
        except subprocess.CalledProcessError:
            pass  # "already running" races are fine; the check below decides
    assert wait_for(pg_up, 30), "PostgreSQL did not start"


REDIS_START = [
    "redis-server",
    "--daemonize",
    "yes",
    "--bind",
    "127.0.0.1",
    "-::1",
    "--port",
    "6379",
    "--save",
    "",
    "--appendonly",
    "no",
    "--dir",
    "/var/lib/redis",
    "--logfile",
    "/var/log/redis/ci.log",
]


def redis_stop() -> None:
    subprocess.run(["redis-cli", "-h", "127.0.0.1", "shutdown", "nosave"], capture_output=True, timeout=20)
    assert wait_for(lambda: not redis_up(), 20), "Redis did not stop"


def redis_start() -> None:
    if not redis_up():
        subprocess.run(REDIS_START, capture_output=True, timeout=20)
    assert wait_for(redis_up, 20), "Redis did not start"


class PrivateRedis:
    """A redis-server of the test's own on a free port: a test can stop and start it without
    touching the machine's Redis, which other tests (rate limits) use at the same time."""

    def __init__(self, tmp: Path):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.dir = tmp / f"redis-{self.port}"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.proc: subprocess.Popen | None = None

    def up(self) -> bool:
        try:
            import redis

            return bool(redis.Redis.from_url(self.url, socket_connect_timeout=1, socket_timeout=1).ping())
        except Exception:
            return False

    def start(self) -> PrivateRedis:
        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.dir),
                "--daemonize",
                "no",
            ],
            stdout=open(self.dir / "redis.log", "ab"),
            stderr=subprocess.STDOUT,
        )
        assert wait_for(self.up, 20), "private Redis did not start"
        return self

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            subprocess.run(["redis-cli", "-p", str(self.port), "shutdown", "nosave"], capture_output=True, timeout=20)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        assert wait_for(lambda: not self.up(), 10)


def create_database() -> str:
    """A fresh database for one test; returns its SQLAlchemy URL."""
    import psycopg

    name = f"nv_test_{secrets.token_hex(6)}"
    with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + "/" + name


def drop_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    assert name.startswith("nv_test_")
    with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- server processes ------------------------------------------------------------------------


class Node:
    """One ``workshop serve`` process (gevent), as an operator starts it."""

    def __init__(self, data_dir: Path, env: dict[str, str], port: int | None = None, name: str = "node"):
        self.data_dir = data_dir
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.name = name
        self.env = {
            **os.environ,
            "WORKSHOP_DATA_DIR": str(data_dir),
            "RATE_LIMIT_SUBMIT": "100000/second",
            "RATE_LIMIT_JOIN": "100000/minute",
            "RATE_LIMIT_JOIN_NEW": "1000000/minute",
            **env,
        }
        self.proc: subprocess.Popen | None = None
        self.log_path = data_dir / f"{name}-{self.port}.log"

    def launch(self) -> Node:
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "workshop.cli", "serve", "--port", str(self.port)],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )
        return self

    def wait_ready(self, timeout: float = 40) -> Node:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited:\n" + self.log_tail())
            try:
                if requests.get(self.url + "/healthz", timeout=2).ok:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not start:\n" + self.log_tail())

    def start(self) -> Node:
        return self.launch().wait_ready()

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)

    def log_tail(self, n: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-n:]
        except OSError:
            return ""


class Deployment:
    """Server processes sharing one database (and, in a scale-out, one Redis channel), plus an
    in-process app on the same database for setting up workshops and reading what is stored."""

    def __init__(
        self,
        tmp: Path,
        database_url: str | None,
        queue: bool,
        shared_data_dir: bool = False,
        extra_env: dict[str, str] | None = None,
        redis_url: str | None = None,
    ):
        self.tmp = tmp
        self.redis_url = redis_url or REDIS_URL
        self.database_url = database_url
        self.channel = f"nv-test-{secrets.token_hex(6)}"
        self.secret = secrets.token_urlsafe(32)
        self.queue = queue
        self.shared_data_dir = shared_data_dir
        self.extra_env = extra_env or {}
        self.nodes: list[Node] = []
        self._app = None

    def env(self) -> dict[str, str]:
        env = {"SECRET_KEY": self.secret, **self.extra_env}
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        if self.queue:
            env.update(
                MESSAGE_QUEUE_URL=self.redis_url,
                MESSAGE_QUEUE_CHANNEL=self.channel,
                RATELIMIT_STORAGE_URL=self.redis_url,
            )
        return env

    def add_node(self, name: str) -> Node:
        data = self.tmp / ("data" if self.shared_data_dir else f"data-{name}")
        node = Node(data, self.env(), name=name)
        self.nodes.append(node)
        return node

    def start(self, count: int) -> list[Node]:
        """Start ``count`` processes at the same moment (they race to migrate)."""
        nodes = [self.add_node(f"node{i + 1}") for i in range(count)]
        for n in nodes:
            n.launch()
        for n in nodes:
            n.wait_ready()
        return nodes

    def restart(self, node: Node) -> Node:
        fresh = Node(node.data_dir, self.env(), port=node.port, name=node.name)
        self.nodes[self.nodes.index(node)] = fresh
        return fresh.start()

    def close(self) -> None:
        for n in self.nodes:
            n.stop()
        if self._app is not None:
            from workshop.extensions import db

            with self._app.app_context():
                db.session.remove()
                db.engine.dispose()

    # --- in-process access to the same database -----------------------------------------------
    @property
    def app(self):
        if self._app is None:
            from workshop.app import create_app
            from workshop.config import Settings

            if self.database_url:
                folder = self.tmp / "data-setup"
            else:  # SQLite: the (first) server's own file
                folder = self.nodes[0].data_dir if self.nodes else self.tmp / "data"
            folder.mkdir(parents=True, exist_ok=True)
            overrides = dict(testing=True, message_queue=None, secret_key=self.secret)
            if self.database_url:
                overrides["database_url"] = self.database_url
            self._app = create_app(Settings.from_env(folder, **overrides), async_mode="threading", migrate=False)
        return self._app

    def create_user(self, email: str = "anna@solstad.se") -> int:
        from workshop.accounts import create_user

        with self.app.test_request_context():
            return create_user(email, PASSWORD, email.split("@")[0]).id

    def setup_workshop(self, activities, email: str = "anna@solstad.se", **kwargs) -> dict[str, Any]:
        from workshop import workshops as core
        from workshop.extensions import db
        from workshop.models import User

        with self.app.test_request_context():
            user = db.session.query(User).filter_by(email=email).first()
            ws = core.create_workshop(user, kwargs.pop("title", "Användarforum"), **kwargs)
            ids = [core.add_activity(ws, kind, title, cfg).id for kind, title, cfg in activities]
            out = {"ws_id": ws.id, "code": ws.join_code, "key": ws.presenter_key, "ids": ids}
            db.session.remove()
            return out

    def sql(self, statement: str, **params) -> list[tuple]:
        from sqlalchemy import text

        from workshop.extensions import db

        with self.app.app_context():
            try:
                return [tuple(r) for r in db.session.execute(text(statement), params).all()]
            finally:
                db.session.remove()

    def stored(self, activity_id: int) -> list[tuple[int, str]]:
        """(participant_id, client_id) of every stored input of the activity."""
        return [
            (p, c)
            for p, c in self.sql(
                "SELECT participant_id, client_id FROM responses WHERE activity_id = :a ORDER BY id", a=activity_id
            )
        ]

    def login(self, node: Node, email: str = "anna@solstad.se") -> requests.Session:
        s = requests.Session()
        page = s.get(node.url + "/login", timeout=15).text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        r = s.post(node.url + "/login", data={"csrf_token": token, "email": email, "password": PASSWORD}, timeout=15)
        assert r.url.endswith("/f/"), r.url
        return s


# --- socket clients ----------------------------------------------------------------------------


def newer(old: dict | None, new: dict) -> bool:
    """The clients' rule (static/js): keep what is shown when a payload read earlier arrives."""
    if old is None or not old.get("version") or not new.get("version"):
        return True
    return new["version"] >= old["version"]


class _Client:
    namespace = "/"

    def __init__(self, url: str, transports: list[str] | None = None, reconnect: bool = True):
        self.url = url
        self.transports = transports
        self.lock = threading.RLock()
        self.snapshots: list[dict] = []
        self.state: dict | None = None
        self.results: dict[int, dict] = {}
        self.received: list[dict] = []  # every results payload, in arrival order
        self.dropped = 0  # results dropped as older than what was shown
        self.connects = 0
        self.connect_errors: list[Any] = []
        self.snapshot_event = threading.Event()
        self.sio = socketio.Client(
            reconnection=reconnect,
            reconnection_delay=0.2,
            reconnection_delay_max=1.0,
            randomization_factor=0.3,
            request_timeout=10,
        )
        ns = self.namespace
        self.sio.on("snapshot", self._on_snapshot, namespace=ns)
        self.sio.on("results", self._on_results, namespace=ns)
        self.sio.on("state", self._on_state, namespace=ns)
        self.sio.on("connect", self._on_connect, namespace=ns)
        self.sio.on("connect_error", lambda data=None: self.connect_errors.append(data), namespace=ns)

    # handlers
    def _on_connect(self):
        with self.lock:
            self.connects += 1
        self.after_connect()

    def after_connect(self):
        pass

    def _on_snapshot(self, snap):
        with self.lock:
            self.snapshots.append(snap)
            self.state = snap["workshop"]
            self.results = {int(k): v for k, v in (snap.get("results") or {}).items()}
        self.snapshot_event.set()
        self.after_snapshot(snap)

    def after_snapshot(self, snap):
        pass

    def _on_results(self, res):
        with self.lock:
            self.received.append(res)
            if newer(self.results.get(res["activity_id"]), res):
                self.results[res["activity_id"]] = res
            else:
                self.dropped += 1

    def _on_state(self, ws):
        with self.lock:
            if newer(self.state, ws):
                self.state = ws

    # use
    def open(self, auth: Any, headers: dict | None = None, timeout: float = WAIT) -> _Client:
        self.snapshot_event.clear()
        self.sio.connect(
            self.url,
            namespaces=[self.namespace],
            auth=auth,
            transports=self.transports,
            headers=headers or {},
            wait_timeout=timeout,
        )
        assert self.snapshot_event.wait(timeout), f"no snapshot on {self.namespace}"
        return self

    def latest(self, activity_id: int) -> dict | None:
        with self.lock:
            return self.results.get(activity_id)

    def aggregate(self, activity_id: int) -> Any:
        res = self.latest(activity_id)
        return res.get("aggregate") if res else None

    def transport(self) -> str | None:
        try:
            return self.sio.transport()
        except Exception:
            return None

    def close(self) -> None:
        try:
            self.sio.disconnect()
        except Exception:
            pass


class Screen(_Client):
    namespace = "/screen"

    def __init__(self, url: str, ws_id: int, key: str, **kw):
        super().__init__(url, **kw)
        self.auth = {"workshop_id": ws_id, "key": key}

    def connect(self) -> Screen:
        return self.open(self.auth)


class Console(_Client):
    namespace = "/console"

    def __init__(self, url: str, ws_id: int, session: requests.Session, **kw):
        super().__init__(url, **kw)
        self.auth = {"workshop_id": ws_id}
        self.cookie = "; ".join(f"{c.name}={c.value}" for c in session.cookies)

    def connect(self) -> Console:
        return self.open(self.auth, headers={"Cookie": self.cookie})

    def call(self, event: str, payload: dict) -> dict:
        return self.sio.call(event, payload, namespace=self.namespace, timeout=20)


class Phone(_Client):
    """A participant's phone with the product's outbox: an input stays in the outbox until the
    server acknowledges it; after a reconnect (snapshot) and after an "unavailable"/"server"
    answer it is sent again with the same client_id."""

    namespace = "/phone"
    RETRY_CODES = ("unavailable", "server", "rate_limited")

    def __init__(self, url: str, code: str, nickname: str = "", **kw):
        super().__init__(url, **kw)
        r = requests.post(url + "/api/join", json={"code": code, "nickname": nickname}, timeout=20)
        r.raise_for_status()
        self.token = r.json()["token"]
        self.participant_id = r.json()["participant"]["id"]
        self.outbox: dict[str, dict] = {}
        self.acks: dict[str, dict] = {}
        self.refused: dict[str, dict] = {}
        self.transient: list[dict] = []
        self.sent = 0
        self._seq = 0
        # Called (outside the lock) with the client_id of each first acknowledgement.
        self.on_ack: Callable[[str], None] | None = None

    def connect(self) -> Phone:
        return self.open({"token": self.token})

    # The server sends the snapshot from its connect handler, before it confirms the namespace;
    # the browser's client holds such events until "connect", python-socketio's does not. So
    # the outbox is sent on both: whichever comes second finds the namespace connected.
    def after_snapshot(self, snap):
        self.flush()

    def after_connect(self):
        self.flush()

    def submit(self, activity_id: int, payload: Any, client_id: str | None = None) -> str:
        with self.lock:
            self._seq += 1
            cid = client_id or f"p{self.participant_id}-{self._seq}-{secrets.token_hex(3)}"
            item = {"activity_id": activity_id, "client_id": cid, "payload": payload}
            self.outbox[cid] = item
        self._send(item)
        return cid

    def flush(self) -> None:
        with self.lock:
            items = list(self.outbox.values())
        for item in items:
            self._send(item)

    def _send(self, item: dict) -> None:
        with self.lock:
            if item["client_id"] not in self.outbox:
                return
            self.sent += 1
        try:
            self.sio.emit(
                "submit", item, namespace=self.namespace, callback=lambda ack=None, it=item: self._on_ack(it, ack)
            )
        except Exception:
            pass  # not connected: the outbox keeps it until the next snapshot

    def _on_ack(self, item: dict, ack: Any) -> None:
        cid = item["client_id"]
        ok = isinstance(ack, dict) and bool(ack.get("ok"))
        retry = False
        with self.lock:
            first = ok and cid not in self.acks
            if ok:
                self.acks.setdefault(cid, ack)
                self.outbox.pop(cid, None)
            else:
                code = (ack or {}).get("error", {}).get("code") if isinstance(ack, dict) else None
                if code in self.RETRY_CODES:
                    self.transient.append(ack)
                    retry = True
                else:
                    self.refused[cid] = ack
                    self.outbox.pop(cid, None)
        if first and self.on_ack:
            self.on_ack(cid)
        if retry:
            t = threading.Timer(0.3, self._send, [item])
            t.daemon = True
            t.start()

    def pending(self) -> int:
        with self.lock:
            return len(self.outbox)


def close_all(clients) -> None:
    threads = [threading.Thread(target=c.close) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(15)


def in_parallel(fn, items, workers: int = 16) -> list:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(fn, items))


def rmtree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
