"""Bench importing big JSON documents and opening what they hold, against the event loop's budget.

One server process serves every workshop, so a request whose work grows with its input stalls
everyone else for as long as it runs. This prints, per document, the seconds that one import
(``portable.import_document``) and one opening of the analysis (the console's draft:
``serialize.analysis_dict``, plus the chain diagram's ``layout.chain_layout``) take, in CPU seconds of the process (steady on a shared machine, where wall-clock time is not;
SQLite runs in the process, so its work is counted):

- 1k/2k/4k/8k shared factors (the import used to be quadratic in them);
- a straight chain of 1 100 items and a 21-layer diamond of 42 items (the chain check used to
  recurse once per item and walk every path);
- with ``--caps`` (default on a checkout that has them), the worst documents the caps of
  ``portable.LIMITS`` allow: each collection at its cap, and texts filling the byte cap.

A document over a cap is refused before any work: its line says so and how fast. With
``--uncapped`` the caps are lifted for the run, to show how the time grows past them.
Not a test: figures only. Run with ``.venv/bin/python bench/import_bench.py``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _documents():
    spec = importlib.util.spec_from_file_location("nyttoverkstad_test_documents", ROOT / "tests" / "documents.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


D = _documents()


def _open(ws) -> tuple[float, float]:
    """Seconds for the console's draft and for the chain diagram of ``ws``'s analysis."""
    from workshop.activities.effect_chain import chain_links, chain_nodes
    from workshop.draft.layout import chain_layout
    from workshop.draft.serialize import analysis_dict
    from workshop.draft.service import analysis_for

    a = analysis_for(ws, create=False)
    started = time.process_time()
    analysis_dict(a)
    draft = time.process_time() - started
    started = time.process_time()
    standing = chain_nodes(a)
    chain_layout(
        [{"id": n.id, "node_type": n.node_type, "title": n.title} for n in standing],
        chain_links(a, {n.id for n in standing}),
    )
    return draft, time.process_time() - started


def _run(label: str, doc: dict, user, open_it: bool = True) -> None:
    from workshop.activities import InputError
    from workshop.extensions import db
    from workshop.portable import import_document

    size = len(json.dumps(doc).encode())
    started = time.process_time()
    try:
        checked = getattr(__import__("workshop.portable", fromlist=["x"]), "check_size", None)
        if checked is not None:
            checked(size)
        ws = import_document(user, doc)
    except InputError as exc:
        print(f"{label:<34} {size / 1024:>8.0f} {time.process_time() - started:>8.3f}   refused: {exc.message}")
        return
    except RecursionError:
        print(f"{label:<34} {size / 1024:>8.0f} {time.process_time() - started:>8.3f}   RecursionError")
        db.session.rollback()
        return
    took = time.process_time() - started
    line = f"{label:<34} {size / 1024:>8.0f} {took:>8.3f}"
    if open_it:
        try:
            draft, layout = _open(ws)
            line += f" {draft:>8.3f} {layout:>8.3f}"
        except RecursionError:
            line += "   RecursionError on opening"
    print(line, flush=True)
    db.session.expunge_all()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,2000,4000,8000", help="factor counts")
    parser.add_argument("--uncapped", action="store_true", help="lift portable.LIMITS for the run")
    parser.add_argument("--no-caps", action="store_true", help="skip the worst documents at the caps")
    args = parser.parse_args()

    from workshop import portable
    from workshop.accounts import create_user
    from workshop.app import create_app
    from workshop.config import Settings

    limits = getattr(portable, "LIMITS", None)
    if args.uncapped and limits is not None:
        for key in limits:
            limits[key] = 10**9
    data_dir = Path(tempfile.mkdtemp(prefix="import-bench-"))
    app = create_app(Settings.from_env(data_dir, testing=True), async_mode="threading")
    with app.test_request_context():
        user = create_user("bench@example.se", "bench-password-1", "Bench")
        print(f"{'document':<34} {'KiB':>8} {'import s':>8} {'draft s':>8} {'chain s':>8}   (CPU seconds)")
        for n in (int(s) for s in args.sizes.split(",")):
            _run(f"{n} factors", D.factors_doc(n), user, open_it=False)
        nodes, links = D.straight_chain(1100)
        _run("straight chain, 1100 items", D.document(nodes, links), user)
        for layers in (15, 18, 21):
            nodes, links = D.diamond_chain(layers)
            _run(f"diamond, {layers} layers × 2 items", D.document(nodes, links), user)
        if limits is not None and not args.no_caps and not args.uncapped:
            for label, doc in D.worst_documents(limits):
                _run(label, doc, user)


if __name__ == "__main__":
    main()
