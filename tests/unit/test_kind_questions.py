"""Step 6 Formulera frågor: suggestions for money-valued items only, names for rows, the
formula shown with labels."""

from __future__ import annotations

import secrets

import pytest

from workshop.activities import InputError, get_kind
from workshop.activities.questions import fold, formula_tokens, readable_formula, suggest_name
from workshop.calculation.formula import is_valid_name
from workshop.draft.snapshot import draft_snapshot
from workshop.extensions import db
from workshop.inputs import submit
from workshop.models import Activity, Participant, Response, Workshop
from workshop.realtime.payloads import results_for
from workshop.responses import load_rows, moderate

KIND = get_kind("questions")


# --- names and formulas (pure) -------------------------------------------------------------


@pytest.mark.parametrize(
    "text, name",
    [
        ("Hur många besök görs per år?", "antal_besok_ar"),
        ("Hur lång tid tar ett besök?", "tid_besok"),
        ("Vad kostar en licens per månad?", "kostnad_licens_manad"),
        ("Minuter per besök idag", "minuter_besok_idag"),
        ("Antal mil per år", "antal_mil_ar"),
        ("Hur många Ärenden är det?", "antal_arenden"),
        ("  ", "rad"),
        ("???", "rad"),
        ("24 timmar", "v_24_timmar"),
    ],
)
def test_suggested_names(text, name):
    assert suggest_name(text) == name
    assert is_valid_name(name)


def test_suggested_names_are_unique_and_short():
    taken = {"antal_besok_ar", "antal_besok_ar_2"}
    assert suggest_name("Hur många besök görs per år?", taken) == "antal_besok_ar_3"
    long = suggest_name("Genomsnittligt förbrukningsmaterialskostnadsunderlag sjukvårdsadministrationsavdelningen")
    assert len(long) <= 40 and is_valid_name(long)


def test_fold():
    assert fold("Åsa Öberg äter") == "asa oberg ater"


NAMES = {
    "antal": {"label": "Hur många besök per år?", "unit": "st/år", "kind": "row"},
    "minuter": {"label": "Minuter per besök", "unit": "min", "kind": "row"},
    "sjukskoterska": {"label": "Sjuksköterska", "unit": "kr/timme", "kind": "factor", "value": 453},
}


def test_formula_tokens_carry_labels():
    toks = formula_tokens("antal * minuter / 60 * sjukskoterska", NAMES)
    assert [t["t"] for t in toks] == ["name", "op", "name", "op", "num", "op", "name"]
    assert toks[0] == {"t": "name", "v": "antal", "label": "Hur många besök per år?", "unit": "st/år", "kind": "row"}
    assert [t["v"] for t in toks if t["t"] == "op"] == ["×", "÷", "×"]
    assert toks[-1] == {
        "t": "name",
        "v": "sjukskoterska",
        "label": "Sjuksköterska",
        "unit": "kr/timme",
        "kind": "factor",
        "value": 453,
    }
    toks = formula_tokens("max(1 700, okand) - 2", NAMES)
    assert toks[0] == {"t": "func", "v": "max"} and toks[2] == {"t": "num", "v": "1 700"}
    assert toks[4]["kind"] == "unknown" and toks[6]["v"] == "−"
    assert formula_tokens("", NAMES) == []


def test_readable_formula():
    assert readable_formula("antal * (minuter - 5) / 60 * sjukskoterska", NAMES) == (
        "[Hur många besök per år?] × ([Minuter per besök] − 5) ÷ 60 × [Sjuksköterska]"
    )
    assert readable_formula("pris * 12", {}) == "pris × 12"


# --- the activity --------------------------------------------------------------------------


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield


def op(ws, name, **args):
    from workshop.draft.ops import apply

    return apply(ws, name, args)


@pytest.fixture
def setup(ctx, make_workshop):
    def make(config=None, title="Trygg hemtjänst"):
        ws_id, _code, ids = make_workshop(
            activities=[("questions", "Frågor", config or {})], mode="self_paced", title=title
        )
        ws = db.session.get(Workshop, ws_id)
        nodes = {}
        for key, data in [
            ("n1", {"node_type": "nytta", "title": "Färre resor", "category": "omfordelning", "valuation": "money"}),
            ("n2", {"node_type": "nytta", "title": "Mindre porto", "category": "finansiell", "valuation": "money"}),
            (
                "q1",
                {
                    "node_type": "nytta",
                    "title": "Tryggare brukare",
                    "category": "kvalitet",
                    "valuation": "size",
                    "size_score": 2,
                },
            ),
            (
                "s1",
                {
                    "node_type": "nytta",
                    "title": "Kortare köer",
                    "category": "omfordelning",
                    "valuation": "size",
                    "size_score": 1,  # a size valuation is saved with its size
                },
            ),
            (
                "k1",
                {
                    "node_type": "genomforandekostnad",
                    "title": "Licenser",
                    "category": "finansiell",
                    "valuation": "money",
                },
            ),
        ]:
            nodes[key] = op(ws, "node.add", data=data)["id"]
        return ws, ids[0], nodes

    return make


def join(ws_id: int, nickname: str = "") -> Participant:
    p = Participant(workshop_id=ws_id, token=secrets.token_urlsafe(24), nickname=nickname)
    db.session.add(p)
    db.session.commit()
    return p


def suggest(p, act_id, node, text="Hur många resor görs per år?", unit="st/år", client_id=None):
    return submit(p, act_id, client_id or secrets.token_hex(8), {"node": node, "text": text, "unit": unit})


def aggregate(act_id: int) -> dict:
    act = db.session.get(Activity, act_id)
    return KIND.aggregate_for(act, KIND.config(act.config), load_rows(act), draft_snapshot(act.workshop_id))


def test_defaults(ctx):
    assert KIND.default_config() == {"include_benefits": True, "include_costs": True, "max_suggestions": 10}
    assert KIND.answer_mode == "custom" and KIND.uses_draft and KIND.phone_results == "never"
    for bad in (
        {"max_suggestions": 0},
        {"max_suggestions": 51},
        {"include_benefits": False, "include_costs": False},
        {"x": 1},
    ):
        with pytest.raises(InputError):
            KIND.validate_config(bad)


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"node": 1, "text": ""}, "text"),
        ({"node": 1, "text": "   "}, "text"),
        ({"node": 1, "text": "x" * 201}, "text"),
        ({"node": 1, "text": "Hur många?", "unit": "x" * 31}, "unit"),
        ({"node": 1, "text": "Hur många?", "name": "antal"}, "name"),
        ({"node": 1.0, "text": "Hur många?"}, "node"),
        ({"text": "Hur många?"}, "node"),
        ({"node": 1, "text": "Hur många?", "unit": "st\x07"}, "unit"),
        ({"node": 1, "text": "Hur\x1bmånga?"}, "text"),
    ],
)
def test_bad_inputs_are_refused_with_a_field_message(setup, payload, field):
    ws, act_id, _nodes = setup()
    with pytest.raises(InputError) as err:
        submit(join(ws.id), act_id, "c1", payload)
    assert err.value.code == "invalid"
    assert field in err.value.fields
    assert db.session.query(Response).count() == 0


def test_only_money_valued_items_of_this_workshop(setup):
    ws, act_id, nodes = setup()
    _other_ws, _other_act, other = setup(title="Norrby")
    p = join(ws.id)
    for key in ("q1", "s1"):
        with pytest.raises(InputError) as err:
            suggest(p, act_id, nodes[key])
        assert err.value.code == "not_money"
    with pytest.raises(InputError) as err:
        suggest(p, act_id, other["n1"])
    assert err.value.code == "unknown_item"
    assert db.session.query(Response).count() == 0
    stored = suggest(p, act_id, nodes["k1"], "  Vad kostar  en licens? ", "kr/mån")
    assert stored.data == {"node": nodes["k1"], "title": "Licenser", "text": "Vad kostar en licens?", "unit": "kr/mån"}


def test_costs_can_be_left_out(setup):
    ws, act_id, nodes = setup({"include_costs": False})
    with pytest.raises(InputError) as err:
        suggest(join(ws.id), act_id, nodes["k1"])
    assert err.value.code == "unknown_item"
    assert [i["id"] for i in aggregate(act_id)["items"]] == [nodes["n1"], nodes["n2"]]


def test_limit_and_duplicates(setup):
    ws, act_id, nodes = setup({"max_suggestions": 2})
    p, q = join(ws.id), join(ws.id)
    suggest(p, act_id, nodes["n1"], "Hur många resor görs per år?")
    with pytest.raises(InputError) as err:
        suggest(q, act_id, nodes["n1"], "hur många  RESOR görs per år?")
    assert err.value.code == "duplicate"
    # The same question for another item is fine; the third one from p is over the limit.
    suggest(p, act_id, nodes["n2"], "Hur många resor görs per år?")
    with pytest.raises(InputError) as err:
        suggest(p, act_id, nodes["n2"], "Vad kostar porto?")
    assert err.value.code == "limit"
    # A question already in the block is a duplicate too.
    op(ws, "row.add", node_id=nodes["n2"], data={"name": "porto", "label": "Vad kostar porto per brev?", "unit": "kr"})
    with pytest.raises(InputError) as err:
        suggest(q, act_id, nodes["n2"], "Vad kostar porto per brev?")
    assert err.value.code == "duplicate"


def test_aggregate_rows_formula_suggestions_and_names(setup):
    ws, act_id, nodes = setup()
    p = join(ws.id, "Anna")
    op(
        ws,
        "row.add",
        node_id=nodes["n1"],
        data={"name": "antal_resor_ar", "label": "Hur många resor per år?", "unit": "st/år"},
    )
    op(ws, "row.add", node_id=nodes["n1"], data={"name": "minuter", "label": "Minuter per resa", "unit": "min"})
    op(
        ws,
        "block.set",
        node_id=nodes["n1"],
        data={
            "formula": "antal_resor_ar * minuter / 60 * sjukskoterska",
            "hours_formula": "antal_resor_ar * minuter / 60",
        },
    )
    a = suggest(p, act_id, nodes["n1"], "Hur många resor blir det per år?", "st/år")
    b = suggest(p, act_id, nodes["n1"], "Hur många resor görs per år?", "st/år")
    suggest(p, act_id, nodes["n2"], "Vad kostar ett brev?", "kr")
    agg = aggregate(act_id)
    assert [i["id"] for i in agg["items"]] == [nodes["n1"], nodes["n2"], nodes["k1"]]
    n1 = agg["items"][0]
    assert n1["category"] == "omfordelning"
    assert [r["name"] for r in n1["rows"]] == ["antal_resor_ar", "minuter"]
    assert n1["formula"] == "antal_resor_ar * minuter / 60 * sjukskoterska"
    assert n1["readable"] == "[Hur många resor per år?] × [Minuter per resa] ÷ 60 × [Sjuksköterska]"
    assert n1["formula_tokens"][-1]["kind"] == "factor" and n1["formula_tokens"][0]["kind"] == "row"
    # Suggested names avoid the block's rows and each other.
    assert [s["name"] for s in n1["suggestions"]] == ["antal_resor_ar_2", "antal_resor_ar_3"]
    assert [s["id"] for s in n1["suggestions"]] == [a.response_id, b.response_id]
    assert all(not s["added"] for s in n1["suggestions"])
    assert {"name": "sjukskoterska", "label": "Sjuksköterska", "unit": "kr/timme", "value": 453} in [
        {k: f[k] for k in ("name", "label", "unit", "value")} for f in agg["factors"]
    ]
    assert agg["summary"] == {"items": 3, "rows": 2, "formulas": 1, "suggestions": 3}
    assert "Anna" not in str(agg)
    # Added as a row: the facilitator marks the suggestion answered.
    act = db.session.get(Activity, act_id)
    op(
        ws,
        "row.add",
        node_id=nodes["n1"],
        data={"name": "antal_resor_ar_2", "label": "Hur många resor blir det per år?", "unit": "st/år"},
    )
    moderate(act, a.response_id, "answered")
    agg = aggregate(act_id)
    n1 = agg["items"][0]
    assert [s["added"] for s in n1["suggestions"]] == [True, False]
    assert n1["suggestions"][1]["name"] == "antal_resor_ar_3"
    assert agg["summary"]["suggestions"] == 2


def test_phone_content_lists_questions_to_avoid_duplicates(setup):
    ws, act_id, nodes = setup()
    op(ws, "row.add", node_id=nodes["n2"], data={"name": "brev", "label": "Hur många brev per år?", "unit": "st/år"})
    suggest(join(ws.id, "Bo"), act_id, nodes["n2"], "Vad kostar ett brev?", "kr")
    act = db.session.get(Activity, act_id)
    res = results_for(act)
    assert res["phone"]["aggregate"] is None
    items = res["phone"]["content"]["items"]
    assert [i["id"] for i in items] == [nodes["n1"], nodes["n2"], nodes["k1"]]
    n2 = items[1]
    assert n2["rows"] == [{"label": "Hur många brev per år?", "unit": "st/år"}]
    assert n2["suggestions"] == [{"text": "Vad kostar ett brev?", "unit": "kr"}]
    assert "Bo" not in str(res["phone"])


def test_the_block_editor_gets_the_parsers_message(setup):
    ws, _act_id, nodes = setup()
    with pytest.raises(InputError) as err:
        op(ws, "block.set", node_id=nodes["n1"], data={"formula": "antal * okand"})
    assert err.value.code == "formula" and "antal" in err.value.message and "okand" in err.value.message


def test_csv(setup):
    ws, act_id, nodes = setup()
    s = suggest(join(ws.id), act_id, nodes["n1"], "=Hur många?", "st")
    act = db.session.get(Activity, act_id)
    moderate(act, s.response_id, "answered")
    cfg = KIND.config(act.config)
    assert KIND.csv_header(cfg) == ["node", "title", "text", "unit", "added"]
    assert KIND.csv_cells(cfg, load_rows(act)[0]) == [nodes["n1"], "Färre resor", "=Hur många?", "st", "yes"]
