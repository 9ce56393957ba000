"""A phone page carries only the strings and styles of the kinds its workshop holds: a kind
the facilitator adds while the phone is open brings its own (loadKind in static/js/core.js)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_a_kind_added_while_the_phone_is_open_is_drawn_translated_and_styled(open_page, ui, js_errors):
    ws = ui.workshop(
        "Ny sorts fråga",
        ask_nickname=False,
        activities=[("multiple_choice", {"title": "Fråga ett", "cfg_options": "Ja\nNej"})],
    )
    phone = open_page("phone", "phone")
    phone.goto(f"/j/{ws['code']}")
    expect(phone.locator("#act-title")).to_have_text("Fråga ett")
    assert phone.locator("#i18n").get_attribute("data-kinds").split() == ["multiple_choice"]
    assert phone.evaluate("() => document.styleSheets.length") == 1

    # The facilitator adds an open-text question and shows it.
    session = ui.server.facilitator_session()
    edit = f"{ui.server.url}/f/w/{ws['id']}"
    token = ui.csrf_from(session.get(edit).text)
    r = session.post(f"{edit}/activities", data={"csrf_token": token, "kind": "open_text"})
    r.raise_for_status()
    f = open_page("facilitator")
    ui.login(f)
    f.goto(f"/f/w/{ws['id']}/console")
    expect(f.locator("#current-title")).to_have_text("Fråga ett")
    f.locator("#next").click()
    expect(f.locator("#current-title")).not_to_have_text("Fråga ett")

    card = phone.locator("#stage .activity")
    expect(card.locator("form.text-form label")).to_have_text("Ditt svar")  # not the key open_text.label
    expect(card).not_to_contain_text(re.compile(r"\bopen_text\."))
    # The styles of every kind came along: the text form is drawn as kinds-text.css says.
    assert phone.evaluate("() => document.styleSheets.length") == 2
    assert phone.evaluate("() => getComputedStyle(document.querySelector('.text-form textarea')).resize") == "vertical"
    assert js_errors.errors == []
