"""Votes split by the voter's perspective: the small-group rule (``activities._split``) and
every vote kind's split, read the way the screens read it (``results_for``)."""

from __future__ import annotations

import secrets
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workshop.activities import all_kinds, get_kind
from workshop.activities._split import MIN_VOTERS, Cell, SplitRow, build, group_order, protect
from workshop.extensions import db
from workshop.inputs import submit
from workshop.models import Activity, Participant, Workshop
from workshop.realtime.payloads import results_for
from workshop.responses import load_rows, load_tally

# --- the rule ------------------------------------------------------------------------------------


def test_a_group_of_fewer_than_three_shows_no_figures():
    assert MIN_VOTERS == 3
    assert protect({"A": 3, "B": 2, "C": 1, "D": 0, "E": 4}) == {"A": None, "B": "too_few", "C": "too_few", "E": None}


def test_groups_of_three_or_more_all_show():
    assert protect({"A": 3, "B": 10, "": 5}) == {"A": None, "B": None, "": None}


def test_one_small_group_is_protected_by_hiding_the_smallest_other():
    """Total minus the shown groups would be the small group's votes: the next smallest goes too."""
    assert protect({"A": 1, "B": 5, "C": 4, "D": 9}) == {"A": "too_few", "B": None, "C": "protects", "D": None}


def test_two_small_groups_that_hold_three_together_need_no_protection():
    assert protect({"A": 1, "B": 2, "C": 7}) == {"A": "too_few", "B": "too_few", "C": None}


def test_two_groups_of_one_hide_a_third():
    assert protect({"A": 1, "B": 1, "C": 6, "D": 3}) == {"A": "too_few", "B": "too_few", "C": None, "D": "protects"}


def test_when_no_other_group_can_protect_everything_is_hidden():
    assert protect({"A": 2, "B": 40}) == {"A": "too_few", "B": "protects"}
    assert protect({"A": 2}) == {"A": "too_few"}


def test_of_equal_groups_the_one_listed_last_protects():
    assert protect({"A": 1, "B": 4, "C": 4}) == {"A": "too_few", "B": None, "C": "protects"}


@given(st.dictionaries(st.sampled_from("ABCDEFG"), st.integers(0, 8)))
def test_no_hidden_figure_can_be_worked_out_from_the_total(sizes):
    """Whatever the groups: every shown group has three voters or more, and the hidden groups
    together (the total minus the shown ones) hold none or at least three."""
    rule = protect(sizes)
    assert set(rule) == {k for k, n in sizes.items() if n > 0}
    shown = [k for k, v in rule.items() if v is None]
    hidden = [k for k, v in rule.items() if v is not None]
    assert all(sizes[k] >= MIN_VOTERS for k in shown)
    assert all(rule[k] == "too_few" for k in rule if sizes[k] < MIN_VOTERS)
    assert not hidden or sum(sizes[k] for k in hidden) >= MIN_VOTERS or not shown


def test_the_payload_carries_no_figure_and_no_count_for_a_hidden_group():
    rows = [SplitRow("0", "Ja"), SplitRow("1", "Nej")]
    total = {"0": Cell(5, 9, 5 / 9), "1": Cell(4, 9, 4 / 9)}
    groups = {
        "Solstad kommun": (4, {"0": Cell(3, 4, 0.75), "1": Cell(1, 4, 0.25)}),
        "": (2, {"0": Cell(1, 2, 0.5), "1": Cell(1, 2, 0.5)}),
        "Brukare": (3, {"0": Cell(1, 3, 1 / 3), "1": Cell(2, 3, 2 / 3)}),
    }
    split = build("votes", rows, total, groups, perspectives=["Brukare", "Solstad kommun"])
    assert [g["key"] for g in split["groups"]] == ["Brukare", "Solstad kommun", ""]
    none = split["groups"][2]
    assert none == {"key": "", "none": True, "hidden": "too_few", "voters": None}
    # Brukare (3) is the smallest shown group: hidden to protect the group of 2.
    assert split["groups"][0] == {"key": "Brukare", "none": False, "hidden": "protects", "voters": None}
    assert split["groups"][1]["voters"] == 4
    for row in split["rows"]:
        assert row["cells"][0] == {"hidden": "protects"}
        assert row["cells"][2] == {"hidden": "too_few"}
        assert "value" in row["cells"][1] and "value" in row["total"]
    assert split["voters"] == 9


def test_groups_follow_the_workshops_order_then_others_then_no_perspective():
    assert group_order({"", "Zeta", "B", "A"}, ["B", "A"]) == ["B", "A", "Zeta", ""]


# --- every vote kind -----------------------------------------------------------------------------

POLLS: dict[str, tuple[dict[str, Any], list[dict[str, Any]]]] = {
    "multiple_choice": (
        {"options": ["Ja", "Nej"], "multiple": False, "max_choices": 1},
        [{"choices": [0]}, {"choices": [1]}],
    ),
    "scale": ({"max": 5, "label_low": "Låg", "label_high": "Hög"}, [{"value": 4}, {"value": 2}]),
    "ranking": ({"options": ["Tid", "Pengar", "Trygghet"]}, [{"order": [0, 1, 2]}, {"order": [2, 1, 0]}]),
    "points": (
        {"options": ["Tid", "Pengar", "Trygghet"], "budget": 100},
        [{"points": [60, 40, 0]}, {"points": [0, 0, 100]}],
    ),
}
PERSPECTIVES = ["Solstad kommun", "Brukare", "Närstående"]


def test_every_kind_that_counts_votes_splits():
    """The console's switch is offered for every vote kind: the polls and the method's votes."""
    splitting = {key for key, kind in all_kinds().items() if kind.splits}
    assert {
        "multiple_choice",
        "scale",
        "ranking",
        "points",
        "qna",
        "followup_check",
        "sorting",
        "effects",
        "estimates",
    } <= splitting
    assert all(kind.splits for kind in all_kinds().values() if kind.tally)


def join(ws_id: int, perspective: str = "") -> Participant:
    p = Participant(workshop_id=ws_id, token=secrets.token_urlsafe(24), perspective=perspective)
    db.session.add(p)
    db.session.commit()
    return p


def send(p: Participant, act_id: int, payload: dict[str, Any]):
    # Refused inputs raise; a stored one has an id.
    stored = submit(p, act_id, secrets.token_hex(8), payload)
    assert stored.response_id
    return stored


def split_of(act_id: int, on: bool = True) -> dict[str, Any] | None:
    act = db.session.get(Activity, act_id)
    act.split_voters = on
    db.session.commit()
    return results_for(act)["console"].get("split")


def column(split: dict[str, Any], key: str) -> list[dict[str, Any]]:
    at = [g["key"] for g in split["groups"]].index(key)
    return [row["cells"][at] for row in split["rows"]]


@pytest.fixture
def poll(app, make_workshop):
    def make(key: str):
        config, _ = POLLS[key]
        ws_id, _code, ids = make_workshop(
            activities=[(key, "Fråga", config)], ask_perspective=True, perspectives=PERSPECTIVES
        )
        return ws_id, ids[0]

    with app.test_request_context():
        yield make


@pytest.mark.parametrize("key", sorted(POLLS))
def test_a_poll_splits_by_the_voters_perspective(poll, key):
    """Four from Solstad kommun (figures), two from Brukare (too few), three without a
    perspective; Brukare's two can be worked out from the total unless another group is
    hidden too: the smallest shown group (the three without a perspective) is."""
    ws_id, act_id = poll(key)
    a, b = POLLS[key][1]
    for payload, perspective in [(a, "Solstad kommun")] * 3 + [(b, "Solstad kommun")] + [(b, "Brukare")] * 2:
        send(join(ws_id, perspective), act_id, payload)
    for payload in (a, a, b):
        send(join(ws_id), act_id, payload)
    assert split_of(act_id, on=False) is None
    split = split_of(act_id)
    assert split is not None
    assert [g["key"] for g in split["groups"]] == ["Solstad kommun", "Brukare", ""]
    assert [g["hidden"] for g in split["groups"]] == [None, "too_few", "protects"]
    assert split["groups"][0]["voters"] == 4 and split["voters"] == 9
    assert all(c == {"hidden": "too_few"} for c in column(split, "Brukare"))
    assert all(c == {"hidden": "protects"} for c in column(split, ""))
    kind = get_kind(key)
    act = db.session.get(Activity, act_id)
    config = kind.config(act.config)
    # Solstad kommun's column is that group's own aggregate, read the same way.
    mine = [r for r in load_rows(act) if r.perspective == "Solstad kommun"]
    expected = kind.split_cells(config, kind.aggregate(config, mine))
    shown = column(split, "Solstad kommun")
    assert [c["value"] for c in shown] == [expected[r["key"]].value for r in split["rows"]]
    # The phones never get the split; the presenter only while the results are shown.
    res = results_for(act)
    assert "split" not in res["phone"]
    assert ("split" in res["screen"]) == act.results_visible


@pytest.mark.parametrize("key", sorted(POLLS))
def test_the_tally_read_grouped_by_perspective_gives_what_the_rows_give(poll, key):
    ws_id, act_id = poll(key)
    a, b = POLLS[key][1]
    for i, perspective in enumerate(["Solstad kommun"] * 4 + ["Närstående"] * 3 + [""] * 2):
        send(join(ws_id, perspective), act_id, a if i % 2 else b)
    act = db.session.get(Activity, act_id)
    kind = get_kind(key)
    config = kind.config(act.config)
    grouped = load_tally(act, by_perspective=True)
    assert len(grouped) < 9  # identical answers of one group are one row
    rows = load_rows(act)
    from_tally = kind.split(act, config, grouped, kind.aggregate(config, grouped), None, PERSPECTIVES)
    from_rows = kind.split(act, config, rows, kind.aggregate(config, rows), None, PERSPECTIVES)
    assert from_tally == from_rows


def test_the_switch_is_refused_for_a_kind_without_votes(app, make_workshop):
    from workshop import live
    from workshop.activities import InputError

    ws_id, _code, ids = make_workshop(activities=[("open_text", "Tankar?", None), ("scale", "Hur?", None)])
    with app.test_request_context():
        ws = db.session.get(Workshop, ws_id)
        with pytest.raises(InputError):
            live.set_flag(ws, ids[0], "split_voters", True)
        assert live.set_flag(ws, ids[1], "split_voters", True).split_voters is True
        assert live.set_flag(ws, ids[1], "split_voters", False).split_voters is False


# --- the method's votes --------------------------------------------------------------------------


def op(ws: Workshop, name: str, **args):
    from workshop.draft.ops import apply

    return apply(ws, name, args)


@pytest.fixture
def method(app, make_workshop):
    """A workshop with sorting, effects (dots) and estimates over one draft."""
    with app.test_request_context():
        ws_id, _code, ids = make_workshop(
            activities=[
                ("sorting", "Sortera", {}),
                ("effects", "Hitta effekterna", {"dot_votes": 2}),
                ("estimates", "Samla data", None),
            ],
            mode="self_paced",
            ask_perspective=True,
            perspectives=PERSPECTIVES,
        )
        ws = db.session.get(Workshop, ws_id)
        n1 = op(
            ws,
            "node.add",
            data={"node_type": "nytta", "title": "Färre resor", "category": "omfordelning", "valuation": "money"},
        )["id"]
        n2 = op(ws, "node.add", data={"node_type": "nytta", "title": "Tryggare brukare"})["id"]
        e1 = op(ws, "node.add", data={"node_type": "effekt", "title": "Kortare väntetid"})["id"]
        e2 = op(ws, "node.add", data={"node_type": "effekt", "title": "Färre nycklar"})["id"]
        row = op(ws, "row.add", node_id=n1, data={"name": "besok", "label": "Hembesök per dag?", "unit": "besök/dag"})[
            "id"
        ]
        yield {
            "ws": ws_id,
            "sorting": ids[0],
            "effects": ids[1],
            "estimates": ids[2],
            "n1": n1,
            "n2": n2,
            "e1": e1,
            "e2": e2,
            "row": row,
        }


def test_sorting_splits_per_item_by_the_voters_perspective(method):
    m = method
    solstad = [join(m["ws"], "Solstad kommun") for _ in range(3)]
    brukare = [join(m["ws"], "Brukare") for _ in range(2)]
    others = [join(m["ws"], "Närstående") for _ in range(4)]
    for p in solstad:
        send(p, m["sorting"], {"node": m["n1"], "category": "omfordelning", "money": True})
        send(p, m["sorting"], {"node": m["n2"], "category": "kvalitet"})
    for p in brukare:
        send(p, m["sorting"], {"node": m["n1"], "category": "finansiell"})
    # Närstående: four on the first item, only two on the second.
    for i, p in enumerate(others):
        send(p, m["sorting"], {"node": m["n1"], "category": "kvalitet" if i else "omfordelning"})
        if i < 2:
            send(p, m["sorting"], {"node": m["n2"], "category": "miljo"})
    split = split_of(m["sorting"])
    assert split["measure"] == "majority"
    assert [g["key"] for g in split["groups"]] == ["Solstad kommun", "Brukare", "Närstående"]
    rows = {r["key"]: r for r in split["rows"]}
    first, second = rows[str(m["n1"])], rows[str(m["n2"])]
    # Item 1: Brukare (2) too few; Solstad (3) is the smallest shown group and protects it.
    assert first["cells"] == [{"hidden": "protects"}, {"hidden": "too_few"}, {"value": "Kvalitet", "share": 0.75}]
    # Item 2: Närstående gave only two votes: too few there, and Solstad protects them.
    assert second["cells"][2] == {"hidden": "too_few"}
    assert second["cells"][0] == {"hidden": "protects"}
    assert first["total"]["value"] == "Omfördelning" and first["total"]["share"] == round(4 / 9, 4)


def test_dots_split_by_the_voters_perspective(method):
    m = method
    for perspective, n in [("Solstad kommun", 3), ("Brukare", 4), ("", 1), ("Närstående", 5)]:
        for _ in range(n):
            p = join(m["ws"], perspective)
            send(p, m["effects"], {"action": "dot", "node": m["e1"], "on": True})
            if perspective == "Brukare":
                send(p, m["effects"], {"action": "dot", "node": m["e2"], "on": True})
    split = split_of(m["effects"])
    assert split["measure"] == "dots"
    assert [g["key"] for g in split["groups"]] == ["Solstad kommun", "Brukare", "Närstående", ""]
    # Most dots first; the one without a perspective is too few, Solstad (3) protects it.
    assert [r["label"] for r in split["rows"]] == ["Kortare väntetid", "Färre nycklar"]
    e1 = split["rows"][0]
    assert e1["cells"] == [
        {"hidden": "protects"},
        {"value": 4, "share": 1.0},
        {"value": 5, "share": 1.0},
        {"hidden": "too_few"},
    ]
    assert e1["total"] == {"value": 13, "share": 1.0}
    assert split["rows"][1]["cells"][1] == {"value": 4, "share": 1.0}


def test_estimates_split_the_median_per_question(method):
    m = method
    for perspective, values in [
        ("Solstad kommun", [10, 20, 30]),
        ("Brukare", [100, 200]),
        ("Närstående", [5, 7, 9, 11]),
    ]:
        for v in values:
            send(join(m["ws"], perspective), m["estimates"], {"row": m["row"], "accept": False, "value": v})
    split = split_of(m["estimates"])
    assert split["measure"] == "median"
    (row,) = split["rows"]
    assert row["label"] == "Hembesök per dag?" and row["note"] == "Färre resor · besök/dag"
    assert row["cells"] == [{"hidden": "protects"}, {"hidden": "too_few"}, {"value": 8.0}]
    assert row["total"] == {"value": 11.0}


# --- Q&A upvotes and the follow-up "Har det hänt?" -------------------------------------------------


def test_qna_upvotes_split_on_every_question_whoever_asked_it(poll, make_workshop):  # poll: a request context
    ws_id, _code, ids = make_workshop(
        activities=[("qna", "Frågor", None)], ask_perspective=True, perspectives=PERSPECTIVES
    )
    act = ids[0]
    asker = join(ws_id, "Brukare")
    first = send(asker, act, {"action": "ask", "text": "Vem betalar låsen?"}).response_id
    second = send(asker, act, {"action": "ask", "text": "Hur länge räcker batteriet?"}).response_id
    for perspective, n in [("Solstad kommun", 3), ("Närstående", 2)]:
        for _ in range(n):
            send(join(ws_id, perspective), act, {"action": "upvote", "question": first, "on": True})
    send(join(ws_id, "Solstad kommun"), act, {"action": "upvote", "question": second, "on": True})
    split = split_of(act)
    assert split["measure"] == "upvotes"
    # The asker upvoted nothing: Brukare is no group here. Solstad has four upvoters.
    assert [g["key"] for g in split["groups"]] == ["Solstad kommun", "Närstående"]
    assert [r["label"] for r in split["rows"]] == ["Vem betalar låsen?", "Hur länge räcker batteriet?"]
    # Närstående (2) is too few, and Solstad, the only other group, is hidden to protect them.
    assert split["rows"][0]["cells"] == [{"hidden": "protects"}, {"hidden": "too_few"}]
    assert split["rows"][0]["total"]["value"] == 5


def test_followup_answers_split_per_benefit(app, make_workshop):
    ws_id, _code, ids = make_workshop(
        activities=[("followup_check", "Har det hänt?", {"items": ["Färre resor", "Tryggare brukare"]})],
        ask_perspective=True,
        perspectives=PERSPECTIVES,
    )
    act = ids[0]
    with app.test_request_context():
        for perspective, answers in [
            ("Solstad kommun", ["yes", "yes", "no", "partly"]),
            ("Brukare", ["yes", "no", "no"]),
            ("", ["yes"]),
        ]:
            for a in answers:
                p = join(ws_id, perspective)
                send(p, act, {"item": 0, "happened": a})
                if perspective == "Solstad kommun":
                    send(p, act, {"item": 1, "happened": "yes"})
        split = split_of(act)
    assert split["measure"] == "yes"
    rows = {r["label"]: r for r in split["rows"]}
    # Item 1: Solstad 4, Brukare 3, none 1 (too few): Brukare, the smallest shown, protects it.
    assert rows["Färre resor"]["cells"] == [{"value": 2, "share": 0.5}, {"hidden": "protects"}, {"hidden": "too_few"}]
    assert rows["Färre resor"]["total"] == {"value": 4, "share": 0.5}
    # Item 2: only Solstad answered it.
    assert rows["Tryggare brukare"]["cells"][0] == {"value": 4, "share": 1.0}
