"""Bench the exports: a 300-item analysis to every format, with time, peak memory and size.

The analysis: 1 förändring, 100 effekter, 100 benefits and costs valued in money (blocks of 6
rows each, formulas over rows and shared factors), 50 benefits with an estimated size, 30 risks,
obstacles and opportunities, 19 goals, and about 300 links; horizon 15 years.

Not a test: prints one line per format: wall-clock and CPU seconds of one export, Python's
peak memory during a second run of the same export (tracemalloc; it slows the run, so time is
measured without it) and the file size; "max RSS" is the whole process. Run with
``.venv/bin/python bench/export_bench.py``.
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FORMULAS = (
    (
        "antal * (min_A - min_B) / 60 * timkostnad",
        ("antal", "min_A", "min_B", "extra", "pris", "andel"),
        "antal * (min_A - min_B) / 60",
    ),
    (
        "personer * tillfallen * delta / 60 * underskoterska_hemtjanst + round(extra, 0)",
        ("personer", "tillfallen", "delta", "extra", "pris", "andel"),
        "personer * tillfallen * delta / 60",
    ),
    (
        "max(0, pris_A - pris_B) * antal + min(extra, delta) * 12",
        ("pris_A", "pris_B", "antal", "extra", "delta", "andel"),
        None,
    ),
)


def build(ws) -> None:
    from workshop.draft import service

    a = service.analysis_for(ws)
    service.update_frame(
        a,
        {
            "horizon": 15,
            "start_year": 2027,
            "name_of_change": "Bench: 300 poster",
            "perspectives": [
                {"kind": "egen_organisation", "label": "Kommunen"},
                {"kind": "invanare", "label": "Invånare"},
            ],
        },
    )
    service.add_factor(
        a, {"name": "timkostnad", "label": "Timkostnad", "unit": "kr/h", "low": 400, "likely": 453, "high": 500}
    )
    change = service.add_node(a, {"node_type": "forandring", "title": "Den digitala förändringen"})
    effects = [
        service.add_node(
            a,
            {
                "node_type": "effekt",
                "title": f"Effekt nummer {i} som beskriver en skillnad",
                "polarity": "negative" if i % 7 == 0 else "positive",
            },
        )
        for i in range(100)
    ]
    goals = [service.add_node(a, {"node_type": "verksamhetsmal", "title": f"Verksamhetsmål {i}"}) for i in range(19)]
    db_flush()
    for e in effects:
        service.add_link(a, change.id, e.id)
    for i in range(100):
        kind = "nytta" if i < 60 else "konsekvenskostnad" if i < 80 else "genomforandekostnad"
        node = service.add_node(
            a,
            {
                "node_type": kind,
                "title": f"Post {i}: en nytta eller kostnad med en lagom lång rubrik",
                "description": "Genom att vi inför förändringen händer något som leder till att det blir bättre. " * 2,
                "category": "omfordelning" if i % 2 else "finansiell",
                "valuation": "money",
                "perspective": "Kommunen" if i % 3 else "Invånare",
                "year_profile": [1, 0] if kind == "genomforandekostnad" and i % 2 else [0.5, 1],
                "cost_kind": ("one_off" if i % 2 else "running") if kind == "genomforandekostnad" else None,
            },
        )
        formula, names, hours = FORMULAS[i % 3]
        for j, name in enumerate(names):
            v = float(10 + (i * 7 + j * 13) % 90)
            service.add_row(
                a,
                node.id,
                {
                    "name": name,
                    "label": f"Fråga {j + 1} om post {i}?",
                    "unit": "st",
                    "low": v * 0.8,
                    "likely": v,
                    "high": v * 1.25,
                    "source": f"Källa {j}",
                },
            )
        service.set_block(a, node.id, {"formula": formula, "hours_formula": hours if (hours and i % 2) else ""})
        db_flush()
        service.add_link(a, effects[i].id, node.id)
        if i % 2 == 0:
            service.add_link(a, effects[(i + 1) % 100].id, node.id)
        if i < 60 and i % 3 == 0:
            service.add_link(a, node.id, goals[i % 19].id)
    for i in range(50):
        node = service.add_node(
            a,
            {
                "node_type": "nytta",
                "title": f"Kvalitetsnytta {i}",
                "category": "kvalitet",
                "valuation": "size",
                "size_score": i % 4,
                "perspective": "Invånare",
            },
        )
        db_flush()
        service.add_link(a, effects[(i * 3) % 100].id, node.id)
    for i in range(30):
        service.add_node(
            a, {"node_type": ("risk", "hinder", "mojlighet")[i % 3], "title": f"Risk, hinder eller möjlighet {i}"}
        )
    db_flush()


def db_flush() -> None:
    from workshop.extensions import db

    db.session.flush()


def main() -> None:
    from workshop.accounts import create_user
    from workshop.app import create_app
    from workshop.config import Settings
    from workshop.draft.service import analysis_for
    from workshop.exports import render
    from workshop.extensions import db
    from workshop.workshops import create_workshop

    data_dir = Path(tempfile.mkdtemp(prefix="export-bench-"))
    app = create_app(Settings.from_env(data_dir, testing=True), async_mode="threading")
    with app.test_request_context():
        user = create_user("bench@example.se", "bench-password-1", "Bench")
        ws = create_workshop(user, "Bench", language="sv")
        build(ws)
        db.session.commit()
        a = analysis_for(ws, create=False)
        print(
            f"analysis: {len(a.nodes)} nodes, {len(a.links)} links, "
            f"{sum(len(n.block.rows) for n in a.nodes if n.block)} block rows, horizon {a.horizon}"
        )
        render(ws, "pptx")  # warm-up: imports, fonts, caches (not measured)
        print(f"{'format':<6} {'wall s':>7} {'CPU s':>6} {'peak MiB':>9} {'size KiB':>9}")
        for fmt in ("json", "xlsx", "docx", "pptx"):
            cpu = time.process_time()
            started = time.perf_counter()
            data = render(ws, fmt)
            elapsed = time.perf_counter() - started
            cpu = time.process_time() - cpu
            # Peak memory in a second run: tracemalloc slows Python down several times over.
            tracemalloc.start()
            render(ws, fmt)
            _current, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            (data_dir / f"bench.{fmt}").write_bytes(data)
            print(f"{fmt:<6} {elapsed:>7.2f} {cpu:>6.2f} {peak / 2**20:>9.1f} {len(data) / 1024:>9.0f}")
        from workshop.exports import figures

        for name in ("chain", "result", "tornado"):
            for fmt in ("png", "svg"):
                started = time.perf_counter()
                data = figures.figure(a, name, fmt) or b""
                print(f"figure {name}.{fmt}: {time.perf_counter() - started:.2f} s, {len(data) / 1024:.0f} KiB")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"max RSS of the process: {rss:.0f} MiB; files in {data_dir}")


if __name__ == "__main__":
    main()
