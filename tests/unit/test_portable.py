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


def _decided_with_followup(user):
    from workshop.draft.service import analysis_for
    from workshop.followup import service as followup

    ws = portable.import_document(user, portable.load_template("example_digital_locks"))
    a = analysis_for(ws, create=False)
    v = followup.decide(a, {"label": "Beslutad", "decided_on": "2027-01-15", "decided_by": "Socialnämnden"})
    items, _, _ = followup.inputs_of(v)
    money = next(i for i in items if i.valued_in_money and i.block is not None)
    quality = next(i for i in items if not i.valued_in_money)
    followup.save_plan(v, money.id, {"owner_role": "Enhetschef", "first_on": "2027-07-01", "every_months": 6})
    followup.record(v, {"item_id": money.id, "year": 1, "measured_on": "2028-01-20", "value": 123456.5})
    row = money.block.rows[0].name
    followup.record(v, {"item_id": money.id, "year": 2, "measured_on": "2029-01-20", "rows": {row: 1.5}})
    followup.record(v, {"item_id": quality.id, "year": 1, "measured_on": "2028-01-20", "size": 2, "comment": "Lugnare"})
    followup.decide(a, {"label": "Efter piloten", "decided_on": "2027-06-01", "decided_by": ""})
    from workshop.extensions import db

    db.session.commit()
    return ws


def test_decided_versions_plans_and_measurements_round_trip(user):
    ws = _decided_with_followup(user)
    first = portable.export_document(ws)
    assert first["schema_version"] == 2
    versions = first["analysis"]["versions"]
    assert [v["number"] for v in versions] == [1, 2]
    assert len(versions[0]["measurements"]) == 3 and versions[0]["plans"][0]["every_months"] == 6
    again = portable.import_document(user, json.loads(portable.dumps(first)))
    assert portable.dumps(portable.export_document(again)) == portable.dumps(first)


def test_a_document_of_schema_version_1_still_imports(user):
    doc = portable.load_template("example_digital_locks")
    doc["schema_version"] = 1
    doc["analysis"].pop("versions", None)
    ws = portable.import_document(user, doc)
    assert portable.export_document(ws)["analysis"]["versions"] == []


@pytest.mark.parametrize(
    "spoil,needle",
    [
        (lambda v: v["measurements"][0].update(measured_on="2020-01-01"), "före beslutet"),
        (lambda v: v["measurements"][0].update(item_id="nope"), "finns inte"),
        (lambda v: v["measurements"][0].update(value="mycket"), ""),
        (lambda v: v.update(inputs={"items": 3}), ""),
        (lambda v: v["measurements"][2].update(value=5), "aldrig i pengar"),
    ],
)
def test_a_bad_version_in_a_document_is_refused_and_leaves_nothing(user, spoil, needle):
    from workshop.activities.base import InputError
    from workshop.extensions import db
    from workshop.models import Workshop

    doc = json.loads(portable.dumps(portable.export_document(_decided_with_followup(user))))
    before = db.session.query(Workshop).count()
    spoil(doc["analysis"]["versions"][0])
    with pytest.raises(InputError) as exc:
        portable.import_document(user, doc)
    assert "version 1" in exc.value.message.lower() and needle in exc.value.message
    assert db.session.query(Workshop).count() == before
