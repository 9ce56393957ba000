"""A week-long, self-paced effect workshop (steps 1–5) in Chromium: phones contribute in separate
visits. A phone closes its browser and comes back days later with what the browser kept
(localStorage and cookies: Playwright's storage state) and finds its earlier contributions; a
second phone visits in between; the facilitator curates the draft between the visits. Dot
voting is a phase of its own in this template (no valuing while brainstorming): it opens at the
time the facilitator sets, and phones see when.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

TEMPLATE = "effect_workshop_week"
G1 = "Personalen slipper hämta nycklar på kontoret"
G2 = "Färre borttappade nycklar"
H1 = "Krångligt när mobilen inte har täckning"
G3 = "Anhöriga kan se att besöket blivit av"
BENEFIT = "Frigjord arbetstid för undersköterskor"


def strings(page) -> dict:
    return page.evaluate("JSON.parse(document.getElementById('i18n').textContent)")


def fmt(template: str, **values) -> str:
    return template % values


def open_activity(phone, title: str) -> None:
    phone.locator("button.pick", has_text=title).click()
    expect(phone.locator("#act-title")).to_have_text(title)


def back_to_list(phone) -> None:
    phone.locator("button.back").click()
    expect(phone.locator("ul.activity-pick")).to_be_visible()


def set_dots_opening(f, ws_id: int, step2: str, when: datetime) -> None:
    """In the editor: the step-2 activity's "Dot voting opens at" (local time, to the minute)."""
    f.goto(f"/f/w/{ws_id}")
    f.locator("a.activity-title", has_text=step2).click()
    f.locator("#cfg_dots_open_at").fill(when.strftime("%Y-%m-%dT%H:%M"))
    f.locator("main form button[type=submit]").click()
    expect(f).to_have_url(re.compile(rf"/f/w/{ws_id}(#.*)?$"))


def add_effect(phone, text: str, polarity: str, cause: str = "") -> None:
    form = phone.locator("form.eff-form")
    form.locator("input[name=text]").fill(text)
    if cause:
        form.locator("textarea[name=cause]").fill(cause)
    form.locator(f"label.eff-pol.pol-{polarity}").click()
    form.locator("button[type=submit]").click()
    # The acknowledgement from the server, not just the outbox: safe to close the browser after.
    expect(form.locator(".status")).to_have_text(fmt(strings(phone)["effects.added"], text=text))


def dot_button(phone, title: str):
    return phone.locator("li.eff-dot-item", has=phone.locator(".eff-dot-title", has_text=title)).locator(
        "button.eff-dot-btn"
    )


def test_week_long_workshop_in_separate_visits(open_page, ui, live_server):
    # --- the facilitator opens the week (the template decides: self-paced) --------------------
    f = open_page("facilitator")
    ui.login(f)
    f.goto("/f/new")
    f.locator(f"input[name=template][value={TEMPLATE}]").check()
    f.locator("#title").fill("Digitala lås – bidra under vecka 12")
    f.locator("main form button[type=submit]").click()
    expect(f).to_have_url(re.compile(r"/f/w/\d+$"))
    ws_id = int(re.search(r"/f/w/(\d+)$", f.url).group(1))
    code = re.search(r"/j/(\d{8})$", f.locator(".join-info a[href*='/j/']").get_attribute("href")).group(1)
    expect(f.locator("#mode")).to_have_value("self_paced")

    # --- Monday: Greta's first visit --------------------------------------------------------------
    greta = open_page("greta-monday", "phone")
    greta.goto(f"/j/{code}")
    greta.locator("#nickname").fill("Greta")
    greta.locator("#profile label.choice", has_text="Den egna organisationen").click()
    greta.locator("#profile-form button[type=submit]").click()
    s = strings(greta)
    picks = greta.locator("ul.activity-pick .pick-title")
    expect(picks).to_have_count(5)
    titles = picks.all_inner_texts()
    step2, step4 = titles[1], titles[3]
    expect(greta.locator("ul.activity-pick .badge.done")).to_have_count(0)

    open_activity(greta, step2)
    add_effect(greta, G1, "positive", cause="Digitala lås")
    add_effect(greta, G2, "positive")
    # Dot voting (3 dots) is a later phase in this template: not on day one with an empty list.
    expect(greta.locator(".eff-dots")).to_be_hidden()
    expect(greta.locator(".eff-phase")).to_have_text(s["effects.dots_later"])
    back_to_list(greta)
    expect(greta.locator("ul.activity-pick li", has_text=step2).locator(".badge")).to_have_text(s["answered"])
    kept = greta.context.storage_state()
    assert any(item["name"].startswith("nv:token:") for origin in kept["origins"] for item in origin["localStorage"]), (
        "the phone keeps its identity in localStorage"
    )
    greta.context.close()  # she closes the browser

    # The facilitator sets dot voting to open on Friday morning (a week away in this test).
    stockholm = ZoneInfo("Europe/Stockholm")
    friday = (datetime.now(stockholm) + timedelta(days=7)).replace(hour=9, minute=0, second=0, microsecond=0)
    set_dots_opening(f, ws_id, step2, friday)

    # --- Tuesday: Hassan visits, adds two effects; he sees when dot voting opens ------------------
    hassan = open_page("hassan", "phone")
    hassan.goto(f"/j/{code}")
    hassan.locator("#nickname").fill("Hassan")
    hassan.locator("#profile-form button[type=submit]").click()
    open_activity(hassan, step2)
    expect(hassan.locator(".eff-phase")).to_contain_text(friday.strftime("%H:%M"))
    expect(hassan.locator(".eff-dots")).to_be_hidden()
    expect(hassan.locator(".eff-yours")).to_be_hidden()  # Greta's effects are not his
    add_effect(hassan, H1, "negative", cause="Inget mobilnät i källaren")
    add_effect(hassan, G3, "positive")
    hassan.context.close()

    # --- Wednesday: the facilitator adds a benefit to the draft, on the draft page ----------------
    f.goto(f"/f/w/{ws_id}/analysis")
    expect(f.locator("#conn")).to_have_attribute("data-state", "up")
    fs = strings(f)
    nytta = f.locator("#items .node-group").nth(2)
    expect(nytta.locator("h3")).to_contain_text(fs["vocab.node_type.nytta"])
    # The new benefit is added with its title (no stand-in title to overwrite).
    nytta.locator("form.add-node input").fill(BENEFIT)
    nytta.locator("form.add-node button", has_text=f"+ {fs['vocab.node_type.nytta']}").click()
    expect(f.locator("#draft-status")).to_have_text(fs["draft.saved"])
    expect(nytta.locator(".node-row input").first).to_have_value(BENEFIT)
    # The effects of both visits are in the draft too.
    effekt = f.locator("#items .node-group").nth(1)
    expect(effekt.locator(".node-row input[id]").first).to_have_value(G1)
    expect(effekt.locator("h3 .count")).to_have_text("4")

    # Friday has come: the opening time is set to a moment that has passed.
    set_dots_opening(f, ws_id, step2, datetime.now(stockholm) - timedelta(minutes=1))

    # --- Friday: Greta comes back with what her browser kept -------------------------------------
    greta = open_page("greta-friday", "phone", storage_state=kept)
    greta.goto(f"/w/{code}")
    expect(greta.locator("#profile")).to_be_hidden()  # no new sign-up: the same participant
    expect(greta.locator("ul.activity-pick .pick-title")).to_have_text(titles)
    expect(greta.locator("ul.activity-pick li", has_text=step2).locator(".badge")).to_have_text(s["answered"])
    expect(greta.locator("ul.activity-pick .badge.done")).to_have_count(1)
    open_activity(greta, step2)
    # Her own effects, newest first; the count; Hassan's effect among the ones to prioritise.
    expect(greta.locator(".eff-yours li")).to_have_text([re.compile(re.escape(G2)), re.compile(re.escape(G1))])
    expect(greta.locator(".eff-counter")).to_have_text(fmt(s["effects.count"], used="2", n="10"))
    # Dot voting is open now: every effect of the week to prioritise; the brainstorm is over.
    expect(greta.locator(".eff-phase")).to_have_text(s["effects.brainstorm_over"])
    expect(greta.locator("form.eff-form")).to_be_hidden()
    expect(greta.locator(".eff-dot-title")).to_have_text([G1, G2, H1, G3])
    dot_button(greta, G1).click()
    expect(dot_button(greta, G1)).to_have_attribute("aria-pressed", "true")
    expect(greta.locator(".eff-dots-left")).to_have_text(fmt(s["effects.dots_left"], left="2", n="3"))
    dot_button(greta, H1).click()
    expect(greta.locator(".eff-dots-left")).to_have_text(fmt(s["effects.dots_left"], left="1", n="3"))
    back_to_list(greta)

    # The benefit the facilitator added on Wednesday is there to sort.
    open_activity(greta, step4)
    expect(greta.locator(".sort-title")).to_have_text(BENEFIT)
    greta.locator("label.sort-cat", has_text=s["sorting.cat_omfordelning"]).click()
    greta.locator(".sort-money label.choice", has_text=s["sorting.money_yes"]).click()
    greta.locator("form.sort-form button.sort-next").click()
    expect(greta.locator(".sort-overview .badge.done")).to_have_count(1)
    back_to_list(greta)
    expect(greta.locator("ul.activity-pick .badge.done")).to_have_count(2)

    # --- the facilitator's console: two people in all, effects from both, dots counted ------------
    f.goto(f"/f/w/{ws_id}/console")
    expect(f.locator("#people-count")).to_have_text("2")
    expect(f.locator("#people-list li")).to_have_text([re.compile("^Greta"), re.compile("^Hassan")])
    nav = f.locator("#activity-nav .nav-item")
    expect(nav.filter(has_text=step2).locator(".nav-count")).to_have_text(re.compile(r"^2\b"))
    expect(nav.filter(has_text=step4).locator(".nav-count")).to_have_text(re.compile(r"^1\b"))
    nav.filter(has_text=step2).click()
    cards = f.locator("#current-view .eff-console-wall .effect-card")
    expect(cards).to_have_count(4)
    dots = {G1: "1", G2: "0", H1: "1", G3: "0"}
    for title, n in dots.items():
        form = fs["effects.n_dots#one"] if n == "1" else fs["effects.n_dots"]  # "1 prick", "2 prickar"
        expect(cards.filter(has_text=title).locator(".effect-dots .sr-only")).to_have_text(fmt(form, n=n))
    expect(cards.filter(has_text=H1).locator(".effect-author")).to_contain_text("Hassan")
    expect(cards.filter(has_text=G3).locator(".effect-author")).to_contain_text("Hassan")
