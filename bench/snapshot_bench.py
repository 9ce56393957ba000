"""What one phone ``snapshot`` costs, and where the time goes.

Builds a workshop on a fresh SQLite file in a temporary folder: N participants, each with an
answer to a multiple-choice question, three texts to an open question and three words to a
word cloud (results revealed, so phones are sent them; ``--hidden``: not revealed), then
times ``phone_snapshot`` (reading every input, and as the phone socket serves it: from the
broadcaster's copy of at most ``phone_interval`` seconds) and its parts. Prints figures; asserts nothing.

    .venv/bin/python bench/snapshot_bench.py --phones 1000 --repeat 50
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--phones", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=50)
    ap.add_argument("--mode", default="live", choices=["live", "self_paced"])
    ap.add_argument("--hidden", action="store_true", help="results not revealed to phones")
    args = ap.parse_args()

    from workshop import workshops as core
    from workshop.accounts import create_user
    from workshop.app import create_app
    from workshop.config import Settings
    from workshop.extensions import db
    from workshop.models import Activity, Participant, Response, Workshop
    from workshop.realtime import payloads

    folder = Path(tempfile.mkdtemp(prefix="nv-snap-"))
    app = create_app(Settings.from_env(folder, testing=True), async_mode="threading")
    with app.test_request_context():
        user = create_user("bench@example.org", "bench-password-1", "Bench")
        ws = core.create_workshop(user, "Bench", mode=args.mode)
        mc = core.add_activity(
            ws, "multiple_choice", "Fråga", {"options": ["A", "B", "C"], "multiple": False, "max_choices": 1}
        )
        ot = core.add_activity(ws, "open_text", "Öppen", {"max_entries": 3})
        wc = core.add_activity(ws, "word_cloud", "Ord", {"max_entries": 3})
        for act in (mc, ot, wc):
            act.revealed = not args.hidden
        ws.current_activity_id = ot.id
        db.session.commit()
        rows = []
        for i in range(args.phones):
            p = Participant(workshop_id=ws.id, token=secrets.token_urlsafe(24), nickname=f"P{i}")
            db.session.add(p)
            db.session.flush()
            rows.append(Response(activity_id=mc.id, participant_id=p.id, client_id=f"m{i}", data={"choices": [i % 3]}))
            for j in range(3):
                rows.append(
                    Response(
                        activity_id=ot.id,
                        participant_id=p.id,
                        client_id=f"t{i}-{j}",
                        data={"text": f"Ett svar nummer {i} {j} om trygghet"},
                    )
                )
                rows.append(
                    Response(
                        activity_id=wc.id,
                        participant_id=p.id,
                        client_id=f"w{i}-{j}",
                        data={"word": f"ord{(i * 7 + j) % 300}"},
                    )
                )
        db.session.add_all(rows)
        db.session.commit()
        ws_id, pid = ws.id, p.id
        act_ids = ((mc.id, "multiple_choice"), (ot.id, "open_text"), (wc.id, "word_cloud"))

    def timed(fn) -> list[float]:
        out = []
        for _ in range(args.repeat):
            with app.test_request_context():
                ws = db.session.get(Workshop, ws_id)
                p = db.session.get(Participant, pid)
                t = time.perf_counter()
                fn(ws, p)
                out.append((time.perf_counter() - t) * 1000)
                db.session.remove()
        return out

    def show(name: str, ms: list[float]) -> None:
        print(f"{name:<28} median {statistics.median(ms):7.2f} ms   p90 {sorted(ms)[int(len(ms) * 0.9)]:7.2f} ms")

    print(f"{args.phones} phones, mode {args.mode}, {args.repeat} runs each")
    bc = app.extensions["broadcaster"]
    show("phone_snapshot, fresh reads", timed(lambda ws, p: payloads.phone_snapshot(ws, p)))
    show("phone_snapshot, as served", timed(lambda ws, p: payloads.phone_snapshot(ws, p, bc.phone_results)))
    show("  workshop_state", timed(lambda ws, p: payloads.workshop_state(ws, "phone")))
    show("  own_responses", timed(lambda ws, p: payloads.own_responses(p)))
    for aid, name in act_ids:
        show(f"  results_for {name}", timed(lambda ws, p, aid=aid: payloads.results_for(db.session.get(Activity, aid))))


if __name__ == "__main__":
    main()
