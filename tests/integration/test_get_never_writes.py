"""A GET never writes to the database: every GET route of the URL map, requested as the
workshop's owner, as another facilitator and anonymously, for a workshop with every kind and
a filled draft and for one with no draft at all, runs no INSERT, UPDATE or DELETE.

(A page may show the draft a workshop would start with; it is stored by the first change
made to it, which is a socket event or a POST.)
"""

from __future__ import annotations

import itertools
import re

import nyttoverkstad_fuzzlib as fl  # loaded by conftest.py
import pytest
from sqlalchemy import event

WRITES = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.I)

_cache: dict[str, object] = {}


@pytest.fixture
def world(tmp_path_factory, migrated_db):
    """Anna's workshop with every kind and a filled draft, her live workshop without a draft,
    Bertil's twin (tests/fuzz/fuzzlib.py). Built once per module."""
    w = _cache.get("world")
    if w is None or w.stale():
        w = fl.World(fl.make_app(tmp_path_factory.mktemp("get-never-writes"), migrated_db))
        _cache["world"] = w
    w.heal()
    w.drain()
    return w


def _paths(rule, values: dict[str, list[str]]) -> list[str]:
    """Concrete paths of a rule: every value given for each part, every option of <any(...)>."""
    choices = []
    for part in re.split(r"(<[^>]+>)", rule.rule):
        m = re.fullmatch(r"<any\(([^)]*)\):\w+>", part)
        if m:
            choices.append([x.strip().strip("'\"") for x in m.group(1).split(",")])
        elif part.startswith("<"):
            choices.append(values[re.sub(r"^<(?:\w+:)?(\w+)>$", r"\1", part)])
        else:
            choices.append([part])
    return ["".join(c) for c in itertools.product(*choices)]


def _gets(w) -> list[str]:
    """Every GET path of the URL map, for both of Anna's workshops and each of their activities
    (one of every kind). Activities and workshops that do not belong together are refused."""
    values = {
        "ws_id": [str(w.ws), str(w.live_ws)],
        "act_id": [str(a) for a in (*w.acts.values(), *w.live_acts.values())],
        "code": [w.code, w.live_code],
        "key": [w.presenter_key, w.review_key],
        "filename": ["js/core.js"],
        "name": ["app", "phone-vote"],  # the combined stylesheets, /assets/<name>.<digest>.css
        "digest": ["000000000000"],
        "version": ["000000000000"],  # long-cached static files, /v/<version>/static/<filename>
        "lang": ["sv", "en"],  # a kind's phone strings, /api/strings/<lang>/<kind>.json
        "kind": ["multiple_choice", "qna"],
        "token": ["no-such-link"],  # invitation and reset links: a wrong one writes nothing either
        "item_id": ["1", "999999"],  # the analysis library: one that may exist, one that does not
        "pid": ["1", "999999"],  # a participant's data
    }
    out = []
    for rule in w.app.url_map.iter_rules():
        if "GET" in rule.methods and rule.endpoint != "static":
            out += _paths(rule, values)
    return out


def _writes_during(app, fn) -> list[str]:
    from workshop.extensions import db

    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if WRITES.match(statement):
            seen.append(" ".join(statement.split()[:3]))  # INSERT INTO analyses

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        fn()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return seen


def test_the_world_has_a_workshop_without_a_draft(world):
    from workshop.draft.models import Analysis
    from workshop.extensions import db

    with world.app.app_context():
        assert db.session.query(Analysis).filter_by(workshop_id=world.live_ws).count() == 0
        assert db.session.query(Analysis).filter_by(workshop_id=world.ws).count() == 1
        db.session.remove()


def test_no_get_route_writes(world):
    paths = _gets(world)
    assert any("/analysis" in p for p in paths) and any("/export.xlsx" in p for p in paths)
    wrote: dict[str, list[str]] = {}
    answered = 0
    for who, client in (("owner", world.owner), ("other", world.other), ("anonymous", world.anon)):
        for path in paths:
            statuses: list[int] = []
            found = _writes_during(world.app, lambda: statuses.append(client.get(path).status_code))
            answered += statuses[0] == 200
            if found:
                wrote[f"{who} GET {path}"] = sorted(set(found))
    assert not wrote, "\n".join(f"{k}: {v}" for k, v in wrote.items())
    assert answered >= len(paths) // 2  # the owner's requests reached the pages, not only refusals


def test_the_draft_pages_of_a_workshop_without_a_draft_show_the_empty_draft(world):
    ws = world.live_ws
    for path in (
        f"/f/w/{ws}/analysis",
        f"/f/w/{ws}/report",
        f"/f/w/{ws}/export.xlsx",
        f"/f/w/{ws}/export.docx",
        f"/f/w/{ws}/export.pptx",
        f"/f/w/{ws}/figure/result.svg",
    ):
        r = world.owner.get(path)
        assert r.status_code == 200, path
    page = world.owner.get(f"/f/w/{ws}/analysis").get_data(as_text=True)
    # every workshop has its results link; without a draft it shows the results per activity
    assert f"/review/{ws}/" in page
    assert "/review/" in world.owner.get(f"/f/w/{world.ws}/analysis").get_data(as_text=True)
