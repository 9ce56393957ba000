"""Step 7 (Samla data) in Chromium on the worked example (digital key locks in home care).

The facilitator puts "Ska vi ta 400?" to the room for the number of support cases a year; one
phone takes it, one counters with 550 and a source; the projector shows the spread; the
facilitator fills lowest/likely/highest from the spread and saves. The result moves: on the
facilitator's live draft page at once, and on the projector's step 8 (Räkna) — checked against
the nettonytta computed here from the template's own figures, before and after.

Screenshot (looked at by a person): test-artifacts/method-live-result.png
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

TEMPLATE = "example_digital_locks"
ROOT = Path(__file__).resolve().parents[2]
ROW_LABEL = "Hur många supportärenden om lås blir det per år?"
ROW_UNIT = "ärenden/år"
SOURCE = "Norrby kommuns ärendestatistik 2025"


def strings(page) -> dict:
    return page.evaluate("JSON.parse(document.getElementById('i18n').textContent)")


def fmt(template: str, **values) -> str:
    return template % values


def amount(text: str) -> float:
    """ "−1 234 567 kr" (Swedish grouping, minus sign) → -1234567.0"""
    cleaned = re.sub(r"[\s\u00a0\u202fkr]", "", text).replace("\u2212", "-").replace(",", ".")
    return float(cleaned)


# --- the result, computed here from the template's figures (not with the product's engine) ---


def _yearly(node: dict, factors: dict[str, float], override: dict[str, float]) -> float:
    names = {**factors, **{r["name"]: r["likely"] for r in node["block"]["rows"]}, **override}
    # The template's formulas are plain arithmetic over names (test data we ship, not user input).
    return float(eval(node["block"]["formula"], {"__builtins__": {}}, names))  # noqa: S307


def nettonytta(doc: dict, override: dict[str, float] | None = None) -> float:
    """Discounted nettonytta (likely values) of an exported analysis, per method.md: value in
    year t = yearly value × year factor (the profile's last factor carries on; none = 1), and
    convention A divides year t by (1 + r)^(t − 1)."""
    a = doc["analysis"]
    frame = a["frame"]
    assert frame["convention"] == "A"
    factors = {f["name"]: f["likely"] for f in a["factors"]}
    total = 0.0
    for node in a["nodes"]:
        if node["valuation"] != "money" or node["status"] != "visible" or not node["block"]:
            continue
        if node["node_type"] not in ("nytta", "konsekvenskostnad", "genomforandekostnad"):
            continue
        yearly = _yearly(node, factors, (override or {}).get(node["title"], {}))
        profile = node["year_profile"] or [1.0]
        sign = 1 if node["node_type"] == "nytta" else -1
        for t in range(1, frame["horizon"] + 1):
            factor = profile[t - 1] if t <= len(profile) else profile[-1]
            total += sign * yearly * factor / (1 + frame["discount_rate"]) ** (t - 1)
    return total


def test_the_room_accepts_or_counters_a_proposal_and_the_result_moves(open_page, ui, live_server):
    # --- the facilitator starts the worked example; console, projector, live draft page ---------
    f = open_page("facilitator")
    ui.login(f)
    f.goto("/f/new")
    f.locator(f"input[name=template][value={TEMPLATE}]").check()
    f.locator("#title").fill("Digitala lås – Samla data")
    f.locator("main form button[type=submit]").click()
    expect(f).to_have_url(re.compile(r"/f/w/\d+$"))
    ws_id = int(re.search(r"/f/w/(\d+)$", f.url).group(1))
    code = re.search(r"/j/(\d{8})$", f.locator(".join-info a[href*='/j/']").get_attribute("href")).group(1)
    session = live_server.facilitator_session()
    doc = session.get(f"{live_server.url}/f/w/{ws_id}/export.json", timeout=10).json()
    it_cost = next(
        n for n in doc["analysis"]["nodes"] if n["block"] and any(r["label"] == ROW_LABEL for r in n["block"]["rows"])
    )
    row = next(r for r in it_cost["block"]["rows"] if r["label"] == ROW_LABEL)
    assert row["likely"] == 300 and row["proposal"] is None
    expected_before = nettonytta(doc)
    # 400 and 550 from the room: Q1/median/Q3 of two figures = 437,5 / 475 / 512,5.
    expected_after = nettonytta(doc, {it_cost["title"]: {row["name"]: 475.0}})
    assert expected_after < expected_before

    f.goto(f"/f/w/{ws_id}/console")
    expect(f.locator("#conn")).to_have_attribute("data-state", "up")
    s = strings(f)
    nav = f.locator("#activity-nav .nav-item")
    step7 = nav.filter(has_text=s["kind.estimates"])
    step8 = nav.filter(has_text=s["kind.calculate"])
    screen = open_page("presenter", "presenter")
    screen.goto(f.locator("#console").get_attribute("data-presenter-url"))
    screen.evaluate("window.__sameScreen = true")

    draft_page = f.context.new_page()
    draft_page.goto(f"/f/w/{ws_id}/analysis")
    net_cell = draft_page.locator("#result table.result-table tbody tr").nth(2).locator("td").nth(1)
    expect(net_cell).to_have_text(re.compile(r"\d"))
    assert amount(net_cell.inner_text()) == pytest.approx(expected_before, abs=1)
    f.bring_to_front()  # the console in front again (a background tab does not render)

    # Step 8 on the projector first: the result before the room's figures.
    step8.click()
    big = screen.locator("#pres-view .calc-big.net .calc-big-value")
    expect(big).to_have_text(re.compile(r"\d"))
    before_big = big.inner_text()
    before = amount(before_big)
    assert before == pytest.approx(expected_before, abs=1)

    # --- step 7: the proposal to the room ------------------------------------------------------
    step7.click()
    expect(f.locator("#current-meta")).to_contain_text(s["kind.estimates"])
    card = f.locator("#current-view li.est-row", has_text=ROW_LABEL)
    card.locator("form.est-propose input").fill("400")
    card.locator("form.est-propose button[type=submit]").click()
    expect(card.locator(".est-row-status")).to_have_text(s["estimates.saved"])
    card.locator("button.est-screen").click()  # the question large on the screen; phones jump to it
    expect(card.locator("button.est-screen")).to_have_attribute("aria-pressed", "true")
    f.locator("#reveal").click()
    expect(f.locator("#reveal")).to_have_attribute("aria-pressed", "true")
    expect(screen.locator("#pres-view .est-pres.focus .est-pres-q")).to_have_text(ROW_LABEL)

    phones = {}
    for name in ("Kalle", "Lisa"):
        phone = open_page(name, "phone")
        phone.goto(f"/j/{code}")
        phone.locator("#nickname").fill(name)
        phone.locator("#profile-form button[type=submit]").click()
        expect(phone.locator("h2.est-question")).to_have_text(ROW_LABEL)
        phones[name] = phone
    ps = strings(phones["Kalle"])

    # Kalle takes the proposal.
    take = phones["Kalle"].locator("button.est-take")
    expect(take).to_have_text(fmt(ps["estimates.take"], v=f"400 {ROW_UNIT}"))
    take.click()
    expect(phones["Kalle"].locator(".est-flash")).to_have_text(
        "✓ " + fmt(ps["estimates.saved_accepted"], v=f"400 {ROW_UNIT}")
    )
    # Lisa counters with 550 and says where it comes from.
    lisa = phones["Lisa"]
    lisa.locator("details.est-more summary").click()
    lisa.locator("details.est-more input").fill(SOURCE)
    lisa.locator("form.est-own input.est-value").fill("550")
    lisa.locator("form.est-own button[type=submit]").click()
    expect(lisa.locator(".est-flash")).to_have_text("✓ " + fmt(ps["estimates.saved_value"], v=f"550 {ROW_UNIT}"))

    # The projector: two figures, median 475, the middle half 437,5–512,5.
    stats = screen.locator("#pres-view .est-pres.focus .est-stats")
    expect(stats.locator(".est-stat.median dd")).to_have_text(f"475 {ROW_UNIT}")
    expect(stats.locator(".est-stat dd")).to_have_text([f"475 {ROW_UNIT}", "437,5–512,5", "400–550", "2"])
    expect(screen.locator("#pres-view .est-pres.focus svg circle")).to_have_count(2)
    ui.shot(screen, "method-estimates-spread")
    # The phones see the spread of their question too (the results are shown): the part of
    # the aggregate a phone draws.
    # A phone moves on to the next question once it has answered: back to this one.
    for phone in phones.values():
        phone.get_by_role("button", name=ps["estimates.prev"]).click()
        expect(phone.locator("h2.est-question")).to_have_text(ROW_LABEL)
        expect(phone.locator(".est-spread .est-stat.median dd")).to_have_text(f"475 {ROW_UNIT}")
        expect(phone.locator(".est-spread svg circle")).to_have_count(2)
    ui.shot(lisa, "method-estimates-phone-spread")
    # The console: both figures, who gave them, Lisa's source, "took the proposal" on Kalle's.
    card.locator("details.est-details summary", has_text=re.compile(r"\(2\)")).click()
    figures = card.locator("li.est-figure")
    expect(figures).to_have_count(2)
    expect(figures.nth(0)).to_contain_text("Kalle")
    expect(figures.nth(0).locator(".est-tag.accepted")).to_have_text(s["estimates.accepted_tag"])
    expect(figures.nth(1)).to_contain_text("Lisa")
    expect(figures.nth(1).locator(".est-figure-src")).to_contain_text(SOURCE)
    # Nothing saved into the calculation yet: the draft page still shows the old result.
    before_text = net_cell.inner_text()
    assert amount(before_text) == pytest.approx(expected_before, abs=1)

    # --- the facilitator sets lowest/likely/highest from the spread ------------------------------
    fill = card.locator("button.est-fill")
    expect(fill).to_have_text(fmt(s["estimates.fill_suggestion"], low="437,5", likely="475", high="512,5"))
    fill.click()
    values = card.locator("form.est-values input.est-num")
    for i, v in enumerate(["437,5", "475", "512,5"]):
        expect(values.nth(i)).to_have_value(v)
    card.locator("form.est-values input[id^=est-source-]").fill(f"Workshop: 2 svar, median. {SOURCE}")
    card.locator("form.est-values button[type=submit]").click()
    expect(card.locator(".est-current")).to_have_text(
        fmt(s["estimates.current_values"], low="437,5", likely="475", high="512,5")
    )

    # The live draft page follows without a reload…
    expect(net_cell).not_to_have_text(before_text)
    assert amount(net_cell.inner_text()) == pytest.approx(expected_after, abs=1)
    # …and so does the saved row in the export.
    doc2 = session.get(f"{live_server.url}/f/w/{ws_id}/export.json", timeout=10).json()
    saved = next(
        r for n in doc2["analysis"]["nodes"] if n["block"] for r in n["block"]["rows"] if r["label"] == ROW_LABEL
    )
    assert (saved["low"], saved["likely"], saved["high"], saved["proposal"]) == (437.5, 475, 512.5, 400)
    assert saved["source"] == f"Workshop: 2 svar, median. {SOURCE}"

    # --- step 8 on the projector: the result after the room's figures ----------------------------
    f.keyboard.press("ArrowRight")
    expect(f.locator("#current-meta")).to_contain_text(s["kind.calculate"])
    expect(screen.locator("#pres-title")).to_have_text(f.locator("#current-title").inner_text())
    expect(big).not_to_have_text(before_big)
    after = amount(big.inner_text())
    assert after == pytest.approx(expected_after, abs=1)
    assert after - before == pytest.approx(expected_after - expected_before, abs=2)
    ui.shot(screen, "method-live-result")
    assert screen.evaluate("window.__sameScreen") is True, "the presenter page reloaded"
