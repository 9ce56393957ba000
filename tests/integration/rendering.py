"""Render exported Word and PowerPoint files with LibreOffice and read the pages back.

Shared by the LibreOffice tests of the report and the slides (loaded by path, as the other
helpers): ``to_pdf`` converts with ``soffice --headless --convert-to pdf`` in a private profile;
``pages`` reads each page's text, its pictures and every piece of text with its position
(pypdf); ``to_png`` turns pages into pictures to look at (pdftoppm when installed).
Set ``NV_RENDER_DIR`` to keep the PDFs and page pictures of a run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest


def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found:
        return found
    message = (
        "LibreOffice (soffice) is not installed: apt-get install libreoffice-writer-nogui libreoffice-impress-nogui"
    )
    if os.environ.get("REQUIRE_ALL_TESTS") == "1":
        pytest.fail(message)
    pytest.skip(message)


def to_pdf(path: Path, workdir: Path) -> Path:
    """``path`` (docx, pptx) as a PDF made by LibreOffice."""
    profile = workdir / "lo-profile"
    profile.mkdir(parents=True, exist_ok=True)
    out = workdir / "pdf"
    started = time.monotonic()
    proc = subprocess.run(
        [
            soffice(),
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    pdf = out / (path.stem + ".pdf")
    assert pdf.exists(), f"LibreOffice made no PDF in {time.monotonic() - started:.0f} s: {proc.stdout} {proc.stderr}"
    keep = os.environ.get("NV_RENDER_DIR")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(pdf, Path(keep) / pdf.name)
    return pdf


@dataclass
class Piece:
    """One text-showing operation: its text, its baseline start (x, y in PDF points from the
    bottom left) and its font size on the page."""

    text: str
    x: float
    y: float
    size: float


@dataclass
class Page:
    number: int
    width: float
    height: float
    text: str
    images: list[float]  # the area of each picture drawn on the page, in square points
    pieces: list[Piece] = field(default_factory=list)

    def picture_share(self) -> float:
        """The share of the page that pictures cover (overlaps counted twice)."""
        return sum(self.images) / (self.width * self.height)

    def body_chars(self, ignore: tuple[str, ...] = ()) -> int:
        """Characters on the page, without whitespace and without the lines in ``ignore``
        (a running footer)."""
        text = self.text
        for line in ignore:
            text = text.replace(line, "")
        return len("".join(text.split()))


def pages(pdf: Path) -> list[Page]:
    from pypdf import PdfReader

    out = []
    for i, page in enumerate(PdfReader(str(pdf)).pages, start=1):
        pieces: list[Piece] = []

        def visit(text: str, cm: Any, tm: Any, font_dict: Any, font_size: float, pieces=pieces) -> None:
            if not text.strip():
                return
            # Text space to page space: the text matrix, then the current transformation.
            a, b, c, d, e, f = (float(v) for v in cm)
            x0, y0 = float(tm[4]), float(tm[5])
            x = a * x0 + c * y0 + e
            y = b * x0 + d * y0 + f
            scale = (float(tm[3]) ** 2 + float(tm[2]) ** 2) ** 0.5 * (d**2 + c**2) ** 0.5
            pieces.append(Piece(text, x, y, float(font_size) * scale))

        drawn: list[float] = []

        def operator(op: bytes, args: Any, cm: Any, tm: Any, drawn=drawn) -> None:
            # "Do" paints an XObject (a picture) into the unit square mapped by the current matrix.
            if op == b"Do":
                a, b, c, d = (float(v) for v in cm[:4])
                drawn.append(abs(a * d - b * c))

        text = page.extract_text(visitor_text=visit, visitor_operand_before=operator) or ""
        box = page.mediabox
        out.append(Page(i, float(box.width), float(box.height), text, drawn, pieces))
    return out


def to_png(pdf: Path, folder: Path, prefix: str, dpi: int = 60) -> list[Path]:
    """The PDF's pages as PNG pictures (pdftoppm), for a person to look at; [] without it."""
    tool = shutil.which("pdftoppm")
    if not tool:
        return []
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run([tool, "-png", "-r", str(dpi), str(pdf), str(folder / prefix)], check=True, timeout=300)
    return sorted(folder.glob(f"{prefix}*.png"))
