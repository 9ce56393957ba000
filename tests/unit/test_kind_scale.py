"""Scale: settings, strict input validation, mean/median/distribution, replace and retries."""

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
from workshop.workshops import add_activity

KIND = get_kind("scale")
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def ctx(app):
    with app.test_request_context("/?lang=en"):
        yield


@pytest.fixture
def make_scale(make_workshop):
    def make(**config):
        cfg = {"max": 5, "label_low": "Instämmer inte alls", "label_high": "Instämmer helt", **config}
        _ws_id, _code, (act_id,) = make_workshop(activities=[("scale", "Metoden är lätt att använda", cfg)])
        return _ws_id, act_id

    return make


def join(ws_id: int) -> Participant:
    p = Participant(workshop_id=ws_id, token=secrets.token_urlsafe(24))
    db.session.add(p)
    db.session.commit()
    return p


def cfg(**over):
    return KIND.config(KIND.validate_config({"max": 5, "label_low": "Låg", "label_high": "Hög", **over}))


def rows(*values) -> list[Row]:
    return [Row(id=i, participant_id=i, data={"value": v}) for i, v in enumerate(values, 1)]


def console_aggregate(act_id: int) -> dict:
    return results_for(db.session.get(Activity, act_id))["console"]["aggregate"]


# --- settings ------------------------------------------------------------------------------


def test_kind_rules(ctx):
    assert KIND.answer_mode == "replace"
    assert KIND.results_hidden_default is True
    assert KIND.phone_results == "on_reveal"
    assert {f.name: f.type for f in KIND.config_fields} == {"max": "int", "label_low": "text", "label_high": "text"}


def test_default_config_is_valid_and_labelled(ctx):
    default = KIND.default_config()
    assert default["max"] == 5
    assert default["label_low"] and default["label_high"]
    assert KIND.validate_config(default) == default


def test_new_activity_starts_with_hidden_results(app, make_workshop):
    ws_id, _code, _ids = make_workshop()
    with app.test_request_context("/?lang=en"):
        from workshop.models import Workshop

        act = add_activity(db.session.get(Workshop, ws_id), "scale")
        assert act.results_hidden is True
        assert act.config == KIND.default_config()


@pytest.mark.parametrize("top", [2, 7, 10])
def test_config_accepts_range_of_steps(ctx, top):
    assert KIND.validate_config({"max": top, "label_low": "", "label_high": ""})["max"] == top


def test_config_labels_are_trimmed_and_may_be_60_characters(ctx):
    out = KIND.validate_config({"max": 5, "label_low": "  Inte alls ", "label_high": "x" * 60})
    assert out["label_low"] == "Inte alls"
    assert len(out["label_high"]) == 60


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"max": 1}, "max"),
        ({"max": 11}, "max"),
        ({"max": "5"}, "max"),
        ({"max": True}, "max"),
        ({"max": 5.0}, "max"),
        ({"max": 5, "label_low": "x" * 61}, "label_low"),
        ({"max": 5, "label_high": 3}, "label_high"),
        ({"max": 5, "colour": "red"}, "colour"),
    ],
)
def test_config_refuses_bad_settings(ctx, payload, field):
    with pytest.raises(InputError) as err:
        KIND.validate_config(payload)
    assert field in err.value.fields


# --- input ---------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [1, 3, 5])
def test_input_accepts_values_on_the_scale(ctx, value):
    assert KIND.validate_input(cfg(), {"value": value}) == {"value": value}


@pytest.mark.parametrize(
    "payload",
    [
        {"value": True},
        {"value": False},
        {"value": 3.0},
        {"value": 2.5},
        {"value": "3"},
        {"value": None},
        {"value": [3]},
        {"value": 0},
        {"value": -1},
        {"value": 11},
        {},
        {"value": 3, "extra": 1},
        {"val": 3},
    ],
)
def test_input_refuses_bad_payloads(ctx, payload):
    with pytest.raises(InputError) as err:
        KIND.validate_input(cfg(), payload)
    assert err.value.code == "invalid"
    assert err.value.message


@pytest.mark.parametrize("payload", [None, [3], "3", 3])
def test_input_must_be_an_object(ctx, payload):
    with pytest.raises(InputError) as err:
        KIND.validate_input(cfg(), payload)
    assert err.value.message == "The input must be an object."


def test_value_above_the_configured_top_is_refused_with_the_range(ctx):
    with pytest.raises(InputError) as err:
        KIND.validate_input(cfg(max=5), {"value": 6})
    assert err.value.message == "Choose a value from 1 to 5."
    assert err.value.fields == {"value": "Choose a value from 1 to 5."}
    assert KIND.validate_input(cfg(max=7), {"value": 6}) == {"value": 6}


def test_messages_name_the_problem(ctx):
    with pytest.raises(InputError) as err:
        KIND.validate_input(cfg(), {"value": 3, "extra": 1})
    assert err.value.fields == {"extra": "Unknown field."}
    with pytest.raises(InputError) as err:
        KIND.validate_input(cfg(), {"value": True})
    assert err.value.fields == {"value": "Must be a number."}
    with pytest.raises(InputError) as err:
        KIND.validate_input(cfg(), {})
    assert err.value.fields == {"value": "This field is required."}


# --- aggregation ---------------------------------------------------------------------------


def test_aggregate_even_count(ctx):
    agg = KIND.aggregate(cfg(), rows(1, 2, 2, 5))
    assert agg["distribution"] == [1, 2, 0, 0, 1]
    assert agg["count"] == 4
    assert agg["mean"] == 2.5
    assert agg["median"] == 2.0
    assert agg["max"] == 5
    assert (agg["label_low"], agg["label_high"]) == ("Låg", "Hög")


def test_aggregate_odd_count_rounds_mean_to_two_decimals(ctx):
    agg = KIND.aggregate(cfg(), rows(1, 3, 4))  # 8 / 3 = 2.666…
    assert agg["mean"] == 2.67
    assert agg["median"] == 3.0


def test_mean_rounds_half_up(ctx):
    agg = KIND.aggregate(cfg(), rows(1, 1, 1, 1, 1, 1, 1, 2))  # 9 / 8 = 1.125
    assert agg["mean"] == 1.13
    assert agg["median"] == 1.0


def test_median_between_two_middle_values(ctx):
    assert KIND.aggregate(cfg(max=10), rows(2, 3, 8, 10))["median"] == 5.5


def test_aggregate_without_answers(ctx):
    agg = KIND.aggregate(cfg(max=4), [])
    assert agg == {
        "max": 4,
        "label_low": "Låg",
        "label_high": "Hög",
        "distribution": [0, 0, 0, 0],
        "count": 0,
        "mean": None,
        "median": None,
    }


def test_answers_outside_a_shortened_scale_are_left_out(ctx):
    # Given on a 1–7 scale, then the facilitator changed it to 1–5.
    agg = KIND.aggregate(cfg(max=5), rows(7, 5, 3, True, "4"))
    assert agg["distribution"] == [0, 0, 1, 0, 1]
    assert agg["count"] == 2
    assert agg["mean"] == 4.0


def test_csv(ctx):
    assert KIND.csv_header(cfg()) == ["value"]
    assert KIND.csv_cells(cfg(), rows(4)[0]) == [4]


# --- through submit -----------------------------------------------------------------------


def test_changed_answer_replaces_the_earlier_one(app, make_scale):
    ws_id, act_id = make_scale()
    with app.test_request_context("/?lang=en"):
        anna, bo = join(ws_id), join(ws_id)
        submit(anna, act_id, "a1", {"value": 2})
        submit(bo, act_id, "b1", {"value": 4})
        assert console_aggregate(act_id)["mean"] == 3.0
        submit(anna, act_id, "a2", {"value": 5})
        agg = console_aggregate(act_id)
        assert agg["count"] == 2
        assert agg["distribution"] == [0, 0, 0, 1, 1]
        assert agg["mean"] == 4.5
        # The earlier answer is kept for the record but no longer current.
        assert db.session.query(Response).filter_by(activity_id=act_id, participant_id=anna.id).count() == 2


def test_same_client_id_twice_counts_once(app, make_scale):
    ws_id, act_id = make_scale()
    with app.test_request_context("/?lang=en"):
        p = join(ws_id)
        first = submit(p, act_id, "same-id", {"value": 3})
        again = submit(p, act_id, "same-id", {"value": 3})
        assert (first.duplicate, again.duplicate) == (False, True)
        assert again.response_id == first.response_id
        # Even a different payload under the same id is the stored answer, not a new one.
        other = submit(p, act_id, "same-id", {"value": 1})
        assert other.duplicate and other.data == {"value": 3}
        agg = console_aggregate(act_id)
        assert agg["count"] == 1
        assert agg["distribution"] == [0, 0, 1, 0, 0]


def test_refused_input_stores_nothing(app, make_scale):
    ws_id, act_id = make_scale(max=4)
    with app.test_request_context("/?lang=en"):
        p = join(ws_id)
        with pytest.raises(InputError):
            submit(p, act_id, "x1", {"value": 5})
        assert db.session.query(Response).filter_by(activity_id=act_id).count() == 0


def test_results_hidden_from_screen_and_phones_until_revealed(app, make_scale):
    ws_id, act_id = make_scale()
    with app.test_request_context("/?lang=en"):
        submit(join(ws_id), act_id, "a1", {"value": 2})
        act = db.session.get(Activity, act_id)
        res = results_for(act)
        assert res["screen"]["aggregate"] is None and res["phone"]["aggregate"] is None
        act.revealed = True
        db.session.commit()
        res = results_for(act)
        assert res["screen"]["aggregate"]["count"] == 1
        assert res["phone"]["aggregate"]["mean"] == 2.0


def test_every_js_string_the_module_uses_exists(ctx):
    source = (ROOT / "static/js/kinds/scale.js").read_text(encoding="utf-8")
    used = set(re.findall(r'"scale\.([a-z_]+)"', source))
    assert used, "the JS module reads its strings through t('scale.…')"
    assert used <= set(KIND.js_strings)
