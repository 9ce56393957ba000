"""The Word report, rendered by LibreOffice, has no nearly empty pages.

A page that only carries the end of a section before a forced break (a landscape page for a
wide effect chain, and back) or a lone heading reads as a mistake in a report handed to the
commissioner. Each page of the PDF must carry a real amount of text, or a picture; the title
page (the first) is the exception the report intends. Checked on the worked example and on a
big analysis of 300 items with a wide chain; ``test_the_check_finds_a_nearly_empty_page``
makes sure the check itself can fail.
"""

from __future__ import annotations

import importlib.util
import io
import os
import sys
from pathlib import Path

import pytest


def _load(name: str, path: Path):
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


R = _load("nyttoverkstad_rendering", Path(__file__).with_name("rendering.py"))
D = _load("nyttoverkstad_test_documents", Path(__file__).parents[1] / "documents.py")

# Fewer characters than this (whitespace and the running footer not counted) on a page whose
# pictures cover less than a fifth of it: nearly empty. A full page of the report holds 2 000
# to 4 000 characters.
MIN_CHARS = 300
MIN_PICTURE_SHARE = 0.2


def nearly_empty(pages, footer: str) -> list[tuple[int, int, float]]:
    """(page number, characters, picture share) of every nearly empty page after the first."""
    return [
        (p.number, p.body_chars((footer,)), round(p.picture_share(), 2))
        for p in pages[1:]
        if p.picture_share() < MIN_PICTURE_SHARE and p.body_chars((footer,)) < MIN_CHARS
    ]


def _render(app, facilitator, doc, tmp_path, name: str):
    from workshop import portable
    from workshop.exports import render
    from workshop.extensions import db
    from workshop.models import User

    with app.test_request_context():
        ws = portable.import_document(db.session.get(User, facilitator), doc)
        data = render(ws, "docx")
    path = tmp_path / f"{name}.docx"
    path.write_bytes(data)
    return path


def _footer_of(docx_path: Path) -> str:
    from docx import Document

    return Document(str(docx_path)).sections[0].footer.paragraphs[0].text.rstrip(" ·").strip()


@pytest.mark.parametrize("which", ["example", "big"])
def test_the_report_has_no_nearly_empty_pages(app, facilitator, tmp_path, which):
    from workshop import portable

    doc = portable.load_template("example_digital_locks") if which == "example" else D.big_analysis(300)
    path = _render(app, facilitator, doc, tmp_path, f"rapport-{which}")
    pdf = R.to_pdf(path, tmp_path)
    pages = R.pages(pdf)
    footer = _footer_of(path)
    assert len(pages) >= (3 if which == "example" else 10)
    if os.environ.get("NV_RENDER_DIR"):
        R.to_png(pdf, Path(os.environ["NV_RENDER_DIR"]), f"rapport-{which}")
    assert nearly_empty(pages, footer) == [], [(p.number, p.body_chars((footer,)), p.text[:120]) for p in pages]


def test_the_check_finds_a_nearly_empty_page(app, facilitator, tmp_path):
    """A page break before the last heading leaves a page with one heading and a sentence."""
    from docx import Document
    from docx.enum.text import WD_BREAK

    from workshop import portable

    path = _render(app, facilitator, portable.load_template("example_digital_locks"), tmp_path, "rapport")
    doc = Document(str(path))
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    doc.add_paragraph("Bilaga")
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    doc.add_paragraph("Slut på rapporten.")
    buf = io.BytesIO()
    doc.save(buf)
    broken = tmp_path / "trasig.docx"
    broken.write_bytes(buf.getvalue())
    pages = R.pages(R.to_pdf(broken, tmp_path))
    found = nearly_empty(pages, _footer_of(broken))
    assert found and found[-1][0] == len(pages)
