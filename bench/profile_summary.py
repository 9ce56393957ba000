#!/usr/bin/env python
"""Where a server's CPU goes: reads py-spy's collapsed stacks (``bench/load.py --profile DIR``
or ``py-spy record --format raw``) and prints each part's share of the samples, twice:

- **leaf**: each sample goes to the part of the deepest frame that belongs to one (a JSON
  encode called by Engine.IO counts as JSON, an SQLite step called by the writer as database);
- **inclusive**: the share of samples whose stack passes through each area at all (the input
  writer, the broadcaster, a socket event handler, a connect handler, HTTP joins, …).

With ``--ms-per-unit X`` (the run's ``cpu_ms/vote``, or CPU ms per join) shares are also given
in milliseconds per unit. Usage::

    .venv/bin/python bench/profile_summary.py /work/shots/x/ours-votes-123.txt --ms-per-unit 0.8
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

# (part, pattern on one frame "function (path:line)"); first match from the leaf upwards wins.
LEAF_PARTS: list[tuple[str, str]] = [
    ("garbage collection", r"^<gc>|gc_policy|\(gc\)|collect \("),
    ("JSON encode/decode", r"json[/.]|orjson|encoder\.py|decoder\.py|jsonify"),
    ("database (SQLAlchemy/SQLite/psycopg)", r"sqlalchemy/|sqlite3|psycopg|_sqlite"),
    ("rate limiter", r"workshop/ratelimit\.py|/limits/|redis/"),
    ("validation and kinds", r"workshop/validation/|workshop/activities/|workshop/inputs/rules\.py"),
    ("templates, translations", r"jinja2/|babel/|flask_babel/|gettext"),
    ("logging", r"logging/"),
    ("Socket.IO/Engine.IO packets", r"socketio/|engineio/"),
    ("Flask/Werkzeug request", r"flask/|werkzeug/|flask_login/|flask_wtf/|flask_compress/"),
    ("websocket framing and I/O", r"simple_websocket|wsproto|geventwebsocket|websocket"),
    ("gevent hub, sockets, WSGI server", r"gevent/|socket\.py|ssl\.py|selectors"),
    ("product code (other)", r"workshop/|participant/|facilitator/"),
]

AREAS: list[tuple[str, str]] = [
    ("input writer (batch + commit)", r"workshop/inputs/writer\.py"),
    ("broadcaster round", r"workshop/realtime/broadcaster\.py"),
    ("phone submit handler", r"on_submit \("),
    ("phone connect handler", r"on_connect \(.*participant/sockets"),
    ("phone snapshot build", r"phone_snapshot \("),
    ("HTTP /api/join", r"participant/views\.py"),
    ("rate limiter", r"workshop/ratelimit\.py"),
    ("JSON", r"json[/.]|orjson"),
    ("garbage collection", r"gc_policy|<gc>"),
]


def read_stacks(paths: list[Path]) -> Counter[tuple[str, ...]]:
    stacks: Counter[tuple[str, ...]] = Counter()
    for path in paths:
        for raw in path.read_text(errors="replace").splitlines():
            head, _, count = raw.rpartition(" ")
            if not head or not count.isdigit():
                continue
            stacks[tuple(head.split(";"))] += int(count)
    return stacks


def summarise(stacks: Counter[tuple[str, ...]]) -> tuple[int, Counter[str], Counter[str]]:
    leaf: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    leaf_res = [(name, re.compile(p)) for name, p in LEAF_PARTS]
    area_res = [(name, re.compile(p)) for name, p in AREAS]
    total = 0
    for frames, n in stacks.items():
        total += n
        part = "other (interpreter, stdlib)"
        for frame in reversed(frames):
            hit = next((name for name, rx in leaf_res if rx.search(frame)), None)
            if hit:
                part = hit
                break
        leaf[part] += n
        for name, rx in area_res:
            if any(rx.search(f) for f in frames):
                inclusive[name] += n
    return total, leaf, inclusive


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="+", type=Path)
    ap.add_argument("--ms-per-unit", type=float, help="CPU ms per vote (or per join) of the profiled run")
    ap.add_argument("--top", type=int, default=15, help="also list the heaviest leaf functions")
    args = ap.parse_args(argv)
    stacks = read_stacks(args.files)
    total, leaf, inclusive = summarise(stacks)
    if not total:
        print("no samples", file=sys.stderr)
        return 1

    def row(name: str, n: int) -> str:
        ms = f" {n / total * args.ms_per_unit:6.3f} ms" if args.ms_per_unit else ""
        return f"  {n / total * 100:5.1f} %{ms}  {name}"

    print(f"{total} samples")
    print("leaf (deepest part that names itself):")
    for name, n in leaf.most_common():
        print(row(name, n))
    print("inclusive (stack passes through):")
    for name, n in inclusive.most_common():
        print(row(name, n))
    if args.top:
        funcs: Counter[str] = Counter()
        for frames, n in stacks.items():
            funcs[re.sub(r":\d+\)$", ")", frames[-1])] += n
        print(f"top {args.top} leaf functions:")
        for name, n in funcs.most_common(args.top):
            print(row(name, n))
    return 0


if __name__ == "__main__":
    sys.exit(main())
