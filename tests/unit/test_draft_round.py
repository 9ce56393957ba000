"""One read of the draft per broadcaster round (``draft.snapshot.one_read_per_round``): inside
it every part of the round gets the snapshot read first, however many items arrive meanwhile;
outside it (and in the next round) the draft is read afresh. Effects from phones add items to
the analysis without loading its items (``draft.service.add_node``)."""

from __future__ import annotations

from sqlalchemy import inspect

from workshop.draft import service
from workshop.draft.snapshot import draft_snapshot, one_read_per_round
from workshop.extensions import db
from workshop.models import Workshop


def test_a_round_reads_the_draft_once_and_the_next_round_reads_the_new_one(app, make_workshop):
    ws_id, _code, _ids = make_workshop()
    with app.test_request_context():
        analysis = service.analysis_for(db.session.get(Workshop, ws_id))
        service.add_node(analysis, {"node_type": "effekt", "title": "Färre resor"})
        db.session.commit()
        with one_read_per_round():
            first = draft_snapshot(ws_id)
            db.session.expire_all()
            analysis = service.analysis_for(db.session.get(Workshop, ws_id))
            service.add_node(analysis, {"node_type": "effekt", "title": "Tryggare brukare"}, source_response_id=None)
            db.session.commit()
            assert draft_snapshot(ws_id) is first  # the same read for the whole round
        after = draft_snapshot(ws_id)
        assert after is not first and after.revision > first.revision
        assert [n.title for n in after.analysis.nodes] == ["Färre resor", "Tryggare brukare"]


def test_an_item_is_added_without_loading_the_analysis_items(app, make_workshop):
    ws_id, _code, _ids = make_workshop()
    with app.test_request_context():
        analysis = service.analysis_for(db.session.get(Workshop, ws_id))
        for title in ("Ett", "Två", "Tre"):
            service.add_node(analysis, {"node_type": "effekt", "title": title})
        db.session.commit()
        db.session.expire_all()
        analysis = service.analysis_for(db.session.get(Workshop, ws_id))
        node = service.add_node(analysis, {"node_type": "effekt", "title": "Fyra"})
        assert "nodes" in inspect(analysis).unloaded  # nothing read but the counts
        db.session.commit()
        assert node.position == 3
        db.session.expire_all()
        titles = [n.title for n in service.analysis_for(db.session.get(Workshop, ws_id)).nodes]
        assert titles == ["Ett", "Två", "Tre", "Fyra"]


def test_a_rounds_read_of_the_draft_gives_way_and_no_other_read_does(app, make_workshop, monkeypatch):
    """Building a big draft's objects is tens of milliseconds: a broadcaster round's read gives
    way between them; any other read does not (its caller may hold a write transaction)."""
    from workshop import cooperative
    from workshop.draft import snapshot

    ws_id, _code, _ids = make_workshop()
    with app.test_request_context():
        analysis = service.analysis_for(db.session.get(Workshop, ws_id))
        for i in range(20):
            service.add_node(analysis, {"node_type": "effekt", "title": f"Effekt {i}"})
        db.session.commit()
        breaks: list[int] = []
        monkeypatch.setattr(cooperative, "give_way", lambda: breaks.append(1))
        snapshot.forget()
        assert len(draft_snapshot(ws_id).analysis.nodes) == 20
        assert breaks == []
        snapshot.forget()
        with one_read_per_round():
            assert len(draft_snapshot(ws_id).analysis.nodes) == 20
        assert len(breaks) >= 20
