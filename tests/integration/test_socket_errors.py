"""Refused inputs, retries, rate limits and what each screen is sent after a change.

Every refusal must carry a stable code and a message, and leave the stored data as it was.
"""

from __future__ import annotations

from datetime import timedelta

import nyttoverkstad_integration_helpers as h  # loaded by conftest.py
import pytest

PHONE, SCREEN, CONSOLE = h.PHONE, h.SCREEN, h.CONSOLE
SECOND = ("multiple_choice", "Andra frågan", {"options": ["A", "B"], "multiple": False, "max_choices": 1})
HIDDEN = ("multiple_choice", "Dold fråga", {"options": ["Ja", "Nej", "Vet inte"], "multiple": False, "max_choices": 1})


# --- refused inputs ------------------------------------------------------------------------------


@pytest.fixture
def scene(app, make_workshop, other_facilitator):
    """My live workshop (activities a0 current, a1), Bertil's workshop (b0), one phone in mine
    that has already answered a0 once."""
    from workshop import workshops as core
    from workshop.extensions import db
    from workshop.models import User

    ws_id, code, ids = make_workshop(activities=(h.MC, SECOND))
    with app.test_request_context():
        bertil = db.session.get(User, other_facilitator)
        other = core.create_workshop(bertil, "Bertils workshop")
        b0 = core.add_activity(other, *h.MC).id
    tc, joined = h.phone(app, app.test_client(), code)
    assert h.vote(tc, ids[0], "first", (1,))["ok"] is True
    h.flush(app)
    assert app.extensions["broadcaster"].stats()["dirty"] == 0
    tc.get_received(PHONE)
    return {
        "ws_id": ws_id,
        "a0": ids[0],
        "a1": ids[1],
        "b0": b0,
        "phone": tc,
        "participant": joined["participant"]["id"],
    }


def _body(s, **over):
    body = {"activity_id": s["a0"], "client_id": "new-1", "payload": {"choices": [0]}}
    for k, v in over.items():
        if v is _DROP:
            body.pop(k)
        else:
            body[k] = v
    return body


_DROP = object()

CASES = {
    # name: (code, body-maker, preparation)
    "client_id missing": ("invalid", lambda s: _body(s, client_id=_DROP), None),
    "client_id empty": ("invalid", lambda s: _body(s, client_id=""), None),
    "client_id too long": ("invalid", lambda s: _body(s, client_id="x" * 65), None),
    "client_id a number": ("invalid", lambda s: _body(s, client_id=17), None),
    "client_id null": ("invalid", lambda s: _body(s, client_id=None), None),
    "client_id control chars": ("invalid", lambda s: _body(s, client_id="a\nb"), None),
    "activity unknown": ("unknown_activity", lambda s: _body(s, activity_id=987654), None),
    "activity id missing": ("unknown_activity", lambda s: _body(s, activity_id=_DROP), None),
    "activity id a string": ("unknown_activity", lambda s: _body(s, activity_id=str(s["a0"])), None),
    "activity id a bool": ("unknown_activity", lambda s: _body(s, activity_id=True), None),
    "activity id a float": ("unknown_activity", lambda s: _body(s, activity_id=float(s["a0"])), None),
    "activity of another workshop": ("unknown_activity", lambda s: _body(s, activity_id=s["b0"]), None),
    "activity locked": (
        "locked",
        lambda s: _body(s),
        lambda app, s: h.update_row(app, _models().Activity, s["a0"], locked=True),
    ),
    "activity not current (live)": (
        "not_current",
        lambda s: _body(s, activity_id=s["a1"], payload={"choices": [0]}),
        None,
    ),
    "workshop archived": (
        "closed",
        lambda s: _body(s),
        lambda app, s: h.update_row(app, _models().Workshop, s["ws_id"], status="archived"),
    ),
    "workshop closed by time": (
        "closed",
        lambda s: _body(s),
        lambda app, s: h.update_row(
            app, _models().Workshop, s["ws_id"], open_until=_models().utcnow() - timedelta(minutes=1)
        ),
    ),
    "countdown ended": (
        "time_up",
        lambda s: _body(s),
        lambda app, s: h.update_row(
            app, _models().Activity, s["a0"], timer_ends_at=_models().utcnow() - timedelta(seconds=1)
        ),
    ),
    "payload missing": ("invalid", lambda s: _body(s, payload=_DROP), None),
    "payload a string": ("invalid", lambda s: _body(s, payload="Ja"), None),
    "payload a list": ("invalid", lambda s: _body(s, payload=[0]), None),
    "choices not a list": ("invalid", lambda s: _body(s, payload={"choices": 0}), None),
    "choices as strings": ("invalid", lambda s: _body(s, payload={"choices": ["0"]}), None),
    "choices as floats": ("invalid", lambda s: _body(s, payload={"choices": [0.0]}), None),
    "choices as bools": ("invalid", lambda s: _body(s, payload={"choices": [True]}), None),
    "choices empty": ("invalid", lambda s: _body(s, payload={"choices": []}), None),
    "choice out of range": ("invalid", lambda s: _body(s, payload={"choices": [3]}), None),
    "choice negative": ("invalid", lambda s: _body(s, payload={"choices": [-1]}), None),
    "two choices where one allowed": ("invalid", lambda s: _body(s, payload={"choices": [0, 2]}), None),
    "same choice twice": ("invalid", lambda s: _body(s, payload={"choices": [0, 0]}), None),
    "unknown field in payload": ("invalid", lambda s: _body(s, payload={"choices": [0], "weight": 10}), None),
    "event data a string": ("invalid", lambda s: "Ja", None),
    "event data a list": ("invalid", lambda s: [s["a0"], "new-1", {"choices": [0]}], None),
    "event data null": ("invalid", lambda s: None, None),
}


def _activity_columns(app, act_id):
    from workshop.extensions import db

    Activity = _models().Activity
    with app.app_context():
        act = db.session.get(Activity, act_id)
        out = {c.name: getattr(act, c.name) for c in Activity.__table__.columns}
        db.session.remove()
        return out


def _models():
    from workshop import models

    return models


@pytest.mark.parametrize("case", list(CASES))
def test_refused_submit_has_code_and_message_and_stores_nothing(app, scene, case):
    code, make_body, prepare = CASES[case]
    if prepare:
        prepare(app, scene)
    before = h.response_rows(app)

    ack = scene["phone"].emit("submit", make_body(scene), namespace=PHONE, callback=True)

    err = h.assert_error(ack, code)
    assert set(err) <= {"code", "message", "fields"}
    assert h.response_rows(app) == before
    assert len(before) == 1
    # no result was queued for a refused input
    assert app.extensions["broadcaster"].stats()["dirty"] == 0


def test_a_valid_input_in_the_same_scene_is_stored(app, scene):
    """Positive control: the scene accepts a well-formed input, so the refusals are about the case."""
    ack = scene["phone"].emit("submit", _body(scene), namespace=PHONE, callback=True)
    assert ack["ok"] is True and ack["duplicate"] is False and ack["data"] == {"choices": [0]}
    assert len(h.response_rows(app)) == 2


def test_self_paced_accepts_any_unlocked_activity(app, make_workshop):
    ws_id, code, ids = make_workshop(activities=(h.MC, SECOND), mode="self_paced")
    tc, _ = h.phone(app, app.test_client(), code)
    assert h.vote(tc, ids[1], "sp-1", (1,))["ok"] is True
    h.update_row(app, _models().Activity, ids[0], locked=True)
    h.assert_error(h.vote(tc, ids[0], "sp-2"), "locked")


@pytest.mark.parametrize("activity_id", [2**63, 10**30, -(2**63) - 1])
def test_out_of_range_activity_id_is_unknown_activity(app, scene, activity_id):
    before = h.response_rows(app)
    ack = scene["phone"].emit("submit", _body(scene, activity_id=activity_id), namespace=PHONE, callback=True)
    assert h.response_rows(app) == before
    h.assert_error(ack, "unknown_activity")


def test_out_of_range_response_id_is_unknown_response(app, scene):
    tc = h.console(app, scene["ws_id"])
    ack = tc.emit(
        "moderate",
        {"activity_id": scene["a0"], "response_id": 2**63, "action": "hide"},
        namespace=CONSOLE,
        callback=True,
    )
    h.assert_error(ack, "unknown_response")


# --- idempotency -------------------------------------------------------------------------------


def test_same_client_id_resent_counts_once(app, make_workshop):
    ws_id, code, ids = make_workshop()
    tc, _ = h.phone(app, app.test_client(), code)
    cons = h.console(app, ws_id)

    first = h.vote(tc, ids[0], "vote-abc", (2,))
    again = h.vote(tc, ids[0], "vote-abc", (2,))
    changed = h.vote(tc, ids[0], "vote-abc", (0,))  # a resend never rewrites the stored input

    assert first["ok"] and first["duplicate"] is False
    for ack in (again, changed):
        assert ack["ok"] is True and ack["duplicate"] is True
        assert ack["response_id"] == first["response_id"]
        assert ack["data"] == {"choices": [2]}
    assert h.response_count(app) == 1
    cons.get_received(CONSOLE)
    h.flush(app)
    results = [r for r in h.events(cons, CONSOLE, "results") if r["activity_id"] == ids[0]]
    assert len(results) == 1
    assert results[0]["aggregate"]["counts"] == [0, 0, 1] and results[0]["responders"] == 1


def test_resend_after_lock_still_answers_as_the_first_time(app, make_workshop):
    """A phone whose ack was lost resends after the facilitator locked: it gets its stored
    answer back (not a refusal), and nothing new is stored."""
    ws_id, code, ids = make_workshop()
    tc, _ = h.phone(app, app.test_client(), code)
    first = h.vote(tc, ids[0], "lost-ack", (1,))
    h.update_row(app, _models().Activity, ids[0], locked=True)
    again = h.vote(tc, ids[0], "lost-ack", (1,))
    assert again["ok"] is True and again["duplicate"] is True and again["response_id"] == first["response_id"]
    h.assert_error(h.vote(tc, ids[0], "fresh", (0,)), "locked")
    assert h.response_count(app) == 1


def test_same_client_id_from_two_phones_counts_twice(app, make_workshop):
    _, code, ids = make_workshop()
    client = app.test_client()
    p1, _ = h.phone(app, client, code)
    p2, _ = h.phone(app, client, code)
    a, b = h.vote(p1, ids[0], "same-id", (0,)), h.vote(p2, ids[0], "same-id", (1,))
    assert a["duplicate"] is False and b["duplicate"] is False and a["response_id"] != b["response_id"]
    assert h.response_count(app) == 2


def test_changed_answer_replaces_the_earlier_one(app, make_workshop):
    ws_id, code, ids = make_workshop()
    tc, _ = h.phone(app, app.test_client(), code)
    cons = h.console(app, ws_id)
    assert h.vote(tc, ids[0], "v1", (0,))["ok"]
    assert h.vote(tc, ids[0], "v2", (2,))["ok"]
    cons.get_received(CONSOLE)
    h.flush(app)
    (res,) = [r for r in h.events(cons, CONSOLE, "results") if r["activity_id"] == ids[0]]
    assert res["aggregate"]["counts"] == [0, 0, 1] and res["responders"] == 1
    assert h.response_count(app) == 2  # history kept


# --- rate limit ----------------------------------------------------------------------------------


@pytest.fixture
def limited_app(tmp_path, app):
    from workshop.app import create_app
    from workshop.config import Settings

    settings = Settings.from_env(
        tmp_path / "limited", testing=True, rate_limit_submit="3/minute", rate_limit_join="1000/second"
    )
    limited = create_app(settings, async_mode="threading")
    limited.config["WTF_CSRF_ENABLED"] = False
    return limited


def test_submit_rate_limit(limited_app):
    app = limited_app
    _, code, ids = h.setup_workshop(app, activities=(h.MC,))
    client = app.test_client()
    tc, _ = h.phone(app, client, code)
    other, _ = h.phone(app, client, code)

    acks = [h.vote(tc, ids[0], f"r{i}", (i % 3,)) for i in range(3)]
    assert all(a["ok"] for a in acks), acks
    before = h.response_rows(app)

    err = h.assert_error(h.vote(tc, ids[0], "r3", (0,)), "rate_limited")
    assert err["message"]
    assert h.response_rows(app) == before
    # invalid inputs count too: a flood of garbage is limited the same way
    h.assert_error(tc.emit("submit", "garbage", namespace=PHONE, callback=True), "rate_limited")
    # the limit is per phone
    assert h.vote(other, ids[0], "o1", (1,))["ok"] is True


# --- what screens are sent -------------------------------------------------------------------------


def test_reveal_sends_results_to_phones(app, make_workshop):
    ws_id, code, ids = make_workshop()
    client = app.test_client()
    voter, _ = h.phone(app, client, code)
    watcher, _ = h.phone(app, client, code)
    cons = h.console(app, ws_id)
    assert h.vote(voter, ids[0], "v", (1,))["ok"]
    h.flush(app)
    h.flush(app)
    # Not shown yet: the phones get the count, never the figures.
    assert all(r["aggregate"] is None and r["visible"] is False for r in h.events(watcher, PHONE, "results"))
    voter.get_received(PHONE)

    ack = cons.emit(
        "set", {"activity_id": ids[0], "flag": "results_visible", "value": True}, namespace=CONSOLE, callback=True
    )

    assert ack["ok"] is True
    for tc in (watcher, voter):
        got = tc.get_received(PHONE)
        results = [e["args"][0] for e in got if e["name"] == "results"]
        assert len(results) == 1, got
        assert results[0]["activity_id"] == ids[0] and results[0]["visible"] is True
        assert results[0]["aggregate"]["counts"] == [0, 1, 0]
        assert "items" not in results[0]
        states = [e["args"][0] for e in got if e["name"] == "state"]
        assert states and states[-1]["activities"][0]["revealed"] is True


def test_unreveal_stops_phone_results(app, make_workshop):
    ws_id, code, ids = make_workshop()
    client = app.test_client()
    voter, _ = h.phone(app, client, code)
    watcher, _ = h.phone(app, client, code)
    cons = h.console(app, ws_id)
    cons.emit(
        "set", {"activity_id": ids[0], "flag": "results_visible", "value": True}, namespace=CONSOLE, callback=True
    )
    cons.emit(
        "set", {"activity_id": ids[0], "flag": "results_visible", "value": False}, namespace=CONSOLE, callback=True
    )
    watcher.get_received(PHONE)
    app.extensions["broadcaster"].phone_interval = 0
    assert h.vote(voter, ids[0], "v", (1,))["ok"]
    for _ in range(3):
        h.flush(app)
    got = h.events(watcher, PHONE, "results")
    # The count follows (the same on every screen); the figures never do.
    assert got and all(r["aggregate"] is None and r["visible"] is False for r in got)
    assert got[-1]["responders"] == 1


def test_goto_sends_state_to_phones_with_only_the_current_activity(app, make_workshop):
    ws_id, code, ids = make_workshop(activities=(h.MC, SECOND))
    client = app.test_client()
    p1, _ = h.phone(app, client, code)
    p2, _ = h.phone(app, client, code)
    scr = h.screen(app, ws_id)
    cons = h.console(app, ws_id)
    for tc, ns in ((p1, PHONE), (p2, PHONE), (scr, SCREEN), (cons, CONSOLE)):
        tc.get_received(ns)

    assert cons.emit("goto", {"activity_id": ids[1]}, namespace=CONSOLE, callback=True)["ok"] is True

    for tc in (p1, p2):
        states = h.events(tc, PHONE, "state")
        assert len(states) == 1
        assert states[0]["current_activity_id"] == ids[1]
        assert [a["id"] for a in states[0]["activities"]] == [ids[1]]  # upcoming ones stay private
    assert h.events(scr, SCREEN, "state")[0]["current_activity_id"] == ids[1]
    console_states = h.events(cons, CONSOLE, "state")
    assert [a["id"] for a in console_states[0]["activities"]] == ids
    # the phone may now answer the new activity and no longer the old one
    assert h.vote(p1, ids[1], "n1", (1,))["ok"] is True
    h.assert_error(h.vote(p1, ids[0], "n2", (1,)), "not_current")


def test_step_moves_and_clamps(app, make_workshop):
    ws_id, code, ids = make_workshop(activities=(h.MC, SECOND))
    p, _ = h.phone(app, app.test_client(), code)
    cons = h.console(app, ws_id)
    p.get_received(PHONE)
    for delta, expected in ((1, ids[1]), (1, ids[1]), (-1, ids[0]), (-1, ids[0])):
        assert cons.emit("step", {"delta": delta}, namespace=CONSOLE, callback=True)["ok"] is True
        assert h.events(p, PHONE, "state")[-1]["current_activity_id"] == expected


def test_one_vote_does_not_fan_out_to_every_phone(app, make_workshop):
    """Hidden results: a vote updates the console and the screen (coalesced, one send per
    flush); the phones get only the count, at the phones' slower pace, never on the hot path."""
    ws_id, code, ids = make_workshop(activities=(HIDDEN,))
    h.update_row(app, _models().Activity, ids[0], results_hidden=True)
    client = app.test_client()
    voters = [h.phone(app, client, code)[0] for _ in range(5)]
    bystander, _ = h.phone(app, client, code)
    scr = h.screen(app, ws_id)
    cons = h.console(app, ws_id)
    h.flush(app)  # presence from the joins
    for tc, ns in [(v, PHONE) for v in voters] + [(bystander, PHONE), (scr, SCREEN), (cons, CONSOLE)]:
        tc.get_received(ns)

    for i, v in enumerate(voters):
        assert h.vote(v, ids[0], f"h{i}", (i % 2,))["ok"] is True
    assert h.events(bystander, PHONE) == []  # nothing is sent on the hot path
    assert h.events(cons, CONSOLE, "results") == []
    assert h.flush(app) == 1  # one recomputation for five votes

    console_results = h.events(cons, CONSOLE, "results")
    assert len(console_results) == 1
    assert console_results[0]["aggregate"]["counts"] == [3, 2, 0] and console_results[0]["responders"] == 5
    screen_results = h.events(scr, SCREEN, "results")
    assert len(screen_results) == 1
    assert screen_results[0]["visible"] is False and screen_results[0]["aggregate"] is None
    assert screen_results[0]["responders"] == 5
    for tc in voters + [bystander]:
        assert h.events(tc, PHONE, "results") == []

    # The phones' round: one message each with the count and no figures.
    h.flush(app)
    for tc in voters + [bystander]:
        (res,) = h.events(tc, PHONE, "results")
        assert res["aggregate"] is None and res["visible"] is False and res["responders"] == 5
    # later flushes with no new input send nothing at all
    assert h.flush(app) == 0
    assert h.events(cons, CONSOLE) == [] and h.events(scr, SCREEN) == [] and h.events(bystander, PHONE) == []


def test_revealed_results_reach_phones_at_the_slower_pace(app, make_workshop):
    ws_id, code, ids = make_workshop()
    client = app.test_client()
    voter, _ = h.phone(app, client, code)
    bystander, _ = h.phone(app, client, code)
    cons = h.console(app, ws_id)
    b = app.extensions["broadcaster"]
    b.phone_interval = 3600
    cons.emit(
        "set", {"activity_id": ids[0], "flag": "results_visible", "value": True}, namespace=CONSOLE, callback=True
    )
    bystander.get_received(PHONE)
    cons.get_received(CONSOLE)

    assert h.vote(voter, ids[0], "x1", (2,))["ok"]
    h.flush(app)
    h.flush(app)
    assert [r["aggregate"]["counts"] for r in h.events(cons, CONSOLE, "results")] == [[0, 0, 1]]
    assert h.events(bystander, PHONE, "results") == []  # throttled: just revealed

    b.phone_interval = 0
    h.flush(app)
    got = h.events(bystander, PHONE, "results")
    assert [r["aggregate"]["counts"] for r in got] == [[0, 0, 1]]
    h.flush(app)
    assert h.events(bystander, PHONE, "results") == []  # sent once, not on every flush


def test_reset_starts_over_for_every_screen(app, make_workshop):
    ws_id, code, ids = make_workshop()
    p, _ = h.phone(app, app.test_client(), code)
    cons = h.console(app, ws_id)
    assert h.vote(p, ids[0], "before-reset", (0,))["ok"]
    p.get_received(PHONE)
    cons.get_received(CONSOLE)

    assert cons.emit("reset", {"activity_id": ids[0]}, namespace=CONSOLE, callback=True)["ok"] is True

    state = h.events(p, PHONE, "state")[-1]
    assert state["activities"][0]["generation"] == 1
    res = [r for r in h.events(cons, CONSOLE, "results") if r["activity_id"] == ids[0]]
    assert res[-1]["generation"] == 1 and res[-1]["responders"] == 0 and res[-1]["aggregate"]["counts"] == [0, 0, 0]
    assert h.response_count(app) == 1  # kept for the record
    ack = p.emit("snapshot", {}, namespace=PHONE, callback=True)
    assert ack["snapshot"]["mine"] == {}
    assert h.vote(p, ids[0], "after-reset", (1,))["ok"] is True


def test_archiving_tells_connected_phones_and_refuses_their_input(app, make_workshop):
    ws_id, code, ids = make_workshop()
    client = app.test_client()
    p, _ = h.phone(app, client, code)
    p.get_received(PHONE)
    facilitator = app.test_client()
    h.login(facilitator)
    assert facilitator.post(f"/f/w/{ws_id}/archive").status_code == 302

    state = h.events(p, PHONE, "state")[-1]
    assert state["status"] == "archived" and state["accepts_input"] is False
    h.assert_error(h.vote(p, ids[0], "late", (0,)), "closed")
    assert h.response_count(app) == 0


@pytest.mark.parametrize(
    "event,payload",
    [
        ("step", {"delta": 2}),
        ("step", {"delta": "1"}),
        ("step", None),
        ("set", {"flag": "locked", "value": "yes"}),
        ("set", {"flag": "generation", "value": True}),
        ("set", {"flag": "results_visible", "value": 1}),
        ("timer_start", {"seconds": 1}),
        ("timer_start", {"seconds": "60"}),
        ("timer_start", {"seconds": 10**9}),
        ("moderate", {"response_id": 1, "action": "explode"}),
        ("goto", "1"),
    ],
)
def test_console_refuses_invalid_commands(app, make_workshop, event, payload):
    ws_id, code, ids = make_workshop()
    p, _ = h.phone(app, app.test_client(), code)
    h.vote(p, ids[0], "m1", (0,))
    cons = h.console(app, ws_id)
    if isinstance(payload, dict) and event != "step":
        payload = {"activity_id": ids[0], **payload}
    before = h.response_rows(app)
    act_before = _activity_columns(app, ids[0])
    p.get_received(PHONE)

    h.assert_error(cons.emit(event, payload, namespace=CONSOLE, callback=True), "invalid")

    assert _activity_columns(app, ids[0]) == act_before
    assert h.response_rows(app) == before
    assert h.events(p, PHONE) == []


# --- packets no Socket.IO client would send --------------------------------------------------------


@pytest.mark.parametrize("namespace", [PHONE, SCREEN, CONSOLE])
@pytest.mark.parametrize("auth", [0.0, 7.25, 12, -3.5])
def test_a_connect_with_a_bare_number_is_refused_clearly(app, namespace, auth):
    """A CONNECT payload must be an object. python-socketio reads the leading digits of a bare
    number as an ack id and fails on the rest ("0.0" → ".0"): the server answers that with a
    refusal too, instead of leaving the client without an answer."""
    tc = h.socket_client(app, namespace, auth, app.test_client())
    assert not tc.is_connected(namespace)
    data = tc.refusal(namespace)["data"]
    if auth in (0.0, 7.25):  # "0.0", "7.25": digits first, then what is left does not decode
        assert data == {"code": "invalid", "message": "Malformed Socket.IO packet."}
    else:  # decodes: the namespace's own refusal of a caller without a token or key
        assert data["code"] and data["code"] != "invalid" and data["message"]
