"""The spreadsheet export: live formulas translated from our formula language, cached values
equal to the engine's results (method.md's fixture, conventions A and B, and the worked
example), and participant text that never becomes a formula."""

from __future__ import annotations

import io
import math
import random
import zipfile

import openpyxl
import pytest
from lxml import etree

from workshop.calculation.formula import parse
from workshop.exports import xlsx

# Text a spreadsheet could take for a formula, an error value or markup; control characters too.
INJECTION = [
    "=1+1",
    '=HYPERLINK("http://example.invalid/x","klicka här")',
    "+1+1",
    "-1+1",
    "\u22122+3",
    "@SUM(A1:A2)",
    "=cmd|' /C calc'!A0",
    "#N/A",
    "#REF!",
    "'=1+1",
    "\uff1d1+1",
    "$x^2$ \\alpha $",
    "-",
    "<script>alert(1)</script>",
    "a\x00b\x1fc\x0bd",
    "=\n=1+1",
]
NICKNAME = "=NICKNAME()+Sara Svensson"


def op(ws, name, **args):
    from workshop.draft.ops import apply

    return apply(ws, name, args)


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield


@pytest.fixture
def user(app, facilitator, ctx):
    from workshop.extensions import db
    from workshop.models import User

    return db.session.get(User, facilitator)


@pytest.fixture
def draft(app, make_workshop):
    from workshop.draft.service import analysis_for
    from workshop.extensions import db
    from workshop.models import Workshop

    ws_id, _code, _ids = make_workshop(activities=())
    with app.test_request_context():
        ws = db.session.get(Workshop, ws_id)
        yield ws, analysis_for(ws)


def method_fixture(ws) -> dict[str, int]:
    """method.md: H=6, r=3 %, N1 Omfördelning 30 000/yr, K1 one-off 100 000 in year 1, K2 5 000/yr."""
    n1 = op(
        ws,
        "node.add",
        data={
            "node_type": "nytta",
            "title": "N1",
            "category": "omfordelning",
            "valuation": "money",
            "perspective": "Solstad kommun",
            "direct_value": {"likely": 30000},
        },
    )["id"]
    k1 = op(
        ws,
        "node.add",
        data={
            "node_type": "genomforandekostnad",
            "title": "K1",
            "category": "finansiell",
            "valuation": "money",
            "cost_kind": "one_off",
            "direct_value": {"likely": 100000},
            "year_profile": [1, 0],
        },
    )["id"]
    k2 = op(
        ws,
        "node.add",
        data={
            "node_type": "genomforandekostnad",
            "title": "K2",
            "category": "finansiell",
            "valuation": "money",
            "cost_kind": "running",
            "direct_value": {"likely": 5000},
        },
    )["id"]
    return {"N1": n1, "K1": k1, "K2": k2}


def workbook(data: bytes, data_only: bool = True) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data), data_only=data_only)


def render_xlsx(ws) -> bytes:
    from workshop.exports import render

    return render(ws, "xlsx")


def assert_measures_equal(sheet, result: dict) -> None:
    """Every measure cell on Resultat holds the engine's figure."""
    for i, series in enumerate(("undiscounted", "discounted")):
        m = result[series]
        for key, cells in xlsx.MEASURE_CELLS.items():
            value = sheet[cells[i]].value
            if key == "reading":  # the reading in words; none when nothing can be divided
                assert bool(value) == (m["reading"] is not None), (key, series, value)
                continue
            expected = m[key]
            if expected is None:
                assert isinstance(value, str) and value, (key, series, value)
            else:
                assert value == pytest.approx(expected, rel=1e-12, abs=1e-9), (key, series)
        for (kind, cat), cells in xlsx.SHARE_CELLS.items():
            expected = m["benefit_shares" if kind == "benefit" else "cost_shares"][cat]
            value = sheet[cells[i]].value
            assert (value in ("", None)) if expected is None else value == pytest.approx(expected), (kind, cat, series)
        for (kind, cat, d), cell in xlsx.CATEGORY_CELLS.items():
            if d == i:
                assert sheet[cell].value == pytest.approx(m["by_category"][kind].get(cat, 0.0)), (kind, cat, d)
    for (s, d, key), cell in xlsx.UNCERTAINTY_CELLS.items():
        expected = result["uncertainty"][s]["discounted" if d else "undiscounted"][key]
        value = sheet[cell].value
        if expected is None:
            assert isinstance(value, str)
        else:
            assert value == pytest.approx(expected, rel=1e-12, abs=1e-9), (s, d, key)
    for key, cell in xlsx.HOURS_CELLS.items():
        assert sheet[cell].value == pytest.approx(result["omfordelning"][key]), key


# --- the formula language in Excel ------------------------------------------------------------


@pytest.mark.parametrize(
    "text, excel",
    [
        ("antal * (min_A - min_B) / 60 * timkostnad", "antal*(min_A-min_B)/60*timkostnad"),
        ("a - (b - c)", "a-(b-c)"),
        ("a / (b * c)", "a/(b*c)"),
        ("-(a + b) * c", "-(a+b)*c"),
        ("a * -b", "a*(-b)"),
        ("-5 + a", "(-5)+a"),
        ("1 700 * a", "1700*a"),
        (".5 * a ÷ b", "0.5*a/b"),
        ("min(a, b) + max(a; b; 3) - round(c, 2) + round(c)", "MIN(a,b)+MAX(a,b,3)-ROUND(c,2)+ROUND(c,0)"),
        ("a × b − c", "a*b-c"),
    ],
)
def test_formulas_become_excel_formulas(text, excel):
    assert xlsx.to_excel(xlsx.formula_tree(text), lambda name: name) == excel


def _excel_eval(expr: str, env: dict[str, float]) -> float:
    """Evaluate our generated Excel text in Python (test only: +-*/ precedence is the same)."""
    from decimal import ROUND_HALF_UP, Decimal

    def excel_round(x, n):
        return float(Decimal(repr(x)).quantize(Decimal(1).scaleb(-int(n)), rounding=ROUND_HALF_UP))

    return eval(expr, {"__builtins__": {}}, {"MIN": min, "MAX": max, "ROUND": excel_round, **env})  # noqa: S307


def test_translated_formulas_compute_what_the_engine_computes():
    formulas = [
        "a * (b - c) / 60 * d",
        "a - b - c",
        "a - (b - c)",
        "a / b / c",
        "a / (b / c)",
        "-a * -b",
        "-(a - b) - -c",
        "min(a, b * c, d) - max(a - b, 0)",
        "round(a / 7, 2) * b",
        "a * b / c + d / (a + 1)",
        "((a))",
        "-(-(a))",
    ]
    rng = random.Random(7)
    for text in formulas:
        tree = xlsx.formula_tree(text)
        expr = xlsx.to_excel(tree, lambda name: name)
        for _ in range(25):
            env = {n: round(rng.uniform(-50, 50), 3) or 1.0 for n in "abcd"}
            expected = parse(text).evaluate(env)
            assert math.isclose(_excel_eval(expr, env), expected, rel_tol=1e-12, abs_tol=1e-12), (text, expr, env)


def test_only_divisions_by_something_variable_are_guarded():
    assert xlsx.divides_by_variable(xlsx.formula_tree("a / b"))
    assert xlsx.divides_by_variable(xlsx.formula_tree("min(a, 1 / (b - c))"))
    assert not xlsx.divides_by_variable(xlsx.formula_tree("a * b / 60"))
    assert xlsx.divides_by_variable(xlsx.formula_tree("a / 0"))


# --- cached values: method.md's fixture -------------------------------------------------------


@pytest.mark.parametrize("convention", ["A", "B"])
def test_method_fixture_cached_values(draft, convention):
    from workshop.draft.compute import compute

    ws, a = draft
    method_fixture(ws)
    op(ws, "frame.update", data={"convention": convention})
    result = compute(a).to_dict()
    sheet = workbook(render_xlsx(ws))["Resultat"]
    assert_measures_equal(sheet, result)
    und = xlsx.MEASURE_CELLS
    # The published figures (method.md).
    assert sheet[und["benefits"][0]].value == pytest.approx(180000)
    assert sheet[und["costs"][0]].value == pytest.approx(130000)
    assert sheet[und["nettonytta"][0]].value == pytest.approx(50000)
    assert round(sheet[und["per_krona"][0]].value, 4) == 0.3846
    assert sheet[und["break_even_year"][0]].value == 5
    disc = {"A": (167391.22, 127898.54, 39492.68), "B": (162515.74, 124173.34, 38342.41)}[convention]
    assert round(sheet[und["benefits"][1]].value, 2) == disc[0]
    assert round(sheet[und["costs"][1]].value, 2) == disc[1]
    assert round(sheet[und["nettonytta"][1]].value, 2) == disc[2]
    assert round(sheet[und["per_krona"][1]].value, 4) == 0.3088
    assert sheet[xlsx.SHARE_CELLS[("benefit", "omfordelning")][0]].value == pytest.approx(1.0)
    assert sheet[xlsx.SHARE_CELLS[("cost", "finansiell")][0]].value == pytest.approx(1.0)
    # The convention is an input cell on Start that the discount factors read.
    start = workbook(render_xlsx(ws))["Start"]
    assert start[f"B{xlsx.START_CONV_ROW}"].value == convention
    assert start[f"B{xlsx.START_RATE_ROW}"].value == pytest.approx(0.03)


def test_method_fixture_uncertainty(draft):
    from workshop.draft.compute import compute

    ws, a = draft
    ids = method_fixture(ws)
    op(ws, "node.update", id=ids["N1"], data={"direct_value": {"low": 24000, "likely": 30000, "high": 36000}})
    result = compute(a).to_dict()
    sheet = workbook(render_xlsx(ws))["Resultat"]
    assert_measures_equal(sheet, result)
    assert sheet[xlsx.UNCERTAINTY_CELLS[("low", 0, "nettonytta")]].value == pytest.approx(14000)
    assert sheet[xlsx.UNCERTAINTY_CELLS[("high", 0, "nettonytta")]].value == pytest.approx(86000)


def test_without_costs_per_krona_cannot_be_computed(draft):
    ws, _a = draft
    op(
        ws,
        "node.add",
        data={
            "node_type": "nytta",
            "title": "N",
            "category": "finansiell",
            "valuation": "money",
            "direct_value": {"likely": 1000},
        },
    )
    data = render_xlsx(ws)
    cached = workbook(data)["Resultat"]
    formulas = workbook(data, data_only=False)["Resultat"]
    cell = xlsx.MEASURE_CELLS["per_krona"][0]
    assert isinstance(cached[cell].value, str) and cached[cell].value
    assert formulas[cell].value.startswith("=IF(B6=0,")


# --- cached values and live formulas: the worked example ---------------------------------------


@pytest.fixture
def example(user):
    from workshop import portable
    from workshop.draft.service import analysis_for

    ws = portable.import_document(user, portable.load_template("example_digital_locks"))
    return ws, analysis_for(ws, create=False)


def test_worked_example_cached_values_equal_the_engine(example):
    from workshop.draft.compute import compute

    ws, a = example
    result = compute(a).to_dict()
    data = render_xlsx(ws)
    book = workbook(data)
    # Sortering: the example's decisions carry motivations (step 4).
    assert book.sheetnames == [
        "Start",
        "Värde nyttor",
        "Värde kostnader",
        "Ej värderade",
        "Resultat",
        "Sortering",
        "Faktorer",
    ]
    assert_measures_equal(book["Resultat"], result)
    # Every formula cell carries a cached value (a number, or text such as "aldrig").
    formulas = workbook(data, data_only=False)
    count = 0
    for sheet in formulas.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    count += 1
                    assert book[sheet.title][cell.coordinate].value is not None or cell.coordinate.startswith(
                        ("M", "N")
                    ), (sheet.title, cell.coordinate, cell.value)
    assert count > 100
    # Not valued in money: listed with their size.
    not_valued = [c.value for c in book["Ej värderade"]["A"] if c.value]
    assert "Tryggare brukare" in not_valued and "Anhöriga kan se att besöket blivit av" in not_valued


def test_worked_example_formulas_reference_the_input_cells(example):
    ws, a = example
    book = workbook(render_xlsx(ws), data_only=False)
    sheet = book["Värde nyttor"]
    rows = {sheet.cell(r, xlsx.C_NAME).value: r for r in range(1, sheet.max_row + 1)}
    r_pass, r_a, r_b = rows["antal_pass"], rows["minuter_a"], rows["minuter_b"]
    factor_sheet = book["Faktorer"]
    f_row = next(
        r
        for r in range(1, factor_sheet.max_row + 1)
        if factor_sheet.cell(r, xlsx.C_NAME).value == "underskoterska_hemtjanst"
    )
    value_rows = [r for r in range(1, sheet.max_row + 1) if sheet.cell(r, xlsx.C_TYPE).value == xlsx.M_VALUE]
    formula_row = next(r for r in value_rows if r > r_b)
    for col, letter in ((xlsx.C_LOW, "D"), (xlsx.C_LIKELY, "E"), (xlsx.C_HIGH, "F")):
        assert sheet.cell(formula_row, col).value == (
            f"={letter}{r_pass}*({letter}{r_a}-{letter}{r_b})/60*Faktorer!{letter}{f_row}"
        )
    # Inputs are plain numbers; the result is a formula over the blocks.
    assert sheet.cell(r_pass, xlsx.C_LIKELY).value == 40000
    res = book["Resultat"]
    assert res["B7"].value == "=B5-B6"
    assert "SUMIF" in res[xlsx.UNCERTAINTY_CELLS[("low", 0, "benefits")]].value
    disc = sheet.cell(xlsx.DISCOUNT_ROW, xlsx.C_Y1 + 1).value
    assert "Start!$B$19" in disc and "Start!$B$20" in disc


def test_cached_values_are_patched_into_the_sheet_xml(example):
    ws, _a = example
    data = render_xlsx(ws)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = zf.namelist()
        sheets = [zf.read(n) for n in names if n.startswith("xl/worksheets/sheet")]
        workbook_xml = zf.read("xl/workbook.xml")
    assert any(b"<f>B5-B6</f><v>" in s for s in sheets)
    ns = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    for body in sheets:
        for c in etree.fromstring(body).iter(f"{ns}c"):
            if c.find(f"{ns}f") is not None:
                v = c.find(f"{ns}v")
                assert v is not None, c.get("r")
                assert v.text or c.get("t") == "str", c.get("r")  # an empty result is empty text
    assert b'fullCalcOnLoad="1"' in workbook_xml
    assert len(set(names)) == len(names)


def test_missing_values_and_division_by_zero_count_as_zero_like_the_engine(draft):
    from workshop.draft.compute import compute

    ws, a = draft
    n = op(
        ws, "node.add", data={"node_type": "nytta", "title": "Delar", "category": "finansiell", "valuation": "money"}
    )["id"]
    op(ws, "row.add", node_id=n, data={"name": "summa", "likely": 1000})
    op(ws, "row.add", node_id=n, data={"name": "delare", "low": 0, "likely": 4, "high": 5})
    op(ws, "block.set", node_id=n, data={"formula": "summa / delare"})
    m = op(
        ws, "node.add", data={"node_type": "nytta", "title": "Saknas", "category": "finansiell", "valuation": "money"}
    )["id"]
    op(ws, "row.add", node_id=m, data={"name": "x", "label": "Okänt"})
    op(ws, "block.set", node_id=m, data={"formula": "x * 2"})
    result = compute(a).to_dict()
    data = render_xlsx(ws)
    assert_measures_equal(workbook(data)["Resultat"], result)
    formulas = workbook(data, data_only=False)["Värde nyttor"]
    texts = [c.value for row in formulas.iter_rows() for c in row if isinstance(c.value, str)]
    assert any(t.startswith("=IFERROR(") for t in texts)
    assert any(t.startswith("=IF(COUNT(") for t in texts)
    assert result["uncertainty"]["low"]["undiscounted"]["benefits"] == 0  # 1000/0 in the low scenario counts as 0


HUGE = "1" + "0" * 400  # float() of it is inf


def assert_no_infinity(data: bytes) -> None:
    """No formula says INF and no cached value is inf or NaN, on any sheet."""
    ns = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for name in zf.namelist():
            if not name.startswith("xl/worksheets/sheet"):
                continue
            for c in etree.fromstring(zf.read(name)).iter(f"{ns}c"):
                f, v = c.find(f"{ns}f"), c.find(f"{ns}v")
                assert f is None or "INF" not in (f.text or "").upper(), (name, c.get("r"), f.text)
                if v is not None and v.text:
                    text = v.text.strip().lower()
                    assert text.lstrip("+-") not in ("inf", "infinity", "nan"), (name, c.get("r"), v.text)
                    if c.get("t") in (None, "n"):
                        assert math.isfinite(float(v.text)), (name, c.get("r"), v.text)


@pytest.mark.parametrize(
    "formula",
    [
        f"a / {HUGE}",
        f"min({HUGE}, a)",
        "1 / (a * a * a * a * a * a * a * a * a * a * a * a * a * a * a * a * a * a * a * a * a)",
        "a * a * a * a * a * a * a * a * a * a * a * a * a * a * a * a * a * a * a * a * a",
    ],
)
def test_an_overflowing_formula_counts_as_zero_and_the_file_never_says_inf(draft, formula):
    """A formula stored before numbers were checked (or imported) that overflows: 0 with the reason."""
    from workshop.draft.compute import compute
    from workshop.extensions import db

    ws, a = draft
    n = op(
        ws, "node.add", data={"node_type": "nytta", "title": "Stor", "category": "finansiell", "valuation": "money"}
    )["id"]
    op(ws, "row.add", node_id=n, data={"name": "a", "likely": 1e15})
    op(ws, "block.set", node_id=n, data={"formula": "a"})
    node = next(x for x in a.nodes if x.id == n)
    node.block.formula = formula  # past the input check, which refuses a number like HUGE
    db.session.flush()
    result = compute(a)
    assert {(e.item_id, e.code) for e in result.errors} == {(str(n), "not_finite")}
    data = render_xlsx(ws)
    assert_no_infinity(data)
    sheet = workbook(data)["Värde nyttor"]
    row = next(r for r in range(1, sheet.max_row + 1) if sheet.cell(r, xlsx.C_LABEL).value == "Värde per år (kr)")
    assert [sheet.cell(row, c).value for c in (xlsx.C_LOW, xlsx.C_LIKELY, xlsx.C_HIGH)] == [0, 0, 0]
    assert sheet.cell(row, xlsx.C_SOURCE).value == "Räknas som 0: resultatet är inte ett ändligt tal"
    cells = [
        workbook(data, data_only=False)["Värde nyttor"].cell(row, c).value
        for c in (xlsx.C_LOW, xlsx.C_LIKELY, xlsx.C_HIGH)
    ]
    if HUGE in formula:  # cannot be parsed: plain zeros
        assert cells == [0, 0, 0]
    else:  # Excel says #NUM! where the engine says 0
        assert all(str(c).startswith("=IFERROR(") for c in cells), cells


def test_a_per_krona_too_large_for_a_float_cannot_be_computed_in_the_file(draft):
    from workshop.draft.compute import compute

    ws, a = draft
    op(
        ws,
        "node.add",
        data={
            "node_type": "nytta",
            "title": "N",
            "category": "finansiell",
            "valuation": "money",
            "direct_value": {"likely": 1e15},
        },
    )
    op(
        ws,
        "node.add",
        data={
            "node_type": "genomforandekostnad",
            "title": "K",
            "category": "finansiell",
            "valuation": "money",
            "direct_value": {"likely": 1e-300},
        },
    )
    assert compute(a).undiscounted.per_krona is None
    data = render_xlsx(ws)
    assert_no_infinity(data)
    assert_measures_equal(workbook(data)["Resultat"], compute(a).to_dict())


# --- participant text never becomes a formula -------------------------------------------------


def injection_workshop(ws, a):
    """Every text field participants or the facilitator can fill, with the corpus."""
    from workshop.draft import service
    from workshop.extensions import db
    from workshop.models import Participant

    for i, text in enumerate(INJECTION):
        db.session.add(Participant(workshop_id=ws.id, token=f"tok-{i}", nickname=NICKNAME, perspective=text[:60]))
    service.update_frame(
        a,
        {
            "organisation": INJECTION[0],
            "area": INJECTION[2],
            "name_of_change": INJECTION[1][:300],
            "purpose": "\n".join(INJECTION),
            "alternative_a": INJECTION[3],
            "alternative_b": INJECTION[4],
            "method_notes": INJECTION[5],
            "valuation_notes": INJECTION[6],
            "contact_role": INJECTION[8],
            "comparison": [{"aspect": t[:200], "a": t, "b": t} for t in INJECTION[:5]],
            "perspectives": [{"kind": "invanare", "label": t[:200]} for t in INJECTION[:3]],
        },
    )
    ids = []
    for i, text in enumerate(INJECTION):
        node = op(
            ws,
            "node.add",
            data={
                "node_type": "nytta" if i % 2 else "genomforandekostnad",
                "title": text or "x",
                "description": text,
                "category": "finansiell",
                "valuation": "money",
                "perspective": text[:200],
                "cause": text,
            },
        )
        ids.append(node["id"])
        op(
            ws,
            "row.add",
            node_id=node["id"],
            data={"name": "antal", "label": text, "unit": text[:40], "source": text, "low": 1, "likely": 2, "high": 3},
        )
        op(ws, "block.set", node_id=node["id"], data={"formula": "antal * 100"})
    op(
        ws,
        "node.add",
        data={
            "node_type": "nytta",
            "title": INJECTION[0],
            "category": "kvalitet",
            "valuation": "size",
            "size_score": 2,
            "description": INJECTION[1],
        },
    )
    op(ws, "node.add", data={"node_type": "effekt", "title": INJECTION[11]})
    op(ws, "link.add", **{"from": ids[0], "to": ids[1]})
    op(
        ws,
        "factor.add",
        data={"name": "f_inj", "label": INJECTION[0], "unit": INJECTION[2][:40], "likely": 1, "source": INJECTION[6]},
    )
    db.session.commit()
    return ids


def test_injection_corpus_never_becomes_a_formula(draft):
    from workshop.exports.common import clean

    ws, a = draft
    injection_workshop(ws, a)
    data, written = xlsx.written_formula_cells(ws, a)
    book = workbook(data, data_only=False)
    formulas = set()
    texts = set()
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    formulas.add((sheet.title, cell.coordinate))
                    assert "example.invalid" not in cell.value and "cmd|" not in cell.value
                elif isinstance(cell.value, str):
                    texts.add(cell.value)
    assert formulas == written
    for text in INJECTION:
        expected = clean(text).strip()
        if expected:
            assert expected in texts or any(expected in t for t in texts), text
    # Text starting like a formula is marked "quote prefix", so re-editing it in Excel keeps it text.
    start = book["Start"]
    assert start["B5"].value == "=1+1" and start["B5"].data_type == "s" and start["B5"].quotePrefix
    # Identities never leave the tool.
    assert not any(NICKNAME in t for t in texts)


@pytest.mark.parametrize("text", ["\t=1+1", "\r=2+2", "=1+1", "#DIV/0!", "@A1", "+A1", "\u2212A1", "-A1"])
def test_text_cells_are_always_strings(text):
    book = xlsx.Book()
    sheet = book.sheet("S")
    book.text(sheet, 1, 1, text)
    cell = workbook(book.save(), data_only=False)["S"]["A1"]
    assert cell.value == text and cell.data_type == "s"
    assert bool(cell.quotePrefix) == text.startswith(xlsx.FORMULA_START)


# --- one-line bugs the cached values cannot show (they come from the engine) ---------------------


def _year_table(sheet):
    """(row, year) of the per-year table on Resultat, and the columns of the table by key."""
    from openpyxl.utils import get_column_letter

    from workshop.exports.xlsx.sheets.result import YC

    cols = {k: get_column_letter(i) for k, i in YC.items()}
    rows = [
        (r, sheet[f"{cols['year']}{r}"].value)
        for r in range(1, sheet.max_row + 1)
        if isinstance(sheet[f"{cols['year']}{r}"].value, int)
    ]
    return rows, cols


def test_discount_factor_formulas_follow_the_convention_cell(draft):
    """Convention A divides year t by (1+r)^(t-1), B by (1+r)^t (method.md): the formula, not
    only its cached value, must say so (swapping the branches changes nothing cached)."""
    from workshop.exports.xlsx._layout import CONV_REF, RATE_REF

    ws, _a = draft
    method_fixture(ws)
    sheet = workbook(render_xlsx(ws), data_only=False)["Resultat"]
    rows, cols = _year_table(sheet)
    assert [t for _r, t in rows] == [1, 2, 3, 4, 5, 6]
    for r, t in rows:
        assert sheet[f"{cols['disc']}{r}"].value == (
            f'=IF({CONV_REF}="B",1/(1+{RATE_REF})^{t},1/(1+{RATE_REF})^{t - 1})'
        )


def test_the_break_even_year_needs_benefits_strictly_above_costs(draft):
    """In method.md's fixture the accumulated values are equal in year 4 and the answer is 5: the
    spreadsheet's per-year test must be a strict "greater than" (with a rounding tolerance)."""
    ws, _a = draft
    method_fixture(ws)
    sheet = workbook(render_xlsx(ws), data_only=False)["Resultat"]
    rows, cols = _year_table(sheet)
    for r, _t in rows:
        for acc_b, acc_c, over in (("acc_b", "acc_c", "over"), ("acc_b_d", "acc_c_d", "over_d")):
            a, c = f"{cols[acc_b]}{r}", f"{cols[acc_c]}{r}"
            assert sheet[f"{cols[over]}{r}"].value == (
                f'=IF({a}-{c}>1E-9*MAX(ABS({a}),ABS({c}),1),{cols["year"]}{r},"")'
            )
