"""``/console`` (facilitator) and ``/screen`` (presenter) socket namespaces.

The console namespace accepts a connection only from a logged-in facilitator with a role in the
workshop (``workshop.access``: owner, co-facilitator, viewer, organisation admin); every event
re-checks the login and the role: reads need ``view``, every change ``edit`` (a viewer's console
shows the room live and changes nothing). The screen namespace is read-only, except that the
presenter window opened by a signed-in facilitator who may edit the workshop may steer
(next/previous, show/hide results, lock, timer): that is re-checked on every such event.
"""

from __future__ import annotations

import hmac

from flask import g, request, session
from flask_babel import gettext
from flask_login import current_user
from flask_socketio import ConnectionRefusedError, join_room

from workshop import access, live, login_sessions, progress
from workshop.activities import InputError
from workshop.extensions import db, socketio
from workshop.login_sessions import token_hash
from workshop.models import User, Workshop
from workshop.ratelimit import mark_reached
from workshop.realtime import CONSOLE, SCREEN, connections, room
from workshop.realtime.connections import Conn
from workshop.realtime.handlers import event, field, ok
from workshop.realtime.payloads import console_snapshot, screen_snapshot
from workshop.responses import approve_all, moderate
from workshop.runtime import broadcaster, limits


def _workshop_id(auth) -> int | None:
    wid = auth.get("workshop_id") if isinstance(auth, dict) else None
    return wid if isinstance(wid, int) and not isinstance(wid, bool) else None


# --- console --------------------------------------------------------------------------


@socketio.on("connect", namespace=CONSOLE)
def console_connect(auth=None):
    g.locale = "sv"
    if not current_user.is_authenticated:
        raise ConnectionRefusedError(
            gettext("Log in as facilitator first."),
            {"code": "forbidden", "message": gettext("Log in as facilitator first.")},
        )
    wid = _workshop_id(auth)
    ws = db.session.get(Workshop, wid) if wid is not None else None
    role = access.role_in(current_user, ws)
    if ws is None or role is None:
        raise ConnectionRefusedError(gettext("Not allowed."), {"code": "forbidden", "message": gettext("Not allowed.")})
    # The facilitator reads errors in the language chosen for the pages.
    lang = session.get("lang") if session.get("lang") in ("sv", "en") else "sv"
    # The room's phones are usually on the same network as the console and the screen.
    mark_reached(limits(), request.remote_addr or "?", ws.id)
    login = token_hash(current_user.login_token)
    connections.register(
        CONSOLE,
        request.sid,
        Conn("console", ws.id, user_id=current_user.id, language=lang, login=login),
        owner=f"login:{login}",
    )
    join_room(room(ws.id))
    snap = {**console_snapshot(ws), "may_edit": access.allows(role, "edit")}
    socketio.emit("snapshot", snap, to=request.sid, namespace=CONSOLE, ignore_queue=True)
    if ws.is_self_paced:
        # "3 new since you were here on Tuesday 14:05": the page read the last visit, this is the new one.
        progress.record_visit(ws, current_user.id)
    db.session.remove()


def end_console_sockets(logins: list[str]) -> None:
    """Disconnect this process's console sockets of ended logins (other processes refuse their
    next event: ``_ws`` checks the login)."""
    for login in logins:
        for namespace, sid in connections.sids_of(f"login:{login}"):
            socketio.server.disconnect(sid, namespace=namespace)


def end_screen_sockets(workshop_id: int) -> None:
    """Disconnect this process's presenter screens of a workshop whose presenter address was
    replaced or closed; they cannot reconnect with the old key."""
    for namespace, sid in connections.sids_of(f"screen:{workshop_id}"):
        socketio.server.disconnect(sid, namespace=namespace)


@socketio.on("disconnect", namespace=CONSOLE)
def console_disconnect(*_args):
    connections.drop(CONSOLE, request.sid)


def _ws(conn: Conn, need: access.Need = "edit") -> Workshop:
    # The login is checked on every event: logged out (here or on another process), timed out,
    # ended by a password change or a deactivation, the console stops at once.
    # A presenter opened with the link alone steers nothing (and is not disconnected for trying).
    if conn.user_id is None:
        raise InputError("forbidden", gettext("Not allowed."))
    if not login_sessions.alive(conn.login):
        if conn.role == "console":  # a presenter window keeps showing the room; it only stops steering
            socketio.server.disconnect(request.sid, namespace=CONSOLE)  # type: ignore[attr-defined]
        raise InputError("session_ended", gettext("You are logged out. Log in again."))
    ws = db.session.get(Workshop, conn.workshop_id)
    # The role is checked again: the share could have been changed or ended since connecting.
    if not access.may(db.session.get(User, conn.user_id), ws, need):
        raise InputError("forbidden", gettext("Not allowed."))
    assert ws is not None
    return ws


# --- steering: the console, and the presenter window of the signed-in owner --------------
#
# A presentation clicker sends its keys to whichever window has focus, so the presenter
# window may steer too, with the same events, but only when the facilitator who may run the
# console opened it while signed in (``screen_connect`` records the account); a presenter
# opened with the link alone stays read-only.


def _steer(name: str):
    """Register ``fn(ws, payload) -> Activity | None`` as event ``name`` on both namespaces."""

    def wrap(fn):
        def run(conn: Conn, payload):
            ws = _ws(conn)
            act = fn(ws, payload)
            # The acknowledgement names the state version the change produced, so a window
            # takes its next key only once it shows that state (static/js/keys.js inOrder).
            return ok(version=broadcaster().push_state(ws, act))

        run.__name__ = f"on_{name}"
        socketio.on(name, namespace=CONSOLE)(event("console")(run))
        socketio.on(name, namespace=SCREEN)(event("screen")(run))
        return fn

    return wrap


@_steer("goto")
def _goto(ws: Workshop, payload):
    return live.goto(ws, field(payload, "activity_id"))


@_steer("step")
def _step(ws: Workshop, payload):
    delta = field(payload, "delta")
    if type(delta) is not int or delta not in (-1, 1):
        raise InputError("invalid", gettext("Invalid value."))
    return live.step(ws, delta)


@_steer("set")
def _set(ws: Workshop, payload):
    """Lock/unlock input, show/hide results, whether results start hidden, whether the timer closes input."""
    return live.set_flag(ws, field(payload, "activity_id"), field(payload, "flag"), field(payload, "value"))


@_steer("timer_start")
def _timer_start(ws: Workshop, payload):
    return live.start_timer(ws, field(payload, "activity_id"), field(payload, "seconds"), field(payload, "closes"))


@_steer("timer_extend")
def _timer_extend(ws: Workshop, payload):
    return live.extend_timer(ws, field(payload, "activity_id"), field(payload, "seconds", 30))


@_steer("timer_stop")
def _timer_stop(ws: Workshop, payload):
    return live.stop_timer(ws, field(payload, "activity_id"))


@socketio.on("reset", namespace=CONSOLE)
@event("console")
def on_reset(conn: Conn, payload):
    ws = _ws(conn)
    act = live.reset(ws, field(payload, "activity_id"))
    broadcaster().push_state(ws, act)


@socketio.on("moderate", namespace=CONSOLE)
@event("console")
def on_moderate(conn: Conn, payload):
    ws = _ws(conn)
    act = live.activity_of(ws, field(payload, "activity_id"))
    moderate(act, field(payload, "response_id"), field(payload, "action"), field(payload, "target_id"))
    broadcaster().mark(act.id)


@socketio.on("approve_all", namespace=CONSOLE)
@event("console")
def on_approve_all(conn: Conn, payload):
    """Approve every answer of the activity awaiting review, as one operation."""
    ws = _ws(conn)
    act = live.activity_of(ws, field(payload, "activity_id"))
    approved = approve_all(act)
    broadcaster().mark(act.id)
    return ok(approved=approved)


@socketio.on("configure", namespace=CONSOLE)
@event("console")
def on_configure(conn: Conn, payload):
    """Change an activity's settings live (e.g. start the second round of estimates)."""
    from workshop.activities import get_kind

    ws = _ws(conn)
    act = live.activity_of(ws, field(payload, "activity_id"))
    patch = field(payload, "config")
    if not isinstance(patch, dict):
        raise InputError("invalid", gettext("The input must be an object."))
    kind = get_kind(act.kind)
    act.config = kind.validate_config({**kind.config(act.config).model_dump(), **patch})
    db.session.commit()
    broadcaster().push_state(ws, act)


@socketio.on("snapshot", namespace=CONSOLE)
@event("console")
def on_console_snapshot(conn: Conn, _payload):
    return ok(snapshot=console_snapshot(_ws(conn, "view")))


# --- presenter screen ------------------------------------------------------------------


@socketio.on("connect", namespace=SCREEN)
def screen_connect(auth=None):
    g.locale = "sv"
    wid = _workshop_id(auth)
    key = auth.get("key") if isinstance(auth, dict) else None
    ws = db.session.get(Workshop, wid) if wid is not None else None
    if (
        ws is None
        or ws.status != "open"
        or not isinstance(key, str)
        or not hmac.compare_digest(ws.presenter_key.encode(), key.encode())
    ):
        raise ConnectionRefusedError(gettext("Not allowed."), {"code": "forbidden", "message": gettext("Not allowed.")})
    mark_reached(limits(), request.remote_addr or "?", ws.id)
    # A facilitator signed in on this browser who may edit the workshop may steer from the
    # presenter window (see above).
    owner = current_user.id if access.may(current_user, ws, "edit") else None
    # Its steering ends with that login, as a console's does (``_ws`` checks it on every event).
    login = token_hash(current_user.login_token) if owner is not None else None
    connections.register(
        SCREEN,
        request.sid,
        Conn("screen", ws.id, user_id=owner, language=ws.language, login=login),
        owner=f"screen:{ws.id}",
    )
    join_room(room(ws.id))
    snap = {**screen_snapshot(ws), "may_steer": owner is not None}
    socketio.emit("snapshot", snap, to=request.sid, namespace=SCREEN, ignore_queue=True)
    db.session.remove()


@socketio.on("disconnect", namespace=SCREEN)
def screen_disconnect(*_args):
    connections.drop(SCREEN, request.sid)


@socketio.on("snapshot", namespace=SCREEN)
@event("screen")
def on_screen_snapshot(conn: Conn, _payload):
    ws = db.session.get(Workshop, conn.workshop_id)
    if ws is None:
        raise InputError("forbidden", gettext("Not allowed."))
    return ok(snapshot=screen_snapshot(ws))


@socketio.on("*", namespace=SCREEN)
def on_screen_unknown(event_name, *_args):
    """Every other event is refused on the presenter screen."""
    return {"ok": False, "error": {"code": "forbidden", "message": gettext("Not allowed.")}}


@socketio.on("*", namespace=CONSOLE)
def on_console_unknown(event_name, *_args):
    return {"ok": False, "error": {"code": "unknown_event", "message": gettext("Unknown action.")}}


# --- draft analysis --------------------------------------------------------------------


@socketio.on("draft", namespace=CONSOLE)
@event("console")
def on_draft(conn: Conn, payload):
    """Edit the draft analysis: {op, args}. The new draft reaches every console coalesced."""
    from workshop.draft.ops import apply

    ws = _ws(conn)
    out = apply(ws, field(payload, "op"), field(payload, "args"))
    broadcaster().mark_draft(ws.id)
    return ok(**out)


@socketio.on("draft_snapshot", namespace=CONSOLE)
@event("console")
def on_draft_snapshot(conn: Conn, _payload):
    from workshop.draft.serialize import analysis_dict
    from workshop.draft.service import analysis_for, analysis_to_show

    ws = _ws(conn, "view")
    if not access.may(db.session.get(User, conn.user_id), ws, "edit"):
        return ok(draft=analysis_dict(analysis_to_show(ws)))  # a viewer's read never writes
    analysis = analysis_for(ws)
    db.session.commit()
    return ok(draft=analysis_dict(analysis))
