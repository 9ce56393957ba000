"""Facilitator accounts: creation (first-visit setup or CLI) and password checks."""

from __future__ import annotations

import re

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


def create_user(email: str, password: str, name: str = "") -> User:
    email = (email or "").strip().lower()
    if not EMAIL.match(email) or len(email) > 254:
        raise AccountError(gettext("Give a valid e-mail address."))
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
    if db.session.scalar(select(User).where(User.email == email)) is not None:
        raise AccountError(gettext("An account with that e-mail address already exists."))
    user = User(email=email, name=(name or "").strip()[:120], password_hash=generate_password_hash(password))
    db.session.add(user)
    db.session.commit()
    return user


def authenticate(email: str, password: str) -> User | None:
    user = db.session.scalar(select(User).where(User.email == (email or "").strip().lower()))
    if user is None:
        # Same work as a real check, so timing does not tell which addresses exist.
        check_password_hash(generate_password_hash("x"), password or "")
        return None
    return user if check_password_hash(user.password_hash, password or "") else None
