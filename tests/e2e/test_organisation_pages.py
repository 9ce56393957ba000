"""Chromium: the pages around the organisation's libraries and a participant's data, as an
admin uses them by keyboard and a screen reader reads them: axe finds nothing serious or
critical on the factor library, the portfolio, the analysis library, the publish form and the
participants page, each filled."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_library_portfolio_and_participant_pages(open_page, ui, js_errors):
    page = open_page("admin", bypass_csp=True)
    ui.login(page)
    # A workshop from the worked example (an analysis with blocks and a chain), made in the form.
    page.goto("/f/new")
    page.locator("input[name=template][value=example_digital_locks]").check()
    page.locator("main form button[type=submit]").last.click()
    expect(page).to_have_url(re.compile(r"/f/w/\d+$"))
    ws_id = int(re.search(r"/f/w/(\d+)$", page.url).group(1))
    found: dict[str, list] = {}

    # The factor library: one factor added by keyboard.
    page.goto("/f/org/factors")
    page.locator("#f-name").fill("sjukskoterska")
    page.locator("#f-label").fill("Sjuksköterska, Solstad")
    page.locator("#f-value").fill("512,5")
    page.locator("#f-year").fill("2026")
    page.locator("#f-source").fill("Solstads lönestatistik")
    page.locator("#f-source").press("Enter")
    expect(page.locator("#org-factors")).to_contain_text("512,5")
    found["factor library"] = ui.axe(page)

    page.goto(f"/f/w/{ws_id}/publish")
    expect(page.get_by_role("heading", level=1)).to_have_text("Publicera i analysbiblioteket")
    found["publish form"] = ui.axe(page)
    page.locator("#summary").fill("Nyckellås i hemtjänsten")
    page.get_by_role("button", name="Publicera").click()
    expect(page.get_by_role("heading", level=2).first).to_be_visible()
    found["analysis library"] = ui.axe(page)

    page.goto("/f/org/portfolio")
    expect(page.locator("#portfolio")).to_contain_text("kr")
    found["portfolio"] = ui.axe(page)

    phone = open_page("phone", "phone")
    ws = ui.workshop("Deltagardata", activities=[("multiple_choice", {"title": "Fråga", "cfg_options": "Ja\nNej"})])
    phone.goto(f"/j/{ws['code']}")
    phone.locator("#nickname").fill("Lisa")
    phone.locator("#profile-form button[type=submit]").click()
    expect(phone.locator("#my-reference strong")).to_have_text(re.compile(r"^D-\d+$"))
    reference = phone.locator("#my-reference strong").inner_text()
    page.goto(f"/f/w/{ws['id']}/participants?q={reference}")
    expect(page.locator("table")).to_contain_text("Lisa")
    found["participants"] = ui.axe(page)

    # An invitation: made on the organisation page, opened in another browser, accepted.
    page.goto("/f/org")
    page.get_by_role("button", name="Skapa en inbjudningslänk").click()
    invite_url = page.locator("#new-link").input_value()
    guest = open_page("guest", bypass_csp=True)
    guest.goto(invite_url)
    found["invitation"] = ui.axe(guest)
    guest.locator("#name").fill("Cilla")
    guest.locator("#email").fill("cilla@solstad.se")
    guest.locator("#password").fill("ett-långt-lösen-1")
    guest.locator("#repeat").fill("ett-långt-lösen-1")
    guest.get_by_role("button", name="Skapa konto").click()
    expect(guest).to_have_url(re.compile(r"/f/$"))
    # A password reset link for her, opened by her.
    page.goto("/f/org")
    page.locator("form[action*='/reset'] button").last.click()
    reset_url = page.locator("#reset-link").input_value()
    guest.goto(reset_url)
    found["password reset"] = ui.axe(guest)
    # A poll workshop's results link, read from the console's dialog, opened without a login.
    page.goto(f"/f/w/{ws['id']}/console")
    results_url = page.locator("#results-url").input_value()
    reader = open_page("reader", bypass_csp=True)
    reader.goto(results_url)
    expect(reader.get_by_role("heading", level=1)).to_be_visible()
    found["results link"] = ui.axe(reader)

    bad = {name: ui.describe(v) for name, v in found.items() if v}
    assert not bad, bad
