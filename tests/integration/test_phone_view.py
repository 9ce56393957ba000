"""A phone connecting reads its workshop's state from a view kept per ``state_revision``
(``workshop.realtime.phone_view``). Every change of what phones are told bumps the revision in
its own transaction, so the next phone to connect sees it; joins and answers do not."""

from __future__ import annotations

import nyttoverkstad_integration_helpers as h  # loaded by conftest.py

PHONE = h.PHONE
MC = ("multiple_choice", "Använder ni metoden?", {"options": ["Ja", "Nej"], "multiple": False, "max_choices": 1})


def _revision(app, ws_id):
    from workshop.extensions import db
    from workshop.models import Workshop

    with app.app_context():
        rev = db.session.get(Workshop, ws_id).state_revision
        db.session.remove()
        return rev


def _snapshot_state(app, code):
    tc, _ = h.phone(app, app.test_client(), code)
    snap = h.events(tc, PHONE, "snapshot")[-1]
    tc.disconnect(PHONE)
    return snap["workshop"]


def _change(app, fn):
    from workshop.extensions import db

    with app.test_request_context():
        fn(db)
        db.session.commit()
        db.session.remove()


def test_every_change_phones_are_told_of_reaches_the_next_phone_to_connect(app, make_workshop):
    from workshop.draft import service
    from workshop.models import Activity, Workshop

    ws_id, code, (a1, a2) = make_workshop(activities=(MC, ("open_text", "Vad fungerar?", {})))
    h.update_row(app, Workshop, ws_id, current_activity_id=a1)
    first = _snapshot_state(app, code)
    assert [a["id"] for a in first["activities"]] == [a1]

    steps = [
        (
            "the current activity",
            lambda db: setattr(db.session.get(Workshop, ws_id), "current_activity_id", a2),
            lambda st: [a["id"] for a in st["activities"]] == [a2],
        ),
        (
            "an activity's title",
            lambda db: setattr(db.session.get(Activity, a2), "title", "Vad fungerar bra?"),
            lambda st: st["activities"][0]["title"] == "Vad fungerar bra?",
        ),
        (
            "a lock",
            lambda db: setattr(db.session.get(Activity, a2), "locked", True),
            lambda st: st["activities"][0]["locked"] is True,
        ),
        (
            "the workshop's title",
            lambda db: setattr(db.session.get(Workshop, ws_id), "title", "Forum i maj"),
            lambda st: st["title"] == "Forum i maj",
        ),
        (
            "an activity removed",
            lambda db: db.session.delete(db.session.get(Activity, a1)),
            lambda st: st["activity_count"] == 1,
        ),
        (
            "the alternatives written",
            lambda db: _write_alternatives(service, db.session.get(Workshop, ws_id)),
            lambda st: st["has_alternatives"] is True,
        ),
    ]
    for name, change, seen in steps:
        before = _revision(app, ws_id)
        _change(app, change)
        assert _revision(app, ws_id) > before, f"{name}: the revision did not move"
        state = _snapshot_state(app, code)
        assert seen(state), f"{name}: the next phone did not see it: {state}"


def _write_alternatives(service, ws):
    analysis = service.analysis_for(ws)
    analysis.alternative_a = "Som i dag"
    analysis.alternative_b = "Digital ansökan"


def test_joins_and_answers_leave_the_revision_alone(app, make_workshop):
    from workshop.models import Workshop

    ws_id, code, (a1,) = make_workshop(activities=(MC,))
    h.update_row(app, Workshop, ws_id, current_activity_id=a1)
    before = _revision(app, ws_id)
    for i in range(3):
        tc, _ = h.phone(app, app.test_client(), code, nickname=f"P{i}")
        assert h.vote(tc, a1, f"c{i}")["ok"]
    h.flush(app)
    assert _revision(app, ws_id) == before


def test_a_workshop_in_another_database_with_the_same_id_is_not_served_this_ones_view(app, make_workshop, tmp_path):
    from workshop.app import create_app
    from workshop.config import Settings
    from workshop.models import Workshop

    ws_id, code, (a1,) = make_workshop(activities=(MC,))
    h.update_row(app, Workshop, ws_id, current_activity_id=a1)
    h.update_row(app, Workshop, ws_id, title="Första")  # revision 2 here
    assert _snapshot_state(app, code)["title"] == "Första"

    other = create_app(Settings.from_env(tmp_path / "other", testing=True), async_mode="threading")
    other_id, other_code, (b1,) = h.setup_workshop(other, activities=(MC,), title="Andra")
    assert other_id == ws_id  # the same id in a fresh database
    h.update_row(other, Workshop, other_id, current_activity_id=b1)
    assert _revision(other, other_id) <= _revision(app, ws_id)
    assert _snapshot_state(other, other_code)["title"] == "Andra"
