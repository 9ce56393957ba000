"""The checklist a template opens with, and the room's effects as candidates in step 3."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace as NS

import pytest

from workshop import checklist
from workshop.activities import InputError
from workshop.activities.effect_chain import candidates

LIBRARY = Path(__file__).resolve().parents[2] / "workshop" / "template_library"

FRAME = dict(
    name_of_change="Digitala nyckellås",
    organisation="Solstads kommun",
    area="Hemtjänst",
    geography="Solstad",
    start_year=2027,
    purpose="Beslutsunderlag",
    status_text="Utkast",
    alternative_a="Fysiska nycklar som i dag",
    alternative_b="Digitala lås",
)


def analysis(**fields):
    base = {k: "" for k in FRAME} | {"start_year": None, "perspectives": [{"kind": "samhallet", "label": "Samhället"}]}
    return NS(**(base | fields))


def workshop(keys, open_until=None, activities=()):
    return NS(checklist=keys, open_until=open_until, activities=list(activities))


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield


def states(items):
    return {i["key"]: i["done"] for i in items}


def test_each_template_names_known_rules_and_what_the_room_needs():
    wanted = {
        "effect_workshop_30min": ["change", "alternatives"],
        "effect_workshop_week": ["frame", "closing_date", "dot_voting"],
        "nine_steps": ["frame", "perspectives"],
        "forum_poll_deck": [],
    }
    for path in LIBRARY.glob("*.json"):
        keys = json.loads(path.read_text(encoding="utf-8"))["workshop"].get("checklist", [])
        assert checklist.known(keys) == keys, path.name
        if path.stem in wanted:
            assert keys == wanted[path.stem], path.stem


def test_unknown_rule_is_refused():
    with pytest.raises(InputError):
        checklist.known(["change", "tea_and_biscuits"])
    assert checklist.known(None) == []


def test_thirty_minutes_cold_then_filled(ctx):
    ws = workshop(["change", "alternatives"])
    cold = checklist.evaluate(ws, analysis())
    assert states(cold) == {"change": False, "alternatives": False}
    assert all(i["page"] == "draft" and i["anchor"] for i in cold)
    # One of A and B is not enough: both, one sentence each.
    half = checklist.evaluate(ws, analysis(name_of_change="Digitala lås", alternative_a="I dag"))
    assert states(half) == {"change": True, "alternatives": False}
    assert states(checklist.evaluate(ws, analysis(**FRAME))) == {"change": True, "alternatives": True}


def test_no_draft_means_nothing_is_done(ctx):
    assert states(checklist.evaluate(workshop(["change", "frame"]), None)) == {"change": False, "frame": False}


def test_frame_rule_names_what_is_missing(ctx):
    ws = workshop(["frame"])
    item = checklist.evaluate(ws, analysis(**(FRAME | {"geography": "", "start_year": None})))[0]
    assert not item["done"] and "Geografi" in item["missing"] and "Startår" in item["missing"]
    assert checklist.evaluate(ws, analysis(**FRAME))[0] == {**item, "done": True, "missing": ""}


def test_perspectives_must_be_concrete(ctx):
    ws = workshop(["perspectives"])
    generic = [
        {"kind": "egen_organisation", "label": "Den egna organisationen"},
        {"kind": "samhallet", "label": "Samhället"},
    ]
    item = checklist.evaluate(ws, analysis(perspectives=generic))[0]
    assert not item["done"] and item["missing"] == "Den egna organisationen"
    concrete = [{"kind": "egen_organisation", "label": "Solstads kommun"}, {"kind": "samhallet", "label": "Samhället"}]
    assert checklist.evaluate(ws, analysis(perspectives=concrete))[0]["done"]
    assert not checklist.evaluate(ws, analysis(perspectives=[]))[0]["done"]


def test_closing_date_and_dot_voting_read_the_workshop(ctx):
    effects = NS(id=7, kind="effects", config={"dot_votes": 3})
    ws = workshop(["closing_date", "dot_voting"], activities=[effects])
    items = checklist.evaluate(ws, analysis())
    assert states(items) == {"closing_date": False, "dot_voting": False}
    assert items[0]["page"] == "workshop" and items[1]["page"] == "activity" and items[1]["activity_id"] == 7
    ws.open_until = object()
    effects.config = {"dot_votes": 3, "dots_open_at": "2026-12-07T09:00:00+00:00"}
    assert states(checklist.evaluate(ws, analysis())) == {"closing_date": True, "dot_voting": True}
    # Without dots there is nothing to open.
    effects.config = {"dot_votes": 0}
    assert checklist.evaluate(ws, analysis())[1]["done"]


def test_a_workshop_without_a_checklist_shows_none(ctx):
    assert checklist.evaluate(workshop(None), analysis()) == []
    assert checklist.evaluate(workshop([]), analysis()) == []


# --- step 3: the room's effects as candidates ------------------------------------------------


def node(id, node_type, title, polarity=None, perspective="", status="visible", merged_into_id=None):
    return NS(
        id=id,
        node_type=node_type,
        title=title,
        polarity=polarity,
        perspective=perspective,
        status=status,
        merged_into_id=merged_into_id,
    )


def chain(nodes, links=()):
    return NS(nodes=nodes, links=[NS(from_id=a, to_id=b) for a, b in links])


def test_positive_effects_become_benefits_negative_ones_costs_or_risks():
    a = chain(
        [
            node(1, "effekt", "Färre nyckelhämtningar", "positive", "Solstads kommun"),
            node(2, "effekt", "Krångligt utan täckning", "negative", "Brukare"),
            node(3, "effekt", "Ingen polaritet"),
            node(4, "nytta", "Frigjord tid"),
        ]
    )
    got = {c["effect"]: c for c in candidates(a)}
    assert set(got) == {1, 2}
    assert got[1]["types"] == ["nytta"] and got[1]["perspective"] == "Solstads kommun"
    assert got[2]["types"] == ["konsekvenskostnad", "risk"] and got[2]["polarity"] == "negative"


def test_an_effect_that_already_leads_to_its_kind_is_no_candidate():
    a = chain(
        [
            node(1, "effekt", "Färre nyckelhämtningar", "positive"),
            node(2, "effekt", "Krångligt utan täckning", "negative"),
            node(3, "effekt", "Snabbare insatser", "positive"),
            node(4, "nytta", "Frigjord tid"),
            node(5, "risk", "Lås fungerar inte"),
            node(6, "effekt", "Mindre stress"),
        ],
        links=[(1, 4), (2, 5), (3, 6)],
    )
    # Leading to another effect is not enough: effect 3 still has no benefit.
    assert [c["effect"] for c in candidates(a)] == [3]


def test_hidden_merged_and_set_aside_effects_are_no_candidates():
    a = chain(
        [
            node(1, "effekt", "A", "positive", status="hidden"),
            node(2, "effekt", "B", "positive", merged_into_id=3),
            node(3, "effekt", "C", "positive"),
            node(4, "effekt", "D", "negative"),
        ]
    )
    assert [c["effect"] for c in candidates(a)] == [3, 4]
    assert [c["effect"] for c in candidates(a, skipped=[4])] == [3]
    assert candidates(None) == []


def test_confirming_a_candidate_adds_the_item_and_its_link(app, make_workshop):
    from workshop.draft.ops import apply
    from workshop.extensions import db
    from workshop.models import Workshop

    ws_id, _code, _ids = make_workshop(activities=[("effect_chain", "Rita en effektkedja", {})])
    with app.test_request_context():
        ws = db.session.get(Workshop, ws_id)
        e = apply(ws, "node.add", {"data": {"node_type": "effekt", "title": "Färre resor", "polarity": "positive"}})[
            "id"
        ]
        r = apply(ws, "node.add", {"data": {"node_type": "effekt", "title": "Tappade nycklar", "polarity": "negative"}})
        new = apply(ws, "node.add_after", {"from": e, "data": {"node_type": "nytta", "title": "Frigjord tid"}})["id"]
        apply(ws, "node.add_after", {"from": r["id"], "data": {"node_type": "risk", "title": "Tappade nycklar"}})
        from workshop.draft.service import analysis_for

        a = analysis_for(ws)
        assert (e, new) in {(lk.from_id, lk.to_id) for lk in a.links}
        assert {n.node_type for n in a.nodes} == {"effekt", "nytta", "risk"}
        assert candidates(a) == []
        # A refused item adds nothing, not even the link.
        before = (len(a.nodes), len(a.links))
        with pytest.raises(InputError):
            apply(ws, "node.add_after", {"from": e, "data": {"node_type": "no_such_kind", "title": "X"}})
        db.session.expire_all()
        a = analysis_for(ws)
        assert (len(a.nodes), len(a.links)) == before


# --- a week-long workshop: contributions per perspective, news since the last visit ----------


def test_week_progress_counts_people_per_perspective_and_news_since_the_last_visit(app, make_workshop, facilitator):
    from datetime import UTC, datetime, timedelta

    from workshop import progress
    from workshop.extensions import db
    from workshop.models import Participant, Response, Workshop

    monday = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    ws_id, _code, (a1, a2) = make_workshop(
        activities=[("open_text", "Vad är viktigast?", {}), ("open_text", "Vad oroar dig?", {})],
        mode="self_paced",
        perspectives=["Solstads kommun", "Brukare"],
        ask_perspective=True,
    )
    with app.test_request_context():
        ws = db.session.get(Workshop, ws_id)
        people = [
            Participant(workshop_id=ws_id, token=f"t{i}", nickname=f"P{i}", perspective=p)
            for i, p in enumerate(["Solstads kommun", "Solstads kommun", "Brukare", ""])
        ]
        db.session.add_all(people)
        db.session.flush()

        def say(person, act, when, text="x"):
            db.session.add(
                Response(
                    activity_id=act,
                    participant_id=person.id,
                    client_id=f"{person.id}-{when}-{text}",
                    data={"text": text},
                    created_at=when,
                )
            )

        say(people[0], a1, monday)
        say(people[0], a1, monday + timedelta(hours=1), "y")  # the same person twice: one contributor
        say(people[1], a1, monday + timedelta(days=1))
        say(people[2], a1, monday + timedelta(days=2))
        say(people[3], a2, monday + timedelta(days=2))
        db.session.commit()

        # First visit on Tuesday at noon: nothing to compare with yet.
        tuesday = monday + timedelta(days=1, hours=3)
        assert progress.record_visit(ws, facilitator, now=tuesday) is None
        # Back within the same visit (a reload): still the first visit.
        assert progress.record_visit(ws, facilitator, now=tuesday + timedelta(minutes=5)) is None
        # Thursday: news are counted from Tuesday's visit; the page reads it without writing.
        thursday = monday + timedelta(days=3)
        assert progress.last_visit(ws, facilitator, now=thursday) == tuesday + timedelta(minutes=5)
        since = progress.record_visit(ws, facilitator, now=thursday)
        assert progress.last_visit(ws, facilitator, now=thursday + timedelta(minutes=1)) == since
        assert since == tuesday + timedelta(minutes=5)
        rows = {r.activity_id: r for r in progress.progress(ws, since)}
        assert rows[a1].per_perspective == [("Solstads kommun", 2), ("Brukare", 1)]
        assert rows[a1].contributors == 3 and rows[a1].new == 1
        assert rows[a2].per_perspective == [("", 1)] and rows[a2].new == 1
        assert progress.when(since, now=monday + timedelta(days=3)) == "tisdag 13:05"
