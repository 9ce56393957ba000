"""Sign-in with an identity provider (OpenID Connect) end to end: a provider process built on
Authlib's provider support (tests/oidc_provider.py), a real ``workshop serve``, real discovery,
redirects, a token exchange with PKCE and an RS256 signature checked against the provider's
published keys. Nothing is mocked."""

from __future__ import annotations

import re

import pytest
import requests


def sign_in(server, provider, sub: str, session: requests.Session | None = None):
    """Press "Logga in med …", choose ``sub`` at the provider; the final answer after redirects."""
    s = session or requests.Session()
    login = s.get(server.url + "/login")
    assert "Solstads kommun" in login.text
    at_provider = s.get(server.url + "/login/sso")
    assert at_provider.url.startswith(provider.url + "/authorize?"), at_provider.url
    assert "code_challenge=" in at_provider.url and "nonce=" in at_provider.url
    back = s.post(at_provider.url, data={"sub": sub})
    return s, back


def signed_in(server, s: requests.Session) -> bool:
    r = s.get(server.url + "/f/", allow_redirects=False)
    return r.status_code == 200


def test_a_verified_address_signs_in_to_its_account_and_links_it(sso):
    server, provider = sso(["u-anna:anna@solstad.se:Anna Berg:true"])
    s, back = sign_in(server, provider, "u-anna")
    assert back.status_code == 200 and back.url == server.url + "/f/", back.url
    assert signed_in(server, s)
    # Linked: the next sign-in finds the account by the provider's subject.
    s2, back2 = sign_in(server, provider, "u-anna")
    assert back2.url == server.url + "/f/" and signed_in(server, s2)


def test_an_unverified_address_or_no_account_is_refused_with_a_reason(sso):
    server, provider = sso(["u-x:anna@solstad.se:Anna:false", "u-y:okand@solstad.se:Okänd:true"])
    s, back = sign_in(server, provider, "u-x")
    assert back.status_code == 403 and "bekräftade ingen e-postadress" in back.text
    assert not signed_in(server, s)
    s, back = sign_in(server, provider, "u-y")
    assert back.status_code == 403 and "okand@solstad.se" in back.text and "inbjudan" in back.text
    assert not signed_in(server, s)


def test_an_account_is_made_for_a_listed_domain_only(sso):
    server, provider = sso(["u-ny:ny@solstad.se:Ny Person:true", "u-ext:ext@annan.se:Ext:true"], domains="solstad.se")
    s, back = sign_in(server, provider, "u-ny")
    assert back.url == server.url + "/f/" and signed_in(server, s)
    s, back = sign_in(server, provider, "u-ext")
    assert back.status_code == 403 and not signed_in(server, s)


@pytest.mark.parametrize("flag", [("--forge-signature",), ("--wrong-issuer", "http://127.0.0.1:1")])
def test_a_token_that_does_not_check_out_never_signs_in(sso, flag):
    server, provider = sso(["u-anna:anna@solstad.se:Anna:true"], *flag)
    s, back = sign_in(server, provider, "u-anna")
    assert back.status_code == 400 and "kunde inte kontrolleras" in back.text
    assert not signed_in(server, s)


def test_cancel_and_a_replayed_or_forged_callback_are_refused(sso):
    server, provider = sso(["u-anna:anna@solstad.se:Anna:true"])
    s = requests.Session()
    at_provider = s.get(server.url + "/login/sso")
    back = s.post(at_provider.url, data={"cancel": "1"})
    assert back.status_code == 400 and "avbröts" in back.text and not signed_in(server, s)
    # A real sign-in, then its callback address replayed in another browser: no state there.
    s1 = requests.Session()
    at_provider = s1.get(server.url + "/login/sso")
    to_app = s1.post(at_provider.url, data={"sub": "u-anna"}, allow_redirects=False)
    callback = to_app.headers["Location"]
    assert re.search(r"[?&]code=", callback)
    other = requests.Session()
    r = other.get(callback)
    assert r.status_code == 400 and not signed_in(server, other)
    # The same code used twice in the first browser: the provider takes a code once.
    first = s1.get(callback)
    assert first.url == server.url + "/f/"
    s1.post(server.url + "/logout", data={})
    again = requests.Session()
    assert not signed_in(server, again)


def test_without_configuration_there_is_no_provider_button_or_route(live_server):
    assert "login-sso" not in requests.get(live_server.url + "/login").text
    assert requests.get(live_server.url + "/login/sso", allow_redirects=False).status_code == 404
