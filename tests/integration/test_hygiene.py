"""HTTP hygiene: caching of private pages, HSTS, file permissions, text no database can store,
the public address, and slow clients against ``workshop serve``."""

from __future__ import annotations

import socket
import time

import nyttoverkstad_integration_helpers as h  # loaded by conftest.py
import pytest


def _fresh_app(tmp_path, **overrides):
    from workshop.app import create_app
    from workshop.config import Settings

    app = create_app(Settings.from_env(tmp_path, testing=True, **overrides), async_mode="threading")
    app.config["WTF_CSRF_ENABLED"] = False
    return app


# --- caching and HSTS ----------------------------------------------------------------------------


def test_facilitator_pages_and_downloads_are_never_stored(app, make_workshop):
    ws_id, code, ids = make_workshop()
    c = app.test_client()
    assert c.get("/login").headers["Cache-Control"] == "no-store"
    h.login(c)
    for path in ("/f/", f"/f/w/{ws_id}", f"/f/w/{ws_id}/console", f"/f/w/{ws_id}/a/{ids[0]}.csv", "/f/account"):
        r = c.get(path)
        assert r.status_code == 200, path
        assert r.headers["Cache-Control"] == "no-store", path
    r = c.get(f"/f/w/{ws_id}/export.json")
    assert "attachment" in r.headers.get("Content-Disposition", "") and r.headers["Cache-Control"] == "no-store"
    anyone = app.test_client()
    assert anyone.get(f"/present/{ws_id}/{h.presenter_key(app, ws_id)}").headers["Cache-Control"] == "no-store"
    # Public, unchanging things may be cached.
    assert anyone.get("/static/css/app.css").headers.get("Cache-Control") != "no-store"


def test_hsts_over_https_only(app):
    c = app.test_client()
    assert "Strict-Transport-Security" not in c.get("/").headers
    r = c.get("/", base_url="https://localhost")
    assert r.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_the_shipped_nginx_config_sends_hsts_with_tls():
    from pathlib import Path

    conf = (Path(__file__).resolve().parents[2] / "deploy" / "nginx.conf").read_text()
    tls = conf.split("# --- TLS (begin)")[1].split("# --- TLS (end)")[0]
    assert "Strict-Transport-Security" in tls and "always" in tls
    assert "client_header_timeout" in conf


# --- files ---------------------------------------------------------------------------------------


def test_a_new_sqlite_file_and_secret_are_the_owners_alone(tmp_path):
    folder = tmp_path / "ny"
    _fresh_app(folder)
    assert folder.stat().st_mode & 0o777 == 0o700
    for name in ("nyttoverkstad.sqlite3", "secret_key"):
        assert (folder / name).stat().st_mode & 0o777 == 0o600, name


# --- text no database can store ------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        '{"code": "CODE", "nickname": "Kim \\ud800"}',
        '{"code": "CODE", "nickname": "\\udfff"}',
        '{"code": "CODE", "nickname": "Kim \\u0007"}',
    ],
)
def test_a_nickname_no_database_can_store_is_a_clear_400(app, make_workshop, body):
    ws_id, code, ids = make_workshop()
    before = h.response_count(app)
    r = app.test_client().post("/api/join", data=body.replace("CODE", code), content_type="application/json")
    assert r.status_code == 400
    assert r.get_json()["error"]["code"] == "invalid"
    assert "tecken" in r.get_json()["error"]["message"]  # "…innehåller tecken som inte är tillåtna."
    assert h.response_count(app) == before


def test_a_joined_phone_with_a_proper_astral_character_is_fine(app, make_workshop):
    ws_id, code, ids = make_workshop()
    r = app.test_client().post(
        "/api/join", data='{"code": "' + code + '", "nickname": "Kim \\ud83d\\ude00"}', content_type="application/json"
    )
    assert r.status_code == 200 and r.get_json()["participant"]["nickname"] == "Kim 😀"


def test_phone_text_with_a_lone_surrogate_is_refused_and_nothing_is_stored(app, make_workshop):
    ws_id, code, ids = make_workshop(activities=(("open_text", "Vad tycker du?", {}),))
    tc, _ = h.phone(app, app.test_client(), code)
    ack = tc.emit(
        "submit",
        {"activity_id": ids[0], "client_id": "c-1", "payload": {"text": "hej \ud800"}},
        namespace=h.PHONE,
        callback=True,
    )
    h.assert_error(ack, "invalid")
    assert h.response_count(app) == 0


# --- the public address --------------------------------------------------------------------------


def test_qr_code_and_join_host_come_from_public_url_not_the_host_header(tmp_path, migrated_db):
    import shutil

    from workshop import workshops as core
    from workshop.accounts import create_user
    from workshop.extensions import db
    from workshop.qr import qr_svg

    shutil.copyfile(migrated_db, tmp_path / "nyttoverkstad.sqlite3")
    app = _fresh_app(tmp_path, public_url="https://nytta.solstad.se")
    with app.test_request_context():
        user = create_user("anna@solstad.se", h.PASSWORD)
        ws = core.create_workshop(user, "Forum")
        ws_id, code, key = ws.id, ws.join_code, ws.presenter_key
        db.session.remove()
    forged = {"Host": "evil.example"}
    c = app.test_client()
    svg = c.get(f"/qr/{code}.svg", headers=forged).get_data(as_text=True)
    assert svg == qr_svg(f"https://nytta.solstad.se/j/{code}")
    page = c.get(f"/present/{ws_id}/{key}", headers=forged).get_data(as_text=True)
    assert "<strong>nytta.solstad.se</strong>" in page and "evil.example" not in page


def test_public_url_must_be_an_address(tmp_path, monkeypatch):
    from workshop.config import Settings

    monkeypatch.setenv("PUBLIC_URL", "nytta.solstad.se")
    with pytest.raises(ValueError, match="PUBLIC_URL"):
        Settings.from_env(tmp_path)


# --- slow clients against the real server --------------------------------------------------------


def _read_all(sock: socket.socket, limit: float) -> tuple[bytes, float]:
    start, got = time.monotonic(), b""
    sock.settimeout(limit)
    try:
        while True:
            chunk = sock.recv(4096)
            if not chunk:
                break
            got += chunk
    except TimeoutError:
        pass
    return got, time.monotonic() - start


def test_slow_headers_and_idle_connections_are_cut(live_server_with):
    server = live_server_with({"HEADER_TIMEOUT": "1", "REQUEST_LINE_TIMEOUT": "2"})
    port = server.port
    # Headers a line every 0.4 s ("slowloris"): cut with a 408 after about a second.
    slow = socket.create_connection(("127.0.0.1", port))
    slow.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
    start = time.monotonic()
    answer = b""
    slow.settimeout(0.4)
    while time.monotonic() - start < 5:
        try:
            slow.sendall(b"X-Slow: 1\r\n")
            chunk = slow.recv(4096)
            if not chunk:
                break
            answer += chunk
        except TimeoutError:
            continue
        except OSError:
            break
    elapsed = time.monotonic() - start
    assert answer.startswith(b"HTTP/1.1 408"), answer[:80]
    assert elapsed < 3, elapsed
    # A connection that never sends a request line is closed after the idle time.
    idle = socket.create_connection(("127.0.0.1", port))
    got, waited = _read_all(idle, 6)
    assert got == b"" and 1.5 < waited < 5, (got, waited)
    # An honest client is served.
    honest = socket.create_connection(("127.0.0.1", port))
    honest.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    got, _ = _read_all(honest, 5)
    assert got.startswith(b"HTTP/1.1 200"), got[:80]
