"""Sign-in with the organisation's identity provider (OpenID Connect, authorisation code flow
with PKCE), through Authlib's Flask client.

The provider is found by discovery (``<issuer>/.well-known/openid-configuration``); Authlib
checks the ID token's signature against the provider's published keys, its issuer, audience,
expiry and nonce. This module decides which facilitator account a checked identity is:

1. the account already linked to this issuer and subject (``sub``), else
2. the account with the identity's e-mail address, when the provider says it is verified —
   the account is linked then, so a later change of address at the provider still finds it —,
   else
3. a new account (a member of the install's first organisation), when the verified address is in
   one of ``OIDC_ACCOUNT_DOMAINS``, else
4. nobody: the person is told to ask for an account (an invitation).

A deactivated account is refused whichever way it is found.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app
from flask_babel import gettext
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from .accounts import EMAIL, default_organisation
from .extensions import db
from .models import User

oauth = OAuth()
CLIENT = "idp"


class SignInRefused(Exception):
    """The identity was checked but is not a facilitator here; ``str()`` says why, for people."""


@dataclass(frozen=True)
class Identity:
    issuer: str
    subject: str
    email: str
    email_verified: bool
    name: str


def init_app(app: Flask) -> None:
    settings = app.extensions["settings"]
    oauth.init_app(app)
    if not settings.oidc_enabled:
        return
    oauth.register(
        CLIENT,
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret,
        server_metadata_url=f"{settings.oidc_issuer}/.well-known/openid-configuration",
        client_kwargs={"scope": settings.oidc_scopes, "code_challenge_method": "S256", "timeout": 10},
    )


def enabled() -> bool:
    return bool(current_app.extensions["settings"].oidc_enabled)


def client():
    return oauth.create_client(CLIENT)


def identity_from(claims: dict) -> Identity:
    """The parts of checked ID-token (and userinfo) claims that matter here."""
    settings = current_app.extensions["settings"]
    subject = str(claims.get("sub") or "").strip()
    if not subject or len(subject) > 255:
        raise SignInRefused(gettext("The identity provider sent no usable identity. Try again."))
    email = str(claims.get("email") or "").strip().lower()
    verified = claims.get("email_verified")
    return Identity(
        issuer=settings.oidc_issuer,
        subject=subject,
        email=email if EMAIL.match(email) and len(email) <= 254 else "",
        email_verified=verified is True or str(verified).lower() == "true",
        name=str(claims.get("name") or "").strip()[:120],
    )


def account_for(identity: Identity) -> User:
    """The facilitator account ``identity`` signs in as (linking or making it where the rules
    above allow), or :class:`SignInRefused`. Commits."""
    settings = current_app.extensions["settings"]
    user = db.session.scalar(
        select(User).where(User.oidc_issuer == identity.issuer, User.oidc_subject == identity.subject)
    )
    if user is not None:
        return _active(user)
    if not identity.email or not identity.email_verified:
        raise SignInRefused(
            gettext(
                "The identity provider did not confirm an e-mail address for you, so no account here could be "
                "matched. Ask your administrator."
            )
        )
    user = db.session.scalar(select(User).where(User.email == identity.email))
    if user is not None:
        if user.oidc_subject and (user.oidc_issuer, user.oidc_subject) != (identity.issuer, identity.subject):
            # The address belongs to an account already linked to another identity: never
            # hand it to a second one.
            raise SignInRefused(
                gettext(
                    "The account for %(email)s is linked to another identity. Ask your administrator.",
                    email=identity.email,
                )
            )
        _active(user)
        user.oidc_issuer, user.oidc_subject = identity.issuer, identity.subject
        db.session.commit()
        return user
    domain = identity.email.rsplit("@", 1)[-1]
    if domain not in settings.oidc_account_domains:
        raise SignInRefused(
            gettext(
                "No facilitator account here belongs to %(email)s. Ask a colleague who has one for an invitation.",
                email=identity.email,
            )
        )
    user = User(
        organisation=default_organisation(),  # the install's organisation, as a member
        role="member",
        email=identity.email,
        name=identity.name,
        # Nobody knows this password: the account signs in through the provider (an
        # administrator's reset link can give it one).
        password_hash=generate_password_hash(secrets.token_urlsafe(32)),
        oidc_issuer=identity.issuer,
        oidc_subject=identity.subject,
    )
    db.session.add(user)
    db.session.commit()
    return user


def _active(user: User) -> User:
    """A deactivated account never signs in, through the provider either."""
    if not user.active:
        raise SignInRefused(gettext("This account is deactivated. Ask your organisation's administrator."))
    return user
