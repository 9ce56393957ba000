"""Authorisation matrix: every facilitator action — each HTTP route (pages, forms, CSV/JSON/report
downloads, console page, organisation page) and each console socket event incl. every draft op,
configure and draft_snapshot — attempted from a phone, from a presenter screen, from another
facilitator's session and without a session. All are refused and nothing stored changes (a
fingerprint of every row of every table). Then the roles (workshop/access.py): organisation
admin, co-facilitator, viewer, an account of another organisation and a deactivated account,
each against every route and every console event, with what each may do and may not. Plus: the
presenter page and review link with wrong keys, and security headers on every route, error
pages, static files and the socket endpoint.

(test_socket_auth.py and test_http_security.py cover the first console events and pages;
this file covers every action the app has, found from its URL map and handler table.)
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import nyttoverkstad_fuzzlib as fl  # loaded by conftest.py
import nyttoverkstad_integration_helpers as h  # loaded by conftest.py
import pytest

PHONE, SCREEN, CONSOLE = h.PHONE, h.SCREEN, h.CONSOLE

_cache: dict[str, object] = {}


@pytest.fixture
def world(tmp_path_factory, migrated_db):
    """Anna's self-paced workshop with every kind and a filled draft, Bertil's twin, phones,
    consoles, a screen (tests/fuzz/fuzzlib.py). Built once per module; rebuilt if another
    test's app replaced the shared Socket.IO server in between."""
    w = _cache.get("world")
    if w is None or w.stale():
        folder = tmp_path_factory.mktemp("auth-matrix")
        w = fl.World(fl.make_app(folder, migrated_db))
        _cache["world"] = w
    _people(w)
    w.heal()
    w.drain()
    return w


# --- the roles: accounts around Anna's workshop ------------------------------------------------

ROLES = {
    # who: (e-mail, organisation, account role, share of Anna's workshop)
    "organisation admin": ("cecilia@solstad.se", "anna", "admin", None),
    "co-facilitator": ("erik@solstad.se", "anna", "member", "cofacilitator"),
    "viewer": ("frida@solstad.se", "anna", "member", "viewer"),
    "other organisation": ("gustav@annan.se", "other", "admin", None),
    "deactivated": ("hugo@solstad.se", "anna", "member", "cofacilitator"),
}


def _people(w):
    """The accounts of ROLES (and an open invitation of Anna's organisation), made once per world."""
    if getattr(w, "people", None):
        return w.people
    from workshop import accounts
    from workshop.extensions import db
    from workshop.models import Organisation, User, WorkshopShare

    out = {}
    with w.app.test_request_context():
        anna = db.session.get(User, w.anna_id)
        other = Organisation(name="Annan kommun")
        db.session.add(other)
        db.session.flush()
        for who, (email, org, role, share) in ROLES.items():
            user = accounts.create_user(
                email, fl.PASSWORD, who, organisation=anna.organisation if org == "anna" else other, role=role
            )
            if share:
                db.session.add(WorkshopShare(workshop_id=w.ws, user_id=user.id, role=share))
            out[who] = user.id
        db.session.commit()
        accounts.make_invitation(anna, "member", 7)
        out["invitation"] = max(link.id for link in accounts.pending_invitations(anna.organisation_id))
        # A factor of Anna's organisation's library and an analysis Anna published.
        from workshop.library.models import OrgFactor, PublishedAnalysis

        factor = OrgFactor(organisation_id=anna.organisation_id, name="timkostnad", label="Timkostnad", value=500.0)
        item = PublishedAnalysis(
            organisation_id=anna.organisation_id, published_by_id=anna.id, title="Publicerad", document={"workshop": {}}
        )
        db.session.add_all([factor, item])
        db.session.commit()
        out["factor"], out["published"] = factor.id, item.id
        db.session.remove()
    w.people = out
    return out


# --- HTTP --------------------------------------------------------------------------------------


def _routes(w):
    """Every facilitator route with a request that would change or reveal Anna's data."""
    ws, a = w.ws, w.acts["multiple_choice"]
    form = {
        "title": "Kapad",
        "mode": "live",
        "language": "sv",
        "kind": "multiple_choice",
        "direction": "up",
        "cfg_options": "A\nB",
        "cfg_max_choices": "1",
        "cfg_multiple": "",
    }
    return [
        ("GET", "/f/", None),
        ("GET", "/f/new", None),
        ("POST", "/f/new", form),
        ("POST", "/f/import", "file"),
        ("GET", f"/f/w/{ws}", None),
        ("POST", f"/f/w/{ws}", form),
        ("POST", f"/f/w/{ws}/duplicate", {}),
        ("POST", f"/f/w/{ws}/archive", {}),
        ("POST", f"/f/w/{ws}/reopen", {}),
        ("POST", f"/f/w/{ws}/keys", {"which": "presenter"}),
        ("GET", "/f/account", None),
        ("POST", "/f/account", {"current": "x", "new": "ett-kapat-lösen", "repeat": "ett-kapat-lösen"}),
        ("POST", f"/f/w/{ws}/activities", form),
        ("GET", f"/f/w/{ws}/a/{a}", None),
        ("POST", f"/f/w/{ws}/a/{a}", form),
        ("POST", f"/f/w/{ws}/a/{a}/move", form),
        ("POST", f"/f/w/{ws}/a/{a}/delete", {}),
        ("GET", f"/f/w/{ws}/a/{a}.csv", None),
        ("GET", f"/f/w/{ws}/console", None),
        ("GET", f"/f/w/{ws}/report", None),
        ("GET", f"/f/w/{ws}/analysis", None),
        ("GET", f"/f/w/{ws}/export.json", None),
        ("POST", f"/f/w/{ws}/followup/decide", {"label": "Kapad", "decided_on": "2027-01-01"}),
        ("POST", f"/f/w/{ws}/followup/1/plan/1", {"owner_role": "Kapad"}),
        ("POST", f"/f/w/{ws}/followup/1/use-check", {"use_check_note": "Kapad"}),
        ("POST", f"/f/w/{ws}/followup/1/measure", {"item_id": "1", "year": "1", "measured_on": "2027-02-01"}),
        ("POST", f"/f/w/{ws}/followup/1/close", {"closed": "1"}),
        ("POST", f"/f/w/{ws}/followup/1/workshop", {}),
        ("POST", f"/f/w/{ws}/participants/{_pid(w)}/delete", {"confirm": "1"}),
        ("POST", f"/f/w/{ws}/share", {"user_id": str(w.bertil_id), "role": "cofacilitator"}),
        ("GET", "/f/org", None),
        ("POST", "/f/org", {"name": "Kapad"}),
        ("POST", "/f/org/invite", {"role": "admin", "days": "30", "email": ""}),
        ("POST", f"/f/org/invite/{_people(w)['invitation']}/revoke", {}),
        ("POST", f"/f/org/members/{w.bertil_id}/active", {"active": "0"}),
        ("POST", f"/f/org/members/{w.bertil_id}/role", {"role": "admin"}),
        ("POST", f"/f/org/members/{w.bertil_id}/reset", {}),
        ("GET", "/f/org/factors", None),
        ("POST", "/f/org/factors", {"name": "kapad", "label": "Kapad", "value": "1", "source": "Kapad"}),
        ("POST", f"/f/org/factors/{_people(w)['factor']}/delete", {}),
        ("GET", "/f/org/portfolio", None),
        ("GET", "/f/org/portfolio.xlsx", None),
        ("GET", "/f/library", None),
        ("GET", f"/f/library/{_people(w)['published']}.json", None),
        ("POST", f"/f/library/{_people(w)['published']}/start", {}),
        ("POST", f"/f/library/{_people(w)['published']}/withdraw", {}),
        ("GET", f"/f/w/{ws}/publish", None),
        ("POST", f"/f/w/{ws}/publish", {"summary": "Kapad"}),
    ] + _more_gets(w)


def _pid(w) -> int:
    """A participant of Anna's workshop (the first phone of the world)."""
    from sqlalchemy import select

    from workshop.extensions import db
    from workshop.models import Participant

    with w.app.app_context():
        return db.session.scalar(select(Participant.id).where(Participant.token == w.tokens[0]))


def _expand(rule: str, values: dict) -> list[str]:
    """Concrete paths of a rule: ids from ``values``, every option of each <any(...)> part."""
    import itertools

    parts = re.split(r"(<[^>]+>)", rule)
    choices = []
    for part in parts:
        m = re.fullmatch(r"<any\(([^)]*)\):\w+>", part)
        if m:
            choices.append([x.strip().strip("'\"") for x in m.group(1).split(",")])
        elif part.startswith("<"):
            choices.append([str(values[re.sub(r"^<(?:\w+:)?(\w+)>$", r"\1", part)])])
        else:
            choices.append([part])
    return ["".join(c) for c in itertools.product(*choices)]


def _more_gets(w):
    """GET routes under /f/ added since this list was written (exports, figures, …)."""
    known = {
        "/f/",
        "/f/new",
        "/f/w/<int:ws_id>",
        "/f/w/<int:ws_id>/a/<int:act_id>",
        "/f/w/<int:ws_id>/a/<int:act_id>.csv",
        "/f/w/<int:ws_id>/console",
        "/f/w/<int:ws_id>/report",
        "/f/w/<int:ws_id>/analysis",
        "/f/w/<int:ws_id>/export.json",
        "/f/org",
        "/f/org/factors",
        "/f/org/portfolio",
        "/f/org/portfolio.xlsx",
        "/f/library",
        "/f/library/<int:item_id>.json",
        "/f/w/<int:ws_id>/publish",
    }
    out = []
    for rule in w.app.url_map.iter_rules():
        if rule.rule.startswith("/f/") and "GET" in rule.methods and rule.rule not in known:
            values = {"ws_id": w.ws, "act_id": w.acts["multiple_choice"], "pid": _pid(w)}
            out += [("GET", p, None) for p in _expand(rule.rule, values)]
    return out


def _send(client, method, path, data):
    import io

    if data == "file":
        doc = b'{"format": "nyttoverkstad", "schema_version": 1, "workshop": {"title": "Smuggel", "activities": []}}'
        return client.open(
            path, method=method, data={"file": (io.BytesIO(doc), "x.json")}, content_type="multipart/form-data"
        )
    return client.open(path, method=method, data=data)


def test_route_list_is_complete(world):
    """Every /f/ rule of the app is in the matrix, so a new facilitator route is checked too."""
    listed = [p for _, p, _ in _routes(world)]
    for rule in world.app.url_map.iter_rules():
        if rule.rule.startswith("/f/"):
            pattern = re.sub(
                r"<any\(([^)]*)\):\w+>",
                lambda m: "(" + "|".join(re.escape(x.strip().strip("'\"")) for x in m.group(1).split(",")) + ")",
                rule.rule,
            )
            pattern = re.sub(r"<int:[a-z_]+>", r"\\d+", pattern)
            pattern = re.sub(r"<[a-z_]+>", r"[^/]+", pattern)
            assert any(re.fullmatch(pattern, p) for p in listed), rule.rule


def _as(world, who):
    """A client of the kind ``who``: nothing, a phone that joined, a presenter that opened its
    page (neither carries a session), or another facilitator's session."""
    c = world.app.test_client()
    if who == "phone":
        h.join(c, world.code, nickname="Tjuv")
    elif who == "presenter":
        assert c.get(f"/present/{world.ws}/{world.presenter_key}").status_code == 200
    elif who == "other facilitator":
        h.login(c, fl.BERTIL)
    return c


@pytest.mark.parametrize("who", ["no session", "phone", "presenter"])
def test_facilitator_routes_need_a_login(world, who):
    c = _as(world, who)
    before = fl.fingerprint(world.app)
    for method, path, data in _routes(world):
        r = _send(c, method, path, data)
        assert r.status_code == 302, (who, method, path, r.status_code)
        assert urlsplit(r.headers["Location"]).path == "/login", (who, method, path, r.headers["Location"])
    assert fl.fingerprint(world.app) == before


def test_another_facilitator_gets_404_for_every_workshop_route(world):
    c = _as(world, "other facilitator")
    before = fl.fingerprint(world.app)
    for method, path, data in _routes(world):
        if not path.startswith(f"/f/w/{world.ws}"):
            continue  # /f/, /f/new, /f/import, /f/account act on Bertil's own account
        r = _send(c, method, path, data)
        assert r.status_code == 404, (method, path, r.status_code)
        body = r.get_data(as_text=True)
        assert world.code not in body and "Fuzz own" not in body, (method, path)
    assert fl.fingerprint(world.app) == before
    # his dashboard shows his workshops, not Anna's
    page = c.get("/f/").get_data(as_text=True)
    assert "Fuzz foreign" in page and "Fuzz own" not in page and "Fuzz live" not in page


def test_owner_reaches_every_route(world):
    """Positive control: the same GETs answer 200 for the owner."""
    for method, path, _ in _routes(world):
        if method == "GET":
            r = world.owner.get(path)
            assert r.status_code == 200, (path, r.status_code)


# --- the roles, route by route ----------------------------------------------------------------------

MANAGE = ("/archive", "/reopen", "/share", "/publish")  # owner and organisation admin only


def _expected(world, who, method, path):
    """What ``who`` gets for a route: a status, or "allowed" (a change they may make: not sent
    here, see the positive controls below)."""
    ws, a = world.ws, world.acts["multiple_choice"]
    editor_pages = {f"/f/w/{ws}", f"/f/w/{ws}/a/{a}", f"/f/w/{ws}/publish"}
    if path.startswith("/f/org/factors"):
        # Every member reads their organisation's factor library; its admins change it.
        if method == "GET":
            return 200
        if who == "organisation admin":
            return "allowed"
        if who == "other organisation":
            return 404 if path.endswith("/delete") else "allowed"
        return 403
    if path.startswith("/f/library"):
        # The analysis library is every organisation's; the publisher's admins may withdraw.
        if method == "GET":
            return 200
        if path.endswith("/withdraw"):
            return "allowed" if who == "organisation admin" else 403
        return "allowed"
    if path.startswith("/f/org"):
        if who != "organisation admin":
            # Another organisation's admin reaches only their own organisation: Anna's
            # members and invitations are not found; the page itself shows theirs.
            if who == "other organisation":
                return 200 if method == "GET" else (404 if "/members/" in path or "/invite/" in path else "allowed")
            return 403
        return 200 if method == "GET" else "allowed"
    if not path.startswith(f"/f/w/{ws}"):
        return 200 if method == "GET" else "allowed"  # their own dashboard, account, new workshops
    if who == "other organisation":
        return 404
    # A participant's data (export, delete) is the owner's and the organisation admin's.
    manage = path.endswith(MANAGE) or f"/f/w/{ws}/participants" in path
    if who == "co-facilitator":
        return 403 if manage else (200 if method == "GET" else "allowed")
    if who == "organisation admin" and manage:
        return "allowed"
    if manage:
        return 403
    return 200 if method == "GET" and path not in editor_pages else 403  # viewer, organisation admin


def _login_as(world, who):
    c = world.app.test_client()
    h.login(c, ROLES[who][0])
    return c


@pytest.mark.parametrize("who", ["organisation admin", "co-facilitator", "viewer", "other organisation"])
def test_every_route_for_each_role(world, who):
    """Every route of the matrix as each role: reads answer 200 where the role may read, every
    change it may not make is refused (403 for a role in the workshop, 404 for a stranger) and
    nothing stored changes."""
    c = _login_as(world, who)
    before = fl.fingerprint(world.app)
    checked = 0
    for method, path, data in _routes(world):
        want = _expected(world, who, method, path)
        if want == "allowed":
            continue
        r = _send(c, method, path, data)
        assert r.status_code == want, (who, method, path, r.status_code)
        if want == 404:
            body = r.get_data(as_text=True)
            assert world.code not in body and "Fuzz own" not in body, (who, method, path)
        checked += 1
    assert checked > 30
    assert fl.fingerprint(world.app) == before, fl.diff(before, fl.fingerprint(world.app))


def test_what_each_role_sees_on_the_dashboard_and_organisation_page(world):
    pages = {who: _login_as(world, who).get("/f/").get_data(as_text=True) for who in ROLES if who != "deactivated"}
    assert "Fuzz own" in pages["co-facilitator"] and "Fuzz own" in pages["viewer"]
    assert "Fuzz own" not in pages["other organisation"] and "Fuzz own" not in pages["organisation admin"]
    org = _login_as(world, "organisation admin").get("/f/org").get_data(as_text=True)
    assert "Fuzz own" in org and "Fuzz foreign" in org and "Fuzz live" in org  # every workshop of the organisation
    assert "gustav@annan.se" not in org
    other = _login_as(world, "other organisation").get("/f/org").get_data(as_text=True)
    assert "Annan kommun" in other and "Fuzz own" not in other and "anna@solstad.se" not in other


def test_the_roles_positive_controls(world):
    """What each role may do, it can: the co-facilitator saves the editor's form and turns the
    results link over; the organisation admin shares the workshop; the viewer downloads."""
    from workshop.extensions import db
    from workshop.models import Workshop, WorkshopShare

    co = _login_as(world, "co-facilitator")
    r = co.post(f"/f/w/{world.ws}/keys", data={"which": "presenter"})
    assert r.status_code == 302
    world.reload_keys()
    admin = _login_as(world, "organisation admin")
    r = admin.post(f"/f/w/{world.ws}/share", data={"user_id": str(world.bertil_id), "role": "viewer"})
    assert r.status_code == 302
    with world.app.app_context():
        row = db.session.query(WorkshopShare).filter_by(workshop_id=world.ws, user_id=world.bertil_id).one()
        assert row.role == "viewer"
        db.session.delete(row)
        db.session.commit()
        assert db.session.get(Workshop, world.ws).status == "open"
        db.session.remove()
    viewer = _login_as(world, "viewer")
    assert viewer.get(f"/f/w/{world.ws}/export.xlsx").status_code == 200
    assert viewer.get(f"/f/w/{world.ws}/console").status_code == 200


def test_a_deactivated_account_loses_every_route_and_its_open_sessions(world):
    """Hugo is logged in (as co-facilitator) when his admin deactivates him: his session ends
    at once, every route sends him to the login, and his password no longer logs in."""
    c = _login_as(world, "deactivated")
    assert c.get(f"/f/w/{world.ws}/console").status_code == 200
    hugo = world.people["deactivated"]
    assert world.owner.post(f"/f/org/members/{hugo}/active", data={"active": "0"}).status_code == 302
    try:
        before = fl.fingerprint(world.app)
        for method, path, data in _routes(world):
            r = _send(c, method, path, data)
            assert r.status_code == 302, (method, path, r.status_code)
            assert urlsplit(r.headers["Location"]).path == "/login", (method, path)
        again = world.app.test_client()
        r = again.post("/login", data={"email": ROLES["deactivated"][0], "password": fl.PASSWORD})
        assert r.status_code == 200 and again.get("/f/").status_code == 302
        tc = h.socket_client(world.app, CONSOLE, {"workshop_id": world.ws}, c)
        assert not tc.is_connected(CONSOLE)
        assert fl.fingerprint(world.app) == before
    finally:
        assert world.owner.post(f"/f/org/members/{hugo}/active", data={"active": "1"}).status_code == 302


def _keys(world):
    key, other, review = world.presenter_key, world.foreign_presenter_key, world.review_key
    flipped = key[:-1] + ("A" if key[-1] != "A" else "B")
    return {
        "wrong": "x" * len(key),
        "one-char-off": flipped,
        "prefix": key[:-1],
        "longer": key + "x",
        "upper": key.upper() if key.upper() != key else key.lower(),
        "other-workshops": other,
        "review-key-as-presenter": review,
        "empty-ish": "-",
        "unicode": "å" * len(key),
    }


@pytest.mark.parametrize(
    "which",
    [
        "wrong",
        "one-char-off",
        "prefix",
        "longer",
        "upper",
        "other-workshops",
        "review-key-as-presenter",
        "empty-ish",
        "unicode",
    ],
)
def test_presenter_page_with_a_wrong_key_is_404(world, which):
    key = _keys(world)[which]
    r = world.anon.get(f"/present/{world.ws}/{key}")
    assert r.status_code == 404
    assert world.code not in r.get_data(as_text=True)
    # and the right key on the wrong workshop
    assert world.anon.get(f"/present/{world.foreign_ws}/{world.presenter_key}").status_code == 404
    assert world.anon.get(f"/present/{world.ws}/{world.presenter_key}").status_code == 200


@pytest.mark.parametrize(
    "which", ["wrong", "one-char-off", "prefix", "longer", "other-review", "presenter-key-as-review", "unicode"]
)
def test_review_link_with_a_wrong_key_is_404(world, which):
    key = world.review_key
    wrong = {
        "wrong": "x" * len(key),
        "one-char-off": key[:-1] + ("A" if key[-1] != "A" else "B"),
        "prefix": key[:-1],
        "longer": key + "x",
        "other-review": world.foreign_review_key,
        "presenter-key-as-review": world.presenter_key,
        "unicode": "å" * len(key),
    }[which]
    r = world.anon.get(f"/review/{world.ws}/{wrong}")
    assert r.status_code == 404
    assert "Fuzz own" not in r.get_data(as_text=True)
    assert world.anon.get(f"/review/{world.foreign_ws}/{key}").status_code == 404
    assert world.anon.get(f"/review/{world.ws}/{key}").status_code == 200


def test_review_link_of_a_workshop_without_analysis_is_404(world):
    """The live workshop has no draft analysis: no key can open a review of it."""
    for key in (world.review_key, "x", world.presenter_key):
        assert world.anon.get(f"/review/{world.live_ws}/{key}").status_code == 404


# --- sockets -------------------------------------------------------------------------------------


def _console_actions(world):
    """(event, payload) for every console event and draft op, aimed at Anna's workshop."""
    from workshop.draft.ops import OPS

    a = world.acts
    node, node2 = world.pool["node"][0], world.pool["node"][1]
    row, factor = world.pool["row"][0], world.pool["factor"][0]
    benefit = _node_of_row(world, row)
    resp = _response_of(world, a["open_text"])
    draft = {
        "frame.update": {"data": {"name_of_change": "Kapad"}},
        "uncertainty.set": {"data": {"area": "Kapad", "level": "high"}},
        "node.add": {"data": {"title": "Kapad", "node_type": "effekt"}},
        "node.add_after": {"from": node, "data": {"title": "Kapad", "node_type": "nytta"}},
        "node.update": {"id": node, "data": {"title": "Kapad"}},
        "node.delete": {"id": node},
        "node.merge": {"id": node, "target": node2},
        "link.add": {"from": node, "to": node2},
        "link.delete": {"from": node, "to": node2},
        "block.set": {"node_id": benefit, "data": {"notes": "Kapad"}},
        "row.add": {"node_id": benefit, "data": {"name": "kapad"}},
        "row.update": {"id": row, "data": {"label": "Kapad"}},
        "row.delete": {"id": row},
        "factor.add": {"data": {"name": "kapad"}},
        "factor.update": {"id": factor, "data": {"label": "Kapad"}},
        "factor.delete": {"id": factor},
    }
    assert set(draft) == set(OPS), set(OPS) ^ set(draft)
    out = [
        ("goto", {"activity_id": a["scale"]}),
        ("step", {"delta": 1}),
        ("set", {"activity_id": a["scale"], "flag": "locked", "value": True}),
        ("timer_start", {"activity_id": a["scale"], "seconds": 60}),
        ("timer_extend", {"activity_id": a["scale"], "seconds": 30}),
        ("timer_stop", {"activity_id": a["scale"]}),
        ("approve_all", {"activity_id": a["open_text"]}),
        ("reset", {"activity_id": a["open_text"]}),
        ("moderate", {"activity_id": a["open_text"], "response_id": resp, "action": "delete"}),
        ("configure", {"activity_id": a["scale"], "config": {"max": 7}}),
        ("snapshot", {}),
        ("draft_snapshot", {}),
    ]
    out += [("draft", {"op": op, "args": args}) for op, args in draft.items()]
    return out


def _node_of_row(world, row_id):
    from workshop.draft.models import Block, BlockRow
    from workshop.extensions import db

    with world.app.app_context():
        nid = (
            db.session.query(Block.node_id)
            .join(BlockRow, BlockRow.block_id == Block.id)
            .filter(BlockRow.id == row_id)
            .scalar()
        )
        db.session.remove()
    return nid


def _response_of(world, activity_id):
    from workshop.extensions import db
    from workshop.models import Response

    with world.app.app_context():
        rid = db.session.query(Response.id).filter_by(activity_id=activity_id).order_by(Response.id).first()[0]
        db.session.remove()
    return rid


def test_console_action_list_is_complete(world):
    from workshop.extensions import socketio

    listed = {e for e, _ in _console_actions(world)}
    registered = set(socketio.server.handlers[CONSOLE]) - {"connect", "disconnect", "*"}
    assert registered <= listed, registered - listed


@pytest.mark.parametrize("who", ["phone", "presenter"])
def test_console_actions_from_a_phone_or_presenter_are_forbidden(world, who):
    tc, ns = (world.phone, PHONE) if who == "phone" else (world.screen, SCREEN)
    before = fl.fingerprint(world.app)
    for event, payload in _console_actions(world):
        if event == "snapshot":
            continue  # a phone/screen's own read, tested in test_socket_auth.py
        ack = tc.emit(event, payload, namespace=ns, callback=True)
        h.assert_error(ack, "forbidden")
    assert fl.fingerprint(world.app) == before
    # nothing reached the other screens either
    assert not [m for m in world.drain() if m["name"] in ("state", "draft")]


def test_console_actions_from_another_facilitators_console_cannot_reach_anna(world):
    """Bertil's console is connected to his own workshop; every action naming Anna's
    activities, answers, items, rows or factors is refused and changes nothing."""
    before = fl.fingerprint(world.app)
    for event, payload in _console_actions(world):
        if event in ("step", "snapshot", "draft_snapshot") or (
            event == "draft" and payload["op"] in ("frame.update", "uncertainty.set", "node.add", "factor.add")
        ):
            continue  # these act on his own workshop, as they should
        if event == "draft" and payload["op"] == "link.delete":
            continue  # answers ok without changing anything: finding F12, pinned below
        ack = world.foreign_console.emit(event, payload, namespace=CONSOLE, callback=True)
        assert isinstance(ack, dict) and ack.get("ok") is False, (event, payload, ack)
        assert ack["error"]["code"] in (
            "unknown_activity",
            "unknown_response",
            "unknown_item",
            "unknown_row",
            "unknown_factor",
            "forbidden",
        ), (event, payload, ack)
    assert fl.fingerprint(world.app) == before


def test_link_delete_of_a_foreign_link_is_refused(world):
    node, node2 = world.pool["node"][0], world.pool["node"][1]
    before = fl.fingerprint(world.app)
    ack = world.foreign_console.emit(
        "draft", {"op": "link.delete", "args": {"from": node, "to": node2}}, namespace=CONSOLE, callback=True
    )
    assert fl.fingerprint(world.app) == before
    assert ack["ok"] is False and ack["error"]["code"] in ("unknown_item", "unknown_link"), ack


@pytest.mark.parametrize("who", ["no session", "phone", "presenter", "other facilitator"])
def test_console_connection_refused_unless_owner(world, who):
    c = _as(world, who)
    before = fl.fingerprint(world.app)
    for ws_id in (world.ws, world.live_ws):
        tc = h.socket_client(world.app, CONSOLE, {"workshop_id": ws_id}, c)
        assert not tc.is_connected(CONSOLE), (who, ws_id)
        assert tc.refusal(CONSOLE)["data"]["code"] == "forbidden"
    assert fl.fingerprint(world.app) == before


def test_owner_console_actions_are_accepted(world):
    """Positive control: the owner's console takes the same actions (on a fresh copy of state)."""
    for event, payload in _console_actions(world):
        if event == "draft" and payload["op"] in ("node.delete", "row.delete", "factor.delete", "node.merge"):
            continue  # destructive; the refusals above are what this file is about
        ack = world.console.emit(event, payload, namespace=CONSOLE, callback=True)
        assert isinstance(ack, dict) and ack.get("ok") is True, (event, payload, ack)
        world.heal()


def _role_console(world, who):
    return h.socket_client(world.app, CONSOLE, {"workshop_id": world.ws}, _login_as(world, who))


def test_console_actions_by_role(world):
    """A viewer's and an organisation admin's console reads and changes nothing; a stranger of
    another organisation is not connected; a co-facilitator's console takes every action."""
    reads = ("snapshot", "draft_snapshot")
    for who in ("viewer", "organisation admin"):
        tc = _role_console(world, who)
        assert tc.is_connected(CONSOLE), who
        before = fl.fingerprint(world.app)
        for event, payload in _console_actions(world):
            ack = tc.emit(event, payload, namespace=CONSOLE, callback=True)
            if event in reads:
                assert ack["ok"] is True, (who, event, ack)
            else:
                h.assert_error(ack, "forbidden")
        assert fl.fingerprint(world.app) == before, (who, fl.diff(before, fl.fingerprint(world.app)))
        tc.disconnect(namespace=CONSOLE)
    stranger = _role_console(world, "other organisation")
    assert not stranger.is_connected(CONSOLE)
    assert stranger.refusal(CONSOLE)["data"]["code"] == "forbidden"
    co = _role_console(world, "co-facilitator")
    for event, payload in _console_actions(world):
        if event == "draft" and payload["op"] in ("node.delete", "row.delete", "factor.delete", "node.merge"):
            continue  # destructive, as for the owner above
        ack = co.emit(event, payload, namespace=CONSOLE, callback=True)
        # Past the role check: done, or refused on its content (the owner's positive control
        # may have added the same row name first), never refused for who sent it.
        assert isinstance(ack, dict), (event, ack)
        assert ack.get("ok") is True or ack["error"]["code"] not in ("forbidden", "session_ended"), (event, ack)
        world.heal()
    co.disconnect(namespace=CONSOLE)


def test_phone_cannot_connect_as_screen_or_console_with_its_token(world):
    for ns, auth in (
        (SCREEN, {"workshop_id": world.ws, "key": world.tokens[0]}),
        (SCREEN, {"workshop_id": world.ws, "token": world.tokens[0]}),
        (CONSOLE, {"workshop_id": world.ws, "token": world.tokens[0]}),
    ):
        tc = h.socket_client(world.app, ns, auth, world.app.test_client())
        assert not tc.is_connected(ns), (ns, auth)


# --- security headers on every route ----------------------------------------------------------------

HEADERS = {"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff"}


def _check_headers(r, what):
    for k, v in HEADERS.items():
        assert r.headers.get(k) == v, (what, k, r.headers.get(k))
    assert r.headers.get("Referrer-Policy") in ("same-origin", "no-referrer", "strict-origin"), what
    csp = r.headers.get("Content-Security-Policy", "")
    parts = {p.split()[0]: p.split()[1:] for p in csp.split(";") if p.split()}
    scripts = parts.get("script-src", parts.get("default-src"))
    assert scripts and "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts, (what, csp)
    assert parts.get("frame-ancestors") == ["'none'"] and parts.get("object-src") == ["'none'"], (what, csp)


def _concrete(world, rule):
    values = {
        "ws_id": world.ws,
        "act_id": world.acts["multiple_choice"],
        "key": world.presenter_key,
        "code": world.code,
        "filename": "js/core.js",
        "name": "app",
        "digest": "000000000000",
        "version": "000000000000",
        "lang": "sv",
        "kind": "multiple_choice",
        "number": 1,
        "item_id": "1",
        "pid": _pid(world),
        # harmless targets: no such invitation, Anna herself (she cannot deactivate herself), no such link
        "link_id": 999999,
        "factor_id": 999999,
        "user_id": world.anna_id,
        "token": "x",
    }
    if rule.rule.startswith("/review/"):
        values["key"] = world.review_key
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", lambda m: str(values[m.group(1)]), rule.rule)


def test_security_headers_on_every_route_of_the_url_map(world):
    """GET every GET route and POST every POST route (with data that is refused or harmless),
    as the owner and anonymously, with the right ids; then the error pages."""
    seen = 0
    for rule in world.app.url_map.iter_rules():
        path = _concrete(world, rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for client in (world.owner, world.anon):
                if method == "POST" and (
                    rule.rule in ("/logout",)
                    or any(w in rule.rule for w in ("delete", "archive", "withdraw", "/start"))
                ):
                    data = {}
                    if client is world.owner:
                        continue  # would end the session / remove the fixture's data
                else:
                    data = {"title": ""} if method == "POST" else None
                r = client.open(path, method=method, data=data)
                _check_headers(r, f"{method} {path} → {r.status_code}")
                seen += 1
    assert seen > 40
    world.heal()


@pytest.mark.parametrize(
    "what",
    [
        "404",
        "405",
        "400-join",
        "429-join",
        "413",
        "500",
        "static-css",
        "static-vendor",
        "qr",
        "healthz",
        "csv",
        "json-export",
    ],
)
def test_security_headers_on_errors_and_files(world, what, tmp_path, migrated_db):
    w = world
    if what == "404":
        r = w.anon.get("/no/such/page")
    elif what == "405":
        r = w.anon.delete("/login")
    elif what == "400-join":
        r = w.anon.post("/api/join", data="{", content_type="application/json")
    elif what == "429-join":
        limited = fl.make_app(tmp_path / "limited", migrated_db, rate_limit_join="1/minute")
        c = limited.test_client()
        c.post("/api/join", json={"code": "1"})
        r = c.post("/api/join", json={"code": "1"})
        assert r.status_code == 429
    elif what == "413":
        r = w.anon.post("/api/join", data=b"x" * (3 * 1024 * 1024), content_type="application/json")
        assert r.status_code == 413
    elif what == "500":
        app = fl.make_app(tmp_path / "boom", migrated_db)
        app.add_url_rule("/__boom", "boom", lambda: 1 / 0)  # test-only route, before any request
        r = app.test_client().get("/__boom")
        assert r.status_code == 500
    elif what == "static-css":
        r = w.anon.get("/static/css/app.css")
    elif what == "static-vendor":
        r = w.anon.get("/static/vendor/socket.io.min.js")
    elif what == "qr":
        r = w.anon.get(f"/qr/{w.code}.svg")
    elif what == "healthz":
        r = w.anon.get("/healthz")
    elif what == "csv":
        r = w.owner.get(f"/f/w/{w.ws}/a/{w.acts['multiple_choice']}.csv")
    else:
        r = w.owner.get(f"/f/w/{w.ws}/export.json")
    _check_headers(r, what)


def test_security_headers_on_the_socket_endpoint(world):
    r = world.anon.get("/socket.io/?EIO=4&transport=polling", headers={"Origin": "http://localhost"})
    assert r.status_code == 200
    _check_headers(r, "socket.io polling handshake")


def _cookies(r):
    out = {}
    for header in r.headers.getlist("Set-Cookie"):
        name = header.split("=", 1)[0]
        attrs = {
            p.strip().split("=", 1)[0].lower(): (p.strip().split("=", 1)[1] if "=" in p else True)
            for p in header.split(";")[1:]
        }
        out[name] = attrs
    return out


@pytest.mark.parametrize("secure", ["1", "0"])
def test_every_cookie_is_httponly_samesite_and_secure_when_configured(monkeypatch, tmp_path, migrated_db, secure):
    """SECURE_COOKIES from the environment (as a deployment sets it): every cookie the app
    sets — session (CSRF token, language, login) and remember-me — has HttpOnly and
    SameSite, and Secure exactly when configured."""
    monkeypatch.setenv("SECURE_COOKIES", secure)
    app = fl.make_app(tmp_path / "cookies", migrated_db)
    app.config["WTF_CSRF_ENABLED"] = True
    h.setup_workshop(app)
    base = "https://localhost" if secure == "1" else "http://localhost"
    c = app.test_client()
    seen = {}
    r = c.get("/login", base_url=base)
    seen.update(_cookies(r))
    r = c.get("/?lang=en", base_url=base)
    seen.update(_cookies(r))
    token = h.csrf_from(c.get("/login", base_url=base).get_data(as_text=True))
    r = c.post(
        "/login",
        data={"csrf_token": token, "email": "anna@solstad.se", "password": h.PASSWORD, "remember": "1"},
        base_url=base,
        headers={"Referer": base + "/login"},
    )  # Flask-WTF checks it over https
    assert r.status_code == 302
    seen.update(_cookies(r))
    r = c.post("/api/join", json={"code": "00000000"}, base_url=base)
    seen.update(_cookies(r))
    assert {"session", "remember_token"} <= set(seen), seen
    for name, attrs in seen.items():
        assert attrs.get("httponly") is True, (name, attrs)
        assert str(attrs.get("samesite", "")).lower() in ("lax", "strict"), (name, attrs)
        assert ("secure" in attrs) is (secure == "1"), (name, attrs)
