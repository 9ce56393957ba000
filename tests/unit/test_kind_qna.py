"""Q&A: asking, upvote toggles stored as rows, sorting, moderation, no identities in results."""

from __future__ import annotations

import json
import secrets

import pytest

from workshop.activities import InputError, get_kind
from workshop.activities.base import Row
from workshop.extensions import db
from workshop.inputs import submit
from workshop.models import Activity, Participant, Response
from workshop.realtime.payloads import results_for
from workshop.responses import load_rows, moderate, own_responses, reset_activity

KIND = get_kind("qna")


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield


@pytest.fixture
def make_qna(make_workshop):
    def make(**config):
        # Self-paced, so the second Q&A is open too (for the cross-activity checks).
        ws_id, _code, ids = make_workshop(
            activities=[("qna", "Frågor till nämnden", {"max_length": 80, **config}), ("qna", "Andra frågor", {})],
            mode="self_paced",
        )
        return ws_id, ids[0]

    return make


def join(ws_id: int, nickname: str = "") -> Participant:
    p = Participant(workshop_id=ws_id, token=secrets.token_urlsafe(24), nickname=nickname)
    db.session.add(p)
    db.session.commit()
    return p


def ask(p: Participant, act_id: int, text: str) -> int:
    return submit(p, act_id, secrets.token_hex(8), {"action": "ask", "text": text}).response_id


def vote(p: Participant, act_id: int, question: int, on: bool = True, client_id: str | None = None):
    return submit(p, act_id, client_id or secrets.token_hex(8), {"action": "upvote", "question": question, "on": on})


def aggregate(act_id: int) -> dict:
    act = db.session.get(Activity, act_id)
    return KIND.aggregate(KIND.config(act.config), load_rows(act))


def votes(act_id: int) -> dict[int, int]:
    agg = aggregate(act_id)
    return {q["id"]: q["votes"] for q in agg["questions"] + agg["answered"]}


# --- settings ------------------------------------------------------------------------------


def test_defaults(ctx):
    assert KIND.default_config() == {"max_questions": 5, "max_length": 280, "premoderate": False}
    assert KIND.answer_mode == "custom"
    assert KIND.phone_results == "always"
    assert KIND.results_hidden_default is False
    assert {f.name: f.type for f in KIND.config_fields} == {
        "max_questions": "int",
        "max_length": "int",
        "premoderate": "bool",
    }


@pytest.mark.parametrize("bad", [{"max_questions": 0}, {"max_questions": 21}, {"max_length": 501}, {"anonymous": True}])
def test_settings_out_of_range_or_unknown_are_refused(ctx, bad):
    with pytest.raises(InputError):
        KIND.validate_config(bad)


# --- input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"action": "ask", "text": "x" * 81}, "text"),
        ({"action": "ask", "text": 5}, "text"),
        ({"action": "ask", "text": "   "}, "text"),
        ({"action": "ask"}, "text"),
        ({"action": "ask", "text": "Varför?", "to": "nämnden"}, "to"),
        ({"action": "upvote", "question": "1", "on": True}, "question"),
        ({"action": "upvote", "question": True, "on": True}, "question"),
        ({"action": "upvote", "question": 1, "on": 1}, "on"),
        ({"action": "upvote", "question": 1}, "on"),
        ({"action": "upvote", "question": 1, "on": True, "weight": 5}, "weight"),
        ({"action": "downvote", "question": 1}, "action"),
        ({"text": "Varför?"}, "action"),
    ],
)
def test_bad_inputs_are_refused_with_a_field_message(ctx, make_qna, payload, field):
    ws_id, act_id = make_qna()
    with pytest.raises(InputError) as err:
        submit(join(ws_id), act_id, "c1", payload)
    assert err.value.code == "invalid"
    assert field in err.value.fields
    assert db.session.query(Response).count() == 0


def test_input_that_is_not_an_object_is_refused(ctx, make_qna):
    ws_id, act_id = make_qna()
    with pytest.raises(InputError) as err:
        submit(join(ws_id), act_id, "c1", ["ask", "Varför?"])
    assert err.value.code == "invalid"


def test_a_question_is_stored_with_its_text_only(ctx, make_qna):
    ws_id, act_id = make_qna()
    stored = submit(join(ws_id), act_id, "c1", {"action": "ask", "text": "  När blir  parken klar? "})
    assert stored.data == {"text": "När blir parken klar?"}
    assert stored.status == "visible"


def test_questions_beyond_the_limit_are_refused(ctx, make_qna):
    ws_id, act_id = make_qna(max_questions=2)
    p = join(ws_id)
    ask(p, act_id, "Ett?")
    ask(p, act_id, "Två?")
    with pytest.raises(InputError) as err:
        ask(p, act_id, "Tre?")
    assert err.value.code == "limit"
    # Upvotes are not questions and do not use up the allowance of others.
    other = join(ws_id)
    q = ask(other, act_id, "Fyra?")
    vote(p, act_id, q)
    ask(other, act_id, "Fem?")


def test_the_same_question_sent_twice_counts_once(ctx, make_qna):
    ws_id, act_id = make_qna()
    p = join(ws_id)
    first = submit(p, act_id, "same", {"action": "ask", "text": "Varför?"})
    again = submit(p, act_id, "same", {"action": "ask", "text": "Varför?"})
    assert again.duplicate and again.response_id == first.response_id
    assert aggregate(act_id)["total"] == 1


# --- upvotes -------------------------------------------------------------------------------


def test_an_upvote_toggles_and_only_the_latest_row_is_current(ctx, make_qna):
    ws_id, act_id = make_qna()
    q = ask(join(ws_id), act_id, "Varför stängs biblioteket?")
    voter = join(ws_id)
    on = vote(voter, act_id, q, True)
    assert on.data == {"question": q, "upvote": True}
    assert votes(act_id) == {q: 1}
    vote(voter, act_id, q, False)
    assert votes(act_id) == {q: 0}
    vote(voter, act_id, q, True)
    assert votes(act_id) == {q: 1}
    rows = db.session.query(Response).filter(Response.participant_id == voter.id).order_by(Response.id).all()
    assert [(r.data["upvote"], r.current) for r in rows] == [(True, False), (False, False), (True, True)]
    assert all(r.ref_id == q for r in rows)


def test_upvoting_twice_still_counts_one_vote(ctx, make_qna):
    ws_id, act_id = make_qna()
    q = ask(join(ws_id), act_id, "Varför?")
    voter = join(ws_id)
    vote(voter, act_id, q, True)
    vote(voter, act_id, q, True)
    assert votes(act_id) == {q: 1}


def test_a_resent_upvote_counts_once_and_stores_nothing_new(ctx, make_qna):
    ws_id, act_id = make_qna()
    q = ask(join(ws_id), act_id, "Varför?")
    voter = join(ws_id)
    first = vote(voter, act_id, q, True, client_id="v1")
    vote(voter, act_id, q, False, client_id="v2")
    again = vote(voter, act_id, q, True, client_id="v1")  # a late retry of the first toggle
    assert again.duplicate and again.response_id == first.response_id
    assert votes(act_id) == {q: 0}
    assert db.session.query(Response).filter(Response.participant_id == voter.id).count() == 2


def test_one_cannot_upvote_ones_own_question(ctx, make_qna):
    ws_id, act_id = make_qna()
    p = join(ws_id)
    q = ask(p, act_id, "Min fråga?")
    with pytest.raises(InputError) as err:
        vote(p, act_id, q)
    assert err.value.code == "own_question"
    assert votes(act_id) == {q: 0}


def test_upvotes_must_name_a_question_of_this_activity(ctx, make_qna):
    ws_id, act_id = make_qna()
    other_act = act_id + 1
    asker, voter = join(ws_id), join(ws_id)
    q = ask(asker, act_id, "Varför?")
    an_upvote = vote(join(ws_id), act_id, q).response_id
    for target in [999_999, an_upvote]:
        with pytest.raises(InputError) as err:
            vote(voter, act_id, target)
        assert err.value.code == "unknown_question"
    with pytest.raises(InputError) as err:
        vote(voter, other_act, q)
    assert err.value.code == "unknown_question"


def test_hidden_or_pending_questions_cannot_be_upvoted_but_a_vote_can_be_withdrawn(ctx, make_qna):
    ws_id, act_id = make_qna()
    q = ask(join(ws_id), act_id, "Varför?")
    voter = join(ws_id)
    vote(voter, act_id, q, True)
    act = db.session.get(Activity, act_id)
    moderate(act, q, "hide")
    with pytest.raises(InputError):
        vote(join(ws_id), act_id, q, True)
    vote(voter, act_id, q, False)
    moderate(act, q, "show")
    assert votes(act_id) == {q: 0}


def test_votes_from_an_earlier_generation_no_longer_count(ctx, make_qna):
    ws_id, act_id = make_qna()
    q = ask(join(ws_id), act_id, "Varför?")
    reset_activity(db.session.get(Activity, act_id))
    with pytest.raises(InputError) as err:
        vote(join(ws_id), act_id, q)
    assert err.value.code == "unknown_question"
    assert aggregate(act_id)["total"] == 0


def test_the_phone_learns_its_own_votes_from_its_rows(ctx, make_qna):
    ws_id, act_id = make_qna()
    q = ask(join(ws_id), act_id, "Varför?")
    voter = join(ws_id)
    vote(voter, act_id, q, True)
    vote(voter, act_id, q, False)
    mine = own_responses(voter)[act_id]
    assert [m["data"] for m in mine] == [{"question": q, "upvote": False}]


# --- aggregation ---------------------------------------------------------------------------


def test_questions_are_sorted_by_votes_then_oldest_first_and_answered_ones_move_aside(ctx, make_qna):
    ws_id, act_id = make_qna()
    asker = join(ws_id)
    q1 = ask(asker, act_id, "Första?")
    q2 = ask(asker, act_id, "Andra?")
    q3 = ask(asker, act_id, "Tredje?")
    q4 = ask(asker, act_id, "Fjärde?")
    for _ in range(2):
        vote(join(ws_id), act_id, q3)
    vote(join(ws_id), act_id, q2)
    vote(join(ws_id), act_id, q4)
    moderate(db.session.get(Activity, act_id), q4, "answered")
    agg = aggregate(act_id)
    assert agg["questions"] == [
        {"id": q3, "text": "Tredje?", "votes": 2, "answered": False},
        {"id": q2, "text": "Andra?", "votes": 1, "answered": False},
        {"id": q1, "text": "Första?", "votes": 0, "answered": False},
    ]
    assert agg["answered"] == [{"id": q4, "text": "Fjärde?", "votes": 1, "answered": True}]
    assert agg["total"] == 4 and agg["open"] == 3
    moderate(db.session.get(Activity, act_id), q4, "unanswered")
    assert [q["id"] for q in aggregate(act_id)["questions"]] == [q3, q2, q4, q1]


def test_hidden_deleted_and_pending_questions_are_left_out(ctx, make_qna):
    ws_id, act_id = make_qna()
    asker = join(ws_id)
    keep = ask(asker, act_id, "Synlig?")
    hidden = ask(asker, act_id, "Dold?")
    deleted = ask(asker, act_id, "Borttagen?")
    act = db.session.get(Activity, act_id)
    moderate(act, hidden, "hide")
    moderate(act, deleted, "delete")
    act.config = {**act.config, "premoderate": True}
    db.session.commit()
    pending = submit(join(ws_id), act_id, "p1", {"action": "ask", "text": "Väntar?"})
    assert pending.status == "pending"
    agg = aggregate(act_id)
    assert [q["id"] for q in agg["questions"]] == [keep]
    assert agg["answered"] == []
    items = KIND.console_items(KIND.config(act.config), load_rows(act, include_hidden=True))
    assert [(i["id"], i["status"]) for i in items] == [
        (pending.response_id, "pending"),
        (keep, "visible"),
        (hidden, "hidden"),
    ]
    moderate(act, pending.response_id, "approve")
    assert {q["id"] for q in aggregate(act_id)["questions"]} == {keep, pending.response_id}


def test_merged_questions_pool_their_voters(ctx, make_qna):
    ws_id, act_id = make_qna()
    target = ask(join(ws_id), act_id, "När öppnar badhuset?")
    dup = ask(join(ws_id), act_id, "Badhuset, när?")
    both, only_dup = join(ws_id), join(ws_id)
    vote(both, act_id, target)
    vote(both, act_id, dup)
    vote(only_dup, act_id, dup)
    moderate(db.session.get(Activity, act_id), dup, "merge", target)
    agg = aggregate(act_id)
    assert agg["questions"] == [{"id": target, "text": "När öppnar badhuset?", "votes": 2, "answered": False}]


def test_results_carry_no_identities(ctx, make_qna):
    ws_id, act_id = make_qna()
    asker = join(ws_id, "Hemliga Hanna")
    voter = join(ws_id, "Okände Olle")
    q = ask(asker, act_id, "Varför?")
    vote(voter, act_id, q)
    res = results_for(db.session.get(Activity, act_id))
    for audience in ("phone", "screen"):
        text = json.dumps(res[audience])
        assert "Hemliga Hanna" not in text and "Okände Olle" not in text
        assert '"participant' not in text
    q_out = res["phone"]["aggregate"]["questions"][0]
    assert set(q_out) == {"id", "text", "votes", "answered"}
    # The facilitator's console may see who asked.
    assert res["console"]["items"][0]["nickname"] == "Hemliga Hanna"
    assert res["console"]["items"][0]["votes"] == 1


def test_phones_see_the_list_without_a_reveal(ctx, make_qna):
    ws_id, act_id = make_qna()
    ask(join(ws_id), act_id, "Varför?")
    act = db.session.get(Activity, act_id)
    assert not act.revealed
    assert results_for(act)["phone"]["aggregate"]["total"] == 1


def test_responders_are_askers_and_current_voters(ctx, make_qna):
    ws_id, act_id = make_qna()
    q = ask(join(ws_id), act_id, "Varför?")
    voter, withdrawn = join(ws_id), join(ws_id)
    vote(voter, act_id, q)
    vote(withdrawn, act_id, q, True)
    vote(withdrawn, act_id, q, False)
    act = db.session.get(Activity, act_id)
    assert KIND.responders(load_rows(act, include_hidden=True)) == 2


def test_csv_rows_tell_questions_from_upvotes():
    cfg = KIND.Config()
    question = Row(id=1, participant_id=1, data={"text": "Varför?"}, answered=True)
    upvote = Row(id=2, participant_id=2, data={"question": 1, "upvote": True}, ref_id=1)
    assert KIND.csv_header(cfg) == ["type", "text", "question", "upvote", "answered", "merged_into"]
    assert KIND.csv_cells(cfg, question) == ["question", "Varför?", "", "", "yes", ""]
    assert KIND.csv_cells(cfg, upvote) == ["upvote", "", 1, "yes", "", ""]


def test_a_question_id_too_large_for_the_database_is_refused_cleanly(ctx, make_qna):
    ws_id, act_id = make_qna()
    with pytest.raises(InputError) as err:
        vote(join(ws_id), act_id, 2**70)
    assert err.value.code == "invalid"
    assert "question" in err.value.fields


def test_every_js_string_the_module_uses_exists(ctx):
    import re
    from pathlib import Path

    from workshop.i18n import BASE_JS_STRINGS

    source = (Path(__file__).resolve().parents[2] / "static" / "js" / "kinds" / "qna.js").read_text(encoding="utf-8")
    used = set(re.findall(r'\bt\("([a-z_.]+)"', source))
    assert {k for k in used if k.startswith("qna.")}
    open_text = get_kind("open_text")
    for key in used:
        prefix, _, name = key.rpartition(".")
        known = {"qna": KIND.js_strings, "open_text": open_text.js_strings}.get(prefix)
        assert (name in known) if known is not None else (key in BASE_JS_STRINGS), key
