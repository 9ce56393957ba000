"""Files made from a workshop's draft analysis: one module per format.

``export_file`` picks the format from the file name; ``render(ws, fmt)`` gives the file's
bytes. The report's content comes from ``workshop.draft.report`` so every format says the
same thing; files are written in the workshop's language.

- ``.json`` — the complete analysis (``workshop.portable``, schema in docs/json-schema.md)
- ``.xlsx`` — the nyttokalkyl with live formulas and cached results (``xlsx/``)
- ``.docx`` — the report in the layout practitioners recognise (``docx.py``)
- ``.pptx`` — a short presentation (``pptx.py``)
- figures (PNG/SVG): effect chain, accumulated benefits and costs, tornado (``figures.py``)
"""

from __future__ import annotations

from pathlib import Path

from ..extensions import db
from ..models import Workshop

FORMATS = {".json": "json", ".xlsx": "xlsx", ".docx": "docx", ".pptx": "pptx"}
MIMETYPES = {
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "png": "image/png",
    "svg": "image/svg+xml",
}


def _analysis(ws: Workshop):
    from ..draft.service import analysis_to_show

    return analysis_to_show(ws)  # a workshop without a draft: the empty draft, as the report page shows it


def render(ws: Workshop, fmt: str) -> bytes:
    if fmt == "json":
        from ..portable import dumps, export_document

        return dumps(export_document(ws)).encode("utf-8")
    if fmt not in ("xlsx", "docx", "pptx"):
        raise LookupError(f"unknown export format: {fmt}")
    from importlib import import_module

    from flask_babel import force_locale

    module = import_module(f".{fmt}", __name__)
    analysis = _analysis(ws)
    with force_locale(ws.language or "sv"):
        return module.render(ws, analysis)


def render_figure(ws: Workshop, name: str, fmt: str) -> bytes | None:
    """One picture of the analysis: ``name`` chain | result | tornado, ``fmt`` png | svg."""
    from flask_babel import force_locale

    from .figures import FIGURES, figure

    if name not in FIGURES or fmt not in ("png", "svg"):
        raise LookupError(f"unknown figure: {name}.{fmt}")
    analysis = _analysis(ws)
    with force_locale(ws.language or "sv"):
        return figure(analysis, name, fmt)


def export_file(workshop_id: int, output: str) -> int:
    ws = db.session.get(Workshop, workshop_id)
    if ws is None:
        raise LookupError(f"no workshop with id {workshop_id}")
    fmt = FORMATS.get(Path(output).suffix.lower())
    if fmt is None:
        raise LookupError(f"unknown file type {Path(output).suffix!r}; use one of {', '.join(FORMATS)}")
    data = render(ws, fmt)
    Path(output).write_bytes(data)
    return len(data)
