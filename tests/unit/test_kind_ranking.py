"""Ranking: settings, permutation checks, Borda scores and average ranks, replace and retries."""

from __future__ import annotations

import re
import secrets
from pathlib import Path

import pytest

from workshop.activities import InputError, get_kind
from workshop.activities.base import Row
from workshop.extensions import db
from workshop.inputs import submit
from workshop.models import Activity, Participant, Response
from workshop.realtime.payloads import results_for

KIND = get_kind("ranking")
ROOT = Path(__file__).resolve().parents[2]
OPTIONS = ["Trygghet", "Tillgänglighet", "Miljö"]


@pytest.fixture
def ctx(app):
    with app.test_request_context("/?lang=en"):
        yield


@pytest.fixture
def make_ranking(make_workshop):
    def make(options=OPTIONS):
        ws_id, _code, (act_id,) = make_workshop(
            activities=[("ranking", "Vad är viktigast?", {"options": list(options)})]
        )
        return ws_id, act_id

    return make


def join(ws_id: int) -> Participant:
    p = Participant(workshop_id=ws_id, token=secrets.token_urlsafe(24))
    db.session.add(p)
    db.session.commit()
    return p


def cfg(options=OPTIONS):
    return KIND.config(KIND.validate_config({"options": list(options)}))


def rows(*orders) -> list[Row]:
    return [Row(id=i, participant_id=i, data={"order": o}) for i, o in enumerate(orders, 1)]


def console_aggregate(act_id: int) -> dict:
    return results_for(db.session.get(Activity, act_id))["console"]["aggregate"]


def by_option(agg: dict) -> dict:
    return {item["option"]: item for item in agg["items"]}


# --- settings ------------------------------------------------------------------------------


def test_kind_rules(ctx):
    assert KIND.answer_mode == "replace"
    assert KIND.results_hidden_default is True
    assert KIND.phone_results == "on_reveal"
    assert {f.name: f.type for f in KIND.config_fields} == {"options": "lines"}


def test_default_config_is_valid(ctx):
    default = KIND.default_config()
    assert default == {"options": ["Option 1", "Option 2", "Option 3"]}
    assert KIND.validate_config(default) == default


def test_config_accepts_2_to_10_options_and_trims_them(ctx):
    assert KIND.validate_config({"options": [" A ", "B"]}) == {"options": ["A", "B"]}
    assert len(KIND.validate_config({"options": [f"Alt {i}" for i in range(10)]})["options"]) == 10
    assert KIND.validate_config({"options": ["x" * 120, "y"]})["options"][0] == "x" * 120


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"options": ["Bara en"]}, "options"),
        ({"options": [f"Alt {i}" for i in range(11)]}, "options"),
        ({"options": ["x" * 121, "y"]}, "options.0"),
        ({"options": ["A", "   "]}, "options.1"),
        ({"options": ["A", 2]}, "options.1"),
        ({"options": "A\nB"}, "options"),
        ({}, "options"),
        ({"options": ["A", "B"], "shuffle": True}, "shuffle"),
    ],
)
def test_config_refuses_bad_settings(ctx, payload, field):
    with pytest.raises(InputError) as err:
        KIND.validate_config(payload)
    assert field in err.value.fields


def test_config_refuses_the_same_option_twice(ctx):
    with pytest.raises(InputError) as err:
        KIND.validate_config({"options": ["Trygghet", "Miljö", " trygghet "]})
    assert "trygghet" in err.value.message
    assert "options" in err.value.fields


# --- input ---------------------------------------------------------------------------------


@pytest.mark.parametrize("order", [[0, 1, 2], [2, 0, 1], [1, 2, 0]])
def test_input_accepts_permutations(ctx, order):
    assert KIND.validate_input(cfg(), {"order": order}) == {"order": order}


@pytest.mark.parametrize(
    "payload",
    [
        {"order": [0, 1]},  # too short
        {"order": [0, 1, 2, 3]},  # too long
        {"order": [0, 0, 1]},  # duplicate
        {"order": [0, 1, 3]},  # unknown option
        {"order": [0, 1, 9]},
        {"order": [-1, 0, 1]},
        {"order": [0, 1, 10]},
        {"order": [True, False, 2]},
        {"order": [0.0, 1, 2]},
        {"order": ["0", "1", "2"]},
        {"order": "012"},
        {"order": [[0], 1, 2]},
        {"order": None},
        {"order": []},
        {},
        {"order": [0, 1, 2], "extra": 1},
        {"ranking": [0, 1, 2]},
    ],
)
def test_input_refuses_bad_payloads(ctx, payload):
    with pytest.raises(InputError) as err:
        KIND.validate_input(cfg(), payload)
    assert err.value.code == "invalid"
    assert err.value.message


def test_not_a_permutation_says_so(ctx):
    with pytest.raises(InputError) as err:
        KIND.validate_input(cfg(), {"order": [0, 0, 1]})
    assert err.value.message == "Each option must appear exactly once in the ranking."
    with pytest.raises(InputError) as err:
        KIND.validate_input(cfg(), {"order": [0, 1]})
    assert err.value.message == "Rank all 3 options."


def test_bool_is_not_an_index(ctx):
    with pytest.raises(InputError) as err:
        KIND.validate_input(cfg(["A", "B"]), {"order": [True, False]})
    assert err.value.fields == {"order.0": "Must be a number.", "order.1": "Must be a number."}


# --- aggregation ---------------------------------------------------------------------------


def test_borda_scores_and_average_ranks(ctx):
    # n = 3: first place 3 points, second 2, third 1.
    agg = KIND.aggregate(cfg(), rows([0, 1, 2], [1, 0, 2], [0, 2, 1]))
    items = by_option(agg)
    assert items["Trygghet"]["score"] == 3 + 2 + 3
    assert items["Tillgänglighet"]["score"] == 2 + 3 + 1
    assert items["Miljö"]["score"] == 1 + 1 + 2
    assert items["Trygghet"]["average_rank"] == 1.33  # (1 + 2 + 1) / 3
    assert items["Tillgänglighet"]["average_rank"] == 2.0  # (2 + 1 + 3) / 3
    assert items["Miljö"]["average_rank"] == 2.67  # (3 + 3 + 2) / 3
    assert [i["first"] for i in agg["items"]] == [2, 1, 0]
    assert agg["rankings"] == 3
    assert agg["max_score"] == 9


def test_items_sorted_by_score_keep_their_original_index(ctx):
    agg = KIND.aggregate(cfg(), rows([2, 0, 1], [2, 1, 0]))
    assert [(i["index"], i["option"], i["score"]) for i in agg["items"]] == [
        (2, "Miljö", 6),
        (0, "Trygghet", 3),
        (1, "Tillgänglighet", 3),
    ]
    assert [i["average_rank"] for i in agg["items"]] == [1.0, 2.5, 2.5]


def test_ties_keep_the_original_order(ctx):
    agg = KIND.aggregate(cfg(["A", "B"]), rows([1, 0], [0, 1]))
    assert [i["index"] for i in agg["items"]] == [0, 1]
    assert [i["score"] for i in agg["items"]] == [3, 3]


def test_aggregate_without_rankings(ctx):
    agg = KIND.aggregate(cfg(), [])
    assert agg["rankings"] == 0 and agg["max_score"] == 0
    assert [(i["index"], i["score"], i["average_rank"], i["first"]) for i in agg["items"]] == [
        (0, 0, None, 0),
        (1, 0, None, 0),
        (2, 0, None, 0),
    ]


def test_rankings_of_an_older_option_list_are_left_out(ctx):
    # Ranked when there were two options; the facilitator then added a third.
    agg = KIND.aggregate(cfg(), rows([1, 0], [0, 1, 2], [0, 1, 1], "junk", [True, 0, 2]))
    assert agg["rankings"] == 1
    assert by_option(agg)["Trygghet"]["score"] == 3


def test_csv(ctx):
    config = cfg()
    assert KIND.csv_header(config) == ["order", "rank: Trygghet", "rank: Tillgänglighet", "rank: Miljö"]
    assert KIND.csv_cells(config, rows([2, 0, 1])[0]) == ["Miljö > Trygghet > Tillgänglighet", 2, 3, 1]


# --- through submit -----------------------------------------------------------------------


def test_changed_ranking_replaces_the_earlier_one(app, make_ranking):
    ws_id, act_id = make_ranking()
    with app.test_request_context("/?lang=en"):
        p = join(ws_id)
        submit(p, act_id, "r1", {"order": [0, 1, 2]})
        assert by_option(console_aggregate(act_id))["Trygghet"]["score"] == 3
        submit(p, act_id, "r2", {"order": [2, 1, 0]})
        agg = console_aggregate(act_id)
        assert agg["rankings"] == 1
        assert [(i["option"], i["score"]) for i in agg["items"]] == [
            ("Miljö", 3),
            ("Tillgänglighet", 2),
            ("Trygghet", 1),
        ]


def test_two_participants_add_up(app, make_ranking):
    ws_id, act_id = make_ranking()
    with app.test_request_context("/?lang=en"):
        submit(join(ws_id), act_id, "a", {"order": [1, 0, 2]})
        submit(join(ws_id), act_id, "b", {"order": [1, 2, 0]})
        agg = console_aggregate(act_id)
        assert agg["rankings"] == 2
        assert agg["items"][0] == {"index": 1, "option": "Tillgänglighet", "score": 6, "average_rank": 1.0, "first": 2}


def test_same_client_id_twice_counts_once(app, make_ranking):
    ws_id, act_id = make_ranking()
    with app.test_request_context("/?lang=en"):
        p = join(ws_id)
        first = submit(p, act_id, "same", {"order": [0, 1, 2]})
        again = submit(p, act_id, "same", {"order": [0, 1, 2]})
        assert again.duplicate and again.response_id == first.response_id
        assert db.session.query(Response).filter_by(activity_id=act_id).count() == 1
        agg = console_aggregate(act_id)
        assert agg["rankings"] == 1
        assert agg["max_score"] == 3


def test_refused_ranking_stores_nothing(app, make_ranking):
    ws_id, act_id = make_ranking()
    with app.test_request_context("/?lang=en"):
        with pytest.raises(InputError):
            submit(join(ws_id), act_id, "x", {"order": [0, 1, 1]})
        assert db.session.query(Response).filter_by(activity_id=act_id).count() == 0


def test_every_js_string_the_module_uses_exists(ctx):
    source = (ROOT / "static/js/kinds/ranking.js").read_text(encoding="utf-8")
    used = set(re.findall(r'"ranking\.([a-z_]+)"', source))
    assert used, "the JS module reads its strings through t('ranking.…')"
    assert used <= set(KIND.js_strings)
