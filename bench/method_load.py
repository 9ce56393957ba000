#!/usr/bin/env python
"""A method workshop under load: figures for the live room, not a test.

``workshop serve`` (embedded SQLite, one process, its event-loop probe on) holds a live
workshop on the 300-item analysis of bench/export_bench.py (100 blocks of 6 rows), with the
presenter screen and the facilitator's console open over websockets, and N phones (300) on
the raw client of bench/rawsio.py. Three phases, each open loop (an input leaves at its due
time whatever happened to earlier ones):

1. step 2, brainstorm: every phone sends ``--effects`` effects (2), spread over
   ``--brainstorm`` seconds (20); each becomes an effect in the draft analysis;
2. step 2, dots: the console opens dot voting; every phone places ``--dots`` dots (3) on
   effects of the room, over ``--dotting`` seconds (10);
3. step 7: the console moves the room to the estimates activity (every row of the analysis
   asked); every phone gives ``--rows`` estimates (50) on rows of its own, over
   ``--estimating`` seconds (30): 15 000 figures with 300 phones.

Per phase: inputs acknowledged / planned, refused, lost (acknowledged but not in the store:
checked by client_id in the SQLite file), ack p50/p95/p99, presenter lag (last ack → the
presenter shows the complete count: effects, dots, figures), the longest event-loop pause
(the server's probe: a 10 ms sleep loop reporting every wake-up over 20 ms late), server CPU
and the generator's own CPU and send lag.

    .venv/bin/python bench/method_load.py
    .venv/bin/python bench/method_load.py --phones 300 --rows 50 --estimating 30
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from load import (  # noqa: E402  (bench scripts run from the checkout, not installed)
    BENCH_EMAIL,
    BENCH_PASSWORD,
    Profile,
    Server,
    cpu_seconds,
    host_cpu,
    max_pause_ms,
    pct,
    r1,
    raise_nofile,
    serve_embedded,
)
from rawsio import RawSocketIO  # noqa: E402


def build_workshop(data_dir: Path) -> dict[str, Any]:
    """The live workshop, made in this process on the server's own SQLite file (the server has
    migrated it): the 300-item analysis, an effects activity (dot voting as a phase of its own,
    3 dots) made current, and an estimates activity asking every row. Results shown."""
    from export_bench import build

    from workshop.app import create_app
    from workshop.config import Settings
    from workshop.draft.service import analysis_for
    from workshop.extensions import db
    from workshop.models import User
    from workshop.workshops import add_activity, create_workshop

    settings = Settings.from_env(data_dir)
    if not settings.database_url.endswith(str(data_dir / "nyttoverkstad.sqlite3")):
        raise RuntimeError("unset DATABASE_URL: this bench runs the embedded default")
    app = create_app(settings, async_mode="threading")
    with app.test_request_context():
        user = db.session.query(User).filter_by(email=BENCH_EMAIL).one()
        ws = create_workshop(user, "Metodworkshop under last", language="sv", mode="live")
        build(ws)
        db.session.commit()
        analysis = analysis_for(ws, create=False)
        row_ids = [r.id for n in analysis.nodes if n.block for r in n.block.rows]
        eff = add_activity(ws, "effects", config={"dot_votes": 3, "dots_phase": True, "ask_cause": False})
        est = add_activity(ws, "estimates", config={"rows": row_ids})
        for act in (eff, est):
            act.revealed = True
        ws.current_activity_id = eff.id
        ws.status = "open"
        db.session.commit()
        return {
            "ws": ws.id,
            "code": ws.join_code,
            "key": ws.presenter_key,
            "effects": eff.id,
            "estimates": est.id,
            "rows": row_ids,
            "analysis": analysis.id,
        }


def login_cookie(url: str) -> str:
    """The facilitator's session cookie, through the login form."""
    import re

    import requests

    s = requests.Session()
    html = s.get(url + "/login", timeout=30).text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    r = s.post(url + "/login", data={"csrf_token": csrf, "email": BENCH_EMAIL, "password": BENCH_PASSWORD}, timeout=30)
    if not r.url.rstrip("/").endswith("/f"):
        raise RuntimeError(f"login failed (ended on {r.url})")
    return "; ".join(f"{c.name}={c.value}" for c in s.cookies)


def effect_nodes(db: Path, analysis_id: int) -> list[int]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        rows = conn.execute(
            "SELECT id FROM analysis_nodes WHERE analysis_id = ? AND node_type = 'effekt'", (analysis_id,)
        ).fetchall()
    finally:
        conn.close()
    return [r[0] for r in rows]


def stored_client_ids(db: Path, activity_id: int) -> set[str]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        return {r[0] for r in conn.execute("SELECT client_id FROM responses WHERE activity_id = ?", (activity_id,))}
    finally:
        conn.close()


class Screen:
    """The presenter (or the console): records each results event of an activity with its time."""

    def __init__(self, url: str, namespace: str):
        self.sio = RawSocketIO(url, namespace)
        self.seen: list[tuple[float, int, dict]] = []  # (monotonic time, activity id, aggregate)
        self.sio.on("results", self._on_results)

    def _on_results(self, data: Any) -> None:
        if isinstance(data, dict) and isinstance(data.get("aggregate"), dict):
            self.seen.append((time.monotonic(), data.get("activity_id"), data["aggregate"]))

    def shown_at(self, activity_id: int, count, expected: int, after: float) -> float | None:
        for t, aid, agg in self.seen:
            if aid == activity_id and t >= after and count(agg) == expected:
                return t
        return None


def effects_total(agg: dict) -> int:
    return int(agg.get("total") or 0)


def dots_total(agg: dict) -> int:
    return int(agg.get("dots") or 0)


def figures_total(agg: dict) -> int:
    return sum((r.get("spread") or {}).get("n", 0) for r in agg.get("rows") or [])


class Phone:
    def __init__(self, g: int):
        self.g = g
        self.sio: RawSocketIO | None = None
        self.token = ""


async def run(args, url: str, server: Server, w: dict[str, Any], db: Path) -> list[dict[str, Any]]:
    import aiohttp

    rng = random.Random(args.seed)
    screen = Screen(url, "/screen")
    await screen.sio.connect({"workshop_id": w["ws"], "key": w["key"]})
    console = Screen(url, "/console")
    await console.sio.connect({"workshop_id": w["ws"]}, headers={"Cookie": login_cookie(url)})

    phones = [Phone(g) for g in range(args.phones)]
    sem = asyncio.Semaphore(50)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as http:

        async def join(p: Phone) -> None:
            async with sem:
                async with http.post(url + "/api/join", json={"code": w["code"], "nickname": f"P{p.g}"}) as r:
                    data = await r.json(content_type=None)
                p.token = data["token"]
                p.sio = RawSocketIO(url, "/phone")
                await p.sio.connect({"token": p.token})

        t = time.monotonic()
        await asyncio.gather(*(join(p) for p in phones))
        print(f"{len(phones)} phones joined and connected in {time.monotonic() - t:.1f} s", flush=True)

    async def phase(
        name: str, activity_id: int, plan: list[tuple[Phone, dict]], seconds: float, count, before: int = 0
    ) -> dict:
        """Send every (phone, payload) of ``plan`` at its due time over ``seconds``; measure.
        ``count(aggregate)`` is what the presenter shows: ``before`` + what was acknowledged."""
        rng.shuffle(plan)
        n = len(plan)
        acks: list[float] = []
        late: list[float] = []
        acked: set[str] = set()
        refused: list[dict] = []
        last_ack = 0.0
        cpu0, (busy0, _) = cpu_seconds([server.proc.pid]), host_cpu()
        client0 = resource.getrusage(resource.RUSAGE_SELF)
        spies = Profile.start(args, SimpleNamespace(name="ours", pids=[server.proc.pid]), name)
        t0 = time.monotonic() + 0.5

        async def send(k: int, p: Phone, payload: dict) -> None:
            nonlocal last_ack
            due = t0 + k * seconds / max(1, n)
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            sent = time.monotonic()
            late.append((sent - due) * 1000)
            cid = f"{name}-{p.g}-{k}"
            try:
                ack = await p.sio.call(
                    "submit",
                    {"activity_id": activity_id, "client_id": cid, "payload": payload},
                    timeout=args.ack_timeout,
                )
            except Exception as exc:  # time-out or a dropped socket: counted as lost below
                refused.append({"error": {"code": type(exc).__name__}})
                return
            got = time.monotonic()
            if isinstance(ack, dict) and ack.get("ok"):
                acks.append((got - sent) * 1000)
                acked.add(cid)
                last_ack = max(last_ack, got)
            else:
                refused.append(ack if isinstance(ack, dict) else {"error": {"code": repr(ack)}})

        await asyncio.gather(*(send(k, p, payload) for k, (p, payload) in enumerate(plan)))
        end = time.monotonic()
        Profile.stop(spies)
        cpu1, (busy1, _) = cpu_seconds([server.proc.pid]), host_cpu()
        client1 = resource.getrusage(resource.RUSAGE_SELF)
        # The presenter's complete count, waited for up to --settle seconds.
        expected = before + len(acked)
        deadline = time.monotonic() + args.settle
        shown = None
        while time.monotonic() < deadline:
            shown = screen.shown_at(activity_id, count, expected, last_ack - 5)
            if shown is not None:
                break
            await asyncio.sleep(0.05)
        stored = stored_client_ids(db, activity_id)
        wall = end - t0
        server_cpu = (cpu1 - cpu0) if cpu0 is not None and cpu1 is not None else None
        client_cpu = (client1.ru_utime + client1.ru_stime) - (client0.ru_utime + client0.ru_stime)
        other = ((busy1 - busy0) - (server_cpu or 0) - client_cpu) / wall if wall > 0 else None
        codes: dict[str, int] = {}
        for r in refused:
            c = (r.get("error") or {}).get("code", "?")
            codes[c] = codes.get(c, 0) + 1
        return {
            "phase": name,
            "planned": n,
            "acked": len(acked),
            "refused": codes,
            "lost": len(acked - stored),
            "ack_ms": {q: r1(pct(acks, v)) for q, v in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99))},
            "per_s": r1(len(acked) / wall) if wall > 0 else None,
            "presenter_lag_ms": r1((shown - last_ack) * 1000) if shown is not None and last_ack else None,
            "presenter_expected": expected,
            "loop_pause_max_ms": r1(max_pause_ms([server.probe_path], t0, shown or end)),
            "server_cpu": r1(100 * server_cpu / wall) if server_cpu is not None and wall > 0 else None,
            "cpu_ms_per_input": r1(1000 * server_cpu / len(acked), 2) if server_cpu and acked else None,
            "client_cpu": r1(100 * client_cpu / wall) if wall > 0 else None,
            "send_late_p99_ms": r1(pct(late, 0.99)),
            "other_cores": r1(other, 2),
        }

    results = []

    # 1. Brainstorm.
    plan = [
        (p, {"text": f"Effekt {p.g}.{k}: färre resor för personalen", "polarity": rng.choice(["positive", "negative"])})
        for p in phones
        for k in range(args.effects)
    ]
    before = len(effect_nodes(db, w["analysis"]))  # the analysis' own 100 effects
    results.append(await phase("effects", w["effects"], plan, args.brainstorm, effects_total, before))

    # 2. Dots, opened by the console.
    ack = await console.sio.call("configure", {"activity_id": w["effects"], "config": {"dots_open": True}})
    if not (isinstance(ack, dict) and ack.get("ok")):
        raise RuntimeError(f"the console could not open dot voting: {ack}")
    nodes = effect_nodes(db, w["analysis"])
    plan = [(p, {"action": "dot", "node": nid, "on": True}) for p in phones for nid in rng.sample(nodes, args.dots)]
    results.append(await phase("dots", w["effects"], plan, args.dotting, dots_total))

    # 3. Estimates, the room moved on by the console.
    ack = await console.sio.call("goto", {"activity_id": w["estimates"]})
    if not (isinstance(ack, dict) and ack.get("ok")):
        raise RuntimeError(f"the console could not move on: {ack}")
    await asyncio.sleep(1.0)
    plan = []
    for p in phones:
        for rid in rng.sample(w["rows"], min(args.rows, len(w["rows"]))):
            plan.append((p, {"row": rid, "accept": False, "value": rng.randint(50, 500)}))
    results.append(await phase("estimates", w["estimates"], plan, args.estimating, figures_total))

    for p in phones:
        await p.sio.disconnect()
    await screen.sio.disconnect()
    await console.sio.disconnect()
    return results


def line(f: dict[str, Any]) -> str:
    a = f["ack_ms"]
    refused = ",".join(f"{k}={v}" for k, v in f["refused"].items()) or "0"
    return (
        f"{f['phase']}: acked={f['acked']}/{f['planned']} refused={refused} lost={f['lost']} "
        f"ack_ms p50={a['p50']} p95={a['p95']} p99={a['p99']} inputs/s={f['per_s']} "
        f"presenter_lag_ms={f['presenter_lag_ms'] if f['presenter_lag_ms'] is not None else 'n/a'} "
        f"loop_pause_max_ms={f['loop_pause_max_ms']} | server_cpu={f['server_cpu']}% "
        f"cpu_ms/input={f['cpu_ms_per_input']} client_cpu={f['client_cpu']}% "
        f"send_late_p99_ms={f['send_late_p99_ms']} other_cores={f['other_cores']}"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--phones", type=int, default=300)
    ap.add_argument("--effects", type=int, default=2, help="effects per phone")
    ap.add_argument("--brainstorm", type=float, default=20.0)
    ap.add_argument("--dots", type=int, default=3, help="dots per phone (the activity allows 3)")
    ap.add_argument("--dotting", type=float, default=10.0)
    ap.add_argument("--rows", type=int, default=50, help="estimates per phone")
    ap.add_argument("--estimating", type=float, default=30.0)
    ap.add_argument("--ack-timeout", type=float, default=30.0)
    ap.add_argument("--settle", type=float, default=15.0, help="seconds to wait for the presenter")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument(
        "--profile", metavar="DIR", help="py-spy records the server in each phase: DIR/ours-<phase>-<pid>.txt"
    )
    ap.add_argument("--profile-rate", type=int, default=200, help="py-spy samples per second")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--keep", action="store_true", help="keep the data folder and the server log")
    args = ap.parse_args(argv)
    if not 1 <= args.phones <= 2000 or not 1 <= args.dots <= 3:
        ap.error("--phones 1..2000, --dots 1..3")
    raise_nofile(65536)

    tmp = Path(tempfile.mkdtemp(prefix="method-load-"))
    server, data = serve_embedded(tmp)
    url = server.url
    try:
        w = build_workshop(data)
        print(
            f"workshop {w['ws']}: the 300-item analysis ({len(w['rows'])} rows), effects and estimates; "
            f"{args.phones} phones",
            flush=True,
        )
        results = asyncio.run(run(args, url, server, w, data / "nyttoverkstad.sqlite3"))
    finally:
        server.stop()
        if args.keep:
            print(f"kept {tmp}")
        else:
            import shutil

            shutil.rmtree(tmp, ignore_errors=True)
    for f in results:
        print(line(f))
    if args.json:
        print(json.dumps(results, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
