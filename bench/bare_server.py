"""Bare reference server for bench/load.py: the least a Flask-SocketIO server on gevent does
for the same traffic, so our server's figures can be read as ratios to it.

It speaks the same wire protocol as Nyttoverkstad for what the load generator uses
(POST /api/join, GET /healthz, namespaces /phone and /screen, events "snapshot", "submit",
"results", acks {"ok": true, "response_id", "duplicate", "data", "status"}), but keeps
everything in memory: no database, no accounts, no rate limits, no translations. Like ours it
acks a vote at once and sends coalesced results to the presenter screens every
BROADCAST_INTERVAL (0.25 s), so the presenter lag is comparable.

One workshop (id 1) with one multiple-choice activity (id 1) of ``--options`` options.
Loopback only by default. Run: python bench/bare_server.py --port 5099 --options 4
"""

from __future__ import annotations

from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import itertools  # noqa: E402
import os  # noqa: E402
import secrets  # noqa: E402
import sys  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from pathlib import Path  # noqa: E402

from flask import Flask, jsonify, request  # noqa: E402
from flask_socketio import ConnectionRefusedError, SocketIO, join_room  # noqa: E402

WORKSHOP_ID = 1
ACTIVITY_ID = 1
ROOM = f"ws:{WORKSHOP_ID}"
JOIN_CODE = "12345678"
PRESENTER_KEY = "bare"


def build(options: int, interval: float) -> tuple[Flask, SocketIO]:
    app = Flask(__name__)
    sio = SocketIO(
        app,
        async_mode="gevent",
        ping_interval=20,
        ping_timeout=25,
        max_http_buffer_size=64 * 1024,
        logger=False,
        engineio_logger=False,
    )
    labels = [f"Option {i + 1}" for i in range(options)]
    tokens: dict[str, int] = {}  # token -> participant id
    sids: dict[str, int] = {}  # phone sid -> participant id
    seen: dict[tuple[int, str], tuple[int, dict]] = {}  # (participant, client_id) -> (response id, data)
    current: dict[int, list[int]] = {}  # participant -> choices of the current vote
    ids = itertools.count(1)
    dirty = [False]

    def aggregate() -> dict:
        counts = [0] * options
        for choices in current.values():
            for c in choices:
                counts[c] += 1
        return {"options": labels, "counts": counts, "voters": len(current)}

    def results() -> dict:
        return {
            "activity_id": ACTIVITY_ID,
            "generation": 0,
            "responders": len(current),
            "visible": True,
            "aggregate": aggregate(),
        }

    def workshop_state() -> dict:
        act = {
            "id": ACTIVITY_ID,
            "kind": "multiple_choice",
            "title": "Bare",
            "position": 0,
            "config": {"options": labels, "multiple": False, "max_choices": 1},
            "locked": False,
            "results_hidden": False,
            "revealed": False,
            "results_visible": True,
            "timer_seconds": None,
            "timer_ends_at": None,
            "generation": 0,
            "phone_results": "on_reveal",
            "answer_mode": "replace",
        }
        return {
            "id": WORKSHOP_ID,
            "title": "Bare",
            "mode": "live",
            "status": "open",
            "accepts_input": True,
            "current_activity_id": ACTIVITY_ID,
            "activities": [act],
            "server_now": datetime.now(UTC).isoformat(),
        }

    @app.get("/healthz")
    def healthz():
        return {"ok": True}

    @app.post("/api/join")
    def join():
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or body.get("code") != JOIN_CODE:
            return jsonify(ok=False, error={"code": "unknown_code", "message": "No open workshop has that code."}), 404
        token = secrets.token_urlsafe(24)
        pid = len(tokens) + 1
        tokens[token] = pid
        return jsonify(
            ok=True, token=token, participant={"id": pid, "nickname": "", "perspective": ""}, workshop_id=WORKSHOP_ID
        )

    @sio.on("connect", namespace="/phone")
    def phone_connect(auth=None):
        pid = tokens.get(auth.get("token")) if isinstance(auth, dict) else None
        if pid is None:
            raise ConnectionRefusedError("unknown", {"code": "unknown_participant", "message": "unknown"})
        sids[request.sid] = pid
        join_room(ROOM)
        sio.emit(
            "snapshot",
            {
                "role": "phone",
                "workshop": workshop_state(),
                "mine": {},
                "results": {},
                "participant": {"id": pid, "nickname": "", "perspective": ""},
            },
            to=request.sid,
            namespace="/phone",
        )

    @sio.on("disconnect", namespace="/phone")
    def phone_disconnect(*_args):
        sids.pop(request.sid, None)

    @sio.on("submit", namespace="/phone")
    def submit(payload=None):
        pid = sids.get(request.sid)
        if pid is None:
            return {"ok": False, "error": {"code": "forbidden", "message": "Not allowed."}}
        try:
            client_id = payload["client_id"]
            choices = payload["payload"]["choices"]
            assert payload["activity_id"] == ACTIVITY_ID
            assert isinstance(client_id, str) and 1 <= len(client_id) <= 64
            assert (
                isinstance(choices, list)
                and len(choices) == 1
                and all(isinstance(c, int) and 0 <= c < options for c in choices)
            )
        except (AssertionError, KeyError, TypeError):
            return {"ok": False, "error": {"code": "invalid", "message": "Invalid value."}}
        prior = seen.get((pid, client_id))
        if prior is not None:
            return {"ok": True, "response_id": prior[0], "duplicate": True, "data": prior[1], "status": "visible"}
        rid = next(ids)
        data = {"choices": sorted(choices)}
        seen[(pid, client_id)] = (rid, data)
        current[pid] = data["choices"]
        dirty[0] = True
        return {"ok": True, "response_id": rid, "duplicate": False, "data": data, "status": "visible"}

    @sio.on("connect", namespace="/screen")
    def screen_connect(auth=None):
        join_room(ROOM)
        sio.emit(
            "snapshot",
            {
                "role": "screen",
                "workshop": workshop_state(),
                "presence": {"participants": len(tokens)},
                "results": {str(ACTIVITY_ID): results()},
            },
            to=request.sid,
            namespace="/screen",
        )

    @sio.on("snapshot", namespace="/screen")
    def screen_snapshot(*_args):
        return {
            "ok": True,
            "snapshot": {
                "role": "screen",
                "workshop": workshop_state(),
                "presence": {"participants": len(tokens)},
                "results": {str(ACTIVITY_ID): results()},
            },
        }

    def broadcast_loop():
        while True:
            sio.sleep(interval)
            if dirty[0]:
                dirty[0] = False
                sio.emit("results", results(), to=ROOM, namespace="/screen")

    sio.start_background_task(broadcast_loop)
    probe = os.environ.get("WORKSHOP_LOOP_PROBE")
    if probe:  # the same event-loop probe as ``workshop serve`` (workshop/serving.py)
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        from workshop.serving import loop_probe

        sio.start_background_task(loop_probe, probe, sio.sleep)
    return app, sio


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=5099)
    ap.add_argument("--options", type=int, default=4)
    ap.add_argument("--interval", type=float, default=0.25, help="seconds between two results sends")
    args = ap.parse_args(argv)
    app, sio = build(args.options, args.interval)
    print(f"bare server on http://{args.host}:{args.port}/", flush=True)
    sys.stdout.flush()
    sio.run(app, host=args.host, port=args.port, log_output=False)


if __name__ == "__main__":
    main()
