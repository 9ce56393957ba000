"""Step 2 · Hitta effekterna: every effect becomes a draft node; dot voting; the wall reads the draft."""

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

ROOT = Path(__file__).resolve().parents[2]
KIND = get_kind("effects")


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield


@pytest.fixture
def make_effects(app, make_workshop):
    def make(**config):
        ws_id, _code, ids = make_workshop(activities=[("effects", "Hitta effekterna", config)], mode="self_paced")
        return ws_id, ids[0]

    return make


def join(ws_id: int, nickname: str = "") -> Participant:
    p = Participant(workshop_id=ws_id, token=secrets.token_urlsafe(24), nickname=nickname)
    db.session.add(p)
    db.session.commit()
    return p


def analysis(ws_id: int):
    from workshop.draft.service import analysis_for

    return analysis_for(db.session.get(Workshop, ws_id), create=False)


def draft(ws_id: int) -> dict:
    from workshop.draft.serialize import analysis_dict

    return analysis_dict(analysis(ws_id), with_result=False)


def op(ws_id: int, name: str, **args):
    from workshop.draft.ops import apply

    return apply(db.session.get(Workshop, ws_id), name, args)


def add(p, act_id, text="Kortare väntetid", client_id=None, **extra):
    payload = {"text": text, "polarity": "positive", **extra}
    return submit(p, act_id, client_id or secrets.token_hex(8), payload)


def dot(p, act_id, node, on=True):
    return submit(p, act_id, secrets.token_hex(8), {"action": "dot", "node": node, "on": on})


def agg(act_id: int) -> dict:
    return results_for(db.session.get(Activity, act_id))["console"]["aggregate"]


# --- settings ------------------------------------------------------------------------------


def test_defaults(ctx):
    assert KIND.default_config() == {
        "max_entries": 10,
        "ask_cause": True,
        "group_by": "polarity",
        "dot_votes": 0,
        # The method's workshop advice, off unless chosen.
        "rounds": False,
        "round": "positive",
        "dots_phase": False,
        "dots_open": False,
        "dots_open_at": "",
    }
    assert KIND.answer_mode == "custom" and KIND.uses_draft is True
    assert KIND.results_hidden_default is False
    assert {f.name for f in KIND.config_fields} == {
        "max_entries",
        "ask_cause",
        "group_by",
        "dot_votes",
        "rounds",
        "dots_phase",
        "dots_open_at",
    }


@pytest.mark.parametrize(
    "bad", [{"max_entries": 0}, {"dot_votes": 11}, {"dot_votes": -1}, {"group_by": "colour"}, {"extra": 1}]
)
def test_bad_settings_are_refused(ctx, bad):
    with pytest.raises(InputError):
        KIND.validate_config(bad)


def test_group_by_accepts_the_swedish_words_from_the_settings_form(ctx):
    assert KIND.validate_config({"group_by": " Perspektiv "})["group_by"] == "perspective"
    assert KIND.validate_config({"group_by": "polaritet"})["group_by"] == "polarity"


# --- input validation ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "payload",
    [
        {"text": "", "polarity": "positive"},
        {"text": "   ", "polarity": "positive"},
        {"text": "x" * 201, "polarity": "positive"},
        {"text": "Effekt"},  # polarity is required
        {"text": "Effekt", "polarity": "neutral"},
        {"text": "Effekt", "polarity": "positive", "cause": "x" * 301},
        {"text": "Effekt", "polarity": "positive", "author": "Anna"},
        {"text": 5, "polarity": "positive"},
        {"action": "vote", "node": 1, "on": True},
        {"action": "dot", "node": "1", "on": True},
        {"action": "dot", "node": 1},
        "Effekt",
    ],
)
def test_invalid_inputs_are_refused(ctx, payload):
    with pytest.raises(InputError):
        KIND.validate_input(KIND.config({}), payload)


def test_valid_input_is_cleaned(ctx):
    data = KIND.validate_input(
        KIND.config({}), {"text": "  Färre\n resor ", "cause": " Digitala möten ", "polarity": "negative"}
    )
    assert data == {
        "action": "add",
        "text": "Färre resor",
        "cause": "Digitala möten",
        "perspective": "",
        "polarity": "negative",
    }


# --- into the draft -------------------------------------------------------------------------


def test_an_effect_from_a_phone_becomes_a_node_with_its_fields(app, make_effects):
    ws_id, act_id = make_effects()
    with app.test_request_context():
        op(ws_id, "frame.update", data={"perspectives": [{"kind": "invanare", "label": "Brukare i hemtjänsten"}]})
        p = join(ws_id, "Anna")
        stored = add(
            p,
            act_id,
            "Brukaren behöver inte lämna ut nyckel",
            cause="Digitala lås",
            perspective="Brukare i hemtjänsten",
            polarity="positive",
        )
        assert not stored.duplicate
        nodes = [n for n in draft(ws_id)["nodes"] if n["node_type"] == "effekt"]
        assert len(nodes) == 1
        n = nodes[0]
        assert (n["title"], n["cause"], n["perspective"], n["polarity"]) == (
            "Brukaren behöver inte lämna ut nyckel",
            "Digitala lås",
            "Brukare i hemtjänsten",
            "positive",
        )
        node = analysis(ws_id).nodes[0]
        assert node.source_response_id == stored.response_id
        assert stored.changed_draft is True


def test_the_same_client_id_twice_makes_one_node(app, make_effects):
    ws_id, act_id = make_effects()
    with app.test_request_context():
        p = join(ws_id)
        first = add(p, act_id, "Färre resor", client_id="same-id")
        again = add(p, act_id, "Färre resor", client_id="same-id")
        assert again.duplicate and again.response_id == first.response_id
        assert len(analysis(ws_id).nodes) == 1
        assert db.session.query(Response).filter_by(activity_id=act_id).count() == 1


def test_perspective_must_be_one_of_the_analysis(app, make_effects):
    ws_id, act_id = make_effects()
    with app.test_request_context():
        p = join(ws_id)
        with pytest.raises(InputError) as exc:
            add(p, act_id, perspective="Någon annan")
        assert exc.value.fields.get("perspective")
        assert analysis(ws_id).nodes == []


def test_entry_limit_counts_effects_not_dots(app, make_effects):
    ws_id, act_id = make_effects(max_entries=2, dot_votes=3)
    with app.test_request_context():
        p = join(ws_id)
        add(p, act_id, "Ett")
        add(p, act_id, "Två")
        with pytest.raises(InputError) as exc:
            add(p, act_id, "Tre")
        assert exc.value.code == "limit"
        assert len(analysis(ws_id).nodes) == 2
        # Dots are no effects: still allowed.
        dot(p, act_id, analysis(ws_id).nodes[0].id)
        # Someone else still has all their entries.
        add(join(ws_id), act_id, "Tre")
        assert len(analysis(ws_id).nodes) == 3


def test_refused_effect_stores_nothing(app, make_effects):
    ws_id, act_id = make_effects()
    with app.test_request_context():
        with pytest.raises(InputError):
            submit(join(ws_id), act_id, "x", {"text": "", "polarity": "positive"})
        assert db.session.query(Response).filter_by(activity_id=act_id).count() == 0
        assert analysis(ws_id).nodes == []


# --- the wall ---------------------------------------------------------------------------------


def test_aggregate_reads_the_draft_with_facilitator_edits(app, make_effects):
    ws_id, act_id = make_effects()
    with app.test_request_context():
        p = join(ws_id)
        add(p, act_id, "Färre resor")
        add(p, act_id, "Färre resor!")
        add(p, act_id, "Mer stress", polarity="negative")
        ids = [n.id for n in analysis(ws_id).nodes]
        own = op(
            ws_id, "node.add", data={"node_type": "effekt", "title": "Lägre bränslekostnad", "polarity": "positive"}
        )["id"]
        op(ws_id, "node.add", data={"node_type": "nytta", "title": "Inte en effekt"})
        op(ws_id, "node.update", id=ids[0], data={"title": "Färre resor med bil", "perspective": ""})
        op(ws_id, "node.merge", id=ids[1], target=ids[0])
        op(ws_id, "node.update", id=ids[2], data={"status": "hidden"})
        a = agg(act_id)
        assert [(e["id"], e["title"]) for e in a["effects"]] == [
            (ids[0], "Färre resor med bil"),
            (own, "Lägre bränslekostnad"),
        ]
        assert a["effects"][0]["response_id"] is not None and a["effects"][1]["response_id"] is None
        assert a["total"] == 2 and a["group_by"] == "polarity"


def test_empty_state_without_analysis(ctx):
    a = KIND.aggregate(KIND.config({}), [])
    assert a["effects"] == [] and a["total"] == 0


def test_results_and_phone_content_name_no_one(app, make_effects):
    ws_id, act_id = make_effects(dot_votes=2)
    with app.test_request_context():
        add(join(ws_id, "Hemliga Hanna"), act_id, "Färre resor")
        res = results_for(db.session.get(Activity, act_id))
        assert "Hemliga Hanna" not in repr(res["screen"]) and "Hemliga Hanna" not in repr(res["phone"])
        assert res["console"]["items"][0]["nickname"] == "Hemliga Hanna"
        content = res["phone"]["content"]
        assert [e["title"] for e in content["effects"]] == ["Färre resor"]
        assert res["phone"]["aggregate"] is None  # phones see the wall once revealed


def test_phone_content_lists_effects_only_with_dots_on(app, make_effects):
    ws_id, act_id = make_effects()
    with app.test_request_context():
        op(ws_id, "frame.update", data={"perspectives": [{"kind": "egen_organisation", "label": "Solstad kommun"}]})
        add(join(ws_id), act_id, "Färre resor")
        content = KIND.phone_content(
            db.session.get(Activity, act_id),
            KIND.config({}),
            draft_snapshot(db.session.get(Activity, act_id).workshop_id),
        )
        assert content == {"perspectives": ["Solstad kommun"], "effects": []}


# --- dot voting ------------------------------------------------------------------------------


def test_dots_are_off_by_default(app, make_effects):
    ws_id, act_id = make_effects()
    with app.test_request_context():
        p = join(ws_id)
        add(p, act_id)
        with pytest.raises(InputError) as exc:
            dot(p, act_id, analysis(ws_id).nodes[0].id)
        assert exc.value.code == "dots_off"


def test_dot_limit_one_per_effect_and_take_back(app, make_effects):
    ws_id, act_id = make_effects(dot_votes=2)
    with app.test_request_context():
        p, q = join(ws_id), join(ws_id)
        for text in ("Ett", "Två", "Tre"):
            add(p, act_id, text)
        e1, e2, e3 = [n.id for n in analysis(ws_id).nodes]
        dot(p, act_id, e1)
        dot(p, act_id, e1)  # one dot per effect: the same again stays one
        dot(p, act_id, e2)
        with pytest.raises(InputError) as exc:
            dot(p, act_id, e3)
        assert exc.value.code == "limit"
        dot(p, act_id, e1, on=False)
        dot(p, act_id, e3)
        dot(q, act_id, e3)
        counts = {e["id"]: e["dots"] for e in agg(act_id)["effects"]}
        assert counts == {e1: 0, e2: 1, e3: 2}
        assert agg(act_id)["dot_voters"] == 2 and agg(act_id)["dots"] == 3
        # Only the participant's latest row per effect is current.
        current = db.session.query(Response).filter_by(activity_id=act_id, participant_id=p.id, current=True).all()
        assert sorted(r.data.get("node") for r in current if "node" in r.data) == [e1, e2, e3]


def test_dots_follow_merges_and_hidden_effects_free_a_dot(app, make_effects):
    ws_id, act_id = make_effects(dot_votes=2)
    with app.test_request_context():
        p = join(ws_id)
        for text in ("Ett", "Ett igen", "Två", "Tre"):
            add(p, act_id, text)
        e1, e1b, e2, e3 = [n.id for n in analysis(ws_id).nodes]
        dot(p, act_id, e1)
        dot(p, act_id, e1b)
        op(ws_id, "node.merge", id=e1b, target=e1)
        assert {e["id"]: e["dots"] for e in agg(act_id)["effects"]}[e1] == 1  # one participant, one dot
        # The two dots now sit on one effect: one is free again.
        dot(p, act_id, e2)
        # Taking back the dot on e1 takes back the one placed on e1b too.
        dot(p, act_id, e1, on=False)
        assert {e["id"]: e["dots"] for e in agg(act_id)["effects"]}[e1] == 0
        op(ws_id, "node.update", id=e2, data={"status": "hidden"})
        dot(p, act_id, e3)
        with pytest.raises(InputError):
            dot(p, act_id, e2)  # hidden: cannot take a dot


def test_dot_on_a_node_of_another_kind_or_workshop_is_refused(app, make_effects):
    ws_id, act_id = make_effects(dot_votes=3)
    other_ws, other_act = make_effects(dot_votes=3)
    with app.test_request_context():
        add(join(other_ws), other_act, "Annan workshop")
        foreign = analysis(other_ws).nodes[0].id
        benefit = op(ws_id, "node.add", data={"node_type": "nytta", "title": "Nytta"})["id"]
        p = join(ws_id)
        for node in (foreign, benefit, 99999):
            with pytest.raises(InputError):
                dot(p, act_id, node)


def test_responders_count_effects_and_placed_dots(app, make_effects):
    ws_id, act_id = make_effects(dot_votes=1)
    with app.test_request_context():
        p, q, r = join(ws_id), join(ws_id), join(ws_id)
        add(p, act_id)
        node = analysis(ws_id).nodes[0].id
        dot(q, act_id, node)
        dot(r, act_id, node)
        dot(r, act_id, node, on=False)
        assert results_for(db.session.get(Activity, act_id))["console"]["responders"] == 2


# --- CSV, strings ----------------------------------------------------------------------------


def test_csv(app, make_effects):
    from workshop.responses import load_rows

    ws_id, act_id = make_effects(dot_votes=1)
    with app.test_request_context():
        p = join(ws_id)
        add(p, act_id, "Färre resor", cause="Video", polarity="positive")
        dot(p, act_id, analysis(ws_id).nodes[0].id)
        cfg = KIND.config({})
        rows = load_rows(db.session.get(Activity, act_id))
        assert KIND.csv_header(cfg) == ["type", "effect", "cause", "for_whom", "polarity", "node", "dot"]
        assert KIND.csv_cells(cfg, rows[0]) == ["effect", "Färre resor", "Video", "", "positive", "", ""]
        assert KIND.csv_cells(cfg, rows[1])[0] == "dot" and KIND.csv_cells(cfg, rows[1])[-1] == "yes"


def test_every_js_string_the_module_uses_exists(ctx):
    source = (ROOT / "static/js/kinds/effects.js").read_text(encoding="utf-8")
    used = set(re.findall(r'"effects\.([a-z_]+)"', source))
    assert used, "the JS module reads its strings through t('effects.…')"
    assert used <= set(KIND.js_strings)
