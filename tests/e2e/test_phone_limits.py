"""Long input on a phone is never cut silently: a pasted text longer than the field's limit
stays whole in the field, a counter says "250/200 characters — too long" (read out politely),
Send is disabled and nothing is sent; shortened to the limit, the whole text is stored."""

from __future__ import annotations

import csv
import io
import json

import pytest
import requests
import socketio
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

PASTE = (
    "Brukarna i hemtjänsten känner sig tryggare när personalen kommer i tid och inga nycklar "
    "försvinner, och anhöriga ser i appen att besöket blivit av. "
) * 3
PASTE = PASTE[:250]
assert len(PASTE) == 250

# kind, settings, field on the phone, the text sent once shortened to fit.
# What another phone sends meanwhile: its answer redraws this phone's form.
OTHER = {
    "open_text": {"text": "Tid för brukarna"},
    "word_cloud": {"text": "omsorg"},
    "qna": {"action": "ask", "text": "Vem betalar?"},
    "effects": {"text": "Färre resor", "polarity": "positive"},
}

CASES = [
    ("open_text", {"title": "Vad önskar ni?", "cfg_max_length": "200"}, ".text-form textarea", PASTE[:200].strip()),
    ("word_cloud", {"title": "Ett ord om hemtjänsten"}, ".text-form input[name=text]", "trygghet i vardagen"),
    ("qna", {"title": "Frågor till nämnden", "cfg_max_length": "200"}, ".text-form textarea", PASTE[:180].strip()),
    ("effects", {"title": "Steg 2: effekter"}, ".eff-form input[name=text]", PASTE[:150].strip()),
]


def strings(page) -> dict[str, str]:
    return json.loads(page.locator("#i18n").text_content())


def stored_texts(ui, ws_id: int, act_id: int) -> list[str]:
    session = ui.server.facilitator_session()
    r = session.get(f"{ui.server.url}/f/w/{ws_id}/a/{act_id}.csv")
    r.raise_for_status()
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig")), delimiter=";"))  # Swedish Excel
    return [cell for row in rows[1:] for cell in row]


def other_phone(server, code: str):
    joined = requests.post(f"{server.url}/api/join", json={"code": code}, timeout=10).json()
    client = socketio.Client(reconnection=False)
    client.connect(
        server.url, namespaces=["/phone"], auth={"token": joined["token"]}, transports=["websocket"], wait_timeout=10
    )
    return client


def test_long_paste_is_counted_not_cut(open_page, ui):
    ws = ui.workshop(
        "Gränser på telefonen",
        [(kind, form) for kind, form, _, _ in CASES],
        mode="self_paced",
        ask_nickname=False,
    )
    phone = open_page("phone", "phone")
    phone.goto(f"/j/{ws['code']}")
    s = strings(phone)
    for (kind, form, selector, shortened), act_id in zip(CASES, ws["activity_ids"], strict=True):
        phone.locator("button.pick", has_text=form["title"]).click()
        field = phone.locator(selector)
        expect(field).to_be_visible()
        assert field.get_attribute("maxlength") is None, f"{kind}: maxlength would cut a paste silently"
        # The counter is the field's description, so a screen reader reads it with the field.
        counter_id = field.evaluate(
            "e => e.getAttribute('aria-describedby').split(' ')"
            ".find((id) => document.getElementById(id)?.classList.contains('char-count'))"
        )
        assert counter_id, f"{kind}: no counter tied to the field"
        counter = phone.locator(f"#{counter_id}")
        limit = int(counter.text_content().split("/")[1].split()[0])
        assert limit < 250, f"{kind}: the test pastes more than the limit"

        # A paste of 250 characters: all of it stays, the counter says it is too long.
        field.focus()
        phone.keyboard.insert_text(PASTE)
        n = len(" ".join(PASTE.split())) if kind in ("word_cloud", "qna") else len(PASTE.strip())
        assert field.input_value() == PASTE, f"{kind}: the pasted text was cut"
        expect(counter).to_have_text(s["chars_over"].replace("%(used)s", str(n)).replace("%(n)s", str(limit)))
        assert counter.get_attribute("aria-live") == "polite"
        expect(field).to_have_attribute("aria-invalid", "true")
        send = field.locator("xpath=ancestor::form").locator("button[type=submit]")
        expect(send).to_be_disabled()
        ui.shot(phone, f"phone-limit-{kind}-390x844")
        # Nor does submitting the form another way (Enter, a script): nothing reaches the server.
        field.evaluate("e => e.closest('form').requestSubmit()")
        phone.wait_for_timeout(400)
        assert stored_texts(ui, ws["id"], act_id) == [], f"{kind}: a text over the limit was sent"
        # Another phone answers: the live redraw that follows keeps Send disabled.
        other = other_phone(ui.server, ws["code"])
        try:
            body = {"activity_id": act_id, "client_id": f"other-{kind}", "payload": OTHER[kind]}
            assert other.call("submit", body, namespace="/phone", timeout=10)["ok"]
        finally:
            other.disconnect()
        phone.wait_for_timeout(800)
        assert send.is_disabled(), f"{kind}: a live redraw enabled Send under a text over the limit"

        # Shortened to fit: the counter is calm again, Send works, the whole text is stored.
        field.fill(shortened)
        expect(counter).to_have_text(s["chars"].replace("%(used)s", str(len(shortened))).replace("%(n)s", str(limit)))
        expect(field).not_to_have_attribute("aria-invalid", "true")
        if kind == "effects":
            phone.locator(".eff-pol.pol-positive").click()
        expect(send).to_be_enabled()
        send.click()
        expect(field).to_have_value("")
        texts = stored_texts(ui, ws["id"], act_id)
        assert shortened in texts, f"{kind}: stored {texts!r}, not the whole text"
        assert not any(t and t != shortened and shortened.startswith(t) for t in texts), (
            f"{kind}: a cut text was stored"
        )
        phone.locator("button.back").click()
