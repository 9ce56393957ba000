"""Step 3 · Rita en effektkedja: the chain from the draft, its layout and checks, link proposals."""

from __future__ import annotations

import re
import secrets
from pathlib import Path

import pytest

from workshop.activities import InputError, get_kind
from workshop.draft.snapshot import draft_snapshot
from workshop.extensions import db
from workshop.inputs import submit
from workshop.models import Activity, Participant, Response, Workshop
from workshop.realtime.payloads import results_for
from workshop.responses import load_rows, moderate

ROOT = Path(__file__).resolve().parents[2]
KIND = get_kind("effect_chain")


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield


@pytest.fixture
def make_chain(app, make_workshop):
    """A workshop with a small chain: change → two effects → a benefit; returns ids."""

    def make(**config):
        ws_id, _code, ids = make_workshop(
            activities=[("effect_chain", "Rita en effektkedja", config)], mode="self_paced"
        )
        with app.test_request_context():
            n = {}
            for key, kind, title in [
                ("change", "forandring", "Digitala lås"),
                ("e1", "effekt", "Färre nyckelhämtningar"),
                ("e2", "effekt", "Snabbare insatser"),
                ("b1", "nytta", "Frigjord arbetstid"),
                ("k1", "konsekvenskostnad", "Mer support"),
                ("g1", "genomforandekostnad", "Inköp av lås"),
            ]:
                n[key] = op(ws_id, "node.add", data={"node_type": kind, "title": title})["id"]
            op(ws_id, "link.add", **{"from": n["change"], "to": n["e1"]})
            op(ws_id, "link.add", **{"from": n["e1"], "to": n["b1"]})
        return ws_id, ids[0], n

    return make


def op(ws_id: int, name: str, **args):
    from workshop.draft.ops import apply

    return apply(db.session.get(Workshop, ws_id), name, args)


def join(ws_id: int) -> Participant:
    p = Participant(workshop_id=ws_id, token=secrets.token_urlsafe(24))
    db.session.add(p)
    db.session.commit()
    return p


def propose(p, act_id, a, b, client_id=None):
    return submit(p, act_id, client_id or secrets.token_hex(8), {"from": a, "to": b})


def agg(act_id: int) -> dict:
    return results_for(db.session.get(Activity, act_id))["console"]["aggregate"]


# --- settings and validation -----------------------------------------------------------------


def test_defaults(ctx):
    assert KIND.default_config() == {"max_proposals": 15, "show_chain": True, "skipped": []}
    assert KIND.answer_mode == "custom" and KIND.uses_draft is True and KIND.results_hidden_default is False


@pytest.mark.parametrize(
    "payload",
    [
        {"from": 1},
        {"from": "1", "to": 2},
        {"from": 1, "to": 2, "x": 1},
        {"from_": 1, "to": 2},
        {"from": 0, "to": 2},
        [1, 2],
    ],
)
def test_invalid_inputs_are_refused(ctx, payload):
    with pytest.raises(InputError):
        KIND.validate_input(KIND.config({}), payload)


def test_valid_input(ctx):
    assert KIND.validate_input(KIND.config({}), {"from": 3, "to": 4}) == {"from": 3, "to": 4}


# --- the chain in the aggregate --------------------------------------------------------------


def test_aggregate_has_nodes_links_layout_and_checks(app, make_chain):
    ws_id, act_id, n = make_chain()
    with app.test_request_context():
        a = agg(act_id)
        assert {x["id"] for x in a["nodes"]} == set(n.values())
        assert {(lk["from"], lk["to"]) for lk in a["links"]} == {(n["change"], n["e1"]), (n["e1"], n["b1"])}
        layout = a["layout"]
        by_id = {b["id"]: b for b in layout["nodes"]}
        assert by_id[n["change"]]["column"] == "forandring" and by_id[n["b1"]]["column"] == "nytta"
        assert by_id[n["g1"]]["column"] == "genomforandekostnad"
        assert next(c for c in layout["columns"] if c["key"] == "genomforandekostnad")["aside"] is True
        assert len(layout["edges"]) == 2
        # The consequence cost does not trace back to an effect: a check says so.
        assert [(c["code"], c["node_id"]) for c in a["checks"]] == [("no_effect", n["k1"])]


def test_hidden_and_merged_items_leave_the_chain(app, make_chain):
    ws_id, act_id, n = make_chain()
    with app.test_request_context():
        op(ws_id, "node.update", id=n["g1"], data={"status": "hidden"})
        op(ws_id, "node.merge", id=n["e2"], target=n["e1"])
        ids = {x["id"] for x in agg(act_id)["nodes"]}
        assert n["g1"] not in ids and n["e2"] not in ids and n["e1"] in ids


def test_empty_state_without_analysis(ctx):
    a = KIND.aggregate(KIND.config({}), [])
    assert a["nodes"] == [] and a["links"] == [] and a["proposals"] == [] and a["has_analysis"] is False
    assert [c["key"] for c in a["layout"]["columns"]] == ["forandring", "effekt", "nytta"]


def test_phone_content_lists_items_and_links(app, make_chain):
    ws_id, act_id, n = make_chain()
    with app.test_request_context():
        res = results_for(db.session.get(Activity, act_id))
        assert res["phone"]["aggregate"] is None
        c = res["phone"]["content"]
        assert {x["id"]: x["node_type"] for x in c["nodes"]}[n["e1"]] == "effekt"
        assert {(lk["from"], lk["to"]) for lk in c["links"]} == {(n["change"], n["e1"]), (n["e1"], n["b1"])}
        act = db.session.get(Activity, act_id)
        assert (
            KIND.phone_content(act, KIND.config({"show_chain": False}), draft_snapshot(act.workshop_id))["links"] == []
        )


# --- proposals -------------------------------------------------------------------------------


def test_proposals_are_counted_per_link_and_accepted_ones_disappear(app, make_chain):
    ws_id, act_id, n = make_chain()
    with app.test_request_context():
        p, q, r = join(ws_id), join(ws_id), join(ws_id)
        propose(p, act_id, n["e2"], n["b1"])
        propose(q, act_id, n["e2"], n["b1"])
        propose(p, act_id, n["e2"], n["b1"])  # the same again from p: still one
        propose(r, act_id, n["change"], n["e2"])
        props = agg(act_id)["proposals"]
        assert [(x["from"], x["to"], x["count"]) for x in props] == [(n["e2"], n["b1"], 2), (n["change"], n["e2"], 1)]
        assert agg(act_id)["open_proposals"] == 2
        op(ws_id, "link.add", **{"from": n["e2"], "to": n["b1"]})
        assert [(x["from"], x["to"]) for x in agg(act_id)["proposals"]] == [(n["change"], n["e2"])]
        current = db.session.query(Response).filter_by(activity_id=act_id, participant_id=p.id, current=True).count()
        assert current == 1


def test_dismissed_proposals_leave_the_list(app, make_chain):
    ws_id, act_id, n = make_chain()
    with app.test_request_context():
        rid = propose(join(ws_id), act_id, n["e2"], n["b1"]).response_id
        moderate(db.session.get(Activity, act_id), rid, "hide")
        assert agg(act_id)["proposals"] == []


def test_a_proposal_to_a_node_of_another_analysis_is_refused(app, make_chain):
    ws_id, act_id, n = make_chain()
    other_ws, _other_act, other = make_chain()
    with app.test_request_context():
        p = join(ws_id)
        for a, b in [(n["e1"], other["b1"]), (other["e1"], n["b1"]), (n["e1"], 99999)]:
            with pytest.raises(InputError) as exc:
                propose(p, act_id, a, b)
            assert exc.value.code == "unknown_item"
        assert db.session.query(Response).filter_by(activity_id=act_id).count() == 0


def test_self_links_existing_links_and_hidden_items_are_refused(app, make_chain):
    ws_id, act_id, n = make_chain()
    with app.test_request_context():
        p = join(ws_id)
        with pytest.raises(InputError):
            propose(p, act_id, n["e1"], n["e1"])
        with pytest.raises(InputError) as exc:
            propose(p, act_id, n["e1"], n["b1"])
        assert exc.value.code == "exists"
        op(ws_id, "node.update", id=n["k1"], data={"status": "hidden"})
        with pytest.raises(InputError):
            propose(p, act_id, n["e1"], n["k1"])


def test_proposals_follow_merges(app, make_chain):
    ws_id, act_id, n = make_chain()
    with app.test_request_context():
        extra = op(ws_id, "node.add", data={"node_type": "effekt", "title": "Snabbare insatser (dubblett)"})["id"]
        propose(join(ws_id), act_id, extra, n["k1"])
        op(ws_id, "node.merge", id=extra, target=n["e2"])
        assert [(x["from"], x["to"]) for x in agg(act_id)["proposals"]] == [(n["e2"], n["k1"])]
        # Proposing the merged item now stands for its target.
        stored = propose(join(ws_id), act_id, extra, n["b1"])
        assert db.session.get(Response, stored.response_id).data == {"from": n["e2"], "to": n["b1"]}


def test_proposal_limit(app, make_chain):
    ws_id, act_id, n = make_chain(max_proposals=2)
    with app.test_request_context():
        p = join(ws_id)
        propose(p, act_id, n["e2"], n["b1"])
        propose(p, act_id, n["e2"], n["k1"])
        propose(p, act_id, n["e2"], n["k1"])  # repeating one is no new proposal
        with pytest.raises(InputError) as exc:
            propose(p, act_id, n["change"], n["e2"])
        assert exc.value.code == "limit"


def test_the_same_client_id_twice_counts_once(app, make_chain):
    ws_id, act_id, n = make_chain()
    with app.test_request_context():
        p = join(ws_id)
        first = propose(p, act_id, n["e2"], n["b1"], client_id="same")
        again = propose(p, act_id, n["e2"], n["b1"], client_id="same")
        assert again.duplicate and again.response_id == first.response_id
        assert db.session.query(Response).filter_by(activity_id=act_id).count() == 1


def test_csv(app, make_chain):
    ws_id, act_id, n = make_chain()
    with app.test_request_context():
        propose(join(ws_id), act_id, n["e2"], n["b1"])
        row = load_rows(db.session.get(Activity, act_id))[0]
        cfg = KIND.config({})
        assert KIND.csv_header(cfg) == ["from_id", "from", "to_id", "to"]
        assert KIND.csv_cells(cfg, row) == [n["e2"], "Snabbare insatser", n["b1"], "Frigjord arbetstid"]


def test_every_js_string_the_module_uses_exists(ctx):
    source = (ROOT / "static/js/kinds/effect_chain.js").read_text(encoding="utf-8")
    source += (ROOT / "static/js/chain_svg.js").read_text(encoding="utf-8")
    used = set(re.findall(r'"effect_chain\.([a-z_]+)"', source))
    assert used, "the JS module reads its strings through t('effect_chain.…')"
    assert used <= set(KIND.js_strings)
