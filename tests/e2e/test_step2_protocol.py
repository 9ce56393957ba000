"""Step 2 with the method's workshop advice, in Chromium: a facilitator, a projector and three
phones. Positive round, a pause, the negative round; a note with two effects gets the hint; a
cost of carrying out the change is parked (by a phone, and by the facilitator from the wall);
no dots anywhere while brainstorming; the facilitator opens dot voting; a merge keeps both
wordings; step 6 picks up the parked costs and the facilitator confirms one. axe on every page.

Screenshots (looked at by a person): test-artifacts/protocol-*.png.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

E_KEYS = "Personalen slipper hämta nycklar"
E_KEYS_DUP = "Inga nyckelbyten på kontoret"
E_TWO = "Färre resor och mindre stress"
E_SAFE = "Brukaren känner sig tryggare"
E_NET = "Beroende av fungerande mobilnät"
E_TRAIN = "All personal måste utbildas i låsen"
C_LICENCE = "Licenser för de digitala låsen"


def strings(page) -> dict:
    return page.evaluate("JSON.parse(document.getElementById('i18n').textContent)")


def join(phone, code: str, nickname: str) -> None:
    phone.goto(f"/j/{code}")
    expect(phone.locator("#profile")).to_be_visible()
    phone.locator("#nickname").fill(nickname)
    phone.locator("#profile-form button[type=submit]").click()
    expect(phone.locator("#profile")).to_be_hidden()


def send(phone, text: str, polarity: str | None = None) -> None:
    """Add a note; in a round the round's polarity is chosen already (``polarity`` None)."""
    s = strings(phone)
    form = phone.locator("form.eff-form")
    form.locator("input[name=text]").fill(text)
    if polarity:
        form.locator(f"label.eff-pol.pol-{polarity}").click()
    form.locator("button[type=submit]").click()
    expect(form.locator(".status")).to_have_text(s["effects.added"] % {"text": text})


def check_axe(ui, pages: dict) -> None:
    for page in pages.values():
        ui.axe_start(page)
    found = {name: ui.axe_result(page) for name, page in pages.items()}
    bad = {k: v for k, v in found.items() if v}
    assert not bad, "axe found serious or critical violations:\n" + "\n".join(
        f"{k}:\n{ui.describe(v)}" for k, v in bad.items()
    )


def test_step_2_with_the_method_protocol_and_step_6_picks_up_the_parked_cost(open_page, ui):
    ws = ui.workshop(
        "Digitala lås – effekter",
        [
            (
                "effects",
                {"title": "Hitta effekterna", "cfg_rounds": "1", "cfg_dots_phase": "1", "cfg_dot_votes": "2"},
            ),
            ("questions", {"title": "Formulera frågor"}),
        ],
    )
    f = open_page("facilitator", bypass_csp=True, viewport={"width": 1280, "height": 720})
    ui.login(f)
    f.goto(f"/f/w/{ws['id']}/console")
    expect(f.locator("#conn")).to_have_attribute("data-state", "up")
    s = strings(f)
    screen = open_page("presenter", "presenter", bypass_csp=True)
    screen.goto(ws["presenter_url"])
    screen.evaluate("window.__sameScreen = true")
    phones = {}
    for name in ("Kalle", "Lisa", "Omar"):
        phones[name] = open_page(name, "phone", bypass_csp=True)
        join(phones[name], ws["code"], name)
        expect(phones[name].locator(".eff-round")).to_contain_text(s["effects.round_positive"])
    kalle, lisa, omar = phones["Kalle"], phones["Lisa"], phones["Omar"]
    pres = screen.locator("#pres-view")
    console = f.locator("#current-view .effects-console")

    # --- round 1: positive effects only ----------------------------------------------------------
    expect(kalle.locator("label.eff-pol")).to_have_count(1)
    expect(kalle.locator("label.eff-pol.pol-positive input")).to_be_checked()
    expect(kalle.locator(".eff-phase")).to_have_text(s["effects.dots_later"])
    send(kalle, E_KEYS)
    send(lisa, E_KEYS_DUP)
    # One effect per note: a hint while typing, and the note is still taken.
    lisa.locator("form.eff-form input[name=text]").fill(E_TWO)
    expect(lisa.locator(".eff-several")).to_contain_text(s["effects.several_hint"])
    ui.shot(lisa, "protocol-phone-hint", full_page=True)
    lisa.locator("form.eff-form button[type=submit]").click()
    expect(lisa.locator("form.eff-form .status")).to_have_text(s["effects.added"] % {"text": E_TWO})
    expect(lisa.locator(".eff-several")).to_be_hidden()
    send(omar, E_SAFE)
    # The screen says which round is on and shows no dots while brainstorming.
    expect(pres.locator(".eff-state .eff-chip > span:last-child")).to_have_text(
        [s["effects.round_positive"], s["effects.phase_brainstorm"]]
    )
    expect(pres.locator(".col-positive .effect-title")).to_have_text([E_KEYS, E_KEYS_DUP, E_TWO, E_SAFE])
    expect(pres.locator(".effect-dots")).to_have_count(0)
    # The console marks the note that holds two effects.
    expect(console.locator(".effect-card", has_text=E_TWO).locator(".eff-several-tag")).to_have_text(
        s["effects.several_tag"]
    )
    ui.shot(screen, "protocol-presenter-positive-1920")
    kalle.evaluate("window.scrollTo(0, 0)")
    ui.shot(kalle, "protocol-phone-positive")

    # --- a pause, then round 2: negative effects -----------------------------------------------------
    console.locator(".eff-rounds button[data-round=pause]").click()
    expect(kalle.locator(".eff-round")).to_contain_text(s["effects.round_pause"])
    expect(kalle.locator("form.eff-form")).to_be_hidden()
    expect(pres.locator(".eff-chip").first).to_have_text(s["effects.round_pause"])  # no mark in a pause
    console.locator(".eff-rounds button[data-round=negative]").click()
    expect(omar.locator(".eff-round")).to_contain_text(s["effects.round_negative"])
    expect(omar.locator("label.eff-pol")).to_have_count(1)
    expect(omar.locator("label.eff-pol.pol-negative input")).to_be_checked()
    send(omar, E_NET)
    send(kalle, E_TRAIN)
    expect(pres.locator(".col-negative .effect-title")).to_have_text([E_NET, E_TRAIN])

    # --- costs of carrying out the change go to the parking list ---------------------------------------
    form = lisa.locator("form.eff-form")
    form.locator("input[name=text]").fill(C_LICENCE)
    form.locator("input[name=park]").check()
    expect(form.locator("fieldset.eff-polarity")).to_be_hidden()
    form.locator("button[type=submit]").click()
    expect(form.locator(".status")).to_have_text(s["effects.parked"] % {"text": C_LICENCE})
    # The facilitator moves a note there from the wall.
    console.locator(".effect-card", has_text=E_TRAIN).locator("button[data-fkey^=park-]").click()
    parking = pres.locator(".effects-col.col-parked")
    expect(parking.locator(".effects-col-head")).to_contain_text(s["effects.parking"])
    expect(parking.locator(".effect-title")).to_have_text([E_TRAIN, C_LICENCE])
    expect(pres.locator(".col-negative .effect-title")).to_have_text([E_NET])
    expect(console.locator(".col-parked .effect-title")).to_have_text([E_TRAIN, C_LICENCE])

    # --- merging keeps both wordings ----------------------------------------------------------------------
    console.locator(".effect-card", has_text=E_KEYS_DUP).locator("button[data-fkey^=edit-]").click()
    panel = f.locator("#current-view .eff-edit")
    panel.locator("form.eff-merge select").select_option(label=E_KEYS)
    panel.locator("form.eff-merge button[type=submit]").click()
    kept = console.locator(".effect-card", has_text=E_KEYS)
    expect(kept.locator(".effect-variants li")).to_have_count(1)
    expect(kept.locator(".effect-variants li")).to_contain_text(E_KEYS_DUP)
    expect(kept.locator(".effect-variants li")).to_contain_text("Lisa")
    pres_card = pres.locator(".effect-card", has_text=E_KEYS)
    expect(pres_card.locator(".effect-variants li")).to_have_text([E_KEYS_DUP])
    expect(pres.locator(".col-positive .effect-title")).to_have_text([E_KEYS, E_TWO, E_SAFE])
    ui.shot(screen, "protocol-presenter-parking-1920")
    screen.set_viewport_size({"width": 1280, "height": 720})
    expect(pres.locator(".effects-col.col-parked")).to_be_visible()
    ui.shot(screen, "protocol-presenter-parking-1280")
    ui.shot(f, "protocol-console-1280", full_page=True)
    check_axe(ui, {"console": f, "presenter": screen, "phone (Lisa)": lisa})

    # --- dot voting, a phase of its own -------------------------------------------------------------------
    expect(kalle.locator(".eff-dots")).to_be_hidden()
    console.locator(".eff-toolbar button", has_text=s["effects.open_dots"]).click()
    expect(kalle.locator(".eff-dots")).to_be_visible()
    expect(kalle.locator(".eff-phase")).to_have_text(s["effects.brainstorm_over"])
    expect(kalle.locator("form.eff-form")).to_be_hidden()
    expect(pres.locator(".eff-chip > span:last-child")).to_have_text([s["effects.phase_dots"]])
    for phone in (kalle, omar):
        phone.locator(".eff-dot-item", has_text=E_KEYS).locator("button.eff-dot-btn").click()
        expect(phone.locator(".eff-dot-item", has_text=E_KEYS).locator("button.eff-dot-btn")).to_have_attribute(
            "aria-pressed", "true"
        )
    lisa.locator(".eff-dot-item", has_text=E_NET).locator("button.eff-dot-btn").click()
    expect(pres.locator(".effect-card", has_text=E_KEYS).locator(".effect-dots")).to_contain_text("2")
    expect(kalle.locator(".eff-round")).to_be_hidden()
    kalle.evaluate("window.scrollTo(0, 0)")
    ui.shot(kalle, "protocol-phone-dots")
    screen.set_viewport_size({"width": 1920, "height": 1080})
    ui.shot(screen, "protocol-presenter-dots-1920")
    check_axe(ui, {"presenter": screen, "phone (Kalle)": kalle})

    # --- step 6 picks up the parked costs; the facilitator confirms one -----------------------------------------
    f.locator("#next").click()
    expect(f.locator("#current-meta")).to_contain_text(s["kind.questions"])
    parked = f.locator("#current-view .q-parked")
    expect(parked.locator(".q-parked-title strong")).to_have_text([E_TRAIN, C_LICENCE])
    item = parked.locator(".q-parked-item", has_text=C_LICENCE)
    item.locator("select[id^=q-park-kind-]").select_option("running")
    item.locator("button.primary").click()
    expect(parked.locator(".q-parked-title strong")).to_have_text([E_TRAIN])
    expect(f.locator("#current-view .mk-item-title strong")).to_have_text([C_LICENCE])
    ui.shot(f, "protocol-step6-console-1280", full_page=True)
    check_axe(ui, {"console (step 6)": f})

    # The draft page lists the merged wording under the effect kept.
    f.goto(f"/f/w/{ws['id']}/analysis")
    expect(f.locator(".node-variants", has_text=E_KEYS_DUP)).to_have_count(1)
