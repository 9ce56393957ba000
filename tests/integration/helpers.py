"""Small helpers shared by the integration tests (socket test clients, joins, counts,
creating a workshop on a real server through the facilitator's forms).

Loaded by path from the test modules (see ``load`` at their top), so the name cannot
collide with another ``helpers`` module elsewhere in the tree.
"""

from __future__ import annotations

import re
import time
from typing import Any

import requests
from flask_socketio.test_client import SocketIOTestClient
from socketio import packet

PASSWORD = "hemligt-lösen-1"  # the fixtures' password (tests/conftest.py)
PHONE, SCREEN, CONSOLE = "/phone", "/screen", "/console"
CONSOLE_EVENTS = ("goto", "step", "set", "timer_start", "timer_stop", "reset", "moderate", "snapshot")

MC = (
    "multiple_choice",
    "Använder ni metoden?",
    {"options": ["Ja", "Nej", "Vet inte"], "multiple": False, "max_choices": 1},
)


# --- Flask-SocketIO test clients -------------------------------------------------------------


class Client(SocketIOTestClient):
    """The Flask-SocketIO test client, also keeping what a refused connection was told
    (the CONNECT_ERROR packet's data), which the stock client drops."""

    connect_errors: dict[str, list[Any]]

    def connect(self, namespace=None, query_string=None, headers=None, auth=None):
        if not hasattr(self, "connect_errors"):
            self.connect_errors = {}
        server = self.socketio.server
        inner = server._send_packet

        def capture(eio_sid, pkt):
            if pkt.packet_type == packet.CONNECT_ERROR:
                owner = self.clients.get(eio_sid)
                if owner is not None:
                    owner.connect_errors.setdefault(pkt.namespace or "/", []).append(pkt.data)
            return inner(eio_sid, pkt)

        server._send_packet = capture
        try:
            return super().connect(namespace=namespace, query_string=query_string, headers=headers, auth=auth)
        finally:
            server._send_packet = inner

    def refusal(self, namespace: str) -> Any:
        errors = self.connect_errors.get(namespace) or [None]
        return errors[-1]


def socket_client(app, namespace: str, auth: Any = None, flask_client=None) -> Client:
    from workshop.extensions import socketio

    return Client(app, socketio, namespace=namespace, auth=auth, flask_test_client=flask_client)


def events(tc: Client, namespace: str, name: str | None = None) -> list[Any]:
    """Drain what ``tc`` received on ``namespace``; return the first argument of each event
    named ``name`` (or every event as (name, arg) when ``name`` is None)."""
    got = tc.get_received(namespace)
    if name is None:
        return [(e["name"], e["args"][0] if e["args"] else None) for e in got]
    return [e["args"][0] if e["args"] else None for e in got if e["name"] == name]


def login(client, email: str = "anna@solstad.se", password: str = PASSWORD):
    r = client.post("/login", data={"email": email, "password": password})
    assert r.status_code == 302 and "/login" not in r.headers["Location"], "login failed"
    return r


def join(client, code: str, **body: Any) -> dict[str, Any]:
    r = client.post("/api/join", json={"code": code, **body})
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.get_json()


def phone(app, client, code: str, **body: Any) -> tuple[Client, dict[str, Any]]:
    """Join over HTTP and connect a phone socket; returns (socket client, join answer)."""
    joined = join(client, code, **body)
    tc = socket_client(app, PHONE, {"token": joined["token"]}, client)
    assert tc.is_connected(PHONE)
    return tc, joined


def console(app, ws_id: int, email: str = "anna@solstad.se") -> Client:
    client = app.test_client()
    login(client, email)
    tc = socket_client(app, CONSOLE, {"workshop_id": ws_id}, client)
    assert tc.is_connected(CONSOLE)
    return tc


def presenter_key(app, ws_id: int) -> str:
    from workshop.extensions import db
    from workshop.models import Workshop

    with app.app_context():
        return db.session.get(Workshop, ws_id).presenter_key


def screen(app, ws_id: int) -> Client:
    tc = socket_client(app, SCREEN, {"workshop_id": ws_id, "key": presenter_key(app, ws_id)})
    assert tc.is_connected(SCREEN)
    return tc


def vote(tc: Client, activity_id: Any, client_id: Any, choices: Any = (0,), payload: Any = None) -> dict[str, Any]:
    body = {
        "activity_id": activity_id,
        "client_id": client_id,
        "payload": payload if payload is not None else {"choices": list(choices)},
    }
    return tc.emit("submit", body, namespace=PHONE, callback=True)


def response_count(app) -> int:
    from sqlalchemy import func, select

    from workshop.extensions import db
    from workshop.models import Response

    with app.app_context():
        n = db.session.scalar(select(func.count()).select_from(Response))
        db.session.remove()
        return n


def response_rows(app) -> list[tuple]:
    """Every stored response, as comparable tuples (to prove a refused input changed nothing)."""
    from workshop.extensions import db
    from workshop.models import Response

    with app.app_context():
        out = [
            (
                r.id,
                r.activity_id,
                r.participant_id,
                r.client_id,
                r.generation,
                r.data,
                r.current,
                r.status,
                r.merged_into_id,
                r.answered,
            )
            for r in db.session.query(Response).order_by(Response.id)
        ]
        db.session.remove()
        return out


def flush(app) -> int:
    with app.app_context():
        return app.extensions["broadcaster"].flush()


def assert_error(ack: Any, code: str) -> dict[str, Any]:
    assert isinstance(ack, dict) and ack.get("ok") is False, ack
    err = ack["error"]
    assert err["code"] == code, ack
    assert isinstance(err.get("message"), str) and err["message"].strip(), ack
    return err


def setup_workshop(app, activities=(MC,), mode: str = "live", email: str = "anna@solstad.se", **kwargs: Any):
    """Create (if needed) the facilitator ``email`` and a workshop of theirs on ``app``;
    returns (workshop_id, join_code, activity_ids). For apps other than the ``app`` fixture."""
    from workshop import workshops as core
    from workshop.accounts import create_user
    from workshop.extensions import db
    from workshop.models import User

    with app.test_request_context():
        user = db.session.query(User).filter_by(email=email).first() or create_user(
            email, PASSWORD, email.split("@")[0]
        )
        ws = core.create_workshop(user, kwargs.pop("title", "Användarforum"), mode=mode, **kwargs)
        ids = [core.add_activity(ws, kind, title, cfg).id for kind, title, cfg in activities]
        return ws.id, ws.join_code, ids


def update_row(app, model, row_id: int, **values: Any) -> None:
    from workshop.extensions import db

    with app.app_context():
        obj = db.session.get(model, row_id)
        for k, v in values.items():
            setattr(obj, k, v)
        db.session.commit()
        db.session.remove()


# --- a real server -------------------------------------------------------------------------


def csrf_from(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def create_workshop_http(session: requests.Session, url: str, title: str, options: list[str]) -> dict[str, Any]:
    """Build a workshop with one multiple-choice activity through the facilitator's forms,
    as a person would; returns ids, join code and presenter key read from the pages."""
    token = csrf_from(session.get(url + "/f/new").text)
    r = session.post(
        url + "/f/new",
        data={"csrf_token": token, "title": title, "language": "sv", "mode": "live", "ask_nickname": "1"},
    )
    m = re.search(r"/f/w/(\d+)$", r.url)
    assert m, r.url
    ws_id = int(m.group(1))
    r = session.post(f"{url}/f/w/{ws_id}/activities", data={"csrf_token": csrf_from(r.text), "kind": "multiple_choice"})
    m = re.search(r"/a/(\d+)$", r.url)
    assert m, r.url
    act_id = int(m.group(1))
    r = session.post(
        r.url,
        data={
            "csrf_token": csrf_from(r.text),
            "title": "Använder ni metoden?",
            "cfg_options": "\n".join(options),
            "cfg_max_choices": "1",
        },
    )
    assert r.ok and f"/f/w/{ws_id}" in r.url, r.url
    page = session.get(f"{url}/f/w/{ws_id}").text
    key = re.search(rf"/present/{ws_id}/([A-Za-z0-9_\-]+)", page).group(1)
    code = re.search(r"/qr/(\d{8})\.svg", page).group(1)
    return {"ws_id": ws_id, "activity_id": act_id, "code": code, "key": key}


def wait_for(predicate, timeout: float = 5.0, interval: float = 0.02) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()
