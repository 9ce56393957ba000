"""Join flow over HTTP. After joining, everything runs over the ``/phone`` socket namespace."""

from __future__ import annotations

import secrets

from flask import abort, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext

from workshop.extensions import csrf, db
from workshop.models import Participant
from workshop.runtime import broadcaster, limits
from workshop.workshops import find_open_workshop

from . import bp

NICK_MAX = 40


@bp.get("/")
def start():
    """Start page; the form also works without JS (GET /?code=…)."""
    code = request.args.get("code", "")
    if code:
        digits = "".join(ch for ch in code if ch.isdigit())
        if len(digits) == 8:
            return redirect(url_for("participant.join_link", code=digits))
        return render_template("participant/start.html", code=code,
                               error=gettext("The code has 8 digits. Check the screen in the room and try again.")), 400
    return render_template("participant/start.html", code="")


@bp.get("/j/<code>")
def join_link(code: str):
    """The address in the QR code: straight to the workshop's phone page."""
    ws = find_open_workshop(code)
    if ws is None:
        return render_template("participant/start.html", code=code, error=gettext("No open workshop has that code.")), 404
    return redirect(url_for("participant.phone", code=ws.join_code))


@bp.get("/w/<code>")
def phone(code: str):
    ws = find_open_workshop(code)
    if ws is None:
        return render_template("participant/start.html", code=code, error=gettext("No open workshop has that code.")), 404
    g.locale = ws.language
    return render_template("participant/phone.html", ws=ws)


def _clean(value, limit: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError
    value = " ".join(value.split())
    if len(value) > limit:
        raise ValueError
    return value


@bp.post("/api/join")
@csrf.exempt  # no cookie carries authority here: the phone's token travels in the body
def api_join():
    """Join or rejoin a workshop. Body: {code, token?, nickname?, perspective?}.

    Answers {token, participant, workshop_id}. A known token for this workshop rejoins as the
    same participant (and may update nickname/perspective); anything else creates one.
    """
    addr = request.remote_addr or "?"
    # Only failed guesses count: a room behind one NAT joins freely, a guesser is stopped.
    if limits().over("join", addr):
        return jsonify(ok=False, error={"code": "rate_limited", "message": gettext("Too many attempts. Wait a minute and try again.")}), 429
    try:
        body = request.get_json(silent=True)
    except RecursionError:  # nested deeper than the parser goes: not a join request either
        body = None
    if not isinstance(body, dict):
        return jsonify(ok=False, error={"code": "invalid", "message": gettext("The input must be an object.")}), 400
    ws = find_open_workshop(body.get("code") if isinstance(body.get("code"), str) else "")
    if ws is None:
        limits().allow("join", addr)
        return jsonify(ok=False, error={"code": "unknown_code", "message": gettext("No open workshop has that code.")}), 404
    g.locale = ws.language
    try:
        nickname = _clean(body.get("nickname"), NICK_MAX)
        perspective = _clean(body.get("perspective"), 120)
    except ValueError:
        return jsonify(ok=False, error={"code": "invalid", "message": gettext("Too long: at most %(n)s characters.", n=NICK_MAX)}), 400
    if perspective and perspective not in (ws.perspectives or []):
        return jsonify(ok=False, error={"code": "invalid", "message": gettext("Not one of the allowed values.")}), 400
    token = body.get("token")
    participant = None
    if isinstance(token, str) and 20 <= len(token) <= 64:
        participant = db.session.query(Participant).filter_by(token=token, workshop_id=ws.id).first()
    if participant is None:
        participant = Participant(workshop_id=ws.id, token=secrets.token_urlsafe(24))
        db.session.add(participant)
    if "nickname" in body:
        participant.nickname = nickname if ws.ask_nickname else ""
    if "perspective" in body:
        participant.perspective = perspective
    db.session.commit()
    broadcaster().mark_presence(ws.id)
    return jsonify(
        ok=True,
        token=participant.token,
        participant={"id": participant.id, "nickname": participant.nickname, "perspective": participant.perspective},
        workshop_id=ws.id,
    )


@bp.get("/healthz")
def healthz():
    db.session.execute(db.text("SELECT 1"))
    return {"ok": True}


@bp.get("/qr/<code>.svg")
def qr(code: str):
    from workshop.qr import qr_svg

    ws = find_open_workshop(code)
    if ws is None:
        abort(404)
    svg = qr_svg(url_for("participant.join_link", code=ws.join_code, _external=True))
    return svg, 200, {"Content-Type": "image/svg+xml", "Cache-Control": "public, max-age=3600"}
