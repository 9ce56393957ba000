"""The editor's "Add an activity" list in Chromium: grouped, ordered, set to the next step."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_add_activity_list_is_grouped_and_set_to_the_next_step(open_page, ui):
    ws = ui.workshop(
        "Effektworkshop",
        activities=[("alternatives", {"title": "Steg 1"}), ("effects", {"title": "Steg 2"})],
    )
    f = open_page("facilitator")
    ui.login(f)
    f.goto(f"/f/w/{ws['id']}")
    select = f.locator("#kind")
    expect(select.locator("optgroup")).to_have_count(3)
    assert select.locator("optgroup").evaluate_all("gs => gs.map((g) => g.label)") == [
        "Omröstningar",
        "Metodens steg",
        "Efter beslutet",
    ]
    expect(select).to_have_value("effect_chain")
    # Adding takes the default: the next step of the method.
    f.locator("form.add-activity button[type=submit]").click()
    expect(f.locator("h1")).to_have_text("Steg 3 · Rita en effektkedja")
    f.goto(f"/f/w/{ws['id']}")
    expect(f.locator("#kind")).to_have_value("sorting")
    # For the picture: the list opened out (a native drop-down is not in screenshots).
    f.locator("#kind").evaluate("(s) => { s.size = 21; }")
    f.locator("form.add-activity").scroll_into_view_if_needed()
    ui.shot(f, "editor-add-activity", full_page=True)
