"""100 points: settings, budget checks, totals/means/shares, replace and retries."""

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

KIND = get_kind("points")
ROOT = Path(__file__).resolve().parents[2]
OPTIONS = ["Gång- och cykelväg", "Belysning", "Lekplats"]


@pytest.fixture
def ctx(app):
    with app.test_request_context("/?lang=en"):
        yield


@pytest.fixture
def make_points(make_workshop):
    def make(options=OPTIONS, budget=100):
        ws_id, _code, (act_id,) = make_workshop(
            activities=[("points", "Fördela 100 poäng", {"options": list(options), "budget": budget})]
        )
        return ws_id, act_id

    return make


def join(ws_id: int) -> Participant:
    p = Participant(workshop_id=ws_id, token=secrets.token_urlsafe(24))
    db.session.add(p)
    db.session.commit()
    return p


def cfg(options=OPTIONS, budget=100):
    return KIND.config(KIND.validate_config({"options": list(options), "budget": budget}))


def rows(*allocations) -> list[Row]:
    return [Row(id=i, participant_id=i, data={"points": a}) for i, a in enumerate(allocations, 1)]


def console_aggregate(act_id: int) -> dict:
    return results_for(db.session.get(Activity, act_id))["console"]["aggregate"]


# --- settings ------------------------------------------------------------------------------


def test_kind_rules(ctx):
    assert KIND.answer_mode == "replace"
    assert KIND.results_hidden_default is True
    assert KIND.phone_results == "on_reveal"
    assert {f.name: f.type for f in KIND.config_fields} == {"options": "lines", "budget": "int"}


def test_default_config_is_valid(ctx):
    default = KIND.default_config()
    assert default == {"options": ["Option 1", "Option 2", "Option 3"], "budget": 100}
    assert KIND.validate_config(default) == default


def test_budget_defaults_to_100(ctx):
    assert KIND.validate_config({"options": ["A", "B"]})["budget"] == 100


@pytest.mark.parametrize("budget", [10, 100, 1000])
def test_config_accepts_budgets_from_10_to_1000(ctx, budget):
    assert KIND.validate_config({"options": ["A", "B"], "budget": budget})["budget"] == budget


def test_config_accepts_up_to_12_options(ctx):
    assert len(KIND.validate_config({"options": [f"Alt {i}" for i in range(12)]})["options"]) == 12


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"options": ["A", "B"], "budget": 9}, "budget"),
        ({"options": ["A", "B"], "budget": 1001}, "budget"),
        ({"options": ["A", "B"], "budget": "100"}, "budget"),
        ({"options": ["A", "B"], "budget": True}, "budget"),
        ({"options": ["A", "B"], "budget": 100.0}, "budget"),
        ({"options": ["A"]}, "options"),
        ({"options": [f"Alt {i}" for i in range(13)]}, "options"),
        ({"options": ["A", "x" * 121]}, "options.1"),
        ({"options": ["", "B"]}, "options.0"),
        ({"options": ["A", "B"], "min": 5}, "min"),
    ],
)
def test_config_refuses_bad_settings(ctx, payload, field):
    with pytest.raises(InputError) as err:
        KIND.validate_config(payload)
    assert field in err.value.fields


def test_config_refuses_the_same_option_twice(ctx):
    with pytest.raises(InputError) as err:
        KIND.validate_config({"options": ["Belysning", "BELYSNING"]})
    assert "options" in err.value.fields


# --- input ---------------------------------------------------------------------------------


@pytest.mark.parametrize("points", [[50, 30, 20], [100, 0, 0], [0, 0, 1], [10, 5, 0]])
def test_input_accepts_allocations_within_the_budget(ctx, points):
    assert KIND.validate_input(cfg(), {"points": points}) == {"points": points}


@pytest.mark.parametrize(
    "payload",
    [
        {"points": [50, 50]},  # too few
        {"points": [25, 25, 25, 25]},  # too many
        {"points": [0, 0, 0]},  # nothing given
        {"points": [-10, 60, 50]},
        {"points": [True, 0, 0]},
        {"points": [50.0, 30, 20]},
        {"points": [12.5, 30, 20]},
        {"points": ["50", 30, 20]},
        {"points": [None, 30, 20]},
        {"points": [[50], 30, 20]},
        {"points": [1001, 0, 0]},
        {"points": "50,30,20"},
        {"points": {"0": 50}},
        {},
        {"points": [50, 30, 20], "note": "hej"},
    ],
)
def test_input_refuses_bad_payloads(ctx, payload):
    with pytest.raises(InputError) as err:
        KIND.validate_input(cfg(), payload)
    assert err.value.code == "invalid"
    assert err.value.message


@pytest.mark.parametrize("points", [[50, 30, 21], [100, 1, 0], [101, 0, 0], [1000, 0, 0]])
def test_over_budget_is_refused_with_its_own_code(ctx, points):
    with pytest.raises(InputError) as err:
        KIND.validate_input(cfg(), {"points": points})
    assert err.value.code == "over_budget"
    assert err.value.message == f"You have given {sum(points)} points but only 100 are available."


def test_budget_comes_from_the_settings(ctx):
    assert KIND.validate_input(cfg(budget=1000), {"points": [600, 300, 100]}) == {"points": [600, 300, 100]}
    with pytest.raises(InputError):
        KIND.validate_input(cfg(budget=10), {"points": [6, 3, 2]})


def test_messages_name_the_problem(ctx):
    with pytest.raises(InputError) as err:
        KIND.validate_input(cfg(), {"points": [50, 50]})
    assert err.value.message == "Give one number for each of the 3 options."
    with pytest.raises(InputError) as err:
        KIND.validate_input(cfg(), {"points": [0, 0, 0]})
    assert err.value.message == "Give at least one point."
    with pytest.raises(InputError) as err:
        KIND.validate_input(cfg(), {"points": [1, -1, 0]})
    assert err.value.fields == {"points.1": "Must be at least 0."}


# --- aggregation ---------------------------------------------------------------------------


def test_totals_means_and_shares(ctx):
    agg = KIND.aggregate(cfg(), rows([50, 30, 20], [100, 0, 0], [0, 60, 40], [10, 0, 0]))
    assert agg["totals"] == [160, 90, 60]
    assert agg["participants"] == 4
    assert agg["given"] == 310
    assert agg["means"] == [40.0, 22.5, 15.0]
    assert agg["shares"] == [51.6, 29.0, 19.4]  # 160/310, 90/310, 60/310
    assert agg["options"] == OPTIONS
    assert agg["budget"] == 100


def test_means_round_to_two_decimals(ctx):
    agg = KIND.aggregate(cfg(), rows([10, 0, 0], [0, 0, 5], [0, 0, 5]))
    assert agg["means"] == [3.33, 0.0, 3.33]
    assert agg["shares"] == [50.0, 0.0, 50.0]


def test_aggregate_without_answers(ctx):
    agg = KIND.aggregate(cfg(), [])
    assert agg["totals"] == [0, 0, 0]
    assert agg["means"] == [None, None, None]
    assert agg["shares"] == [0.0, 0.0, 0.0]
    assert agg["participants"] == 0


def test_answers_to_an_older_option_list_are_left_out(ctx):
    agg = KIND.aggregate(cfg(), rows([60, 40], [20, 20, 20], [True, 0, 0], "junk", [-5, 5, 5]))
    assert agg["participants"] == 1
    assert agg["totals"] == [20, 20, 20]


def test_csv(ctx):
    config = cfg()
    assert KIND.csv_header(config) == [f"points: {o}" for o in OPTIONS]
    assert KIND.csv_cells(config, rows([70, 0, 30])[0]) == [70, 0, 30]
    assert KIND.csv_cells(config, rows([70, 30])[0]) == ["", "", ""]


# --- through submit -----------------------------------------------------------------------


def test_changed_allocation_replaces_the_earlier_one(app, make_points):
    ws_id, act_id = make_points()
    with app.test_request_context("/?lang=en"):
        anna, bo = join(ws_id), join(ws_id)
        submit(anna, act_id, "a1", {"points": [100, 0, 0]})
        submit(bo, act_id, "b1", {"points": [20, 40, 40]})
        submit(anna, act_id, "a2", {"points": [0, 50, 50]})
        agg = console_aggregate(act_id)
        assert agg["participants"] == 2
        assert agg["totals"] == [20, 90, 90]
        assert agg["means"] == [10.0, 45.0, 45.0]


def test_same_client_id_twice_counts_once(app, make_points):
    ws_id, act_id = make_points()
    with app.test_request_context("/?lang=en"):
        p = join(ws_id)
        first = submit(p, act_id, "same", {"points": [40, 40, 20]})
        again = submit(p, act_id, "same", {"points": [40, 40, 20]})
        assert again.duplicate and again.response_id == first.response_id
        assert db.session.query(Response).filter_by(activity_id=act_id).count() == 1
        agg = console_aggregate(act_id)
        assert agg["participants"] == 1
        assert agg["totals"] == [40, 40, 20]


def test_over_budget_through_submit_stores_nothing(app, make_points):
    ws_id, act_id = make_points(budget=50)
    with app.test_request_context("/?lang=en"):
        p = join(ws_id)
        with pytest.raises(InputError) as err:
            submit(p, act_id, "x", {"points": [30, 30, 0]})
        assert err.value.code == "over_budget"
        assert db.session.query(Response).filter_by(activity_id=act_id).count() == 0


def test_every_js_string_the_module_uses_exists(ctx):
    source = (ROOT / "static/js/kinds/points.js").read_text(encoding="utf-8")
    used = set(re.findall(r'"points\.([a-z_]+)"', source))
    assert used, "the JS module reads its strings through t('points.…')"
    assert used <= set(KIND.js_strings)
