"""``/phone`` namespace: what a participant's phone may do. Nothing here reaches the console."""

from __future__ import annotations

from typing import NoReturn

from flask import current_app, g, request
from flask_babel import gettext
from flask_socketio import ConnectionRefusedError, join_room
from sqlalchemy import bindparam, select

from workshop.activities import InputError
from workshop.extensions import db, socketio
from workshop.inputs.rules import rate_limited
from workshop.models import Participant, Workshop
from workshop.realtime import PHONE, connections, phone_slice, room
from workshop.realtime.connections import Conn
from workshop.realtime.handlers import event, field, ok
from workshop.realtime.payloads import phone_snapshot, read_version
from workshop.realtime.phone_view import phone_view_of
from workshop.responses import forget_participant
from workshop.runtime import broadcaster, input_writer, limits

# The participant and what of its workshop a connect decides on, in one statement.
_BY_TOKEN = (
    select(
        Participant.id,
        Participant.token,
        Participant.nickname,
        Participant.perspective,
        Participant.workshop_id,
        Workshop.status,
        Workshop.language,
        Workshop.presenter_key,
        Workshop.state_revision,
    )
    .join(Workshop, Workshop.id == Participant.workshop_id)
    .where(Participant.token == bindparam("token"))
)


@socketio.on("connect", namespace=PHONE)
def on_connect(auth=None):
    token = auth.get("token") if isinstance(auth, dict) else None
    participant = None
    # Read before the participant and its workshop: the snapshot built from them is at least
    # as new as this version, without reading them again.
    version = read_version()
    if isinstance(token, str) and len(token) <= 64:
        participant = db.session.execute(_BY_TOKEN, {"token": token}).first()
    if participant is None:
        g.locale = "sv"
        _refuse_unknown()
    g.locale = participant.language
    if participant.status != "open":
        raise ConnectionRefusedError(
            gettext("The workshop is closed for answers."),
            {"code": "closed", "message": gettext("The workshop is closed for answers.")},
        )
    # What phones are told of the workshop, kept per state revision (one read per change,
    # not one per phone).
    view = phone_view_of(participant.workshop_id, participant.presenter_key, participant.state_revision)
    if view is None:  # deleted since the line above
        _refuse_unknown()
    # Per token: a phone reconnecting with back-off stays far below both; a script holding
    # hundreds of sockets (each one a snapshot to build) does not.
    settings = current_app.extensions["settings"]
    if connections.sockets_of(participant.token) >= settings.phone_sockets_max or not limits().allow(
        "phone_connect", str(participant.id)
    ):
        message = gettext("Too many connections from this phone. Close other tabs with the workshop and wait a moment.")
        raise ConnectionRefusedError(message, {"code": "rate_limited", "message": message})
    input_writer().touch()
    wid = participant.workshop_id
    connections.register(
        PHONE,
        request.sid,
        Conn("phone", wid, participant_id=participant.id, language=participant.language),
        owner=participant.token,
    )
    join_room(room(wid))
    join_room(phone_slice(wid, participant.id))
    # The connection is on this process: no need to publish through the message queue.
    socketio.emit(
        "snapshot",
        phone_snapshot(view, participant, broadcaster().phone_results, version),
        to=request.sid,
        namespace=PHONE,
        ignore_queue=True,
    )
    # A phone that (re)connects here may come from a process that died between committing
    # inputs and its next results round (kill -9): in a scale-out no other process would
    # recompute, and the presenter on another process would keep an old total. So the current
    # activity's results go out again on this process's next round (coalesced, one read).
    current = view.state["current_activity_id"]
    if current is not None:
        broadcaster().resend(current)
    db.session.remove()


def _refuse_unknown() -> NoReturn:
    message = gettext("Join the workshop with its code first.")
    raise ConnectionRefusedError(message, {"code": "unknown_participant", "message": message})


@socketio.on("disconnect", namespace=PHONE)
def on_disconnect(*_args):
    connections.drop(PHONE, request.sid)


def _participant(conn: Conn) -> Participant:
    p = db.session.get(Participant, conn.participant_id)
    if p is None:
        raise InputError("unknown_participant", gettext("Join the workshop with its code first."))
    return p


@socketio.on("submit", namespace=PHONE)
@event("phone")
def on_submit(conn: Conn, payload):
    """Store one input; the ack is sent only after it is committed."""
    if conn.participant_id is None:  # a phone connection is always made for a participant
        raise InputError("forbidden", gettext("Not allowed."))
    # Counted per phone and per address: by the writer, with the rest of its batch; what is
    # not even an object here (a flood of garbage is limited like votes).
    per = (("submit", str(conn.participant_id)), ("submit_address", request.remote_addr or "?"))
    if not isinstance(payload, dict) and not limits().allow_each(*per):
        raise rate_limited()
    activity_id, client_id, body = field(payload, "activity_id"), field(payload, "client_id"), field(payload, "payload")
    stored = input_writer().store(
        conn.participant_id, conn.workshop_id, activity_id, client_id, body, conn.language, per
    )
    if stored.activity_id is not None:
        # Also after a resend that was already stored: the process that stored it may have
        # died between its commit and its next results round, and in a scale-out nobody else
        # would recompute. One extra (coalesced) round costs nothing.
        broadcaster().mark(stored.activity_id)
    if stored.changed_draft:
        # The input changed the draft analysis (an effect on the wall): the console's draft
        # page and the other method activities follow.
        broadcaster().mark_draft(conn.workshop_id)
    return ok(response_id=stored.response_id, duplicate=stored.duplicate, data=stored.data, status=stored.status)


@socketio.on("forget", namespace=PHONE)
@event("phone")
def on_forget(conn: Conn, payload):
    """The participant deletes their own answers (``{"confirm": true}``; anything else is refused)."""
    if field(payload, "confirm") is not True:
        raise InputError("invalid", gettext("Invalid value."))
    p = _participant(conn)
    for activity_id in forget_participant(p):
        broadcaster().mark(activity_id)
    return ok()


@socketio.on("snapshot", namespace=PHONE)
@event("phone")
def on_snapshot(conn: Conn, _payload):
    if not limits().allow("phone_snapshot", str(conn.participant_id)):
        raise InputError("rate_limited", gettext("Too many requests in a short time. Wait a moment."))
    p = _participant(conn)
    return ok(snapshot=phone_snapshot(p.workshop, p, broadcaster().phone_results))


@socketio.on("*", namespace=PHONE)
def on_unknown(event_name, *_args):
    """Any other event (a facilitator command, a typo) is refused with an error ack."""
    g.locale = "sv"
    conn = connections.get(PHONE, request.sid)
    if conn is not None:
        g.locale = conn.language
    return {"ok": False, "error": {"code": "forbidden", "message": gettext("Not allowed.")}}
