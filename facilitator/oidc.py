"""Sign-in with the organisation's identity provider: ``/login/sso`` sends the browser there,
``/login/sso/callback`` takes it back (``workshop/oidc.py`` decides the account)."""

from __future__ import annotations

from authlib.common.errors import AuthlibBaseError
from flask import abort, current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext
from joserfc.errors import JoseError
from requests import RequestException

from workshop import login_sessions
from workshop import oidc as sso

from . import bp
from .views import _local_next

NEXT_KEY = "sso_next"


@bp.get("/login/sso")
def login_sso():
    if not sso.enabled():
        abort(404)
    session[NEXT_KEY] = _local_next(request.args.get("next", ""))
    try:
        return sso.client().authorize_redirect(url_for("facilitator.login_sso_callback", _external=True))
    except (RequestException, AuthlibBaseError, ValueError) as exc:
        current_app.logger.warning("identity provider unreachable: %s", exc)
        return _refused(gettext("The identity provider cannot be reached just now. Try again in a moment."), 502)


@bp.get("/login/sso/callback")
def login_sso_callback():
    if not sso.enabled():
        abort(404)
    if request.args.get("error"):
        # The person cancelled at the provider, or it refused them.
        return _refused(gettext("The sign-in was cancelled at the identity provider."), 400)
    try:
        token = sso.client().authorize_access_token()
        claims = dict(token.get("userinfo") or {})
        if not claims.get("email") and "email" in current_app.extensions["settings"].oidc_scopes.split():
            # Some providers put the address only in the userinfo answer.
            claims = {**dict(sso.client().userinfo(token=token)), **claims}
        user = sso.account_for(sso.identity_from(claims))
    except sso.SignInRefused as exc:
        return _refused(str(exc), 403)
    except (AuthlibBaseError, JoseError, ValueError, KeyError) as exc:
        # A bad state (an old or forged callback), a token whose signature, issuer, audience,
        # nonce or expiry does not check out: never a sign-in.
        current_app.logger.warning("identity provider answer refused: %s", exc)
        return _refused(gettext("The answer from the identity provider could not be verified. Try again."), 400)
    except RequestException as exc:
        current_app.logger.warning("identity provider unreachable: %s", exc)
        return _refused(gettext("The identity provider cannot be reached just now. Try again in a moment."), 502)
    login_sessions.purge_expired()
    login_sessions.start(user)
    return redirect(session.pop(NEXT_KEY, None) or url_for("facilitator.dashboard"))


def _refused(message: str, status: int):
    return render_template("facilitator/login_sso_refused.html", message=message), status
