"""The engine's figures as the cached values of the formula cells, written into the saved file.

A formula cell in an xlsx file holds its formula (``<f>``) and, optionally, the value it had when
the file was last calculated (``<v>``). Viewers that do not recalculate (file previews, some web
viewers, Python readers such as openpyxl with ``data_only=True``) show only that value, so the
export puts the engine's figure there; ``fullCalcOnLoad`` still makes Excel and LibreOffice
recalculate on open.

Why the saved XML is patched here instead of asking openpyxl: openpyxl (3.1, the version we
depend on) cannot write a formula's cached value. Its cell writer (``openpyxl/cell/_writer.py``,
``lxml_write_cell`` and ``etree_write_cell``) writes a formula cell's string as ``<f>`` and then
sets the value to None, so the ``<v>`` it writes after it is always empty; a cell holds either a
formula or a value (``Cell.value``), and neither ``ArrayFormula`` nor ``DataTableFormula`` carries
a result. Its documentation says the same from the reading side: ``data_only=True`` reads "the
value stored the last time Excel read the sheet", which openpyxl itself never stores. (XlsxWriter
can write formula results, but switching libraries is out of proportion to this one step.) So
after openpyxl has written the file, :func:`patch_cached_values` fills in ``<v>`` of the formula
cells it was given, and nothing else in the file changes.
"""

from __future__ import annotations

import io
import math
import zipfile
from typing import Any

from lxml import etree

from ..common import clean

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"


def _sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet title -> part name in the package (through workbook.xml and its relationships)."""
    book = etree.fromstring(zf.read("xl/workbook.xml"))
    rels = etree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels.iter(f"{{{NS_PKG_REL}}}Relationship")}
    out = {}
    for sheet in book.iter(f"{{{NS_MAIN}}}sheet"):
        target = targets[sheet.get(f"{{{NS_REL}}}id")]
        out[sheet.get("name")] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return out


def _set_cached(cell: etree._Element, value: Any) -> None:
    """``<v>`` of a formula cell: a number, a boolean or text (``t="str"``); never inf or NaN."""
    if isinstance(value, float) and not math.isfinite(value):
        return  # Excel has no such value: leave the cell to be calculated on open
    f = cell.find(f"{{{NS_MAIN}}}f")
    v = cell.find(f"{{{NS_MAIN}}}v")
    if v is None:
        v = etree.Element(f"{{{NS_MAIN}}}v")
        f.addnext(v)
    if isinstance(value, bool):
        cell.set("t", "b")
        v.text = "1" if value else "0"
    elif isinstance(value, (int, float)):
        cell.attrib.pop("t", None)
        v.text = str(int(value)) if isinstance(value, int) else repr(float(value))
    else:
        cell.set("t", "str")
        v.text = clean(value)


def patch_cached_values(data: bytes, cached: dict[tuple[str, str], Any]) -> bytes:
    """Put ``cached[(sheet title, "B7")]`` into each formula cell's ``<v>`` of a written xlsx."""
    src = zipfile.ZipFile(io.BytesIO(data))
    parts = _sheet_parts(src)
    by_part: dict[str, dict[str, Any]] = {}
    for (title, coord), value in cached.items():
        by_part.setdefault(parts[title], {})[coord] = value
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            values = by_part.get(info.filename)
            if values:
                root = etree.fromstring(body)
                for cell in root.iter(f"{{{NS_MAIN}}}c"):
                    if cell.find(f"{{{NS_MAIN}}}f") is not None and cell.get("r") in values:
                        _set_cached(cell, values[cell.get("r")])
                body = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            dst.writestr(info, body)
    return out.getvalue()
