"""Follow-up "Har det hänt?": one current answer per phone and benefit, counts and the spread
of the realised figures per benefit, bad answers refused with nothing stored."""

from __future__ import annotations

import re
import secrets
from pathlib import Path

import pytest

from workshop.activities import InputError, get_kind
from workshop.extensions import db
from workshop.inputs import submit
from workshop.models import Activity, Participant, Response
from workshop.realtime.payloads import results_for

KIND = get_kind("followup_check")
ROOT = Path(__file__).resolve().parents[2]
CONFIG = {
    "items": ["Frigjord tid i hemtjänsten", "Tryggare brukare"],
    "item_ids": ["12", "14"],
    "units": ["kr det året", ""],
    "version": 1,
}


@pytest.fixture
def act(app, make_workshop):
    ws_id, _code, (act_id,) = make_workshop(activities=[("followup_check", "Har det hänt?", CONFIG)])
    return ws_id, act_id


def join(ws_id: int) -> Participant:
    p = Participant(workshop_id=ws_id, token=secrets.token_urlsafe(24))
    db.session.add(p)
    db.session.commit()
    return p


def aggregate(act_id: int) -> dict:
    return results_for(db.session.get(Activity, act_id))["console"]["aggregate"]


def test_answers_per_benefit_replace_the_phones_earlier_one(app, act):
    ws_id, act_id = act
    with app.test_request_context("/?lang=sv"):
        phones = [join(ws_id) for _ in range(4)]
        submit(phones[0], act_id, "a1", {"item": 0, "happened": "partly", "value": "500 000", "source": "Ekonomi"})
        submit(phones[0], act_id, "a2", {"item": 0, "happened": "yes", "value": "520 000,5"})
        submit(phones[1], act_id, "b1", {"item": 0, "happened": "yes", "value": 480000})
        submit(phones[2], act_id, "c1", {"item": 0, "happened": "no", "value": 100000})
        submit(phones[3], act_id, "d1", {"item": 1, "happened": "unknown"})
        agg = aggregate(act_id)
        first, second = agg["items"]
        assert first["counts"] == {"yes": 2, "partly": 0, "no": 1, "unknown": 0}
        assert first["answers"] == 3 and first["item_id"] == "12" and first["unit"] == "kr det året"
        assert first["spread"]["median"] == 480000 and first["spread"]["n"] == 3
        assert first["sources"] == []  # the phone's later answer had no source
        assert second["counts"]["unknown"] == 1 and second["spread"] is None
        assert agg["version"] == 1


@pytest.mark.parametrize(
    "payload",
    [
        {"item": 2, "happened": "yes"},  # no such benefit
        {"item": 0, "happened": "maybe"},
        {"item": 0, "happened": "yes", "value": "mycket"},
        {"item": 0, "happened": "yes", "value": float("inf")},
        {"item": 0},
        {"item": "0", "happened": "yes"},
        {"item": 0, "happened": "yes", "source": "x" * 301},
    ],
)
def test_a_bad_answer_is_refused_and_nothing_is_stored(app, act, payload):
    ws_id, act_id = act
    with app.test_request_context("/?lang=sv"):
        p = join(ws_id)
        with pytest.raises(InputError):
            submit(p, act_id, "x", payload)
        assert db.session.query(Response).filter_by(activity_id=act_id).count() == 0


def test_a_resent_answer_counts_once(app, act):
    ws_id, act_id = act
    with app.test_request_context("/?lang=sv"):
        p = join(ws_id)
        first = submit(p, act_id, "same", {"item": 0, "happened": "yes"})
        again = submit(p, act_id, "same", {"item": 0, "happened": "yes"})
        assert again.duplicate and again.response_id == first.response_id
        assert aggregate(act_id)["items"][0]["answers"] == 1


def test_every_js_string_the_module_uses_exists(app):
    source = (ROOT / "static/js/kinds/followup_check.js").read_text(encoding="utf-8")
    used = set(re.findall(r'"followup_check\.([a-z_]+)"', source)) | set(
        re.findall(r"`followup_check\.\$\{h\}`", source) and ["yes", "partly", "no", "unknown"]
    )
    assert used, "the JS module reads its strings through t('followup_check.…')"
    assert used <= set(KIND.js_strings)
