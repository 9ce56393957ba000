"""The owner replaces the presenter address and the results (review) link, or turns the link
off; archiving closes both. A poll workshop's link shows its results per activity."""

from __future__ import annotations

import nyttoverkstad_integration_helpers as h  # loaded by conftest.py


def _review_key(app, ws_id):
    """The results link's key, after giving the workshop a draft analysis (so the link shows it)."""
    from workshop.draft.service import analysis_for
    from workshop.extensions import db
    from workshop.models import Workshop

    with app.app_context():
        analysis_for(db.session.get(Workshop, ws_id))
        db.session.commit()
        key = db.session.get(Workshop, ws_id).results_key
        db.session.remove()
        return key


def test_a_new_presenter_address_ends_the_old_one_and_its_screens(app, make_workshop):
    ws_id, _code, _ids = make_workshop()
    old = h.presenter_key(app, ws_id)
    screen = h.screen(app, ws_id)
    c = app.test_client()
    h.login(c)
    assert c.post(f"/f/w/{ws_id}/keys", data={"which": "presenter"}).status_code == 302
    new = h.presenter_key(app, ws_id)
    assert new != old
    assert not screen.is_connected(h.SCREEN)
    anyone = app.test_client()
    assert anyone.get(f"/present/{ws_id}/{old}").status_code == 404
    assert anyone.get(f"/present/{ws_id}/{new}").status_code == 200
    again = h.socket_client(app, h.SCREEN, {"workshop_id": ws_id, "key": old})
    assert not again.is_connected(h.SCREEN)


def test_a_new_review_link_ends_the_old_one(app, make_workshop):
    ws_id, _code, _ids = make_workshop()
    old = _review_key(app, ws_id)
    anyone = app.test_client()
    assert anyone.get(f"/review/{ws_id}/{old}").status_code == 200
    c = app.test_client()
    h.login(c)
    c.post(f"/f/w/{ws_id}/keys", data={"which": "review"})
    new = _review_key(app, ws_id)
    assert new != old
    assert anyone.get(f"/review/{ws_id}/{old}").status_code == 404
    assert anyone.get(f"/review/{ws_id}/{new}").status_code == 200


def test_only_the_owner_rotates_and_only_known_keys(app, make_workshop, other_facilitator):
    ws_id, _code, _ids = make_workshop()
    old = h.presenter_key(app, ws_id)
    stranger = app.test_client()
    h.login(stranger, "bertil@norrby.se")
    assert stranger.post(f"/f/w/{ws_id}/keys", data={"which": "presenter"}).status_code == 404
    assert app.test_client().post(f"/f/w/{ws_id}/keys", data={"which": "presenter"}).status_code == 302  # to login
    owner = app.test_client()
    h.login(owner)
    assert owner.post(f"/f/w/{ws_id}/keys", data={"which": "everything"}).status_code == 400
    assert h.presenter_key(app, ws_id) == old


def test_archiving_closes_the_presenter_address_and_the_review_link(app, make_workshop):
    ws_id, _code, _ids = make_workshop()
    key, review = h.presenter_key(app, ws_id), _review_key(app, ws_id)
    screen = h.screen(app, ws_id)
    c = app.test_client()
    h.login(c)
    c.post(f"/f/w/{ws_id}/archive")
    anyone = app.test_client()
    assert anyone.get(f"/present/{ws_id}/{key}").status_code == 404
    assert anyone.get(f"/review/{ws_id}/{review}").status_code == 404
    assert not screen.is_connected(h.SCREEN)
    # Reopening does not bring the old links back.
    c.post(f"/f/w/{ws_id}/reopen")
    assert anyone.get(f"/present/{ws_id}/{key}").status_code == 404
    assert anyone.get(f"/present/{ws_id}/{h.presenter_key(app, ws_id)}").status_code == 200


def _results_key(app, ws_id):
    from workshop.extensions import db
    from workshop.models import Workshop

    with app.app_context():
        key = db.session.get(Workshop, ws_id).results_key
        db.session.remove()
        return key


def test_a_poll_workshops_results_link_shows_each_activitys_results_and_can_be_turned_off(app, make_workshop):
    second = ("scale", "Hur nöjd är du?", None)
    ws_id, code, ids = make_workshop(activities=(h.MC, second))
    for i, choice in enumerate((0, 0, 1)):
        phone, _ = h.phone(app, app.test_client(), code)
        assert h.vote(phone, ids[0], f"v{i}", (choice,))["ok"] is True
    h.flush(app)
    key = _results_key(app, ws_id)
    anyone = app.test_client()
    r = anyone.get(f"/review/{ws_id}/{key}")
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    # per activity, with its own results: not the (empty) calculation report of a method workshop
    assert "Använder ni metoden?" in page and "Hur nöjd är du?" in page
    assert "3 deltagare svarade" in page and "0 deltagare svarade" in page
    assert page.count('class="card activity-results"') == 2
    assert 'id="facts"' not in page and 'id="brief"' not in page  # not the calculation report
    # turned off from the console: the link stops at once, a new one works
    c = app.test_client()
    h.login(c)
    assert c.post(f"/f/w/{ws_id}/keys", data={"which": "review-off"}).status_code == 302
    assert _results_key(app, ws_id) is None
    assert anyone.get(f"/review/{ws_id}/{key}").status_code == 404
    assert "Resultatlänken är avstängd" in c.get(f"/f/w/{ws_id}/console").get_data(as_text=True)
    assert c.post(f"/f/w/{ws_id}/keys", data={"which": "review"}).status_code == 302
    new = _results_key(app, ws_id)
    assert new and new != key
    assert anyone.get(f"/review/{ws_id}/{key}").status_code == 404
    assert anyone.get(f"/review/{ws_id}/{new}").status_code == 200
    assert new in c.get(f"/f/w/{ws_id}/console").get_data(as_text=True)


def test_a_method_workshops_results_link_shows_its_draft_analysis(app, make_workshop):
    ws_id, _code, _ids = make_workshop()
    key = _review_key(app, ws_id)
    page = app.test_client().get(f"/review/{ws_id}/{key}").get_data(as_text=True)
    assert 'id="facts"' in page and 'id="brief"' in page  # the report's sections
    assert "activity-results" not in page
