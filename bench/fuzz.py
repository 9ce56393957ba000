"""Fuzz every socket event and every HTTP form/JSON endpoint with hypothesis-generated payloads.

    .venv/bin/python bench/fuzz.py                 # >= 10 000 cases (default 12 000), ~5 minutes
    .venv/bin/python bench/fuzz.py --cases 2000    # a quicker look
    .venv/bin/python bench/fuzz.py --only "console draft" --cases 3000

For each case the stored data is fingerprinted (row counts and a hash of every row) before and
after. A case fails when the server errs (socket ack code "server", HTTP 500, an exception), when
a refusal is no clear error (no code/message), when a refused input changed stored data, when
an ack or a message sent to clients is not strict JSON (NaN/Infinity break the browser's
JSON.parse), or when, after an accepted input, a snapshot, the broadcast or a facilitator page
breaks. Prints cases and accepted cases per endpoint, then every distinct finding (known ones —
already reported with an xfail test in tests/fuzz/ — counted apart), and exits 1 on a new one.

The machinery (world, strategies, checks) is tests/fuzz/fuzzlib.py, shared with the suite's
smaller sample (tests/fuzz/test_fuzz_*.py).
"""

from __future__ import annotations

import argparse
import importlib.util
import logging
import os
import sys
import tempfile
import time
import warnings
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def load_fuzzlib():
    name = "nyttoverkstad_fuzzlib"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "tests" / "fuzz" / "fuzzlib.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


# How the cases are shared out: weight per endpoint (socket events first, then HTTP).
WEIGHTS = {
    "phone submit": 30,
    "phone snapshot": 2,
    "phone unknown event": 3,
    "phone connect": 2,
    "console goto": 2,
    "console step": 2,
    "console set": 3,
    "console timer_start": 2,
    "console timer_stop": 1,
    "console reset": 1,
    "console moderate": 3,
    "console configure": 5,
    "console draft": 22,
    "console draft_snapshot": 1,
    "console snapshot": 1,
    "console unknown event": 2,
    "console connect": 2,
    "screen snapshot": 1,
    "screen unknown event": 2,
    "screen connect": 2,
    "POST /api/join json": 6,
    "POST /api/join raw": 2,
    "POST /login": 1,
    "POST /setup": 1,
    "POST /f/new": 3,
    "POST /f/w/<id> settings": 3,
    "POST /f/w/<id>/activities": 2,
    "POST /f/w/<id>/a/<a> edit": 6,
    "POST /f/w/<id>/a/<a>/move": 1,
    "POST /f/w/<id>/a/<a>/delete": 1,
    "POST /f/import": 5,
    "POST /f/w/<id>/duplicate|archive|reopen": 1,
    "GET downloads and pages": 4,
    "GET participant pages": 2,
}
# Slow endpoints (password hashing) get fewer cases whatever their weight says.
CAP = {"POST /login": 150, "POST /setup": 150}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", type=int, default=12_000, help="total cases (default 12000)")
    ap.add_argument("--only", default="", help="run only endpoints whose name contains this")
    ap.add_argument("--probe-every", type=int, default=15, help="probe views after every N accepted cases")
    ap.add_argument("--rebuild-every", type=int, default=1500, help="fresh world after this many cases")
    ap.add_argument("--seed", type=int, default=None, help="hypothesis seed (default: random)")
    ap.add_argument("--examples", type=int, default=3, help="show this many examples per finding")
    args = ap.parse_args()

    logging.getLogger().setLevel(logging.CRITICAL)  # what matters is captured per case (fuzzlib.World)
    warnings.simplefilter("ignore")
    from hypothesis import HealthCheck, Phase, given, seed, settings

    fl = load_fuzzlib()
    tmp = Path(tempfile.mkdtemp(prefix="nyttoverkstad-fuzz-"))
    migrated = fl.migrated_copy(tmp / "template")
    names = [n for n in fl.SOCKET_ENDPOINTS + fl.HTTP_ENDPOINTS if args.only in n]
    total_weight = sum(WEIGHTS[n] for n in names)
    budget = {n: max(20, min(CAP.get(n, 10**9), round(args.cases * WEIGHTS[n] / total_weight))) for n in names}
    shortfall = args.cases - sum(budget.values())
    if shortfall > 0:  # caps left cases over: give them to the biggest endpoints
        for n in sorted(names, key=lambda n: -WEIGHTS[n])[:4]:
            budget[n] += shortfall // 4 + 1

    started = time.monotonic()
    all_counts: dict[str, int] = defaultdict(int)
    all_accepted: dict[str, int] = defaultdict(int)
    problems = []
    world_no = 0
    world = checker = None
    since_build = 10**9
    print(f"fuzzing {len(names)} endpoints, {sum(budget.values())} cases planned", flush=True)
    for name in names:
        n_done = 0
        while n_done < budget[name]:
            if since_build >= args.rebuild_every or world is None:
                world_no += 1
                setup = fl.SetupWorld(fl.make_app(tmp / f"setup-{world_no}", migrated))
                world = fl.World(fl.make_app(tmp / f"world-{world_no}", migrated), setup)
                checker = fl.Checker(world, probe_every=args.probe_every)
                since_build = 0
            chunk = min(budget[name] - n_done, args.rebuild_every - since_build, 500)
            strategy, run = (
                fl.socket_endpoint(world, name) if name in fl.SOCKET_ENDPOINTS else fl.http_endpoint(world, name)
            )
            before = sum(checker.counts.values())

            @settings(
                max_examples=chunk,
                deadline=None,
                database=None,
                phases=[Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @given(strategy)
            def case(value):
                world.heal()
                run(checker, value)

            if args.seed is not None:
                case = seed(args.seed + world_no * 1000 + names.index(name))(case)
            t0 = time.monotonic()
            case()
            done = sum(checker.counts.values()) - before
            n_done += max(done, 1)
            since_build += max(done, 1)
            if done == 0:
                break
            print(f"  {name:42s} +{done:5d} cases in {time.monotonic() - t0:6.1f} s", flush=True)
            for k, v in checker.counts.items():
                all_counts[k] += v
            for k, v in checker.accepted.items():
                all_accepted[k] += v
            problems.extend(checker.problems)
            checker.counts, checker.accepted, checker.problems = {}, {}, []
    elapsed = time.monotonic() - started

    print()
    print("cases per endpoint (accepted = the app took the input):")
    for k in sorted(all_counts):
        print(f"  {k:46s} {all_counts[k]:6d} cases {all_accepted.get(k, 0):6d} accepted")
    total = sum(all_counts.values())
    print(f"TOTAL {total} cases in {elapsed:.0f} s ({total / elapsed:.0f} cases/s), {world_no} worlds")

    groups: dict[tuple, list] = defaultdict(list)
    for p in problems:
        groups[(p.known_as() or "NEW", p.endpoint.split(" (")[0], p.what, _signature(p.detail))].append(p)
    new = {k: v for k, v in groups.items() if k[0] == "NEW"}
    print(
        f"\nfindings: {len(problems)} failing cases in {len(groups)} groups; "
        f"{sum(len(v) for v in new.values())} cases in {len(new)} NEW groups"
    )
    for (label, endpoint, what, sig), items in sorted(groups.items(), key=lambda kv: (kv[0][0] != "NEW", kv[0])):
        print(f"\n== {label} · {endpoint} · {what} · {len(items)} cases\n   {sig}")
        for p in items[: args.examples]:
            print("   " + p.short().replace("\n", "\n   "))
    return 1 if new else 0


def _signature(detail: str) -> str:
    """The part of a problem's detail that tells one bug from another (exception line, code)."""
    lines = [ln.strip() for ln in detail.strip().splitlines() if ln.strip()]
    for ln in reversed(lines):
        if "Error" in ln or "Exception" in ln:
            return ln[:200]
    first = lines[0] if lines else detail
    import re

    return re.sub(r"\d+", "N", first)[:160]


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
