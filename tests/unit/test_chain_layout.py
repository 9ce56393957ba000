"""The effect chain's layout: columns by kind, no overlaps, arrows on the right boxes, stable."""

from __future__ import annotations

import copy
import itertools
import json

import pytest

from workshop.draft.layout import chain_layout, column_of, wrap

NODES = [
    {"id": 1, "node_type": "forandring", "title": "Digitala lås i hemtjänsten"},
    {"id": 2, "node_type": "effekt", "title": "Färre nyckelhanteringar"},
    {"id": 3, "node_type": "effekt", "title": "Personalen kommer in direkt utan att vänta på nyckel"},
    {"id": 4, "node_type": "nytta", "title": "Frigjord arbetstid"},
    {"id": 5, "node_type": "nytta", "title": "Tryggare brukare"},
    {"id": 6, "node_type": "konsekvenskostnad", "title": "Mer tid för support"},
    {"id": 7, "node_type": "genomforandekostnad", "title": "Inköp och installation av lås"},
    {"id": 8, "node_type": "risk", "title": "Batterierna tar slut"},
    {"id": 9, "node_type": "verksamhetsmal", "title": "Trygg och effektiv hemtjänst"},
    {"id": 10, "node_type": "hinder", "title": "Avtal med låsleverantören"},
    {"id": 11, "node_type": "mojlighet", "title": "Digital nyckel för anhöriga"},
]
LINKS = [
    {"from": 1, "to": 2},
    {"from": 1, "to": 3},
    {"from": 2, "to": 5},
    {"from": 3, "to": 4},
    {"from": 2, "to": 6},
    {"from": 4, "to": 9},
    {"from": 3, "to": 8},
]


def boxes(layout):
    return {n["id"]: n for n in layout["nodes"]}


def column(layout, key):
    return next(c for c in layout["columns"] if c["key"] == key)


def overlaps(a, b) -> bool:
    return (
        a["x"] < b["x"] + b["w"] and b["x"] < a["x"] + a["w"] and a["y"] < b["y"] + b["h"] and b["y"] < a["y"] + a["h"]
    )


def on_side(point, box, side) -> bool:
    x, y = point
    edge_x = box["x"] + box["w"] if side == "right" else box["x"]
    return x == edge_x and box["y"] <= y <= box["y"] + box["h"]


def test_columns_follow_the_method_with_the_implementation_cost_beside_the_chain():
    layout = chain_layout(NODES, LINKS)
    keys = [c["key"] for c in layout["columns"]]
    assert keys == ["forandring", "effekt", "nytta", "ovrigt", "genomforandekostnad"]
    by_key = {c["key"]: c for c in layout["columns"]}
    assert by_key["genomforandekostnad"]["aside"] is True
    assert not any(by_key[k]["aside"] for k in ("forandring", "effekt", "nytta", "ovrigt"))
    # Columns run left to right without overlapping; the aside is set further apart.
    xs = [(c["x"], c["x"] + c["w"]) for c in layout["columns"]]
    gaps = [b[0] - a[1] for a, b in zip(xs, xs[1:])]
    assert all(g > 0 for g in gaps)
    assert gaps[-1] > max(gaps[:-1])
    assert layout["width"] >= xs[-1][1]


@pytest.mark.parametrize(
    "node_type, key",
    [
        ("forandring", "forandring"),
        ("effekt", "effekt"),
        ("nytta", "nytta"),
        ("konsekvenskostnad", "nytta"),
        ("genomforandekostnad", "genomforandekostnad"),
        ("risk", "ovrigt"),
        ("hinder", "ovrigt"),
        ("mojlighet", "ovrigt"),
        ("verksamhetsmal", "ovrigt"),
    ],
)
def test_every_kind_sits_in_its_column(node_type, key):
    assert column_of(node_type) == key
    layout = chain_layout(NODES, LINKS)
    col = column(layout, key)
    for n in layout["nodes"]:
        if n["node_type"] == node_type:
            assert n["column"] == key
            assert col["x"] <= n["x"] and n["x"] + n["w"] <= col["x"] + col["w"]


def test_the_chain_columns_are_drawn_even_when_empty_and_the_extra_ones_only_when_used():
    empty = chain_layout([], [])
    assert [c["key"] for c in empty["columns"]] == ["forandring", "effekt", "nytta"]
    assert empty["nodes"] == [] and empty["edges"] == []
    assert empty["width"] > 0 and empty["height"] > 0
    only = chain_layout([{"id": 1, "node_type": "effekt", "title": "E"}], [])
    assert [c["key"] for c in only["columns"]] == ["forandring", "effekt", "nytta"]


def test_no_boxes_overlap_and_all_fit_inside_the_picture():
    nodes = NODES + [
        {"id": 100 + i, "node_type": t, "title": f"Effekt nummer {i} med en lite längre text som bryts"}
        for i, t in enumerate(["effekt"] * 12 + ["nytta"] * 5 + ["risk"] * 3)
    ]
    links = LINKS + [{"from": 100 + i, "to": 112 + (i % 5)} for i in range(12)]
    layout = chain_layout(nodes, links)
    assert len(layout["nodes"]) == len(nodes)
    for a, b in itertools.combinations(layout["nodes"], 2):
        assert not overlaps(a, b), (a["id"], b["id"])
    heading_bottom = max(len(c["label_lines"]) for c in layout["columns"])
    for n in layout["nodes"]:
        assert n["x"] >= 0 and n["y"] >= heading_bottom
        assert n["x"] + n["w"] <= layout["width"] and n["y"] + n["h"] <= layout["height"]


def test_edges_start_on_the_cause_and_end_on_the_effect():
    layout = chain_layout(NODES, LINKS)
    b = boxes(layout)
    assert {(e["from"], e["to"]) for e in layout["edges"]} == {(lk["from"], lk["to"]) for lk in LINKS}
    for e in layout["edges"]:
        assert len(e["points"]) >= 4 and (len(e["points"]) - 1) % 3 == 0
        src, dst = b[e["from"]], b[e["to"]]
        assert src["x"] < dst["x"]  # every link here runs left to right
        assert on_side(e["points"][0], src, "right")
        assert on_side(e["points"][-1], dst, "left")


def test_backward_and_same_column_links_attach_to_the_facing_sides():
    nodes = [
        {"id": 1, "node_type": "effekt", "title": "A"},
        {"id": 2, "node_type": "effekt", "title": "B"},
        {"id": 3, "node_type": "nytta", "title": "C"},
    ]
    layout = chain_layout(nodes, [(3, 1), (1, 2)])
    b = boxes(layout)
    back = next(e for e in layout["edges"] if e["from"] == 3)
    assert on_side(back["points"][0], b[3], "left") and on_side(back["points"][-1], b[1], "right")
    same = next(e for e in layout["edges"] if e["from"] == 1)
    assert on_side(same["points"][0], b[1], "right") and on_side(same["points"][-1], b[2], "right")
    assert same["points"][1][0] > b[1]["x"] + b[1]["w"]  # bulges out, not through the boxes
    assert layout["width"] >= max(p[0] for e in layout["edges"] for p in e["points"])


def test_an_arrow_that_skips_a_column_passes_between_its_boxes():
    nodes = (
        [{"id": "c", "node_type": "forandring", "title": "Förändringen"}]
        + [{"id": f"e{i}", "node_type": "effekt", "title": f"Effekt {i}"} for i in range(5)]
        + [{"id": "n", "node_type": "nytta", "title": "Nytta"}]
    )
    links = [("c", f"e{i}") for i in range(5)] + [("e0", "n"), ("c", "n")]
    layout = chain_layout(nodes, links)
    b = boxes(layout)
    jump = next(e for e in layout["edges"] if (e["from"], e["to"]) == ("c", "n"))
    pts = jump["points"]
    assert (len(pts) - 1) % 3 == 0 and len(pts) > 4
    assert on_side(pts[0], b["c"], "right") and on_side(pts[-1], b["n"], "left")
    col = column(layout, "effekt")
    inside = [p for p in pts if col["x"] <= p[0] <= col["x"] + col["w"]]
    assert inside, "the arrow runs through the effect column"
    for x, y in inside:
        for box in layout["nodes"]:
            if box["column"] == "effekt":
                assert not (box["y"] <= y <= box["y"] + box["h"]), (x, y, box["id"])
    # Arrows between neighbouring columns stay one curve.
    assert all(len(e["points"]) == 4 for e in layout["edges"] if e["from"] == "c" and e["to"] != "n")


def test_several_arrows_on_one_side_get_separate_ports():
    layout = chain_layout(NODES, LINKS)
    starts = [tuple(e["points"][0]) for e in layout["edges"] if e["from"] == 1]
    assert len(starts) == 2 and len(set(starts)) == 2


def test_unknown_ends_self_links_and_duplicates_are_left_out():
    nodes = NODES[:3]
    layout = chain_layout(nodes, [(1, 2), (1, 2), (2, 2), (2, 999), {"from": 999, "to": 1}, {"nonsense": 1}, (1, 3)])
    assert [(e["from"], e["to"]) for e in layout["edges"]] == [(1, 2), (1, 3)]


def test_output_is_deterministic_and_does_not_touch_the_input():
    nodes, links = copy.deepcopy(NODES), copy.deepcopy(LINKS)
    first = chain_layout(nodes, links)
    assert nodes == NODES and links == LINKS
    for _ in range(3):
        assert json.dumps(chain_layout(nodes, links), sort_keys=True) == json.dumps(first, sort_keys=True)
    json.dumps(first)  # plain data only


def test_barycentre_uncrosses_a_simple_cross():
    nodes = [
        {"id": "a", "node_type": "effekt", "title": "a"},
        {"id": "b", "node_type": "effekt", "title": "b"},
        {"id": "x", "node_type": "nytta", "title": "x"},
        {"id": "y", "node_type": "nytta", "title": "y"},
    ]
    layout = chain_layout(nodes, [("a", "y"), ("b", "x")])
    b = boxes(layout)
    # a above b, so y (a's consequence) should stand above x.
    assert (b["a"]["y"] < b["b"]["y"]) == (b["y"]["y"] < b["x"]["y"])


def test_the_lane_keeps_its_kinds_together():
    nodes = [
        {"id": 1, "node_type": "effekt", "title": "e1"},
        {"id": 2, "node_type": "effekt", "title": "e2"},
        {"id": 3, "node_type": "risk", "title": "r"},
        {"id": 4, "node_type": "verksamhetsmal", "title": "m"},
        {"id": 5, "node_type": "risk", "title": "r2"},
    ]
    layout = chain_layout(nodes, [(2, 3), (1, 5)])
    lane = [n["node_type"] for n in sorted(layout["nodes"], key=lambda n: n["y"]) if n["column"] == "ovrigt"]
    assert lane == ["verksamhetsmal", "risk", "risk"]


def test_long_titles_wrap_and_the_box_grows():
    short = chain_layout([{"id": 1, "node_type": "effekt", "title": "Kort"}], [])["nodes"][0]
    long = chain_layout(
        [
            {
                "id": 1,
                "node_type": "effekt",
                "title": "Kortare väntetid för brukare som ringer till kommunens kontaktcenter på kvällen",
            }
        ],
        [],
    )["nodes"][0]
    assert short["title_lines"] == ["Kort"]
    assert len(long["title_lines"]) > 1 and long["h"] > short["h"]
    assert all(len(line) <= 22 for line in long["title_lines"])


def test_wrap_cuts_long_words_and_ends_with_an_ellipsis():
    assert wrap("a b c", 10) == ["a b c"]
    assert wrap("  many   spaces  ", 20) == ["many spaces"]
    cut = wrap("x" * 30, 10)
    assert all(len(line) <= 10 for line in cut) and "".join(line.rstrip("-") for line in cut) == "x" * 30
    many = wrap(" ".join(["ord"] * 40), 10, max_lines=3)
    assert len(many) == 3 and many[-1].endswith("…")
    assert wrap("", 10) == [""]


def test_boxes_in_mixed_columns_have_room_for_their_kind():
    layout = chain_layout(NODES, LINKS)
    b = boxes(layout)
    assert b[4]["tag"] is True and b[6]["tag"] is True and b[8]["tag"] is True  # nytta, konsekvenskostnad, risk
    assert b[1]["tag"] is False and b[2]["tag"] is False and b[7]["tag"] is False
    short = chain_layout(
        [{"id": 1, "node_type": "effekt", "title": "Kort"}, {"id": 2, "node_type": "nytta", "title": "Kort"}], []
    )
    h = {n["id"]: n["h"] for n in short["nodes"]}
    assert h[2] > h[1]


def test_labels_can_be_translated():
    layout = chain_layout(NODES[:1], [], labels={"forandring": "Change"})
    assert column(layout, "forandring")["label"] == "Change"
    assert column(layout, "effekt")["label"] == "Effekt"


def test_long_swedish_compounds_are_hyphenated_where_swedish_allows_never_cut():
    """A word longer than a line breaks at a hyphenation point of the Swedish patterns, at a
    compound's joint where one is in reach; every other word moves whole to the next line."""
    from workshop.draft.layout import TITLE_CHARS, hyphen_points

    assert wrap("Hemtjänstpersonalens arbetstidsförkortning") == [
        "Hemtjänst-",
        "personalens arbets-",
        "tidsförkortning",
    ]
    assert wrap("Nyckelhanteringsrutinernas försvinnande") == ["Nyckelhanterings-", "rutinernas", "försvinnande"]
    # Words that fit a line are never hyphenated; an existing hyphen is a place to break.
    assert wrap("Mer tid för IT-supporten vid låsproblem") == ["Mer tid för", "IT-supporten vid", "låsproblem"]
    for title in (
        "Hemtjänstpersonalens arbetstidsförkortning",
        "Anhörigkommunikationens förbättringsmöjligheter",
        "Verksamhetsuppföljningens tillförlitlighet och Biståndshandläggarnas dokumentationsbörda",
    ):
        lines = wrap(title, max_lines=10)
        assert all(len(line) <= TITLE_CHARS for line in lines)
        # Joined again the lines give the title; every break inside a word is a hyphenation point.
        text = ""
        for line in lines:
            if text and not text.endswith("\x00"):
                text += " "
            if line.endswith("-") and not line.endswith("--"):
                word = line.rsplit(" ", 1)[-1][:-1]
                rest = lines[lines.index(line) + 1].split(" ")[0]
                assert len(word) in hyphen_points(word + rest), (word, rest)
                text += line[:-1] + "\x00"
            else:
                text += line
        assert text.replace("\x00 ", "").replace("\x00", "") == title
