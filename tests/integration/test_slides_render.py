"""The slides, rendered by LibreOffice, keep their layout: no text runs out of its box.

Each slide of the PDF is compared with the shapes python-pptx reads from the file: every piece
of text LibreOffice drew must start inside the box of the shape it belongs to (matched by its
text) and be drawn at no less than ``MIN_SCALE`` of its size (shrinking on overflow would hide
a box too small). Checked on the worked example and on a big analysis of 300 items, in both
languages; ``test_the_check_finds_text_outside_a_shrunk_box`` makes sure the check can fail.

The documents name Calibri; LibreOffice draws it with the metric-compatible Carlito (the
Debian package fonts-crosextra-carlito, which CI installs), so the text takes the room it
takes in PowerPoint.
"""

from __future__ import annotations

import importlib.util
import io
import os
import sys
from pathlib import Path

import pytest
from pptx import Presentation
from pptx.util import Emu


def _load(name: str, path: Path):
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


R = _load("nyttoverkstad_rendering", Path(__file__).with_name("rendering.py"))
D = _load("nyttoverkstad_test_documents", Path(__file__).parents[1] / "documents.py")

TOLERANCE = 3.0  # points
MIN_SCALE = 0.85  # drawn size / size in the file


def _pt(emu) -> float:
    return Emu(int(emu)).pt


def _norm(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


def _box(shape) -> dict:
    return {
        "name": shape.name,
        "left": _pt(shape.left),
        "top": _pt(shape.top),
        "right": _pt(shape.left + shape.width),
        "bottom": _pt(shape.top + shape.height),
    }


def _within(x: float, y: float, b: dict, bottom: float | None = None) -> bool:
    return (
        b["left"] - TOLERANCE <= x <= b["right"] + TOLERANCE
        and b["top"] - TOLERANCE <= y <= (b["bottom"] if bottom is None else bottom) + TOLERANCE
    )


def charts(prs) -> list[list[dict]]:
    """Per slide: the boxes of native charts (their axis and legend labels are the chart's own)."""
    return [[_box(s) for s in slide.shapes if getattr(s, "has_chart", False) and s.has_chart] for slide in prs.slides]


def text_boxes(prs) -> list[list[dict]]:
    """Per slide: each shape's text, its box in points (top-down) and its font sizes."""
    out = []
    for slide in prs.slides:
        boxes = []
        for shape in slide.shapes:
            texts, sizes = [], []
            if shape.has_text_frame:
                for p in shape.text_frame.paragraphs:
                    texts.append(p.text)
                    sizes += [r.font.size.pt for r in p.runs if r.font.size is not None]
            elif getattr(shape, "has_table", False) and shape.has_table:
                for row in shape.table.rows:
                    for cell in row.cells:
                        for p in cell.text_frame.paragraphs:
                            texts.append(p.text)
                            sizes += [r.font.size.pt for r in p.runs if r.font.size is not None]
            text = _norm(" ".join(texts))
            if not text:
                continue
            table = bool(getattr(shape, "has_table", False) and shape.has_table)
            boxes.append({**_box(shape), "text": text, "sizes": sizes, "table": table})
        out.append(boxes)
    return out


def overflows(pptx_bytes: bytes, pdf: Path) -> list[str]:
    """Every piece of text drawn outside its shape's box, or shrunk: one line each."""
    prs = Presentation(io.BytesIO(pptx_bytes))
    slide_h = _pt(prs.slide_height)
    problems = []
    for boxes, chart_boxes, page in zip(text_boxes(prs), charts(prs), R.pages(pdf), strict=True):
        scale = page.height / slide_h  # PDF points per slide point (1 unless LibreOffice scaled)
        for piece in page.pieces:
            text = _norm(piece.text)
            x = piece.x / scale
            y = slide_h - piece.y / scale  # the baseline, from the top
            owners = [b for b in boxes if text and text in b["text"]]
            if not owners or any(_within(x, y, c) for c in chart_boxes):
                continue  # a chart's own labels: not a text box of ours
            # A table grows with its rows: its text must stay on the slide.
            inside = [b for b in owners if _within(x, y, b, slide_h if b["table"] else None)]
            if not inside:
                b = owners[0]
                problems.append(
                    f"slide {page.number}: {text[:60]!r} at ({x:.0f}, {y:.0f}) outside {b['name']} "
                    f"({b['left']:.0f}, {b['top']:.0f})–({b['right']:.0f}, {b['bottom']:.0f})"
                )
                continue
            nominal = [s for b in inside for s in b["sizes"]]
            if nominal and piece.size / scale < MIN_SCALE * min(nominal):
                problems.append(
                    f"slide {page.number}: {text[:60]!r} drawn at {piece.size / scale:.1f} pt, "
                    f"its box asks for {min(nominal):.0f}–{max(nominal):.0f} pt (shrunk to fit)"
                )
    return problems


def _pptx(app, facilitator, doc, language: str = "sv") -> bytes:
    from workshop import portable
    from workshop.exports import render
    from workshop.extensions import db
    from workshop.models import User

    with app.test_request_context():
        ws = portable.import_document(db.session.get(User, facilitator), doc)
        ws.language = language
        db.session.commit()
        return render(ws, "pptx")


def _render(data: bytes, tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name}.pptx"
    path.write_bytes(data)
    pdf = R.to_pdf(path, tmp_path)
    if os.environ.get("NV_RENDER_DIR"):
        R.to_png(pdf, Path(os.environ["NV_RENDER_DIR"]), name, dpi=50)
    return pdf


@pytest.mark.parametrize("which,language", [("example", "sv"), ("example", "en"), ("big", "sv")])
def test_no_text_runs_out_of_its_box(app, facilitator, tmp_path, which, language):
    from workshop import portable

    doc = portable.load_template("example_digital_locks") if which == "example" else D.big_analysis(300)
    data = _pptx(app, facilitator, doc, language)
    pdf = _render(data, tmp_path, f"bilder-{which}-{language}")
    pages = R.pages(pdf)
    assert len(pages) == len(Presentation(io.BytesIO(data)).slides)
    # The check saw the slides' text (a PDF without text would pass any box).
    assert sum(len(p.pieces) for p in pages) > 30
    assert overflows(data, pdf) == []


def test_the_check_finds_text_outside_a_shrunk_box(app, facilitator, tmp_path):
    """The last slide's list of next steps in a box a third of an inch high, autofit off."""
    from pptx.enum.text import MSO_AUTO_SIZE
    from pptx.util import Inches

    from workshop import portable

    data = _pptx(app, facilitator, portable.load_template("example_digital_locks"))
    prs = Presentation(io.BytesIO(data))
    box = max(prs.slides[-1].shapes, key=lambda s: len(s.text_frame.text) if s.has_text_frame else 0)
    box.height = Inches(0.35)
    box.text_frame.auto_size = MSO_AUTO_SIZE.NONE
    buf = io.BytesIO()
    prs.save(buf)
    broken = buf.getvalue()
    found = overflows(broken, _render(broken, tmp_path, "trasiga-bilder"))
    assert any(line.startswith(f"slide {len(prs.slides)}:") for line in found), found
