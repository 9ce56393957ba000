"""Join flow over HTTP. After joining, everything runs over the ``/phone`` socket namespace."""

from __future__ import annotations

import secrets
import unicodedata

from flask import abort, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext

from workshop.activities import all_kinds
from workshop.assets import assets
from workshop.browser_strings import kind_strings, phone_kinds, phone_strings
from workshop.extensions import csrf, db
from workshop.i18n import LANGUAGES
from workshop.models import Participant, Workshop
from workshop.ratelimit import has_reached, mark_reached
from workshop.routing import public_url_for
from workshop.runtime import broadcaster, limits
from workshop.validation.types import has_lone_surrogate
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
        return render_template(
            "participant/start.html",
            code=code,
            error=gettext("The code has 8 digits. Check the screen in the room and try again."),
        ), 400
    return render_template("participant/start.html", code="")


def _address() -> str:
    return request.remote_addr or "?"


def _rate_limited_message() -> str:
    return gettext(
        "Too many wrong codes from your network. Check the code on the screen, or wait a while and try again."
    )


def lookup(code: str, token: object = None) -> tuple[Workshop | None, str | None]:
    """Find the open workshop a join code names, for every route that tells whether a code
    exists (join, phone page, QR link, QR image). Returns ``(ws, None)`` or ``(None, reason)``
    with reason ``unknown_code`` or ``rate_limited``.

    Wrong codes count per address. An address over that limit still reaches a workshop it has
    reached before (a join, its phone page, or its screen or console shown from there) and a
    phone still rejoins with its own token: one person typing wrong codes cannot lock the
    hall out, and a guesser over the limit is told nothing about codes it did not know."""
    rl, addr = limits(), _address()
    over = rl.over("join", addr)
    ws = find_open_workshop(code if isinstance(code, str) else "")
    if over:
        if ws is not None and (has_reached(rl, addr, ws.id) or _own_token(ws, token)):
            return ws, None
        return None, "rate_limited"
    if ws is None:
        rl.allow("join", addr)
        return None, "unknown_code"
    mark_reached(rl, addr, ws.id)
    return ws, None


def _own_token(ws: Workshop, token: object) -> bool:
    return (
        isinstance(token, str)
        and 20 <= len(token) <= 64
        and db.session.query(Participant.id).filter_by(token=token, workshop_id=ws.id).first() is not None
    )


def _page_refusal(code: str, reason: str | None):
    if reason == "rate_limited":
        return render_template("participant/start.html", code=code, error=_rate_limited_message()), 429
    return render_template("participant/start.html", code=code, error=gettext("No open workshop has that code.")), 404


@bp.get("/j/<code>")
def join_link(code: str):
    """The address in the QR code: the workshop's phone page itself (a redirect would cost a
    slow phone network another round trip before anything shows)."""
    return phone(code)


@bp.get("/w/<code>")
def phone(code: str):
    """The phone page (also at the older address /w/<code>, which open tabs still reload)."""
    ws, reason = lookup(code)
    if ws is None:
        return _page_refusal(code, reason)
    g.locale = ws.language
    kinds = list(dict.fromkeys(a.kind for a in ws.activities))
    current = None if ws.is_self_paced else next((a for a in ws.activities if a.id == ws.current_activity_id), None)
    # Fetched at once, beside phone.js, instead of one after the other as the imports are read.
    preload = list(dict.fromkeys(["js/core.js", *(assets().kind_modules(current.kind) if current else [])]))
    page_kinds = phone_kinds(kinds)
    return render_template(
        "participant/phone.html",
        ws=ws,
        preload=preload,
        page_kinds=page_kinds,
        stylesheet_name=assets().phone_stylesheet(page_kinds),
        strings=phone_strings(kinds),
    )


@bp.get("/api/strings/<lang>/<kind>.json")
def strings_of_kind(lang: str, kind: str):
    """The strings of a kind the phone page did not embed (added to the workshop after the
    page was opened); static/js/core.js fetches them with the kind's module."""
    if lang not in LANGUAGES or kind not in all_kinds():
        abort(404)
    g.locale = lang
    response = jsonify(kind_strings(phone_kinds([kind])))
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


class _Unstorable(ValueError):
    pass


def _clean(value, limit: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError
    value = " ".join(value.split())
    if len(value) > limit:
        raise ValueError
    if has_lone_surrogate(value) or any(unicodedata.category(c) == "Cc" for c in value):
        raise _Unstorable
    return value


@bp.post("/api/join")
@csrf.exempt  # no cookie carries authority here: the phone's token travels in the body
def api_join():
    """Join or rejoin a workshop. Body: {code, token?, nickname?, perspective?}.

    Answers {token, participant, workshop_id}. A known token for this workshop rejoins as the
    same participant (and may update nickname/perspective); anything else creates one.
    """
    try:
        body = request.get_json(silent=True)
    except RecursionError:  # nested deeper than the parser goes: not a join request either
        body = None
    if not isinstance(body, dict):
        if limits().over("join", _address()):
            return _join_refusal("rate_limited")
        return jsonify(ok=False, error={"code": "invalid", "message": gettext("The input must be an object.")}), 400
    ws, reason = lookup(body.get("code"), body.get("token"))
    if ws is None:
        return _join_refusal(reason)
    g.locale = ws.language
    try:
        nickname = _clean(body.get("nickname"), NICK_MAX)
        perspective = _clean(body.get("perspective"), 120)
    except _Unstorable:
        message = gettext("The text contains characters that are not allowed.")
        return jsonify(ok=False, error={"code": "invalid", "message": message}), 400
    except ValueError:
        return jsonify(
            ok=False,
            error={
                "code": "invalid",
                "message": ngettext(
                    "Too long: at most %(n)s character.", "Too long: at most %(n)s characters.", NICK_MAX, n=NICK_MAX
                ),
            },
        ), 400
    if perspective and perspective not in (ws.perspectives or []):
        return jsonify(ok=False, error={"code": "invalid", "message": gettext("Not one of the allowed values.")}), 400
    token = body.get("token")
    participant = None
    if isinstance(token, str) and 20 <= len(token) <= 64:
        participant = db.session.query(Participant).filter_by(token=token, workshop_id=ws.id).first()
    if participant is None:
        # Each new participant counts for its address: a script cannot mint a crowd.
        if not limits().allow("join_new", _address()):
            return jsonify(
                ok=False,
                error={
                    "code": "rate_limited",
                    "message": gettext(
                        "Too many people have joined from your network just now. Wait a minute and try again."
                    ),
                },
            ), 429
        participant = Participant(workshop_id=ws.id, token=secrets.token_urlsafe(24))
        db.session.add(participant)
    if "nickname" in body:
        participant.nickname = nickname if ws.ask_nickname else ""
    if "perspective" in body:
        participant.perspective = perspective
    db.session.flush()
    # Read before the commit, which expires them (reading them after would load the row again).
    answer = {
        "ok": True,
        "token": participant.token,
        "participant": {"id": participant.id, "nickname": participant.nickname, "perspective": participant.perspective},
        "workshop_id": ws.id,
    }
    db.session.commit()
    broadcaster().mark_presence(answer["workshop_id"], answer["participant"]["id"])
    return jsonify(answer)


def _join_refusal(reason: str):
    if reason == "rate_limited":
        return jsonify(ok=False, error={"code": "rate_limited", "message": _rate_limited_message()}), 429
    return jsonify(ok=False, error={"code": "unknown_code", "message": gettext("No open workshop has that code.")}), 404


@bp.get("/tillganglighet")
def accessibility():
    """The accessibility statement (tillgänglighetsredogörelse), linked from every page."""
    from flask import current_app
    from flask_babel import get_locale

    settings = current_app.extensions["settings"]
    contact = settings.accessibility_contact
    is_url = contact.startswith(("https://", "http://"))
    lang = "en" if str(get_locale()) == "en" else "sv"
    return render_template(
        f"participant/accessibility_{lang}.html",
        operator=settings.operator_name,
        contact_url=contact if is_url else "",
        contact_mail=contact if contact and not is_url and "@" in contact else "",
    )


@bp.get("/healthz")
def healthz():
    db.session.execute(db.text("SELECT 1"))
    return {"ok": True}


@bp.get("/qr/<code>.svg")
def qr(code: str):
    from workshop.qr import qr_svg

    ws, reason = lookup(code)
    if ws is None:
        abort(429 if reason == "rate_limited" else 404)
    svg = qr_svg(public_url_for("participant.join_link", code=ws.join_code))
    return svg, 200, {"Content-Type": "image/svg+xml", "Cache-Control": "public, max-age=3600"}
