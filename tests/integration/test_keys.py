"""The owner replaces the presenter address and the review link; archiving closes both."""

from __future__ import annotations

import nyttoverkstad_integration_helpers as h  # loaded by conftest.py


def _review_key(app, ws_id):
    from sqlalchemy import select

    from workshop.draft.models import Analysis
    from workshop.draft.service import analysis_for
    from workshop.extensions import db
    from workshop.models import Workshop

    with app.app_context():
        analysis = analysis_for(db.session.get(Workshop, ws_id))
        db.session.commit()
        key = db.session.scalar(select(Analysis.review_key).where(Analysis.id == analysis.id))
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
