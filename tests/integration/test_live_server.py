"""A real ``workshop serve`` process (gevent) driven by real Socket.IO clients: many phones
voting at once, the presenter's exact totals, reconnects with resends, and a kill -9."""

from __future__ import annotations

import csv
import io
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import nyttoverkstad_integration_helpers as h  # loaded by conftest.py
import pytest
import requests
import socketio

PHONES = 50
OPTIONS = ["Ja", "Nej", "Vet inte"]
WAIT = 8.0


class Phone:
    """A participant's phone: joins over HTTP, then talks over /phone."""

    def __init__(self, url: str, code: str, nickname: str, websocket_only: bool = False):
        self.url = url
        # Browsers here open a websocket at once (core.js); the others start on long-polling and
        # upgrade, so both transports carry votes.
        self.transports = ["websocket"] if websocket_only else None
        self.code = code
        r = requests.post(url + "/api/join", json={"code": code, "nickname": nickname}, timeout=10)
        r.raise_for_status()
        self.token = r.json()["token"]
        self.participant_id = r.json()["participant"]["id"]
        self.snapshots: list[dict] = []
        self.results: list[dict] = []
        self.sio: socketio.Client | None = None

    def connect(self) -> Phone:
        sio = socketio.Client(reconnection=False)
        got_snapshot = threading.Event()

        @sio.on("snapshot", namespace="/phone")
        def _snapshot(data):
            self.snapshots.append(data)
            got_snapshot.set()

        @sio.on("results", namespace="/phone")
        def _results(data):
            self.results.append(data)

        sio.connect(
            self.url, namespaces=["/phone"], auth={"token": self.token}, transports=self.transports, wait_timeout=10
        )
        assert got_snapshot.wait(WAIT), "no snapshot after connecting"
        self.sio = sio
        return self

    def vote(self, activity_id: int, client_id: str, choice: int) -> dict:
        return self.sio.call(
            "submit",
            {"activity_id": activity_id, "client_id": client_id, "payload": {"choices": [choice]}},
            namespace="/phone",
            timeout=15,
        )

    def disconnect(self) -> None:
        if self.sio is not None:
            self.sio.disconnect()
            self.sio = None


class Screen:
    """The presenter's projector view on /screen."""

    def __init__(self, url: str, ws_id: int, key: str):
        self.snapshot: dict | None = None
        self.results: list[dict] = []
        self.lock = threading.Lock()
        self.sio = socketio.Client(reconnection=False)
        ready = threading.Event()

        @self.sio.on("snapshot", namespace="/screen")
        def _snapshot(data):
            self.snapshot = data
            ready.set()

        @self.sio.on("results", namespace="/screen")
        def _results(data):
            with self.lock:
                self.results.append(data)

        self.sio.connect(url, namespaces=["/screen"], auth={"workshop_id": ws_id, "key": key}, wait_timeout=10)
        assert ready.wait(WAIT), "the presenter got no snapshot"

    def latest(self, activity_id: int) -> dict | None:
        with self.lock:
            mine = [r for r in self.results if r["activity_id"] == activity_id]
        return mine[-1] if mine else None

    def wait_for_counts(self, activity_id: int, counts: list[int], timeout: float = WAIT) -> dict | None:
        h.wait_for(lambda: (r := self.latest(activity_id)) is not None and r["aggregate"]["counts"] == counts, timeout)
        return self.latest(activity_id)

    def close(self) -> None:
        self.sio.disconnect()


def _screen_counts(url: str, ws_id: int, key: str, activity_id: int) -> list[int]:
    screen = Screen(url, ws_id, key)
    try:
        return screen.snapshot["results"][str(activity_id)]["aggregate"]["counts"]
    finally:
        screen.close()


@pytest.fixture
def workshop(live_server):
    session = live_server.facilitator_session()
    return h.create_workshop_http(session, live_server.url, "Användarforum Solstad", OPTIONS)


def _close_all(phones: list[Phone]) -> None:
    """Disconnect in parallel: a websocket-only client waits ~3 s for the close handshake."""

    def close(p):
        try:
            p.disconnect()
        except Exception:
            pass

    with ThreadPoolExecutor(max_workers=max(1, len(phones))) as pool:
        list(pool.map(close, phones))


def _tally(choices: list[int]) -> list[int]:
    return [choices.count(i) for i in range(len(OPTIONS))]


def test_fifty_phones_vote_and_the_presenter_gets_exact_totals(live_server, workshop):
    url, ws_id, act, code = live_server.url, workshop["ws_id"], workshop["activity_id"], workshop["code"]
    screen = Screen(url, ws_id, workshop["key"])
    assert screen.snapshot["workshop"]["current_activity_id"] == act
    pool = ThreadPoolExecutor(max_workers=25)
    phones: list[Phone] = []
    try:
        phones = list(
            pool.map(lambda i: Phone(url, code, f"Deltagare {i}", websocket_only=i % 2 == 0).connect(), range(PHONES))
        )
        assert len({p.participant_id for p in phones}) == PHONES
        choices = [(i * 7) % 3 for i in range(PHONES)]

        # Phones connecting make their process send the current results again (coalesced);
        # what counts here is the sends during the vote.
        time.sleep(0.6)
        before = len([r for r in screen.results if r["activity_id"] == act])
        started = time.monotonic()
        acks = list(pool.map(lambda pc: pc[0].vote(act, f"vote-{pc[0].participant_id}", pc[1]), zip(phones, choices)))

        assert all(a["ok"] is True and a["duplicate"] is False for a in acks), [a for a in acks if not a.get("ok")]
        expected = _tally(choices)
        latest = screen.wait_for_counts(act, expected)
        assert latest is not None and latest["aggregate"]["counts"] == expected, latest
        elapsed = time.monotonic() - started
        assert latest["responders"] == PHONES and latest["visible"] is True
        # coalesced: at most one send per broadcast round (0.25 s), not one per vote
        sends = len([r for r in screen.results if r["activity_id"] == act]) - before
        assert sends < PHONES and sends <= elapsed / 0.25 + 2, (sends, elapsed)

        # a phone drops off and comes back: a fresh snapshot carries its own answer
        p = phones[1]
        p.disconnect()
        p.connect()
        snap = p.snapshots[-1]
        mine = snap["mine"][str(act)]
        assert [m["client_id"] for m in mine] == [f"vote-{p.participant_id}"]
        assert mine[0]["data"] == {"choices": [choices[1]]}

        # its outbox resends the same input: acknowledged as already stored, counted once
        again = p.vote(act, f"vote-{p.participant_id}", choices[1])
        assert again["ok"] is True and again["duplicate"] is True and again["response_id"] == acks[1]["response_id"]
        # a phone that changes its mind replaces its answer
        changer = phones[2]
        new_choice = (choices[2] + 1) % 3
        assert changer.vote(act, f"vote-{changer.participant_id}-b", new_choice)["duplicate"] is False
        choices[2] = new_choice
        expected = _tally(choices)
        assert screen.wait_for_counts(act, expected)["aggregate"]["counts"] == expected
        time.sleep(3 * 0.25)  # a few more broadcast rounds: the resend must not have counted
        assert screen.latest(act)["aggregate"]["counts"] == expected
        assert _screen_counts(url, ws_id, workshop["key"], act) == expected
        # the results were hidden from phones (not shown): the count reached them, the figures never
        assert all(r["aggregate"] is None for ph in phones for r in ph.results)
    finally:
        _close_all(phones)
        screen.close()
        pool.shutdown(wait=True)


def _current_answers(server, ws_id: int, act: int) -> dict[int, int]:
    """participant id -> chosen option, from the facilitator's CSV (current answers only)."""
    session = server.facilitator_session()
    r = session.get(f"{server.url}/f/w/{ws_id}/a/{act}.csv", timeout=10)
    r.raise_for_status()
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig")), delimiter=";"))
    return {int(row["Deltagare"]): OPTIONS.index(row["Val"]) for row in rows if row["Omgång"] == "1"}


def test_acknowledged_votes_survive_kill_9(live_server, workshop):
    url, ws_id, act, code = live_server.url, workshop["ws_id"], workshop["activity_id"], workshop["code"]
    n = 20
    pool = ThreadPoolExecutor(max_workers=n)
    phones = list(pool.map(lambda i: Phone(url, code, f"P{i}", websocket_only=i % 2 == 0).connect(), range(n)))
    first = [i % 3 for i in range(n)]
    acks = list(pool.map(lambda pc: pc[0].vote(act, f"k-{pc[0].participant_id}", pc[1]), zip(phones, first)))
    assert all(a["ok"] for a in acks)

    # Everyone changes their answer at once; the server is killed as soon as half the acks are in,
    # with the rest still in flight.
    second = [(c + 1) % 3 for c in first]
    acked: dict[int, int] = {}
    lock = threading.Lock()
    enough = threading.Event()

    def on_ack(phone, choice, ack):
        if isinstance(ack, dict) and ack.get("ok"):
            with lock:
                acked[phone.participant_id] = choice
                if len(acked) >= n // 2:
                    enough.set()

    for phone, choice in zip(phones, second):
        phone.sio.emit(
            "submit",
            {"activity_id": act, "client_id": f"k2-{phone.participant_id}", "payload": {"choices": [choice]}},
            namespace="/phone",
            callback=lambda ack=None, p=phone, c=choice: on_ack(p, c, ack),
        )
    assert enough.wait(10), f"only {len(acked)} acks"
    live_server.stop(kill=True)
    with lock:
        acked_at_kill = dict(acked)
    assert live_server.proc.returncode == -9
    _close_all(phones)
    pool.shutdown(wait=True)

    restarted = type(live_server)(live_server.data_dir, port=live_server.port)
    restarted.start()
    try:
        answers = _current_answers(restarted, ws_id, act)
        assert sorted(answers) == sorted(p.participant_id for p in phones)  # one current answer each
        for pid, choice in acked_at_kill.items():
            assert answers[pid] == choice, f"acknowledged answer of participant {pid} lost"
        for p, a, b in zip(phones, first, second):
            assert answers[p.participant_id] in (a, b)
        expected = _tally(list(answers.values()))
        assert _screen_counts(restarted.url, ws_id, workshop["key"], act) == expected
        # a phone comes back with the token it kept and finds its acknowledged answer
        p = next(p for p in phones if p.participant_id in acked_at_kill)
        p.url = restarted.url
        p.connect()
        assert [m["client_id"] for m in p.snapshots[-1]["mine"][str(act)]] == [f"k2-{p.participant_id}"]
        again = p.vote(act, f"k2-{p.participant_id}", acked_at_kill[p.participant_id])
        assert again["ok"] is True and again["duplicate"] is True
        p.disconnect()
        assert _screen_counts(restarted.url, ws_id, workshop["key"], act) == expected
    finally:
        restarted.stop()


def test_real_server_refuses_unknown_phone_and_wrong_presenter_key(live_server, workshop):
    url = live_server.url
    for namespace, auth in (
        ("/phone", {"token": "x" * 32}),
        ("/phone", None),
        ("/screen", {"workshop_id": workshop["ws_id"], "key": "wrong"}),
        ("/console", {"workshop_id": workshop["ws_id"]}),
    ):
        sio = socketio.Client(reconnection=False)
        with pytest.raises(socketio.exceptions.ConnectionError):
            sio.connect(url, namespaces=[namespace], auth=auth, wait_timeout=5)
    # the right key does connect
    Screen(url, workshop["ws_id"], workshop["key"]).close()
    # a page on another site cannot open the (cookie-authorised) console socket
    r = requests.get(url + "/socket.io/?EIO=4&transport=polling", headers={"Origin": "https://evil.example"}, timeout=5)
    assert r.status_code == 400


def test_real_phone_learns_why_it_was_refused(live_server):
    errors = []
    sio = socketio.Client(reconnection=False)
    sio.on("connect_error", lambda data=None: errors.append(data), namespace="/phone")
    with pytest.raises(socketio.exceptions.ConnectionError):
        sio.connect(live_server.url, namespaces=["/phone"], auth={"token": "x" * 32}, wait_timeout=5)
    assert errors and isinstance(errors[0], dict), errors
    assert (errors[0].get("data") or {}).get("code") == "unknown_participant", errors
