"""After the decision, in Chromium: decide and freeze the worked example, plan a benefit's
follow-up, ask the room with three phones "har det hänt?", take the room's figure into the
realised values from the console, and see the comparison with its chart."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def strings(page) -> dict:
    return page.evaluate("JSON.parse(document.getElementById('i18n').textContent)")


def test_decide_plan_ask_the_room_record_and_compare(open_page, ui, js_errors):
    f = open_page("facilitator", bypass_csp=True)  # axe is injected at the end
    ui.login(f)
    f.goto("/f/new")
    f.locator("input[name=template][value=example_digital_locks]").check()
    f.locator("#title").fill("Digitala nyckellås – uppföljning")
    f.locator("main form button[type=submit]").click()
    expect(f).to_have_url(re.compile(r"/f/w/\d+$"))
    ws_id = int(re.search(r"/f/w/(\d+)$", f.url).group(1))
    code = re.search(r"/j/(\d{8})$", f.locator(".join-info a[href*='/j/']").get_attribute("href")).group(1)

    # --- decide -------------------------------------------------------------------------------
    f.locator("a", has_text="Beslut och uppföljning").click()
    expect(f.locator("#followup-status")).to_have_text("Utkast")
    f.locator("#label").fill("Beslutad i socialnämnden")
    f.locator("#decided_on").fill("2027-01-15")
    f.locator("#decided_by").fill("Socialnämnden")
    f.locator("button", has_text="Besluta och frys").click()
    expect(f.locator("#followup-status")).to_have_text("Beslutad")
    expect(f.locator("ol.versions")).to_contain_text("Version 1: Beslutad i socialnämnden, 2027-01-15 (Socialnämnden)")

    # --- plan the first benefit ---------------------------------------------------------------
    first = f.locator("article.followup-item").first
    title = first.locator("h3").evaluate("h => h.firstChild.textContent.trim()")
    item_id = first.get_attribute("id").removeprefix("item-")
    first.locator("summary", has_text="Plan: vem, hur, när").click()
    first.locator(f"#owner-{item_id}").fill("Enhetschef hemtjänst")
    first.locator(f"#first-{item_id}").fill("2027-07-01")
    first.locator(f"#every-{item_id}").fill("6")
    first.locator("button", has_text="Spara planen").click()
    expect(f.locator(f"#item-{item_id}")).to_contain_text("Nästa mätning: 2027-07-01")

    # --- ask the room -------------------------------------------------------------------------
    f.locator("button", has_text="Starta en uppföljningsworkshop").click()
    expect(f).to_have_url(re.compile(rf"/f/w/{ws_id}/console$"))
    expect(f.locator("#current-title")).to_have_text("Har det hänt? (version 1)")
    phones = []
    for i, (figure, answer) in enumerate([("480 000", "Ja"), ("520 000", "Ja"), ("500 000,5", "Delvis")]):
        p = open_page(f"phone{i}", "phone")
        p.goto(f"/j/{code}")
        expect(p.locator("#profile")).to_be_visible()
        p.locator("#nickname").fill(f"Deltagare {i}")
        p.locator("#profile label.choice").first.click()
        p.locator("#profile-form button[type=submit]").click()
        expect(p.locator("#act-title")).to_have_text("Har det hänt? (version 1)")
        form = p.locator("form.followup-form").first
        expect(form.locator("legend")).to_contain_text(title)
        form.locator("label.choice", has_text=answer).click()
        form.locator("input[name=value]").fill(figure)
        form.locator("input[name=source]").fill("Schemasystemet")
        form.locator("button[type=submit]").click()
        expect(form.locator(".status")).to_have_text(strings(p)["saved"])
        phones.append(p)
    ui.shot(phones[0], "followup-phone")

    # --- the console hands the median to the follow-up page -------------------------------------
    take = f.locator("a.button", has_text="Ta in i de realiserade värdena").first
    expect(take).to_be_visible()
    expect(f.locator(".followup-line").first).to_contain_text("Median: 500 000,5")
    ui.shot(f, "followup-console")
    take.click()
    expect(f).to_have_url(re.compile(rf"/f/w/{ws_id}/followup\?"))
    item = f.locator(f"#item-{item_id}")
    expect(item.locator(f"#value-{item_id}")).to_have_value("500 000,5")
    expect(item.locator(f"#source-{item_id}")).to_have_value(re.compile(r"3 svar"))
    item.locator(f"#year-{item_id}").fill("1")
    item.locator(f"#on-{item_id}").fill("2028-01-20")
    item.locator("button", has_text="Registrera").click()
    expect(f.locator("#followup-status")).to_have_text("Under uppföljning")
    expect(f.locator("#headline caption")).to_have_text("Mätt till och med år 1; senare år behåller uppskattningen.")
    expect(f.locator("svg.followup-chart polyline")).to_have_count(4)
    ui.shot(f, "followup-comparison", full_page=True)
    violations = ui.axe(f)
    assert not violations, ui.describe(violations)
