"""Word cloud: validation, the per-participant limit, normalised counting, merging, retries."""

from __future__ import annotations

import secrets

import pytest

from workshop.activities import InputError, get_kind
from workshop.activities.base import Row
from workshop.extensions import db
from workshop.inputs import submit
from workshop.models import Activity, Participant, Response
from workshop.realtime.payloads import results_for
from workshop.responses import load_rows, moderate

KIND = get_kind("word_cloud")


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield


@pytest.fixture
def cloud(app, make_workshop):
    """A live workshop with one word cloud (2 words each, at most 12 characters)."""
    ws_id, _code, (act_id,) = make_workshop(
        activities=[("word_cloud", "Ett ord om tryggheten", {"max_entries": 2, "max_length": 12})]
    )
    return ws_id, act_id


def join(ws_id: int, nickname: str = "") -> Participant:
    p = Participant(workshop_id=ws_id, token=secrets.token_urlsafe(24), nickname=nickname)
    db.session.add(p)
    db.session.commit()
    return p


def aggregate(act_id: int) -> dict:
    act = db.session.get(Activity, act_id)
    return KIND.aggregate(KIND.config(act.config), load_rows(act))


def send(p: Participant, act_id: int, text) -> int:
    return submit(p, act_id, secrets.token_hex(8), {"text": text}).response_id


# --- settings ------------------------------------------------------------------------------


def test_defaults_are_three_words_of_25_characters_and_results_shown(ctx):
    assert KIND.default_config() == {"max_entries": 3, "max_length": 25}
    assert KIND.answer_mode == "append"
    assert KIND.results_hidden_default is False
    assert KIND.phone_results == "on_reveal"
    assert {f.name: f.type for f in KIND.config_fields} == {"max_entries": "int", "max_length": "int"}


@pytest.mark.parametrize(
    "bad",
    [
        {"max_entries": 0},
        {"max_entries": 11},
        {"max_length": 41},
        {"max_length": "25"},
        {"max_entries": 3, "colour": "red"},
    ],
)
def test_settings_out_of_range_or_unknown_are_refused(ctx, bad):
    with pytest.raises(InputError):
        KIND.validate_config(bad)


def test_settings_at_the_limits_are_accepted(ctx):
    assert KIND.validate_config({"max_entries": 10, "max_length": 40}) == {"max_entries": 10, "max_length": 40}


# --- input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"text": "x" * 13}, "text"),  # this activity allows 12
        ({"text": 42}, "text"),
        ({"text": ["trygghet"]}, "text"),
        ({"text": "   "}, "text"),
        ({}, "text"),
        ({"text": "ok", "extra": 1}, "extra"),
        ({"text": "tryg\x00ghet"}, "text"),
    ],
)
def test_bad_entries_are_refused_with_a_field_message(ctx, cloud, payload, field):
    ws_id, act_id = cloud
    p = join(ws_id)
    with pytest.raises(InputError) as err:
        submit(p, act_id, "c1", payload)
    assert err.value.code == "invalid"
    assert field in err.value.fields
    assert err.value.message
    assert db.session.query(Response).count() == 0


def test_entry_that_is_not_an_object_is_refused(ctx, cloud):
    ws_id, act_id = cloud
    with pytest.raises(InputError) as err:
        submit(join(ws_id), act_id, "c1", "trygghet")
    assert err.value.code == "invalid"


def test_too_long_message_names_the_activity_limit(ctx, cloud):
    ws_id, act_id = cloud
    with pytest.raises(InputError) as err:
        submit(join(ws_id), act_id, "c1", {"text": "x" * 13})
    assert "12" in err.value.message


def test_whitespace_inside_an_entry_is_collapsed_when_stored(ctx, cloud):
    ws_id, act_id = cloud
    stored = submit(join(ws_id), act_id, "c1", {"text": "  trygg \n\t boende "})
    assert stored.data == {"text": "trygg boende"}


def test_entries_beyond_the_limit_are_refused_and_a_deleted_one_frees_a_place(ctx, cloud):
    ws_id, act_id = cloud
    p = join(ws_id)
    first = send(p, act_id, "trygghet")
    send(p, act_id, "gemenskap")
    with pytest.raises(InputError) as err:
        send(p, act_id, "närhet")
    assert err.value.code == "limit"
    moderate(db.session.get(Activity, act_id), first, "delete")
    send(p, act_id, "närhet")
    assert sorted(w["text"] for w in aggregate(act_id)["words"]) == ["gemenskap", "närhet"]


def test_the_limit_is_per_participant(ctx, cloud):
    ws_id, act_id = cloud
    a, b = join(ws_id), join(ws_id)
    send(a, act_id, "ett")
    send(a, act_id, "två")
    send(b, act_id, "tre")
    send(b, act_id, "fyra")
    assert aggregate(act_id)["entries"] == 4


def test_the_same_input_sent_twice_counts_once(ctx, cloud):
    ws_id, act_id = cloud
    p = join(ws_id)
    first = submit(p, act_id, "same-id", {"text": "Trygghet"})
    again = submit(p, act_id, "same-id", {"text": "Trygghet"})
    assert again.duplicate and not first.duplicate
    assert again.response_id == first.response_id
    assert aggregate(act_id)["words"] == [{"text": "Trygghet", "count": 1}]
    assert db.session.query(Response).count() == 1


# --- aggregation ---------------------------------------------------------------------------


def test_case_and_spacing_do_not_split_a_word_and_the_most_common_spelling_is_shown(ctx, cloud):
    ws_id, act_id = cloud
    for text in ["Trygghet", " trygghet ", "trygghet", "TRYGGHET", "Gemenskap"]:
        send(join(ws_id), act_id, text)
    agg = aggregate(act_id)
    assert agg["words"] == [{"text": "trygghet", "count": 4}, {"text": "Gemenskap", "count": 1}]
    assert agg["entries"] == 5
    assert agg["distinct"] == 2


def test_equally_common_spellings_show_the_first_one_written():
    rows = [Row(id=i, participant_id=i, data={"text": t}) for i, t in enumerate(["Närhet", "närhet", "NÄRHET"], 1)]
    assert KIND.aggregate(KIND.Config(), rows)["words"] == [{"text": "Närhet", "count": 3}]


def test_words_are_sorted_by_count_then_alphabetically_and_capped_at_100():
    rows = []
    n = 0
    for i in range(105):
        for _ in range(1 + (i == 50) * 5 + (i == 7) * 2):
            n += 1
            rows.append(Row(id=n, participant_id=n, data={"text": f"ord{i:03d}"}))
    agg = KIND.aggregate(KIND.Config(), rows)
    assert len(agg["words"]) == 100
    assert agg["words"][0] == {"text": "ord050", "count": 6}
    assert agg["words"][1] == {"text": "ord007", "count": 3}
    assert [w["text"] for w in agg["words"][2:5]] == ["ord000", "ord001", "ord002"]
    assert agg["entries"] == 105 + 5 + 2
    assert agg["distinct"] == 105


def test_hidden_and_deleted_entries_do_not_count(ctx, cloud):
    ws_id, act_id = cloud
    keep = send(join(ws_id), act_id, "trygghet")
    hidden = send(join(ws_id), act_id, "dumheter")
    deleted = send(join(ws_id), act_id, "trygghet")
    act = db.session.get(Activity, act_id)
    moderate(act, hidden, "hide")
    moderate(act, deleted, "delete")
    assert aggregate(act_id)["words"] == [{"text": "trygghet", "count": 1}]
    assert keep
    # The aggregate ignores them even when handed every row.
    all_rows = load_rows(act, include_hidden=True)
    assert KIND.aggregate(KIND.config(act.config), all_rows)["entries"] == 1


def test_merged_entries_count_toward_their_target_word(ctx, cloud):
    ws_id, act_id = cloud
    target = send(join(ws_id), act_id, "Trygghet")
    other = send(join(ws_id), act_id, "trygghet")
    trygg = send(join(ws_id), act_id, "trygg")
    safe = send(join(ws_id), act_id, "Säkerhet")
    act = db.session.get(Activity, act_id)
    moderate(act, trygg, "merge", target)
    moderate(act, safe, "merge", other)  # merging into any entry of the word is the same
    agg = aggregate(act_id)
    assert agg["words"] == [{"text": "Trygghet", "count": 4}]
    assert agg["entries"] == 4


def test_merged_entries_disappear_with_a_hidden_target(ctx, cloud):
    ws_id, act_id = cloud
    target = send(join(ws_id), act_id, "idiot")
    merged = send(join(ws_id), act_id, "idioter")
    send(join(ws_id), act_id, "trygghet")
    act = db.session.get(Activity, act_id)
    moderate(act, merged, "merge", target)
    moderate(act, target, "hide")
    assert aggregate(act_id)["words"] == [{"text": "trygghet", "count": 1}]


def test_console_items_name_the_word_each_entry_counts_toward(ctx, cloud):
    ws_id, act_id = cloud
    target = send(join(ws_id, "Anna"), act_id, "Trygghet")
    merged = send(join(ws_id), act_id, "trygg")
    act = db.session.get(Activity, act_id)
    moderate(act, merged, "merge", target)
    items = {i["id"]: i for i in KIND.console_items(KIND.config(act.config), load_rows(act, include_hidden=True))}
    assert items[target]["group"] == "trygghet"
    assert items[merged]["group"] == "trygghet"
    assert items[merged]["merged_into"] == target
    assert items[target]["count"] == 2


def test_phones_see_the_words_only_after_reveal(ctx, cloud):
    ws_id, act_id = cloud
    send(join(ws_id), act_id, "trygghet")
    act = db.session.get(Activity, act_id)
    assert results_for(act)["phone"]["aggregate"] is None
    assert results_for(act)["screen"]["aggregate"]["words"] == [{"text": "trygghet", "count": 1}]
    act.revealed = True
    db.session.commit()
    assert results_for(act)["phone"]["aggregate"]["words"] == [{"text": "trygghet", "count": 1}]


def test_csv_has_the_text_and_its_normalised_form(ctx):
    row = Row(id=3, participant_id=1, data={"text": "Trygg  Het"}, merged_into_id=2)
    assert KIND.csv_header(KIND.Config()) == ["text", "normalised", "merged_into"]
    assert KIND.csv_cells(KIND.Config(), row) == ["Trygg  Het", "trygg het", 2]


def test_every_js_string_the_modules_use_exists(ctx):
    import re
    from pathlib import Path

    from workshop.i18n import BASE_JS_STRINGS

    kinds = Path(__file__).resolve().parents[2] / "static" / "js" / "kinds"
    source = (kinds / "word_cloud.js").read_text(encoding="utf-8")
    used = set(re.findall(r'\bt\("([a-z_.]+)"', source))
    assert {k for k in used if k.startswith("word_cloud.")}, "strings are read as t('word_cloud.…')"
    for key in used:
        prefix, _, name = key.rpartition(".")
        assert (name in KIND.js_strings) if prefix == "word_cloud" else (key in BASE_JS_STRINGS), key
    # The shared phone form (open_text.js) builds `${key}.name`; the word cloud uses it one-line
    # and without premoderation, so it needs neither the character counter nor that notice.
    shared = set(re.findall(r"`\$\{key\}\.([a-z_]+)`", (kinds / "open_text.js").read_text(encoding="utf-8")))
    assert shared - {"chars", "premoderated"} <= set(KIND.js_strings)
