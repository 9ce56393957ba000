"""The presenter screen is opened once and never reloaded: it must stay right through a reset,
an activity change and a server restart (socket.io reconnects and a fresh snapshot arrives)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

Q1 = "Finns det en tydlig ägare av nyttan?"
Q2 = "Är kostnaderna kända?"


def vote(phone, option: str) -> None:
    phone.locator("label.choice", has_text=option).click()
    phone.locator(".answer-form button[type=submit]").click()
    saved = phone.evaluate("JSON.parse(document.getElementById('i18n').textContent).saved")
    expect(phone.locator(".answer-form .status")).to_have_text(saved)


def test_no_reload_presenter(open_page, live_server, ui, js_errors, request):
    ws = ui.workshop(
        "Styrgruppsmöte",
        ask_nickname=False,
        activities=[
            ("multiple_choice", {"title": Q1, "cfg_options": "Ja\nNej"}),
            ("multiple_choice", {"title": Q2, "cfg_options": "Ja\nDelvis\nNej"}),
        ],
    )
    screen = open_page("presenter", "presenter")
    screen.goto(ws["presenter_url"])
    expect(screen.locator("#pres-title")).to_have_text(Q1)
    screen.evaluate("window.__sameScreen = 'first load'")

    f = open_page("facilitator")
    ui.login(f)
    f.goto(f"/f/w/{ws['id']}/console")
    expect(f.locator("#current-title")).to_have_text(Q1)

    phone = open_page("phone", "phone")
    phone.goto(f"/j/{ws['code']}")  # no nickname asked: straight to the question
    expect(phone.locator("#act-title")).to_have_text(Q1)
    vote(phone, "Nej")
    expect(screen.locator("#pres-view .bar-value")).to_have_text(["0 (0 %)", "1 (100 %)"])
    expect(screen.locator("#pres-responses")).to_have_text("1")
    expect(screen.locator("#pres-participants")).to_have_text("1")

    # Reset: the screen drops to zero; the phone's answer no longer counts and it may answer anew.
    f.once("dialog", lambda d: d.accept())
    f.locator("#reset").click()
    expect(screen.locator("#pres-view .bar-value")).to_have_text(["0 (0 %)", "0 (0 %)"])
    expect(screen.locator("#pres-responses")).to_have_text("0")
    expect(phone.locator("input[type=radio]:checked")).to_have_count(0)
    vote(phone, "Ja")
    expect(screen.locator("#pres-view .bar-value")).to_have_text(["1 (100 %)", "0 (0 %)"])

    # Activity change, and back.
    f.locator("#next").click()
    expect(screen.locator("#pres-title")).to_have_text(Q2)
    expect(screen.locator("#pres-view .bar-label")).to_have_text(["Ja", "Delvis", "Nej"])
    expect(screen.locator("#pres-responses")).to_have_text("0")
    vote(phone, "Delvis")
    expect(screen.locator("#pres-view .bar-value")).to_have_text(["0 (0 %)", "1 (100 %)", "0 (0 %)"])
    f.locator("#prev").click()
    expect(screen.locator("#pres-title")).to_have_text(Q1)
    expect(screen.locator("#pres-view .bar-value")).to_have_text(["1 (100 %)", "0 (0 %)"])

    # The server stops. Refused connections while it is down are expected, nothing else.
    js_errors.allow(r"WebSocket connection to .* failed|Failed to load resource: net::ERR_CONNECTION_REFUSED")
    live_server.stop()
    expect(screen.locator("#conn")).to_have_attribute("data-state", "down")
    expect(phone.locator("#conn")).to_have_attribute("data-state", "down")
    ui.shot(phone, "phone-offline")
    # Scribble on the screen: only a fresh snapshot from the new server can put the numbers back.
    screen.evaluate("""() => {
        document.getElementById('pres-title').textContent = '?';
        document.getElementById('pres-responses').textContent = '?';
        document.getElementById('pres-fit').replaceChildren();
    }""")

    restarted = ui.LiveServer(live_server.data_dir, port=live_server.port).start()
    request.addfinalizer(restarted.stop)
    expect(screen.locator("#conn")).to_have_attribute("data-state", "up", timeout=15_000)
    expect(screen.locator("#pres-title")).to_have_text(Q1)
    expect(screen.locator("#pres-responses")).to_have_text("1")
    expect(screen.locator("#pres-view .bar-value")).to_have_text(["1 (100 %)", "0 (0 %)"])
    expect(screen.locator("#pres-participants")).to_have_text("1")

    # And it keeps following: the console and the phone reconnect too.
    expect(f.locator("#conn")).to_have_attribute("data-state", "up", timeout=15_000)
    expect(phone.locator("#conn")).to_have_attribute("data-state", "up", timeout=15_000)
    f.locator("#next").click()
    expect(screen.locator("#pres-title")).to_have_text(Q2)
    expect(screen.locator("#pres-view .bar-value")).to_have_text(["0 (0 %)", "1 (100 %)", "0 (0 %)"])
    expect(phone.locator("#act-title")).to_have_text(Q2)
    vote(phone, "Nej")
    expect(screen.locator("#pres-view .bar-value")).to_have_text(["0 (0 %)", "0 (0 %)", "1 (100 %)"])

    assert screen.evaluate("window.__sameScreen") == "first load", "the presenter page reloaded"
