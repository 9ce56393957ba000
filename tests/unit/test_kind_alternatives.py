"""Step 1 · Formulera alternativen: A, B and the table from the draft; flags and comments per row."""

from __future__ import annotations

import re
import secrets
from pathlib import Path

import pytest

from workshop.activities import InputError, get_kind
from workshop.draft.snapshot import draft_snapshot
from workshop.extensions import db
from workshop.inputs import submit
from workshop.models import Activity, Participant, Response, Workshop
from workshop.realtime.payloads import results_for
from workshop.responses import load_rows, moderate

ROOT = Path(__file__).resolve().parents[2]
KIND = get_kind("alternatives")

ROWS = [
    {"aspect": "Vem öppnar dörren", "a": "Personal med nyckel", "b": "Personal med mobil"},
    {"aspect": "Nyckelhantering", "a": "Nycklar hämtas på kontoret", "b": "Inga fysiska nycklar"},
    {"aspect": "Kostnad", "a": "Låssmed vid borttappad nyckel", "b": "Licens per lås"},
]


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield


@pytest.fixture
def make_alt(app, make_workshop):
    def make(rows=ROWS, **config):
        ws_id, _code, ids = make_workshop(
            activities=[("alternatives", "Formulera alternativen", config)], mode="self_paced"
        )
        with app.test_request_context():
            op(
                ws_id,
                "frame.update",
                data={
                    "alternative_a": "Fysiska nycklar (nollalternativet)",
                    "alternative_b": "Digitala lås",
                    "comparison": rows,
                },
            )
        return ws_id, ids[0]

    return make


def op(ws_id: int, name: str, **args):
    from workshop.draft.ops import apply

    return apply(db.session.get(Workshop, ws_id), name, args)


def join(ws_id: int, nickname: str = "") -> Participant:
    p = Participant(workshop_id=ws_id, token=secrets.token_urlsafe(24), nickname=nickname)
    db.session.add(p)
    db.session.commit()
    return p


def send(p, act_id, row, flag=True, comment="", client_id=None):
    return submit(p, act_id, client_id or secrets.token_hex(8), {"row": row, "flag": flag, "comment": comment})


def agg(act_id: int) -> dict:
    return results_for(db.session.get(Activity, act_id))["console"]["aggregate"]


def flags(act_id: int) -> list[int]:
    return [r["flags"] for r in agg(act_id)["rows"]]


# --- settings and validation -----------------------------------------------------------------


def test_defaults(ctx):
    assert KIND.default_config() == {"allow_comments": True, "max_comments": 10, "show_frame": True}
    assert KIND.answer_mode == "custom" and KIND.uses_draft is True and KIND.results_hidden_default is False


@pytest.mark.parametrize("bad", [{"max_comments": 0}, {"max_comments": 51}, {"colour": "red"}])
def test_bad_settings_are_refused(ctx, bad):
    with pytest.raises(InputError):
        KIND.validate_config(bad)


@pytest.mark.parametrize(
    "payload",
    [
        {"row": -1, "flag": True},
        {"row": "0", "flag": True},
        {"row": 0, "flag": "yes"},
        {"row": 0},
        {"row": 0, "flag": True, "comment": "x" * 501},
        {"row": 0, "flag": True, "comment": 5},
        {"row": 0, "flag": True, "who": "Anna"},
        [0, True],
    ],
)
def test_invalid_inputs_are_refused(app, make_alt, payload):
    ws_id, act_id = make_alt()
    with app.test_request_context():
        with pytest.raises(InputError):
            submit(join(ws_id), act_id, "x", payload)
        assert db.session.query(Response).filter_by(activity_id=act_id).count() == 0


def test_row_out_of_range_is_refused(app, make_alt):
    ws_id, act_id = make_alt()
    with app.test_request_context():
        with pytest.raises(InputError) as exc:
            send(join(ws_id), act_id, 3)
        assert exc.value.code == "unknown_row"


# --- phone content ---------------------------------------------------------------------------


def test_phones_get_a_b_the_table_and_the_frame(app, make_alt):
    ws_id, act_id = make_alt()
    with app.test_request_context():
        op(
            ws_id,
            "frame.update",
            data={
                "perspectives": [{"kind": "egen_organisation", "label": "Solstad kommun"}],
                "horizon": 10,
                "discount_rate": 0.035,
                "convention": "B",
            },
        )
        res = results_for(db.session.get(Activity, act_id))
        phone = res["phone"]
        assert phone["visible"] is False and phone["aggregate"] is None
        c = phone["content"]
        assert c["a"] == "Fysiska nycklar (nollalternativet)" and c["b"] == "Digitala lås"
        assert c["rows"] == ROWS
        assert c["frame"]["perspectives"] == [{"kind": "egen_organisation", "label": "Solstad kommun"}]
        assert (c["frame"]["horizon"], c["frame"]["discount_rate"], c["frame"]["convention"]) == (10, 0.035, "B")
        act = db.session.get(Activity, act_id)
        assert "frame" not in KIND.phone_content(
            act, KIND.config({"show_frame": False}), draft_snapshot(act.workshop_id)
        )


def test_the_console_gets_the_facts_of_the_frame_and_what_is_missing(app, make_alt):
    ws_id, act_id = make_alt()
    with app.test_request_context():
        op(ws_id, "frame.update", data={"name_of_change": "", "organisation": "Solstads kommun", "start_year": "2026"})
        a = agg(act_id)
        assert a["facts"]["organisation"] == "Solstads kommun"
        assert a["frame"]["start_year"] == 2026
        missing = [g["key"] for g in a["gaps"]]
        assert "name_of_change" in missing and "geography" in missing and "perspectives" in missing
        assert "organisation" not in missing and "start_year" not in missing
        # The console writes the facts through the draft page's op: one write path.
        op(ws_id, "frame.update", data={"geography": "Solstad", "name_of_change": "Digitala lås"})
        a = agg(act_id)
        assert a["facts"]["geography"] == "Solstad" and a["facts"]["name_of_change"] == "Digitala lås"
        assert "geography" not in [g["key"] for g in a["gaps"]]


# --- flags and comments ----------------------------------------------------------------------


def test_one_current_flag_per_participant_and_row(app, make_alt):
    ws_id, act_id = make_alt()
    with app.test_request_context():
        p, q = join(ws_id), join(ws_id)
        send(p, act_id, 0)
        send(p, act_id, 0)
        send(q, act_id, 0)
        send(q, act_id, 2)
        assert flags(act_id) == [2, 0, 1]
        send(p, act_id, 0, flag=False)
        assert flags(act_id) == [1, 0, 1]
        bare = db.session.query(Response).filter_by(activity_id=act_id, participant_id=p.id, current=True).all()
        assert len(bare) == 1  # earlier bare flags stepped back
        assert agg(act_id)["flagged_rows"] == 2 and agg(act_id)["questioners"] == 1


def test_comments_stay_and_the_latest_input_decides_the_flag(app, make_alt):
    ws_id, act_id = make_alt()
    with app.test_request_context():
        p = join(ws_id, "Anna")
        send(p, act_id, 1, flag=True, comment="Nycklar finns kvar för reservrutiner")
        send(p, act_id, 1, flag=False, comment="Fast det gäller bara nattpatrullen")
        a = agg(act_id)
        row = a["rows"][1]
        assert row["flags"] == 0
        assert [c["text"] for c in row["comments"]] == [
            "Fast det gäller bara nattpatrullen",
            "Nycklar finns kvar för reservrutiner",
        ]
        assert row["comment_count"] == 2
        send(p, act_id, 1, flag=True)
        assert agg(act_id)["rows"][1]["flags"] == 1
        assert len(agg(act_id)["rows"][1]["comments"]) == 2


def test_comment_limit_and_comments_off(app, make_alt):
    ws_id, act_id = make_alt(max_comments=2)
    with app.test_request_context():
        p = join(ws_id)
        send(p, act_id, 0, comment="ett")
        send(p, act_id, 1, comment="två")
        with pytest.raises(InputError) as exc:
            send(p, act_id, 2, comment="tre")
        assert exc.value.code == "limit"
        send(p, act_id, 2, flag=True)  # flags are not limited
    ws2, act2 = make_alt(allow_comments=False)
    with app.test_request_context():
        with pytest.raises(InputError):
            send(join(ws2), act2, 0, comment="hej")
        send(join(ws2), act2, 0)


def test_inputs_follow_their_row_when_rows_move_and_stand_apart_when_removed(app, make_alt):
    ws_id, act_id = make_alt()
    with app.test_request_context():
        p = join(ws_id)
        send(p, act_id, 1, comment="Om nycklarna")
        send(p, act_id, 2, comment="Om kostnaden")
        # The facilitator removes the first row and edits the last one's aspect.
        op(ws_id, "frame.update", data={"comparison": [ROWS[1], {**ROWS[2], "aspect": "Kostnader"}]})
        a = agg(act_id)
        assert [r["aspect"] for r in a["rows"]] == ["Nyckelhantering", "Kostnader"]
        assert a["rows"][0]["flags"] == 1 and [c["text"] for c in a["rows"][0]["comments"]] == ["Om nycklarna"]
        assert a["rows"][1]["flags"] == 0 and a["rows"][1]["comments"] == []
        assert a["orphan_comments"] == 1


def test_hidden_comments_leave_the_screen_but_the_flag_counts(app, make_alt):
    ws_id, act_id = make_alt()
    with app.test_request_context():
        p = join(ws_id)
        rid = send(p, act_id, 0, comment="Olämplig kommentar").response_id
        moderate(db.session.get(Activity, act_id), rid, "hide")
        res = results_for(db.session.get(Activity, act_id))
        assert res["screen"]["aggregate"]["rows"][0]["comments"] == []
        assert res["screen"]["aggregate"]["rows"][0]["flags"] == 1
        items = res["console"]["items"]
        assert items[0]["status"] == "hidden" and items[0]["aspect"] == "Vem öppnar dörren"
        moderate(db.session.get(Activity, act_id), rid, "delete")
        assert results_for(db.session.get(Activity, act_id))["console"]["items"] == []


def test_results_name_no_one(app, make_alt):
    ws_id, act_id = make_alt()
    with app.test_request_context():
        send(join(ws_id, "Hemliga Hanna"), act_id, 0, comment="Hmm")
        res = results_for(db.session.get(Activity, act_id))
        assert "Hemliga Hanna" not in repr(res["screen"])
        assert res["console"]["items"][0]["nickname"] == "Hemliga Hanna"


def test_the_same_client_id_twice_counts_once(app, make_alt):
    ws_id, act_id = make_alt()
    with app.test_request_context():
        p = join(ws_id)
        first = send(p, act_id, 0, comment="en gång", client_id="same")
        again = send(p, act_id, 0, comment="en gång", client_id="same")
        assert again.duplicate and again.response_id == first.response_id
        assert agg(act_id)["rows"][0]["comment_count"] == 1


def test_empty_state_without_analysis(ctx):
    a = KIND.aggregate(KIND.config({}), [])
    assert a["rows"] == [] and a["has_analysis"] is False


def test_csv(app, make_alt):
    ws_id, act_id = make_alt()
    with app.test_request_context():
        send(join(ws_id), act_id, 1, comment="=SUM(A1)")
        row = load_rows(db.session.get(Activity, act_id))[0]
        cfg = KIND.config({})
        assert KIND.csv_header(cfg) == ["row", "aspect", "flag", "comment"]
        assert KIND.csv_cells(cfg, row) == [1, "Nyckelhantering", "yes", "=SUM(A1)"]


def test_every_js_string_the_module_uses_exists(ctx):
    source = (ROOT / "static/js/kinds/alternatives.js").read_text(encoding="utf-8")
    used = set(re.findall(r'"alternatives\.([a-z_]+)"', source))
    assert used, "the JS module reads its strings through t('alternatives.…')"
    assert used <= set(KIND.js_strings)
