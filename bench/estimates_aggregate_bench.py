"""What the step-7 (Samla data) aggregation costs with many figures, and what three-point rows add.

Builds a workshop on a fresh SQLite file in a temporary folder: one money-valued item with
``--rows`` questions spread over blocks of 50, ``--people`` phones each answering every question
in round 1 and round 2. Times, in round 2 (the heaviest: two rounds per row):

* ``aggregate_for`` alone (the kind's statistics: spreads, ranges, narrowing, proposal), on rows
  already read, with every row asking one figure and with every row asking three;
* ``results_for`` (one read of the stored inputs + the draft snapshot + aggregate + phone content:
  what one recompute of the broadcaster costs), both ways.

Prints figures; asserts nothing.

    .venv/bin/python bench/estimates_aggregate_bench.py --people 50 --rows 300 --repeat 5
"""

from __future__ import annotations

import argparse
import random
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def timed(fn, repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), min(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--people", type=int, default=50)
    ap.add_argument("--rows", type=int, default=300)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()

    from workshop import workshops as core
    from workshop.accounts import create_user
    from workshop.activities import get_kind
    from workshop.app import create_app
    from workshop.config import Settings
    from workshop.draft.ops import apply
    from workshop.draft.snapshot import draft_snapshot
    from workshop.extensions import db
    from workshop.models import Activity, Participant, Response
    from workshop.realtime.payloads import results_for
    from workshop.responses import load_rows

    kind = get_kind("estimates")
    folder = Path(tempfile.mkdtemp(prefix="nv-est-"))
    app = create_app(Settings.from_env(folder, testing=True), async_mode="threading")
    rnd = random.Random(1)
    with app.test_request_context():
        user = create_user("bench@example.org", "bench-password-1", "Bench")
        ws = core.create_workshop(user, "Bench", mode="live")
        act = core.add_activity(ws, "estimates", "Samla data")
        row_ids: list[int] = []
        for b in range(0, args.rows, 50):
            node = apply(
                ws,
                "node.add",
                {
                    "data": {
                        "node_type": "nytta",
                        "title": f"Nytta {b}",
                        "category": "omfordelning",
                        "valuation": "money",
                    }
                },
            )["id"]
            for i in range(b, min(b + 50, args.rows)):
                row_ids.append(
                    apply(ws, "row.add", {"node_id": node, "data": {"name": f"r{i}", "label": f"Fråga {i}?"}})["id"]
                )
        ws.current_activity_id = act.id
        act.revealed = True
        db.session.commit()
        responses = []
        for p_i in range(args.people):
            p = Participant(workshop_id=ws.id, token=secrets.token_urlsafe(24), nickname=f"P{p_i}")
            db.session.add(p)
            db.session.flush()
            for rid in row_ids:
                for rnd_no in (1, 2):
                    likely = rnd.uniform(100, 500)
                    low, high = likely - rnd.uniform(0, 100), likely + rnd.uniform(0, 200)
                    data = {"row": rid, "round": rnd_no, "value": likely, "low": low, "high": high, "accepted": False}
                    data.update({"proposal": None, "source": "", "reason": ""})
                    responses.append(
                        Response(activity_id=act.id, participant_id=p.id, client_id=f"{p_i}-{rid}-{rnd_no}", data=data)
                    )
        db.session.add_all(responses)
        db.session.commit()
        act_id = act.id
        print(f"{args.people} people × {len(row_ids)} rows × 2 rounds = {len(responses)} stored figures")

        modes: list[tuple[str, dict]] = [("one figure per row", {})]
        if "three_point" in kind.Config.model_fields:  # (a version without three-point rows: one mode)
            modes = [("one figure per row", {"three_point": []}), ("three figures per row", {"three_point": row_ids})]
        for label, patch in modes:
            act = db.session.get(Activity, act_id)
            act.config = kind.validate_config({**kind.config(act.config).model_dump(), "round": 2, **patch})
            db.session.commit()
            act = db.session.get(Activity, act_id)
            config = kind.config(act.config)
            rows = load_rows(act)
            draft = draft_snapshot(act.workshop_id)
            agg_med, agg_min = timed(lambda: kind.aggregate_for(act, config, rows, draft), args.repeat)
            res_med, res_min = timed(lambda: results_for(db.session.get(Activity, act_id)), args.repeat)
            print(
                f"{label:24} aggregate_for: median {agg_med * 1000:7.1f} ms (min {agg_min * 1000:7.1f})"
                f" · results_for: median {res_med * 1000:7.1f} ms (min {res_min * 1000:7.1f})"
            )


if __name__ == "__main__":
    main()
