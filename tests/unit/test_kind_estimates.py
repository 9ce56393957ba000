"""Step 7 Samla data: estimates per calculation row and round, proposals, the spread."""

from __future__ import annotations

import secrets

import pytest

from workshop.activities import InputError, get_kind
from workshop.extensions import db
from workshop.inputs import submit
from workshop.models import Activity, Participant, Response, Workshop
from workshop.realtime import fastjson
from workshop.realtime.payloads import results_for
from workshop.responses import load_rows, own_responses

KIND = get_kind("estimates")


def op(ws, name, **args):
    from workshop.draft.ops import apply

    return apply(ws, name, args)


@pytest.fixture
def room(app, make_workshop):
    """A live workshop whose current activity is 'estimates', with one block of two rows."""
    ws_id, _code, ids = make_workshop(activities=[("estimates", "Samla data", None)])
    with app.test_request_context():
        ws = db.session.get(Workshop, ws_id)
        node = op(
            ws,
            "node.add",
            data={"node_type": "nytta", "title": "Färre resor", "category": "omfordelning", "valuation": "money"},
        )["id"]
        visits = op(
            ws,
            "row.add",
            node_id=node,
            data={"name": "besok", "label": "Hur många hembesök per dag?", "unit": "besök/dag"},
        )["id"]
        minutes = op(
            ws, "row.add", node_id=node, data={"name": "minuter", "label": "Minuter sparade per besök?", "unit": "min"}
        )["id"]
        yield {"ws": ws, "act_id": ids[0], "node": node, "visits": visits, "minutes": minutes}


def join(ws_id: int, nickname: str = "") -> Participant:
    p = Participant(workshop_id=ws_id, token=secrets.token_urlsafe(24), nickname=nickname)
    db.session.add(p)
    db.session.commit()
    return p


def send(p, act_id, **payload):
    return submit(p, act_id, secrets.token_hex(8), payload)


def agg(act_id: int) -> dict:
    act = db.session.get(Activity, act_id)
    return results_for(act)["console"]["aggregate"]


def row_of(aggregate: dict, row_id: int) -> dict:
    return next(r for r in aggregate["rows"] if r["id"] == row_id)


def configure(act_id: int, **patch):
    act = db.session.get(Activity, act_id)
    act.config = KIND.validate_config({**KIND.config(act.config).model_dump(), **patch})
    db.session.commit()


# --- settings ------------------------------------------------------------------------------


def test_defaults(room):
    assert KIND.default_config() == {
        "rows": [],
        "round": 1,
        "focus": None,
        "suggest_range": False,
        "three_point": [],
    }
    assert KIND.answer_mode == "custom" and KIND.uses_draft
    assert KIND.results_hidden_default is True and KIND.phone_results == "on_reveal"
    act = db.session.get(Activity, room["act_id"])
    assert act.results_hidden is True


@pytest.mark.parametrize(
    "bad", [{"round": 3}, {"round": 0}, {"rows": ["1"]}, {"focus": 0}, {"extra": 1}, {"three_point": [0]}]
)
def test_bad_settings_are_refused(room, bad):
    with pytest.raises(InputError):
        KIND.validate_config(bad)


# --- validation ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("1 700,5", 1700.5),
        ("0,5", 0.5),
        ("1\u00a0700", 1700),
        ("1\u202f700", 1700),
        (" 400 ", 400),
        ("-30", -30),
        ("\u221230", -30),
        (400, 400),
        (2.5, 2.5),
        (-12, -12),
        ("1.5", 1.5),
    ],
)
def test_numbers_the_swedish_way(room, raw, expected):
    data = KIND.validate_input(KIND.config({}), {"row": 1, "accept": False, "value": raw})
    assert data["value"] == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "  ",
        "fyra",
        "1,5,5",
        "nan",
        "inf",
        "1e400",
        "0x10",
        "1e3",
        "--1",
        1e13,
        -1e13,
        float("nan"),
        float("inf"),
        True,
    ],
)
def test_bad_numbers_are_refused(room, raw):
    with pytest.raises(InputError) as err:
        KIND.validate_input(KIND.config({}), {"row": 1, "accept": False, "value": raw})
    assert err.value.code == "invalid"


def test_value_required_when_not_accepting(room):
    with pytest.raises(InputError) as err:
        KIND.validate_input(KIND.config({}), {"row": 1, "accept": False})
    assert "value" in err.value.fields
    with pytest.raises(InputError):
        KIND.validate_input(KIND.config({}), {"row": 1, "accept": False, "value": None})


def test_accepting_takes_no_own_value_and_texts_are_limited(room):
    cfg = KIND.config({})
    assert KIND.validate_input(cfg, {"row": 1, "accept": True})["value"] is None
    with pytest.raises(InputError):
        KIND.validate_input(cfg, {"row": 1, "accept": True, "value": 5})
    with pytest.raises(InputError):
        KIND.validate_input(cfg, {"row": 1, "accept": False, "value": 5, "source": "x" * 301})
    with pytest.raises(InputError):
        KIND.validate_input(cfg, {"row": 1, "accept": False, "value": 5, "reason": "x" * 301})
    with pytest.raises(InputError):
        KIND.validate_input(cfg, {"row": 1, "accept": False, "value": 5, "comment": "?"})
    with pytest.raises(InputError):
        KIND.validate_input(cfg, {"row": "1", "accept": False, "value": 5})


# --- storing -------------------------------------------------------------------------------


def test_one_current_estimate_per_row_and_round(room):
    p = join(room["ws"].id)
    send(p, room["act_id"], row=room["visits"], accept=False, value="300")
    send(p, room["act_id"], row=room["visits"], accept=False, value="350", source="Planeringssystemet")
    send(p, room["act_id"], row=room["minutes"], accept=False, value="5")
    a = agg(room["act_id"])
    assert row_of(a, room["visits"])["spread"]["values"] == [350]
    assert row_of(a, room["minutes"])["spread"]["values"] == [5]
    current = db.session.query(Response).filter_by(participant_id=p.id, current=True).all()
    assert len(current) == 2
    assert db.session.query(Response).filter_by(participant_id=p.id).count() == 3
    mine = own_responses(p)[room["act_id"]]
    assert sorted(m["data"]["value"] for m in mine) == [5, 350]


def test_retry_with_the_same_client_id_counts_once(room):
    p = join(room["ws"].id)
    first = submit(p, room["act_id"], "c-1", {"row": room["visits"], "accept": False, "value": 300})
    again = submit(p, room["act_id"], "c-1", {"row": room["visits"], "accept": False, "value": 300})
    assert again.duplicate and again.response_id == first.response_id
    assert row_of(agg(room["act_id"]), room["visits"])["spread"]["n"] == 1


def test_accepted_proposal_counts_as_its_value(room):
    ws = room["ws"]
    a, b = join(ws.id), join(ws.id)
    with pytest.raises(InputError) as err:
        send(a, room["act_id"], row=room["visits"], accept=True)
    assert err.value.code == "no_proposal"
    op(ws, "row.update", id=room["visits"], data={"proposal": 400})
    stored = send(a, room["act_id"], row=room["visits"], accept=True)
    assert stored.data["value"] == 400 and stored.data["accepted"] is True and stored.data["proposal"] == 400
    send(b, room["act_id"], row=room["visits"], accept=False, value="500")
    r = row_of(agg(room["act_id"]), room["visits"])
    assert r["spread"]["values"] == [400, 500] and r["spread"]["accepted"] == 1
    assert r["proposal"] == 400 and r["spread"]["median"] == 450


def test_a_row_of_another_analysis_is_refused(room, make_workshop, app):
    other_id, _c, _ids = make_workshop(activities=[("estimates", "Andra", None)])
    other = db.session.get(Workshop, other_id)
    node = op(
        other, "node.add", data={"node_type": "nytta", "title": "Annat", "category": "finansiell", "valuation": "money"}
    )["id"]
    foreign = op(other, "row.add", node_id=node, data={"name": "antal", "label": "Antal?"})["id"]
    p = join(room["ws"].id)
    with pytest.raises(InputError) as err:
        send(p, room["act_id"], row=foreign, accept=False, value=1)
    assert err.value.code == "unknown_row"
    with pytest.raises(InputError):
        send(p, room["act_id"], row=999999, accept=False, value=1)
    assert db.session.query(Response).filter_by(participant_id=p.id).count() == 0


def test_only_the_chosen_rows_are_asked(room):
    configure(room["act_id"], rows=[room["minutes"]])
    p = join(room["ws"].id)
    with pytest.raises(InputError) as err:
        send(p, room["act_id"], row=room["visits"], accept=False, value=1)
    assert err.value.code == "unknown_row"
    send(p, room["act_id"], row=room["minutes"], accept=False, value=4)
    act = db.session.get(Activity, room["act_id"])
    content = results_for(act)["phone"]["content"]
    assert [r["id"] for r in content["rows"]] == [room["minutes"]]
    assert [r["id"] for r in agg(room["act_id"])["rows"]] == [room["minutes"]]


def test_round_two_answers_do_not_replace_round_one(room):
    ws = room["ws"]
    p, q = join(ws.id), join(ws.id)
    send(p, room["act_id"], row=room["visits"], accept=False, value=300)
    send(q, room["act_id"], row=room["visits"], accept=False, value=500)
    configure(room["act_id"], round=2)
    send(p, room["act_id"], row=room["visits"], accept=False, value=420)
    r = row_of(agg(room["act_id"]), room["visits"])
    assert r["spread"]["values"] == [420]
    assert r["previous"]["values"] == [300, 500] and r["previous"]["median"] == 400
    # A second round-2 answer replaces only the round-2 one.
    send(p, room["act_id"], row=room["visits"], accept=False, value=410)
    r = row_of(agg(room["act_id"]), room["visits"])
    assert r["spread"]["values"] == [410] and r["previous"]["values"] == [300, 500]
    rounds = sorted((m["data"]["round"], m["data"]["value"]) for m in own_responses(p)[room["act_id"]])
    assert rounds == [(1, 300), (2, 410)]
    # Phones see the round-1 spread while the results are still hidden.
    act = db.session.get(Activity, room["act_id"])
    phone = results_for(act)["phone"]
    assert phone["aggregate"] is None and phone["content"]["round"] == 2
    prev = next(x for x in phone["content"]["rows"] if x["id"] == room["visits"])["previous"]
    assert prev["median"] == 400 and prev["n"] == 2 and "values" not in prev


def test_phone_content_has_questions_units_and_proposals(room):
    op(room["ws"], "row.update", id=room["visits"], data={"proposal": 400})
    act = db.session.get(Activity, room["act_id"])
    content = results_for(act)["phone"]["content"]
    first = content["rows"][0]
    assert first == {
        "id": room["visits"],
        "node_id": room["node"],
        "item": "Färre resor",
        "item_type": "nytta",
        "label": "Hur många hembesök per dag?",
        "unit": "besök/dag",
        "proposal": 400,
        "three_point": False,
        "previous": None,
    }
    assert content["round"] == 1 and content["focus"] is None


def test_spread_and_suggestion_in_the_aggregate(room):
    ws = room["ws"]
    for v in (300, 400, 400, 500, 1200):
        send(join(ws.id), room["act_id"], row=room["visits"], accept=False, value=v)
    r = row_of(agg(room["act_id"]), room["visits"])
    s = r["spread"]
    assert (s["n"], s["min"], s["q1"], s["median"], s["q3"], s["max"]) == (5, 300, 400, 400, 500, 1200)
    assert (r["suggestion"]["low"], r["suggestion"]["likely"], r["suggestion"]["high"]) == (400, 400, 500)
    configure(room["act_id"], suggest_range=True)
    r = row_of(agg(room["act_id"]), room["visits"])
    assert (r["suggestion"]["low"], r["suggestion"]["high"]) == (300, 1200)


def test_phones_get_the_spread_they_draw_and_in_round_two_nothing_of_the_rooms_figures(room):
    """Every phone gets the results again with every change, on the room's network: of each
    question only what the phone draws (the spread), nothing of the suggestion, the sources
    or the draft's figures; in round 2 none of the room's new figures."""
    ws = room["ws"]
    for v in (300, 400, 500):
        send(join(ws.id), room["act_id"], row=room["visits"], accept=False, value=v, reason="Enligt loggen")
    act = db.session.get(Activity, room["act_id"])
    act.revealed = True
    db.session.commit()
    res = results_for(act)
    full, phone = row_of(res["screen"]["aggregate"], room["visits"]), row_of(res["phone"]["aggregate"], room["visits"])
    assert full["suggestion"] is not None and "label" in full and "source" in full
    assert set(phone) == {"id", "unit", "proposal", "three_point", "spread", "previous", "range", "previous_range"}
    assert phone["spread"] == full["spread"] and phone["spread"]["values"] == [300, 400, 500]
    assert len(fastjson.dumps(res["phone"]["aggregate"])) < len(fastjson.dumps(res["screen"]["aggregate"])) / 2

    configure(room["act_id"], round=2)
    send(join(ws.id), room["act_id"], row=room["visits"], accept=False, value=900)
    res = results_for(db.session.get(Activity, room["act_id"]))
    assert row_of(res["screen"]["aggregate"], room["visits"])["spread"]["values"] == [900]
    assert res["phone"]["visible"] and res["phone"]["aggregate"]["rows"] == []


def test_hidden_figures_do_not_count_and_the_aggregate_has_no_names(room):
    from workshop.responses import moderate

    ws = room["ws"]
    p = join(ws.id, "Anna")
    odd = send(p, room["act_id"], row=room["visits"], accept=False, value=100000, reason="skrev fel")
    send(join(ws.id, "Bo"), room["act_id"], row=room["visits"], accept=False, value=400)
    act = db.session.get(Activity, room["act_id"])
    moderate(act, odd.response_id, "hide")
    res = results_for(act)
    assert row_of(res["console"]["aggregate"], room["visits"])["spread"]["values"] == [400]
    assert "Anna" not in str(res["screen"]) and "skrev fel" not in str(res["screen"])
    items = {i["id"]: i for i in res["console"]["items"]}
    assert items[odd.response_id]["status"] == "hidden" and items[odd.response_id]["nickname"] == "Anna"
    assert items[odd.response_id]["reason"] == "skrev fel"


def test_facilitator_saves_values_from_the_console(room):
    """The console's form: lowest/likely/highest + source saved on the row through the draft."""
    op(
        room["ws"],
        "row.update",
        id=room["visits"],
        data={"low": "300", "likely": "400", "high": "1 200,5", "source": "Workshop"},
    )
    r = row_of(agg(room["act_id"]), room["visits"])
    assert (r["low"], r["likely"], r["high"], r["source"]) == (300, 400, 1200.5, "Workshop")


def test_no_draft_or_no_blocks_gives_an_empty_aggregate(app, make_workshop):
    ws_id, _c, ids = make_workshop(
        activities=[("multiple_choice", "Fråga", {"options": ["Ja", "Nej"], "multiple": False, "max_choices": 1})]
    )
    with app.test_request_context():
        from workshop import workshops as core

        ws = db.session.get(Workshop, ws_id)
        act = core.add_activity(ws, "estimates", "Samla data")
        a = results_for(act)["console"]["aggregate"]
        assert a["empty"] is True and a["rows"] == []
        p = join(ws_id)
        ws.mode = "self_paced"
        db.session.commit()
        with pytest.raises(InputError):
            send(p, act.id, row=1, accept=False, value=1)


def test_csv_cells(room):
    p = join(room["ws"].id)
    send(p, room["act_id"], row=room["visits"], accept=False, value="350", source="Systemet", reason="Snitt")
    act = db.session.get(Activity, room["act_id"])
    cfg = KIND.config(act.config)
    row = load_rows(act)[0]
    cells = dict(zip(KIND.csv_header(cfg), KIND.csv_cells(cfg, row)))
    assert cells["question"] == "Hur många hembesök per dag?" and cells["value"] == 350
    assert cells["round"] == 1 and cells["source"] == "Systemet" and cells["accepted_proposal"] == "no"


def test_js_strings_cover_what_the_module_uses():
    import re
    from pathlib import Path

    js = (Path(__file__).resolve().parents[2] / "static/js/kinds/estimates.js").read_text()
    used = set(re.findall(r't\("estimates\.([a-z_0-9.]+)"', js))
    assert used and used <= set(KIND.js_strings)


# --- three-point estimates (lowest / likely / highest per phone) -------------------------------


def three(**payload) -> dict:
    return KIND.validate_input(KIND.config({}), {"row": 1, "accept": False, **payload})


def test_three_point_figures_the_swedish_way():
    data = three(low="387,5", value="400", high="1 412,5")
    assert (data["low"], data["value"], data["high"]) == (387.5, 400, 1412.5)
    # Equal figures are in order; a single figure has no lowest or highest.
    assert three(low=5, value=5, high=5)["low"] == 5
    single = three(value="400")
    assert single["low"] is None and single["high"] is None
    assert three(value="400", low="", high=" ")["low"] is None


@pytest.mark.parametrize(
    "payload,field",
    [
        ({"low": "500", "value": "400", "high": "600"}, "low"),
        ({"low": "300", "value": "400", "high": "399,5"}, "high"),
        ({"low": "300", "value": "400"}, "high"),
        ({"value": "400", "high": "600"}, "low"),
        ({"low": "tre", "value": "400", "high": "600"}, "low"),
        ({"low": "300", "value": "400", "high": "1e400"}, "high"),
        ({"low": "300", "value": "400", "high": 1e13}, "high"),
    ],
)
def test_three_point_order_and_figures_are_checked(payload, field):
    with pytest.raises(InputError) as err:
        three(**payload)
    assert err.value.code == "invalid" and field in err.value.fields


def test_three_point_order_error_speaks_swedish(app):
    with app.test_request_context(headers={"Accept-Language": "sv"}):
        from flask_babel import refresh

        refresh()
        with pytest.raises(InputError) as err:
            three(low="500", value="400", high="600")
        assert "Lägsta" in err.value.message or "lägsta" in err.value.message, err.value.message


def test_taking_the_proposal_with_a_range_is_refused():
    with pytest.raises(InputError) as err:
        KIND.validate_input(KIND.config({}), {"row": 1, "accept": True, "low": 1, "high": 2})
    assert err.value.code == "invalid"


def test_a_three_point_row_needs_three_figures_and_stores_them(room):
    configure(room["act_id"], three_point=[room["visits"]])
    op(room["ws"], "row.update", id=room["visits"], data={"proposal": 400})
    p = join(room["ws"].id)
    for payload in ({"accept": False, "value": 400}, {"accept": True}):
        with pytest.raises(InputError) as err:
            send(p, room["act_id"], row=room["visits"], **payload)
        assert err.value.code == "three_point" and "low" in err.value.fields
    stored = send(p, room["act_id"], row=room["visits"], accept=False, low="300", value="400", high="550,5")
    assert (stored.data["low"], stored.data["value"], stored.data["high"]) == (300, 400, 550.5)
    # The other row still takes one figure.
    single = send(p, room["act_id"], row=room["minutes"], accept=False, value=5)
    assert single.data["low"] is None and single.data["high"] is None
    act = db.session.get(Activity, room["act_id"])
    content = {r["id"]: r for r in results_for(act)["phone"]["content"]["rows"]}
    assert content[room["visits"]]["three_point"] is True and content[room["minutes"]]["three_point"] is False


def test_three_point_aggregate_range_and_proposal(room):
    configure(room["act_id"], three_point=[room["visits"]])
    for lo, mid, hi in ((300, 400, 600), (350, 500, 700), (100, 420, 900)):
        send(join(room["ws"].id), room["act_id"], row=room["visits"], accept=False, low=lo, value=mid, high=hi)
    r = row_of(agg(room["act_id"]), room["visits"])
    assert r["three_point"] is True
    assert r["spread"]["values"] == [400, 420, 500]
    assert r["range"]["n"] == 3
    assert r["range"]["low"]["values"] == [100, 300, 350] and r["range"]["high"]["values"] == [600, 700, 900]
    assert r["range"]["width"]["median"] == 350  # widths 300, 350, 800
    sug = r["suggestion"]
    assert (sug["low"], sug["likely"], sug["high"], sug["n"], sug["round"]) == (300, 420, 700, 3, 1)
    assert sug["method"] == "three_point" and sug["iqr"] == 50  # likely 400, 420, 500: Q1 410, Q3 460
    from datetime import date

    assert sug["date"] == date.today().isoformat()
    assert r["narrowing"] is None and r["previous_range"] is None
    configure(room["act_id"], suggest_range=True)
    sug = row_of(agg(room["act_id"]), room["visits"])["suggestion"]
    assert (sug["low"], sug["likely"], sug["high"], sug["method"]) == (100, 420, 900, "three_point_range")


def test_round_two_narrows_and_the_proposal_follows_it(room):
    ws = room["ws"]
    configure(room["act_id"], three_point=[room["visits"]])
    people = [join(ws.id) for _ in range(3)]
    round1 = ((100, 200, 400), (200, 400, 700), (300, 600, 1100))
    round2 = ((250, 380, 500), (300, 400, 560), (320, 420, 600))
    for p, (lo, mid, hi) in zip(people, round1):
        send(p, room["act_id"], row=room["visits"], accept=False, low=lo, value=mid, high=hi)
    configure(room["act_id"], round=2)
    # Before anyone answers again the proposal stays on round 1.
    r = row_of(agg(room["act_id"]), room["visits"])
    assert r["suggestion"]["round"] == 1 and r["suggestion"]["likely"] == 400
    assert r["narrowing"] is None and r["previous_range"]["n"] == 3
    # Phones see round 1's range in summary, not the single figures.
    act = db.session.get(Activity, room["act_id"])
    prev = next(x for x in results_for(act)["phone"]["content"]["rows"] if x["id"] == room["visits"])
    assert prev["previous_range"]["low"]["median"] == 200 and prev["previous_range"]["high"]["median"] == 700
    assert "values" not in prev["previous_range"]["low"]
    for p, (lo, mid, hi) in zip(people, round2):
        send(p, room["act_id"], row=room["visits"], accept=False, low=lo, value=mid, high=hi)
    r = row_of(agg(room["act_id"]), room["visits"])
    # Likely: 200, 400, 600 (IQR 200) → 380, 400, 420 (IQR 20). Widths: 300, 500, 800 (IQR 250)
    # → 250, 260, 280 (IQR 15).
    likely, width = r["narrowing"]["likely"], r["narrowing"]["width"]
    assert (likely["before"], likely["after"]) == (200, 20) and likely["change"] == pytest.approx(-0.9)
    assert (width["before"], width["after"]) == (250, 15) and width["change"] == pytest.approx(-0.94)
    sug = r["suggestion"]
    assert (sug["low"], sug["likely"], sug["high"], sug["round"], sug["n"]) == (300, 400, 560, 2, 3)
    assert sug["iqr"] == 20 and sug["iqr_round1"] == 200 and sug["n_round1"] == 3
    # Round 1's figures are kept as they were.
    assert r["previous"]["values"] == [200, 400, 600]


def test_single_figure_rows_show_the_narrowing_too(room):
    ws = room["ws"]
    p, q = join(ws.id), join(ws.id)
    send(p, room["act_id"], row=room["visits"], accept=False, value=300)
    send(q, room["act_id"], row=room["visits"], accept=False, value=500)
    configure(room["act_id"], round=2)
    assert row_of(agg(room["act_id"]), room["visits"])["narrowing"] is None
    send(p, room["act_id"], row=room["visits"], accept=False, value=390)
    send(q, room["act_id"], row=room["visits"], accept=False, value=410)
    n = row_of(agg(room["act_id"]), room["visits"])["narrowing"]
    assert n["width"] is None and (n["likely"]["before"], n["likely"]["after"]) == (100, 10)


def test_no_answers_no_proposal_and_the_adopted_figures_reach_the_draft(room):
    configure(room["act_id"], three_point=[room["visits"]])
    r = row_of(agg(room["act_id"]), room["visits"])
    assert r["suggestion"] is None and r["range"] is None and r["spread"] is None
    send(join(room["ws"].id), room["act_id"], row=room["visits"], accept=False, low="1,5", value="2", high="3,25")
    sug = row_of(agg(room["act_id"]), room["visits"])["suggestion"]
    assert (sug["low"], sug["likely"], sug["high"], sug["n"], sug["iqr"]) == (1.5, 2, 3.25, 1, 0)
    # Adopting is the draft's own row edit, with the source text the console writes.
    op(room["ws"], "row.update", id=room["visits"], data={"low": "1,5", "likely": "2", "high": "3,25", "source": "W"})
    r = row_of(agg(room["act_id"]), room["visits"])
    assert (r["low"], r["likely"], r["high"], r["source"]) == (1.5, 2, 3.25, "W")


def test_csv_has_lowest_and_highest(room):
    configure(room["act_id"], three_point=[room["visits"]])
    send(join(room["ws"].id), room["act_id"], row=room["visits"], accept=False, low=1, value=2, high=3)
    act = db.session.get(Activity, room["act_id"])
    cfg = KIND.config(act.config)
    cells = dict(zip(KIND.csv_header(cfg), KIND.csv_cells(cfg, load_rows(act)[0])))
    assert (cells["low"], cells["value"], cells["high"]) == (1, 2, 3)
