"""In Chromium: a participant reads what is stored about them and deletes their answers; the
facilitator's console counts one answer fewer, without a reload."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_a_participant_deletes_their_answers(open_page, ui):
    ws = ui.workshop(
        "Användarforum",
        ask_nickname=False,
        activities=[("multiple_choice", {"title": "Använder ni metoden?", "cfg_options": "Ja\nNej"})],
    )
    f = open_page("facilitator")
    ui.login(f)
    f.goto(f"/f/w/{ws['id']}/console")
    phones = [open_page(f"phone{i}", "phone") for i in range(2)]
    for i, p in enumerate(phones):
        p.goto(f"/j/{ws['code']}")
        p.locator("label.choice", has_text=("Ja", "Nej")[i]).click()
        p.locator(".answer-form button[type=submit]").click()
        expect(p.locator(".answer-form .status")).to_have_text("Ditt svar är sparat.")
    expect(f.locator("#current-count")).to_have_text("2 svar")

    phone = phones[0]
    phone.locator("summary", has_text="Vad sparas om mig?").click()
    expect(phone.locator("details.privacy")).to_contain_text("slumpad kod")
    phone.once("dialog", lambda d: d.accept())
    phone.locator("#forget").click()
    expect(phone.locator("#forget-status")).to_have_text("Dina svar är raderade.")
    expect(phone.locator(".answer-form .status")).not_to_have_text("Ditt svar är sparat.")
    expect(f.locator("#current-count")).to_have_text("1 svar")
