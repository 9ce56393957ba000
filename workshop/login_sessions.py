"""Facilitator logins that end: server-side, revocable, with idle and absolute timeouts.

A login is a row (:class:`~workshop.models.LoginSession`) named by a random token; the session
cookie and the remember-me cookie carry the token (Flask-Login stores ``User.get_id()``), the
database only its SHA-256. So:

* logging out deletes the row: a copied session or remember-me cookie no longer works, and the
  console sockets of that login are disconnected;
* a password change ends every other login of the account;
* a login ends after ``session_idle_minutes`` without a request (kept in the signed session
  cookie, so reading a page never writes to the database) and ``session_absolute_hours`` after
  the password was given (``remember_days`` when "Kom ihåg mig" was ticked).

The figures live in :class:`~workshop.config.Settings` and ``docs/configuration.md``.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from datetime import timedelta

from flask import current_app, session
from flask_login import login_user, logout_user
from sqlalchemy import delete, select

from .extensions import db
from .models import LoginSession, User, utcnow

SEEN = "_nv_seen"  # when this browser last made a request, in the signed session cookie
SEEN_GRANULARITY = 60  # seconds: the cookie is rewritten at most once a minute


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _settings():
    return current_app.extensions["settings"]


def _absolute(row: LoginSession) -> timedelta:
    s = _settings()
    return timedelta(days=s.remember_days) if row.remember else timedelta(hours=s.session_absolute_hours)


def start(user: User, remember: bool = False) -> None:
    """Log ``user`` in with a fresh login (a new token: never one an attacker planted)."""
    token = secrets.token_urlsafe(32)
    db.session.add(LoginSession(user_id=user.id, token_hash=token_hash(token), remember=remember))
    db.session.commit()
    user.login_token = token
    session.clear()  # no state from before the login survives it (session fixation)
    login_user(user, remember=remember)
    session[SEEN] = int(time.time())


def _row(token: str) -> LoginSession | None:
    if not token or len(token) > 128:
        return None
    return db.session.scalar(select(LoginSession).where(LoginSession.token_hash == token_hash(token)))


def alive(token_sha: str | None) -> bool:
    """Whether the login with this token hash still exists and is within its absolute timeout
    (what a console socket checks on every event)."""
    if not token_sha:
        return False
    row = db.session.scalar(select(LoginSession).where(LoginSession.token_hash == token_sha))
    return row is not None and utcnow() - row.created_at <= _absolute(row)


def load(token: str) -> User | None:
    """Flask-Login's user loader: the account of a live login, else nobody."""
    row = _row(token)
    if row is None:
        return None
    if utcnow() - row.created_at > _absolute(row):
        return None  # the row goes at the next login's purge: a page read never writes
    if not row.remember:
        # Idle timeout. "Kom ihåg mig" is the explicit choice to stay logged in on this device
        # (bounded by remember_days); other logins end after a while without a request.
        seen = session.get(SEEN)
        if not isinstance(seen, int) or time.time() - seen > _settings().session_idle_minutes * 60:
            return None
    user = db.session.get(User, row.user_id)
    if user is None or not user.active:
        return None  # deactivated: its rows were deleted too; this guards a race with that
    user.login_token = token
    return user


def touch() -> None:
    """After a request of a logged-in facilitator: note the time in the session cookie."""
    if "_user_id" in session:
        now = int(time.time())
        seen = session.get(SEEN)
        if not isinstance(seen, int) or now - seen >= SEEN_GRANULARITY:
            session[SEEN] = now


def end(user: User | None) -> str | None:
    """Log out: delete this login's row, clear the cookies. Returns the ended token's hash."""
    ended = None
    token = getattr(user, "login_token", None)
    if token:
        ended = token_hash(token)
        db.session.execute(delete(LoginSession).where(LoginSession.token_hash == ended))
        db.session.commit()
    session.clear()
    logout_user()  # after clear(): it leaves the mark that deletes the remember-me cookie
    return ended


def end_others(user: User) -> list[str]:
    """End every login of ``user`` but the current one (after a password change)."""
    keep = token_hash(user.login_token) if user.login_token else ""
    rows = db.session.scalars(
        select(LoginSession).where(LoginSession.user_id == user.id, LoginSession.token_hash != keep)
    ).all()
    hashes = [r.token_hash for r in rows]
    for r in rows:
        db.session.delete(r)
    db.session.commit()
    return hashes


def purge_expired() -> int:
    """Delete logins past the longest absolute timeout (called now and then, e.g. at login)."""
    s = _settings()
    cutoff = utcnow() - timedelta(days=max(s.remember_days, s.session_absolute_hours / 24))
    result = db.session.execute(delete(LoginSession).where(LoginSession.created_at < cutoff))
    db.session.commit()
    return getattr(result, "rowcount", 0) or 0
