"""Bench the results read with the votes split by the voter's perspective, against without.

Not a test: one multiple choice (12 options) answered by ``--phones`` phones spread over
``--perspectives`` perspectives and no perspective, then ``results_for`` (the broadcaster's
read, a few times a second per busy activity) timed ``--repeat`` times with the split off and
on; prints the median and p95 in milliseconds and how many rows the tally read returns. The
split adds a grouping column to the same single query, never a query per vote. Run with
``.venv/bin/python bench/split_bench.py``.
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--phones", type=int, default=2000)
    ap.add_argument("--perspectives", type=int, default=6)
    ap.add_argument("--repeat", type=int, default=50)
    args = ap.parse_args()

    from sqlalchemy import event

    from workshop import workshops as core
    from workshop.accounts import create_user
    from workshop.app import create_app
    from workshop.config import Settings
    from workshop.extensions import db
    from workshop.models import Activity, Participant, Response
    from workshop.realtime.payloads import results_for
    from workshop.responses import load_tally

    folder = Path(tempfile.mkdtemp(prefix="nv-split-"))
    app = create_app(Settings.from_env(folder, testing=True), async_mode="threading")
    names = [f"Perspektiv {i + 1}" for i in range(args.perspectives)]
    with app.test_request_context():
        user = create_user("bench@example.org", "bench-password-1", "Bench")
        ws = core.create_workshop(user, "Bench", ask_perspective=True, perspectives=names)
        options = [f"Alternativ {i + 1}" for i in range(12)]
        act = core.add_activity(ws, "multiple_choice", "Fråga", {"options": options, "multiple": False})
        rows = []
        for i in range(args.phones):
            perspective = names[i % (args.perspectives + 1)] if i % (args.perspectives + 1) < args.perspectives else ""
            p = Participant(workshop_id=ws.id, token=secrets.token_urlsafe(24), perspective=perspective)
            db.session.add(p)
            db.session.flush()
            rows.append(
                Response(activity_id=act.id, participant_id=p.id, client_id=f"m{i}", data={"choices": [i % 12]})
            )
        db.session.add_all(rows)
        db.session.commit()
        act_id = act.id

    statements = [0]

    def count(*_a, **_k):
        statements[0] += 1

    def run(split: bool) -> tuple[list[float], int, int]:
        times = []
        with app.test_request_context():
            act = db.session.get(Activity, act_id)
            act.split_voters = split
            db.session.commit()
            groups = len(load_tally(act, by_perspective=split))
        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", count)
        statements[0] = 0
        for _ in range(args.repeat):
            with app.test_request_context():
                act = db.session.get(Activity, act_id)
                t = time.perf_counter()
                res = results_for(act)
                times.append(1000 * (time.perf_counter() - t))
                assert ("split" in res["console"]) == split
        event.remove(engine, "before_cursor_execute", count)
        return times, groups, statements[0] // args.repeat

    for split in (False, True):
        times, groups, per_read = run(split)
        q = statistics.quantiles(times, n=20)
        print(
            f"split {'on ' if split else 'off'}: {args.phones} phones, {args.perspectives} perspectives + none: "
            f"results_for median {statistics.median(times):.2f} ms, p95 {q[18]:.2f} ms, "
            f"tally rows {groups}, statements per read {per_read}"
        )


if __name__ == "__main__":
    main()
