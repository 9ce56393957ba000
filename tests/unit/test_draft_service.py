"""The draft analysis: editing rules of the method, and the stored draft computed by the engine."""

import pytest

from workshop.activities.base import InputError


@pytest.fixture
def draft(app, make_workshop):
    from workshop.draft.service import analysis_for
    from workshop.extensions import db
    from workshop.models import Workshop

    ws_id, _code, _ids = make_workshop(activities=())
    with app.test_request_context():
        ws = db.session.get(Workshop, ws_id)
        yield ws, analysis_for(ws)


def op(ws, name, **args):
    from workshop.draft.ops import apply

    return apply(ws, name, args)


def test_new_analysis_ships_the_factor_library(draft):
    _ws, a = draft
    names = {f.name: f for f in a.factors}
    assert names["sjukskoterska"].likely == 453
    assert names["sjukskoterska"].source
    assert a.horizon == 6 and a.discount_rate == 0.03 and a.convention == "A"


def test_method_fixture_through_the_stored_draft(draft):
    """method.md's fixture, entered as a facilitator would, gives the published figures."""
    from workshop.draft.serialize import analysis_dict

    ws, a = draft
    n1 = op(
        ws,
        "node.add",
        data={
            "node_type": "nytta",
            "title": "N1",
            "category": "omfordelning",
            "valuation": "money",
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
    result = analysis_dict(a)["result"]
    und, disc = result["undiscounted"], result["discounted"]
    assert round(und["benefits"], 2) == 180000 and round(und["costs"], 2) == 130000
    assert round(und["nettonytta"], 2) == 50000 and und["break_even_year"] == 5
    assert round(disc["benefits"], 2) == 167391.22 and round(disc["costs"], 2) == 127898.54
    assert round(disc["nettonytta"], 2) == 39492.68 and round(disc["per_krona"], 4) == 0.3088
    op(ws, "frame.update", data={"convention": "B"})
    disc_b = analysis_dict(a)["result"]["discounted"]
    assert round(disc_b["benefits"], 2) == 162515.74 and round(disc_b["nettonytta"], 2) == 38342.41
    # The same N1 as a block over a row and a shared factor counts the same.
    op(ws, "frame.update", data={"convention": "A"})
    op(
        ws,
        "row.add",
        node_id=n1,
        data={
            "name": "timmar",
            "label": "Hur många timmar frigörs per år?",
            "unit": "h",
            "low": 40,
            "likely": 50,
            "high": 60,
        },
    )
    op(ws, "factor.add", data={"name": "timkostnad", "label": "Timkostnad", "unit": "kr/h", "likely": 600})
    op(ws, "block.set", node_id=n1, data={"formula": "timmar * timkostnad", "hours_formula": "timmar"})
    res = analysis_dict(a)["result"]
    assert round(res["undiscounted"]["benefits"], 2) == 180000
    low = res["uncertainty"]["low"]["undiscounted"]["nettonytta"]
    high = res["uncertainty"]["high"]["undiscounted"]["nettonytta"]
    assert round(low, 2) == 14000 and round(high, 2) == 86000


def test_only_finansiell_and_omfordelning_can_be_valued_in_money(draft):
    ws, a = draft
    with pytest.raises(InputError) as err:
        op(
            ws,
            "node.add",
            data={"node_type": "nytta", "title": "Tryggare brukare", "category": "kvalitet", "valuation": "money"},
        )
    assert "Finansiell" in err.value.message
    assert not [n for n in a.nodes if n.title == "Tryggare brukare"]


def test_risks_take_no_category_and_opportunities_never_count(draft):
    from workshop.draft.compute import counted_nodes

    ws, a = draft
    rid = op(
        ws,
        "node.add",
        data={
            "node_type": "risk",
            "title": "Batterier tar slut",
            "category": "finansiell",
            "perspective": "Solstad kommun",
        },
    )["id"]
    op(ws, "node.add", data={"node_type": "mojlighet", "title": "Nya tjänster", "category": "finansiell"})
    risk = next(n for n in a.nodes if n.id == rid)
    assert risk.category is None and risk.perspective == ""
    assert counted_nodes(a) == []


def test_formula_with_unknown_name_is_refused_and_nothing_changes(draft):
    ws, a = draft
    nid = op(
        ws, "node.add", data={"node_type": "nytta", "title": "Tid", "category": "omfordelning", "valuation": "money"}
    )["id"]
    op(ws, "block.set", node_id=nid, data={"formula": "1 + 2"})
    with pytest.raises(InputError) as err:
        op(ws, "block.set", node_id=nid, data={"formula": "antal * okand"})
    assert err.value.code == "formula" and "antal" in err.value.message
    node = next(n for n in a.nodes if n.id == nid)
    assert node.block.formula == "1 + 2"


def test_renaming_a_row_keeps_the_formula_working(draft):
    ws, a = draft
    nid = op(
        ws, "node.add", data={"node_type": "nytta", "title": "Tid", "category": "omfordelning", "valuation": "money"}
    )["id"]
    rid = op(ws, "row.add", node_id=nid, data={"name": "antal", "likely": 10})["id"]
    op(ws, "block.set", node_id=nid, data={"formula": "antal * 2"})
    op(ws, "row.update", id=rid, data={"name": "besok"})
    node = next(n for n in a.nodes if n.id == nid)
    assert node.block.formula == "besok * 2"


def test_chain_checks_flag_benefits_without_an_effect_and_jumps(draft):
    from workshop.draft.checks import chain_checks

    ws, a = draft
    change = op(ws, "node.add", data={"node_type": "forandring", "title": "Digitala lås"})["id"]
    effect = op(ws, "node.add", data={"node_type": "effekt", "title": "Inga nyckelhämtningar"})["id"]
    good = op(ws, "node.add", data={"node_type": "nytta", "title": "Frigjord tid"})["id"]
    jump = op(ws, "node.add", data={"node_type": "nytta", "title": "Bättre välfärd"})["id"]
    op(ws, "link.add", **{"from": change, "to": effect})
    op(ws, "link.add", **{"from": effect, "to": good})
    op(ws, "link.add", **{"from": change, "to": jump})
    codes = {(h["code"], h["node_id"]) for h in chain_checks(a)}
    assert ("no_effect", jump) in codes and ("jump", jump) in codes
    assert not any(nid == good for _c, nid in codes)


def test_merge_moves_links_and_hides_the_duplicate(draft):
    ws, a = draft
    e1 = op(ws, "node.add", data={"node_type": "effekt", "title": "Mindre bilkörning"})["id"]
    e2 = op(ws, "node.add", data={"node_type": "effekt", "title": "Färre resor"})["id"]
    b = op(ws, "node.add", data={"node_type": "nytta", "title": "Lägre bränslekostnad"})["id"]
    op(ws, "link.add", **{"from": e2, "to": b})
    op(ws, "node.merge", id=e2, target=e1)
    assert [(link.from_id, link.to_id) for link in a.links] == [(e1, b)]
    dup = next(n for n in a.nodes if n.id == e2)
    assert dup.status == "hidden" and dup.merged_into_id == e1
