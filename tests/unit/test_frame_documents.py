"""The frame flows into every document, and an empty frame never becomes a made-up one.

A workshop started from a template and run by the steps has whatever the facilitator gave in
step 1, nothing more: every file (docx, pptx, xlsx, web report, JSON) says "ej angivet" where
the frame is empty, never a template's stand-in title or a bare "–"; the draft page says what is
missing above its export buttons before a file is made.
"""

from __future__ import annotations

import json
import re

import pytest
from test_exports import docx_text, login, open_docx, open_pptx, pptx_text
from test_exports_xlsx import method_fixture, op, workbook

# What a file must never say for an empty frame.
PLACEHOLDERS = ("Förändringen vi analyserar", "Nytt perspektiv", "Ny aspekt")
DASH_FACT = re.compile(r"(Geografi|Organisation|Verksamhetsområde|Förändring|Perspektiv|Startår)\s*:?\s*–")


@pytest.fixture
def started(app, facilitator):
    """A workshop made from the nine-step template, with money items but no frame filled in."""
    from workshop import portable
    from workshop.draft.service import analysis_for
    from workshop.extensions import db
    from workshop.models import User

    with app.test_request_context():
        user = db.session.get(User, facilitator)
        ws = portable.import_document(user, portable.load_template("nine_steps"))
        ws.language = "sv"
        db.session.commit()
        # The template's generic perspectives are cleared: the frame is what step 1 gives.
        op(ws, "frame.update", data={"perspectives": [], "geography": "", "organisation": ""})
        method_fixture(ws)
        db.session.commit()
        yield ws, analysis_for(ws, create=False)


def xlsx_text(data: bytes) -> str:
    book = workbook(data)
    return "\n".join(
        str(cell.value)
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    )


def all_files(ws) -> dict[str, str]:
    from workshop.exports import render

    return {
        "docx": docx_text(open_docx(render(ws, "docx"))),
        "pptx": pptx_text(open_pptx(render(ws, "pptx"))),
        "xlsx": xlsx_text(render(ws, "xlsx")),
        "json": json.dumps(json.loads(render(ws, "json")), ensure_ascii=False),
    }


def test_an_empty_frame_never_becomes_a_placeholder_in_any_file(app, started):
    ws, a = started
    assert a.name_of_change == ""  # the template gives no stand-in name
    files = all_files(ws)
    client = app.test_client()
    login(client)
    files["report"] = re.sub(r"<[^>]+>", " ", client.get(f"/f/w/{ws.id}/report").get_data(as_text=True))
    for fmt, text in files.items():
        for placeholder in PLACEHOLDERS:
            assert placeholder not in text, (fmt, placeholder)
        assert not DASH_FACT.search(text), (fmt, DASH_FACT.search(text).group(0))
    # The documents say plainly what was not given.
    assert "Geografi: ej angivet" in files["docx"]
    assert "Perspektiv: ej angivet" in files["docx"]
    assert "Startår: ej angivet" in files["docx"]
    assert re.search(r"Geografi\s*:\s*ej angivet", files["report"])
    assert re.search(r"Organisation\s+ej angivet", files["report"])
    doc = open_docx(__import__("workshop.exports", fromlist=["render"]).render(ws, "docx"))
    facts = {row.cells[0].text: row.cells[1].text for row in doc.tables[0].rows}
    assert facts["Organisation"] == facts["Geografi"] == facts["Förändring"] == "ej angivet"


def test_the_start_sheet_says_not_given_for_the_empty_frame(started):
    from workshop.exports import render

    ws, _a = started
    sheet = workbook(render(ws, "xlsx"))["Start"]
    values = {sheet.cell(r, 1).value: sheet.cell(r, 2).value for r in range(1, 40)}
    assert values["Organisation"] == "ej angivet"
    assert values["Geografi"] == "ej angivet"
    assert values["Startår"] == "ej angivet"
    assert values["Syfte"] == "ej angivet"


def test_a_filled_frame_reaches_every_file(started):
    ws, _a = started
    op(
        ws,
        "frame.update",
        data={
            "name_of_change": "Digitala nyckellås",
            "organisation": "Solstads kommun",
            "geography": "Solstad",
            "start_year": 2026,
            "perspectives": [
                {"kind": "egen_organisation", "label": "Solstads kommun"},
                {"kind": "invanare", "label": "Brukare i hemtjänsten"},
            ],
        },
    )
    files = all_files(ws)
    for fmt in ("docx", "xlsx", "json"):
        for text in ("Digitala nyckellås", "Solstads kommun", "Brukare i hemtjänsten"):
            assert text in files[fmt], (fmt, text)
    assert "Digitala nyckellås" in files["pptx"]
    assert "Geografi: Solstad" in files["docx"]


def test_the_draft_page_names_what_the_frame_lacks(app, started):
    ws, _a = started
    client = app.test_client()
    login(client)
    page = client.get(f"/f/w/{ws.id}/analysis").get_data(as_text=True)
    gaps = re.search(r'<div id="frame-gaps">(.*?)</div></div>', page, re.S)
    assert gaps, "no notice above the export buttons"
    text = gaps.group(1)
    for label in ("Förändringens namn", "Organisation", "Geografi", "Startår", "Perspektiv"):
        assert label in text, label
    op(
        ws,
        "frame.update",
        data={
            "name_of_change": "X",
            "organisation": "Solstads kommun",
            "area": "Hemtjänst",
            "geography": "Solstad",
            "start_year": 2026,
            "purpose": "Beslutsunderlag",
            "status_text": "Utkast",
            "alternative_a": "Fysiska nycklar",
            "alternative_b": "Digitala lås",
            "perspectives": [{"kind": "invanare", "label": "Brukare i hemtjänsten"}],
        },
    )
    page = client.get(f"/f/w/{ws.id}/analysis").get_data(as_text=True)
    assert re.search(r'<div id="frame-gaps"></div>', page)


def test_frame_gaps_follow_the_frame(started):
    from workshop.draft.checks import frame_gaps

    _ws, a = started
    keys = [g["key"] for g in frame_gaps(a)]
    assert {"name_of_change", "organisation", "geography", "start_year", "perspectives"} <= set(keys)
    a.perspectives = [{"kind": "invanare", "label": "  "}]
    assert "perspectives" in [g["key"] for g in frame_gaps(a)]
