"""A live workshop from the facilitator's login to locked input, with three phones in the room.

Everything happens through the pages a person uses: forms, buttons, keys. Screenshots of the
main screens land in test-artifacts/.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

Q1 = "Använder ni nyttoanalys i dag?"
Q1_OPTIONS = ["Ja, i flera projekt", "Ja, någon gång", "Nej", "Vet inte"]
Q2 = "Vilken nytta väger tyngst för brukarna?"
Q2_OPTIONS = ["Trygghet", "Tid", "Självständighet"]


def strings(page) -> dict:
    """The page's translated UI strings (what its JS shows), so assertions hold in any language."""
    return page.evaluate("JSON.parse(document.getElementById('i18n').textContent)")


def add_activity(f, kind: str) -> None:
    """On the workshop editor: choose a kind and press Add; lands on that activity's form."""
    f.locator("#kind").select_option(kind)
    f.locator("form.add-activity button[type=submit]").click()
    expect(f).to_have_url(re.compile(r"/f/w/\d+/a/\d+$"))


def save_activity(f) -> None:
    f.locator("main form button[type=submit]").click()
    expect(f).to_have_url(re.compile(r"/f/w/\d+(#activity-\d+)?$"))


def join(phone, nickname: str) -> None:
    """On the phone page after the code: give a nickname and continue."""
    expect(phone.locator("#profile")).to_be_visible()
    phone.locator("#nickname").fill(nickname)
    phone.locator("#profile-form button[type=submit]").click()
    expect(phone.locator("#profile")).to_be_hidden()


def vote(phone, option: str) -> None:
    phone.locator("label.choice", has_text=option).click()
    phone.locator(".answer-form button[type=submit]").click()
    expect(phone.locator(".answer-form .status")).to_have_text(strings(phone)["saved"])


def test_live_workshop_flow(open_page, ui):
    kinds = ui.complete_kinds()  # what the registry offers, once its JS half is written too
    assert "multiple_choice" in kinds

    # --- the facilitator prepares the workshop -------------------------------------------
    f = open_page("facilitator")
    ui.login(f)
    f.locator("main a[href$='/f/new']").click()
    f.locator("#title").fill("Användarforum Solstad")
    f.locator("#mode").select_option("live")
    f.locator("main form button[type=submit]").click()
    expect(f).to_have_url(re.compile(r"/f/w/\d+$"))
    expect(f.locator("h1")).to_have_text("Användarforum Solstad")
    edit_url = f.url

    add_activity(f, "multiple_choice")
    ui.shot(f, "activity-editor", full_page=True)
    f.locator("#title").fill(Q1)
    f.locator("#cfg_options").fill("\n".join(Q1_OPTIONS))
    save_activity(f)

    add_activity(f, "multiple_choice")
    f.locator("#title").fill(Q2)
    f.locator("#cfg_options").fill("\n".join(Q2_OPTIONS))
    f.locator("input[name=results_hidden]").check()
    save_activity(f)

    # Further kinds, when their modules exist: the phones must follow to them too.
    extra = []
    for key, title in (("word_cloud", "Vilka ord beskriver nyttan?"), ("scale", "Hur väl stämmer påståendena?")):
        if key not in kinds:
            continue
        add_activity(f, key)
        f.locator("#title").fill(title)
        for area in f.locator("textarea[name^=cfg_]").all():
            if not area.input_value().strip():
                area.fill("Påstående ett\nPåstående två")
        save_activity(f)
        extra.append(title)

    titles = [Q1, Q2, *extra]
    expect(f.locator(".activity-list .activity-title")).to_have_text(titles)
    # The options were saved through the form: the editor shows them again.
    f.locator(".activity-list .activity-title", has_text=Q1).click()
    expect(f.locator("#cfg_options")).to_have_value("\n".join(Q1_OPTIONS))
    f.goto(edit_url)
    ui.shot(f, "editor", full_page=True)
    join_url = f.locator(".join-info a[href*='/j/']").get_attribute("href")
    code = re.search(r"/j/(\d{8})$", join_url).group(1)

    # --- console and presenter -----------------------------------------------------------
    f.locator("main a[href$='/console']").first.click()
    expect(f.locator("#conn")).to_have_attribute("data-state", "up")
    expect(f.locator("#current-title")).to_have_text(Q1)
    presenter_url = f.locator("#console").get_attribute("data-presenter-url")
    screen = open_page("presenter", "presenter")
    screen.goto(presenter_url)
    screen.evaluate("window.__sameScreen = true")  # gone if the page ever reloads
    expect(screen.locator("#pres-title")).to_have_text(Q1)
    expect(screen.locator("#pres-code")).to_have_text(f"{code[:4]} {code[4:]}")

    # --- three phones join: two type the code, one opens the QR's address -----------------
    phones = {name: open_page(name, "phone") for name in ("Kalle", "Lisa", "Omar")}
    for name in ("Kalle", "Lisa"):
        phone = phones[name]
        phone.goto("/")
        phone.locator("#code").fill(f"{code[:4]} {code[4:]}" if name == "Kalle" else code)
        if name == "Kalle":
            ui.shot(phone, "phone-join")
        phone.locator("#join-form button[type=submit]").click()
        expect(phone).to_have_url(re.compile(rf"/j/{code}$"))
    phones["Omar"].goto(join_url.replace(re.match(r"https?://[^/]+", join_url).group(0), ""))
    expect(phones["Omar"]).to_have_url(re.compile(rf"/j/{code}$"))  # the page itself: no redirect
    ui.shot(phones["Omar"], "phone-profile")
    for name, phone in phones.items():
        join(phone, name)
        expect(phone.locator("#act-title")).to_have_text(Q1)
        expect(phone.locator("label.choice")).to_have_text(Q1_OPTIONS)

    expect(f.locator("#people-count")).to_have_text("3")
    expect(f.locator("#people-list li")).to_have_text(["Kalle", "Lisa", "Omar"])
    expect(screen.locator("#pres-participants")).to_have_text("3")

    # --- they answer; the presenter follows without a reload -----------------------------
    ui.shot(phones["Kalle"], "phone-vote")
    vote(phones["Kalle"], "Ja, i flera projekt")
    vote(phones["Lisa"], "Ja, i flera projekt")
    vote(phones["Omar"], "Nej")
    ui.shot(phones["Omar"], "phone-voted")
    expect(screen.locator("#pres-view .bar-label")).to_have_text(Q1_OPTIONS)
    expect(screen.locator("#pres-view .bar-value")).to_have_text(["2 (67 %)", "0 (0 %)", "1 (33 %)", "0 (0 %)"])
    expect(screen.locator("#pres-responses")).to_have_text("3")
    # A changed answer replaces the earlier one.
    vote(phones["Omar"], "Ja, någon gång")
    expect(screen.locator("#pres-view .bar-value")).to_have_text(["2 (67 %)", "1 (33 %)", "0 (0 %)", "0 (0 %)"])
    expect(screen.locator("#pres-responses")).to_have_text("3")
    ui.shot(screen, "presenter-results")
    expect(f.locator("#current-view .bar-value")).to_have_text(["2 (67 %)", "1 (33 %)", "0 (0 %)", "0 (0 %)"])
    ui.shot(f, "console")

    # --- next activity with the keyboard; every phone follows -----------------------------
    f.keyboard.press("ArrowRight")
    expect(f.locator("#current-title")).to_have_text(Q2)
    expect(screen.locator("#pres-title")).to_have_text(Q2)
    for phone in phones.values():
        expect(phone.locator("#act-title")).to_have_text(Q2)
        expect(phone.locator("label.choice")).to_have_text(Q2_OPTIONS)
        expect(phone.locator("input[type=radio]:checked")).to_have_count(0)

    vote(phones["Kalle"], "Tid")
    vote(phones["Lisa"], "Trygghet")
    vote(phones["Omar"], "Tid")
    # Hidden results: the screen counts answers but shows no bars until the reveal.
    expect(screen.locator("#pres-responses")).to_have_text("3")
    expect(screen.locator("#pres-view .pres-hidden")).to_have_text(strings(screen)["results_hidden"])
    expect(screen.locator("#pres-view .bar")).to_have_count(0)
    ui.shot(screen, "presenter-hidden")

    # A phone reloads: it is still the same participant and sees its saved answer.
    kalle = phones["Kalle"]
    kalle.reload()
    expect(kalle.locator("#act-title")).to_have_text(Q2)
    expect(kalle.locator("#profile")).to_be_hidden()
    expect(kalle.locator("label.choice", has_text="Tid").locator("input")).to_be_checked()
    expect(kalle.locator("input[type=radio]:checked")).to_have_count(1)
    expect(f.locator("#people-count")).to_have_text("3")

    # Reveal: bars on the screen (and on the phones, which see results once revealed).
    f.locator("#reveal").click()
    expect(f.locator("#reveal")).to_have_attribute("aria-pressed", "true")
    expect(screen.locator("#pres-view .bar-label")).to_have_text(Q2_OPTIONS)
    expect(screen.locator("#pres-view .bar-value")).to_have_text(["1 (33 %)", "2 (67 %)", "0 (0 %)"])
    expect(kalle.locator(".phone-results .bar-value")).to_have_text(["1 (33 %)", "2 (67 %)", "0 (0 %)"])
    ui.shot(screen, "presenter-revealed")

    # Lock: the phones say so and no longer take an answer.
    f.locator("#lock").click()
    expect(f.locator("#lock")).to_have_attribute("aria-pressed", "true")
    for phone in phones.values():
        expect(phone.locator(".activity .notice")).to_have_text(strings(phone)["locked"])
        expect(phone.locator("input[type=radio]").first).to_be_disabled()
        expect(phone.locator(".answer-form button[type=submit]")).to_be_disabled()
    ui.shot(phones["Lisa"], "phone-locked")

    # Any further kinds: the arrow key walks on and the phones follow.
    for title in extra:
        f.keyboard.press("ArrowRight")
        expect(f.locator("#current-title")).to_have_text(title)
        expect(screen.locator("#pres-title")).to_have_text(title)
        for phone in phones.values():
            expect(phone.locator("#act-title")).to_have_text(title)
    # A focused control keeps its keys: the arrow does not move on.
    f.locator("#lock").focus()
    here = f.locator("#current-title").inner_text()
    f.keyboard.press("ArrowLeft")
    f.wait_for_timeout(300)
    expect(f.locator("#current-title")).to_have_text(here)
    # A mouse click on a control leaves focus on the page: the clicker goes on working (the
    # arrows below). One click: a second one at once would toggle again or not, depending on
    # whether the first one's state had arrived.
    f.locator("#lock").click()
    expect(f.locator("#lock")).to_have_attribute("aria-pressed", "true")
    # Back with the other arrow.
    for _ in extra:
        f.keyboard.press("ArrowLeft")
        f.wait_for_timeout(100)
    f.keyboard.press("ArrowLeft")
    expect(f.locator("#current-title")).to_have_text(Q1)
    expect(screen.locator("#pres-title")).to_have_text(Q1)
    expect(screen.locator("#pres-view .bar-value")).to_have_text(["2 (67 %)", "1 (33 %)", "0 (0 %)", "0 (0 %)"])
    expect(phones["Omar"].locator("label.choice", has_text="Ja, någon gång").locator("input")).to_be_checked()

    assert screen.evaluate("window.__sameScreen") is True, "the presenter page reloaded"
