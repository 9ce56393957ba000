"""Who may try a password, and how often: failures count against guessers, never against
the facilitator who knows the password.

A browser that has logged in to an account before carries a signed *device cookie* naming
that account (OWASP: "Slow down online guessing attacks with device cookies"). Its attempts
have their own budget, so wrong passwords sent from anywhere else never lock it out. Other
attempts count per (account, address), per address over all accounts, and per account over
all addresses; over any of those the attempt is refused without looking at the password, so a
guesser gets no answer at all. The figures are in ``docs/configuration.md`` ("Rate limits").
"""

from __future__ import annotations

import secrets

from flask import Response, current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from workshop.runtime import limits

DEVICE_COOKIE = "nv_device"
DEVICE_MAX_AGE = 365 * 24 * 3600


def _serializer() -> URLSafeTimedSerializer:
    key = current_app.secret_key
    if key is None:  # the app always has one; itsdangerous cannot sign without it either
        raise TypeError("the app has no SECRET_KEY")
    return URLSafeTimedSerializer(key, salt="login-device")


def account_key(email: str) -> str:
    return (email or "").strip().lower()[:254]


def _device(email: str) -> str | None:
    """The device id when this browser has logged in to ``email``'s account before."""
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw or len(raw) > 512:
        return None
    try:
        data = _serializer().loads(raw, max_age=DEVICE_MAX_AGE)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("e") != account_key(email) or not isinstance(data.get("d"), str):
        return None
    return data["d"]


def _keys(email: str) -> list[tuple[str, ...]]:
    """The counters a failed attempt adds to (rule, *key)."""
    device, addr, account = _device(email), request.remote_addr or "?", account_key(email)
    if device is not None:
        return [("login_device", device)]
    return [("login", account, addr), ("login_address", addr), ("login_account", account)]


def refused(email: str) -> bool:
    """True when this attempt must not be checked at all (its budget is spent)."""
    return any(limits().over(*k) for k in _keys(email))


def failed(email: str) -> None:
    for k in _keys(email):
        limits().allow(*k)


def remember_device(response: Response, email: str) -> Response:
    """After a correct password: this browser is known to the account from now on."""
    token = _serializer().dumps({"e": account_key(email), "d": secrets.token_urlsafe(12)})
    settings = current_app.extensions["settings"]
    response.set_cookie(
        DEVICE_COOKIE,
        token,
        max_age=DEVICE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.secure_cookies,
        path="/login",
    )
    return response
