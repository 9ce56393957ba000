"""Decide, plan, record and compare over HTTP, on the worked example (Digitala nyckellås)."""

from __future__ import annotations

import re

import nyttoverkstad_integration_helpers as h  # loaded by conftest.py
import pytest


@pytest.fixture
def decided(app, facilitator):
    """The worked example imported, signed in, decided as version 1 on 2027-01-15."""
    from workshop import portable
    from workshop.extensions import db
    from workshop.models import User

    with app.test_request_context():
        ws = portable.import_document(
            db.session.get(User, facilitator), portable.load_template("example_digital_locks")
        )
        ws_id = ws.id
    client = app.test_client()
    h.login(client)
    r = client.post(
        f"/f/w/{ws_id}/followup/decide",
        data={"label": "Beslutad", "decided_on": "2027-01-15", "decided_by": "Socialnämnden"},
    )
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    return client, ws_id


def _version(app, ws_id):
    from workshop.draft.service import analysis_for
    from workshop.extensions import db
    from workshop.followup import service
    from workshop.models import Workshop

    with app.test_request_context():
        return service.versions(analysis_for(db.session.get(Workshop, ws_id), create=False))


def _money_item(app, ws_id):
    from workshop.followup import service

    with app.test_request_context():
        (v,) = _version(app, ws_id)
        items, _, _ = service.inputs_of(v)
        return next(i for i in items if i.valued_in_money and i.kind == "benefit" and i.block is not None)


def test_a_decided_version_is_frozen_against_later_edits(app, decided):
    client, ws_id = decided
    from workshop.draft.service import analysis_for
    from workshop.extensions import db
    from workshop.models import Workshop

    before = client.get(f"/f/w/{ws_id}/followup").get_data(as_text=True)
    assert "Version 1" in before and "Socialnämnden" in before
    with app.test_request_context():
        a = analysis_for(db.session.get(Workshop, ws_id), create=False)
        for node in a.nodes:
            if node.block is not None:
                for row in node.block.rows:
                    row.likely = (row.likely or 0) * 10
        db.session.commit()
    (v,) = _version(app, ws_id)
    after = client.get(f"/f/w/{ws_id}/followup").get_data(as_text=True)
    # The comparison reads the frozen inputs: the same estimate as before the edits.
    estimate = re.compile(r'id="headline".*?</table>', re.S)
    assert estimate.search(before).group(0) == estimate.search(after).group(0)
    assert v.number == 1


def test_record_a_realised_value_and_see_the_comparison(app, decided):
    client, ws_id = decided
    item = _money_item(app, ws_id)
    r = client.post(
        f"/f/w/{ws_id}/followup/1/measure",
        data={"item_id": item.id, "year": "1", "measured_on": "2028-01-20", "value": "1 000", "source": "Ekonomi"},
    )
    assert r.status_code == 302
    page = client.get(f"/f/w/{ws_id}/followup").get_data(as_text=True)
    assert "Mätt till och med år 1" in page or "Measured up to year 1" in page
    assert "Efter plan" in page or "Behind plan" in page
    assert "under_uppfoljning" not in page  # the label, not the code
    assert "Under uppföljning" in page or "Being followed up" in page


@pytest.mark.parametrize(
    "form,field",
    [
        ({"year": "x", "measured_on": "2028-01-20", "value": "1"}, "year"),
        ({"year": "1", "measured_on": "2026-01-01", "value": "1"}, "measured_on"),  # before the decision
        ({"year": "1", "measured_on": "20 jan", "value": "1"}, "measured_on"),
        ({"year": "1", "measured_on": "2028-01-20", "value": "mycket"}, "value"),
        ({"year": "99", "measured_on": "2028-01-20", "value": "1"}, "year"),
        ({"year": "1", "measured_on": "2028-01-20"}, "value"),
        ({"year": "1", "measured_on": "2028-01-20", "item_id": "999999", "value": "1"}, "item_id"),
    ],
)
def test_a_bad_measurement_is_refused_beside_its_field_and_changes_nothing(app, decided, form, field):
    client, ws_id = decided
    item = _money_item(app, ws_id)
    r = client.post(f"/f/w/{ws_id}/followup/1/measure", data={"item_id": item.id, **form})
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    assert f'id="err-{field}"' in html or 'role="alert"' in html
    (v,) = _version(app, ws_id)
    with app.test_request_context():
        from workshop.extensions import db
        from workshop.followup.models import Measurement

        assert db.session.query(Measurement).count() == 0


def test_money_for_a_quality_benefit_is_refused(app, decided):
    from workshop.followup import service

    client, ws_id = decided
    with app.test_request_context():
        (v,) = _version(app, ws_id)
        items, _, _ = service.inputs_of(v)
    quality = [i for i in items if not i.valued_in_money]
    if not quality:
        pytest.skip("the worked example has no benefit outside money")  # pragma: no cover
    r = client.post(
        f"/f/w/{ws_id}/followup/1/measure",
        data={"item_id": quality[0].id, "year": "1", "measured_on": "2028-01-20", "value": "5"},
    )
    assert r.status_code == 400
    assert "aldrig i pengar" in r.get_data(as_text=True) or "never by money" in r.get_data(as_text=True)
    r = client.post(
        f"/f/w/{ws_id}/followup/1/measure",
        data={"item_id": quality[0].id, "year": "1", "measured_on": "2028-01-20", "size": "2"},
    )
    assert r.status_code == 302


def test_the_plan_takes_an_indicator_from_the_chain_and_says_when_to_measure(app, decided):
    client, ws_id = decided
    item = _money_item(app, ws_id)
    r = client.post(
        f"/f/w/{ws_id}/followup/1/plan/{item.id}",
        data={"owner_role": "Enhetschef", "indicator": "", "first_on": "2027-07-01", "every_months": "6"},
    )
    assert r.status_code == 302
    page = client.get(f"/f/w/{ws_id}/followup").get_data(as_text=True)
    assert "2027-07-01" in page
    r = client.post(f"/f/w/{ws_id}/followup/1/plan/{item.id}", data={"indicator": "not-an-effect"})
    assert r.status_code == 400
    r = client.post(f"/f/w/{ws_id}/followup/1/plan/{item.id}", data={"first_on": "2020-01-01"})
    assert r.status_code == 400


def test_another_facilitator_gets_404(app, decided, other_facilitator):
    _, ws_id = decided
    other = app.test_client()
    h.login(other, "bertil@norrby.se")
    assert other.get(f"/f/w/{ws_id}/followup").status_code == 404
    assert (
        other.post(f"/f/w/{ws_id}/followup/decide", data={"label": "x", "decided_on": "2027-01-01"}).status_code == 404
    )
    assert other.post(f"/f/w/{ws_id}/followup/1/measure", data={}).status_code == 404


def test_next_due_follows_the_rhythm():
    from datetime import date

    from workshop.followup.models import Plan
    from workshop.followup.service import next_due

    plan = Plan(first_on=date(2027, 1, 31), every_months=6)
    assert next_due(plan, []) == date(2027, 1, 31)
    assert next_due(plan, [date(2027, 2, 1)]) == date(2027, 7, 31)
    assert next_due(plan, [date(2027, 2, 1), date(2027, 8, 2)]) == date(2028, 1, 31)
    assert next_due(Plan(first_on=date(2027, 1, 31), every_months=None), [date(2027, 2, 1)]) is None


def test_the_dashboard_lists_status_and_what_is_due(app, decided):
    client, ws_id = decided
    page = client.get("/f/").get_data(as_text=True)
    assert "Beslutad" in page or "Decided" in page
    item = _money_item(app, ws_id)
    client.post(f"/f/w/{ws_id}/followup/1/plan/{item.id}", data={"first_on": "2027-02-01", "every_months": "6"})
    page = client.get("/f/").get_data(as_text=True)
    # 2027-02-01 is in the past from 2027-12 on, and in the future before: either way it is listed.
    assert "2027-02-01" in page and "followups-due" in page


def test_a_leading_indicator_is_recorded_on_its_own_and_shows_its_trend(app, decided):
    client, ws_id = decided
    item = _money_item(app, ws_id)
    for day, v in (("2027-03-01", "40"), ("2027-09-01", "55,5")):
        r = client.post(
            f"/f/w/{ws_id}/followup/1/measure",
            data={"item_id": item.id, "year": "1", "measured_on": day, "indicator_value": v},
        )
        assert r.status_code == 302
    page = client.get(f"/f/w/{ws_id}/followup").get_data(as_text=True)
    assert "40 (2027-03-01) → 55,5 (2027-09-01)" in page and ("stigande" in page or "rising" in page)
    # An indicator reading is not a realised value: nothing is measured in money yet.
    assert "Inget är mätt ännu." in page or "Nothing measured yet." in page


def test_the_web_report_and_the_review_link_show_the_follow_up(app, decided):
    client, ws_id = decided
    item = _money_item(app, ws_id)
    client.post(
        f"/f/w/{ws_id}/followup/1/measure",
        data={"item_id": item.id, "year": "1", "measured_on": "2028-01-20", "value": "1000"},
    )
    from workshop.draft.service import analysis_for
    from workshop.extensions import db
    from workshop.models import Workshop

    with app.app_context():
        assert analysis_for(db.session.get(Workshop, ws_id), create=False) is not None
        key = db.session.get(Workshop, ws_id).results_key
    for c, path in ((client, f"/f/w/{ws_id}/report"), (app.test_client(), f"/review/{ws_id}/{key}")):
        page = c.get(path).get_data(as_text=True)
        assert 'id="s8"' in page and "Socialnämnden" in page, path
        assert "Mätt till och med år 1" in page or "Measured up to year 1" in page, path
