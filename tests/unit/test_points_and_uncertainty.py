"""Värdering in points and Osäkerhet per area in the draft analysis and every export.

An item valued in points (uppskattad storlek: Ingen 0, Liten 1, Måttlig 2, Stor 3) is never
summed into the money: the money result is exactly what the money items alone give, and every
file lists the points item with its points beside the money (never "0 kr", never a dash). The
uncertainty per area (level and motivation, in words) is recorded with ``uncertainty.set`` and
appears in the report, the web report, the slides, the spreadsheet and the JSON file, and comes
back from an import unchanged.
"""

from __future__ import annotations

import io
import json
import re

import pytest

from workshop.extensions import db
from workshop.models import User, Workshop
from workshop.validation import InputError

PASSWORD = "hemligt-lösen-1"


def op(ws, name, **args):
    from workshop.draft.ops import apply

    return apply(ws, name, args)


def build(ws) -> dict[str, int]:
    """Horizon 6, rate 3 %: N1 Omfördelning 30 000 kr/year, K1 one-off 100 000, K2 5 000 a year
    (method.md's fixture), plus two benefits in points and one cost not valued."""
    op(ws, "frame.update", data={"horizon": 6, "discount_rate": 0.03, "convention": "A"})
    ids = {}
    for key, data in {
        "N1": {"node_type": "nytta", "title": "Frigjord tid", "category": "omfordelning", "valuation": "money"},
        "K1": {
            "node_type": "genomforandekostnad",
            "title": "Införande",
            "category": "finansiell",
            "valuation": "money",
            "cost_kind": "one_off",
            "year_profile": [1, 0, 0, 0, 0, 0],
        },
        "K2": {
            "node_type": "genomforandekostnad",
            "title": "Drift",
            "category": "finansiell",
            "valuation": "money",
            "cost_kind": "running",
        },
        "P1": {
            "node_type": "nytta",
            "title": "Tryggare brukare",
            "category": "kvalitet",
            "valuation": "size",
            "size_score": 3,
        },
        "P2": {
            "node_type": "nytta",
            "title": "Mindre utsläpp",
            "category": "miljo",
            "valuation": "size",
            "size_score": 1,
        },
        "U1": {"node_type": "konsekvenskostnad", "title": "Oro hos anhöriga", "category": "kvalitet"},
    }.items():
        ids[key] = op(ws, "node.add", data=data)["id"]
    for key, value in (("N1", 30000), ("K1", 100000), ("K2", 5000)):
        op(ws, "node.update", id=ids[key], data={"direct_value": {"low": value, "likely": value, "high": value}})
    op(ws, "uncertainty.set", data={"area": "Nyttorna", "level": "medium", "motivation": "Tidsvinsten är uppskattad."})
    op(ws, "uncertainty.set", data={"area": "Kostnaderna", "level": "low", "motivation": "Offert finns."})
    return ids


@pytest.fixture
def ws(app, make_workshop):
    ws_id, _code, _ids = make_workshop(activities=())
    with app.test_request_context():
        ws = db.session.get(Workshop, ws_id)
        build(ws)
        yield ws


def test_points_are_not_summed_into_the_money(ws):
    from workshop.draft.compute import compute
    from workshop.draft.service import analysis_for

    res = compute(analysis_for(ws)).to_dict()
    und = res["undiscounted"]
    # Exactly the fixture's money figures: the points items add nothing.
    assert (und["benefits"], und["costs"], und["nettonytta"]) == (180000, 130000, 50000)
    assert und["break_even_year"] == 5
    assert round(res["discounted"]["nettonytta"], 2) == 39492.68
    assert {i["title"] for i in res["items"]} == {"Frigjord tid", "Införande", "Drift"}
    listed = {nv["title"]: nv["size_score"] for nv in res["not_valued"]}
    assert listed == {"Tryggare brukare": 3, "Mindre utsläpp": 1, "Oro hos anhöriga": None}


def test_the_draft_carries_the_mode_the_points_and_the_areas(ws):
    from workshop.draft.serialize import analysis_dict
    from workshop.draft.service import analysis_for

    d = analysis_dict(analysis_for(ws))
    by_title = {n["title"]: n for n in d["nodes"]}
    assert (by_title["Tryggare brukare"]["valuation"], by_title["Tryggare brukare"]["size_score"]) == ("size", 3)
    assert by_title["Oro hos anhöriga"]["valuation"] == "none"
    assert d["uncertainty"] == [
        {"area": "Nyttorna", "level": "medium", "motivation": "Tidsvinsten är uppskattad."},
        {"area": "Kostnaderna", "level": "low", "motivation": "Offert finns."},
    ]


def test_an_area_is_replaced_by_its_name_and_bad_entries_are_refused(ws):
    from workshop.draft.service import analysis_for

    op(ws, "uncertainty.set", data={"area": " nyttorna ", "level": "high", "motivation": "Ny bedömning."})
    a = analysis_for(ws)
    assert [u["area"] for u in a.uncertainty] == ["nyttorna", "Kostnaderna"]
    assert a.uncertainty[0]["level"] == "high"
    for bad in ({"area": "", "level": "low"}, {"area": "X", "level": "5"}, {"area": "X" * 201, "level": "low"}, "x"):
        with pytest.raises(InputError):
            op(ws, "uncertainty.set", data=bad)
    db.session.expire_all()
    assert len(analysis_for(ws).uncertainty) == 2


def _docx_text(data: bytes) -> str:
    import docx

    doc = docx.Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.append(" | ".join(c.text for c in row.cells))
    return "\n".join(parts)


def test_every_file_lists_the_points_beside_the_money_and_the_areas(ws, app):
    import openpyxl
    import pptx

    from workshop.exports import render

    text = _docx_text(render(ws, "docx"))
    assert "Tryggare brukare | Kvalitet | Stor (3)" in text
    assert "Mindre utsläpp | Miljö | Liten (1)" in text
    assert "Oro hos anhöriga | Kvalitet | Ej värderad" in text
    assert "Tryggare brukare: Stor (3)" in text  # the summary's points part
    assert "Nyttorna | Medel | Tidsvinsten är uppskattad." in text
    assert "Kostnaderna | Låg | Offert finns." in text
    assert not re.search(r"Tryggare brukare[^\n]*\b0 kr", text)

    deck = pptx.Presentation(io.BytesIO(render(ws, "pptx")))
    slides = "\n".join(s.text_frame.text for slide in deck.slides for s in slide.shapes if s.has_text_frame)
    assert "Kvalitet · Stor (3)" in slides or "Kvalitet · Stor (3)" in slides.replace("\xa0", " ")
    assert "Nyttorna: Medel" in slides and "Tidsvinsten är uppskattad." in slides

    book = openpyxl.load_workbook(io.BytesIO(render(ws, "xlsx")))
    assert book.sheetnames == [
        "Start",
        "Värde nyttor",
        "Värde kostnader",
        "Ej värderade",
        "Resultat",
        "Osäkerhet",
        "Faktorer",
    ]
    rows = {r[0]: r for r in book["Ej värderade"].iter_rows(min_row=5, values_only=True) if r[0]}
    assert rows["Tryggare brukare"][5:7] == ("Stor (3)", 3)
    assert rows["Oro hos anhöriga"][5:7] == ("Ej värderad", None)
    # The points items have no block on the value sheets: nothing of theirs is summed.
    for sheet in ("Värde nyttor", "Värde kostnader"):
        titles = {c for r in book[sheet].iter_rows(values_only=True) for c in r if isinstance(c, str)}
        assert not {"Tryggare brukare", "Mindre utsläpp", "Oro hos anhöriga"} & titles
    areas = list(book["Osäkerhet"].iter_rows(min_row=5, values_only=True))
    assert areas[:2] == [("Nyttorna", "Medel", "Tidsvinsten är uppskattad."), ("Kostnaderna", "Låg", "Offert finns.")]


def test_the_web_report_shows_the_points_and_the_areas(app, ws):
    client = app.test_client()
    client.post("/login", data={"email": "anna@solstad.se", "password": PASSWORD})
    html = client.get(f"/f/w/{ws.id}/report").get_data(as_text=True)
    flat = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "Tryggare brukare Kvalitet Stor (3)" in flat
    assert "Tryggare brukare: Stor (3)" in flat
    assert "Oro hos anhöriga Kvalitet Ej värderad" in flat
    assert "Nyttorna Medel Tidsvinsten är uppskattad." in flat


def test_json_round_trip_keeps_the_points_and_the_areas(app, ws):
    from workshop import portable
    from workshop.draft.compute import compute
    from workshop.draft.service import analysis_for

    doc = portable.export_document(ws)
    a = doc["analysis"]
    by_title = {n["title"]: n for n in a["nodes"]}
    assert (by_title["Tryggare brukare"]["valuation"], by_title["Tryggare brukare"]["size_score"]) == ("size", 3)
    assert a["uncertainty"][0] == {"area": "Nyttorna", "level": "medium", "motivation": "Tidsvinsten är uppskattad."}
    owner = db.session.get(User, ws.owner_id)
    again = portable.import_document(owner, json.loads(portable.dumps(doc)))
    copy = analysis_for(again)
    assert copy.uncertainty == analysis_for(ws).uncertainty
    nodes = {n.title: (n.valuation, n.size_score) for n in copy.nodes}
    assert nodes["Tryggare brukare"] == ("size", 3) and nodes["Mindre utsläpp"] == ("size", 1)
    assert compute(copy).to_dict()["undiscounted"]["nettonytta"] == 50000
    # The exported file of the copy says the same as the original's.
    doc2 = portable.export_document(again)
    assert doc2["analysis"]["uncertainty"] == a["uncertainty"]
    assert [(n["title"], n["valuation"], n["size_score"]) for n in doc2["analysis"]["nodes"]] == [
        (n["title"], n["valuation"], n["size_score"]) for n in a["nodes"]
    ]


def test_too_many_areas_in_a_file_are_refused(app, ws):
    from workshop import portable

    doc = portable.export_document(ws)
    doc["analysis"]["uncertainty"] = [{"area": f"Område {i}", "level": "low", "motivation": ""} for i in range(31)]
    owner = db.session.get(User, ws.owner_id)
    with pytest.raises(InputError) as err:
        portable.import_document(owner, doc)
    assert "områden" in err.value.message
