"""The spreadsheet's formulas recalculate correctly in a real spreadsheet engine.

LibreOffice (headless, Debian package ``libreoffice-calc-nogui``) opens the exported workbook,
recalculates every formula (forced through its profile setting ``OOXMLRecalcMode`` = always)
and saves it again; openpyxl reads the values LibreOffice computed:

* unchanged file: every formula cell LibreOffice computes equals the cached value we wrote;
* an input changed in the file (a row's likely value; the discount rate and convention on
  Start; a direct value of method.md's fixture): the result equals the engine's result for the
  same change made in the draft;
* participant text that looks like a formula stays text after LibreOffice has saved the file;
* a formula that overflows (in every scenario, or at its highest value only) counts as 0 in the
  recalculated file too, as in the engine.

All files go through one LibreOffice start. Without ``soffice`` the test is skipped, but fails
when REQUIRE_ALL_TESTS=1 (CI).
"""

from __future__ import annotations

import io
import math
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest

# The fixtures' builders live with the unit tests of the spreadsheet.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit"))

RECALC_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
           xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found:
        return found
    message = "LibreOffice (soffice) is not installed: apt-get install libreoffice-calc-nogui"
    if os.environ.get("REQUIRE_ALL_TESTS") == "1":
        pytest.fail(message)
    pytest.skip(message)


def recalculate(paths: list[Path], workdir: Path) -> dict[str, Path]:
    """Open and save every file with LibreOffice, recalculating all formulas; name -> new file."""
    binary = soffice()
    profile = workdir / "lo-profile"
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(RECALC_ALWAYS, encoding="utf-8")
    out = workdir / "recalculated"
    started = time.monotonic()
    proc = subprocess.run(
        [
            binary,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            "xlsx:Calc MS Excel 2007 XML",
            "--outdir",
            str(out),
            *map(str, paths),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=workdir,
    )
    print(f"LibreOffice converted {len(paths)} files in {time.monotonic() - started:.1f} s")
    result = {p.name: out / p.name for p in paths}
    missing = [name for name, p in result.items() if not p.exists()]
    assert not missing, (missing, proc.returncode, proc.stdout[-2000:], proc.stderr[-2000:])
    return result


def values(path: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(path, data_only=True)


def close(a, b) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)
    return (a in ("", None) and b in ("", None)) or a == b


def row_of(sheet, name: str) -> int:
    from workshop.exports import xlsx

    return next(r for r in range(1, sheet.max_row + 1) if sheet.cell(r, xlsx.C_NAME).value == name)


def measures(book: openpyxl.Workbook) -> dict[str, tuple]:
    from workshop.exports import xlsx

    sheet = book["Resultat"]
    return {key: tuple(sheet[c].value for c in cells) for key, cells in xlsx.MEASURE_CELLS.items() if key != "reading"}


def engine_measures(result) -> dict[str, tuple]:
    und, disc = result.undiscounted, result.discounted
    return {
        key: (getattr(und, key), getattr(disc, key))
        for key in ("benefits", "costs", "nettonytta", "per_krona", "break_even_year")
    }


def assert_same_result(book: openpyxl.Workbook, result) -> None:
    from workshop.exports import xlsx

    got, want = measures(book), engine_measures(result)
    for key in want:
        for g, w in zip(got[key], want[key]):
            if w is None:
                assert isinstance(g, str) and g, (key, g)
            else:
                assert g == pytest.approx(w, rel=1e-9, abs=1e-6), (key, g, w)
    sheet = book["Resultat"]
    for (s, d, key), cell in xlsx.UNCERTAINTY_CELLS.items():
        w = getattr(result.uncertainty[s].discounted if d else result.uncertainty[s].undiscounted, key)
        g = sheet[cell].value
        assert isinstance(g, str) if w is None else g == pytest.approx(w, rel=1e-9, abs=1e-6), (s, d, key, g, w)


def assert_cached_values_recalculate(original: bytes, recalculated: openpyxl.Workbook) -> int:
    """Every formula cell LibreOffice computed equals the value we cached; returns how many."""
    cached = openpyxl.load_workbook(io.BytesIO(original), data_only=True)
    formulas = openpyxl.load_workbook(io.BytesIO(original), data_only=False)
    checked = 0
    for sheet in formulas.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    mine = cached[sheet.title][cell.coordinate].value
                    theirs = recalculated[sheet.title][cell.coordinate].value
                    assert close(mine, theirs), (sheet.title, cell.coordinate, cell.value, mine, theirs)
                    checked += 1
    return checked


def test_libreoffice_recalculates_the_exported_formulas(app, facilitator, make_workshop, tmp_path):
    from test_exports_xlsx import injection_workshop, method_fixture, op

    from workshop import portable
    from workshop.draft import service
    from workshop.draft.compute import compute
    from workshop.exports import render, xlsx
    from workshop.extensions import db
    from workshop.models import User, Workshop

    soffice()
    with app.test_request_context():
        user = db.session.get(User, facilitator)
        # 1. The worked example, unchanged.
        ws = portable.import_document(user, portable.load_template("example_digital_locks"))
        a = service.analysis_for(ws, create=False)
        original = render(ws, "xlsx")
        (tmp_path / "unchanged.xlsx").write_bytes(original)

        # 2. A row's likely value changed in the file: antal_pass 40 000 -> 52 500.
        book = openpyxl.load_workbook(io.BytesIO(original))
        sheet = book["Värde nyttor"]
        sheet.cell(row_of(sheet, "antal_pass"), xlsx.C_LIKELY).value = 52500
        book.save(tmp_path / "row.xlsx")

        # 3. Discount rate and convention changed on Start: 5 %, B.
        book = openpyxl.load_workbook(io.BytesIO(original))
        book["Start"][f"B{xlsx.START_RATE_ROW}"].value = 0.05
        book["Start"][f"B{xlsx.START_CONV_ROW}"].value = "B"
        book.save(tmp_path / "frame.xlsx")

        # 4. A shared factor changed: undersköterska 359 -> 400 kr/h, lowest 300.
        book = openpyxl.load_workbook(io.BytesIO(original))
        sheet = book["Faktorer"]
        r = row_of(sheet, "underskoterska_hemtjanst")
        sheet.cell(r, xlsx.C_LIKELY).value = 400
        sheet.cell(r, xlsx.C_LOW).value = 300
        book.save(tmp_path / "factor.xlsx")

        # 5. method.md's fixture, N1 changed from 30 000 to 33 000 a year in the file.
        ws_id, _code, _ids = make_workshop(activities=())
        fixture_ws = db.session.get(Workshop, ws_id)
        fixture = service.analysis_for(fixture_ws)
        ids = method_fixture(fixture_ws)
        fixture_file = render(fixture_ws, "xlsx")
        book = openpyxl.load_workbook(io.BytesIO(fixture_file))
        sheet = book["Värde nyttor"]
        direct = next(r for r in range(1, sheet.max_row + 1) if sheet.cell(r, xlsx.C_LIKELY).value == 30000)
        sheet.cell(direct, xlsx.C_LIKELY).value = 33000
        book.save(tmp_path / "fixture.xlsx")

        # 6. The injection corpus.
        inj_id, _c, _i = make_workshop(activities=())
        inj_ws = db.session.get(Workshop, inj_id)
        injection_workshop(inj_ws, service.analysis_for(inj_ws))
        inj_file, written = xlsx.written_formula_cells(inj_ws, service.analysis_for(inj_ws))
        (tmp_path / "injection.xlsx").write_bytes(inj_file)

        # 7. Formulas that overflow: in every scenario, and at the highest value only.
        big_id, _c, _i = make_workshop(activities=())
        big_ws = db.session.get(Workshop, big_id)
        big = service.analysis_for(big_ws)
        method_fixture(big_ws)
        for title, low, likely, high in (("Alltid", 1e15, 1e15, 1e15), ("Högst", 1, 10, 1e15)):
            n = op(
                big_ws,
                "node.add",
                data={"node_type": "nytta", "title": title, "category": "finansiell", "valuation": "money"},
            )["id"]
            op(big_ws, "row.add", node_id=n, data={"name": "a", "low": low, "likely": likely, "high": high})
            op(big_ws, "block.set", node_id=n, data={"formula": " * ".join(["a"] * 21)})
        big_file = render(big_ws, "xlsx")
        (tmp_path / "overflow.xlsx").write_bytes(big_file)

        names = [
            "unchanged.xlsx",
            "row.xlsx",
            "frame.xlsx",
            "factor.xlsx",
            "fixture.xlsx",
            "injection.xlsx",
            "overflow.xlsx",
        ]
        out = recalculate([tmp_path / n for n in names], tmp_path)

        # 1: LibreOffice computes exactly what we cached, in every formula cell.
        recalculated = values(out["unchanged.xlsx"])
        assert assert_cached_values_recalculate(original, recalculated) > 200
        assert_same_result(recalculated, compute(a))

        # 7: the overflowing formulas count as 0 where the engine says so.
        big_result = compute(big)
        assert {(e.code, e.scenario) for e in big_result.errors} == {
            ("not_finite", s) for s in ("low", "likely", "high")
        }
        assert assert_cached_values_recalculate(big_file, values(out["overflow.xlsx"])) > 50
        assert_same_result(values(out["overflow.xlsx"]), big_result)

        # 2: the row change.
        row = next(r for n in a.nodes if n.block for r in n.block.rows if r.name == "antal_pass")
        before = compute(a).undiscounted.nettonytta
        service.update_row(a, row.id, {"likely": 52500})
        changed = compute(a)
        assert changed.undiscounted.nettonytta > before
        assert_same_result(values(out["row.xlsx"]), changed)
        service.update_row(a, row.id, {"likely": 40000})

        # 3: the frame change.
        service.update_frame(a, {"discount_rate": 0.05, "convention": "B"})
        assert_same_result(values(out["frame.xlsx"]), compute(a))
        service.update_frame(a, {"discount_rate": 0.03, "convention": "A"})

        # 4: the factor change.
        factor = next(f for f in a.factors if f.name == "underskoterska_hemtjanst")
        service.update_factor(a, factor.id, {"likely": 400, "low": 300})
        assert_same_result(values(out["factor.xlsx"]), compute(a))

        # 5: the fixture.
        service.set_node_fields(service.node_of(fixture, ids["N1"]), {"direct_value": {"likely": 33000}})
        result = compute(fixture)
        assert result.undiscounted.nettonytta == pytest.approx(6 * 33000 - 130000)
        assert_same_result(values(out["fixture.xlsx"]), result)

        # 6: text stays text after LibreOffice has saved the file.
        after = openpyxl.load_workbook(out["injection.xlsx"], data_only=False)
        formula_cells = {
            (s.title, c.coordinate)
            for s in after.worksheets
            for row in s.iter_rows()
            for c in row
            if c.data_type == "f"
        }
        assert formula_cells <= written
        texts = {c.value for s in after.worksheets for row in s.iter_rows() for c in row if isinstance(c.value, str)}
        for text in ("=1+1", "+1+1", "-1+1", "@SUM(A1:A2)", "=cmd|' /C calc'!A0", "#N/A"):
            assert text in texts, text
        assert any(t.startswith("=HYPERLINK(") for t in texts)
