"""Chromium: a facilitator signs in with the organisation's identity provider (a real OpenID
Connect provider process) from the login page, by keyboard, and lands on the dashboard; a
refused sign-in reads its reason on an accessible page."""

from __future__ import annotations

import pytest
from conftest import ARTIFACTS, AXE, DESKTOP, TIMEOUT_MS  # tests/e2e/conftest.py
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def axe_serious(page) -> list:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [v["id"] for v in result["violations"] if v.get("impact") in ("serious", "critical")]


def test_sign_in_with_the_identity_provider(browser, sso, js_errors):
    server, provider = sso(["u-anna:anna@solstad.se:Anna Berg:true", "u-ext:ext@annan.se:Ext:true"])
    ctx = browser.new_context(base_url=server.url, locale="sv-SE", bypass_csp=True, **DESKTOP)
    ctx.set_default_timeout(TIMEOUT_MS)
    page = ctx.new_page()
    js_errors.watch(page, "facilitator")
    page.goto("/login")
    button = page.get_by_role("link", name="Logga in med Solstads kommun")
    expect(button).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "login-with-identity-provider.png"))
    assert axe_serious(page) == []
    button.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(provider.url + "/authorize*")
    page.get_by_role("button", name="anna@solstad.se").click()
    page.wait_for_url(server.url + "/f/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    other = browser.new_context(base_url=server.url, locale="sv-SE", bypass_csp=True, **DESKTOP)
    other.set_default_timeout(TIMEOUT_MS)
    refused = other.new_page()
    js_errors.watch(refused, "stranger")
    js_errors.allow(r"status of 403 .*/login/sso/callback")  # the refusal page's own status
    refused.goto("/login/sso")
    refused.get_by_role("button", name="ext@annan.se").click()
    expect(refused.get_by_role("alert")).to_contain_text("Det finns inget analysledarkonto här för ext@annan.se")
    assert axe_serious(refused) == []
    refused.get_by_role("link", name="Tillbaka till inloggningen").click()
    expect(refused).to_have_url(server.url + "/login")
    ctx.close()
    other.close()
