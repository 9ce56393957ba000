"""The room's controls at socket level, the same for every activity kind: the timer closes
input (``time_up``), showing and hiding results reaches the presenter and the phones (hidden
results are not sent at all), the presenter window steers only for the signed-in owner, and
the counts (answers, awaiting review) are the same in every audience's payload."""

from __future__ import annotations

from datetime import timedelta

import nyttoverkstad_integration_helpers as h  # loaded by conftest.py
import pytest

PHONE, SCREEN, CONSOLE = h.PHONE, h.SCREEN, h.CONSOLE


def _models():
    from workshop import models

    return models


def _ended(app, act_id, ago: int = 1, **extra):
    """The activity's countdown ended ``ago`` seconds ago."""
    h.update_row(app, _models().Activity, act_id, timer_ends_at=_models().utcnow() - timedelta(seconds=ago), **extra)


# --- the timer closes input -----------------------------------------------------------------------


@pytest.mark.parametrize(("language", "message"), [("sv", "Tiden är ute."), ("en", "Time is up.")])
def test_a_submit_after_the_countdown_is_refused_time_up(app, make_workshop, language, message):
    ws_id, code, ids = make_workshop(language=language)
    tc, _ = h.phone(app, app.test_client(), code)
    assert h.vote(tc, ids[0], "before", (0,))["ok"] is True
    _ended(app, ids[0])
    before = h.response_rows(app)
    err = h.assert_error(h.vote(tc, ids[0], "after", (1,)), "time_up")
    assert err["message"] == message
    assert h.response_rows(app) == before


def test_a_resend_after_the_time_is_up_is_answered_from_storage(app, make_workshop):
    _, code, ids = make_workshop()
    tc, _ = h.phone(app, app.test_client(), code)
    first = h.vote(tc, ids[0], "lost-ack", (2,))
    _ended(app, ids[0])
    again = h.vote(tc, ids[0], "lost-ack", (0,))
    assert again["ok"] is True and again["duplicate"] is True
    assert again["response_id"] == first["response_id"] and again["data"] == {"choices": [2]}
    h.assert_error(h.vote(tc, ids[0], "fresh", (0,)), "time_up")
    assert h.response_count(app) == 1


def test_a_running_countdown_and_a_signal_only_timer_keep_input_open(app, make_workshop):
    ws_id, code, ids = make_workshop()
    tc, _ = h.phone(app, app.test_client(), code)
    cons = h.console(app, ws_id)
    ack = cons.emit("timer_start", {"activity_id": ids[0], "seconds": 30}, namespace=CONSOLE, callback=True)
    assert ack["ok"] is True
    assert h.vote(tc, ids[0], "running", (0,))["ok"] is True
    _ended(app, ids[0], timer_closes=False)  # only a signal
    assert h.vote(tc, ids[0], "signal", (1,))["ok"] is True


def test_more_time_and_reopen_open_input_again(app, make_workshop):
    ws_id, code, ids = make_workshop()
    tc, _ = h.phone(app, app.test_client(), code)
    cons = h.console(app, ws_id)
    _ended(app, ids[0], ago=600)  # long ago: more time counts from now
    h.assert_error(h.vote(tc, ids[0], "a", (0,)), "time_up")
    ack = cons.emit("timer_extend", {"activity_id": ids[0], "seconds": 30}, namespace=CONSOLE, callback=True)
    assert ack["ok"] is True
    state = h.events(tc, PHONE, "state")[-1]
    ends = state["activities"][0]["timer_ends_at"]
    assert ends is not None and state["activities"][0]["timer_closes"] is True
    assert h.vote(tc, ids[0], "b", (0,))["ok"] is True
    _ended(app, ids[0])
    h.assert_error(h.vote(tc, ids[0], "c", (1,)), "time_up")
    assert cons.emit("timer_stop", {"activity_id": ids[0]}, namespace=CONSOLE, callback=True)["ok"] is True
    assert h.vote(tc, ids[0], "d", (1,))["ok"] is True


def test_timer_start_can_make_the_timer_a_signal(app, make_workshop):
    ws_id, code, ids = make_workshop()
    cons = h.console(app, ws_id)
    ack = cons.emit(
        "timer_start", {"activity_id": ids[0], "seconds": 10, "closes": False}, namespace=CONSOLE, callback=True
    )
    assert ack["ok"] is True
    (act,) = [a for a in h.events(cons, CONSOLE, "state")[-1]["activities"] if a["id"] == ids[0]]
    assert act["timer_closes"] is False
    bad = cons.emit(
        "timer_start", {"activity_id": ids[0], "seconds": 10, "closes": "no"}, namespace=CONSOLE, callback=True
    )
    h.assert_error(bad, "invalid")
    h.assert_error(
        cons.emit("timer_extend", {"activity_id": ids[0], "seconds": 5}, namespace=CONSOLE, callback=True), "invalid"
    )


# --- show and hide results: every poll kind, presenter and phones -------------------------------

POLLS = {
    "multiple_choice": (
        {"options": ["Ja", "Nej"], "multiple": False, "max_choices": 1},
        {"choices": [0]},
    ),
    "word_cloud": ({}, {"text": "trygghet"}),
    "open_text": ({}, {"text": "Kortare köer"}),
    "scale": ({"max": 5}, {"value": 4}),
    "ranking": ({"options": ["A", "B", "C"]}, {"order": [2, 0, 1]}),
    "points": ({"options": ["A", "B"], "budget": 100}, {"points": [60, 40]}),
    "qna": ({}, {"action": "ask", "text": "Vem äger nyttan?"}),
}


def _latest(tc, namespace, act_id):
    got = [r for r in h.events(tc, namespace, "results") if r["activity_id"] == act_id]
    return got[-1] if got else None


def _show(cons, act_id, value):
    ack = cons.emit(
        "set", {"activity_id": act_id, "flag": "results_visible", "value": value}, namespace=CONSOLE, callback=True
    )
    assert ack["ok"] is True, ack


@pytest.mark.parametrize("kind", sorted(POLLS))
def test_show_and_hide_reach_presenter_and_phones_for_every_poll_kind(app, make_workshop, kind):
    config, payload = POLLS[kind]
    ws_id, code, ids = make_workshop(activities=((kind, "Fråga", config),))
    act = ids[0]
    tc, _ = h.phone(app, app.test_client(), code)
    ack = tc.emit("submit", {"activity_id": act, "client_id": "x1", "payload": payload}, namespace=PHONE, callback=True)
    assert ack["ok"] is True, ack
    cons = h.console(app, ws_id)
    scr = h.screen(app, ws_id)

    _show(cons, act, False)
    got = h.events(scr, SCREEN)
    state = [a for n, a in got if n == "state"][-1]
    assert state["activities"][0]["results_visible"] is False
    screen_res = [a for n, a in got if n == "results" and a["activity_id"] == act][-1]
    phone_res = _latest(tc, PHONE, act)
    assert screen_res["visible"] is False and screen_res["aggregate"] is None
    assert phone_res["visible"] is False and phone_res["aggregate"] is None
    assert screen_res["responders"] == phone_res["responders"] == 1  # the count stays
    # A screen or phone that connects while hidden gets no figures either.
    snap = h.events(h.screen(app, ws_id), SCREEN, "snapshot")[0]
    assert snap["results"][str(act)]["aggregate"] is None
    again, _ = h.phone(app, app.test_client(), code)
    psnap = h.events(again, PHONE, "snapshot")[0]
    assert psnap["results"][str(act)]["aggregate"] is None
    # The console still sees everything.
    assert _latest(cons, CONSOLE, act)["aggregate"] is not None

    _show(cons, act, True)
    screen_res, phone_res = _latest(scr, SCREEN, act), _latest(tc, PHONE, act)
    assert screen_res["visible"] is True and screen_res["aggregate"] is not None
    assert phone_res["visible"] is True and phone_res["aggregate"] == screen_res["aggregate"]


def test_before_any_choice_the_presenter_follows_the_setting(app, make_workshop):
    """Not chosen yet: a multiple choice shows on the presenter, phones see no figures; a
    scale (results hidden by default) shows nowhere; a reset returns to "not chosen"."""
    from workshop.extensions import db

    ws_id, code, ids = make_workshop(
        activities=(
            ("multiple_choice", "Fråga", POLLS["multiple_choice"][0]),
            ("scale", "Skala", POLLS["scale"][0]),
        )
    )
    with app.app_context():
        mc, scale = (db.session.get(_models().Activity, i) for i in ids)
        from workshop.realtime.payloads import results_for

        r = results_for(mc)
        assert r["screen"]["aggregate"] is not None and r["phone"]["aggregate"] is None
        r = results_for(scale)
        assert r["screen"]["aggregate"] is None and r["phone"]["aggregate"] is None
        db.session.remove()
    cons = h.console(app, ws_id)
    _show(cons, ids[0], False)
    assert cons.emit("reset", {"activity_id": ids[0]}, namespace=CONSOLE, callback=True)["ok"] is True
    with app.app_context():
        assert db.session.get(_models().Activity, ids[0]).revealed is None
        db.session.remove()


# --- steering from the presenter window -----------------------------------------------------------


def _screen_of(app, ws_id, email=None):
    client = app.test_client()
    if email:
        h.login(client, email)
    tc = h.socket_client(app, SCREEN, {"workshop_id": ws_id, "key": h.presenter_key(app, ws_id)}, client)
    assert tc.is_connected(SCREEN)
    return tc


def test_the_presenter_window_steers_only_for_the_signed_in_owner(app, make_workshop, other_facilitator):
    ws_id, _, ids = make_workshop(
        activities=(("multiple_choice", "Ett", POLLS["multiple_choice"][0]), ("scale", "Två", {"max": 5}))
    )
    key_only = _screen_of(app, ws_id)
    other = _screen_of(app, ws_id, "bertil@norrby.se")
    owner = _screen_of(app, ws_id, "anna@solstad.se")
    assert h.events(key_only, SCREEN, "snapshot")[0]["may_steer"] is False
    assert h.events(other, SCREEN, "snapshot")[0]["may_steer"] is False
    assert h.events(owner, SCREEN, "snapshot")[0]["may_steer"] is True

    for tc in (key_only, other):
        h.assert_error(tc.emit("step", {"delta": 1}, namespace=SCREEN, callback=True), "forbidden")
        h.assert_error(
            tc.emit("set", {"activity_id": ids[0], "flag": "locked", "value": True}, namespace=SCREEN, callback=True),
            "forbidden",
        )
        h.assert_error(tc.emit("reset", {"activity_id": ids[0]}, namespace=SCREEN, callback=True), "forbidden")
    assert owner.emit("step", {"delta": 1}, namespace=SCREEN, callback=True)["ok"] is True
    with app.app_context():
        from workshop.extensions import db

        assert db.session.get(_models().Workshop, ws_id).current_activity_id in (ids[0], ids[1])
        db.session.remove()
    for name, body in (
        ("set", {"activity_id": ids[1], "flag": "locked", "value": True}),
        ("set", {"activity_id": ids[1], "flag": "results_visible", "value": True}),
        ("timer_start", {"activity_id": ids[1], "seconds": 60}),
        ("timer_extend", {"activity_id": ids[1], "seconds": 30}),
        ("timer_stop", {"activity_id": ids[1]}),
        ("step", {"delta": -1}),
    ):
        assert owner.emit(name, body, namespace=SCREEN, callback=True)["ok"] is True, name
    # Reset and moderation stay in the console.
    h.assert_error(owner.emit("reset", {"activity_id": ids[0]}, namespace=SCREEN, callback=True), "forbidden")
    with app.app_context():
        from workshop.extensions import db

        act = db.session.get(_models().Activity, ids[1])
        assert act.locked is True and act.revealed is True and act.timer_ends_at is None
        db.session.remove()


# --- counts and approving everything awaiting review ------------------------------------------------


def test_counts_agree_and_approve_all_is_one_operation(app, make_workshop):
    ws_id, code, ids = make_workshop(activities=(("open_text", "Idéer", {"premoderate": True}),))
    act = ids[0]
    client = app.test_client()
    phones = [h.phone(app, client, code)[0] for _ in range(3)]
    for i, tc in enumerate(phones):
        ack = tc.emit(
            "submit",
            {"activity_id": act, "client_id": f"t{i}", "payload": {"text": f"Idé {i}"}},
            namespace=PHONE,
            callback=True,
        )
        assert ack["ok"] is True and ack["status"] == "pending"
    # One answer the facilitator hid: approving everything pending leaves it hidden.
    extra, _ = h.phone(app, client, code)
    ack = extra.emit(
        "submit", {"activity_id": act, "client_id": "t9", "payload": {"text": "Reklam"}}, namespace=PHONE, callback=True
    )
    cons = h.console(app, ws_id)
    assert cons.emit(
        "moderate",
        {"activity_id": act, "response_id": ack["response_id"], "action": "hide"},
        namespace=CONSOLE,
        callback=True,
    )["ok"]
    scr = h.screen(app, ws_id)
    _show(cons, act, True)
    c, s, p = _latest(cons, CONSOLE, act), _latest(scr, SCREEN, act), _latest(phones[0], PHONE, act)
    assert (
        (c["responders"], c["pending"]) == (s["responders"], s["pending"]) == (p["responders"], p["pending"]) == (4, 3)
    )

    ack = cons.emit("approve_all", {"activity_id": act}, namespace=CONSOLE, callback=True)
    assert ack == {"ok": True, "approved": 3}
    h.flush(app)
    c, s = _latest(cons, CONSOLE, act), _latest(scr, SCREEN, act)
    assert (c["responders"], c["pending"]) == (s["responders"], s["pending"]) == (4, 0)
    assert [i["status"] for i in c["items"] if i["text"] == "Reklam"] == ["hidden"]
    assert s["aggregate"]["total"] == 3
    h.assert_error(
        cons.emit("approve_all", {"activity_id": 987654}, namespace=CONSOLE, callback=True), "unknown_activity"
    )
    # The screen may not approve.
    h.assert_error(scr.emit("approve_all", {"activity_id": act}, namespace=SCREEN, callback=True), "forbidden")
