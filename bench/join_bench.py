"""What one phone joining costs the server, in process: ``POST /api/join`` and the ``/phone``
socket's connect handler with its snapshot, without the network, the WSGI server or Engine.IO
(``bench/load.py --arrive`` measures those too). Prints CPU milliseconds per phone for each
part, median of ``--rounds``; ``--profile FILE`` writes a cProfile of the whole run. Asserts
nothing.

    .venv/bin/python bench/join_bench.py --phones 500 --rounds 5
"""

from __future__ import annotations

import argparse
import cProfile
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--phones", type=int, default=500, help="phones per round")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--activities", type=int, default=6, help="activities in the workshop (one is current)")
    ap.add_argument("--profile", default="", help="write a cProfile of the joins here")
    args = ap.parse_args()

    from workshop import workshops as core
    from workshop.accounts import create_user
    from workshop.app import create_app
    from workshop.config import Settings
    from workshop.extensions import db, socketio

    # The limiter stays on the path (as in production) but never refuses.
    for name in ("JOIN", "JOIN_NEW", "PHONE_CONNECT"):
        os.environ[f"RATE_LIMIT_{name}"] = "1000000/minute"
    folder = Path(tempfile.mkdtemp(prefix="nv-join-"))
    settings = Settings.from_env(folder, testing=True)
    app = create_app(settings, async_mode="threading")
    with app.test_request_context():
        user = create_user("bench@example.org", "bench-password-1", "Bench")
        ws = core.create_workshop(user, "Bench")
        acts = [
            core.add_activity(ws, "multiple_choice", f"Fråga {i}", {"options": ["A", "B", "C", "D"]})
            for i in range(args.activities)
        ]
        ws.current_activity_id = acts[0].id
        db.session.commit()
        code = ws.join_code

    http = app.test_client()
    join_ms: list[float] = []
    connect_ms: list[float] = []
    prof = cProfile.Profile() if args.profile else None
    for _ in range(args.rounds):
        tokens = []
        if prof:
            prof.enable()
        t = time.process_time()
        for i in range(args.phones):
            r = http.post(
                "/api/join", json={"code": code, "nickname": f"P{i}"}, environ_base={"REMOTE_ADDR": "10.0.0.1"}
            )
            tokens.append(r.get_json()["token"])
        join_ms.append((time.process_time() - t) * 1000 / args.phones)
        clients = []
        t = time.process_time()
        for tok in tokens:
            c = socketio.test_client(app, namespace="/phone", auth={"token": tok})
            clients.append(c)
        connect_ms.append((time.process_time() - t) * 1000 / args.phones)
        if prof:
            prof.disable()
        assert all(c.is_connected("/phone") for c in clients), "a phone was refused"
        got = clients[-1].get_received("/phone")
        assert any(m["name"] == "snapshot" for m in got), "no snapshot"
        for c in clients:
            c.disconnect("/phone")
    print(
        f"join: phones={args.phones}×{args.rounds} activities={args.activities} "
        f"api_join_cpu_ms={statistics.median(join_ms):.3f} connect_cpu_ms={statistics.median(connect_ms):.3f} "
        f"total={statistics.median(join_ms) + statistics.median(connect_ms):.3f}"
    )
    if prof:
        prof.dump_stats(args.profile)
        print(f"profile: {args.profile}")


if __name__ == "__main__":
    main()
