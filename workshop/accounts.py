"""Facilitator accounts: creation (first-visit setup or CLI), password checks and changes.

The first-run setup page asks for a one-time code that only the server's operator can see: it
is written (0600) to ``setup_code`` in the data folder and printed by ``workshop serve`` while no
account exists, so nobody who merely reaches a fresh install first can take it over.
"""

from __future__ import annotations

import hmac
import os
import re
import secrets
from functools import lru_cache
from pathlib import Path

from flask import current_app
from flask_babel import gettext, ngettext
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from .extensions import db
from .models import User

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = 10


class AccountError(ValueError):
    pass


def has_accounts() -> bool:
    return (db.session.scalar(select(func.count()).select_from(User)) or 0) > 0


def _check_new_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD:
        raise AccountError(
            ngettext(
                "The password needs at least %(n)s character.",
                "The password needs at least %(n)s characters.",
                MIN_PASSWORD,
                n=MIN_PASSWORD,
            )
        )
    if len(password) > 200:
        raise AccountError(
            ngettext("Too long: at most %(n)s character.", "Too long: at most %(n)s characters.", 200, n=200)
        )


def create_user(email: str, password: str, name: str = "") -> User:
    email = (email or "").strip().lower()
    if not EMAIL.match(email) or len(email) > 254:
        raise AccountError(gettext("Give a valid e-mail address."))
    _check_new_password(password)
    if db.session.scalar(select(User).where(User.email == email)) is not None:
        raise AccountError(gettext("An account with that e-mail address already exists."))
    user = User(email=email, name=(name or "").strip()[:120], password_hash=generate_password_hash(password))
    db.session.add(user)
    db.session.commit()
    return user


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return generate_password_hash(secrets.token_urlsafe(16))


def authenticate(email: str, password: str) -> User | None:
    user = db.session.scalar(select(User).where(User.email == (email or "").strip().lower()))
    if user is None:
        # Exactly the work of a real check (one hash with the same parameters), so the answer's
        # timing does not tell which addresses have an account.
        check_password_hash(_dummy_hash(), password or "")
        return None
    return user if check_password_hash(user.password_hash, password or "") else None


def change_password(user: User, current: str, new: str, repeated: str) -> None:
    """Change ``user``'s password after checking the current one. The caller ends the account's
    other logins (``login_sessions.end_others``)."""
    if not check_password_hash(user.password_hash, current or ""):
        raise AccountError(gettext("The current password is wrong."))
    _check_new_password(new)
    if new != repeated:
        raise AccountError(gettext("The new passwords differ."))
    if new == current:
        raise AccountError(gettext("The new password must differ from the current one."))
    user.password_hash = generate_password_hash(new)
    db.session.commit()


# --- the one-time setup code -----------------------------------------------------------------


def _setup_code_path(data_dir: Path) -> Path:
    return Path(data_dir) / "setup_code"


def setup_code(data_dir: Path) -> str:
    """The setup code of a fresh install, made (0600) on first use; printed by ``workshop serve``."""
    path = _setup_code_path(data_dir)
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    code = secrets.token_urlsafe(12)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process of the same install made it first
        return path.read_text().strip()
    with os.fdopen(fd, "w") as f:
        f.write(code)
    return code


def setup_code_matches(given: str) -> bool:
    expected = setup_code(current_app.extensions["settings"].data_dir)
    return hmac.compare_digest((given or "").strip().encode(), expected.encode())


def forget_setup_code() -> None:
    _setup_code_path(current_app.extensions["settings"].data_dir).unlink(missing_ok=True)
