"""Step 1's console captures the frame, and the frame flows into the documents.

A workshop run by the steps, never opening the draft page: the facilitator fills the name of
the change, organisation, area, geography, start year, purpose, status and the perspectives with
concrete labels in step 1's console; the Word report and the draft page have them.
"""

from __future__ import annotations

import io
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def docx_text(data: bytes) -> str:
    import docx

    doc = docx.Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def test_step_one_console_fills_the_frame_that_reaches_the_report(open_page, ui):
    ws = ui.workshop("Steg 1 Solstad", [("alternatives", {"title": "Formulera alternativen"})])
    f = open_page("facilitator")
    ui.login(f)
    f.goto(f"/f/w/{ws['id']}/console")
    expect(f.locator("#conn")).to_have_attribute("data-state", "up")
    view = f.locator("#current-view")
    act = ws["activity_ids"][0]
    # Before anything is given the console says what is missing.
    expect(view.locator(".alt-gaps")).to_contain_text("Organisation")

    values = {
        "name_of_change": "Digitala nyckellås i hemtjänsten",
        "organisation": "Solstads kommun",
        "area": "Hemtjänst",
        "geography": "Hela kommunen",
        "start_year": "2026",
        "status_text": "Utkast",
        "contact_role": "Analysledare",
        "purpose": "Underlag för beslut om införande",
    }
    for key, value in values.items():
        field = view.locator(f"#alt-{key}-{act}")
        field.fill(value)
        field.press("Tab") if key != "purpose" else field.evaluate("e => e.blur()")
        expect(view.locator(".alt-console > .status")).to_have_text(re.compile("Sparat|Saved"))
    for kind, label in (("egen_organisation", "Solstads kommun"), ("invanare", "Brukare i hemtjänsten")):
        view.locator(f"#alt-new-kind-{act}").select_option(kind)
        view.locator(f"#alt-new-label-{act}").fill(label)
        view.locator("form.alt-add-persp button[type=submit]").click()
        expect(view.locator(".alt-persp input").last).to_have_value(label)
    view.locator(f"#alt-a-in-{act}").fill("Fysiska nycklar")
    view.locator(f"#alt-b-in-{act}").fill("Digitala lås")
    view.locator(f"#alt-a-in-{act}").press("Tab")
    view.locator(f"#alt-b-in-{act}").evaluate("e => e.blur()")
    expect(view.locator(".alt-gaps")).to_have_text("")
    ui.shot(f, "method-step1-frame", full_page=True)

    # The values stay in the console after a reload (they live in the draft analysis)…
    f.reload()
    expect(f.locator("#current-view #alt-geography-" + str(act))).to_have_value("Hela kommunen")
    expect(f.locator(f"#current-view #alt-start_year-{act}")).to_have_value("2026")

    # …and the report and the draft page have them.
    text = docx_text(f.request.get(f"/f/w/{ws['id']}/export.docx").body())
    for value in (*values.values(), "Brukare i hemtjänsten"):
        assert value in text, value
    assert "Geografi: Hela kommunen" in text
    assert "ej angivet" not in text
    f.goto(f"/f/w/{ws['id']}/analysis")
    expect(f.locator("#frame-gaps")).to_have_text("")
    expect(f.locator("#facts input").first).to_have_value(values["name_of_change"])


def test_omfordelning_is_labelled_per_year_and_over_the_horizon_and_figures_use_commas(open_page, ui):
    f = open_page("facilitator")
    ui.login(f)
    f.goto("/f/new")
    f.locator("input[name=template][value=example_digital_locks]").check()
    f.locator("#title").fill("Digitala lås – Räkna")
    f.locator("main form button[type=submit]").click()
    expect(f).to_have_url(re.compile(r"/f/w/\d+$"))
    ws_id = int(re.search(r"/f/w/(\d+)$", f.url).group(1))
    f.goto(f"/f/w/{ws_id}/console")
    expect(f.locator("#conn")).to_have_attribute("data-state", "up")
    screen = open_page("presenter", "presenter")
    screen.goto(f.locator("#console").get_attribute("data-presenter-url"))
    f.locator("#activity-nav .nav-item").filter(has_text="Räkna").first.click()
    # The console: each omfördelning figure says whether it is a year's or the horizon's.
    lines = f.locator("#current-view .calc-section", has_text="Omfördelning i tid").locator("li")
    expect(lines.first).to_contain_text("Frigjort per år (snitt)")
    texts = lines.all_inner_texts()
    assert any(t.startswith("Frigjort per år (snitt):") and t.endswith("årsarbetare per år") for t in texts), texts
    assert any("Frigjort över hela horisonten (6 år):" in t and t.endswith("årsarbetare sammanlagt") for t in texts)
    # …and so does the screen.
    omf = screen.locator("#pres-view .calc-omf")
    expect(omf).to_contain_text("Frigjort per år (snitt)")
    expect(omf).to_contain_text("över hela horisonten (6 år)")
    # Every headline figure says its basis.
    expect(screen.locator("#pres-view .calc-big.per-krona .calc-big-note")).to_contain_text("Diskonterat")
    expect(screen.locator("#pres-view .calc-big.break-even .calc-big-note")).to_contain_text("Diskonterat")
    # The draft page writes stored figures with a decimal comma ("12,2", never "12.2").
    f.goto(f"/f/w/{ws_id}/analysis")
    values = f.locator("#factors input.num")
    expect(values.first).to_be_visible()
    shown = values.evaluate_all("els => els.map((e) => e.value)")
    assert any("," in v for v in shown), shown
    assert not any(re.search(r"\d\.\d", v) for v in shown), shown


def strings(page) -> dict:
    return page.evaluate("JSON.parse(document.getElementById('i18n').textContent)")


def test_a_size_valuation_is_saved_with_its_size(open_page, ui):
    ws = ui.workshop("Sortera Solstad", [("sorting", {"title": "Sortera"})])
    f = open_page("facilitator")
    ui.login(f)
    # The draft page: a benefit is added with its title; choosing "uppskattad storlek" asks for the size first.
    f.goto(f"/f/w/{ws['id']}/analysis")
    expect(f.locator("#conn")).to_have_attribute("data-state", "up")
    s = strings(f)
    nytta = f.locator("#items .node-group").nth(2)
    for title in ("Tryggare brukare", "Kortare köer"):
        f.evaluate("document.getElementById('draft-status').textContent = ''")
        nytta.locator("form.add-node input").fill(title)
        nytta.locator("form.add-node button").click()
        expect(nytta.locator(".node-row")).to_have_count(1 if title == "Tryggare brukare" else 2)
        expect(f.locator("#draft-status")).to_have_text(s["draft.saved"])
    row = nytta.locator(".node-row").nth(1)
    f.evaluate("document.getElementById('draft-status').textContent = ''")  # wait for this save's answer
    row.locator("select").first.select_option("kvalitet")
    expect(f.locator("#draft-status")).to_have_text(s["draft.saved"])
    row = nytta.locator(".node-row").nth(1)
    row.locator("select").nth(2).select_option("size")
    size = row.locator("select[id^=size-]")
    expect(size).to_be_visible()
    expect(size).to_be_focused()
    expect(f.locator("#draft-status")).to_have_text(s["draft.size_required"])
    size.select_option("1")
    expect(f.locator("#draft-status")).to_have_text(s["draft.saved"])
    expect(nytta.locator(".node-row").nth(1).locator("select[id^=size-]")).to_have_value("1")

    # Step 4's console: "uppskattad storlek" without a size is not saved.
    f.goto(f"/f/w/{ws['id']}/console")
    expect(f.locator("#conn")).to_have_attribute("data-state", "up")
    item = f.locator("#current-view details.sort-item", has_text="Tryggare brukare")
    item.locator("summary").click()
    form = item.locator("form.sort-decision")
    form.locator("select[id$=-category]").select_option("kvalitet")
    form.locator("input[type=radio][value=size]").check()
    expect(form.locator(".sort-size")).to_be_visible()
    form.locator("button[type=submit]").click()
    expect(form.locator(".error")).to_have_text(s["sorting.size_required"])
    expect(form.locator("select[id$=-size]")).to_be_focused()
    form.locator("select[id$=-size]").select_option("2")
    form.locator("button[type=submit]").click()
    expect(item.locator("form.sort-decision .status")).to_have_text(s["sorting.saved_decision"])
