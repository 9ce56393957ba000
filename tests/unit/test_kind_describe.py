"""Step 5 Beskriv: the sentence pattern, drafts per item and person, the chosen description."""

from __future__ import annotations

import secrets

import pytest

from workshop.activities import InputError, get_kind
from workshop.activities.describe import assemble, heading, see_also, sentence
from workshop.draft.snapshot import draft_snapshot
from workshop.extensions import db
from workshop.inputs import submit
from workshop.models import Activity, Participant, Response, Workshop
from workshop.realtime.payloads import results_for
from workshop.responses import load_rows

KIND = get_kind("describe")

FULL = {
    "rubrik": "Mer tid för brukarna",
    "genom_att": "införa digitala tillsynsbesök",
    "hander": "färre resor görs",
    "och": "restiden minskar",
    "leder_till": "personalen får mer tid med brukarna",
}


# --- the sentence --------------------------------------------------------------------------


def test_the_full_pattern_in_swedish():
    assert assemble(FULL) == (
        "Mer tid för brukarna. Genom att införa digitala tillsynsbesök händer färre resor görs och restiden minskar "
        "leder till att personalen får mer tid med brukarna."
    )
    assert assemble(FULL, bold=True).startswith("**Mer tid för brukarna.** Genom att ")


def test_an_empty_och_part_is_left_out_gracefully():
    p = {**FULL, "och": "   "}
    assert sentence(p) == (
        "Genom att införa digitala tillsynsbesök händer färre resor görs, vilket leder till att "
        "personalen får mer tid med brukarna."
    )
    assert " och " not in sentence(p) and "  " not in assemble(p)


def test_other_gaps_left_empty():
    assert (
        sentence({"hander": "färre resor", "leder_till": "mer tid"})
        == "Det händer färre resor, vilket leder till att mer tid."
    )
    assert (
        sentence({"genom_att": "digitalisera", "leder_till": "mer tid"})
        == "Genom att digitalisera leder det till att mer tid."
    )
    assert (
        sentence({"genom_att": "digitalisera", "hander": "A", "och": "B"}) == "Genom att digitalisera händer A och B."
    )
    # "och" without "händer" moves up into the first gap.
    assert (
        sentence({"genom_att": "digitalisera", "och": "B", "leder_till": "C"})
        == "Genom att digitalisera händer B, vilket leder till att C."
    )
    assert sentence({"leder_till": "C"}) == "Det leder till att C."
    assert sentence({"rubrik": "Bara rubrik"}) == ""
    assert assemble({"rubrik": "Bara rubrik"}) == "Bara rubrik."


def test_full_stops_and_spaces_are_tidied():
    p = {
        "rubrik": " Färre  resor. ",
        "genom_att": "digitalisera.",
        "hander": "färre\nresor",
        "leder_till": "mer tid...",
    }
    assert assemble(p) == "Färre resor. Genom att digitalisera händer färre resor, vilket leder till att mer tid."
    assert heading({"rubrik": "Tryggare?"}) == "Tryggare?"
    assert heading({"rubrik": ""}) == ""


def test_see_also():
    assert assemble(FULL, ["Färre resor", "Bättre miljö"]).endswith(" Se även: Färre resor, Bättre miljö.")
    assert see_also([]) == "" and see_also(["", "  "]) == ""


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
            activities=[("describe", "Beskriv", config or {})], mode="self_paced", title=title
        )
        ws = db.session.get(Workshop, ws_id)
        nodes = {}
        for key, node_type, t in [
            ("n1", "nytta", "Mer tid för brukarna"),
            ("n2", "nytta", "Färre resor"),
            ("k1", "konsekvenskostnad", "Mer support"),
            ("r1", "risk", "Dålig täckning"),
        ]:
            nodes[key] = op(ws, "node.add", data={"node_type": node_type, "title": t})["id"]
        return ws, ids[0], nodes

    return make


def join(ws_id: int, nickname: str = "") -> Participant:
    p = Participant(workshop_id=ws_id, token=secrets.token_urlsafe(24), nickname=nickname)
    db.session.add(p)
    db.session.commit()
    return p


def send(p, act_id, node, client_id=None, **parts):
    return submit(p, act_id, client_id or secrets.token_hex(8), {"node": node, **parts})


def aggregate(act_id: int) -> dict:
    act = db.session.get(Activity, act_id)
    return KIND.aggregate_for(act, KIND.config(act.config), load_rows(act), draft_snapshot(act.workshop_id))


def test_defaults(ctx):
    assert KIND.default_config() == {"include_costs": False}
    assert KIND.answer_mode == "custom" and KIND.uses_draft and KIND.phone_results == "never"
    with pytest.raises(InputError):
        KIND.validate_config({"include_costs": "ja"})


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"node": 1, "genom_att": "x"}, "rubrik"),
        ({"node": 1, "rubrik": "   ", "genom_att": "x"}, "rubrik"),
        ({"node": 1, "rubrik": "Rubrik"}, "genom_att"),
        ({"node": 1, "rubrik": "Rubrik", "hander": "  "}, "genom_att"),
        ({"node": 1, "rubrik": "x" * 301, "hander": "y"}, "rubrik"),
        ({"node": 1, "rubrik": "Rubrik", "leder_till": "y" * 301}, "leder_till"),
        ({"node": 1, "rubrik": "Rubrik", "hander": "y", "refs": "2"}, "refs"),
        ({"node": 1, "rubrik": "Rubrik", "hander": "y", "refs": list(range(1, 13))}, "refs"),
        ({"node": 1, "rubrik": "Rubrik", "hander": "y", "author": "Anna"}, "author"),
        ({"node": "1", "rubrik": "Rubrik", "hander": "y"}, "node"),
        ({"node": 1, "rubrik": "Rubrik", "hander": "y", "och": "a\x00b"}, "och"),
    ],
)
def test_bad_inputs_are_refused_with_a_field_message(setup, payload, field):
    ws, act_id, _nodes = setup()
    with pytest.raises(InputError) as err:
        submit(join(ws.id), act_id, "c1", payload)
    assert err.value.code == "invalid"
    assert field in err.value.fields
    assert db.session.query(Response).count() == 0


def test_a_draft_is_stored_cleaned(setup):
    ws, act_id, nodes = setup()
    stored = send(
        join(ws.id),
        act_id,
        nodes["n1"],
        rubrik=" Mer  tid ",
        hander="färre\nresor",
        refs=[nodes["n2"], nodes["n2"], nodes["n1"]],
    )
    assert stored.data == {
        "node": nodes["n1"],
        "title": "Mer tid för brukarna",
        "rubrik": "Mer tid",
        "genom_att": "",
        "hander": "färre resor",
        "och": "",
        "leder_till": "",
        "refs": [nodes["n2"]],
    }


def test_foreign_hidden_and_unlisted_items_are_refused(setup):
    ws, act_id, nodes = setup()
    _other_ws, _other_act, other = setup(title="Norrby")
    p = join(ws.id)
    for node in (other["n1"], nodes["k1"], nodes["r1"], 999999):
        with pytest.raises(InputError) as err:
            send(p, act_id, node, rubrik="R", hander="h")
        assert err.value.code == "unknown_item"
    # A reference to another workshop's item or to a risk is refused too.
    for ref in (other["n2"], nodes["r1"]):
        with pytest.raises(InputError) as err:
            send(p, act_id, nodes["n1"], rubrik="R", hander="h", refs=[ref])
        assert err.value.code == "unknown_item" and "refs" in err.value.fields
    assert db.session.query(Response).count() == 0
    # Costs may be referred to, and described when the settings include them.
    send(p, act_id, nodes["n1"], rubrik="R", hander="h", refs=[nodes["k1"]])


def test_costs_can_be_included(setup):
    ws, act_id, nodes = setup({"include_costs": True})
    send(join(ws.id), act_id, nodes["k1"], rubrik="Mer support", hander="fler samtal")
    assert [i["id"] for i in aggregate(act_id)["items"]] == [nodes["n1"], nodes["n2"], nodes["k1"]]


def test_a_new_draft_replaces_the_participants_earlier_one_for_that_item(setup):
    ws, act_id, nodes = setup()
    p, q = join(ws.id, "Anna"), join(ws.id, "Bo")
    first = send(p, act_id, nodes["n1"], rubrik="Första", hander="a")
    send(p, act_id, nodes["n2"], rubrik="Annan nytta", hander="b")
    send(q, act_id, nodes["n1"], rubrik="Bos förslag", hander="c")
    second = send(p, act_id, nodes["n1"], rubrik="Andra", hander="d", och="e", leder_till="f")
    assert db.session.get(Response, first.response_id).current is False
    agg = aggregate(act_id)
    n1 = agg["items"][0]
    assert n1["n"] == 2
    # Newest first, each with its assembled text.
    assert [d["id"] for d in n1["drafts"]] == [second.response_id, n1["drafts"][1]["id"]]
    assert n1["drafts"][0]["text"] == "Andra. Det händer d och e leder till att f."
    assert n1["drafts"][1]["pattern"]["rubrik"] == "Bos förslag"
    assert agg["summary"] == {"items": 2, "described": 0, "drafts": 3}


def test_chosen_description_and_references_in_the_aggregate(setup):
    ws, act_id, nodes = setup()
    send(join(ws.id), act_id, nodes["n1"], rubrik="R", hander="h", refs=[nodes["n2"]])
    pattern = {"rubrik": "Mer tid", "genom_att": "digitalisera", "hander": "färre resor", "leder_till": "mer tid"}
    op(ws, "node.update", id=nodes["n1"], data={"pattern": pattern, "description": assemble(pattern)})
    agg = aggregate(act_id)
    n1 = agg["items"][0]
    assert n1["chosen"] == {
        "pattern": pattern,
        "description": "Mer tid. Genom att digitalisera händer färre resor, vilket leder till att mer tid.",
    }
    assert n1["drafts"][0]["refs"] == [{"id": nodes["n2"], "title": "Färre resor"}]
    assert n1["drafts"][0]["text"].endswith("Se även: Färre resor.")
    assert agg["items"][1]["chosen"] is None
    assert agg["summary"]["described"] == 1


def test_names_go_to_the_console_only(setup):
    ws, act_id, nodes = setup()
    send(join(ws.id, "Anna"), act_id, nodes["n1"], rubrik="R", hander="h")
    act = db.session.get(Activity, act_id)
    res = results_for(act)
    assert res["console"]["items"][0]["nickname"] == "Anna" and res["console"]["items"][0]["node"] == nodes["n1"]
    assert "Anna" not in str(res["console"]["aggregate"]) and "Anna" not in str(res["screen"])
    assert res["phone"]["aggregate"] is None
    assert [i["id"] for i in res["phone"]["content"]["items"]] == [nodes["n1"], nodes["n2"]]
    assert {r["id"] for r in res["phone"]["content"]["referable"]} == {nodes["n1"], nodes["n2"], nodes["k1"]}


def test_csv(setup):
    ws, act_id, nodes = setup()
    send(join(ws.id), act_id, nodes["n1"], rubrik="R", hander="h", refs=[nodes["n2"]])
    act = db.session.get(Activity, act_id)
    cfg = KIND.config(act.config)
    assert KIND.csv_header(cfg) == [
        "node",
        "title",
        "rubrik",
        "genom_att",
        "hander",
        "och",
        "leder_till",
        "refs",
        "text",
    ]
    assert KIND.csv_cells(cfg, load_rows(act)[0]) == [
        nodes["n1"],
        "Mer tid för brukarna",
        "R",
        "",
        "h",
        "",
        "",
        str(nodes["n2"]),
        "R. Det händer h.",
    ]
