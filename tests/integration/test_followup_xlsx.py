"""The spreadsheet's Uppföljning sheet recalculates in LibreOffice to the follow-up engine's
figures: every formula cell, and the measures side by side (estimate, outcome)."""

from __future__ import annotations

import io

import nyttoverkstad_integration_helpers as h  # noqa: F401  (loads the shared test helpers)
import openpyxl
import pytest

from workshop import portable


def _load(name):
    import importlib.util
    import sys
    from pathlib import Path

    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name("test_export_recalc.py"))
        sys.modules[name] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(sys.modules[name])
    return sys.modules[name]


recalc = _load("nyttoverkstad_export_recalc")


def test_the_followup_sheet_recalculates_to_the_engine(app, facilitator, tmp_path):
    from workshop.draft.service import analysis_for
    from workshop.exports import render
    from workshop.extensions import db
    from workshop.followup import service as followup
    from workshop.models import User

    recalc.soffice()
    with app.test_request_context():
        ws = portable.import_document(
            db.session.get(User, facilitator), portable.load_template("example_digital_locks")
        )
        a = analysis_for(ws, create=False)
        assert (
            render(ws, "xlsx")
            and "Uppföljning" not in openpyxl.load_workbook(io.BytesIO(render(ws, "xlsx"))).sheetnames
        )
        v = followup.decide(a, {"label": "Beslutad", "decided_on": "2027-01-15"})
        items, _, _ = followup.inputs_of(v)
        benefit = next(i for i in items if i.valued_in_money and i.kind == "benefit" and i.block is not None)
        cost = next(i for i in items if i.valued_in_money and i.kind == "cost")
        # Far below plan in years 1–3, so the break-even year moves; a cost above plan in year 1.
        for year in (1, 2, 3):
            followup.record(v, {"item_id": benefit.id, "year": year, "measured_on": "2028-01-20", "value": 1000.0})
        followup.record(v, {"item_id": cost.id, "year": 1, "measured_on": "2028-01-20", "value": 9_000_000.0})
        db.session.commit()
        cmp = followup.comparison(v)
        assert cmp.outcome["undiscounted"].break_even_year != cmp.estimate["undiscounted"].break_even_year
        data = render(ws, "xlsx")
    path = tmp_path / "uppfoljning.xlsx"
    path.write_bytes(data)
    book = recalc.values(recalc.recalculate([path], tmp_path)[path.name])
    checked = recalc.assert_cached_values_recalculate(data, book)
    assert checked > 100
    sheet = book["Uppföljning"]
    measures = {
        sheet.cell(r, 1).value: (sheet.cell(r, 2).value, sheet.cell(r, 3).value) for r in range(1, sheet.max_row + 1)
    }
    est, out = cmp.estimate, cmp.outcome
    want = {
        "Sammanlagd nettonytta, odiskonterad": (est["undiscounted"].nettonytta, out["undiscounted"].nettonytta),
        "Sammanlagd nettonytta, diskonterad": (est["discounted"].nettonytta, out["discounted"].nettonytta),
        "Nettonytta per satsad krona, odiskonterad": (est["undiscounted"].per_krona, out["undiscounted"].per_krona),
    }
    for label, (e, o) in want.items():
        assert measures[label][0] == pytest.approx(e, rel=1e-9), label
        assert measures[label][1] == pytest.approx(o, rel=1e-9), label
    year_row = measures["Året då nyttorna överstiger kostnaderna, odiskonterat"]
    assert year_row == (
        est["undiscounted"].break_even_year or "aldrig",
        out["undiscounted"].break_even_year or "aldrig",
    )
