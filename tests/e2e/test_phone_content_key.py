"""A phone that missed the message carrying a kind's content still ends up with it.

The server sends a kind's content (here: the effects to put dots on) once, and after that only
its ``content_key`` while it is unchanged (docs/protocol.md §5.3). This phone's websocket is
routed so that every results message that carries content reaches it without the content, as
if the phone had missed each of them: it must notice by the key and ask for a snapshot, and
its list must show what another phone wrote."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

EFFECT = "Färre resor och mindre stress"
PREFIX = '42/phone,["results",'


def _strip_content(page, stripped: list[str]) -> None:
    def route(ws):
        server = ws.connect_to_server()

        def from_server(message):
            if isinstance(message, str) and message.startswith(PREFIX) and '"content":' in message:
                name, payload = json.loads(message[len("42/phone,") :])
                if payload.get("content_key"):
                    payload.pop("content")
                    stripped.append(payload["content_key"])
                    message = "42/phone," + json.dumps([name, payload])
            ws.send(message)

        server.on_message(from_server)

    page.route_web_socket(re.compile(r".*/socket\.io/.*"), route)


def test_a_phone_that_missed_the_content_asks_for_it(open_page, ui):
    ws = ui.workshop(
        "Effekter",
        [("effects", {"title": "Hitta effekterna", "cfg_dot_votes": "3"})],
        ask_nickname=False,
    )
    kalle = open_page("kalle", "phone")
    stripped: list[str] = []
    _strip_content(kalle, stripped)
    kalle.goto(f"/j/{ws['code']}")
    expect(kalle.locator("form.eff-form")).to_be_visible()
    expect(kalle.locator(".eff-dot-list li.empty")).to_have_count(1)

    lisa = open_page("lisa", "phone")
    lisa.goto(f"/j/{ws['code']}")
    form = lisa.locator("form.eff-form")
    form.locator("input[name=text]").fill(EFFECT)
    form.locator("label.eff-pol.pol-positive").click()
    form.locator("button[type=submit]").click()
    expect(lisa.locator(".eff-dot-title")).to_have_text([EFFECT])

    # Kalle never got the message with the new list, only its key: the snapshot brings it.
    expect(kalle.locator(".eff-dot-title")).to_have_text([EFFECT])
    assert stripped, "no results message with content reached the phone"
