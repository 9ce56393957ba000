"""Step 2 with the method's workshop advice: rounds, one effect per note, no dots while
brainstorming, dot voting opening at a time, parked costs for step 6, merges keep every wording."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

import pytest

from workshop.activities import InputError, get_kind
from workshop.activities.effects import brainstorm_open, dots_open, several_effects
from workshop.extensions import db
from workshop.inputs import submit
from workshop.models import Activity, Participant, Workshop
from workshop.realtime.payloads import results_for

KIND = get_kind("effects")
QUESTIONS = get_kind("questions")


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield


@pytest.fixture
def make_effects(app, make_workshop):
    def make(**config):
        ws_id, _code, ids = make_workshop(
            activities=[("effects", "Hitta effekterna", config), ("questions", "Formulera frågor", {})],
            mode="self_paced",
        )
        return ws_id, ids[0], ids[1]

    return make


def join(ws_id: int, nickname: str = "") -> Participant:
    p = Participant(workshop_id=ws_id, token=secrets.token_urlsafe(24), nickname=nickname)
    db.session.add(p)
    db.session.commit()
    return p


def analysis(ws_id: int):
    from workshop.draft.service import analysis_for

    return analysis_for(db.session.get(Workshop, ws_id), create=False)


def op(ws_id: int, name: str, **args):
    from workshop.draft.ops import apply

    return apply(db.session.get(Workshop, ws_id), name, args)


def configure(act_id: int, **patch) -> None:
    """What the console's ``configure`` event does."""
    act = db.session.get(Activity, act_id)
    act.config = KIND.validate_config({**KIND.config(act.config).model_dump(), **patch})
    db.session.commit()


def add(p, act_id, text="Kortare väntetid", polarity="positive", **extra):
    return submit(p, act_id, secrets.token_hex(8), {"text": text, "polarity": polarity, **extra})


def park(p, act_id, text="Utbildning av personalen"):
    return submit(p, act_id, secrets.token_hex(8), {"action": "park", "text": text})


def dot(p, act_id, node, on=True):
    return submit(p, act_id, secrets.token_hex(8), {"action": "dot", "node": node, "on": on})


def results(act_id: int) -> dict:
    return results_for(db.session.get(Activity, act_id))


def agg(act_id: int) -> dict:
    return results(act_id)["console"]["aggregate"]


# --- settings ------------------------------------------------------------------------------


def test_without_the_protocol_the_kind_works_as_before(ctx):
    cfg = KIND.config({"dot_votes": 3})
    assert cfg.rounds is False and cfg.dots_phase is False
    # Dots on means dots open, alongside the brainstorm.
    assert dots_open(cfg) and brainstorm_open(cfg)
    assert not dots_open(KIND.config({}))


def test_the_editor_offers_the_protocol(ctx):
    types = {f.name: f.type for f in KIND.config_fields}
    assert types["rounds"] == "bool" and types["dots_phase"] == "bool" and types["dots_open_at"] == "datetime"


@pytest.mark.parametrize("bad", [{"round": "neutral"}, {"dots_open_at": "på fredag"}, {"dots_open_at": "2026-13-40"}])
def test_bad_protocol_settings_are_refused(ctx, bad):
    with pytest.raises(InputError):
        KIND.validate_config(bad)


def test_opening_time_is_read_in_the_local_zone_and_stored_as_utc(ctx):
    # The editor's datetime-local field: Stockholm time (winter: UTC+1).
    assert KIND.validate_config({"dots_open_at": "2026-12-07T09:00"})["dots_open_at"] == "2026-12-07T08:00:00Z"
    assert KIND.validate_config({"dots_open_at": "2026-12-07T08:00:00Z"})["dots_open_at"] == "2026-12-07T08:00:00Z"
    assert KIND.validate_config({"dots_open_at": " "})["dots_open_at"] == ""


# --- 1 rounds: positive first, a pause, then negative ----------------------------------------


def test_rounds_enforce_the_polarity_of_the_round(app, make_effects):
    ws_id, act_id, _q = make_effects(rounds=True)
    with app.test_request_context():
        p = join(ws_id)
        add(p, act_id, "Färre resor", "positive")
        with pytest.raises(InputError) as exc:
            add(p, act_id, "Mer stress", "negative")
        assert exc.value.code == "wrong_round" and exc.value.fields.get("polarity")
        configure(act_id, round="pause")
        with pytest.raises(InputError) as exc:
            add(p, act_id, "Färre resor igen", "positive")
        assert exc.value.code == "round_pause"
        configure(act_id, round="negative")
        with pytest.raises(InputError) as exc:
            add(p, act_id, "Bättre arbetsmiljö", "positive")
        assert exc.value.code == "wrong_round"
        add(p, act_id, "Mer stress", "negative")
        assert [(n.title, n.polarity) for n in analysis(ws_id).nodes] == [
            ("Färre resor", "positive"),
            ("Mer stress", "negative"),
        ]
        a = agg(act_id)
        assert a["rounds"] is True and a["round"] == "negative"


def test_without_rounds_both_polarities_are_taken_whatever_the_round_says(app, make_effects):
    ws_id, act_id, _q = make_effects(round="negative")
    with app.test_request_context():
        p = join(ws_id)
        add(p, act_id, "Färre resor", "positive")
        add(p, act_id, "Mer stress", "negative")
        assert len(analysis(ws_id).nodes) == 2
        assert agg(act_id)["round"] is None


# --- 2 one effect per note --------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Färre resor och mindre stress",
        "Färre resor samt kortare köer",
        "Färre resor. Mindre stress.",
        "Färre resor; mindre stress",
        "- färre resor - mindre stress",
        "1. färre resor 2. mindre stress",
    ],
)
def test_several_effects_in_one_note_are_spotted(text):
    assert several_effects(text)


@pytest.mark.parametrize(
    "text",
    [
        "Färre resor",
        "Kortare väntetid för brukaren",
        "Mindre stress för personalen.",
        "Ökad trygghet",
        "Färre resor, t.ex. till kontoret",
        "Kortare köer (ca. 5 min per besök)",
    ],
)
def test_one_effect_is_not_flagged(text):
    assert not several_effects(text)


def test_the_phone_applies_the_same_rule():
    from pathlib import Path

    from workshop.activities.effects import _JOINERS, _LIST, _SENTENCES

    source = (Path(__file__).resolve().parents[2] / "static/js/kinds/effects.js").read_text(encoding="utf-8")
    for rule in (_JOINERS, _SENTENCES, _LIST):
        assert f"/{rule.pattern}/" in source


def test_a_note_with_several_effects_is_stored_and_marked_not_refused(app, make_effects):
    ws_id, act_id, _q = make_effects()
    with app.test_request_context():
        add(join(ws_id), act_id, "Färre resor och mindre stress")
        (e,) = agg(act_id)["effects"]
        assert e["title"] == "Färre resor och mindre stress" and e["several"] is True


# --- 3 no valuing while brainstorming -------------------------------------------------------------


def test_no_dots_counted_or_shown_while_brainstorming(app, make_effects):
    ws_id, act_id, _q = make_effects(dot_votes=3, dots_phase=True)
    with app.test_request_context():
        p = join(ws_id)
        add(p, act_id, "Ett")
        add(p, act_id, "Två")
        e1 = analysis(ws_id).nodes[0].id
        with pytest.raises(InputError) as exc:
            dot(p, act_id, e1)
        assert exc.value.code == "dots_off"
        # Open, vote, then back to the brainstorm: the votes are kept but no screen shows them.
        configure(act_id, dots_open=True)
        dot(p, act_id, analysis(ws_id).nodes[1].id)
        assert agg(act_id)["show_dots"] is True and agg(act_id)["dots"] == 1
        configure(act_id, dots_open=False)
        res = results(act_id)
        for audience in ("console", "screen"):
            a = res[audience]["aggregate"]
            assert a["phase"] == "brainstorm" and a["show_dots"] is False
            assert a["dot_votes"] == 0 and a["dots"] == 0 and a["dot_voters"] == 0
            assert all(e["dots"] == 0 for e in a["effects"])
            # The wall keeps the order the effects came in (no ranking).
            assert [e["title"] for e in a["effects"]] == ["Ett", "Två"]


def test_dot_voting_is_a_phase_of_its_own(app, make_effects):
    ws_id, act_id, _q = make_effects(dot_votes=2, dots_phase=True)
    with app.test_request_context():
        p = join(ws_id)
        add(p, act_id, "Ett")
        configure(act_id, dots_open=True)
        a = agg(act_id)
        assert a["phase"] == "dots" and a["dot_votes"] == 2
        with pytest.raises(InputError) as exc:
            add(p, act_id, "För sent")
        assert exc.value.code == "brainstorm_closed"
        with pytest.raises(InputError):
            park(p, act_id)
        dot(p, act_id, analysis(ws_id).nodes[0].id)
        assert agg(act_id)["effects"][0]["dots"] == 1


# --- 4 dot voting opens at a date and time ----------------------------------------------------------


def test_dot_voting_opens_at_the_time_set(ctx):
    at = datetime(2026, 12, 10, 8, 0, tzinfo=UTC)
    cfg = KIND.config(KIND.validate_config({"dot_votes": 3, "dots_phase": True, "dots_open_at": at.isoformat()}))
    assert not dots_open(cfg, at - timedelta(seconds=1)) and brainstorm_open(cfg, at - timedelta(seconds=1))
    assert dots_open(cfg, at) and not brainstorm_open(cfg, at)
    # No dots per participant: nothing opens.
    off = KIND.config(KIND.validate_config({"dot_votes": 0, "dots_phase": True, "dots_open_at": at.isoformat()}))
    assert not dots_open(off, at + timedelta(days=1))


def test_a_time_in_the_past_opens_dot_voting_and_phones_are_told_when(app, make_effects):
    ws_id, act_id, _q = make_effects(dot_votes=3, dots_phase=True, dots_open_at="2030-01-07T09:00")
    with app.test_request_context():
        p = join(ws_id)
        add(p, act_id, "Ett")
        node = analysis(ws_id).nodes[0].id
        with pytest.raises(InputError):
            dot(p, act_id, node)
        res = results(act_id)
        assert res["screen"]["aggregate"]["dots_open_at"] == "2030-01-07T08:00:00Z"
        # Phones have the list (without counts) for the moment it opens.
        assert [e["title"] for e in res["phone"]["content"]["effects"]] == ["Ett"]
        configure(act_id, dots_open_at=(datetime.now(UTC) - timedelta(minutes=1)).isoformat())
        dot(p, act_id, node)
        assert agg(act_id)["phase"] == "dots" and agg(act_id)["effects"][0]["dots"] == 1


def test_the_week_long_template_does_not_open_dots_on_day_one(app, facilitator):
    import json
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "workshop/template_library/effect_workshop_week.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    (effects,) = [a for a in doc["workshop"]["activities"] if a["kind"] == "effects"]
    with app.test_request_context():
        cfg = KIND.config(KIND.validate_config(effects["config"]))
        assert cfg.dot_votes > 0 and cfg.dots_phase is True
        assert not dots_open(cfg) and brainstorm_open(cfg)


# --- 5 costs of carrying out the change are parked for step 6 --------------------------------------------


def test_a_phone_parks_a_cost_and_step_6_picks_it_up(app, make_effects):
    ws_id, act_id, q_id = make_effects(rounds=True)
    with app.test_request_context():
        p = join(ws_id, "Anna")
        stored = park(p, act_id, "Licenskostnad för låsen")
        (node,) = analysis(ws_id).nodes
        assert (node.node_type, node.status, node.source_response_id) == (
            "genomforandekostnad",
            "parked",
            stored.response_id,
        )
        a = agg(act_id)
        assert a["effects"] == [] and [x["title"] for x in a["parked"]] == ["Licenskostnad för låsen"]
        assert results(act_id)["screen"]["aggregate"]["parked"][0]["title"] == "Licenskostnad för låsen"
        # Not counted, not an item of any step until confirmed.
        from workshop.draft.compute import compute

        assert compute(analysis(ws_id)).to_dict()["items"] == []
        q = results(q_id)["console"]["aggregate"]
        assert [c["title"] for c in q["parked"]] == ["Licenskostnad för låsen"] and q["items"] == []
        # The facilitator confirms it in step 6: a genomförandekostnad valued in money, with a block.
        op(
            ws_id,
            "node.update",
            id=node.id,
            data={"status": "visible", "category": "finansiell", "valuation": "money", "cost_kind": "running"},
        )
        q = results(q_id)["console"]["aggregate"]
        assert q["parked"] == [] and [i["title"] for i in q["items"]] == ["Licenskostnad för låsen"]
        assert agg(act_id)["parked"] == []


def test_the_facilitator_moves_an_effect_to_the_parking_list_and_back(app, make_effects):
    ws_id, act_id, q_id = make_effects()
    with app.test_request_context():
        add(join(ws_id), act_id, "Vi måste utbilda all personal", "negative")
        node = analysis(ws_id).nodes[0].id
        op(
            ws_id,
            "node.update",
            id=node,
            data={"node_type": "genomforandekostnad", "status": "parked", "polarity": None},
        )
        a = agg(act_id)
        assert a["effects"] == [] and [x["id"] for x in a["parked"]] == [node]
        assert [c["id"] for c in results(q_id)["console"]["aggregate"]["parked"]] == [node]
        op(ws_id, "node.update", id=node, data={"node_type": "effekt", "status": "visible", "polarity": "negative"})
        assert [e["id"] for e in agg(act_id)["effects"]] == [node] and agg(act_id)["parked"] == []


def test_parked_costs_count_as_notes_and_follow_the_round_rules(app, make_effects):
    ws_id, act_id, _q = make_effects(max_entries=1, rounds=True, round="pause")
    with app.test_request_context():
        p = join(ws_id)
        with pytest.raises(InputError) as exc:
            park(p, act_id)
        assert exc.value.code == "round_pause"
        configure(act_id, round="negative")
        park(p, act_id)  # a cost is taken in either round
        with pytest.raises(InputError) as exc:
            add(p, act_id, "Mer stress", "negative")
        assert exc.value.code == "limit"


def test_a_refused_park_stores_nothing(app, make_effects):
    ws_id, act_id, _q = make_effects()
    with app.test_request_context():
        with pytest.raises(InputError):
            submit(join(ws_id), act_id, "x", {"action": "park", "text": "  "})
        assert analysis(ws_id).nodes == []


# --- 6 merging keeps every wording ----------------------------------------------------------------------


def test_merge_keeps_both_authors_wording(app, make_effects):
    ws_id, act_id, _q = make_effects()
    with app.test_request_context():
        anna, bo = join(ws_id, "Anna"), join(ws_id, "Bo")
        first = add(anna, act_id, "Färre resor", cause="Digitala lås")
        second = add(bo, act_id, "Personalen slipper hämta nycklar", "negative", cause="Nyckelskåpet")
        a_id, b_id = [n.id for n in analysis(ws_id).nodes]
        op(ws_id, "node.merge", id=b_id, target=a_id)
        (e,) = agg(act_id)["effects"]
        assert e["title"] == "Färre resor" and e["cause"] == "Digitala lås"
        assert e["variants"] == [
            {
                "id": b_id,
                "title": "Personalen slipper hämta nycklar",
                "cause": "Nyckelskåpet",
                "perspective": "",
                "polarity": "negative",
                "response_id": second.response_id,
            }
        ]
        assert e["response_id"] == first.response_id
        # The draft page and the exports read the same wordings.
        from workshop.draft.report import build
        from workshop.draft.serialize import analysis_dict

        d = analysis_dict(analysis(ws_id), with_result=False)
        (node,) = [n for n in d["nodes"] if n["id"] == a_id]
        assert [v["title"] for v in node["variants"]] == ["Personalen slipper hämta nycklar"]
        report = build(db.session.get(Workshop, ws_id), analysis(ws_id))
        (effect,) = report["effects"]
        assert [v["title"] for v in effect["variants"]] == ["Personalen slipper hämta nycklar"]
        # The report (.docx) lists the merged wordings, with the judgement that differs.
        import io

        import docx

        from workshop.exports.docx import render

        doc = docx.Document(io.BytesIO(render(db.session.get(Workshop, ws_id), analysis(ws_id))))
        text = "\n".join(p.text for p in doc.paragraphs)
        assert "Färre resor — även formulerat: “Personalen slipper hämta nycklar” (negativ)" in text


def test_a_chain_of_merges_keeps_every_wording(app, make_effects):
    ws_id, act_id, _q = make_effects()
    with app.test_request_context():
        p = join(ws_id)
        for text in ("Ett", "Ett igen", "Ett en gång till"):
            add(p, act_id, text)
        e1, e2, e3 = [n.id for n in analysis(ws_id).nodes]
        op(ws_id, "node.merge", id=e3, target=e2)
        op(ws_id, "node.merge", id=e2, target=e1)
        (e,) = agg(act_id)["effects"]
        assert [v["title"] for v in e["variants"]] == ["Ett igen", "Ett en gång till"]


def test_the_editor_form_takes_the_opening_time_as_local_time(app, make_effects):
    from workshop.workshops import activity_form

    ws_id, act_id, _q = make_effects()
    with app.test_request_context():
        form = activity_form(
            KIND,
            {
                "title": "Hitta effekterna",
                "cfg_max_entries": "10",
                "cfg_ask_cause": "1",
                "cfg_group_by": "polarity",
                "cfg_dot_votes": "3",
                "cfg_dots_phase": "1",
                "cfg_dots_open_at": "2026-12-07T09:00",
            },
        )
        cfg = KIND.validate_config(form["config"])
        assert cfg["dots_phase"] is True and cfg["dots_open_at"] == "2026-12-07T08:00:00Z"
        # The editor shows it back in local time.
        from workshop.formatting import datetime_local

        assert datetime_local(cfg["dots_open_at"]) == "2026-12-07T09:00"
        with pytest.raises(InputError) as exc:
            KIND.validate_config({**form["config"], "dots_open_at": "imorgon"})
        assert exc.value.fields.get("dots_open_at")
