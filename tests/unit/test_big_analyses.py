"""Big and broken analyses: the chain checks and the layout stay linear, any chain opens, and
an import is refused over its caps (before any work) and succeeds at them.

These are not timings (figures live in bench/): a line is checked and laid out under a
recursion limit far below its length, so a recursive algorithm fails at once; a diamond of 40
layers has 2**40 paths, so an algorithm that walks every path never finishes: the generous
bound (20 s, for a loaded CI machine; the linear algorithm takes milliseconds) stops it.
"""

from __future__ import annotations

import importlib.util
import inspect
import itertools
import json
import random
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from workshop import portable
from workshop.draft import layout
from workshop.draft.checks import chain_checks
from workshop.draft.layout import chain_layout


def _load_documents():
    name = "nyttoverkstad_test_documents"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).parents[1] / "documents.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


D = _load_documents()


def analysis_of(nodes: list[dict], links: list[dict]) -> SimpleNamespace:
    """A stand-in for the stored analysis: what chain_checks reads, ids from the refs."""
    ids = {n["ref"]: i + 1 for i, n in enumerate(nodes)}
    return SimpleNamespace(
        nodes=[
            SimpleNamespace(
                id=ids[n["ref"]],
                node_type=n["node_type"],
                title=n["title"],
                status="visible",
                valuation=n.get("valuation", "none"),
            )
            for n in nodes
        ],
        links=[SimpleNamespace(from_id=ids[lk["from"]], to_id=ids[lk["to"]]) for lk in links],
    )


def layout_input(nodes: list[dict], links: list[dict]) -> tuple[list[dict], list[dict]]:
    ids = {n["ref"]: i + 1 for i, n in enumerate(nodes)}
    return (
        [{"id": ids[n["ref"]], "node_type": n["node_type"], "title": n["title"]} for n in nodes],
        [{"from": ids[lk["from"]], "to": ids[lk["to"]]} for lk in links],
    )


BOUND = 20.0  # seconds: a guard against a walk of every path, not a performance target


def timed(fn, *args):
    """``fn(*args)`` under a recursion limit of 200 frames over the caller's: a recursive walk
    of a 1 100-item line fails; the time taken, for the guard against exponential work."""
    depth = len(inspect.stack(0))
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(depth + 200)
    started = time.perf_counter()
    try:
        out = fn(*args)
    finally:
        sys.setrecursionlimit(limit)
    return out, time.perf_counter() - started


# --- the chain check ---------------------------------------------------------------------------


def test_a_line_of_1100_items_is_checked_without_recursion_in_linear_time(app):
    nodes, links = D.straight_chain(1100)
    with app.test_request_context():
        hints, took = timed(chain_checks, analysis_of(nodes, links))
    assert took < BOUND
    # No effect anywhere: every benefit is flagged; only the first follows straight from the change.
    assert sum(h["code"] == "no_effect" for h in hints) == 1099
    assert [h["node_id"] for h in hints if h["code"] == "jump"] == [2]


def test_a_diamond_of_40_layers_is_checked_without_walking_every_path(app):
    nodes, links = D.diamond_chain(40)  # 2 ** 40 paths from the first layer to the last
    with app.test_request_context():
        hints, took = timed(chain_checks, analysis_of(nodes, links))
    assert took < BOUND
    assert sum(h["code"] == "no_effect" for h in hints) == 80


def _traces_by_every_path(a: SimpleNamespace, nid: int) -> bool:
    """The former definition: some simple path back from ``nid`` reaches an effect."""
    types = {n.id: n.node_type for n in a.nodes}
    incoming: dict[int, list[int]] = {}
    for lk in a.links:
        incoming.setdefault(lk.to_id, []).append(lk.from_id)

    def walk(x: int, seen: frozenset) -> bool:
        return any(
            src not in seen and (types[src] == "effekt" or walk(src, seen | {src})) for src in incoming.get(x, [])
        )

    return walk(nid, frozenset({nid}))


def test_the_check_agrees_with_following_every_path_on_small_chains_with_cycles(app):
    kinds = ("forandring", "effekt", "nytta", "konsekvenskostnad", "risk")
    rnd = random.Random(15)
    with app.test_request_context():
        for _ in range(300):
            n = rnd.randint(1, 8)
            nodes = [D.node(i + 1, rnd.choice(kinds)) for i in range(n)]
            pairs = {(rnd.randint(1, n), rnd.randint(1, n)) for _ in range(rnd.randint(0, 14))}
            a = analysis_of(nodes, [{"from": f"n{x}", "to": f"n{y}"} for x, y in pairs])
            flagged = {h["node_id"] for h in chain_checks(a) if h["code"] == "no_effect"}
            expected = {
                m.id
                for m in a.nodes
                if m.node_type in ("nytta", "konsekvenskostnad") and not _traces_by_every_path(a, m.id)
            }
            assert flagged == expected, (nodes, pairs)


# --- the layout --------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", ["line", "diamond"])
def test_big_chains_are_laid_out_without_recursion_or_walking_every_path(shape):
    nodes, links = D.straight_chain(1100) if shape == "line" else D.diamond_chain(40)
    out, took = timed(chain_layout, *layout_input(nodes, links))
    assert took < BOUND
    assert len(out["nodes"]) == len(nodes) and len(out["edges"]) == len(links)


def test_crossings_are_counted_as_comparing_every_pair_would():
    rnd = random.Random(7)
    for _ in range(300):
        pairs = [(rnd.randint(0, 6) / 6, rnd.randint(0, 6) / 6) for _ in range(rnd.randint(0, 40))]
        brute = sum((a1 - a2) * (b1 - b2) < 0 for (a1, b1), (a2, b2) in itertools.combinations(pairs, 2))
        assert layout._inversions(pairs) == brute


def test_sweeps_are_bounded_for_huge_chains():
    assert layout._sweeps(50, 80) == layout.SWEEPS
    assert layout._sweeps(2000, 500_000) == 1
    assert layout._sweeps(20_000, 60_000) * (20_000 + 60_000) <= max(layout.SWEEP_WORK, 20_000 + 60_000)


def test_a_chain_with_cycles_self_links_and_unknown_ends_is_laid_out():
    nodes = [
        {"id": i, "node_type": t, "title": f"Post {i}"} for i, t in enumerate(["effekt", "nytta", "nytta", "risk"], 1)
    ]
    links = [
        {"from": 1, "to": 2},
        {"from": 2, "to": 3},
        {"from": 3, "to": 2},
        {"from": 2, "to": 2},
        {"from": 3, "to": 99},
        {"from": None, "to": 1},
        (4, 1),
        "nonsense",
    ]
    out = chain_layout(nodes, links)
    assert {(e["from"], e["to"]) for e in out["edges"]} == {(1, 2), (2, 3), (3, 2), (4, 1)}


# --- the caps of an import ---------------------------------------------------------------------


@pytest.fixture
def user(app, facilitator):
    from workshop.extensions import db
    from workshop.models import User

    with app.test_request_context():
        yield db.session.get(User, facilitator)


def _count(model) -> int:
    from sqlalchemy import func, select

    from workshop.extensions import db

    return db.session.scalar(select(func.count()).select_from(model))


OVER = {
    "activities": lambda n: D.document(activities=[{"kind": "open_text"}] * n),
    "workshop_perspectives": lambda n: {
        **D.document(),
        "workshop": {**D.document()["workshop"], "perspectives": ["p"] * n},
    },
    "nodes": lambda n: D.document([D.node(i + 1) for i in range(n)]),
    "links": lambda n: D.document([D.node(1), D.node(2)], [{"from": "n1", "to": "n2"}] * n),
    "factors": lambda n: D.factors_doc(n),
    "rows": lambda n: D.document(
        [
            D.node(i + 1, block={"rows": [{"name": f"r{j}"} for j in range(min(50, n - 50 * i))]})
            for i in range((n + 49) // 50)
        ]
    ),
    "rows_per_block": lambda n: D.document([D.node(1, block={"rows": [{"name": f"r{j}"} for j in range(n)]})]),
    "comparison": lambda n: D.document(alternatives={"comparison": [{"aspect": "x"}] * n}),
    "perspectives": lambda n: D.document(frame={"perspectives": [{"kind": "samhallet", "label": "x"}] * n}),
    "year_profile": lambda n: D.document([D.node(1, year_profile=[1] * n)]),
}


@pytest.mark.parametrize("key", sorted(OVER))
def test_one_over_a_cap_is_refused_before_any_work_with_a_message_naming_it(user, key):
    from workshop.activities.base import InputError
    from workshop.models import Workshop

    doc = OVER[key](portable.LIMITS[key] + 1)
    before = _count(Workshop)
    with pytest.raises(InputError) as refused:
        portable.check_limits(doc)
    assert f"{portable.LIMITS[key] + 1}" in refused.value.message and f"{portable.LIMITS[key]}" in refused.value.message
    assert "många" in refused.value.message  # Swedish by default
    with pytest.raises(InputError):
        portable.import_document(user, doc)
    assert _count(Workshop) == before


def test_a_file_over_the_byte_cap_is_refused_before_it_is_parsed(app):
    from workshop.activities.base import InputError

    with app.test_request_context():
        with pytest.raises(InputError) as refused:
            portable.read_document(b" " * (portable.LIMITS["bytes"] + 1))
        assert "MB" in refused.value.message
        with pytest.raises(InputError):
            portable.read_document(b"[" * 100_000)  # nested too deep for the parser
        assert portable.read_document(json.dumps(D.document()).encode()) == D.document()


def test_the_worst_documents_the_caps_allow_import_and_open(user):
    from workshop.activities.effect_chain import chain_links, chain_nodes
    from workshop.draft.models import BlockRow, Factor, Link, Node
    from workshop.draft.serialize import analysis_dict
    from workshop.draft.service import analysis_for

    for label, doc in D.worst_documents(portable.LIMITS):
        raw = json.dumps(doc).encode()
        assert len(raw) <= portable.LIMITS["bytes"], label
        ws = portable.import_document(user, portable.read_document(raw))
        a = analysis_for(ws, create=False)
        stored = {
            "nodes": len(a.nodes),
            "links": len(a.links),
            "factors": len(a.factors),
            "rows": sum(len(n.block.rows) for n in a.nodes if n.block),
            "activities": len(ws.activities),
        }
        analysis = doc["analysis"]
        assert stored["nodes"] == len(analysis["nodes"]), label
        assert stored["links"] == len({(lk["from"], lk["to"]) for lk in analysis["links"]}), label
        assert stored["rows"] == sum(len((n.get("block") or {}).get("rows", [])) for n in analysis["nodes"]), label
        assert stored["activities"] == len(doc["workshop"]["activities"]), label
        if analysis["factors"] is not None:
            assert stored["factors"] == len(analysis["factors"]), label
        draft = analysis_dict(a)
        assert len(draft["nodes"]) == stored["nodes"]
        standing = chain_nodes(a)
        chain_layout(
            [{"id": n.id, "node_type": n.node_type, "title": n.title} for n in standing],
            chain_links(a, {n.id for n in standing}),
        )
    assert _count(Node) and _count(Link) and _count(Factor) and _count(BlockRow)


def test_an_imported_worst_case_exports_to_the_same_document(user):
    label, doc = next((label, doc) for label, doc in D.worst_documents(portable.LIMITS) if label == "every cap at once")
    ws = portable.import_document(user, doc)
    first = portable.export_document(ws)
    again = portable.import_document(user, json.loads(portable.dumps(first)))
    assert portable.dumps(portable.export_document(again)) == portable.dumps(first)
    assert len(portable.dumps(first).encode()) <= portable.LIMITS["bytes"]
