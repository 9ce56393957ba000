"""Step 8 Räkna (and step 9's slides): the draft computed for the screens, live."""

from __future__ import annotations

import secrets

import pytest

from workshop.activities import InputError, get_kind
from workshop.extensions import db
from workshop.inputs import submit
from workshop.models import Activity, Participant, Workshop
from workshop.realtime.payloads import results_for

KIND = get_kind("calculate")
PRESENT = get_kind("present")


def op(ws, name, **args):
    from workshop.draft.ops import apply

    return apply(ws, name, args)


@pytest.fixture
def fixture_room(app, make_workshop):
    """method.md's fixture entered through the draft ops: N1, K1, K2; H = 6, r = 3 %, A."""
    ws_id, _code, ids = make_workshop(
        activities=[("estimates", "Samla data", None), ("calculate", "Räkna", None), ("present", "Presentera", None)]
    )
    with app.test_request_context():
        ws = db.session.get(Workshop, ws_id)
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
        op(
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
        )
        op(
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
        )
        yield {"ws": ws, "estimates": ids[0], "calculate": ids[1], "present": ids[2], "n1": n1}


def calc(act_id: int) -> dict:
    return results_for(db.session.get(Activity, act_id))["console"]["aggregate"]


def test_defaults():
    assert KIND.default_config() == {"discounted": True, "top": 5, "summary": False}
    assert KIND.uses_draft and KIND.results_hidden_default is False and KIND.phone_results == "on_reveal"
    assert PRESENT.default_config() == {"section": 0, "next_steps": ""}
    with pytest.raises(InputError):
        PRESENT.validate_config({"section": 6})


def test_method_fixture(fixture_room):
    a = calc(fixture_room["calculate"])
    und, disc = a["undiscounted"], a["discounted"]
    assert round(und["benefits"], 2) == 180000 and round(und["costs"], 2) == 130000
    assert round(und["nettonytta"], 2) == 50000 and round(und["per_krona"], 4) == 0.3846
    assert und["break_even_year"] == 5 and und["reading"] == "small_margin"
    assert und["accumulated_benefits"][3] == und["accumulated_costs"][3] == 120000
    assert round(disc["benefits"], 2) == 167391.22 and round(disc["costs"], 2) == 127898.54
    assert round(disc["nettonytta"], 2) == 39492.68 and round(disc["per_krona"], 4) == 0.3088
    assert disc["break_even_year"] == 5
    assert len(disc["accumulated_benefits"]) == 6
    assert und["benefit_shares"] == {"finansiell": 0.0, "omfordelning": 1.0}
    assert und["cost_shares"] == {"finansiell": 1.0, "omfordelning": 0.0}
    assert und["by_perspective"]["benefit"] == {"Solstad kommun": 180000}
    assert a["settings"] == {"horizon": 6, "discount_rate": 0.03, "convention": "A", "start_year": None}
    assert a["counts"] == {"benefits": 1, "costs": 2, "money": 3, "not_valued": 0}
    assert a["errors"] == [] and a["empty"] is False


def test_convention_b_through_the_frame(fixture_room):
    op(fixture_room["ws"], "frame.update", data={"convention": "B"})
    disc = calc(fixture_room["calculate"])["discounted"]
    assert round(disc["benefits"], 2) == 162515.74 and round(disc["nettonytta"], 2) == 38342.41
    assert round(disc["per_krona"], 4) == 0.3088


def test_uncertainty_and_tornado(fixture_room):
    ws = fixture_room["ws"]
    op(ws, "node.update", id=fixture_room["n1"], data={"direct_value": {"low": 24000, "likely": 30000, "high": 36000}})
    a = calc(fixture_room["calculate"])
    assert round(a["uncertainty"]["low"]["undiscounted"]["nettonytta"], 2) == 14000
    assert round(a["uncertainty"]["high"]["undiscounted"]["nettonytta"], 2) == 86000
    assert set(a["uncertainty"]) == {"low", "likely", "high"}
    assert "worst" not in str(a) and "best" not in str(a)
    top = a["tornado"][0]
    assert top["item"] == "N1" and round(top["nettonytta_low"]) == 14000 and round(top["nettonytta_high"]) == 86000
    assert a["tornado_total"] == 1


def test_per_krona_cannot_be_computed_without_costs(app, make_workshop):
    ws_id, _c, ids = make_workshop(activities=[("calculate", "Räkna", None)])
    with app.test_request_context():
        ws = db.session.get(Workshop, ws_id)
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
        op(
            ws,
            "node.add",
            data={
                "node_type": "nytta",
                "title": "Tryggare",
                "category": "kvalitet",
                "valuation": "size",
                "size_score": 2,
            },
        )
        a = calc(ids[0])
        assert a["discounted"]["per_krona"] is None and a["discounted"]["reading"] is None
        assert a["discounted"]["break_even_year"] == 1
        assert a["not_valued"][0]["title"] == "Tryggare" and a["not_valued"][0]["size"] == "Måttlig"


def test_formula_problems_are_listed_per_item(fixture_room):
    ws = fixture_room["ws"]
    nid = op(
        ws, "node.add", data={"node_type": "nytta", "title": "Tid", "category": "omfordelning", "valuation": "money"}
    )["id"]
    op(ws, "row.add", node_id=nid, data={"name": "antal", "label": "Antal?"})
    op(ws, "block.set", node_id=nid, data={"formula": "antal * 10"})
    errors = calc(fixture_room["calculate"])["errors"]
    assert errors == [
        {
            "item_id": str(nid),
            "title": "Tid",
            "field": "value",
            "code": "missing_value",
            "names": ["antal"],
            "message": "Nyttan ”Tid” saknar värde för antal.",
            "scenarios": [],
        }
    ]


def test_a_figure_saved_in_step_7_changes_the_result(fixture_room):
    """The facilitator saves the likely value of a row (from the estimates console): Räkna follows."""
    ws = fixture_room["ws"]
    n1 = fixture_room["n1"]
    row = op(
        ws, "row.add", node_id=n1, data={"name": "timmar", "label": "Hur många timmar frigörs per år?", "unit": "h"}
    )["id"]
    op(ws, "block.set", node_id=n1, data={"formula": "timmar * 600", "hours_formula": "timmar"})
    before = calc(fixture_room["calculate"])
    assert before["errors"] and before["undiscounted"]["benefits"] == 0
    # A phone estimates; the facilitator saves the row's values through the service.
    p = Participant(workshop_id=ws.id, token=secrets.token_urlsafe(24))
    db.session.add(p)
    db.session.commit()
    submit(p, fixture_room["estimates"], "e1", {"row": row, "accept": False, "value": "50"})
    op(ws, "row.update", id=row, data={"low": 40, "likely": 50, "high": 60, "source": "Workshop"})
    after = calc(fixture_room["calculate"])
    assert after["errors"] == []
    assert round(after["undiscounted"]["nettonytta"], 2) == 50000
    # 50 hours freed a year for 6 years: per year and over the horizon, never one for the other.
    freed = after["omfordelning"]["benefit"]
    assert after["omfordelning"]["horizon"] == 6
    assert round(freed["hours_total"], 2) == 300 and round(freed["hours_per_year"], 2) == 50
    assert round(freed["arsarbetare_total"], 4) == round(300 / 1700, 4)
    assert round(freed["arsarbetare_per_year"], 4) == round(50 / 1700, 4)
    assert after["tornado"][0]["label"] == "Hur många timmar frigörs per år?"


def test_draft_change_marks_calculate_for_recompute(fixture_room, app):
    """uses_draft: the broadcaster recomputes calculate when the draft changes."""
    from workshop.runtime import broadcaster

    ws = fixture_room["ws"]
    b = broadcaster()
    ids = b._send_draft(ws.id)
    assert fixture_room["calculate"] in ids and fixture_room["present"] in ids and fixture_room["estimates"] in ids


def test_phones_send_nothing(fixture_room):
    ws = fixture_room["ws"]
    ws.mode = "self_paced"
    db.session.commit()
    p = Participant(workshop_id=ws.id, token=secrets.token_urlsafe(24))
    db.session.add(p)
    db.session.commit()
    for key in ("calculate", "present"):
        with pytest.raises(InputError) as err:
            submit(p, fixture_room[key], secrets.token_hex(4), {"anything": 1})
        assert err.value.code == "no_input"


def test_phones_see_the_result_only_when_revealed(fixture_room):
    act = db.session.get(Activity, fixture_room["calculate"])
    assert results_for(act)["phone"]["aggregate"] is None
    act.revealed = True
    db.session.commit()
    phone = results_for(act)["phone"]
    assert round(phone["aggregate"]["discounted"]["nettonytta"], 2) == 39492.68


def test_presentation_sections_and_phone_summary(fixture_room):
    ws = fixture_room["ws"]
    op(
        ws,
        "frame.update",
        data={
            "alternative_a": "Fysiska nycklar",
            "alternative_b": "Digitala lås",
            "comparison": [{"aspect": "Nycklar", "a": "Hämtas", "b": "I appen"}],
        },
    )
    op(ws, "node.add", data={"node_type": "risk", "title": "Batterier tar slut"})
    op(
        ws,
        "node.add",
        data={"node_type": "nytta", "title": "Tryggare", "category": "kvalitet", "valuation": "size", "size_score": 1},
    )
    act = db.session.get(Activity, fixture_room["present"])
    act.config = PRESENT.validate_config({"section": 2, "next_steps": "Beslut i nämnden\n\nUppföljning 2026"})
    db.session.commit()
    res = results_for(act)
    a = res["screen"]["aggregate"]
    assert a["sections"] == ["title", "alternatives", "benefits", "result", "uncertainty", "next"]
    assert a["alternatives"]["a"] == "Fysiska nycklar" and a["alternatives"]["comparison"][0]["b"] == "I appen"
    assert [b["title"] for b in a["benefits"]["omfordelning"]] == ["N1"]
    assert [b["title"] for b in a["benefits"]["kvalitet"]] == ["Tryggare"]
    assert a["benefits_uncategorised"] == []
    assert [r["title"] for r in a["risks"]] == ["Batterier tar slut"]
    assert a["next_steps"] == ["Beslut i nämnden", "Uppföljning 2026"]
    assert round(a["result"]["discounted"]["nettonytta"], 2) == 39492.68
    phone = res["phone"]
    assert phone["aggregate"] is None and phone["content"]["benefits"] == 2
    assert round(phone["content"]["discounted"]["nettonytta"], 2) == 39492.68


def test_js_strings_cover_what_the_modules_use():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "static/js"
    for kind, files in ((KIND, ["kinds/calculate.js", "result_charts.js"]), (PRESENT, ["kinds/present.js"])):
        js = "".join((root / f).read_text() for f in files)
        used = set(re.findall(rf't\("{kind.key}\.([a-z_0-9.]+)"', js))
        assert used and used <= set(kind.js_strings), used - set(kind.js_strings)
