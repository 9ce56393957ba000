"""Shared fixtures: an app on a temporary SQLite file, socket test clients, and a real
server process (``workshop serve``) for integration and browser tests."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "hemligt-lösen-1"


@pytest.fixture(scope="session")
def migrated_db(tmp_path_factory):
    """Run the migrations once per test session; each test starts from a copy."""
    import sqlite3

    from workshop.app import create_app
    from workshop.config import Settings
    from workshop.extensions import db

    folder = tmp_path_factory.mktemp("migrated")
    app = create_app(Settings.from_env(folder, testing=True), async_mode="threading")
    with app.app_context():
        db.engine.dispose()
    src = sqlite3.connect(folder / "nyttoverkstad.sqlite3")
    copy = folder / "template.sqlite3"
    dst = sqlite3.connect(copy)
    src.backup(dst)
    src.close()
    dst.close()
    return copy


@pytest.fixture(autouse=True)
def _no_connections_left():
    """Each test's app is a new server: the sockets a test left open (test clients are rarely
    disconnected) must not count in the next test's rooms (``connections.count`` decides how a
    results round goes out)."""
    yield
    from workshop.realtime import connections

    connections._conns.clear()
    connections._sockets_of.clear()
    connections._owner.clear()
    connections._per_workshop.clear()


@pytest.fixture
def app(tmp_path, migrated_db):
    import shutil

    from workshop.app import create_app
    from workshop.config import Settings

    shutil.copyfile(migrated_db, tmp_path / "nyttoverkstad.sqlite3")
    settings = Settings.from_env(tmp_path, testing=True, rate_limit_submit="1000/second", rate_limit_join="1000/second")
    app = create_app(settings, async_mode="threading", migrate=False)
    app.config["WTF_CSRF_ENABLED"] = False
    yield app


@pytest.fixture
def db_session(app):
    from workshop.extensions import db

    with app.test_request_context():
        yield db.session


@pytest.fixture
def facilitator(app):
    from workshop.accounts import create_user

    with app.test_request_context():
        user = create_user("anna@solstad.se", PASSWORD, "Anna")
        return user.id


@pytest.fixture
def other_facilitator(app):
    from workshop.accounts import create_user

    with app.test_request_context():
        return create_user("bertil@norrby.se", PASSWORD, "Bertil").id


def login(client, email="anna@solstad.se", password=PASSWORD):
    return client.post("/login", data={"email": email, "password": password})


@pytest.fixture
def make_workshop(app, facilitator):
    """Create a workshop owned by the first facilitator; returns (workshop_id, join_code)."""
    from workshop import workshops as core
    from workshop.extensions import db
    from workshop.models import User

    def make(
        activities=(
            (
                "multiple_choice",
                "Använder ni metoden?",
                {"options": ["Ja", "Nej", "Vet inte"], "multiple": False, "max_choices": 1},
            ),
        ),
        mode="live",
        **kwargs,
    ):
        with app.test_request_context():
            user = db.session.get(User, facilitator)
            ws = core.create_workshop(user, kwargs.pop("title", "Användarforum"), mode=mode, **kwargs)
            ids = [core.add_activity(ws, kind, title, cfg).id for kind, title, cfg in activities]
            return ws.id, ws.join_code, ids

    return make


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """``workshop serve`` in a child process, as a user would start it."""

    def __init__(self, data_dir: Path, env: dict | None = None, port: int | None = None):
        self.data_dir = data_dir
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "WORKSHOP_DATA_DIR": str(data_dir),
            "RATE_LIMIT_SUBMIT": "1000/second",
            "RATE_LIMIT_JOIN": "100000/minute",
            "RATE_LIMIT_JOIN_NEW": "1000000/minute",
            **(env or {}),
        }
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> LiveServer:
        log = open(self.data_dir / f"server-{self.port}.log", "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "workshop.cli", "serve", "--port", str(self.port)],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("server exited: " + (self.data_dir / f"server-{self.port}.log").read_text()[-2000:])
            try:
                if requests.get(self.url + "/healthz", timeout=1).ok:
                    return self
            except requests.RequestException:
                time.sleep(0.1)
        raise RuntimeError("server did not start")

    def stop(self, kill: bool = False) -> None:
        if self.proc and self.proc.poll() is None:
            if kill:
                self.proc.kill()
            else:
                self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)

    def create_user(self, email="anna@solstad.se", password=PASSWORD) -> None:
        subprocess.run(
            [sys.executable, "-m", "workshop.cli", "create-user", "--email", email, "--password", password],
            env=self.env,
            check=True,
            cwd=ROOT,
            capture_output=True,
        )

    def facilitator_session(self, email="anna@solstad.se", password=PASSWORD) -> requests.Session:
        s = requests.Session()
        token = csrf_from(s.get(self.url + "/login").text)
        r = s.post(self.url + "/login", data={"csrf_token": token, "email": email, "password": password})
        assert r.url.endswith("/f/"), r.url
        return s


def csrf_from(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


@pytest.fixture
def live_server_with(tmp_path):
    """Start ``workshop serve`` with extra environment: ``live_server_with({"X": "1"})``."""
    started: list[LiveServer] = []

    def start(env: dict[str, str]) -> LiveServer:
        server = LiveServer(tmp_path / f"s{len(started)}", env=env)
        server.data_dir.mkdir()
        started.append(server)
        return server.start()

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def live_server(tmp_path):
    server = LiveServer(tmp_path)
    server.create_user()
    server.start()
    yield server
    server.stop()


OIDC_CLIENT_ID, OIDC_SECRET = "nyttoverkstad", "provider-secret-123"


class OidcProvider:
    """tests/oidc_provider.py in a child process."""

    def __init__(self, tmp: Path, app_url: str, users: list[str], *flags: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(tmp / f"provider-{self.port}.log", "ab")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                str(ROOT / "tests" / "oidc_provider.py"),
                "--port",
                str(self.port),
                "--client-id",
                OIDC_CLIENT_ID,
                "--client-secret",
                OIDC_SECRET,
                "--redirect-uri",
                f"{app_url}/login/sso/callback",
                *[a for u in users for a in ("--user", u)],
                *flags,
            ],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                if requests.get(self.url + "/.well-known/openid-configuration", timeout=1).ok:
                    return
            except requests.RequestException:
                time.sleep(0.1)
        raise RuntimeError("provider did not start")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


@pytest.fixture
def sso(tmp_path):
    """``sso(users, *provider_flags, domains="")``: a provider and a product server wired to it."""
    started: list = []

    def start(users: list[str], *flags: str, domains: str = "", accounts: tuple[str, ...] = ("anna@solstad.se",)):
        data = tmp_path / f"s{len(started)}"
        data.mkdir()
        port = free_port()
        provider = OidcProvider(tmp_path, f"http://127.0.0.1:{port}", users, *flags)
        started.append(provider)
        server = LiveServer(
            data,
            port=port,
            env={
                "OIDC_ISSUER": provider.url,
                "OIDC_CLIENT_ID": OIDC_CLIENT_ID,
                "OIDC_CLIENT_SECRET": OIDC_SECRET,
                "OIDC_PROVIDER_NAME": "Solstads kommun",
                "OIDC_ACCOUNT_DOMAINS": domains,
            },
        )
        for email in accounts:
            server.create_user(email=email)
        started.append(server.start())
        return server, provider

    yield start
    for thing in started:
        thing.stop()


def pytest_sessionfinish(session, exitstatus):
    """In CI (REQUIRE_ALL_TESTS=1) a skipped test is a failure: a missing browser or service
    must not pass silently."""
    if os.environ.get("REQUIRE_ALL_TESTS") != "1":
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if skipped:
        reporter.write_line(f"REQUIRE_ALL_TESTS: {skipped} test(s) were skipped; failing the run.", red=True)
        session.exitstatus = 1
