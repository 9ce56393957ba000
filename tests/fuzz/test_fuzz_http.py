"""Fuzz sample of every HTTP form and JSON endpoint: /api/join (JSON and raw bodies), /login,
/setup, /f/new, workshop settings, activity add/edit/move/delete, /f/import (multipart JSON
upload), duplicate/archive/reopen, the password change, the rotation of presenter/review keys, CSV/JSON/report downloads and the participant pages.

A case passes when the app answers without a 500 (or an exception), JSON errors carry
{ok: false, error: {code, message}}, a refused request leaves the stored data unchanged, and
after accepted changes the views still render. Findings already reported are pinned by the
xfail tests below (and tolerated by the sample until their patch lands).
"""

from __future__ import annotations

import io
import json

import pytest

pytestmark = pytest.mark.filterwarnings("ignore")

EXAMPLES = {
    "POST /api/join json": 60,
    "POST /api/join raw": 25,
    "POST /login": 8,
    "POST /setup": 10,
    "POST /f/new": 25,
    "POST /f/w/<id> settings": 25,
    "POST /f/w/<id>/activities": 15,
    "POST /f/w/<id>/a/<a> edit": 50,
    "POST /f/w/<id>/a/<a>/move": 10,
    "POST /f/w/<id>/a/<a>/delete": 10,
    "POST /f/import": 40,
    "POST /f/w/<id>/duplicate|archive|reopen": 10,
    "POST /f/account": 15,
    "POST /f/w/<id>/keys": 15,
    "GET downloads and pages": 40,
    "GET participant pages": 20,
}


@pytest.mark.parametrize("endpoint", list(EXAMPLES))
def test_http_endpoint_fuzz(fuzzlib, sample, endpoint):
    assert endpoint in fuzzlib.HTTP_ENDPOINTS
    sample(endpoint, EXAMPLES[endpoint])


def test_every_form_route_is_fuzzed(fuzzlib, world):
    """Every POST route of the app is one of the fuzzed endpoints (a new form gets fuzzed)."""
    covered = {
        "/api/join",
        "/login",
        "/setup",
        "/f/new",
        "/f/w/<int:ws_id>",
        "/f/w/<int:ws_id>/activities",
        "/f/w/<int:ws_id>/a/<int:act_id>",
        "/f/w/<int:ws_id>/a/<int:act_id>/move",
        "/f/w/<int:ws_id>/a/<int:act_id>/delete",
        "/f/import",
        "/f/w/<int:ws_id>/duplicate",
        "/f/w/<int:ws_id>/archive",
        "/f/w/<int:ws_id>/reopen",
        "/logout",
        "/f/account",
        "/f/w/<int:ws_id>/keys",
        # Not fuzzed yet: the refusals of each field (and that nothing is stored) are in
        # tests/integration/test_followup.py.
        "/f/w/<int:ws_id>/followup/decide",
        "/f/w/<int:ws_id>/followup/<int:number>/plan/<item_id>",
        "/f/w/<int:ws_id>/followup/<int:number>/use-check",
        "/f/w/<int:ws_id>/followup/<int:number>/measure",
        "/f/w/<int:ws_id>/followup/<int:number>/close",
        "/f/w/<int:ws_id>/followup/<int:number>/workshop",
        # Not fuzzed yet: the refusals (no confirmation, another workshop's participant) are in
        # tests/integration/test_participant_data.py.
        "/f/w/<int:ws_id>/participants/<int:pid>/delete",
        # Not fuzzed yet: who may use them is in tests/integration/test_auth_matrix.py, bad
        # input and single use in tests/integration/test_teams.py.
        "/f/w/<int:ws_id>/share",
        "/f/org",
        "/f/org/invite",
        "/f/org/invite/<int:link_id>/revoke",
        "/f/org/members/<int:user_id>/active",
        "/f/org/members/<int:user_id>/role",
        "/f/org/members/<int:user_id>/reset",
        # Not fuzzed yet: the refusals are in tests/integration/test_libraries.py.
        "/f/org/factors",
        "/f/org/factors/<int:factor_id>/delete",
        "/f/library/<int:item_id>/start",
        "/f/library/<int:item_id>/withdraw",
        "/f/w/<int:ws_id>/publish",
        "/invite/<token>",
        "/reset/<token>",
    }
    posts = {r.rule for r in world.app.url_map.iter_rules() if "POST" in r.methods}
    assert posts <= covered, posts - covered


# --- findings (see the report; the patch makes each of these pass) -------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/present/{big}/x",
        "/review/{big}/x",
        "/f/w/{big}",
        "/f/w/{big}/report",
        "/f/w/{ws}/a/{big}.csv",
        "/f/w/{ws}/a/{big}",
    ],
)
def test_int_url_segments_beyond_64_bits_are_404(fuzzlib, world, path):
    world.errors.clear()
    r = world.owner.get(path.format(big=2**63, ws=world.ws))
    assert r.status_code == 404, (r.status_code, world.errors[-1:] if world.errors else "")


@pytest.mark.parametrize(
    "method,path",
    [
        ("post", "/f/w/{big}/archive"),
        ("post", "/f/w/{ws}/a/{big}/delete"),
        ("post", "/f/w/{ws}/a/{big}/move"),
        ("post", "/f/w/{big}/activities"),
    ],
)
def test_int_url_segments_beyond_64_bits_in_forms_are_404(fuzzlib, world, method, path):
    before = fuzzlib.fingerprint(world.app)
    r = getattr(world.owner, method)(path.format(big=10**30, ws=world.ws), data={"kind": "scale"})
    assert r.status_code == 404, r.status_code
    assert fuzzlib.fingerprint(world.app) == before


@pytest.mark.parametrize("body", [b"[" * 100_000, b'{"code":' * 50_000], ids=["arrays", "objects"])
def test_join_refuses_deeply_nested_json(fuzzlib, world, body):
    r = world.anon.post("/api/join", data=body, content_type="application/json")
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "invalid", r.status_code


def test_import_refuses_deeply_nested_json(fuzzlib, world):
    before = fuzzlib.fingerprint(world.app)
    r = world.owner.post(
        "/f/import", data={"file": (io.BytesIO(b"[" * 100_000), "x.json")}, content_type="multipart/form-data"
    )
    assert r.status_code == 302 and r.headers["Location"].endswith("/f/"), r.status_code
    assert fuzzlib.fingerprint(world.app) == before


def _doc(fuzzlib, world, **change):
    doc = fuzzlib.export_doc(world)
    for dotted, value in change.items():
        node = doc
        keys = dotted.split("__")
        for k in keys[:-1]:
            node = node[int(k)] if isinstance(node, list) else node[k]
        last = keys[-1]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value
    return json.dumps(doc).encode()


IMPORT_CASES = {
    "title-number": {"workshop__title": 5},
    "perspectives-number": {"workshop__perspectives": 7},
    "activity-title-list": {"workshop__activities__0__title": ["x"]},
    "results-hidden-dict": {"workshop__activities__0__results_hidden": {"a": 1}},
    "facts-list": {"analysis__facts": [1, 2]},
    "factor-not-object": {"analysis__factors__0": 3},
    "node-block-list": {"analysis__nodes__0__block": [1]},
    "alternatives-number": {"analysis__alternatives": 1.5},
}


@pytest.mark.parametrize("case", list(IMPORT_CASES))
def test_import_refuses_wrong_types_with_a_message(fuzzlib, world, case):
    before = fuzzlib.fingerprint(world.app)
    world.errors.clear()
    r = world.owner.post(
        "/f/import",
        data={"file": (io.BytesIO(_doc(fuzzlib, world, **IMPORT_CASES[case])), "x.json")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 302 and r.headers["Location"].endswith("/f/"), (r.status_code, world.errors[-1:])
    assert fuzzlib.fingerprint(world.app) == before


def test_import_of_an_unchanged_export_is_accepted(fuzzlib, world):
    """Positive control for the refusals above: the export itself imports."""
    r = world.owner.post(
        "/f/import", data={"file": (io.BytesIO(_doc(fuzzlib, world)), "x.json")}, content_type="multipart/form-data"
    )
    assert r.status_code == 302 and "/f/w/" in r.headers["Location"], r.status_code


def test_new_workshop_refuses_an_overlong_template_key(fuzzlib, world):
    before = fuzzlib.fingerprint(world.app)
    r = world.owner.post("/f/new", data={"title": "x", "language": "sv", "mode": "live", "template": "x" * 300})
    assert r.status_code == 200 and b'class="error"' in r.data, r.status_code
    assert fuzzlib.fingerprint(world.app) == before


def test_join_too_large_body_is_a_json_error(fuzzlib, world):
    r = world.anon.post("/api/join", json={"code": world.code, "nickname": "x" * (3 * 1024 * 1024)})
    assert r.status_code == 413
    body = r.get_json(silent=True)
    assert isinstance(body, dict) and body["ok"] is False and body["error"]["message"], r.data[:100]


@pytest.mark.parametrize("minutes", ["inf", "1e400", "-inf"])
def test_activity_timer_refuses_infinity(fuzzlib, world, minutes):
    from workshop.activities import get_kind

    act = world.acts["scale"]
    with world.app.test_request_context():
        cfg = get_kind("scale").default_config()
    form = {"title": "Skala", "timer_minutes": minutes, **{f"cfg_{k}": str(v) for k, v in cfg.items()}}
    before = fuzzlib.fingerprint(world.app)
    world.errors.clear()
    r = world.owner.post(f"/f/w/{world.ws}/a/{act}", data=form)
    assert r.status_code == 200 and b'class="error"' in r.data, (r.status_code, world.errors[-1:])
    assert fuzzlib.fingerprint(world.app) == before


def test_activity_timer_accepts_minutes(fuzzlib, world):
    """Positive control: the same form with a plain figure is saved."""
    from workshop.activities import get_kind

    with world.app.test_request_context():
        cfg = get_kind("scale").default_config()
    form = {"title": "Skala", "timer_minutes": "1,5", **{f"cfg_{k}": str(v) for k, v in cfg.items()}}
    r = world.owner.post(f"/f/w/{world.ws}/a/{world.acts['scale']}", data=form)
    assert r.status_code == 302, r.status_code
