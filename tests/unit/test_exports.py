"""Exports other than the spreadsheet: figures, the Word report, the presentation, downloads
from the draft page and the CLI."""

from __future__ import annotations

import io
import re

import pytest
from lxml import etree
from test_exports_xlsx import INJECTION, NICKNAME, injection_workshop, method_fixture

PNG = b"\x89PNG\r\n\x1a\n"
PASSWORD = "hemligt-lösen-1"


def login(client, email="anna@solstad.se", password=PASSWORD):
    return client.post("/login", data={"email": email, "password": password})


@pytest.fixture
def user(app, facilitator):
    from workshop.extensions import db
    from workshop.models import User

    with app.test_request_context():
        yield db.session.get(User, facilitator)


def import_example(user, language: str = "sv"):
    from workshop import portable
    from workshop.draft.service import analysis_for
    from workshop.extensions import db

    ws = portable.import_document(user, portable.load_template("example_digital_locks"))
    ws.language = language
    db.session.commit()
    return ws, analysis_for(ws, create=False)


def add_participants(ws, per_perspective: dict[str, int]) -> None:
    from workshop.extensions import db
    from workshop.models import Participant

    n = 0
    for perspective, count in per_perspective.items():
        for _ in range(count):
            n += 1
            db.session.add(
                Participant(
                    workshop_id=ws.id, token=f"p-{ws.id}-{n}", nickname=f"{NICKNAME} {n}", perspective=perspective
                )
            )
    db.session.commit()


# --- figures ----------------------------------------------------------------------------------


def test_the_chain_is_drawn_from_the_presenters_layout(user):
    from workshop.activities.effect_chain import EffectChain
    from workshop.exports import figures

    ws, a = import_example(user)
    layout, polarity, _kinds = figures.chain_data(a)
    # The presenter's diagram comes from the effect-chain kind's aggregate: the same layout.
    presenter = EffectChain()._aggregate(a, [])["layout"]
    assert layout == presenter
    png = figures.draw_chain(layout, polarity, fmt="png", scale=2)
    assert png.startswith(PNG)
    assert figures.png_size(png) == (round(layout["width"] * 2), round(layout["height"] * 2))
    svg = figures.draw_chain(layout, polarity, fmt="svg")
    root = etree.fromstring(svg)
    assert root.tag.endswith("svg")
    assert float(root.get("width").rstrip("pt")) == pytest.approx(layout["width"], abs=1)
    assert any(v == "negative" for v in polarity.values())


def test_huge_chains_are_capped_and_mathtext_is_never_parsed():
    from workshop.draft.layout import chain_layout
    from workshop.exports import figures

    nodes = [
        {"id": i, "node_type": ("effekt", "nytta", "forandring")[i % 3], "title": t}
        for i, t in enumerate(["$\\alpha$ och $", "$x^2$", "\\frac{a}{b} $$", "=1+1"] * 80)
    ]
    links = [{"from": i, "to": i + 1} for i in range(0, 300, 2)]
    layout = chain_layout(nodes, links)
    png = figures.draw_chain(layout, {}, fmt="png")
    w, h = figures.png_size(png)
    assert max(w, h) <= figures.MAX_SIDE_PX + 1 and w * h <= figures.MAX_PIXELS * 1.01
    assert figures.draw_chain(layout, {}, fmt="svg").startswith(b"<?xml")


def test_result_and_tornado_charts(user):
    from workshop.draft.compute import compute
    from workshop.exports import figures

    _ws, a = import_example(user)
    result = compute(a).to_dict()
    for fmt, magic in (("png", PNG), ("svg", b"<?xml")):
        assert figures.accumulated_chart(result, start_year=2027, fmt=fmt).startswith(magic)
        assert figures.tornado_chart(result, fmt=fmt).startswith(magic)
    no_inputs = {**result, "sensitivity": []}
    assert figures.tornado_chart(no_inputs) is None
    with pytest.raises(ValueError):
        figures.accumulated_chart(result, fmt="gif")


# --- the Word report ----------------------------------------------------------------------------


def open_docx(data: bytes):
    import docx

    return docx.Document(io.BytesIO(data))


def docx_text(doc) -> str:
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def test_docx_follows_the_report_layout(user):
    from workshop.exports import render

    ws, a = import_example(user, language="en")
    add_participants(ws, {"Hemtjänsten": 3, "Biståndshandläggare": 2, "": 1})
    doc = open_docx(render(ws, "docx"))
    h1 = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert h1 == [
        "Facts about the analysis",
        "Result in brief",
        "1 Introduction",
        "2 Method",
        "3 Starting points",
        "4 Analysis",
        "5 Valuation",
        "6 Uncertainty assessment",
        "7 Summary",
    ]
    h2 = [p.text for p in doc.paragraphs if p.style.name == "Heading 2"]
    for heading in (
        "Alternatives",
        "Frame",
        "Effect chain",
        "Benefits",
        "Consequence costs",
        "Implementation costs",
        "Risks",
        "Obstacles",
        "Opportunities",
    ):
        assert heading in h2
    h3 = [p.text for p in doc.paragraphs if p.style.name == "Heading 3"]
    assert "Frigjord arbetstid för undersköterskor" in h3  # one calculation block per money-valued item
    # Pictures: the result chart, the effect chain, the tornado.
    assert len(doc.inline_shapes) == 3
    text = docx_text(doc)
    # Tables for blocks (rows with lowest/likely/highest and source) and for the facts.
    assert any("antal_pass" in cell.text for t in doc.tables for row in t.rows for cell in row.cells)
    assert "Schemaläggningssystemet 2025" in text
    assert "Solstads kommun, vård- och omsorgsförvaltningen" in text
    # Who took part: counts per perspective, never identities.
    assert "6 participants took part." in text
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == "Perspective")
    assert [[c.text for c in row.cells] for row in table.rows[1:]] == [
        ["Hemtjänsten", "3"],
        ["Biståndshandläggare", "2"],
        ["Not stated", "1"],
    ]
    assert NICKNAME not in text
    # The wide effect chain gets a landscape page of its own after the first page, then the
    # report is portrait again.
    from docx.enum.section import WD_ORIENT

    assert h2[0] == "Effect chain (section 4)"

    assert [sec.orientation for sec in doc.sections] == [WD_ORIENT.PORTRAIT, WD_ORIENT.LANDSCAPE, WD_ORIENT.PORTRAIT]
    assert "SVG" not in text
    # A4, and the author is the tool, not a person.
    section = doc.sections[0]
    assert round(section.page_width.cm, 1) == 21.0 and round(section.page_height.cm, 1) == 29.7
    assert doc.core_properties.author == "Nyttoverkstad"


def test_a_tall_chain_stays_portrait_and_points_to_the_svg(user, monkeypatch):
    from workshop.draft import service
    from workshop.exports import figures, render
    from workshop.extensions import db

    ws, a = import_example(user, language="en")
    change = service.add_node(a, {"node_type": "forandring", "title": "Another change"})
    db.session.flush()
    for i in range(80):
        effect = service.add_node(a, {"node_type": "effekt", "title": f"Extra effect {i}"})
        db.session.flush()
        service.add_link(a, change.id, effect.id)
    db.session.commit()

    def not_drawn(*_args, **_kwargs):
        raise AssertionError("a chain too large to show is not drawn")

    monkeypatch.setattr(figures, "draw_chain", not_drawn)
    doc = open_docx(render(ws, "docx"))
    assert len(doc.sections) == 1
    assert any("SVG" in p.text for p in doc.paragraphs)
    assert len(doc.inline_shapes) == 2  # the result chart and the tornado; no chain


def test_docx_headings_follow_the_workshop_language(user):
    from flask_babel import force_locale, gettext

    from workshop.exports import render

    ws, _a = import_example(user, language="sv")
    doc = open_docx(render(ws, "docx"))
    h1 = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    with force_locale("sv"):
        assert h1[0] == gettext("Facts about the analysis") and h1[-1] == f"7 {gettext('Summary')}"


def test_docx_and_pptx_keep_participant_text_as_text(app, make_workshop):
    from workshop.draft.service import analysis_for
    from workshop.exports import render
    from workshop.exports.common import clean
    from workshop.extensions import db
    from workshop.models import Workshop

    ws_id, _code, _ids = make_workshop(activities=())
    with app.test_request_context():
        ws = db.session.get(Workshop, ws_id)
        injection_workshop(ws, analysis_for(ws))
        doc = open_docx(render(ws, "docx"))
        text = docx_text(doc)
        for item in INJECTION:
            if clean(item).strip():
                assert clean(item).strip().split("\n")[0] in text, item
        assert NICKNAME not in text
        deck = open_pptx(render(ws, "pptx"))
        assert NICKNAME not in pptx_text(deck)


# --- the presentation ---------------------------------------------------------------------------


def open_pptx(data: bytes):
    import pptx

    return pptx.Presentation(io.BytesIO(data))


def pptx_text(deck) -> str:
    return "\n".join(shape.text_frame.text for slide in deck.slides for shape in slide.shapes if shape.has_text_frame)


def slide_texts(slide) -> list[str]:
    return [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame and shape.text_frame.text]


def test_pptx_has_the_slides_and_they_are_legible(user):
    from pptx.util import Pt

    from workshop.exports import render

    ws, _a = import_example(user, language="en")
    deck = open_pptx(render(ws, "pptx"))
    assert round(deck.slide_width / deck.slide_height, 2) == round(16 / 9, 2)
    slides = list(deck.slides)
    titles = [slide_texts(s)[0] for s in slides[1:]]
    assert titles == [
        "Alternatives",
        "Effect chain",
        "Benefits and costs by category",
        "Result",
        "Uncertainty",
        "Next steps",
    ]
    assert "Digitala nyckellås i hemtjänsten" in slide_texts(slides[0])[1]
    kinds = [[shape.shape_type for shape in s.shapes] for s in slides]
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    assert MSO_SHAPE_TYPE.PICTURE in kinds[2]  # effect chain
    assert any(shape.has_chart for shape in slides[3].shapes)  # categories: a native chart
    assert MSO_SHAPE_TYPE.PICTURE in kinds[4] and MSO_SHAPE_TYPE.PICTURE in kinds[5]  # result, tornado
    for slide in slides:
        words = sum(len(t.split()) for t in slide_texts(slide))
        assert words <= 90, (slide_texts(slide)[0], words)  # few words, not a text dump
        for shape in slide.shapes:
            if shape.has_text_frame:
                for p in shape.text_frame.paragraphs:
                    for run in p.runs:
                        assert run.font.size is None or run.font.size >= Pt(14), run.text
    result_text = "\n".join(slide_texts(slides[4]))
    assert "2 924 865 kr" in result_text.replace("\u00a0", " ").replace(",", " ")
    # The full alternatives are in the speaker notes.
    assert "Nollalternativ" in slides[1].notes_slide.notes_text_frame.text


# --- downloads and the CLI ----------------------------------------------------------------------


def test_downloads_from_the_draft_page(app, make_workshop, other_facilitator):
    from workshop.extensions import db
    from workshop.models import Workshop

    ws_id, _code, _ids = make_workshop(activities=())
    with app.test_request_context():
        ws = db.session.get(Workshop, ws_id)
        from workshop.draft.service import analysis_for

        analysis_for(ws)
        method_fixture(ws)
        db.session.commit()
    client = app.test_client()
    login(client)
    page = client.get(f"/f/w/{ws_id}/analysis").get_data(as_text=True)
    for fmt in ("xlsx", "docx", "pptx"):
        assert f'href="/f/w/{ws_id}/export.{fmt}"' in page
        resp = client.get(f"/f/w/{ws_id}/export.{fmt}")
        assert resp.status_code == 200
        assert resp.data[:2] == b"PK"
        assert resp.headers["Content-Disposition"].startswith("attachment;")
        assert re.search(rf'filename="nyttoverkstad-[A-Za-z0-9]+\.{fmt}"', resp.headers["Content-Disposition"])
        assert "officedocument" in resp.headers["Content-Type"]
    for name in ("chain", "result", "tornado"):
        resp = client.get(f"/f/w/{ws_id}/figure/{name}.png")
        if name == "tornado":
            assert resp.status_code == 404  # direct values without a range: nothing varies
            continue
        assert resp.status_code == 200 and resp.data.startswith(PNG)
        assert client.get(f"/f/w/{ws_id}/figure/{name}.svg").headers["Content-Type"].startswith("image/svg+xml")
    assert client.get(f"/f/w/{ws_id}/export.exe").status_code == 404
    # Another facilitator gets nothing; logged out, the login page.
    other = app.test_client()
    login(other, "bertil@norrby.se")
    assert other.get(f"/f/w/{ws_id}/export.xlsx").status_code == 404
    assert app.test_client().get(f"/f/w/{ws_id}/export.docx").status_code in (302, 401)


def test_cli_export_picks_the_format_from_the_suffix(app, make_workshop, tmp_path):
    from workshop.exports import export_file

    ws_id, _code, _ids = make_workshop(activities=())
    with app.test_request_context():
        for suffix, magic in ((".xlsx", b"PK"), (".docx", b"PK"), (".pptx", b"PK"), (".json", b"{")):
            out = tmp_path / f"analys{suffix}"
            size = export_file(ws_id, str(out))
            assert size == out.stat().st_size and out.read_bytes().startswith(magic)
        with pytest.raises(LookupError):
            export_file(ws_id, str(tmp_path / "analys.pdf"))
        with pytest.raises(LookupError):
            export_file(999999, str(tmp_path / "x.xlsx"))
