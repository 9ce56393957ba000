"""A template created in English is English on every screen: the facilitator picks the forum
deck and English in the form; the console, the presenter and three phones show English
questions and options, and no Swedish text of the template."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

DECK = Path(__file__).resolve().parents[2] / "workshop" / "template_library" / "forum_poll_deck.json"


def test_the_forum_deck_in_english(open_page, ui):
    deck = json.loads(DECK.read_text())["workshop"]
    first = deck["activities"][0]
    f = open_page("facilitator")
    ui.login(f)
    f.goto("/f/new")
    f.locator("input[name=template][value=forum_poll_deck]").check()
    f.locator("select[name=language]").select_option("en")
    f.locator("main form button[type=submit]").last.click()
    expect(f).to_have_url(re.compile(r"/f/w/\d+$"))
    ws_id = int(re.search(r"/f/w/(\d+)$", f.url).group(1))
    expect(f.locator("h1")).to_have_text(deck["title"]["en"])
    titles = f.locator(".activity-list .activity-title").all_text_contents()
    assert titles == [a["title"]["en"] for a in deck["activities"]]
    code = re.search(r"/j/(\d{8})", f.content()).group(1)
    presenter_url = re.search(r'href="(/present/\d+/[^"]+)"', f.content()).group(1)

    f.goto(f"/f/w/{ws_id}/console")
    expect(f.locator("#current-title")).to_have_text(first["title"]["en"])
    screen = open_page("presenter", "presenter")
    screen.goto(presenter_url)
    expect(screen.locator("#pres-title")).to_have_text(first["title"]["en"])

    options_en = [o["en"] for o in first["config"]["options"]]
    options_sv = [o["sv"] for o in first["config"]["options"]]
    for i in range(3):
        phone = open_page(f"phone {i}", "phone")
        phone.goto(f"/j/{code}")
        if phone.locator("#nickname").count():
            phone.locator("#nickname").fill(f"Guest {i}")
            phone.locator("#profile-form button[type=submit]").click()
        expect(phone.locator("#act-title")).to_have_text(first["title"]["en"])
        expect(phone.locator("label.choice")).to_have_text(options_en)
        assert phone.locator("html").get_attribute("lang") == "en"
        body = phone.locator("body").inner_text()
        assert not any(sv in body for sv in options_sv + [first["title"]["sv"]]), body
    ui.shot(phone, "phone-forum-deck-en")
