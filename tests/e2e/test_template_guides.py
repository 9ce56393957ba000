"""Templates that guide, in Chromium: the 30-minute effect workshop run cold by a facilitator
with three phones. The console opens with what must be ready (checked against the real state);
phones never read of "A and B" before both exist; filling the frame completes the checklist and
reaches the exports; step 3 offers the room's effects as candidates to confirm into the draft.
A week-long workshop shows contributions per perspective and what is new since the last visit.
"""

from __future__ import annotations

import io
import re
import sqlite3
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

SHOTS = Path("/work/shots/guide")
CHANGE = "Digitala nyckellås i hemtjänsten"
ALT_A = "Hemtjänsten hämtar fysiska nycklar på kontoret, som i dag."
ALT_B = "Hemtjänsten öppnar med digitala lås i mobilen."
POS = "Personalen slipper hämta nycklar"
NEG = "Krångligt när mobilen saknar täckning"
OTHER = "Brukarna vet vem som kommer"


def strings(page) -> dict:
    return page.evaluate("JSON.parse(document.getElementById('i18n').textContent)")


def shot(page, name: str, sizes=((1280, 720), (1920, 1080))) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    if not sizes:  # the page's own viewport (a phone)
        page.screenshot(path=str(SHOTS / f"{name}-phone.png"))
        return
    for w, h in sizes:
        page.set_viewport_size({"width": w, "height": h})
        page.screenshot(path=str(SHOTS / f"{name}-{w}x{h}.png"))
    page.set_viewport_size({"width": 1440, "height": 900})


def new_from_template(f, key: str, title: str) -> dict:
    f.goto("/f/new")
    f.locator(f"input[name=template][value={key}]").check()
    f.locator("#title").fill(title)
    f.locator("main form button[type=submit]").click()
    expect(f).to_have_url(re.compile(r"/f/w/\d+$"))
    join_url = f.locator(".join-info a[href*='/j/']").get_attribute("href")
    return {"id": int(re.search(r"/f/w/(\d+)$", f.url).group(1)), "code": re.search(r"/j/(\d{8})$", join_url).group(1)}


def join(phone, code: str, nickname: str, perspective: str) -> None:
    phone.goto(f"/j/{code}")
    phone.locator("#nickname").fill(nickname)
    phone.locator("#profile label.choice", has_text=perspective).click()
    phone.locator("#profile-form button[type=submit]").click()
    expect(phone.locator("#profile")).to_be_hidden()


def add_effect(phone, text: str, polarity: str) -> None:
    form = phone.locator("form.eff-form")
    form.locator("input[name=text]").fill(text)
    form.locator(f"label.eff-pol.pol-{polarity}").click()
    form.locator("button[type=submit]").click()
    expect(form.locator(".status")).to_contain_text(text)


def test_thirty_minutes_cold_checklist_guides_phones_never_read_of_a_and_b(open_page, ui):
    f = open_page("facilitator", bypass_csp=True)
    ui.login(f)
    ws = new_from_template(f, "effect_workshop_30min", "Effektworkshop kall start")
    fs = strings(f)

    # --- the console opens with what the room needs, nothing done -------------------------
    f.goto(f"/f/w/{ws['id']}/console")
    box = f.locator("#checklist")
    expect(box).to_be_visible()
    expect(box.locator("h2")).to_have_text(fs["console.checklist_heading"])
    expect(box.locator("li.todo")).to_have_count(2)
    expect(box.locator("li.todo a")).to_have_text(
        [fs["console.checklist.change"], fs["console.checklist.alternatives"]]
    )
    link = box.locator("li.todo a").first.get_attribute("href")
    assert link.endswith(f"/f/w/{ws['id']}/analysis#sec-facts"), link
    expect(box.locator("details")).to_have_attribute("open", "")
    ui.axe_start(f)
    violations = ui.axe_result(f)
    assert not violations, ui.describe(violations)
    shot(f, "console-checklist-cold")

    # --- three phones join; none reads of A and B ------------------------------------------
    phones = []
    for i, (name, persp) in enumerate(
        [("Greta", "Den egna organisationen"), ("Hassan", "Närstående"), ("Ida", "Invånare")]
    ):
        p = open_page(f"phone-{i}", "phone")
        join(p, ws["code"], name, persp)
        expect(p.locator("form.eff-form")).to_be_visible()
        ps = strings(p)
        expect(p.locator("form.eff-form .help").first).to_have_text(ps["effect_help_no_ab"])
        if i == 0:
            shot(p, "phone-effects-no-ab", sizes=())
        body = p.locator("body").inner_text()
        assert "A och B" not in body and "mellan A" not in body, body
        phones.append(p)
    add_effect(phones[0], POS, "positive")
    add_effect(phones[1], NEG, "negative")
    add_effect(phones[2], OTHER, "positive")

    # --- the facilitator follows the checklist's link and fills the frame ------------------
    draft = open_page("draft")
    ui.login(draft)
    draft.goto(link)
    expect(draft.locator("#conn")).to_have_attribute("data-state", "up")
    ds = strings(draft)
    draft.get_by_label(ds["draft.name_of_change"], exact=True).fill(CHANGE)
    draft.get_by_label(ds["draft.name_of_change"], exact=True).press("Tab")
    expect(draft.locator("#draft-status")).to_have_text(ds["draft.saved"])
    # One item done, one to go: the console follows without a reload.
    expect(box.locator("li.done")).to_have_count(1)
    expect(box.locator("li.todo a")).to_have_text([fs["console.checklist.alternatives"]])
    draft.get_by_label(ds["draft.alt_a_long"], exact=True).fill(ALT_A)
    draft.get_by_label(ds["draft.alt_a_long"], exact=True).press("Tab")
    draft.get_by_label(ds["draft.alt_b_long"], exact=True).fill(ALT_B)
    draft.get_by_label(ds["draft.alt_b_long"], exact=True).press("Tab")

    # Complete: the list folds away, saying so.
    expect(box.locator("li.done")).to_have_count(2)
    expect(box.locator("details")).not_to_have_attribute("open", "")
    expect(box.locator("summary")).to_have_text(fs["console.checklist_all_done"])
    shot(f, "console-checklist-done")
    # With A and B written, the phones' help speaks of them again.
    expect(phones[2].locator("form.eff-form .help").first).to_have_text(strings(phones[2])["effects.what_help"])

    # The files carry the frame.
    docx = f.request.get(f"/f/w/{ws['id']}/export.docx", timeout=90_000).body()
    text = zipfile.ZipFile(io.BytesIO(docx)).read("word/document.xml").decode()
    assert CHANGE in text and "Hemtjänsten öppnar med digitala lås" in text
    xlsx = f.request.get(f"/f/w/{ws['id']}/export.xlsx", timeout=90_000).body()
    book = zipfile.ZipFile(io.BytesIO(xlsx))
    cells = "".join(book.read(n).decode() for n in book.namelist() if n.endswith(".xml"))
    assert CHANGE in cells

    # --- step 3: the room's effects as candidates, confirmed into the draft ---------------
    f.locator("#activity-nav .nav-item").nth(1).click()
    cands = f.locator("#current-view .chain-candidate")
    expect(cands).to_have_count(3)
    # One is set aside (it leads elsewhere, the facilitator judges), and can come back.
    cands.filter(has_text=OTHER).locator("button.chain-candidate-skip").click()
    expect(cands).to_have_count(2)
    aside = f.locator(
        "#current-view .chain-candidates p.help", has_text=fs["effect_chain.n_skipped#one"].replace("%(n)s", "1")
    )
    expect(aside).to_be_visible()
    aside.locator("button").click()
    expect(cands).to_have_count(3)
    cands.filter(has_text=OTHER).locator("button.chain-candidate-skip").click()
    expect(cands).to_have_count(2)
    pos = cands.filter(has_text=POS)
    neg = cands.filter(has_text=NEG)
    expect(pos.locator("select option")).to_have_text([fs["vocab.node_type.nytta"]])
    expect(neg.locator("select option")).to_have_text(
        [fs["vocab.node_type.konsekvenskostnad"], fs["vocab.node_type.risk"]]
    )
    # Before anything is linked the chain is not drawn: no "no remarks" for an undrawn chain.
    expect(f.locator("#current-view .chain-checks-none")).to_have_text(fs["effect_chain.chain_not_drawn"])
    shot(f, "step3-candidates")
    ui.axe_start(f)
    violations = ui.axe_result(f)
    assert not violations, ui.describe(violations)

    # One by one: the negative one as a risk, renamed; then the rest all at once.
    neg.locator("select").select_option("risk")
    neg.locator("input").fill("Risk för utelåsning vid nätavbrott")
    neg.locator("button.chain-candidate-ok").click()
    expect(cands).to_have_count(1)
    pos.locator("button.chain-candidate-ok").click()
    expect(cands).to_have_count(0)
    expect(f.locator("#current-view .chain-candidate-list > p.help").first).to_have_text(
        fs["effect_chain.no_candidates"]
    )
    draft.reload()
    expect(draft.locator("#conn")).to_have_attribute("data-state", "up")
    expect(draft.locator("#items .node-row input").first).to_be_visible()
    values = draft.locator("#items input").evaluate_all("els => els.map((e) => e.value)")
    assert "Risk för utelåsning vid nätavbrott" in values and values.count(POS) == 2, values
    expect(f.locator("#current-view .chain-checks-none")).to_have_text(fs["effect_chain.checks_ok"])


def test_week_long_console_counts_per_perspective_and_news_since_last_visit(open_page, ui, live_server):
    f = open_page("facilitator", bypass_csp=True)
    ui.login(f)
    ws = new_from_template(f, "effect_workshop_week", "Bidra under vecka 50")
    fs = strings(f)

    # Monday and Tuesday: two phones contribute.
    for i, (name, persp, text) in enumerate([("Greta", "Den egna organisationen", POS), ("Hassan", "Närstående", NEG)]):
        p = open_page(f"phone-{i}", "phone")
        join(p, ws["code"], name, persp)
        # Phones see the closing date once the facilitator sets one (below); now the list.
        p.locator("button.pick").nth(1).click()
        add_effect(p, text, "positive" if i == 0 else "negative")
        p.context.close()

    # The contributions were made on two days; the facilitator's last visit was in between
    # (set through the data, not by waiting).
    from datetime import UTC, datetime, timedelta
    from zoneinfo import ZoneInfo

    from babel.dates import format_datetime

    visit = (datetime.now(UTC) - timedelta(days=2)).replace(hour=16, minute=0, second=0, microsecond=0)
    stamp = lambda d: d.strftime("%Y-%m-%d %H:%M:%S")  # noqa: E731
    db = sqlite3.connect(Path(live_server.data_dir) / "nyttoverkstad.sqlite3")
    db.execute(
        "UPDATE responses SET created_at = CASE participant_id WHEN (SELECT min(id) FROM participants) "
        "THEN ? ELSE ? END",
        (stamp(visit - timedelta(hours=8)), stamp(visit + timedelta(hours=19))),
    )
    db.execute(
        "INSERT INTO console_visits (workshop_id, user_id, seen_at, previous_at) "
        "SELECT ?, owner_id, ?, NULL FROM workshops WHERE id = ?",
        (ws["id"], stamp(visit), ws["id"]),
    )
    db.commit()
    db.close()
    when = format_datetime(
        visit.astimezone(ZoneInfo("Europe/Stockholm")).replace(tzinfo=None), "EEEE HH:mm", locale="sv"
    )

    f.goto(f"/f/w/{ws['id']}/console")
    week = f.locator("#week")
    expect(week).to_be_visible()
    expect(week.locator(".meta")).to_contain_text(when)
    step2 = week.locator("tbody tr").nth(1)
    expect(step2.locator(".week-people li")).to_have_text(
        [re.compile(r"^Den egna organisationen\s+1$"), re.compile(r"^Närstående\s+1$")]
    )
    # Only Hassan's Tuesday effect came after Monday's visit.
    expect(step2.locator(".week-new")).to_have_text(f"1 ny sedan du var här senast {when}")
    assert "Greta" not in week.inner_text() and "Hassan" not in week.inner_text()
    # The checklist of the week: frame, closing date, dot voting.
    expect(f.locator("#checklist li")).to_have_count(3)
    expect(f.locator("#checklist li.todo a").nth(1)).to_have_text(fs["console.checklist.closing_date"])
    ui.axe_start(f)
    violations = ui.axe_result(f)
    assert not violations, ui.describe(violations)
    shot(f, "console-week")

    # The closing date, where the checklist points: then the item is done, and phones see it.
    f.locator("#checklist li.todo a").nth(1).click()
    expect(f).to_have_url(re.compile(rf"/f/w/{ws['id']}#open_until$"))
    stockholm = ZoneInfo("Europe/Stockholm")
    closes = (datetime.now(stockholm) + timedelta(days=4)).replace(hour=16, minute=0, second=0, microsecond=0)
    f.locator("#open_until").fill(closes.strftime("%Y-%m-%dT%H:%M"))
    f.locator("form:has(#open_until) button[type=submit]").click()
    f.goto(f"/f/w/{ws['id']}/console")
    expect(f.locator("#checklist li.done a")).to_have_text([fs["console.checklist.closing_date"]])
    ida = open_page("phone-ida", "phone")
    join(ida, ws["code"], "Ida", "Invånare")
    day = format_datetime(closes.replace(tzinfo=None), "d MMMM y", locale="sv")
    expect(ida.locator(".closing-time")).to_have_text(re.compile(rf"^Öppen för svar till {day}\D+16:00\.$"))
    ida.locator("button.pick").nth(1).click()
    expect(ida.locator(".card.activity .closing-time")).to_have_text(
        re.compile(rf"^Öppen för svar till {day}\D+16:00\.$")
    )
    shot(ida, "phone-week-closing", sizes=())
