"""Step 4 Sortera: votes per item, replace semantics, the method's money rule, distributions,
agreement and the grey zone, items from the workshop's own draft only."""

from __future__ import annotations

import secrets

import pytest

from workshop.activities import InputError, get_kind
from workshop.activities.sorting import agreement_level, tally
from workshop.draft.snapshot import draft_snapshot
from workshop.extensions import db
from workshop.inputs import submit
from workshop.models import Activity, Participant, Response, Workshop
from workshop.realtime.payloads import results_for
from workshop.responses import load_rows

KIND = get_kind("sorting")


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield


def op(ws, name, **args):
    from workshop.draft.ops import apply

    return apply(ws, name, args)


@pytest.fixture
def setup(ctx, make_workshop):
    """A workshop with a sorting activity and a draft: 3 nyttor, 1 cost, a risk and a möjlighet."""

    def make(config=None, title="Trygg hemtjänst"):
        ws_id, _code, ids = make_workshop(
            activities=[("sorting", "Sortera", config or {})], mode="self_paced", title=title
        )
        ws = db.session.get(Workshop, ws_id)
        op(
            ws,
            "frame.update",
            data={
                "perspectives": [
                    {"kind": "egen_organisation", "label": "Solstad kommun"},
                    {"kind": "invanare", "label": "Brukare"},
                ]
            },
        )
        nodes = {}
        for key, node_type, title_ in [
            ("n1", "nytta", "Färre resor"),
            ("n2", "nytta", "Tryggare brukare"),
            ("n3", "nytta", "Mindre papper"),
            ("k1", "genomforandekostnad", "Licenser"),
            ("r1", "risk", "Batterier tar slut"),
            ("m1", "mojlighet", "Nya tjänster"),
        ]:
            nodes[key] = op(
                ws, "node.add", data={"node_type": node_type, "title": title_, "description": f"Om {title_}"}
            )["id"]
        return ws, ids[0], nodes

    return make


def join(ws_id: int, nickname: str = "") -> Participant:
    p = Participant(workshop_id=ws_id, token=secrets.token_urlsafe(24), nickname=nickname)
    db.session.add(p)
    db.session.commit()
    return p


def vote(p, act_id, node, category="finansiell", money=False, perspective=None, client_id=None):
    return submit(
        p,
        act_id,
        client_id or secrets.token_hex(8),
        {"node": node, "category": category, "money": money, "perspective": perspective},
    )


def aggregate(act_id: int) -> dict:
    act = db.session.get(Activity, act_id)
    return KIND.aggregate_for(act, KIND.config(act.config), load_rows(act), draft_snapshot(act.workshop_id))


def item(agg: dict, node_id: int) -> dict:
    return next(i for i in agg["items"] if i["id"] == node_id)


# --- settings ------------------------------------------------------------------------------


def test_defaults(ctx):
    assert KIND.default_config() == {
        "include_nytta": True,
        "include_konsekvenskostnad": True,
        "include_genomforandekostnad": True,
        "ask_money": True,
        "ask_perspective": True,
    }
    assert KIND.answer_mode == "custom" and KIND.uses_draft
    assert KIND.results_hidden_default is True and KIND.phone_results == "on_reveal"
    assert all(f.type == "bool" for f in KIND.config_fields)


@pytest.mark.parametrize(
    "bad",
    [
        {"include_nytta": False, "include_konsekvenskostnad": False, "include_genomforandekostnad": False},
        {"include_risk": True},
        {"ask_money": "yes"},
    ],
)
def test_bad_settings_are_refused(ctx, bad):
    with pytest.raises(InputError):
        KIND.validate_config(bad)


# --- input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"node": 1, "category": "Finansiell", "money": False}, "category"),
        ({"node": 1, "category": "risk", "money": False}, "category"),
        ({"node": 1, "money": False}, "category"),
        ({"node": "1", "category": "finansiell", "money": False}, "node"),
        ({"node": True, "category": "finansiell", "money": False}, "node"),
        ({"node": 1, "category": "finansiell", "money": "yes"}, "money"),
        ({"node": 1, "category": "finansiell", "money": False, "perspective": "x" * 201}, "perspective"),
        ({"node": 1, "category": "finansiell", "money": False, "weight": 2}, "weight"),
    ],
)
def test_bad_inputs_are_refused_with_a_field_message(setup, payload, field):
    ws, act_id, _nodes = setup()
    with pytest.raises(InputError) as err:
        submit(join(ws.id), act_id, "c1", payload)
    assert err.value.code == "invalid"
    assert field in err.value.fields
    assert db.session.query(Response).count() == 0


@pytest.mark.parametrize("category", ["kvalitet", "miljo"])
def test_money_only_for_finansiell_and_omfordelning(setup, category):
    ws, act_id, nodes = setup()
    p = join(ws.id)
    with pytest.raises(InputError) as err:
        vote(p, act_id, nodes["n1"], category=category, money=True)
    assert "Finansiell" in err.value.message and "Omfördelning" in err.value.message
    assert "money" in err.value.fields
    # The same category without money, and money for the money categories, are fine.
    vote(p, act_id, nodes["n1"], category=category, money=False)
    vote(p, act_id, nodes["n2"], category="omfordelning", money=True)
    vote(p, act_id, nodes["n3"], category="finansiell", money=True)
    assert db.session.query(Response).count() == 3


def test_perspective_must_be_one_of_the_analysis_labels(setup):
    ws, act_id, nodes = setup()
    p = join(ws.id)
    with pytest.raises(InputError) as err:
        vote(p, act_id, nodes["n1"], perspective="Samhället")
    assert "perspective" in err.value.fields
    stored = vote(p, act_id, nodes["n1"], perspective="  Brukare ")
    assert stored.data["perspective"] == "Brukare"
    # An empty perspective means "don't know".
    assert vote(p, act_id, nodes["n2"], perspective="").data["perspective"] is None


def test_money_and_perspective_are_refused_when_not_asked(setup):
    ws, act_id, nodes = setup({"ask_money": False, "ask_perspective": False})
    p = join(ws.id)
    with pytest.raises(InputError) as err:
        vote(p, act_id, nodes["n1"], money=True)
    assert "money" in err.value.fields
    with pytest.raises(InputError) as err:
        vote(p, act_id, nodes["n1"], perspective="Brukare")
    assert "perspective" in err.value.fields
    assert vote(p, act_id, nodes["n1"]).data["money"] is False


def test_a_node_of_another_workshops_analysis_is_refused(setup):
    ws, act_id, nodes = setup()
    other_ws, _other_act, other_nodes = setup(title="Norrby")
    p = join(ws.id)
    with pytest.raises(InputError) as err:
        vote(p, act_id, other_nodes["n1"])
    assert err.value.code == "unknown_item" and "node" in err.value.fields
    with pytest.raises(InputError) as err:
        vote(p, act_id, 999999)
    assert err.value.code == "unknown_item"
    assert db.session.query(Response).count() == 0


def test_risks_opportunities_hidden_and_excluded_items_are_refused(setup):
    ws, act_id, nodes = setup({"include_genomforandekostnad": False})
    p = join(ws.id)
    op(ws, "node.update", id=nodes["n3"], data={"status": "hidden"})
    for key in ("r1", "m1", "n3", "k1"):
        with pytest.raises(InputError) as err:
            vote(p, act_id, nodes[key])
        assert err.value.code == "unknown_item", key
    vote(p, act_id, nodes["n1"])


def test_a_changed_vote_replaces_the_earlier_one_per_item(setup):
    ws, act_id, nodes = setup()
    p, q = join(ws.id), join(ws.id)
    first = vote(p, act_id, nodes["n1"], "kvalitet")
    vote(p, act_id, nodes["n2"], "miljo")
    vote(q, act_id, nodes["n1"], "kvalitet")
    second = vote(p, act_id, nodes["n1"], "finansiell", money=True)
    assert db.session.get(Response, first.response_id).current is False
    assert db.session.get(Response, second.response_id).current is True
    current = [r for r in db.session.query(Response).all() if r.current]
    assert sorted((r.participant_id, r.data["node"]) for r in current) == sorted(
        [(p.id, nodes["n1"]), (p.id, nodes["n2"]), (q.id, nodes["n1"])]
    )
    n1 = item(aggregate(act_id), nodes["n1"])
    assert n1["n"] == 2 and n1["categories"]["finansiell"] == 1 and n1["categories"]["kvalitet"] == 1
    assert n1["money"] == {"yes": 1, "no": 1}


def test_a_resent_vote_counts_once(setup):
    ws, act_id, nodes = setup()
    p = join(ws.id)
    a = vote(p, act_id, nodes["n1"], client_id="same")
    b = vote(p, act_id, nodes["n1"], "kvalitet", client_id="same")
    assert b.duplicate and b.response_id == a.response_id
    assert item(aggregate(act_id), nodes["n1"])["categories"]["finansiell"] == 1


def test_stored_vote_carries_the_title_for_the_csv(setup):
    ws, act_id, nodes = setup()
    stored = vote(join(ws.id), act_id, nodes["n1"], "omfordelning", money=True, perspective="Solstad kommun")
    assert stored.data == {
        "node": nodes["n1"],
        "category": "omfordelning",
        "money": True,
        "perspective": "Solstad kommun",
        "title": "Färre resor",
    }
    act = db.session.get(Activity, act_id)
    row = load_rows(act)[0]
    cfg = KIND.config(act.config)
    assert KIND.csv_header(cfg) == ["node", "title", "category", "money", "perspective"]
    assert KIND.csv_cells(cfg, row) == [nodes["n1"], "Färre resor", "omfordelning", "yes", "Solstad kommun"]


# --- aggregates ----------------------------------------------------------------------------


def test_distribution_agreement_and_grey_zone_by_hand(setup):
    ws, act_id, nodes = setup()
    people = [join(ws.id) for _ in range(5)]
    # n1: 3 finansiell (2 in money), 1 kvalitet -> 3/4 = 0.75: high, not grey.
    vote(people[0], act_id, nodes["n1"], "finansiell", True, "Solstad kommun")
    vote(people[1], act_id, nodes["n1"], "finansiell", True, "Solstad kommun")
    vote(people[2], act_id, nodes["n1"], "finansiell", False, "Brukare")
    vote(people[3], act_id, nodes["n1"], "kvalitet", False, None)
    # n2: 2 omfördelning, 2 kvalitet -> a tie: grey zone, no majority.
    for p, c in zip(people, ["omfordelning", "omfordelning", "kvalitet", "kvalitet"]):
        vote(p, act_id, nodes["n2"], c)
    # n3: f, o, k, m, f -> 2/5 = 0.4: low, grey, majority finansiell.
    for p, c in zip(people, ["finansiell", "omfordelning", "kvalitet", "miljo", "finansiell"]):
        vote(p, act_id, nodes["n3"], c)
    agg = aggregate(act_id)
    assert [i["id"] for i in agg["items"]] == [nodes["n1"], nodes["n2"], nodes["n3"], nodes["k1"]]
    assert agg["perspectives"] == ["Solstad kommun", "Brukare"]

    n1 = item(agg, nodes["n1"])
    assert n1["n"] == 4
    assert n1["categories"] == {"finansiell": 3, "omfordelning": 0, "kvalitet": 1, "miljo": 0}
    assert n1["money"] == {"yes": 2, "no": 2}
    assert n1["perspectives"] == [{"label": "Solstad kommun", "n": 2}, {"label": "Brukare", "n": 1}]
    assert n1["no_perspective"] == 1
    assert n1["top_share"] == 0.75 and n1["agreement"] == "high" and n1["grey_zone"] is False and n1["tie"] is False
    # Money: of the three who chose Finansiell two said yes.
    assert n1["majority"] == {"category": "finansiell", "money": True, "perspective": "Solstad kommun"}

    n2 = item(agg, nodes["n2"])
    assert n2["categories"] == {"finansiell": 0, "omfordelning": 2, "kvalitet": 2, "miljo": 0}
    assert n2["top_share"] == 0.5 and n2["tie"] is True and n2["grey_zone"] is True
    assert n2["majority"]["category"] is None

    n3 = item(agg, nodes["n3"])
    assert n3["n"] == 5 and n3["top_share"] == 0.4 and n3["agreement"] == "low" and n3["grey_zone"] is True
    assert n3["majority"]["category"] == "finansiell"

    k1 = item(agg, nodes["k1"])
    assert k1["n"] == 0 and k1["agreement"] is None and k1["grey_zone"] is False and k1["top_share"] is None
    assert agg["summary"] == {"items": 4, "voted": 3, "grey": 2, "decided": 0, "voters": 5}


def test_tally_thresholds():
    def votes(*cats):
        return [{"category": c, "money": False, "perspective": None} for c in cats]

    medium = tally(votes("finansiell", "finansiell", "kvalitet", "miljo"), [])
    assert medium["top_share"] == 0.5 and medium["agreement"] == "medium" and not medium["grey_zone"]
    high = tally(votes("miljo", "miljo", "miljo", "kvalitet"), [])
    assert high["agreement"] == "high"
    low = tally(votes("miljo", "miljo", "kvalitet", "kvalitet", "finansiell"), [])
    assert low["agreement"] == "low" and low["grey_zone"] and low["tie"]
    one = tally(votes("kvalitet"), [])
    assert one["top_share"] == 1.0 and one["agreement"] == "high" and not one["grey_zone"]
    assert agreement_level(0.7499) == "medium" and agreement_level(0.4999) == "low" and agreement_level(None) is None
    money_tie = tally([{"category": "finansiell", "money": True}, {"category": "finansiell", "money": False}], [])
    assert money_tie["majority"]["money"] is None


def test_the_facilitators_decision_is_in_the_aggregate(setup):
    ws, act_id, nodes = setup()
    op(
        ws,
        "node.update",
        id=nodes["n2"],
        data={
            "category": "kvalitet",
            "valuation": "size",
            "size_score": 2,
            "perspective": "Brukare",
            "motivation": "Gråzon: trygghet är kvalitet.",
        },
    )
    agg = aggregate(act_id)
    n2 = item(agg, nodes["n2"])
    assert n2["decided"] is True
    assert n2["decision"] == {
        "category": "kvalitet",
        "valuation": "size",
        "size_score": 2,
        "perspective": "Brukare",
        "motivation": "Gråzon: trygghet är kvalitet.",
    }
    assert item(agg, nodes["n1"])["decided"] is False
    assert agg["summary"]["decided"] == 1
    # The console saves through the draft service, which refuses money for Kvalitet.
    with pytest.raises(InputError) as err:
        op(ws, "node.update", id=nodes["n2"], data={"category": "kvalitet", "valuation": "money"})
    assert "Finansiell" in err.value.message


def test_votes_on_a_merged_duplicate_count_for_its_target(setup):
    ws, act_id, nodes = setup()
    p, q = join(ws.id), join(ws.id)
    vote(p, act_id, nodes["n3"], "miljo")
    vote(q, act_id, nodes["n3"], "miljo")
    vote(q, act_id, nodes["n1"], "finansiell")  # q voted on both: the later vote counts
    op(ws, "node.merge", id=nodes["n3"], target=nodes["n1"])
    agg = aggregate(act_id)
    assert nodes["n3"] not in [i["id"] for i in agg["items"]]
    n1 = item(agg, nodes["n1"])
    assert n1["n"] == 2 and n1["categories"]["miljo"] == 1 and n1["categories"]["finansiell"] == 1


def test_phone_content_lists_benefits_and_costs_only(setup):
    ws, act_id, nodes = setup()
    act = db.session.get(Activity, act_id)
    content = KIND.phone_content(act, KIND.config(act.config), draft_snapshot(act.workshop_id))
    assert [i["id"] for i in content["items"]] == [nodes["n1"], nodes["n2"], nodes["n3"], nodes["k1"]]
    assert content["items"][0] == {
        "id": nodes["n1"],
        "title": "Färre resor",
        "description": "Om Färre resor",
        "type": "nytta",
    }
    assert content["perspectives"] == ["Solstad kommun", "Brukare"]
    assert content["money_categories"] == ["finansiell", "omfordelning"]


def test_results_hidden_until_revealed_but_phones_get_the_items(setup):
    ws, act_id, nodes = setup()
    vote(join(ws.id, "Anna"), act_id, nodes["n1"], "kvalitet")
    act = db.session.get(Activity, act_id)
    assert act.results_hidden is True
    res = results_for(act)
    assert res["screen"]["aggregate"] is None
    assert res["phone"]["aggregate"] is None and len(res["phone"]["content"]["items"]) == 4
    assert res["console"]["aggregate"]["items"][0]["n"] == 1
    act.revealed = True
    db.session.commit()
    res = results_for(act)
    assert res["screen"]["aggregate"]["items"][0]["categories"]["kvalitet"] == 1
    assert "Anna" not in str(res["screen"]) and "Anna" not in str(res["phone"])


def test_empty_state_without_a_draft(ctx, make_workshop):
    from workshop.draft.models import Analysis

    _ws_id, _code, ids = make_workshop(activities=[("sorting", "Sortera", {})])
    act = db.session.get(Activity, ids[0])
    db.session.query(Analysis).delete()
    db.session.commit()
    agg = KIND.aggregate_for(act, KIND.config(act.config), [], draft_snapshot(act.workshop_id))
    assert agg["ready"] is False and agg["items"] == []
    with pytest.raises(InputError) as err:
        submit(join(act.workshop_id), act.id, "c1", {"node": 1, "category": "finansiell"})
    assert err.value.code == "unknown_item"
