"""A small OpenID Connect provider for the sign-in tests, built on Authlib's provider support
(authorisation code flow with PKCE, RS256-signed ID tokens, discovery, JWKS, userinfo).

Run as its own process: ``python tests/oidc_provider.py --port P --client-id ID
--client-secret S --redirect-uri URI --user sub:email:name:verified ...``. The login page lists
the configured people; choosing one is the provider-side sign-in. ``--forge-signature`` signs
ID tokens with a key that is not published (a relying party must refuse them);
``--wrong-issuer`` puts another issuer in them.
"""

from __future__ import annotations

import argparse
import secrets
import time
from html import escape

from authlib.integrations.flask_oauth2 import AuthorizationServer, ResourceProtector
from authlib.oauth2.rfc6749 import ClientMixin, grants
from authlib.oauth2.rfc6750 import BearerTokenValidator
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from flask import Flask, jsonify, request
from joserfc.jwk import KeySet, RSAKey


class Client(ClientMixin):
    def __init__(self, client_id: str, secret: str, redirect_uri: str):
        self.client_id, self.secret, self.redirect_uri = client_id, secret, redirect_uri

    def get_client_id(self):
        return self.client_id

    def get_default_redirect_uri(self):
        return self.redirect_uri

    def get_allowed_scope(self, scope):
        return " ".join(s for s in (scope or "").split() if s in {"openid", "email", "profile"})

    def check_redirect_uri(self, redirect_uri):
        return redirect_uri == self.redirect_uri

    def check_client_secret(self, client_secret):
        return secrets.compare_digest(client_secret or "", self.secret)

    def check_endpoint_auth_method(self, method, endpoint):
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type):
        return response_type == "code"

    def check_grant_type(self, grant_type):
        return grant_type == "authorization_code"


class Code:
    def __init__(self, code, client_id, redirect_uri, scope, user, nonce, challenge, method):
        self.code, self.client_id, self.redirect_uri, self.scope, self.user = code, client_id, redirect_uri, scope, user
        self.nonce, self.code_challenge, self.code_challenge_method = nonce, challenge, method
        self.auth_time = int(time.time())

    def get_redirect_uri(self):
        return self.redirect_uri

    def get_scope(self):
        return self.scope

    def get_nonce(self):
        return self.nonce

    def get_auth_time(self):
        return self.auth_time

    def get_acr(self):
        return None

    def get_amr(self):
        return None

    def is_expired(self):
        return time.time() - self.auth_time > 300


class Token:
    def __init__(self, data, user, client):
        self.data, self.user, self.client, self.issued = data, user, client, time.time()

    def check_client(self, client):
        return client.get_client_id() == self.client.get_client_id()

    def get_scope(self):
        return self.data.get("scope", "")

    def get_expires_in(self):
        return self.data.get("expires_in", 3600)

    def is_expired(self):
        return time.time() > self.issued + self.get_expires_in()

    def is_revoked(self):
        return False

    def get_user(self):
        return self.user

    def get_client(self):
        return self.client


def make_app(args) -> Flask:
    issuer = args.issuer or f"http://127.0.0.1:{args.port}"
    key = RSAKey.generate_key(2048, parameters={"kid": "signing-1", "use": "sig", "alg": "RS256"})
    forged = RSAKey.generate_key(2048, parameters={"kid": "signing-1", "use": "sig", "alg": "RS256"})
    people = {}
    for spec in args.user:
        sub, email, name, verified = (spec.split(":") + ["", "", "", "true"])[:4]
        people[sub] = {"sub": sub, "email": email, "name": name, "email_verified": verified == "true"}
    client = Client(args.client_id, args.client_secret, args.redirect_uri)
    codes: dict[str, Code] = {}
    tokens: dict[str, Token] = {}

    class AuthorizationCodeGrant(grants.AuthorizationCodeGrant):
        TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

        def save_authorization_code(self, code, req):
            codes[code] = Code(
                code,
                req.client.get_client_id(),
                req.payload.redirect_uri,
                req.payload.scope,
                req.user,
                req.payload.data.get("nonce"),
                req.payload.data.get("code_challenge"),
                req.payload.data.get("code_challenge_method"),
            )

        def query_authorization_code(self, code, client):
            found = codes.get(code)
            if found and found.client_id == client.get_client_id() and not found.is_expired():
                return found
            return None

        def delete_authorization_code(self, authorization_code):
            codes.pop(authorization_code.code, None)

        def authenticate_user(self, authorization_code):
            return authorization_code.user

    class OpenIDCodeExtension(OpenIDCode):
        def exists_nonce(self, nonce, req):
            return any(c.nonce == nonce for c in codes.values())

        def resolve_client_private_key(self, client):
            return forged if args.forge_signature else key

        def get_client_claims(self, client):
            return {"iss": args.wrong_issuer or issuer, "aud": [client.get_client_id()], "exp": int(time.time()) + 300}

        def get_encode_header(self, client):
            return {"alg": "RS256", "kid": "signing-1"}

        def generate_user_info(self, user, scope):
            info = UserInfo(sub=user["sub"])
            if "profile" in scope:
                info["name"] = user["name"]
            if "email" in scope:
                info["email"], info["email_verified"] = user["email"], user["email_verified"]
            return info

    def save_token(data, req):
        tokens[data["access_token"]] = Token(data, req.user, req.client)

    app = Flask(__name__)
    app.config["SECRET_KEY"] = secrets.token_hex(16)
    # Cookies do not tell ports apart: never share a cookie name with the product on 127.0.0.1.
    app.config["SESSION_COOKIE_NAME"] = "provider_session"
    server = AuthorizationServer(
        app, query_client=lambda cid: client if cid == client.client_id else None, save_token=save_token
    )
    server.register_grant(
        AuthorizationCodeGrant, [OpenIDCodeExtension(require_nonce=True), CodeChallenge(required=True)]
    )

    class Validator(BearerTokenValidator):
        def authenticate_token(self, token_string):
            return tokens.get(token_string)

    protect = ResourceProtector()
    protect.register_token_validator(Validator())

    @app.get("/.well-known/openid-configuration")
    def discovery():
        return jsonify(
            issuer=issuer,
            authorization_endpoint=f"{issuer}/authorize",
            token_endpoint=f"{issuer}/token",
            userinfo_endpoint=f"{issuer}/userinfo",
            jwks_uri=f"{issuer}/jwks",
            response_types_supported=["code"],
            subject_types_supported=["public"],
            id_token_signing_alg_values_supported=["RS256"],
            scopes_supported=["openid", "email", "profile"],
            token_endpoint_auth_methods_supported=["client_secret_basic", "client_secret_post"],
            code_challenge_methods_supported=["S256"],
        )

    @app.get("/favicon.ico")
    def favicon():
        return "", 204

    @app.get("/jwks")
    def jwks():
        return jsonify(KeySet([key]).as_dict(private=False))

    @app.route("/authorize", methods=["GET", "POST"])
    def authorize():
        if request.method == "GET":
            try:
                server.get_consent_grant(end_user=None)
            except Exception as exc:  # shown to the tester, never a redirect
                return f"<p id='error'>{escape(str(exc))}</p>", 400
            choices = "".join(
                f"<button name='sub' value='{escape(p['sub'])}'>{escape(p['email'])}</button>" for p in people.values()
            )
            return (
                "<!doctype html><title>Identity provider</title><h1>Test identity provider</h1>"
                f"<form method='post'>{choices}<button name='cancel' value='1'>Cancel</button></form>"
            )
        if request.form.get("cancel"):
            return server.create_authorization_response(grant_user=None)
        return server.create_authorization_response(grant_user=people[request.form["sub"]])

    @app.post("/token")
    def token():
        return server.create_token_response()

    @app.get("/userinfo")
    @protect("openid")
    def userinfo():
        from authlib.integrations.flask_oauth2 import current_token

        user = current_token.user
        return jsonify({k: v for k, v in user.items()})

    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--issuer", default="")
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--client-secret", required=True)
    parser.add_argument("--redirect-uri", required=True)
    parser.add_argument("--user", action="append", default=[])
    parser.add_argument("--forge-signature", action="store_true")
    parser.add_argument("--wrong-issuer", default="")
    args = parser.parse_args()
    import os

    os.environ.setdefault("AUTHLIB_INSECURE_TRANSPORT", "1")  # plain http on 127.0.0.1, in tests only
    make_app(args).run(host="127.0.0.1", port=args.port, threaded=True)


if __name__ == "__main__":
    main()
