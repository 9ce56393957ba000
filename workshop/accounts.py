"""Facilitator accounts: creation (first-visit setup, CLI, invitation), password checks and
changes, one-time links (invitations and admin password resets), deactivation.

Every account belongs to an organisation (docs/accounts.md). The first account of an install
makes the organisation and is its admin.

The first-run setup page asks for a one-time code that only the server's operator can see: it
is written (0600) to ``setup_code`` in the data folder and printed by ``workshop serve`` while no
account exists, so nobody who merely reaches a fresh install first can take it over.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from datetime import timedelta
from functools import lru_cache
from pathlib import Path

from flask import current_app
from flask_babel import gettext, ngettext
from sqlalchemy import delete, func, select
from werkzeug.security import check_password_hash, generate_password_hash

from .extensions import db
from .models import AccountLink, LoginSession, Organisation, User, utcnow

INVITE_DAYS_DEFAULT = 7
INVITE_DAYS_MAX = 30
RESET_HOURS = 24
ROLES = ("admin", "member")

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


def _clean_email(email: str) -> str:
    email = (email or "").strip().lower()
    if not EMAIL.match(email) or len(email) > 254:
        raise AccountError(gettext("Give a valid e-mail address."))
    return email


def default_organisation() -> Organisation:
    """The install's first organisation, made when there is none yet."""
    org = db.session.scalar(select(Organisation).order_by(Organisation.id).limit(1))
    if org is None:
        org = Organisation(name="")
        db.session.add(org)
        db.session.flush()
    return org


def create_user(
    email: str,
    password: str,
    name: str = "",
    organisation: Organisation | None = None,
    role: str | None = None,
    commit: bool = True,
) -> User:
    """A new account in ``organisation`` (default: the install's first). Without a ``role``, the
    organisation's first account is its admin and later ones are members."""
    email = _clean_email(email)
    _check_new_password(password)
    if db.session.scalar(select(User).where(User.email == email)) is not None:
        raise AccountError(gettext("An account with that e-mail address already exists."))
    org = organisation or default_organisation()
    if role is None:
        has_members = db.session.scalar(select(func.count()).select_from(User).where(User.organisation_id == org.id))
        role = "member" if has_members else "admin"
    user = User(
        email=email,
        name=(name or "").strip()[:120],
        password_hash=generate_password_hash(password),
        organisation=org,
        role=role if role in ROLES else "member",
    )
    db.session.add(user)
    if commit:
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
    if not check_password_hash(user.password_hash, password or ""):
        return None
    # A deactivated account is refused like a wrong password: after the same work, the same answer.
    return user if user.active else None


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


def _set_password(user: User, new: str, repeated: str) -> None:
    _check_new_password(new)
    if new != repeated:
        raise AccountError(gettext("The new passwords differ."))
    user.password_hash = generate_password_hash(new)


# --- one-time links: invitations and password resets ------------------------------------------


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def make_invitation(admin: User, role: str = "member", days: int = INVITE_DAYS_DEFAULT, email: str = "") -> str:
    """An invitation into ``admin``'s organisation; returns the token for the link (only its hash
    is stored). ``email`` is optional: the address the link is sent to."""
    if not isinstance(days, int) or not 1 <= days <= INVITE_DAYS_MAX:
        raise AccountError(
            ngettext(
                "An invitation is valid from 1 to %(n)s day.",
                "An invitation is valid from 1 to %(n)s days.",
                INVITE_DAYS_MAX,
                n=INVITE_DAYS_MAX,
            )
        )
    if role not in ROLES:
        raise AccountError(gettext("Choose a role."))
    email = _clean_email(email) if (email or "").strip() else ""
    if email and db.session.scalar(select(User).where(User.email == email)) is not None:
        raise AccountError(gettext("An account with that e-mail address already exists."))
    token = secrets.token_urlsafe(32)
    db.session.add(
        AccountLink(
            purpose="invite",
            organisation_id=admin.organisation_id,
            email=email,
            role=role,
            token_hash=_hash(token),
            created_by_id=admin.id,
            expires_at=utcnow() + timedelta(days=days),
        )
    )
    db.session.commit()
    return token


def make_reset_link(admin: User, user: User) -> str:
    """A one-time password reset for ``user`` (valid ``RESET_HOURS``); earlier unused ones end."""
    db.session.execute(
        delete(AccountLink).where(
            AccountLink.purpose == "reset", AccountLink.user_id == user.id, AccountLink.used_at.is_(None)
        )
    )
    token = secrets.token_urlsafe(32)
    db.session.add(
        AccountLink(
            purpose="reset",
            organisation_id=user.organisation_id,
            user_id=user.id,
            token_hash=_hash(token),
            created_by_id=admin.id,
            expires_at=utcnow() + timedelta(hours=RESET_HOURS),
        )
    )
    db.session.commit()
    return token


def open_link(token: str, purpose: str) -> AccountLink | None:
    """The link with this token when it is of ``purpose``, unused and not expired; else None."""
    if not token or len(token) > 128:
        return None
    link = db.session.scalar(select(AccountLink).where(AccountLink.token_hash == _hash(token)))
    if link is None or link.purpose != purpose or link.used_at is not None or utcnow() >= link.expires_at:
        return None
    if purpose == "reset":
        user = db.session.get(User, link.user_id) if link.user_id else None
        if user is None or not user.active:
            return None
    return link


def accept_invitation(token: str, email: str, name: str, password: str, repeated: str) -> User:
    link = open_link(token, "invite")
    if link is None:
        raise AccountError(gettext("This link is not valid any more. Ask your organisation's admin for a new one."))
    if password != repeated:
        raise AccountError(gettext("The new passwords differ."))
    org = db.session.get(Organisation, link.organisation_id)
    user = create_user(link.email or email, password, name, organisation=org, role=link.role, commit=False)
    db.session.flush()
    link.used_at = utcnow()
    link.user_id = user.id
    db.session.commit()
    return user


def reset_password(token: str, new: str, repeated: str) -> tuple[User, list[str]]:
    """Set the password through a reset link (once); every login of the account ends.
    Returns the account and the ended logins' token hashes (for their console sockets)."""
    link = open_link(token, "reset")
    if link is None:
        raise AccountError(gettext("This link is not valid any more. Ask your organisation's admin for a new one."))
    user = db.session.get(User, link.user_id)
    assert user is not None
    _set_password(user, new, repeated)
    link.used_at = utcnow()
    ended = end_logins(user, commit=False)
    db.session.commit()
    return user, ended


def pending_invitations(org_id: int) -> list[AccountLink]:
    return list(
        db.session.scalars(
            select(AccountLink)
            .where(
                AccountLink.organisation_id == org_id,
                AccountLink.purpose == "invite",
                AccountLink.used_at.is_(None),
                AccountLink.expires_at > utcnow(),
            )
            .order_by(AccountLink.created_at)
        ).all()
    )


def revoke_invitation(org_id: int, link_id: int) -> bool:
    link = db.session.get(AccountLink, link_id)
    if link is None or link.organisation_id != org_id or link.purpose != "invite" or link.used_at is not None:
        return False
    db.session.delete(link)
    db.session.commit()
    return True


# --- an admin manages the organisation's accounts -----------------------------------------------


def end_logins(user: User, commit: bool = True) -> list[str]:
    """Delete every login of ``user``; returns their token hashes (to end console sockets)."""
    hashes = list(db.session.scalars(select(LoginSession.token_hash).where(LoginSession.user_id == user.id)).all())
    db.session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
    if commit:
        db.session.commit()
    return hashes


def _admins_left(org_id: int, without: User) -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(User)
            .where(User.organisation_id == org_id, User.role == "admin", User.active.is_(True), User.id != without.id)
        )
        or 0
    )


def set_active(admin: User, user: User, active: bool) -> list[str]:
    """Deactivate (its logins end at once) or reactivate an account of the admin's organisation.
    Returns the ended logins' token hashes."""
    if user.organisation_id != admin.organisation_id:
        raise AccountError(gettext("Not allowed."))
    if not active and user.id == admin.id:
        raise AccountError(gettext("You cannot deactivate your own account."))
    if not active and user.role == "admin" and _admins_left(user.organisation_id, user) == 0:
        raise AccountError(gettext("The organisation needs at least one active admin."))
    user.active = active
    ended = [] if active else end_logins(user, commit=False)
    db.session.commit()
    return ended


def set_role(admin: User, user: User, role: str) -> None:
    if user.organisation_id != admin.organisation_id or role not in ROLES:
        raise AccountError(gettext("Not allowed."))
    if role != "admin" and user.role == "admin" and _admins_left(user.organisation_id, user) == 0:
        raise AccountError(gettext("The organisation needs at least one active admin."))
    user.role = role
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
