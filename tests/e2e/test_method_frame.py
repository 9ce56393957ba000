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
