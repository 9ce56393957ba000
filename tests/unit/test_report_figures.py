"""Figures in the report say what they are: omfördelning per year and over the horizon, each
labelled; every headline figure its basis (diskonterat / odiskonterat)."""

from __future__ import annotations

import re

import pytest
from test_exports import docx_text, login, open_docx
from test_exports_xlsx import op

NBSP = "\u00a0"


@pytest.fixture
def timed(app, make_workshop):
    """One Omfördelning benefit freeing 4 875 hours a year for 6 years (29 250 hours: 17,21
    årsarbetare over the horizon, 2,87 a year) and a one-off cost."""
    from workshop.extensions import db
    from workshop.models import Workshop

    ws_id, _code, _ids = make_workshop(activities=())
    with app.test_request_context():
        ws = db.session.get(Workshop, ws_id)
        ws.language = "sv"
        n = op(
            ws,
            "node.add",
            data={"node_type": "nytta", "title": "Frigjord tid", "category": "omfordelning", "valuation": "money"},
        )["id"]
        op(ws, "row.add", node_id=n, data={"name": "timmar", "label": "Timmar per år?", "likely": 4875})
        op(ws, "block.set", node_id=n, data={"formula": "timmar * 400", "hours_formula": "timmar"})
        op(
            ws,
            "node.add",
            data={
                "node_type": "genomforandekostnad",
                "title": "Införande",
                "category": "finansiell",
                "valuation": "money",
                "cost_kind": "one_off",
                "direct_value": {"likely": 100000},
                "year_profile": [1, 0],
            },
        )
        db.session.commit()
        yield ws


def plain(text: str) -> str:
    return text.replace(NBSP, " ").replace("\u202f", " ")


def test_the_word_report_gives_omfordelning_per_year_and_over_the_horizon(timed):
    from workshop.exports import render

    doc = open_docx(render(timed, "docx"))
    table = next(t for t in doc.tables if "Timmar per år (snitt)" in [c.text for c in t.rows[0].cells])
    head = [plain(c.text) for c in table.rows[0].cells]
    assert head[1:] == [
        "Timmar per år (snitt)",
        "Årsarbetare per år (snitt)",
        "Timmar över 6 år",
        "Årsarbetare över 6 år, sammanlagt",
    ]
    freed = [plain(c.text) for c in table.rows[1].cells]
    assert freed == ["Frigjort (nyttor)", "4 875", "2,87", "29 250", "17,21"]
    text = docx_text(doc)
    # Every headline figure says its basis.
    assert "Sammanlagd nettonytta (diskonterat)" in text
    assert "Nettonytta per satsad krona (diskonterat)" in text
    assert "Året då de ackumulerade nyttorna överstiger de ackumulerade kostnaderna (odiskonterat)" in text


def test_the_web_report_gives_the_same_labelled_figures(app, timed):
    client = app.test_client()
    login(client)
    html = plain(client.get(f"/f/w/{timed.id}/report").get_data(as_text=True))
    omf = re.search(r'<table class="omf">(.*?)</table>', html, re.S)
    assert omf, "no omfördelning table in the report"
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", omf.group(1), re.S)]
    assert cells[1:5] == [
        "Timmar per år (snitt)",
        "Årsarbetare per år (snitt)",
        "Timmar över 6 år",
        "Årsarbetare över 6 år, sammanlagt",
    ]
    assert cells[5:10] == ["Frigjort (nyttor)", "4 875", "2,87", "29 250", "17,21"]
    assert "Nettonytta per satsad krona (diskonterat)" in html
    assert "Året då de ackumulerade nyttorna överstiger de ackumulerade kostnaderna (odiskonterat)" in html


def test_the_summary_helper_keeps_the_engine_totals(timed):
    from workshop.draft.compute import compute, omfordelning_summary
    from workshop.draft.service import analysis_for

    a = analysis_for(timed, create=False)
    res = compute(a).to_dict()
    o = omfordelning_summary(res["omfordelning"], a.horizon)
    assert o["benefit"]["hours_total"] == res["omfordelning"]["benefit_hours"] == 29250
    assert o["benefit"]["arsarbetare_total"] == res["omfordelning"]["benefit_arsarbetare"]
    assert o["benefit"]["hours_per_year"] == 4875
    assert o["cost"]["hours_total"] == 0 and o["any"] is True


def test_an_imported_analysis_says_no_participation_was_recorded(app, facilitator):
    from workshop import portable
    from workshop.exports import render
    from workshop.extensions import db
    from workshop.models import User

    with app.test_request_context():
        ws = portable.import_document(
            db.session.get(User, facilitator), portable.load_template("example_digital_locks")
        )
        ws.language = "sv"
        db.session.commit()
        text = docx_text(open_docx(render(ws, "docx")))
        ws_id = ws.id
    client = app.test_client()
    login(client)
    html = plain(client.get(f"/f/w/{ws_id}/report").get_data(as_text=True))
    for fmt, body in (("docx", text), ("report", html)):
        assert "0 deltagare" not in body, fmt
        assert "Nyttoverkstad har inga uppgifter om vilka som deltog" in body, fmt
        assert "i en workshop i Nyttoverkstad" not in body, fmt


def test_recorded_participation_is_reported(timed):
    from test_exports import add_participants

    from workshop.exports import render

    add_participants(timed, {"Solstads kommun": 2, "": 1})
    text = docx_text(open_docx(render(timed, "docx")))
    assert "3 deltagare var med." in text
    assert "Nyttoverkstad har inga uppgifter" not in text


def test_the_presentation_names_the_basis_and_writes_swedish_decimals(timed):
    from test_exports import open_pptx, slide_texts

    from workshop.exports import render

    deck = open_pptx(render(timed, "pptx"))
    result = next(s for s in deck.slides if any("Nettonytta per satsad krona" in t for t in slide_texts(s)))
    texts = [plain(t) for t in slide_texts(result)]
    assert any("Nettonytta per satsad krona" in t and "(diskonterat)" in t for t in texts), texts
    assert any("Nyttorna överstiger kostnaderna" in t and "odiskonterat" in t for t in texts), texts
    notes = plain(result.notes_slide.notes_text_frame.text)
    assert "3,0 %" in notes and "3.0" not in notes, notes
