"""Two co-facilitators on one console in Chromium, and the pages of the organisation:

- Anna shares her workshop with Bertil as co-facilitator through the share dialog; both run
  the console at once: Bertil hides an answer, Anna sees it hidden; Anna moves the room, Bertil's
  console and the presenter follow; each without reloading;
- a viewer's console shows the room live with every control off;
- the organisation page (invitation link to copy) and the share dialog pass axe, at 1280×720,
  with screenshots.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import requests
import socketio
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

SHOTS = Path("/work/shots/teams")


def shot(page, name):
    path = SHOTS / f"{name}.png"
    if SHOTS.parent.exists():
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(path))
    return path


def socket_phone(server, code: str):
    joined = requests.post(f"{server.url}/api/join", json={"code": code, "nickname": "Sockel"}, timeout=10).json()
    client = socketio.Client(reconnection=False)
    client.connect(
        server.url, namespaces=["/phone"], auth={"token": joined["token"]}, transports=["websocket"], wait_timeout=10
    )
    return client


def login(page, ui, email):
    page.goto("/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(ui.password)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/f/$"))


def share(page, ws_id, name, role_label):
    """Through the dialog, by keyboard where a person would use it."""
    page.goto(f"/f/w/{ws_id}/console")
    opener = page.get_by_role("button", name="Dela", exact=True)
    opener.click()
    dialog = page.get_by_role("dialog", name="Dela workshoppen")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Kollega").select_option(label=name)
    dialog.get_by_label("Roll", exact=True).select_option(label=role_label)
    dialog.get_by_role("button", name="Dela", exact=True).click()
    expect(page.get_by_text("Delad som", exact=False).first).to_be_visible()


def test_two_cofacilitators_run_one_console(open_page, ui, live_server, js_errors):
    live_server.create_user("bertil@solstad.se")
    ws = ui.workshop(
        "Delad workshop",
        [("open_text", {"title": "Vad behövs?"}), ("multiple_choice", {"title": "Nästa fråga", "cfg_options": "A\nB"})],
    )
    first, second = ws["activity_ids"]
    anna = open_page("anna")
    login(anna, ui, "anna@solstad.se")
    share(anna, ws["id"], "bertil@solstad.se", "Medledare")
    expect(anna.locator("#conn")).to_have_attribute("data-state", "up")

    bertil = open_page("bertil")
    login(bertil, ui, "bertil@solstad.se")
    expect(bertil.get_by_text("Delad med dig som medledare")).to_be_visible()
    bertil.goto(f"/f/w/{ws['id']}/console")
    expect(bertil.locator("#conn")).to_have_attribute("data-state", "up")
    expect(bertil.locator("#next")).to_be_visible()

    presenter = anna.context.new_page()
    js_errors.watch(presenter, "presenter")
    presenter.goto(ws["presenter_url"])
    expect(presenter.locator("#conn")).to_have_attribute("data-state", "up")

    phone = socket_phone(live_server, ws["code"])
    try:
        ack = phone.call(
            "submit",
            {"activity_id": first, "client_id": "c1", "payload": {"text": "Mer tid hos brukaren"}},
            namespace="/phone",
            timeout=10,
        )
        assert ack["ok"] is True
    finally:
        phone.disconnect()
    for page in (anna, bertil):
        expect(page.locator(".mod-item", has_text="Mer tid hos brukaren")).to_have_attribute("data-status", "visible")

    # Bertil moderates: Anna's console shows the answer hidden, without a reload
    bertil.locator(".mod-item", has_text="Mer tid hos brukaren").get_by_role("button", name="Dölj").click()
    expect(anna.locator(".mod-item", has_text="Mer tid hos brukaren")).to_have_attribute("data-status", "hidden")
    expect(bertil.locator(".mod-item", has_text="Mer tid hos brukaren")).to_have_attribute("data-status", "hidden")

    # Anna moves the room: Bertil's console and the presenter follow
    anna.locator("#next").click()
    expect(anna.locator("#current-title")).to_have_text("Nästa fråga")
    expect(bertil.locator("#current-title")).to_have_text("Nästa fråga")
    expect(presenter.get_by_text("Nästa fråga").first).to_be_visible()
    # and back, from Bertil's console
    bertil.locator("#prev").click()
    expect(anna.locator("#current-title")).to_have_text("Vad behövs?")
    expect(presenter.get_by_text("Vad behövs?").first).to_be_visible()


def test_a_viewers_console_is_live_and_changes_nothing(open_page, ui, live_server, browser):
    live_server.create_user("frida@solstad.se")
    ws = ui.workshop(
        "Visad workshop", [("open_text", {"title": "Vad behövs?"}), ("multiple_choice", {"title": "Andra"})]
    )
    anna = open_page("anna")
    login(anna, ui, "anna@solstad.se")
    share(anna, ws["id"], "frida@solstad.se", "Läsare")
    anna.goto(f"/f/w/{ws['id']}/console")
    expect(anna.locator("#conn")).to_have_attribute("data-state", "up")
    frida = open_page("frida", bypass_csp=True)
    login(frida, ui, "frida@solstad.se")
    frida.goto(f"/f/w/{ws['id']}/console")
    expect(frida.locator("#conn")).to_have_attribute("data-state", "up")
    expect(frida.locator("#read-only-note")).to_contain_text("Du är läsare")
    expect(frida.locator(".controls")).to_be_hidden()
    expect(frida.locator("#activity-nav button").first).to_be_disabled()
    anna.locator("#next").click()
    expect(frida.locator("#current-title")).to_have_text("Andra")  # live
    assert frida.get_by_role("link", name="Redigera aktiviteterna").count() == 0
    violations = ui.axe(frida)
    assert not violations, ui.describe(violations)
    # the draft analysis: shown, every field off
    frida.goto(f"/f/w/{ws['id']}/analysis")
    expect(frida.locator("#conn")).to_have_attribute("data-state", "up")
    fields = frida.locator("#draft input:not([readonly]), #draft textarea, #draft select")
    expect(fields.first).to_be_disabled()
    assert frida.evaluate("[...document.querySelectorAll('#draft textarea')].every((f) => f.disabled)")


def test_organisation_page_and_share_dialog_pass_axe(open_page, ui, live_server):
    live_server.create_user("bertil@solstad.se")
    ws = ui.workshop(
        "Användarforum", [("multiple_choice", {"title": "Använder ni metoden?", "cfg_options": "Ja\nNej"})]
    )
    page = open_page("anna", bypass_csp=True, viewport={"width": 1280, "height": 720})
    login(page, ui, "anna@solstad.se")
    share(page, ws["id"], "bertil@solstad.se", "Läsare")
    page.get_by_role("button", name="Dela", exact=True).click()
    dialog = page.get_by_role("dialog", name="Dela workshoppen")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("button", name="Sluta dela bertil@solstad.se")).to_be_visible()
    shot(page, "share-dialog-1280")
    violations = ui.axe(page)
    assert not violations, ui.describe(violations)
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("button", name="Dela", exact=True)).to_be_focused()  # focus goes back

    page.get_by_role("button", name="Resultatlänk").click()
    results = page.get_by_role("dialog", name="Resultatlänk")
    expect(results.get_by_label("Adress att kopiera")).to_have_value(re.compile(r"/review/"))
    shot(page, "results-link-dialog-1280")
    page.keyboard.press("Escape")

    page.goto("/f/org")
    page.get_by_label("Giltig i (dagar)").fill("3")
    page.get_by_role("button", name="Skapa en inbjudningslänk").click()
    expect(page.get_by_label("Inbjudningslänk")).to_have_value(re.compile(r"/invite/"))
    shot(page, "organisation-1280")
    violations = ui.axe(page)
    assert not violations, ui.describe(violations)
    page.set_viewport_size({"width": 1920, "height": 1080})
    shot(page, "organisation-1920")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "organisation-phone")


def test_share_and_results_link_open_before_any_script_runs(open_page, ui, live_server):
    """The buttons open their dialogs from the HTML alone (commandfor): a click right after the
    page arrives, before its scripts have run (here: never), is never lost."""
    live_server.create_user("bertil@solstad.se")
    ws = ui.workshop("Utan skript", [("multiple_choice", {"title": "Fråga", "cfg_options": "Ja\nNej"})])
    page = open_page("anna", java_script_enabled=False)
    login(page, ui, "anna@solstad.se")
    page.goto(f"/f/w/{ws['id']}/console")
    for opener, name in (("Dela", "Dela workshoppen"), ("Resultatlänk", "Resultatlänk")):
        page.get_by_role("button", name=opener, exact=True).click()
        dialog = page.get_by_role("dialog", name=name)
        expect(dialog).to_be_visible()
        dialog.get_by_role("button", name="Stäng", exact=True).click()
        expect(dialog).to_be_hidden()
