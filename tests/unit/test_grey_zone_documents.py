"""Step 4's gråzon in every document: the items the group could not sort clearly, the group's
votes, the decision and its motivation — in the Word report (4 Analys, and a pointer in
5 Värdering), the web report and review link, and the spreadsheet's Sortering sheet.

The worked example (digital locks) with four phones voting: "Frigjord arbetstid för
undersköterskor" splits 2–2 (a tie), "Anhöriga kan se att besöket blivit av" spreads over
three categories (under half for any), "Tryggare brukare" is clear. The first has a motivation
in the template, the second none: the documents say that none is written.
"""

from __future__ import annotations

import io
import secrets

import openpyxl
import pytest
from docx import Document

GREY_TIE = "Frigjord arbetstid för undersköterskor"
GREY_SPREAD = "Anhöriga kan se att besöket blivit av"
CLEAR = "Tryggare brukare"
MOTIVATION = "Tiden används till omsorg; ingen utbetalning ändras, därför Omfördelning."


@pytest.fixture
def example(app, facilitator):
    """The worked example, its Sortera activity voted on by four phones."""
    from workshop import portable
    from workshop.draft.service import analysis_for
    from workshop.extensions import db
    from workshop.inputs import submit
    from workshop.models import Participant, User

    with app.test_request_context():
        ws = portable.import_document(
            db.session.get(User, facilitator), portable.load_template("example_digital_locks")
        )
        a = analysis_for(ws, create=False)
        act = next(x for x in ws.activities if x.kind == "sorting")
        ids = {n.title: n.id for n in a.nodes}
        # The spread item loses its template motivation: the documents must say none is written.
        next(n for n in a.nodes if n.title == GREY_SPREAD).motivation = ""
        ws.current_activity_id = act.id  # the facilitator has step 4 on the screen
        db.session.commit()
        votes = {
            GREY_TIE: ["omfordelning", "omfordelning", "finansiell", "finansiell"],
            GREY_SPREAD: ["kvalitet", "omfordelning", "miljo", "finansiell"],
            CLEAR: ["kvalitet", "kvalitet", "kvalitet", "omfordelning"],
        }
        people = []
        for i in range(4):
            p = Participant(workshop_id=ws.id, token=secrets.token_urlsafe(24), nickname=f"Deltagare {i}")
            db.session.add(p)
            people.append(p)
        db.session.commit()
        for title, cats in votes.items():
            for p, cat in zip(people, cats):
                ack = submit(
                    p,
                    act.id,
                    secrets.token_hex(8),
                    {"node": ids[title], "category": cat, "money": cat == "omfordelning", "perspective": None},
                )
                assert ack.response_id, ack
        yield ws, a


def _docx_text(data: bytes) -> tuple[list[str], list[list[list[str]]]]:
    doc = Document(io.BytesIO(data))
    paragraphs = [p.text for p in doc.paragraphs]
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]
    return paragraphs, tables


def test_the_report_builder_lists_the_grey_zone_with_votes_decision_and_motivation(example):
    from workshop.draft.report import build

    ws, a = example
    r = build(ws, a)
    assert r["sorted_by_room"] is True
    grey = {it["title"]: it for it in r["grey_zone"]}
    assert set(grey) == {GREY_TIE, GREY_SPREAD}
    tie = grey[GREY_TIE]
    assert tie["votes"]["tie"] is True and tie["votes"]["n"] == 4
    assert tie["votes_text"] == "Finansiell 2, Omfördelning 2 (4 röster; oavgjort; i pengar: 2 ja, 2 nej)"
    assert tie["decision_text"].startswith("Omfördelning · Värderad i pengar")
    assert tie["motivation"] == MOTIVATION
    spread = grey[GREY_SPREAD]
    assert spread["votes"]["top_share"] == 0.25 and spread["motivation"] == ""
    clear = next(it for it in r["sections"]["benefits"] if it["title"] == CLEAR)
    assert clear["grey_zone"] is False and clear["votes"]["agreement"] == "high"


def test_the_word_report_shows_the_grey_zone_in_section_4_and_points_to_it_in_section_5(example):
    from workshop.exports import render

    ws, _a = example
    paragraphs, tables = _docx_text(render(ws, "docx"))
    s4, s5, s6 = (paragraphs.index(h) for h in ("4 Analys", "5 Värdering", "6 Osäkerhetsbedömning"))
    assert "Gråzon" in paragraphs[s4:s5]
    grey_table = next(t for t in tables if t[0] == ["Rubrik", "Gruppens röster", "Beslut", "Motivering"])
    rows = {row[0].split("\n")[0]: row for row in grey_table[1:]}
    assert set(rows) == {GREY_TIE, GREY_SPREAD}
    assert rows[GREY_TIE][1].startswith("Finansiell 2, Omfördelning 2")
    assert rows[GREY_TIE][2].startswith("Omfördelning · Värderad i pengar")
    assert rows[GREY_TIE][3] == MOTIVATION
    assert rows[GREY_SPREAD][3] == "Ingen motivering skriven ännu."
    # 5 Värdering says where the gråzon decisions are.
    assert any("gråzonen" in p and "avsnitt 4" in p for p in paragraphs[s5:s6])
    # The benefits table carries every written motivation under the item's description.
    benefits = next(t for t in tables if t[0][:2] == ["Rubrik", "Kategori"] and any(CLEAR in r[0] for r in t))
    assert any(GREY_TIE in row[0] and f"Motivering: {MOTIVATION}" in row[0] for row in benefits)


def test_the_web_report_and_the_review_link_show_the_grey_zone(app, example):
    ws, a = example
    response = app.test_client().get(f"/review/{ws.id}/{ws.results_key}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="grey-zone"' in html
    section4 = html[html.index('id="s4"') : html.index('id="s5"')]
    table = section4[section4.index('class="grey-zone"') :]
    for text in (GREY_TIE, GREY_SPREAD, "Finansiell 2, Omfördelning 2", MOTIVATION, "Ingen motivering skriven ännu."):
        assert text in table, text
    assert CLEAR not in table[: table.index("</table>")]
    section5 = html[html.index('id="s5"') : html.index('id="s6"')]
    assert "avsnitt 4 (Gråzon)" in section5


def test_the_spreadsheet_has_a_sorting_sheet_with_the_grey_zone_first(example):
    from workshop.exports import render

    ws, _a = example
    book = openpyxl.load_workbook(io.BytesIO(render(ws, "xlsx")))
    assert "Sortering" in book.sheetnames
    sheet = book["Sortering"]
    assert [c.value for c in sheet[4]] == [
        "Rubrik",
        "Typ",
        "Gruppens röster",
        "Samstämmighet",
        "Gråzon",
        "Beslut",
        "Motivering",
    ]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=5)]
    assert [r[0] for r in rows[:2]] == [GREY_TIE, GREY_SPREAD]
    assert all(r[4] == "Ja" for r in rows[:2]) and all(r[4] == "–" for r in rows[2:])
    by_title = {r[0]: r for r in rows}
    assert by_title[GREY_TIE][6] == MOTIVATION
    assert by_title[GREY_SPREAD][6] == "Ingen motivering skriven ännu."
    assert by_title[CLEAR][3] == "Hög samstämmighet"


def test_without_votes_or_motivations_there_is_no_grey_zone_section_nor_sheet(app, make_workshop):
    from test_exports_xlsx import method_fixture

    from workshop.exports import render
    from workshop.extensions import db
    from workshop.models import Workshop

    ws_id, _code, _ids = make_workshop(activities=[("sorting", "Sortera", {})])
    with app.test_request_context():
        ws = db.session.get(Workshop, ws_id)
        method_fixture(ws)
        paragraphs, _tables = _docx_text(render(ws, "docx"))
        assert "Gråzon" not in paragraphs
        assert "Sortering" not in openpyxl.load_workbook(io.BytesIO(render(ws, "xlsx"))).sheetnames
