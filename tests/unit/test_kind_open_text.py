"""Open text: validation, the per-participant limit, premoderation, merging, card order, retries."""

from __future__ import annotations

import secrets

import pytest

from workshop.activities import InputError, get_kind
from workshop.activities.base import Row
from workshop.extensions import db
from workshop.inputs import submit
from workshop.models import Activity, Participant, Response
from workshop.realtime.payloads import results_for
from workshop.responses import load_rows, moderate, own_responses

KIND = get_kind("open_text")


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield


@pytest.fixture
def make_text(make_workshop):
    def make(**config):
        ws_id, _code, (act_id,) = make_workshop(
            activities=[("open_text", "Vad ska vi tänka på?", {"max_length": 60, **config})]
        )
        return ws_id, act_id

    return make


def join(ws_id: int, nickname: str = "") -> Participant:
    p = Participant(workshop_id=ws_id, token=secrets.token_urlsafe(24), nickname=nickname)
    db.session.add(p)
    db.session.commit()
    return p


def send(p: Participant, act_id: int, text) -> int:
    return submit(p, act_id, secrets.token_hex(8), {"text": text}).response_id


def aggregate(act_id: int) -> dict:
    act = db.session.get(Activity, act_id)
    return KIND.aggregate(KIND.config(act.config), load_rows(act))


# --- settings ------------------------------------------------------------------------------


def test_defaults(ctx):
    assert KIND.default_config() == {"max_entries": 3, "max_length": 280, "premoderate": False}
    assert KIND.answer_mode == "append"
    assert KIND.results_hidden_default is False
    assert KIND.moderated is True
    assert {f.name: f.type for f in KIND.config_fields} == {
        "max_entries": "int",
        "max_length": "int",
        "premoderate": "bool",
    }


@pytest.mark.parametrize(
    "bad",
    [
        {"max_length": 1001},
        {"max_length": 5},
        {"max_entries": 21},
        {"max_entries": 0},
        {"premoderate": "yes"},
        {"max_entries": 2, "wall": True},
    ],
)
def test_settings_out_of_range_or_unknown_are_refused(ctx, bad):
    with pytest.raises(InputError):
        KIND.validate_config(bad)


def test_settings_at_the_limits_are_accepted(ctx):
    assert KIND.validate_config({"max_length": 1000, "max_entries": 20, "premoderate": True}) == {
        "max_length": 1000,
        "max_entries": 20,
        "premoderate": True,
    }


# --- input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"text": "x" * 61}, "text"),
        ({"text": 280}, "text"),
        ({"text": None}, "text"),
        ({"text": "  \n  "}, "text"),
        ({}, "text"),
        ({"text": "ok", "author": "Anna"}, "author"),
        ({"text": "bell\x07"}, "text"),
    ],
)
def test_bad_answers_are_refused_with_a_field_message(ctx, make_text, payload, field):
    ws_id, act_id = make_text()
    with pytest.raises(InputError) as err:
        submit(join(ws_id), act_id, "c1", payload)
    assert err.value.code == "invalid"
    assert field in err.value.fields
    assert db.session.query(Response).count() == 0


def test_longest_allowed_answer_follows_the_setting(ctx, make_text):
    ws_id, act_id = make_text(max_length=1000)
    p = join(ws_id)
    assert submit(p, act_id, "ok", {"text": "å" * 1000}).data == {"text": "å" * 1000}
    with pytest.raises(InputError) as err:
        submit(p, act_id, "too-long", {"text": "å" * 1001})
    assert "1000" in err.value.message


def test_line_breaks_are_kept_but_runs_of_empty_lines_shrink(ctx, make_text):
    ws_id, act_id = make_text()
    stored = submit(join(ws_id), act_id, "c1", {"text": "  Första raden\r\n\r\n\r\n\r\nAndra\traden  "})
    assert stored.data == {"text": "Första raden\n\nAndra raden"}


def test_answers_beyond_the_limit_are_refused(ctx, make_text):
    ws_id, act_id = make_text(max_entries=2)
    p = join(ws_id)
    send(p, act_id, "ett")
    send(p, act_id, "två")
    with pytest.raises(InputError) as err:
        send(p, act_id, "tre")
    assert err.value.code == "limit"
    send(join(ws_id), act_id, "någon annans")
    assert aggregate(act_id)["total"] == 3


def test_the_same_input_sent_twice_counts_once(ctx, make_text):
    ws_id, act_id = make_text()
    p = join(ws_id)
    first = submit(p, act_id, "same", {"text": "Bättre belysning"})
    again = submit(p, act_id, "same", {"text": "Bättre belysning"})
    assert again.duplicate and again.response_id == first.response_id
    assert aggregate(act_id) == {
        "entries": [{"id": first.response_id, "text": "Bättre belysning", "count": 1}],
        "total": 1,
        "answers": 1,
    }


# --- premoderation -------------------------------------------------------------------------


def test_premoderated_answers_wait_for_approval_and_show_only_in_the_console(ctx, make_text):
    ws_id, act_id = make_text(premoderate=True)
    p = join(ws_id)
    stored = submit(p, act_id, "c1", {"text": "Fler bänkar"})
    assert stored.status == "pending"
    act = db.session.get(Activity, act_id)
    res = results_for(act)
    assert res["console"]["aggregate"]["entries"] == []
    assert res["screen"]["aggregate"]["entries"] == []
    assert [(i["id"], i["status"]) for i in res["console"]["items"]] == [(stored.response_id, "pending")]
    # The phone still knows its own answer awaits approval.
    assert own_responses(p)[act_id][0]["status"] == "pending"
    moderate(act, stored.response_id, "approve")
    assert [e["text"] for e in aggregate(act_id)["entries"]] == ["Fler bänkar"]


def test_without_premoderation_answers_show_at_once(ctx, make_text):
    ws_id, act_id = make_text()
    assert submit(join(ws_id), act_id, "c1", {"text": "Fler bänkar"}).status == "visible"
    assert aggregate(act_id)["total"] == 1


def test_console_lists_pending_first_then_newest(ctx, make_text):
    ws_id, act_id = make_text()
    a = send(join(ws_id), act_id, "a")
    b = send(join(ws_id), act_id, "b")
    c = send(join(ws_id), act_id, "c")
    act = db.session.get(Activity, act_id)
    db.session.get(Response, a).status = "pending"
    db.session.commit()
    items = KIND.console_items(KIND.config(act.config), load_rows(act, include_hidden=True))
    assert [i["id"] for i in items] == [a, c, b]


# --- aggregation ---------------------------------------------------------------------------


def test_cards_are_newest_first_and_hidden_or_deleted_ones_are_left_out(ctx, make_text):
    ws_id, act_id = make_text()
    ids = [send(join(ws_id), act_id, t) for t in ["först", "dold", "borttagen", "sist"]]
    act = db.session.get(Activity, act_id)
    moderate(act, ids[1], "hide")
    moderate(act, ids[2], "delete")
    agg = aggregate(act_id)
    assert [e["text"] for e in agg["entries"]] == ["sist", "först"]
    assert agg["total"] == 2


def test_merged_duplicates_add_to_their_target_and_leave_no_card_of_their_own(ctx, make_text):
    ws_id, act_id = make_text()
    target = send(join(ws_id), act_id, "Bättre belysning i parken")
    dup1 = send(join(ws_id), act_id, "mer ljus i parken")
    dup2 = send(join(ws_id), act_id, "Belysning!")
    other = send(join(ws_id), act_id, "Fler bänkar")
    act = db.session.get(Activity, act_id)
    moderate(act, dup1, "merge", target)
    moderate(act, dup2, "merge", dup1)  # into a merged one: lands on the final target
    agg = aggregate(act_id)
    assert agg["entries"] == [
        {"id": other, "text": "Fler bänkar", "count": 1},
        {"id": target, "text": "Bättre belysning i parken", "count": 3},
    ]
    assert agg["total"] == 2
    assert agg["answers"] == 4


def test_at_most_200_cards_but_the_total_counts_all():
    rows = [Row(id=i, participant_id=i, data={"text": f"svar {i}"}) for i in range(1, 251)]
    agg = KIND.aggregate(KIND.Config(), rows)
    assert len(agg["entries"]) == 200
    assert agg["entries"][0]["id"] == 250
    assert agg["total"] == 250


def test_aggregate_carries_no_identities(ctx, make_text):
    ws_id, act_id = make_text()
    send(join(ws_id, "Hemliga Hanna"), act_id, "Fler bänkar")
    agg = aggregate(act_id)
    assert set(agg["entries"][0]) == {"id", "text", "count"}
    assert "Hemliga Hanna" not in repr(results_for(db.session.get(Activity, act_id))["screen"])


def test_csv_cells():
    row = Row(id=4, participant_id=1, data={"text": "=SUMMA(A1)"}, merged_into_id=None)
    assert KIND.csv_header(KIND.Config()) == ["text", "merged_into"]
    assert KIND.csv_cells(KIND.Config(), row) == ["=SUMMA(A1)", ""]


def test_every_js_string_the_module_uses_exists(ctx):
    import re
    from pathlib import Path

    from workshop.i18n import BASE_JS_STRINGS

    source = (Path(__file__).resolve().parents[2] / "static" / "js" / "kinds" / "open_text.js").read_text(
        encoding="utf-8"
    )
    used = set(re.findall(r'\bt\("([a-z_.]+)"', source))
    assert {k for k in used if k.startswith("open_text.")}
    for key in used:
        prefix, _, name = key.rpartition(".")
        assert (name in KIND.js_strings) if prefix == "open_text" else (key in BASE_JS_STRINGS), key
    shared = set(re.findall(r"`\$\{key\}\.([a-z_]+)`", source))
    assert shared and shared <= set(KIND.js_strings)
