"""The editor's "Add an activity" list: grouped (polls, the method's steps), ordered, and set
to what the workshop is."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

PASSWORD = "hemligt-lösen-1"
POLLS = ["multiple_choice", "scale", "word_cloud", "open_text", "ranking", "points", "qna"]
STEPS = [
    "alternatives",
    "effects",
    "effect_chain",
    "sorting",
    "valuation",
    "describe",
    "questions",
    "estimates",
    "calculate",
    "uncertainty",
    "present",
]


class Menu(HTMLParser):
    """The <select id="kind">: [(group label, [(value, text, selected)])]."""

    def __init__(self):
        super().__init__()
        self.groups: list[tuple[str, list]] = []
        self.inside = False
        self.option = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "select" and a.get("id") == "kind":
            self.inside = True
        elif self.inside and tag == "optgroup":
            self.groups.append((a["label"], []))
        elif self.inside and tag == "option":
            self.option = [a["value"], "", "selected" in a]

    def handle_data(self, data):
        if self.option is not None:
            self.option[1] += data

    def handle_endtag(self, tag):
        if tag == "option" and self.option is not None:
            self.groups[-1][1].append(tuple(self.option))
            self.option = None
        elif tag == "select":
            self.inside = False


def menu(client, ws_id: int, lang: str = "sv"):
    parser = Menu()
    parser.feed(client.get(f"/f/w/{ws_id}?lang={lang}").get_data(as_text=True))
    return parser.groups


def selected(groups) -> list[str]:
    return [value for _label, options in groups for value, _text, chosen in options if chosen]


@pytest.fixture
def client(app, facilitator):
    c = app.test_client()
    c.post("/login", data={"email": "anna@solstad.se", "password": PASSWORD})
    return c


def test_grouped_and_ordered_in_swedish_and_english(client, make_workshop):
    ws_id, _code, _ids = make_workshop(activities=())
    groups = menu(client, ws_id, "sv")
    assert [g for g, _ in groups] == ["Omröstningar", "Metodens steg", "Efter beslutet"]
    assert [v for v, _t, _s in groups[2][1]] == ["followup_check"]
    assert [v for v, _t, _s in groups[0][1]] == POLLS
    assert [v for v, _t, _s in groups[1][1]] == STEPS
    assert [t for _v, t, _s in groups[1][1]][:2] == ["Steg 1 · Formulera alternativen", "Steg 2 · Hitta effekterna"]
    english = menu(client, ws_id, "en")
    assert [g for g, _ in english] == ["Polls", "The method's steps", "After the decision"]
    assert [t for _v, t, _s in english[1][1]][1] == "Step 2 · Find the effects"
    assert [t for _v, t, _s in english[0][1]][0] == "Multiple choice"


def test_an_empty_or_poll_workshop_defaults_to_a_poll(client, make_workshop):
    empty, _c, _i = make_workshop(activities=())
    assert selected(menu(client, empty)) == ["multiple_choice"]
    poll, _c, _i = make_workshop(activities=(("word_cloud", "Ett ord", {}), ("scale", "Hur nöjd?", {"max": 5})))
    assert selected(menu(client, poll)) == ["multiple_choice"]


@pytest.mark.parametrize(
    "have, expected",
    [
        (["alternatives"], "effects"),
        (["alternatives", "effects"], "effect_chain"),
        (["effects", "effect_chain", "sorting"], "describe"),
        (["multiple_choice", "effects"], "effect_chain"),
        (STEPS, "alternatives"),
    ],
)
def test_a_method_workshop_defaults_to_the_next_step(client, make_workshop, have, expected):
    ws_id, _c, _i = make_workshop(activities=[(kind, f"Aktivitet {i}", None) for i, kind in enumerate(have)])
    assert selected(menu(client, ws_id)) == [expected]


def test_every_kind_is_listed_once(client, make_workshop, app):
    from workshop.activities import all_kinds

    ws_id, _c, _i = make_workshop(activities=())
    listed = [v for _g, options in menu(client, ws_id) for v, _t, _s in options]
    assert sorted(listed) == sorted(all_kinds()) and len(listed) == len(set(listed))
    assert re.fullmatch(r"\w+", listed[0])
