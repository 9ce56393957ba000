"""The real phone page (phone.js in Chromium) through a server kill -9 and restart: an answer
given while the server is gone, a reload with answers still pending, and answers refused with
"unavailable" while the database is locked are all stored, each exactly once.

The Python phone of tests/services retries what phone.js might drop; this drives phone.js."""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

Q = "Vad ska vi tänka på när vi inför digitala nyckellås?"


def _stored(server, activity_id: int) -> list[tuple[str, str]]:
    """(client_id, text) of every stored input of the activity, read from the SQLite file."""
    con = sqlite3.connect(server.data_dir / "nyttoverkstad.sqlite3", timeout=30)
    try:
        rows = con.execute(
            "SELECT client_id, data FROM responses WHERE activity_id = ? ORDER BY id", (activity_id,)
        ).fetchall()
    finally:
        con.close()
    import json

    return [(cid, json.loads(data)["text"]) for cid, data in rows]


def _answer(phone, text: str, wait: bool = True) -> None:
    phone.locator("textarea[name=text]").fill(text)
    phone.locator("form.text-form button[type=submit]").click()
    if wait:  # sent, or kept in the outbox: either way the field is free again
        expect(phone.locator("textarea[name=text]")).to_have_value("")


def _outbox(phone, code: str) -> list:
    return phone.evaluate(f"JSON.parse(localStorage.getItem('nv:outbox:{code}') || '[]')")


def test_real_phone_loses_nothing_through_kill_restart_reload_and_unavailable(
    open_page, live_server, ui, js_errors, request
):
    ws = ui.workshop(
        "Användarforum", ask_nickname=False, activities=[("open_text", {"title": Q, "cfg_max_entries": "10"})]
    )
    act, code = ws["activity_ids"][0], ws["code"]
    phone = open_page("phone", "phone")
    phone.goto(f"/j/{code}")
    expect(phone.locator("#act-title")).to_have_text(Q)
    _answer(phone, "Svar 1: före kraschen")
    expect(phone.locator("#conn")).to_have_attribute("data-state", "up")
    assert len(_stored(live_server, act)) == 1

    # kill -9: no goodbye to the phone.
    js_errors.allow(
        r"WebSocket connection to .* failed|Failed to load resource: net::ERR_CONNECTION_REFUSED"
        r"|Failed to load resource: the server responded with a status of 503"
    )
    live_server.stop(kill=True)
    expect(phone.locator("#conn")).to_have_attribute("data-state", "down", timeout=15_000)

    # Answered while the server is gone: kept in the outbox (localStorage), not lost.
    _answer(phone, "Svar 2: medan servern var borta")
    _answer(phone, "Svar 3: också offline")
    pending = _outbox(phone, code)
    assert [i["payload"]["text"] for i in pending] == ["Svar 2: medan servern var borta", "Svar 3: också offline"]

    restarted = ui.LiveServer(live_server.data_dir, port=live_server.port).start()
    request.addfinalizer(restarted.stop)
    # The phone reconnects by itself and empties its outbox.
    expect(phone.locator("#conn")).to_have_attribute("data-state", "up", timeout=20_000)
    deadline = time.monotonic() + 15
    while _outbox(phone, code) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _outbox(phone, code) == []
    texts = [t for _, t in _stored(restarted, act)]
    assert texts == ["Svar 1: före kraschen", "Svar 2: medan servern var borta", "Svar 3: också offline"]

    # A reload with an answer still pending: it is put in the outbox while the server is down,
    # the page is reloaded once the server is back, and the new page sends it (once).
    restarted.stop(kill=True)
    expect(phone.locator("#conn")).to_have_attribute("data-state", "down", timeout=15_000)
    _answer(phone, "Svar 4: skickas efter omladdning")
    assert len(_outbox(phone, code)) == 1
    # This one waits 1 s for a locked database (then the writer's own retries) instead of 10.
    again = ui.LiveServer(live_server.data_dir, env={"SQLITE_BUSY_TIMEOUT": "1"}, port=live_server.port).start()
    request.addfinalizer(again.stop)
    phone.reload()
    expect(phone.locator("#act-title")).to_have_text(Q, timeout=20_000)
    deadline = time.monotonic() + 15
    while _outbox(phone, code) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _outbox(phone, code) == []

    # "unavailable": the database is locked by another writer for longer than the server
    # waits; the phone keeps the answer and sends it again until it is stored.
    locker = sqlite3.connect(
        again.data_dir / "nyttoverkstad.sqlite3", timeout=30, isolation_level=None, check_same_thread=False
    )
    locker.execute("BEGIN EXCLUSIVE")
    released = threading.Event()

    def release_later():
        time.sleep(float(UNAVAILABLE_FOR))
        locker.execute("COMMIT")
        locker.close()
        released.set()

    threading.Thread(target=release_later, daemon=True).start()
    _answer(phone, "Svar 5: medan databasen var låst", wait=False)  # the server holds the ack
    assert len(_outbox(phone, code)) == 1
    time.sleep(UNAVAILABLE_FOR - 2)
    assert len(_outbox(phone, code)) == 1, "stored while the database was locked?"
    assert released.wait(60)
    deadline = time.monotonic() + 30
    while _outbox(phone, code) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _outbox(phone, code) == []

    stored = _stored(again, act)
    assert [t for _, t in stored] == [
        "Svar 1: före kraschen",
        "Svar 2: medan servern var borta",
        "Svar 3: också offline",
        "Svar 4: skickas efter omladdning",
        "Svar 5: medan databasen var låst",
    ]
    assert len({cid for cid, _ in stored}) == 5  # every input once
    # The phone shows all five as its own.
    expect(phone.locator(".own-text")).to_have_count(5, timeout=10_000)


# The SQLite lock outlasts the server's own wait (1 s busy timeout + LOCKED_RETRY_SECONDS = 12 s),
# so the phone is answered "unavailable" at least once and must send the answer again.
UNAVAILABLE_FOR = 16
