"""Who may do what over the sockets: phones never act as facilitator, the presenter screen is
read-only, the console belongs to the workshop's owner alone."""

from __future__ import annotations

import nyttoverkstad_integration_helpers as h  # loaded by conftest.py
import pytest

PHONE, SCREEN, CONSOLE = h.PHONE, h.SCREEN, h.CONSOLE


def test_every_app_gets_its_socket_handlers(app, tmp_path):
    from workshop.app import create_app
    from workshop.config import Settings
    from workshop.extensions import socketio

    second = create_app(Settings.from_env(tmp_path / "second", testing=True), async_mode="threading")
    assert second is not app
    for namespace, names in (
        (PHONE, ("connect", "submit", "snapshot", "*")),
        (SCREEN, ("connect", "snapshot", "*")),
        (CONSOLE, ("connect", "goto", "moderate", "*")),
    ):
        registered = socketio.server.handlers.get(namespace) or {}
        assert all(n in registered for n in names), (namespace, sorted(registered))


def _state(app, ws_id):
    """Everything a facilitator command could change, to prove a refused one changed nothing."""
    from workshop.extensions import db
    from workshop.models import Activity, Workshop

    with app.app_context():
        ws = db.session.get(Workshop, ws_id)
        out = {
            "current": ws.current_activity_id,
            "status": ws.status,
            "activities": [
                (a.id, a.locked, a.revealed, a.results_hidden, a.generation, a.timer_ends_at)
                for a in db.session.query(Activity).filter_by(workshop_id=ws_id).order_by(Activity.id)
            ],
            "responses": h.response_count(app),
        }
        db.session.remove()
        return out


def _response_states(app):
    from workshop.extensions import db
    from workshop.models import Response

    with app.app_context():
        out = [
            (r.id, r.status, r.merged_into_id, r.answered, r.current)
            for r in db.session.query(Response).order_by(Response.id)
        ]
        db.session.remove()
        return out


def _console_payloads(act_ids, response_id=1):
    a, b = act_ids[0], act_ids[-1]
    return {
        "goto": {"activity_id": b},
        "step": {"delta": 1},
        "set": {"activity_id": a, "flag": "locked", "value": True},
        "timer_start": {"activity_id": a, "seconds": 60},
        "timer_stop": {"activity_id": a},
        "reset": {"activity_id": a},
        "moderate": {"activity_id": a, "response_id": response_id, "action": "delete"},
        "snapshot": {},
    }


TWO = (h.MC, ("multiple_choice", "Andra frågan", {"options": ["A", "B"], "multiple": False, "max_choices": 1}))


# --- /phone ------------------------------------------------------------------------------------


@pytest.mark.parametrize("event", [e for e in h.CONSOLE_EVENTS if e != "snapshot"])
def test_phone_cannot_send_console_commands(app, make_workshop, event):
    ws_id, code, ids = make_workshop(activities=TWO)
    client = app.test_client()
    tc, _ = h.phone(app, client, code)
    assert h.vote(tc, ids[0], "c1")["ok"] is True
    tc.get_received(PHONE)
    before = _state(app, ws_id)
    responses_before = _response_states(app)

    ack = tc.emit(event, _console_payloads(ids)[event], namespace=PHONE, callback=True)

    assert ack == {"ok": False, "error": {"code": "forbidden", "message": ack["error"]["message"]}}
    assert ack["error"]["message"]
    assert _state(app, ws_id) == before
    assert _response_states(app) == responses_before
    assert h.events(tc, PHONE, "state") == []


def test_phone_snapshot_is_its_own_not_the_console(app, make_workshop):
    """``snapshot`` is also a phone event: it must answer with the phone's own view only,
    never the console's (nicknames of others, per-input items, presence list)."""
    ws_id, code, ids = make_workshop()
    client = app.test_client()
    other, _ = h.phone(app, client, code, nickname="Greta")
    assert h.vote(other, ids[0], "g1")["ok"]
    from workshop.models import Activity

    h.update_row(app, Activity, ids[0], revealed=True)
    tc, joined = h.phone(app, client, code, nickname="Hans")

    ack = tc.emit("snapshot", {}, namespace=PHONE, callback=True)

    assert ack["ok"] is True
    snap = ack["snapshot"]
    assert snap["role"] == "phone"
    assert snap["participant"]["id"] == joined["participant"]["id"]
    assert "presence" not in snap
    res = snap["results"][str(ids[0])]
    assert res["aggregate"]["counts"] == [1, 0, 0]
    assert "items" not in res
    assert "Greta" not in repr(snap)


def test_phone_unknown_event_refused(app, make_workshop):
    _, code, _ = make_workshop()
    tc, _ = h.phone(app, app.test_client(), code)
    h.assert_error(tc.emit("delete_everything", {"x": 1}, namespace=PHONE, callback=True), "forbidden")


@pytest.mark.parametrize(
    "auth",
    [None, {}, {"token": "x" * 32}, {"token": 12345}, {"token": ["a"]}, {"token": "y" * 65}, "token"],
    ids=["no-auth", "empty", "unknown", "number", "list", "too-long", "string-auth"],
)
def test_phone_refuses_unknown_tokens(app, make_workshop, auth):
    _, code, _ = make_workshop()
    h.join(app.test_client(), code)  # a participant exists, but none of these tokens is it
    tc = h.socket_client(app, PHONE, auth)
    assert not tc.is_connected(PHONE)


def test_phone_refuses_archived_workshop(app, make_workshop):
    from workshop.models import Workshop

    ws_id, code, _ = make_workshop()
    joined = h.join(app.test_client(), code)
    h.update_row(app, Workshop, ws_id, status="archived")
    tc = h.socket_client(app, PHONE, {"token": joined["token"]})
    assert not tc.is_connected(PHONE)


@pytest.mark.parametrize(
    "namespace,code", [(PHONE, "unknown_participant"), (CONSOLE, "forbidden"), (SCREEN, "forbidden")]
)
def test_refused_connection_tells_the_client_why(app, make_workshop, namespace, code):
    make_workshop()
    auth = {"token": "x" * 32} if namespace == PHONE else {"workshop_id": 1, "key": "wrong"}
    tc = h.socket_client(app, namespace, auth, app.test_client())
    assert not tc.is_connected(namespace)
    refusal = tc.refusal(namespace)
    assert isinstance(refusal, dict) and isinstance(refusal.get("data"), dict), refusal
    assert refusal["data"]["code"] == code
    assert refusal["data"]["message"]


def test_phone_only_hears_its_own_workshop(app, make_workshop):
    ws_a, code_a, ids_a = make_workshop(activities=TWO, title="A")
    ws_b, code_b, ids_b = make_workshop(activities=TWO, title="B")
    client = app.test_client()
    phone_a, _ = h.phone(app, client, code_a)
    phone_b, _ = h.phone(app, client, code_b)
    cons_b = h.console(app, ws_b)
    phone_a.get_received(PHONE)
    phone_b.get_received(PHONE)

    assert cons_b.emit("goto", {"activity_id": ids_b[1]}, namespace=CONSOLE, callback=True)["ok"]

    assert h.events(phone_a, PHONE) == []
    states = h.events(phone_b, PHONE, "state")
    assert [s["current_activity_id"] for s in states] == [ids_b[1]]
    # and a phone of A cannot answer B's activity
    h.assert_error(h.vote(phone_a, ids_b[1], "x1"), "unknown_activity")


# --- /screen -------------------------------------------------------------------------------------


@pytest.mark.parametrize("event", [e for e in h.CONSOLE_EVENTS if e != "snapshot"] + ["submit", "anything"])
def test_screen_is_read_only(app, make_workshop, event):
    ws_id, code, ids = make_workshop(activities=TWO)
    tc = h.screen(app, ws_id)
    before = _state(app, ws_id)
    payload = _console_payloads(ids).get(event, {"activity_id": ids[0], "client_id": "s1", "payload": {"choices": [0]}})

    ack = tc.emit(event, payload, namespace=SCREEN, callback=True)

    h.assert_error(ack, "forbidden")
    assert _state(app, ws_id) == before


def test_screen_snapshot_is_a_read(app, make_workshop):
    ws_id, code, ids = make_workshop()
    h.phone(app, app.test_client(), code, nickname="Greta")
    tc = h.screen(app, ws_id)
    ack = tc.emit("snapshot", None, namespace=SCREEN, callback=True)
    assert ack["ok"] is True and ack["snapshot"]["role"] == "screen"
    assert "list" not in ack["snapshot"]["presence"]  # no nicknames on the projector
    assert "Greta" not in repr(ack["snapshot"])


@pytest.mark.parametrize(
    "which",
    [
        "wrong-key",
        "no-key",
        "key-not-string",
        "other-workshops-key",
        "unknown-workshop",
        "workshop-id-string",
        "no-auth",
    ],
)
def test_screen_refuses_wrong_key(app, make_workshop, which):
    ws_a, _, _ = make_workshop(title="A")
    ws_b, _, _ = make_workshop(title="B")
    key_a, key_b = h.presenter_key(app, ws_a), h.presenter_key(app, ws_b)
    auth = {
        "wrong-key": {"workshop_id": ws_a, "key": key_a[:-1] + ("x" if key_a[-1] != "x" else "y")},
        "no-key": {"workshop_id": ws_a},
        "key-not-string": {"workshop_id": ws_a, "key": 123},
        "other-workshops-key": {"workshop_id": ws_a, "key": key_b},
        "unknown-workshop": {"workshop_id": 9999, "key": key_a},
        "workshop-id-string": {"workshop_id": str(ws_a), "key": key_a},
        "no-auth": None,
    }[which]
    tc = h.socket_client(app, SCREEN, auth)
    assert not tc.is_connected(SCREEN)
    # the right key does connect (so the refusals above are about the key)
    assert h.socket_client(app, SCREEN, {"workshop_id": ws_a, "key": key_a}).is_connected(SCREEN)


# --- /console ------------------------------------------------------------------------------------


def test_console_refuses_without_login(app, make_workshop):
    ws_id, _, _ = make_workshop()
    tc = h.socket_client(app, CONSOLE, {"workshop_id": ws_id}, app.test_client())
    assert not tc.is_connected(CONSOLE)


def test_console_refuses_after_logout(app, make_workshop):
    ws_id, _, _ = make_workshop()
    client = app.test_client()
    h.login(client)
    client.post("/logout")
    tc = h.socket_client(app, CONSOLE, {"workshop_id": ws_id}, client)
    assert not tc.is_connected(CONSOLE)


def test_console_refuses_another_facilitators_workshop(app, make_workshop, other_facilitator):
    ws_id, _, _ = make_workshop()
    client = app.test_client()
    h.login(client, "bertil@norrby.se")
    tc = h.socket_client(app, CONSOLE, {"workshop_id": ws_id}, client)
    assert not tc.is_connected(CONSOLE)


@pytest.mark.parametrize(
    "auth",
    [
        None,
        {},
        {"workshop_id": 9999},
        {"workshop_id": "1"},
        {"workshop_id": True},
        {"workshop_id": None},
        {"workshop_id": 1.0},
        [1],
    ],
    ids=["none", "empty", "unknown", "string", "bool", "null", "float", "list"],
)
def test_console_refuses_wrong_or_missing_workshop_id(app, make_workshop, auth):
    ws_id, _, _ = make_workshop()
    assert ws_id == 1  # so "1", True and 1.0 would name it if they were accepted
    client = app.test_client()
    h.login(client)
    tc = h.socket_client(app, CONSOLE, auth, client)
    assert not tc.is_connected(CONSOLE)
    assert h.socket_client(app, CONSOLE, {"workshop_id": ws_id}, client).is_connected(CONSOLE)


def test_console_connects_for_owner_with_snapshot(app, make_workshop):
    ws_id, code, ids = make_workshop()
    h.phone(app, app.test_client(), code, nickname="Greta")
    tc = h.console(app, ws_id)
    snaps = h.events(tc, CONSOLE, "snapshot")
    assert len(snaps) == 1 and snaps[0]["role"] == "console"
    assert [p["nickname"] for p in snaps[0]["presence"]["list"]] == ["Greta"]


def test_console_unknown_event(app, make_workshop):
    ws_id, _, _ = make_workshop()
    tc = h.console(app, ws_id)
    h.assert_error(tc.emit("drop_tables", {}, namespace=CONSOLE, callback=True), "unknown_event")


@pytest.mark.parametrize("event", ["goto", "set", "timer_start", "timer_stop", "reset", "moderate"])
def test_console_cannot_touch_another_workshops_activity(app, make_workshop, other_facilitator, event):
    from workshop import workshops as core
    from workshop.extensions import db
    from workshop.models import User

    ws_id, code, ids = make_workshop()
    with app.test_request_context():
        bertil = db.session.get(User, other_facilitator)
        foreign_ws = core.create_workshop(bertil, "Bertils workshop")
        foreign_ids = [core.add_activity(foreign_ws, *h.MC).id, core.add_activity(foreign_ws, *TWO[1]).id]
        foreign_ws_id, foreign_code = foreign_ws.id, foreign_ws.join_code
    # Bertil's workshop has an answer, which moderate would try to delete
    foreign_phone, _ = h.phone(app, app.test_client(), foreign_code)
    foreign_response = h.vote(foreign_phone, foreign_ids[0], "f1")["response_id"]
    tc = h.console(app, ws_id)
    before_foreign, before_mine = _state(app, foreign_ws_id), _state(app, ws_id)
    responses_before = _response_states(app)
    foreign_phone.get_received(PHONE)

    payload = _console_payloads([foreign_ids[0], foreign_ids[1]], response_id=foreign_response)[event]
    ack = tc.emit(event, payload, namespace=CONSOLE, callback=True)

    h.assert_error(ack, "unknown_activity")
    assert _state(app, foreign_ws_id) == before_foreign
    assert _state(app, ws_id) == before_mine
    assert _response_states(app) == responses_before
    assert h.events(foreign_phone, PHONE) == []


def test_console_cannot_moderate_a_foreign_response_through_own_activity(app, make_workshop, other_facilitator):
    ws_a, code_a, ids_a = make_workshop(title="A")
    ws_b, code_b, ids_b = make_workshop(title="B")
    pb, _ = h.phone(app, app.test_client(), code_b)
    foreign = h.vote(pb, ids_b[0], "b1")["response_id"]
    pa, _ = h.phone(app, app.test_client(), code_a)
    mine = h.vote(pa, ids_a[0], "a1")["response_id"]
    before = _response_states(app)
    tc = h.console(app, ws_a)

    h.assert_error(
        tc.emit(
            "moderate",
            {"activity_id": ids_a[0], "response_id": foreign, "action": "delete"},
            namespace=CONSOLE,
            callback=True,
        ),
        "unknown_response",
    )
    h.assert_error(
        tc.emit(
            "moderate",
            {"activity_id": ids_a[0], "response_id": mine, "action": "merge", "target_id": foreign},
            namespace=CONSOLE,
            callback=True,
        ),
        "unknown_response",
    )
    assert _response_states(app) == before


def test_console_rechecks_ownership_on_every_event(app, make_workshop, other_facilitator):
    """If the workshop changes hands after the console connected, its next command is refused
    (Anna a plain member here: an organisation admin would keep seeing it, tested below)."""
    from workshop.models import User, Workshop

    ws_id, _, ids = make_workshop(activities=TWO)
    tc = h.console(app, ws_id)
    h.update_row(app, User, _user_id(app, "anna@solstad.se"), role="member")
    h.update_row(app, Workshop, ws_id, owner_id=other_facilitator)
    before = _state(app, ws_id)
    h.assert_error(tc.emit("goto", {"activity_id": ids[1]}, namespace=CONSOLE, callback=True), "forbidden")
    h.assert_error(tc.emit("snapshot", {}, namespace=CONSOLE, callback=True), "forbidden")
    assert _state(app, ws_id) == before


def test_console_commands_work_for_the_owner(app, make_workshop):
    """Positive control for the refusals above: the same payloads succeed on the owner's console."""
    ws_id, code, ids = make_workshop(activities=TWO)
    tc = h.console(app, ws_id)
    payloads = _console_payloads(ids)
    for event in ("goto", "step", "set", "timer_start", "timer_stop", "reset", "snapshot"):
        ack = tc.emit(event, payloads[event], namespace=CONSOLE, callback=True)
        assert ack["ok"] is True, (event, ack)
    state = _state(app, ws_id)
    assert state["current"] == ids[1]
    assert state["activities"][0][1] is True  # locked
    assert state["activities"][0][4] == 1  # reset: generation 1


def _user_id(app, email):
    from workshop.extensions import db
    from workshop.models import User

    with app.app_context():
        uid = db.session.query(User.id).filter_by(email=email).scalar()
        db.session.remove()
    return uid


# --- shared workshops: viewer, co-facilitator, organisation admin, deactivated ---------------------


def _share(app, ws_id, user_id, role):
    """Share (role), change the role, or end the share (role None), as the share dialog does."""
    from workshop.extensions import db
    from workshop.models import WorkshopShare

    with app.app_context():
        row = db.session.query(WorkshopShare).filter_by(workshop_id=ws_id, user_id=user_id).first()
        if role is None:
            if row is not None:
                db.session.delete(row)
        elif row is None:
            db.session.add(WorkshopShare(workshop_id=ws_id, user_id=user_id, role=role))
        else:
            row.role = role
        db.session.commit()
        db.session.remove()


WRITES = ("goto", "step", "set", "timer_start", "timer_stop", "reset", "moderate")


def _every_write(act_ids, response_id):
    p = _console_payloads(act_ids, response_id)
    out = [(e, p[e]) for e in WRITES]
    out += [
        ("timer_extend", {"activity_id": act_ids[0], "seconds": 30}),
        ("approve_all", {"activity_id": act_ids[0]}),
        ("configure", {"activity_id": act_ids[0], "config": {"options": ["X", "Y"]}}),
        ("draft", {"op": "frame.update", "args": {"data": {"name_of_change": "Kapad"}}}),
        ("draft", {"op": "node.add", "args": {"data": {"title": "Kapad", "node_type": "effekt"}}}),
    ]
    return out


def test_a_viewer_sees_the_console_live_and_every_write_is_refused(app, make_workshop, other_facilitator):
    from workshop.extensions import socketio

    ws_id, code, ids = make_workshop(activities=TWO)
    _, joined = h.phone(app, app.test_client(), code)
    anna = h.console(app, ws_id)
    _share(app, ws_id, other_facilitator, "viewer")
    viewer = h.console(app, ws_id, "bertil@norrby.se")
    snap = h.events(viewer, CONSOLE, "snapshot")[-1]
    assert snap["may_edit"] is False and snap["workshop"]["id"] == ws_id
    assert h.events(anna, CONSOLE, "snapshot")[-1]["may_edit"] is True
    # reads are answered
    assert viewer.emit("snapshot", {}, namespace=CONSOLE, callback=True)["ok"] is True
    assert viewer.emit("draft_snapshot", {}, namespace=CONSOLE, callback=True)["ok"] is True
    # every write is refused and changes nothing (the list covers every console event)
    writes = _every_write(ids, 1)
    registered = set(socketio.server.handlers[CONSOLE]) - {"connect", "disconnect", "*", "snapshot", "draft_snapshot"}
    assert registered == {e for e, _ in writes}, registered ^ {e for e, _ in writes}
    before, responses = _state(app, ws_id), _response_states(app)
    for event, payload in writes:
        h.assert_error(viewer.emit(event, payload, namespace=CONSOLE, callback=True), "forbidden")
    assert _state(app, ws_id) == before and _response_states(app) == responses
    # and the viewer sees the room live: Anna moves on, the viewer's console gets the state
    viewer.get_received(CONSOLE)
    assert anna.emit("goto", {"activity_id": ids[1]}, namespace=CONSOLE, callback=True)["ok"] is True
    assert h.wait_for(
        lambda: any(
            m["name"] == "state" and m["args"][0]["current_activity_id"] == ids[1] for m in viewer.get_received(CONSOLE)
        )
    )
    del joined


def test_a_share_changed_or_ended_is_rechecked_on_the_next_event(app, make_workshop, other_facilitator):
    ws_id, _, ids = make_workshop(activities=TWO)
    _share(app, ws_id, other_facilitator, "viewer")
    tc = h.console(app, ws_id, "bertil@norrby.se")
    h.assert_error(tc.emit("goto", {"activity_id": ids[1]}, namespace=CONSOLE, callback=True), "forbidden")
    _share(app, ws_id, other_facilitator, "cofacilitator")  # promoted: the same socket may steer now
    assert tc.emit("goto", {"activity_id": ids[1]}, namespace=CONSOLE, callback=True)["ok"] is True
    _share(app, ws_id, other_facilitator, None)  # the share ended: even reading stops
    before = _state(app, ws_id)
    h.assert_error(tc.emit("snapshot", {}, namespace=CONSOLE, callback=True), "forbidden")
    h.assert_error(tc.emit("goto", {"activity_id": ids[0]}, namespace=CONSOLE, callback=True), "forbidden")
    assert _state(app, ws_id) == before


def test_two_cofacilitators_run_one_console_and_see_each_other(app, make_workshop, other_facilitator):
    """One moves the room, the other hides an answer: each console gets the other's change."""
    ws_id, code, ids = make_workshop(activities=(("open_text", "Vad behövs?", None), *TWO[1:]))
    _share(app, ws_id, other_facilitator, "cofacilitator")
    phone, _ = h.phone(app, app.test_client(), code)
    ack = phone.emit(
        "submit", {"activity_id": ids[0], "client_id": "c1", "payload": {"text": "Tid"}}, namespace=PHONE, callback=True
    )
    assert ack["ok"] is True
    h.flush(app)
    anna, bertil = h.console(app, ws_id), h.console(app, ws_id, "bertil@norrby.se")
    assert h.events(bertil, CONSOLE, "snapshot")[-1]["may_edit"] is True
    anna.get_received(CONSOLE), bertil.get_received(CONSOLE)
    rid = h.response_rows(app)[-1][0]
    ack = bertil.emit(
        "moderate", {"activity_id": ids[0], "response_id": rid, "action": "hide"}, namespace=CONSOLE, callback=True
    )
    assert ack["ok"] is True, ack
    h.flush(app)

    def hidden_seen(tc):
        return any(
            m["name"] == "results"
            and m["args"][0]["activity_id"] == ids[0]
            and any(i.get("status") == "hidden" for i in (m["args"][0].get("items") or []))
            for m in tc.get_received(CONSOLE)
        )

    assert hidden_seen(anna)
    assert anna.emit("goto", {"activity_id": ids[1]}, namespace=CONSOLE, callback=True)["ok"] is True
    h.flush(app)
    assert h.wait_for(
        lambda: any(
            m["name"] == "state" and m["args"][0]["current_activity_id"] == ids[1] for m in bertil.get_received(CONSOLE)
        )
    )


def test_an_organisation_admin_sees_but_does_not_steer_a_colleagues_workshop(app, facilitator, other_facilitator):
    """Anna (the first account: admin) watches Bertil's workshop; a member does not see Anna's."""
    ws_id, _, ids = h.setup_workshop(app, activities=TWO, email="bertil@norrby.se")
    tc = h.console(app, ws_id)
    assert h.events(tc, CONSOLE, "snapshot")[-1]["may_edit"] is False
    assert tc.emit("snapshot", {}, namespace=CONSOLE, callback=True)["ok"] is True
    h.assert_error(tc.emit("goto", {"activity_id": ids[1]}, namespace=CONSOLE, callback=True), "forbidden")
    own, _, _ = h.setup_workshop(app, activities=TWO)
    client = app.test_client()
    h.login(client, "bertil@norrby.se")
    refused = h.socket_client(app, CONSOLE, {"workshop_id": own}, client)
    assert not refused.is_connected(CONSOLE)


def test_a_deactivated_accounts_console_stops_and_cannot_reconnect(app, make_workshop, other_facilitator):
    from workshop import accounts
    from workshop.extensions import db
    from workshop.models import User

    ws_id, _, ids = make_workshop(activities=TWO)
    _share(app, ws_id, other_facilitator, "cofacilitator")
    client = app.test_client()
    h.login(client, "bertil@norrby.se")
    tc = h.socket_client(app, CONSOLE, {"workshop_id": ws_id}, client)
    assert tc.is_connected(CONSOLE)
    with app.test_request_context():
        anna = db.session.query(User).filter_by(email="anna@solstad.se").one()
        accounts.set_active(anna, db.session.get(User, other_facilitator), False)
    before = _state(app, ws_id)
    ack = tc.emit("goto", {"activity_id": ids[1]}, namespace=CONSOLE, callback=True)
    assert ack is None or ack["ok"] is False
    assert _state(app, ws_id) == before
    again = h.socket_client(app, CONSOLE, {"workshop_id": ws_id}, client)
    assert not again.is_connected(CONSOLE)
    assert client.get(f"/f/w/{ws_id}/console").status_code == 302  # logged out
