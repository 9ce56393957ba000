#!/usr/bin/env python
"""What one results round of an estimates activity (step 7) costs the serving process.

Builds the 300-item analysis of bench/export_bench.py (100 calculation blocks of 6 rows), an
estimates activity asking ``--rows`` of its rows, and ``--people`` participants each with an
estimate for every asked row (stored through the input writer's batch, as phones' are). Then
times, in CPU seconds of this process, what the broadcaster does for that activity each time
a figure comes in: ``results_for`` (the stored inputs read, the spread per row, the console's
list of every figure, the phones' questions) and the JSON of the three payloads, and their
parts. Not a test; prints figures. ``--profile FILE`` writes py-spy-like collapsed stacks
(cProfile) of the round to FILE.

    .venv/bin/python bench/estimates_bench.py --people 50 --rows 300
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def cpu(fn, repeat: int = 3):
    best = None
    out = None
    for _ in range(repeat):
        t = time.process_time()
        out = fn()
        dt = time.process_time() - t
        best = dt if best is None else min(best, dt)
    return best, out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--people", type=int, default=50)
    ap.add_argument("--rows", type=int, default=300)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)

    from export_bench import build

    from workshop.accounts import create_user
    from workshop.app import create_app
    from workshop.config import Settings
    from workshop.draft.service import analysis_for
    from workshop.extensions import db
    from workshop.inputs.batch import Item, write_batch
    from workshop.models import Participant
    from workshop.realtime import fastjson
    from workshop.realtime.payloads import results_for
    from workshop.workshops import add_activity, create_workshop

    data_dir = Path(tempfile.mkdtemp(prefix="estimates-bench-"))
    app = create_app(Settings.from_env(data_dir, testing=True), async_mode="threading")
    with app.test_request_context():
        user = create_user("bench@example.se", "bench-password-1", "Bench")
        ws = create_workshop(user, "Bench", language="sv", mode="self_paced")
        build(ws)
        db.session.commit()
        analysis = analysis_for(ws, create=False)
        row_ids = [r.id for n in analysis.nodes if n.block for r in n.block.rows][: args.rows]
        act = add_activity(ws, "estimates", config={"rows": row_ids})
        ws.status = "open"
        db.session.commit()
        people = []
        for i in range(args.people):
            p = Participant(workshop_id=ws.id, token=f"bench-token-{i:06d}-xxxxxxxxxxxx", nickname=f"P{i}")
            db.session.add(p)
            people.append(p)
        db.session.commit()
        t = time.perf_counter()
        for p in people:
            items = [
                Item(
                    p.id,
                    ws.id,
                    act.id,
                    f"c{p.id}.{rid}",
                    {"row": rid, "accept": False, "value": 100 + (p.id * rid) % 97},
                )
                for rid in row_ids
            ]
            write_batch(db.session, items)
            bad = [i.error for i in items if i.error is not None]
            if bad:
                raise SystemExit(f"refused: {bad[0].as_dict()}")
        db.session.commit()
        print(
            f"{args.people} people × {len(row_ids)} rows = {args.people * len(row_ids)} estimates stored "
            f"in {time.perf_counter() - t:.1f} s"
        )
        act_id = act.id

        def round_():
            db.session.expire_all()
            from workshop.models import Activity

            a = db.session.get(Activity, act_id)
            return results_for(a)

        from workshop import responses

        def first_round():
            responses._kept.clear()  # nothing kept: the first round after a restart
            return round_()

        t_round, res = cpu(first_round, args.repeat)
        t_json, _ = cpu(lambda: [fastjson.dumps(res[k]) for k in ("console", "screen", "phone")], args.repeat)
        sizes = {k: len(fastjson.dumps(res[k])) for k in ("console", "screen", "phone")}
        print(f"results_for: {t_round * 1000:.0f} ms CPU; JSON of the three payloads: {t_json * 1000:.0f} ms")

        # A round as they come in the room: a few figures changed since the last one (each
        # person changes one figure: it supersedes the earlier one).
        best = None
        for n in range(args.repeat):
            round_()
            changed = [
                Item(p.id, ws.id, act_id, f"again{n}.{p.id}", {"row": row_ids[n], "accept": False, "value": 7 + n})
                for p in people
            ]
            write_batch(db.session, changed)
            assert all(i.error is None for i in changed)
            dt, _ = cpu(round_, 1)
            best = dt if best is None else min(best, dt)
        print(
            f"results_for after {len(people)} changed figures (what was read before is kept): "
            f"{(best or 0) * 1000:.0f} ms CPU"
        )
        print("payload sizes: " + ", ".join(f"{k} {v / 1024:.0f} KiB" for k, v in sizes.items()))

        # The longest stretch without giving way, as the broadcaster's round runs it.
        from workshop.models import Activity

        marks: list[float] = []

        def give_way() -> None:
            marks.append(time.perf_counter())

        from workshop import cooperative

        cooperative.give_way = give_way  # every chance the round gives, marked
        db.session.expire_all()
        a = db.session.get(Activity, act_id)
        responses._kept.clear()
        marks.append(time.perf_counter())
        payloads = results_for(a, None)
        marks.append(time.perf_counter())
        for k in ("console", "screen", "phone"):
            fastjson.dumps(payloads[k])
            marks.append(time.perf_counter())
        gaps = [b - a for a, b in zip(marks, marks[1:])]
        print(
            f"longest stretch without giving way: {max(gaps) * 1000:.0f} ms "
            f"({len(gaps)} stretches, {sum(gaps) * 1000:.0f} ms in all, wall clock): "
            + " ".join(f"{g * 1000:.0f}" for g in gaps)
        )

        import cProfile
        import pstats

        prof = cProfile.Profile()
        responses._kept.clear()
        prof.enable()
        round_()
        prof.disable()
        stats = pstats.Stats(prof)
        stats.sort_stats("cumulative").print_stats(25)
    return 0


if __name__ == "__main__":
    sys.exit(main())
