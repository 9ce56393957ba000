"""Fuzz sample of every socket event: /phone submit (every kind), snapshot and unknown events;
every /console command incl. every draft op; /screen; connection attempts on every namespace.

A case passes when the server answers with a clear ack ({ok: true} or {ok: false, error:
{code, message}}, never code "server"), raises nothing, sends only strict JSON, leaves the
stored data unchanged when it refuses, and — after accepted inputs — every snapshot, the
broadcast and the facilitator's pages still work. The long run is bench/fuzz.py (>= 10 000
cases); findings already reported are pinned by the xfail tests at the end.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.filterwarnings("ignore")

PHONE, SCREEN, CONSOLE = "/phone", "/screen", "/console"

# Examples per endpoint in the suite (bench/fuzz.py runs many more).
EXAMPLES = {
    "phone submit": 120,
    "console draft": 100,
    "console configure": 25,
    "console moderate": 20,
    "console set": 15,
}
DEFAULT = 15


@pytest.mark.parametrize(
    "endpoint",
    [
        "phone submit",
        "phone snapshot",
        "phone forget",
        "phone unknown event",
        "phone connect",
        "console goto",
        "console step",
        "console set",
        "console timer_start",
        "console timer_stop",
        "console reset",
        "console moderate",
        "console configure",
        "console draft",
        "console draft_snapshot",
        "console snapshot",
        "console unknown event",
        "console connect",
        "screen snapshot",
        "screen unknown event",
        "screen connect",
    ],
)
def test_socket_event_fuzz(fuzzlib, sample, endpoint):
    assert endpoint in fuzzlib.SOCKET_ENDPOINTS
    checker = sample(endpoint, EXAMPLES.get(endpoint, DEFAULT))
    if endpoint == "phone submit":
        # every kind was reached, and the valid-shaped payloads got through to storage
        kinds = {k.rsplit(" ", 1)[1] for k in checker.counts}
        assert len(kinds) >= 12, kinds


def test_every_socket_event_and_draft_op_is_fuzzed(fuzzlib, world):
    """The registry covers every handler the app registers and every draft op."""
    from workshop.draft.ops import OPS
    from workshop.extensions import socketio

    handlers = socketio.server.handlers
    covered = {
        (ns, e.split(" ", 1)[1])
        for e in fuzzlib.SOCKET_ENDPOINTS
        for ns in [{"phone": PHONE, "console": CONSOLE, "screen": SCREEN}[e.split()[0]]]
    }
    for ns, names in handlers.items():
        for name in names:
            if name in ("disconnect", "*"):
                continue
            assert (ns, name) in covered, f"{ns} {name} is not fuzzed"
    assert set(fuzzlib.draft_args(world)) == set(OPS)


def test_raw_packets_are_dropped_and_the_socket_keeps_working(fuzzlib, world):
    """Packets no client library would build (nesting 50 000 deep, 5 000-digit numbers, NaN,
    a 1 MB string, broken JSON) are refused by Engine.IO's decoder before any handler runs:
    nothing is stored, and the same connection keeps working."""
    checker = fuzzlib.Checker(world, probe_every=0)
    for ns, tc in ((PHONE, world.phone), (CONSOLE, world.console), (SCREEN, world.screen)):
        for raw in fuzzlib.raw_packets(ns):
            checker.raw_socket("raw packet", tc, raw)
        for p in checker.problems:
            assert p.what == "exception" and fuzzlib.decoder_refusal(p.detail), p.short()
        checker.problems.clear()
        ack = tc.emit("snapshot", {}, namespace=ns, callback=True)
        assert ack["ok"] is True, (ns, ack)


def test_one_megabyte_strings_are_refused_in_every_text_field(fuzzlib, world):
    """The largest payloads a phone could send: refused with a clear error, nothing stored."""
    big = "å" * 1_048_576
    checker = fuzzlib.Checker(world, probe_every=0)
    a = world.acts
    cases = [
        ("open_text", {"text": big}),
        ("word_cloud", {"text": big}),
        ("qna", {"action": "ask", "text": big}),
        ("effects", {"text": big, "polarity": "positive"}),
        ("effects", {"text": "x", "cause": big, "polarity": "positive"}),
        ("alternatives", {"row": 0, "flag": True, "comment": big}),
        ("estimates", {"row": world.pool["row"][0], "accept": False, "value": "1", "source": big}),
        ("describe", {"node": world.pool["node"][0], "rubrik": big, "hander": "x"}),
        ("questions", {"node": world.pool["node"][0], "text": big}),
    ]
    for i, (kind, payload) in enumerate(cases):
        found = checker.socket(
            f"phone submit {kind}",
            world.phone,
            PHONE,
            "submit",
            {"activity_id": a[kind], "client_id": f"big-{i}", "payload": payload},
        )
        assert not found, [p.short() for p in found]
    assert checker.accepted == {}, checker.accepted
    found = checker.socket(
        "phone submit",
        world.phone,
        PHONE,
        "submit",
        {"activity_id": a["open_text"], "client_id": big, "payload": {"text": "x"}},
    )
    assert not found and checker.accepted == {}


@pytest.mark.parametrize(
    "event,payload",
    [
        ("goto", lambda w: {"activity_id": True}),
        ("goto", lambda w: {"activity_id": float(min(w.acts.values()))}),
        ("set", lambda w: {"activity_id": True, "flag": "locked", "value": True}),
        ("timer_start", lambda w: {"activity_id": float(min(w.acts.values())), "seconds": 60}),
        ("reset", lambda w: {"activity_id": True}),
        ("step", lambda w: {"delta": True}),
        ("step", lambda w: {"delta": 1.0}),
    ],
    ids=["goto-true", "goto-float", "set-true", "timer-float", "reset-true", "step-true", "step-float"],
)
def test_console_refuses_bools_and_floats_for_ids(fuzzlib, world, event, payload):
    assert min(world.acts.values()) == 1  # so True and 1.0 would name a real activity
    before = fuzzlib.fingerprint(world.app)
    ack = world.console.emit(event, payload(world), namespace=CONSOLE, callback=True)
    world.heal()
    assert ack["ok"] is False and ack["error"]["code"] in ("invalid", "unknown_activity"), ack
    assert fuzzlib.fingerprint(world.app) == before


@pytest.mark.parametrize(
    "op,args",
    [
        ("node.update", lambda w: {"id": 2**63, "data": {"title": "x"}}),
        ("node.delete", lambda w: {"id": 10**30}),
        ("node.merge", lambda w: {"id": w.pool["node"][0], "target": 2**64}),
        ("link.add", lambda w: {"from": 2**63, "to": w.pool["node"][0]}),
        ("block.set", lambda w: {"node_id": 2**63, "data": {"notes": "x"}}),
        ("row.add", lambda w: {"node_id": 2**63, "data": {"name": "antal"}}),
        ("row.update", lambda w: {"id": 2**63, "data": {"label": "x"}}),
        ("row.delete", lambda w: {"id": 2**63}),
        ("factor.update", lambda w: {"id": 2**63, "data": {"label": "x"}}),
        ("factor.delete", lambda w: {"id": 2**63}),
    ],
)
def test_draft_ops_refuse_ids_beyond_64_bits(fuzzlib, world, op, args):
    before = fuzzlib.fingerprint(world.app)
    ack = world.console.emit("draft", {"op": op, "args": args(world)}, namespace=CONSOLE, callback=True)
    assert ack["ok"] is False and ack["error"]["code"].startswith("unknown_"), ack
    assert fuzzlib.fingerprint(world.app) == before


@pytest.mark.parametrize("node", [2**63 + 5, 2**40, 987654], ids=["beyond-64-bits", "beyond-32-bits", "unknown"])
def test_effects_dot_on_unknown_node_is_refused(fuzzlib, world, node):
    before = fuzzlib.fingerprint(world.app)
    ack = world.phone.emit(
        "submit",
        {
            "activity_id": world.acts["effects"],
            "client_id": f"dot-{node}",
            "payload": {"action": "dot", "node": node, "on": False},
        },
        namespace=PHONE,
        callback=True,
    )
    assert ack["ok"] is False and ack["error"]["code"] == "unknown_item", ack
    assert fuzzlib.fingerprint(world.app) == before


def test_client_sent_disconnect_event_is_refused(fuzzlib, world):
    try:
        ack = world.phone.emit("disconnect", {}, namespace=PHONE, callback=True)
        again = world.phone.emit("snapshot", {}, namespace=PHONE, callback=True)
    finally:
        world.heal()
    assert isinstance(ack, dict) and ack.get("ok") is False, ack
    assert again["ok"] is True, again


def test_client_sent_connect_event_is_refused(fuzzlib, world):
    before = fuzzlib.fingerprint(world.app)
    try:
        ack = world.console.emit("connect", {}, {"workshop_id": world.foreign_ws}, namespace=CONSOLE, callback=True)
    finally:
        world.heal()
    assert isinstance(ack, dict) and ack.get("ok") is False, ack
    assert fuzzlib.fingerprint(world.app) == before


def test_client_sent_connect_event_cannot_switch_identity(fuzzlib, world):
    try:
        ack = world.phone.emit("connect", {}, {"token": world.tokens[1]}, namespace=PHONE, callback=True)
        snap = world.phone.emit("snapshot", {}, namespace=PHONE, callback=True)
    finally:
        world.heal()
    assert isinstance(ack, dict) and ack.get("ok") is False, ack
    assert snap["snapshot"]["participant"]["nickname"] == "Fuzz", snap["snapshot"]["participant"]


def test_event_named_star_is_refused(fuzzlib, world):
    ack = world.screen.emit("*", {}, namespace=SCREEN, callback=True)
    assert isinstance(ack, dict) and ack.get("ok") is False, ack
