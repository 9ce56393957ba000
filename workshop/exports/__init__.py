"""Files made from a workshop's draft analysis: one module per format.

``export_file`` picks the format from the file name; each format module offers
``render(ws) -> bytes``. The report's content comes from ``workshop.draft.report`` so every
format says the same thing.
"""

from __future__ import annotations

from pathlib import Path

from ..extensions import db
from ..models import Workshop

FORMATS = {".json": "json"}


def render(ws: Workshop, fmt: str) -> bytes:
    if fmt == "json":
        from ..portable import dumps, export_document

        return dumps(export_document(ws)).encode("utf-8")
    raise LookupError(f"unknown export format: {fmt}")


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
