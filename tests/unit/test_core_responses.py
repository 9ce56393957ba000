"""The core without sockets: storing inputs (once, replace/append), resets, moderation,
and the workshop operations the editor uses (duplicate, archive/reopen, move/delete)."""

from __future__ import annotations

import random
import secrets
from typing import Any

import pytest
from pydantic import Field

from workshop.activities import InputError, all_kinds
from workshop.activities.base import ActivityKind, Row, Schema

MC = (
    "multiple_choice",
    "Använder ni metoden?",
    {"options": ["Ja", "Nej", "Vet inte"], "multiple": False, "max_choices": 1},
)


# --- a minimal append-mode kind, so the core is tested apart from the real kinds ---------------


class _NoteConfig(Schema):
    limit: int = 2
    moderated: bool = False


class _Note(Schema):
    text: str = Field(min_length=1, max_length=50)


class NoteKind(ActivityKind):
    key = "test_note"
    label = "Test note"
    answer_mode = "append"
    moderated = True
    Config = _NoteConfig
    js_strings: dict[str, Any] = {}

    def input_model(self, config):
        return _Note

    def max_entries(self, config):
        return config.limit

    def initial_status(self, config, data):
        return "pending" if config.moderated else "visible"

    def aggregate(self, config, rows: list[Row]):
        return {"texts": [r.data["text"] for r in rows]}


@pytest.fixture
def ctx(app, facilitator, monkeypatch):
    """A request context with the facilitator loaded and the test kind registered."""
    from workshop.extensions import db
    from workshop.models import User

    monkeypatch.setitem(all_kinds(), NoteKind.key, NoteKind())
    with app.test_request_context():
        yield {"db": db, "user": db.session.get(User, facilitator)}


def _ws(ctx, activities=(MC,), mode="live", title="Användarforum"):
    from workshop import workshops as core

    ws = core.create_workshop(ctx["user"], title, mode=mode)
    acts = [core.add_activity(ws, kind, t, cfg) for kind, t, cfg in activities]
    return ws, acts


def _participant(ctx, ws, nickname=""):
    from workshop.models import Participant

    p = Participant(workshop_id=ws.id, token=secrets.token_urlsafe(24), nickname=nickname)
    ctx["db"].session.add(p)
    ctx["db"].session.commit()
    return p


def _rows(ctx, **where):
    from workshop.models import Response

    q = ctx["db"].session.query(Response)
    if where:
        q = q.filter_by(**where)
    return q.order_by(Response.id).all()


def _count_outside_session(ctx) -> int:
    """Counted on a connection of its own: sees only what is committed."""
    from sqlalchemy import text

    with ctx["db"].engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM responses")).scalar()


# --- submit ------------------------------------------------------------------------------


def test_submit_is_committed_before_it_returns(ctx):
    from workshop.inputs import submit

    ws, (act,) = _ws(ctx)
    p = _participant(ctx, ws)
    stored = submit(p, act.id, "c1", {"choices": [1]})
    assert stored.duplicate is False and stored.data == {"choices": [1]} and stored.status == "visible"
    assert _count_outside_session(ctx) == 1


def test_same_client_id_is_stored_once(ctx):
    from workshop.inputs import submit
    from workshop.responses import load_rows

    ws, (act,) = _ws(ctx)
    p = _participant(ctx, ws)
    first = submit(p, act.id, "c1", {"choices": [1]})
    again = submit(p, act.id, "c1", {"choices": [2]})
    assert again.duplicate is True and again.response_id == first.response_id and again.data == {"choices": [1]}
    assert len(_rows(ctx)) == 1
    assert [r.data for r in load_rows(act)] == [{"choices": [1]}]


def test_replace_mode_keeps_one_current_answer_per_participant(ctx):
    from workshop.inputs import submit
    from workshop.responses import load_rows, own_responses

    ws, (act,) = _ws(ctx)
    p, q = _participant(ctx, ws), _participant(ctx, ws)
    submit(p, act.id, "p1", {"choices": [0]})
    submit(q, act.id, "q1", {"choices": [2]})
    submit(p, act.id, "p2", {"choices": [1]})
    rows = _rows(ctx)
    assert [(r.client_id, r.current) for r in rows] == [("p1", False), ("q1", True), ("p2", True)]
    assert sorted(r.data["choices"][0] for r in load_rows(act)) == [1, 2]
    assert [x["client_id"] for x in own_responses(p)[act.id]] == ["p2"]


def test_append_mode_adds_entries_up_to_the_limit(ctx):
    from workshop.inputs import submit
    from workshop.responses import load_rows, moderate, own_responses

    ws, (act,) = _ws(ctx, activities=(("test_note", "Idéer", {"limit": 2, "moderated": False}),))
    p = _participant(ctx, ws)
    a = submit(p, act.id, "n1", {"text": "Trygghet"})
    submit(p, act.id, "n2", {"text": "Tid"})
    with pytest.raises(InputError) as err:
        submit(p, act.id, "n3", {"text": "En till"})
    assert err.value.code == "limit" and err.value.message
    assert [r.data["text"] for r in load_rows(act)] == ["Trygghet", "Tid"]
    assert all(r.current for r in _rows(ctx))
    # a deleted entry frees its place
    moderate(act, a.response_id, "delete")
    submit(p, act.id, "n3", {"text": "En till"})
    assert [r.data["text"] for r in load_rows(act)] == ["Tid", "En till"]
    assert [x["client_id"] for x in own_responses(p)[act.id]] == ["n2", "n3"]


def test_moderated_input_waits_for_approval(ctx):
    from workshop.inputs import submit
    from workshop.responses import load_rows, moderate

    ws, (act,) = _ws(ctx, activities=(("test_note", "Frågor", {"limit": 5, "moderated": True}),))
    p = _participant(ctx, ws)
    s = submit(p, act.id, "n1", {"text": "Vem betalar?"})
    assert s.status == "pending"
    assert load_rows(act) == [] and [r.status for r in load_rows(act, include_hidden=True)] == ["pending"]
    moderate(act, s.response_id, "approve")
    assert [r.data["text"] for r in load_rows(act)] == ["Vem betalar?"]


@pytest.mark.parametrize("client_id", ["", "x" * 65, None, 7, "a\tb"])
def test_submit_refuses_bad_client_ids(ctx, client_id):
    from workshop.inputs import submit

    ws, (act,) = _ws(ctx)
    with pytest.raises(InputError) as err:
        submit(_participant(ctx, ws), act.id, client_id, {"choices": [0]})
    assert err.value.code == "invalid"
    assert _rows(ctx) == []


def test_submit_checks_the_activity_is_open(ctx):
    from datetime import timedelta

    from workshop.inputs import submit
    from workshop.models import utcnow

    ws, (a, b) = _ws(ctx, activities=(MC, MC))
    other_ws, (foreign,) = _ws(ctx, title="Annan")
    p = _participant(ctx, ws)

    def code(activity_id, cid):
        with pytest.raises(InputError) as err:
            submit(p, activity_id, cid, {"choices": [0]})
        return err.value.code

    assert code(foreign.id, "f") == "unknown_activity"
    assert code(b.id, "b") == "not_current"
    a.locked = True
    ctx["db"].session.commit()
    assert code(a.id, "l") == "locked"
    a.locked = False
    ws.open_until = utcnow() - timedelta(seconds=1)
    ctx["db"].session.commit()
    assert code(a.id, "t") == "closed"
    ws.open_until = utcnow() + timedelta(hours=1)
    ws.status = "archived"
    ctx["db"].session.commit()
    assert code(a.id, "s") == "closed"
    ws.status = "open"
    ctx["db"].session.commit()
    assert submit(p, a.id, "ok", {"choices": [0]}).duplicate is False
    assert len(_rows(ctx)) == 1


# --- reset ---------------------------------------------------------------------------------


def test_reset_starts_a_new_generation(ctx):
    from workshop import live
    from workshop.inputs import submit
    from workshop.responses import load_rows, own_responses
    from workshop.workshops import workshop_counts

    ws, (act,) = _ws(ctx)
    p, q = _participant(ctx, ws), _participant(ctx, ws)
    submit(p, act.id, "p1", {"choices": [0]})
    submit(q, act.id, "q1", {"choices": [1]})
    live.set_flag(ws, act.id, "results_visible", True)
    live.start_timer(ws, act.id, 60)

    live.reset(ws, act.id)

    assert act.generation == 1 and act.revealed is None and act.timer_ends_at is None
    assert load_rows(act, include_hidden=True) == []
    assert own_responses(p) == {}
    assert len(_rows(ctx)) == 2  # kept for the record
    assert workshop_counts([ws.id])[ws.id] == {"participants": 2, "responses": 0}

    again = submit(p, act.id, "p2", {"choices": [2]})
    assert again.duplicate is False
    assert [(r.data, r.participant_id) for r in load_rows(act)] == [({"choices": [2]}, p.id)]
    assert {r.client_id: r.generation for r in _rows(ctx)} == {"p1": 0, "q1": 0, "p2": 1}
    # an old input resent after the reset does not count in the new round
    old = submit(q, act.id, "q1", {"choices": [1]})
    assert old.duplicate is True
    assert len(load_rows(act)) == 1
    assert workshop_counts([ws.id])[ws.id]["responses"] == 1


# --- moderation --------------------------------------------------------------------------------


def _notes(ctx, n, activities=None):
    from workshop.inputs import submit

    ws, acts = _ws(ctx, activities=activities or (("test_note", "Idéer", {"limit": 50, "moderated": False}),))
    p = _participant(ctx, ws)
    ids = [submit(p, acts[0].id, f"n{i}", {"text": f"Idé {i}"}).response_id for i in range(n)]
    return ws, acts[0], ids


def _row(ctx, rid):
    from workshop.models import Response

    ctx["db"].session.expire_all()
    return ctx["db"].session.get(Response, rid)


def test_moderation_actions(ctx):
    from workshop.responses import load_rows, moderate

    ws, act, (a, b) = _notes(ctx, 2)
    moderate(act, a, "hide")
    assert _row(ctx, a).status == "hidden" and [r.id for r in load_rows(act)] == [b]
    moderate(act, a, "show")
    assert _row(ctx, a).status == "visible"
    moderate(act, a, "answered")
    assert _row(ctx, a).answered is True
    moderate(act, a, "unanswered")
    assert _row(ctx, a).answered is False
    moderate(act, b, "delete")
    assert _row(ctx, b).status == "deleted"  # kept, marked
    assert [r.id for r in load_rows(act)] == [a]
    moderate(act, b, "approve")
    assert _row(ctx, b).status == "visible"


def test_moderation_refusals(ctx):
    from workshop.responses import moderate

    ws, act, (a, b) = _notes(ctx, 2)
    _, other_act, (foreign,) = _notes(ctx, 1)
    cases = [
        ((act, a, "explode"), "invalid"),
        ((act, foreign, "hide"), "unknown_response"),
        ((act, 99999, "hide"), "unknown_response"),
        ((act, str(a), "hide"), "unknown_response"),
        ((act, a, "merge", foreign), "unknown_response"),
        ((act, a, "merge", a), "unknown_response"),
        ((act, a, "merge", None), "unknown_response"),
        ((act, a, "merge", str(b)), "unknown_response"),
    ]
    for args, code in cases:
        with pytest.raises(InputError) as err:
            moderate(*args)
        assert err.value.code == code, args
        ctx["db"].session.rollback()
    assert [(r.status, r.merged_into_id) for r in (_row(ctx, a), _row(ctx, b), _row(ctx, foreign))] == [
        ("visible", None)
    ] * 3


def test_merge_redirects_to_the_final_target(ctx):
    from workshop.responses import moderate

    ws, act, (a, b, c, d) = _notes(ctx, 4)
    moderate(act, a, "merge", b)  # a -> b
    moderate(act, b, "merge", c)  # b -> c, and a follows: a -> c
    assert (_row(ctx, a).merged_into_id, _row(ctx, b).merged_into_id) == (c, c)
    moderate(act, d, "merge", a)  # a is merged into c, so d goes to c
    assert _row(ctx, d).merged_into_id == c
    assert _row(ctx, c).merged_into_id is None
    # merging the group's target into one of its own members would make a loop: refused
    with pytest.raises(InputError) as err:
        moderate(act, c, "merge", a)
    assert err.value.code == "invalid"
    ctx["db"].session.rollback()
    assert _row(ctx, c).merged_into_id is None


def test_merge_chains_never_form(ctx):
    """Any sequence of merges leaves every merged answer pointing at an unmerged one."""
    from workshop.responses import moderate

    ws, act, ids = _notes(ctx, 8)
    rng = random.Random(20240611)
    done = 0
    for _ in range(300):
        src, dst = rng.choice(ids), rng.choice(ids)
        try:
            moderate(act, src, "merge", dst)
            done += 1
        except InputError:
            ctx["db"].session.rollback()
        rows = {rid: _row(ctx, rid) for rid in ids}
        for rid, r in rows.items():
            if r.merged_into_id is not None:
                assert r.merged_into_id in rows and r.merged_into_id != rid
                assert rows[r.merged_into_id].merged_into_id is None, (rid, r.merged_into_id)
    assert done > 50


# --- workshops -------------------------------------------------------------------------------


def test_duplicate_copies_activities_but_no_people_or_answers(ctx):
    from workshop import live
    from workshop import workshops as core
    from workshop.inputs import submit
    from workshop.models import Participant, Response

    ws, acts = _ws(
        ctx, activities=(MC, ("multiple_choice", "Två", {"options": ["A", "B"], "multiple": True, "max_choices": 2}))
    )
    ws.ask_perspective, ws.perspectives = True, ["Brukare", "Kommun"]
    acts[1].results_hidden, acts[1].timer_seconds = True, 120
    ctx["db"].session.commit()
    p = _participant(ctx, ws)
    submit(p, acts[0].id, "x", {"choices": [0]})
    live.set_flag(ws, acts[0].id, "locked", True)
    live.reset(ws, acts[1].id)
    live.goto(ws, acts[1].id)

    copy = core.duplicate_workshop(ws, ctx["user"])

    assert copy.id != ws.id and copy.owner_id == ctx["user"].id and copy.status == "open"
    assert "Användarforum" in copy.title
    assert copy.join_code != ws.join_code and copy.presenter_key != ws.presenter_key
    assert (copy.mode, copy.language, copy.ask_perspective, copy.perspectives) == (
        ws.mode,
        ws.language,
        True,
        ["Brukare", "Kommun"],
    )
    assert [(a.kind, a.title, a.config, a.position, a.results_hidden, a.timer_seconds) for a in copy.activities] == [
        (a.kind, a.title, a.config, a.position, a.results_hidden, a.timer_seconds) for a in ws.activities
    ]
    assert not {a.id for a in copy.activities} & {a.id for a in ws.activities}
    assert all(a.generation == 0 and not a.locked and not a.revealed for a in copy.activities)
    assert copy.current_activity_id == copy.activities[0].id
    s = ctx["db"].session
    assert s.query(Participant).filter_by(workshop_id=copy.id).count() == 0
    copy_act_ids = [a.id for a in copy.activities]
    assert s.query(Response).filter(Response.activity_id.in_(copy_act_ids)).count() == 0
    # the copy's settings are its own
    copy.activities[0].config = {**copy.activities[0].config, "options": ["X", "Y"]}
    s.commit()
    s.expire_all()
    assert ws.activities[0].config["options"] == ["Ja", "Nej", "Vet inte"]


def test_archive_frees_the_join_code_and_reopen_draws_a_new_one_if_taken(ctx, monkeypatch):
    import workshop.workshops as core

    first, _ = _ws(ctx, title="Första")
    code = first.join_code
    core.archive_workshop(first)
    assert core.find_open_workshop(code) is None

    monkeypatch.setattr(core, "new_join_code", lambda: code)
    second, _ = _ws(ctx, title="Andra")
    assert second.join_code == code
    assert core.find_open_workshop(code).id == second.id

    drawn = iter([code, "55555555"])  # the first draw collides again
    monkeypatch.setattr(core, "new_join_code", lambda: next(drawn))
    core.reopen_workshop(first)
    assert first.status == "open" and first.join_code == "55555555"
    assert core.find_open_workshop("5555 5555").id == first.id
    assert core.find_open_workshop(code).id == second.id


def test_reopen_keeps_the_code_when_it_is_free(ctx):
    import workshop.workshops as core

    ws, _ = _ws(ctx)
    code = ws.join_code
    core.archive_workshop(ws)
    core.reopen_workshop(ws)
    assert ws.status == "open" and ws.join_code == code


def test_open_workshops_never_share_a_code(ctx):
    """The database itself refuses a second open workshop with the same code."""
    from sqlalchemy.exc import IntegrityError

    ws, _ = _ws(ctx)
    other, _ = _ws(ctx, title="Annan")
    other.join_code = ws.join_code
    with pytest.raises(IntegrityError):
        ctx["db"].session.commit()
    ctx["db"].session.rollback()


def _positions(ws):
    return [(a.id, a.position) for a in ws.activities]


def test_move_keeps_positions_contiguous(ctx):
    import workshop.workshops as core

    ws, acts = _ws(ctx, activities=(MC, MC, MC, MC))
    a, b, c, d = (x.id for x in acts)
    core.move_activity(acts[3], -1)
    assert _positions(ws) == [(a, 0), (b, 1), (d, 2), (c, 3)]
    core.move_activity(acts[0], -1)  # already first
    core.move_activity(acts[2], 1)  # c is already last
    assert _positions(ws) == [(a, 0), (b, 1), (d, 2), (c, 3)]
    core.move_activity(acts[0], 1)
    assert _positions(ws) == [(b, 0), (a, 1), (d, 2), (c, 3)]


def test_delete_keeps_positions_contiguous_and_moves_current(ctx):
    import workshop.workshops as core
    from workshop.inputs import submit
    from workshop.models import Response

    ws, acts = _ws(ctx, activities=(MC, MC, MC, MC))
    a, b, c, d = (x.id for x in acts)
    p = _participant(ctx, ws)
    submit(p, a, "pa", {"choices": [0]})
    core.delete_activity(acts[1])
    assert _positions(ws) == [(a, 0), (c, 1), (d, 2)]
    assert ws.current_activity_id == a
    core.delete_activity(acts[0])  # the current one, with an answer
    assert _positions(ws) == [(c, 0), (d, 1)]
    assert ws.current_activity_id == c
    assert ctx["db"].session.query(Response).filter_by(activity_id=a).count() == 0
    new = core.add_activity(ws, *MC)
    assert _positions(ws) == [(c, 0), (d, 1), (new.id, 2)]
    for act in list(ws.activities):
        core.delete_activity(act)
    assert ws.activities == [] and ws.current_activity_id is None


def test_timer_bounds(ctx):
    from workshop import live

    ws, (act,) = _ws(ctx)
    for bad in (0, 4, -10, 8 * 24 * 3600, "60", 1.5, True):
        with pytest.raises(InputError) as err:
            live.start_timer(ws, act.id, bad)
        assert err.value.code == "invalid"
    assert live.start_timer(ws, act.id, 10).timer_ends_at is not None


def test_timer_under_ten_seconds_is_refused(ctx):
    from workshop import live

    ws, (act,) = _ws(ctx)
    with pytest.raises(InputError):
        live.start_timer(ws, act.id, 5)
