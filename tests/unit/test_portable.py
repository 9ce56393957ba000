"""The JSON document: templates load, and export → import → export is exact."""

import json

import pytest

from workshop import portable


@pytest.fixture
def user(app, facilitator):
    from workshop.extensions import db
    from workshop.models import User

    with app.test_request_context():
        yield db.session.get(User, facilitator)


def test_every_template_in_the_library_loads(user):
    keys = [t["key"] for t in portable.library()]
    assert {
        "forum_poll_deck",
        "effect_workshop_30min",
        "effect_workshop_week",
        "nine_steps",
        "example_digital_locks",
    } <= set(keys)
    for key in keys:
        ws = portable.import_document(user, portable.load_template(key))
        assert ws.activities, key
        assert all(t["title"]["sv"] and t["title"]["en"] for t in portable.library())


def test_the_worked_example_computes_a_plausible_result(user):
    from workshop.draft.compute import compute
    from workshop.draft.service import analysis_for

    ws = portable.import_document(user, portable.load_template("example_digital_locks"))
    result = compute(analysis_for(ws, create=False))
    assert not result.errors
    und = result.undiscounted
    # Frigjord tid: 40 000 pass × 7 min / 60 × 359 kr/h, half the first year, six years.
    assert round(und.benefits_by_year[1]) == round(40000 * 7 / 60 * 359 + 25 * 3500)
    assert und.costs > 0 and und.nettonytta > 0
    assert result.omfordelning.benefit_hours > 0
    assert {n.title for n in result.not_valued} == {"Tryggare brukare", "Anhöriga kan se att besöket blivit av"}


def test_export_import_export_is_identical(user):
    ws = portable.import_document(user, portable.load_template("example_digital_locks"))
    first = portable.export_document(ws)
    again = portable.import_document(user, json.loads(portable.dumps(first)))
    second = portable.export_document(again)
    assert portable.dumps(first) == portable.dumps(second)


def test_a_broken_document_is_refused_and_leaves_nothing_behind(user):
    from workshop.activities.base import InputError
    from workshop.extensions import db
    from workshop.models import Workshop

    before = db.session.query(Workshop).count()
    doc = portable.load_template("example_digital_locks")
    doc["analysis"]["links"].append({"from": "n1", "to": "n999"})
    with pytest.raises(InputError):
        portable.import_document(user, doc)
    with pytest.raises(InputError):
        portable.import_document(user, {"format": "something-else"})
    assert db.session.query(Workshop).count() == before
