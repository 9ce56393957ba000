"""Step 7 (Samla data) with three-point estimates, in Chromium, on the worked example.

The facilitator asks one question for lowest / likely / highest; three phones (mobile
viewports, one only 320 px wide) answer privately — one first puts its figures out of order and
is told so in Swedish; the results are shown (the presenter draws the range of the three
figures); a second round; the console shows how much the spread narrowed and proposes
lowest / likely / highest with a source text; the facilitator adopts it and the draft analysis
shows the figures and the source. Axe on every screen.

Screenshots (looked at by a person) in test-artifacts/ and, when SHOTS_DIR is set, there too:
est3-presenter-1920, est3-presenter-1280, est3-presenter-list-1280, est3-phone-320,
est3-phone-round2, est3-console.
"""

from __future__ import annotations

import os
import re
import shutil
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

TEMPLATE = "example_digital_locks"
ROW_LABEL = "Hur många supportärenden om lås blir det per år?"
UNIT = "ärenden/år"
# (lowest, likely, highest) per phone. Round 1, likely 387,5 / 400 / 450: Q1 393,75, Q3 425,
# interquartile range 31,25; widths 150 / 300 / 700: IQR 275.
ROUND1 = {"Kalle": ("300", "400", "600"), "Lisa": ("350", "387,5", "500"), "Omar": ("200", "450", "900")}
# Round 2, likely 400 / 395 / 410: IQR 7,5 (76 % narrower); widths 147,5 / 120 / 180: IQR 30
# (89 % narrower). Proposal: medians 352,5 / 400 / 500.
ROUND2 = {"Kalle": ("352,5", "400", "500"), "Lisa": ("360", "395", "480"), "Omar": ("340", "410", "520")}


def strings(page) -> dict:
    return page.evaluate("JSON.parse(document.getElementById('i18n').textContent)")


def plural(s: dict, key: str, n: int, **values) -> str:
    """A counted browser string as the page picks it (``key#one`` for one)."""
    text = s.get(f"{key}#one", s[key]) if n == 1 else s[key]
    return text % {"n": n, **values}


def go_to_question(phone) -> None:
    """Page the phone back to the question (a sent answer moves it on to the next one)."""
    heading = phone.locator("h2.est-question")
    for step in ("prev", "prev", "prev", "prev", "next", "next", "next", "next", "next"):
        if heading.inner_text() == ROW_LABEL:
            return
        phone.locator(f"button.est-nav-{step}").click()
        expect(heading).to_be_focused()
    expect(heading).to_have_text(ROW_LABEL)


def shot(ui, page, name: str, full_page: bool = False) -> None:
    path = ui.shot(page, name, full_page=full_page)
    target = os.environ.get("SHOTS_DIR")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(target) / path.name)


def no_overlap(page, upper: str, lower: str) -> None:
    """The bottom of ``upper`` is above the top of ``lower`` (nothing overprinted)."""
    a = page.locator(upper).first.bounding_box()
    b = page.locator(lower).first.bounding_box()
    assert a and b, (upper, lower)
    assert a["y"] + a["height"] <= b["y"] + 1, f"{upper} {a} overlaps {lower} {b}"


def answer(phone, figures: tuple[str, str, str]) -> None:
    form = phone.locator("form.est-three")
    for key, value in zip(("low", "likely", "high"), figures):
        form.locator(f"input[data-three={key}]").fill(value)
    form.locator("button[type=submit]").click()


def test_three_point_estimates_two_rounds_narrowing_and_adopting(open_page, ui, live_server):
    f = open_page("facilitator", bypass_csp=True)
    ui.login(f)
    f.goto("/f/new")
    f.locator(f"input[name=template][value={TEMPLATE}]").check()
    f.locator("#title").fill("Digitala lås – tre siffror")
    f.locator("main form button[type=submit]").click()
    expect(f).to_have_url(re.compile(r"/f/w/\d+$"))
    ws_id = int(re.search(r"/f/w/(\d+)$", f.url).group(1))
    code = re.search(r"/j/(\d{8})$", f.locator(".join-info a[href*='/j/']").get_attribute("href")).group(1)

    f.goto(f"/f/w/{ws_id}/console")
    expect(f.locator("#conn")).to_have_attribute("data-state", "up")
    s = strings(f)
    f.locator("#activity-nav .nav-item").filter(has_text=s["kind.estimates"]).click()
    expect(f.locator("#current-meta")).to_contain_text(s["kind.estimates"])
    presenter_url = f.locator("#console").get_attribute("data-presenter-url")
    screen = open_page("presenter", "presenter", bypass_csp=True)
    screen.goto(presenter_url)
    small = open_page("presenter-1280", "presenter", viewport={"width": 1280, "height": 720})
    small.goto(presenter_url)

    card = f.locator("#current-view li.est-row", has_text=ROW_LABEL)
    toggle = card.locator(".est-three-toggle input[type=checkbox]")
    expect(toggle).not_to_be_checked()
    toggle.check()
    expect(card.locator(".est-three-toggle input[type=checkbox]")).to_be_checked()

    # "Visa stort på skärmen" shows the question at once, though the results are still hidden.
    card.locator("button.est-screen").click()
    expect(card.locator("button.est-screen")).to_have_attribute("aria-pressed", "true")
    expect(screen.locator("#pres-view .est-pres.focus .est-pres-q")).to_have_text(ROW_LABEL)
    expect(screen.locator("#pres-view .pres-hidden")).to_be_visible()

    # --- three phones, privately ----------------------------------------------------------------
    phones = {}
    for name in ROUND1:
        viewport = {"width": 320, "height": 640} if name == "Omar" else None
        phone = open_page(name, "phone", bypass_csp=True, **({"viewport": viewport} if viewport else {}))
        phone.goto(f"/j/{code}")
        phone.locator("#nickname").fill(name)
        phone.locator("#profile-form button[type=submit]").click()
        expect(phone.locator("h2.est-question")).to_have_text(ROW_LABEL)
        expect(phone.locator("form.est-three input[data-three]")).to_have_count(3)
        phones[name] = phone
    ps = strings(phones["Kalle"])

    # Out of order: a clear error in Swedish, the field marked, nothing sent.
    kalle = phones["Kalle"]
    answer(kalle, ("600", "400", "300"))
    expect(kalle.locator("form.est-three .error")).to_have_text(ps["estimates.order_error"])
    expect(kalle.locator("input[data-three=low]")).to_have_attribute("aria-invalid", "true")
    assert "Lägsta" in ps["estimates.order_error"]
    expect(card.locator(".est-stats")).to_have_count(0)
    for name, figures in ROUND1.items():
        answer(phones[name], figures)
        low, likely, high = figures
        expect(phones[name].locator(".est-flash, .est-status").first).to_contain_text(
            f"{low} / {likely} / {high} {UNIT}"
        )

    # The console has all three figures of each phone; the presenter nothing yet (hidden).
    expect(card.locator(".est-stat.median dd")).to_have_text(f"300 / 400 / 600 {UNIT}")
    expect(screen.locator("#pres-view svg")).to_have_count(0)

    # --- the results shown: the range chart ------------------------------------------------------
    f.locator("#reveal").click()
    expect(f.locator("#reveal")).to_have_attribute("aria-pressed", "true")
    chart = screen.locator("#pres-view .est-pres.focus svg.range-chart")
    expect(chart).to_be_visible()
    expect(chart.locator(".range-lane")).to_have_count(3)
    expect(chart.locator(".range-dot")).to_have_count(9)
    expect(screen.locator("#pres-view .est-stat.median dd")).to_have_text(f"300 / 400 / 600 {UNIT}")
    # Swedish decimal commas: the middle half of the likely figures is 393,75–425.
    expect(screen.locator("#pres-view .est-stats")).to_contain_text("393,8–425")
    no_overlap(screen, "#pres-view .est-pres.focus svg.range-chart", "#pres-view .est-live-result")
    no_overlap(small, "#pres-view .est-pres.focus svg.range-chart", "#pres-view .est-live-result")
    shot(ui, screen, "est3-presenter-1920")
    shot(ui, small, "est3-presenter-1280")

    # Phones see the range too, drawn within the phone's width (320 px here).
    omar = phones["Omar"]
    go_to_question(omar)
    phone_chart = omar.locator(".est-phone-results svg.range-chart")
    expect(phone_chart).to_be_visible()
    box = phone_chart.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 320, box
    assert omar.evaluate("document.documentElement.scrollWidth") <= 320
    shot(ui, omar, "est3-phone-320", full_page=True)

    # Every question as a list (the question not large any more): the range in a strip.
    card.locator("button.est-screen").click()
    # (13 questions: the presenter pages the list, 9 s a page.)
    expect(small.locator("#pres-view .est-pres-row.three svg.range-chart")).to_be_visible(timeout=30_000)
    no_overlap(small, "#pres-view .est-pres-list", "#pres-view .est-live-result")
    shot(ui, small, "est3-presenter-list-1280")

    # --- round 2 (the question large again: the phones jump to it) -------------------------------
    card.locator("button.est-screen").click()
    expect(card.locator("button.est-screen")).to_have_attribute("aria-pressed", "true")
    f.locator("#current-view .est-round button").click()
    expect(f.locator("#current-view .est-round .est-round-tag")).to_have_text(s["estimates.round"] % {"n": 2})
    lisa = phones["Lisa"]
    expect(lisa.locator(".est-prev-line")).to_contain_text("300 / 400 / 600")
    expect(lisa.locator(".est-prev-mine")).to_contain_text(f"350 / 387,5 / 500 {UNIT}")
    expect(lisa.locator(".est-prev svg.range-chart")).to_be_visible()
    shot(ui, lisa, "est3-phone-round2", full_page=True)
    ui.axe_start(lisa)
    found = ui.axe_result(lisa)
    assert not found, ui.describe(found)
    for name, figures in ROUND2.items():
        answer(phones[name], figures)
        expect(phones[name].locator(".est-flash, .est-status").first).to_contain_text(" / ".join(figures))

    # The console: how much the spread narrowed, and the proposal with its source.
    likely_line = card.locator(".est-narrow-likely")
    expect(likely_line).to_contain_text(s["estimates.narrow_iqr"] % {"before": f"31,3 {UNIT}", "after": f"7,5 {UNIT}"})
    expect(likely_line).to_contain_text(s["estimates.narrowed"] % {"pct": "76 %"})
    width_line = card.locator(".est-narrow-width")
    expect(width_line).to_contain_text(s["estimates.narrow_iqr"] % {"before": f"275 {UNIT}", "after": f"30 {UNIT}"})
    expect(width_line).to_contain_text(s["estimates.narrowed"] % {"pct": "89 %"})
    expect(card.locator(".est-proposal-values")).to_have_text(f"352,5 / 400 / 500 {UNIT}")
    source = card.locator(".est-proposal-source")
    expected_source = (
        plural(
            s,
            "estimates.proposal_source",
            3,
            date=date.today().isoformat(),
            round=2,
            method=s["estimates.method_three_point"],
            iqr=f"7,5 {UNIT}",
        )
        + " "
        + plural(s, "estimates.proposal_source_r1", 3, iqr=f"31,3 {UNIT}")
    )
    expect(source).to_have_text(expected_source)
    f.set_viewport_size({"width": 1280, "height": 720})
    card.scroll_into_view_if_needed()
    card.locator(".est-narrow").scroll_into_view_if_needed()
    shot(ui, f, "est3-console")

    # Axe on the console, the presenter and a phone (serious and critical).
    for page in (f, screen):
        ui.axe_start(page)
        found = ui.axe_result(page)
        assert not found, ui.describe(found)

    # --- adopt: the draft analysis has the figures and the source --------------------------------
    card.locator("button.est-adopt").click()
    expect(card.locator(".est-row-status")).to_have_text(s["estimates.adopted"])
    expect(card.locator(".est-current")).to_have_text(
        s["estimates.current_values"] % {"low": "352,5", "likely": "400", "high": "500"}
    )
    session = live_server.facilitator_session()
    doc = session.get(f"{live_server.url}/f/w/{ws_id}/export.json", timeout=10).json()
    saved = next(
        r for n in doc["analysis"]["nodes"] if n["block"] for r in n["block"]["rows"] if r["label"] == ROW_LABEL
    )
    assert (saved["low"], saved["likely"], saved["high"]) == (352.5, 400, 500)
    assert saved["source"] == expected_source

    draft_page = f.context.new_page()
    draft_page.goto(f"/f/w/{ws_id}/analysis")
    row = draft_page.locator("table.edit-table tbody tr").filter(has=draft_page.locator(f"input[value='{ROW_LABEL}']"))
    expect(row).to_have_count(1)
    cells = row.locator("input")
    expect(cells.nth(3)).to_have_value("352,5")
    expect(cells.nth(4)).to_have_value("400")
    expect(cells.nth(5)).to_have_value("500")
    expect(cells.nth(6)).to_have_value(expected_source)


def _many(n: int, lo: float, hi: float) -> list[float]:
    """n figures spread between lo and hi, some equal (ties stack as dots)."""
    return sorted(round((lo + (hi - lo) * ((i * 7) % n) / n) / 5) * 5 for i in range(n))


def _spread(values: list[float]) -> dict:
    from workshop.draft.spread import spread

    return {**spread(values).as_dict(), "values": values, "accepted": 0}


@pytest.mark.parametrize("viewport", [(1280, 720), (1920, 1080)])
def test_the_live_result_never_overprints_the_chart_with_many_answers(open_page, ui, viewport):
    """60 answers on one question shown large, one figure and three figures: the chart keeps
    within its slot, the live result line below it stays clear, nothing needs scrolling."""
    width, height = viewport
    ws = ui.workshop("Många svar", [("estimates", {"title": "Samla data"})], ask_nickname=False)
    screen = open_page("presenter", "presenter", viewport={"width": width, "height": height})
    screen.goto(ws["presenter_url"])
    expect(screen.locator("#conn")).to_have_attribute("data-state", "up")
    # The presenter's own first drawing (results hidden) is done before ours replaces it.
    expect(screen.locator("#pres-view .pres-hidden")).to_be_visible()
    likely = _many(60, 300, 500)
    lows = [v - 80 - (i % 5) * 10 for i, v in enumerate(likely)]
    highs = [v + 100 + (i % 7) * 20 for i, v in enumerate(likely)]
    base = {"id": 7, "node_id": 1, "item": "Färre resor", "item_type": "nytta", "name": "besok", "unit": "besök/år"}
    base |= {"label": "Hur många hembesök blir det per år?", "proposal": 400, "low": None, "likely": None, "high": None}
    single = {**base, "three_point": False, "spread": _spread(likely), "previous": None, "suggestion": None}
    three = {
        **single,
        "three_point": True,
        "range": {"n": 60, "low": _spread(sorted(lows)), "high": _spread(sorted(highs))},
    }
    result = {"nettonytta": 2924865.4, "per_krona": 0.48}
    for name, row in (("single", single), ("three", three)):
        agg = {"round": 1, "focus": 7, "rows": [row], "empty": False, "answered_rows": 1, "result": result}
        # (A late message from the server may redraw the screen once: draw again until it stays.)
        for _ in range(5):
            screen.evaluate(
                """async (agg) => {
                  const core = await import("/static/js/core.js");
                  const mod = await import("/static/js/kinds/estimates.js");
                  const root = document.getElementById("pres-fit");
                  mod.presenter({ root, results: { aggregate: agg }, t: core.t, el: core.el });
                }""",
                agg,
            )
            screen.wait_for_timeout(500)
            if screen.locator("#pres-fit .est-slot svg").count():
                break
        chart = screen.locator("#pres-fit .est-slot svg")
        expect(chart).to_be_visible()
        no_overlap(screen, "#pres-fit .est-slot svg", "#pres-fit .est-stats")
        no_overlap(screen, "#pres-fit .est-slot", "#pres-fit .est-live-result")
        live = screen.locator("#pres-fit .est-live-result").bounding_box()
        assert live["y"] + live["height"] <= height, live
        # Decimal commas in the Swedish UI.
        expect(screen.locator("#pres-fit .est-live-result")).to_contain_text("2 924 865")
        shot(ui, screen, f"est3-many-{name}-{width}")
