"""Library templates in the workshop's language: a workshop created in English from a template
has English questions and options, a Swedish one Swedish, and the kinds' names follow."""

from __future__ import annotations

import json
import re

import pytest

from workshop import portable
from workshop.activities import all_kinds
from workshop.extensions import db
from workshop.models import Workshop

PASSWORD = "hemligt-lösen-1"
KEYS = [t["key"] for t in portable.library()]
OTHER = {"sv": "en", "en": "sv"}


def texts_in(raw, language: str) -> set[str]:
    """Every text a template file gives in ``language`` (its ``{"sv": …, "en": …}`` pairs)."""
    out: set[str] = set()
    if isinstance(raw, dict):
        if set(raw) == {"sv", "en"} and all(isinstance(v, str) for v in raw.values()):
            out.add(raw[language])
        else:
            for v in raw.values():
                out |= texts_in(v, language)
    elif isinstance(raw, list):
        for v in raw:
            out |= texts_in(v, language)
    return out


def strings_of(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings_of(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings_of(v)]
    return []


def create(app, key: str, language: str) -> int:
    client = app.test_client()
    client.post("/login", data={"email": "anna@solstad.se", "password": PASSWORD})
    r = client.post("/f/new", data={"template": key, "title": "", "language": language, "mode": "live"})
    assert r.status_code == 302, r.get_data(as_text=True)[:500]
    return int(re.search(r"/f/w/(\d+)", r.headers["Location"]).group(1))


def test_every_template_gives_its_texts_in_both_languages():
    for key in KEYS:
        raw = json.loads((portable.LIBRARY / f"{key}.json").read_text(encoding="utf-8"))
        w = raw["workshop"]
        for act in w["activities"]:
            for text in strings_of(act["title"]) + strings_of(act.get("config")):
                assert not isinstance(act["title"], str), (key, "activity title in one language only", text)
        for value in [w["title"], *w.get("perspectives", [])]:
            assert isinstance(value, dict) and set(value) == {"sv", "en"}, (key, value)
        for act in w["activities"]:
            for value in (act.get("config") or {}).values():
                for item in value if isinstance(value, list) else [value]:
                    assert not isinstance(item, str) or not item, (key, act["kind"], item)


@pytest.mark.parametrize("language", ["sv", "en"])
@pytest.mark.parametrize("key", KEYS)
def test_template_in_the_workshops_language(app, facilitator, key, language):
    raw = json.loads((portable.LIBRARY / f"{key}.json").read_text(encoding="utf-8"))
    foreign = texts_in(raw["workshop"], OTHER[language]) - texts_in(raw["workshop"], language)
    own = texts_in(raw["workshop"], language)
    ws_id = create(app, key, language)
    with app.test_request_context():
        ws = db.session.get(Workshop, ws_id)
        assert ws.language == language
        shown = [ws.title, *ws.perspectives, *(act.title for act in ws.activities)]
        settings = [s for act in ws.activities for s in strings_of(act.config)]
    leftovers = [s for s in shown + settings if s in foreign]
    assert not leftovers, leftovers
    # Every title and perspective is the template's text in this language.
    assert all(s in own for s in shown), [s for s in shown if s not in own]


def test_kind_names_and_default_titles_are_english_in_english(app):
    swedish = re.compile(r"[åäöÅÄÖ]|\b(Steg|Räkna|Sortera|Beskriv|Formulera|Hitta|Rita|Samla|Dokumentera)\b")
    with app.test_request_context("/?lang=en"):
        english = {
            k: (str(kind.label), str(kind.default_title), str(kind.description)) for k, kind in all_kinds().items()
        }
    with app.test_request_context("/?lang=sv"):
        sv = {k: (str(kind.label), str(kind.default_title)) for k, kind in all_kinds().items()}
    for key, (label, title, _description) in english.items():
        assert not swedish.search(label), (key, label)
        assert not swedish.search(title), (key, title)
        assert label != sv[key][0], (key, label)
    assert english["effects"][0] == "Step 2 · Find the effects"
    assert sv["effects"][0] == "Steg 2 · Hitta effekterna"
